"""LevelGapFeaturizer: how far the level lies from its recent mean."""

from __future__ import annotations

from numbers import Integral, Real

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


def _gap(X: NDArray, run: NDArray, window: int, alpha: float | None = None) -> NDArray:
    """Each level minus its mean over the last ``window`` levels (fewer
    after a NaN change), from the changes ``X`` and their finite ``run``;
    with ``alpha``, the mean weighs the level ``j`` steps back by
    ``(1 - alpha) ** j``."""
    # m: the earlier levels in the mean, at most window - 1. The gap is
    # sum_j w_j (x[t] - x[t-j]) = sum_i d[t-i] W_i, W_i = sum_{j > i} w_j:
    # (m - i) / (m + 1) for equal weights, and for w_j = r**j / sum_k r**k,
    # (r**(i+1) - r**(m+1)) / (1 - r**(m+1)).
    m = np.minimum(run, window - 1)
    gap = np.zeros_like(X)
    if alpha is not None:
        r = 1.0 - alpha
        last = r ** (m + 1.0)
    for i in range(min(window - 1, len(X))):
        lagged = np.full_like(X, np.nan)
        lagged[i:] = X[: len(X) - i]
        use = m > i
        if alpha is None:
            gap[use] += (m[use] - i) * lagged[use]
        else:
            gap[use] += (r ** (i + 1) - last[use]) / (1.0 - last[use]) * lagged[use]
    if alpha is None:
        with np.errstate(invalid="ignore"):
            gap /= m + 1
    gap[np.isnan(X)] = np.nan
    return gap


#: An exponential mean stops at the oldest level whose weight is still at
#: least this share of the current level's.
SMALLEST_WEIGHT = 0.01


def smoothing_span(alpha: float) -> int:
    """Levels in the exponential mean of ``alpha``: ``1 + floor(log(0.01) /
    log(1 - alpha))``, the levels whose weight ``(1 - alpha) ** j`` is at
    least 1% of the current level's (21 for 0.2, 7 for 0.5), and at least 2
    (the current level and the one before it, for ``alpha`` > 0.99)."""
    # The epsilon keeps a weight of exactly 1% (alpha 0.9: 0.1 ** 2) in.
    levels = np.log(SMALLEST_WEIGHT) / np.log1p(-alpha)
    return max(2, 1 + int(np.floor(levels + 1e-9)))


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


def alpha_said(alpha: float) -> str:
    """A smoothing factor as written in column names and messages: the
    shortest text that reads back as the same float (0.2, 0.2000001), so two
    factors never share a name."""
    return repr(float(alpha))


