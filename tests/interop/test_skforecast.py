"""sk_rnn inside skforecast: recursive, direct, multi-series, backtesting,
grid search. skforecast writes its lag columns newest first (``lag_1`` is the
previous value) and its exogenous columns after them:
``LSTMRegressor(layout="newest_first")`` reads that layout."""

import numpy as np
import pandas as pd
import pytest
from _interop import SMALL, require, wave, windows

from sk_rnn import LSTMRegressor, make_forecaster
from sk_rnn.exceptions import LayoutWarning, MissingHistoryWarning

require("skforecast", "skforecast")
from skforecast.direct import ForecasterDirect  # noqa: E402
from skforecast.model_selection import (  # noqa: E402
    TimeSeriesFold,
    backtesting_forecaster,
    grid_search_forecaster,
)
from skforecast.preprocessing import RollingFeatures  # noqa: E402
from skforecast.recursive import (  # noqa: E402
    ForecasterRecursive,
    ForecasterRecursiveMultiSeries,
)

LAGS = 4


def _net(**params):
    return LSTMRegressor(**{"layout": "skforecast", "n_steps": LAGS, **SMALL, **params})


def _series(n=80, seed=0):
    index = pd.date_range("2020-01-01", periods=n, freq="D")
    return pd.Series(wave(n, seed), index=index, name="y")


def _recurse(estimator, history, steps, exog=None):
    """Forecast by hand: each step reads the last LAGS values, newest first."""
    values = list(history)
    for step in range(steps):
        row = np.asarray(values[-LAGS:][::-1], dtype=float)
        if exog is not None:
            row = np.concatenate([row, np.atleast_1d(np.asarray(exog)[step])])
        values.append(float(estimator.predict(row[None, :])[0]))
    return np.asarray(values[len(history) :])


def test_recursive_reads_newest_first_lags_as_the_windows_sk_rnn_builds():
    y = _series()
    forecaster = ForecasterRecursive(_net(), lags=LAGS)
    forecaster.fit(y)
    # The network skforecast trained equals one trained on sk_rnn's own
    # oldest-first windows of the same series: the layout is read exactly.
    X, target = windows(y.to_numpy(), LAGS)
    direct = LSTMRegressor(**SMALL)
    direct.fit(X, target)
    np.testing.assert_allclose(
        forecaster.estimator.predict(X[:, ::-1]), direct.predict(X), rtol=0, atol=1e-12
    )
    forecast = forecaster.predict(steps=6)
    expected = _recurse(forecaster.estimator, y.to_numpy(), 6)
    np.testing.assert_allclose(forecast.to_numpy(), expected, rtol=0, atol=1e-12)


def test_recursive_with_exogenous_columns_given_at_every_step():
    y = _series()
    exog = pd.DataFrame({"promo": np.arange(len(y)) % 7 == 0}, index=y.index) * 1.0
    future = pd.DataFrame(
        {"promo": [1.0, 0.0, 0.0]},
        index=pd.date_range(y.index[-1] + pd.Timedelta(days=1), periods=3, freq="D"),
    )
    forecaster = ForecasterRecursive(_net(), lags=LAGS)
    forecaster.fit(y, exog=exog)
    assert forecaster.estimator.window_shape_ == (LAGS, 2)  # the lag + promo
    forecast = forecaster.predict(steps=3, exog=future)
    expected = _recurse(forecaster.estimator, y.to_numpy(), 3, future["promo"])
    np.testing.assert_allclose(forecast.to_numpy(), expected, rtol=0, atol=1e-12)


def test_direct_uses_one_network_per_step_on_the_last_window():
    y = _series()
    forecaster = ForecasterDirect(_net(), steps=3, lags=LAGS)
    forecaster.fit(y)
    last = y.to_numpy()[-LAGS:][::-1][None, :]
    expected = [forecaster.estimators_[k].predict(last)[0] for k in (1, 2, 3)]
    np.testing.assert_allclose(forecaster.predict().to_numpy(), expected, atol=1e-12)
    # each step's network learned its own horizon: their forecasts differ
    assert len(set(np.round(expected, 8))) == 3


def test_multiseries_global_network_with_the_series_code_as_a_column():
    series = pd.DataFrame({"a": _series(seed=1), "b": 2 * _series(seed=2)})
    forecaster = ForecasterRecursiveMultiSeries(
        _net(), lags=LAGS, encoding="ordinal", transformer_series=None
    )
    forecaster.fit(series=series)
    forecast = forecaster.predict(steps=4)
    assert forecaster.estimator.window_shape_ == (LAGS, 2)  # lag + series code
    for code, name in enumerate(["a", "b"]):
        got = forecast.loc[forecast["level"] == name, "pred"].to_numpy()
        expected = _recurse(
            forecaster.estimator, series[name].to_numpy(), 4, np.full(4, code)
        )
        np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-10)


