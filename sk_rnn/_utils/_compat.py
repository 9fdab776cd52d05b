"""The only module that imports private scikit-learn names.

scikit-learn does not promise these names across releases; keeping them in one
place means a rename costs one edit.
"""

from sklearn.base import _fit_context
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    Options,
    StrOptions,
)
from sklearn.utils._set_output import _get_output_config
from sklearn.utils.validation import _check_feature_names_in


def validate_params(estimator) -> None:
    """Check ``estimator``'s parameters against its constraints.

    ``BaseEstimator._validate_params`` is what ``fit`` runs; ``load`` needs the
    same check before it builds anything, and scikit-learn offers no public
    function for it. ``test_parameters_are_checked_against_the_tensors_before_
    building`` fails if this stops working.
    """
    estimator._validate_params()


__all__ = [
    "HasMethods",
    "Interval",
    "Options",
    "StrOptions",
    "_check_feature_names_in",
    "_fit_context",
    "_get_output_config",
    "validate_params",
]
