"""The fused NumPy epoch (sk_rnn.neural._fused) equals the torch batch loop."""

import numpy as np
import pytest
import torch
from skorch.callbacks import Callback

from sk_rnn import LSTMRegressor
from sk_rnn.neural import _fused


@pytest.fixture
def calls(monkeypatch):
    """Counts fused epochs."""
    seen = {"epochs": 0}
    run = _fused.FusedEpochs.run

    def counting(self, stateful):
        seen["epochs"] += 1
        return run(self, stateful)

    monkeypatch.setattr(_fused.FusedEpochs, "run", counting)
    return seen


def _data(n_rows=23, n_steps=1, n_features=1, n_outputs=1, seed=1):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_rows, n_steps, n_features)).astype(np.float32)
    y = rng.standard_normal((n_rows, n_outputs)).astype(np.float32)
    return X, y if n_outputs > 1 else y[:, 0]


def _fit(monkeypatch, fused, X, y, **params):
    kwargs = {
        "hidden_size": 4, "batch_size": 1, "stateful": True, "max_epochs": 15,
        "n_ensemble": 3, "random_state": 0, "lr": 0.01,
    }  # fmt: skip
    kwargs.update(params)
    with monkeypatch.context() as patch:
        if not fused:
            patch.setattr(_fused, "fusable", lambda net: False)
        return LSTMRegressor(**kwargs).fit(X, y)


def _assert_same(a, b, X, rtol=1e-4, atol=2e-5):
    pa = dict(a.net_.module_.named_parameters())
    pb = dict(b.net_.module_.named_parameters())
    for name in pa:
        np.testing.assert_allclose(
            pa[name].detach().numpy(),
            pb[name].detach().numpy(),
            rtol,
            atol,
            err_msg=name,
        )
    np.testing.assert_allclose(a.loss_curve_, b.loss_curve_, rtol=1e-5)
    np.testing.assert_allclose(a.predict(X), b.predict(X), rtol, atol)
    sa, sb = a.net_.optimizer_.state, b.net_.optimizer_.state
    for p, q in zip(
        a.net_.module_.parameters(), b.net_.module_.parameters(), strict=False
    ):
        assert float(sa[p]["step"]) == float(sb[q]["step"])
        for key in ("exp_avg", "exp_avg_sq"):
            np.testing.assert_allclose(
                sa[p][key].numpy(), sb[q][key].numpy(), rtol=1e-3, atol=1e-7
            )


@pytest.mark.parametrize(
    "shape, params",
    [
        ((23, 1, 1, 1), {}),  # the seed's shape
        ((23, 1, 1, 1), {"stateful": False}),
        ((17, 3, 2, 2), {}),  # steps x features, two outputs
        ((17, 3, 2, 2), {"stateful": False, "hidden_size": 6}),
        ((12, 2, 1, 1), {"n_ensemble": 1}),
    ],
)
def test_fused_epochs_equal_the_torch_loop(monkeypatch, calls, shape, params):
    X, y = _data(*shape)
    fused = _fit(monkeypatch, True, X, y, **params)
    assert calls["epochs"] == 15
    torch_loop = _fit(monkeypatch, False, X, y, **params)
    assert calls["epochs"] == 15  # the torch loop fused nothing
    _assert_same(fused, torch_loop, X)


def test_continuing_a_fused_training_equals_one_run(monkeypatch, calls):
    """warm_start continues Adam's moments and steps the fused epochs left."""
    X, y = _data()
    once = _fit(monkeypatch, False, X, y, max_epochs=20)
    model = _fit(monkeypatch, True, X, y, max_epochs=8, warm_start=True)
    model.set_params(max_epochs=12).fit(X, y)
    assert calls["epochs"] == 20
    _assert_same(model, once, X)


def test_fused_with_early_stopping_equals_the_torch_loop(monkeypatch, calls):
    X, y = _data(n_rows=40)
    params = {
        "early_stopping": "holdout",
        "validation_fraction": 0.2,
        "max_epochs": 12,
        "lr": 0.05,
    }
    fused = _fit(monkeypatch, True, X, y, **params)
    assert calls["epochs"] == len(fused.loss_curve_)
    torch_loop = _fit(monkeypatch, False, X, y, **params)
    _assert_same(fused, torch_loop, X)
    np.testing.assert_allclose(
        fused.validation_loss_curve_, torch_loop.validation_loss_curve_, rtol=1e-4
    )


class _EveryBatch(Callback):
    def on_batch_end(self, net, **kwargs):
        pass


class _Declared(_EveryBatch):
    sk_rnn_fusable = True


@pytest.mark.parametrize(
    "params",
    [
        {"cell": "gru"},
        {"num_layers": 2},
        {"loss": "absolute_error"},
        {"optimizer": "sgd"},
        {"clip_grad_norm": 1.0},
        {"batch_size": 2},
        {"stateful": False, "shuffle": True},
        {"callbacks": [_EveryBatch()]},
        {"dropout": 0.5, "stateful": False},
    ],
)
def test_the_torch_loop_runs_what_the_fused_epoch_does_not_cover(
    monkeypatch, calls, params
):
    X, y = _data()
    _fit(monkeypatch, True, X, y, max_epochs=2, **params)
    assert calls["epochs"] == 0


def test_missing_steps_and_weights_take_the_torch_loop(monkeypatch, calls):
    X, y = _data(n_steps=2)
    X[3, 0, 0] = np.nan
    _fit(monkeypatch, True, X, y, max_epochs=2)
    assert calls["epochs"] == 0
    X, y = _data()
    with monkeypatch.context():
        LSTMRegressor(hidden_size=4, batch_size=1, max_epochs=2).fit(
            X, y, sample_weight=np.ones(len(y))
        )
    assert calls["epochs"] == 0


def test_a_declared_batch_callback_keeps_the_fused_epoch(monkeypatch, calls):
    X, y = _data()
    model = _fit(monkeypatch, True, X, y, max_epochs=3, callbacks=[_Declared()])
    assert calls["epochs"] == 3
    batches = model.net_.history[-1]["batches"]
    assert len(batches) == len(y)
    assert all(b["train_batch_size"] == 1 for b in batches)


def test_a_fused_model_saves_loads_and_continues(monkeypatch, calls, tmp_path):
    X, y = _data()
    model = _fit(monkeypatch, True, X, y, max_epochs=5, warm_start=True)
    model.save(tmp_path / "m.skrnn")
    loaded = LSTMRegressor.load(tmp_path / "m.skrnn")
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    model.fit(X, y)
    loaded.fit(X, y)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    assert calls["epochs"] == 15


def test_fused_training_never_touches_torch_threads_or_globals(monkeypatch):
    X, y = _data()
    state = torch.random.get_rng_state()
    _fit(monkeypatch, True, X, y, max_epochs=2)
    assert torch.equal(torch.random.get_rng_state(), state)


def test_a_callback_that_freezes_parameters_turns_the_fused_epoch_off(
    monkeypatch, calls
):
    """skorch's Freezer has only an epoch hook; the fused epoch is asked at
    every epoch and never trains a parameter that does not require grad."""
    from skorch.callbacks import Freezer

    X, y = _data()
    model = _fit(monkeypatch, True, X, y, max_epochs=3, callbacks=[Freezer("head_*")])
    assert calls["epochs"] == 0
    torch_loop = _fit(
        monkeypatch, False, X, y, max_epochs=3, callbacks=[Freezer("head_*")]
    )
    np.testing.assert_array_equal(model.predict(X), torch_loop.predict(X))
