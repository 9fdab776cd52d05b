"""The tiny-model fast path: a training epoch fused into NumPy steps.

For the seed's shape (hidden 4, batch 1, 30 members) a training step is a few
thousand multiply-adds, and torch spends far longer dispatching its ~80
operators (autograd graph, backward, Adam) than computing them. Here one step
is the hand-derived forward and backward of the LSTM cell, the dense head and
the squared error, over the stacked members, with one Adam update of a single
flat parameter vector: about 45 NumPy calls on arrays of a few hundred floats.

It computes what the torch path computes (the same loss, the same truncated
back-propagation, PyTorch's Adam), in float32, so the two agree to float
rounding (``tests/neural/test_fused.py`` trains both and compares). It runs
only where every step of an epoch is exactly this computation
(:func:`fusable`); anything else (other cells, losses, optimisers, weights,
missing steps, gradient callbacks, a GPU) takes the torch path.

The parameters and Adam's moments are copied into flat arrays when an epoch
begins and back into the module and the optimiser's state when it ends, so
callbacks at an epoch's end, checkpoints, ``warm_start`` and ``save`` see the
same state the torch path leaves.
"""

from __future__ import annotations

import numpy as np
import torch
from skorch.callbacks import Callback

from ._net import MemberLoss, TensorBatches

#: Parameters of a one-layer unidirectional LSTM network, in flat order.
NAMES = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "head_weight", "head_bias")
#: Batch hooks a fused epoch would have to call for every step.
_BATCH_HOOKS = ("on_batch_begin", "on_batch_end", "on_grad_computed")


def fusable(net) -> bool:
    """Whether every training step of ``net`` can be fused.

    The fused epoch covers: an LSTM of one unidirectional layer without
    dropout, in float32 on the CPU; batches of one row, in order; squared
    error without sample weights; inputs without missing steps; plain Adam
    (any lr, betas, eps; no weight decay, amsgrad or maximize) over the
    module's parameters in one group; and no callback that needs each step
    (a callback may declare ``sk_rnn_fusable = True`` when its batch hooks
    read neither the parameters nor the step's tensors).
    """
    module = net.module_
    optimizer = net.optimizer_
    if not net.inputs_complete or module.head_weight.device.type != "cpu":
        return False
    if not (
        module.cell == "lstm"
        and module.num_layers == 1
        and not module.bidirectional
        and module.dropout == 0
        and module.head_weight.dtype == torch.float32
        and getattr(net.criterion_, "loss", None) == "squared_error"
        and type(net.criterion_) is MemberLoss
        and all(p.requires_grad for p in module.parameters())
        and type(optimizer) is torch.optim.Adam
        and len(optimizer.param_groups) == 1
    ):
        return False
    group = optimizer.param_groups[0]
    if (
        group["weight_decay"]
        or group["amsgrad"]
        or group["maximize"]
        or group.get("differentiable")
        or group.get("capturable")
        or {id(p) for p in group["params"]} != {id(p) for p in module.parameters()}
    ):
        return False
    for _, callback in net.callbacks_:
        if getattr(callback, "sk_rnn_fusable", False):
            continue
        for hook in _BATCH_HOOKS:
            method = getattr(type(callback), hook, None)
            if method is not None and method is not getattr(Callback, hook):
                return False
    return True


def fused_epochs(net, iterator, previous=None):
    """A :class:`FusedEpochs` for ``iterator``'s rows, or None (torch's loop).

    Asked at every epoch, since a callback may change what an epoch does
    (freeze parameters, set weight decay). The rows must come one per batch,
    in order, as tensors without weights.
    """
    if not fusable(net):
        return None
    if previous is not None and previous.source is iterator:
        return previous
    if not (
        isinstance(iterator, TensorBatches)
        and iterator.batch_size == 1
        and not iterator.shuffle
        and isinstance(iterator.X, torch.Tensor)
        and isinstance(iterator.y, torch.Tensor)
    ):
        return None
    epochs = FusedEpochs(net, iterator.X, iterator.y)
    epochs.source = iterator
    return epochs


