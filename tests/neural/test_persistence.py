"""Saving, loading, interrupting and resuming LSTMRegressor."""

import io
import pickle
import signal
import warnings
import zipfile

import joblib
import numpy as np
import pytest
import torch
from _archives import seal
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import NotFittedError
from skorch.callbacks import Callback

from sk_rnn import LSTMRegressor, make_forecaster
from sk_rnn.callbacks import Checkpoint
from sk_rnn.exceptions import TrainingDivergedError, TrainingInterruptedWarning


def _data(n=64, steps=4, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, steps))
    return X, X[:, 0] - X[:, -1]


def _model(**params):
    defaults = {"hidden_size": 6, "max_epochs": 4, "batch_size": 8, "random_state": 0}
    return LSTMRegressor(**{**defaults, **params})


VARIANTS = {
    "stateless": {"shuffle": True, "dropout": 0.2},
    "stateful": {"stateful": True, "batch_size": 4},
    "ensemble": {"n_ensemble": 3, "cell": "gru"},
    "early-stopping": {"early_stopping": True, "n_iter_no_change": 2, "max_epochs": 6},
}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_pickle_and_joblib_round_trips(variant, tmp_path):
    X, y = _data()
    model = _model(**VARIANTS[variant]).fit(X, y)
    restored = pickle.loads(pickle.dumps(model))
    assert_array_equal(restored.predict(X), model.predict(X))
    joblib.dump(model, tmp_path / "model.joblib")
    assert_array_equal(
        joblib.load(tmp_path / "model.joblib").predict(X), model.predict(X)
    )


def test_a_whole_composition_pickles():
    from sk_rnn.datasets import load_shampoo

    X, y = load_shampoo(return_X_y=True)
    model = make_forecaster(max_epochs=3, random_state=0).fit(X.iloc[:23], y.iloc[:23])
    restored = pickle.loads(pickle.dumps(model))
    assert_array_equal(restored.predict(X.iloc[23:]), model.predict(X.iloc[23:]))


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_save_load_predicts_the_same_and_resumes_exactly(variant, tmp_path):
    X, y = _data()
    params = VARIANTS[variant]
    model = _model(**params).fit(X, y)
    path = model.save(tmp_path / "model.skrnn")
    loaded = LSTMRegressor.load(path)
    assert_array_equal(loaded.predict(X), model.predict(X))
    assert loaded.n_iter_ == model.n_iter_
    assert loaded.get_params()["random_state"] == 0
    # Training on from the file equals training on in memory, and equals
    # one uninterrupted fit of the total length.
    loaded.set_params(warm_start=True).fit(X, y)
    model.set_params(warm_start=True).fit(X, y)
    assert_allclose(loaded.predict(X), model.predict(X), rtol=1e-12)
    if variant != "early-stopping":
        total = _model(**{**params, "max_epochs": 2 * params.get("max_epochs", 4)})
        assert_allclose(total.fit(X, y).predict(X), model.predict(X), rtol=1e-6)


