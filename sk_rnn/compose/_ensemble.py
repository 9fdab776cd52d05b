"""MedianEnsembleRegressor: the median of several forecasters' predictions."""

from __future__ import annotations

from contextlib import nullcontext
from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.utils import get_tags
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import check_is_fitted

from .._utils._base import SkRnnEstimatorMixin
from .._utils._compat import StrOptions, _fit_context
from .._utils._validation import validate
from ..series._panel import announced_layout, panel_segments
from ..series._time import in_series_start, series_start


def _fit_member(estimator, X, y, fit_params, layout, starting):
    # A worker process or thread does not inherit the caller's context: the
    # panel layout a SeriesPipeline announced and whether X starts its series
    # are passed along and set again.
    with panel_segments(layout), series_start() if starting else nullcontext():
        return estimator.fit(X, y, **fit_params)


class MedianEnsembleRegressor(SkRnnEstimatorMixin, RegressorMixin, BaseEstimator):
    """Fit several regressors on the same rows; predict their median.

    N-BEATS gets most of its accuracy on M3 from a median over networks that
    read different look-backs and learn with different losses, and ES-RNN
    from averaging runs: members that err differently cancel out, and the
    median is robust to one member far off on a series. Each member is a
    complete forecaster (its own ``LagFeaturizer(lags=...)``, loss and
    seed); ``predict`` returns the element-wise median of their predictions
    (the mean with ``combine="mean"``; a member's NaN gives NaN). Members see
    ``X`` as given (a DataFrame keeps its index, so each member's time-step
    transformers continue the series).

    Parameters
    ----------
    estimators : list of (str, estimator) tuples
        The members, named as in a Pipeline (parameters are reached as
        ``name__param``). Each is cloned in ``fit``.
    combine : {"median", "mean"}, default="median"
        How the members' predictions are combined.
    n_jobs : int or None, default=None
        Members fitted at the same time (joblib; None means 1, -1 all
        cores). Each member keeps its own ``n_threads``: on 2 cores, two
        one-thread members side by side.

    Attributes
    ----------
    estimators_ : list of estimator
        The fitted clones, in the order of ``estimators``.
    named_estimators_ : dict
        The fitted clones by name.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``. Defined only when ``X`` has
        feature names that are all strings.

    See Also
    --------
    sklearn.ensemble.VotingRegressor : The mean of 1-D regressors.
    LSTMRegressor : ``n_ensemble`` trains seeds of one network together.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.dummy import DummyRegressor
    >>> from sk_rnn import MedianEnsembleRegressor
    >>> X, y = np.zeros((3, 1)), np.array([1.0, 2.0, 3.0])
    >>> members = [(f"q{q}", DummyRegressor(strategy="quantile", quantile=q))
    ...            for q in (0.0, 0.5, 1.0)]
    >>> MedianEnsembleRegressor(members + [("mean", DummyRegressor())]).fit(
    ...     X, y).predict(X[:1])
    array([2.])
    """

    _parameter_constraints: dict = {
        "estimators": [list],
        "combine": [StrOptions({"median", "mean"})],
        "n_jobs": [None, Integral],
    }

    _OWN = ("estimators", "combine", "n_jobs")

    def __init__(self, estimators, *, combine="median", n_jobs=None):
        self.estimators = estimators
        self.combine = combine
        self.n_jobs = n_jobs

    # -- parameters of the named members (as Pipeline and VotingRegressor)
    def get_params(self, deep=True):
        """Parameters of the ensemble, and with ``deep`` of its members.

        Parameters
        ----------
        deep : bool, default=True
            Also return each member (``name``) and its parameters
            (``name__param``).

        Returns
        -------
        params : dict
            Parameter names mapped to their values.
        """
        params = super().get_params(deep=False)
        if not deep or not self._named_members():
            return params
        for name, estimator in self.estimators:
            params[name] = estimator
            for key, value in estimator.get_params(deep=True).items():
                params[f"{name}__{key}"] = value
        return params

    def set_params(self, **params):
        """Set the ensemble's, a member's (``name``) or a member's parameters
        (``name__param``).

        Parameters
        ----------
        **params : dict
            Parameters to set.

        Returns
        -------
        self : MedianEnsembleRegressor
            This estimator.
        """
        if "estimators" in params:
            self.estimators = params.pop("estimators")
        if not self._named_members():
            return super().set_params(**params)
        names = [name for name, _ in self.estimators]
        members = dict(self.estimators)
        nested = {}
        for key, value in params.items():
            name, _, sub = key.partition("__")
            if name in members and not sub:
                members[name] = value
            elif name in members:
                nested.setdefault(name, {})[sub] = value
            else:
                super().set_params(**{key: value})
        for name, values in nested.items():
            members[name].set_params(**values)
        if any(members[name] is not estimator for name, estimator in self.estimators):
            self.estimators = [(name, members[name]) for name in names]
        return self

    def _named_members(self) -> bool:
        """Whether ``estimators`` is a list of (name, estimator) pairs."""
        return isinstance(self.estimators, list) and all(
            isinstance(m, tuple) and len(m) == 2 and hasattr(m[1], "get_params")
            for m in self.estimators
        )

    def _check_members(self):
        if not self._named_members():
            raise ValueError(
                "MedianEnsembleRegressor expects estimators as a list of (name, "
                f"estimator) tuples; got {self.estimators!r}."
            )
        names = [name for name, _ in self.estimators]
        if not names:
            raise ValueError(
                "MedianEnsembleRegressor expects at least one (name, estimator) "
                "in estimators; got an empty list."
            )
        bad = [
            n
            for n in names
            if not isinstance(n, str) or "__" in n or not n or n in self._OWN
        ]
        if bad or len(set(names)) != len(names):
            raise ValueError(
                "MedianEnsembleRegressor expects unique, non-empty member names "
                "without '__' that are not its own parameters (estimators, "
                f"combine, n_jobs); got {names!r}."
            )

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, **fit_params):
        """Fit a clone of every member on ``X`` and ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The inputs, passed to every member as given.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The targets.
        **fit_params : dict
            Passed to every member's ``fit``.

        Returns
        -------
        self : MedianEnsembleRegressor
            The fitted ensemble.
        """
        self._check_members()
        validate(
            self, X, y, ensure_all_finite="allow-nan", multi_output=True, y_numeric=True
        )
        self._y_ndim = np.asarray(y).ndim
        self._n_outputs = 1 if self._y_ndim == 1 else np.asarray(y).shape[1]
        layout, starting = announced_layout(), in_series_start()
        self.estimators_ = Parallel(n_jobs=self.n_jobs)(
            delayed(_fit_member)(clone(estimator), X, y, fit_params, layout, starting)
            for _, estimator in self.estimators
        )
        self.named_estimators_ = {
            name: fitted
            for (name, _), fitted in zip(self.estimators, self.estimators_, strict=True)
        }
        return self

    def predict(self, X, **predict_params):
        """The median (or mean) of the members' predictions.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The inputs, passed to every member as given.
        **predict_params : dict
            Passed to every member's ``predict`` (``history=...``).

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            The combined predictions.
        """
        check_is_fitted(self)
        n_rows = validate(self, X, reset=False, ensure_all_finite="allow-nan").shape[0]
        n_outputs = getattr(self, "_n_outputs", 1)
        members = []
        for (name, _), estimator in zip(self.estimators, self.estimators_, strict=True):
            predicted = estimator.predict(X, **predict_params)
            if isinstance(predicted, tuple):
                raise ValueError(
                    f"MedianEnsembleRegressor: member {name!r} returned "
                    f"{len(predicted)} arrays from predict (with "
                    f"{sorted(predict_params)}); the ensemble combines one "
                    "prediction per member. Drop return_std or return_members, "
                    "or call the members' predict yourself."
                )
            predicted = np.asarray(predicted, dtype=float)
            if predicted.size != n_rows * n_outputs or predicted.shape[0] != n_rows:
                raise ValueError(
                    f"MedianEnsembleRegressor: member {name!r} predicted shape "
                    f"{predicted.shape} for {n_rows} rows; the ensemble was fitted "
                    f"on y with {n_outputs} output(s)."
                )
            members.append(predicted.reshape(n_rows, n_outputs))
        members = np.stack(members)
        if self._y_ndim == 1:
            members = members[:, :, 0]
        if self.combine == "mean":
            return members.mean(axis=0)
        return np.median(members, axis=0)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        if not self._named_members():
            return tags
        inner = [get_tags(estimator) for _, estimator in self.estimators]
        tags.input_tags.allow_nan = all(t.input_tags.allow_nan for t in inner)
        tags.target_tags.multi_output = all(t.target_tags.multi_output for t in inner)
        tags.regressor_tags.poor_score = any(t.regressor_tags.poor_score for t in inner)
        return tags
