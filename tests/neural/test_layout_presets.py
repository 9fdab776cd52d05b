"""LSTMRegressor's layouts for other libraries' rows: presets, darts' lag
lists, and the refusals where unnamed rows cannot say where the lags end.

Each exact test fits the same network on the windows built by hand (3-D,
oldest step first) and asserts equal predictions."""

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_array_equal

from sk_rnn import LSTMRegressor

FAST = {"hidden_size": 4, "max_epochs": 2, "batch_size": 8, "random_state": 0}


def _data(n_columns, n=30, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, n_columns)), rng.normal(size=n)


def _same_as_hand(model, X, y, windows):
    hand = LSTMRegressor(**FAST).fit(windows, y)
    assert model.window_shape_ == windows.shape[1:]
    assert_array_equal(model.predict(X), hand.predict(windows))


def _every_step(columns, n_steps):
    return np.repeat(columns[:, None, :], n_steps, axis=1)


@pytest.mark.parametrize("layout", ["skforecast", "newest_first"])
def test_skforecast_lags_newest_first_then_window_features_and_exog(layout):
    # skforecast: lag_1, lag_2, lag_3, then a rolling mean, then 1 exog column
    X, y = _data(5)
    model = LSTMRegressor(layout=layout, n_steps=3, **FAST).fit(X, y)
    windows = np.concatenate([X[:, [2, 1, 0], None], _every_step(X[:, 3:], 3)], axis=2)
    _same_as_hand(model, X, y, windows)


@pytest.mark.parametrize("layout", ["skforecast", "newest_first", "sktime"])
def test_columns_named_as_lags_give_the_number_of_lags(layout):
    # skforecast's create_train_X_y and sktime's global reduction name them
    X, y = _data(5)
    frame = pd.DataFrame(X, columns=["y_lag_1", "y_lag_2", "y_lag_3", "roll", "x"])
    model = LSTMRegressor(layout=layout, **FAST).fit(frame, y)
    windows = np.concatenate([X[:, [2, 1, 0], None], _every_step(X[:, 3:], 3)], axis=2)
    hand = LSTMRegressor(**FAST).fit(windows, y)
    assert model.window_shape_ == (3, 3)
    assert_array_equal(model.predict(frame), hand.predict(windows))
    with pytest.raises(ValueError, match=r"n_steps=4, but the columns of X name 3"):
        LSTMRegressor(layout=layout, n_steps=4, **FAST).fit(frame, y)


@pytest.mark.parametrize(
    ("layout", "message"),
    [
        ("skforecast", r"6 unnamed columns with layout='skforecast' and n_steps=None"
         r".*read as the oldest lags\. Set n_steps to the number of lags"),
        ("newest_first", r"layout='newest_first' and n_steps=None.*oldest lags"),
        ("sktime", r"layout='sktime' and n_steps=None.*read as the target's newest "
         r"steps\. Set n_steps to make_reduction's window_length"),
    ],
)  # fmt: skip
def test_unnamed_rows_with_a_preset_need_n_steps(layout, message):
    X, y = _data(6)
    with pytest.raises(ValueError, match=message):
        LSTMRegressor(layout=layout, **FAST).fit(X, y)
    frame = pd.DataFrame(X, columns=list("abcdef"))  # names, but not of lags
    with pytest.raises(ValueError, match="6 columns not named as lags"):
        LSTMRegressor(layout=layout, **FAST).fit(frame, y)
    LSTMRegressor(layout=layout, **FAST).fit(X[:, :1], y)  # one column: one lag


def test_sktime_reduction_with_exogenous_columns_is_read_variable_by_variable():
    # make_reduction(...).fit(y, X) with window_length 3 and 2 exog columns:
    # y[t-3..t-1], x1[t-3..t-1], x2[t-3..t-1]
    X, y = _data(9)
    model = LSTMRegressor(layout="sktime", n_steps=3, **FAST).fit(X, y)
    windows = np.stack([X[:, 0:3], X[:, 3:6], X[:, 6:9]], axis=2)
    _same_as_hand(model, X, y, windows)
    # the same rows as an explicit list of blocks
    blocks = LSTMRegressor(layout=[(3, 1), (3, 1), (3, 1)], **FAST).fit(X, y)
    assert_array_equal(blocks.predict(X), model.predict(X))
    with pytest.raises(
        ValueError, match="9 columns with layout='sktime' and n_steps=2"
    ):
        LSTMRegressor(layout="sktime", n_steps=2, **FAST).fit(X, y)


