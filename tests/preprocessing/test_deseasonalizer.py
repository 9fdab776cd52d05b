"""Deseasonalizer: per-series seasonal indices, placed by time labels, with
an exact inverse."""

import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from sk_rnn import Deseasonalizer
from sk_rnn.exceptions import MissingHistoryWarning
from sk_rnn.preprocessing._seasonal import is_seasonal, seasonal_indices

PATTERN = np.array([1.3, 1.1, 0.7, 0.9])


def _quarterly(n=40, start="2000Q1", level=100.0, slope=0.0, pattern=PATTERN):
    quarters = pd.period_range(start, periods=n, freq="Q")
    trend = level + slope * np.arange(n)
    phase = np.arange(n) % len(pattern)
    return pd.DataFrame({"y": trend * pattern[phase]}, index=quarters)


def _panel():
    a = _quarterly(40, "2000Q1")
    b = _quarterly(30, "2003Q3", level=5.0, pattern=PATTERN[::-1])
    return pd.concat({"a": a, "b": b}, names=["series", "t"])


def test_recovers_the_seasonal_pattern_of_a_pure_seasonal_series():
    deseasonalizer = Deseasonalizer().fit(_quarterly())
    assert deseasonalizer.period_ == 4  # from the quarterly index
    assert_allclose(deseasonalizer.seasonal_[:, 0], PATTERN / PATTERN.mean())
    assert deseasonalizer.adjusted_.tolist() == [True]
    out = deseasonalizer.transform(_quarterly())
    assert_allclose(out["y"], 100.0 * PATTERN.mean())


def test_additive_pattern_is_removed_by_subtraction():
    X = _quarterly(slope=2.0, pattern=np.ones(4))
    X["y"] += np.tile([5.0, -1.0, -6.0, 2.0], 10)
    deseasonalizer = Deseasonalizer(model="additive").fit(X)
    assert_allclose(deseasonalizer.seasonal_[:, 0], [5.0, -1.0, -6.0, 2.0])
    trend = 100.0 + 2.0 * np.arange(40)
    assert_allclose(deseasonalizer.transform(X)["y"], trend)


@pytest.mark.parametrize("model", ["multiplicative", "additive"])
def test_inverse_is_exact_for_one_series_and_a_panel(model):
    rng = np.random.default_rng(0)
    for X in (_quarterly(slope=1.5), _panel()):
        X = X * rng.uniform(0.9, 1.1, size=X.shape)
        deseasonalizer = Deseasonalizer(model=model, test=False).fit(X)
        out = deseasonalizer.transform(X)
        assert not np.allclose(out, X)
        assert_allclose(deseasonalizer.inverse_transform(out), X, rtol=1e-12)


def test_each_series_of_a_panel_has_its_own_pattern_and_phase():
    panel = _panel()
    deseasonalizer = Deseasonalizer().fit(panel)
    assert deseasonalizer.seasonal_.shape == (2, 4, 1)
    # Phase 0 is each series' first fitted row: b starts in a third quarter
    # with the reversed pattern.
    assert_allclose(deseasonalizer.seasonal_[0, :, 0], PATTERN / PATTERN.mean())
    assert_allclose(deseasonalizer.seasonal_[1, :, 0], PATTERN[::-1] / PATTERN.mean())
    out = deseasonalizer.transform(panel)["y"]
    assert_allclose(out.loc["a"], 100.0 * PATTERN.mean())
    assert_allclose(out.loc["b"], 5.0 * PATTERN.mean())


def test_blocks_are_placed_by_their_labels_continuing_or_not():
    whole = _quarterly(60, slope=0.5)
    train, later = whole.iloc[:40], whole.iloc[40:]
    deseasonalizer = Deseasonalizer().fit(train)
    expected = deseasonalizer.transform(whole)
    # The next block (continues), a block after a gap, a block inside the
    # fitted rows and one before them all get their own rows' phases.
    for block in (later, whole.iloc[47:55], whole.iloc[13:22], whole.iloc[41:42]):
        with warnings.catch_warnings():
            warnings.simplefilter("error", MissingHistoryWarning)
            out = deseasonalizer.transform(block)
        assert_allclose(out, expected.loc[block.index])
    earlier = _quarterly(8, "1998Q1")
    factors = deseasonalizer.factors(earlier)[:, 0]
    assert_allclose(factors, deseasonalizer.seasonal_[[0, 1, 2, 3] * 2, 0])


