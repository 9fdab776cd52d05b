"""The skorch net that :class:`LSTMRegressor` trains through.

Users reach it as ``LSTMRegressor().net_``: a :class:`skorch.NeuralNetRegressor`
whose ``predict``, ``forward``, ``history``, callbacks and ``iterator_train__*``
settings behave as skorch documents them. sk_rnn shapes it only through
skorch's documented extension points:

- ``iterator_train``/``iterator_valid``: :class:`TensorBatches`, consecutive
  (or shuffled, with an explicit generator) slices of tensors already on the
  device, with the signature of a ``DataLoader``;
- ``train_split``: :class:`TailSplit`, the most recent rows after a gap;
- ``criterion``: :class:`MemberLoss`, the sum of the ensemble members' losses,
  so each member's gradient is the one it would get alone;
- ``infer``, ``get_loss``, ``train_step_single`` and ``validation_step``;
- callbacks (in ``_callbacks``): per-member early stopping and gradient
  clipping.

Also here: the thread guard, the device choice, and the training state (module,
optimiser, random streams) that continuing a training exactly depends on.

A batch's ``X`` is a dict ``{"X": windows, "sample_weight": weights}`` when the
rows are weighted (skorch's documented way to pass sample weights).
"""

from __future__ import annotations

import copy
import math
import threading
from collections.abc import Mapping
from contextlib import contextmanager

import numpy as np
import torch
from skorch import NeuralNetRegressor
from skorch.callbacks import Callback
from skorch.dataset import Dataset
from skorch.utils import to_tensor
from torch.nn import functional as F

from ..exceptions import TrainingDivergedError
from ._streams import chunks, series_groups

OPTIMIZERS = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "sgd": torch.optim.SGD,
    "rmsprop": torch.optim.RMSprop,
}
FUSABLE = {"adam", "adamw", "sgd"}
LOSSES = ("squared_error", "absolute_error", "huber", "quantile")

# --------------------------------------------------------------- threads
_threads = threading.Condition()
_holders = {"count": 0, "n": None, "previous": None}
_nested = threading.local()


@contextmanager
def torch_threads(n_threads: int | None):
    """Use ``n_threads`` torch threads inside the block (None: leave as is).

    ``torch.set_num_threads`` is process-wide. Blocks that ask for the same
    count run together; a block asking for another count waits until they
    end, and the count the process had before is restored by the last one.
    A block nested in another in the same thread runs with the outer count.
    """
    if n_threads is None or getattr(_nested, "depth", 0):
        # Nested in this thread (a callback that predicts with another
        # model): the outer block's count holds; waiting for it to end
        # would wait for ourselves.
        yield
        return
    with _threads:
        while _holders["count"] and _holders["n"] != n_threads:
            _threads.wait()
        if not _holders["count"]:
            _holders["previous"] = torch.get_num_threads()
            _holders["n"] = n_threads
            if n_threads != _holders["previous"]:
                torch.set_num_threads(n_threads)
        _holders["count"] += 1
    _nested.depth = 1
    try:
        yield
    finally:
        _nested.depth = 0
        with _threads:
            _holders["count"] -= 1
            if not _holders["count"]:
                if torch.get_num_threads() != _holders["previous"]:
                    torch.set_num_threads(_holders["previous"])
                _holders["n"] = None
                _threads.notify_all()


# ------------------------------------------------------------------ loss
class MemberLoss(torch.nn.Module):
    """Each member's (weighted) mean loss; ``forward`` returns their sum.

    ``y_pred`` is ``(batch, K, O)``, ``y_true`` ``(batch, O)``. Member ``k``'s
    parameters reach only member ``k``'s loss, so the gradient of the sum is
    each member's own gradient. With ``sample_weight`` a member's loss is
    ``sum(w_i * l_i) / sum(w_i)`` over the batch (rows of weight 0 count for
    nothing).
    """

    def __init__(self, loss="squared_error", quantile=0.5, delta=1.0):
        super().__init__()
        self.loss = loss
        self.quantile = quantile
        self.delta = delta

    def pointwise(self, y_pred, y_true):
        """The loss of every prediction, ``(batch, K, O)``."""
        target = y_true.unsqueeze(1).expand_as(y_pred)
        if self.loss == "squared_error":
            return (y_pred - target).square()
        if self.loss == "absolute_error":
            return (y_pred - target).abs()
        if self.loss == "huber":
            return F.huber_loss(y_pred, target, reduction="none", delta=self.delta)
        residual = target - y_pred  # pinball loss of the quantile
        return torch.maximum(self.quantile * residual, (self.quantile - 1) * residual)

    def members(self, y_pred, y_true, sample_weight=None):
        """Each member's loss, ``(K,)``."""
        values = self.pointwise(y_pred, y_true)
        if sample_weight is None:
            return values.mean(dim=(0, 2))
        weights = sample_weight.to(values.dtype).view(-1, 1, 1)
        total = weights.sum() * values.shape[2]
        # A batch whose weights are all 0 (stateful rows) contributes nothing.
        tiny = torch.finfo(values.dtype).tiny
        return (values * weights).sum(dim=(0, 2)) / total.clamp(min=tiny)

    def forward(self, y_pred, y_true, sample_weight=None):
        if sample_weight is None and self.loss == "squared_error":
            # Two autograd nodes: the fast path of the seed's workload.
            target = y_true.unsqueeze(1).expand_as(y_pred)
            n_per_member = y_pred.shape[0] * y_pred.shape[2]
            return F.mse_loss(y_pred, target, reduction="sum") / n_per_member
        return self.members(y_pred, y_true, sample_weight).sum()


