"""A series' time axis and what a block is relative to the fitted one.

:class:`TimeAxis` keeps a fitted block's first and last labels and its step;
:func:`block_kind` (one series) and :func:`series_kind` (a series of a panel),
both through :func:`index_kind`, say whether a later block continues the
fitted one, starts where it started, or neither ("unknown", with the reason
the :class:`~sk_rnn.exceptions.MissingHistoryWarning` gives). Used by the
time-step transformers of :mod:`sk_rnn.preprocessing` and by
:class:`~sk_rnn.SeriesPipeline`'s history (:mod:`sk_rnn.series._panel`).
"""

from __future__ import annotations

import contextvars
import warnings
from contextlib import contextmanager

import numpy as np

from .._utils._plain import PlainStateMixin
from ..exceptions import MissingHistoryWarning

#: Set while a block is known to start a series: by SeriesPipeline around
#: its steps (it has prefixed the history) and by a time-step transformer's
#: fit_transform (the fitted block): no index continuation, no warning. A
#: context variable, so it is per thread and per asyncio task, and always
#: reset by ``series_start``.
_SERIES_START = contextvars.ContextVar("sk_rnn_series_start", default=False)


@contextmanager
def series_start():
    """Within this block, time-step transformers read every block as a start."""
    token = _SERIES_START.set(True)
    try:
        yield
    finally:
        _SERIES_START.reset(token)


def in_series_start() -> bool:
    """Whether the calling step transforms a block that starts a series."""
    return _SERIES_START.get()


def is_dataframe(X) -> bool:
    return hasattr(X, "iloc") and hasattr(X, "columns") and hasattr(X, "index")


def time_index(X):
    """Return the pandas index of ``X`` if it can order time steps, else None.

    Integer, float, datetime and period indexes order time steps; an index of
    strings (or a NumPy array or polars frame, which have none) does not, and
    then no continuation is attempted. A panel's MultiIndex is read series by
    series (see :mod:`sk_rnn.series._panel`), so it is None here.
    """
    if not (is_dataframe(X) or (hasattr(X, "index") and hasattr(X, "iloc"))):
        return None
    import pandas as pd

    if isinstance(X.index, pd.MultiIndex):
        return None
    return as_time_index(X.index)


def as_time_index(index):
    """``index`` if its labels can order time steps, else None."""
    import pandas as pd

    if index is None:
        return None
    if isinstance(index, (pd.DatetimeIndex, pd.PeriodIndex)):
        return index
    if pd.api.types.is_numeric_dtype(index.dtype) and not pd.api.types.is_bool_dtype(
        index.dtype
    ):
        return index
    return None


def check_time_order(index, owner: str) -> None:
    """Raise if a time index is not strictly increasing."""
    if len(index) < 2 or index.is_monotonic_increasing and index.is_unique:
        return
    values = list(index)
    for position in range(1, len(values)):
        if not values[position] > values[position - 1]:
            break
    raise ValueError(
        f"{owner} expects the rows of X in time order, oldest first, with a "
        f"strictly increasing index; row {position} has index "
        f"{values[position]!r} after {values[position - 1]!r}. Sort X with "
        "X.sort_index() and remove duplicated time steps; if X holds several "
        "series (a long frame), give it a two-level (series id, time) "
        f"MultiIndex instead: X.set_index([series_column, time_column]). {RESAMPLED}"
    )


#: Why a search may pass rows out of order, and what to do instead.
RESAMPLED = (
    "If a search passed these rows: HalvingGridSearchCV and "
    "HalvingRandomSearchCV with the default resource='n_samples' train each "
    "candidate on a random subset of a fold's rows in random order, and a "
    "bootstrap (sklearn.utils.resample) draws rows in random order too; make "
    "the training epochs the resource instead, resource='max_epochs' for an "
    "LSTMRegressor or its nested name in a composition "
    "(resource='regressor__lstmregressor__max_epochs' for make_forecaster), "
    "with max_resources set."
)


def _unique_positions(values):
    """Sorted values that occur once in ``values``, and their positions."""
    found, first, counts = np.unique(values, return_index=True, return_counts=True)
    once = counts == 1
    return found[once], first[once]


