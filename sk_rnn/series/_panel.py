"""Panels: several series in one frame with a (series id, time) MultiIndex.

A panel's rows are grouped by series, each series' rows consecutive and in
time order (sktime's panel layout). :func:`panel_layout` reads that layout
from a DataFrame's two-level ``MultiIndex``, checking it, or from the layout
a :class:`~sk_rnn.SeriesPipeline` announces for the blocks its steps
transform (:func:`panel_segments`): the steps of a pipeline may return NumPy
arrays, which have no index, and the series boundaries must survive them.
"""

from __future__ import annotations

import contextvars
import warnings
from contextlib import contextmanager

import numpy as np

from .._utils._plain import PlainStateMixin
from ..exceptions import MissingHistoryWarning
from ._blocks import container_of, n_rows, stack, tail_rows, to_container
from ._time import NO_TIME_INDEX, TimeAxis, block_kind, series_axes, series_kind

#: The panel layout announced for blocks without an index: by a SeriesPipeline
#: fitted on a panel, or by a transformer's fit_transform (read from y's
#: index inside a plain Pipeline); a context variable, per thread and task.
_SEGMENTS = contextvars.ContextVar("sk_rnn_panel_segments", default=None)

PANEL_HOW = (
    "A panel is a DataFrame with a two-level MultiIndex (series id, time), each "
    "series' rows consecutive and in time order: build it from a long frame "
    "with df.set_index([series_column, time_column]).sort_index()"
)


class Panel:
    """The series of a block: ``ids[k]`` occupies rows ``starts[k]:stops[k]``.

    ``times[k]`` is the time labels of series ``k`` (a pandas Index) when the
    block carries them, else None.
    """

    def __init__(self, ids, starts, stops, times=None):
        self.ids = np.empty(len(ids), dtype=object)
        for k, key in enumerate(ids):  # tuple ids stay tuples, not a 2-D array
            self.ids[k] = key
        self.starts = np.asarray(starts, dtype=np.intp)
        self.stops = np.asarray(stops, dtype=np.intp)
        self.times = times

    @classmethod
    def one(cls, n_rows: int) -> Panel:
        """The layout of one series of ``n_rows`` rows (id None)."""
        return cls([None], [0], [n_rows])

    @property
    def lengths(self):
        return self.stops - self.starts

    @property
    def n_rows(self) -> int:
        return int(self.stops[-1]) if len(self.stops) else 0

    def __len__(self) -> int:
        return len(self.ids)

    def time(self, k):
        return None if self.times is None else self.times[k]


def is_panel(X) -> bool:
    """Whether ``X`` has a two-level MultiIndex."""
    import pandas as pd

    index = getattr(X, "index", None)
    return isinstance(index, pd.MultiIndex)


def _from_index(index, owner: str) -> Panel:
    """The checked layout of a (series, time) MultiIndex."""
    if index.nlevels != 2:
        raise ValueError(
            f"{owner} reads a MultiIndex as a panel (series id, time), which has "
            f"two levels; X's index has {index.nlevels} ({list(index.names)}). "
            f"{PANEL_HOW}."
        )
    n = len(index)
    if n == 0:
        return Panel([], [], [], [])
    for level, what in ((0, "series id"), (1, "time label")):
        missing = np.flatnonzero(np.asarray(index.codes[level]) == -1)
        if len(missing):
            raise ValueError(
                f"{owner} got rows without a {what} (NaN in level {level} of the "
                f"MultiIndex, {len(missing)} row(s), the first at position "
                f"{missing[0]}); every row of a panel needs its series id and time. "
                "Drop or fill them: X[X.index.get_level_values"
                f"({level}).notna()]."
            )
    codes = np.asarray(index.codes[0])
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    stops = np.r_[starts[1:], n]
    first_codes = codes[starts]
    if len(np.unique(first_codes)) != len(starts):
        seen: dict = {}
        for k, code in enumerate(first_codes):
            if code in seen:
                name = index.levels[0][code]
                raise ValueError(
                    f"{owner} expects each series' rows to be consecutive; the rows "
                    f"of series {name!r} are split (rows {starts[seen[code]]} and "
                    f"{starts[k]} start runs of it). Sort by series, then time: "
                    "X.sort_index()."
                )
            seen[code] = k
    ids = index.levels[0][first_codes]
    times_all = index.get_level_values(1)
    times = [times_all[s:e] for s, e in zip(starts, stops, strict=True)]
    return Panel(list(ids), starts, stops, times)


