"""Forecast errors of the M3 competition: sMAPE and MASE, series by series.

Rows are series, columns the forecast steps, as a direct multi-step
forecast of a panel gives them (one row per series' forecast origin).
"""

from __future__ import annotations

import numpy as np


def smape(actual, forecast) -> np.ndarray:
    """M3's symmetric MAPE (0 to 200) of each row, averaged over its steps.

    ``200 |F - A| / (|A| + |F|)``; a step where both are 0 counts 0.
    """
    actual, forecast = np.asarray(actual, float), np.asarray(forecast, float)
    denominator = np.abs(actual) + np.abs(forecast)
    ratio = np.divide(
        np.abs(forecast - actual),
        denominator,
        out=np.zeros_like(denominator),
        where=denominator > 0,
    )
    return 200.0 * ratio.mean(axis=-1)


def mase_scale(history, season: int = 1) -> float:
    """In-sample MAE of the seasonal naive forecast (lag ``season``).

    Falls back to lag 1 when the history is not longer than a season, and
    returns NaN for a history of one value or a constant one.
    """
    history = np.asarray(history, float)
    lag = season if len(history) > season else 1
    if len(history) <= lag:
        return np.nan
    scale = np.mean(np.abs(history[lag:] - history[:-lag]))
    return scale if scale > 0 else np.nan


def mase(actual, forecast, histories, season: int = 1) -> np.ndarray:
    """MASE of each row: its MAE over the in-sample seasonal naive MAE.

    ``histories`` holds each row's training values (the scale of
    :func:`mase_scale`); a row whose scale is undefined is NaN.
    """
    actual, forecast = np.asarray(actual, float), np.asarray(forecast, float)
    scale = np.array([mase_scale(history, season) for history in histories])
    return np.abs(forecast - actual).mean(axis=-1) / scale


def seasonal_naive(history, horizon: int, season: int = 1) -> np.ndarray:
    """Repeat the last season (the last value when ``season`` is 1)."""
    history = np.asarray(history, float)
    season = season if len(history) >= season else 1
    last = history[len(history) - season :]
    return np.resize(last, horizon) if season > 1 else np.repeat(last, horizon)
