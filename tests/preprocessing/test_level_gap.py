"""Behaviour of LevelGapFeaturizer: each level's gap to its recent mean."""

import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from sklearn.linear_model import Ridge

from sk_rnn import (
    DifferenceTransformer,
    LagFeaturizer,
    LevelGapFeaturizer,
    make_series_pipeline,
)
from sk_rnn.exceptions import MissingHistoryWarning


def _panel(lengths=(30, 4, 19), seed=0):
    """Levels of a panel: a short series (4 rows) and two longer ones."""
    rng = np.random.default_rng(seed)
    frames = []
    for k, n in enumerate(lengths):
        index = pd.MultiIndex.from_product(
            [[f"s{k}"], pd.period_range("2001-01", periods=n, freq="M")],
            names=["series", "month"],
        )
        values = np.cumsum(rng.normal(size=(n, 2)), axis=0) + 10 * k
        frames.append(pd.DataFrame(values, index=index, columns=["sales", "price"]))
    return pd.concat(frames)


def _rolling_gap(levels: pd.DataFrame, window: int) -> pd.DataFrame:
    """The definition: each level minus the mean of its last ``window``
    levels (fewer at the start of a series), per series; NaN on each
    series' first row, whose change is unknown."""
    by_series = levels.groupby(level=0, sort=False)
    mean = by_series.transform(lambda s: s.rolling(window, min_periods=1).mean())
    gap = levels - mean
    gap[by_series.cumcount() == 0] = np.nan
    return gap


@pytest.mark.parametrize("window", [2, 3, 12])
def test_gap_is_the_level_minus_its_rolling_mean_per_series(window):
    levels = _panel()
    changes = DifferenceTransformer().fit_transform(levels)
    out = LevelGapFeaturizer(window=window).fit_transform(changes)
    assert out.shape == (len(levels), 4)
    assert_allclose(out.iloc[:, :2], changes, equal_nan=True)
    assert_allclose(out.iloc[:, 2:], _rolling_gap(levels, window), equal_nan=True)


@pytest.mark.parametrize("window", [3, 12])
def test_a_block_that_continues_the_fit_is_exact_per_series(window):
    levels = _panel()
    changes = DifferenceTransformer().fit_transform(levels)
    by_series = changes.groupby(level=0, sort=False).cumcount()
    lengths = changes.groupby(level=0, sort=False).size()
    cut = by_series < lengths.reindex(changes.index.get_level_values(0)).values - 3
    gap = LevelGapFeaturizer(window=window).fit(changes[cut])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = gap.transform(changes[~cut])
    whole = LevelGapFeaturizer(window=window).fit_transform(changes)
    assert_allclose(out, whole[~cut], equal_nan=True)
    # The series of 4 rows kept only its first row: the three that follow
    # read that row (a NaN change, its start) as their history.
    assert not np.isnan(out.loc["s1"].to_numpy()).any()


def test_a_missing_change_restarts_the_mean_after_it():
    changes = np.array([[np.nan], [1.0], [1.0], [np.nan], [2.0], [2.0], [2.0]])
    out = LevelGapFeaturizer(window=3).fit_transform(changes)[:, 1]
    # After each NaN: levels (0, 1, 2) then (0, 2, 4, 6), means over <= 3.
    assert_allclose(out, [np.nan, 0.5, 1.0, np.nan, 1.0, 2.0, 2.0], equal_nan=True)


def test_in_a_series_pipeline_the_next_block_is_forecast_from_its_history():
    levels = _panel(lengths=(30, 24, 19))
    head = levels.groupby(level=0, sort=False).head(-4)
    tail = levels.drop(head.index)
    target = levels["sales"].groupby(level=0, sort=False).shift(-1).fillna(0.0)
    model = make_series_pipeline(
        DifferenceTransformer(),
        LevelGapFeaturizer(window=6),
        LagFeaturizer(lags=2, fill_value=0.0),
        Ridge(),
    ).fit(head, target[head.index])
    # Its features for the next block are the whole series' own rows.
    changes = DifferenceTransformer().fit_transform(levels)
    gaps = LevelGapFeaturizer(window=6).fit_transform(changes)
    windows = LagFeaturizer(lags=2, fill_value=0.0).fit_transform(gaps)
    expected = model[-1].predict(windows.loc[tail.index])
    assert_allclose(model.predict(tail), expected)
    assert_allclose(model.predict(tail, history="fit"), expected)


def test_a_numpy_block_without_history_warns():
    changes = DifferenceTransformer().fit_transform(np.arange(20.0).reshape(-1, 1))
    gap = LevelGapFeaturizer(window=4).fit(changes)
    with pytest.warns(MissingHistoryWarning, match="LevelGapFeaturizer"):
        out = gap.transform(changes[10:])
    # The block's first change is read as its start: a mean over 2 levels.
    assert_allclose(out[0], [1.0, 0.5])


