"""Behaviour of LSTMRegressor."""

import io
import pickle
import sys

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from skorch.callbacks import Callback, LRScheduler

from sk_rnn import LSTMRegressor
from sk_rnn.exceptions import EarlyStoppingWarning

needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")


def _windows(n=128, steps=5, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, steps))
    return X, X[:, 0] - 0.5 * X[:, -1]


def _fast(**params):
    defaults = {"hidden_size": 8, "max_epochs": 5, "random_state": 0}
    return LSTMRegressor(**{**defaults, **params})


@pytest.fixture(scope="module")
def fitted():
    X, y = _windows()
    return _fast(max_epochs=10).fit(X, y), X, y


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
def test_each_cell_learns_to_remember_the_oldest_step(cell):
    # y is the oldest of six steps: the state must carry it to the end.
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(256, 6))
    y = X[:, 0]
    model = LSTMRegressor(
        hidden_size=16, cell=cell, max_epochs=60, lr=0.01, random_state=0
    ).fit(X, y)
    mse = np.mean((model.predict(X) - y) ** 2)
    assert mse < 0.05 * np.var(y)
    assert model.loss_curve_[-1] < 0.1 * model.loss_curve_[0]


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_stacked_and_bidirectional_shapes(cell, bidirectional):
    X, y = _windows(n=32)
    Y = np.column_stack([y, -y, 2 * y])
    model = _fast(
        cell=cell, num_layers=3, bidirectional=bidirectional, max_epochs=2
    ).fit(X, Y)
    assert model.predict(X).shape == (32, 3)
    module = model.net_.module_
    directions = 2 if bidirectional else 1
    gates = {"lstm": 4, "gru": 3, "rnn": 1}[cell] * 8
    assert module.weight_ih_l0.shape == (1, 1, gates)
    # Each upper layer reads the whole output sequence of the one below it.
    assert module.weight_ih_l2.shape == (1, 8 * directions, gates)
    assert hasattr(module, "weight_hh_l2_reverse") == bidirectional
    assert module.head_weight.shape == (1, 8 * directions, 3)


def test_predictions_are_float64_and_follow_y_dimensions(fitted):
    model, X, y = fitted
    pred = model.predict(X.astype(np.float32))
    assert pred.dtype == np.float64
    assert pred.shape == (len(X),)
    column = _fast(max_epochs=1).fit(X, y[:, None])
    assert column.predict(X).shape == (len(X), 1)


def test_3d_input_equals_its_2d_reading():
    X, y = _windows(n=40, steps=6)
    X2 = np.column_stack([X, X**2]).reshape(40, 2, 6).transpose(0, 2, 1).reshape(40, 12)
    model2 = _fast(n_steps=6, max_epochs=3).fit(X2, y)
    model3 = _fast(max_epochs=3).fit(X2.reshape(40, 6, 2), y)
    assert model2.window_shape_ == model3.window_shape_ == (6, 2)
    assert_allclose(model2.predict(X2), model3.predict(X2.reshape(40, 6, 2)))


def test_nan_led_window_is_the_shorter_sequence(fitted):
    model, X, _ = fitted
    module = model.net_.module_
    rows = X[:6].copy()
    rows[:, :2] = np.nan  # the two oldest steps are missing
    short = torch.tensor(X[:6, 2:, None], dtype=torch.float64)
    with torch.no_grad():
        expected = module(short, dtype=torch.float64)[:, 0, 0].numpy()
    assert_allclose(model.predict(rows), expected, rtol=1e-10)


@pytest.mark.parametrize("n_ensemble", [1, 3])
def test_missing_step_anywhere_is_skipped_not_zeroed(n_ensemble):
    X, y = _windows(n=64)
    model = _fast(n_ensemble=n_ensemble).fit(X, y)
    module = model.net_.module_
    gap = X[:4].copy()
    gap[:, 2] = np.nan
    without = torch.tensor(np.delete(X[:4], 2, axis=1)[:, :, None], dtype=torch.float64)
    with torch.no_grad():
        expected = module(without, dtype=torch.float64).mean(dim=1)[:, 0].numpy()
    assert_allclose(model.predict(gap), expected, rtol=1e-10)
    zeroed = X[:4].copy()
    zeroed[:, 2] = 0.0
    assert not np.allclose(model.predict(gap), model.predict(zeroed))


