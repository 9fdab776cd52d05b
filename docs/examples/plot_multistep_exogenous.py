"""
Multi-step forecasts with exogenous features
============================================

Monthly atmospheric CO2 at Mauna Loa (1958-2001, shipped with statsmodels, so
no download is needed). We forecast the next 12 months at once — a 2-D ``y``
with one column per horizon, a *direct* multi-step forecast — from windows of
the last 24 months of two kinds of input: the differenced CO2 level and the
calendar month (an exogenous feature, known in advance).
"""

# %%
# The data
# --------
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import statsmodels.datasets
from sklearn.compose import ColumnTransformer
from sklearn.model_selection import TimeSeriesSplit
from sklearn.preprocessing import StandardScaler

from sk_rnn import (
    DifferencedTargetRegressor,
    DifferenceTransformer,
    LagFeaturizer,
    LSTMRegressor,
    make_series_pipeline,
)

weekly = statsmodels.datasets.co2.load_pandas().data["co2"]
monthly = weekly.resample("MS").mean().interpolate()
monthly.index = monthly.index.to_period("M")
H, window = 12, 24

month = monthly.index.month.to_numpy()
inputs = pd.DataFrame(
    {
        "co2": monthly,
        "month_sin": np.sin(2 * np.pi * month / 12),
        "month_cos": np.cos(2 * np.pi * month / 12),
    }
)
targets = pd.concat({f"t+{h}": monthly.shift(-h) for h in range(1, H + 1)}, axis=1)
known = targets.notna().all(axis=1)
X, Y = inputs[known], targets[known]
X.tail(3)

# %%
# The forecaster
# --------------
# The CO2 column is differenced, the calendar columns pass through; the lag
# windows hold 24 months of all three, step-major, which ``n_steps=24`` reads
# as 24 steps of 3 features. :class:`~sk_rnn.DifferencedTargetRegressor`
# subtracts the current level from all 12 target columns and adds it back to
# the forecasts. The :class:`~sk_rnn.SeriesPipeline` carries the history a
# block needs, whatever the ColumnTransformer returns.
features = ColumnTransformer(
    [
        ("level", DifferenceTransformer(), ["co2"]),
        ("calendar", "passthrough", ["month_sin", "month_cos"]),
    ]
)
model = DifferencedTargetRegressor(
    make_series_pipeline(
        features,
        LagFeaturizer(lags=window),
        StandardScaler(),
        LSTMRegressor(
            hidden_size=32, n_steps=window, max_epochs=40, lr=0.005, random_state=0
        ),
    ),
    reference="co2",
    transformer=StandardScaler(),
)

# %%
# Walk-forward evaluation
# -----------------------
# A training row's targets reach 12 months ahead, so 11 rows separate each
# training block from its test block (``gap=H - 1``): no test target is seen
# in training. The test block then does not start right after the training
# block, but its inputs before it (training and gap months) are all known at
# forecast time, so we hand them over as ``history``: every test window is
# complete. Without them the first windows would lack history, and sk_rnn
# would say so with a :class:`~sk_rnn.exceptions.MissingHistoryWarning`.
cv = TimeSeriesSplit(n_splits=3, test_size=48, gap=H - 1)
rows = []
for fold, (train, test) in enumerate(cv.split(X)):
    model.fit(X.iloc[train], Y.iloc[train])
    forecast = model.predict(X.iloc[test], history=X.iloc[: test[0]])
    truth = Y.iloc[test].to_numpy()
    level = X["co2"].iloc[test].to_numpy()[:, None]
    seasonal = np.column_stack(  # the value 12 months before the target month
        [monthly.shift(12 - h).loc[X.index[test]].to_numpy() for h in range(1, H + 1)]
    )
    for name, pred in [("LSTM", forecast), ("persistence", np.repeat(level, H, 1)),
                       ("seasonal naive", seasonal)]:  # fmt: skip
        rmse = np.sqrt(np.mean((pred - truth) ** 2, axis=0))
        rows += [
            {"fold": fold, "model": name, "horizon": h + 1, "RMSE": r}
            for h, r in enumerate(rmse)
        ]
scores = pd.DataFrame(rows).groupby(["model", "horizon"])["RMSE"].mean().unstack(0)
scores.round(3)

# %%
# RMSE by horizon, averaged over the folds, and the last test origin's
# 12-month path.
fig, (by_horizon, path) = plt.subplots(1, 2, figsize=(11, 4))
scores.plot(ax=by_horizon, marker="o")
by_horizon.set_xlabel("months ahead")
by_horizon.set_ylabel("RMSE (ppm)")
origin = X.index[test][-1]
future = pd.period_range(origin + 1, periods=H, freq="M").to_timestamp()
history = monthly.loc[origin - 36 : origin]
path.plot(
    history.index.to_timestamp(), history.to_numpy(), color="black", label="observed"
)
path.plot(
    future, Y.iloc[test].iloc[-1].to_numpy(), color="black", ls=":", label="actual"
)
path.plot(future, forecast[-1], marker="o", label="LSTM, 12 months at once")
path.legend()
fig.tight_layout()
plt.show()
