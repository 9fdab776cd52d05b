"""sk_rnn and MAPIE: conformal prediction intervals for time series around
an LSTMRegressor, with their coverage checked on held-out steps."""

import numpy as np
from _interop import SMALL, require, windows

from sk_rnn import LSTMRegressor

require("mapie", "mapie")
from mapie.regression import SplitConformalRegressor, TimeSeriesRegressor  # noqa: E402
from mapie.subsample import BlockBootstrap  # noqa: E402

LAGS, LEVEL = 6, 0.9


def _data():
    # stationary (no trend): exchangeable enough for conformal coverage
    t = np.arange(420)
    noise = np.random.default_rng(3).normal(scale=0.1, size=420)
    X, y = windows(0.6 * np.sin(2 * np.pi * t / 12) + noise, LAGS)
    return X[:300], y[:300], X[300:], y[300:]  # 114 held-out steps


def _coverage(y, bounds):
    return float(np.mean((y >= bounds[:, 0]) & (y <= bounds[:, 1])))


def test_enbpi_intervals_cover_held_out_steps():
    X_train, y_train, X_test, y_test = _data()
    net = LSTMRegressor(**{**SMALL, "max_epochs": 30})
    cv = BlockBootstrap(n_resamplings=6, n_blocks=6, overlapping=False, random_state=0)
    mapie = TimeSeriesRegressor(net, method="enbpi", cv=cv, agg_function="mean")
    mapie.fit(X_train, y_train)
    y_pred, intervals = mapie.predict(X_test, confidence_level=LEVEL, ensemble=True)
    bounds = intervals[:, :, 0]
    assert np.all(bounds[:, 0] <= y_pred) and np.all(y_pred <= bounds[:, 1])
    coverage = _coverage(y_test, bounds)
    assert 0.8 <= coverage <= 1.0, coverage
    # the bootstrap networks are sk_rnn networks trained on resampled blocks
    members = mapie.estimator_.estimators_
    assert len(members) == 6 and all(isinstance(m, LSTMRegressor) for m in members)


def test_split_conformal_on_the_latest_training_steps():
    X_train, y_train, X_test, y_test = _data()
    fit, calibrate = slice(0, 240), slice(240, 300)  # calibrate after fitting
    net = LSTMRegressor(**{**SMALL, "max_epochs": 30}).fit(X_train[fit], y_train[fit])
    mapie = SplitConformalRegressor(net, confidence_level=LEVEL, prefit=True)
    mapie.conformalize(X_train[calibrate], y_train[calibrate])
    y_pred, intervals = mapie.predict_interval(X_test)
    # the centre is the network's own forecast; the width is the calibration
    # residuals' 90% quantile, the same for every step
    np.testing.assert_allclose(y_pred, net.predict(X_test), rtol=0, atol=1e-12)
    width = intervals[:, 1, 0] - intervals[:, 0, 0]
    np.testing.assert_allclose(width, width[0])
    residuals = np.abs(y_train[calibrate] - net.predict(X_train[calibrate]))
    assert width[0] / 2 >= np.quantile(residuals, 0.85)
    coverage = _coverage(y_test, intervals[:, :, 0])
    assert 0.8 <= coverage <= 1.0, coverage


def test_split_conformal_on_a_test_block_after_the_calibration_block():
    """The test block continues the calibration block, not the fitted one:
    predicted alone, a forecaster warns (its first rows lack their history)
    and its stateful network would start from the state after training, so
    the recipe predicts calibration and test rows together and keeps the
    test rows. The interval is then the exact forecast +- the conformal
    quantile of the calibration residuals."""
    import math
    import warnings

    import pandas as pd
    import pytest

    from sk_rnn import make_forecaster
    from sk_rnn.datasets import load_shampoo
    from sk_rnn.exceptions import MissingHistoryWarning

    X, y = load_shampoo(return_X_y=True)
    fit, calibrate, test = slice(0, 17), slice(17, 26), slice(26, 35)
    model = make_forecaster(max_epochs=20, random_state=0).fit(X[fit], y[fit])
    mapie = SplitConformalRegressor(model, confidence_level=0.8, prefit=True)
    with warnings.catch_warnings():
        # MAPIE checks that a prefit model is fitted by predicting one row of
        # zeros without an index, which the forecaster rightly warns about.
        warnings.simplefilter("ignore", MissingHistoryWarning)
        mapie.conformalize(X[calibrate], y[calibrate])
    with pytest.warns(MissingHistoryWarning, match="SeriesPipeline: the first 1"):
        mapie.predict_interval(X[test])  # alone: loud, not exact
    both = pd.concat([X[calibrate], X[test]])
    with warnings.catch_warnings():
        warnings.simplefilter("error", MissingHistoryWarning)
        y_pred, intervals = mapie.predict_interval(both)
    n_test = len(X[test])
    y_pred, intervals = y_pred[-n_test:], intervals[-n_test:, :, 0]
    # by hand: the forecast of the continued series, and the conformal
    # quantile (the ceil((n + 1) * 0.8)-th smallest absolute residual)
    expected = model.predict(pd.concat([X[fit], both]))[-n_test:]
    np.testing.assert_allclose(y_pred, expected, rtol=1e-12)
    residuals = np.sort(np.abs(y[calibrate] - model.predict(X[calibrate])))
    q = residuals[math.ceil((len(residuals) + 1) * 0.8) - 1]
    np.testing.assert_allclose(intervals[:, 0], expected - q, rtol=1e-12)
    np.testing.assert_allclose(intervals[:, 1], expected + q, rtol=1e-12)