def test_window_with_no_observed_step_predicts_from_the_initial_state(fitted):
    model, X, _ = fitted
    empty = np.full((2, X.shape[1]), np.nan)
    # From the zero state the dense head sees zeros: the prediction is its bias.
    bias = model.net_.module_.head_bias.detach().double().numpy()[0, 0, 0]
    assert_allclose(model.predict(empty), [bias, bias])


def test_training_on_nan_windows_uses_only_observed_steps():
    X, y = _windows(n=64)
    X_nan = X.copy()
    X_nan[::3, :2] = np.nan
    model = _fast(max_epochs=3).fit(X_nan, y)
    assert np.isfinite(model.loss_curve_).all()
    assert np.isfinite(model.predict(X_nan)).all()


def test_infinity_in_X_and_nan_in_y_are_errors():
    X, y = _windows(n=16)
    X_inf = X.copy()
    X_inf[3, 1] = np.inf
    with pytest.raises(ValueError, match="Input X contains infinity"):
        _fast().fit(X_inf, y)
    y_nan = y.copy()
    y_nan[2] = np.nan
    with pytest.raises(ValueError, match="Input y contains NaN"):
        _fast().fit(X, y_nan)


def test_row_width_must_be_a_multiple_of_n_steps():
    X, y = _windows(n=16, steps=7)
    with pytest.raises(
        ValueError,
        match=r"got 7 columns, which is not a multiple of n_steps=3; "
        r"pass the output of LagFeaturizer\(lags=3\)",
    ):
        _fast(n_steps=3).fit(X, y)


def test_predict_needs_the_fitted_window_shape():
    X, y = _windows(n=16, steps=6)
    model = _fast(max_epochs=1).fit(X.reshape(16, 3, 2), y)
    with pytest.raises(
        ValueError,
        match=r"fitted on windows of 3 steps x 2 features; "
        r"got X of shape \(16, 2, 3\)",
    ):
        model.predict(X.reshape(16, 2, 3))
    with pytest.raises(
        ValueError, match="X has 5 features, but LSTMRegressor is expecting 6"
    ):
        model.predict(X[:, :5])


def test_same_random_state_same_model_and_global_rng_untouched():
    X, y = _windows(n=48)
    torch.manual_seed(123)
    before = torch.get_rng_state()
    a = _fast(dropout=0.2, shuffle=True).fit(X, y).predict(X)
    b = _fast(dropout=0.2, shuffle=True).fit(X, y).predict(X)
    c = _fast(dropout=0.2, shuffle=True, random_state=1).fit(X, y).predict(X)
    assert_array_equal(a, b)
    assert not np.allclose(a, c)
    assert torch.equal(torch.get_rng_state(), before)


def test_clone_and_pickle_round_trip(fitted):
    model, X, _ = fitted
    restored = pickle.loads(pickle.dumps(model))
    assert_array_equal(restored.predict(X), model.predict(X))
    fresh = clone(model)
    assert not hasattr(fresh, "net_")
    assert fresh.get_params() == model.get_params()


def test_fitted_net_and_history_are_reachable(fitted):
    model, _, _ = fitted
    assert len(model.net_.history) == model.n_iter_ == 10
    assert model.loss_curve_ == list(model.net_.history[:, "train_loss"])
    assert isinstance(model.net_.module_, torch.nn.Module)


def test_ensemble_members_equal_separate_fits():
    X, y = _windows(n=64)
    params = {"max_epochs": 8, "batch_size": 16, "random_state": 7}
    ensemble = _fast(n_ensemble=3, **params)
    ensemble.fit(X, y)
    words = np.random.SeedSequence(7).generate_state(3)
    assert ensemble.member_seeds_ == [7, int(words[1]), int(words[2])]
    members = ensemble.predict_members(X)
    assert members.shape == (64, 3)
    for k, seed in enumerate(ensemble.member_seeds_):
        single = _fast(**{**params, "random_state": seed}).fit(X, y)
        assert_allclose(members[:, k], single.predict(X), rtol=1e-4, atol=1e-5)
    mean, std = ensemble.predict(X, return_std=True)
    assert_allclose(mean, members.mean(axis=1))
    assert_allclose(std, members.std(axis=1))


