"""sk_rnn and Optuna: OptunaSearchCV over LSTMRegressor and over a whole
make_forecaster, with pruning (one ``partial_fit`` is one epoch, so a poor
trial stops early)."""

import numpy as np
import pandas as pd
from _interop import require, wave, windows
from sklearn.base import clone
from sklearn.model_selection import TimeSeriesSplit

from sk_rnn import LSTMRegressor, make_forecaster

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


def _sales(n=72, seed=0):
    """Monthly levels: X = the level at t (DataFrame), y = the level at t + 1."""
    level = 100 + 10 * wave(n + 1, seed) + np.arange(n + 1)
    index = pd.period_range("2000-01", periods=n, freq="M")
    return pd.DataFrame({"sales": level[:-1]}, index=index), pd.Series(level[1:], index)


FORECASTER = {"hidden_size": 2, "batch_size": 8, "stateful": False, "random_state": 0}


def test_search_prunes_a_whole_forecaster_epoch_by_epoch():
    """make_forecaster has partial_fit: the first call fits the differencing,
    windows and both scalers on the training fold, each call trains one epoch,
    and each test fold is forecast from its training fold's tail."""
    X, y = _sales()
    max_iter = 4
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(
        direction="maximize",
        sampler=optuna.samplers.TPESampler(seed=0),
        pruner=optuna.pruners.MedianPruner(n_startup_trials=2, n_warmup_steps=1),
    )
    search = OptunaSearchCV(
        make_forecaster(max_epochs=max_iter, **FORECASTER),
        {
            "regressor__lagfeaturizer__lags": IntDistribution(1, 3),
            "regressor__lstmregressor__lr": FloatDistribution(1e-3, 1e-1, log=True),
        },
        cv=TimeSeriesSplit(3, test_size=6),
        enable_pruning=True,
        max_iter=max_iter,
        n_trials=6,
        study=study,
        random_state=0,
    )
    search.fit(X, y)
    trials = search.trials_
    assert len(trials) == 6
    for trial in trials:
        steps = sorted(trial.intermediate_values)
        assert steps == list(range(len(steps))) and 1 <= len(steps) <= max_iter
        assert all(np.isfinite(v) for v in trial.intermediate_values.values())
        if trial.state == optuna.trial.TrialState.COMPLETE:
            assert len(steps) == max_iter
    assert optuna.trial.TrialState.PRUNED in [trial.state for trial in trials]
    # the refit (a plain fit of max_epochs=max_iter) is max_iter partial_fits
    stepped = make_forecaster(max_epochs=99, **FORECASTER)
    stepped.set_params(**search.best_params_)
    for _ in range(max_iter):
        stepped.partial_fit(X, y)
    X_next, _ = _sales(84)
    X_next = X_next.iloc[72:]  # continues the fitted index
    np.testing.assert_allclose(
        search.best_estimator_.predict(X_next), stepped.predict(X_next), rtol=1e-6
    )
