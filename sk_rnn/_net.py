"""The skorch net that :class:`LSTMRegressor` builds in ``fit``.

Private: users reach it as ``LSTMRegressor().net_`` and keep everything skorch
offers (callbacks, history, device handling, ``save_params``), while the
training loop is trimmed for small sequential workloads: batches are slices of
tensors already on the device, the recurrent state is carried between batches
in stateful mode, and the loss of an ensemble is the sum of its members'
losses, so each member's gradient is exactly the one it would get alone.
"""

from __future__ import annotations

import copy
import math
from contextlib import contextmanager

import numpy as np
import torch
from skorch import NeuralNetRegressor
from skorch.callbacks import Callback
from skorch.dataset import Dataset
from torch.nn import functional as F

from ._modules import RecurrentNetwork
from .exceptions import TrainingDivergedError

OPTIMIZERS = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "sgd": torch.optim.SGD,
    "rmsprop": torch.optim.RMSprop,
}
FUSABLE = {"adam", "adamw", "sgd"}


@contextmanager
def torch_threads(n_threads: int | None):
    """Use ``n_threads`` torch threads inside the block (None: leave as is)."""
    previous = torch.get_num_threads()
    if n_threads is None or n_threads == previous:
        yield
        return
    torch.set_num_threads(n_threads)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


class MemberMSELoss(torch.nn.Module):
    """Mean squared error of each member: ``(batch, K, O)`` -> ``(K,)``."""

    def forward(self, y_pred, y_true):
        return (y_pred - y_true.unsqueeze(1)).square().mean(dim=(0, 2))

    @staticmethod
    def total(y_pred, y_true):
        """The sum of the members' losses, in two autograd nodes.

        Member ``k``'s parameters only reach member ``k``'s loss, so the
        gradient of the sum is each member's own gradient.
        """
        target = y_true.unsqueeze(1).expand_as(y_pred)
        n_per_member = y_pred.shape[0] * y_pred.shape[2]
        return F.mse_loss(y_pred, target, reduction="sum") / n_per_member


class TensorBatches:
    """Consecutive (or, if ``shuffle``, permuted) slices of device tensors."""

    def __init__(self, X, y, batch_size, shuffle=False, generator=None):
        self.X, self.y = X, y
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.generator = generator

    def __len__(self):
        return math.ceil(len(self.X) / self.batch_size)

    def __iter__(self):
        n, size = len(self.X), self.batch_size
        if self.shuffle:
            order = torch.randperm(n, generator=self.generator).to(self.X.device)
            for start in range(0, n, size):
                rows = order[start : start + size]
                yield self.X[rows], None if self.y is None else self.y[rows]
            return
        for start in range(0, n, size):
            yield (
                self.X[start : start + size],
                None if self.y is None else self.y[start : start + size],
            )


class TailSplit:
    """skorch ``train_split``: the last rows validate, after a gap.

    Never shuffles and never validates on the oldest rows: the validation
    rows are the ``n_valid`` most recent, and the ``gap`` rows before them
    are used for neither, so overlapping windows cannot leak.
    """

    def __init__(self, n_valid, gap):
        self.n_valid = n_valid
        self.gap = gap

    def __call__(self, dataset, y=None, **fit_params):
        X, y = dataset.X, dataset.y
        n_train = len(X) - self.n_valid - self.gap
        valid = slice(len(X) - self.n_valid, None)
        return Dataset(X[:n_train], y[:n_train]), Dataset(X[valid], y[valid])


