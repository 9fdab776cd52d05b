"""The data behind the model files in ``files_0_2/`` (written by sk_rnn 0.2).

Deterministic: the same arrays every time, so a test can rebuild the rows
the files were fitted on and compare today's predictions with those saved.
"""

import numpy as np
import pandas as pd


def one_series(n=40):
    """A monthly series as the seed's X (level at t) and y (level at t + 1)."""
    t = np.arange(n + 1)
    values = 100 + 0.8 * t + 10 * np.sin(2 * np.pi * t / 12)
    values = values + np.random.default_rng(0).normal(0, 2, n + 1)
    index = pd.period_range("2000-01", periods=n, freq="M")
    X = pd.DataFrame({"sales": values[:-1]}, index=index)
    y = pd.Series(values[1:], index=index, name="next")
    return X, y


def panel(n_series=3, n=30):
    """A (series, time) panel of ``n_series`` monthly series, X and y."""
    frames, targets = [], []
    rng = np.random.default_rng(1)
    for k in range(n_series):
        X, y = one_series(n)
        X = X * (k + 1) + rng.normal(0, 1, (n, 1))
        y = y * (k + 1)
        keys = pd.MultiIndex.from_product([[f"s{k}"], X.index], names=["id", "t"])
        frames.append(X.set_axis(keys))
        targets.append(y.set_axis(keys))
    return pd.concat(frames), pd.concat(targets)


def windows(n=60, lags=4):
    """NumPy windows and a target, as an LSTMRegressor's save file holds."""
    rng = np.random.default_rng(2)
    X = rng.normal(size=(n, lags))
    return X, X[:, -1] * 0.5 + X[:, 0] * 0.25
