"""Checkpoints and resuming (issue 13, items 8 and 9)."""

import shutil

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose, assert_array_equal
from skorch.callbacks import Callback

from sk_rnn import LSTMRegressor
from sk_rnn.callbacks import Checkpoint


def _noisy(n=80, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    return X, X[:, -1] + 0.5 * rng.normal(size=n)


def _model(**params):
    defaults = {
        "hidden_size": 8, "batch_size": 16, "lr": 0.05, "random_state": 0,
        "early_stopping": "holdout", "n_iter_no_change": 3, "max_epochs": 60,
    }  # fmt: skip
    return LSTMRegressor(**{**defaults, **params})


class _CopyAt(Callback):
    """Keep a copy of the checkpoint file as it was after epoch ``epoch``."""

    def __init__(self, source, target, epoch):
        self.source, self.target, self.epoch = source, target, epoch

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) == self.epoch:
            shutil.copy(self.source, self.target)


def test_resuming_from_the_best_epochs_checkpoint_equals_the_whole_fit(tmp_path):
    X, y = _noisy()
    whole = _model().fit(X, y)
    best = int(whole.best_epoch_[0])
    assert 1 < best < whole.n_iter_
    path, copy = tmp_path / "run.skrnn", tmp_path / "best.skrnn"
    _model(callbacks=[Checkpoint(path), _CopyAt(path, copy, best)]).fit(X, y)
    resumed = LSTMRegressor.load(copy)
    assert resumed.n_iter_ == best
    resumed.set_params(warm_start=True).fit(X, y)
    assert resumed.n_iter_ == whole.n_iter_
    assert_array_equal(resumed.best_epoch_, whole.best_epoch_)
    assert_allclose(resumed.predict(X), whole.predict(X), rtol=1e-6)


@pytest.mark.parametrize("early_stopping", ["holdout", True])
def test_the_last_checkpoint_is_the_fitted_model(tmp_path, early_stopping):
    """With the refit (early_stopping=True), 0.2's last file lacked
    best_epoch_ and validation_loss_curve_."""
    X, y = _noisy()
    path = tmp_path / "run.skrnn"
    model = _model(
        callbacks=[Checkpoint(path, every=4)], early_stopping=early_stopping
    ).fit(X, y)
    saved = LSTMRegressor.load(path)
    assert saved.n_iter_ == model.n_iter_
    assert_array_equal(saved.best_epoch_, model.best_epoch_)
    assert saved.validation_loss_curve_ == model.validation_loss_curve_
    assert_array_equal(saved.predict(X), model.predict(X))


@pytest.mark.parametrize(
    ("every", "error"),
    [(0, ValueError), (2.5, TypeError), (-1, ValueError), (True, TypeError)],
)
def test_checkpoint_every_must_be_a_positive_int(tmp_path, every, error):
    X, y = _noisy(n=20)
    with pytest.raises(error, match=f"every, an int of at least 1; got {every!r}"):
        _model(callbacks=[Checkpoint(tmp_path / "m", every=every)]).fit(X, y)


class _RecordsATensor(Callback):
    def on_epoch_end(self, net, **kwargs):
        net.history.record("grad_norm", torch.tensor(0.5))


def test_a_tensor_in_the_history_is_checkpointed_as_a_number(tmp_path):
    X, y = _noisy(n=20)
    path = tmp_path / "m.skrnn"
    model = _model(max_epochs=3, early_stopping=False)
    model.set_params(callbacks=[_RecordsATensor(), Checkpoint(path)]).fit(X, y)
    assert LSTMRegressor.load(path).net_.history[-1]["grad_norm"] == 0.5