def test_stateful_prediction_continues_the_training_state():
    rng = np.random.default_rng(0)
    series = np.sin(np.arange(60) / 3) + 0.1 * rng.normal(size=60)
    X, y = series[:-1, None], series[1:]
    model = _fast(stateful=True, batch_size=1, max_epochs=3).fit(X[:40], y[:40])
    assert model.state_[0].shape == (1, 1, 1, 8)
    following = model.predict(X[40:])
    assert_array_equal(following, model.predict(X[40:]))  # predict changes nothing
    # Replaying the training rows from the zero state and carrying on gives the
    # same forecasts: prediction starts where the training rows left the state.
    replay = model.predict(X, initial_state="zero")
    assert_allclose(replay[40:], following, rtol=1e-12)
    assert_allclose(
        replay[:40], model.predict(X[:40], initial_state="zero"), rtol=1e-12
    )
    # The start state is what initial_state says, never what the rows look
    # like: the training rows as float32 (off by rounding) or a slice of them
    # start from state_ unless told otherwise.
    from_fit = model.predict(X[:40])
    assert_allclose(from_fit, model.predict(X[:40].astype(np.float32)), rtol=1e-6)
    assert not np.allclose(from_fit, replay[:40])
    own = tuple(np.zeros_like(s) if s is not None else None for s in model.state_)
    assert_allclose(
        model.predict(X[40:], initial_state=own),
        model.predict(X[40:], initial_state="zero"),
        rtol=1e-12,
    )
    stateless = _fast(batch_size=1, max_epochs=3).fit(X[:40], y[:40])
    assert not np.allclose(stateless.predict(X[40:]), following)


def test_initial_state_errors():
    X, y = _windows(n=16)
    stateless = _fast().fit(X, y)
    with pytest.raises(ValueError, match="initial_state array with stateful=False"):
        stateless.predict(X, initial_state=(np.zeros(3),))
    with pytest.raises(ValueError, match="initial_state='fit' or 'zero'.*got None"):
        stateless.predict(X, initial_state=None)  # 0.2 spoke of an array
    stateful = _fast(stateful=True, batch_size=1).fit(X, y)
    with pytest.raises(ValueError, match="expects initial_state='fit' or 'zero'"):
        stateful.predict(X, initial_state="start")
    with pytest.raises(TypeError, match="expects initial_state='fit', 'zero' or a"):
        stateful.predict(X, initial_state=np.zeros(3))
    bad = tuple(np.zeros((2, 2)) if s is not None else None for s in stateful.state_)
    with pytest.raises(ValueError, match="initial_state arrays of shape"):
        stateful.predict(X, initial_state=bad)


def test_stateful_and_bidirectional_is_refused():
    X, y = _windows(n=8)
    with pytest.raises(ValueError, match="stateful=True with bidirectional=True"):
        _fast(stateful=True, bidirectional=True).fit(X, y)


def test_threads_default_to_one_for_small_models_and_are_restored():
    X, y = _windows(n=16)
    torch.set_num_threads(2)
    try:
        assert _fast(max_epochs=1).fit(X, y).n_threads_ == 1
        assert _fast(max_epochs=1, n_threads=2).fit(X, y).n_threads_ == 2
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(1)


