"""Fitted state as plain values and NumPy arrays, for pickle and skops.

skops loads only the types it trusts; a pandas ``Index``, ``Period`` or
``DataFrame`` is not among them (nor would a pickled one be safe to load).
sk_rnn's estimators keep some fitted state in pandas form (the time axis of
the fitted block, a SeriesPipeline's last rows), so their ``__getstate__``
writes every such value as a tagged dict of plain values and arrays, and
``__setstate__`` rebuilds it. The same state serves pickle, so a pickle
written with one pandas release loads with another.

A value that cannot be written plainly (a categorical index, a custom
``DateOffset`` without a round-tripping name) is left as it is: pickle still
works, and skops lists its type as untrusted instead of loading something
else.
"""

from __future__ import annotations

import numpy as np

_TAG = "__sk_rnn_pandas__"
_NUMERIC = "biuf"  # NumPy kinds stored as arrays


_LEAF = object()


def _containers(value, convert):
    """``convert`` applied inside a plain list, tuple or dict; else _LEAF."""
    if isinstance(value, list):
        return [convert(item) for item in value]
    if type(value) is tuple:
        return tuple(convert(item) for item in value)
    if type(value) is dict:
        return {key: convert(item) for key, item in value.items()}
    return _LEAF


def encode(value):
    """``value`` with every pandas object replaced by a tagged plain dict."""
    converted = _containers(value, encode)
    if converted is not _LEAF:
        return converted
    if isinstance(value, np.ndarray) and value.dtype == object:
        # Series ids of any hashable kind (Timestamps, tuples): item by item.
        items = [encode(item) for item in value.ravel().tolist()]
        return {_TAG: {"kind": "objects", "items": items, "shape": list(value.shape)}}
    module = type(value).__module__.split(".")[0]
    if module == "pandas":
        encoded = _encode_pandas(value)
        return value if encoded is None else {_TAG: encoded}
    if module == "polars":
        encoded = _encode_polars(value)
        return value if encoded is None else {_TAG: encoded}
    return value


def decode(value):
    """Invert :func:`encode`."""
    if type(value) is dict and len(value) == 1 and _TAG in value:
        return _decode(value[_TAG])
    converted = _containers(value, decode)
    return value if converted is _LEAF else converted


def _encode_pandas(value):
    import pandas as pd

    if isinstance(value, pd.DataFrame):
        return _encode_frame(value)
    if isinstance(value, pd.Index):
        return _encode_index(value)
    if isinstance(value, pd.Period):
        return {"kind": "Period", "ordinal": int(value.ordinal), "freq": value.freqstr}
    if isinstance(value, pd.Timestamp):
        if value is pd.NaT:
            return None
        return {
            "kind": "Timestamp",
            "ns": int(value.value),
            "unit": value.unit,
            "tz": None if value.tz is None else str(value.tz),
        }
    if isinstance(value, pd.Timedelta):
        return {"kind": "Timedelta", "ns": int(value.value), "unit": value.unit}
    if isinstance(value, pd.offsets.BaseOffset):
        return _encode_offset(value)
    return None


def _encode_offset(offset):
    from pandas.tseries.frequencies import to_offset

    try:
        same = to_offset(offset.freqstr) == offset
    except (ValueError, TypeError):
        same = False
    return {"kind": "Offset", "freq": offset.freqstr} if same else None


def _encode_index(index):
    import pandas as pd

    name = encode(index.name)
    if isinstance(index, pd.MultiIndex):
        levels = [_encode_index(level) for level in index.levels]
        if any(level is None for level in levels):
            return None
        return {
            "kind": "MultiIndex",
            "levels": levels,
            "codes": [np.asarray(c, dtype=np.int64) for c in index.codes],
            "names": [encode(n) for n in index.names],
        }
    if isinstance(index, pd.RangeIndex):
        return {
            "kind": "RangeIndex",
            "range": [int(index.start), int(index.stop), int(index.step)],
            "name": name,
        }
    if isinstance(index, pd.PeriodIndex):
        return {
            "kind": "PeriodIndex",
            "ordinals": np.asarray(index.asi8, dtype=np.int64),
            "freq": index.freqstr,
            "name": name,
        }
    if isinstance(index, (pd.DatetimeIndex, pd.TimedeltaIndex)):
        freq = None if index.freq is None else _encode_offset(index.freq)
        if index.freq is not None and freq is None:
            return None
        return {
            "kind": type(index).__name__,
            "values": np.asarray(index.asi8, dtype=np.int64),
            "unit": index.unit,
            "tz": str(index.tz) if getattr(index, "tz", None) is not None else None,
            "freq": None if freq is None else freq["freq"],
            "name": name,
        }
    if type(index) is not pd.Index:  # CategoricalIndex, IntervalIndex, ...
        return None
    dtype = index.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in _NUMERIC:
        values = np.asarray(index)
    else:
        values = [encode(item) for item in index.tolist()]
        if not all(isinstance(v, (str, int, float, bool, dict)) for v in values):
            return None
    return {"kind": "Index", "values": values, "dtype": str(dtype), "name": name}


