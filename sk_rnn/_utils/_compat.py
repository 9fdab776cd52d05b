"""The only module that imports private scikit-learn names.

scikit-learn does not promise these names across releases; keeping them in one
place means a rename costs one edit.
"""

from sklearn.base import _fit_context
from sklearn.utils import _safe_indexing
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    Options,
    StrOptions,
)
from sklearn.utils._set_output import _get_output_config
from sklearn.utils.metaestimators import _BaseComposition
from sklearn.utils.validation import _check_feature_names_in

# _safe_indexing: rows of NumPy, pandas and polars containers alike (listed
# in scikit-learn's API reference, but underscored); SeriesPipeline's
# drop_warmup tests fail if it changes.
# _BaseComposition: the named-step plumbing of Pipeline, ColumnTransformer and
# VotingRegressor (``get_params``/``set_params`` through the steps, step names
# checked); scikit-learn has no public base class for a composition of named
# steps. tests/compose/test_pipeline.py's named-step tests fail if it changes.


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
    "_BaseComposition",
    "_safe_indexing",
    "_check_feature_names_in",
    "_fit_context",
    "_get_output_config",
    "validate_params",
]