@pytest.mark.parametrize(
    "idle_share, expected", [(1.0, None), (0.9, None), (0.5, 1), (0.0, 1)]
)
def test_large_models_never_take_more_threads_than_idle_cores(
    monkeypatch, idle_share, expected
):
    """Another process busy on a core: one thread, not torch's two."""
    from sk_rnn.neural import _predicting

    ticks = iter([(0, 0), (int(1000 * idle_share), 1000)])
    monkeypatch.setattr(_predicting, "_cpu_times", lambda: next(ticks))
    monkeypatch.setattr(_predicting, "_idle", {"at": -np.inf, "cores": None})
    monkeypatch.setattr(_predicting.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(_predicting.time, "sleep", lambda seconds: None)
    large = LSTMRegressor(hidden_size=64, n_ensemble=4)
    torch.set_num_threads(2)
    try:
        assert _predicting.resolve_threads(large, 256) == expected
        # The sample is reused (no second reading) for a while.
        assert _predicting.resolve_threads(large, 256) == expected
        assert _predicting.resolve_threads(LSTMRegressor(hidden_size=4), 1) == 1
        assert _predicting.resolve_threads(large.set_params(n_threads=2), 256) == 2
    finally:
        torch.set_num_threads(1)


def test_prediction_never_sleeps_to_sample_idle_cores(monkeypatch):
    from sk_rnn.neural import _predicting

    def refuse():
        raise AssertionError("predict sampled /proc/stat")

    monkeypatch.setattr(_predicting, "_cpu_times", refuse)
    monkeypatch.setattr(_predicting, "_idle", {"at": -np.inf, "cores": 1.0})
    monkeypatch.setattr(torch, "get_num_threads", lambda: 2)
    large = LSTMRegressor(hidden_size=64, n_ensemble=4)
    assert _predicting.resolve_threads(large, 256, sample=False) == 1


def test_threads_follow_torch_where_idle_cores_cannot_be_read(monkeypatch):
    from sk_rnn.neural import _predicting

    monkeypatch.setattr(_predicting, "_cpu_times", lambda: None)
    monkeypatch.setattr(_predicting, "_idle", {"at": -np.inf, "cores": None})
    assert _predicting.resolve_threads(LSTMRegressor(hidden_size=64), 512) is None


def test_cuda_requested_without_cuda_is_a_clear_error():
    if torch.cuda.is_available():
        pytest.skip("CUDA is available here")
    X, y = _windows(n=8)
    with pytest.raises(
        ValueError, match="device='cuda', which is not available on this machine"
    ):
        _fast(device="cuda").fit(X, y)
    assert _fast(device="auto", max_epochs=1).fit(X, y).net_.device == "cpu"


@needs_cuda
@pytest.mark.parametrize("n_ensemble", [1, 3])
def test_cuda_fit_matches_cpu_fit(n_ensemble):
    X, y = _windows(n=64)
    cpu = _fast(n_ensemble=n_ensemble).fit(X, y)
    gpu = _fast(n_ensemble=n_ensemble, device="cuda").fit(X, y)
    assert next(gpu.net_.module_.parameters()).is_cuda
    assert_allclose(gpu.predict(X), cpu.predict(X), rtol=1e-3, atol=1e-4)


@needs_cuda
def test_cuda_model_pickles_to_cpu_predictions():
    X, y = _windows(n=64)
    gpu = _fast(device="cuda", stateful=True, batch_size=1).fit(X, y)
    restored = pickle.loads(pickle.dumps(gpu))
    assert_allclose(restored.predict(X), gpu.predict(X))


class _Recorder(Callback):
    """Remembers the datasets and epochs skorch hands to callbacks."""

    def initialize(self):
        self.epochs_ = 0
        self.train_ = self.valid_ = None
        return self

    def on_epoch_begin(self, net, dataset_train=None, dataset_valid=None, **kwargs):
        self.train_, self.valid_ = dataset_train, dataset_valid

    def on_epoch_end(self, net, **kwargs):
        self.epochs_ += 1


def _noisy(n=100, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, 4))
    return X, X[:, -1] + 0.5 * rng.normal(size=n)


