"""stateful=True on panels: one recurrent stream per series (neural._streams)."""

import pickle

import numpy as np
import pandas as pd
import pytest
import torch

from sk_rnn import LagFeaturizer, LSTMRegressor, make_forecaster
from sk_rnn.neural import _fused
from sk_rnn.neural._module import RecurrentNetwork
from sk_rnn.neural._training import base_seed, member_seeds

PARAMS = {
    "stateful": True, "hidden_size": 3, "n_ensemble": 2, "random_state": 0, "lr": 0.01,
    "max_epochs": 3,
}  # fmt: skip


def _panel(lengths=(9, 6, 4), seed=0, n_features=1):
    rng = np.random.default_rng(seed)
    frames, targets = [], []
    for k, n in enumerate(lengths):
        values = np.cumsum(rng.standard_normal((n + 1, n_features)), axis=0)
        index = pd.MultiIndex.from_arrays(
            [[f"s{k}"] * n, pd.RangeIndex(n)], names=["id", "t"]
        )
        columns = [f"x{j}" for j in range(n_features)]
        frames.append(pd.DataFrame(values[:-1], index=index, columns=columns))
        targets.append(pd.Series(values[1:, 0], index=index))
    return pd.concat(frames), pd.concat(targets)


@pytest.fixture
def torch_loop(monkeypatch):
    """Train through torch's batch loop (the fused NumPy epoch is tested alone)."""
    monkeypatch.setattr(_fused, "fusable", lambda net: False)


def _series(X, key):
    return X.xs(key, level=0).to_numpy()


def test_a_panel_of_one_series_trains_exactly_as_one_series(torch_loop):
    X, y = _panel(lengths=(12,))
    panel = LSTMRegressor(batch_size=2, **PARAMS).fit(X, y)
    series = LSTMRegressor(batch_size=2, **PARAMS).fit(X.to_numpy(), y.to_numpy())
    np.testing.assert_array_equal(panel.predict(X), series.predict(X.to_numpy()))
    for a, b in zip(panel.state_, series.state_, strict=True):
        np.testing.assert_array_equal(a, b)
    assert panel.state_series_ == ["s0"]


def _hand_loop(X, y, batch_size, epochs):
    """The per-series loop sk_rnn's side-by-side streams must equal: each
    chunk's loss is the members' mean over every series' rows in it, each
    series' state carried to its next chunk, one Adam step per chunk."""
    ids = X.index.get_level_values(0).unique()
    K = PARAMS["n_ensemble"]
    module = RecurrentNetwork(
        n_features=X.shape[1], n_outputs=1, hidden_size=3, n_members=K,
        seeds=member_seeds(base_seed(0), K),
    )  # fmt: skip
    optimizer = torch.optim.Adam(module.parameters(), lr=0.01, fused=True)
    series = [
        (
            torch.tensor(_series(X, key)[:, None, :], dtype=torch.float32),
            torch.tensor(y.xs(key, level=0).to_numpy(), dtype=torch.float32),
        )
        for key in ids
    ]
    longest = max(len(s[0]) for s in series)
    for _ in range(epochs):
        states = [None] * len(series)
        for start in range(0, longest, batch_size):
            losses, n = [], 0
            for k, (windows, target) in enumerate(series):
                rows = slice(start, start + batch_size)
                if not len(windows[rows]):
                    continue
                pred, state = module(
                    windows[rows], states[k], stateful=True, return_state=True
                )
                states[k] = tuple(s.detach() for s in state)
                losses.append(((pred[:, :, 0] - target[rows, None]) ** 2).sum(0))
                n += len(windows[rows])
            loss = (torch.stack(losses).sum(0) / n).sum()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return module


def test_streams_equal_a_hand_written_per_series_loop(torch_loop):
    X, y = _panel(lengths=(9, 6, 4), n_features=2)
    model = LSTMRegressor(batch_size=3, n_steps=1, **PARAMS).fit(X, y)
    hand = _hand_loop(X, y, batch_size=3, epochs=3)
    for name, p in hand.named_parameters():
        np.testing.assert_allclose(
            getattr(model.net_.module_, name).detach().numpy(),
            p.detach().numpy(),
            rtol=1e-5,
            atol=1e-6,
            err_msg=name,
        )


def test_each_series_state_is_one_unbroken_pass_over_its_rows():
    """Chunks of 2 rows in training; the fitted state and the predictions
    equal one pass over each series from zero, and no state crosses series."""
    X, y = _panel(lengths=(9, 6, 4))
    model = LSTMRegressor(batch_size=2, **PARAMS).fit(X, y)
    module = model.net_.module_.double()
    got = model.predict(X, initial_state="zero")  # the rows again, from zero
    for k, key in enumerate(model.state_series_):
        windows = torch.tensor(_series(X, key)[:, None, :])
        with torch.no_grad():
            pred, state = module(windows, None, stateful=True, return_state=True)
        rows = X.index.get_level_values(0) == key
        np.testing.assert_allclose(got[rows], pred.mean(1)[:, 0], rtol=1e-12)
        np.testing.assert_allclose(model.state_[0][:, :, k], state[0][:, :, 0])
        np.testing.assert_allclose(model.state_[1][:, :, k], state[1][:, :, 0])


