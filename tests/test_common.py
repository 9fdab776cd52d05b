"""scikit-learn's estimator checks on every public estimator."""

import inspect
import re

import pytest
from sklearn.base import BaseEstimator
from sklearn.utils.estimator_checks import parametrize_with_checks

import sk_rnn
from sk_rnn import (
    DifferencedTargetRegressor,
    DifferenceTransformer,
    LagFeaturizer,
    LSTMRegressor,
    SeriesPipeline,
)

TIME_ORDER = (
    "rows are time steps: row t depends on earlier rows, so rows are not "
    "exchangeable and a subset lacks the history of its first rows"
)
ORDER_CHECKS = [
    "check_methods_sample_order_invariance",
    "check_methods_subset_invariance",
]
EXPECTED_FAILED_CHECKS = {
    DifferenceTransformer: dict.fromkeys(ORDER_CHECKS, TIME_ORDER),
    LagFeaturizer: dict.fromkeys(ORDER_CHECKS, TIME_ORDER),
}


def _lstm():
    # check_regressors_train needs R^2 > 0.5 on a 200 x 10 problem: 100
    # full-batch epochs at lr 0.02 give about 0.9 in well under a second.
    return LSTMRegressor(
        hidden_size=16, max_epochs=100, batch_size=None, lr=0.02, random_state=0
    )


ESTIMATORS = [
    DifferenceTransformer(),
    # lags=1 is the identity, which has no time dependence to declare.
    LagFeaturizer(lags=2),
    _lstm(),
    DifferencedTargetRegressor(_lstm()),
    # A SeriesPipeline whose steps need no history behaves as a Pipeline; the
    # history it carries is tested in test_pipeline.py.
    SeriesPipeline([("lag", LagFeaturizer(lags=1)), ("lstm", _lstm())]),
]


# xfail_strict (scikit-learn >= 1.7): an expected failure that passes fails.
_STRICT = (
    {"xfail_strict": True}
    if "xfail_strict" in inspect.signature(parametrize_with_checks).parameters
    else {}
)


@parametrize_with_checks(
    ESTIMATORS,
    expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS.get(type(est), {}),
    **_STRICT,
)
def test_sklearn_compatible(estimator, check):
    try:
        check(estimator)
    except AssertionError as error:
        if not _float32_noise(check, error):
            raise
        pytest.xfail(FLOAT32_NOISE)


FLOAT32_NOISE = (
    "the network trains in float32: weighting rows and repeating them sum the "
    "same losses in another order, and 100 epochs amplify that rounding to "
    "about 1e-4 (repeating rows in a shuffled order differs as much)"
)


def _float32_noise(check, error) -> bool:
    """A weight-equivalence mismatch no larger than float32 training noise."""
    if check.func.__name__ != "check_sample_weight_equivalence_on_dense_data":
        return False
    found = re.search(r"Max relative difference[a-z ]*: ([0-9.e+-]+)", str(error))
    return found is not None and float(found[1]) < 1e-3


def test_every_public_estimator_is_checked():
    public = {
        obj
        for name in sk_rnn.__all__
        if inspect.isclass(obj := getattr(sk_rnn, name))
        and issubclass(obj, BaseEstimator)
    }
    checked = {type(est) for est in ESTIMATORS}
    assert public == checked
    assert len(public) == 5