# ------------------------------------------------------------------ data
def _take(data, rows):
    if isinstance(data, Mapping):
        return {key: value[rows] for key, value in data.items()}
    return None if data is None else data[rows]


def data_length(data) -> int:
    return len(data["X"]) if isinstance(data, Mapping) else len(data)


def batch_weight(data) -> float:
    """What a validation batch weighs in its epoch's loss: the sum of its
    rows' weights, else its number of rows. A batch's loss is its weighted
    mean, so weighing the batches so gives the weighted mean of the epoch."""
    weights = data.get("sample_weight") if isinstance(data, Mapping) else None
    if weights is None:
        return data_length(data)
    return float(weights.sum())


class TensorBatches:
    """Slices of a dataset's tensors, consecutive or shuffled: an iterator.

    Takes the arguments of a ``torch.utils.data.DataLoader`` that apply to
    tensors already on the device (``batch_size``, ``shuffle`` and
    ``generator``, which draws the permutation); any other argument is
    refused, so an ``iterator_train__*`` setting is never silently ignored.
    Pass ``iterator_train=torch.utils.data.DataLoader`` through
    ``LSTMRegressor(net_kwargs=...)`` for a DataLoader's other options.
    """

    def __init__(
        self, dataset, batch_size=1, shuffle=False, generator=None, **unsupported
    ):
        if unsupported:
            raise TypeError(
                "LSTMRegressor's tensor batches take batch_size, shuffle and "
                f"generator; got {sorted(unsupported)}. For DataLoader options "
                "pass net_kwargs={'iterator_train': torch.utils.data.DataLoader, "
                "...}."
            )
        self.X, self.y = dataset.X, dataset.y
        self.batch_size = max(int(batch_size), 1)
        self.shuffle = shuffle
        self.generator = generator

    def __len__(self):
        return math.ceil(data_length(self.X) / self.batch_size)

    def __iter__(self):
        if isinstance(self.X, Mapping) and self.X["X"].dim() == 4:
            if "series_group" in self.X:  # validation: whole series at once
                yield from series_groups(self.X, self.y)
                return
            # One stream per series (sk_rnn.neural._streams): batch_size rows
            # of every series at a time, in time order.
            yield from chunks(self.X, self.y, self.batch_size)
            return
        n, size = data_length(self.X), self.batch_size
        if self.shuffle:
            order = torch.randperm(n, generator=self.generator)
            device = (self.X["X"] if isinstance(self.X, Mapping) else self.X).device
            order = order.to(device)
            for start in range(0, n, size):
                rows = order[start : start + size]
                yield _take(self.X, rows), _take(self.y, rows)
            return
        for start in range(0, n, size):
            rows = slice(start, start + size)
            yield _take(self.X, rows), _take(self.y, rows)


class TailSplit:
    """skorch ``train_split``: the last rows validate, after a gap.

    Never shuffles and never validates on the oldest rows: the validation
    rows are the ``n_valid`` most recent, and the ``gap`` rows before them
    are used for neither, so overlapping windows cannot leak. The last
    ``masked`` training rows stay in the training part (one stateful
    stream's state runs through them) but weigh 0: their multi-step targets
    are validation targets.
    """

    masked = 0  # splits pickled by 0.2 have no such attribute
    key = None  # a fingerprint of the validation rows (set by the fit)

    def __init__(self, n_valid, gap, masked=0):
        self.n_valid = n_valid
        self.gap = gap
        self.masked = masked

    def __call__(self, dataset, y=None, **fit_params):
        X, y = dataset.X, dataset.y
        n = data_length(X)
        train = slice(0, n - self.n_valid - self.gap)
        valid = slice(n - self.n_valid, None)
        part = _take(X, train)
        if self.masked:
            part = dict(part) if isinstance(part, Mapping) else {"X": part}
            rows = part["X"]
            weight = part.get("sample_weight")
            if weight is None:
                weight = torch.ones(len(rows), dtype=torch.float32, device=rows.device)
            part["sample_weight"] = weight.clone()
            part["sample_weight"][len(rows) - self.masked :] = 0.0
        return (
            Dataset(part, _take(y, train)),
            Dataset(_take(X, valid), _take(y, valid)),
        )


