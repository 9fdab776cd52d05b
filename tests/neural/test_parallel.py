"""Tuning across processes (joblib) and machines (a dask.distributed cluster)."""

import os

import joblib
import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit, cross_validate

from sk_rnn import LSTMRegressor, make_forecaster


def _series(n=60, seed=0):
    rng = np.random.default_rng(seed)
    level = 50 + np.cumsum(rng.normal(size=n)) + 4 * np.sin(np.arange(n) / 3)
    index = pd.period_range("2010-01", periods=n, freq="M")
    X = pd.DataFrame({"level": level[:-1]}, index=index[:-1])
    return X, pd.Series(level[1:], index=X.index)


def _search():
    return GridSearchCV(
        make_forecaster(max_epochs=8, stateful=False, batch_size=8, random_state=0),
        {
            "regressor__lagfeaturizer__lags": [1, 2],
            "regressor__lstmregressor__hidden_size": [2, 4],
        },
        cv=TimeSeriesSplit(n_splits=2, test_size=8),
        scoring="neg_root_mean_squared_error",
    )


def _scores(search):
    return np.column_stack(
        [search.cv_results_[f"split{k}_test_score"] for k in range(2)]
    )


@pytest.fixture(scope="module")
def serial_search():
    X, y = _series()
    return _search().fit(X, y)


def test_grid_search_with_two_processes_equals_one(serial_search):
    X, y = _series()
    parallel = _search().set_params(n_jobs=2).fit(X, y)
    assert_allclose(_scores(parallel), _scores(serial_search), rtol=1e-10)
    assert parallel.best_params_ == serial_search.best_params_


def test_workers_do_not_oversubscribe_the_cores():
    # A model big enough that sk_rnn keeps torch's own thread setting: in a
    # joblib worker that setting is already cores // n_jobs.
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(200, 8)), rng.normal(size=200)
    model = LSTMRegressor(hidden_size=128, batch_size=64, max_epochs=1, random_state=0)
    result = cross_validate(
        model, X, y, cv=TimeSeriesSplit(n_splits=2), n_jobs=2, return_estimator=True
    )
    limit = max(1, (os.cpu_count() or 1) // 2)
    assert [est.n_threads_ for est in result["estimator"]] == [limit, limit]


def test_grid_search_on_a_dask_cluster_equals_one_process(serial_search):
    import distributed

    X, y = _series()
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            host="127.0.0.1",
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        assert len(client.scheduler_info()["workers"]) == 2
        with joblib.parallel_backend("dask"):
            remote = _search().set_params(n_jobs=2).fit(X, y)
        threads = client.run(lambda: __import__("torch").get_num_threads())
    assert_allclose(_scores(remote), _scores(serial_search), rtol=1e-10)
    assert set(threads.values()) == {1}