def test_tampered_tensors_are_refused(tmp_path):
    X, y = _data()
    path = _model().fit(X, y).save(tmp_path / "model.skrnn")
    with zipfile.ZipFile(path) as archive:
        meta, blob = archive.read("sk_rnn.json"), bytearray(archive.read("tensors.pt"))
    blob[len(blob) // 2] ^= 0xFF
    tampered = tmp_path / "tampered.skrnn"
    with zipfile.ZipFile(tampered, "w") as archive:
        archive.writestr("sk_rnn.json", meta)
        archive.writestr("tensors.pt", bytes(blob))
    with pytest.raises(ValueError, match="does not match the checksum written"):
        LSTMRegressor.load(tampered)


class _Payload:
    """Unpickling this would create a file: the attack weights_only stops."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_a_file_carrying_code_is_refused_without_running_it(tmp_path):
    X, y = _data()
    path = _model().fit(X, y).save(tmp_path / "model.skrnn")
    marker = tmp_path / "payload-ran"
    buffer = io.BytesIO()
    torch.save({"module": _Payload(str(marker))}, buffer)
    blob = buffer.getvalue()
    with zipfile.ZipFile(path) as archive:
        meta = archive.read("sk_rnn.json")
    evil = seal(tmp_path / "evil.skrnn", [("sk_rnn.json", meta), ("tensors.pt", blob)])
    with pytest.raises(ValueError, match="holds something other than tensors"):
        LSTMRegressor.load(evil)
    assert not marker.exists()


def test_files_that_are_not_models_are_refused(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(ValueError, match="it is not an sk_rnn model file"):
        LSTMRegressor.load(text)
    other = seal(tmp_path / "other.zip", [("weights.bin", b"")])
    with pytest.raises(ValueError, match=r"holds \['weights.bin'\]"):
        LSTMRegressor.load(other)


def test_save_refuses_what_json_cannot_hold(tmp_path):
    X, y = _data()

    class MyAdam(torch.optim.Adam):
        pass

    model = _model(optimizer=MyAdam, max_epochs=1).fit(X, y)
    with pytest.raises(ValueError, match="only torch.optim classes and the string"):
        model.save(tmp_path / "m.skrnn")
    sgd = _model(optimizer=torch.optim.SGD, max_epochs=1).fit(X, y)
    assert (
        LSTMRegressor.load(sgd.save(tmp_path / "s.skrnn")).optimizer is torch.optim.SGD
    )


def _pretend_trained_on_cuda(model):
    """What a CUDA-trained model carries; its tensors are on the CPU here."""
    model.net_.device = "cuda"
    model.device = "cuda"
    return model


def test_model_from_a_gpu_predicts_on_a_cpu_only_machine(tmp_path, monkeypatch):
    X, y = _data()
    model = _model().fit(X, y)
    expected = model.predict(X)
    blob = pickle.dumps(_pretend_trained_on_cuda(model))
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    # pickle goes through the same plain state as save/load (__getstate__)
    with pytest.warns(UserWarning, match="device='cuda', which is not available here"):
        restored = pickle.loads(blob)
    assert restored.device == "cpu"
    assert_array_equal(restored.predict(X), expected)
    path = _pretend_trained_on_cuda(_model().fit(X, y)).save(tmp_path / "gpu.skrnn")
    with pytest.warns(UserWarning, match="device='cuda', which is not available here"):
        loaded = LSTMRegressor.load(path)
    assert loaded.device == "cpu"
    assert_array_equal(loaded.predict(X), expected)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_real_cuda_model_loads_on_cpu(tmp_path):
    X, y = _data()
    model = _model(device="cuda").fit(X, y)
    loaded = LSTMRegressor.load(model.save(tmp_path / "gpu.skrnn"), device="cpu")
    assert next(loaded.net_.module_.parameters()).device.type == "cpu"
    assert_allclose(loaded.predict(X), model.predict(X), rtol=1e-10)


@pytest.fixture
def python_ctrl_c_handler():
    """Python's own SIGINT handler for the test, whatever the parent set.

    Under ``nohup`` or a background shell SIGINT is ignored, Python then
    installs no handler and ``raise_signal`` would do nothing.
    """
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


class _InterruptAt(Callback):
    """Press Ctrl-C (a real SIGINT) halfway through an epoch."""

    def __init__(self, epoch):
        self.epoch = epoch

    def initialize(self):
        self.batches_ = 0
        return self

    def on_batch_end(self, net, training=False, **kwargs):
        if training and len(net.history) == self.epoch:
            self.batches_ += 1
            if self.batches_ == 3:
                signal.raise_signal(signal.SIGINT)


@pytest.mark.usefixtures("python_ctrl_c_handler")
@pytest.mark.parametrize("variant", ["stateless", "stateful"])
def test_ctrl_c_keeps_the_last_completed_epoch_on_request_and_resumes(variant):
    X, y = _data()
    params = {**VARIANTS[variant], "max_epochs": 6}
    with pytest.warns(TrainingInterruptedWarning, match="after 3 completed epoch"):
        model = _model(
            **params, on_interrupt="keep_last_epoch", callbacks=[_InterruptAt(4)]
        ).fit(X, y)
    assert model.n_iter_ == 3 and len(model.loss_curve_) == 3
    three = _model(**{**params, "max_epochs": 3}).fit(X, y)
    assert_allclose(model.predict(X), three.predict(X), rtol=1e-12)
    model.set_params(callbacks=None, warm_start=True, max_epochs=3).fit(X, y)
    six = _model(**params).fit(X, y)
    assert model.n_iter_ == 6
    assert_allclose(model.predict(X), six.predict(X), rtol=1e-6)


@pytest.mark.usefixtures("python_ctrl_c_handler")
def test_ctrl_c_stops_fit_by_default_and_leaves_the_model_as_it_was():
    X, y = _data()
    fresh = _model(max_epochs=6, callbacks=[_InterruptAt(2)])
    with pytest.raises(KeyboardInterrupt):
        fresh.fit(X, y)
    with pytest.raises(NotFittedError):
        fresh.predict(X)
    refitted = _model(max_epochs=3).fit(X, y)
    fitted_before = refitted.predict(X)
    refitted.set_params(max_epochs=6, callbacks=[_InterruptAt(2)])
    with pytest.raises(KeyboardInterrupt):
        refitted.fit(X, y)
    assert refitted.n_iter_ == 3  # the previous fit, whole
    assert_allclose(refitted.predict(X), fitted_before, rtol=0)
    model = _model(max_epochs=3, warm_start=True).fit(X, y)
    before = model.predict(X)
    model.set_params(max_epochs=5, callbacks=[_InterruptAt(5)])  # epochs 4 to 8
    with pytest.raises(KeyboardInterrupt):
        model.fit(X, y)
    assert model.n_iter_ == 3 and len(model.net_.history) == 3
    assert_allclose(model.predict(X), before, rtol=0)
    model.set_params(callbacks=None, max_epochs=3).fit(X, y)  # continues exactly
    assert_allclose(model.predict(X), _model(max_epochs=6).fit(X, y).predict(X))


@pytest.mark.usefixtures("python_ctrl_c_handler")
def test_ctrl_c_stops_a_grid_search():
    from sklearn.model_selection import GridSearchCV

    X, y = _data()
    fits = []

    class Count(Callback):
        def on_train_begin(self, net, **kwargs):
            fits.append(1)

    search = GridSearchCV(
        _model(max_epochs=6, callbacks=[Count(), _InterruptAt(2)]),
        {"lr": [1e-3, 1e-2]},
        cv=2,
    )
    with pytest.raises(KeyboardInterrupt):
        search.fit(X, y)
    assert len(fits) == 1  # the first Ctrl-C ended the search


def test_a_callback_that_stops_training_is_a_normal_end():
    from skorch.callbacks import EarlyStopping

    X, y = _data()
    state = torch.get_rng_state()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no TrainingInterruptedWarning
        model = _model(
            max_epochs=50,
            lr=0.05,
            callbacks=[EarlyStopping(monitor="train_loss", patience=1, threshold=0.5)],
        ).fit(X, y)
    assert 1 < model.n_iter_ < 50
    assert (torch.get_rng_state() == state).all()
    again = _model(max_epochs=model.n_iter_, lr=0.05).fit(X, y)
    assert_allclose(model.predict(X), again.predict(X), rtol=1e-12)


class _CrashAt(Callback):
    def __init__(self, epoch):
        self.epoch = epoch

    def on_epoch_begin(self, net, **kwargs):
        if len(net.history) == self.epoch:
            raise RuntimeError("power cut")


def test_checkpoint_then_resume_equals_an_uninterrupted_fit(tmp_path):
    X, y = _data()
    path = tmp_path / "run.skrnn"
    params = {**VARIANTS["stateless"], "max_epochs": 6}
    with pytest.raises(RuntimeError, match="power cut"):
        _model(**params, callbacks=[Checkpoint(path, every=2), _CrashAt(6)]).fit(X, y)
    resumed = LSTMRegressor.load(path)  # written after epoch 4
    assert resumed.n_iter_ == 4
    resumed.set_params(warm_start=True, max_epochs=2).fit(X, y)
    uninterrupted = _model(**params).fit(X, y)
    assert resumed.n_iter_ == 6
    assert_allclose(resumed.predict(X), uninterrupted.predict(X), rtol=1e-6)


def test_divergence_names_the_epoch_and_suggests_a_remedy():
    X, y = _data()
    model = _model(optimizer="sgd", lr=1e6, max_epochs=5)
    with pytest.raises(
        TrainingDivergedError,
        match=r"loss became (nan|inf) in epoch 1.*"
        r"Lower lr \(now 1000000.0\), set clip_grad_norm",
    ):
        model.fit(X, 1e3 * y)
    assert not hasattr(model, "net_")  # a failed fit leaves no half-fitted model
    assert issubclass(TrainingDivergedError, ValueError)


class _GradientNorms(Callback):
    def initialize(self):
        self.norms_ = []
        return self

    def on_grad_computed(self, net, named_parameters, **kwargs):
        squares = sum(p.grad.square().flatten(1).sum(1) for _, p in named_parameters)
        self.norms_.append(squares.sqrt())


def test_clip_grad_norm_bounds_each_members_gradient():
    X, y = _data()
    model = _model(
        n_ensemble=2, clip_grad_norm=0.05, callbacks=[("norms", _GradientNorms())]
    ).fit(X, 100 * y)
    norms = torch.stack(dict(model.net_.callbacks_)["norms"].norms_)
    assert norms.max() <= 0.05 * (1 + 1e-4)
    free = _model(n_ensemble=2, callbacks=[("norms", _GradientNorms())]).fit(X, 100 * y)
    assert torch.stack(dict(free.net_.callbacks_)["norms"].norms_).max() > 1.0


def test_warm_start_refuses_other_shapes():
    X, y = _data()
    model = _model(max_epochs=1, warm_start=True).fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features, but LSTMRegressor is "):
        model.fit(X[:, :3], y)
    with pytest.raises(ValueError, match="fitted on windows of 4 steps x 1 features"):
        model.fit(X.reshape(len(X), 2, 2), y)
    with pytest.raises(ValueError, match=r"must be refitted on windows of \(4, 1\)"):
        model.fit(X, np.column_stack([y, y]))


def test_no_warning_on_a_normal_fit():
    X, y = _data()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _model().fit(X, y)


def _rewrite_meta(path, target, change):
    import json

    with zipfile.ZipFile(path) as archive:
        meta, blob = json.loads(archive.read("sk_rnn.json")), archive.read("tensors.pt")
    change(meta)
    return seal(target, [("sk_rnn.json", json.dumps(meta)), ("tensors.pt", blob)])


def test_other_format_versions_and_unknown_optimisers_are_refused(tmp_path):
    X, y = _data()
    path = (
        _model(optimizer=torch.optim.SGD, max_epochs=1).fit(X, y).save(tmp_path / "m")
    )
    newer = _rewrite_meta(path, tmp_path / "v2", lambda m: m.update(version=99))
    with pytest.raises(
        ValueError,
        match="expected format 'sk_rnn.LSTMRegressor' version 2, "
        "got 'sk_rnn.LSTMRegressor' version 99",
    ):
        LSTMRegressor.load(newer)

    def rename(meta):
        meta["params"]["optimizer"] = {"torch.optim": "system"}

    odd = _rewrite_meta(path, tmp_path / "odd", rename)
    with pytest.raises(
        ValueError, match="unknown torch.optim optimiser 'system' in the file"
    ):
        LSTMRegressor.load(odd)


def test_save_refuses_parameters_json_cannot_hold(tmp_path):
    X, y = _data()
    model = _model(max_epochs=1).fit(X, y)
    model.net_kwargs = {"module__note": object()}  # as if set after fitting
    with pytest.raises(
        ValueError, match="cannot write net_kwargs=.* as JSON; use pickle or joblib"
    ):
        model.save(tmp_path / "m.skrnn")


@pytest.mark.parametrize("how", ["warm_start", "partial_fit"])
def test_a_continued_training_that_diverges_leaves_the_model_as_it_was(how):
    """Not NaN weights and an n_iter_ out of step with the history."""
    X, y = _data()
    model = _model(optimizer="sgd", lr=0.01, max_epochs=3).fit(X, y)
    before = model.predict(X)
    state = {"n_iter_": model.n_iter_, "history": len(model.net_.history)}
    model.set_params(lr=1e6, warm_start=True)
    with pytest.raises(TrainingDivergedError, match="Lower lr"):
        if how == "warm_start":
            model.fit(X, 1e3 * y)
        else:
            model.partial_fit(X, 1e3 * y)
    assert model.n_iter_ == state["n_iter_"] == len(model.net_.history)
    assert all(torch.isfinite(p).all() for p in model.net_.module_.parameters())
    assert_allclose(model.predict(X), before, rtol=1e-12)
    model.set_params(lr=0.01).fit(X, y)  # and it continues from there
    assert model.n_iter_ == 2 * state["n_iter_"]


def test_a_new_fit_that_diverges_keeps_the_previous_fit():
    X, y = _data()
    model = _model(optimizer="sgd", lr=0.01, max_epochs=3).fit(X, y)
    before = model.predict(X)
    model.set_params(lr=1e6)
    with pytest.raises(TrainingDivergedError):
        model.fit(X, 1e3 * y)
    assert_allclose(model.predict(X), before, rtol=1e-12)


def test_a_warm_start_accepts_a_random_state_instance():
    """A copy of a RandomState never equals it: compare the object itself."""
    X, y = _data()
    seed = np.random.RandomState(0)
    model = _model(random_state=seed, warm_start=True, max_epochs=2).fit(X, y)
    model.fit(X, y)
    model.partial_fit(X, y)
    assert model.n_iter_ == 5
    model.set_params(random_state=np.random.RandomState(0))
    with pytest.raises(ValueError, match="random_state=RandomState"):
        model.fit(X, y)


def test_save_refuses_callbacks_and_keeps_a_random_state_instance(tmp_path):
    """0.2 wrote both as None without a word."""
    from skorch.callbacks import EpochTimer

    X, y = _data()
    model = _model(callbacks=[EpochTimer()]).fit(X, y)
    with pytest.raises(
        ValueError, match=r"cannot write callbacks=\[<skorch.*holds no callbacks"
    ):
        model.save(tmp_path / "m.skrnn")
    seed = np.random.RandomState(7)
    seed.normal(size=3)  # any position in its stream
    model = _model(random_state=seed).fit(X, y)
    loaded = LSTMRegressor.load(model.save(tmp_path / "m.skrnn"))
    assert isinstance(loaded.random_state, np.random.RandomState)
    expected, got = model.random_state.get_state(), loaded.random_state.get_state()
    assert expected[0] == got[0] and expected[2:] == got[2:]
    np.testing.assert_array_equal(expected[1], got[1])
    assert_allclose(loaded.predict(X), model.predict(X), rtol=1e-12)


def test_a_checkpoint_file_holds_no_callbacks(tmp_path):
    X, y = _data()
    path = tmp_path / "run.skrnn"
    _model(callbacks=[Checkpoint(path)]).fit(X, y)
    assert LSTMRegressor.load(path).callbacks is None
