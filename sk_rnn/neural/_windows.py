"""How LSTMRegressor reads its input: rows of X as windows of time steps."""

from __future__ import annotations

import re
import warnings

import numpy as np

from .._utils._validation import ndim, validate
from ..exceptions import LayoutWarning
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


#: Layouts named after the library that writes the rows (see ``resolve_blocks``).
PRESETS = ("newest_first", "skforecast", "sktime")


def _is_int(v) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


def _lag_list(steps) -> tuple[int, ...] | None:
    """``n`` as lags ``-n, ..., -1``, or a list of increasing int lags."""
    if _is_int(steps):
        return tuple(range(-int(steps), 0)) if steps >= 1 else None
    if isinstance(steps, (tuple, list)) and steps and all(map(_is_int, steps)):
        lags = tuple(int(v) for v in steps)
        if all(a < b for a, b in zip(lags[:-1], lags[1:], strict=True)):
            return lags
    return None


def _block_columns(block) -> list[tuple[int, int]] | None:
    """``(feature, lag)`` of a list-layout block's columns, or None if malformed.

    ``(n_steps, n_features)`` means lags ``-n_steps, ..., -1``; ``(lags,
    n_features)`` with a list of increasing ints gives them as darts does
    (-1 the last observed step, 0 the predicted step, >0 after it). The
    columns are step-major, oldest first. ``lags`` may also be one lag list
    (or count) per feature, as darts writes a ``lags`` dict: the columns are
    then ordered by lag, and at each lag the features that have it.
    """
    if not (isinstance(block, (tuple, list)) and len(block) == 2):
        return None
    steps, features = block
    if not (_is_int(features) and features >= 1):
        return None
    if isinstance(steps, (tuple, list)) and steps and not _is_int(steps[0]):
        if len(steps) != features:
            return None
        per_feature = [_lag_list(s) for s in steps]
    else:
        per_feature = [_lag_list(steps)] * int(features)
    if any(lags is None for lags in per_feature):
        return None
    return [
        (f, lag)
        for lag in sorted({lag for lags in per_feature for lag in lags})
        for f, lags in enumerate(per_feature)
        if lag in lags
    ]


#: Share of consecutive rows that must repeat shifted for a layout check to
#: read the rows as windows, and the fewest rows it reads.
SHIFT_SHARE, SHIFT_MIN_ROWS = 0.8, 8


def _shift_share(X2, width, stride, newest_first) -> float:
    """Share of consecutive rows whose first ``width`` columns repeat shifted
    by ``stride`` (lags oldest first: the next row's column j is this row's
    column j + stride; newest first: the other way); 0 when too few rows."""
    if width <= stride:
        return 0.0
    head = X2[:, :width]
    later, earlier = head[1:], head[:-1]
    if newest_first:
        pairs = later[:, stride:], earlier[:, : width - stride]
    else:
        pairs = later[:, : width - stride], earlier[:, stride:]
    seen = np.isfinite(pairs[0]).all(axis=1) & np.isfinite(pairs[1]).all(axis=1)
    if seen.sum() < SHIFT_MIN_ROWS:
        return 0.0
    return float((pairs[0][seen] == pairs[1][seen]).all(axis=1).mean())


def _longest_shifted(X2, stride, newest_first) -> tuple[int, float]:
    """The widest prefix that repeats shifted in most rows, and its share."""
    width, share = stride, 0.0
    while width < X2.shape[1]:
        wider = _shift_share(X2, width + 1, stride, newest_first)
        if wider < SHIFT_SHARE:
            break
        width, share = width + 1, wider
    return (width, share) if width > stride else (0, 0.0)


def _far_below(other: float, share: float) -> bool:
    """Whether ``other`` order explains the rows far less than ``share``
    does: repeated values (zeros of intermittent counts) or series
    boundaries leave both orders close, and then nothing is told."""
    return other < 0.5 * share


