"""sk_rnn inside darts: SKLearnModel with lags, past and future covariates,
historical forecasts, and darts' safe model loading.

darts lays a row out block by block: the target's lags, then the past
covariates' lags, then the future covariates' lags, each block step-major
and oldest first. ``LSTMRegressor(layout=[(lags, n_target), (lags,
n_past)])`` reads the two lagged blocks as one window; the future
covariates at the predicted step (``lags_future_covariates=[0]``) follow
and are given at every step."""

import numpy as np
import pandas as pd
import pytest
from _interop import SMALL, require, wave, windows

import sk_rnn
from sk_rnn import LSTMRegressor
from sk_rnn.exceptions import LayoutWarning

require("darts", "darts")
from darts import TimeSeries  # noqa: E402
from darts.models import SKLearnModel  # noqa: E402
from darts.utils.serialization import safe_globals  # noqa: E402

L = 4
INDEX = pd.date_range("2020-01-01", periods=90, freq="D")


def _target():
    return TimeSeries.from_times_and_values(INDEX[:80], wave(80, 0))


def _past():
    values = np.stack([wave(80, 1), np.cos(np.arange(80) / 5)], axis=1)
    return TimeSeries.from_times_and_values(INDEX[:80], values)


def _future():  # known ahead: runs past the end of the target
    return TimeSeries.from_times_and_values(INDEX, (np.arange(90) % 7 == 0) * 1.0)


def test_lags_only_reads_darts_rows_oldest_first():
    model = SKLearnModel(model=LSTMRegressor(**SMALL), lags=L)
    model.fit(_target())
    y = _target().values().ravel()
    X, target = windows(y, L)
    direct = LSTMRegressor(**SMALL).fit(X, target)
    np.testing.assert_allclose(model.model.predict(X), direct.predict(X), atol=1e-12)
    forecast = model.predict(1).values().ravel()
    np.testing.assert_allclose(forecast, direct.predict(y[-L:][None]), atol=1e-12)


def test_past_and_future_covariates_form_one_window():
    net = LSTMRegressor(layout=[(L, 1), (L, 2)], **SMALL)
    model = SKLearnModel(
        model=net, lags=L, lags_past_covariates=L, lags_future_covariates=[0]
    )
    model.fit(_target(), past_covariates=_past(), future_covariates=_future())
    assert model.model.window_shape_ == (L, 4)  # target, 2 past, 1 future
    y, past, fut = (s.values() for s in (_target(), _past(), _future()))

    # The windows sk_rnn builds itself: each step holds the target and the
    # past covariates of that step, and the future covariate of the
    # predicted step. A network trained on them is the network darts trained.
    def window(t):
        return np.concatenate(
            [y[t - L : t], past[t - L : t], np.repeat(fut[t : t + 1], L, axis=0)],
            axis=1,
        )

    X3 = np.stack([window(t) for t in range(L, 80)])
    direct = LSTMRegressor(**SMALL).fit(X3, y[L:80, 0])
    forecast = model.predict(1, past_covariates=_past(), future_covariates=_future())
    np.testing.assert_allclose(
        forecast.values().ravel(), direct.predict(window(80)[None]), atol=1e-12
    )


def test_historical_forecasts_equal_the_network_on_each_window():
    model = SKLearnModel(model=LSTMRegressor(**SMALL), lags=L)
    series = _target()
    model.fit(series[:60])
    forecasts = model.historical_forecasts(
        series, start=60, forecast_horizon=1, retrain=False, last_points_only=True
    )
    y = series.values().ravel()
    X, _ = windows(y, L)
    expected = model.model.predict(X[60 - L :])
    np.testing.assert_allclose(forecasts.values().ravel(), expected, atol=1e-12)


def test_safe_loading_needs_only_sk_rnn_classes(tmp_path):
    model = SKLearnModel(model=LSTMRegressor(**SMALL), lags=L)
    model.fit(_target())
    path = tmp_path / "model.pkl"
    model.save(str(path))
    with pytest.raises(Exception, match="sk_rnn"):  # darts refuses unknown classes
        SKLearnModel.load(str(path))
    with safe_globals(sk_rnn.safe_classes()):
        loaded = SKLearnModel.load(str(path))
    np.testing.assert_array_equal(loaded.predict(3).values(), model.predict(3).values())


def test_lag_lists_future_lags_and_static_covariates_read_in_time_order():
    # target lags with a gap, 2 past components, future covariates before,
    # at and after the predicted step, and a static covariate at the end
    layout = [([-4, -2, -1], 1), (2, 2), ([-2, -1, 0, 1], 1)]
    target = _target().with_static_covariates(pd.DataFrame({"store": [3.0]}))
    model = SKLearnModel(
        model=LSTMRegressor(layout=layout, **SMALL), lags=[-4, -2, -1],
        lags_past_covariates=2, lags_future_covariates=[-2, -1, 0, 1],
    )  # fmt: skip
    model.fit(target, past_covariates=_past(), future_covariates=_future())
    y, past, fut = (s.values() for s in (_target(), _past(), _future()))

    # Steps -4, -2, -1 (oldest first): the target there, the past and
    # future covariates at -2, -1 (their oldest at -4); the future
    # covariate at 0 and +1 and the static covariate at every step.
    def window(t):
        steps = [
            np.concatenate([y[t + lag], past[t + max(lag, -2)], fut[t + max(lag, -2)]])
            for lag in (-4, -2, -1)
        ]
        given = np.array([fut[t, 0], fut[t + 1, 0], 3.0])
        return np.concatenate([np.stack(steps), np.tile(given, (3, 1))], axis=1)

    X3 = np.stack([window(t) for t in range(4, 80)])
    direct = LSTMRegressor(**SMALL).fit(X3, y[4:80, 0])
    forecast = model.predict(1, past_covariates=_past(), future_covariates=_future())
    np.testing.assert_allclose(
        forecast.values().ravel(), direct.predict(window(80)[None]), rtol=1e-6
    )


