"""DeseasonalizedRegressor: the regressor sees the deseasonalised level and
targets; each forecast step gets its own step's season back."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.linear_model import LinearRegression

from sk_rnn import (
    DeseasonalizedRegressor,
    Deseasonalizer,
    DifferencedTargetRegressor,
    make_horizon_xy,
)
from sk_rnn.exceptions import MissingHistoryWarning

PATTERN = np.array([1.3, 1.1, 0.7, 0.9])


class Recorder(RegressorMixin, BaseEstimator):
    """Predicts the last target it was fitted on; keeps what it saw."""

    def fit(self, X, y):
        self.X_, self.y_ = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
        return self

    def predict(self, X):
        return np.repeat(self.y_[-1:], len(X), axis=0)


def _series(n=40, start="2000Q1", level=100.0, slope=1.0, pattern=PATTERN):
    quarters = pd.period_range(start, periods=n, freq="Q")
    trend = level + slope * np.arange(n)
    return pd.DataFrame({"y": trend * pattern[np.arange(n) % 4]}, index=quarters)


def test_one_step_forecast_of_a_seasonal_trend_is_exact():
    level = _series()
    X, y = level.iloc[:-1], level["y"].to_numpy()[1:]
    model = DeseasonalizedRegressor(DifferencedTargetRegressor(LinearRegression()))
    model.fit(X, y)
    # The deseasonalised series is nearly a straight line (classical
    # decomposition estimates the pattern of a trending series to within
    # 0.2%): its change is nearly constant.
    assert_allclose(model.predict(X), y, rtol=0.005)
    seasonal = model.deseasonalizer_.seasonal_[:, 0]
    assert_allclose(seasonal, PATTERN / PATTERN.mean(), rtol=0.02)


def test_each_horizon_column_is_placed_in_its_own_step():
    level = _series(slope=0.0)
    X, Y = make_horizon_xy(level, 3)
    model = DeseasonalizedRegressor(Recorder()).fit(X, Y)
    # What the regressor saw has no season left, in X and in every column.
    assert_allclose(model.regressor_.X_, 100.0 * PATTERN.mean())
    assert_allclose(model.regressor_.y_, 100.0 * PATTERN.mean())
    # Its constant forecast is reseasonalised at rows t+1, t+2, t+3.
    predicted = model.predict(X.iloc[:4])
    assert_allclose(predicted, Y.iloc[:4].to_numpy())


def test_panel_series_keep_their_own_pattern_and_phase():
    a = _series(40, "2000Q1", level=100.0, slope=0.0)
    b = _series(30, "2003Q2", level=3.0, slope=0.0, pattern=PATTERN[::-1])
    panel = pd.concat({"a": a, "b": b}, names=["series", "t"])
    X, Y = make_horizon_xy(panel, 2)
    model = DeseasonalizedRegressor(DifferencedTargetRegressor(LinearRegression())).fit(
        X, Y
    )
    assert_allclose(model.predict(X), Y.to_numpy(), rtol=1e-9)
    assert model.deseasonalizer_.seasonal_.shape == (2, 4, 1)


def test_a_panel_behind_a_step_that_returns_an_array_is_read_from_y():
    """In a plain Pipeline after SimpleImputer, fit took the panel for one
    series (y's index was ignored) and forecast it silently wrong; now fit is
    the panel's and predict, whose array has no series, is refused."""
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline

    a = _series(40, "2000Q1", level=100.0, slope=0.5)
    b = _series(30, "2003Q2", level=3.0, slope=0.0, pattern=PATTERN[::-1])
    panel = pd.concat({"a": a, "b": b}, names=["series", "t"])
    X, Y = make_horizon_xy(panel, 2)

    def model():
        return DeseasonalizedRegressor(
            DifferencedTargetRegressor(LinearRegression()),
            deseasonalizer=Deseasonalizer(period=4, test=False),
        )

    direct = model().fit(X, Y)
    piped = make_pipeline(SimpleImputer(), model()).fit(X, Y)
    fitted = piped[-1]
    assert fitted.deseasonalizer_.seasonal_.shape == (2, 4, 1)
    assert_allclose(fitted.deseasonalizer_.seasonal_, direct.deseasonalizer_.seasonal_)
    assert_allclose(
        fitted.regressor_.regressor_.coef_, direct.regressor_.regressor_.coef_
    )
    with pytest.raises(
        ValueError,
        match=r"fitted on a panel of 2, but X is not a panel; .* a step before it "
        r"that returns an array drops that index: call "
        r"set_output\(transform='pandas'\) on the pipeline, or deseasonalise",
    ):
        piped.predict(X)
    # the fix the message names: the imputer keeps the index
    piped.set_output(transform="pandas").fit(X, Y)
    assert_allclose(piped.predict(X), direct.predict(X))
    one = model().fit(X.loc["a"], Y.loc["a"])
    with pytest.raises(
        ValueError, match=r"fitted on one series, but X is a panel; .*MultiIndex\)\.$"
    ):
        one.predict(X)


def test_additive_model_subtracts_and_adds_back():
    level = _series(slope=0.0, pattern=np.ones(4))
    level["y"] += np.tile([3.0, -1.0, -4.0, 2.0], 10)
    X, y = level.iloc[:-1], level["y"].iloc[1:]
    model = DeseasonalizedRegressor(
        Recorder(), deseasonalizer=Deseasonalizer(model="additive")
    ).fit(X, y)
    assert_allclose(model.regressor_.y_, 100.0)
    assert isinstance(model.predict(X), np.ndarray)
    assert_allclose(model.predict(X), y.to_numpy())


def test_numpy_rows_are_placed_from_the_fitted_start_with_a_warning():
    level = _series(slope=0.0)
    values = level.to_numpy()
    model = DeseasonalizedRegressor(
        Recorder(), deseasonalizer=Deseasonalizer(period=4)
    ).fit(values[:-1], values[1:, 0])
    with pytest.warns(MissingHistoryWarning, match="cannot tell the season") as seen:
        predicted = model.predict(values[:-1])
    assert len(seen) == 1
    assert_allclose(predicted, values[1:, 0])


def test_level_must_be_a_column_of_X():
    level = _series()
    with pytest.raises(ValueError, match="level=2, but X has 1 column"):
        DeseasonalizedRegressor(Recorder(), level=2).fit(level, level["y"])


def test_the_pattern_is_estimated_on_every_value_fit_was_given():
    # 14 quarters, horizon 4: X_fit holds 10 rows (under the three periods the
    # seasonality test needs), X_fit and its last row's targets all 14.
    level = _series(14, slope=0.0)
    X, Y = make_horizon_xy(level, 4)
    model = DeseasonalizedRegressor(Recorder()).fit(X, Y)
    direct = Deseasonalizer().fit(level)
    assert model.deseasonalizer_.adjusted_.tolist() == [True]
    assert_allclose(model.deseasonalizer_.seasonal_, direct.seasonal_)
    panel = pd.concat({"a": level, "b": 2.0 * level}, names=["series", "t"])
    X, Y = make_horizon_xy(panel, 4)
    model = DeseasonalizedRegressor(Recorder()).fit(X, Y)
    assert_allclose(model.deseasonalizer_.seasonal_[1], direct.seasonal_)


def test_a_series_left_out_of_the_fit_uses_its_own_rows_with_unseen_fit():
    a = _series(40, slope=0.0)
    short = _series(3, slope=0.0)
    panel = pd.concat({"a": a, "short": short}, names=["series", "t"])
    X, Y = make_horizon_xy(panel, 4, skip_short=True)  # "short" is left out
    strict = DeseasonalizedRegressor(Recorder()).fit(X, Y)
    with pytest.raises(ValueError, match="1 series that were not fitted"):
        strict.predict(panel)
    model = DeseasonalizedRegressor(
        Recorder(), deseasonalizer=Deseasonalizer(unseen="fit")
    ).fit(X, Y)
    predicted = model.predict(panel)
    # Too short for a pattern: the short series' forecasts are not adjusted.
    assert_allclose(predicted[-3:], model.regressor_.y_[-1:].repeat(3, axis=0))


def test_an_integer_level_column_is_deseasonalised():
    level = _series(slope=0.0).round().astype("int64")
    X, y = level.iloc[:-1], level["y"].to_numpy()[1:].astype(float)
    model = DeseasonalizedRegressor(Recorder()).fit(X, y)
    assert model.regressor_.X_.dtype == np.float64
    assert_allclose(model.predict(X), y, rtol=0.01)


def test_history_rows_are_refused():
    level = _series()
    X, y = level.iloc[:-1], level["y"].to_numpy()[1:]
    model = DeseasonalizedRegressor(Recorder()).fit(X, y)
    with pytest.raises(ValueError, match="got history as rows"):
        model.predict(X.iloc[-4:], history=X.iloc[:-4].to_numpy())


def test_each_series_is_extended_by_its_own_targets():
    long = _series(14, slope=0.0)
    one_row = _series(1, "2005Q1", slope=0.0)
    panel = pd.concat({"long": long, "one": one_row}, names=["series", "t"])
    X_long, Y_long = make_horizon_xy(panel.loc[["long"]], 4)
    X = pd.concat([X_long, panel.loc[["one"]]])
    Y = np.vstack([Y_long.to_numpy(), np.ones((1, 4))])
    model = DeseasonalizedRegressor(Recorder()).fit(X, Y)
    # "one" has a single row (no time step to continue), yet "long" still
    # gets its last row's targets: 14 values, enough for the test.
    assert model.deseasonalizer_.adjusted_[:, 0].tolist() == [True, False]
