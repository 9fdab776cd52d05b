"""Exact or loud: SeriesPipeline, time index checks and the missing-history warning.

Each numbered case of the "exact or loud" issue is written as a user would
write it. A forecast of a block that continues the training rows must equal
the forecast of the same rows when the same fitted model reads the whole
series from its start; otherwise a MissingHistoryWarning (or an error) says
what to do.
"""

import warnings

import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from sklearn import config_context
from sklearn.compose import ColumnTransformer
from sklearn.decomposition import PCA
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, MinMaxScaler

from sk_rnn import (
    DifferencedTargetRegressor,
    DifferenceTransformer,
    LagFeaturizer,
    LSTMRegressor,
    SeriesPipeline,
    make_forecaster,
    make_series_pipeline,
)
from sk_rnn.datasets import load_shampoo
from sk_rnn.exceptions import MissingHistoryWarning

N_TEST = 12


def _lstm(**params):
    defaults = {"hidden_size": 4, "max_epochs": 3, "batch_size": 4, "random_state": 0}
    return LSTMRegressor(**{**defaults, **params})


def _shampoo():
    X, y = load_shampoo(return_X_y=True)
    return X, y, X.iloc[:-N_TEST], y.iloc[:-N_TEST], X.iloc[-N_TEST:]


def _whole_series_forecast(model, X):
    """The fitted model reading the whole series from its start."""
    return np.asarray(model.predict(X, history="none"))[-N_TEST:]


def _zero_fill_recipe(pipeline_factory, **lstm):
    return DifferencedTargetRegressor(
        pipeline_factory(
            DifferenceTransformer(),
            SimpleImputer(strategy="constant", fill_value=0, keep_empty_features=True),
            LagFeaturizer(lags=3),
            MinMaxScaler((-1, 1)),
            _lstm(**lstm),
        ),
        transformer=MinMaxScaler((-1, 1)),
    )


# ----------------------------------------------------------- case 1: imputer
def test_case1_imputer_in_a_plain_pipeline_is_loud():
    X, y, X_train, y_train, X_test = _shampoo()
    model = _zero_fill_recipe(make_pipeline, n_steps=3).fit(X_train, y_train)
    with pytest.warns(MissingHistoryWarning, match="LagFeaturizer: the first 2 row"):
        model.predict(X_test)


@pytest.mark.parametrize("stateful", [False, True])
def test_case1_imputer_in_a_series_pipeline_is_exact(stateful):
    X, y, X_train, y_train, X_test = _shampoo()
    params = {"stateful": True, "batch_size": 1} if stateful else {}
    model = _zero_fill_recipe(make_series_pipeline, **params).fit(X_train, y_train)
    with warnings.catch_warnings():
        warnings.simplefilter("error", MissingHistoryWarning)
        forecast = model.predict(X_test)
    assert np.isfinite(forecast).all()
    assert_allclose(forecast, _whole_series_forecast(model, X), rtol=1e-10)


def test_case1_cross_validate_equals_whole_series_forecasts():
    X, y, *_ = _shampoo()
    cv = TimeSeriesSplit(n_splits=2, test_size=N_TEST)
    scores = cross_validate(
        _zero_fill_recipe(make_series_pipeline, stateful=True, batch_size=1),
        X,
        y,
        cv=cv,
        scoring="neg_root_mean_squared_error",
        return_estimator=True,
    )
    model = scores["estimator"][-1]
    whole = _whole_series_forecast(model, X)
    rmse = np.sqrt(np.mean((y.iloc[-N_TEST:].to_numpy() - whole) ** 2))
    assert_allclose(-scores["test_score"][-1], rmse, rtol=1e-10)


# ------------------------------------------------- case 2: ColumnTransformer
def _with_exogenous(n=48, seed=0):
    rng = np.random.default_rng(seed)
    level = 100 + np.cumsum(rng.normal(size=n))
    index = pd.period_range("2001-01", periods=n, freq="M")
    X = pd.DataFrame({"sales": level[:-1], "price": rng.normal(size=n - 1)}, index[:-1])
    return X, pd.Series(level[1:], index=X.index)


