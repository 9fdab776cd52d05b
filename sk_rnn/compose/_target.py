"""DifferencedTargetRegressor: learn the change of y from a reference level."""

from __future__ import annotations

from inspect import signature
from numbers import Integral

import numpy as np
from sklearn import get_config
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.utils import get_tags
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    process_routing,
)
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted, has_fit_parameter

from .._utils._base import SkRnnEstimatorMixin
from .._utils._compat import HasMethods, Interval, _fit_context
from .._utils._validation import validate
from ..series._panel import is_panel
from ..series._time import check_shift_order, check_time_order, time_index
from ._steps import (
    changed_estimator,
    changed_params,
    continue_or_clone,
    kept_on_failure,
    refuse_changes,
)


def _takes_weight(regressor, partial: bool) -> bool:
    if not partial:
        return has_fit_parameter(regressor, "sample_weight")
    return "sample_weight" in signature(regressor.partial_fit).parameters


class DifferencedTargetRegressor(SkRnnEstimatorMixin, RegressorMixin, BaseEstimator):
    """Learn ``y - reference``, predict in ``y``'s own units.

    Forecasting a level is often easier as forecasting its change from the
    last observed level. This meta-regressor fits ``regressor`` on
    ``y - X[:, reference]`` (optionally scaled by a clone of ``transformer``)
    and predicts ``inverse(regressor.predict(X)) + X[:, reference]``, an exact
    inversion row by row. Each row of ``X`` carries its own reference level
    (usually the last observed value of the series), so no history is needed
    and rows stay independent. A 2-D ``y`` (one column per horizon) has the
    same reference subtracted from every column.

    ``X`` must be finite: every row needs a known reference level (impute
    missing values first; the inner pipeline may create NaN rows and handle
    them itself). ``X`` reaches ``regressor`` unchanged (a DataFrame stays a
    DataFrame, with its index), so time-step transformers in a ``regressor``
    pipeline can continue the series across a ``TimeSeriesSplit`` boundary.

    Parameters
    ----------
    regressor : estimator object
        The regressor for the change, usually a Pipeline ending in
        :class:`LSTMRegressor`. Cloned in ``fit``.
    reference : int or str, default=0
        The column of ``X`` with the reference level: a position, or a name
        when ``X`` has feature names.
    transformer : transformer object or None, default=None
        Scales the change before fitting (for example
        ``MinMaxScaler((-1, 1))``); cloned and fitted on the training rows only,
        and inverted on predictions.

    Attributes
    ----------
    regressor_ : estimator object
        The fitted clone of ``regressor``.
    transformer_ : transformer object or None
        The fitted clone of ``transformer``.
    reference_index_ : int
        Position of the reference column.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``. Defined only when ``X`` has
        feature names that are all strings.

    See Also
    --------
    sklearn.compose.TransformedTargetRegressor : Transform y by a function of
        y alone.
    DifferenceTransformer : Difference the inputs.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from sk_rnn import DifferencedTargetRegressor
    >>> level = np.array([[10.0], [12.0], [14.0], [16.0]])
    >>> next_level = level.ravel() + 2.0
    >>> model = DifferencedTargetRegressor(LinearRegression()).fit(level, next_level)
    >>> model.predict(np.array([[20.0]])).round(6)
    array([22.])
    """

    _parameter_constraints: dict = {
        "regressor": [HasMethods(["fit", "predict"])],
        "reference": [Interval(Integral, 0, None, closed="left"), str],
        "transformer": [None, HasMethods(["fit", "transform", "inverse_transform"])],
    }

    def __init__(self, regressor, *, reference=0, transformer=None):
        self.regressor = regressor
        self.reference = reference
        self.transformer = transformer

    def _resolve_reference(self) -> int:
        if isinstance(self.reference, str):
            names = getattr(self, "feature_names_in_", None)
            if names is None or self.reference not in list(names):
                available = (
                    "X has no column names"
                    if names is None
                    else (f"X has columns {list(names)}")
                )
                raise ValueError(
                    f"DifferencedTargetRegressor got reference={self.reference!r}, "
                    f"which is not a column of X; {available}."
                )
            return int(list(names).index(self.reference))
        if self.reference >= self.n_features_in_:
            raise ValueError(
                f"DifferencedTargetRegressor got reference={self.reference}, but X "
                f"has {self.n_features_in_} column(s); expected a position in "
                f"[0, {self.n_features_in_ - 1}]."
            )
        return int(self.reference)

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, sample_weight=None, **fit_params):
        """Fit the regressor on the (scaled) change of ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Inputs; column ``reference`` holds the level each row's target is
            measured against.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Target levels.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each row, passed to ``regressor.fit`` (which must
            accept it); with metadata routing enabled, routed as the
            regressor requests.
        **fit_params : dict
            Passed to ``regressor.fit`` (routed, with metadata routing
            enabled).

        Returns
        -------
        self : DifferencedTargetRegressor
            The fitted meta-regressor.
        """
        with kept_on_failure(self, getattr(self, "regressor_", None)):
            return self._fit(X, y, sample_weight, fit_params, partial=False)

    @available_if(lambda self: hasattr(self.regressor, "partial_fit"))
    @_fit_context(prefer_skip_nested_validation=False)
    def partial_fit(self, X, y, sample_weight=None, **fit_params):
        """Fit the scaler on the first call; then train the regressor once more.

        The first call (unfitted) fits ``transformer`` on the change of ``y``
        as ``fit`` does and calls ``regressor.partial_fit`` (for a
        :class:`SeriesPipeline`, which fits its steps on that first call).
        Later calls, and calls after ``fit``, keep ``transformer_`` as fitted
        (the scaling stays fixed), scale the change with it and call
        ``regressor_.partial_fit`` again, with ``regressor``'s current
        parameters; a changed ``reference`` or ``transformer`` is refused.
        Available when ``regressor`` has ``partial_fit``. So ``N`` calls on
        one block equal ``fit`` with ``max_epochs=N`` (for
        :func:`make_forecaster`), and Optuna's ``OptunaSearchCV(...,
        enable_pruning=True)`` can prune the forecaster.

        .. versionadded:: 0.3

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Inputs, as in ``fit``.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Target levels.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each row, passed to ``regressor.partial_fit`` (and to
            the transformer's fit, on the first call, as in ``fit``).
        **fit_params : dict
            Passed to ``regressor.partial_fit``. Metadata routing is not
            supported here.

        Returns
        -------
        self : DifferencedTargetRegressor
            The meta-regressor, its regressor trained once more.
        """
        given = [*fit_params, *(["sample_weight"] * (sample_weight is not None))]
        if given and get_config().get("enable_metadata_routing"):
            raise ValueError(
                "DifferencedTargetRegressor.partial_fit does not route metadata; "
                f"got {given} with enable_metadata_routing=True. Use fit, or "
                "disable routing."
            )
        with kept_on_failure(self, getattr(self, "regressor_", None)):
            return self._fit(X, y, sample_weight, fit_params, partial=True)

    def _fit(self, X, y, sample_weight, fit_params, partial):
        continuing = partial and hasattr(self, "reference_index_")
        if sample_weight is not None:
            fit_params["sample_weight"] = sample_weight
        if get_config().get("enable_metadata_routing"):
            fit_params = process_routing(self, "fit", **fit_params).regressor.fit
        elif sample_weight is not None and not _takes_weight(self.regressor, partial):
            raise ValueError(
                "DifferencedTargetRegressor got sample_weight, but its regressor "
                f"{type(self.regressor).__name__}.{'partial_fit' if partial else 'fit'}"
                " does not take sample_weight."
            )
        X_values, y = validate(
            self, X, y, multi_output=True, y_numeric=True, reset=not continuing
        )
        reference = self._resolve_reference()
        if continuing:
            self._refuse_changes(reference, y)
        self.reference_index_ = reference
        level = X_values[:, self.reference_index_]
        if not is_panel(X):  # a panel's order is checked series by series
            # Rows out of order (a halving search's subsample, a bootstrap)
            # are refused: by the time index, else by y's shift structure.
            index = time_index(X)
            if index is not None:
                check_time_order(index, "DifferencedTargetRegressor")
            check_shift_order(level, y, "DifferencedTargetRegressor", self.reference)
        change = y - (level if y.ndim == 1 else level[:, np.newaxis])
        change_2d = change.reshape(len(change), -1)
        self._panel_index = self._panel_index if continuing else is_panel(X)
        if continuing:  # fitted by the first call: not refitted
            target_2d = self._scaled(change_2d, X)
        elif self.transformer is None:
            self.transformer_ = None
            target_2d = change_2d
        else:
            self.transformer_ = clone(self.transformer)
            # On a panel the transformer sees the change with X's (series,
            # time) index, so a SeriesScaler scales every series on its own.
            framed = self._framed(change_2d, X)
            if sample_weight is None:
                self.transformer_.fit(framed)
            elif has_fit_parameter(self.transformer_, "sample_weight"):
                self.transformer_.fit(framed, sample_weight=sample_weight)
            else:  # a row of weight 0 counts for nothing, here too
                keep = np.asarray(sample_weight) > 0
                self._refuse_weightless_series(X, keep)
                self.transformer_.fit(self._framed(change_2d[keep], X, keep))
            target_2d = np.asarray(self.transformer_.transform(framed))
        target = target_2d.ravel() if y.ndim == 1 else target_2d
        fitted = getattr(self, "regressor_", None)
        if continuing:
            fitted.set_params(**self.regressor.get_params(deep=False))
            self.regressor_ = fitted.partial_fit(X, target, **fit_params)
            return self
        regressor = continue_or_clone(self.regressor, fitted)
        method = regressor.partial_fit if partial else regressor.fit
        self.regressor_ = method(X, target, **fit_params)
        self._y_ndim = y.ndim
        self._n_outputs = change_2d.shape[1]
        return self

    def _refuse_changes(self, reference, y) -> None:
        """Refuse a ``partial_fit`` that contradicts what its first call fitted."""
        shape = () if self._y_ndim == 1 else (self._n_outputs,)
        changes = changed_params(
            {"reference": self.reference_index_, "y's shape[1:]": shape},
            {"reference": reference, "y's shape[1:]": y.shape[1:]},
        )
        changes += changed_estimator(
            self.regressor_, self.regressor, "regressor", deep=False
        )
        changes += changed_estimator(self.transformer_, self.transformer, "transformer")
        refuse_changes("DifferencedTargetRegressor", changes)

    def _scaled(self, change_2d, X):
        """The change scaled by the fitted transformer (not refitted)."""
        if self.transformer_ is None:
            return change_2d
        return np.asarray(self.transformer_.transform(self._framed(change_2d, X)))

    def _refuse_weightless_series(self, X, keep) -> None:
        """A series whose every row weighs 0 gives its scaler nothing."""
        if not is_panel(X):
            return
        ids = X.index.get_level_values(0)
        weighted = set(ids[keep])
        empty = [key for key in dict.fromkeys(ids) if key not in weighted]
        if empty:
            raise ValueError(
                f"DifferencedTargetRegressor got sample_weight 0 in every row of "
                f"series {empty[:3]!r}{' ...' if len(empty) > 3 else ''}, so the "
                f"transformer ({type(self.transformer).__name__}) cannot learn "
                "their scale from the rows it is fitted on; give them a positive "
                "weight, or leave them out of X."
            )

    def _framed(self, values_2d, X, rows=None):
        """``values_2d`` with X's panel index (rows repeated to fit), if any."""
        if not getattr(self, "_panel_index", False) or not is_panel(X):
            return values_2d
        import pandas as pd

        index = X.index if rows is None else X.index[rows]
        repeat = len(values_2d) // max(len(index), 1)
        if repeat != 1:
            index = index.repeat(repeat)
        columns = [f"change{k}" for k in range(values_2d.shape[1])]
        return pd.DataFrame(values_2d, index=index, columns=columns)

    def _inverse(self, values_2d, X=None):
        if self.transformer_ is None:
            return values_2d
        framed = self._framed(values_2d, X)
        return np.asarray(self.transformer_.inverse_transform(framed))

    def predict(self, X, **predict_params):
        """Predict levels: the regressor's change, unscaled, plus the reference.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Inputs, as in ``fit``.
        **predict_params : dict
            Passed to ``regressor.predict``. For an :class:`LSTMRegressor`
            ensemble (possibly at the end of a Pipeline): ``return_std=True``
            also returns the spread in ``y``'s units (exactly for an affine
            ``transformer`` such as the scalers, to first order otherwise), and
            ``return_members=True`` returns every member's levels, shape
            ``(n_samples, n_ensemble)`` (or ``(..., n_outputs)``).

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predicted levels (or members' levels, see above).
        y_std : ndarray, only with ``return_std=True``
            Spread of the prediction in ``y``'s units.
        """
        check_is_fitted(self)
        X_values = validate(self, X, reset=False)
        level = X_values[:, [self.reference_index_]]
        result = self.regressor_.predict(X, **predict_params)
        if predict_params.get("return_members"):
            members = np.asarray(result, dtype=float)
            flat = members.reshape(-1, self._n_outputs)
            levels = self._inverse(flat, X).reshape(members.shape)
            return levels + level.reshape((-1,) + (1,) * (members.ndim - 1))
        with_std = isinstance(result, tuple)
        change = result[0] if with_std else result
        change_2d = np.asarray(change, dtype=float).reshape(len(level), -1)
        y_pred = self._inverse(change_2d, X) + level
        if self._y_ndim == 1:
            y_pred = y_pred.ravel()
        if not with_std:
            return y_pred
        std_2d = np.asarray(result[1], dtype=float).reshape(change_2d.shape)
        y_std = np.abs(
            self._inverse(change_2d + std_2d, X) - self._inverse(change_2d, X)
        )
        return y_pred, (y_std.ravel() if self._y_ndim == 1 else y_std)

    def get_metadata_routing(self):
        """How ``fit`` and ``predict`` route metadata to the regressor.

        Returns
        -------
        routing : MetadataRouter
            ``fit`` to ``regressor.fit``, ``predict`` to ``regressor.predict``.
        """
        return MetadataRouter(owner=type(self).__name__).add(
            regressor=self.regressor,
            method_mapping=MethodMapping()
            .add(caller="fit", callee="fit")
            .add(caller="predict", callee="predict"),
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = get_tags(self.regressor)
        tags.target_tags.multi_output = inner.target_tags.multi_output
        tags.regressor_tags.poor_score = inner.regressor_tags.poor_score
        return tags
