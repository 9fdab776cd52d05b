"""Property-based tests of the transformers (hypothesis)."""

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numpy.testing import assert_allclose, assert_array_equal

from sk_rnn import DifferenceTransformer, LagFeaturizer

# derandomize: the same examples on every run, so CI never fails by chance.
SETTINGS = settings(max_examples=60, deadline=None, derandomize=True)


@st.composite
def series(draw, min_rows=2):
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    n_rows = draw(st.integers(min_rows, 40))
    n_features = draw(st.integers(1, 4))
    elements = st.floats(-1e3, 1e3, allow_nan=False, width=32)
    values = draw(hnp.arrays(dtype, (n_rows, n_features), elements=elements))
    return values


@st.composite
def differencing(draw):
    interval = draw(st.integers(1, 4))
    order = draw(st.integers(1, 3))
    X = draw(series(min_rows=interval * order + 1))
    return X, interval, order


def _tolerance(X, order=1):
    # Undoing differences sums them: rounding grows with the length and the
    # size of the differences, up to 2 ** order times the largest value.
    eps = np.finfo(X.dtype).eps
    return 8 * eps * len(X) * (2**order * np.abs(X).max() + 1) * 4


@SETTINGS
@given(differencing())
def test_difference_round_trip_and_no_mutation(case):
    X, interval, order = case
    original = X.copy()
    diff = DifferenceTransformer(interval=interval, order=order).fit(X)
    out = diff.transform(X)
    assert out.shape == X.shape and out.dtype == X.dtype
    assert np.isnan(out[: interval * order]).all()
    back = diff.inverse_transform(out)
    assert_allclose(back, X, rtol=0, atol=_tolerance(X, order))
    assert_array_equal(X, original)


@SETTINGS
@given(differencing(), st.integers(1, 10))
def test_difference_continuation_and_next_block_inverse(case, n_next):
    X, interval, order = case
    full = np.vstack([X, X[:n_next] + 1.0]).astype(X.dtype)
    index = pd.RangeIndex(len(full))
    columns = [f"c{i}" for i in range(full.shape[1])]
    frame = pd.DataFrame(full, index=index, columns=columns)
    diff = DifferenceTransformer(interval=interval, order=order).fit(
        frame.iloc[: len(X)]
    )
    following = diff.transform(frame.iloc[len(X) :])
    whole = DifferenceTransformer(interval=interval, order=order).fit_transform(frame)
    assert_allclose(
        following.to_numpy(), whole.iloc[len(X) :].to_numpy(), rtol=1e-5, atol=1e-3
    )
    back = diff.inverse_transform(following)
    assert_allclose(
        back.to_numpy(), full[len(X) :], rtol=0, atol=_tolerance(full, order)
    )


@SETTINGS
@given(series(), st.integers(1, 6))
def test_lag_windows_match_a_naive_loop(X, lags):
    if len(X) < lags:
        return
    original = X.copy()
    out = LagFeaturizer(lags=lags).fit_transform(X)
    n_rows, n_features = X.shape
    assert out.shape == (n_rows, lags * n_features) and out.dtype == X.dtype
    for t in range(n_rows):
        for position, lag in enumerate(range(lags - 1, -1, -1)):
            block = out[t, position * n_features : (position + 1) * n_features]
            if t - lag < 0:
                assert np.isnan(block).all()
            else:
                assert_array_equal(block, X[t - lag])
    assert_array_equal(X, original)


@SETTINGS
@given(series(min_rows=8), st.integers(1, 5), st.integers(1, 7))
def test_lag_continuation_equals_the_whole_series(X, lags, cut):
    cut = min(max(cut, lags), len(X) - 1)
    index = pd.period_range("2000-01", periods=len(X), freq="M")
    frame = pd.DataFrame(X, index=index, columns=[f"c{i}" for i in range(X.shape[1])])
    lag = LagFeaturizer(lags=lags).fit(frame.iloc[:cut])
    whole = LagFeaturizer(lags=lags).fit_transform(frame)
    assert_array_equal(
        lag.transform(frame.iloc[cut:]).to_numpy(), whole.iloc[cut:].to_numpy()
    )
