"""Bad input, everywhere: one table of cases per public estimator.

Every case names what it feeds and what must come out: an error of a given
type whose message names the estimator and says what was wrong, or, where the
input is legitimate, the documented behaviour. The command line has its own
battery in ``test_cli.py``.
"""

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.utils._param_validation import InvalidParameterError

from sk_rnn import (
    DifferencedTargetRegressor,
    DifferenceTransformer,
    LagFeaturizer,
    LSTMRegressor,
)

ESTIMATORS = {
    "DifferenceTransformer": lambda **p: DifferenceTransformer(**p),
    "LagFeaturizer": lambda **p: LagFeaturizer(**{"lags": 3, **p}),
    "LSTMRegressor": lambda **p: LSTMRegressor(
        **{"hidden_size": 2, "max_epochs": 1, "random_state": 0, **p}
    ),
    "DifferencedTargetRegressor": lambda **p: DifferencedTargetRegressor(
        LSTMRegressor(hidden_size=2, max_epochs=1, random_state=0), **p
    ),
}
TRANSFORMERS = ["DifferenceTransformer", "LagFeaturizer"]
REGRESSORS = ["LSTMRegressor", "DifferencedTargetRegressor"]

X = np.arange(40.0).reshape(20, 2)
Y = np.arange(20.0)


BACKWARDS = pd.Index([0, 1, 2, 5, 4, *range(6, 21)])
REPEATS = pd.period_range("2000-01", periods=19, freq="M").insert(
    3, pd.Period("2000-03", "M")
)


def _frame(index):
    return pd.DataFrame(X[: len(index)], index=index, columns=["a", "b"])


# (case, estimators, fit X, fit y, error type or None, message pattern)
FIT_CASES = [
    ("empty", "all", np.empty((0, 2)), np.empty(0), ValueError,
     r"Found array with 0 sample\(s\) \(shape=\(0, 2\)\) while a minimum of 1 is "
     r"required by {name}"),
    ("1-D X", "all", np.arange(20.0), Y, ValueError,
     r"{name}: Expected 2D array, got 1D array instead"),
    ("3-D X", TRANSFORMERS + ["DifferencedTargetRegressor"], np.ones((20, 2, 2)), Y,
     ValueError,  # the wording of scikit-learn >= 1.7, then of 1.6
     r"Found array with dim 3(, while dim <= 2 is required by|\.) {name}"),
    ("strings", "all", np.array([["a", "b"]] * 20), Y, ValueError,
     r"{name}: (could not convert string to float: .*'a'|dtype='numeric' is not "
     r"compatible with arrays of bytes/strings)"),
    ("object column", "all", pd.DataFrame({"a": ["x"] * 20, "b": 1.0}), Y, ValueError,
     r"{name}: could not convert string to float: 'x'"),
    ("complex", "all", X + 1j, Y, ValueError, r"{name}: Complex data not supported"),
    ("infinity", "all", np.where(X > 30, np.inf, X), Y, ValueError,
     r"{name}: Input X contains infinity or a value too large"),
    ("NaN in y", REGRESSORS, X, np.where(Y > 5, np.nan, Y), ValueError,
     r"{name}: Input y contains NaN"),
    ("X/y lengths differ", REGRESSORS, X, Y[:19], ValueError,
     r"{name}: Found input variables with inconsistent numbers of samples: \[20, 19\]"),
    ("index goes back", TRANSFORMERS, _frame(BACKWARDS),
     None, ValueError, r"{name} expects the rows of X in time order, oldest first.*"
     r"row 4 has index 4 after 5"),
    ("index repeats", TRANSFORMERS,
     _frame(REPEATS),
     None, ValueError, r"{name} expects the rows of X in time order.*row 3 has index "
     r"Period\('2000-03', 'M'\) after Period\('2000-03', 'M'\)"),
    ("NaN in X", ["DifferencedTargetRegressor"], np.where(X > 30, np.nan, X), Y,
     ValueError, r"Input X contains NaN.\n{name} does not accept missing values"),
]  # fmt: skip


def _expand(cases):
    for case, names, X_fit, y_fit, error, pattern in cases:
        for name in ESTIMATORS if names == "all" else names:
            yield pytest.param(name, X_fit, y_fit, error, pattern, id=f"{case}-{name}")


@pytest.mark.parametrize(
    ("name", "X_fit", "y_fit", "error", "pattern"), list(_expand(FIT_CASES))
)
def test_bad_fit_input(name, X_fit, y_fit, error, pattern):
    estimator = ESTIMATORS[name]()
    y_fit = Y[: len(X_fit)] if y_fit is None else y_fit
    with pytest.raises(error, match=pattern.format(name=name)):
        estimator.fit(X_fit, y_fit)


# Legitimate input that is accepted, with the behaviour the docs promise.
def test_booleans_are_read_as_zero_and_one_like_scikit_learn():
    flags = (X % 3 == 0).astype(bool)
    for name in ESTIMATORS:
        estimator = ESTIMATORS[name]().fit(flags, Y)
        out = getattr(estimator, "transform", getattr(estimator, "predict", None))(
            flags
        )
        assert np.isfinite(np.asarray(out, dtype=float)[3:]).all()
    diff = DifferenceTransformer().fit_transform(flags)
    assert set(np.unique(diff[1:])) <= {-1.0, 0.0, 1.0}


def test_one_row_is_one_window_for_the_regressors():
    for name in REGRESSORS:
        assert ESTIMATORS[name]().fit(X[:1], Y[:1]).predict(X[:1]).shape == (1,)


