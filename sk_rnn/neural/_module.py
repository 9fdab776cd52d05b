"""Torch modules for sk_rnn. No scikit-learn code here.

:class:`RecurrentNetwork` maps a batch of windows ``(batch, n_steps,
n_features)`` to ``(batch, n_members, n_outputs)``. Every parameter has a
leading member dimension, so ``n_members`` independent networks train as one
vectorised model; with one member the module runs PyTorch's fused recurrent
kernels (oneDNN on CPU, cuDNN on CUDA).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import NamedTuple

import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence

#: Gates per cell: weight rows are ``n_gates * hidden_size``.
N_GATES = {"lstm": 4, "gru": 3, "rnn": 1}

_FUSED = {"lstm": torch.lstm, "gru": torch.gru, "rnn": torch.rnn_tanh}


class PicklableGenerator(torch.Generator):
    """A ``torch.Generator`` that pickles as its device and state bytes.

    A plain generator pickles its state as a tensor, which ``torch.load``
    and skorch's unpickling move to the model's device, where a CPU
    generator refuses it; a CUDA generator cannot be rebuilt on a machine
    without CUDA. Bytes travel anywhere; without the device, the generator
    is rebuilt on the CPU (the module reseeds its dropout stream there).
    """

    def __reduce__(self):
        return _rebuild_generator, (str(self.device), bytes(self.get_state().numpy()))


def _rebuild_generator(device: str, state: bytes) -> PicklableGenerator:
    rng = torch.frombuffer(bytearray(state), dtype=torch.uint8)
    try:
        generator = PicklableGenerator(device=device)
        generator.set_state(rng)
    except RuntimeError:  # that device is not here
        generator = PicklableGenerator()
    return generator


def _glorot_uniform(shape: tuple[int, int], generator: torch.Generator) -> Tensor:
    """Keras's Glorot (Xavier) uniform for a (fan_in, fan_out) kernel."""
    fan_in, fan_out = shape
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    return torch.empty(shape).uniform_(-limit, limit, generator=generator)


def _uniform(shape, bound: float, generator: torch.Generator) -> Tensor:
    return torch.empty(shape).uniform_(-bound, bound, generator=generator)


