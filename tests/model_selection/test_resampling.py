"""Resampled rows (a halving search's subsample, a bootstrap) are refused.

HalvingGridSearchCV's default resource trains each candidate on
``sklearn.utils.resample(train, replace=False)``: a random subset of a fold's
rows in random order. A pandas block says so through its index; a NumPy
block through the forecaster's target, a later level of its reference column.
"""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_array_equal
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import HalvingGridSearchCV, TimeSeriesSplit
from sklearn.utils import resample

from sk_rnn import make_forecaster
from sk_rnn.datasets import load_shampoo
from sk_rnn.series._time import shuffled_rows

# Level 10 + r at original row r, target the next level; the block holds the
# original rows in the order PERMUTATION. By hand: block row 4 (r=4) has
# target 15, the level of block row 2 (r=5); block row 5 (r=2) has target 13,
# the level of block row 0 (r=3), but it is the block's last row, whose
# target may lie past the block in order too: it is not counted. Rows 0, 1, 3
# point forwards, row 2's target (16) is not in the block.
PERMUTATION = np.array([3, 0, 5, 1, 4, 2])
LEVEL = 10.0 + PERMUTATION
LATER = 11.0 + PERMUTATION
BACKWARD_ROWS, MATCHED_ROWS = [4], [2]

MAX_EPOCHS = "regressor__lstmregressor__max_epochs"


def test_shuffled_rows_finds_the_targets_that_point_backwards():
    rows, earlier = shuffled_rows(LEVEL, LATER)
    assert_array_equal(rows, BACKWARD_ROWS)
    assert_array_equal(earlier, MATCHED_ROWS)
    in_order = np.sort(PERMUTATION)
    rows, _ = shuffled_rows(10.0 + in_order, 11.0 + in_order)
    assert len(rows) == 0


def test_shuffled_rows_leaves_the_rows_past_the_horizon_alone():
    """Targets 3 steps ahead: the last 3 rows' targets lie past the block; one
    equals an earlier level (the series repeats a value), which is no shuffle."""
    series = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 2.0, 9.0, 10.0])
    level, later = series[:-3], series[3:]
    assert later[-3] == level[1]
    rows, _ = shuffled_rows(level, later)
    assert len(rows) == 0


def test_shuffled_rows_ignores_targets_that_are_a_function_of_the_level():
    """y[t] = t on levels 2t: targets equal earlier levels, in the rows'
    order, which a shuffle does not give."""
    rows, _ = shuffled_rows(2.0 * np.arange(20), np.arange(20.0))
    assert len(rows) == 0


@pytest.mark.parametrize("container", ["numpy", "pandas"])
def test_a_permuted_block_is_refused_naming_the_search_and_the_fix(container):
    X, y = load_shampoo(return_X_y=True)
    order = np.random.default_rng(0).permutation(len(X))
    X, y = X.iloc[order], y.iloc[order]
    if container == "numpy":
        X, y = X.to_numpy(), y.to_numpy()
        match = r"but y says they are out of order: \d+ row\(s\)"
    else:
        match = r"with a strictly increasing index; row \d+ has index"
    model = make_forecaster(max_epochs=1, random_state=0)
    with pytest.raises(ValueError, match=match) as error:
        model.fit(X, y)
    assert "HalvingGridSearchCV" in str(error.value)
    assert f"resource='{MAX_EPOCHS}'" in str(error.value)


@pytest.mark.parametrize("container", ["numpy", "pandas"])
def test_a_bootstrap_is_refused(container):
    X, y = load_shampoo(return_X_y=True)
    if container == "numpy":
        X, y = X.to_numpy(), y.to_numpy()
    Xb, yb = resample(X, y, replace=True, random_state=0)
    with pytest.raises(ValueError, match="expects the rows of X in time order"):
        make_forecaster(max_epochs=1, random_state=0).fit(Xb, yb)


def test_multi_step_targets_in_order_fit_and_permuted_are_refused():
    X, y = load_shampoo(return_X_y=True)
    level = np.r_[X.to_numpy()[:, 0], y.to_numpy()[-1]]
    n = len(level) - 3
    X3 = level[:n, None]
    y3 = np.column_stack([level[k : n + k] for k in (1, 2, 3)])
    model = make_forecaster(max_epochs=1, random_state=0).fit(X3, y3)
    assert model.predict(X3, history="none").shape == (n, 3)
    order = np.random.default_rng(1).permutation(n)
    with pytest.raises(ValueError, match="y says they are out of order"):
        make_forecaster(max_epochs=1, random_state=0).fit(X3[order], y3[order])


@pytest.mark.parametrize("container", ["numpy", "pandas"])
def test_halving_search_default_resource_is_refused(container):
    X, y = load_shampoo(return_X_y=True)
    if container == "numpy":
        X, y = X.to_numpy(), y.to_numpy()
    search = HalvingGridSearchCV(
        make_forecaster(max_epochs=2, random_state=0),
        {"regressor__lstmregressor__hidden_size": [2, 4]},
        cv=TimeSeriesSplit(2, test_size=6), min_resources=24, random_state=0,
        error_score="raise",
    )  # fmt: skip
    # 24 of 35 rows: each fold trains on 15 or 19 shuffled rows. (NumPy
    # blocks of a few rows may show no out-of-order target; see the guide.)
    with pytest.raises(ValueError, match="expects the rows of X in time order"):
        search.fit(X, y)


@pytest.mark.parametrize("container", ["numpy", "pandas"])
def test_halving_search_over_epochs_trains_on_rows_in_order(container):
    X, y = load_shampoo(return_X_y=True)
    if container == "numpy":
        X, y = X.to_numpy(), y.to_numpy()
    search = HalvingGridSearchCV(
        make_forecaster(random_state=0, batch_size=8),
        {"regressor__lstmregressor__hidden_size": [2, 4, 8]},
        resource=MAX_EPOCHS, min_resources=2, max_resources=8, factor=2,
        cv=TimeSeriesSplit(2, test_size=6), random_state=0, error_score="raise",
    )  # fmt: skip
    search.fit(X, y)
    assert search.n_resources_ == [2, 4]
    assert search.best_params_[MAX_EPOCHS] == 4
    network = search.best_estimator_.regressor_[-1]
    assert network.n_iter_ == 4  # the refit trains the best candidate's epochs
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


def test_rows_in_order_of_a_repeating_series_are_not_refused():
    """A series that repeats its values exactly: a multi-step target's last
    rows lie past the block and equal earlier levels. In order, so no
    refusal (0.3's first check refused it)."""
    from sklearn.linear_model import Ridge

    from sk_rnn import DifferencedTargetRegressor, make_horizon_xy

    season = np.array([3.0, 5.0, 8.0, 13.0, 7.0, 4.0, 9.0, 11.0, 6.0, 2.0, 10.0, 12.0])
    x = pd.DataFrame({"v": np.tile(season, 3)[:30]})
    X, Y = make_horizon_xy(x, 12)
    DifferencedTargetRegressor(Ridge()).fit(X.to_numpy(), Y.to_numpy())