@pytest.mark.parametrize("stateful", [False, True])
def test_early_stopping_validates_on_the_last_rows(stateful):
    X, y = _noisy()
    recorder = _Recorder()
    model = _fast(
        early_stopping="holdout",
        validation_fraction=0.2,
        stateful=stateful,
        max_epochs=3,
        callbacks=[("recorder", recorder)],
    ).fit(X, y)
    seen = dict(model.net_.callbacks_)["recorder"]
    assert seen is recorder  # the user's callback is used as it is, not copied
    gap = 0 if stateful else 4  # one window length, so windows cannot overlap
    valid = seen.valid_.X
    if not stateful:  # one series' rows, weighing alike
        assert_allclose(valid["sample_weight"].numpy(), np.full(20, 1 / 20))
        valid = valid["X"]
    valid_X = valid.numpy().reshape(20, 4)
    train_X = seen.train_.X.numpy().reshape(-1, 4)
    assert_allclose(valid_X, X[-20:], rtol=1e-6)
    assert_allclose(train_X, X[: 100 - 20 - gap], rtol=1e-6)


def test_early_stopping_stops_and_restores_the_best_weights():
    X, y = _noisy()
    model = _fast(
        hidden_size=16,
        early_stopping="holdout",
        n_iter_no_change=3,
        lr=0.05,
        max_epochs=300,
    ).fit(X, y)
    curve = np.array(model.validation_loss_curve_)
    assert model.n_iter_ < 300
    assert model.best_epoch_[0] == np.argmin(curve) + 1
    assert model.n_iter_ == model.best_epoch_[0] + 3
    with torch.no_grad():
        pred = model.net_.module_(torch.tensor(X[-10:, :, None], dtype=torch.float32))
    restored = np.mean((pred[:, 0, 0].numpy() - y[-10:]) ** 2)
    assert_allclose(restored, curve.min(), rtol=1e-5)


def test_early_stopping_is_per_member_and_matches_separate_fits():
    X, y = _noisy()
    params = {"early_stopping": True, "n_iter_no_change": 2, "lr": 0.05}
    params.update(max_epochs=60, random_state=3)
    ensemble = _fast(n_ensemble=2, **params).fit(X, y)
    members = ensemble.predict_members(X)
    for k in range(2):
        seed = ensemble.member_seeds_[k]
        single = _fast(**{**params, "random_state": seed}).fit(X, y)
        assert ensemble.best_epoch_[k] == single.best_epoch_[0]
        assert_allclose(members[:, k], single.predict(X), rtol=1e-4, atol=1e-5)


def test_refit_trains_every_row_for_each_members_chosen_epochs():
    X, y = _noisy()
    params = {"n_iter_no_change": 3, "lr": 0.05, "max_epochs": 300}
    holdout = _fast(early_stopping="holdout", n_ensemble=2, **params).fit(X, y)
    refit = _fast(early_stopping=True, n_ensemble=2, **params).fit(X, y)
    assert_array_equal(refit.best_epoch_, holdout.best_epoch_)
    assert refit.validation_loss_curve_ == holdout.validation_loss_curve_
    assert refit.n_iter_ == refit.best_epoch_.max()  # the refit's own epochs
    members = refit.predict_members(X)
    for k, seed in enumerate(refit.member_seeds_):
        epochs = int(refit.best_epoch_[k])
        alone = _fast(**{**params, "max_epochs": epochs, "random_state": seed})
        assert_allclose(members[:, k], alone.fit(X, y).predict(X), rtol=1e-4, atol=1e-5)


def test_members_that_keep_their_first_epoch_are_reported():
    X, y = _noisy()
    with pytest.warns(
        EarlyStoppingWarning, match=r"first-epoch weights of member\(s\) \[0\]"
    ):
        _fast(early_stopping="holdout", tol=1e3, n_iter_no_change=2).fit(X, y)


def test_a_tiny_validation_part_is_reported():
    X, y = _noisy(n=30)
    with pytest.warns(EarlyStoppingWarning, match="validates on 3 row.*too few"):
        _fast(early_stopping=True, max_epochs=3).fit(X, y)


def test_too_short_for_early_stopping_falls_back_to_all_rows_with_a_warning():
    X, y = _noisy(n=6)
    with pytest.warns(
        EarlyStoppingWarning, match="hold out the last 0.5 of the rows after a gap of 4"
    ):
        model = _fast(early_stopping=True, validation_fraction=0.5).fit(X, y)
    plain = _fast().fit(X, y)  # inside a search: a score, not an error
    assert not hasattr(model, "best_epoch_")
    assert_allclose(model.predict(X), plain.predict(X), rtol=0)


