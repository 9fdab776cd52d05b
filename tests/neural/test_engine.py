"""LSTMRegressor's training engine: issue 10's defects and features.

Each test is written as the user who met the defect would write it.
"""

import subprocess
import sys
import threading
import time

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose
from sklearn.base import clone
from skorch.callbacks import Callback

from sk_rnn import LSTMRegressor
from sk_rnn.neural._net import MemberLoss, TensorBatches, torch_threads


def _data(n=48, steps=4, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, steps))
    return X, X.sum(axis=1) / 2


def _model(**params):
    defaults = {"hidden_size": 6, "max_epochs": 4, "batch_size": 8, "random_state": 0}
    return LSTMRegressor(**{**defaults, **params})


# ----------------------------------------------------- 4. stale attributes
def test_a_new_fit_clears_the_attributes_of_the_previous_one():
    X, y = _data()
    model = _model(early_stopping=True, stateful=True).fit(X, y)
    assert hasattr(model, "best_epoch_") and hasattr(model, "state_")
    model.set_params(early_stopping=False, stateful=False).fit(X, y)
    assert not hasattr(model, "validation_loss_curve_")
    assert not hasattr(model, "best_epoch_")
    assert not hasattr(model, "state_")


# -------------------------------------------------------- 5. random state
def test_fit_neither_reads_nor_reseeds_torchs_global_generators(monkeypatch):
    X, y = _data()

    def refuse(*args, **kwargs):
        raise AssertionError("fit reseeded a global generator")

    monkeypatch.setattr(torch, "manual_seed", refuse)
    monkeypatch.setattr(torch.cuda, "manual_seed_all", refuse)
    monkeypatch.setattr(torch.cuda, "manual_seed", refuse)
    torch.random.default_generator.manual_seed(123)
    expected = torch.rand(3, generator=torch.Generator().manual_seed(123))
    a = _model(dropout=0.3, num_layers=2, shuffle=True).fit(X, y).predict(X)
    assert torch.equal(torch.rand(3), expected)  # the global stream did not move
    b = _model(dropout=0.3, num_layers=2, shuffle=True).fit(X, y).predict(X)
    assert_allclose(a, b, rtol=0)  # and the model is reproducible without it


def test_member_seeds_come_from_a_seed_sequence_and_do_not_overlap():
    X, y = _data(n=16)
    seeds = {}
    for base in (0, 1, 2):
        seeds[base] = (
            _model(n_ensemble=5, max_epochs=1, random_state=base)
            .fit(X, y)
            .member_seeds_
        )
        words = np.random.SeedSequence(base).generate_state(5)
        assert seeds[base] == [base, *map(int, words[1:])]
    assert len(set(seeds[0]) | set(seeds[1]) | set(seeds[2])) == 15
    # Seeds do not depend on n_ensemble: member k is member k.
    three = _model(n_ensemble=3, max_epochs=1, random_state=0).fit(X, y)
    assert three.member_seeds_ == seeds[0][:3]


# ----------------------------------------------------------- 6. warm start
@pytest.mark.parametrize(
    "change",
    [{"hidden_size": 3}, {"cell": "gru"}, {"n_ensemble": 2}, {"loss": "huber"}],
)
def test_warm_start_refuses_a_change_it_cannot_apply(change):
    X, y = _data()
    model = _model(warm_start=True).fit(X, y)
    name = next(iter(change))
    model.set_params(**change)
    with pytest.raises(ValueError, match=f"warm_start=True continues .*{name}="):
        model.fit(X, y)


def test_warm_start_applies_lr_clipping_and_verbose(capsys):
    X, y = _data()
    model = _model(warm_start=True).fit(X, y)
    model.set_params(lr=0.05, clip_grad_norm=0.5, verbose=2).fit(X, y)
    assert [g["lr"] for g in model.net_.optimizer_.param_groups] == [0.05]
    names = [name for name, _ in model.net_.callbacks_]
    assert "member_gradient_clipping" in names and "print_log" in names
    assert "train_loss" in capsys.readouterr().out  # the epoch table was printed
    assert model.n_iter_ == 8  # epochs in all, over warm starts


# ------------------------------------------------------------ 7. callbacks
class _HoldsALock(Callback):
    def __init__(self):
        self.lock = threading.Lock()  # deepcopy refuses a lock

    def initialize(self):
        self.epochs_ = 0
        return self

    def on_epoch_end(self, net, **kwargs):
        self.epochs_ += 1


