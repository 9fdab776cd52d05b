"""Behaviour of DifferenceTransformer."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.model_selection import TimeSeriesSplit

from sk_rnn import DifferenceTransformer
from sk_rnn.exceptions import MissingHistoryWarning

X = np.array([[1.0, 10.0], [3.0, 13.0], [6.0, 19.0], [10.0, 27.0], [15.0, 38.0]])
NAN = np.nan
EXPECTED = {
    (1, 1): [[NAN, NAN], [2, 3], [3, 6], [4, 8], [5, 11]],
    (1, 2): [[NAN, NAN], [NAN, NAN], [1, 3], [1, 2], [1, 3]],
    (2, 1): [[NAN, NAN], [NAN, NAN], [5, 9], [7, 14], [9, 19]],
}


def _series(n=40, seed=0, columns=("a", "b")):
    rng = np.random.default_rng(seed)
    values = np.cumsum(rng.normal(size=(n, len(columns))), axis=0) + 50
    index = pd.period_range("2000-01", periods=n, freq="M")
    return pd.DataFrame(values, index=index, columns=list(columns))


@pytest.mark.parametrize(("interval", "order"), list(EXPECTED))
def test_hand_computed_differences(interval, order):
    out = DifferenceTransformer(interval=interval, order=order).fit_transform(X)
    assert_array_equal(out, np.array(EXPECTED[(interval, order)]))


@pytest.mark.parametrize("interval", [1, 2, 3])
@pytest.mark.parametrize("order", [1, 2])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("as_frame", [False, True])
def test_inverse_round_trip_of_fitted_block(interval, order, dtype, as_frame):
    data = _series(20)
    data = data if as_frame else data.to_numpy()
    data = data.astype(dtype)
    diff = DifferenceTransformer(interval=interval, order=order).fit(data)
    if as_frame:
        back = diff.inverse_transform(diff.transform(data))
    else:  # matched to the fitted block by its length alone: said so
        with pytest.warns(MissingHistoryWarning, match="read as the fitted block"):
            back = diff.inverse_transform(diff.transform(data))
    assert type(back) is type(data)
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    assert_allclose(np.asarray(back), np.asarray(data), rtol=rtol)
    assert np.asarray(back).dtype == dtype


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_preserved_and_ints_become_float64(dtype):
    assert DifferenceTransformer().fit_transform(X.astype(dtype)).dtype == dtype
    assert DifferenceTransformer().fit_transform(X.astype(int)).dtype == np.float64


def test_input_is_not_mutated():
    data = X.copy()
    diff = DifferenceTransformer(order=2).fit(data)
    diff.inverse_transform(diff.transform(data))
    assert_array_equal(data, X)


@pytest.mark.parametrize("interval", [1, 3])
@pytest.mark.parametrize("order", [1, 2])
def test_dataframe_that_continues_the_fit_gets_exact_first_rows(interval, order):
    data = _series()
    full = DifferenceTransformer(interval=interval, order=order).fit_transform(data)
    for train, test in TimeSeriesSplit(n_splits=4).split(data):
        diff = DifferenceTransformer(interval=interval, order=order)
        diff.fit(data.iloc[train])
        out = diff.transform(data.iloc[test])
        assert isinstance(out, pd.DataFrame)
        assert out.index.equals(data.index[test])
        assert not out.isna().any().any()
        assert_allclose(out.to_numpy(), full.iloc[test].to_numpy())


def test_numpy_block_has_no_index_so_its_warmup_rows_are_nan():
    data = _series().to_numpy()
    diff = DifferenceTransformer(interval=2).fit(data[:30])
    out = diff.transform(data[30:])
    assert np.isnan(out[:2]).all()
    assert_allclose(out[2:], data[32:] - data[30:-2])


def test_block_with_a_gap_after_the_fit_is_not_continued():
    data = _series()
    diff = DifferenceTransformer().fit(data.iloc[:20])
    out = diff.transform(data.iloc[21:])
    assert out.iloc[0].isna().all()


@pytest.mark.parametrize(
    "index",
    [
        pd.RangeIndex(40),
        pd.date_range("2020-01-01", periods=40, freq="D"),
        pd.date_range("2020-01-31", periods=40, freq="ME"),
        pd.Index(np.arange(40) * 5),
    ],
    ids=["range", "daily", "month-end", "step5"],
)
def test_continuation_works_for_common_time_indexes(index):
    data = _series().set_axis(index)
    diff = DifferenceTransformer().fit(data.iloc[:25])
    out = diff.transform(data.iloc[25:])
    assert_allclose(out.to_numpy(), np.diff(data.to_numpy(), axis=0)[24:])


@pytest.mark.parametrize("order", [1, 2])
@pytest.mark.parametrize("interval", [1, 2])
def test_inverse_of_the_block_that_follows_the_fit(interval, order):
    data = _series()
    diff = DifferenceTransformer(interval=interval, order=order).fit(data.iloc[:30])
    following = diff.transform(data.iloc[30:])
    back = diff.inverse_transform(following)
    assert_allclose(back.to_numpy(), data.iloc[30:].to_numpy())
    assert back.index.equals(data.index[30:])


def test_inverse_of_a_numpy_block_of_another_length_is_refused():
    diff = DifferenceTransformer().fit(X)
    with pytest.raises(
        ValueError, match="rebuilds the fitted block, which has 5 rows; got 3"
    ):
        diff.inverse_transform(X[:3])


def test_inverse_of_an_unlabelled_block_is_exact_or_loud():
    """A NumPy block is matched to the fitted block by its length only: the
    block after the fit, of the same length, must not be inverted silently."""
    series = _series(12)
    diff = DifferenceTransformer().fit(series[:6])
    after = diff.transform(series[6:])  # the block after the fit, exactly
    assert_allclose(diff.inverse_transform(after), series[6:])
    with pytest.warns(
        MissingHistoryWarning,
        match=r"the 6 rows of X are read as the fitted block, because X has no "
        r"time index .* Pass a DataFrame with the fitted index",
    ):
        wrong = diff.inverse_transform(after.to_numpy())
    assert not np.allclose(wrong, series[6:].to_numpy())  # what was warned of


def test_one_series_is_a_one_series_panel():
    """The same rule, through the same code: fitted block, continuation and
    inverse of a series equal those of a panel holding only that series."""
    series = _series(14)
    keys = pd.MultiIndex.from_arrays([["a"] * 14, series.index], names=["id", "t"])
    panel = series.set_axis(keys)
    one = DifferenceTransformer(interval=2, order=2)
    many = DifferenceTransformer(interval=2, order=2)
    assert_array_equal(
        one.fit_transform(series[:9]), many.fit_transform(panel[:9]).to_numpy()
    )
    assert_array_equal(one.transform(series[9:]), many.transform(panel[9:]))
    assert_array_equal(one.tail_, many.tail_[0])
    assert_array_equal(one.head_, many.head_[0])
    assert_allclose(
        one.inverse_transform(one.transform(series[9:])),
        many.inverse_transform(many.transform(panel[9:])),
    )


def test_inverse_of_a_dataframe_that_neither_is_nor_follows_the_fit_is_refused():
    data = _series()
    diff = DifferenceTransformer().fit(data.iloc[:20])
    with pytest.raises(
        ValueError, match="continues the fitted index; got a DataFrame of 5"
    ):
        diff.inverse_transform(data.iloc[22:27])


def test_set_output_pandas_and_feature_names():
    data = _series()
    diff = DifferenceTransformer().set_output(transform="pandas").fit(data)
    out = diff.transform(data)
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == ["a", "b"]
    numpy_fit = DifferenceTransformer().set_output(transform="pandas").fit(X)
    assert list(numpy_fit.transform(X).columns) == ["x0", "x1"]
    assert list(diff.get_feature_names_out()) == ["a", "b"]


def test_dataframe_in_gives_dataframe_out_under_default_output():
    data = _series()
    out = DifferenceTransformer().fit_transform(data)
    assert isinstance(out, pd.DataFrame)
    assert out.index.equals(data.index)
    assert isinstance(
        DifferenceTransformer().fit_transform(data.to_numpy()), np.ndarray
    )


def test_warmup_attributes():
    diff = DifferenceTransformer(interval=3, order=2).fit(_series())
    assert diff.n_warmup_ == 6
    assert diff.head_.shape == diff.tail_.shape == (6, 2)
    assert diff.n_samples_fit_ == 40


def test_too_few_rows_to_fit():
    with pytest.raises(
        ValueError, match=r"needs at least 7 rows to fit \(interval=3 \* order=2"
    ):
        DifferenceTransformer(interval=3, order=2).fit(np.ones((6, 1)))


def test_rows_out_of_time_order_are_refused():
    data = _series().iloc[[0, 1, 3, 2, 4]]
    with pytest.raises(ValueError, match="time order, oldest first.*row 3 has index"):
        DifferenceTransformer().fit(data)


def test_invalid_parameter_message():
    with pytest.raises(
        ValueError, match="'interval' parameter of DifferenceTransformer"
    ):
        DifferenceTransformer(interval=0).fit(X)