class RecurrentNet(NeuralNetRegressor):
    """NeuralNetRegressor over a :class:`~sk_rnn._modules.RecurrentNetwork`.

    Extra parameters: ``stateful`` carries the recurrent state from batch to
    batch (reset at each epoch, continued into the validation rows);
    ``shuffle`` permutes stateless training batches with ``seed``;
    ``clip_grad_norm`` clips each member's gradient norm on its own.
    """

    def __init__(
        self,
        *args,
        stateful=False,
        shuffle=False,
        seed=0,
        clip_grad_norm=None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.stateful = stateful
        self.shuffle = shuffle
        self.seed = seed
        self.clip_grad_norm = clip_grad_norm

    # ----------------------------------------------------------- callbacks
    def notify(self, method_name, **cb_kwargs):
        """Call only the callbacks that implement ``method_name``.

        skorch calls every callback for every batch; on tiny batches that
        dispatch costs as much as the arithmetic. Skipping the inherited
        no-op methods changes nothing a callback can observe.
        """
        getattr(self, method_name)(self, **cb_kwargs)  # the net's own hook
        listeners = self._listeners.get(method_name)
        if listeners is None:
            base = getattr(Callback, method_name)
            listeners = [
                cb
                for _, cb in self.callbacks_
                if getattr(type(cb), method_name, base) is not base
            ]
            self._listeners[method_name] = listeners
        for cb in listeners:
            getattr(cb, method_name)(self, **cb_kwargs)

    def initialize_callbacks(self):
        self._listeners = {}
        return super().initialize_callbacks()

    def _set_training(self, training=True):
        if self.module_.training != training:
            super()._set_training(training)

    # ---------------------------------------------------------------- data
    def get_iterator(self, dataset, training=False):
        batch_size = self.batch_size if self.batch_size > 0 else len(dataset)
        shuffle = training and self.shuffle and not self.stateful
        generator = None
        if shuffle:
            if getattr(self, "_shuffle_generator", None) is None:
                self._shuffle_generator = torch.Generator().manual_seed(self.seed)
            generator = self._shuffle_generator
        X = dataset.X if isinstance(dataset, Dataset) else dataset
        y = dataset.y if isinstance(dataset, Dataset) else None
        return TensorBatches(X, y, max(batch_size, 1), shuffle, generator)

    # ------------------------------------------------------------ training
    def infer(self, x, **fit_params):
        if not self.stateful:
            return self.module_(x, **fit_params)
        carry = self._carry
        y_pred, state = self.module_(
            x, carry[0], stateful=True, return_state=True, **fit_params
        )
        # Truncated backpropagation: the next batch starts from a constant.
        carry[0] = tuple(None if s is None else s.detach() for s in state)
        return y_pred

    def train_step_single(self, batch, **fit_params):
        self._set_training(True)
        Xi, yi = batch
        y_pred = self.infer(Xi, **fit_params)
        loss = self.criterion_.total(y_pred, yi)
        loss.backward()
        if self.clip_grad_norm is not None:
            self._clip_member_gradients(self.clip_grad_norm)
        # skorch records the members' mean loss.
        return {"loss": loss.detach() / y_pred.shape[1], "y_pred": y_pred}

    def validation_step(self, batch, **fit_params):
        self._set_training(False)
        Xi, yi = batch
        with torch.no_grad():
            y_pred = self.infer(Xi, **fit_params)
            member_losses = self.criterion_(y_pred, yi)
        return {
            "loss": member_losses.mean(),
            "member_losses": member_losses,
            "y_pred": y_pred,
        }

    def _clip_member_gradients(self, max_norm):
        """``clip_grad_norm_`` applied to each member's slice of the grads."""
        grads = [p.grad for p in self.module_.parameters() if p.grad is not None]
        squares = torch.stack([g.square().flatten(1).sum(1) for g in grads]).sum(0)
        scale = (max_norm / (squares.sqrt() + 1e-6)).clamp(max=1.0)
        for g in grads:
            g.mul_(scale.view(-1, *([1] * (g.dim() - 1))))

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        if iterator is None:
            return
        if training:
            self._carry[0] = None  # every epoch starts from the zero state
        history = self.history
        member_sum = None
        n_rows = 0
        batch_count = 0
        for batch in iterator:
            self.notify("on_batch_begin", batch=batch, training=training)
            step = step_fn(batch, **fit_params)
            loss = step["loss"].item()
            size = len(batch[0])
            if not math.isfinite(loss):
                self._diverged(prefix, loss)
            history.record_batch(prefix + "_loss", loss)
            history.record_batch(prefix + "_batch_size", size)
            if "member_losses" in step:  # validation: per-member early stopping
                weighted = step["member_losses"] * size
                member_sum = weighted if member_sum is None else member_sum + weighted
                n_rows += size
            self.notify("on_batch_end", batch=batch, training=training, **step)
            batch_count += 1
        history.record(prefix + "_batch_count", batch_count)
        if member_sum is not None:
            history.record(prefix + "_member_loss", (member_sum / n_rows).tolist())

    def _diverged(self, prefix, loss):
        epoch = len(self.history)
        raise TrainingDivergedError(
            f"LSTMRegressor: the {prefix} loss became {loss} in epoch {epoch}, so "
            f"training stopped. Lower lr (now {self.lr!r}), set clip_grad_norm "
            "(for example 1.0), or scale X and y (MinMaxScaler, StandardScaler)."
        )

    # ----------------------------------------------- interruption, resuming
    def on_epoch_end(self, net, **kwargs):
        super().on_epoch_end(net, **kwargs)
        self._take_snapshot()

    def training_state(self) -> dict:
        """Everything that continuing the training exactly depends on."""
        state = {
            "module": self.module_.state_dict(),
            "optimizer": self.optimizer_.state_dict(),
            "rng": torch.get_rng_state(),
            "shuffle": None
            if self._shuffle_generator is None
            else self._shuffle_generator.get_state(),
        }
        if torch.cuda.is_available() and str(self.device).startswith("cuda"):
            state["cuda_rng"] = torch.cuda.get_rng_state()
        return state

    def load_training_state(self, state: dict, rng: bool = True) -> None:
        """Load ``training_state()``; ``rng=False`` leaves torch's global
        random streams alone (loading a model must not reseed the user's)."""
        state = copy.deepcopy(state)
        self.module_.load_state_dict(state["module"])
        self.optimizer_.load_state_dict(state["optimizer"])
        if rng:
            torch.set_rng_state(state["rng"])
            if state.get("cuda_rng") is not None and torch.cuda.is_available():
                torch.cuda.set_rng_state(state["cuda_rng"])
        if state.get("shuffle") is not None:
            self._shuffle_generator = torch.Generator().manual_seed(self.seed)
            self._shuffle_generator.set_state(state["shuffle"])

    def _take_snapshot(self) -> None:
        """Copy the training state at an epoch boundary, in place when possible."""
        live = self.training_state()
        if self._snapshot is None or not _copy_into(self._snapshot, live):
            self._snapshot = copy.deepcopy(live)
        self._snapshot_epochs = len(self.history)

    def partial_fit(self, X, y=None, classes=None, **fit_params):
        """skorch's ``partial_fit``, telling a user's Ctrl-C from early stopping.

        On a keyboard interrupt the net goes back to the end of the last
        completed epoch (weights, optimiser, random streams), drops the
        unfinished epoch from the history and sets ``interrupted_``.
        """
        if not self.initialized_:
            self.initialize()
        routing_method = fit_params.pop("_routing_method", "partial_fit")
        self.interrupted_ = False
        self._snapshot = None
        self._take_snapshot()
        self.notify("on_train_begin", X=X, y=y)
        try:
            self.fit_loop(X, y, _routing_method=routing_method, **fit_params)
        except StopTraining:
            pass
        except KeyboardInterrupt:
            self._roll_back()
            self.interrupted_ = True
        except BaseException:
            self._roll_back()
            raise
        self.notify("on_train_end", X=X, y=y)
        return self

    def _roll_back(self) -> None:
        """Back to the end of the last completed epoch."""
        self.load_training_state(self._snapshot)
        del self.history[self._snapshot_epochs :]

    def initialize(self):
        self._snapshot = None
        self.interrupted_ = False
        self._carry = [None]  # a box: skorch's __setattr__ is slow per batch
        self._shuffle_generator = None
        return super().initialize()


def _copy_into(stored, live) -> bool:
    """Copy ``live`` into the same-shaped ``stored`` in place; False if unlike."""
    if isinstance(live, torch.Tensor):
        if not isinstance(stored, torch.Tensor) or stored.shape != live.shape:
            return False
        stored.copy_(live)
        return True
    if isinstance(live, dict) and isinstance(stored, dict):
        if stored.keys() != live.keys():
            return False
        keys = live.keys()
    elif isinstance(live, list) and isinstance(stored, list):
        if len(stored) != len(live):
            return False
        keys = range(len(live))
    else:
        return False
    for key in keys:
        value = live[key]
        if isinstance(value, (torch.Tensor, dict, list)):
            if not _copy_into(stored[key], value):
                return False
        else:
            stored[key] = copy.deepcopy(value)
    return True


class MemberEarlyStopping(Callback):
    """Early stopping and best-weight restoration for each member on its own.

    A member improves when its validation loss falls below its best minus
    ``tol``; after ``patience`` epochs without improvement its best weights
    are frozen. Training stops once every member is frozen, and at the end
    each member gets its best weights back: the same weights it would have
    had trained alone.
    """

    def __init__(self, patience=10, tol=1e-4):
        self.patience = patience
        self.tol = tol

    def initialize(self):
        # Kept when skorch re-initialises the callbacks of a warm start.
        if not hasattr(self, "best_loss_"):
            self.best_loss_ = None
            self.best_epoch_ = None
            self.stale_ = None
            self.best_state_ = None
        return self

    def on_train_begin(self, net, **kwargs):
        if self.best_loss_ is None:
            members = net.module_.n_members
            self.best_loss_ = np.full(members, np.inf)
            self.best_epoch_ = np.zeros(members, dtype=int)
            self.stale_ = np.zeros(members, dtype=int)
            self.best_state_ = {
                name: p.detach().clone() for name, p in net.module_.named_parameters()
            }

    def on_epoch_end(self, net, **kwargs):
        losses = np.asarray(net.history[-1].get("valid_member_loss", []), dtype=float)
        if losses.size == 0:
            return
        active = self.stale_ < self.patience
        improved = active & (losses < self.best_loss_ - self.tol)
        self.stale_[active & ~improved] += 1
        self.stale_[improved] = 0
        if improved.any():
            self.best_loss_[improved] = losses[improved]
            self.best_epoch_[improved] = len(net.history)
            rows = torch.as_tensor(np.flatnonzero(improved))
            with torch.no_grad():
                for name, p in net.module_.named_parameters():
                    best = self.best_state_[name]
                    best[rows.to(best.device)] = p.detach()[rows.to(p.device)]
        net.history.record("members_improved", int(improved.sum()))
        if (self.stale_ >= self.patience).all():
            raise StopTraining

    def on_train_end(self, net, **kwargs):
        if self.best_state_ is None or not np.isfinite(self.best_loss_).any():
            return
        with torch.no_grad():
            for name, p in net.module_.named_parameters():
                p.copy_(self.best_state_[name])


class StopTraining(KeyboardInterrupt):
    """Raised by a callback to end training; skorch catches it."""


def build_net(model, n_valid, gap, device, base_seed, seeds, window, n_outputs):
    """The skorch net for ``model`` (an LSTMRegressor), not yet initialised."""
    optimizer = model.optimizer
    optimizer_kwargs = {}
    if isinstance(optimizer, str):
        if optimizer in FUSABLE and device in ("cpu", "cuda"):
            optimizer_kwargs["optimizer__fused"] = True
        optimizer = OPTIMIZERS[optimizer]
    callbacks = copy.deepcopy(list(model.callbacks or []))
    if n_valid:
        callbacks.append(
            ("early_stopping", MemberEarlyStopping(model.n_iter_no_change, model.tol))
        )
    batch_size = -1 if model.batch_size is None else model.batch_size
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
        "module__seeds": list(seeds),
        "criterion": MemberMSELoss,
        "optimizer": optimizer,
        "lr": model.lr,
        "max_epochs": model.max_epochs,
        "batch_size": batch_size,
        "train_split": TailSplit(n_valid, gap) if n_valid else None,
        "callbacks": callbacks,
        "device": device,
        "verbose": model.verbose,
        "stateful": model.stateful,
        "shuffle": model.shuffle,
        "seed": base_seed,
        "clip_grad_norm": model.clip_grad_norm,
        **optimizer_kwargs,
    }
    if not model.verbose:  # PrintLog formats its table every epoch
        params["callbacks__print_log"] = None
    params.update(model.net_kwargs or {})
    return RecurrentNet(**params)


