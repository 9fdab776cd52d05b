"""The seed's workflow: cross_validate, repeated walk-forward, grid search."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit, cross_validate

from sk_rnn import LSTMRegressor, make_forecaster
from sk_rnn.datasets import load_shampoo
from sk_rnn.model_selection import persistence_forecast, repeated_walk_forward


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _notebook_walk_forward(network, series, n_train):
    """The notebook's procedure, by hand, with a trained network's weights.

    Difference the series, frame it with one lag, scale inputs and targets to
    [-1, 1] on the training rows, build the state over the training rows,
    then forecast each test month from the true previous month and invert the
    scaling and the differencing. The first row has no previous change: the
    notebook fills it with 0, sk_rnn reads it as a missing step, which leaves
    the state unchanged; this loop does the latter.
    """
    weights = {k: v.detach().double().numpy()[0] for k, v in network.named_parameters()}
    W, U, b = weights["weight_ih_l0"], weights["weight_hh_l0"], weights["bias_ih_l0"]
    W_out, b_out = weights["head_weight"], weights["head_bias"]
    previous_change = np.r_[np.nan, np.diff(series)][:-1]  # input of row t
    change = np.diff(series)  # target of row t: series[t + 1] - series[t]

    def scaler(values):
        low, high = np.nanmin(values), np.nanmax(values)
        return (
            lambda v: 2 * (v - low) / (high - low) - 1,
            lambda s: (s + 1) / 2 * (high - low) + low,
        )

    scale_x, _ = scaler(previous_change[:n_train])
    _, unscale_y = scaler(change[:n_train])
    h = np.zeros(4)
    c = np.zeros(4)

    def step(x, h, c):
        gates = x * W[0] + h @ U + b[0]
        i, f, g, o = np.split(gates, 4)
        c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
        return _sigmoid(o) * np.tanh(c), c

    for t in range(n_train):  # build up the state; row 0 is missing
        if not np.isnan(previous_change[t]):
            h, c = step(scale_x(previous_change[t]), h, c)
    forecasts = []
    for t in range(n_train, len(change)):
        h, c = step(scale_x(previous_change[t]), h, c)
        yhat = unscale_y(h @ W_out[:, 0] + b_out[0, 0])
        forecasts.append(yhat + series[t])  # invert the differencing
    return np.array(forecasts)


def test_cross_validate_forecasts_equal_the_notebooks_walk_forward_loop():
    X, y = load_shampoo(return_X_y=True)
    cv = TimeSeriesSplit(n_splits=2, test_size=12)
    train, test = list(cv.split(X))[-1]
    assert (len(train), len(test)) == (23, 12)  # the seed's split
    scores = cross_validate(
        make_forecaster(max_epochs=40, random_state=0),
        X,
        y,
        cv=cv,
        scoring="neg_root_mean_squared_error",
        return_estimator=True,
    )
    fitted = scores["estimator"][-1]
    network = fitted.regressor_[-1].net_.module_
    series = np.r_[X["sales"].to_numpy(), y.to_numpy()[-1]]
    by_hand = _notebook_walk_forward(network, series, n_train=23)
    assert_allclose(fitted.predict(X.iloc[test]), by_hand, rtol=1e-10)
    rmse = np.sqrt(np.mean((y.iloc[test].to_numpy() - by_hand) ** 2))
    assert_allclose(-scores["test_score"][-1], rmse, rtol=1e-10)


def test_persistence_rmse_of_the_seed_split():
    X, y = load_shampoo(return_X_y=True)
    errors = y.to_numpy()[-12:] - persistence_forecast(X)[-12:]
    assert round(float(np.sqrt(np.mean(errors**2))), 3) == 136.761
    assert_allclose(persistence_forecast(X, "sales"), X["sales"].to_numpy())
    assert_allclose(persistence_forecast(X.to_numpy()), X["sales"].to_numpy())


def test_repeated_walk_forward_result_and_describe():
    X, y = load_shampoo(return_X_y=True)
    last_fold = list(TimeSeriesSplit(n_splits=2, test_size=12).split(X))[-1:]
    result = repeated_walk_forward(
        make_forecaster(max_epochs=5), X, y, cv=last_fold, n_repeats=4, random_state=3
    )
    assert result.seeds == [3, *np.random.SeedSequence(3).generate_state(4)[1:]]
    assert result.rmse.shape == (4, 1)
    assert result.forecasts.shape == (12, 4)
    assert round(result.persistence_rmse, 3) == 136.761
    summary = result.describe()
    assert list(summary.index) == [
        "count",
        "mean",
        "std",
        "min",
        "25%",
        "50%",
        "75%",
        "max",
    ]
    assert summary.loc["count", "rmse"] == 4
    assert summary.loc["mean", "persistence"] == result.persistence_rmse
    expected = np.sqrt(((result.forecasts.sub(result.y_test, axis=0)) ** 2).mean())
    assert_allclose(result.rmse["rmse"].to_numpy(), expected.to_numpy())
    payload = result.to_dict()
    assert len(payload["rmse"]) == 4 and len(payload["forecasts"]) == 4


def test_one_ensemble_fit_equals_separate_fits_per_repeat():
    X, y = load_shampoo(return_X_y=True)
    folds = TimeSeriesSplit(n_splits=3, test_size=6)
    model = make_forecaster(lags=2, max_epochs=15)
    together = repeated_walk_forward(model, X, y, cv=folds, n_repeats=3, random_state=5)
    apart = repeated_walk_forward(
        model, X, y, cv=folds, n_repeats=3, random_state=5, vectorize=False
    )
    assert list(together.rmse.columns) == ["rmse", "fold_0", "fold_1", "fold_2"]
    assert_allclose(together.forecasts, apart.forecasts, rtol=1e-5)
    assert_allclose(together.rmse, apart.rmse, rtol=1e-5)


def test_repeated_walk_forward_without_a_network_sets_every_random_state():
    from sklearn.ensemble import RandomForestRegressor

    X, y = load_shampoo(return_X_y=True)
    result = repeated_walk_forward(
        RandomForestRegressor(n_estimators=5),
        X,
        y,
        cv=TimeSeriesSplit(n_splits=2, test_size=6),
        n_repeats=2,
    )
    assert result.forecasts.shape == (12, 2)
    assert not np.allclose(result.forecasts[0], result.forecasts[1])


def _series(n=80, seed=0):
    rng = np.random.default_rng(seed)
    level = 50 + np.cumsum(rng.normal(size=n)) + 5 * np.sin(np.arange(n) / 4)
    index = pd.period_range("2001-01", periods=n, freq="M")
    X = pd.DataFrame({"level": level[:-1]}, index=index[:-1])
    return X, pd.Series(level[1:], index=X.index)


def test_grid_search_over_lags_hidden_size_and_cell():
    X, y = _series()
    search = GridSearchCV(
        make_forecaster(max_epochs=4, stateful=False, batch_size=8, random_state=0),
        {
            "regressor__lagfeaturizer__lags": [1, 3],
            "regressor__lstmregressor__hidden_size": [2, 4],
            "regressor__lstmregressor__cell": ["lstm", "gru"],
        },
        cv=TimeSeriesSplit(n_splits=2, test_size=10),
        scoring="neg_root_mean_squared_error",
    )
    search.fit(X.iloc[:-5], y.iloc[:-5])
    assert len(search.cv_results_["params"]) == 8
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    forecast = search.best_estimator_.predict(X.iloc[-5:])
    assert forecast.shape == (5,) and np.isfinite(forecast).all()
    best = search.best_estimator_.regressor_[-1]
    lags = search.best_params_["regressor__lagfeaturizer__lags"]
    assert best.window_shape_ == (lags, 1)


@pytest.mark.parametrize("stateful", [False, True])
def test_early_stopping_inside_cross_validate_and_grid_search(stateful):
    X, y = _series()
    model = make_forecaster(
        max_epochs=200,
        stateful=stateful,
        batch_size=4,
        lr=0.01,
        early_stopping=True,
        n_iter_no_change=3,
        random_state=0,
    )
    scores = cross_validate(
        model, X, y, cv=TimeSeriesSplit(n_splits=2, test_size=10), return_estimator=True
    )
    for fitted in scores["estimator"]:
        network = fitted.regressor_[-1]
        assert network.best_epoch_.max() < 200
        assert network.n_iter_ == network.best_epoch_.max()  # the refit
        assert len(network.validation_loss_curve_) == network.best_epoch_.max() + 3
    search = GridSearchCV(
        model,
        {"regressor__lstmregressor__hidden_size": [2, 3]},
        cv=TimeSeriesSplit(n_splits=2, test_size=10),
    ).fit(X, y)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


def test_lstm_alone_in_repeated_walk_forward():
    X, y = _series(40)
    windows = np.column_stack([X["level"].shift(1), X["level"]])[1:]
    result = repeated_walk_forward(
        LSTMRegressor(hidden_size=3, max_epochs=3),
        windows,
        y.to_numpy()[1:],
        cv=TimeSeriesSplit(n_splits=2, test_size=5),
        n_repeats=2,
        reference=1,
    )
    assert result.forecasts.shape == (10, 2)


def test_vectorize_keeps_an_ensembles_own_n_ensemble():
    X, y = load_shampoo(return_X_y=True)
    folds = list(TimeSeriesSplit(n_splits=2, test_size=6).split(X))[-1:]
    model = make_forecaster(lags=2, max_epochs=5, n_ensemble=2)
    together = repeated_walk_forward(model, X, y, cv=folds, n_repeats=2, random_state=1)
    apart = repeated_walk_forward(
        model, X, y, cv=folds, n_repeats=2, random_state=1, vectorize=False
    )
    assert_allclose(together.forecasts, apart.forecasts, rtol=0)
    # Each repeat is the 2-member ensemble with that repeat's seed.
    train, test = folds[0]
    seed = together.seeds[1]
    alone = make_forecaster(lags=2, max_epochs=5, n_ensemble=2, random_state=seed)
    alone.fit(X.iloc[train], y.iloc[train])
    assert_allclose(together.forecasts[1], alone.predict(X.iloc[test]), rtol=1e-12)


def test_halving_search_subsamples_rows_out_of_order_loudly_and_epochs_work():
    """HalvingGridSearchCV's default resource draws training rows in random
    order: a forecaster refuses them; epochs are the resource to use."""
    from sklearn.experimental import enable_halving_search_cv  # noqa: F401
    from sklearn.model_selection import HalvingGridSearchCV

    X, y = load_shampoo(return_X_y=True)
    search = HalvingGridSearchCV(
        make_forecaster(max_epochs=2, random_state=0),
        {"regressor__lstmregressor__hidden_size": [2, 4]},
        cv=TimeSeriesSplit(2, test_size=6), min_resources=12, random_state=0,
        error_score="raise",
    )  # fmt: skip
    with pytest.raises(ValueError, match="expects the rows of X in time order"):
        search.fit(X, y)
    rng = np.random.default_rng(0)
    Xw, yw = rng.normal(size=(60, 3)), rng.normal(size=60)
    search = HalvingGridSearchCV(
        LSTMRegressor(random_state=0, batch_size=16),
        {"hidden_size": [2, 4, 8]}, resource="max_epochs", min_resources=2,
        max_resources=8, factor=2, cv=TimeSeriesSplit(2), random_state=0,
    )  # fmt: skip
    search.fit(Xw, yw)
    assert search.n_resources_ == [2, 4]
    assert search.best_estimator_.n_iter_ == search.best_params_["max_epochs"]