def _column_pipeline(factory):
    columns = ColumnTransformer(
        [
            ("diff", DifferenceTransformer(), ["sales"]),
            ("keep", "passthrough", ["price"]),
        ]
    )
    return factory(columns, LagFeaturizer(lags=3), _lstm(n_steps=3))


def test_case2_column_transformer_in_a_plain_pipeline_is_loud():
    X, y = _with_exogenous()
    model = _column_pipeline(make_pipeline).fit(X.iloc[:-N_TEST], y.iloc[:-N_TEST])
    with pytest.warns(MissingHistoryWarning, match="LagFeaturizer: the first 2 row"):
        model.predict(X.iloc[-N_TEST:])


def test_case2_column_transformer_in_a_series_pipeline_is_exact():
    X, y = _with_exogenous()
    model = _column_pipeline(make_series_pipeline)
    model.fit(X.iloc[:-N_TEST], y.iloc[:-N_TEST])
    assert model.n_warmup_ == 3
    with warnings.catch_warnings():
        warnings.simplefilter("error", MissingHistoryWarning)
        forecast = model.predict(X.iloc[-N_TEST:])
    assert_allclose(forecast, _whole_series_forecast(model, X), rtol=1e-10)


# ------------------------------------------------------ case 3: polars output
def _stateful_pipeline(factory):
    return factory(
        DifferenceTransformer(),
        LagFeaturizer(lags=2),
        MinMaxScaler((-1, 1)),
        _lstm(stateful=True, batch_size=1),
    )


def test_case3_polars_output_in_a_plain_pipeline_is_loud():
    X, y, X_train, y_train, X_test = _shampoo()
    model = _stateful_pipeline(make_pipeline).set_output(transform="polars")
    model.fit(X_train, y_train)
    with pytest.warns(MissingHistoryWarning, match="LagFeaturizer: the first 1 row"):
        model.predict(X_test)


def test_case3_polars_output_in_a_series_pipeline_is_exact():
    X, y, X_train, y_train, X_test = _shampoo()
    model = _stateful_pipeline(make_series_pipeline).set_output(transform="polars")
    model.fit(X_train, y_train)
    default = _stateful_pipeline(make_series_pipeline).fit(X_train, y_train)
    forecast = model.predict(X_test)
    assert_allclose(forecast, default.predict(X_test), rtol=1e-12)
    assert_allclose(forecast, _whole_series_forecast(model, X), rtol=1e-10)
    # polars in, polars out of every step, history given explicitly
    polars_test = pl.DataFrame({"sales": X_test["sales"].to_numpy()})
    assert_allclose(model.predict(polars_test, history="fit"), forecast, rtol=1e-12)


# ------------------------------------- case 4: no index, served, 1-row windows
def test_case4_transformer_given_numpy_polars_or_no_index_warns():
    X, *_ = _shampoo()
    diff = DifferenceTransformer().fit(X.iloc[:24])
    block = X.iloc[24:]
    polars_block = pl.DataFrame({"sales": block["sales"].to_numpy()})
    for other in (block.to_numpy(), polars_block, block.reset_index(drop=True)):
        with pytest.warns(MissingHistoryWarning, match="DifferenceTransformer: the fi"):
            out = diff.transform(other)
        assert np.isnan(np.asarray(out)[0]).all()
    # The DataFrame that continues the index is exact and silent.
    with warnings.catch_warnings():
        warnings.simplefilter("error", MissingHistoryWarning)
        exact = diff.transform(block)
    assert_allclose(exact.to_numpy().ravel(), np.diff(X["sales"].to_numpy())[23:])


def test_case4_one_row_windows_are_loud():
    # What sktime's make_reduction and skforecast pass at predict time.
    X, y, X_train, y_train, X_test = _shampoo()
    model = make_forecaster(max_epochs=2, random_state=0).fit(X_train, y_train)
    one_row = X_test.to_numpy()[:1]
    with pytest.warns(MissingHistoryWarning, match="SeriesPipeline: the first 1 row"):
        model.predict(one_row)
    with pytest.warns(MissingHistoryWarning, match="DifferenceTransformer: the first"):
        DifferenceTransformer().fit(X_train).transform(one_row)


