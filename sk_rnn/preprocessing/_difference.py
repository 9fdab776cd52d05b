"""DifferenceTransformer: x[t] - x[t - interval], ``order`` times."""

from __future__ import annotations

import warnings
from numbers import Integral

import numpy as np
from numpy.typing import NDArray
from sklearn.base import OneToOneFeatureMixin
from sklearn.utils.validation import check_is_fitted

from .._utils._compat import Interval
from .._utils._validation import validate
from ..exceptions import MissingHistoryWarning
from ..series._time import is_dataframe, time_index
from ._base import FLOAT_DTYPES, _TimeStepTransformer


def _difference(X: NDArray, interval: int, order: int) -> NDArray:
    """Difference along rows ``order`` times; undefined leading rows are NaN."""
    out = np.array(X, copy=True)
    for _ in range(order):
        out[interval:] = out[interval:] - out[:-interval]
        out[:interval] = np.nan
    return out


def _integrate(seed: NDArray, diffs: NDArray, interval: int) -> NDArray:
    """Invert one differencing: ``y[t] = diffs[t] + y[t - interval]``.

    ``seed`` holds the ``interval`` values of ``y`` just before ``diffs``.
    Returns the ``len(diffs)`` values of ``y`` that follow the seed.
    """
    full = np.concatenate([seed, diffs], axis=0)
    for phase in range(interval):
        full[phase::interval] = np.cumsum(full[phase::interval], axis=0)
    return full[interval:]


