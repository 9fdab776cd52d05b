"""partial_fit through SeriesPipeline and DifferencedTargetRegressor: the first
call fits the steps and scalers, later calls keep them and train one more epoch
(so a forecaster can be pruned by Optuna, epoch by epoch)."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import config_context
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.linear_model import Ridge, SGDRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from sk_rnn import (
    DifferencedTargetRegressor,
    DifferenceTransformer,
    LagFeaturizer,
    LSTMRegressor,
    make_forecaster,
    make_horizon_xy,
    make_series_pipeline,
)

NET = {"hidden_size": 2, "batch_size": 8, "random_state": 0}


def _levels(n=40, seed=0, start="2001-01", scale=1.0):
    rng = np.random.default_rng(seed)
    level = 100 + scale * np.cumsum(rng.normal(size=n + 1))
    index = pd.period_range(start, periods=n, freq="M")
    X = pd.DataFrame({"sales": level[:-1], "temp": rng.normal(size=n)}, index=index)
    return X, pd.Series(level[1:], index=index)


def _panel(lengths=(14, 12, 16), seed=0):
    rng = np.random.default_rng(seed)
    frames = []
    for s, n in enumerate(lengths):
        months = pd.period_range("2000-01", periods=n, freq="M") + 2 * s
        index = pd.MultiIndex.from_arrays([[f"s{s}"] * n, months], names=["id", "t"])
        values = 10.0**s * (1 + rng.normal(size=(n, 1)).cumsum(axis=0))
        frames.append(pd.DataFrame(values, index=index, columns=["v"]))
    return pd.concat(frames)


def _pipeline(stateful=True, max_epochs=50, **params):
    return make_series_pipeline(
        DifferenceTransformer(),
        LagFeaturizer(lags=2),
        MinMaxScaler((-1, 1)),
        LSTMRegressor(stateful=stateful, max_epochs=max_epochs, **NET, **params),
    )


def _stepped(model, X, y, n, **params):
    for _ in range(n):
        model.partial_fit(X, y, **params)
    return model


# ------------------------------------------------- N partial_fit = max_epochs=N
@pytest.mark.parametrize("stateful", [True, False])
@pytest.mark.parametrize("container", ["pandas", "numpy"])
def test_n_partial_fits_of_a_series_pipeline_equal_a_fit_of_n_epochs(
    stateful, container
):
    X, y = _levels()
    if container == "numpy":
        X, y = X.to_numpy(), y.to_numpy()
    stepped = _stepped(_pipeline(stateful), X, y, 4)
    whole = _pipeline(stateful, max_epochs=4).fit(X, y)
    assert stepped.pipeline_[-1].n_iter_ == 4
    assert_allclose(
        stepped.predict(X, history="none"), whole.predict(X, history="none"), rtol=1e-6
    )
    X_next, _ = _levels(seed=1, start="2004-05")  # continues the index
    X_next = X_next.to_numpy() if container == "numpy" else X_next
    assert_allclose(
        stepped.predict(X_next, history="fit"),
        whole.predict(X_next, history="fit"),
        rtol=1e-6,
    )
    assert_array_equal(np.asarray(stepped.history_), np.asarray(whole.history_))


def test_n_partial_fits_of_a_differenced_target_regressor_equal_a_fit():
    X, y = _levels()
    X = X[["sales"]]

    def model(max_epochs):
        network = LSTMRegressor(max_epochs=max_epochs, **NET)
        return DifferencedTargetRegressor(network, transformer=MinMaxScaler((-1, 1)))

    stepped = _stepped(model(50), X, y, 3)
    whole = model(3).fit(X, y)
    assert_allclose(stepped.predict(X), whole.predict(X), rtol=1e-6)
    assert_array_equal(stepped.transformer_.data_min_, whole.transformer_.data_min_)


@pytest.mark.parametrize("stateful", [True, False])
def test_n_partial_fits_of_make_forecaster_equal_a_fit_of_n_epochs(stateful):
    X, y = _levels()
    params = {"lags": 2, "stateful": stateful, **NET}
    stepped = _stepped(make_forecaster(max_epochs=3000, **params), X, y, 5)
    whole = make_forecaster(max_epochs=5, **params).fit(X, y)
    assert stepped.regressor_[-1].n_iter_ == 5
    assert_allclose(stepped.predict(X), whole.predict(X), rtol=1e-6)
    X_next, _ = _levels(seed=1, start="2004-05")  # continues the index
    assert_allclose(stepped.predict(X_next), whole.predict(X_next), rtol=1e-6)


def test_partial_fits_with_sample_weight_equal_a_weighted_fit():
    X, y = _levels()
    weight = np.random.default_rng(3).integers(1, 4, size=len(y)).astype(float)
    params = {"lags": 2, "stateful": False, **NET}
    stepped = _stepped(
        make_forecaster(max_epochs=99, **params), X, y, 3, sample_weight=weight
    )
    whole = make_forecaster(max_epochs=3, **params).fit(X, y, sample_weight=weight)
    unweighted = make_forecaster(max_epochs=3, **params).fit(X, y)
    assert_allclose(stepped.predict(X), whole.predict(X), rtol=1e-6)
    assert not np.allclose(stepped.predict(X), unweighted.predict(X), rtol=1e-6)


@pytest.mark.parametrize("scale", ["global", "series"])
def test_n_partial_fits_on_a_panel_equal_a_fit_of_n_epochs(scale):
    X, Y = make_horizon_xy(_panel(), 3)
    params = {"lags": 3, "stateful": False, "scale": scale, **NET}
    stepped = _stepped(make_forecaster(max_epochs=99, **params), X, Y, 3)
    whole = make_forecaster(max_epochs=3, **params).fit(X, Y)
    assert_allclose(stepped.predict(X), whole.predict(X), rtol=1e-6)
    assert stepped.regressor_._history.is_panel


def test_partial_fit_after_fit_continues_the_network():
    X, y = _levels()
    params = {"lags": 2, "stateful": True, **NET}
    model = make_forecaster(max_epochs=3, **params).fit(X, y)
    _stepped(model, X, y, 2)
    whole = make_forecaster(max_epochs=5, **params).fit(X, y)
    assert model.regressor_[-1].n_iter_ == 5
    assert_allclose(model.predict(X), whole.predict(X), rtol=1e-6)


# ------------------------------------- later calls keep the fitted steps
# The hand-built run transforms NumPy blocks as series starts, as the pipeline
# does; the transformers warn that NumPy rows carry no index.
@pytest.mark.filterwarnings("ignore::sk_rnn.exceptions.MissingHistoryWarning")
def test_later_calls_keep_the_steps_and_continue_from_the_latest_block():
    """Checked against a hand-built run: the steps fitted on block A only,
    SGDRegressor.partial_fit on A's then B's transformed rows (warm-up rows
    dropped), and predict continuing B's last rows."""
    X_a, y_a = _levels(seed=0)
    X_b, y_b = _levels(seed=1, scale=5.0)  # another scale: a refit would show
    X_c, _ = _levels(seed=2)
    X_a, X_b, X_c = X_a.to_numpy(), X_b.to_numpy(), X_c.to_numpy()
    y_a, y_b = y_a.to_numpy(), y_b.to_numpy()
    steps = (DifferenceTransformer(), LagFeaturizer(lags=2), MinMaxScaler())
    model = make_series_pipeline(*steps, SGDRegressor(random_state=0))
    model.partial_fit(X_a, y_a).partial_fit(X_b, y_b)

    head = make_pipeline(*steps).fit(X_a)
    sgd = SGDRegressor(random_state=0)
    sgd.partial_fit(head.transform(X_a)[2:], y_a[2:])
    sgd.partial_fit(head.transform(X_b)[2:], y_b[2:])
    assert_array_equal(model.pipeline_[-1].coef_, sgd.coef_)
    assert_array_equal(model.pipeline_[2].data_max_, head[2].data_max_)
    assert_array_equal(model.history_, X_b[-2:])
    expected = sgd.predict(head.transform(np.vstack([X_b[-2:], X_c]))[2:])
    assert_allclose(model.predict(X_c, history="fit"), expected, rtol=1e-12)


