"""Unnamed rows whose values contradict layout='steps' warn (LayoutWarning)."""

import warnings

import numpy as np
import pytest

from sk_rnn import LagFeaturizer, LSTMRegressor
from sk_rnn.exceptions import LayoutWarning

LAGS = 4
rng = np.random.default_rng(0)
SERIES, OTHER = rng.standard_normal(60), rng.standard_normal(60)
OLDEST_FIRST = np.column_stack([SERIES[k : 60 - LAGS + k] for k in range(LAGS)])
OTHER_LAGS = np.column_stack([OTHER[k : 60 - LAGS + k] for k in range(LAGS)])
TARGET = SERIES[LAGS:]


def _counts(n_series=300, length=7, lags=4, zeros=0.7):
    """LagFeaturizer windows (oldest first) of a panel of short count series."""
    gen = np.random.default_rng(5)
    rows = []
    for _ in range(n_series):
        values = gen.poisson(3, length) * (gen.random(length) > zeros)
        rows += [values[t - lags : t] for t in range(lags, length)]
    return np.asarray(rows, dtype=float)


def _fit(X, **params):
    y = TARGET[: len(X)] if len(X) <= len(TARGET) else np.zeros(len(X))
    return LSTMRegressor(max_epochs=1, hidden_size=2, **params).fit(X, y)


@pytest.mark.parametrize(
    "X, match",
    [
        (  # skforecast: lag_1, lag_2, ... (newest first)
            OLDEST_FIRST[:, ::-1],
            r"4 columns of X look like lags newest first .*"
            r"Set layout='skforecast', n_steps=4",
        ),
        (  # skforecast with a window feature and an exogenous column
            np.column_stack(
                [OLDEST_FIRST[:, ::-1], OLDEST_FIRST.mean(1), OTHER[LAGS:]]
            ),
            r"the other 2 column\(s\) follow them. Set layout='skforecast', n_steps=4",
        ),
        (  # sktime's make_reduction(...).fit(y, X): the target's, then X's lags
            np.column_stack([OLDEST_FIRST, OTHER_LAGS]),
            r"only the first 4 look like one series' lags .* set "
            r"layout='sktime', n_steps=4; .* layout=\[\(4, 1\)\]",
        ),
        (  # two features interleaved step by step, n_steps not given
            np.stack([OLDEST_FIRST, OTHER_LAGS], axis=2).reshape(-1, 2 * LAGS),
            r"look like 2 features per step, step-major .* Set n_steps=4",
        ),
    ],
)
def test_rows_that_layout_steps_would_misread_warn_with_the_fix(X, match):
    with pytest.warns(LayoutWarning, match=match):
        _fit(X)


@pytest.mark.parametrize(
    "X, params",
    [
        (OLDEST_FIRST, {}),
        (LagFeaturizer(lags=5).fit_transform(SERIES.reshape(-1, 1))[5:], {}),
        (np.stack([OLDEST_FIRST, OTHER_LAGS], axis=2).reshape(-1, 8), {"n_steps": 4}),
        (rng.standard_normal((50, 5)), {}),
        (np.ones((20, 4)), {}),  # a constant series reads either way
        (OLDEST_FIRST[:8, ::-1], {}),  # too few rows to tell
        (OLDEST_FIRST[:, :2][:, ::-1], {}),  # two columns: too few to tell
        (_counts(), {}),  # short intermittent series: zeros read both ways
    ],
)
def test_rows_that_read_as_laid_out_or_cannot_tell_do_not_warn(X, params):
    with warnings.catch_warnings():
        warnings.simplefilter("error", LayoutWarning)
        _fit(X, **params)


def test_the_check_reads_only_unnamed_rows_fitted_with_layout_steps():
    with warnings.catch_warnings():
        warnings.simplefilter("error", LayoutWarning)
        _fit(OLDEST_FIRST[:, ::-1], layout="skforecast", n_steps=LAGS)
        # 3-D windows say their own shape
        _fit(OLDEST_FIRST[:, ::-1, None])