def panel_layout(X, owner: str, n_rows: int | None = None) -> Panel | None:
    """The panel layout of ``X`` or None for one series.

    Read from ``X``'s (series, time) MultiIndex, else from the layout a
    SeriesPipeline announced (then ``n_rows`` must match it).
    """
    import pandas as pd

    announced = _SEGMENTS.get()
    index = getattr(X, "index", None)
    if isinstance(index, pd.MultiIndex):
        return _from_index(index, owner)
    if announced is not None:
        if n_rows is not None and n_rows != announced.n_rows:
            raise ValueError(
                f"{owner} received {n_rows} rows inside a SeriesPipeline that "
                f"passed a panel of {announced.n_rows} rows; a step before it "
                "added or dropped rows, so its rows cannot be matched to series."
            )
        return announced
    return None


def fit_layout(X, y, owner: str, n_rows: int) -> Panel | None:
    """The panel layout of a block being fitted: from X, else from y.

    Inside a plain Pipeline a step before may have returned an array, which
    drops the (series, time) index; y still carries it (a Pipeline passes y
    to every step's fit), so the series boundaries are read from y's index.
    """
    panel = panel_layout(X, owner, n_rows)
    if panel is None and is_panel(y) and len(y) == n_rows:
        panel = _from_index(y.index, owner)
    return panel


def announced_layout() -> Panel | None:
    """The layout a SeriesPipeline announced for index-less arrays, or None."""
    return _SEGMENTS.get()


@contextmanager
def panel_segments(panel: Panel | None):
    """Within this block, arrays without an index have ``panel``'s layout."""
    token = _SEGMENTS.set(panel)
    try:
        yield
    finally:
        _SEGMENTS.reset(token)


def build_index(ids, lengths, times):
    """A (series, time) MultiIndex from per-series ids, lengths and labels."""
    import pandas as pd

    series = np.repeat(np.asarray(ids, dtype=object), lengths)
    if len(times) == 0:
        return pd.MultiIndex.from_arrays([series, []])
    labels = times[0].append(list(times[1:])) if len(times) > 1 else times[0]
    return pd.MultiIndex.from_arrays([series, labels])


class PanelHistory(PlainStateMixin):
    """What a SeriesPipeline carries between blocks: each series' last rows.

    ``values[k]`` holds the last ``n_warmup`` rows of series ``ids[k]``,
    ``labels[k]`` their time labels and ``axes[k]`` the series' time axis,
    which tells whether a later block continues the fitted rows. A single
    series is a panel of one (id None) whose rows stay in the fitted
    container (NumPy, pandas or polars, without the index), so the steps see
    the container they were fitted on.
    """

    def __init__(self, X, panel: Panel | None, n_warmup: int, owner: str):
        self.n_warmup = n_warmup
        self.columns = list(X.columns) if hasattr(X, "columns") else None
        if panel is None:  # one series
            self.container = container_of(X)
            self.ids = [None]  # a list: skops trusts None, not NoneType arrays
            self.axes = [TimeAxis.of(X, owner)]
            kept = to_container(tail_rows(X, n_warmup), self.container, self.columns)
            # A copy: a slice of a NumPy X would change with the caller's array.
            self.values = [kept.copy() if hasattr(kept, "copy") else kept]
            self.labels = [None]
            return
        if len(panel) == 0:
            raise ValueError(f"{owner} needs at least one row to fit; X has none.")
        values = np.asarray(X.to_numpy())
        self.container = "panel"
        self.ids = panel.ids.copy()
        self.axes = series_axes(panel, owner)
        # A series shorter than the warm-up keeps all its rows: that is all
        # the history there is.
        kept = np.minimum(panel.lengths, n_warmup)
        self.values = [
            values[stop - n : stop].copy()
            for stop, n in zip(panel.stops, kept, strict=True)
        ]
        self.labels = [
            panel.time(k)[panel.lengths[k] - kept[k] :] for k in range(len(panel))
        ]

    @classmethod
    def of_rows(cls, rows, axis, container: str, columns, n_warmup: int):
        """The history of one series whose kept ``rows`` are already cut."""
        history = cls.__new__(cls)
        history.n_warmup, history.columns = n_warmup, columns
        history.container, history.ids = container, [None]
        history.axes = [axis]
        history.values, history.labels = [rows], [None]
        return history

    def __setstate__(self, state):
        super().__setstate__(state)
        self.__dict__.setdefault("container", "panel")  # written by sk_rnn 0.2
        self.__dict__.pop("lookup", None)  # 0.2 stored it; it is derived

    @property
    def lookup(self) -> dict:
        """Each series id's position."""
        return {key: k for k, key in enumerate(self.ids)}

    @property
    def is_panel(self) -> bool:
        return self.container == "panel"

    def rows(self):
        """The kept rows: a (series, time) frame for a panel, else the rows."""
        if not self.is_panel:
            return self.values[0]
        import pandas as pd

        values = np.concatenate(self.values, axis=0)
        index = build_index(self.ids, [len(v) for v in self.values], self.labels)
        return pd.DataFrame(values, index=index, columns=self.columns)

    frame = rows  # sk_rnn 0.2's name

    def kinds(self, X, panel: Panel, mode: str, owner: str) -> list:
        """What each series of X is (see :func:`block_kinds`)."""
        return block_kinds(self.axes, self.ids, X, panel, mode, owner)

    def combine(self, X, panel: Panel, kinds: list, given=None):
        """Each series of ``X`` behind the rows its kind gives it.

        A series that continues gets its kept rows, one with a ``given``
        history (another PanelHistory, of the rows before X) gets those.
        Returns ``(combined block, its layout, positions of X's rows in it,
        rows before X per series)``.
        """
        source = self if given is None else given
        before = []
        for position, kind, _ in kinds:
            if kind in ("continues", "given") and position is not None:
                before.append(source.values[position])
            else:
                before.append(None)
        n_before = [0 if b is None else n_rows(b) for b in before]
        lengths = np.asarray(panel.lengths) + np.asarray(n_before, dtype=np.intp)
        stops = np.cumsum(lengths)
        layout = Panel(panel.ids, stops - lengths, stops)
        positions = np.concatenate(
            [
                start + n + np.arange(length - n)
                for start, n, length in zip(
                    layout.starts, n_before, lengths, strict=True
                )
            ]
            or [np.arange(0)]
        ).astype(np.intp)
        if not self.is_panel:
            combined = stack(before[0], X, self.container, self.columns)
            return combined, layout, positions, n_before
        import pandas as pd

        values = np.asarray(X.to_numpy())
        pieces, labels = [], []
        for k, rows in enumerate(before):
            if rows is not None:
                pieces.append(rows)
                labels.append(source.labels[kinds[k][0]])
            pieces.append(values[panel.starts[k] : panel.stops[k]])
            labels.append(panel.time(k))
        if not pieces:
            return X, panel, positions, n_before
        index = build_index(panel.ids, lengths, labels)
        frame = pd.DataFrame(np.concatenate(pieces), index=index, columns=self.columns)
        layout.times = [
            index.get_level_values(1)[s:e]
            for s, e in zip(layout.starts, layout.stops, strict=True)
        ]
        return frame, layout, positions, n_before


