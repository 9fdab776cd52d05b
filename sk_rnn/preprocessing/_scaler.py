"""SeriesScaler: scale every series of a panel by its own statistics."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin, clone
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

from .._utils._base import SkRnnEstimatorMixin
from .._utils._compat import HasMethods, StrOptions, _fit_context
from .._utils._validation import validate
from ..series._panel import Panel, fit_layout, panel_layout, panel_segments
from ._base import FLOAT_DTYPES, wrap_like_input


class SeriesScaler(
    SkRnnEstimatorMixin, OneToOneFeatureMixin, TransformerMixin, BaseEstimator
):
    """Scale each series of a panel with its own clone of a scaler.

    Series of a panel differ by orders of magnitude (sales of 50 and of
    50,000 units); one network learns from all of them best when each is
    scaled by its own statistics. ``fit`` fits a clone of ``scaler`` on the
    rows of every series (the training rows only, so a walk-forward split
    leaks nothing) and ``transform`` / ``inverse_transform`` apply each
    series' own clone. On one series (no panel) it is ``scaler`` itself.

    A panel is a DataFrame with a two-level ``MultiIndex`` (series id, time);
    inside a :class:`SeriesPipeline` fitted on a panel the layout also
    survives steps that return arrays. ``X`` may be the target too: as the
    ``transformer`` of :class:`DifferencedTargetRegressor`, it scales each
    series' change and inverts the predictions series by series.

    Parameters
    ----------
    scaler : transformer or None, default=None
        Any scikit-learn scaler with ``fit``, ``transform`` and
        ``inverse_transform`` (``StandardScaler``, ``MinMaxScaler((-1, 1))``,
        ``RobustScaler``, ...); None means ``StandardScaler()``.
    unseen : {"error", "fit"}, default="error"
        What ``transform`` does with a series that was not fitted: refuse it,
        or fit a clone on the rows it is given (right for inputs that are
        the series' past, as when a global model forecasts a new series).
        ``inverse_transform`` always refuses an unfitted series: its scale is
        unknown.

    Attributes
    ----------
    scalers_ : list of transformer
        The fitted clones, one per series (one for a single series).
    series_ : ndarray of shape (n_series,)
        The fitted series' ids, in order. Only after fitting on a panel.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``. Defined only when ``X`` has
        feature names that are all strings.

    See Also
    --------
    DifferencedTargetRegressor : Learn the change of the target; takes a
        SeriesScaler as its ``transformer``.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn.preprocessing import MaxAbsScaler
    >>> from sk_rnn import SeriesScaler
    >>> index = pd.MultiIndex.from_product([["a", "b"], [1, 2, 3]])
    >>> X = pd.DataFrame({"sales": [1.0, 2.0, 4.0, 100.0, 300.0, 400.0]}, index)
    >>> SeriesScaler(MaxAbsScaler()).fit_transform(X)["sales"].tolist()
    [0.25, 0.5, 1.0, 0.25, 0.75, 1.0]
    """

    _parameter_constraints: dict = {
        "scaler": [None, HasMethods(["fit", "transform", "inverse_transform"])],
        "unseen": [StrOptions({"error", "fit"})],
    }

    def __init__(self, scaler=None, *, unseen="error"):
        self.scaler = scaler
        self.unseen = unseen

    def _new_scaler(self):
        return StandardScaler() if self.scaler is None else clone(self.scaler)

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None):
        """Fit one clone of ``scaler`` per series.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The training rows: a panel, or one series.
        y : array-like or None, default=None
            Not used, except for its index: a pandas ``y`` with a (series id,
            time) MultiIndex gives the panel layout of an ``X`` that has none
            (an array returned by an earlier step of a Pipeline).

        Returns
        -------
        self : SeriesScaler
            The fitted transformer.
        """
        X_values = validate(self, X, dtype=FLOAT_DTYPES, ensure_all_finite="allow-nan")
        panel = fit_layout(X, y, "SeriesScaler", X_values.shape[0])
        for name in ("series_", "_lookup"):
            self.__dict__.pop(name, None)
        self._n_fit_rows = X_values.shape[0]
        if panel is not None:
            self.series_ = panel.ids.copy()
        else:  # one series: a panel of one
            panel = Panel.one(X_values.shape[0])
        self.scalers_ = [
            self._new_scaler().fit(X_values[a:b])
            for a, b in zip(panel.starts, panel.stops, strict=True)
        ]
        return self

    def fit_transform(self, X, y=None):
        """Fit, then scale the fitted rows (series by series).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The training rows: a panel, or one series.
        y : array-like or None, default=None
            Not used, except for its panel index (see ``fit``).

        Returns
        -------
        X_scaled : ndarray or DataFrame of shape (n_samples, n_features)
            The scaled rows.
        """
        self.fit(X, y)
        with panel_segments(fit_layout(X, y, "SeriesScaler", self._n_fit_rows)):
            return self.transform(X)

    def _apply(self, X, method: str):
        check_is_fitted(self)
        X_values = validate(
            self, X, reset=False, dtype=FLOAT_DTYPES, ensure_all_finite="allow-nan"
        )
        panel = panel_layout(X, "SeriesScaler", X_values.shape[0])
        fitted = getattr(self, "series_", None)
        if (panel is None) != (fitted is None):
            was = "one series" if fitted is None else "a panel"
            now = "a panel" if panel is not None else "not a panel"
            raise ValueError(
                f"SeriesScaler was fitted on {was}, but X is {now}; "
                f"{method} expects the layout seen in fit (a panel is a DataFrame "
                "with a (series id, time) MultiIndex; inside a pipeline whose "
                "steps return arrays, use a SeriesPipeline, which keeps it)."
            )
        if panel is None:  # one series: a panel of one
            panel, lookup = Panel.one(X_values.shape[0]), {None: 0}
        else:  # derived: skops cannot write a dict keyed by Timestamp ids
            lookup = {key: k for k, key in enumerate(self.series_)}
        out = np.empty_like(X_values)
        unknown = [key for key in panel.ids if key not in lookup]
        if unknown and (method == "inverse_transform" or self.unseen == "error"):
            raise ValueError(
                f"SeriesScaler.{method} got {len(unknown)} series that were not "
                f"fitted ({unknown[:3]!r}{' ...' if len(unknown) > 3 else ''}); "
                "their scale is unknown. Fit on rows of every series, or set "
                "unseen='fit' to scale the inputs of a new series by the rows "
                "given to transform."
            )
        for k, key in enumerate(panel.ids):
            rows = slice(panel.starts[k], panel.stops[k])
            position = lookup.get(key)
            if position is None:  # unseen="fit", transform only
                scaler = self._new_scaler().fit(X_values[rows])
            else:
                scaler = self.scalers_[position]
            out[rows] = np.asarray(getattr(scaler, method)(X_values[rows]))
        return wrap_like_input(self, out, X)

    def __setstate__(self, state):
        super().__setstate__(state)
        self.__dict__.pop("_lookup", None)  # 0.2 stored it; it is derived

    def transform(self, X):
        """Scale each series with its own fitted scaler.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            A panel with the fitted series (any rows of them), or one series.

        Returns
        -------
        X_scaled : ndarray or DataFrame of shape (n_samples, n_features)
            The scaled rows; a DataFrame for a DataFrame (see ``set_output``).
        """
        return self._apply(X, "transform")

    def inverse_transform(self, X):
        """Undo the scaling of each series.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Scaled rows of the fitted series (or of the one series).

        Returns
        -------
        X_original : ndarray or DataFrame of shape (n_samples, n_features)
            The rows in their original units.
        """
        return self._apply(X, "inverse_transform")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
