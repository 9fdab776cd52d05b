"""Deseasonalizer: each series' classical seasonal pattern, removed exactly."""

from __future__ import annotations

import warnings
from numbers import Integral

import numpy as np
from numpy.typing import NDArray
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from .._utils._base import SkRnnEstimatorMixin
from .._utils._compat import Interval, StrOptions, _fit_context
from .._utils._validation import validate
from ..exceptions import MissingHistoryWarning
from ..series._panel import Panel, fit_layout, panel_layout, panel_segments
from ..series._time import (
    TimeAxis,
    as_time_index,
    in_series_start,
    index_kind,
    series_axes,
    time_index,
)
from ._base import FLOAT_DTYPES, wrap_like_input

#: Seasonal period of a time step, by its frequency's letter (after a
#: business "B"): quarters, months, weeks, days, hours, years.
PERIODS = {"Q": 4, "M": 12, "W": 52, "D": 7, "h": 24, "H": 24, "Y": 1, "A": 1}


def period_of(axis: TimeAxis | None) -> int | None:
    """The seasonal period a time axis implies (12 for months), or None."""
    import pandas as pd

    if axis is None:
        return None
    if isinstance(axis.first, pd.Period):
        code = axis.first.freqstr
    elif isinstance(axis.step, pd.offsets.BaseOffset):
        code = axis.step.rule_code
        if axis.step.n != 1:
            return None
    else:
        return None
    if code[:1].isdigit():  # "2M": a multiple of the base frequency
        return None
    base = code.split("-")[0]
    if base == "B":
        return 5  # business days: a week
    if base == "min":
        return None
    return PERIODS.get(base[1:2] if base[:1] == "B" and len(base) > 1 else base[:1])


def is_seasonal(values: NDArray, period: int) -> bool:
    """The 90% autocorrelation test of the Theta method (Assimakopoulos &
    Nikolopoulos 2000; M4's benchmarks): is lag ``period``'s autocorrelation
    beyond 1.645 standard errors (Bartlett's formula)? Needs three periods."""
    finite = np.isfinite(values)
    n = int(finite.sum())
    if period < 2 or n < 3 * period:
        return False
    # A missing value drops the pairs it is in, not its position: lag k
    # stays k steps.
    centred = np.where(finite, values - values[finite].mean(), 0.0)
    denominator = float(centred @ centred)
    if denominator == 0.0:
        return False
    size = len(values)
    acf = np.array(
        [centred[k:] @ centred[: size - k] / denominator for k in range(1, period + 1)]
    )
    limit = 1.645 * np.sqrt((1.0 + 2.0 * np.sum(acf[:-1] ** 2)) / n)
    return bool(abs(acf[-1]) > limit)


def seasonal_indices(values: NDArray, period: int, model: str) -> NDArray | None:
    """Classical decomposition: each phase's mean ratio (or difference) to
    the centred moving average of one period (2 x period for an even one),
    normalised to mean 1 (or 0). ``values[0]`` is phase 0. None when missing
    values leave a phase without any estimate."""
    if period % 2 == 0:
        weights = np.r_[0.5, np.ones(period - 1), 0.5] / period
    else:
        weights = np.ones(period) / period
    trend = np.convolve(values, weights, mode="valid")
    offset = (len(weights) - 1) // 2
    centre = values[offset : offset + len(trend)]
    detrended = centre / trend if model == "multiplicative" else centre - trend
    phases = (np.arange(len(trend)) + offset) % period
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a phase of NaN only
        index = np.array([np.nanmean(detrended[phases == p]) for p in range(period)])
    if not np.isfinite(index).all():
        return None
    if model == "multiplicative":
        return index / index.mean()
    return index - index.mean()