class FusedEpochs:
    """Train ``net`` one epoch at a time on ``data``/``target`` in NumPy.

    ``run(stateful)`` trains one epoch (from the zero state) and returns each
    step's loss (the members' mean, as the torch path records it).
    """

    def __init__(self, net, data, target):
        module = net.module_
        self.net = net
        self.params = [module._parameters[name] for name in NAMES]
        self.shapes = [tuple(p.shape) for p in self.params]
        sizes = [p.numel() for p in self.params]
        self.offsets = np.concatenate([[0], np.cumsum(sizes)])
        n = int(self.offsets[-1])
        self.flat = np.empty(n, dtype=np.float32)
        self.grad = np.zeros(n, dtype=np.float32)
        self.exp_avg = np.empty(n, dtype=np.float32)
        self.exp_avg_sq = np.empty(n, dtype=np.float32)
        self.scratch = np.empty(n, dtype=np.float32)
        self.W_ih, self.W_hh, self.b, self.W_out, self.b_out = self._views(self.flat)
        (self.dW_ih, self.dW_hh, self.db, self.dW_out, self.db_out) = self._views(
            self.grad
        )
        self.X = data.numpy().astype(np.float32, copy=False)
        self.y = target.numpy().astype(np.float32, copy=False)
        self.K = module.n_members
        self.H = module.hidden_size

    def _views(self, buffer):
        return [
            buffer[start:stop].reshape(shape)
            for start, stop, shape in zip(
                self.offsets[:-1], self.offsets[1:], self.shapes, strict=True
            )
        ]

    # ------------------------------------------------------------ state
    def _load(self):
        """The module's parameters and Adam's state into the flat arrays."""
        optimizer = self.net.optimizer_
        steps = set()
        for p, flat, avg, avg_sq in zip(
            self.params,
            self._views(self.flat),
            self._views(self.exp_avg),
            self._views(self.exp_avg_sq),
            strict=True,
        ):
            flat[...] = p.detach().numpy()
            state = optimizer.state.get(p) or {}
            if "exp_avg" in state:
                avg[...] = state["exp_avg"].numpy()
                avg_sq[...] = state["exp_avg_sq"].numpy()
                steps.add(float(state["step"]))
            else:
                avg[...] = 0.0
                avg_sq[...] = 0.0
                steps.add(0.0)
        if len(steps) != 1:  # parameters at different steps: not one Adam run
            raise RuntimeError("sk_rnn: Adam's parameters are at different steps")
        self.step = int(steps.pop())

    def _store(self):
        """The flat arrays back into the module and Adam's state."""
        optimizer = self.net.optimizer_
        for p, flat, avg, avg_sq in zip(
            self.params,
            self._views(self.flat),
            self._views(self.exp_avg),
            self._views(self.exp_avg_sq),
            strict=True,
        ):
            with torch.no_grad():
                p.copy_(torch.from_numpy(flat))
            p.grad = None
            state = optimizer.state[p]
            if "exp_avg" not in state:
                state["step"] = torch.tensor(0.0, dtype=torch.float32)
                state["exp_avg"] = torch.zeros_like(p)
                state["exp_avg_sq"] = torch.zeros_like(p)
            state["step"].fill_(float(self.step))
            state["exp_avg"].copy_(torch.from_numpy(avg))
            state["exp_avg_sq"].copy_(torch.from_numpy(avg_sq))

    # ------------------------------------------------------------ epoch
    def run(self, stateful: bool) -> tuple[list[float], tuple]:
        """One epoch; ``(losses, (h, c))`` with the final state as tensors."""
        self._load()
        group = self.net.optimizer_.param_groups[0]
        lr = float(group["lr"])
        beta1, beta2 = (float(b) for b in group["betas"])
        eps = float(group["eps"])
        K, H = self.K, self.H
        X, y = self.X, self.y
        n_rows, n_steps, n_features = X.shape
        n_out = y.shape[1]
        W_ih, W_hh, b = self.W_ih, self.W_hh, self.b
        W_out, b_out = self.W_out, self.b_out
        dW_ih, dW_hh, db, dW_out, db_out = (
            self.dW_ih, self.dW_hh, self.db, self.dW_out, self.db_out,
        )  # fmt: skip
        flat, grad = self.flat, self.grad
        exp_avg, exp_avg_sq, scratch = self.exp_avg, self.exp_avg_sq, self.scratch
        h = np.zeros((K, 1, H), dtype=np.float32)
        c = np.zeros((K, 1, H), dtype=np.float32)
        scale = np.float32(2.0 / n_out)  # d mean((y - t)^2) / dy, one row
        losses = []
        # Cached activations of one row's steps.
        acts = np.empty((n_steps, K, 1, 4 * H), dtype=np.float32)
        cells = np.empty((n_steps + 1, K, 1, H), dtype=np.float32)
        hiddens = np.empty((n_steps + 1, K, 1, H), dtype=np.float32)
        tanh_c = np.empty((n_steps, K, 1, H), dtype=np.float32)
        dgates = np.empty((n_steps, K, 1, 4 * H), dtype=np.float32)
        for row in range(n_rows):
            x = X[row]  # (n_steps, n_features)
            if not stateful:
                h = np.zeros((K, 1, H), dtype=np.float32)
                c = np.zeros((K, 1, H), dtype=np.float32)
            # Forward: the input projections of every step at once.
            projected = np.matmul(x, W_ih) + b  # (K, n_steps, 4H)
            hiddens[0], cells[0] = h, c
            for t in range(n_steps):
                gates = projected[:, t : t + 1] + np.matmul(h, W_hh)
                a = acts[t]
                np.negative(gates, out=a)
                np.exp(a, out=a)
                a += 1.0
                np.reciprocal(a, out=a)  # sigmoid of every gate ...
                np.tanh(gates[..., 2 * H : 3 * H], out=a[..., 2 * H : 3 * H])  # ... g
                i, f, g, o = (a[..., k * H : (k + 1) * H] for k in range(4))
                c = f * c + i * g
                np.tanh(c, out=tanh_c[t])
                h = o * tanh_c[t]
                cells[t + 1], hiddens[t + 1] = c, h
            out = np.matmul(h, W_out) + b_out  # (K, 1, O)
            error = out - y[row]
            losses.append(float(np.square(error).mean()))
            # Backward: d loss_k / d out_k for every member's own loss.
            d_out = error * scale
            np.matmul(h.transpose(0, 2, 1), d_out, out=dW_out)
            db_out[...] = d_out
            dh = np.matmul(d_out, W_out.transpose(0, 2, 1))
            dc = np.zeros_like(c)
            for t in range(n_steps - 1, -1, -1):
                a = acts[t]
                i, f, g, o = (a[..., k * H : (k + 1) * H] for k in range(4))
                tc = tanh_c[t]
                dc = dc + dh * o * (1.0 - tc * tc)
                dg = dgates[t]
                dg[..., 0:H] = dc * g * i * (1.0 - i)
                dg[..., H : 2 * H] = dc * cells[t] * f * (1.0 - f)
                dg[..., 2 * H : 3 * H] = dc * i * (1.0 - g * g)
                dg[..., 3 * H :] = dh * tc * o * (1.0 - o)
                if t:
                    dh = np.matmul(dg, W_hh.transpose(0, 2, 1))
                    dc = dc * f
            # (K, H, n_steps) x (K, n_steps, 4H): every step's recurrent input.
            d_all = dgates[:, :, 0].transpose(1, 0, 2)  # (K, n_steps, 4H)
            np.matmul(hiddens[:n_steps, :, 0].transpose(1, 2, 0), d_all, out=dW_hh)
            np.matmul(x.T, d_all, out=dW_ih)
            d_all.sum(axis=1, keepdims=True, out=db)
            # Adam (PyTorch's formula) on every parameter of every member.
            self.step += 1
            exp_avg *= beta1
            exp_avg += (1.0 - beta1) * grad
            exp_avg_sq *= beta2
            np.multiply(grad, grad, out=scratch)
            scratch *= 1.0 - beta2
            exp_avg_sq += scratch
            bias1 = 1.0 - beta1**self.step
            bias2_sqrt = (1.0 - beta2**self.step) ** 0.5
            np.sqrt(exp_avg_sq, out=scratch)
            scratch /= bias2_sqrt
            scratch += eps
            np.divide(exp_avg, scratch, out=scratch)
            scratch *= lr / bias1
            flat -= scratch
        self._store()
        state = (torch.from_numpy(h.copy())[None], torch.from_numpy(c.copy())[None])
        return losses, state