def shuffled_rows(level, later, min_horizon: int = 1):
    """Rows whose later level is the unique level of an earlier row.

    ``level[t]`` is the series' level at row ``t`` (a forecaster's reference
    column) and ``later[t]`` a level after it (the target). Rows in time order
    whose targets are later levels of the same series satisfy
    ``later[t] == level[t + h]`` for a horizon ``h >= 1``; a level that occurs
    once in the block is matched to one row only, so no target inside the
    block can equal the level of an earlier row (its own level is a zero
    change, which is allowed). A permutation of the rows (what a random
    subsample or a bootstrap passes) breaks the shift: about half of the
    matched targets then point backwards, and the matched rows are no
    longer in the order of the rows they match. Rows whose target lies
    past the end of the block (the last ``h``, ``h`` being the offset most
    matches share) are left out; a block without matches says nothing.
    Returns ``(rows, their matched earlier rows)``.
    """
    level = np.asarray(level, dtype=float).ravel()
    later = np.asarray(later, dtype=float).ravel()
    n = len(level)
    values, positions = _unique_positions(level)
    if n < 3 or len(values) == 0:
        return np.arange(0), np.arange(0)
    where = np.minimum(np.searchsorted(values, later), len(values) - 1)
    hit = values[where] == later
    rows = np.flatnonzero(hit)
    if len(rows) < MIN_MATCHED_SHARE * n:
        # Few targets are levels of the block at all: y is not evidently a
        # later level of this column, and chance matches prove nothing.
        return np.arange(0), np.arange(0)
    earlier = positions[where[hit]]
    offsets = earlier - rows
    ahead = offsets[offsets > 0]
    horizon = 0
    if len(ahead):
        counts = np.bincount(ahead)
        if 2 * counts.max() >= len(rows):
            horizon = int(counts.argmax())
    # A target of the last rows lies past the block (at least ``min_horizon``
    # rows: column k of make_horizon_xy's y is k + 1 steps ahead), where it
    # may equal an earlier level of a series that repeats itself.
    horizon = max(horizon, min_horizon)
    back = (offsets < 0) & (rows < n - horizon)
    if np.all(np.diff(earlier) >= 0):
        # Matches in the rows' own order (y a function of the level, such
        # as y[t] = level[t // 2] on a grid of values) are not a shuffle.
        return np.arange(0), np.arange(0)
    return rows[back], earlier[back]


#: Targets that must equal a level of the block (a share of its rows) before
#: their order says anything: a search's random subset keeps about its own
#: share of each target's level.
MIN_MATCHED_SHARE = 0.2
#: Out-of-order rows, as a share of the block, that prove a shuffle (at least
#: two): repeated values can point a few targets backwards in a block in order.
MIN_SHUFFLED_SHARE = 0.05


def check_shift_order(level, later, owner: str, column) -> None:
    """Refuse a block whose targets say its rows are out of time order.

    For blocks without a time index (NumPy): see :func:`shuffled_rows`.
    Two such rows are needed, so that one repeated value cannot refuse a
    block in order. ``later`` may hold several target columns (horizons).
    """
    later = np.asarray(later, dtype=float)
    columns = later.reshape(len(later), -1).T
    for k, target in enumerate(columns):
        rows, earlier = shuffled_rows(level, target, min_horizon=k + 1)
        if len(rows) < max(2, int(np.ceil(MIN_SHUFFLED_SHARE * len(target)))):
            continue
        raise ValueError(
            f"{owner} expects the rows of X in time order, oldest first, but y "
            f"says they are out of order: {len(rows)} "
            f"row(s) have a target equal to the level (X column {column!r}) of "
            f"an earlier row, the first row {rows[0]}, whose target "
            f"{float(target[rows[0]])!r} is the level of row {earlier[0]}. A target is "
            "a later level of the series, so the rows have been shuffled. Pass "
            f"the rows in time order. {RESAMPLED}"
        )


def _add_steps(labels, step, k: int = 1):
    """``labels`` moved ``k`` time steps on (a label or an index)."""
    import pandas as pd

    if isinstance(labels, (pd.Period, pd.PeriodIndex)):
        return labels + k
    if isinstance(step, pd.offsets.BaseOffset):
        with warnings.catch_warnings():  # non-vectorised offsets (business days)
            warnings.simplefilter("ignore", pd.errors.PerformanceWarning)
            return labels + k * step
    return labels + k * step


def _irregular(index, owner: str, position: int, expected) -> ValueError:
    return ValueError(
        f"{owner} expects one row per time step at a regular frequency; X's "
        f"index has {index[position]!r} at row {position} after "
        f"{index[position - 1]!r}, where the next step is {expected!r} (a "
        "missing or extra time step). Insert the missing steps as NaN rows "
        "(X.asfreq(freq) for a DatetimeIndex, X.reindex(...) otherwise) or "
        "give X a regular index."
    )


