"""Early stopping on panels: every series validates on its own last rows.

One series is a panel of one; a stateless panel holds out each series' last
windows (``SeriesTailSplit``), a stateful panel each stream's last rows
(``StreamTailSplit``). The validation loss is the mean over series of each
series' mean loss, and training never reads a held-out target.
"""

import numpy as np
import pandas as pd
import pytest
import torch

from sk_rnn import LSTMRegressor
from sk_rnn.exceptions import EarlyStoppingWarning
from sk_rnn.neural import _fused

PARAMS = {"hidden_size": 3, "random_state": 0, "lr": 0.01, "batch_size": 4}


@pytest.fixture(autouse=True)
def torch_loop(monkeypatch):
    """Train through torch's batch loop (the fused NumPy epoch is tested alone)."""
    monkeypatch.setattr(_fused, "fusable", lambda net: False)


def _panel(lengths, seed=0, n_outputs=1):
    rng = np.random.default_rng(seed)
    frames, targets = [], []
    for k, n in enumerate(lengths):
        values = np.cumsum(rng.standard_normal(n + n_outputs), axis=0)
        index = pd.MultiIndex.from_arrays(
            [[f"s{k}"] * n, pd.RangeIndex(n)], names=["id", "t"]
        )
        frames.append(pd.DataFrame({"x": values[:n]}, index=index))
        y = np.column_stack([values[1 + j : n + 1 + j] for j in range(n_outputs)])
        targets.append(pd.DataFrame(y, index=index))
    y = pd.concat(targets)
    return pd.concat(frames), y[0] if n_outputs == 1 else y


def _heads(X, y, drop):
    """Each series less its last ``drop[k]`` rows."""
    keep = []
    for k, (_, rows) in enumerate(X.groupby(level=0, sort=False)):
        keep.append(rows.index[: len(rows) - drop[k]])
    index = keep[0].append(keep[1:])
    return X.loc[index], y.loc[index]


def _parameters(model):
    return {k: v.detach().clone() for k, v in model.net_.module_.state_dict().items()}


@pytest.mark.parametrize("stateful", [False, True])
def test_the_held_out_run_trains_on_each_series_without_its_last_rows(stateful):
    lengths = (20, 13, 9)
    X, y = _panel(lengths)
    params = {**PARAMS, "stateful": stateful, "max_epochs": 1}
    held = LSTMRegressor(early_stopping="holdout", validation_fraction=0.2, **params)
    held.fit(X, y)
    n_valid = np.ceil(0.2 * np.array(lengths)).astype(int)  # 4, 3, 2
    gap = 0 if stateful else 1  # a window's one step; one target
    X_head, y_head = _heads(X, y, n_valid + gap)
    plain = LSTMRegressor(**params).fit(X_head, y_head)
    for name, value in _parameters(plain).items():
        torch.testing.assert_close(_parameters(held)[name], value)


@pytest.mark.parametrize("stateful", [False, True])
def test_the_validation_loss_is_the_mean_of_each_series_mean(stateful):
    lengths = (20, 13, 9)
    X, y = _panel(lengths, seed=1)
    model = LSTMRegressor(
        early_stopping="holdout",
        validation_fraction=0.2,
        stateful=stateful,
        max_epochs=1,
        **PARAMS,
    ).fit(X, y)  # one epoch: the kept weights are that epoch's
    predicted = model.predict(X, initial_state="zero") if stateful else model.predict(X)
    errors = pd.Series((predicted - y.to_numpy()) ** 2, index=y.index)
    n_valid = np.ceil(0.2 * np.array(lengths)).astype(int)
    groups = [rows for _, rows in errors.groupby(level=0, sort=False)]
    held = [rows.tail(v) for v, rows in zip(n_valid, groups, strict=True)]
    per_series = [rows.mean() for rows in held]
    assert model.validation_loss_curve_[0] == pytest.approx(np.mean(per_series))
    # Not the mean over the held-out rows, which weighs the long series more.
    pooled = np.mean(np.concatenate(held))
    assert model.validation_loss_curve_[0] != pytest.approx(pooled)


def test_streams_choose_epochs_and_refit_on_every_row():
    X, y = _panel((40, 30, 25), seed=2)
    params = {**PARAMS, "stateful": True, "max_epochs": 30, "n_ensemble": 2}
    model = LSTMRegressor(early_stopping=True, n_iter_no_change=3, **params)
    model.fit(X, y)
    assert model.best_epoch_.shape == (2,)
    assert model.n_iter_ == model.best_epoch_.max()  # the refit's epochs
    assert model.state_series_ == ["s0", "s1", "s2"]
    assert np.isfinite(model.predict(X)).all()


