"""sk_rnn inside sktime: make_reduction (recursive, direct, global pooling),
ForecastingGridSearchCV and evaluate. sktime's tabular windows are oldest
first, which LSTMRegressor reads as they are."""

import warnings

import numpy as np
import pandas as pd
import pytest
from _interop import SMALL, require, wave, windows

from sk_rnn import LSTMRegressor, make_forecaster
from sk_rnn.exceptions import LayoutWarning, MissingHistoryWarning

require("sktime", "sktime")
from sktime.forecasting.compose import make_reduction  # noqa: E402
from sktime.forecasting.model_evaluation import evaluate  # noqa: E402
from sktime.forecasting.model_selection import ForecastingGridSearchCV  # noqa: E402
from sktime.performance_metrics.forecasting import (  # noqa: E402
    MeanAbsoluteError,
)
from sktime.split import ExpandingWindowSplitter  # noqa: E402

W = 4


def _net(**params):
    return LSTMRegressor(**{**SMALL, **params})


def _series(n=72, seed=0):
    index = pd.period_range("2015-01", periods=n, freq="M")
    return pd.Series(wave(n, seed), index=index, name="y")


def _recurse(estimator, history, steps, order=1):
    values = list(history)
    for _ in range(steps):
        row = np.asarray(values[-W:][::order], dtype=float)[None, :]
        values.append(float(estimator.predict(row)[0]))
    return np.asarray(values[len(history) :])


def test_recursive_reduction_equals_the_network_on_its_own_windows():
    y = _series()
    forecaster = make_reduction(_net(), window_length=W, strategy="recursive")
    forecaster.fit(y)
    X, target = windows(y.to_numpy(), W)
    direct = _net().fit(X, target)
    np.testing.assert_allclose(
        forecaster.estimator_.predict(X), direct.predict(X), rtol=0, atol=1e-12
    )
    forecast = forecaster.predict(fh=[1, 2, 3, 4])
    expected = _recurse(forecaster.estimator_, y.to_numpy(), 4)
    np.testing.assert_allclose(forecast.to_numpy(), expected, rtol=0, atol=1e-12)
    assert (forecast.index == pd.period_range("2021-01", periods=4, freq="M")).all()


def test_direct_reduction_one_network_per_horizon():
    y = _series()
    forecaster = make_reduction(_net(), window_length=W, strategy="direct")
    forecaster.fit(y, fh=[1, 2, 3])
    last = y.to_numpy()[-W:][None, :]
    expected = [est.predict(last)[0] for est in forecaster.estimators_]
    np.testing.assert_allclose(
        forecaster.predict(fh=[1, 2, 3]).to_numpy(), expected, atol=1e-12
    )


def test_global_pooling_trains_one_network_on_every_series():
    panel = pd.concat(
        {name: _series(48, seed) for seed, name in enumerate(["a", "b", "c"])},
        names=["series", "time"],
    ).to_frame()
    # the global reduction names its columns y_lag_1, y_lag_2, ...: newest first
    forecaster = make_reduction(
        _net(), window_length=W, strategy="recursive", pooling="global"
    )
    with pytest.raises(ValueError, match="set layout='newest_first'"):
        forecaster.fit(panel)
    forecaster = make_reduction(
        _net(layout="newest_first"), window_length=W, strategy="recursive",
        pooling="global",
    )  # fmt: skip
    forecaster.fit(panel)
    forecast = forecaster.predict(fh=[1, 2])
    for name in ["a", "b", "c"]:
        history = panel.loc[name, "y"].to_numpy()
        expected = _recurse(forecaster.estimator_, history, 2, order=-1)
        np.testing.assert_allclose(
            forecast.loc[name].to_numpy().ravel(), expected, rtol=0, atol=1e-12
        )


def test_grid_search_and_evaluate_agree():
    y = _series(60)
    cv = ExpandingWindowSplitter(initial_window=44, step_length=8, fh=[1, 2, 3])
    search = ForecastingGridSearchCV(
        make_reduction(_net(), window_length=W, strategy="recursive"),
        cv=cv,
        param_grid={"window_length": [3, 4], "estimator__hidden_size": [4, 8]},
        scoring=MeanAbsoluteError(),
    )
    search.fit(y)
    assert len(search.cv_results_) == 4
    best = make_reduction(_net(), strategy="recursive", window_length=W)
    best.set_params(**search.best_params_)
    result = evaluate(best, cv, y, scoring=MeanAbsoluteError(), return_data=True)
    assert result["test_MeanAbsoluteError"].mean() == pytest.approx(
        search.best_score_, rel=1e-12
    )
    for _, row in result.iterrows():  # each fold's score is its forecasts' MAE
        mae = np.abs(row["y_test"].to_numpy() - row["y_pred"].to_numpy()).mean()
        assert row["test_MeanAbsoluteError"] == pytest.approx(mae, rel=1e-12)


def test_make_forecaster_in_a_reduction_is_loud():
    """make_forecaster reads rows as consecutive time steps of one series;
    sktime hands it windows, so it says that the rows lack their history
    instead of forecasting silently (use LSTMRegressor in a reduction)."""
    y = _series(40)
    forecaster = make_reduction(
        make_forecaster(max_epochs=2, stateful=False, batch_size=8, random_state=0),
        window_length=W,
        strategy="recursive",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        forecaster.fit(y)
        with pytest.warns(MissingHistoryWarning, match="need history"):
            forecaster.predict(fh=[1])


def test_recursive_reduction_with_exogenous_columns_reads_each_variable():
    """fit(y, X): sktime writes W target values, then W values of each
    exogenous column, oldest first. layout='sktime' reads them as W steps of
    (target, x); the default would read x's lags as the target's newest
    steps. The forecast equals a network trained on hand-built windows."""
    y = _series()
    index = pd.period_range("2015-01", periods=len(y) + 3, freq="M")
    x = pd.DataFrame({"x": np.cos(np.arange(len(index)) / 4)}, index=index)
    with pytest.raises(ValueError, match="layout='sktime' and n_steps=None"):
        make_reduction(_net(layout="sktime"), window_length=W).fit(y, X=x[: len(y)])
    # The default layout would read x's lags as the target's newest steps.
    with pytest.warns(LayoutWarning, match="set layout='sktime', n_steps=4"):
        make_reduction(_net(), window_length=W).fit(y, X=x[: len(y)])
    forecaster = make_reduction(
        _net(layout="sktime", n_steps=W), window_length=W, strategy="recursive"
    )
    forecaster.fit(y, X=x.iloc[: len(y)])
    v, xv = y.to_numpy(), x["x"].to_numpy()

    def window(values, t):
        return np.stack([values[t - W : t], xv[t - W : t]], axis=1)

    X3 = np.stack([window(v, t) for t in range(W, len(v))])
    direct = _net().fit(X3, v[W:])
    values = list(v)
    for t in range(len(v), len(v) + 3):
        values.append(float(direct.predict(window(np.asarray(values), t)[None])[0]))
    forecast = forecaster.predict(fh=[1, 2, 3], X=x.iloc[len(y) :])
    np.testing.assert_allclose(forecast.to_numpy(), values[-3:], rtol=1e-6)
