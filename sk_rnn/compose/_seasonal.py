"""DeseasonalizedRegressor: learn the deseasonalised series, forecast with
its season put back."""

from __future__ import annotations

from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.utils import get_tags
from sklearn.utils.validation import check_is_fitted

from .._utils._base import SkRnnEstimatorMixin
from .._utils._compat import HasMethods, Interval, _fit_context
from .._utils._validation import validate
from ..preprocessing._seasonal import Deseasonalizer
from ..series._panel import Panel, build_index, is_panel, panel_layout
from ..series._time import (
    TimeAxis,
    _add_steps,
    as_time_index,
    time_index,
)


def _floats(data):
    """A DataFrame, Series or array-like as a float64 array."""
    return np.asarray(getattr(data, "to_numpy", lambda: data)(), dtype=float)


class DeseasonalizedRegressor(SkRnnEstimatorMixin, RegressorMixin, BaseEstimator):
    """Forecast a series without its seasonal pattern, then put it back.

    ``X`` holds the series (column ``level``, one row per time step, with its
    time index) and ``y`` its future: column ``j`` of ``y`` is the level
    ``j + 1`` steps after the row, as :func:`make_horizon_xy` builds it (and
    as the seed pairs each month with the next). ``fit`` fits a clone of
    ``deseasonalizer`` on every value of the series it is given (per series
    of a panel: the ``level`` column, then the targets of the series' last
    row, which are its last ``n_outputs`` values; the training rows only),
    divides the level and every target by the seasonal index of its own time
    step, and fits ``regressor`` on the result.
    ``predict`` multiplies each predicted step by its step's index again: an
    exact inverse, placed by the rows' time labels.

    Parameters
    ----------
    regressor : estimator object
        The forecaster of the deseasonalised series, usually a
        :class:`DifferencedTargetRegressor`. Cloned in ``fit``.
    deseasonalizer : Deseasonalizer or None, default=None
        How the seasonal pattern is estimated; None means
        ``Deseasonalizer()`` (multiplicative, period from the index, the
        Theta method's seasonality test per series).
    level : int, default=0
        The column of ``X`` holding the series that ``y`` continues.

    Attributes
    ----------
    regressor_ : estimator object
        The fitted clone of ``regressor``.
    deseasonalizer_ : Deseasonalizer
        The fitted clone of ``deseasonalizer`` (on the ``level`` column).
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``. Defined only when ``X`` has
        feature names that are all strings.

    See Also
    --------
    Deseasonalizer : The transformer it applies to the level and the targets.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from sklearn.linear_model import LinearRegression
    >>> from sk_rnn import Deseasonalizer, DeseasonalizedRegressor
    >>> quarters = pd.period_range("2000Q1", periods=40, freq="Q")
    >>> level = pd.DataFrame({"y": 100 * np.tile([1.2, 1.0, 0.8, 1.0], 10)},
    ...                      index=quarters)
    >>> X, y = level.iloc[:-1], level["y"].to_numpy()[1:]
    >>> model = DeseasonalizedRegressor(LinearRegression()).fit(X, y)
    >>> model.predict(X.iloc[-4:]).round(6).tolist()
    [120.0, 100.0, 80.0, 100.0]
    """

    _parameter_constraints: dict = {
        "regressor": [HasMethods(["fit", "predict"])],
        "deseasonalizer": [None, Deseasonalizer],
        "level": [Interval(Integral, 0, None, closed="left")],
    }

    def __init__(self, regressor, *, deseasonalizer=None, level=0):
        self.regressor = regressor
        self.deseasonalizer = deseasonalizer
        self.level = level

    def _level(self, X, y=None):
        """X's level column; in ``fit``, an array's rows take ``y``'s panel
        index ((series, time)), which a plain Pipeline passes beside the array
        a step before returned (as :func:`~sk_rnn.series._panel.fit_layout`
        reads the series from y)."""
        if self.level >= self.n_features_in_:
            raise ValueError(
                f"DeseasonalizedRegressor got level={self.level}, but X has "
                f"{self.n_features_in_} column(s); expected a position in "
                f"[0, {self.n_features_in_ - 1}]."
            )
        if hasattr(X, "iloc"):
            return X.iloc[:, [self.level]]
        level = np.asarray(X)[:, [self.level]]
        if is_panel(y) and len(y) == len(level):
            import pandas as pd

            return pd.DataFrame(level, index=y.index)
        return level

    def _season(self, level, n_outputs: int, fitted_block: bool = False):
        """The seasonal index of each row's ``level`` (:meth:`_level`) and
        of its next ``n_outputs`` steps: ``(n_samples,)`` and
        ``(n_samples, n_outputs)``."""
        values = _floats(level)
        table, positions, phases = self.deseasonalizer_._placed(
            level, values, fitted_block=fitted_block
        )
        period = self.deseasonalizer_.period_
        steps = (phases[:, None] + np.arange(n_outputs + 1)) % period
        factors = table[positions[:, None], steps, 0]
        return factors[:, 0], factors[:, 1:]

    def _known_series(self, level, y_2d):
        """The level column followed, in each series, by its last row's
        targets: every value of the series that ``fit`` was given."""
        import pandas as pd

        owner = "DeseasonalizedRegressor"
        n_out = y_2d.shape[1]
        values = _floats(level)
        panel = panel_layout(level, owner, len(values))
        one = panel is None
        if one:
            panel = Panel.one(len(values))
            index = time_index(level)
            times = [None if index is None else index]
        else:
            times = [as_time_index(panel.time(k)) for k in range(len(panel))]
        pieces, labels = [], []
        for k, stop in enumerate(panel.stops):
            rows = values[panel.starts[k] : stop, 0]
            own = times[k]
            axis = (
                None if own is None or not len(own) else TimeAxis.from_index(own, owner)
            )
            if axis is not None and axis.step is not None:
                later = [
                    _add_steps(axis.last, axis.step, j) for j in range(1, n_out + 1)
                ]
                pieces += [rows, y_2d[stop - 1]]
                labels.append(own.append(pd.Index(later)))
            elif one and own is None:  # no labels: extended by position
                pieces += [rows, y_2d[stop - 1]]
                labels.append(None)
            else:  # a step that cannot be continued: the series as given
                pieces.append(rows)
                labels.append(own)
        extended = np.concatenate(pieces)[:, None]
        if one and labels[0] is None:
            return extended
        if any(own is None for own in labels):
            return level  # a panel whose time level holds no time labels
        columns = list(level.columns) if hasattr(level, "columns") else None
        if one:
            return pd.DataFrame(extended, index=labels[0], columns=columns)
        lengths = [len(t) for t in labels]
        index = build_index(panel.ids, lengths, labels)
        return pd.DataFrame(extended, index=index, columns=columns)

    def _remove(self, values, factors):
        if self.deseasonalizer_.model == "multiplicative":
            return values / factors
        return values - factors

    def _put_back(self, values, factors):
        if self.deseasonalizer_.model == "multiplicative":
            return values * factors
        return values + factors

    def _deseasonalized(self, X, factors):
        """X with its level column without its seasonal index."""
        if hasattr(X, "iloc"):
            out = X.copy()
            column = out.iloc[:, self.level].to_numpy(dtype=float)
            # isetitem: the column becomes float (an integer or float32 level
            # would refuse float64 values in place).
            out.isetitem(self.level, self._remove(column, factors))
            return out
        # asarray, then copy: an array-like's __array__ may ignore copy=True.
        out = np.asarray(X, dtype=float).copy()
        out[:, self.level] = self._remove(out[:, self.level], factors)
        return out

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, **fit_params):
        """Fit the deseasonalizer on X's level, then the regressor.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The series (column ``level``) and any other inputs, one row per
            time step; a DataFrame with its time index (or a panel's (series
            id, time) MultiIndex) places every row in its season.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The level 1 (column ``j``: ``j + 1``) steps after each row.
        **fit_params : dict
            Passed to ``regressor.fit`` (``sample_weight``, ...).

        Returns
        -------
        self : DeseasonalizedRegressor
            The fitted meta-regressor.
        """
        validate(
            self, X, y, ensure_all_finite="allow-nan", multi_output=True, y_numeric=True
        )
        level = self._level(X, y)
        y_values = _floats(y)
        y_2d = y_values.reshape(len(y_values), -1)
        self.deseasonalizer_ = clone(
            Deseasonalizer() if self.deseasonalizer is None else self.deseasonalizer
        ).fit(self._known_series(level, y_2d))
        now, later = self._season(level, y_2d.shape[1], fitted_block=True)
        y_2d = self._remove(y_2d, later)
        target = y_2d if y_values.ndim == 2 else y_2d[:, 0]
        if hasattr(y, "iloc") and y_values.ndim == 2:
            import pandas as pd

            target = pd.DataFrame(target, index=y.index, columns=y.columns)
        elif hasattr(y, "iloc"):
            import pandas as pd

            target = pd.Series(target, index=y.index, name=getattr(y, "name", None))
        self._n_outputs = y_2d.shape[1]
        self.regressor_ = clone(self.regressor).fit(
            self._deseasonalized(X, now), target, **fit_params
        )
        return self

    def predict(self, X, **predict_params):
        """Forecast the deseasonalised steps and put each one's season back.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows of the fitted series, placed in their season by their time
            labels (a NumPy array is taken to start where the fitted rows
            started, with a warning).
        **predict_params : dict
            Passed to ``regressor.predict`` (``history=...``).

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            The forecasts in the original units.
        """
        check_is_fitted(self)
        validate(self, X, reset=False, ensure_all_finite="allow-nan")
        history = predict_params.get("history", "auto")
        if not isinstance(history, str):
            raise ValueError(
                "DeseasonalizedRegressor.predict got history as rows; it removes "
                "the seasonal pattern from X only, so rows passed as history "
                "would reach the regressor in their original units. Pass those "
                "rows in X (with their time labels) and keep the predictions "
                "you need, or history='auto', 'fit' or 'none'."
            )
        n_outputs = getattr(self, "_n_outputs", 1)
        now, later = self._season(self._level(X), n_outputs)
        predicted = np.asarray(
            self.regressor_.predict(self._deseasonalized(X, now), **predict_params),
            dtype=float,
        )
        predicted_2d = self._put_back(predicted.reshape(len(predicted), -1), later)
        return predicted_2d if predicted.ndim == 2 else predicted_2d[:, 0]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = get_tags(self.regressor)
        tags.input_tags.allow_nan = inner.input_tags.allow_nan
        tags.target_tags.multi_output = inner.target_tags.multi_output
        tags.regressor_tags.poor_score = inner.regressor_tags.poor_score
        return tags
