"""MedianEnsembleRegressor: members fitted on the same rows, combined by the
median (or mean), with look-back members that continue their series."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from sklearn.dummy import DummyRegressor
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit

from sk_rnn import (
    DifferencedTargetRegressor,
    LagFeaturizer,
    MedianEnsembleRegressor,
    make_horizon_xy,
    make_series_pipeline,
)


def _constant(value):
    return DummyRegressor(strategy="constant", constant=value)


def test_median_and_mean_of_the_members():
    X, y = np.zeros((4, 1)), np.arange(4.0)
    members = [("a", _constant(1.0)), ("b", _constant(2.0)), ("c", _constant(9.0))]
    assert_allclose(MedianEnsembleRegressor(members).fit(X, y).predict(X), 2.0)
    mean = MedianEnsembleRegressor(members, combine="mean").fit(X, y)
    assert_allclose(mean.predict(X), 4.0)


def test_median_is_taken_per_output_and_row():
    X = np.arange(6.0).reshape(-1, 1)
    Y = np.column_stack([X[:, 0], -X[:, 0]])
    members = [
        ("fit", LinearRegression()),
        ("low", _constant([-100.0, -100.0])),
        ("high", _constant([100.0, 100.0])),
    ]
    model = MedianEnsembleRegressor(members).fit(X, Y)
    # Each output's median is the fitted line, between the two constants.
    assert_allclose(model.predict(X), Y, atol=1e-9)
    assert model.predict(X).shape == (6, 2)
    assert set(model.named_estimators_) == {"fit", "low", "high"}


def _lookback_member(lags):
    return DifferencedTargetRegressor(
        make_series_pipeline(LagFeaturizer(lags=lags), LinearRegression())
    )


def test_lookback_members_each_continue_the_series():
    rng = np.random.default_rng(0)
    index = pd.RangeIndex(60)
    level = pd.DataFrame({"y": np.cumsum(rng.normal(size=60)) + 50.0}, index=index)
    X, Y = make_horizon_xy(level, 2)
    train, test = X.iloc[:40], X.iloc[40:]
    members = [(f"lags{k}", _lookback_member(k)) for k in (1, 3, 5)]
    model = MedianEnsembleRegressor(members).fit(train, Y.iloc[:40])
    # The test block continues the training index: every member reads the
    # fitted rows as history, so its predictions equal those made on the
    # whole series.
    whole = np.stack([m.predict(X) for m in model.estimators_])[:, 40:]
    assert_allclose(model.predict(test), np.median(whole, axis=0))
    assert not np.allclose(whole[0], whole[2])


def test_grid_search_reaches_members_parameters():
    X = pd.DataFrame({"x": np.arange(40.0)})  # a time index: folds continue
    y = 2.0 * X["x"].to_numpy() + 1.0
    members = [("a", _lookback_member(1)), ("b", _lookback_member(2))]
    search = GridSearchCV(
        MedianEnsembleRegressor(members),
        {"a__regressor__lagfeaturizer__lags": [1, 3]},
        cv=TimeSeriesSplit(3),
    ).fit(X, y)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert search.best_estimator_.get_params()["a__regressor__lagfeaturizer__lags"] in (
        1,
        3,
    )
    model = MedianEnsembleRegressor(members).set_params(b=_constant(0.0))
    assert model.get_params()["b"].constant == 0.0
    assert model.get_params()["a"] is members[0][1]


@pytest.mark.parametrize(
    "estimators, match",
    [
        ([], "at least one"),
        ([("a", _constant(1.0)), ("a", _constant(2.0))], "unique"),
        ([("a__b", _constant(1.0))], "without '__'"),
    ],
)
def test_member_names_are_checked(estimators, match):
    with pytest.raises(ValueError, match=f"MedianEnsembleRegressor expects .*{match}"):
        MedianEnsembleRegressor(estimators).fit(np.zeros((3, 1)), np.zeros(3))


def test_combine_is_validated():
    with pytest.raises(ValueError, match="'combine' parameter"):
        MedianEnsembleRegressor([("a", _constant(1.0))], combine="max").fit(
            np.zeros((3, 1)), np.zeros(3)
        )


def test_members_fitted_in_parallel_equal_those_fitted_in_turn():
    rng = np.random.default_rng(3)
    level = pd.DataFrame({"y": np.cumsum(rng.normal(size=50)) + 20.0})
    X, Y = make_horizon_xy(level, 3)
    members = [(f"lags{k}", _lookback_member(k)) for k in (1, 2, 4)]
    serial = MedianEnsembleRegressor(members).fit(X, Y)
    parallel = MedianEnsembleRegressor(members, n_jobs=2).fit(X, Y)
    assert_allclose(parallel.predict(X), serial.predict(X))


def test_a_member_returning_several_arrays_is_refused():
    from sklearn.linear_model import BayesianRidge

    X, y = np.arange(20.0).reshape(-1, 1), np.arange(20.0)
    model = MedianEnsembleRegressor([("a", BayesianRidge()), ("b", BayesianRidge())])
    model.fit(X, y)
    with pytest.raises(ValueError, match="member 'a' returned 2 arrays from predict"):
        model.predict(X, return_std=True)


def test_a_member_predicting_another_shape_is_refused():
    X, y = np.zeros((4, 1)), np.arange(4.0)
    wide = DummyRegressor(strategy="constant", constant=[1.0, 2.0])
    model = MedianEnsembleRegressor([("a", _constant(1.0)), ("wide", wide)])
    model.estimators_ = [_constant(1.0).fit(X, y), wide.fit(X, np.zeros((4, 2)))]
    model.n_features_in_, model._y_ndim, model._n_outputs = 1, 1, 1
    with pytest.raises(ValueError, match="member 'wide' predicted shape \\(4, 2\\)"):
        model.predict(X)


@pytest.mark.parametrize("name", ["n_jobs", "combine", "estimators"])
def test_member_names_cannot_be_the_ensembles_own_parameters(name):
    with pytest.raises(ValueError, match="not its own parameters"):
        MedianEnsembleRegressor([(name, _constant(1.0))]).fit(
            np.zeros((3, 1)), [0, 1, 2]
        )


def test_members_must_be_named():
    with pytest.raises(ValueError, match="list of \\(name, estimator\\) tuples"):
        MedianEnsembleRegressor([_constant(1.0)]).fit(np.zeros((3, 1)), [0, 1, 2])


class _LayoutSpy(DummyRegressor):
    """Records how many series the panel layout of its X has."""

    def fit(self, X, y, sample_weight=None):
        from sk_rnn.series._panel import panel_layout

        layout = panel_layout(X, "spy", len(X))
        self.n_series_ = None if layout is None else len(layout)
        return super().fit(X, y, sample_weight)


def test_members_fitted_side_by_side_see_the_announced_panel_layout():
    from joblib import parallel_backend
    from sklearn.preprocessing import StandardScaler

    index = pd.MultiIndex.from_product([["a", "b", "c"], range(10)])
    panel = pd.DataFrame({"y": np.arange(30.0)}, index=index)
    target = pd.Series(np.arange(30.0), index=index)
    members = [("one", _LayoutSpy()), ("two", _LayoutSpy())]
    # The scaler returns an array: only the layout SeriesPipeline announces
    # tells the members where each series starts. New threads (like worker
    # processes) start from an empty context.
    with parallel_backend("threading", n_jobs=2):
        pipeline = make_series_pipeline(
            StandardScaler(), MedianEnsembleRegressor(members, n_jobs=2)
        ).fit(panel, target)
    fitted = pipeline[-1].estimators_
    assert [m.n_series_ for m in fitted] == [3, 3]