def test_the_default_layout_would_read_darts_covariates_as_target_steps():
    """The silent misread the layout prevents: with the default layout
    darts' row is one univariate sequence of 7 steps, not a 4-step window."""
    model = SKLearnModel(
        model=LSTMRegressor(**SMALL), lags=L, lags_future_covariates=[-2, -1, 0]
    )
    with pytest.warns(LayoutWarning, match=f"only the first {L} look like one"):
        model.fit(_target(), future_covariates=_future())
    assert model.model.window_shape_ == (L + 3, 1)
    model = SKLearnModel(
        model=LSTMRegressor(layout=[(L, 1), ([-2, -1, 0], 1)], **SMALL),
        lags=L, lags_future_covariates=[-2, -1, 0],
    )  # fmt: skip
    model.fit(_target(), future_covariates=_future())
    assert model.model.window_shape_ == (L, 3)  # target, future, future at 0


def test_output_chunk_length_trains_one_network_on_the_chunk():
    """multi_models=True (darts' default) with output_chunk_length=3: darts
    wraps a regressor in one model per horizon step only when it lacks
    multi-output; LSTMRegressor has it, so one network learns the 3 steps.
    The rows are the target's L lags as with output_chunk_length=1."""
    model = SKLearnModel(model=LSTMRegressor(**SMALL), lags=L, output_chunk_length=3)
    model.fit(_target())
    assert isinstance(model.model, LSTMRegressor)  # not wrapped
    y = _target().values().ravel()
    X = np.stack([y[t - L : t] for t in range(L, 78)])
    Y = np.stack([y[t : t + 3] for t in range(L, 78)])  # steps t, t+1, t+2
    direct = LSTMRegressor(**SMALL).fit(X, Y)
    first = direct.predict(y[None, -L:])[0]
    # beyond the chunk darts feeds the forecast back in as the latest lags
    then = direct.predict(np.concatenate([y[-1:], first])[None, -L:])[0]
    np.testing.assert_allclose(
        model.predict(6).values().ravel(), np.concatenate([first, then]), rtol=1e-6
    )


def test_multi_models_false_trains_one_network_on_the_chunk_end():
    """multi_models=False: one network predicts the chunk's last step from
    the L lags before its first; step i of a forecast reads the lags
    shifted back by 2 - i. The rows are laid out as before."""
    model = SKLearnModel(
        model=LSTMRegressor(**SMALL), lags=L, output_chunk_length=3,
        multi_models=False,
    )  # fmt: skip
    model.fit(_target())
    y = _target().values().ravel()
    X = np.stack([y[t - L : t] for t in range(L, 78)])
    direct = LSTMRegressor(**SMALL).fit(X, y[L + 2 : 80])
    expected = direct.predict(np.stack([y[78 + i - L : 78 + i] for i in range(3)]))
    np.testing.assert_allclose(model.predict(3).values().ravel(), expected, rtol=1e-6)


def test_lags_per_component_are_read_by_per_feature_lag_lists():
    """A lags dict writes each block ordered by lag, and at each lag the
    components that have it, in the series' component order (not the
    dict's): a-3, b-2, a-1, b-1 and p-4, q-2, q-1. A block of one lag list
    per component reads it."""
    y = np.stack([wave(80, 0), wave(80, 2)], axis=1)
    target = TimeSeries.from_times_and_values(INDEX[:80], y, columns=["a", "b"])
    past = _past().with_columns_renamed(["0", "1"], ["p", "q"])
    layout = [([[-3, -1], 2], 2), ([[-4], [-2, -1]], 2)]
    model = SKLearnModel(
        model=LSTMRegressor(layout=layout, **SMALL),
        lags={"b": 2, "a": [-3, -1]},
        lags_past_covariates={"p": [-4], "q": [-2, -1]},
    )
    model.fit(target, past_covariates=past)
    assert model.lagged_feature_names == [
        "a_target_lag-3", "b_target_lag-2", "a_target_lag-1", "b_target_lag-1",
        "p_pastcov_lag-4", "q_pastcov_lag-2", "q_pastcov_lag-1",
    ]  # fmt: skip
    p = past.values()

    # Steps -4, -3, -2, -1: each component at the lag it has, else its
    # latest earlier one (its oldest before its first).
    def window(t):
        return np.stack(
            [
                y[t + np.array([-3, -3, -3, -1]), 0],
                y[t + np.array([-2, -2, -2, -1]), 1],
                p[t + np.array([-4, -4, -4, -4]), 0],
                p[t + np.array([-2, -2, -2, -1]), 1],
            ],
            axis=1,
        )

    X3 = np.stack([window(t) for t in range(4, 80)])
    direct = LSTMRegressor(**SMALL).fit(X3, y[4:80])
    forecast = model.predict(1, past_covariates=past)
    np.testing.assert_allclose(
        forecast.values(), direct.predict(window(80)[None]), rtol=1e-6
    )