def steps_from(axis: TimeAxis, label, owner: str) -> int:
    """How many time steps ``label`` lies after the axis' first label."""
    import pandas as pd

    first, step = axis.first, axis.step
    kinds = (pd.Period, pd.Timestamp)
    if isinstance(first, kinds) != isinstance(label, kinds) or (
        isinstance(first, kinds) and type(first) is not type(label)
    ):
        raise ValueError(
            f"{owner}: X's time label {label!r} ({type(label).__name__}) is "
            f"not of the fitted index' kind ({type(first).__name__}, from "
            f"{first!r}), so its season is unknown. Pass X with the index it "
            "was fitted with."
        )
    if isinstance(first, pd.Period):
        if label.freqstr != first.freqstr:
            raise ValueError(
                f"{owner}: X's time label {label!r} has frequency "
                f"{label.freqstr!r}, the fitted series {first.freqstr!r}, so "
                "its season is unknown."
            )
        return int(label.ordinal - first.ordinal)
    if isinstance(step, pd.offsets.BaseOffset):
        low, high = sorted([first, label])
        grid = pd.date_range(low, high, freq=step)
        if len(grid) == 0 or grid[-1] != high or grid[0] != low:
            raise ValueError(
                f"{owner}: X's time label {label!r} is not on the fitted time "
                f"grid (from {first!r} by {step!r}), so its season is unknown."
            )
        return (len(grid) - 1) * (1 if label >= first else -1)
    if step is None:  # a fitted series of one row, or two dated ones
        if label == first:
            return 0
        raise ValueError(
            f"{owner}: the fitted series had too few rows to tell its time step "
            f"(one, or two dates), so the season of {label!r} cannot be told."
        )
    n = (label - first) / step
    if not np.isclose(n, round(n)):
        raise ValueError(
            f"{owner}: X's time label {label!r} is not on the fitted time grid "
            f"(from {first!r} by {step!r}), so its season is unknown."
        )
    return int(round(n))


