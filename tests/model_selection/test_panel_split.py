"""PanelSplit: walk-forward folds on the time level of a panel (issue 11)."""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV, cross_validate

from sk_rnn.model_selection import PanelSplit


def _panel(lengths=(8, 6, 10), seed=0):
    rng = np.random.default_rng(seed)
    rows = []
    for s, n in enumerate(lengths):
        # series end at different months, as in M3
        months = pd.period_range("2000-01", periods=n, freq="M") + 3 * s
        rows += [(f"s{s}", m, rng.normal()) for m in months]
    frame = pd.DataFrame(rows, columns=["series", "month", "value"])
    return frame.set_index(["series", "month"])


def test_each_fold_tests_the_same_steps_of_every_series_from_its_own_end():
    X = _panel()
    ids = X.index.get_level_values(0)
    folds = list(PanelSplit(n_splits=2, test_size=2, gap=1).split(X))
    assert len(folds) == 2
    for k, (train, test) in enumerate(folds):
        behind = (2 - 1 - k) * 2
        for name in ("s0", "s1", "s2"):
            rows = np.flatnonzero(ids == name)
            n = len(rows)
            expected_test = rows[n - behind - 2 : n - behind]
            np.testing.assert_array_equal(np.intersect1d(test, rows), expected_test)
            # training: every earlier step except the gap of 1
            np.testing.assert_array_equal(
                np.intersect1d(train, rows), rows[: n - behind - 2 - 1]
            )
        assert not np.intersect1d(train, test).size


def test_it_works_in_cross_validate_and_grid_search():
    X = _panel()
    y = X["value"].rename("y")
    scores = cross_validate(Ridge(), X, y, cv=PanelSplit(n_splits=3, test_size=1))
    assert len(scores["test_score"]) == 3
    search = GridSearchCV(Ridge(), {"alpha": [0.1, 1.0]}, cv=PanelSplit(3)).fit(X, y)
    assert search.n_splits_ == 3


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda X: X.reset_index(level=0, drop=True), TypeError, "expects a panel"),
        (lambda X: X.to_numpy(), TypeError, "expects a panel.*got ndarray"),
        (
            lambda X: X.set_index(pd.Index([0] * len(X), name="z"), append=True),
            ValueError,
            "a MultiIndex of 3 levels",
        ),
        (lambda X: X.sort_index(level=1), ValueError, "rows to be consecutive"),
        (lambda X: X.iloc[::-1], ValueError, "in time order"),
    ],
)
def test_layouts_that_are_not_panels_are_refused(make, error, message):
    with pytest.raises(error, match=message):
        next(PanelSplit(n_splits=2).split(make(_panel())))


def test_series_too_short_for_the_folds_are_named():
    with pytest.raises(
        ValueError, match=r"needs at least 7 steps per series; series 's1' has 6"
    ):
        next(PanelSplit(n_splits=3, test_size=2).split(_panel()))


@pytest.mark.parametrize(
    ("params", "error", "message"),
    [({"n_splits": 0}, ValueError, "n_splits, an int"),
     ({"test_size": 1.5}, TypeError, "test_size, an int"),
     ({"gap": -1}, ValueError, "gap, an int of at least 0")],
)  # fmt: skip
def test_bad_parameters_are_refused(params, error, message):
    with pytest.raises(error, match=message):
        next(PanelSplit(**params).split(_panel()))
