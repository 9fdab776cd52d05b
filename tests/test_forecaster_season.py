"""make_forecaster(season=...): the seasonal pattern removed around the
composition (DeseasonalizedRegressor), forecasts in the original units."""

import re

import numpy as np
import pandas as pd
import pytest

from sk_rnn import (
    DeseasonalizedRegressor,
    Deseasonalizer,
    DifferencedTargetRegressor,
    LSTMRegressor,
    make_forecaster,
    make_horizon_xy,
)

PATTERN = np.array([1.3, 0.9, 0.7, 1.1])


def _panel(n=44, scales=(1.0, 100.0, 10_000.0)):
    """Quarterly series of very different sizes: a slow trend times one
    multiplicative pattern, with a little noise."""
    rng = np.random.default_rng(0)
    pieces = []
    for k, scale in enumerate(scales):
        t = np.arange(n)
        level = scale * (10 + 0.1 * t) * PATTERN[t % 4]
        level *= 1 + 0.005 * rng.normal(size=n)
        quarters = pd.period_range("2000Q1", periods=n, freq="Q")
        index = pd.MultiIndex.from_arrays(
            [[f"s{k}"] * n, quarters], names=["store", "quarter"]
        )
        pieces.append(pd.DataFrame({"sales": level}, index=index))
    return pd.concat(pieces)


def test_a_season_wraps_the_composition_in_a_deseasonalized_regressor():
    plain = make_forecaster(lags=3, scale="series", stateful=False)
    seasonal = make_forecaster(
        lags=3, scale="series", stateful=False, season=12, seasonal_model="additive"
    )
    assert isinstance(seasonal, DeseasonalizedRegressor)
    deseasonalizer = seasonal.deseasonalizer
    assert isinstance(deseasonalizer, Deseasonalizer)
    assert deseasonalizer.get_params() == {
        "period": 12,
        "model": "additive",
        "test": True,
        "unseen": "fit",
    }
    # the composition inside is the one built without a season
    assert isinstance(seasonal.regressor, DifferencedTargetRegressor)
    assert repr(seasonal.regressor) == repr(plain)
    assert isinstance(seasonal.regressor.regressor[-1], LSTMRegressor)
    assert seasonal.get_params()["regressor__regressor__lagfeaturizer__lags"] == 3
    assert make_forecaster(season=4).deseasonalizer.model == "multiplicative"


@pytest.mark.parametrize("season", [None, 1, np.int64(1)])
def test_no_season_keeps_the_composition(season):
    built = make_forecaster(lags=2, season=season)
    assert isinstance(built, DifferencedTargetRegressor)
    assert repr(built) == repr(make_forecaster(lags=2))


@pytest.mark.parametrize("season", [0, -4, 2.5, "12", True])
def test_a_bad_season_is_refused(season):
    message = (
        "make_forecaster expects season=None or an integer >= 1 (time steps per "
        f"season, e.g. 12 for monthly data); got {season!r}."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        make_forecaster(season=season)


@pytest.mark.parametrize("model", ["log", None, "Additive"])
def test_a_bad_seasonal_model_is_refused(model):
    with pytest.raises(
        ValueError,
        match=re.escape(
            "make_forecaster expects seasonal_model='multiplicative' or "
            f"'additive'; got {model!r}."
        ),
    ):
        make_forecaster(season=4, seasonal_model=model)


def test_forecasts_of_a_seasonal_panel_are_in_its_units():
    h = 4
    panel = _panel()
    train = panel.groupby(level=0).head(40)
    actual = panel.groupby(level=0).tail(h)["sales"].to_numpy().reshape(-1, h)
    X, Y = make_horizon_xy(train, h)
    model = make_forecaster(
        lags=4, hidden_size=4, max_epochs=20, batch_size=32, stateful=False,
        scale="series", random_state=0, season=4,
    )  # fmt: skip
    model.fit(X, Y)
    # every series has the pattern: each is adjusted by its own indices
    fitted = model.deseasonalizer_
    assert fitted.adjusted_.all()
    for k in range(3):
        factors = fitted.seasonal_[k, :, 0]
        np.testing.assert_allclose(factors, PATTERN / PATTERN.mean(), rtol=0.03)
    rest = train.drop(X.index)  # continues X: each series' last row is its origin
    forecast = pd.DataFrame(model.predict(rest), index=rest.index)
    forecast = forecast.groupby(level=0).tail(1).to_numpy()
    # the original units of series 1, 100 and 10,000 times as large
    np.testing.assert_allclose(forecast, actual, rtol=0.05)
    # with each step's own season put back: the peak in the first quarter
    # (steps 1..4 after the last training quarter, 2009Q4, are Q1..Q4)
    assert (forecast.argmax(axis=1) == 0).all()
    assert (forecast.argmin(axis=1) == 2).all()


@pytest.mark.parametrize("level_gap", [False, [], 1, [3, 1], "12", 2.5])
def test_a_bad_level_gap_is_refused(level_gap):
    message = (
        "make_forecaster expects level_gap=None, an integer >= 2 or a non-empty "
        f"list of them (steps in each mean); got {level_gap!r}."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        make_forecaster(level_gap=level_gap)


@pytest.mark.parametrize("level_gap", [12, [3, 12], (3, 12)])
def test_a_level_gap_follows_the_differences(level_gap):
    forecaster = make_forecaster(level_gap=level_gap, scale="series")
    steps = [name for name, _ in forecaster.regressor.steps]
    assert steps[:2] == ["differencetransformer", "levelgapfeaturizer"]
    assert forecaster.regressor[1].window == level_gap


@pytest.mark.parametrize("level_smoothing", [False, [], 0, 1.0, [0.2, 1.5], "0.2"])
def test_a_bad_level_smoothing_is_refused(level_smoothing):
    message = (
        "make_forecaster expects level_smoothing=None, a float in (0, 1) or a "
        f"non-empty list of them (smoothing factors); got {level_smoothing!r}."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        make_forecaster(level_smoothing=level_smoothing)


@pytest.mark.parametrize(
    ("level_gap", "level_smoothing", "window", "alpha"),
    [(None, [0.2, 0.5], None, [0.2, 0.5]), ([3, 12], 0.5, [3, 12], 0.5)],
)
def test_level_smoothing_is_the_gap_steps_alpha(
    level_gap, level_smoothing, window, alpha
):
    forecaster = make_forecaster(level_gap=level_gap, level_smoothing=level_smoothing)
    steps = [name for name, _ in forecaster.regressor.steps]
    assert steps.count("levelgapfeaturizer") == 1
    gaps = forecaster.regressor[1]
    assert (gaps.window, gaps.alpha) == (window, alpha)