def test_callbacks_are_used_as_they_are_not_deep_copied():
    X, y = _data()
    callback = _HoldsALock()
    model = _model(callbacks=[callback]).fit(X, y)
    assert callback.epochs_ == 4
    assert dict(model.net_.callbacks_)["_HoldsALock"] is callback


# ------------------------------------------------------------- 8. net_
def test_net_behaves_as_the_skorch_net_it_is():
    X, y = _data()
    model = _model(n_ensemble=2).fit(X, y)
    windows = X.reshape(len(X), 4, 1)
    members = model.net_.predict(windows)  # float64 NumPy, as a user has it
    assert members.shape == (48, 2, 1)
    assert_allclose(members[:, :, 0], model.predict_members(X), rtol=1e-5)
    assert model.net_.forward(windows.astype(np.float32)).shape == (48, 2, 1)


@pytest.mark.parametrize("key", ["criterion", "module__hidden_size", "lr", "callbacks"])
def test_net_kwargs_that_a_parameter_sets_are_refused(key):
    X, y = _data()
    with pytest.raises(ValueError, match=f"net_kwargs key '{key}', which its own"):
        _model(net_kwargs={key: torch.nn.L1Loss}).fit(X, y)


def test_iterator_settings_are_honoured_or_refused():
    X, y = _data()
    with pytest.raises(
        TypeError,
        match=r"take batch_size, shuffle and generator; got \['num_workers'\]",
    ):
        _model(net_kwargs={"iterator_train__num_workers": 2}).fit(X, y)
    seen = []

    class Loader(TensorBatches):
        def __iter__(self):
            seen.append(self.batch_size)
            return super().__iter__()

    _model(net_kwargs={"iterator_train": Loader, "iterator_train__batch_size": 5}).fit(
        X, y
    )
    assert seen == [5] * 4


def test_a_dataloader_can_be_the_training_iterator():
    X, y = _data()
    params = {"shuffle": False, "max_epochs": 2}
    loader = _model(
        **params, net_kwargs={"iterator_train": torch.utils.data.DataLoader}
    ).fit(X, y)
    plain = _model(**params).fit(X, y)
    assert_allclose(loader.predict(X), plain.predict(X), rtol=1e-5)


# ------------------------------------------------------------- 10. strides
def test_predict_and_fit_take_arrays_with_negative_strides():
    X, y = _data()
    model = _model().fit(X[::-1], y[::-1])
    assert_allclose(
        model.predict(X[::-1]), model.predict(np.ascontiguousarray(X[::-1])), rtol=0
    )
    assert model.predict(X.reshape(48, 4, 1)[::-2]).shape == (24,)


# --------------------------------------------------------------- 11. save
def test_numpy_scalar_parameters_save_and_load(tmp_path):
    X, y = _data()
    model = _model(
        lr=np.logspace(-3, -2, 3)[1], hidden_size=np.int64(5), random_state=np.int64(3)
    ).fit(X, y)
    loaded = LSTMRegressor.load(model.save(tmp_path / "m.skrnn"))
    assert loaded.lr == pytest.approx(float(model.lr))
    assert loaded.random_state == 3 and type(loaded.random_state) is int
    assert_allclose(loaded.predict(X), model.predict(X), rtol=0)