def _first_irregular(index, step) -> int | None:
    """Position of the first label that is not its predecessor plus ``step``."""
    if len(index) < 2:
        return None
    expected = _add_steps(index[:-1], step)
    same = np.asarray(index[1:] == expected, dtype=bool)
    bad = np.flatnonzero(~same)
    return None if len(bad) == 0 else int(bad[0]) + 1


def _infer_freq(index):
    """``pd.infer_freq`` as an offset (or None), on pandas 2 and 3 alike."""
    import pandas as pd

    # pandas 3 warns that infer_freq will return an offset instead of a
    # string; to_offset takes either, so the warning is about nothing here.
    future = getattr(pd.errors, "Pandas4Warning", FutureWarning)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", future)
        inferred = pd.infer_freq(index)
    return None if inferred is None else pd.tseries.frequencies.to_offset(inferred)


def _index_step(index, owner: str):
    """The time step of a strictly increasing time index, checked row by row.

    A PeriodIndex steps by one period. A DatetimeIndex steps by its ``freq``,
    or by the frequency pandas infers from its labels (month ends, business
    days, ... continue correctly). A numeric index steps by its constant
    difference. Raises with the first offending label if the steps are not
    regular; returns None when a block is too short to tell (then it can be
    neither continued nor checked).
    """
    import pandas as pd

    if isinstance(index, pd.PeriodIndex):
        step = 1
    elif isinstance(index, pd.DatetimeIndex):
        step = index.freq
        if step is None and len(index) >= 3:
            inferred = _infer_freq(index)
            if inferred is None:
                # Name the first label the opening steps do not explain.
                offset = _infer_freq(index[:3])
                if offset is None:
                    raise ValueError(
                        f"{owner} could not infer the frequency of X's "
                        f"DatetimeIndex (it starts {list(index[:3].astype(str))}); "
                        "its steps are irregular. Set a frequency with "
                        "X.asfreq(freq), which inserts missing steps as NaN rows."
                    )
                position = _first_irregular(index, offset)
                raise _irregular(
                    index, owner, position, _add_steps(index[position - 1], offset)
                )
            step = inferred
        if step is None:
            return None
    else:
        if len(index) < 2:
            return None
        steps = np.diff(np.asarray(index))
        step = steps[0]
    position = _first_irregular(index, step)
    if position is not None:
        raise _irregular(index, owner, position, _add_steps(index[position - 1], step))
    return step


class TimeAxis(PlainStateMixin):
    """What is remembered of a fitted block's time index (never the index).

    ``first`` and ``last`` labels and the ``step``; enough to tell whether a
    later block continues the fitted one, starts where it started, or
    neither, and to check the later block's own steps.
    """

    def __init__(self, first, last, step):
        self.first, self.last, self.step = first, last, step

    @classmethod
    def of(cls, X, owner: str):
        """The axis of ``X``, after checking its order and steps; or None."""
        refuse_panel(X, owner)
        return cls.from_index(time_index(X), owner)

    @classmethod
    def from_index(cls, index, owner: str):
        """The axis of a time index (None: no time index), after checks."""
        if index is None or len(index) == 0:
            return None
        check_time_order(index, owner)
        step = _index_step(index, owner)
        return cls(index[0], index[-1], step)

    @property
    def next(self):
        """The label a directly continuing block starts with (or None)."""
        if self.step is None:
            return None
        return _add_steps(self.last, self.step)

    def __repr__(self) -> str:
        return f"TimeAxis({self.first!r}, {self.last!r}, step={self.step!r})"


def refuse_panel(X, owner: str) -> None:
    """Refuse a MultiIndex: its rows are not one series' time steps."""
    import pandas as pd

    index = getattr(X, "index", None)
    if isinstance(index, pd.MultiIndex):
        raise ValueError(
            f"{owner} reads the rows of X as the time steps of one series, but X "
            f"has a {index.nlevels}-level MultiIndex ({list(index.names)}), as a "
            "panel of several series has; its differences and windows would "
            "cross from one series into the next. It was fitted on one series: "
            "fit it on the panel (each series keeps its own history) or pass a "
            "single series."
        )


def _same_label(a, b) -> bool:
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


NO_TIME_INDEX = (
    "X has no time index (a NumPy array, a polars frame, or a DataFrame whose "
    "index is not numeric, datetime or period)"
)


