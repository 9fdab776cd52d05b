"""Machinery shared by the transformers whose rows are time steps.

A time-step transformer computes output row ``t`` from input rows ``t - w .. t``
(``w`` is its warm-up length). It never adds or drops rows: the first ``w``
rows of a block have no history and come out as NaN, unless the block is a
pandas DataFrame whose index directly continues the index of the block the
transformer was fitted on. Then the last ``w`` fitted rows supply the history
and the first rows are exact.
"""

from __future__ import annotations

import numbers

import numpy as np
from numpy.typing import NDArray
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ._compat import _fit_context, _get_output_config
from ._validation import validate

FLOAT_DTYPES = (np.float64, np.float32)


def _is_dataframe(X) -> bool:
    return hasattr(X, "iloc") and hasattr(X, "columns") and hasattr(X, "index")


def _time_index(X):
    """Return the pandas index of ``X`` if it can order time steps, else None.

    Integer, float, datetime and period indexes order time steps; an index of
    strings (or a NumPy array, which has none) does not, and then no
    continuation is attempted.
    """
    if not _is_dataframe(X):
        return None
    import pandas as pd

    index = X.index
    if isinstance(index, (pd.DatetimeIndex, pd.PeriodIndex)):
        return index
    if pd.api.types.is_numeric_dtype(index.dtype) and not pd.api.types.is_bool_dtype(
        index.dtype
    ):
        return index
    return None


def _check_time_order(index, owner: str) -> None:
    """Raise if a time index is not strictly increasing."""
    if len(index) < 2 or index.is_monotonic_increasing and index.is_unique:
        return
    values = list(index)
    for position in range(1, len(values)):
        if not values[position] > values[position - 1]:
            break
    raise ValueError(
        f"{owner} expects the rows of X in time order, oldest first, with a "
        f"strictly increasing index; row {position} has index "
        f"{values[position]!r} after {values[position - 1]!r}. Sort X with "
        "X.sort_index() and remove duplicated time steps."
    )


def _next_label(index):
    """The label that a block directly continuing ``index`` starts with."""
    import pandas as pd

    last = index[-1]
    if isinstance(index, pd.PeriodIndex):
        return last + 1
    if isinstance(index, pd.DatetimeIndex):
        freq = index.freq
        if freq is None and len(index) >= 3 and index.is_monotonic_increasing:
            freq = pd.DatetimeIndex(index, freq="infer").freq
        if freq is not None:
            return last + freq
        if len(index) >= 2:
            return last + (last - index[-2])
        return None
    if len(index) >= 2:
        return last + (last - index[-2])
    return last + 1 if isinstance(last, numbers.Integral) else None


def _continues(next_label, index) -> bool:
    if next_label is None or index is None or len(index) == 0:
        return False
    try:
        return bool(index[0] == next_label)
    except (TypeError, ValueError):
        return False


class _TimeStepTransformer(TransformerMixin, BaseEstimator):
    """Base class: validation, history and output containers.

    Subclasses define ``_n_warmup()``, the number of earlier rows an output row
    needs, and ``_transform_rows(X)``, which maps a block to its output with
    the first ``_n_warmup()`` rows undefined.
    """

    def _n_warmup(self) -> int:  # pragma: no cover - abstract
        raise NotImplementedError

    def _transform_rows(self, X: NDArray) -> NDArray:  # pragma: no cover
        raise NotImplementedError

    def _warmup_description(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def _remember(self, X: NDArray) -> None:
        """Hook: store what the subclass needs from the validated fitted block."""

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Remember the fitted block's length, tail and index.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The series, one row per time step, oldest first, with more rows
            than the warm-up (``n_warmup_``). NaN is allowed and propagates. A
            DataFrame with a numeric, datetime or period index must have it
            strictly increasing.
        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        self : object
            The fitted transformer.
        """
        X_values = validate(self, X, dtype=FLOAT_DTYPES, ensure_all_finite="allow-nan")
        n_warmup = self._n_warmup()
        if X_values.shape[0] <= n_warmup:
            raise ValueError(
                f"{type(self).__name__} needs at least {n_warmup + 1} rows to fit "
                f"({self._warmup_description()}); got {X_values.shape[0]} "
                "sample(s)."
            )
        index = _time_index(X)
        if index is not None:
            _check_time_order(index, type(self).__name__)
        self.n_warmup_ = n_warmup
        self.n_samples_fit_ = X_values.shape[0]
        self.tail_ = X_values[X_values.shape[0] - n_warmup :].copy()
        self._fit_index = None if index is None else index.copy()
        self._next_index_label = None if index is None else _next_label(index)
        self._remember(X_values)
        return self

    def _history(self, X):
        """The fitted tail if ``X`` is a DataFrame that continues the fit.

        A DataFrame whose time index goes backwards or repeats is refused:
        its rows are not time steps in order, so no history (and no
        difference or window) would be right.
        """
        index = _time_index(X)
        if index is None:
            return None
        _check_time_order(index, type(self).__name__)
        if not _continues(self._next_index_label, index):
            return None
        return self.tail_

    def transform(self, X):
        """Transform a block of time steps.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            A block of the series, oldest row first. If it is a DataFrame whose
            index directly continues the index seen in ``fit``, the fitted
            block's last rows supply the history of its first rows; otherwise
            its first ``n_warmup_`` rows have no history and are NaN.

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
        history = self._history(X)
        if history is None or history.shape[0] == 0:
            out = self._transform_rows(X_values)
        else:
            history = history.astype(X_values.dtype, copy=False)
            full = np.concatenate([history, X_values], axis=0)
            out = self._transform_rows(full)[history.shape[0] :]
        return self._wrap_like_input(out, X)

    def _wrap_like_input(self, values: NDArray, X):
        """Return a DataFrame for DataFrame input under the default output.

        Returning the input's container keeps the index, so the next
        time-step transformer of a Pipeline can still continue the series.
        ``set_output(transform="pandas")`` (or polars) is handled by
        scikit-learn's wrapper, which receives the array.
        """
        if not _is_dataframe(X) or not hasattr(X, "to_numpy"):
            return values
        if _get_output_config("transform", self)["dense"] != "default":
            return values
        import pandas as pd

        if not isinstance(X, pd.DataFrame):
            return values
        return pd.DataFrame(
            values, index=X.index, columns=self.get_feature_names_out(), copy=False
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
