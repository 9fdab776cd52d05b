"""Behaviour of LagFeaturizer."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.model_selection import TimeSeriesSplit

from sk_rnn import LagFeaturizer
from sk_rnn.exceptions import MissingHistoryWarning

NAN = np.nan
X = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 30.0], [4.0, 40.0]])
# lags=3, step-major: a_lag2, b_lag2, a_lag1, b_lag1, a_lag0, b_lag0
EXPECTED = np.array(
    [
        [NAN, NAN, NAN, NAN, 1, 10],
        [NAN, NAN, 1, 10, 2, 20],
        [1, 10, 2, 20, 3, 30],
        [2, 20, 3, 30, 4, 40],
    ]
)


def _frame(n=30, seed=0):
    rng = np.random.default_rng(seed)
    index = pd.period_range("2001-01", periods=n, freq="M")
    return pd.DataFrame(rng.normal(size=(n, 2)), index=index, columns=["sales", "temp"])


def test_hand_computed_windows_are_step_major_oldest_first():
    assert_array_equal(LagFeaturizer(lags=3).fit_transform(X), EXPECTED)


def test_lags_1_is_the_identity():
    assert_array_equal(LagFeaturizer().fit_transform(X), X)


def test_feature_names_oldest_step_first():
    lag = LagFeaturizer(lags=3).fit(_frame())
    assert list(lag.get_feature_names_out()) == [
        "sales_lag2",
        "temp_lag2",
        "sales_lag1",
        "temp_lag1",
        "sales_lag0",
        "temp_lag0",
    ]
    single = LagFeaturizer(lags=3).fit(_frame()[["sales"]])
    assert list(single.get_feature_names_out()) == [
        "sales_lag2",
        "sales_lag1",
        "sales_lag0",
    ]


def test_fill_value():
    out = LagFeaturizer(lags=2, fill_value=0.0).fit_transform(X)
    assert_array_equal(out[0], [0.0, 0.0, 1.0, 10.0])


@pytest.mark.parametrize("lags", [2, 4])
def test_continuation_across_time_series_split(lags):
    data = _frame()
    full = LagFeaturizer(lags=lags).fit_transform(data)
    for train, test in TimeSeriesSplit(n_splits=3).split(data):
        lag = LagFeaturizer(lags=lags).fit(data.iloc[train])
        out = lag.transform(data.iloc[test])
        assert not out.isna().any().any()
        assert_allclose(out.to_numpy(), full.iloc[test].to_numpy())


def test_numpy_block_warmup_rows_are_incomplete():
    out = LagFeaturizer(lags=3).fit(X).transform(X[2:])
    assert np.isnan(out[0, :4]).all() and np.isnan(out[1, :2]).all()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_preserved(dtype):
    assert LagFeaturizer(lags=2).fit_transform(X.astype(dtype)).dtype == dtype


def test_set_output_pandas():
    data = _frame()
    out = LagFeaturizer(lags=2).set_output(transform="pandas").fit_transform(data)
    assert list(out.columns) == ["sales_lag1", "temp_lag1", "sales_lag0", "temp_lag0"]
    assert out.index.equals(data.index)


def test_warmup_attributes():
    lag = LagFeaturizer(lags=4).fit(_frame())
    assert lag.n_warmup_ == 3
    assert lag.tail_.shape == (3, 2)


def test_too_few_rows_to_fit():
    with pytest.raises(
        ValueError, match=r"needs at least 3 rows to fit \(one full window of lags=3"
    ):
        LagFeaturizer(lags=3).fit(X[:2])


def test_invalid_parameter_message():
    with pytest.raises(
        ValueError, match="'lags' parameter of LagFeaturizer must be an int"
    ):
        LagFeaturizer(lags=0).fit(X)


def test_a_block_shorter_than_the_window_is_all_fill_before_its_start():
    # A block longer than half a window but shorter than one raised a
    # broadcasting error before.
    lag = LagFeaturizer(lags=5).fit(np.arange(10.0).reshape(-1, 1))
    with pytest.warns(MissingHistoryWarning):
        out = lag.transform(np.arange(3.0).reshape(-1, 1))
    expected = [
        [np.nan] * 4 + [0.0],
        [np.nan] * 3 + [0.0, 1.0],
        [np.nan] * 2 + [0, 1, 2],
    ]
    np.testing.assert_array_equal(out, expected)
