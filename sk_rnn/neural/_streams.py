"""Stateful training and prediction on panels: one recurrent stream per series.

With ``stateful=True`` the rows of one series are consecutive steps of one
stream and the recurrent state is carried from row to row (Keras'
``stateful=True``). On a panel every series is its own stream: its rows are
read once from its start, in time order, and no state crosses from one series
into another. The streams run side by side: the rows of every series are laid
out in a padded array ``(n_series, n_rows, n_steps, n_features)`` (a shorter
series' rows end in padding whose windows are all NaN, so its state passes
through them unchanged and they weigh nothing in the loss), and each
training step reads ``batch_size`` rows of every stream at once, carrying
each stream's state into the next chunk (truncated back-propagation over
``batch_size`` rows). Memory grows with the rows, not with rows x look-back
beyond the windows the steps already hold. A panel of one series trains
exactly as one series does.

The fitted ``state_`` then holds one state per series (``state_series_``
names them, in the fitted order) and prediction starts each series of a
block from its own fitted state or from zero (``initial_state``).
"""

from __future__ import annotations

import numpy as np
import torch

from ..series._panel import _SEGMENTS, Panel, fit_layout, is_panel, panel_layout
from ..series._time import as_time_index, check_time_order

STARTS = ("fit", "zero")


def in_time_order(panel: Panel | None, owner: str) -> Panel | None:
    """``panel``, its series' time labels checked: a stream reads its rows
    in order (and early stopping validates on each series' last rows), so a
    series out of order is refused as one series is."""
    for times in (panel.times or []) if panel is not None else []:
        index = as_time_index(times)
        if index is not None:
            check_time_order(index, owner)
    return panel


def stream_layout(X, y, n_rows: int) -> Panel | None:
    """The panel layout of a stateful fit's rows, or None for one series."""
    if not (is_panel(X) or is_panel(y) or _SEGMENTS.get() is not None):
        return None
    owner = "LSTMRegressor (stateful, each series)"
    return in_time_order(fit_layout(X, y, "LSTMRegressor", n_rows), owner)


def series_tails(panel: Panel, trained: np.ndarray, fraction: float, gap: int):
    """Every series' validation rows: ``(train, valid, weight)`` over the rows.

    Series ``k`` (rows ``starts[k]:stops[k]``, in time order) validates on its
    last ``ceil(fraction * n_k)`` trained rows (``n_k`` of them are
    ``trained``); the ``gap`` rows before them are used for neither, so no
    training row's window or target reaches a validation target. A series
    too short to keep a training row trains on all its rows. ``weight`` is
    one over the series' number of validation rows on each of them: the
    validation loss is then the mean over series of each series' own mean.
    """
    train = trained.copy()
    valid = np.zeros(len(trained), dtype=bool)
    weight = np.zeros(len(trained))
    for start, stop in zip(panel.starts, panel.stops, strict=True):
        rows = start + np.flatnonzero(trained[start:stop])
        n_valid = int(np.ceil(fraction * len(rows)))
        if len(rows) == 0 or not (rows < rows[-n_valid] - gap).any():
            continue
        first = rows[-n_valid]
        valid[rows[-n_valid:]] = True
        weight[rows[-n_valid:]] = 1.0 / n_valid
        train[max(first - gap, start) : stop] = False
    return train, valid, weight