def _encode_frame(frame):
    columns = _encode_index(frame.columns)
    index = _encode_index(frame.index)
    dtypes = list(frame.dtypes)
    if columns is None or index is None:
        return None
    if not all(isinstance(d, np.dtype) and d.kind in _NUMERIC for d in dtypes):
        return None
    return {
        "kind": "DataFrame",
        "columns": columns,
        "index": index,
        "data": [np.asarray(frame.iloc[:, j]) for j in range(frame.shape[1])],
    }


def _encode_polars(value):
    import polars as pl

    if not isinstance(value, pl.DataFrame):
        return None
    if not all(dtype.is_numeric() for dtype in value.dtypes):
        return None
    return {
        "kind": "polars.DataFrame",
        "columns": list(value.columns),
        "data": [value[c].to_numpy() for c in value.columns],
    }


def _decode(state):
    import pandas as pd

    kind = state["kind"]
    if kind == "objects":
        out = np.empty(len(state["items"]), dtype=object)
        for k, item in enumerate(state["items"]):
            out[k] = decode(item)
        return out.reshape(state["shape"])
    if kind == "Period":
        return pd.Period(ordinal=state["ordinal"], freq=state["freq"])
    if kind == "Timestamp":
        stamp = pd.Timestamp(state["ns"], unit="ns")
        if state["tz"] is not None:
            stamp = stamp.tz_localize("UTC").tz_convert(state["tz"])
        return stamp.as_unit(state["unit"])
    if kind == "Timedelta":
        return pd.Timedelta(state["ns"], unit="ns").as_unit(state["unit"])
    if kind == "Offset":
        from pandas.tseries.frequencies import to_offset

        return to_offset(state["freq"])
    if kind == "DataFrame":
        columns = _decode(state["columns"])
        data = {j: np.asarray(column) for j, column in enumerate(state["data"])}
        frame = pd.DataFrame(data, index=_decode(state["index"]))
        frame.columns = columns
        return frame
    if kind == "polars.DataFrame":
        import polars as pl

        return pl.DataFrame(
            {
                c: np.asarray(v)
                for c, v in zip(state["columns"], state["data"], strict=True)
            }
        )
    return _decode_index(state)


def _decode_index(state):
    import pandas as pd

    kind, name = state["kind"], decode(state.get("name"))
    if kind == "MultiIndex":
        return pd.MultiIndex(
            levels=[_decode_index(level) for level in state["levels"]],
            codes=[np.asarray(c) for c in state["codes"]],
            names=[decode(n) for n in state["names"]],
        )
    if kind == "RangeIndex":
        return pd.RangeIndex(*state["range"], name=name)
    if kind == "PeriodIndex":
        return pd.PeriodIndex.from_ordinals(
            np.asarray(state["ordinals"], dtype=np.int64), freq=state["freq"]
        ).rename(name)
    if kind in ("DatetimeIndex", "TimedeltaIndex"):
        letter = "M" if kind == "DatetimeIndex" else "m"
        values = np.asarray(state["values"], dtype=np.int64)
        values = values.view(f"{letter}8[{state['unit']}]")
        if kind == "DatetimeIndex":
            index = pd.DatetimeIndex(values, name=name)
            if state["tz"] is not None:
                index = index.tz_localize("UTC").tz_convert(state["tz"])
            return pd.DatetimeIndex(index, freq=state["freq"], name=name)
        return pd.TimedeltaIndex(values, freq=state["freq"], name=name)
    values = state["values"]
    if isinstance(values, list):
        values = [decode(v) for v in values]
    return pd.Index(values, dtype=state["dtype"], name=name)


class PlainStateMixin:
    """``__getstate__``/``__setstate__`` through :func:`encode`/:func:`decode`.

    Put it before ``BaseEstimator`` in the bases; scikit-learn's own state
    handling (its version stamp) runs inside. On a plain class it reads and
    writes ``__dict__``.
    """

    def __getstate__(self):
        parent = getattr(super(), "__getstate__", None)  # object's: Python 3.11
        return encode(self.__dict__.copy() if parent is None else parent())

    def __setstate__(self, state):
        state = decode(state)
        parent = getattr(super(), "__setstate__", None)
        if parent is None:  # a plain object: its attributes
            self.__dict__.update(state)
        else:
            parent(state)
