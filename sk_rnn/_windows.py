"""How LSTMRegressor reads its input: rows of X as windows of time steps."""

from __future__ import annotations

import re

import numpy as np

from ._series import _check_time_order, _time_index
from ._validation import ndim, validate

_LAG_NAME = re.compile(r"^(?P<base>.+)_lag(?P<lag>[0-9]+)$")


def window_from_names(names) -> tuple[int, int] | None:
    """``(n_steps, n_features)`` that LagFeaturizer's column names spell out.

    LagFeaturizer names its columns ``{feature}_lag{k}``, step-major, oldest
    step first: for features ``a, b`` and 3 lags ``a_lag2, b_lag2, a_lag1,
    b_lag1, a_lag0, b_lag0``. Returns None unless every name follows exactly
    that layout.
    """
    if names is None or len(names) == 0:
        return None
    matches = [_LAG_NAME.match(str(name)) for name in names]
    if not all(matches):
        return None
    lags = [int(m["lag"]) for m in matches]
    n_steps = max(lags) + 1
    if len(names) % n_steps:
        return None
    n_features = len(names) // n_steps
    bases = [m["base"] for m in matches[:n_features]]
    expected = [
        f"{base}_lag{lag}" for lag in range(n_steps - 1, -1, -1) for base in bases
    ]
    if [str(name) for name in names] != expected:
        return None
    return n_steps, n_features


def check_sample_weight(sample_weight, n_samples: int) -> np.ndarray | None:
    """Non-negative finite float64 weights, one per row, not all zero."""
    if sample_weight is None:
        return None
    weights = np.asarray(sample_weight, dtype=np.float64)
    if weights.ndim == 0:
        weights = np.full(n_samples, float(weights))
    if weights.shape != (n_samples,):
        raise ValueError(
            f"LSTMRegressor expects sample_weight of shape ({n_samples},), one "
            f"weight per row of X; got shape {weights.shape}."
        )
    if not np.isfinite(weights).all() or (weights < 0).any():
        raise ValueError(
            "LSTMRegressor expects finite, non-negative sample_weight; got "
            f"{weights[~np.isfinite(weights) | (weights < 0)][:3].tolist()}."
        )
    if not weights.any():
        raise ValueError(
            "LSTMRegressor got sample_weight that is zero for every row; there "
            "is nothing to learn from."
        )
    return weights


def validate_windows(model, X, y=None, *, reset):
    """Validate X (and y) for ``model``: ``(windows, X2, y)``.

    ``windows`` is ``(n, n_steps, n_features)``, C-contiguous; ``X2`` the
    validated 2-D array.
    """
    if model.stateful:  # rows are a stream: they must be in time order
        index = _time_index(X)
        if index is not None:
            _check_time_order(index, "LSTMRegressor (stateful=True)")
    if ndim(X) == 3:
        X = np.asarray(X)
        shape3 = X.shape
        X = X.reshape(shape3[0], -1)
    else:
        shape3 = None
    common = {"ensure_all_finite": "allow-nan", "dtype": [np.float64, np.float32]}
    if reset:
        X, y = validate(model, X, y, multi_output=True, y_numeric=True, **common)
    else:
        X = validate(model, X, reset=False, **common)
    X = np.ascontiguousarray(X)  # negative strides (X[::-1]) cannot be tensors
    names = getattr(model, "feature_names_in_", None)
    names_window = window_from_names(names)
    if shape3 is not None:
        window = shape3[1:]
    elif names_window is not None and model.n_steps in (None, names_window[0]):
        window = names_window
    elif names_window is not None:
        raise ValueError(
            f"LSTMRegressor got n_steps={model.n_steps}, but the feature names "
            f"of X ({names[0]!r}, ...) are LagFeaturizer windows of "
            f"{names_window[0]} steps x {names_window[1]} features; set "
            f"n_steps={names_window[0]} or n_steps=None."
        )
    elif model.n_steps is None:
        window = (X.shape[1], 1)
    else:
        if X.shape[1] % model.n_steps:
            raise ValueError(
                f"LSTMRegressor got {X.shape[1]} columns, which is not a "
                f"multiple of n_steps={model.n_steps}; pass the output of "
                f"LagFeaturizer(lags={model.n_steps}) or set n_steps to the "
                "window length."
            )
        window = (model.n_steps, X.shape[1] // model.n_steps)
    if reset and len(X):
        windows = X.reshape(X.shape[0], *window)
        never = np.flatnonzero(np.isnan(windows).all(axis=(0, 1)))
        if never.size:
            labels = (
                [str(n) for n in names[never]]
                if names is not None and window[1] == X.shape[1]
                else never.tolist()
            )
            raise ValueError(
                f"LSTMRegressor got feature(s) {labels} that are NaN in every row. A "
                "NaN feature marks its time step missing, so every step would be "
                "missing and the network would predict a constant; drop or impute "
                "the column."
            )
    if not reset and tuple(window) != model.window_shape_:
        raise ValueError(
            f"LSTMRegressor was fitted on windows of {model.window_shape_[0]} "
            f"steps x {model.window_shape_[1]} features; got X of shape "
            f"{shape3 if shape3 is not None else X.shape} read as "
            f"{window[0]} steps x {window[1]} features."
        )
    return X.reshape(X.shape[0], *window), X, y
