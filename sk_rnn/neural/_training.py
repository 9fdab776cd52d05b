"""How LSTMRegressor builds, continues and stops its skorch net.

Seeds, the net's construction from the estimator's parameters (the one place
where they become skorch settings), what a warm start may change, and telling
a user's Ctrl-C from a callback that ends training.
"""

from __future__ import annotations

import copy
import signal
import threading
from contextlib import contextmanager
from numbers import Integral

import numpy as np
import torch
from sklearn.utils import check_random_state
from skorch.callbacks import PrintLog

from ._callbacks import (
    EpochBar,
    LastEpoch,
    MemberEarlyStopping,
    MemberGradientClipping,
    StopWhenDone,
)
from ._module import PicklableGenerator, RecurrentNetwork
from ._net import (
    FUSABLE,
    OPTIMIZERS,
    MemberLoss,
    RecurrentNet,
    TensorBatches,
)

#: Parameters a warm start may change; every other one is fixed by the first fit.
UPDATABLE = frozenset(
    {
        "max_epochs", "batch_size", "lr", "clip_grad_norm", "dropout", "shuffle",
        "n_iter_no_change", "tol", "callbacks", "verbose", "warm_start",
        "predict_dtype", "n_threads", "on_interrupt",
    }
)  # fmt: skip

#: net_kwargs keys that LSTMRegressor's own parameters set.
OWNED = (
    "module", "criterion", "optimizer", "lr", "max_epochs", "batch_size",
    "train_split", "callbacks", "device", "verbose", "stateful", "dataset",
    "iterator_train__shuffle", "iterator_train__generator", "warm_start",
)  # fmt: skip


# ----------------------------------------------------------------- seeds
def base_seed(random_state) -> int:
    """The int that seeds everything: ``random_state`` itself, or one drawn."""
    if isinstance(random_state, Integral):
        return int(random_state)
    return int(check_random_state(random_state).randint(2**31 - 1))


def member_seeds(base: int, n_members: int) -> list[int]:
    """Seeds of the ensemble members.

    Member 0 has ``base`` itself (so one member is a fit with
    ``random_state=base``); members 1, 2, ... take words of
    ``numpy.random.SeedSequence(base)``, which do not depend on
    ``n_members`` and do not overlap between nearby bases.
    """
    words = np.random.SeedSequence(int(base)).generate_state(max(n_members, 1))
    return [int(base)] + [int(w) for w in words[1:n_members]]


def stream_seeds(base: int) -> tuple[int, int]:
    """Seeds of the shuffling and dropout generators."""
    words = np.random.SeedSequence(int(base), spawn_key=(1,)).generate_state(2)
    return int(words[0]), int(words[1])


# ------------------------------------------------------------------- net
def _callbacks(model, n_valid, stopper=None) -> list:
    """sk_rnn's own callbacks around the user's, in the order they must run.

    Clipping first, so the user's callbacks see clipped gradients; the
    early-stopping record next, so a checkpoint taken at an epoch's end
    holds that epoch's record; the stop itself last, so every callback sees
    the final epoch.
    """
    first, last = [], []
    if model.clip_grad_norm is not None:
        first.append(
            ("member_gradient_clipping", MemberGradientClipping(model.clip_grad_norm))
        )
    if model.verbose == 1:
        last.append(("progress_bar", EpochBar()))
    if model.on_interrupt == "keep_last_epoch":
        last.append(("last_epoch", LastEpoch()))
    if n_valid:
        if stopper is None:
            stopper = MemberEarlyStopping(model.n_iter_no_change, model.tol)
        stopper.patience, stopper.tol = model.n_iter_no_change, model.tol
        first.append(("early_stopping", stopper))
        last.append(("early_stopping_stop", StopWhenDone()))
    return first + list(model.callbacks or []) + last


def check_net_kwargs(net_kwargs) -> dict:
    net_kwargs = dict(net_kwargs or {})
    for key in net_kwargs:
        owned = key in OWNED or key.split("__")[0] in ("module", "criterion")
        if owned:
            raise ValueError(
                f"LSTMRegressor got net_kwargs key {key!r}, which its own "
                "parameters set (hidden_size, cell, loss, optimizer, lr, "
                "max_epochs, batch_size, shuffle, early_stopping, callbacks, "
                "device, verbose); set those instead."
            )
    return net_kwargs