def test_panel_blocks_continue_each_series():
    panel = _panel()
    position = panel.groupby(level=0).cumcount(ascending=False)
    train, test = panel[position >= 8], panel[position < 8]
    deseasonalizer = Deseasonalizer().fit(train)
    out = deseasonalizer.transform(test)["y"]
    assert_allclose(out.loc["a"], 100.0 * PATTERN.mean())
    assert_allclose(out.loc["b"], 5.0 * PATTERN.mean())
    assert_allclose(deseasonalizer.inverse_transform(out.to_frame()), test)


def test_datetime_index_and_shift():
    X = _quarterly(20, pattern=PATTERN)
    X.index = X.index.to_timestamp(how="end").normalize()
    deseasonalizer = Deseasonalizer().fit(X.asfreq("QE-DEC"))
    assert deseasonalizer.period_ == 4
    # shift=k gives the index of the step k steps after each row.
    assert_allclose(
        deseasonalizer.factors(X.iloc[:3], shift=1)[:, 0],
        deseasonalizer.seasonal_[[1, 2, 3], 0],
    )


def test_series_without_seasonality_or_too_short_are_left_unchanged():
    rng = np.random.default_rng(1)
    noise = pd.DataFrame(
        {"y": 50.0 + rng.normal(size=40)},
        index=pd.period_range("2000Q1", periods=40, freq="Q"),
    )
    deseasonalizer = Deseasonalizer().fit(noise)
    assert not is_seasonal(noise["y"].to_numpy(), 4)
    assert deseasonalizer.adjusted_.tolist() == [False]
    assert_allclose(deseasonalizer.transform(noise), noise)
    short = _quarterly(7)  # under two periods: nothing to estimate from
    assert not Deseasonalizer(test=False).fit(short).adjusted_[0]


def test_numpy_rows_start_at_the_fitted_phase_with_a_warning():
    X = _quarterly()
    values = X.to_numpy()
    deseasonalizer = Deseasonalizer(period=4)
    out = deseasonalizer.fit_transform(values)  # the fitted block: no warning
    assert_allclose(out[:, 0], 100.0 * PATTERN.mean())
    with pytest.warns(MissingHistoryWarning, match="cannot tell the season"):
        assert_allclose(deseasonalizer.transform(values[4:8]), out[:4])


def test_seasonal_indices_ignore_missing_values():
    values = 10.0 * np.tile(PATTERN, 6)
    values[5] = np.nan
    assert_allclose(seasonal_indices(values, 4, "multiplicative"), PATTERN / 1.0)


def test_errors_name_the_parameter_and_what_was_received():
    with pytest.raises(ValueError, match="period=None.*no frequency it knows"):
        Deseasonalizer().fit(np.ones((20, 1)))
    with pytest.raises(ValueError, match="model='multiplicative'.*minimum of"):
        Deseasonalizer(period=4).fit(np.r_[1.0, -1.0, 2.0].reshape(-1, 1))
    with pytest.raises(ValueError, match="period == 0|period"):
        Deseasonalizer(period=0).fit(np.ones((20, 1)))
    fitted = Deseasonalizer().fit(_panel())
    other = pd.concat({"c": _quarterly(8)}, names=["series", "t"])
    with pytest.raises(ValueError, match="1 series that were not fitted"):
        fitted.transform(other)
    with pytest.raises(ValueError, match="fitted on a panel of 2, but X is not"):
        fitted.transform(_quarterly())
    daily = pd.DataFrame(
        {"y": np.tile(PATTERN, 10)},
        index=pd.date_range("2020-01-01", periods=40, freq="D"),
    )
    fitted = Deseasonalizer(period=4).fit(daily)
    off_grid = daily.iloc[:3].copy()
    off_grid.index = off_grid.index + pd.Timedelta(hours=6)
    with pytest.raises(ValueError, match="not on the fitted time grid"):
        fitted.transform(off_grid)


