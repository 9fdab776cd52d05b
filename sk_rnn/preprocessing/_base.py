"""The base class of the transformers whose rows are time steps."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from .._utils._base import SkRnnEstimatorMixin
from .._utils._compat import _fit_context, _get_output_config
from .._utils._validation import validate
from ..series._panel import (
    Panel,
    block_kinds,
    fit_layout,
    panel_layout,
    panel_segments,
)
from ..series._time import (
    HISTORY_FIX,
    TimeAxis,
    in_series_start,
    is_dataframe,
    series_axes,
    series_start,
    warn_missing_series_history,
)

FLOAT_DTYPES = (np.float64, np.float32)


def _pad_front(rows: NDArray, n: int, fill: float) -> NDArray:
    """``rows`` behind ``n - len(rows)`` rows of ``fill``."""
    if len(rows) >= n:
        return rows.copy()
    pad = np.full((n - len(rows),) + rows.shape[1:], fill, dtype=rows.dtype)
    return np.concatenate([pad, rows], axis=0)


def wrap_like_input(estimator, values: NDArray, X):
    """Return a DataFrame for DataFrame input under the default output.

    Returning the input's container keeps the index, so the next time-step
    transformer of a Pipeline can still continue the series (or tell the
    series of a panel apart). ``set_output(transform="pandas")`` (or polars)
    is handled by scikit-learn's wrapper, which receives the array.
    """
    if not is_dataframe(X) or not hasattr(X, "to_numpy"):
        return values
    if _get_output_config("transform", estimator)["dense"] != "default":
        return values
    import pandas as pd

    if not isinstance(X, pd.DataFrame):
        return values
    return pd.DataFrame(
        values, index=X.index, columns=estimator.get_feature_names_out(), copy=False
    )


class _TimeStepTransformer(SkRnnEstimatorMixin, TransformerMixin, BaseEstimator):
    """Base class: validation, history and output containers.

    Subclasses define ``_n_warmup()``, the number of earlier rows an output row
    needs, ``_transform_rows(X)``, which maps a block to its output with the
    first ``_n_warmup()`` rows undefined, and ``_warmup_description()``, the
    warm-up in words for the too-few-rows error.
    """

    def _n_warmup(self) -> int:  # pragma: no cover - abstract
        raise NotImplementedError

    def _transform_rows(self, X: NDArray) -> NDArray:  # pragma: no cover
        raise NotImplementedError

    def _warmup_description(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def _remember(self, X: NDArray, starts, stops) -> None:
        """Hook: store what the subclass needs from the validated fitted block.

        ``starts`` and ``stops`` bound each series (one series: ``[0]`` and
        ``[n_samples]``).
        """

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Remember the fitted block's length, tail and time axis.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The series, one row per time step, oldest first, with more rows
            than the warm-up (``n_warmup_``). NaN is allowed and propagates. A
            DataFrame with a numeric, datetime or period index must have it
            strictly increasing and regular (one row per time step; a
            DatetimeIndex without ``freq`` must have one pandas can infer).
        y : array-like or None, default=None
            Not used, except for its index: a pandas ``y`` with a (series id,
            time) MultiIndex gives the panel layout of an ``X`` that has
            none (an array returned by an earlier step of a Pipeline).

        Returns
        -------
        self : object
            The fitted transformer.
        """
        X_values = validate(self, X, dtype=FLOAT_DTYPES, ensure_all_finite="allow-nan")
        owner = type(self).__name__
        n_warmup = self._n_warmup()
        panel = fit_layout(X, y, owner, X_values.shape[0])
        for name in ("series_", "_series_index", "_lengths"):
            self.__dict__.pop(name, None)
        self.n_warmup_ = n_warmup
        self.n_samples_fit_ = X_values.shape[0]
        if panel is None:  # one series: a one-series panel, stored unstacked
            if X_values.shape[0] <= n_warmup:
                raise ValueError(
                    f"{owner} needs at least {n_warmup + 1} rows to fit "
                    f"({self._warmup_description()}); got {X_values.shape[0]} "
                    "sample(s)."
                )
            axes = [TimeAxis.of(X, owner)]
            panel = Panel.one(X_values.shape[0])
        else:
            if len(panel) == 0:
                raise ValueError(f"{owner} needs at least one row to fit; X has none.")
            axes = series_axes(panel, owner)
            self.series_ = panel.ids.copy()
            self._lengths = panel.lengths.copy()
        # A series of a panel shorter than the warm-up keeps what it has,
        # behind _history_fill() (NaN; LagFeaturizer's fill_value)
        # (there was no earlier step): the rows that continue it get exactly
        # the history that exists.
        pad = self._history_fill()
        tails = np.stack(
            [
                _pad_front(X_values[max(a, b - n_warmup) : b], n_warmup, pad)
                for a, b in zip(panel.starts, panel.stops, strict=True)
            ]
        )
        self._axes = axes
        self._axis = axes[0] if self._one_series() else None
        self.tail_ = tails[0] if self._one_series() else tails
        self._remember(X_values, panel.starts, panel.stops)
        return self

    # ------------------------------------------- one series = one-series panel
    # A transformer fitted on one series keeps its public attributes unstacked
    # (``tail_`` of shape (n_warmup_, n_features)); every computation reads
    # them through these accessors as a panel of one series, so each rule is
    # written once.
    def _one_series(self) -> bool:
        return getattr(self, "series_", None) is None

    def _stacked(self, name: str) -> NDArray:
        """A per-series fitted array, stacked (one series: a stack of one)."""
        value = getattr(self, name)
        return value[None] if self._one_series() else value

    def _fitted_lengths(self) -> NDArray:
        if self._one_series():
            return np.array([self.n_samples_fit_])
        return self._lengths

    def __setstate__(self, state):
        super().__setstate__(state)
        self.__dict__.pop("_series_index", None)  # 0.2 stored it; it is derived
        if "_axis" in self.__dict__ and "_axes" not in self.__dict__:
            self._axes = [self._axis]  # fitted on one series by sk_rnn 0.2

    def _history_fill(self) -> float:
        """What stands for steps before the start of a short series."""
        return np.nan

    def fit_transform(self, X, y=None):
        """Fit, then transform the fitted block (the start of the series).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The series, as for ``fit``.
        y : array-like or None, default=None
            Not used, except for its panel index (see ``fit``).

        Returns
        -------
        X_out : ndarray or DataFrame of shape (n_samples, n_features_out)
            The transformed block; its first ``n_warmup_`` rows have no
            history and are NaN.
        """
        self.fit(X, y)
        layout = fit_layout(X, y, type(self).__name__, self.n_samples_fit_)
        with series_start(), panel_segments(layout):
            return self.transform(X)

    def transform(self, X):
        """Transform a block of time steps.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            A block of the series, oldest row first. If it is a DataFrame whose
            index directly continues the index seen in ``fit``, the fitted
            block's last rows supply the history of its first rows. If it
            starts a series (a DataFrame whose index starts where the fitted
            index starts, or any block inside a
            :class:`~sk_rnn.SeriesPipeline`), its first ``n_warmup_`` rows have
            no history and are NaN. Otherwise (a NumPy array, a polars frame,
            a DataFrame that neither continues nor starts the fitted one)
            they are NaN too, and a
            :class:`~sk_rnn.exceptions.MissingHistoryWarning` says so.

        Returns
        -------
        X_out : ndarray or DataFrame of shape (n_samples, n_features_out)
            The transformed block, with as many rows as ``X``. A DataFrame in
            gives a DataFrame out with the same index (see ``set_output``).
        """
        check_is_fitted(self)
        X_values = validate(
            self, X, reset=False, dtype=FLOAT_DTYPES, ensure_all_finite="allow-nan"
        )
        panel, kinds = self._series_of(X, X_values)
        return self._wrap_like_input(self._transform_series(X_values, panel, kinds), X)

    def _check_panel(self, X, X_values):
        """The panel layout of ``X``, refused if it differs from the fit's."""
        owner = type(self).__name__
        panel = panel_layout(X, owner, X_values.shape[0])
        fitted = getattr(self, "series_", None)
        if panel is not None and fitted is None:
            raise ValueError(
                f"{owner} was fitted on one series, but X is a panel of "
                f"{len(panel)} series (a two-level MultiIndex); fit it on a panel, "
                "so that every series has its own history, or pass one series."
            )
        if panel is None and fitted is not None:
            raise ValueError(
                f"{owner} was fitted on a panel of {len(fitted)} series, but X has "
                "no (series id, time) MultiIndex, so its rows cannot be assigned to "
                "series. Pass a DataFrame with that MultiIndex, or use a "
                "SeriesPipeline, which keeps the layout through steps that return "
                "arrays."
            )
        return panel

    def _series_of(self, X, X_values):
        """``(panel, kinds)``: the series of a block and what each one is.

        ``kinds[k]`` is ``(fitted position or None, kind, reason)``, decided
        by :func:`~sk_rnn.series._panel.block_kinds` (as for SeriesPipeline);
        one series is a panel of one. Inside a SeriesPipeline (or for the
        fitted block) every series starts.
        """
        panel = self._check_panel(X, X_values)
        ids = [None] if panel is None else self.series_
        panel = Panel.one(X_values.shape[0]) if panel is None else panel
        mode = "none" if in_series_start() else "auto"
        owner = type(self).__name__
        return panel, block_kinds(self._axes, ids, X, panel, mode, owner)

    def _transform_series(self, X_values: NDArray, panel, kinds) -> NDArray:
        """Transform each series with its own history (if it continues)."""
        n_warmup, tails = self.n_warmup_, self._stacked("tail_")
        pieces, lacking = [], []
        for k, (position, kind, reason) in enumerate(kinds):
            block = X_values[panel.starts[k] : panel.stops[k]]
            if kind == "continues" and n_warmup:
                history = tails[position].astype(X_values.dtype, copy=False)
                full = np.concatenate([history, block], axis=0)
                pieces.append(self._transform_rows(full)[n_warmup:])
                continue
            if kind == "unknown" and n_warmup and len(block):
                lacking.append((min(n_warmup, len(block)), reason))
            pieces.append(self._transform_rows(block))
        warn_missing_series_history(type(self).__name__, lacking, HISTORY_FIX)
        if not pieces:
            return self._transform_rows(X_values)
        return np.concatenate(pieces, axis=0)

    def _wrap_like_input(self, values: NDArray, X):
        return wrap_like_input(self, values, X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