def test_skorch_callbacks_pass_through():
    X, y = _noisy(n=40)
    recorder = _Recorder()
    model = _fast(
        max_epochs=4,
        lr=0.01,
        callbacks=[
            ("recorder", recorder),
            LRScheduler(policy="StepLR", step_size=1, gamma=0.5),
        ],
    ).fit(X, y)
    assert dict(model.net_.callbacks_)["recorder"].epochs_ == 4
    assert_allclose(model.net_.optimizer_.param_groups[0]["lr"], 0.01 * 0.5**4)
    assert len(model.net_.history[:, "event_lr"]) == 4


@pytest.mark.parametrize("stateful", [False, True])
def test_empty_windows_are_predicted_but_not_trained_on(stateful):
    # The first row after DifferenceTransformer has no observed step. It
    # teaches nothing, so fitting with it equals fitting without it.
    X, y = _windows(n=40, steps=1)
    X_empty = np.vstack([[np.nan], X])
    y_empty = np.r_[123.0, y]
    params = {"stateful": stateful, "batch_size": 1, "max_epochs": 3}
    with_row = _fast(**params).fit(X_empty, y_empty)
    without = _fast(**params).fit(X, y)
    assert_allclose(with_row.predict(X_empty)[1:], without.predict(X), rtol=1e-10)
    assert with_row.loss_curve_ == pytest.approx(without.loss_curve_)


def test_all_windows_empty_is_an_error():
    with pytest.raises(ValueError, match="NaN in every row"):
        _fast().fit(np.full((5, 3), np.nan), np.arange(5.0))
    X = np.full((5, 3), np.nan)
    X[3:] = 1.0  # observed only where the weight is 0
    with pytest.raises(ValueError, match="every window is empty \\(all NaN\\) or"):
        _fast().fit(X, np.arange(5.0), sample_weight=[1, 1, 1, 0, 0])


def test_float32_prediction_is_close_to_float64(fitted):
    model, X, _ = fitted
    fast = clone(model).set_params(predict_dtype="float32").fit(X, model.predict(X))
    slow = clone(fast).set_params(predict_dtype="float64").fit(X, model.predict(X))
    assert_allclose(fast.predict(X), slow.predict(X), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize(
    ("cell", "gates", "extra_bias"), [("lstm", 4, 0), ("gru", 3, 1), ("rnn", 1, 0)]
)
@pytest.mark.parametrize("bidirectional", [False, True])
def test_summary_parameter_counts_match_the_formulas(
    cell, gates, extra_bias, bidirectional
):
    H, F, n_out, D = 5, 3, 2, 2 if bidirectional else 1
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(16, 4 * F)), rng.normal(size=(16, n_out))
    model = _fast(
        hidden_size=H, num_layers=2, cell=cell, bidirectional=bidirectional,
        n_steps=4, n_ensemble=3, max_epochs=1,
    ).fit(X, Y)  # fmt: skip
    # Per layer and direction: gates * H * (inputs + H + 1 bias [+ 1 for GRU]).
    first = D * gates * H * (F + H + 1 + extra_bias)
    second = D * gates * H * (D * H + H + 1 + extra_bias)
    dense = D * H * n_out + n_out
    text = model.summary()
    rows = text.splitlines()
    assert rows[0] == "LSTMRegressor: windows of 4 steps x 3 features, 3 members"
    counts = [int(row.split()[-1].replace(",", "")) for row in rows[3:6]]
    assert counts == [first, second, dense]
    assert f"(None, 4, {D * H})" in rows[3] and f"(None, {D * H})" in rows[4]
    total = first + second + dense
    assert rows[-1] == f"Total params: {total:,} per member, {3 * total:,} in all"
    n_params = sum(p.numel() for p in model.net_.module_.parameters())
    assert n_params == 3 * total