class Deseasonalizer(
    SkRnnEstimatorMixin, OneToOneFeatureMixin, TransformerMixin, BaseEstimator
):
    """Remove each series' seasonal pattern, with an exact inverse.

    A recurrent network forecasts a monthly series better once its yearly
    pattern is taken out (Hewamalage, Bergmeir & Bandara 2021: 17.97 against
    14.44 sMAPE on M3 monthly); the Theta method and ES-RNN do the same.
    ``fit`` estimates, for every series of a panel and every column, the
    classical seasonal indices: each phase's mean ratio
    (``model="multiplicative"``) or difference (``"additive"``) to a centred
    moving average of one period, on the training rows only. ``transform``
    divides each row by (or subtracts) the index of its phase;
    ``inverse_transform`` multiplies (adds) it back, exactly.

    The phase of a row comes from its time label: the number of steps between
    it and the first fitted label of its series, modulo ``period``. So any
    block of the series (the next test fold of a ``TimeSeriesSplit``, the
    forecast steps, the fitted rows again) is placed exactly, whether it
    continues the fitted rows or not. A block without time labels (a NumPy
    array) is placed as if it started where the fitted rows started, with a
    :class:`~sk_rnn.exceptions.MissingHistoryWarning`, except in
    ``fit_transform``, where it is the fitted block.

    Parameters
    ----------
    period : int or None, default=None
        Time steps per season: 12 for monthly data, 4 for quarterly. None
        reads it from the time index' frequency (months 12, quarters 4,
        weeks 52, days 7, business days 5, hours 24, years 1).
    model : {"multiplicative", "additive"}, default="multiplicative"
        Divide by a seasonal factor (a pattern that grows with the level;
        needs positive values), or subtract a seasonal term (for a series on
        a log scale, or one whose pattern has a constant size).
    test : bool, default=True
        Adjust a series only where the Theta method's 90% autocorrelation
        test at lag ``period`` finds seasonality (and it has three periods);
        the others are left unchanged (``seasonal_`` neutral). False adjusts
        every series with at least two periods.
    unseen : {"error", "fit"}, default="error"
        What to do with a series of X that was not fitted: refuse it, or
        estimate its pattern on the rows given (its phase 0 is its first
        row; right where those rows are the series' past, as when a global
        model forecasts a new series, or one too short to have been fitted).

    Attributes
    ----------
    period_ : int
        The period used.
    seasonal_ : ndarray of shape (n_series, `period_`, `n_features_in_`)
        Each series' index per phase (phase 0 is its first fitted row); 1
        (or 0) where a series was left unchanged. One series:
        ``(period_, n_features_in_)``.
    adjusted_ : ndarray of shape (n_series, `n_features_in_`) of bool
        Which series (and columns) were adjusted. One series:
        ``(n_features_in_,)``.
    series_ : ndarray of shape (n_series,)
        The fitted series' ids. Only after fitting on a panel.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``. Defined only when ``X`` has
        feature names that are all strings.

    See Also
    --------
    DeseasonalizedRegressor : Fit a regressor on the deseasonalised level and
        forecast in the original units.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from sk_rnn import Deseasonalizer
    >>> months = pd.period_range("2020-01", periods=48, freq="M")
    >>> pattern = np.tile([1.2, 1.0, 0.8, 1.0], 12)
    >>> X = pd.DataFrame({"sales": 100.0 * pattern}, index=months)
    >>> deseasonalizer = Deseasonalizer(period=4).fit(X)
    >>> deseasonalizer.seasonal_[:, 0].round(3).tolist()
    [1.2, 1.0, 0.8, 1.0]
    >>> deseasonalizer.transform(X)["sales"].round(6).unique().tolist()
    [100.0]
    """

    _parameter_constraints: dict = {
        "period": [None, Interval(Integral, 1, None, closed="left")],
        "model": [StrOptions({"multiplicative", "additive"})],
        "test": ["boolean"],
        "unseen": [StrOptions({"error", "fit"})],
    }

    def __init__(
        self, period=None, *, model="multiplicative", test=True, unseen="error"
    ):
        self.period = period
        self.model = model
        self.test = test
        self.unseen = unseen

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Estimate every series' seasonal indices on the training rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            One series (oldest row first) or a panel (a DataFrame with a
            (series id, time) MultiIndex). NaN is allowed: it is left out of
            the estimate and propagates through ``transform``.
        y : array-like or None, default=None
            Not used, except for its index: a pandas ``y`` with a (series id,
            time) MultiIndex gives the panel layout of an ``X`` that has none.

        Returns
        -------
        self : Deseasonalizer
            The fitted transformer.
        """
        owner = "Deseasonalizer"
        X_values = validate(self, X, dtype=FLOAT_DTYPES, ensure_all_finite="allow-nan")
        panel = fit_layout(X, y, owner, X_values.shape[0])
        self.__dict__.pop("series_", None)
        if panel is None:
            axes = [TimeAxis.of(X, owner)]
            panel = Panel.one(X_values.shape[0])
        else:
            axes = series_axes(panel, owner)
            self.series_ = panel.ids.copy()
        period = self.period
        if period is None:
            found = {period_of(axis) for axis in axes}
            if len(found) != 1 or None in found:
                raise ValueError(
                    "Deseasonalizer got period=None, which reads the period from "
                    "X's time index, but X's index has no frequency it knows "
                    "(months, quarters, weeks, days, business days, hours, "
                    "years); pass period=<steps per season>."
                )
            period = found.pop()
        if self.model == "multiplicative" and np.nanmin(X_values, initial=1.0) <= 0:
            raise ValueError(
                "Deseasonalizer with model='multiplicative' divides by seasonal "
                "factors and expects positive values; X has a minimum of "
                f"{np.nanmin(X_values)!r}. Use model='additive' (on the "
                "logarithm, for a multiplicative pattern) or shift X."
            )
        n_series = len(panel)
        estimates = [
            self._estimate(X_values[a:b], period)
            for a, b in zip(panel.starts, panel.stops, strict=True)
        ]
        seasonal = np.stack([e[0] for e in estimates])
        adjusted = np.stack([e[1] for e in estimates])
        self.period_ = int(period)
        self._axes = axes
        self._n_fit_rows = X_values.shape[0]
        one = n_series == 1 and getattr(self, "series_", None) is None
        self.seasonal_ = seasonal[0] if one else seasonal
        self.adjusted_ = adjusted[0] if one else adjusted
        return self

    def fit_transform(self, X, y=None):
        """Fit, then deseasonalise the fitted rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The training rows (see ``fit``).
        y : array-like or None, default=None
            Not used, except for its panel index.

        Returns
        -------
        X_out : ndarray or DataFrame of shape (n_samples, n_features)
            The deseasonalised rows.
        """
        self.fit(X, y)
        with panel_segments(fit_layout(X, y, "Deseasonalizer", self._n_fit_rows)):
            return self._apply(X, inverse=False, fitted_block=True)

    def _estimate(self, rows: NDArray, period: int):
        """One series' ``(seasonal (period, n_features), adjusted)``."""
        neutral = 1.0 if self.model == "multiplicative" else 0.0
        seasonal = np.full((period, rows.shape[1]), neutral)
        adjusted = np.zeros(rows.shape[1], dtype=bool)
        for c in range(rows.shape[1]):
            values = rows[:, c].astype(float)
            if period < 2 or np.isfinite(values).sum() < 2 * period:
                continue
            if self.test and not is_seasonal(values, period):
                continue
            indices = seasonal_indices(values, period, self.model)
            if indices is None:  # a phase with no value left: no estimate
                continue
            seasonal[:, c] = indices
            adjusted[c] = True
        return seasonal, adjusted

    # ------------------------------------------------------------- phases
    def _stacked(self):
        seasonal = self.seasonal_
        return seasonal[None] if getattr(self, "series_", None) is None else seasonal

    def _placed(
        self, X, X_values: NDArray, method: str = "transform", fitted_block=False
    ):
        """``(table, positions, phases)``: the seasonal indices of every
        series (the fitted ones, then any unseen one of X, estimated on its
        rows with ``unseen="fit"``), which of them each row of X belongs to,
        and its phase. ``fitted_block``: X is the block just fitted."""
        check_is_fitted(self)
        owner = "Deseasonalizer"
        n_rows = X_values.shape[0]
        panel = panel_layout(X, owner, n_rows)
        if panel is None and in_series_start() and not fitted_block:
            # Inside a SeriesPipeline, one series' rows arrive behind its kept
            # history, relabelled (or as an array): their labels do not place
            # them in the season.
            raise ValueError(
                "Deseasonalizer cannot be a step of a SeriesPipeline on one "
                "series: the pipeline hands it a block behind the series' kept "
                "rows without their time labels, so the rows' seasons are "
                "unknown. Deseasonalise before the pipeline, or wrap the "
                "forecaster in DeseasonalizedRegressor."
            )
        fitted = getattr(self, "series_", None)
        if (panel is None) != (fitted is None):
            was = "one series" if fitted is None else f"a panel of {len(fitted)}"
            now = "a panel" if panel is not None else "not a panel"
            dropped = (
                "; a step before it that returns an array drops that index: "
                "call set_output(transform='pandas') on the pipeline, or "
                "deseasonalise (or wrap the whole pipeline in "
                "DeseasonalizedRegressor) outside it"
                if panel is None
                else ""
            )
            raise ValueError(
                f"Deseasonalizer was fitted on {was}, but X is {now}; it expects "
                "the layout seen in fit (a panel is a DataFrame with a (series "
                f"id, time) MultiIndex{dropped})."
            )
        if panel is None:
            panel, lookup = Panel.one(n_rows), {None: 0}
            times = [time_index(X)]
        else:
            lookup = {key: k for k, key in enumerate(fitted)}
            times = [as_time_index(panel.time(k)) for k in range(len(panel))]
        unknown = [key for key in panel.ids if key not in lookup]
        if unknown and (self.unseen == "error" or method == "inverse_transform"):
            raise ValueError(
                f"Deseasonalizer.{method} got {len(unknown)} series that were not "
                "fitted "
                f"({unknown[:3]!r}{' ...' if len(unknown) > 3 else ''}); their "
                "seasonal pattern is unknown. Fit it on rows of every series, or "
                "(for transform) set unseen='fit' to estimate a new series' "
                "pattern on its rows; inverse_transform's rows have none left."
            )
        table = [self._stacked()]
        positions = np.empty(n_rows, dtype=np.intp)
        phases = np.empty(n_rows, dtype=np.intp)
        unlabelled = False
        n_known = len(table[0])
        patterned = np.atleast_2d(self.adjusted_).any(axis=1)
        for k, key in enumerate(panel.ids):
            start, stop = panel.starts[k], panel.stops[k]
            position = lookup.get(key)
            labels = times[k]
            if position is None:  # unseen="fit": phase 0 is its first row
                table.append(
                    self._estimate(X_values[start:stop], self.period_)[0][None]
                )
                position, offset = n_known, 0
                n_known += 1
            elif not patterned[position]:
                # No pattern was found: every phase's index is neutral, so the
                # rows' season (which a series of two dated rows cannot give,
                # its step being unknown) changes nothing.
                offset = 0
            elif labels is None or self._axes[position] is None or not len(labels):
                offset = 0
                unlabelled = unlabelled or stop > start
            else:
                axis = self._axes[position]
                name = owner if key is None else f"{owner} (series {key!r})"
                index_kind(axis, labels, name)  # order and regular steps
                offset = steps_from(axis, labels[0], name)
            positions[start:stop] = position
            phases[start:stop] = (offset + np.arange(stop - start)) % self.period_
        if unlabelled and not (fitted_block or in_series_start()):
            warnings.warn(
                "Deseasonalizer cannot tell the season of X's rows: X (or a "
                "series of it) has no time index, so its first row was taken to "
                "be the first fitted row's season. Pass a DataFrame with the "
                "time index (a Period, datetime or numeric index) to place "
                "every row exactly.",
                MissingHistoryWarning,
                stacklevel=3,
            )
        return np.concatenate(table), positions, phases

    def factors(self, X, shift: int = 0) -> NDArray:
        """The seasonal index of every row of X (of the step ``shift`` steps
        after it), shaped ``(n_samples, n_features_in_)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows of the fitted series, placed by their time labels.
        shift : int, default=0
            Steps after each row: 1 gives each row's next step's index.

        Returns
        -------
        factors : ndarray of shape (n_samples, `n_features_in_`)
            What ``transform`` divides by (or subtracts).
        """
        X_values = validate(
            self, X, reset=False, dtype=FLOAT_DTYPES, ensure_all_finite="allow-nan"
        )
        table, positions, phases = self._placed(X, X_values)
        return table[positions, (phases + shift) % self.period_]

    def _apply(self, X, inverse: bool, fitted_block: bool = False):
        check_is_fitted(self)
        X_values = validate(
            self, X, reset=False, dtype=FLOAT_DTYPES, ensure_all_finite="allow-nan"
        )
        method = "inverse_transform" if inverse else "transform"
        table, positions, phases = self._placed(X, X_values, method, fitted_block)
        factors = table[positions, phases].astype(X_values.dtype, copy=False)
        multiply = self.model == "multiplicative"
        if inverse:
            out = X_values * factors if multiply else X_values + factors
        else:
            out = X_values / factors if multiply else X_values - factors
        return wrap_like_input(self, out, X)

    def transform(self, X):
        """Remove each row's seasonal index.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows of the fitted series (any block of them, placed by its time
            labels), or of the one series.

        Returns
        -------
        X_out : ndarray or DataFrame of shape (n_samples, n_features)
            The deseasonalised rows; a DataFrame for a DataFrame.
        """
        return self._apply(X, inverse=False)

    def inverse_transform(self, X):
        """Put each row's seasonal index back.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Deseasonalised rows, placed by their time labels as in
            ``transform``.

        Returns
        -------
        X_original : ndarray or DataFrame of shape (n_samples, n_features)
            The rows with their seasonal pattern.
        """
        return self._apply(X, inverse=True)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