def gap_alphas(alpha) -> list[float] | None:
    """``alpha`` (None, a float or a list of them) as a list of floats in
    (0, 1), or None where it is not one."""
    if alpha is None:
        return []
    alphas = [alpha] if isinstance(alpha, Real) else alpha
    alphas = list(np.asarray(alphas, dtype=object).ravel())
    if not all(
        isinstance(a, Real) and not isinstance(a, bool) and 0 < a < 1 for a in alphas
    ):
        return None
    return [float(a) for a in alphas]


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
    block's last ``n_warmup_`` rows, per series of a panel, and is
    exact. Unlike the other time-step transformers, a block without that
    history has no NaN warm-up rows: its first change is read as the start
    of the series (means over fewer levels), so the first rows of a block
    that neither starts nor continues a series (a NumPy array) are not the
    series' gaps, and a MissingHistoryWarning says so.

    With ``alpha``, it also appends the gap to an *exponentially* weighted
    mean of the levels, the level ``j`` steps back weighed by
    ``(1 - alpha) ** j``, as simple exponential smoothing (the level of the
    Theta method and of ES-RNN) weighs them. To stay exact on a continuing
    block with a finite history, that mean stops at the oldest level whose
    weight is still at least 1% of the current level's: it spans
    ``1 + floor(log(0.01) / log(1 - alpha))`` levels (21 for
    ``alpha=0.2``, 7 for 0.5; at least 2), fewer at the start of a series,
    with the weights rescaled to sum to one (``pandas.Series.ewm(alpha=alpha)``
    over those levels). A small factor spans many levels (459 for 0.01):
    that many rows of history are kept per series, and a one-series fit
    needs more rows than that.

    Parameters
    ----------
    window : int, list of int or None, default=12
        Levels in the mean, the current one included: a season (12 for
        monthly data) compares the level with its mean over the last year.
        Several windows (``[3, 12]``) append one gap column per window, in
        their order, for every input column. None: no equal-weight mean,
        only those of ``alpha``.
    alpha : float, list of float or None, default=None
        Smoothing factors in (0, 1) of exponentially weighted means: one
        more gap column per factor, in their order, for every input column,
        after the ``window`` columns. A larger factor follows the recent
        levels more closely. None appends none.

    Attributes
    ----------
    n_warmup_ : int
        The earlier changes a row's gap reads: the most levels in a mean
        (``max(window)``, or an ``alpha``'s span where that is longer),
        less 2.
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
    >>> smoothed = LevelGapFeaturizer(window=3, alpha=0.9)
    >>> smoothed.fit_transform(changes)[:, 2].round(3)  # 10 - (10 + .6 + .03) / 1.11
    array([  nan, 0.182, 0.315, 0.423])
    >>> smoothed.get_feature_names_out(["y"])
    array(['y', 'y_gap3', 'y_ewm0.9'], dtype=object)
    """

    _parameter_constraints: dict = {
        "window": [None, Interval(Integral, 2, None, closed="left"), "array-like"],
        "alpha": [None, Interval(Real, 0, 1, closed="neither"), "array-like"],
    }

    def __init__(self, window=12, alpha=None):
        self.window = window
        self.alpha = alpha

    def _windows(self) -> list[int]:
        """``window`` as a list, checked (each an int of at least 2; None:
        none, where ``alpha`` gives a mean)."""
        if self.window is None:
            if not self._alphas():
                raise ValueError(
                    "LevelGapFeaturizer needs a mean to measure the gap from: "
                    "'window' or 'alpha' must be given; got window=None and "
                    f"alpha={self.alpha!r}."
                )
            return []
        return self._checked(
            "window",
            gap_windows(self.window),
            "an int >= 2 or a non-empty list of them",
            "window",
        )

    def _alphas(self) -> list[float]:
        """``alpha`` as a list, checked (each a float in (0, 1))."""
        return self._checked(
            "alpha",
            gap_alphas(self.alpha),
            "None, a float in (0, 1) or a list of them",
            "factor",
        )

    def _checked(self, name: str, values, expected: str, unit: str) -> list:
        """``values`` (parameter ``name`` read as a list, None where it is not
        one), refused where it is not one or repeats a value."""
        if values is None:
            raise ValueError(
                f"The '{name}' parameter of LevelGapFeaturizer must be {expected}; "
                f"got {getattr(self, name)!r}."
            )
        if len(set(values)) < len(values):
            raise ValueError(
                f"The '{name}' parameter of LevelGapFeaturizer must not repeat a "
                f"{unit} (each gives a column of its own name); got "
                f"{getattr(self, name)!r}."
            )
        return values

    def _means(self) -> list[tuple[int, float | None]]:
        """``(levels, alpha)`` of every mean, in column order (alpha None:
        equal weights)."""
        means = [(window, None) for window in self._windows()]
        return means + [(smoothing_span(a), a) for a in self._alphas()]

    def _n_warmup(self) -> int:
        return max(levels for levels, _ in self._means()) - 2

    def _warmup_description(self) -> str:
        said = [f"window={self.window} levels"] if self.window is not None else []
        alphas = self._alphas()
        if alphas:
            spans = " and ".join(str(smoothing_span(a)) for a in alphas)
            shown = alphas[0] if len(alphas) == 1 else alphas
            said.append(f"alpha={shown} over {spans} levels")
        return f"{', '.join(said)}: {self._n_warmup()} earlier changes"

    def _transform_rows(self, X: NDArray) -> NDArray:
        run = _finite_run(X)
        gaps = [_gap(X, run, levels, alpha) for levels, alpha in self._means()]
        return np.concatenate([X, *gaps], axis=1)

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
            and input column (window-major), then ``{name}_ewm{alpha}`` for
            each ``alpha`` and input column.
        """
        check_is_fitted(self, "n_features_in_")
        names = list(_check_feature_names_in(self, input_features))
        gaps = [f"{name}_gap{w}" for w in self._windows() for name in names]
        gaps += [f"{name}_ewm{alpha_said(a)}" for a in self._alphas() for name in names]
        return np.asarray(names + gaps, dtype=object)