# ------------------------------------------------------------ 12. threads
def test_thread_counts_of_concurrent_blocks_never_mix(monkeypatch):
    # Where torch's thread pool is one per process (native and TBB builds),
    # set_num_threads in one thread changes every thread's count; OpenMP
    # builds keep a count per thread. Model the process-wide pool.
    pool = {"n": 4}
    monkeypatch.setattr(torch, "get_num_threads", lambda: pool["n"])
    monkeypatch.setattr(torch, "set_num_threads", lambda n: pool.update(n=n))
    seen, errors = [], []
    barrier = threading.Barrier(4)

    def work(n):
        try:
            barrier.wait()
            for _ in range(20):
                with torch_threads(n):
                    seen.append((n, torch.get_num_threads()))
                    time.sleep(0.001)  # another thread enters meanwhile
                    seen.append((n, torch.get_num_threads()))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in (1, 2, 1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert all(n == got for n, got in seen)  # each block ran with its count
    assert pool["n"] == 4  # and the process's count is back


def test_two_threads_fitting_at_once_get_what_one_gets():
    X, y = _data()
    alone = _model().fit(X, y).predict(X)
    results = [None, None]

    def fit(i):
        results[i] = _model().fit(X, y).predict(X)

    threads = [threading.Thread(target=fit, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for result in results:
        assert_allclose(result, alone, rtol=0)


# ------------------------------------------------------- 13. lazy import
def test_the_transformers_import_without_torch():
    code = (
        "import sys, sk_rnn; "
        "from sk_rnn import DifferenceTransformer, LagFeaturizer, SeriesPipeline; "
        "assert 'torch' not in sys.modules, 'torch imported'; "
        "sk_rnn.LSTMRegressor; assert 'torch' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# ------------------------------------------------------------- device
@pytest.mark.parametrize(
    ("device", "message"),
    [("gpu", "which torch does not know"), ("meta", "which is not available")],
)
def test_unknown_or_unusable_devices_are_refused(device, message):
    X, y = _data()
    with pytest.raises(ValueError, match=f"device='{device}', {message}"):
        _model(device=device).fit(X, y)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_any_cuda_device_string():  # pragma: no cover - GPU machines only
    X, y = _data()
    model = _model(device="cuda:0").fit(X, y)
    assert next(model.net_.module_.parameters()).device == torch.device("cuda:0")
    cpu = _model().fit(X, y)
    assert_allclose(model.predict(X), cpu.predict(X), atol=1e-4)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_a_cuda_fit_leaves_the_cuda_generator_alone():  # pragma: no cover - GPU
    X, y = _data()
    torch.cuda.manual_seed(5)
    state = torch.cuda.get_rng_state()
    params = {"device": "cuda", "dropout": 0.3, "num_layers": 2, "shuffle": True}
    a = _model(**params).fit(X, y).predict(X)
    assert torch.equal(torch.cuda.get_rng_state(), state)
    b = _model(**params).fit(X, y).predict(X)
    assert_allclose(a, b, rtol=0)


# --------------------------------------------------------------- loss
def test_member_loss_matches_hand_computed_values():
    y_pred = torch.tensor([[[1.0], [0.0]], [[2.0], [4.0]]])  # 2 rows, 2 members
    y_true = torch.tensor([[0.0], [3.0]])
    # residuals y - pred: member 0: -1, 1; member 1: 0, -1
    assert torch.allclose(
        MemberLoss("squared_error").members(y_pred, y_true), torch.tensor([1.0, 0.5])
    )
    assert torch.allclose(
        MemberLoss("absolute_error").members(y_pred, y_true), torch.tensor([1.0, 0.5])
    )
    # pinball at q=0.9: r > 0 -> 0.9 r, r < 0 -> 0.1 |r|
    pinball = MemberLoss("quantile", quantile=0.9).members(y_pred, y_true)
    assert torch.allclose(pinball, torch.tensor([(0.1 + 0.9) / 2, (0 + 0.1) / 2]))
    big = torch.tensor([[[3.0]]]), torch.tensor([[0.0]])
    assert torch.allclose(MemberLoss("huber").members(*big), torch.tensor([2.5]))
    weighted = MemberLoss("squared_error").members(
        y_pred, y_true, torch.tensor([3.0, 1.0])
    )
    assert torch.allclose(weighted, torch.tensor([(3 + 1) / 4, (0 + 1) / 4]))
    assert torch.allclose(
        MemberLoss("squared_error")(y_pred, y_true), torch.tensor(1.5)
    )  # the sum of the members' losses


def test_quantile_loss_predicts_the_quantile():
    rng = np.random.default_rng(0)
    X = np.zeros((400, 1))
    y = rng.normal(size=400)
    q90 = _model(
        loss="quantile", quantile=0.9, max_epochs=150, lr=0.05, batch_size=None
    ).fit(X, y)
    assert abs(q90.predict(X[:1])[0] - np.quantile(y, 0.9)) < 0.1


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"loss": "quantile"}, "quantile .* exactly when loss='quantile'"),
        ({"quantile": 0.5}, "got loss='squared_error', quantile=0.5"),
    ],
)
def test_quantile_only_with_the_quantile_loss(params, message):
    X, y = _data()
    with pytest.raises(ValueError, match=message):
        _model(**params).fit(X, y)