def test_later_calls_keep_the_target_scaler():
    X_a, y_a = _levels(seed=0)
    X_b, y_b = _levels(seed=1, scale=5.0)
    model = make_forecaster(lags=2, max_epochs=9, **NET)
    model.partial_fit(X_a, y_a)
    scale = model.transformer_.scale_.copy()
    model.partial_fit(X_b, y_b)
    assert_array_equal(model.transformer_.scale_, scale)
    refit = MinMaxScaler((-1, 1)).fit((y_a - X_a["sales"]).to_numpy()[:, None])
    assert_array_equal(scale, refit.scale_)


# ------------------------------------------------------------ availability
def test_partial_fit_exists_only_when_the_final_step_has_it():
    assert hasattr(_pipeline(), "partial_fit")
    assert hasattr(make_forecaster(), "partial_fit")
    ridge = make_series_pipeline(LagFeaturizer(lags=2), Ridge())
    assert not hasattr(ridge, "partial_fit")
    assert not hasattr(DifferencedTargetRegressor(ridge), "partial_fit")
    assert not hasattr(DifferencedTargetRegressor(Ridge()), "partial_fit")
    with pytest.raises(AttributeError, match="partial_fit"):
        ridge.partial_fit(np.ones((5, 1)), np.ones(5))


# --------------------------------------------------------------- refusals
@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"lagfeaturizer__lags": 3}, r"lagfeaturizer__lags=2 -> 3"),
        ({"minmaxscaler": StandardScaler()}, "minmaxscaler=MinMaxScaler -> Standard"),
        ({"n_warmup": 4}, r"n_warmup_=2 -> 4"),
        ({"drop_warmup": True}, r"drop_warmup_=False -> True"),
    ],
)
def test_a_series_pipeline_refuses_changed_steps(params, match):
    X, y = _levels()
    model = _pipeline().partial_fit(X, y)
    model.set_params(**params)
    with pytest.raises(ValueError, match=r"SeriesPipeline.partial_fit continues .*"):
        model.partial_fit(X, y)
    with pytest.raises(ValueError, match=match):
        model.partial_fit(X, y)