@pytest.mark.parametrize("stateful", [False, True])
def test_multi_step_targets_keep_a_gap_so_no_held_out_target_is_trained(stateful):
    X, y = _panel((20, 15), n_outputs=3)
    model = LSTMRegressor(
        early_stopping="holdout", stateful=stateful, max_epochs=1, **PARAMS
    ).fit(X, y)
    split = model.net_.train_split
    # Row t's targets are steps t+1..t+3: two rows before a series' first
    # held-out row would train on its targets (a window of one step adds one
    # more row for windows).
    assert split.gap == (2 if stateful else 3)
    if stateful:
        for k, n in enumerate((20, 15)):
            trained = np.flatnonzero(split.train_weight[k])
            held = np.flatnonzero(split.valid_weight[k])
            assert trained[-1] + split.gap + 1 == held[0]
            assert held[-1] == n - 1
    else:
        assert np.setdiff1d(np.arange(35), split.train).tolist() == [
            15, 16, 17, 18, 19, 30, 31, 32, 33, 34,
        ]  # fmt: skip


def test_a_series_too_short_to_hold_out_trains_on_all_its_rows():
    X, y = _panel((30, 2))
    model = LSTMRegressor(early_stopping="holdout", max_epochs=1, **PARAMS)
    model.fit(X, y)
    split = model.net_.train_split
    assert split.valid.tolist() == [27, 28, 29]
    assert split.train.tolist() == [*range(26), 30, 31]


def test_no_series_long_enough_trains_without_early_stopping():
    X, y = _panel((2, 2))
    model = LSTMRegressor(early_stopping=True, max_epochs=2, **PARAMS)
    with pytest.warns(
        EarlyStoppingWarning,
        match=r"each series' last 0.1 of the rows after a gap of 1 \(4 rows in 2",
    ):
        model.fit(X, y)
    assert not hasattr(model, "best_epoch_")


def test_a_panel_out_of_time_order_is_refused_for_early_stopping():
    X, y = _panel((12, 12))
    order = np.r_[np.arange(12)[::-1], np.arange(12, 24)]
    with pytest.raises(
        ValueError, match=r"LSTMRegressor \(early stopping, each series\) expects"
    ):
        LSTMRegressor(early_stopping=True, **PARAMS).fit(X.iloc[order], y.iloc[order])


def test_a_warm_start_validates_on_the_new_block():
    X, y = _panel((20, 20))
    model = LSTMRegressor(
        early_stopping="holdout", warm_start=True, max_epochs=1, **PARAMS
    ).fit(X, y)
    X2, y2 = _panel((30, 10), seed=5)
    model.fit(X2, y2)
    assert model.net_.train_split.valid.tolist() == [27, 28, 29, 39]


def test_a_warm_start_after_early_stopping_ended_trains_again():
    X, y = _panel((30, 30))
    model = LSTMRegressor(
        early_stopping="holdout", n_iter_no_change=2, max_epochs=40, **PARAMS
    ).fit(X, y)
    first, before = model.n_iter_, model.predict(X)
    X2, y2 = _panel((30, 30), seed=7)
    model.set_params(warm_start=True).fit(X2, y2)
    # Its record restarts on the new block's rows, so it trains (it stopped
    # at once and put the old weights back, a silent no-op).
    assert model.n_iter_ > first + 2
    assert model.best_epoch_[0] > first
    assert not np.allclose(model.predict(X), before)


def test_one_stateful_series_weighs_0_the_rows_whose_targets_are_held_out():
    X, y = _panel((40,), n_outputs=3)
    X, y = X.to_numpy(), y.to_numpy()
    params = {**PARAMS, "stateful": True, "max_epochs": 1}
    held = LSTMRegressor(early_stopping="holdout", validation_fraction=0.2, **params)
    held.fit(X, y)
    assert held.net_.train_split.masked == 2  # targets t+1..t+3
    # The stream still runs through those two rows: a plain fit on the rows
    # before the held-out ones, those two weighing 0.
    weights = np.r_[np.ones(30), np.zeros(2)]
    plain = LSTMRegressor(**params).fit(X[:32], y[:32], sample_weight=weights)
    for name, value in _parameters(plain).items():
        torch.testing.assert_close(_parameters(held)[name], value)


@pytest.mark.parametrize("panel", [True, False])
def test_stateful_rows_of_weight_0_are_not_held_out(panel):
    lengths = (20, 20) if panel else (20,)
    X, y = _panel(lengths)
    if not panel:
        X, y = X.to_numpy(), y.to_numpy()
    weights = np.ones(len(y))
    for end in np.cumsum(lengths):
        weights[end - 3 : end] = 0.0  # each series' last three rows
    model = LSTMRegressor(
        early_stopping="holdout", stateful=True, max_epochs=2, **PARAMS
    ).fit(X, y, sample_weight=weights)
    assert np.isfinite(model.validation_loss_curve_).all()
    split = model.net_.train_split
    if panel:  # each series' last 2 weighted rows (0.1 of 17, rounded up)
        for k in range(2):
            assert np.flatnonzero(split.valid_weight[k]).tolist() == [15, 16]
    else:  # the held-out part starts at the last 2 weighted rows
        assert split.n_valid == 5