# ------------------------------------------------------- sample_weight
def test_zero_weights_equal_dropping_the_rows():
    X, y = _data()
    w = np.ones(len(X))
    w[::3] = 0
    weighted = _model().fit(X, y, sample_weight=w)
    dropped = _model().fit(X[w > 0], y[w > 0])
    assert_allclose(weighted.predict(X), dropped.predict(X), rtol=1e-6)


def test_integer_weights_equal_repeated_rows_in_one_batch():
    X, y = _data(n=12)
    w = np.arange(12) % 3 + 1.0
    weighted = _model(batch_size=None).fit(X, y, sample_weight=w)
    counts = w.astype(int)
    repeated = _model(batch_size=None).fit(
        np.repeat(X, counts, axis=0), np.repeat(y, counts)
    )
    assert_allclose(weighted.predict(X), repeated.predict(X), rtol=1e-5)


def test_a_stateful_batch_of_zero_weights_contributes_nothing():
    X, y = _data()
    w = np.ones(len(X))
    w[8:16] = 0  # one whole batch of 8 consecutive rows
    model = _model(stateful=True).fit(X, y, sample_weight=w)
    assert np.isfinite(model.loss_curve_).all()
    assert np.isfinite(model.predict(X)).all()


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        (np.ones(3), r"sample_weight of shape \(48,\)"),
        (-np.ones(48), "finite, non-negative sample_weight"),
        (np.zeros(48), "zero for every row"),
    ],
)
def test_bad_sample_weights_are_refused(weights, message):
    X, y = _data()
    with pytest.raises(ValueError, match=message):
        _model().fit(X, y, sample_weight=weights)


# ---------------------------------------------------------- partial_fit
def test_partial_fit_trains_one_epoch_per_call_like_a_warm_start():
    X, y = _data()
    online = _model(max_epochs=1)
    for _ in range(3):
        online.partial_fit(X, y)
    assert online.n_iter_ == 3
    batch = _model(max_epochs=3).fit(X, y)
    assert_allclose(online.predict(X), batch.predict(X), rtol=1e-6)


def test_partial_fit_refuses_early_stopping_and_changed_structure():
    X, y = _data()
    with pytest.raises(ValueError, match="partial_fit trains one epoch"):
        _model(early_stopping=True).partial_fit(X, y)
    model = _model().partial_fit(X, y)
    with pytest.raises(ValueError, match="hidden_size=6 -> 3"):
        model.set_params(hidden_size=3).partial_fit(X, y)


def test_clone_of_a_fitted_model_is_unfitted_and_fits_the_same():
    X, y = _data()
    model = _model().fit(X, y)
    assert_allclose(clone(model).fit(X, y).predict(X), model.predict(X), rtol=0)


# ------------------------------------------- sample_weight through the stack
def _series(n=40):
    import pandas as pd

    rng = np.random.default_rng(1)
    values = np.cumsum(rng.normal(size=n)) + 10
    X = pd.DataFrame({"sales": values}, index=pd.RangeIndex(n))
    return X, pd.Series(np.r_[values[1:], values[-1]], index=X.index)


def _spy(monkeypatch):
    seen = []
    original = LSTMRegressor.fit

    def fit(self, X, y, sample_weight=None):
        seen.append(None if sample_weight is None else np.asarray(sample_weight))
        return original(self, X, y, sample_weight=sample_weight)

    monkeypatch.setattr(LSTMRegressor, "fit", fit)
    return seen


def test_sample_weight_reaches_the_network_through_the_forecaster(monkeypatch):
    from sk_rnn import make_forecaster

    seen = _spy(monkeypatch)
    X, y = _series()
    w = np.linspace(0.5, 2.0, len(X))
    make_forecaster(lags=2, max_epochs=2, random_state=0).fit(X, y, sample_weight=w)
    assert_allclose(seen[-1], w)  # every row trains: the network reads NaN steps


def test_sample_weight_is_cut_to_the_rows_a_final_step_trains_on():
    from sklearn.linear_model import Ridge

    from sk_rnn import LagFeaturizer, make_series_pipeline

    X, y = _series()
    w = np.linspace(0.5, 2.0, len(X))
    pipe = make_series_pipeline(LagFeaturizer(lags=3), Ridge()).fit(
        X, y, sample_weight=w
    )
    manual = Ridge().fit(
        LagFeaturizer(lags=3).fit_transform(X).iloc[2:], y.iloc[2:], sample_weight=w[2:]
    )
    assert_allclose(pipe[-1].coef_, manual.coef_)
    with pytest.raises(ValueError, match="final step 'passthrough' does not take"):
        make_series_pipeline(LagFeaturizer(lags=3), "passthrough").fit(
            X, y, sample_weight=w
        )