def test_feature_names_and_pandas_output():
    changes = DifferenceTransformer().fit_transform(_panel())
    gap = LevelGapFeaturizer(window=4).set_output(transform="pandas")
    out = gap.fit_transform(changes)
    assert list(out.columns) == ["sales", "price", "sales_gap4", "price_gap4"]
    assert out.index.equals(changes.index)
    unnamed = LevelGapFeaturizer(window=4).fit(changes.to_numpy())
    names = ["a", "b", "a_gap4", "b_gap4"]
    assert list(unnamed.get_feature_names_out(["a", "b"])) == names


@pytest.mark.parametrize("alpha", [None, 0.5])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_preserved(dtype, alpha):
    changes = np.diff(np.arange(10.0) ** 2).reshape(-1, 1).astype(dtype)
    out = LevelGapFeaturizer(window=3, alpha=alpha).fit_transform(changes)
    assert out.dtype == dtype


def test_warmup_attributes_per_series():
    changes = DifferenceTransformer().fit_transform(_panel())
    gap = LevelGapFeaturizer(window=5).fit(changes)
    assert gap.n_warmup_ == 3
    assert gap.tail_.shape == (3, 3, 2)
    assert list(gap.series_) == ["s0", "s1", "s2"]


def test_too_few_rows_to_fit():
    with pytest.raises(
        ValueError,
        match=r"LevelGapFeaturizer needs at least 4 rows to fit \(window=5 levels: "
        r"3 earlier changes\); got 2 sample",
    ):
        LevelGapFeaturizer(window=5).fit(np.ones((2, 1)))


def test_invalid_window_message():
    with pytest.raises(
        ValueError,
        match=r"'window' parameter of LevelGapFeaturizer must be None, an int in "
        r"the range \[2, inf\) or an array-like\. Got 1 instead",
    ):
        LevelGapFeaturizer(window=1).fit(np.ones((5, 1)))


def test_several_windows_append_one_gap_column_each():
    levels = _panel()
    changes = DifferenceTransformer().fit_transform(levels)
    gap = LevelGapFeaturizer(window=[3, 12]).set_output(transform="pandas")
    out = gap.fit_transform(changes)
    assert list(out.columns) == [
        "sales", "price", "sales_gap3", "price_gap3", "sales_gap12", "price_gap12"
    ]  # fmt: skip
    assert gap.n_warmup_ == 10
    assert_allclose(out.iloc[:, 2:4], _rolling_gap(levels, 3), equal_nan=True)
    assert_allclose(out.iloc[:, 4:], _rolling_gap(levels, 12), equal_nan=True)


@pytest.mark.parametrize("window", [[], [3, 1], [2.5], [True, 3]])
def test_invalid_window_list_message(window):
    with pytest.raises(
        ValueError,
        match=r"'window' parameter of LevelGapFeaturizer must be an int >= 2 or a "
        r"non-empty list of them; got",
    ):
        LevelGapFeaturizer(window=window).fit(np.ones((5, 1)))


def test_a_repeated_window_is_refused():
    with pytest.raises(
        ValueError,
        match=r"'window' parameter of LevelGapFeaturizer must not repeat a window "
        r"\(each gives a column of its own name\); got \[12, 3, 12\]",
    ):
        LevelGapFeaturizer(window=[12, 3, 12]).fit(np.ones((20, 1)))


def _ewm_gap(levels: pd.DataFrame, alpha: float, levels_in_mean: int):
    """The definition: each level minus the exponentially weighted mean of
    its last ``levels_in_mean`` levels, weights ``(1 - alpha) ** j`` rescaled
    to sum to one (fewer levels at the start of a series), per series; NaN
    on each series' first row."""

    def weighted(window):
        weights = (1 - alpha) ** np.arange(len(window))
        return np.average(window[::-1], weights=weights)

    by_series = levels.groupby(level=0, sort=False)
    mean = by_series.transform(
        lambda s: s.rolling(levels_in_mean, min_periods=1).apply(weighted, raw=True)
    )
    gap = levels - mean
    gap[by_series.cumcount() == 0] = np.nan
    return gap


@pytest.mark.parametrize(("alpha", "span"), [(0.2, 21), (0.5, 7), (0.9, 3)])
def test_alpha_appends_the_gap_to_an_exponentially_weighted_mean(alpha, span):
    levels = _panel(lengths=(40, 4, 25))
    changes = DifferenceTransformer().fit_transform(levels)
    gap = LevelGapFeaturizer(window=3, alpha=alpha).set_output(transform="pandas")
    out = gap.fit_transform(changes)
    names = ["sales", "price", "sales_gap3", "price_gap3"]
    assert list(out.columns) == names + [f"sales_ewm{alpha}", f"price_ewm{alpha}"]
    assert gap.n_warmup_ == max(span, 3) - 2
    assert_allclose(out.iloc[:, 2:4], _rolling_gap(levels, 3), equal_nan=True)
    assert_allclose(out.iloc[:, 4:], _ewm_gap(levels, alpha, span), equal_nan=True)
    # Within its span the mean is pandas' exponentially weighted one.
    pandas_mean = levels.loc["s0"].ewm(alpha=alpha).mean()
    expected = (levels.loc["s0"] - pandas_mean)[1:span]
    assert_allclose(out.loc["s0"].iloc[1:span, 4:], expected)