def test_a_series_pipeline_refuses_other_steps_and_another_kind_of_block():
    X, y = _levels()
    model = _pipeline(stateful=False).partial_fit(X, y)
    steps = model.steps
    model.set_params(steps=steps[1:])
    with pytest.raises(ValueError, match=r"steps=\['differencetransformer', .* -> "):
        model.partial_fit(X, y)
    model.set_params(steps=steps)
    panel = _panel()
    panel = panel.assign(temp=0.0).rename(columns={"v": "sales"})
    with pytest.raises(ValueError, match="SeriesPipeline.*a panel=False -> True"):
        model.partial_fit(panel, panel["sales"])


def test_the_network_refuses_what_it_cannot_change_through_the_compositions():
    X, y = _levels()
    model = make_forecaster(lags=2, max_epochs=9, **NET).partial_fit(X, y)
    model.set_params(regressor__lstmregressor__hidden_size=3)
    with pytest.raises(ValueError, match=r"LSTMRegressor .*hidden_size=2 -> 3"):
        model.partial_fit(X, y)
    model.set_params(regressor__lstmregressor__hidden_size=2)
    model.set_params(regressor__lstmregressor__lr=0.5)  # may change: used
    model.partial_fit(X, y)
    assert model.regressor_[-1].lr == 0.5
    early = make_forecaster(lags=2, max_epochs=9, early_stopping=True, **NET)
    with pytest.raises(ValueError, match="LSTMRegressor.partial_fit .*early_stopp"):
        early.partial_fit(X, y)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"reference": 1}, r"reference=0 -> 1"),
        (
            {"transformer": MinMaxScaler((0, 1))},
            r"transformer__feature_range=\(-1, 1\) -> \(0, 1\)",
        ),
        ({"transformer": None}, r"transformer=MinMaxScaler -> None"),
        ({"regressor": LSTMRegressor()}, r"regressor=SeriesPipeline -> LSTMRegressor"),
    ],
)
def test_a_differenced_target_regressor_refuses_changes(params, match):
    X, y = _levels()
    model = make_forecaster(lags=2, max_epochs=9, **NET).partial_fit(X, y)
    model.set_params(**params)
    with pytest.raises(ValueError, match="DifferencedTargetRegressor.partial_fit"):
        model.partial_fit(X, y)
    with pytest.raises(ValueError, match=match):
        model.partial_fit(X, y)