def test_case4_served_model_without_index_is_exact_when_told():
    X, y, X_train, y_train, X_test = _shampoo()
    model = make_forecaster(max_epochs=3, random_state=0).fit(X_train, y_train)
    indexed = model.predict(X_test)
    with warnings.catch_warnings():
        warnings.simplefilter("error", MissingHistoryWarning)
        served = model.predict(X_test.to_numpy(), history="fit")
    assert_allclose(served, indexed, rtol=1e-12)
    with pytest.warns(MissingHistoryWarning, match="has no time index"):
        model.predict(X_test.to_numpy())
    with pytest.warns(MissingHistoryWarning, match="neither continues the fitted"):
        model.predict(X_test.reset_index(drop=True))
    # The same, as a parameter: a NumPy walk-forward with cross_validate.
    told = make_forecaster(max_epochs=3, random_state=0)
    told.regressor.set_params(history="fit")
    told.fit(X_train.to_numpy(), y_train.to_numpy())
    assert_allclose(told.predict(X_test.to_numpy()), indexed, rtol=1e-12)


# ------------------------------------------------ case 5: time index frequency
MONTH_ENDS = pd.DatetimeIndex(pd.date_range("1991-01-31", periods=36, freq="ME").values)
MONTH_STARTS = pd.DatetimeIndex(
    pd.date_range("1991-01-01", periods=36, freq="MS").values
)
BUSINESS = pd.DatetimeIndex(pd.bdate_range("2024-01-01", periods=36).values)


@pytest.mark.parametrize(
    "index", [MONTH_ENDS, MONTH_STARTS, BUSINESS], ids=["ME", "MS", "B"]
)
def test_case5_index_without_freq_continues(index):
    assert index.freq is None
    X, *_ = _shampoo()
    data = X.set_axis(index[: len(X)])
    diff = DifferenceTransformer().fit(data.iloc[:20])
    with warnings.catch_warnings():
        warnings.simplefilter("error", MissingHistoryWarning)
        out = diff.transform(data.iloc[20:])
    assert_allclose(out.to_numpy().ravel(), np.diff(data["sales"].to_numpy())[19:])


def test_case5_missing_step_inside_a_block_is_refused():
    X, *_ = _shampoo()
    data = X.set_axis(MONTH_ENDS[: len(X)])
    diff = DifferenceTransformer().fit(data.iloc[:20])
    gapped = data.iloc[20:].drop(index=data.index[25])
    with pytest.raises(
        ValueError, match=r"1993-03-31.* at row 5 after .*1993-01-31.*missing or"
    ):
        diff.transform(gapped)
    with pytest.raises(ValueError, match="one row per time step"):
        DifferenceTransformer().fit(X.drop(index=X.index[7]))
    with pytest.raises(ValueError, match="one row per time step"):
        LagFeaturizer(lags=2).fit(pd.DataFrame({"a": range(5)}, index=[0, 1, 2, 4, 5]))


def test_case5_irregular_datetime_index_is_refused():
    stamps = pd.DatetimeIndex(["2020-01-01", "2020-01-04", "2020-01-05", "2020-01-09"])
    frame = pd.DataFrame({"a": np.arange(4.0)}, index=stamps)
    with pytest.raises(ValueError, match="could not infer the frequency"):
        DifferenceTransformer().fit(frame)


def test_case5_series_pipeline_refuses_a_gap_between_blocks_loudly():
    X, y, X_train, y_train, X_test = _shampoo()
    model = make_forecaster(max_epochs=2, random_state=0).fit(X_train, y_train)
    with pytest.warns(MissingHistoryWarning, match="SeriesPipeline: the first 1 row"):
        model.predict(X_test.iloc[2:])  # a TimeSeriesSplit with gap=2


