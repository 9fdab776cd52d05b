"""Machinery shared by the transformers whose rows are time steps.

A time-step transformer computes output row ``t`` from input rows ``t - w .. t``
(``w`` is its warm-up length). It never adds or drops rows. What the first
``w`` rows of a block get depends on what the block is (see
:func:`block_kind`):

- a pandas block whose time index directly continues the fitted index: the
  last ``w`` fitted rows supply the history, and every row is exact;
- the start of a series (the fitted block itself, a pandas block whose index
  starts where the fitted index starts, or any block inside a
  :class:`~sk_rnn.SeriesPipeline`, which prepends the history itself): the
  warm-up rows have no history, and NaN is the exact answer;
- anything else (a NumPy array, a polars frame, a DataFrame whose index
  neither continues nor starts the fitted one): the warm-up rows are NaN and
  a :class:`~sk_rnn.exceptions.MissingHistoryWarning` says so.
"""

from __future__ import annotations

import contextvars
import warnings
from contextlib import contextmanager

import numpy as np
from numpy.typing import NDArray
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ._base import SkRnnEstimatorMixin
from ._compat import _fit_context, _get_output_config
from ._panel import fit_layout, panel_layout, panel_segments
from ._plain import PlainStateMixin
from ._validation import validate
from .exceptions import MissingHistoryWarning

FLOAT_DTYPES = (np.float64, np.float32)

#: Set by SeriesPipeline while its steps transform a block that it has
#: already prefixed with the needed history: the block is read as the start
#: of a series (no index continuation, no warning). A context variable, so it
#: is per thread and per asyncio task, and always reset by ``series_start``.
_SERIES_START = contextvars.ContextVar("sk_rnn_series_start", default=False)


@contextmanager
def series_start():
    """Within this block, time-step transformers read every block as a start."""
    token = _SERIES_START.set(True)
    try:
        yield
    finally:
        _SERIES_START.reset(token)


def _is_dataframe(X) -> bool:
    return hasattr(X, "iloc") and hasattr(X, "columns") and hasattr(X, "index")


def _time_index(X):
    """Return the pandas index of ``X`` if it can order time steps, else None.

    Integer, float, datetime and period indexes order time steps; an index of
    strings (or a NumPy array or polars frame, which have none) does not, and
    then no continuation is attempted. A panel's MultiIndex is read series by
    series (see :mod:`sk_rnn._panel`), so it is None here.
    """
    if not (_is_dataframe(X) or (hasattr(X, "index") and hasattr(X, "iloc"))):
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


def _check_time_order(index, owner: str) -> None:
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
        "MultiIndex instead: X.set_index([series_column, time_column])."
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
        _refuse_panel(X, owner)
        return cls.from_index(_time_index(X), owner)

    @classmethod
    def from_index(cls, index, owner: str):
        """The axis of a time index (None: no time index), after checks."""
        if index is None or len(index) == 0:
            return None
        _check_time_order(index, owner)
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


def _refuse_panel(X, owner: str) -> None:
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


def block_kind(fitted: TimeAxis | None, X, owner: str) -> tuple[str, str]:
    """What a block is relative to the fitted one: ``(kind, reason)``.

    ``kind`` is "continues" (its index directly continues the fitted index),
    "start" (its index starts where the fitted index started) or "unknown"
    (no time index, or one that does neither; ``reason`` says which). The
    block's own index is checked for order and regular steps.
    """
    _refuse_panel(X, owner)
    index = _time_index(X)
    if index is None:
        return "unknown", (
            "X has no time index (a NumPy array, a polars frame, or a DataFrame "
            "whose index is not numeric, datetime or period)"
        )
    return index_kind(fitted, index, owner)


