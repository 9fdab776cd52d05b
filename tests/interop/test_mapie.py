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
