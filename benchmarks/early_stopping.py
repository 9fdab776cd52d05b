"""Early stopping: keep the held-out run's weights, or refit on every row?

    python -m benchmarks.early_stopping          # about 10 minutes on 2 cores

Three real monthly series, the last 12 (CO2: 24) months forecast one step
ahead from the known past: shampoo (the seed's), airline passengers (Box and
Jenkins; ``benchmarks/data/airline.csv``, from sktime's data) and Mauna Loa
CO2 (statsmodels' weekly data averaged by month). The same network for each:
differences, ``lags`` lags, scaling to [-1, 1], a 16-unit LSTM, 5 members,
batches of 8, lr 0.01, up to 400 epochs; ``early_stopping`` off, "holdout" and
"refit" (patience 20, validation_fraction 0.1). The test months are never
seen by the fit or by any setting. Writes ``results/early_stopping.json``.
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from ._common import environment, write

DATA = Path(__file__).resolve().parent / "data"
MODES = [False, "holdout", "refit"]


def _framed(series: pd.Series):
    X = series.iloc[:-1].to_frame("level")
    y = pd.Series(series.to_numpy()[1:], index=X.index, name="next")
    return X, y


def series() -> dict:
    from statsmodels.datasets import co2

    from sk_rnn.datasets import load_shampoo

    airline = pd.read_csv(DATA / "airline.csv")
    airline = pd.Series(
        airline["Passengers"].to_numpy(float),
        index=pd.PeriodIndex(airline["Date"], freq="M"),
    )
    weekly = co2.load_pandas().data["co2"]
    monthly = weekly.resample("MS").mean().interpolate()
    monthly.index = monthly.index.to_period("M")
    return {
        "shampoo": (load_shampoo(), 3, 12),
        "airline": (airline, 12, 12),
        "co2": (monthly, 12, 24),
    }


def model(lags, early_stopping):
    from sklearn.preprocessing import MinMaxScaler

    from sk_rnn import (
        DifferencedTargetRegressor,
        DifferenceTransformer,
        LagFeaturizer,
        LSTMRegressor,
        make_series_pipeline,
    )

    network = LSTMRegressor(
        hidden_size=16, batch_size=8, lr=0.01, max_epochs=400, n_ensemble=5,
        early_stopping=early_stopping, n_iter_no_change=20, random_state=0,
    )  # fmt: skip
    return DifferencedTargetRegressor(
        make_series_pipeline(
            DifferenceTransformer(),
            LagFeaturizer(lags=lags),
            MinMaxScaler(feature_range=(-1, 1)),
            network,
        )
    )


def main():
    rows = []
    for name, (values, lags, test) in series().items():
        X, y = _framed(values)
        train, future = slice(0, len(X) - test), slice(len(X) - test, None)
        for mode in MODES:
            start = time.perf_counter()
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                fitted = model(lags, mode).fit(X.iloc[train], y.iloc[train])
            seconds = time.perf_counter() - start
            forecast = fitted.predict(X.iloc[future])
            rmse = float(np.sqrt(np.mean((forecast - y.iloc[future].to_numpy()) ** 2)))
            network = fitted.regressor_[-1]
            best = getattr(network, "best_epoch_", None)
            row = {
                "series": name, "mode": str(mode), "rmse": rmse,
                "epochs": None if best is None else [int(b) for b in best],
                "fit_seconds": seconds,
                "warnings": sorted({str(w.message)[:80] for w in caught}),
            }  # fmt: skip
            print(row, flush=True)
            rows.append(row)
        persistence = np.sqrt(
            np.mean((X.iloc[future, 0].to_numpy() - y.iloc[future].to_numpy()) ** 2)
        )
        rows.append({"series": name, "mode": "persistence", "rmse": persistence})
    write("early_stopping", {"environment": environment(), "rows": rows})


if __name__ == "__main__":
    main()