def block_kind(fitted: TimeAxis | None, X, owner: str) -> tuple[str, str]:
    """What a block is relative to the fitted one: ``(kind, reason)``.

    ``kind`` is "continues" (its index directly continues the fitted index),
    "start" (its index starts where the fitted index started) or "unknown"
    (no time index, or one that does neither; ``reason`` says which). The
    block's own index is checked for order and regular steps.
    """
    refuse_panel(X, owner)
    index = time_index(X)
    if index is None:
        return "unknown", NO_TIME_INDEX
    return index_kind(fitted, index, owner)


def index_kind(fitted: TimeAxis | None, index, owner: str) -> tuple[str, str]:
    """:func:`block_kind` for a block's time index (not None)."""
    if len(index) == 0:
        return "start", ""
    check_time_order(index, owner)
    step = None if fitted is None else fitted.step
    if step is None:
        step = _index_step(index, owner)
    elif len(index) >= 2:
        position = _first_irregular(index, step)
        if position is not None:
            raise _irregular(
                index, owner, position, _add_steps(index[position - 1], step)
            )
    if fitted is None:
        return "unknown", "the fitted block had no time index"
    if fitted.next is not None and _same_label(index[0], fitted.next):
        return "continues", ""
    if fitted.step is None and _steps_on(fitted, index):
        return "continues", ""
    if _same_label(index[0], fitted.first):
        return "start", ""
    return "unknown", (
        f"X's index starts at {index[0]!r}, which neither continues the fitted "
        f"block (next step {fitted.next!r}) nor starts it ({fitted.first!r})"
    )


def _steps_on(fitted: TimeAxis, index) -> bool:
    """Whether a block steps on regularly from a fitted axis too short to
    have a step (one or two dated rows): the fitted labels and the block's
    first two, together, have one frequency."""
    import pandas as pd

    labels = (
        [fitted.first] if fitted.first == fitted.last else [fitted.first, fitted.last]
    )
    try:
        joined = pd.DatetimeIndex([*labels, *index[:2]])
    except (TypeError, ValueError):  # not dates: no calendar step to infer
        return False
    return (
        len(joined) >= 3
        and joined.is_monotonic_increasing
        and joined.is_unique
        and _infer_freq(joined) is not None
    )


def series_axes(panel, owner: str) -> list:
    """The checked time axis of every series of a panel (None: no time level)."""
    return [
        TimeAxis.from_index(
            as_time_index(panel.time(k)), f"{owner} (series {panel.ids[k]!r})"
        )
        for k in range(len(panel))
    ]


def series_kind(axes, position, panel, k: int, owner: str) -> tuple[str, str]:
    """:func:`block_kind` of series ``k`` of a panel; ``position`` is its
    place among the fitted series (None: not fitted)."""
    key = panel.ids[k]
    if position is None:
        return "unknown", f"series {key!r} was not in the fitted panel"
    times = as_time_index(panel.time(k))
    if times is None:
        return "unknown", "X's time level is not numeric, datetime or period"
    name = f"{owner} (series {key!r})"
    kind, why = index_kind(axes[position], times, name)
    return kind, (f"in series {key!r}, {why}" if why else "")


def warn_missing_series_history(owner: str, lacking: list, fix: str) -> None:
    """One MissingHistoryWarning for the series of a panel that lack history.

    ``lacking`` holds ``(rows lacking history, reason)`` per such series.
    """
    if not lacking:
        return
    more = f" (and {len(lacking) - 1} more series)" if len(lacking) > 1 else ""
    warnings.warn(
        f"{owner}: the first {sum(n for n, _ in lacking)} row(s) of X need "
        f"history that is not available, because {lacking[0][1]}{more}; they "
        f"are read as the start of a new series (NaN or shorter windows). {fix}",
        MissingHistoryWarning,
        stacklevel=4,
    )


def warn_missing_history(owner: str, n_rows: int, reason: str, fix: str) -> None:
    """Emit the MissingHistoryWarning of a block whose warm-up lacks history."""
    warnings.warn(
        f"{owner}: the first {n_rows} row(s) of X need history that is not "
        f"available, because {reason}; they are read as the start of a new "
        f"series (NaN or shorter windows). {fix}",
        MissingHistoryWarning,
        stacklevel=3,
    )


HISTORY_FIX = (
    "If X continues the fitted series, pass a DataFrame whose index continues "
    "the fitted index, or wrap the steps in a SeriesPipeline, which carries "
    "the history itself (predict(X, history='fit')); if X starts a new series, "
    "use SeriesPipeline(..., history='none') or filter this warning."
)
