"""LevelGapFeaturizer: how far the level lies from its recent mean."""

from __future__ import annotations

from numbers import Integral

import numpy as np
from numpy.typing import NDArray
from sklearn.utils.validation import check_is_fitted

from .._utils._compat import Interval, _check_feature_names_in
from ._base import _TimeStepTransformer


def _finite_run(X: NDArray) -> NDArray:
    """Per cell, how many finite values end at its row, itself included."""
    rows = np.arange(len(X))[:, None]
    last_missing = np.where(np.isnan(X), rows, -1)
    np.maximum.accumulate(last_missing, axis=0, out=last_missing)
    return rows - last_missing


def _gap(X: NDArray, run: NDArray, window: int) -> NDArray:
    """Each level minus its mean over the last ``window`` levels (fewer
    after a NaN change), from the changes ``X`` and their finite ``run``."""
    # m: the earlier levels in the mean, at most window - 1.
    m = np.minimum(run, window - 1)
    gap = np.zeros_like(X)
    for i in range(min(window - 1, len(X))):
        lagged = np.full_like(X, np.nan)
        lagged[i:] = X[: len(X) - i]
        use = m > i
        gap[use] += (m[use] - i) * lagged[use]
    with np.errstate(invalid="ignore"):
        gap /= m + 1
    gap[np.isnan(X)] = np.nan
    return gap


def gap_windows(window) -> list[int] | None:
    """``window`` (an int or a list of them) as a list of ints >= 2, or None
    where it is not one (make_forecaster's ``level_gap`` is checked the same
    way, when it builds)."""
    windows = [window] if isinstance(window, Integral) else window
    windows = list(np.asarray(windows, dtype=object).ravel())
    if not windows or not all(
        isinstance(w, Integral) and not isinstance(w, bool) and w >= 2 for w in windows
    ):
        return None
    return [int(w) for w in windows]


class LevelGapFeaturizer(_TimeStepTransformer):
    """Append how far each level lies above its mean over the last steps.

    The input is the *changes* of a series from one step to the next (the
    output of ``DifferenceTransformer()``, with ``interval=1`` and
    ``order=1``), which is what a network reads once the level is
    differenced. Other inputs (seasonal or second differences) give other
    columns, not the level's gap, and cannot be told apart here. The
    changes alone do not tell a network whether the level now stands high
    or low against its recent past, unless it remembers many of them; this
    step adds it as a column. For every input
    column ``d`` (the changes of a level ``x``), it appends

        gap[t] = x[t] - mean(x[t - window + 1], ..., x[t])
               = sum_{i=0}^{window-2} (window - 1 - i) / window * d[t - i],

    computed from the changes, so the level itself is never needed. The
    input columns come first, unchanged.

    At the start of a series fewer levels exist: the mean is over those
    there are (a change of NaN, such as the first row that
    :class:`DifferenceTransformer` leaves undefined, marks the start), as
    ``pandas.Series.rolling(window, min_periods=1)`` on the level would give.
    A row whose change is NaN gets a gap of NaN, and the mean restarts after
    it. A block that continues the fitted one (a DataFrame whose index
    continues the fitted index, or any block inside a
    :class:`SeriesPipeline`) reads its first rows' history from the fitted
    block's last ``max(window) - 2`` rows, per series of a panel, and is
    exact. Unlike the other time-step transformers, a block without that
    history has no NaN warm-up rows: its first change is read as the start
    of the series (means over fewer levels), so the first rows of a block
    that neither starts nor continues a series (a NumPy array) are not the
    series' gaps, and a MissingHistoryWarning says so.

    Parameters
    ----------
    window : int or list of int, default=12
        Levels in the mean, the current one included: a season (12 for
        monthly data) compares the level with its mean over the last year.
        Several windows (``[3, 12]``) append one gap column per window, in
        their order, for every input column.

    Attributes
    ----------
    n_warmup_ : int
        ``max(window) - 2``, the earlier changes a row's gap reads.
    n_samples_fit_ : int
        Number of rows of the fitted block.
    tail_ : ndarray of shape (`n_warmup_`, `n_features_in_`)
        The last rows of the fitted block: the history of a block that
        continues it (for a panel, one per series, stacked).
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``. Defined only when ``X`` has
        feature names that are all strings.

    See Also
    --------
    DifferenceTransformer : The changes this step reads.
    LagFeaturizer : Windows of the changes and their gaps, for a network.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_rnn import DifferenceTransformer, LevelGapFeaturizer
    >>> level = np.array([[1.0], [3.0], [6.0], [10.0]])
    >>> changes = DifferenceTransformer().fit_transform(level)
    >>> out = LevelGapFeaturizer(window=3).fit_transform(changes)
    >>> out[:, 0]  # the changes
    array([nan,  2.,  3.,  4.])
    >>> out[:, 1].round(3)  # e.g. 10 - (3 + 6 + 10) / 3
    array([  nan, 1.   , 2.667, 3.667])
    >>> LevelGapFeaturizer(window=3).fit(changes).get_feature_names_out(["y"])
    array(['y', 'y_gap3'], dtype=object)
    """

    _parameter_constraints: dict = {
        "window": [Interval(Integral, 2, None, closed="left"), "array-like"],
    }

    def __init__(self, window=12):
        self.window = window

    def _windows(self) -> list[int]:
        """``window`` as a list, checked (each an int of at least 2)."""
        windows = gap_windows(self.window)
        if windows is None:
            raise ValueError(
                "The 'window' parameter of LevelGapFeaturizer must be an int >= 2 "
                f"or a non-empty list of them; got {self.window!r}."
            )
        if len(set(windows)) < len(windows):
            raise ValueError(
                "The 'window' parameter of LevelGapFeaturizer must not repeat a "
                f"window (each gives a column of its own name); got {self.window!r}."
            )
        return windows

    def _n_warmup(self) -> int:
        return max(self._windows()) - 2

    def _warmup_description(self) -> str:
        return f"window={self.window} levels: {self._n_warmup()} earlier changes"

    def _transform_rows(self, X: NDArray) -> NDArray:
        run = _finite_run(X)
        return np.concatenate(
            [X] + [_gap(X, run, window) for window in self._windows()], axis=1
        )

    def get_feature_names_out(self, input_features=None):
        """The input columns, then one gap column per input column.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Input feature names. If None, ``feature_names_in_`` is used, or
            ``x0, x1, ...`` when the input had no names.

        Returns
        -------
        feature_names_out : ndarray of str objects
            The input names, then ``{name}_gap{window}`` for each window
            and input column (window-major).
        """
        check_is_fitted(self, "n_features_in_")
        names = list(_check_feature_names_in(self, input_features))
        gaps = [f"{name}_gap{w}" for w in self._windows() for name in names]
        return np.asarray(names + gaps, dtype=object)