def test_transformers_ignore_y_as_documented():
    for name in TRANSFORMERS:
        ESTIMATORS[name]().fit(X, np.full(3, np.nan))  # y: Ignored


@pytest.mark.parametrize(
    ("name", "params", "rows", "pattern"),
    [
        ("DifferenceTransformer", {"interval": 4, "order": 2}, 8,
         r"DifferenceTransformer needs at least 9 rows to fit \(interval=4 \* order=2 "
         r"warm-up rows plus one differenced row\); got 8 sample\(s\)"),
        ("LagFeaturizer", {"lags": 5}, 4,
         r"LagFeaturizer needs at least 5 rows to fit \(one full window of lags=5 "
         r"rows\); got 4 sample\(s\)"),
    ],
)  # fmt: skip
def test_fewer_rows_than_the_warm_up_needs(name, params, rows, pattern):
    with pytest.raises(ValueError, match=pattern):
        ESTIMATORS[name](**params).fit(X[:rows], Y[:rows])


@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_wrong_feature_count_after_fit(name):
    estimator = ESTIMATORS[name]().fit(X, Y)
    method = getattr(estimator, "transform", None) or estimator.predict
    with pytest.raises(
        ValueError, match=rf"X has 3 features, but {name} is expecting 2"
    ):
        method(np.ones((5, 3)))


@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_1d_X_after_fit(name):
    estimator = ESTIMATORS[name]().fit(X, Y)
    method = getattr(estimator, "transform", None) or estimator.predict
    with pytest.raises(ValueError, match=rf"{name}: Expected 2D array, got 1D"):
        method(np.arange(4.0))


def test_lstm_window_shape_errors():
    with pytest.raises(
        ValueError, match="got 2 columns, which is not a multiple of n_steps=3"
    ):
        ESTIMATORS["LSTMRegressor"](n_steps=3).fit(X, Y)
    fitted = ESTIMATORS["LSTMRegressor"]().fit(X.reshape(20, 2, 1), Y)
    with pytest.raises(
        ValueError,
        match=r"fitted on windows of 2 steps x 1 features; got X of shape \(20, 1, 2\)",
    ):
        fitted.predict(X.reshape(20, 1, 2))


def test_stateful_lstm_refuses_rows_out_of_time_order():
    frame = _frame(pd.Index([3, 1, 2] + list(range(4, 21))))
    with pytest.raises(
        ValueError,
        match=r"LSTMRegressor \(stateful=True\) expects the rows of X in time order",
    ):
        ESTIMATORS["LSTMRegressor"](stateful=True).fit(frame, Y)


def test_transform_of_a_block_out_of_order_is_refused():
    diff = DifferenceTransformer().fit(_frame(pd.RangeIndex(20)))
    with pytest.raises(ValueError, match="row 1 has index 3 after 7"):
        diff.transform(_frame(pd.Index([7, 3, 9])))


def test_reference_column_errors():
    dtr = ESTIMATORS["DifferencedTargetRegressor"]
    with pytest.raises(ValueError, match=r"reference=5, but X has 2 column\(s\)"):
        dtr(reference=5).fit(X, Y)
    with pytest.raises(ValueError, match="reference='c', which is not a column of X"):
        dtr(reference="c").fit(_frame(pd.RangeIndex(20)), Y)


# One invalid value of every parameter of every estimator.
INVALID = {
    "DifferenceTransformer": {"interval": [0, 1.5, "1"], "order": [0, -1, None]},
    "LagFeaturizer": {"lags": [0, 2.0, None], "fill_value": ["nan", None]},
    "LSTMRegressor": {
        "hidden_size": [0, 4.5], "num_layers": [0], "cell": ["lstmm", 1],
        "dropout": [1.0, -0.1], "bidirectional": ["yes"], "n_steps": [0, 1.5],
        "layout": ["oldest_first", 3],
        "stateful": [1], "max_epochs": [0], "batch_size": [0, "all"],
        "lr": [0, -1e-3], "optimizer": ["adamm", 3], "init": ["xavier"],
        "n_ensemble": [0], "shuffle": ["no"], "early_stopping": [None],
        "validation_fraction": [0.0, 1.0], "n_iter_no_change": [0], "tol": [-1.0],
        "clip_grad_norm": [0.0, "1"], "callbacks": ["print"], "warm_start": [2],
        "loss": ["mse"], "quantile": [0.0, 1.0, "0.5"], "on_interrupt": ["ignore"],
        "device": [None, 0], "predict_dtype": ["float16"], "n_threads": [0],
        "random_state": ["seed"], "verbose": [-1], "net_kwargs": [[1]],
    },
    "DifferencedTargetRegressor": {
        "reference": [-1, 1.5, None], "transformer": ["minmax"]
    },
}  # fmt: skip


def _invalid_cases():
    for name, params in INVALID.items():
        for param, values in params.items():
            for value in values:
                yield pytest.param(name, param, value, id=f"{name}-{param}={value!r}")


@pytest.mark.parametrize(("name", "param", "value"), list(_invalid_cases()))
def test_invalid_parameter(name, param, value):
    estimator = ESTIMATORS[name](**{param: value})
    with pytest.raises(
        InvalidParameterError,
        match=rf"The '{param}' parameter of {name} must be .* "
        rf"Got {re.escape(repr(value))} instead",
    ):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            estimator.fit(X, Y)


def test_every_parameter_has_an_invalid_case():
    for name, params in INVALID.items():
        estimator = ESTIMATORS[name]()
        names = set(estimator.get_params(deep=False)) - {"regressor"}
        assert names == set(params), name
