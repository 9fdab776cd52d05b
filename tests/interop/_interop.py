"""Helpers shared by the interoperability tests (``nox`` sessions).

Each ``test_<peer>.py`` runs in its own environment (``noxfile.py``), where
``SK_RNN_INTEROP`` names the peer: there a missing peer is an error. In the
main environment the peers are absent and the modules are skipped.
"""

import importlib
import os

import numpy as np
import pytest


def require(module: str, group: str):
    """Import ``module``; skip unless the nox session for ``group`` runs."""
    if os.environ.get("SK_RNN_INTEROP") == group:
        return importlib.import_module(module)
    return pytest.importorskip(module)


def wave(n=120, seed=0):
    """A noisy seasonal series with a trend, scaled near [-1, 1]."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return 0.6 * np.sin(2 * np.pi * t / 12) + 0.004 * t + 0.1 * rng.normal(size=n)


def windows(values, lags):
    """Rows of the ``lags`` values before each step, oldest first, and targets."""
    values = np.asarray(values, dtype=float)
    X = np.lib.stride_tricks.sliding_window_view(values[:-1], lags)
    return np.ascontiguousarray(X), values[lags:]


#: A small, fast network for the peers' loops (seeded: equal fits are equal).
SMALL = {"hidden_size": 8, "max_epochs": 15, "batch_size": 16, "random_state": 0}