def test_backtesting_refits_on_each_fold_like_a_fresh_forecaster():
    y = _series(60)
    cv = TimeSeriesFold(
        steps=5, initial_train_size=45, refit=True, fixed_train_size=False
    )
    metric, predictions = backtesting_forecaster(
        ForecasterRecursive(_net(), lags=LAGS), y=y, cv=cv,
        metric="mean_absolute_error", show_progress=False,
    )  # fmt: skip
    assert len(predictions) == 15
    for k, start in enumerate((45, 50, 55)):
        fresh = ForecasterRecursive(_net(), lags=LAGS)
        fresh.fit(y.iloc[:start])
        np.testing.assert_allclose(
            predictions["pred"].to_numpy()[5 * k : 5 * k + 5],
            fresh.predict(steps=5).to_numpy(),
            rtol=0, atol=1e-12,
        )  # fmt: skip
    mae = np.abs(predictions["pred"].to_numpy() - y.iloc[45:].to_numpy()).mean()
    assert metric["mean_absolute_error"].iloc[0] == pytest.approx(mae, rel=1e-12)


def test_grid_search_over_lags_and_network_settings():
    y = _series(60)
    cv = TimeSeriesFold(steps=5, initial_train_size=45, refit=False)
    results = grid_search_forecaster(
        ForecasterRecursive(_net(), lags=LAGS), y=y, cv=cv,
        param_grid={"hidden_size": [4, 8]}, lags_grid=[LAGS],
        metric="mean_absolute_error", return_best=False, show_progress=False,
    )  # fmt: skip
    # n_steps must equal the lags (the rows do not say where they end), so
    # a grid over lags needs one search per lag count
    assert len(results) == 2
    best = results.iloc[0]
    # the best row's score is what backtesting that configuration gives
    lags = int(len(best["lags"]))
    net = _net(hidden_size=int(best["params"]["hidden_size"]))
    metric, _ = backtesting_forecaster(
        ForecasterRecursive(net, lags=lags), y=y, cv=cv,
        metric="mean_absolute_error", show_progress=False,
    )  # fmt: skip
    assert best["mean_absolute_error"] == pytest.approx(
        metric["mean_absolute_error"].iloc[0], rel=1e-12
    )
    assert results["mean_absolute_error"].is_monotonic_increasing


def test_make_forecaster_as_the_regressor_is_loud():
    """make_forecaster reads rows as consecutive steps of one series; the
    lag rows skforecast builds are not, and it says so."""
    forecaster = ForecasterRecursive(
        make_forecaster(max_epochs=2, stateful=False, batch_size=8, random_state=0),
        lags=LAGS,
    )
    forecaster.fit(_series(40))
    with pytest.warns(MissingHistoryWarning, match="need history"):
        forecaster.predict(steps=2)


def test_window_features_and_exog_follow_the_lags():
    """lag_1..lag_4, a rolling mean of the 4 values, then exog: the network
    trained through skforecast equals one trained on hand-built windows
    (oldest first, the mean and exog at every step), forecast by hand."""
    y = _series()
    exog = pd.DataFrame({"promo": (np.arange(len(y)) % 7 == 0) * 1.0}, index=y.index)
    future = pd.DataFrame(
        {"promo": [1.0, 0.0, 0.0]},
        index=pd.date_range(y.index[-1] + pd.Timedelta(days=1), periods=3, freq="D"),
    )
    mean = RollingFeatures(stats="mean", window_sizes=LAGS)
    with pytest.raises(ValueError, match="cannot tell the lags"):
        ForecasterRecursive(_net(n_steps=None), lags=LAGS, window_features=mean).fit(
            y, exog=exog
        )
    forecaster = ForecasterRecursive(_net(), lags=LAGS, window_features=mean)
    forecaster.fit(y, exog=exog)

    def window(values, promo):
        last = np.asarray(values[-LAGS:], dtype=float)
        given = np.tile([last.mean(), promo], (LAGS, 1))
        return np.concatenate([last[:, None], given], axis=1)

    v, promo = y.to_numpy(), exog["promo"].to_numpy()
    X3 = np.stack([window(v[:t], promo[t]) for t in range(LAGS, len(v))])
    direct = LSTMRegressor(**SMALL).fit(X3, v[LAGS:])
    values = list(v)
    for step in range(3):
        row = window(values, future["promo"].iloc[step])[None]
        values.append(float(direct.predict(row)[0]))
    np.testing.assert_allclose(
        forecaster.predict(steps=3, exog=future).to_numpy(), values[-3:], rtol=1e-6
    )


def test_the_default_layout_on_skforecasts_rows_is_loud():
    """With layout='steps' skforecast's newest-first lags would be read in
    reverse, silently in 0.2: the rows' shift structure shows it."""
    with pytest.warns(LayoutWarning, match="Set layout='skforecast', n_steps=4"):
        ForecasterRecursive(LSTMRegressor(**SMALL), lags=LAGS).fit(_series())
    window = RollingFeatures(stats=["mean"], window_sizes=[3])
    with pytest.warns(LayoutWarning, match="the other 1 column\\(s\\) follow them"):
        ForecasterRecursive(
            LSTMRegressor(**SMALL), lags=LAGS, window_features=window
        ).fit(_series())