# ------------------------------------------------ case 6: stateful start state
def test_case6_in_sample_and_float32_blocks_follow_the_history_rule():
    X, y, X_train, y_train, X_test = _shampoo()
    model = make_forecaster(max_epochs=5, random_state=0).fit(X_train, y_train)
    whole = model.predict(X_train)  # starts at the fitted start: zero state
    assert_allclose(whole, model.predict(X_train, history="none"), rtol=1e-12)
    assert_allclose(model.predict(X_train.astype(np.float32)), whole, rtol=1e-5)
    # An in-sample slice is neither a start nor a continuation: loud ...
    with pytest.warns(MissingHistoryWarning, match="neither continues the fitted"):
        model.predict(X_train.iloc[5:15])
    # ... and exact with the rows before it given explicitly.
    sliced = model.predict(X_train.iloc[5:15], history=X_train.iloc[:5])
    assert_allclose(sliced, whole[5:15], rtol=1e-10)


def test_case6_randomized_pca_in_front_is_exact():
    X, y = _with_exogenous()
    model = make_series_pipeline(
        PCA(n_components=2, svd_solver="randomized", random_state=0),
        DifferenceTransformer(),
        LagFeaturizer(lags=2),
        _lstm(stateful=True, batch_size=1, n_steps=2),
    ).fit(X.iloc[:-N_TEST], y.iloc[:-N_TEST])
    forecast = model.predict(X.iloc[-N_TEST:])
    assert_allclose(forecast, _whole_series_forecast(model, X), rtol=1e-10)


# ------------------------------------------------------ case 7: window layout
def test_case7_make_forecaster_reads_exogenous_columns_as_features():
    X, y = _with_exogenous()
    X = X.assign(promo=np.arange(len(X)) % 3)
    model = make_forecaster(lags=4, max_epochs=2, random_state=0).fit(X, y)
    assert model.regressor_[-1].window_shape_ == (4, 3)
    search_lags = model.regressor_.set_params(lagfeaturizer__lags=2)
    assert search_lags.fit(X, y - X["sales"])[-1].window_shape_ == (2, 3)


def test_case7_lstm_reads_lag_feature_names():
    X, y = _with_exogenous()
    windows = LagFeaturizer(lags=3).set_output(transform="pandas").fit_transform(X)
    model = _lstm().fit(windows.iloc[2:], y.iloc[2:])
    assert model.window_shape_ == (3, 2)
    with pytest.raises(ValueError, match="are LagFeaturizer windows of 3 steps x 2"):
        _lstm(n_steps=2).fit(windows.iloc[2:], y.iloc[2:])


def test_case7_series_pipeline_refuses_an_unknown_or_wrong_layout():
    X, y = _with_exogenous()
    with pytest.raises(ValueError, match="changes the columns"):
        flip = FunctionTransformer(np.fliplr)  # reorders the window's columns
        make_series_pipeline(LagFeaturizer(lags=3), flip, _lstm()).fit(X, y)
    with pytest.raises(ValueError, match="has n_steps=2; set n_steps=3"):
        make_series_pipeline(LagFeaturizer(lags=3), _lstm(n_steps=2)).fit(X, y)


# --------------------------------------------------- warm-up rows, any model
def test_ridge_ends_a_series_pipeline_without_an_imputer():
    X, y, X_train, y_train, X_test = _shampoo()
    model = make_series_pipeline(
        DifferenceTransformer(), LagFeaturizer(lags=3), Ridge()
    ).fit(X_train, y_train - X_train["sales"])
    assert model.drop_warmup_ and model.n_warmup_ == 3
    ridge = model[-1]
    windows = LagFeaturizer(lags=3).fit_transform(
        np.diff(X["sales"].to_numpy())[:, None]
    )
    expected = ridge.predict(windows[-N_TEST:])
    assert_allclose(model.predict(X_test), expected, rtol=1e-10)
    in_sample = model.predict(X_train)
    assert np.isnan(in_sample[:3]).all() and np.isfinite(in_sample[3:]).all()
    assert np.isfinite(model.score(X_test, y.iloc[-N_TEST:] - X_test["sales"]))