class SeriesTailSplit:
    """skorch ``train_split`` of windows: every series' last rows validate.

    The positions ``train`` and ``valid`` (rows of the dataset) come from
    :func:`sk_rnn.neural._streams.series_tails`: each series' most recent
    rows validate, the ``gap`` rows before them are used for neither, and
    a validation row weighs ``weight`` (one over its series' number of
    validation rows, times its sample weight), so the validation loss is the
    mean over series of each series' mean loss. One series is a panel of one.
    """

    key = None  # a fingerprint of the validation rows (set by the fit)

    def __init__(self, train, valid, weight, gap):
        self.train = train
        self.valid = valid
        self.weight = weight
        self.gap = gap

    @property
    def n_valid(self) -> int:
        return len(self.valid)

    def __call__(self, dataset, y=None, **fit_params):
        X, y = dataset.X, dataset.y
        device = (X["X"] if isinstance(X, Mapping) else X).device
        train = torch.as_tensor(self.train, device=device)
        valid = torch.as_tensor(self.valid, device=device)
        part = _take(X, valid)
        part = dict(part) if isinstance(part, Mapping) else {"X": part}
        weight = torch.as_tensor(self.weight, dtype=torch.float32, device=device)
        if "sample_weight" in part:
            weight = weight * part["sample_weight"]
        part["sample_weight"] = weight
        return (
            Dataset(_take(X, train), _take(y, train)),
            Dataset(part, _take(y, valid)),
        )


class StreamTailSplit:
    """skorch ``train_split`` of stateful streams (one per series): every
    series' last rows validate.

    Both parts are the whole padded streams (a stream reads every row from
    its start); ``train_weight`` and ``valid_weight`` ``(n_series,
    n_rows)`` say which rows each part's loss counts (see
    :func:`sk_rnn.neural._streams.series_tails`), times the rows' sample
    weights. The validation part runs
    whole series at a time from the zero state; because a stream is causal,
    training through the validation rows with weight 0 is training on the
    rows before them.
    """

    key = None  # a fingerprint of the validation rows (set by the fit)

    def __init__(self, train_weight, valid_weight, gap):
        self.train_weight = train_weight
        self.valid_weight = valid_weight
        self.gap = gap

    @property
    def n_valid(self) -> int:
        return int((self.valid_weight > 0).sum())

    def __call__(self, dataset, y=None, **fit_params):
        X, y = dataset.X, dataset.y
        to = {"dtype": torch.float32, "device": X["X"].device}
        train = torch.as_tensor(self.train_weight, **to) * X["sample_weight"]
        valid = torch.as_tensor(self.valid_weight, **to) * X["sample_weight"]
        # A mark (one entry per stream, as skorch's Dataset wants) that
        # TensorBatches reads: run whole series, not chunks.
        whole = torch.ones(len(valid), dtype=torch.bool, device=valid.device)
        return (
            Dataset({"X": X["X"], "sample_weight": train}, y),
            Dataset({"X": X["X"], "sample_weight": valid, "series_group": whole}, y),
        )