def update_net(net, model) -> None:
    """Carry changed parameters over to a net that training continues.

    ``max_epochs``, ``batch_size``, ``verbose`` and ``callbacks`` may
    change between warm starts; the optimiser, its state and the early
    stopping record are kept.
    """
    net.max_epochs = model.max_epochs
    net.batch_size = -1 if model.batch_size is None else model.batch_size
    net.verbose = model.verbose
    stopper = dict(net.callbacks_).get("early_stopping")
    callbacks = copy.deepcopy(list(model.callbacks or []))
    if stopper is not None:
        callbacks.append(("early_stopping", stopper))
    net.callbacks = callbacks
    net.initialize_callbacks()


def stream_forward(module, windows, state, *, stateful, dtype, batch_rows):
    """Run ``module`` over ``windows`` in batches, without gradients.

    Only one batch of inputs and outputs is on the device at a time.
    Stateless rows are independent; stateful rows continue ``state`` (None:
    the zero state) and carry it through the block. Returns the predictions
    ``(n, K, O)`` as float64 NumPy and the end state as NumPy (or None).
    """
    device = next(module.parameters()).device
    n = windows.shape[0]
    out = np.empty((n, module.n_members, module.n_outputs), dtype=np.float64)
    if state is not None:
        state = tuple(
            None if s is None else torch.as_tensor(s, dtype=dtype, device=device)
            for s in state
        )
    with torch.no_grad():
        for start in range(0, n, batch_rows):
            chunk = torch.tensor(
                windows[start : start + batch_rows], dtype=dtype, device=device
            )
            if stateful:
                pred, state = module(
                    chunk, state, stateful=True, return_state=True, dtype=dtype
                )
            else:
                pred = module(chunk, dtype=dtype)
            out[start : start + len(chunk)] = pred.cpu().numpy()
    if state is not None:
        state = tuple(None if s is None else s.cpu().double().numpy() for s in state)
    return out, state
