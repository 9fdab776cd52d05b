"""Walk-forward folds on a panel's time level."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.model_selection import BaseCrossValidator

from .._utils._validation import check_int

__all__ = ["PanelSplit"]


class PanelSplit(BaseCrossValidator):
    """Walk-forward folds over a panel: the last steps of every series.

    A panel is a DataFrame with a two-level ``MultiIndex`` (series id, time),
    each series' rows consecutive and in time order. Like scikit-learn's
    :class:`~sklearn.model_selection.TimeSeriesSplit`, but on the time level
    of each series: in fold ``k`` of ``n_splits``, the test rows of every
    series are its ``test_size`` steps that end ``(n_splits - 1 - k) *
    test_size`` steps before its own end, and its training rows are all the
    steps before them (less ``gap``). Series may differ in length and in
    their last date (as in the M3 competition): each is aligned on its own
    end. Indices are positions in ``X``, so the folds work in
    ``cross_validate`` and ``GridSearchCV`` with any estimator that accepts
    the panel (sk_rnn's transformers and SeriesPipeline keep each series
    apart; a stateful LSTMRegressor refuses panels).

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds; at least 1 (the last fold is the last
        ``test_size`` steps of every series).
    test_size : int, default=1
        Steps of every series in each test fold (the forecast horizon).
    gap : int, default=0
        Steps of every series left out between its training and test rows.

    Examples
    --------
    >>> import pandas as pd
    >>> from sk_rnn.model_selection import PanelSplit
    >>> index = pd.MultiIndex.from_tuples(
    ...     [("a", t) for t in range(5)] + [("b", t) for t in range(4)],
    ...     names=["series", "time"])
    >>> X = pd.DataFrame({"value": range(9)}, index=index)
    >>> for train, test in PanelSplit(n_splits=2, test_size=1).split(X):
    ...     print(train.tolist(), test.tolist())
    [0, 1, 2, 5, 6] [3, 7]
    [0, 1, 2, 3, 5, 6, 7] [4, 8]
    """

    def __init__(self, n_splits=5, *, test_size=1, gap=0):
        self.n_splits = n_splits
        self.test_size = test_size
        self.gap = gap

    def get_n_splits(self, X=None, y=None, groups=None):
        """The number of folds, ``n_splits``."""
        return self.n_splits

    def _check(self, X) -> list[tuple[int, int]]:
        """``(start, length)`` of every series' rows in ``X``."""
        check_int(self.n_splits, "n_splits", "PanelSplit", 1)
        check_int(self.test_size, "test_size", "PanelSplit", 1)
        check_int(self.gap, "gap", "PanelSplit", 0)
        index = getattr(X, "index", None)
        if not isinstance(index, pd.MultiIndex) or index.nlevels != 2:
            error = TypeError if not isinstance(index, pd.MultiIndex) else ValueError
            raise error(
                "PanelSplit expects a panel: a DataFrame with a two-level "
                "MultiIndex (series id, time); got "
                + (
                    f"{type(X if index is None else index).__name__}. "
                    if error is TypeError
                    else f"a MultiIndex of {index.nlevels} levels. "
                )
                + "For one series use sklearn's TimeSeriesSplit; for a long frame "
                "with series and time columns use df.set_index([series, time])."
            )
        ids = index.get_level_values(0)
        starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
        if len(set(ids[starts])) != len(starts):
            raise ValueError(
                "PanelSplit expects each series' rows to be consecutive; the rows "
                "of some series are interleaved with others. Sort by series, then "
                "time: X.sort_index(level=[0, 1])."
            )
        bounds = list(zip(starts, np.diff(np.r_[starts, len(ids)]), strict=True))
        times = index.get_level_values(1)
        for start, length in bounds:
            block = times[start : start + length]
            if not block.is_monotonic_increasing or not block.is_unique:
                raise ValueError(
                    f"PanelSplit expects each series in time order; series "
                    f"{ids[start]!r} is not. Sort by series, then time: "
                    "X.sort_index(level=[0, 1])."
                )
        needed = self.n_splits * self.test_size + self.gap + 1
        short = [(ids[s], n) for s, n in bounds if n < needed]
        if short:
            raise ValueError(
                f"PanelSplit with n_splits={self.n_splits}, test_size="
                f"{self.test_size} and gap={self.gap} needs at least {needed} "
                f"steps per series; series {short[0][0]!r} has {short[0][1]} "
                f"({len(short)} series are that short)."
            )
        return bounds

    def split(self, X, y=None, groups=None):
        """Yield ``(train, test)`` positions, one pair per fold, oldest first.

        Parameters
        ----------
        X : DataFrame with a two-level MultiIndex (series id, time)
            The panel.
        y : object
            Ignored.
        groups : object
            Ignored.

        Yields
        ------
        train : ndarray
            Positions of the training rows, every series' earlier steps.
        test : ndarray
            Positions of the test rows, ``test_size`` steps of every series.
        """
        bounds = self._check(X)
        h, gap = self.test_size, self.gap
        for k in range(self.n_splits):
            behind = (self.n_splits - 1 - k) * h  # steps after the test block
            train, test = [], []
            for start, length in bounds:
                test_start = start + length - behind - h
                train.append(np.arange(start, test_start - gap))
                test.append(np.arange(test_start, test_start + h))
            yield np.concatenate(train), np.concatenate(test)
