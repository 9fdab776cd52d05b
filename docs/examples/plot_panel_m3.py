"""
One network over many seasonal series (M3 monthly)
==================================================

Recurrent networks shine when one network learns from many series at once: a
*global* model. sk_rnn reads several series from one pandas frame with a
two-level ``MultiIndex`` (series id, time), a *panel*; every difference,
lag window, scaler, seasonal index and recurrent state then stays inside its
own series.

Here 102 monthly series (every fourteenth) of the M3 competition (shipped with
sk_rnn) train one small median ensemble of LSTMs, each series' yearly pattern
taken out first, that forecasts the 18 months after each series' end at once;
beside it the seasonal naive forecast and a Theta-like forecast (the M3
winner's method). The full benchmark (all 3003 series, statsforecast's Theta
and AutoETS and neuralforecast's LSTM and NHITS beside it) is
``benchmarks/m3.py``; see :doc:`/benchmarks`.
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
    DeseasonalizedRegressor,
    Deseasonalizer,
    DifferencedTargetRegressor,
    DifferenceTransformer,
    LagFeaturizer,
    LevelGapFeaturizer,
    LSTMRegressor,
    MedianEnsembleRegressor,
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
# The recipe
# ----------
# Each member is one network over all 102 series:
#
# * :class:`~sk_rnn.DeseasonalizedRegressor` estimates every series' yearly
#   pattern on its training values (classical decomposition, kept only where
#   the Theta method's seasonality test finds one; on the logarithm the
#   pattern is additive), removes it from the level and from each of the 18
#   targets, and puts each forecast month's own index back;
# * :class:`~sk_rnn.DifferencedTargetRegressor` learns the change from the
#   current level, on differences of the log level, scaled, 3 months per row;
# * :class:`~sk_rnn.LevelGapFeaturizer` adds, beside each change, how far the
#   level lies from its mean over the last 3 and the last 12 months, which
#   the changes alone do not tell;
# * ``stateful=True`` reads every series once per epoch from its start, one
#   recurrent stream per series (no state crosses from one series into the
#   next), with an 18-month target at every month.
#
# :class:`~sk_rnn.MedianEnsembleRegressor` takes the median of four such
# members: two seeds, each with the yearly pattern removed as above and not
# removed at all (the network then sees the season). Members that see the
# series differently err differently, so their median gains more than more
# seeds would (the benchmark averages four of the first kind and two of the
# second).


def member(seed, deseasonalize=True):
    network = LSTMRegressor(
        hidden_size=32,
        stateful=True,
        batch_size=24,
        lr=0.003,
        loss="absolute_error",
        max_epochs=100,
        random_state=seed,
    )
    forecaster = DifferencedTargetRegressor(
        make_series_pipeline(
            DifferenceTransformer(),
            LevelGapFeaturizer(window=[3, 12]),
            StandardScaler(),
            LagFeaturizer(lags=3),
            network,
        ),
        transformer=StandardScaler(with_mean=False),
    )
    if not deseasonalize:
        return forecaster
    return DeseasonalizedRegressor(
        forecaster, deseasonalizer=Deseasonalizer(period=12, model="additive")
    )


model = MedianEnsembleRegressor(
    [(f"seed{seed}", member(seed)) for seed in range(2)]
    + [(f"seasonal{seed}", member(seed, deseasonalize=False)) for seed in range(2)]
)
model.fit(X, Y)
seasonal = model.estimators_[0].deseasonalizer_
print(f"{seasonal.adjusted_[:, 0].sum()} of {len(keep)} series deseasonalised")

# Each series from its start; its last row is the forecast origin.
forecast = np.exp(pd.DataFrame(model.predict(logged, history="none"), logged.index))
forecast = forecast.groupby(level="series").tail(1).to_numpy()

# %%
# A Theta-like baseline
# ---------------------
# The Theta method (Assimakopoulos & Nikolopoulos 2000), in its simple
# exponential smoothing with drift form (Hyndman & Billah 2003): the same
# seasonal adjustment, then the smoothed level plus half the linear trend.


def theta_like(history, horizon):
    frame = pd.DataFrame({"y": history})
    deseasonalizer = Deseasonalizer(period=12).fit(frame)
    y = deseasonalizer.transform(frame)["y"].to_numpy()
    slope = np.polyfit(np.arange(len(y)), y, 1)[0]
    best = None
    for alpha in np.linspace(0.05, 1.0, 20):
        level, sse = y[0], 0.0
        for value in y[1:]:
            sse += (value - level) ** 2
            level += alpha * (value - level)
        if best is None or sse < best[0]:
            best = (sse, alpha, level)
    _, alpha, level = best
    steps = np.arange(1, horizon + 1)
    path = level + 0.5 * slope * (steps - 1 + 1 / alpha)
    future = pd.DataFrame({"y": path}, index=np.arange(len(y), len(y) + horizon))
    return deseasonalizer.inverse_transform(future)["y"].to_numpy()


histories = [g.to_numpy() for _, g in train["value"].groupby(level="series")]
theta = np.stack([theta_like(h, H) for h in histories])

# %%
# Scores, series by series
# ------------------------
# sMAPE (0-200) and MASE, averaged over the series and the 18 months, beside
# the seasonal naive forecast (the last year repeated) and the Theta-like one.
actual = test["value"].to_numpy().reshape(-1, H)
naive = np.stack([seasonal_naive(h, H, 12) for h in histories])
methods = {"LSTM ensemble": forecast, "Theta-like": theta, "seasonal naive": naive}
table = pd.DataFrame(
    {
        "sMAPE": [smape(actual, f).mean() for f in methods.values()],
        "MASE": [np.nanmean(mase(actual, f, histories, 12)) for f in methods.values()],
        "series better than seasonal naive": [
            int((smape(actual, f) < smape(actual, naive)).sum())
            for f in methods.values()
        ],
    },
    index=list(methods),
)
table.round(3)

# %%
# The ensemble beats seasonal naive on most series and is about level with
# the Theta-like forecast on this small panel: one network learns less from
# 102 series than from 1428. On all of M3 monthly (``benchmarks/m3.py``,
# measured 2026-12-06) the six-member recipe scored 13.57 sMAPE,
# statsforecast's Theta 13.83, NHITS 13.81, AutoETS 14.16, neuralforecast's
# LSTM 15.31 and seasonal naive 17.24.

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
    axis.plot(steps, forecast[k], marker="o", ms=3, label="LSTM ensemble")
    axis.plot(steps, theta[k], ls=":", label="Theta-like")
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