def index_kind(fitted: TimeAxis | None, index, owner: str) -> tuple[str, str]:
    """:func:`block_kind` for a block's time index (not None)."""
    if len(index) == 0:
        return "start", ""
    _check_time_order(index, owner)
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
    if _same_label(index[0], fitted.first):
        return "start", ""
    return "unknown", (
        f"X's index starts at {index[0]!r}, which neither continues the fitted "
        f"block (next step {fitted.next!r}) nor starts it ({fitted.first!r})"
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


def _pad_front(rows: NDArray, n: int, fill: float) -> NDArray:
    """``rows`` behind ``n - len(rows)`` rows of ``fill``."""
    if len(rows) >= n:
        return rows.copy()
    pad = np.full((n - len(rows),) + rows.shape[1:], fill, dtype=rows.dtype)
    return np.concatenate([pad, rows], axis=0)


def wrap_like_input(estimator, values: NDArray, X):
    """Return a DataFrame for DataFrame input under the default output.

    Returning the input's container keeps the index, so the next time-step
    transformer of a Pipeline can still continue the series (or tell the
    series of a panel apart). ``set_output(transform="pandas")`` (or polars)
    is handled by scikit-learn's wrapper, which receives the array.
    """
    if not _is_dataframe(X) or not hasattr(X, "to_numpy"):
        return values
    if _get_output_config("transform", estimator)["dense"] != "default":
        return values
    import pandas as pd

    if not isinstance(X, pd.DataFrame):
        return values
    return pd.DataFrame(
        values, index=X.index, columns=estimator.get_feature_names_out(), copy=False
    )


class _TimeStepTransformer(SkRnnEstimatorMixin, TransformerMixin, BaseEstimator):
    """Base class: validation, history and output containers.

    Subclasses define ``_n_warmup()``, the number of earlier rows an output row
    needs, and ``_transform_rows(X)``, which maps a block to its output with
    the first ``_n_warmup()`` rows undefined.
    """

    def _n_warmup(self) -> int:  # pragma: no cover - abstract
        raise NotImplementedError

    def _transform_rows(self, X: NDArray) -> NDArray:  # pragma: no cover
        raise NotImplementedError

    def _warmup_description(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def _remember(self, X: NDArray, starts=None, stops=None) -> None:
        """Hook: store what the subclass needs from the validated fitted block.

        ``starts`` and ``stops`` bound each series of a panel (None: one
        series).
        """

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Remember the fitted block's length, tail and time axis.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The series, one row per time step, oldest first, with more rows
            than the warm-up (``n_warmup_``). NaN is allowed and propagates. A
            DataFrame with a numeric, datetime or period index must have it
            strictly increasing and regular (one row per time step; a
            DatetimeIndex without ``freq`` must have one pandas can infer).
        y : array-like or None, default=None
            Not used, except for its index: a pandas ``y`` with a (series id,
            time) MultiIndex gives the panel layout of an ``X`` that has
            none (an array returned by an earlier step of a Pipeline).

        Returns
        -------
        self : object
            The fitted transformer.
        """
        X_values = validate(self, X, dtype=FLOAT_DTYPES, ensure_all_finite="allow-nan")
        owner = type(self).__name__
        n_warmup = self._n_warmup()
        panel = fit_layout(X, y, owner, X_values.shape[0])
        for name in ("series_", "_series_index"):
            self.__dict__.pop(name, None)
        self.n_warmup_ = n_warmup
        self.n_samples_fit_ = X_values.shape[0]
        if panel is not None:
            return self._fit_panel(X_values, panel)
        if X_values.shape[0] <= n_warmup:
            raise ValueError(
                f"{owner} needs at least {n_warmup + 1} rows to fit "
                f"({self._warmup_description()}); got {X_values.shape[0]} "
                "sample(s)."
            )
        self._axis = TimeAxis.of(X, owner)
        self.tail_ = X_values[X_values.shape[0] - n_warmup :].copy()
        self._remember(X_values)
        return self

    def _fit_panel(self, X_values: NDArray, panel) -> _TimeStepTransformer:
        """Fit on every series of a panel: one tail and time axis each."""
        owner, n_warmup = type(self).__name__, self.n_warmup_
        if len(panel) == 0:
            raise ValueError(f"{owner} needs at least one row to fit; X has none.")
        self.series_ = panel.ids.copy()
        self._lengths = panel.lengths.copy()
        self._series_index = {key: k for k, key in enumerate(panel.ids)}
        self._axis = None
        self._axes = series_axes(panel, owner)
        # A series shorter than the warm-up keeps what it has, behind NaN
        # (there was no earlier step): the rows that continue it get exactly
        # the history that exists.
        pad = self._history_fill()
        self.tail_ = np.stack(
            [
                _pad_front(X_values[max(a, b - n_warmup) : b], n_warmup, pad)
                for a, b in zip(panel.starts, panel.stops, strict=True)
            ]
        )
        self._remember(X_values, panel.starts, panel.stops)
        return self

    def _history_fill(self) -> float:
        """What stands for steps before the start of a short series."""
        return np.nan

    def fit_transform(self, X, y=None):
        """Fit, then transform the fitted block (the start of the series).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The series, as for ``fit``.
        y : array-like or None, default=None
            Not used, except for its panel index (see ``fit``).

        Returns
        -------
        X_out : ndarray or DataFrame of shape (n_samples, n_features_out)
            The transformed block; its first ``n_warmup_`` rows have no
            history and are NaN.
        """
        self.fit(X, y)
        layout = fit_layout(X, y, type(self).__name__, self.n_samples_fit_)
        with series_start(), panel_segments(layout):
            return self.transform(X)

    def _block_kind(self, X) -> tuple[str, str]:
        if _SERIES_START.get():
            return "start", ""
        return block_kind(self._axis, X, type(self).__name__)

    def transform(self, X):
        """Transform a block of time steps.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            A block of the series, oldest row first. If it is a DataFrame whose
            index directly continues the index seen in ``fit``, the fitted
            block's last rows supply the history of its first rows. If it
            starts a series (a DataFrame whose index starts where the fitted
            index starts, or any block inside a
            :class:`~sk_rnn.SeriesPipeline`), its first ``n_warmup_`` rows have
            no history and are NaN. Otherwise (a NumPy array, a polars frame,
            a DataFrame that neither continues nor starts the fitted one)
            they are NaN too, and a
            :class:`~sk_rnn.exceptions.MissingHistoryWarning` says so.

        Returns
        -------
        X_out : ndarray or DataFrame of shape (n_samples, n_features_out)
            The transformed block, with as many rows as ``X``. A DataFrame in
            gives a DataFrame out with the same index (see ``set_output``).
        """
        check_is_fitted(self)
        X_values = validate(
            self, X, reset=False, dtype=FLOAT_DTYPES, ensure_all_finite="allow-nan"
        )
        panel = self._check_panel(X, X_values)
        if panel is not None:
            return self._wrap_like_input(self._transform_panel(X_values, panel), X)
        kind, reason = self._block_kind(X)
        if kind == "continues" and self.n_warmup_:
            history = self.tail_.astype(X_values.dtype, copy=False)
            full = np.concatenate([history, X_values], axis=0)
            out = self._transform_rows(full)[history.shape[0] :]
        else:
            if kind == "unknown" and self.n_warmup_ and len(X_values):
                warn_missing_history(
                    type(self).__name__,
                    min(self.n_warmup_, len(X_values)),
                    reason,
                    HISTORY_FIX,
                )
            out = self._transform_rows(X_values)
        return self._wrap_like_input(out, X)

    def _check_panel(self, X, X_values):
        """The panel layout of ``X``, refused if it differs from the fit's."""
        owner = type(self).__name__
        panel = panel_layout(X, owner, X_values.shape[0])
        fitted = getattr(self, "series_", None)
        if panel is not None and fitted is None:
            raise ValueError(
                f"{owner} was fitted on one series, but X is a panel of "
                f"{len(panel)} series (a two-level MultiIndex); fit it on a panel, "
                "so that every series has its own history, or pass one series."
            )
        if panel is None and fitted is not None:
            raise ValueError(
                f"{owner} was fitted on a panel of {len(fitted)} series, but X has "
                "no (series id, time) MultiIndex, so its rows cannot be assigned to "
                "series. Pass a DataFrame with that MultiIndex, or use a "
                "SeriesPipeline, which keeps the layout through steps that return "
                "arrays."
            )
        return panel

    def _series_kinds(self, panel):
        """``(fitted position or None, kind, reason)`` of each series in a panel."""
        owner = type(self).__name__
        start = _SERIES_START.get()
        for k, key in enumerate(panel.ids):
            position = self._series_index.get(key)
            if start:
                yield position, "start", ""
            else:
                yield (position, *series_kind(self._axes, position, panel, k, owner))

    def _transform_panel(self, X_values: NDArray, panel) -> NDArray:
        """Transform each series of a panel with its own history."""
        n_warmup = self.n_warmup_
        pieces, lacking = [], []
        kinds = self._series_kinds(panel)
        for k, (position, kind, reason) in enumerate(kinds):
            block = X_values[panel.starts[k] : panel.stops[k]]
            if kind == "continues" and n_warmup:
                history = self.tail_[position].astype(X_values.dtype, copy=False)
                full = np.concatenate([history, block], axis=0)
                pieces.append(self._transform_rows(full)[n_warmup:])
                continue
            if kind == "unknown" and n_warmup and len(block):
                lacking.append((min(n_warmup, len(block)), reason))
            pieces.append(self._transform_rows(block))
        warn_missing_series_history(type(self).__name__, lacking, HISTORY_FIX)
        if not pieces:
            return self._transform_rows(X_values)
        return np.concatenate(pieces, axis=0)

    def _wrap_like_input(self, values: NDArray, X):
        return wrap_like_input(self, values, X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
