"""sk_rnn and Optuna: OptunaSearchCV over LSTMRegressor, with pruning (one
``partial_fit`` is one epoch, so a poor trial stops early)."""

import numpy as np
from _interop import require, wave, windows
from sklearn.base import clone
from sklearn.model_selection import TimeSeriesSplit

from sk_rnn import LSTMRegressor

optuna = require("optuna", "optuna")
from optuna.distributions import (  # noqa: E402
    FloatDistribution,
    IntDistribution,
)
from optuna_integration import OptunaSearchCV  # noqa: E402

BASE = {"max_epochs": 12, "batch_size": 16, "random_state": 0}


def test_search_with_pruning_refits_the_best_trial():
    X, y = windows(wave(140), 4)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(
        direction="maximize",
        sampler=optuna.samplers.TPESampler(seed=0),
        pruner=optuna.pruners.MedianPruner(n_startup_trials=2, n_warmup_steps=2),
    )
    search = OptunaSearchCV(
        LSTMRegressor(**BASE),
        {
            "hidden_size": IntDistribution(2, 12),
            "lr": FloatDistribution(1e-3, 3e-2, log=True),
        },
        cv=TimeSeriesSplit(3),
        enable_pruning=True,
        max_iter=6,
        n_trials=6,
        study=study,
        random_state=0,
    )
    search.fit(X, y)
    trials = search.trials_
    assert len(trials) == 6
    for trial in trials:
        # every epoch was reported to the pruner; a pruned trial stopped early
        steps = sorted(trial.intermediate_values)
        assert steps == list(range(len(steps))) and 1 <= len(steps) <= 6
        if trial.state == optuna.trial.TrialState.COMPLETE:
            assert len(steps) == 6
    states = [trial.state for trial in trials]
    assert optuna.trial.TrialState.PRUNED in states  # 2 of 6, after 3 epochs
    assert search.best_score_ == study.best_value
    # the refit is a plain fit with the best parameters
    best = clone(LSTMRegressor(**BASE)).set_params(**search.best_params_).fit(X, y)
    np.testing.assert_array_equal(search.best_estimator_.predict(X), best.predict(X))


def test_six_partial_fits_are_six_epochs():
    X, y = windows(wave(80), 4)
    stepped = LSTMRegressor(**BASE)
    for _ in range(6):
        stepped.partial_fit(X, y)
    whole = LSTMRegressor(**{**BASE, "max_epochs": 6}).fit(X, y)
    np.testing.assert_array_equal(stepped.predict(X), whole.predict(X))