def test_darts_lag_lists_with_gaps_and_future_lags_are_read_in_time_order():
    # darts: lags=[-4, -2, -1], lags_past_covariates=2 (2 components),
    # lags_future_covariates=[-2, -1, 0, 1], then 1 static covariate
    X, y = _data(3 + 4 + 4 + 1)
    layout = [([-4, -2, -1], 1), (2, 2), ([-2, -1, 0, 1], 1)]
    model = LSTMRegressor(layout=layout, **FAST).fit(X, y)
    target = X[:, [0, 1, 2], None]  # steps -4, -2, -1
    past = X[:, 3:7].reshape(-1, 2, 2)[:, [0, 0, 1]]  # -2, -1; oldest before
    future = X[:, [7, 7, 8], None]  # lags -2, -1 at steps -4 (its oldest), -2, -1
    given = _every_step(X[:, [9, 10, 11]], 3)  # future lags 0, 1 and static
    windows = np.concatenate([target, past, future, given], axis=2)
    _same_as_hand(model, X, y, windows)
    path = Path(tempfile.mkdtemp()) / "m.skrnn"
    assert_array_equal(
        LSTMRegressor.load(model.save(path)).predict(X), model.predict(X)
    )


def test_a_gap_holds_the_latest_earlier_value():
    # target lags [-3, -1] beside a covariate at -3, -2, -1: at step -2 the
    # target holds its value at -3
    X, y = _data(2 + 3)
    model = LSTMRegressor(layout=[([-3, -1], 1), (3, 1)], **FAST).fit(X, y)
    windows = np.stack([X[:, [0, 0, 1]], X[:, 2:5]], axis=2)
    _same_as_hand(model, X, y, windows)


def test_per_feature_lags_are_read_in_darts_lag_dict_order():
    # darts: lags={"a": [-3, -1], "b": 2} writes a-3, b-2, a-1, b-1 (by lag,
    # then component); lags_future_covariates={"f": [0], "g": [-1, 1]}
    # writes g-1, f0, g1; then 1 static covariate
    X, y = _data(4 + 3 + 1)
    layout = [([[-3, -1], 2], 2), ([[0], [-1, 1]], 2)]
    model = LSTMRegressor(layout=layout, **FAST).fit(X, y)
    a = X[:, [0, 0, 2], None]  # steps -3, -2, -1: a holds -3 at -2
    b = X[:, [1, 1, 3], None]  # b's oldest (-2) at -3
    g = X[:, [4, 4, 4], None]  # g's only past lag, -1, at every step
    given = _every_step(X[:, [5, 6, 7]], 3)  # f at 0, g at +1, static
    _same_as_hand(model, X, y, np.concatenate([a, b, g, given], axis=2))
    # the same lags for every feature is the step-major block
    same = LSTMRegressor(layout=[([[-2, -1], 2], 2)], **FAST).fit(X[:, :4], y)
    uniform = LSTMRegressor(layout=[(2, 2)], **FAST).fit(X[:, :4], y)
    assert_array_equal(same.predict(X[:, :4]), uniform.predict(X[:, :4]))
    path = Path(tempfile.mkdtemp()) / "m.skrnn"
    assert_array_equal(
        LSTMRegressor.load(model.save(path)).predict(X), model.predict(X)
    )


@pytest.mark.parametrize(
    ("layout", "message"),
    [
        ([([[-2, -1], [-1]], 3)], r"one per feature, as darts writes a lags dict"),
        ([([[-2, -1], []], 2)], r"got layout=\[\(\[\[-2, -1\], \[\]\], 2\)\]"),
        ([([-1, -2], 1)], "list of increasing lags"),
        ([([], 1)], "list of increasing lags"),
        ([([-1, 1.5], 1)], "list of increasing lags"),
        ([([0, 1], 1)], "no negative lag"),
    ],
)
def test_bad_lag_lists_are_refused(layout, message):
    X, y = _data(4)
    with pytest.raises(ValueError, match=message):
        LSTMRegressor(layout=layout, **FAST).fit(X, y)


def test_nan_in_a_future_lag_is_refused_with_its_column():
    X, y = _data(4)
    model = LSTMRegressor(layout=[(2, 1), ([-1, 0], 1)], **FAST).fit(X, y)
    X[3, 3] = np.nan  # the covariate at lag 0, given at every step
    with pytest.raises(ValueError, match=r"got NaN in column\(s\) \[3\], which are"):
        model.predict(X)