def test_skorch_progress_bar_and_checkpoint_work_as_callbacks(tmp_path, capsys):
    from skorch.callbacks import Checkpoint as SkorchCheckpoint
    from skorch.callbacks import ProgressBar

    X, y = _noisy(n=40)
    checkpoint = SkorchCheckpoint(dirname=str(tmp_path), monitor=None)
    _fast(max_epochs=2, early_stopping=True, callbacks=[ProgressBar(), checkpoint]).fit(
        X, y
    )
    assert {"params.pt", "optimizer.pt", "history.json"} <= {
        p.name for p in tmp_path.iterdir()
    }
    assert "it/s" in capsys.readouterr().err


def test_newest_first_refuses_lag_featurizers_oldest_first_columns():
    """0.2 read v_lag2, v_lag1, v_lag0 backwards under layout='newest_first'."""
    import pandas as pd

    from sk_rnn import LagFeaturizer

    series = pd.DataFrame({"v": np.sin(np.arange(40.0) / 3)})
    windows = LagFeaturizer(lags=3).fit_transform(series).iloc[2:]
    assert list(windows.columns) == ["v_lag2", "v_lag1", "v_lag0"]
    model = _fast(layout="newest_first")
    with pytest.raises(ValueError, match="LagFeaturizer's windows.*set layout='steps'"):
        model.fit(windows, windows["v_lag0"])
    _fast().fit(windows, windows["v_lag0"])  # the default layout reads them


def test_the_fitted_network_answers_after_set_params():
    """set_params changes the next fit, not the fitted network (0.2: predict
    raised AttributeError after stateful=True; summary named a GRU)."""
    X, y = _windows(n=32)
    model = _fast().fit(X, y)
    expected = model.predict(X)
    model.set_params(stateful=True, cell="gru")
    assert_allclose(model.predict(X), expected)
    assert "lstm_0 (LSTM)" in model.summary() and "GRU" not in model.summary()


def test_a_saved_layout_of_tuples_comes_back_as_tuples_and_warm_starts(tmp_path):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 12)), rng.normal(size=40)
    layout = [(4, 1), (4, 2)]
    model = _fast(layout=layout, warm_start=True, max_epochs=1).fit(X, y)
    loaded = LSTMRegressor.load(model.save(tmp_path / "m.skrnn"))
    assert loaded.layout == layout
    loaded.set_params(layout=[[4, 1], [4, 2]]).fit(X, y)  # lists name the same
    assert loaded.n_iter_ == 2


class _Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.mark.parametrize("stateful", [False, True])
def test_verbose_1_shows_a_progress_bar_on_a_terminal_only(monkeypatch, stateful):
    from sk_rnn.neural import _callbacks

    X, y = _windows(n=16)
    monkeypatch.setattr(_callbacks, "BAR_DELAY", 0.0)
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    model = _fast(max_epochs=4, verbose=1, stateful=stateful, batch_size=1).fit(X, y)
    shown = terminal.getvalue()
    assert "LSTMRegressor" in shown and "1/4" in shown and "epoch" in shown
    assert "progress_bar" in dict(model.net_.callbacks_)
    assert "print_log" not in dict(model.net_.callbacks_)
    # Not a terminal (a log file, a pipe, a notebook's captured stderr): no bar.
    piped = io.StringIO()
    monkeypatch.setattr(sys, "stderr", piped)
    _fast(max_epochs=4, verbose=1).fit(X, y)
    assert piped.getvalue() == ""


def test_verbose_0_is_silent_and_2_prints_skorchs_table(monkeypatch, capsys):
    from sk_rnn.neural import _callbacks

    X, y = _windows(n=16)
    monkeypatch.setattr(_callbacks, "BAR_DELAY", 0.0)
    monkeypatch.setattr(sys, "stderr", _Terminal())
    quiet = _fast(max_epochs=2).fit(X, y)
    assert "progress_bar" not in dict(quiet.net_.callbacks_)
    assert sys.stderr.getvalue() == ""
    _fast(max_epochs=2, verbose=2).fit(X, y)
    assert "train_loss" in capsys.readouterr().out
