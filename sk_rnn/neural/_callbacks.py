"""Every skorch callback of LSTMRegressor's training, in one place.

:class:`Checkpoint` is public (:mod:`sk_rnn.callbacks`, for the ``callbacks``
parameter); the others are added by LSTMRegressor itself: per-member gradient
clipping and early stopping, the stop once every member is done, the refit's
per-member epoch counts, and the last completed epoch kept for a Ctrl-C.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import torch
from skorch.callbacks import Callback

from .._utils._validation import check_int
from . import _persistence
from ._net import batch_weight, training_state

__all__ = ["Checkpoint"]

#: Seconds a fit runs before its progress bar appears (``verbose=1``).
BAR_DELAY = 3.0


class EpochBar(Callback):
    """``verbose=1``: a tqdm bar of the epochs, shown once a fit has run for
    ``BAR_DELAY`` seconds and only on a terminal (``disable=None``), with
    the last training (and validation) loss."""

    #: No batch hook: a fused epoch (sk_rnn.neural._fused) keeps it.
    sk_rnn_fusable = True

    def __init__(self, stream=None):
        self.stream = stream

    def on_train_begin(self, net, **kwargs):
        self._started, self._bar = time.monotonic(), None
        self._first = len(net.history)

    def on_epoch_end(self, net, **kwargs):
        bar = getattr(self, "_bar", None)
        if bar is None:
            if time.monotonic() - self._started < BAR_DELAY:
                return
            from tqdm.auto import tqdm

            done = len(net.history) - self._first
            self._bar = bar = tqdm(
                total=net.max_epochs, initial=done, desc="LSTMRegressor",
                unit="epoch", leave=False, disable=None,
                file=self.stream if self.stream is not None else sys.stderr,
            )  # fmt: skip
        else:
            bar.update(1)
        last = net.history[-1]
        keys = ("train_loss", "valid_loss")
        losses = {k: f"{last[k]:.4g}" for k in keys if k in last}
        bar.set_postfix(losses, refresh=False)

    def on_train_end(self, net, **kwargs):
        if getattr(self, "_bar", None) is not None:
            self._bar.close()
            self._bar = None


class Checkpoint(Callback):
    """Save a resumable model file during training, every ``every`` epochs.

    The file has the format of :meth:`sk_rnn.LSTMRegressor.save`: it loads
    without running code, and ``LSTMRegressor.load(path)`` followed by ``fit``
    with ``warm_start=True`` continues the training exactly where the
    checkpoint was taken (weights, optimiser state, random streams and
    history), so a long fit that crashes loses at most ``every`` epochs.
    A file holds no code, so it has ``callbacks=None``: pass the callbacks
    (this Checkpoint among them) again to the loaded model.

    Parameters
    ----------
    path : str or path-like
        The file, replaced atomically at each save, and once more when
        training ends (after early stopping restored the best weights), so
        the last file is the fitted model.
    every : int, default=1
        Save after every ``every``-th epoch (counted over warm starts); an
        int of at least 1.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> from sk_rnn import LSTMRegressor
    >>> from sk_rnn.callbacks import Checkpoint
    >>> path = os.path.join(tempfile.mkdtemp(), "model.skrnn")
    >>> X, y = np.random.default_rng(0).normal(size=(32, 3)), np.zeros(32)
    >>> model = LSTMRegressor(max_epochs=4, callbacks=[Checkpoint(path, every=2)])
    >>> _ = model.fit(X, y)
    >>> LSTMRegressor.load(path).n_iter_
    4
    """

    def __init__(self, path, every=1):
        self.path = path
        self.every = every

    def initialize(self):
        check_int(self.every, "every", "Checkpoint", 1)
        return self

    def _write(self, net) -> None:
        estimator = getattr(net, "sk_rnn_estimator", None)
        if estimator is not None:
            self.write_model(estimator, net)

    def write_model(self, estimator, net=None) -> None:
        """Write ``estimator`` (its network ``net``, default: the fitted one).

        LSTMRegressor calls it once more when ``fit`` ends, so the last file
        is the fitted model with everything fit sets afterwards (an
        early-stopping refit's ``best_epoch_`` and validation curve).
        """
        fitted, tensors = estimator._export(net)
        params = estimator.get_params(deep=False)
        _persistence.write(Path(self.path), params, fitted, tensors, callbacks="drop")

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) % self.every == 0:
            self._write(net)

    def on_train_end(self, net, **kwargs):
        if len(net.history):
            self._write(net)


# ------------------------------------ the callbacks LSTMRegressor adds itself
# ------------------------------------------------------------- callbacks
class MemberGradientClipping(Callback):
    """``clip_grad_norm_`` applied to each ensemble member on its own."""

    def __init__(self, max_norm):
        self.max_norm = max_norm

    def on_grad_computed(self, net, named_parameters, **kwargs):
        grads = [p.grad for _, p in named_parameters if p.grad is not None]
        squares = torch.stack([g.square().flatten(1).sum(1) for g in grads]).sum(0)
        scale = (self.max_norm / (squares.sqrt() + 1e-6)).clamp(max=1.0)
        for g in grads:
            g.mul_(scale.view(-1, *([1] * (g.dim() - 1))))


class MemberEarlyStopping(Callback):
    """Early stopping and best-weight restoration for each member on its own.

    A member improves when its validation loss falls below its best minus
    ``tol``; after ``patience`` epochs without improvement its best weights
    are frozen. Once every member is frozen, :class:`StopWhenDone` (the last
    callback) stops training, and at the end each member gets its best
    weights back.
    """

    #: Its batch hook reads validation batches only: a fused training epoch
    #: (sk_rnn.neural._fused) may call it after its steps.
    sk_rnn_fusable = True

    def __init__(self, patience=10, tol=1e-4):
        self.patience = patience
        self.tol = tol

    def initialize(self):
        # Kept when skorch re-initialises the callbacks of a warm start.
        if not hasattr(self, "best_loss_"):
            self.restart()
        self._sum, self._rows = None, 0
        return self

    def restart(self, valid_key=None) -> None:
        """Forget the record (a new fit, or a warm start on other rows);
        ``valid_key`` names the rows it will be measured on."""
        self.best_loss_ = self.best_epoch_ = self.stale_ = self.best_state_ = None
        self.valid_key_ = valid_key

    def on_train_begin(self, net, **kwargs):
        if self.best_loss_ is None:
            members = net.module_.n_members
            self.best_loss_ = np.full(members, np.inf)
            self.best_epoch_ = np.zeros(members, dtype=int)
            self.stale_ = np.zeros(members, dtype=int)
            self.best_state_ = {
                name: p.detach().clone() for name, p in net.module_.named_parameters()
            }

    def on_epoch_begin(self, net, **kwargs):
        self._sum, self._rows = None, 0

    def on_batch_end(self, net, batch=None, training=False, **kwargs):
        losses = kwargs.get("member_losses")
        if training or losses is None:
            return
        size = batch_weight(batch[0])
        weighted = losses * size
        self._sum = weighted if self._sum is None else self._sum + weighted
        self._rows += size

    def on_epoch_end(self, net, **kwargs):
        if self._sum is None:
            return
        losses = (self._sum / self._rows).cpu().numpy().astype(float)
        net.history.record("valid_member_loss", losses.tolist())
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
        net.history.record("members_done", bool((self.stale_ >= self.patience).all()))

    def on_train_end(self, net, **kwargs):
        if self.best_state_ is None or not np.isfinite(self.best_loss_).any():
            return
        with torch.no_grad():
            for name, p in net.module_.named_parameters():
                p.copy_(self.best_state_[name])

    def state(self) -> dict:
        state = {
            "best_state": {k: v.cpu().clone() for k, v in self.best_state_.items()},
            "best_loss": torch.from_numpy(self.best_loss_.copy()),
            "best_epoch": torch.from_numpy(self.best_epoch_.copy()),
            "stale": torch.from_numpy(self.stale_.copy()),
        }
        if getattr(self, "valid_key_", None) is not None:
            state["valid_key"] = torch.tensor(self.valid_key_, dtype=torch.int64)
        return state

    def load_state(self, state: dict, device) -> None:
        self.best_state_ = {k: v.to(device) for k, v in state["best_state"].items()}
        self.best_loss_ = state["best_loss"].numpy().copy()
        self.best_epoch_ = state["best_epoch"].numpy().copy()
        self.stale_ = state["stale"].numpy().copy()
        key = state.get("valid_key")  # absent from files of 0.2
        self.valid_key_ = None if key is None else int(key)


class StopWhenDone(Callback):
    """End training once every member has stopped improving.

    It raises ``KeyboardInterrupt``, skorch's way for a callback to stop, at
    the end of the epoch's callbacks, so every callback sees that epoch.
    """

    def on_epoch_end(self, net, **kwargs):
        if net.history[-1].get("members_done", False):
            raise KeyboardInterrupt


class MemberStopAt(Callback):
    """Keep member ``k``'s weights of epoch ``epochs[k]`` (the refit)."""

    def __init__(self, epochs):
        self.epochs = epochs

    def initialize(self):
        self.kept_ = {}
        return self

    def on_epoch_end(self, net, **kwargs):
        done = np.flatnonzero(np.asarray(self.epochs) == len(net.history))
        if done.size:
            rows = torch.as_tensor(done)
            for name, p in net.module_.named_parameters():
                if name not in self.kept_:
                    self.kept_[name] = p.detach().clone()
                self.kept_[name][rows.to(p.device)] = p.detach()[rows.to(p.device)]

    def on_train_end(self, net, **kwargs):
        with torch.no_grad():
            for name, p in net.module_.named_parameters():
                if name in self.kept_:
                    p.copy_(self.kept_[name])


class LastEpoch(Callback):
    """Keep the training state of the last completed epoch (on request)."""

    def on_epoch_end(self, net, **kwargs):
        self.state_ = training_state(net)
        self.epochs_ = len(net.history)
