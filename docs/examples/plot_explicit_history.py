"""
Exact or loud: saying what a block is
=====================================

A differenced, lagged forecaster needs the rows *before* a block to
transform the block's first rows. This example shows how that history is
found, when it cannot be, and the explicit ways to give it: with
:class:`~sk_rnn.SeriesPipeline`, every forecast is exact or you are told.
"""

# %%
# A plain Pipeline loses the index
# --------------------------------
# The notebook fills the first differenced month with 0, so we put a
# ``SimpleImputer`` after the :class:`~sk_rnn.DifferenceTransformer`. In a
# plain :class:`~sklearn.pipeline.Pipeline` the imputer returns a NumPy
# array, and the :class:`~sk_rnn.LagFeaturizer` after it can no longer see
# that the test months continue the training months. It says so with a
# :class:`~sk_rnn.exceptions.MissingHistoryWarning`.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.impute import SimpleImputer
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

from sk_rnn import (
    DifferencedTargetRegressor,
    DifferenceTransformer,
    LagFeaturizer,
    LSTMRegressor,
    make_series_pipeline,
)
from sk_rnn.datasets import load_shampoo
from sk_rnn.exceptions import MissingHistoryWarning

X, y = load_shampoo(return_X_y=True)
X_train, y_train, X_test, y_test = X[:-12], y[:-12], X[-12:], y[-12:]


def forecaster(make):
    return DifferencedTargetRegressor(
        make(
            DifferenceTransformer(),
            SimpleImputer(strategy="constant", fill_value=0, keep_empty_features=True),
            LagFeaturizer(lags=3),
            MinMaxScaler((-1, 1)),
            LSTMRegressor(
                hidden_size=8, max_epochs=300, batch_size=4, lr=0.01, random_state=0
            ),
        ),
        transformer=MinMaxScaler((-1, 1)),
    )


plain = forecaster(make_pipeline).fit(X_train, y_train)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always", MissingHistoryWarning)
    lost = plain.predict(X_test)
for warning in caught:
    print(f"{warning.category.__name__}: {str(warning.message)[:160]}...")

# %%
# A SeriesPipeline carries the history itself
# -------------------------------------------
# :func:`~sk_rnn.make_series_pipeline` keeps the last ``n_warmup_`` raw rows
# of the training series and prepends them to a block that continues it, so
# what its steps return (here the imputer's NumPy array) does not matter. The
# forecasts of the test months equal those of the same fitted model reading
# the whole series from its start.
model = forecaster(make_series_pipeline).fit(X_train, y_train)
print(f"warm-up rows carried: {model.regressor_.n_warmup_}")

with warnings.catch_warnings():
    warnings.simplefilter("error", MissingHistoryWarning)  # exact or refused
    forecast = model.predict(X_test)
whole = model.predict(X, history="none")[-12:]
np.testing.assert_allclose(forecast, whole, rtol=1e-12)
print("test forecasts equal the whole-series forecasts")
changed = np.flatnonzero(~np.isclose(forecast, lost))
print(f"the plain Pipeline's forecasts differ in test months {changed.tolist()}")

# %%
# Any regressor can end it: the warm-up rows (no history yet) are left out of
# the final step's training when it does not accept NaN (``drop_warmup``), so
# ``Ridge`` needs no imputer; its prediction for a row without history is NaN.
ridge = make_series_pipeline(DifferenceTransformer(), LagFeaturizer(lags=3), Ridge())
ridge.fit(X_train, y_train - X_train["sales"])
print("Ridge, rows without history dropped:", ridge.drop_warmup_)
print("in-sample, first rows:", np.round(ridge.predict(X_train)[:5], 1))

# %%
# Saying it explicitly
# --------------------
# The pandas index decides only when it can (``history="auto"``). A model
# served behind an endpoint gets NumPy rows without an index: say that they
# continue the training series with ``history="fit"`` (per call, or as the
# pipeline's parameter for a whole walk-forward over NumPy folds). For a
# block after a gap, or an in-sample slice, give the rows before it.
# (scikit-learn notes that the NumPy rows have no column names; that is the
# point here, so the note is silenced.)
warnings.filterwarnings("ignore", message="X does not have valid feature names")
served = model.predict(X_test.to_numpy(), history="fit")
np.testing.assert_allclose(served, forecast, rtol=1e-12)

middle = model.predict(X_train.iloc[10:20], history=X_train.iloc[:10])
np.testing.assert_allclose(middle, model.predict(X_train)[10:20], rtol=1e-12)

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always", MissingHistoryWarning)
    guessed = model.predict(X_test.to_numpy())  # neither index nor history
print(
    f"without history: {len(caught)} warning; first forecasts "
    f"{np.round(guessed[:3], 1)} instead of {np.round(forecast[:3], 1)}"
)

# %%
# The three blocks side by side: the exact forecast, the served one (the
# same), and the one whose history was missing, which the warning flagged.
fig, ax = plt.subplots(figsize=(8, 3.5))
months = X_test.index.to_timestamp()
ax.plot(months, y_test, "k.-", label="actual")
ax.plot(months, forecast, "o-", label="SeriesPipeline, index continues")
ax.plot(months, served, "x", ms=9, label='NumPy, history="fit"')
ax.plot(months, guessed, "s--", alpha=0.6, label="NumPy, no history (warned)")
ax.set_ylabel("sales")
ax.set_title("one-month-ahead forecasts of the last 12 months")
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()