class RecurrentNetwork(nn.Module):
    """Stacked recurrent layers and a dense head, for ``n_members`` networks.

    Parameters
    ----------
    n_features : int
        Features per time step.
    n_outputs : int
        Outputs of the dense head.
    hidden_size : int
        Units per recurrent layer and direction.
    num_layers : int
        Stacked recurrent layers; each feeds its whole output sequence to the
        next (Keras's ``return_sequences=True``).
    cell : {"lstm", "gru", "rnn"}
        The recurrent cell; "rnn" is a tanh SimpleRNN.
    dropout : float
        Dropout on the output of every recurrent layer (between layers and
        before the head), in training only.
    bidirectional : bool
        Whether each layer also reads the sequence backwards.
    n_members : int
        Independent networks trained side by side.
    init : {"keras", "pytorch"}
        "keras": Glorot-uniform input and head weights, orthogonal recurrent
        weights, zero biases with the LSTM forget-gate bias at 1. "pytorch":
        uniform in ``±1/sqrt(hidden_size)`` (head: ``±1/sqrt(fan_in)``).
    seeds : sequence of int
        One seed per member (``n_members`` of them); member ``k`` is
        initialised from ``seeds[k]`` alone, so it does not depend on the
        other members. Parameters are validated by
        :class:`~sk_rnn.LSTMRegressor`, which builds this module.
    generator : torch.Generator or None
        Draws the dropout masks (on the module's device), so training never
        touches torch's global random streams. None: a generator seeded
        with ``seeds[0]``.

    Notes
    -----
    Each layer and direction has one bias vector (LSTM and SimpleRNN) or an
    input and a recurrent bias (GRU, PyTorch's and Keras's ``reset_after``
    form), so parameter counts match Keras. Gate order is PyTorch's:
    ``i, f, g, o`` for the LSTM and ``r, z, n`` for the GRU.

    A time step with any NaN feature is missing: the state passes through it
    unchanged, so a window whose oldest steps are missing is a shorter
    sequence, and a window with no observed step leaves the initial state.
    """

    def __init__(
        self,
        n_features: int,
        n_outputs: int,
        hidden_size: int = 32,
        num_layers: int = 1,
        cell: str = "lstm",
        dropout: float = 0.0,
        bidirectional: bool = False,
        n_members: int = 1,
        init: str = "keras",
        seeds: Sequence[int] = (0,),
        generator: torch.Generator | None = None,
    ):
        super().__init__()
        self.n_features = n_features
        self.n_outputs = n_outputs
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.cell = cell
        self.dropout = dropout
        self.bidirectional = bidirectional
        self.n_members = n_members
        self.init = init
        self.seeds = [int(seed) for seed in seeds]
        self.generator = generator
        self.n_directions = 2 if bidirectional else 1

        gates = N_GATES[cell] * hidden_size
        K = n_members
        # Keras's layout, with a leading member dimension: kernels are
        # (inputs, gates), so a batched step is one baddbmm with no transpose.
        # Names follow nn.LSTM: weight_ih_l0, ..., bias_hh_l1_reverse.
        self._cells = []
        for layer in range(num_layers):
            n_in = n_features if layer == 0 else self.n_directions * hidden_size
            for d in range(self.n_directions):
                suffix = f"_l{layer}" + ("_reverse" if d else "")
                shapes = {
                    "weight_ih": (K, n_in, gates),
                    "weight_hh": (K, hidden_size, gates),
                    "bias_ih": (K, 1, gates),
                }
                if cell == "gru":
                    shapes["bias_hh"] = (K, 1, gates)
                for kind, shape in shapes.items():
                    self.register_parameter(
                        kind + suffix, nn.Parameter(torch.empty(shape))
                    )
                self._cells.append(
                    tuple(
                        kind + suffix if kind in shapes else None
                        for kind in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
                    )
                )
        n_head_in = self.n_directions * hidden_size
        self.head_weight = nn.Parameter(torch.empty(K, n_head_in, n_outputs))
        self.head_bias = nn.Parameter(torch.empty(K, 1, n_outputs))
        self.reset_parameters(seeds)

    @torch.no_grad()
    def reset_parameters(self, seeds: Sequence[int]) -> None:
        """Initialise every member from its own seed."""
        H = self.hidden_size
        keras = self.init == "keras"
        bound = 1.0 / math.sqrt(H)
        for k, seed in enumerate(seeds):
            generator = torch.Generator().manual_seed(int(seed))
            for w_ih, w_hh, b_ih, b_hh in self._cell_parameters():
                biases = [b_ih] + ([b_hh] if b_hh is not None else [])
                if keras:
                    w_ih[k] = _glorot_uniform(tuple(w_ih.shape[1:]), generator)
                    nn.init.orthogonal_(w_hh[k], generator=generator)
                    for b in biases:
                        b[k] = 0.0
                    if self.cell == "lstm":  # Keras's unit_forget_bias
                        b_ih[k, :, H : 2 * H] = 1.0
                else:
                    for w in [w_ih, w_hh, *biases]:
                        w[k] = _uniform(tuple(w.shape[1:]), bound, generator)
            head_shape = tuple(self.head_weight.shape[1:])
            if keras:
                self.head_weight[k] = _glorot_uniform(head_shape, generator)
                self.head_bias[k] = 0.0
            else:
                head_bound = 1.0 / math.sqrt(head_shape[0])
                self.head_weight[k] = _uniform(head_shape, head_bound, generator)
                self.head_bias[k] = _uniform((1, self.n_outputs), head_bound, generator)

    def _cell_parameters(self, dtype=None) -> list[tuple]:
        """(w_ih, w_hh, b_ih, b_hh or None) per layer and direction."""
        params = self._parameters
        return [
            tuple(
                None
                if name is None
                else params[name]
                if dtype is None
                else params[name].to(dtype)
                for name in names
            )
            for names in self._cells
        ]

    def parameter_counts(self) -> list[tuple[str, tuple, int]]:
        """(layer name, output shape per window, parameters per member)."""
        rows = []
        cells = self._cell_parameters()
        D = self.n_directions
        for layer in range(self.num_layers):
            n_params = sum(
                p[0].numel()
                for cell in cells[layer * D : (layer + 1) * D]
                for p in cell
                if p is not None
            )
            width = D * self.hidden_size
            last = layer == self.num_layers - 1
            shape = (None, width) if last else (None, None, width)
            rows.append((f"{self.cell}_{layer}", shape, n_params))
        n_head = self.head_weight[0].numel() + self.head_bias[0].numel()
        rows.append(("dense", (None, self.n_outputs), n_head))
        return rows

    def initial_state(self, batch: int, device, dtype) -> tuple[Tensor, Tensor | None]:
        """Zero state: ``h`` (and ``c`` for the LSTM) of shape
        ``(num_layers * n_directions, n_members, batch, hidden_size)``."""
        shape = (
            self.num_layers * self.n_directions,
            self.n_members,
            batch,
            self.hidden_size,
        )
        h = torch.zeros(shape, device=device, dtype=dtype)
        c = (
            torch.zeros(shape, device=device, dtype=dtype)
            if self.cell == "lstm"
            else None
        )
        return h, c

    def forward(
        self,
        X: Tensor,
        state: tuple[Tensor, Tensor | None] | None = None,
        *,
        stateful: bool = False,
        return_state: bool = False,
        dtype: torch.dtype | None = None,
        complete: bool = False,
    ):
        """Run the windows ``X`` of shape ``(batch, n_steps, n_features)``.

        With ``stateful=True`` (unidirectional networks only) the rows are
        consecutive: row ``r`` starts from
        the state row ``r - 1`` ended with (the first from ``state``), as one
        long sequence. A 4-D ``X`` of shape ``(n_streams, rows, n_steps,
        n_features)`` is that for every stream at once (one series each, a
        state per stream in ``state``'s batch axis); the output's rows are
        stream-major. ``dtype`` casts the weights for this call only (float64
        prediction of a float32 model). ``complete=True`` promises that X
        has no NaN (a check the caller made once for all batches). Returns
        ``(batch, n_members, n_outputs)``, and the final state too when
        ``return_state``.
        """
        weights = self._weights(dtype)
        if X.dim() == 4:  # streams: (n_streams, rows, n_steps, n_features)
            n_streams, rows, n_steps, n_features = X.shape
            X = X.reshape(n_streams, rows * n_steps, n_features)
            stateful = True
        else:
            batch, n_steps, n_features = X.shape
            if stateful:
                X = X.reshape(1, batch * n_steps, n_features)
        observed = None
        missing = None if complete else torch.isnan(X)
        if missing is not None and bool(missing.any()):
            observed = ~missing.any(dim=-1)
            X = X.masked_fill(~observed.unsqueeze(-1), 0.0)
        if state is None:
            state = self.initial_state(X.shape[0], X.device, weights.head_weight.dtype)
        leading_gaps_only = observed is None or (
            not stateful and bool((observed[:, 1:] >= observed[:, :-1]).all())
        )
        run = (
            self._run_fused
            if self.n_members == 1 and leading_gaps_only
            else self._run_loop
        )
        features, new_state = run(X, state, weights, observed, stateful, n_steps)
        features = self._dropout(features)
        # (K, B, in) x (K, in, O) + (K, 1, O) -> (K, B, O) -> (B, K, O)
        out = torch.baddbmm(weights.head_bias, features, weights.head_weight)
        out = out.transpose(0, 1)
        return (out, new_state) if return_state else out

    def _dropout(self, x: Tensor) -> Tensor:
        """Inverted dropout with masks from ``self.generator``."""
        if not (self.dropout and self.training):
            return x
        if self.generator is None or self.generator.device != x.device:
            self.generator = PicklableGenerator(device=x.device).manual_seed(
                self.seeds[0]
            )
        keep = 1.0 - self.dropout
        mask = torch.empty_like(x).bernoulli_(keep, generator=self.generator)
        return x * mask / keep

    def _weights(self, dtype) -> _Weights:
        head_weight, head_bias = self.head_weight, self.head_bias
        if dtype is not None:
            head_weight, head_bias = head_weight.to(dtype), head_bias.to(dtype)
        return _Weights(self._cell_parameters(dtype), head_weight, head_bias)

    def _run_fused(self, X, state, weights, observed, stateful, n_steps):
        """One member, no interior gaps: PyTorch's fused recurrent kernels."""
        h0, c0 = state
        h0 = h0[:, 0]
        c0 = None if c0 is None else c0[:, 0]
        params = []
        for w_ih, w_hh, b_ih, b_hh in weights.cells:
            b_ih = b_ih[0, 0]
            b_hh = torch.zeros_like(b_ih) if b_hh is None else b_hh[0, 0]
            # cuDNN packs the weights into one buffer with view(): it needs
            # them contiguous, where our (inputs, gates) layout is transposed.
            w_ih, w_hh = (
                (w_ih[0].T, w_hh[0].T)
                if not X.is_cuda
                else (
                    w_ih[0].T.contiguous(),
                    w_hh[0].T.contiguous(),
                )
            )
            params += [w_ih, w_hh, b_ih, b_hh]
        fused = _FUSED[self.cell]
        layers, D = self.num_layers, self.n_directions
        # Dropout between layers draws from our generator, so the layers run
        # one kernel call each; otherwise the stack is one call.
        per_layer = bool(self.dropout and self.training and layers > 1)
        groups = (
            [(params[4 * D * i : 4 * D * (i + 1)], slice(D * i, D * (i + 1)))
             for i in range(layers)]
            if per_layer
            else [(params, slice(None))]
        )  # fmt: skip
        n_layers = 1 if per_layer else layers
        empty = None

        def run_layers(data, batch_sizes, hx):
            h_parts, c_parts = [], []
            for i, (group, rows) in enumerate(groups):
                if i:
                    data = self._dropout(data)
                h_i = hx[0][rows] if c0 is not None else hx[rows]
                hx_i = h_i if c0 is None else (h_i, hx[1][rows])
                opts = (group, True, n_layers, 0.0, self.training, D == 2)
                if batch_sizes is None:
                    out = fused(data, hx_i, *opts, True)  # batch_first
                else:
                    out = fused(data, batch_sizes, hx_i, *opts)
                data = out[0]
                h_parts.append(out[1])
                if c0 is not None:
                    c_parts.append(out[2])
            return data, torch.cat(h_parts), torch.cat(c_parts) if c_parts else None

        hx = h0 if c0 is None else (h0, c0)
        with warnings.catch_warnings():
            if X.is_cuda:  # cuDNN asks for one weight buffer; ours are per member.
                warnings.filterwarnings("ignore", "RNN module weights", UserWarning)
            if observed is None:
                output, h_n, c_n = run_layers(X, None, hx)
            else:
                # Shift each window left past its missing oldest steps, then
                # pack: a window of m observed steps is a sequence of length m.
                n_observed = observed.sum(dim=1)
                positions = torch.arange(n_steps, device=X.device).unsqueeze(0)
                source = (positions + (n_steps - n_observed).unsqueeze(1)).clamp(
                    max=n_steps - 1
                )
                shifted = X.gather(1, source.unsqueeze(-1).expand(-1, -1, X.shape[-1]))
                empty = n_observed == 0
                lengths = n_observed.clamp(min=1).cpu()
                packed = pack_padded_sequence(
                    shifted, lengths, batch_first=True, enforce_sorted=False
                )
                order = packed.sorted_indices
                hx_sorted = (
                    hx.index_select(1, order)
                    if c0 is None
                    else tuple(t.index_select(1, order) for t in hx)
                )
                _, h_n, c_n = run_layers(packed.data, packed.batch_sizes, hx_sorted)
                h_n = h_n.index_select(1, packed.unsorted_indices)
                if c_n is not None:
                    c_n = c_n.index_select(1, packed.unsorted_indices)
                output = None

        if stateful:  # every stream's rows, stream by stream
            features = output[:, n_steps - 1 :: n_steps].reshape(-1, output.shape[-1])
        else:
            features = (
                torch.cat([h_n[-D + d] for d in range(D)], dim=-1)
                if D == 2
                else h_n[-1]
            )
            if empty is not None and bool(empty.any()):
                initial = torch.cat([h0[-D + d] for d in range(D)], dim=-1)
                features = torch.where(empty.unsqueeze(-1), initial, features)
                h_n = torch.where(empty.view(1, -1, 1), h0, h_n)
                if c_n is not None:
                    c_n = torch.where(empty.view(1, -1, 1), c0, c_n)
        new_state = (h_n.unsqueeze(1), None if c_n is None else c_n.unsqueeze(1))
        return features.unsqueeze(0), new_state

    def _run_loop(self, X, state, weights, observed, stateful, n_steps):
        """Any number of members and gaps: one batched step at a time."""
        K, H, D = self.n_members, self.hidden_size, self.n_directions
        h_all, c_all = state
        batch, length, n_features = X.shape
        # The members share the input of the first layer.
        inputs = X.reshape(1, batch * length, n_features).expand(K, -1, -1)
        final_h, final_c = [], []
        for layer in range(self.num_layers):
            last = layer == self.num_layers - 1
            outputs = []
            for d in range(D):
                i = layer * D + d
                w_ih, w_hh, b_ih, b_hh = weights.cells[i]
                # Input projections of all steps at once: (K, B * T, gates).
                projected = torch.baddbmm(b_ih, inputs, w_ih)
                per_step = (
                    (projected,)  # one step: no split (a node less to back-propagate)
                    if length == 1
                    else projected.view(K, batch, length, -1).unbind(2)
                )
                h = h_all[i]
                c = None if c_all is None else c_all[i]
                steps = range(length - 1, -1, -1) if d == 1 else range(length)
                sequence = [None] * length
                for t in steps:
                    h_new, c_new = self._step(per_step[t], h, c, w_hh, b_hh, H)
                    if observed is not None:
                        keep = observed[:, t].view(1, batch, 1)
                        h_new = torch.where(keep, h_new, h)
                        if c is not None:
                            c_new = torch.where(keep, c_new, c)
                    h, c = h_new, c_new
                    sequence[t] = h
                final_h.append(h)
                final_c.append(c)
                if not last:
                    outputs.append(torch.stack(sequence, dim=2))
                elif stateful:
                    ends = sequence[n_steps - 1 :: n_steps]
                    features = (
                        ends[0]
                        if len(ends) == 1
                        else torch.stack(ends, dim=2).view(K, -1, H)
                    )
            if not last:
                inputs = torch.cat(outputs, dim=-1) if D == 2 else outputs[0]
                inputs = self._dropout(inputs)
                inputs = inputs.reshape(K, batch * length, -1)
        if not stateful:
            features = torch.cat(final_h[-D:], dim=-1) if D == 2 else final_h[-1]
        if len(final_h) == 1:  # one layer and direction: a view, not a copy
            new_h = final_h[0].unsqueeze(0)
            new_c = None if c_all is None else final_c[0].unsqueeze(0)
        else:
            new_h = torch.stack(final_h)
            new_c = None if c_all is None else torch.stack(final_c)
        return features, (new_h, new_c)

    def _step(self, x_proj, h, c, w_hh, b_hh, H):
        """One time step of every member: ``x_proj`` is ``x W_ih + b``."""
        if self.cell == "lstm":
            gates = torch.baddbmm(x_proj, h, w_hh)
            i, f, _, o = gates.sigmoid().chunk(4, dim=-1)
            g = gates[..., 2 * H : 3 * H].tanh()
            c = torch.addcmul(f * c, i, g)
            return o * c.tanh(), c
        if self.cell == "gru":
            recurrent = torch.baddbmm(b_hh, h, w_hh)
            r, z = (
                (x_proj[..., : 2 * H] + recurrent[..., : 2 * H])
                .sigmoid()
                .chunk(2, dim=-1)
            )
            n = torch.addcmul(x_proj[..., 2 * H :], r, recurrent[..., 2 * H :]).tanh()
            return torch.addcmul(n, z, h - n), None
        return torch.baddbmm(x_proj, h, w_hh).tanh(), None