# ------------------------------------------------------------------- net
class RecurrentNet(NeuralNetRegressor):
    """NeuralNetRegressor over a :class:`~sk_rnn.neural._module.RecurrentNetwork`.

    ``stateful`` carries the recurrent state from batch to batch (from zero
    at each epoch, continued into the validation rows). ``predict`` returns
    ``(n_samples, n_members, n_outputs)``: every member's prediction.
    """

    def __init__(self, *args, stateful=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.stateful = stateful

    def initialize(self):
        self._carry = [None]  # a box: skorch's __setattr__ is slow per batch
        # [factory, FusedEpochs or None]: set by _fitting._run; the factory
        # says at each epoch whether it can be fused (sk_rnn.neural._fused).
        self._fused = [None, None]
        self.inputs_complete = False  # True: fit checked its tensor has no NaN
        return super().initialize()

    def initialize_callbacks(self):
        self._listeners = {}
        return super().initialize_callbacks()

    def notify(self, method_name, **cb_kwargs):
        """skorch's ``notify``, calling only the callbacks that implement it.

        skorch calls every callback for every batch; on tiny batches that
        dispatch costs as much as the arithmetic. Skipping the inherited
        no-op methods of :class:`skorch.callbacks.Callback` changes nothing a
        callback can observe.
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

    def on_epoch_begin(self, net, **kwargs):
        super().on_epoch_begin(net, **kwargs)
        self._carry[0] = None  # every epoch starts from the zero state

    def on_epoch_end(self, net, **kwargs):
        super().on_epoch_end(net, **kwargs)
        for batch in self.history[-1]["batches"]:
            for prefix in ("train", "valid"):
                loss = batch.get(prefix + "_loss", 0.0)
                if not math.isfinite(loss):
                    raise TrainingDivergedError(
                        f"LSTMRegressor: the {prefix} loss became {loss} in epoch "
                        f"{len(self.history)}, so training stopped. Lower lr (now "
                        f"{self.lr!r}), set clip_grad_norm (for example 1.0), or "
                        "scale X and y (MinMaxScaler, StandardScaler)."
                    )

    def infer(self, x, **fit_params):
        if not isinstance(x, torch.Tensor):  # net_.predict(numpy), a DataLoader
            x = to_tensor(x, device=self.device)
        streams = None
        if isinstance(x, Mapping):
            streams = x.get("stream_start")
            x = x["X"]
        dtype = self.module_.head_weight.dtype
        if x.dtype != dtype:
            x = x.to(dtype)
        fit_params.setdefault("complete", self.inputs_complete)
        if streams is not None and int(streams[0]) == 0:
            self._carry[0] = None  # every series' stream starts from zero
        if not self.stateful:
            return self.module_(x, **fit_params)
        y_pred, state = self.module_(
            x, self._carry[0], stateful=True, return_state=True, **fit_params
        )
        # Truncated backpropagation: the next batch starts from a constant.
        self._carry[0] = tuple(None if s is None else s.detach() for s in state)
        return y_pred

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        """skorch's epoch, or the same epoch fused into NumPy steps.

        The fused epoch (``sk_rnn.neural._fused``) computes what the batch
        loop computes and records the same history (a loss and a size per
        batch); it runs only when every step is its computation.
        """
        fused = self.__dict__.get("_fused") or (None, None)
        if training and fused[0] is not None and iterator is not None:
            fused[1] = fused[0](self, iterator, fused[1])
            if fused[1] is not None:
                return self._fused_epoch(fused[1], prefix)
        if not training and iterator is not None:
            return self._validation_epoch(iterator, prefix, step_fn, **fit_params)
        return super().run_single_epoch(
            iterator, training, prefix, step_fn, **fit_params
        )

    def _validation_epoch(self, iterator, prefix, step_fn, **fit_params):
        """skorch's epoch loop, each batch weighing its rows' weights.

        skorch's ``run_single_epoch`` weighs a batch by its number of rows,
        which makes the epoch's loss the mean of weighted batch means, not
        the weighted mean; there is no public hook for a batch's weight, so
        this is its loop with :func:`batch_weight` as the batch size.
        """
        count = 0
        for batch in iterator:
            self.notify("on_batch_begin", batch=batch, training=False)
            step = step_fn(batch, **fit_params)
            self.history.record_batch(prefix + "_loss", step["loss"].item())
            self.history.record_batch(prefix + "_batch_size", batch_weight(batch[0]))
            self.notify("on_batch_end", batch=batch, training=False, **step)
            count += 1
        self.history.record(prefix + "_batch_count", count)

    def _fused_epoch(self, epochs, prefix):
        losses, state = epochs.run(self.stateful)
        self._carry[0] = state if self.stateful else None
        record = self.history.record_batch
        for loss in losses:
            self.notify("on_batch_begin", batch=None, training=True)
            record(prefix + "_loss", loss)
            record(prefix + "_batch_size", 1)
            self.notify("on_batch_end", batch=None, training=True)
        self.history.record(prefix + "_batch_count", len(losses))

    @staticmethod
    def _weights(X):
        weights = X.get("sample_weight") if isinstance(X, Mapping) else None
        return None if weights is None else weights.reshape(-1)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        if not isinstance(y_true, torch.Tensor):
            y_true = to_tensor(y_true, device=self.device)
        y_true = y_true.to(y_pred.dtype)
        return self.criterion_(y_pred, y_true, self._weights(X))

    def train_step_single(self, batch, **fit_params):
        step = super().train_step_single(batch, **fit_params)
        # skorch records the members' mean loss, not their sum.
        step["loss"] = step["loss"].detach() / self.module_.n_members
        return step

    def validation_step(self, batch, **fit_params):
        self.module_.train(False)
        Xi, yi = batch
        with torch.no_grad():
            y_pred = self.infer(Xi, **fit_params)
            yi = to_tensor(yi, device=self.device).to(y_pred.dtype)
            members = self.criterion_.members(y_pred, yi, self._weights(Xi))
        return {"loss": members.mean(), "member_losses": members, "y_pred": y_pred}


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
                np.ascontiguousarray(windows[start : start + batch_rows]),
                dtype=dtype,
                device=device,
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


# ------------------------------------------------ devices and training state
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