def test_an_alpha_gap_continues_the_fit_exactly_and_after_a_missing_change():
    levels = _panel(lengths=(60, 8, 33))
    changes = DifferenceTransformer().fit_transform(levels)
    changes.iloc[20, 0] = np.nan  # restarts the mean of s0's sales
    by_series = changes.groupby(level=0, sort=False).cumcount()
    lengths = changes.groupby(level=0, sort=False).size()
    cut = by_series < lengths.reindex(changes.index.get_level_values(0)).values - 5
    step = LevelGapFeaturizer(window=[3, 12], alpha=[0.2, 0.5])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = step.fit(changes[cut]).transform(changes[~cut])
    whole = LevelGapFeaturizer(window=[3, 12], alpha=[0.2, 0.5]).fit_transform(changes)
    assert step.n_warmup_ == 19
    assert_allclose(out, whole[~cut], equal_nan=True)
    restarted = whole.loc["s0"].iloc[21:25, 6]  # sales_ewm0.2 after the NaN
    expected = _ewm_gap(levels.loc[["s0"]].iloc[20:], 0.2, 21).iloc[1:5, 0]
    assert_allclose(restarted, expected)


def test_alpha_none_or_empty_appends_nothing():
    changes = DifferenceTransformer().fit_transform(_panel())
    plain = LevelGapFeaturizer(window=4).fit_transform(changes)
    for alpha in (None, []):
        out = LevelGapFeaturizer(window=4, alpha=alpha).fit_transform(changes)
        assert_allclose(out, plain, equal_nan=True)


@pytest.mark.parametrize("alpha", [0.0, 1.0, 1.5])
def test_invalid_alpha_message(alpha):
    with pytest.raises(
        ValueError,
        match=r"'alpha' parameter of LevelGapFeaturizer must be None, a float in "
        r"the range \(0(\.0)?, 1(\.0)?\) or an array-like\. Got",
    ):
        LevelGapFeaturizer(alpha=alpha).fit(np.ones((30, 1)))


@pytest.mark.parametrize("alpha", [[0.2, 1.0], [True], ["0.5"]])
def test_invalid_alpha_list_message(alpha):
    with pytest.raises(
        ValueError,
        match=r"'alpha' parameter of LevelGapFeaturizer must be None, a float in "
        r"\(0, 1\) or a list of them; got",
    ):
        LevelGapFeaturizer(alpha=alpha).fit(np.ones((30, 1)))


def test_a_repeated_alpha_is_refused():
    with pytest.raises(
        ValueError,
        match=r"'alpha' parameter of LevelGapFeaturizer must not repeat a factor "
        r"\(each gives a column of its own name\); got \[0.5, 0.5\]",
    ):
        LevelGapFeaturizer(alpha=[0.5, 0.5]).fit(np.ones((30, 1)))


def test_too_few_rows_for_the_span_of_an_alpha():
    with pytest.raises(
        ValueError,
        match=r"LevelGapFeaturizer needs at least 20 rows to fit \(window=3 levels, "
        r"alpha=0.2 over 21 levels: 19 earlier changes\); got 10 sample",
    ):
        LevelGapFeaturizer(window=3, alpha=0.2).fit(np.ones((10, 1)))


def test_window_none_keeps_only_the_alpha_gaps():
    levels = _panel(lengths=(40, 30))
    changes = DifferenceTransformer().fit_transform(levels)
    step = LevelGapFeaturizer(window=None, alpha=0.5).set_output(transform="pandas")
    out = step.fit_transform(changes)
    assert list(out.columns) == ["sales", "price", "sales_ewm0.5", "price_ewm0.5"]
    assert step.n_warmup_ == 5
    assert_allclose(out.iloc[:, 2:], _ewm_gap(levels, 0.5, 7), equal_nan=True)


def test_window_none_without_alpha_is_refused():
    with pytest.raises(
        ValueError,
        match=r"LevelGapFeaturizer needs a mean to measure the gap from: 'window' "
        r"or 'alpha' must be given; got window=None and alpha=None\.",
    ):
        LevelGapFeaturizer(window=None).fit(np.ones((30, 1)))


def test_factors_that_differ_get_names_that_differ():
    changes = DifferenceTransformer().fit_transform(np.arange(30.0).reshape(-1, 1))
    step = LevelGapFeaturizer(window=None, alpha=[0.2, 0.2000001]).fit(changes)
    assert list(step.get_feature_names_out(["y"])) == [
        "y", "y_ewm0.2", "y_ewm0.2000001"
    ]  # fmt: skip
    with pytest.raises(
        ValueError,
        match=r"LevelGapFeaturizer needs at least 458 rows to fit \(alpha=\[0.5, "
        r"0.01\] over 7 and 459 levels: 457 earlier changes\); got 30 sample",
    ):
        LevelGapFeaturizer(window=None, alpha=[0.5, 0.01]).fit(changes)