@settings(max_examples=30, deadline=None)
@given(
    n=st.integers(20, 60),
    cut=st.floats(0.3, 0.9),
    lags=st.integers(1, 4),
    interval=st.integers(1, 3),
    order=st.integers(1, 2),
    seed=st.integers(0, 2**16),
)
def test_property_split_forecasts_equal_whole_series_forecasts(
    n, cut, lags, interval, order, seed
):
    rng = np.random.default_rng(seed)
    level = np.cumsum(rng.normal(size=(n, 2)), axis=0)
    X = pd.DataFrame(level, columns=["a", "b"], index=pd.RangeIndex(100, 100 + n))
    y = pd.Series(rng.normal(size=n), index=X.index)
    n_train = max(int(cut * n), interval * order + lags + 2)
    if n_train >= n:
        return
    model = make_series_pipeline(
        DifferenceTransformer(interval=interval, order=order),
        LagFeaturizer(lags=lags),
        LinearRegression(),
    ).fit(X.iloc[:n_train], y.iloc[:n_train])
    whole = model.predict(X, history="none")[n_train:]
    with warnings.catch_warnings():
        warnings.simplefilter("error", MissingHistoryWarning)
        assert_allclose(model.predict(X.iloc[n_train:]), whole, rtol=1e-9, atol=1e-9)
        numpy_block = X.iloc[n_train:].to_numpy()
        assert_allclose(
            model.predict(numpy_block, history="fit"), whole, rtol=1e-9, atol=1e-9
        )


# ------------------------------------------------------------------ errors
def test_series_pipeline_errors():
    X, y, X_train, y_train, X_test = _shampoo()
    model = make_series_pipeline(DifferenceTransformer(), Ridge())
    with pytest.raises(ValueError, match="more rows than its 1 warm-up"):
        model.fit(X_train.iloc[:1], y_train.iloc[:1])
    model.fit(X_train, y_train)
    with pytest.raises(ValueError, match="expects history in"):
        model.predict(X_test, history="previous")
    with pytest.raises(ValueError, match="expects history with 1 column"):
        model.predict(X_test, history=np.zeros((3, 2)))
    with pytest.warns(MissingHistoryWarning, match="history has 0 row"):
        model.predict(X_test, history=X_train.iloc[:0])
    with pytest.raises(TypeError, match="sparse input is not supported"):
        from scipy.sparse import csr_matrix

        model.fit(csr_matrix(X_train.to_numpy()), y_train)
    with pytest.raises(ValueError, match="steps as a non-empty list"):
        SeriesPipeline([]).fit(X_train, y_train)
    with pytest.raises(TypeError, match="steps as a list of \\(name, estimator\\)"):
        SeriesPipeline([Ridge()]).fit(X_train, y_train)
    with pytest.raises(TypeError, match="an estimator with fit"):
        SeriesPipeline([("diff", DifferenceTransformer()), ("x", 3)]).fit(X, y)
    with config_context(enable_metadata_routing=True):
        with pytest.raises(TypeError, match="not routed to any object"):
            model.fit(X_train, y_train, ridge__sample_weight=np.ones(len(y_train)))


def test_series_pipeline_parameters_and_steps():
    model = make_series_pipeline(LagFeaturizer(lags=2), Ridge())
    params = model.get_params()
    assert params["lagfeaturizer__lags"] == 2 and params["history"] == "auto"
    model.set_params(lagfeaturizer__lags=3, ridge=LinearRegression())
    assert model[0].lags == 3 and isinstance(model["ridge"], LinearRegression)
    X = np.arange(20.0).reshape(-1, 1)
    model.fit(X, X.ravel())
    assert model[0] is model.pipeline_[0] and model[0] is not model.steps[0][1]
    assert not hasattr(model.steps[0][1], "n_features_in_")  # steps stay unfitted
    assert list(model.named_steps) == ["lagfeaturizer", "ridge"]


