"""Blocks of rows: containers (NumPy, pandas, polars), stacking and row picks.

A :class:`~sk_rnn.SeriesPipeline` stacks the history it carries on top of
the block it is given, in the container its steps were fitted on, and puts
the final step's predictions back in the block's rows.
"""

from __future__ import annotations

import warnings

import numpy as np

from ._time import is_dataframe


def n_rows(X) -> int:
    return X.shape[0] if hasattr(X, "shape") else len(X)


def is_steps(steps) -> bool:
    return isinstance(steps, list) and all(
        isinstance(pair, tuple) and len(pair) == 2 for pair in steps
    )


def as_rows(X):
    """A DataFrame (pandas or polars) or NumPy array stays; others to NumPy."""
    if X is None or container_of(X) != "numpy" or isinstance(X, np.ndarray):
        return X
    return np.asarray(X)


def container_of(X) -> str:
    if is_dataframe(X):
        return "pandas"
    if type(X).__module__.split(".")[0] == "polars":
        return "polars"
    return "numpy"


def match_columns(X, columns, owner: str):
    """``X`` with the fitted ``columns`` in their fitted order, by name.

    A DataFrame (pandas or polars) whose column names are the fitted ones in
    another order is reordered, whatever the names' type, for one series and
    for panels alike. With string names, one that lacks a fitted column or
    has another is refused. Unnamed columns (NumPy) are read by position, and
    so are other non-string names than the fitted ones (scikit-learn records
    only string names): they are given the fitted names, so that every later
    step reads them by position too, unless a name of X is a fitted one at
    another place (read by position, it would be another column: refused).
    A repeated name, or another number of columns, is refused.
    """
    names = getattr(X, "columns", None)
    if names is None or columns is None:
        return X
    names, columns = list(names), list(columns)
    if names == columns:
        return X
    repeated = [c for k, c in enumerate(names) if c in names[:k]]
    if repeated:
        raise ValueError(
            f"{owner}: X names more than one column {repeated[0]!r}; columns are "
            f"matched to those seen in fit by name, so each needs its own. Pass "
            f"the fitted columns {columns}."
        )
    if len(names) == len(columns) and set(names) == set(columns):
        return X[columns]
    named, fitted_named = (all(isinstance(c, str) for c in n) for n in (names, columns))
    if named and fitted_named:
        missing = [c for c in columns if c not in names]
        unexpected = [c for c in names if c not in columns]
        raise ValueError(
            f"{owner}: X's columns are matched to those seen in fit by name; "
            f"X lacks {missing} and has {unexpected}, which fit did not see. "
            f"Pass the fitted columns {columns}."
        )
    if len(names) != len(columns):
        raise ValueError(
            f"{owner}: X has {len(names)} column(s) {names}; fit saw "
            f"{len(columns)}: {columns}. Pass the fitted columns."
        )
    moved = [(k, c) for k, c in enumerate(names) if c in columns and columns[k] != c]
    if moved:
        k, name = moved[0]
        raise ValueError(
            f"{owner}: X's column {name!r} is at position {k}, where fit saw "
            f"{columns[k]!r}; names that are not all strings are matched by name "
            "only when X has exactly the fitted ones, and otherwise read by "
            f"position, which would read {name!r} as {columns[k]!r}. Pass the "
            f"fitted columns {columns}."
        )
    if not hasattr(X, "set_axis"):
        return X
    if named != fitted_named:  # as scikit-learn warns, and reads by position
        warnings.warn(
            f"{owner}: X's columns {names} are not the names seen in fit "
            f"{columns}, and only string names are matched by name; they are "
            "read by position.",
            UserWarning,
            stacklevel=3,
        )
    return X.set_axis(columns, axis=1)


def to_container(X, container: str, columns):
    """Rows ``X`` in ``container`` ("pandas", "polars" or "numpy"), no index."""
    if container == "pandas":
        import pandas as pd

        if container_of(X) == "polars":  # without pyarrow, column by column
            X = pd.DataFrame({c: X[c].to_numpy() for c in X.columns})
        if not is_dataframe(X):
            X = pd.DataFrame(np.asarray(X), columns=columns)
        return X.reset_index(drop=True)
    if container == "polars":
        import polars as pl

        if container_of(X) == "pandas":  # without pyarrow, column by column
            return pl.DataFrame({c: X[c].to_numpy() for c in X.columns})
        if container_of(X) != "polars":
            return pl.DataFrame(np.asarray(X), schema=columns, orient="row")
        return X
    if container_of(X) == "polars":
        return X.to_numpy()
    return X.to_numpy() if hasattr(X, "to_numpy") else np.asarray(X)


def stack(history, X, container: str, columns):
    """``history`` rows, then ``X``'s, in ``container``."""
    if history is None or n_rows(history) == 0:
        return X
    X = to_container(X, container, columns)
    if container == "pandas":
        import pandas as pd

        return pd.concat([history, X], ignore_index=True)
    if container == "polars":
        import polars as pl

        return pl.concat([history, X], how="vertical_relaxed")
    return np.concatenate([history, X], axis=0)


def tail_rows(X, k: int):
    """The last ``k`` rows of ``X`` (all of them if it has fewer)."""
    start = max(n_rows(X) - k, 0)
    return X.iloc[start:] if hasattr(X, "iloc") else X[start:]


def n_rows_or_none(value):
    try:
        return n_rows(value)
    except TypeError:
        return None


def take_rows(result, start, n):
    if isinstance(result, tuple):
        return tuple(take_rows(part, start, n) for part in result)
    return np.asarray(result)[start : start + n]


def fill_rows(result, rows, n):
    """Predictions of ``rows`` placed in ``n`` rows; the others NaN."""
    if isinstance(result, tuple):
        return tuple(fill_rows(part, rows, n) for part in result)
    result = np.asarray(result, dtype=float)
    out = np.full((n,) + result.shape[1:], np.nan)
    out[rows] = result
    return out


def nan_like(final, n, params):
    """All-NaN predictions for a block none of whose rows has history."""
    n_outputs = getattr(final, "n_outputs_", None)
    shape = (n,) if n_outputs in (None, 1) else (n, n_outputs)
    if params.get("return_members"):  # member axis second, as predict's
        shape = (n, getattr(final, "n_ensemble", 1), *shape[1:])
    out = np.full(shape, np.nan)
    if params.get("return_std"):
        return out, out.copy()
    return out