def test_sample_weight_is_routed_with_metadata_routing(monkeypatch):
    from sklearn import config_context
    from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
    from sklearn.preprocessing import MinMaxScaler

    from sk_rnn import (
        DifferencedTargetRegressor,
        DifferenceTransformer,
        LagFeaturizer,
        make_series_pipeline,
    )

    seen = _spy(monkeypatch)
    X, y = _series()
    w = np.linspace(0.5, 2.0, len(X))
    with config_context(enable_metadata_routing=True):
        lstm = _model(max_epochs=2).set_fit_request(sample_weight=True)
        lstm.set_score_request(sample_weight=False)
        model = DifferencedTargetRegressor(
            make_series_pipeline(
                DifferenceTransformer(), LagFeaturizer(lags=2), MinMaxScaler(), lstm
            )
        )
        model.set_score_request(sample_weight=True)
        model.fit(X, y, sample_weight=w)
        assert_allclose(seen[-1], w)
        search = GridSearchCV(
            model, {"regressor__lstmregressor__lr": [1e-3]}, cv=TimeSeriesSplit(2)
        ).fit(X, y, sample_weight=w)
        assert search.best_estimator_ is not None
        assert_allclose(seen[-1], w)  # the refit on every row, weighted


def test_a_regressor_without_sample_weight_is_refused():
    from sklearn.neighbors import KNeighborsRegressor

    from sk_rnn import DifferencedTargetRegressor

    X, y = _series()
    with pytest.raises(ValueError, match="KNeighborsRegressor.fit does not take"):
        DifferencedTargetRegressor(KNeighborsRegressor()).fit(
            X, y, sample_weight=np.ones(len(X))
        )


def test_a_thread_guard_nested_in_the_same_thread_does_not_wait_for_itself():
    """A callback that predicts with a model wanting another thread count,
    inside a fit holding the guard, deadlocked in 0.2."""
    import threading

    counts = []

    def nested():
        with torch_threads(1):
            with torch_threads(2):  # would wait for the outer block to end
                counts.append(torch.get_num_threads())
        counts.append(torch.get_num_threads())

    before = torch.get_num_threads()
    worker = threading.Thread(target=nested, daemon=True)
    worker.start()
    worker.join(timeout=300)  # a bound on a hang, not a speed check
    assert not worker.is_alive(), "the nested guard waited for itself"
    assert counts == [1, before]


def test_a_callback_that_predicts_with_another_model_during_fit():
    from skorch.callbacks import Callback

    X = np.random.default_rng(0).normal(size=(40, 3))
    y = X.sum(axis=1)
    other = LSTMRegressor(hidden_size=4, max_epochs=1, n_threads=2).fit(X, y)
    seen = []

    class PredictOther(Callback):
        def on_epoch_end(self, net, **kwargs):
            seen.append(other.predict(X[:2]))

    LSTMRegressor(
        hidden_size=4, max_epochs=2, n_threads=1, callbacks=[PredictOther()]
    ).fit(X, y)
    assert len(seen) == 2


@pytest.mark.parametrize("scale", [1e-50, 1e38])
def test_sample_weights_count_only_relative_to_each_other(scale):
    """0.2 cast 1e-50 to 0 in float32 (nothing trained, loss 0) and blamed
    the learning rate for 1e38."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(48, 4)), rng.normal(size=48)
    weights = rng.uniform(0.5, 2.0, size=48)
    params = {"hidden_size": 4, "max_epochs": 3, "batch_size": 8, "random_state": 0}
    reference = LSTMRegressor(**params).fit(X, y, sample_weight=weights)
    scaled = LSTMRegressor(**params).fit(X, y, sample_weight=weights * scale)
    np.testing.assert_allclose(scaled.predict(X), reference.predict(X), rtol=1e-5)
    assert scaled.loss_curve_[0] > 0


def test_weights_beyond_float32s_range_are_said_to_train_as_zero():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(16, 3)), rng.normal(size=16)
    weights = np.ones(16)
    weights[0] = 1e-60
    with pytest.warns(UserWarning, match="1 row\\(s\\) weigh less than 1e-45"):
        LSTMRegressor(max_epochs=1, random_state=0).fit(X, y, sample_weight=weights)