def test_a_model_fitted_on_one_series_refuses_a_panel():
    # Two series stacked in a long frame: read as one series, a difference or
    # window would cross from the first series into the second.
    index = pd.MultiIndex.from_product([["a", "b"], range(6)], names=["id", "t"])
    panel = pd.DataFrame({"v": np.arange(12.0)}, index=index)
    one = panel.droplevel(0).iloc[:6]
    for estimator in (DifferenceTransformer(), LagFeaturizer(lags=2)):
        with pytest.raises(ValueError, match="was fitted on one series, but X is a"):
            estimator.fit(one).transform(panel)
    model = make_series_pipeline(LagFeaturizer(lags=2), Ridge()).fit(one, one["v"])
    with pytest.raises(ValueError, match="SeriesPipeline reads the rows"):
        model.predict(panel)


# ---------------------------------------- named steps (scikit-learn plumbing)
def test_step_names_must_be_unique_and_plain():
    X, y = _with_exogenous(31)
    for steps, message in [
        ([("a", LagFeaturizer()), ("a", Ridge())], "Names provided are not unique"),
        ([("a__b", LagFeaturizer()), ("r", Ridge())], "must not contain __"),
        ([("history", LagFeaturizer()), ("r", Ridge())], "conflict with constructor"),
    ]:
        with pytest.raises(
            ValueError, match=f"SeriesPipeline: the steps' names: .*{message}"
        ):
            SeriesPipeline(steps).fit(X, y)


def test_len_and_slicing_as_a_pipeline():
    model = SeriesPipeline(
        [
            ("diff", DifferenceTransformer()),
            ("lag", LagFeaturizer(lags=2)),
            ("r", Ridge()),
        ],
        history="fit",
    )
    assert len(model) == 3
    head = model[:2]
    assert isinstance(head, SeriesPipeline) and head.history == "fit"
    assert [name for name, _ in head.steps] == ["diff", "lag"]
    with pytest.raises(ValueError, match="consecutive steps; got step 2"):
        model[::2]
    X, y = _with_exogenous(31)
    model.fit(X, y)
    fitted_head = model[:2]  # the fitted steps, which can transform
    assert fitted_head.steps[1][1] is model.pipeline_.steps[1][1]
    assert fitted_head.transform(X).shape == (30, 2 * X.shape[1])


def test_set_output_reaches_the_fitted_steps():
    X, y = _with_exogenous(31)
    model = make_series_pipeline(LagFeaturizer(lags=2), Ridge()).fit(X.to_numpy(), y)
    model.set_output(transform="pandas")
    out = model.pipeline_[0].transform(X.to_numpy())
    assert isinstance(out, pd.DataFrame)


def test_metadata_routing_errors_name_series_pipeline():
    X, y = _with_exogenous(31)
    with config_context(enable_metadata_routing=True):
        model = make_series_pipeline(
            LagFeaturizer(lags=2), Ridge().set_fit_request(sample_weight=True)
        )
        model.fit(X, y, sample_weight=np.ones(30))  # routed to Ridge
        assert model.get_metadata_routing().owner == "SeriesPipeline"
        with pytest.raises(TypeError, match="SeriesPipeline.fit got unexpected"):
            model.fit(X, y, groups=np.ones(30))


def test_a_refit_on_an_array_forgets_the_feature_names():
    X, y = _with_exogenous(31)
    model = make_series_pipeline(LagFeaturizer(lags=2), Ridge()).fit(X, y)
    assert list(model.feature_names_in_) == list(X.columns)
    model.fit(X.to_numpy(), y)
    assert not hasattr(model, "feature_names_in_")


def test_members_of_a_block_without_history_keep_the_member_axis():
    """0.2 returned shape (n,) when no row of the block had history."""
    X, y = _with_exogenous(31)
    model = make_series_pipeline(
        LagFeaturizer(lags=3),
        LSTMRegressor(n_ensemble=3, max_epochs=1, hidden_size=2, random_state=0),
        drop_warmup=True,
    ).fit(X, y)
    members = model.predict(X.iloc[:2], history="none", return_members=True)
    assert members.shape == (2, 3) and np.isnan(members).all()
    some = model.predict(X.iloc[:5], history="none", return_members=True)
    assert some.shape == (5, 3) and np.isnan(some[:2]).all()
    assert not np.isnan(some[2:]).any()


