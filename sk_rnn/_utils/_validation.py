"""Input validation shared by every sk_rnn estimator."""

from __future__ import annotations

from numbers import Integral

import numpy as np
from sklearn.utils.validation import validate_data


def validate(estimator, X="no_validation", y="no_validation", **check_params):
    """scikit-learn's ``validate_data``, with the class named in every error.

    Some of scikit-learn's messages ("Expected 2D array, got 1D array
    instead", "could not convert string to float") do not say which
    estimator refused the data; inside a Pipeline that matters. The message
    is kept whole (scikit-learn's checks match parts of it) and prefixed.
    """
    try:
        return validate_data(estimator, X, y, **check_params)
    except (ValueError, TypeError) as error:
        name = type(estimator).__name__
        if name in str(error) or type(error) not in (ValueError, TypeError):
            raise
        raise type(error)(f"{name}: {error}") from error


def ndim(X) -> int | None:
    """Dimensions of X without converting array-likes that are not lists."""
    if isinstance(X, (list, tuple)):
        try:
            return np.asarray(X).ndim
        except ValueError:  # ragged: let validate_data explain
            return None
    return getattr(X, "ndim", None)


def check_int(value, name: str, owner: str, minimum: int) -> None:
    """An int (not a bool) of at least ``minimum``: TypeError, then ValueError."""
    message = f"{owner} expects {name}, an int of at least {minimum}; got {value!r}."
    if not isinstance(value, Integral) or isinstance(value, bool):
        raise TypeError(message)
    if value < minimum:
        raise ValueError(message)
