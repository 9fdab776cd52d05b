"""Behaviour of DifferencedTargetRegressor, alone and around a pipeline."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import TimeSeriesSplit
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from sk_rnn import (
    DifferencedTargetRegressor,
    DifferenceTransformer,
    LagFeaturizer,
    LSTMRegressor,
)


class Recorder(RegressorMixin, BaseEstimator):
    """Predicts a constant and remembers what it was given."""

    def fit(self, X, y):
        self.X_fit_, self.y_fit_ = X, np.asarray(y)
        self.constant_ = np.asarray(y).mean(axis=0)
        return self

    def predict(self, X):
        self.X_predict_ = X
        return np.tile(self.constant_, (len(X), 1)).squeeze()


def _levels(n=40, seed=0):
    rng = np.random.default_rng(seed)
    sales = 100 + np.cumsum(rng.normal(size=n + 1))
    index = pd.period_range("2000-01", periods=n, freq="M")
    X = pd.DataFrame({"sales": sales[:-1], "temp": rng.normal(size=n)}, index=index)
    return X, pd.Series(sales[1:], index=index, name="sales_next")


def test_learns_the_change_and_inverts_exactly():
    X = np.array([[10.0, 1.0], [12.0, 0.0], [15.0, 2.0], [11.0, 3.0]])
    y = np.array([11.0, 14.0, 13.0, 16.0])
    model = DifferencedTargetRegressor(Recorder()).fit(X, y)
    assert_allclose(model.regressor_.y_fit_, y - X[:, 0])
    change = np.mean(y - X[:, 0])
    assert_allclose(model.predict(X), X[:, 0] + change)


def test_transformer_scales_the_change_on_training_rows_only():
    X = np.array([[10.0], [12.0], [15.0], [11.0]])
    y = np.array([11.0, 14.0, 13.0, 16.0])
    model = DifferencedTargetRegressor(
        Recorder(), transformer=MinMaxScaler((-1, 1))
    ).fit(X, y)
    change = y - X[:, 0]
    scaled = 2 * (change - change.min()) / (change.max() - change.min()) - 1
    assert_allclose(model.regressor_.y_fit_, scaled)
    assert_allclose(model.predict(X), X[:, 0] + change.mean())


def test_reference_by_name_and_2d_targets():
    X, y = _levels()
    Y = pd.concat([y, (y + 1.0).rename("sales_after")], axis=1)
    model = DifferencedTargetRegressor(
        LinearRegression(), reference="sales", transformer=StandardScaler()
    ).fit(X, Y)
    assert model.reference_index_ == 0
    pred = model.predict(X)
    assert pred.shape == (40, 2)
    assert_allclose(pred[:, 1] - pred[:, 0], 1.0, atol=1e-8)


def test_X_reaches_the_regressor_unchanged():
    X, y = _levels()
    model = DifferencedTargetRegressor(Recorder()).fit(X, y)
    assert model.regressor_.X_fit_ is X
    model.predict(X.iloc[:5])
    assert isinstance(model.regressor_.X_predict_, pd.DataFrame)


def test_unknown_reference_name_and_position():
    X, y = _levels()
    with pytest.raises(
        ValueError,
        match=r"reference='price', which is not a column of X; "
        r"X has columns \['sales', 'temp'\]",
    ):
        DifferencedTargetRegressor(Recorder(), reference="price").fit(X, y)
    with pytest.raises(
        ValueError,
        match="reference='sales', which is not a column of X; X has no column names",
    ):
        DifferencedTargetRegressor(Recorder(), reference="sales").fit(X.to_numpy(), y)
    with pytest.raises(
        ValueError,
        match=r"reference=2, but X has 2 column\(s\); "
        r"expected a position in \[0, 1\]",
    ):
        DifferencedTargetRegressor(Recorder(), reference=2).fit(X, y)


def test_nan_in_X_is_refused():
    X, y = _levels()
    X.iloc[3, 0] = np.nan
    with pytest.raises(
        ValueError,
        match="(?s)Input X contains NaN.*DifferencedTargetRegressor does not accept",
    ):
        DifferencedTargetRegressor(Recorder()).fit(X, y)


def test_return_std_is_passed_through_in_y_units():
    X, y = _levels()
    model = DifferencedTargetRegressor(
        make_pipeline(
            DifferenceTransformer(),
            LSTMRegressor(hidden_size=4, max_epochs=2, n_ensemble=3, random_state=0),
        ),
        transformer=MinMaxScaler((-1, 1)),
    ).fit(X, y)
    pred, std = model.predict(X, return_std=True)
    members = model.regressor_[-1].predict_members(model.regressor_[:-1].transform(X))
    scale = model.transformer_.scale_[0]
    assert_allclose(std, members.std(axis=1) / scale, rtol=1e-8)
    assert_allclose(pred, model.predict(X))


def test_composition_continues_the_series_across_time_series_split():
    # Default output settings, pandas input: the first test rows still get
    # their history from the training rows, so forecasting the test block
    # alone equals forecasting it as part of the whole series.
    X, y = _levels(n=60)
    model = DifferencedTargetRegressor(
        make_pipeline(
            DifferenceTransformer(),
            LagFeaturizer(lags=3),
            MinMaxScaler((-1, 1)),
            LSTMRegressor(hidden_size=4, max_epochs=3, n_steps=3, random_state=0),
        ),
        transformer=MinMaxScaler((-1, 1)),
    )
    for train, test in TimeSeriesSplit(n_splits=3, test_size=8).split(X):
        model.fit(X.iloc[train], y.iloc[train])
        alone = model.predict(X.iloc[test])
        assert np.isfinite(alone).all()
        whole = model.predict(X)[test]
        assert_allclose(alone, whole, rtol=1e-10)
        # Without the index (NumPy) the first rows lack history: they differ.
        with pytest.warns(UserWarning, match="does not have valid feature names"):
            numpy = model.predict(X.iloc[test].to_numpy())
        assert not np.allclose(numpy[:3], whole[:3])


def test_warm_start_through_the_composition_continues_the_network():
    """0.2 cloned the regressor at every fit: four 5-epoch fits of a
    make_forecaster(warm_start=True) equalled one 5-epoch fit, silently."""
    from sk_rnn import make_forecaster

    rng = np.random.default_rng(0)
    level = 100 + np.cumsum(rng.normal(size=41))
    index = pd.period_range("2001-01", periods=40, freq="M")
    X = pd.DataFrame({"sales": level[:-1]}, index=index)
    y = pd.Series(level[1:], index=index)
    params = {"max_epochs": 5, "random_state": 0, "warm_start": True}
    model = make_forecaster(**params)
    for _ in range(4):
        model.fit(X, y)
    network = model.regressor_.pipeline_.steps[-1][1]
    assert network.n_iter_ == 20
    whole = make_forecaster(**{**params, "max_epochs": 20, "warm_start": False})
    whole.fit(X, y)
    np.testing.assert_allclose(model.predict(X), whole.predict(X), rtol=1e-5)
    cold = make_forecaster(**{**params, "warm_start": False})
    cold.fit(X, y).fit(X, y)
    assert cold.regressor_.pipeline_.steps[-1][1].n_iter_ == 5  # unchanged