def test_unseen_fit_estimates_a_new_series_on_its_own_rows():
    deseasonalizer = Deseasonalizer(unseen="fit").fit(_panel())
    new = pd.concat(
        {"c": _quarterly(20, "2010Q2", level=7.0, pattern=PATTERN[[1, 2, 3, 0]])},
        names=["series", "t"],
    )
    # Its phase 0 is its own first row, wherever its labels lie.
    assert_allclose(deseasonalizer.transform(new), 7.0 * PATTERN.mean())
    # Deseasonalised rows have no pattern left to estimate: refused.
    with pytest.raises(ValueError, match="inverse_transform got 1 series that"):
        deseasonalizer.inverse_transform(deseasonalizer.transform(new))


def test_labels_of_another_kind_or_frequency_are_refused():
    fitted = Deseasonalizer().fit(_quarterly())
    monthly = pd.DataFrame(
        {"y": np.ones(4)}, index=pd.period_range("2000-01", periods=4, freq="M")
    )
    with pytest.raises(ValueError, match="has frequency 'M', the fitted series"):
        fitted.transform(monthly)
    numbered = pd.DataFrame({"y": np.ones(4)}, index=pd.RangeIndex(3, 7))
    with pytest.raises(ValueError, match="not of the fitted index' kind"):
        fitted.transform(numbered)


def test_one_series_inside_a_series_pipeline_is_refused():
    from sklearn.linear_model import LinearRegression

    from sk_rnn import LagFeaturizer, make_series_pipeline

    X = _quarterly(44)
    y = X["y"].shift(-1).ffill()
    pipeline = make_series_pipeline(
        Deseasonalizer(period=4), LagFeaturizer(lags=3), LinearRegression()
    )
    # Fitting is its own block; a later block arrives behind the kept rows,
    # relabelled, so its seasons would be wrong: refused.
    pipeline.fit(X.iloc[:41], y.iloc[:41].fillna(0.0))
    with pytest.raises(ValueError, match="cannot be a step of a SeriesPipeline"):
        pipeline.predict(X.iloc[41:])


def test_missing_values_keep_their_lags_in_the_seasonality_test():
    values = 100.0 * np.tile(PATTERN, 10) + np.random.default_rng(2).normal(size=40)
    holed = values.copy()
    holed[[3, 11, 17, 26, 33]] = np.nan
    assert is_seasonal(values, 4) and is_seasonal(holed, 4)


def test_a_phase_without_values_leaves_the_series_unadjusted():
    values = 100.0 * np.tile(PATTERN, 4)
    values[2::4] = np.nan  # phase 2 never observed
    fitted = Deseasonalizer(period=4, test=False).fit(values.reshape(-1, 1))
    assert not fitted.adjusted_[0]
    assert_allclose(fitted.seasonal_[:, 0], 1.0)


def test_a_series_without_a_pattern_places_its_rows_in_no_season():
    """Two dated rows give no time step; a series without a pattern needs
    none (every index is neutral), yet its later rows were refused, and the
    panel command line failed on a series of the minimum length."""
    from sk_rnn.preprocessing._seasonal import steps_from
    from sk_rnn.series._time import TimeAxis

    months = pd.date_range("2010-01-01", periods=48, freq="MS")
    wave = 100.0 * (1 + 0.3 * np.sin(2 * np.pi * np.arange(48) / 12))
    a = pd.DataFrame({"y": wave}, index=months)
    b = pd.DataFrame({"y": [5.0, 6.0]}, index=months[:2])
    panel = pd.concat({"a": a, "b": b}, names=["series", "t"])
    deseasonalizer = Deseasonalizer(period=12).fit(panel)
    assert deseasonalizer.adjusted_[:, 0].tolist() == [True, False]
    later = pd.DataFrame(
        {"y": [7.0, 8.0, 9.0]},
        index=pd.MultiIndex.from_arrays([["b"] * 3, months[2:5]]),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert_allclose(deseasonalizer.transform(later), later)
        assert_allclose(deseasonalizer.inverse_transform(later), later)
    axis = TimeAxis.from_index(pd.DatetimeIndex(["2010-01-01"]), "test")
    assert steps_from(axis, months[0], "Deseasonalizer") == 0
    with pytest.raises(
        ValueError,
        match=r"Deseasonalizer: the fitted series had too few rows to tell its "
        r"time step \(one, or two dates\), so the season of "
        r"Timestamp\('2010-02-01 00:00:00'\) cannot be told",
    ):
        steps_from(axis, months[1], "Deseasonalizer")
