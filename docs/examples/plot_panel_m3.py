"""
One network over many series (M3 monthly)
=========================================

Recurrent networks shine when one network learns from many series at once: a
*global* model. sk_rnn reads several series from one pandas frame with a
two-level ``MultiIndex`` (series id, time), a *panel*; every difference,
lag window, scaler and continuation then stays inside its own series.

Here 102 monthly series (every fourteenth) of the M3 competition (shipped with
sk_rnn) train one LSTM that forecasts the 18 months after each series' end at
once, beside the seasonal naive forecast. The full benchmark (all 3003
series, statsforecast and neuralforecast beside it) is ``benchmarks/m3.py``;
see :doc:`/benchmarks`.
"""

# %%
# A panel
# -------
# :func:`~sk_rnn.datasets.load_m3` returns the competition's split: the last
# 18 values of every monthly series are the test block. Series differ by
# orders of magnitude, and their lengths differ too.
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.preprocessing import StandardScaler

from sk_rnn import (
    DifferencedTargetRegressor,
    DifferenceTransformer,
    LagFeaturizer,
    LSTMRegressor,
    make_forecaster,
    make_horizon_xy,
    make_series_pipeline,
)
from sk_rnn.datasets import load_m3
from sk_rnn.metrics import mase, seasonal_naive, smape

train, test = load_m3("monthly", return_test=True)
keep = train.index.get_level_values("series").unique()[::14]
train, test = train.loc[keep], test.loc[keep]
H = 18
sizes = train.groupby(level="series").size()
print(f"{len(keep)} series, {sizes.min()} to {sizes.max()} training months")
train.groupby(level="series")["value"].agg(["first", "last"]).head()

# %%
# Inputs and targets of a direct 18-step forecast
# -----------------------------------------------
# :func:`~sk_rnn.make_horizon_xy` pairs every month with the next 18 months
# *of the same series*; the last 18 months of each series have no complete
# future and are left out. We model the logarithm (every value here is
# positive), so errors are relative, as the competition's sMAPE is.
logged = np.log(train)
X, Y = make_horizon_xy(logged, H)
print(X.shape, Y.shape)

# %%
# The global network
# ------------------
# Differences of the log level, scaled, in windows of the last 36 months; the
# target is the change from the current level
# (:class:`~sk_rnn.DifferencedTargetRegressor`). The
# :class:`~sk_rnn.SeriesPipeline` knows the panel's layout, so no window
# reaches into the previous series, and it carries each series' last months,
# so the rows after the training block are forecast exactly. One stateless
# network learns from the windows of all 102 series (a stateful one would
# carry its state across series; it refuses panels).
model = DifferencedTargetRegressor(
    make_series_pipeline(
        DifferenceTransformer(),
        StandardScaler(),
        LagFeaturizer(lags=36),
        LSTMRegressor(
            hidden_size=32,
            loss="absolute_error",
            batch_size=256,
            lr=0.003,
            max_epochs=10,
            random_state=0,
        ),
    ),
    transformer=StandardScaler(with_mean=False),
)
model.fit(X, Y)

# The rows after X continue every series; the last one is the forecast origin.
rest = logged.drop(X.index)
forecast = np.exp(pd.DataFrame(model.predict(rest), index=rest.index))
forecast = forecast.groupby(level="series").tail(1).to_numpy()

# %%
# Scores, series by series
# ------------------------
# sMAPE (0-200) and MASE, averaged over the series and the 18 months, beside
# the seasonal naive forecast (the last year repeated).
actual = test["value"].to_numpy().reshape(-1, H)
histories = [g.to_numpy() for _, g in train["value"].groupby(level="series")]
naive = np.stack([seasonal_naive(h, H, 12) for h in histories])
table = pd.DataFrame(
    {
        "sMAPE": [smape(actual, forecast).mean(), smape(actual, naive).mean()],
        "MASE": [
            np.nanmean(mase(actual, forecast, histories, 12)),
            np.nanmean(mase(actual, naive, histories, 12)),
        ],
    },
    index=["global LSTM", "seasonal naive"],
)
table.round(3)

# %%
# A few forecasts
# ---------------
fig, axes = plt.subplots(1, 4, figsize=(13, 3))
for k, axis in zip([0, 1, 2, 3], axes, strict=True):
    name = keep[k]
    history = train.loc[name, "value"].to_numpy()
    steps = np.arange(len(history), len(history) + H)
    axis.plot(history, color="black", lw=1)
    axis.plot(steps, actual[k], color="black", marker=".", label="actual")
    axis.plot(steps, forecast[k], marker="o", ms=3, label="global LSTM")
    axis.plot(steps, naive[k], ls="--", label="seasonal naive")
    axis.set_title(name)
axes[0].legend(fontsize=8)
fig.tight_layout()

# %%
# Without the logarithm: each series scaled by its own statistics
# -----------------------------------------------------------------
# A series with zeros or negative values has no logarithm. Then
# :class:`~sk_rnn.SeriesScaler` scales every series by its own training rows,
# with any scikit-learn scaler, and inverts the forecasts series by series;
# :func:`~sk_rnn.make_forecaster` builds the seed's composition with it
# (``scale="series"``).
per_series = make_forecaster(
    lags=36,
    hidden_size=32,
    stateful=False,
    scale="series",
    batch_size=256,
    lr=0.003,
    max_epochs=10,
    loss="absolute_error",
    random_state=0,
)
X_raw, Y_raw = make_horizon_xy(train, H)
per_series.fit(X_raw, Y_raw)
print(type(per_series.transformer_).__name__, len(per_series.transformer_.scalers_))
raw = per_series.predict(train.drop(X_raw.index))
raw = pd.DataFrame(raw, index=train.drop(X_raw.index).index)
raw = raw.groupby(level="series").tail(1).to_numpy()
print(f"sMAPE with per-series MinMax scaling: {smape(actual, raw).mean():.2f}")

# %%
# Here the logarithm does better: its errors are relative, as sMAPE's are,
# while a [-1, 1] scale per series weighs a series' changes by its own range.

# %%
# To score a panel model walk-forward, :class:`~sk_rnn.model_selection.PanelSplit`
# makes folds of the last steps of every series; ``sk-rnn evaluate FILE.csv
# --series-column ID --time-column DATE --horizon 18`` runs this kind of
# experiment on any long CSV (see :doc:`/cli`).
