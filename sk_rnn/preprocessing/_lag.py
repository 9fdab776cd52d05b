"""LagFeaturizer: each row becomes the window of the most recent rows."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from numpy.typing import NDArray
from sklearn.utils.validation import check_is_fitted

from .._utils._compat import Interval, _check_feature_names_in
from ._base import _TimeStepTransformer


class LagFeaturizer(_TimeStepTransformer):
    """Turn each row into the window of the ``lags`` most recent rows.

    Row ``t`` of the output holds rows ``t - lags + 1, ..., t`` of the input,
    oldest first, one block of ``n_features`` columns per time step
    (step-major): for features ``a, b`` and ``lags=3`` the columns are
    ``a_lag2, b_lag2, a_lag1, b_lag1, a_lag0, b_lag0``, where ``lagk`` is the
    value ``k`` rows back and ``lag0`` the row itself. This is the layout
    :class:`LSTMRegressor` reads with ``n_steps=lags``. One output row is one
    complete input window, so rows stay independent samples.

    No row is added or dropped: the first ``lags - 1`` rows of a block (the
    warm-up) lack part of their window, which is filled with ``fill_value``
    (NaN by default, which :class:`LSTMRegressor` reads as missing steps),
    unless the block is a pandas DataFrame whose index directly continues the
    index seen in ``fit``. Then the last ``lags - 1`` fitted rows supply the
    history. A NumPy array has no index, so its warm-up rows are always
    incomplete.

    Parameters
    ----------
    lags : int, default=1
        Window length in rows, the current row included.
    fill_value : float, default=np.nan
        Value for the window steps that lie before the start of the block.

    Attributes
    ----------
    n_warmup_ : int
        ``lags - 1``, the number of leading rows of a block whose window is
        incomplete.
    n_samples_fit_ : int
        Number of rows of the fitted block.
    tail_ : ndarray of shape (`n_warmup_`, `n_features_in_`)
        The last rows of the fitted block: the history of a block that
        continues it.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``. Defined only when ``X`` has
        feature names that are all strings.

    See Also
    --------
    DifferenceTransformer : Difference a series along its rows.
    LSTMRegressor : Read each window as a sequence.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_rnn import LagFeaturizer
    >>> X = np.array([[1.0], [2.0], [3.0], [4.0]])
    >>> lag = LagFeaturizer(lags=3).fit(X)
    >>> lag.transform(X)
    array([[nan, nan,  1.],
           [nan,  1.,  2.],
           [ 1.,  2.,  3.],
           [ 2.,  3.,  4.]])
    >>> lag.get_feature_names_out(["sales"]).tolist()
    ['sales_lag2', 'sales_lag1', 'sales_lag0']
    """

    _parameter_constraints: dict = {
        "lags": [Interval(Integral, 1, None, closed="left")],
        "fill_value": [Real],
    }

    def __init__(self, lags=1, *, fill_value=np.nan):
        self.lags = lags
        self.fill_value = fill_value

    def _n_warmup(self) -> int:
        return self.lags - 1

    def _warmup_description(self) -> str:
        return f"one full window of lags={self.lags} rows"

    def _history_fill(self) -> float:
        return self.fill_value

    def _transform_rows(self, X: NDArray) -> NDArray:
        n_samples, n_features = X.shape
        out = np.full((n_samples, self.lags * n_features), self.fill_value, X.dtype)
        for position, lag in enumerate(range(self.lags - 1, -1, -1)):
            columns = slice(position * n_features, (position + 1) * n_features)
            if lag < n_samples:  # a block shorter than the window: all fill
                out[lag:, columns] = X[: n_samples - lag]
        return out

    def get_feature_names_out(self, input_features=None):
        """Names of the window columns, oldest step first.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Input feature names. If None, ``feature_names_in_`` is used, or
            ``x0, x1, ...`` when the input had no names.

        Returns
        -------
        feature_names_out : ndarray of str objects
            ``{name}_lag{k}`` for ``k`` from ``lags - 1`` down to 0, all
            features of one step together.
        """
        check_is_fitted(self, "n_features_in_")
        names = _check_feature_names_in(self, input_features)
        return np.asarray(
            [
                f"{name}_lag{lag}"
                for lag in range(self.lags - 1, -1, -1)
                for name in names
            ],
            dtype=object,
        )