def series_groups(X, y, rows: int = 1 << 16):
    """Validation batches of padded streams: whole series from their start
    (the zero state), as many at once as fit in about ``rows`` padded rows;
    a group without a validation row is skipped."""
    streams, weight = X["X"], X["sample_weight"]
    size = max(1, rows // max(streams.shape[1], 1))
    for first in range(0, streams.shape[0], size):
        part = slice(first, first + size)
        if not bool((weight[part] > 0).any()):
            continue
        n = streams[part].shape[0]
        batch = {
            "X": streams[part],
            "stream_start": torch.zeros(n, dtype=torch.long),
            "sample_weight": weight[part],
        }
        yield batch, y[part].reshape(-1, y.shape[-1])


def pad(values: np.ndarray, panel: Panel, fill) -> np.ndarray:
    """``values`` (rows first) as ``(n_series, longest, ...)``, ``fill`` after
    each series' rows."""
    longest = int(panel.lengths.max()) if len(panel) else 0
    out = np.full((len(panel), longest, *values.shape[1:]), fill, dtype=values.dtype)
    for k, (start, stop) in enumerate(zip(panel.starts, panel.stops, strict=True)):
        out[k, : stop - start] = values[start:stop]
    return out


def stream_data(windows, y2, trained, panel: Panel, device, weights=None):
    """The padded training tensors: ``({"X", "sample_weight"}, y)``.

    ``X`` is ``(n_series, longest, n_steps, n_features)`` (NaN padding),
    ``sample_weight`` the row's weight (``weights``, else 1) on the rows
    ``trained`` marks and 0 on the others (windows with no observed step)
    and on padding, ``y`` the targets (0 on padding, which weighs nothing).
    """
    X = pad(windows.astype(np.float32), panel, np.nan)
    y = pad(y2.astype(np.float32), panel, 0.0)
    weight = trained.astype(np.float32)
    if weights is not None:
        weight *= weights.astype(np.float32)
    weight = pad(weight, panel, 0.0)
    to = {"dtype": torch.float32, "device": device}
    data = {"X": torch.tensor(X, **to), "sample_weight": torch.tensor(weight, **to)}
    return data, torch.tensor(y, **to)


def chunks(X, y, size: int):
    """Training batches of a padded stream dataset: ``size`` rows of every
    stream, in time order; a chunk without padding carries no weights (so a
    panel of one series trains exactly as one series)."""
    streams, weight = X["X"], X["sample_weight"]
    # Rows after the last weighted one (padding, or every series' held-out
    # validation rows) teach nothing: no optimiser step is taken on them.
    weighted = torch.nonzero((weight > 0).any(dim=0))
    longest = int(weighted[-1]) + 1 if len(weighted) else 0
    for start in range(0, longest, size):
        rows = slice(start, start + size)
        batch = {
            "X": streams[:, rows],
            "stream_start": torch.full((streams.shape[0],), start),
        }
        w = weight[:, rows]
        if not bool((w == 1).all()):
            batch["sample_weight"] = w
        yield batch, y[:, rows].reshape(-1, y.shape[-1])


# ---------------------------------------------------------------- predict
def _series_index(model) -> dict:
    return {key: k for k, key in enumerate(model.state_series_)}


def initial_states(model, panel: Panel, value):
    """The state each series of ``panel`` starts from: ``(h, c)`` arrays of
    shape ``(layers x directions, n_members, n_series, hidden)``.

    ``value``: "fit" (every series from its fitted state), "zero", or a dict
    mapping a series id to "fit" or "zero".
    """
    fitted = model.state_
    if isinstance(value, str) and value in ("fit", "zero"):
        value = dict.fromkeys(panel.ids, value)
    if not isinstance(value, dict):
        raise ValueError(
            "LSTMRegressor.predict on a panel expects initial_state='fit', "
            "'zero' or a dict mapping each series id to 'fit' or 'zero'; got "
            f"{value!r}."
        )
    index = _series_index(model) if hasattr(model, "state_series_") else {}
    unknown = [key for key in panel.ids if value.get(key, "zero") == "fit"]
    unknown = [key for key in unknown if key not in index]
    if unknown:
        raise ValueError(
            f"LSTMRegressor.predict got initial_state 'fit' for series "
            f"{unknown[:5]!r}, which the stateful fit did not see (it has a state "
            f"for {len(index)} series); pass initial_state='zero' for them (new "
            "series start from the zero state)."
        )
    bad = {v for v in value.values() if not (isinstance(v, str) and v in STARTS)}
    if bad:
        raise ValueError(
            "LSTMRegressor.predict expects each series' initial_state to be 'fit' "
            f"or 'zero'; got {sorted(map(repr, bad))}."
        )
    out = []
    for array in fitted:
        if array is None:
            out.append(None)
            continue
        start = np.zeros((*array.shape[:2], len(panel), array.shape[3]))
        for k, key in enumerate(panel.ids):
            if value.get(key, "zero") == "fit":
                start[:, :, k] = array[:, :, index[key]]
        out.append(start)
    return tuple(out)


def predict_streams(model, windows, panel: Panel, start, module, dtype, rows):
    """Every member's predictions ``(n, K, O)`` and each series' end state.

    The series run side by side in groups of at most ``rows`` padded rows.
    """
    n_members, n_outputs = module.n_members, module.n_outputs
    out = np.full((len(windows), n_members, n_outputs), np.nan)
    to = {"dtype": dtype, "device": next(module.parameters()).device}
    longest = int(panel.lengths.max()) if len(panel) else 0
    ends = [None if s is None else np.array(s, dtype=np.float64) for s in start]
    group = max(1, rows // max(longest, 1))
    with torch.no_grad():
        for first in range(0, len(panel), group):
            part = Panel(
                panel.ids[first : first + group],
                panel.starts[first : first + group],
                panel.stops[first : first + group],
            )
            lo, hi = int(part.starts[0]), int(part.stops[-1])
            shifted = Panel(part.ids, part.starts - lo, part.stops - lo)
            X = torch.tensor(pad(windows[lo:hi], shifted, np.nan), **to)
            cols = slice(first, first + group)
            state = tuple(
                None if s is None else torch.as_tensor(s[:, :, cols], **to)
                for s in ends
            )
            pred, state = module(
                X, state, stateful=True, return_state=True, dtype=dtype
            )
            pred = pred.double().cpu().numpy()
            pred = pred.reshape(len(part), -1, n_members, n_outputs)
            for k, (s, e) in enumerate(zip(shifted.starts, shifted.stops, strict=True)):
                out[lo + s : lo + e] = pred[k, : e - s]
            for end, new in zip(ends, state, strict=True):
                if end is not None:
                    end[:, :, first : first + group] = new.double().cpu().numpy()
    return out, tuple(ends)


def block_layout(model, X, n_rows: int) -> Panel | None:
    """The panel layout of a stateful prediction's rows (None: one series)."""
    if not hasattr(model, "state_series_"):
        block = panel_layout(X, "LSTMRegressor", n_rows)
        if block is not None and len(block) > 1:
            raise ValueError(
                "LSTMRegressor was fitted stateful on one series; its state "
                f"would run from one series into the next of this panel of "
                f"{len(block)} series. Predict each series on its own, or fit "
                "on the panel (one state per series)."
            )
        return None
    owner = "LSTMRegressor (stateful, each series)"
    panel = in_time_order(panel_layout(X, "LSTMRegressor", n_rows), owner)
    if panel is None:
        raise ValueError(
            f"LSTMRegressor was fitted stateful on a panel of "
            f"{len(model.state_series_)} series; predict expects a panel too (a "
            "DataFrame with a (series id, time) MultiIndex, or the rows inside a "
            "SeriesPipeline), so that each series starts from its own state; got "
            f"{type(X).__name__}."
        )
    return panel