def block_kinds(axes, ids, X, panel: Panel, mode: str, owner: str) -> list:
    """What each series of a block is: ``(fitted position or None, kind, reason)``.

    The one place that decides it, for the time-step transformers and
    SeriesPipeline alike; a single series is a panel of one (``ids`` is
    ``[None]``, and X's own index says what it is). ``axes`` are the fitted
    series' time axes. ``mode`` is "auto" (the time labels decide: the block
    "continues" the fitted series, is its "start", or is "unknown" with the
    reason), "none" (every series starts) or "fit" (every fitted series
    continues; a warning when the block's own labels say otherwise).
    """
    one = list(ids) == [None]
    lookup = {key: k for k, key in enumerate(ids)}
    out, contradicted = [], []
    for k, key in enumerate(panel.ids):
        position = lookup.get(key)
        if mode == "none":
            out.append((position, "start", ""))
            continue
        try:
            if one:
                said, why = block_kind(axes[0], X, owner)
                labelled = why != NO_TIME_INDEX
            else:
                said, why = series_kind(axes, position, panel, k, owner)
                labelled = panel.time(k) is not None
        except (ValueError, TypeError):
            if mode == "auto":
                raise  # the labels decide, so labels that cannot are an error
            # "fit" says what the block is; labels that cannot be read (a
            # gap, a RangeIndex against daily steps) contradict nothing.
            said, why, labelled = "continues", "", False
        if mode == "auto":
            out.append((position, said, why))
        elif position is None:
            out.append((None, "unknown", why))
        else:
            if said != "continues" and labelled and axes[position] is not None:
                contradicted.append(why or _starts_again(key))
            out.append((position, "continues", ""))
    if contradicted:
        n_more = len(contradicted) - 1
        more = f" (and {n_more} more series)" if n_more else ""
        warnings.warn(
            f"{owner}: history='fit' puts the fitted series' last rows before "
            f"X, but {contradicted[0]}{more}; the first rows' windows mix the "
            "two. Use history='auto', which reads the index, or pass the rows "
            "that precede X as history=array.",
            MissingHistoryWarning,
            stacklevel=4,
        )
    return out


def _starts_again(key) -> str:
    if key is None:
        return (
            "X's index starts where the fitted block starts (it is the fitted "
            "block, as a search's train score passes it, or a new series)"
        )
    return f"series {key!r} starts where it was fitted"


def warmup_free(panel: Panel, n_warmup: int):
    """Positions of the rows of ``panel`` past each series' first ``n_warmup``."""
    keep = np.ones(panel.n_rows, dtype=bool)
    for start in panel.starts:
        keep[start : start + n_warmup] = False
    return np.flatnonzero(keep)
