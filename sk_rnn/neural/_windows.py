"""How LSTMRegressor reads its input: rows of X as windows of time steps."""

from __future__ import annotations

import re
import warnings

import numpy as np

from .._utils._validation import ndim, validate
from ..series._time import check_time_order, time_index

_LAG_NAME = re.compile(r"^(?P<base>.+)_lag(?P<lag>[0-9]+)$")
#: Lag columns numbered from the newest: skforecast's ``lag_1, lag_2, ...``,
#: sktime's global reduction's ``y_lag_1, y_lag_2, ...``.
_NEWEST_FIRST_NAME = re.compile(r"^(?:.*_)?lag_(?P<lag>[0-9]+)$")


def _newest_first_lags(names) -> int:
    """How many leading columns are named as lags counted from the newest."""
    k = 0
    for name in names:
        match = _NEWEST_FIRST_NAME.match(str(name))
        if match is None or int(match["lag"]) != k + 1:
            break
        k += 1
    return k


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


def check_layout(model) -> None:
    """Refuse a ``layout`` that names no window (the type is checked already)."""
    layout = model.layout
    if isinstance(layout, str):
        return
    blocks = list(layout)
    ok = len(blocks) > 0 and all(
        isinstance(b, (tuple, list))
        and len(b) == 2
        and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in b)
        and min(b) >= 1
        for b in blocks
    )
    if not ok:
        raise ValueError(
            "LSTMRegressor expects layout to be 'steps', 'newest_first' or a "
            "non-empty list of (n_steps, n_features) pairs of positive ints; got "
            f"layout={layout!r}."
        )
    if model.n_steps is not None:
        raise ValueError(
            f"LSTMRegressor got n_steps={model.n_steps} and a list layout, which "
            "sets the steps itself; set n_steps=None."
        )


def apply_layout(model, X2: np.ndarray) -> np.ndarray:
    """Windows ``(n, n_steps, n_features)`` from 2-D rows laid out by ``layout``.

    "newest_first": the first ``n_steps`` columns (all, for None) are one
    feature's lags, newest first (skforecast's ``lag_1, lag_2, ...``). A list of
    ``(n_steps, n_features)`` blocks: each block is ``n_steps`` steps of
    ``n_features`` features, step-major and oldest first (darts' target and
    covariate blocks, one after the other); a block shorter than the longest
    is aligned with the newest step, its earlier steps holding its oldest
    values. The columns after the lags or blocks are read as known at the
    predicted step (exogenous or calendar values, a series code) and given
    at every step.
    """
    n, n_columns = X2.shape
    if isinstance(model.layout, str):
        blocks, order = [(model.n_steps or n_columns, 1)], -1
    else:
        blocks, order = [tuple(int(v) for v in b) for b in model.layout], 1
    width = sum(s * f for s, f in blocks)
    if width > n_columns:
        raise ValueError(
            f"LSTMRegressor got X with {n_columns} columns, fewer than the "
            f"{width} that layout={model.layout!r} (n_steps={model.n_steps}) "
            "reads."
        )
    n_steps = max(s for s, _ in blocks)
    parts, start = [], 0
    for steps, features in blocks:
        block = X2[:, start : start + steps * features].reshape(n, steps, features)
        block = block[:, ::order]
        if steps < n_steps:
            front = np.repeat(block[:, :1], n_steps - steps, axis=1)
            block = np.concatenate([front, block], axis=1)
        parts.append(block)
        start += steps * features
    static = X2[:, start:]
    missing = np.flatnonzero(np.isnan(static).any(axis=0))
    if missing.size:
        raise ValueError(
            f"LSTMRegressor (layout={model.layout!r}) got NaN in column(s) "
            f"{(missing + start).tolist()}, which follow the lags and are given "
            "at every step; a NaN there would mark every step of the window "
            "missing. Impute those columns (exogenous values, a series code)."
        )
    parts.append(np.repeat(static[:, None, :], n_steps, axis=1))
    return np.ascontiguousarray(np.concatenate(parts, axis=2))


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
    # The loss is sum(w * l) / sum(w): weights matter only relative to each
    # other. Dividing by their mean keeps that exactly and brings them into
    # float32's range (1e-50 would be 0 there, and 1e38 overflow a sum).
    weights = weights / weights[weights > 0].mean()
    lost = (weights > 0) & (weights.astype(np.float32) == 0)
    if lost.any():
        warnings.warn(
            f"LSTMRegressor: sample_weight spans more than float32 holds; "
            f"{int(lost.sum())} row(s) weigh less than 1e-45 of the mean weight "
            "and train as weight 0. Clip the smallest weights if they matter.",
            UserWarning,
            stacklevel=4,
        )
    return weights


def validate_windows(model, X, y=None, *, reset):
    """Validate X (and y) for ``model``: ``(windows, X2, y)``.

    ``windows`` is ``(n, n_steps, n_features)``, C-contiguous; ``X2`` the
    validated 2-D array.
    """
    if model.stateful:  # rows are a stream: they must be in time order
        index = time_index(X)
        if index is not None:
            check_time_order(index, "LSTMRegressor (stateful=True)")
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
    laid_out = None
    if (
        reset
        and shape3 is None
        and model.layout == "steps"
        and names is not None
        and _newest_first_lags(names) > 1
    ):
        raise ValueError(
            f"LSTMRegressor got columns {[str(n) for n in names[:3]]}..., lags "
            "numbered from the newest step, but layout='steps' reads the columns "
            "oldest step first; set layout='newest_first' (n_steps="
            f"{_newest_first_lags(names)} if other columns follow)."
        )
    if reset and shape3 is None and model.layout != "steps" and names_window:
        raise ValueError(
            f"LSTMRegressor got columns {[str(n) for n in names[:3]]}..., "
            "LagFeaturizer's windows (oldest step first), but "
            f"layout={model.layout!r} reads another library's columns (newest "
            "first, or blocks); set layout='steps'."
        )
    if shape3 is None and model.layout != "steps":
        check_layout(model)
        laid_out = apply_layout(model, X)
        window = laid_out.shape[1:]
    elif shape3 is not None:
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
        windows = X.reshape(X.shape[0], *window) if laid_out is None else laid_out
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
    if laid_out is not None:
        return laid_out, X, y
    return X.reshape(X.shape[0], *window), X, y