def build_net(model, *, split, device, base, window, n_outputs):
    """The skorch net for ``model`` (an LSTMRegressor), not yet initialised."""
    net_kwargs = check_net_kwargs(model.net_kwargs)
    optimizer = model.optimizer
    if isinstance(optimizer, str):
        if optimizer in FUSABLE and torch.device(device).type in ("cpu", "cuda"):
            net_kwargs.setdefault("optimizer__fused", True)
        optimizer = OPTIMIZERS[optimizer]
    shuffle_seed, dropout_seed = stream_seeds(base)
    params = {
        "module": RecurrentNetwork,
        "module__n_features": int(window[1]),
        "module__n_outputs": int(n_outputs),
        "module__hidden_size": model.hidden_size,
        "module__num_layers": model.num_layers,
        "module__cell": model.cell,
        "module__dropout": model.dropout,
        "module__bidirectional": model.bidirectional,
        "module__n_members": model.n_ensemble,
        "module__init": model.init,
        "module__seeds": member_seeds(base, model.n_ensemble),
        "module__generator": PicklableGenerator(device=device).manual_seed(
            dropout_seed
        ),
        "criterion": MemberLoss,
        "criterion__loss": model.loss,
        "criterion__quantile": 0.5 if model.quantile is None else model.quantile,
        "optimizer": optimizer,
        "lr": model.lr,
        "max_epochs": model.max_epochs,
        "batch_size": -1 if model.batch_size is None else model.batch_size,
        "iterator_train": TensorBatches,
        "iterator_valid": TensorBatches,
        "iterator_train__shuffle": bool(model.shuffle and not model.stateful),
        "iterator_train__generator": PicklableGenerator().manual_seed(shuffle_seed),
        "train_split": split,
        "callbacks": _callbacks(model, 0 if split is None else split.n_valid),
        "device": device,
        "verbose": model.verbose,
        "stateful": model.stateful,
        **net_kwargs,
    }
    if model.verbose < 2:  # PrintLog formats its table every epoch
        params["callbacks__print_log"] = None
    return RecurrentNet(**params)


def check_warm_start(model, fixed: dict) -> None:
    """Refuse a warm start whose parameters changed what the net is."""
    params = model.get_params(deep=False)
    changed = []
    for name, before in fixed.items():
        now = params[name]
        try:
            same = bool(now is before or _plain_tuples(now) == _plain_tuples(before))
        except Exception:  # objects that do not compare: treat as changed
            same = False
        if not same:
            changed.append(f"{name}={before!r} -> {now!r}")
    if changed:
        raise ValueError(
            "LSTMRegressor with warm_start=True continues the network of the "
            f"previous fit, which these changes would not apply to: "
            f"{'; '.join(changed)}. Set them back, or set warm_start=False to "
            f"train a new network. Only {', '.join(sorted(UPDATABLE))} may change."
        )


def _plain_tuples(value):
    """Lists and tuples compare alike (a layout given either way is one)."""
    if isinstance(value, (list, tuple)):
        return tuple(_plain_tuples(item) for item in value)
    return value


def fixed_params(model) -> dict:
    """The parameters a warm start must keep (see ``check_warm_start``)."""
    # A RandomState is kept itself: a copy never compares equal to it, and
    # it is the same object that must still be there.
    return {
        name: value if isinstance(value, np.random.RandomState) else copy.copy(value)
        for name, value in model.get_params(deep=False).items()
        if name not in UPDATABLE
    }


def update_net(net, model) -> None:
    """Carry the changeable parameters over to a net that training continues.

    The optimiser keeps its state (``lr`` changes its parameter groups), the
    early-stopping record is kept, and the callbacks are the estimator's.
    """
    stopper = dict(net.callbacks_).get("early_stopping")
    n_valid = 0 if net.train_split is None else net.train_split.n_valid
    net.module_.dropout = model.dropout
    net.set_params(
        lr=model.lr,
        max_epochs=model.max_epochs,
        batch_size=-1 if model.batch_size is None else model.batch_size,
        verbose=model.verbose,
    )
    # Read by get_iterator at each fit; set_params would re-initialise.
    net.iterator_train__shuffle = bool(model.shuffle and not model.stateful)
    net.callbacks = _callbacks(model, n_valid, stopper)
    # skorch's initialize_callbacks reads callbacks__<name> as a replacement.
    net.callbacks__print_log = PrintLog() if model.verbose >= 2 else None
    net.initialize_callbacks()


# ----------------------------------------------------------- interruption
class UserInterrupt(BaseException):
    """A Ctrl-C during training; skorch's ``except KeyboardInterrupt`` (how
    its callbacks stop training) does not catch it."""


@contextmanager
def interrupts_raise():
    """Turn SIGINT into :class:`UserInterrupt` inside the block.

    skorch reads a ``KeyboardInterrupt`` as a callback ending training and
    swallows it; a user's Ctrl-C must instead stop the program. Signals only
    reach the main thread, so elsewhere nothing is installed.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGINT)
    if not callable(previous):
        yield  # ignored (SIG_IGN) or the default action: nothing to convert
        return

    def handler(signum, frame):
        try:
            previous(signum, frame)
        except KeyboardInterrupt:
            raise UserInterrupt from None

    signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