def warn_step_order(X2: np.ndarray) -> None:
    """Warn when unnamed rows read as one feature's steps, oldest first, are
    evidently something else (:class:`~sk_rnn.exceptions.LayoutWarning`)."""
    n, m = X2.shape
    if m < 3 or n <= SHIFT_MIN_ROWS:
        return  # too few to tell
    full = _shift_share(X2, m, 1, False)
    if full >= SHIFT_SHARE:
        return  # the rows are what layout="steps" reads
    head = f"LSTMRegressor: the {m} columns of X"
    newest, share = _longest_shifted(X2, 1, True)
    if newest >= 3 and _far_below(_shift_share(X2, newest, 1, False), share):
        rest = f"; the other {m - newest} column(s) follow them" if newest < m else ""
        warnings.warn(
            f"{head} look like lags newest first (each row's columns 0-"
            f"{newest - 2} repeat as the next row's columns 1-{newest - 1}); "
            "layout='steps' reads them oldest first, in reverse"
            f"{rest}. Set layout='skforecast', n_steps={newest} (skforecast's "
            "lag_1, lag_2, ...).",
            LayoutWarning,
            stacklevel=4,
        )
        return
    for stride in range(2, m // 2 + 1):
        share = _shift_share(X2, m, stride, False) if m % stride == 0 else 0.0
        if share >= SHIFT_SHARE and _far_below(full, share):
            warnings.warn(
                f"{head} look like {stride} features per step, step-major "
                f"(each row repeats as the next row shifted by {stride} "
                "columns), but they are read as one feature's steps. Set "
                f"n_steps={m // stride}.",
                LayoutWarning,
                stacklevel=4,
            )
            return
    oldest, share = _longest_shifted(X2, 1, False)
    if oldest >= 3 and _far_below(full, share):
        warnings.warn(
            f"{head} are read as one feature's {m} steps, but only the first "
            f"{oldest} look like one series' lags (each row repeats as the "
            "next row shifted by one column); the other "
            f"{m - oldest} would be read as its newest steps. If they are "
            f"other variables' lags (sktime's make_reduction with X), set "
            f"layout='sktime', n_steps={oldest}; if they are known at the "
            f"predicted step, layout=[({oldest}, 1)].",
            LayoutWarning,
            stacklevel=4,
        )


def check_layout(model) -> None:
    """Refuse a ``layout`` that names no window (the type is checked already)."""
    layout = model.layout
    if isinstance(layout, str):
        return
    blocks = list(layout)
    columns = [_block_columns(b) for b in blocks]
    if not blocks or any(block is None for block in columns):
        raise ValueError(
            "LSTMRegressor expects layout to be 'steps', 'newest_first', "
            "'skforecast', 'sktime' or a non-empty list of (n_steps, n_features) "
            "pairs of positive ints (n_steps may be a list of increasing lags, as "
            "darts writes them, or n_features such lists or counts, one per "
            f"feature, as darts writes a lags dict); got layout={layout!r}."
        )
    if not any(lag < 0 for block in columns for _, lag in block):
        raise ValueError(
            f"LSTMRegressor got layout={layout!r}, whose blocks have no negative "
            "lag: there is no observed step to read. A block of lags >= 0 holds "
            "values known at the predicted step; add the target's block, e.g. "
            "(n_lags, 1)."
        )
    if model.n_steps is not None:
        raise ValueError(
            f"LSTMRegressor got n_steps={model.n_steps} and a list layout, which "
            "sets the steps itself; set n_steps=None."
        )


def resolve_blocks(model, names, n_columns: int) -> list[list[tuple[int, int]]]:
    """The blocks of a row: each the ``(feature, lag)`` of its columns in order.

    The columns after the blocks are given at every step. Refuses what the
    rows cannot say: a preset with ``n_steps=None`` on columns that do not
    name their lags (the lags cannot be told from window features or
    exogenous columns after them), or an ``n_steps`` the names contradict.
    """
    layout = model.layout
    if not isinstance(layout, str):
        return [_block_columns(b) for b in layout]
    named = _newest_first_lags(names) if names is not None else 0
    if named and model.n_steps not in (None, named):
        raise ValueError(
            f"LSTMRegressor got n_steps={model.n_steps}, but the columns of X "
            f"name {named} lags ({names[0]!r} ... {names[named - 1]!r}) before "
            f"{n_columns - named} other column(s); set n_steps={named} or "
            "n_steps=None."
        )
    newest_first = layout in ("newest_first", "skforecast") or named > 0
    if model.n_steps is None and not named and n_columns > 1:
        fix = {
            "sktime": "to make_reduction's window_length",
            "newest_first": "to the number of lags",
            "skforecast": "to the number of lags (the forecaster's lags)",
        }[layout]
        seen = "unnamed columns" if names is None else "columns not named as lags"
        raise ValueError(
            f"LSTMRegressor got {n_columns} {seen} with layout={layout!r} and "
            "n_steps=None, and cannot tell the lags from columns after them "
            + (
                "(window features, exogenous or calendar columns), which would be "
                "read as the oldest lags"
                if newest_first
                else "(each exogenous column's lags), which would be read as the "
                "target's newest steps"
            )
            + f". Set n_steps {fix}: LSTMRegressor(layout={layout!r}, "
            "n_steps=...)."
        )
    n_steps = named or model.n_steps or n_columns
    if newest_first:
        return [[(0, lag) for lag in range(-1, -n_steps - 1, -1)]]
    if n_columns % n_steps:
        raise ValueError(
            f"LSTMRegressor got {n_columns} columns with layout='sktime' and "
            f"n_steps={n_steps}; sktime's reduction writes window_length columns "
            "for the target and for each exogenous column, so the count must be "
            f"a multiple of n_steps. Set n_steps to make_reduction's window_length."
        )
    return [[(0, lag) for lag in range(-n_steps, 0)]] * (n_columns // n_steps)


def apply_layout(model, X2: np.ndarray, names=None) -> np.ndarray:
    """Windows ``(n, n_steps, n_features)`` from 2-D rows laid out by ``layout``.

    Every block is ``len(lags)`` steps of ``n_features`` features, step-major
    in the order of its lags (or ordered by lag, then feature, where each
    feature has its own lags). The window's steps are the negative lags of
    all blocks, oldest first; at a step a feature does not have, it holds its
    latest earlier value (its oldest before its first lag). A block's values
    at lags >= 0 (darts' future covariates at and after the predicted step)
    and the columns after the blocks (exogenous or calendar values, window
    features, a series code, static covariates) are given at every step.
    """
    n, n_columns = X2.shape
    blocks = resolve_blocks(model, names, n_columns)
    width = sum(len(block) for block in blocks)
    if width > n_columns:
        raise ValueError(
            f"LSTMRegressor got X with {n_columns} columns, fewer than the "
            f"{width} that layout={model.layout!r} (n_steps={model.n_steps}) "
            "reads."
        )
    times = np.array(sorted({lag for b in blocks for _, lag in b if lag < 0}))
    parts, columns, start = [], [], 0
    for block in blocks:
        for feature in sorted({f for f, _ in block}):
            past = sorted(
                (lag, start + i)
                for i, (f, lag) in enumerate(block)
                if f == feature and lag < 0
            )
            if past:
                lags, cols = (np.array(v) for v in zip(*past, strict=True))
                latest = np.searchsorted(lags, times, side="right") - 1
                parts.append(X2[:, cols[np.maximum(latest, 0)], None])
        columns.extend(start + i for i, (_, lag) in enumerate(block) if lag >= 0)
        start += len(block)
    given = [X2[:, columns]]
    given.append(X2[:, start:])
    columns.extend(range(start, n_columns))
    static = np.concatenate(given, axis=1)
    missing = np.flatnonzero(np.isnan(static).any(axis=0))
    if missing.size:
        raise ValueError(
            f"LSTMRegressor (layout={model.layout!r}) got NaN in column(s) "
            f"{np.asarray(columns)[missing].tolist()}, which are given at every "
            "step (they follow the lags, or hold lags >= 0); a NaN there would "
            "mark every step of the window missing. Impute those columns "
            "(exogenous values, a series code)."
        )
    parts.append(np.repeat(static[:, None, :], len(times), axis=1))
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
        laid_out = apply_layout(model, X, names)
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
    if reset and shape3 is None and model.layout == "steps" and window[1] == 1:
        if names_window is None:
            warn_step_order(X)
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