def test_initial_state_per_series():
    X, y = _panel(lengths=(6, 5))
    model = LSTMRegressor(batch_size=1, **PARAMS).fit(X, y)
    fit = model.predict(X, initial_state="fit")
    zero = model.predict(X, initial_state="zero")
    mixed = model.predict(X, initial_state={"s0": "fit", "s1": "zero"})
    first = X.index.get_level_values(0) == "s0"
    np.testing.assert_array_equal(mixed[first], fit[first])
    np.testing.assert_array_equal(mixed[~first], zero[~first])
    assert not np.allclose(fit, zero)
    new = X.rename(index={"s0": "new"}, level=0)
    with pytest.raises(ValueError, match=r"initial_state 'fit' for series \['new'\]"):
        model.predict(new)
    np.testing.assert_array_equal(model.predict(new, initial_state="zero"), zero)
    with pytest.raises(ValueError, match="each series' initial_state to be 'fit'"):
        model.predict(X, initial_state={"s0": "later"})
    with pytest.raises(ValueError, match="expects initial_state='fit', 'zero' or a"):
        model.predict(X, initial_state=model.state_)
    with pytest.raises(ValueError, match="predict expects a panel too"):
        model.predict(X.to_numpy())


def test_missing_steps_and_series_of_different_lengths():
    X, y = _panel(lengths=(10, 3, 7), n_features=2)
    X.iloc[4, 1] = np.nan  # a missing step inside the first series
    X.iloc[11, :] = np.nan  # an empty window: it teaches nothing
    model = LSTMRegressor(batch_size=4, n_steps=1, **PARAMS).fit(X, y)
    got = model.predict(X)
    assert np.isfinite(got).all() and got.shape == (20,)
    assert [a.shape for a in model.state_] == [(1, 2, 3, 3)] * 2


def test_forecaster_continues_each_series_from_its_own_state():
    """A test block that continues every series is forecast as the same
    rows read after their training rows, in one pass from each start."""
    rng = np.random.default_rng(3)
    frames = []
    for key, n in (("a", 16), ("b", 12)):
        index = pd.MultiIndex.from_arrays(
            [[key] * n, pd.RangeIndex(n)], names=["id", "t"]
        )
        frames.append(pd.DataFrame({"v": np.cumsum(rng.standard_normal(n))}, index))
    full = pd.concat(frames)
    train = full.groupby(level=0).head(-4)
    test = full.groupby(level=0).tail(4)
    target = full.groupby(level=0)["v"].shift(-1).fillna(0.0)
    model = make_forecaster(
        lags=2, hidden_size=3, max_epochs=3, n_ensemble=2, random_state=0
    )
    model.fit(train, target.loc[train.index])
    continued = model.predict(test, history="fit")
    whole = model.predict(full, history="none")
    np.testing.assert_allclose(
        continued, whole[full.index.isin(test.index)], rtol=1e-10
    )


def test_save_load_pickle_and_warm_start(tmp_path):
    X, y = _panel(lengths=(7, 5))
    model = LSTMRegressor(batch_size=2, warm_start=True, **PARAMS).fit(X, y)
    path = model.save(tmp_path / "streams.skrnn")
    loaded = LSTMRegressor.load(path)
    copied = pickle.loads(pickle.dumps(model))
    assert loaded.state_series_ == copied.state_series_ == ["s0", "s1"]
    for other in (loaded, copied):
        np.testing.assert_array_equal(other.predict(X), model.predict(X))
    model.fit(X, y)
    loaded.fit(X, y)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    with pytest.raises(ValueError, match="continues the stateful streams of the 2"):
        model.fit(X.rename(index={"s0": "z"}, level=0), y)


@pytest.mark.parametrize("kind", ["tuples", "timestamps"])
def test_series_ids_of_any_kind_survive_save_load_pickle(tmp_path, kind):
    X, y = _panel(lengths=(5, 5))
    ids = (
        [("a", 1), ("b", 2)]
        if kind == "tuples"
        else list(pd.to_datetime(["2020-01-01", "2021-01-01"]))
    )
    index = X.index.set_levels([ids, X.index.levels[1]], level=[0, 1])
    X, y = X.set_axis(index), y.set_axis(index)
    model = LSTMRegressor(batch_size=2, **PARAMS).fit(X, y)
    assert model.state_series_ == ids
    loaded = LSTMRegressor.load(model.save(tmp_path / "t.skrnn"))
    copied = pickle.loads(pickle.dumps(model))
    for other in (loaded, copied):
        assert other.state_series_ == ids
        np.testing.assert_array_equal(other.predict(X), model.predict(X))


