"""make_horizon_xy: the inputs and targets of a direct multi-step forecast."""

from __future__ import annotations

import numpy as np

from .._utils._validation import check_int
from ..series._panel import panel_layout
from ..series._time import TimeAxis, series_axes


def make_horizon_xy(X, horizon, *, target=0, skip_short=False):
    """Pair every row with the next ``horizon`` values of its series.

    The targets of a direct ``horizon``-step forecast: row ``t`` of ``Y``
    holds the ``target`` column at ``t + 1, ..., t + horizon`` of the same
    series (never of the next series of a panel). The last ``horizon`` rows of
    every series have no complete future and are left out of both ``X_fit``
    and ``Y``; they are the block that continues ``X_fit``, and the
    prediction for the last of them is the forecast of the ``horizon`` steps
    after the end of the series.

    Parameters
    ----------
    X : DataFrame, ndarray of shape (n_samples, n_features)
        One series, oldest row first, or a panel: a DataFrame with a
        (series id, time) MultiIndex, each series' rows consecutive and in
        time order.
    horizon : int
        Steps ahead, at least 1.
    target : int or str, default=0
        The column of ``X`` to forecast: a position, or a name for a
        DataFrame.
    skip_short : bool, default=False
        What to do with a series of ``horizon`` rows or fewer, which has no
        complete future for any row: raise (False), or leave it out of
        ``X_fit`` and ``Y`` (True; it can still be forecast, for example by
        predicting the whole panel with ``history="none"``).

    Returns
    -------
    X_fit : DataFrame or ndarray of shape (n_fit, n_features)
        The rows of ``X`` that have a complete future.
    Y : DataFrame or ndarray of shape (n_fit, horizon)
        Their targets; a DataFrame with ``X_fit``'s index and columns
        ``{target}_h1 ... {target}_h{horizon}`` for a DataFrame ``X``.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_rnn import make_horizon_xy
    >>> X_fit, Y = make_horizon_xy(np.arange(5.0).reshape(-1, 1), 2)
    >>> X_fit.ravel(), Y
    (array([0., 1., 2.]), array([[1., 2.],
           [2., 3.],
           [3., 4.]]))
    """
    check_int(horizon, "horizon", "make_horizon_xy", 1)
    columns = list(getattr(X, "columns", []))
    if isinstance(target, str):
        if target not in columns:
            raise ValueError(
                f"make_horizon_xy got target={target!r}, which is not a column of "
                f"X; X has columns {columns}."
            )
        position = columns.index(target)
    else:
        position = int(target)
    values = np.asarray(X.to_numpy() if hasattr(X, "to_numpy") else X, dtype=float)
    if values.ndim != 2:
        raise ValueError(
            "make_horizon_xy expects X of shape (n_samples, n_features); got "
            f"shape {values.shape}."
        )
    if not 0 <= position < values.shape[1]:
        raise ValueError(
            f"make_horizon_xy got target={target!r}, but X has {values.shape[1]} "
            f"column(s); expected a position in [0, {values.shape[1] - 1}]."
        )
    panel = panel_layout(X, "make_horizon_xy")
    # Row t's targets are t+1..t+h only if every series steps regularly
    # forward: the time axis checks refuse backward, skipped or repeated
    # steps (naming the first), for one series and each of a panel.
    if panel is None:
        TimeAxis.of(X, "make_horizon_xy")
    else:
        series_axes(panel, "make_horizon_xy")
    bounds = (
        [(0, len(values), None)]
        if panel is None
        else zip(panel.starts, panel.stops, panel.ids, strict=True)
    )
    keep, targets = [], []
    for start, stop, key in bounds:
        n_fit = stop - start - horizon
        if n_fit < 1 and skip_short and key is not None:
            continue
        if n_fit < 1:
            which = "X has" if key is None else f"series {key!r} has"
            raise ValueError(
                f"make_horizon_xy needs more rows than horizon={horizon} in every "
                f"series; {which} {stop - start}. Pass skip_short=True to leave "
                "such series out."
            )
        series = values[start:stop, position]
        steps = np.arange(n_fit)[:, None] + np.arange(1, horizon + 1)
        targets.append(series[steps])
        keep.append(np.arange(start, start + n_fit))
    if not keep:
        raise ValueError(
            f"make_horizon_xy: no series has more rows than horizon={horizon}."
        )
    rows = np.concatenate(keep)
    Y = np.concatenate(targets, axis=0)
    if not hasattr(X, "iloc"):
        return values[rows] if not hasattr(X, "shape") else X[rows], Y
    import pandas as pd

    X_fit = X.iloc[rows]
    name = columns[position] if columns else f"x{position}"
    Y = pd.DataFrame(
        Y, index=X_fit.index, columns=[f"{name}_h{k}" for k in range(1, horizon + 1)]
    )
    return X_fit, Y