class DifferenceTransformer(OneToOneFeatureMixin, _TimeStepTransformer):
    """Difference a time series along its rows, with an exact inverse.

    Row ``t`` of the output is ``x[t] - x[t - interval]``, applied ``order``
    times (``order=2`` gives the difference of the differences). Rows are
    time steps, oldest first, and every column is differenced on its own. No
    row is added or dropped: the first ``interval * order`` rows of a block
    (the warm-up) have no history and are NaN, unless the block is a pandas
    DataFrame whose index directly continues the index seen in ``fit`` (the
    next test fold of a ``TimeSeriesSplit``, for example). Then the last
    ``interval * order`` fitted rows supply the history and every row is
    exact. A NumPy array has no index, so its warm-up rows are always NaN.

    Parameters
    ----------
    interval : int, default=1
        The lag of the difference, in rows: 1 for consecutive steps, 12 for a
        seasonal difference of monthly data.
    order : int, default=1
        How many times to difference.

    Attributes
    ----------
    n_warmup_ : int
        ``interval * order``, the number of leading rows of a block that have
        no history.
    n_samples_fit_ : int
        Number of rows of the fitted block.
    head_ : ndarray of shape (`n_warmup_`, `n_features_in_`)
        The first rows of the fitted block, which ``inverse_transform`` needs
        to rebuild it.
    tail_ : ndarray of shape (`n_warmup_`, `n_features_in_`)
        The last rows of the fitted block: the history of a block that
        continues it, in ``transform`` and ``inverse_transform``.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``. Defined only when ``X`` has
        feature names that are all strings.

    See Also
    --------
    LagFeaturizer : Turn each row into a window of the most recent rows.
    DifferencedTargetRegressor : Learn the change of the target instead of its
        level.

    Notes
    -----
    ``inverse_transform`` rebuilds one of two blocks: the fitted block itself
    (a NumPy array with ``n_samples_fit_`` rows, or a DataFrame with the
    fitted index), from ``head_``; or, for a DataFrame whose index directly
    continues the fitted index, the block that follows the fitted one, from
    ``tail_``. The warm-up rows of the fitted block are taken from ``head_``,
    whatever values the input has there.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_rnn import DifferenceTransformer
    >>> X = np.array([[1.0], [3.0], [6.0], [10.0]])
    >>> diff = DifferenceTransformer()
    >>> diff.fit_transform(X).ravel()
    array([nan,  2.,  3.,  4.])
    >>> diff.inverse_transform(diff.transform(X)).ravel()
    array([ 1.,  3.,  6., 10.])
    >>> DifferenceTransformer(order=2).fit_transform(X).ravel()
    array([nan, nan,  1.,  1.])
    """

    _parameter_constraints: dict = {
        "interval": [Interval(Integral, 1, None, closed="left")],
        "order": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, interval=1, order=1):
        self.interval = interval
        self.order = order

    def _n_warmup(self) -> int:
        return self.interval * self.order

    def _warmup_description(self) -> str:
        return (
            f"interval={self.interval} * order={self.order} warm-up rows plus one "
            "differenced row"
        )

    def _transform_rows(self, X: NDArray) -> NDArray:
        with np.errstate(over="ignore", invalid="ignore"):
            out = _difference(X, self.interval, self.order)
        overflow = np.isinf(out) & ~np.isinf(X)
        if overflow.any():
            row, column = np.argwhere(overflow)[0]
            raise ValueError(
                f"DifferenceTransformer: the difference of row {row} (column "
                f"{column}) overflows {out.dtype} (|x| near "
                f"{np.finfo(out.dtype).max:.3g}); scale X down before differencing."
            )
        return out

    def _remember(self, X: NDArray, starts, stops) -> None:
        w = self.n_warmup_
        head = np.full((len(starts), w, X.shape[1]), np.nan, dtype=X.dtype)
        for k, (a, b) in enumerate(zip(starts, stops, strict=True)):
            rows = X[a : min(b, a + w)]
            head[k, : len(rows)] = rows
        self.head_ = head[0] if self._one_series() else head

    def inverse_transform(self, X):
        """Undo the differencing of the fitted block or of the block after it.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Differences, as ``transform`` returns them. Either the fitted block
            (``n_samples_fit_`` rows, or a DataFrame with the fitted index), or
            a DataFrame whose index directly continues the fitted index.

        Returns
        -------
        X_original : ndarray or DataFrame of shape (n_samples, n_features)
            The series in its original units; a DataFrame for a DataFrame.
        """
        check_is_fitted(self)
        X_values = validate(
            self, X, reset=False, dtype=FLOAT_DTYPES, ensure_all_finite="allow-nan"
        )
        panel, kinds = self._series_of(X, X_values)
        return self._wrap_inverse(self._inverse_series(X_values, panel, kinds, X), X)

    def _integrate_after(self, X_values: NDArray, tail: NDArray) -> NDArray:
        """The levels of a block that follows the fitted rows ``tail``."""
        interval = self.interval
        seeds = [tail.astype(X_values.dtype)]
        for _ in range(self.order - 1):
            seeds.append(_difference(seeds[-1], interval, 1))
        level = X_values
        for seed in reversed(seeds):
            level = _integrate(seed[-interval:], level, interval)
        return level

    def _rebuild_fitted(self, X_values: NDArray, head: NDArray) -> NDArray:
        """The levels of the fitted block, from its first rows ``head``."""
        interval = self.interval
        heads = [head.astype(X_values.dtype)]
        for _ in range(self.order - 1):
            heads.append(_difference(heads[-1], interval, 1))
        level = X_values
        for depth in reversed(range(self.order)):
            # ``heads[depth]`` holds the level-``depth`` series on the first
            # warm-up rows; its values are defined from row depth * interval.
            start = depth * interval
            seed = heads[depth][start : start + interval]
            rebuilt = np.full_like(X_values, np.nan)
            rebuilt[start : start + interval] = seed
            rebuilt[start + interval :] = _integrate(
                seed, level[start + interval :], interval
            )
            level = rebuilt
        return level

    def _inverse_series(self, X_values: NDArray, panel, kinds, X) -> NDArray:
        """Invert each series: its fitted block or the block after it.

        A block is matched to its fitted block by its time labels; a block
        without any (a NumPy array) can only be matched by its length, so it
        is read as the fitted block with a MissingHistoryWarning.
        """
        one = self._one_series()
        tails, heads = self._stacked("tail_"), self._stacked("head_")
        lengths = self._fitted_lengths()
        pieces = []
        for k, (position, kind, reason) in enumerate(kinds):
            block = X_values[panel.starts[k] : panel.stops[k]]
            if kind == "continues":
                pieces.append(self._integrate_after(block, tails[position]))
                continue
            fitted_rows = None if position is None else lengths[position]
            unlabelled = (
                one
                and kind == "unknown"
                and (self._axis is None or time_index(X) is None)
            )
            if (kind != "start" and not unlabelled) or len(block) != fitted_rows:
                raise ValueError(
                    self._inverse_refusal(X, block, panel.ids[k], position)
                )
            if unlabelled:
                warnings.warn(
                    "DifferenceTransformer.inverse_transform: the "
                    f"{len(block)} rows of X are read as the fitted block, because "
                    f"{reason}: without time labels a block can only be matched "
                    "by its length. Pass a DataFrame with the fitted index (or "
                    "one that continues it) to have the block identified.",
                    MissingHistoryWarning,
                    stacklevel=3,
                )
            head = heads[position]
            if len(block) <= self.n_warmup_:  # all warm-up: the fitted values
                pieces.append(head[: len(block)].astype(block.dtype))
            else:
                pieces.append(self._rebuild_fitted(block, head))
        return np.concatenate(pieces, axis=0) if pieces else X_values.copy()

    def _inverse_refusal(self, X, block, key, position) -> str:
        if self._one_series():
            index = time_index(X)
            if index is None:
                return (
                    "DifferenceTransformer.inverse_transform on a NumPy array "
                    "rebuilds the fitted block, which has "
                    f"{self.n_samples_fit_} rows; got {len(block)} rows. To invert "
                    "the block that follows the fitted one, pass a DataFrame whose "
                    "index continues the fitted index."
                )
            return (
                "DifferenceTransformer.inverse_transform needs the fitted block "
                f"(a DataFrame with the fitted index of {self.n_samples_fit_} rows) "
                "or a DataFrame whose index directly continues the fitted index; "
                f"got a DataFrame of {len(block)} rows starting at "
                f"{index[0] if len(index) else None!r}."
            )
        fitted_rows = None if position is None else self._lengths[position]
        return (
            "DifferenceTransformer.inverse_transform needs, for every series of a "
            "panel, its fitted block (its fitted time labels) or a block whose "
            f"time labels directly continue them; series {key!r} has {len(block)} "
            "rows "
            + (
                "and was not in the fitted panel."
                if position is None
                else f"and neither ({fitted_rows} rows were fitted)."
            )
        )

    def _wrap_inverse(self, values: NDArray, X):
        if not is_dataframe(X):
            return values
        import pandas as pd

        columns = getattr(self, "feature_names_in_", None)
        return pd.DataFrame(values, index=X.index, columns=columns, copy=False)
