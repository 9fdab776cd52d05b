"""How LSTMRegressor builds, continues and stops its skorch net.

Seeds and devices, the net's construction from the estimator's parameters
(the one place where they become skorch settings), what a warm start may
change, the state that continuing training depends on, and telling a user's
Ctrl-C from a callback that ends training.
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
from skorch.callbacks import Callback, PrintLog

from ._module import PicklableGenerator, RecurrentNetwork
from ._net import (
    FUSABLE,
    OPTIMIZERS,
    MemberEarlyStopping,
    MemberGradientClipping,
    MemberLoss,
    RecurrentNet,
    StopWhenDone,
    TailSplit,
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


# ---------------------------------------------------------------- device
def resolve_device(device: str, owner="LSTMRegressor") -> str:
    """A torch device string that exists on this machine, or ValueError."""
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    try:
        parsed = torch.device(device)
    except (RuntimeError, ValueError):
        raise ValueError(
            f"{owner} got device={device!r}, which torch does not know; use "
            "'cpu', 'cuda', 'cuda:1', 'mps' or 'auto'."
        ) from None
    kind = parsed.type
    if kind == "cpu":
        return device
    backend = {"mps": getattr(torch.backends, "mps", None)}.get(kind) or getattr(
        torch, kind, None
    )
    available = kind != "meta" and bool(
        getattr(backend, "is_available", lambda: False)()
    )
    if available and parsed.index is not None and hasattr(backend, "device_count"):
        available = parsed.index < backend.device_count()
    if not available:
        raise ValueError(
            f"{owner} got device={device!r}, which is not available on this "
            "machine (torch reports no such device); use device='cpu' or "
            "device='auto'."
        )
    return device


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
    if n_valid:
        if stopper is None:
            stopper = MemberEarlyStopping(model.n_iter_no_change, model.tol)
        stopper.patience, stopper.tol = model.n_iter_no_change, model.tol
        first.append(("early_stopping", stopper))
        last.append(("early_stopping_stop", StopWhenDone()))
    if model.on_interrupt == "keep_last_epoch":
        last.append(("last_epoch", LastEpoch()))
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


def build_net(model, *, n_valid, gap, device, base, window, n_outputs):
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
        "train_split": TailSplit(n_valid, gap) if n_valid else None,
        "callbacks": _callbacks(model, n_valid),
        "device": device,
        "verbose": model.verbose,
        "stateful": model.stateful,
        **net_kwargs,
    }
    if not model.verbose:  # PrintLog formats its table every epoch
        params["callbacks__print_log"] = None
    return RecurrentNet(**params)


def check_warm_start(model, fixed: dict) -> None:
    """Refuse a warm start whose parameters changed what the net is."""
    params = model.get_params(deep=False)
    changed = []
    for name, before in fixed.items():
        now = params[name]
        try:
            same = bool(now is before or now == before)
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
    net.callbacks__print_log = PrintLog() if model.verbose else None
    net.initialize_callbacks()


# --------------------------------------------------------- training state
def training_state(net) -> dict:
    """The tensors that continuing the training exactly depends on."""
    state = {
        "module": _to_cpu(net.module_.state_dict()),
        "optimizer": _to_cpu(net.optimizer_.state_dict()),
        "dropout_rng": net.module_.generator.get_state(),
        "dropout_rng_device": net.module_.generator.device.type,
        "shuffle_rng": net.iterator_train__generator.get_state(),
    }
    stopper = dict(net.callbacks_).get("early_stopping")
    if stopper is not None and stopper.best_state_ is not None:
        state["early_stopping"] = stopper.state()
    return state


def load_training_state(net, state: dict) -> None:
    """Load ``training_state(net)`` into an initialised net (copies)."""
    state = copy.deepcopy(state)
    net.module_.load_state_dict(state["module"])
    net.optimizer_.load_state_dict(state["optimizer"])
    # A generator's state fits only its device type: moved between CPU and
    # GPU, the dropout stream restarts from its seed.
    if state.get("dropout_rng_device") == net.module_.generator.device.type:
        net.module_.generator.set_state(state["dropout_rng"])
    net.iterator_train__generator.set_state(state["shuffle_rng"])
    if "early_stopping" in state:
        stopper = dict(net.callbacks_)["early_stopping"]
        stopper.load_state(state["early_stopping"], net.device)


def _to_cpu(value):
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().clone()
    if isinstance(value, dict):
        return {k: _to_cpu(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_to_cpu(v) for v in value]
    if isinstance(value, np.generic):  # lr=np.float64(...) in param_groups
        return value.item()
    return copy.deepcopy(value)


class LastEpoch(Callback):
    """Keep the training state of the last completed epoch (on request)."""

    def on_epoch_end(self, net, **kwargs):
        self.state_ = training_state(net)
        self.epochs_ = len(net.history)


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
