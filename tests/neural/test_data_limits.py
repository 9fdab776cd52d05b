"""Data and memory (issue 13, items 10 to 13)."""

import pickle

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from sk_rnn import DifferenceTransformer, LagFeaturizer, LSTMRegressor
from sk_rnn.neural import _predicting


def test_a_feature_that_is_never_observed_is_refused():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 2, 2))  # 2 steps x 2 features
    X[:, :, 1] = np.nan
    with pytest.raises(
        ValueError, match=r"feature\(s\) \[1\] that are NaN in every row"
    ):
        LSTMRegressor(max_epochs=1).fit(X, rng.normal(size=30))
    named = pd.DataFrame(X[:, 0, :], columns=["price", "promo"])
    with pytest.raises(ValueError, match=r"\['promo'\] that are NaN in every row"):
        LSTMRegressor(max_epochs=1, n_steps=1).fit(named, rng.normal(size=30))
    X[:5, :, 1] = 0.0  # observed somewhere: a feature with gaps is fine
    LSTMRegressor(max_epochs=1).fit(X, rng.normal(size=30))


def test_differencing_that_overflows_is_refused():
    X = np.array([[1e308], [-1e308], [0.0]])
    with pytest.raises(ValueError, match="row 1 \\(column 0\\) overflows float64"):
        DifferenceTransformer().fit_transform(X)
    inf = np.array([[np.inf], [1.0], [2.0]])
    with pytest.raises(ValueError, match="infinity"):  # scikit-learn's own check
        DifferenceTransformer().fit(inf)


def test_prediction_batches_shrink_with_the_ensemble():
    model = LSTMRegressor(hidden_size=64, n_ensemble=30)
    rows = _predicting.batch_rows(model, (48, 1), 1)
    per_row = 8 * 30 * (48 * (6 * 64 + 1) + 1)
    assert rows == _predicting.PREDICT_MEMORY_BYTES // per_row < 100
    small = LSTMRegressor(hidden_size=4)
    assert _predicting.batch_rows(small, (3, 1), 1) == _predicting.PREDICT_BATCH_ROWS


def test_predictions_do_not_depend_on_the_batch_size(monkeypatch):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 4))
    model = LSTMRegressor(hidden_size=5, n_ensemble=3, max_epochs=2, random_state=0)
    model.fit(X, X.sum(axis=1))
    whole = model.predict(X)
    monkeypatch.setattr(_predicting, "PREDICT_MEMORY_BYTES", 1)  # one row a batch
    assert_allclose(model.predict(X), whole, rtol=1e-12)


@pytest.mark.parametrize(
    "transformer", [DifferenceTransformer(), LagFeaturizer(lags=3)]
)
def test_fitted_transformers_pickle_small_whatever_the_series(transformer):
    n = 10**6
    X = pd.DataFrame(
        {"a": np.arange(n, dtype=float)},
        index=pd.date_range("2000", periods=n, freq="min"),
    )
    assert len(pickle.dumps(transformer.fit(X))) < 10_000  # not the 8 MB index