def test_a_differenced_target_regressor_refuses_another_y_shape():
    X, y = _levels()
    model = make_forecaster(lags=2, max_epochs=9, **NET).partial_fit(X, y)
    Y = np.column_stack([y, y])
    with pytest.raises(ValueError, match=r"y's shape\[1:\]=\(\) -> \(2,\)"):
        model.partial_fit(X, Y)


def test_later_calls_refuse_another_number_of_columns():
    X, y = _levels()
    pipeline = _pipeline().partial_fit(X.to_numpy(), y)
    with pytest.raises(ValueError, match="X has 1 features, but SeriesPipeline is"):
        pipeline.partial_fit(X.to_numpy()[:, :1], y)
    model = make_forecaster(lags=2, max_epochs=9, **NET).partial_fit(X.to_numpy(), y)
    with pytest.raises(ValueError, match="but DifferencedTargetRegressor is expect"):
        model.partial_fit(X.to_numpy()[:, :1], y)


def test_partial_fit_refuses_metadata_routing():
    X, y = _levels()
    weight = np.ones(len(y))
    with config_context(enable_metadata_routing=True):
        with pytest.raises(
            ValueError,
            match=r"SeriesPipeline.partial_fit does not route metadata; got "
            r"\['sample_weight'\]",
        ):
            _pipeline().partial_fit(X, y, sample_weight=weight)
        with pytest.raises(
            ValueError, match="DifferencedTargetRegressor.partial_fit does not route"
        ):
            make_forecaster().partial_fit(X, y, sample_weight=weight)


class _Unweighted(RegressorMixin, BaseEstimator):
    def fit(self, X, y, sample_weight=None):
        return self

    def partial_fit(self, X, y):
        return self

    def predict(self, X):
        return np.zeros(len(X))


def test_a_regressor_whose_partial_fit_takes_no_weight_is_refused():
    X, y = _levels()
    with pytest.raises(
        ValueError, match=r"_Unweighted.partial_fit does not take sample_weight"
    ):
        DifferencedTargetRegressor(_Unweighted()).partial_fit(
            X, y, sample_weight=np.ones(len(y))
        )


@pytest.mark.parametrize("method", ["partial_fit", "fit"])
@pytest.mark.parametrize("change", [{"stateful": False}, {"hidden_size": 3}])
def test_a_refused_continuation_leaves_the_forecaster_as_it_was(method, change):
    """The continued network is handed the new parameters before it checks
    them; when it refuses, they (and the composition's fitted attributes)
    are put back, so predict never runs the network under parameters it was
    not trained with (a stateful network would start new series from its
    training state)."""
    X, y = _levels()
    model = make_forecaster(max_epochs=2, warm_start=True, **NET)
    model.partial_fit(X, y) if method == "partial_fit" else model.fit(X, y)
    before = model.predict(X, history="none")
    inner = model.regressor_.pipeline_[-1]
    model.set_params(**{f"regressor__lstmregressor__{k}": v for k, v in change.items()})
    with pytest.raises(ValueError, match="continues"):
        getattr(model, method)(X, y)
    name, value = next(iter(change.items()))
    assert getattr(inner, name) != value
    assert model.regressor_.pipeline_[-1] is inner
    assert_array_equal(model.predict(X, history="none"), before)
