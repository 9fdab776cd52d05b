"""
The shampoo experiment, walk-forward
====================================

The notebook's experiment as one scikit-learn composition: difference the
monthly sales, frame them with one lag, scale to [-1, 1] on the training rows,
train a stateful LSTM with 4 units and batch size 1, forecast the last 12
months one step at a time from the true previous month, and compare the RMSE
with the persistence forecast. Because networks trained this long land in
different places from seed to seed, we compare the RMSE distribution over 30
seeds, not one run.

The notebook trains for 3000 epochs; to keep this page fast it uses 1000.
The full size runs in well under a minute from the shell::

    sk-rnn evaluate --epochs 3000 --repeats 30 --plot shampoo.png
"""

# %%
# The composition
# ---------------
# :func:`~sk_rnn.make_forecaster` builds it; written out, it is
# ``DifferencedTargetRegressor(make_series_pipeline(DifferenceTransformer(),
# LagFeaturizer(lags=1), MinMaxScaler((-1, 1)), LSTMRegressor(hidden_size=4,
# max_epochs=3000, batch_size=1, stateful=True)), transformer=MinMaxScaler((-1,
# 1)))``.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import TimeSeriesSplit, cross_validate

from sk_rnn import make_forecaster
from sk_rnn.datasets import load_shampoo
from sk_rnn.model_selection import persistence_forecast, repeated_walk_forward

X, y = load_shampoo(return_X_y=True)  # sales in month t, sales in month t + 1
forecaster = make_forecaster(max_epochs=1000, random_state=0)
forecaster

# %%
# Walk-forward with scikit-learn's own cross_validate
# ----------------------------------------------------
# The last fold of ``TimeSeriesSplit(n_splits=2, test_size=12)`` is the
# notebook's split: 23 training months, 12 test months. Every scaler is fitted
# inside ``fit``, on the training months only, and the test block continues
# the training block, so its first month is differenced against the last
# training month.
cv = TimeSeriesSplit(n_splits=2, test_size=12)
scores = cross_validate(forecaster, X, y, cv=cv, scoring="neg_root_mean_squared_error")
print("test RMSE per fold:", (-scores["test_score"]).round(1))

last = list(cv.split(X))[-1:]
test = last[0][1]
persistence = persistence_forecast(X.iloc[test])
print(f"persistence RMSE: {np.sqrt(np.mean((y.iloc[test] - persistence) ** 2)):.3f}")

# %%
# Thirty seeds at once
# --------------------
# :func:`~sk_rnn.model_selection.repeated_walk_forward` trains the 30 seeds
# as one vectorised ensemble (``n_ensemble=30``), with the same results as 30
# separate fits.
result = repeated_walk_forward(forecaster, X, y, cv=last, n_repeats=30)
print(f"{result.fit_seconds:.1f} s for 30 x 1000 epochs")
result.describe().round(3)

# %%
# The RMSE distribution beside persistence, and the forecasts of the 30
# networks beside the actual sales.
months = [str(m + 1) for m in result.y_test.index]  # forecasts are for t + 1
fig, (box, line) = plt.subplots(
    1, 2, figsize=(11, 4), gridspec_kw={"width_ratios": [1, 2.4]}
)
box.boxplot(result.rmse["rmse"])
box.axhline(result.persistence_rmse, color="tab:red", ls="--", label="persistence")
box.set_xticks([1], ["30 seeds"])
box.set_ylabel("test RMSE (sales)")
box.legend(loc="lower right")
forecasts = result.forecasts.to_numpy()
x = np.arange(len(months))
line.fill_between(x, forecasts.min(1), forecasts.max(1), alpha=0.25, label="30 seeds")
line.plot(x, np.median(forecasts, 1), marker="o", label="median forecast")
line.plot(x, result.persistence, ls="--", label="persistence")
line.plot(x, result.y_test, color="black", marker=".", label="actual")
line.set_xticks(x, months, rotation=45, ha="right")
line.legend()
fig.tight_layout()
plt.show()