def test_return_std_with_return_members_is_refused():
    X, y = _with_exogenous(31)
    model = LSTMRegressor(n_ensemble=2, max_epochs=1, random_state=0)
    model.fit(X.to_numpy(), y)
    with pytest.raises(ValueError, match="return_std\\) or the members"):
        model.predict(X.to_numpy(), return_std=True, return_members=True)


def test_history_fit_that_the_index_contradicts_warns():
    """A search's train score passes the fitted block itself; the user guide
    promised a warning when history='fit' and the index disagree."""
    X, y = _with_exogenous(41)
    train, test = X.iloc[:30], X.iloc[30:]
    model = make_series_pipeline(
        DifferenceTransformer(), LagFeaturizer(lags=2), Ridge(), history="fit"
    ).fit(train, y.iloc[:30])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.predict(test)  # continues: no warning
        model.predict(test.to_numpy())  # nothing to contradict
    with pytest.warns(MissingHistoryWarning, match="starts where the fitted block"):
        model.score(train, y.iloc[:30])
    with pytest.warns(MissingHistoryWarning, match="neither continues"):
        model.predict(test.iloc[3:])
    search = GridSearchCV(
        model, {"ridge__alpha": [1.0]}, cv=TimeSeriesSplit(2), return_train_score=True
    )
    with pytest.warns(MissingHistoryWarning, match="history='fit' puts"):
        search.fit(train, y.iloc[:30])


def test_routing_reaches_the_final_steps_score_and_predict():
    """A fresh review found the final step routed as a transformer: a
    weighted score was silently unweighted."""
    X, y = _with_exogenous(41)
    weights = np.linspace(0.1, 3.0, len(y))
    with config_context(enable_metadata_routing=True):
        ridge = Ridge().set_fit_request(sample_weight=True)
        ridge.set_score_request(sample_weight=True)
        model = make_series_pipeline(LagFeaturizer(lags=2), ridge)
        routing = model.get_metadata_routing()
        assert routing.consumes("score", ["sample_weight"]) == {"sample_weight"}
        model.fit(X, y, sample_weight=weights)
        weighted = model.score(X, y, sample_weight=weights)
    assert weighted != pytest.approx(model.score(X, y))


def test_the_kept_history_is_not_a_view_of_the_training_array():
    X, y = _with_exogenous(41)
    train = X.to_numpy()[:30].copy()
    model = make_series_pipeline(LagFeaturizer(lags=3), Ridge()).fit(train, y[:30])
    expected = model.predict(X.to_numpy()[30:], history="fit")
    train *= 0  # the caller reuses its array
    np.testing.assert_array_equal(
        model.predict(X.to_numpy()[30:], history="fit"), expected
    )


def test_history_fit_does_not_need_readable_labels():
    """history='fit' says what the block is; 0.2 never read the index, and a
    RangeIndex or a gap must not turn it into an error."""
    X, y = _with_exogenous(41)
    daily = X.set_axis(pd.date_range("2020-01-01", periods=len(X), freq="D"))
    model = make_series_pipeline(LagFeaturizer(lags=3), Ridge()).fit(
        daily.iloc[:30], y.iloc[:30]
    )
    expected = model.predict(daily.iloc[30:].to_numpy(), history="fit")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingHistoryWarning)
        got = model.predict(daily.iloc[30:].reset_index(drop=True), history="fit")
    np.testing.assert_array_equal(got, expected)
    gap = daily.iloc[30:].drop(index=daily.index[33])
    assert model.predict(gap, history="fit").shape == (len(gap),)


def test_a_history_frame_is_matched_by_column_name():
    X, y = _with_exogenous(41)
    model = make_series_pipeline(LagFeaturizer(lags=3), Ridge()).fit(X[:30], y[:30])
    before = X.iloc[20:30]
    np.testing.assert_array_equal(
        model.predict(X[30:], history=before[["price", "sales"]]),
        model.predict(X[30:], history=before),
    )