def test_sample_weights_weigh_each_streams_rows(torch_loop):
    X, y = _panel(lengths=(9, 6))
    params = {**PARAMS, "batch_size": 2}
    # A series of weight 0 still runs its stream but teaches nothing: the
    # panel trains as its other series alone.
    weights = np.r_[np.ones(9), np.zeros(6)]
    weighted = LSTMRegressor(**params).fit(X, y, sample_weight=weights)
    alone = LSTMRegressor(**params).fit(X.loc[["s0"]], y.loc[["s0"]])
    np.testing.assert_allclose(
        weighted.predict(X.loc[["s0"]]), alone.predict(X.loc[["s0"]]), rtol=1e-6
    )
    # Only relative weights count (each chunk's loss is a weighted mean) ...
    doubled = LSTMRegressor(**params).fit(X, y, sample_weight=np.full(15, 2.0))
    plain = LSTMRegressor(**params).fit(X, y)
    np.testing.assert_allclose(doubled.predict(X), plain.predict(X), rtol=1e-6)
    # ... and they do count.
    ramp = LSTMRegressor(**params).fit(X, y, sample_weight=np.arange(1.0, 16.0))
    assert not np.allclose(ramp.predict(X), plain.predict(X))


def test_what_stateful_panels_refuse():
    X, y = _panel(lengths=(8, 8))
    one = LSTMRegressor(**PARAMS).fit(_series(X, "s0"), y.xs("s0", level=0))
    with pytest.raises(ValueError, match="fitted stateful on one series"):
        one.predict(X)


def test_lag_windows_of_a_panel_train_as_streams():
    """Windows of 3 steps: each row's window is fed as today's stateful rows."""
    X, y = _panel(lengths=(9, 7))
    windows = LagFeaturizer(lags=3).fit_transform(X).fillna(0.0)
    model = LSTMRegressor(batch_size=2, **PARAMS).fit(windows, y)
    assert model.window_shape_ == (3, 1)
    assert np.isfinite(model.predict(windows)).all()


def test_a_given_panel_history_runs_each_series_from_its_start():
    """history=rows on a panel keeps every row of a stateful network's
    history (not only the last n_warmup_): it equals history='fit'."""
    from sk_rnn import make_series_pipeline

    X, _ = _panel(lengths=(14, 11))
    train = X.groupby(level=0).head(-3)
    test = X.groupby(level=0).tail(3)
    target = X.groupby(level=0)["x0"].shift(-1).loc[train.index].fillna(0.0)
    for drop in (True, False):
        model = make_series_pipeline(
            LagFeaturizer(lags=3), LSTMRegressor(batch_size=2, **PARAMS)
        ).set_params(drop_warmup=drop)
        model.fit(train, target)
        np.testing.assert_allclose(
            model.predict(test, history=train),
            model.predict(test, history="fit"),
            rtol=1e-12,
            atol=1e-12,
        )


def test_a_series_out_of_time_order_is_refused():
    X, y = _panel(lengths=(6, 6))
    order = np.r_[np.arange(6)[::-1], np.arange(6, 12)]
    with pytest.raises(ValueError, match=r"stateful, each series\) expects the rows"):
        LSTMRegressor(**PARAMS).fit(X.iloc[order], y.iloc[order])
    model = LSTMRegressor(**PARAMS).fit(X, y)
    with pytest.raises(ValueError, match=r"stateful, each series\) expects the rows"):
        model.predict(X.iloc[order])


def test_continuing_on_the_other_kind_of_data_is_refused():
    X, y = _panel(lengths=(6, 6))
    one_x, one_y = _series(X, "s0"), y.xs("s0", level=0).to_numpy()
    panel = LSTMRegressor(warm_start=True, **PARAMS).fit(X, y)
    with pytest.raises(ValueError, match="stateful fit on a panel of 2 series; got"):
        panel.fit(one_x, one_y)
    one = LSTMRegressor(**PARAMS).fit(one_x, one_y)
    with pytest.raises(ValueError, match="stateful fit on one series; got a panel"):
        one.partial_fit(X, y)


def test_a_checkpoint_taken_during_a_panel_fit_predicts(tmp_path):
    from sk_rnn.callbacks import Checkpoint

    X, y = _panel(lengths=(6, 5))
    seen = []

    class Keep(Checkpoint):
        def on_epoch_end(self, net, **kwargs):
            super().on_epoch_end(net, **kwargs)
            if len(net.history) == 1:
                seen.append(LSTMRegressor.load(self.path))

    LSTMRegressor(callbacks=[Keep(tmp_path / "c.skrnn", every=1)], **PARAMS).fit(X, y)
    first = seen[0]
    assert first.state_series_ == ["s0", "s1"] and first.n_iter_ == 1
    assert np.isfinite(first.predict(X)).all()