def format_summary(module, window_shape, cell, bidirectional) -> str:
    """The text of ``LSTMRegressor.summary()`` for a fitted ``module``."""
    kinds = {"lstm": "LSTM", "gru": "GRU", "rnn": "SimpleRNN"}
    steps, features = window_shape
    members = module.n_members
    lines = [
        f"LSTMRegressor: windows of {steps} step{'s' * (steps != 1)} x "
        f"{features} feature{'s' * (features != 1)}, {members} "
        f"member{'s' * (members != 1)}",
        f"{'Layer (type)':<23}{'Output shape':<18}{'Param #':>11}",
    ]
    rule = "=" * len(lines[-1])
    lines.append(rule)
    total = 0
    for name, shape, count in module.parameter_counts():
        kind = "Dense" if name == "dense" else kinds[cell]
        if bidirectional and kind != "Dense":
            kind = f"Bidirectional {kind}"
        if len(shape) == 3:
            shape = (None, steps, shape[2])
        lines.append(f"{f'{name} ({kind})':<23}{str(shape):<18}{count:>11,}")
        total += count
    lines.append(rule)
    lines.append(f"Total params: {total:,} per member, {total * members:,} in all")
    return "\n".join(lines)


class _Weights(NamedTuple):
    cells: list
    head_weight: Tensor
    head_bias: Tensor
