"""How a fitted LSTMRegressor predicts, and how many threads torch uses."""

from __future__ import annotations

import math
import os
import time
from contextlib import contextmanager

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted

from ._module import N_GATES
from ._net import stream_forward, torch_threads
from ._streams import block_layout, initial_states, predict_streams
from ._windows import validate_windows

#: Most rows per prediction batch.
PREDICT_BATCH_ROWS = 1024

#: Memory a prediction batch may take for its activations (256 MiB): the rows
#: per batch shrink as members, steps and units grow.
PREDICT_MEMORY_BYTES = 256 * 2**20

#: Multiply-adds per recurrent step (batch x members x gates x hidden x width)
#: below which one thread is fastest. Measured on 2 cores: the seed's batch
#: of 1 row (2**6) runs fastest on one thread; windows of 36 steps, hidden 32,
#: batches of 128 to 512 rows (2**19 to 2**21, the M3 benchmark) train 1.2x
#: to 1.4x faster on two.
SMALL_MODEL_WORK = 2**18


def _stateful(model) -> bool:
    """Whether the fitted network is stateful (set_params may say otherwise
    until the next fit); while a first fit runs, its parameter."""
    net = getattr(model, "net_", None)
    return model.stateful if net is None else bool(net.stateful)


#: Seconds over which the machine's idle time is sampled, and for how long a
#: sample is reused (fits and predictions in a row measure once).
IDLE_SAMPLE_SECONDS = 0.05
IDLE_REUSE_SECONDS = 1.0
_idle = {"at": -math.inf, "cores": None}


def _cpu_times() -> tuple[int, int] | None:
    """(idle, total) jiffies of all CPUs since boot; None off Linux."""
    try:
        with open("/proc/stat", "rb") as stat:
            fields = stat.readline().split()[1:]
    except OSError:
        return None
    values = [int(v) for v in fields[:8]]
    return values[3] + values[4], sum(values)  # idle + iowait


def idle_cores() -> float | None:
    """CPUs other processes leave idle, sampled over a short sleep.

    This process sleeps while it samples, so its own earlier work does not
    count (a load average would count it). None where it cannot be read.
    """
    now = time.monotonic()
    if now - _idle["at"] < IDLE_REUSE_SECONDS:
        return _idle["cores"]
    before = _cpu_times()
    if before is None:
        cores = None
    else:
        time.sleep(IDLE_SAMPLE_SECONDS)
        after = _cpu_times()
        total = after[1] - before[1]
        n_cpus = os.cpu_count() or 1
        cores = n_cpus * (after[0] - before[0]) / total if total > 0 else None
    _idle.update(at=time.monotonic(), cores=cores)
    return cores


def resolve_threads(model, batch: int, sample: bool = True) -> int | None:
    """Threads for steps of ``batch`` rows: see ``n_threads``.

    One for small models (dispatch-bound: a second thread only waits). For
    larger ones, torch's count, but never more than the cores other
    processes leave idle: a thread that waits on a core another process
    holds made training up to 18x slower (DESIGN section 4). Prediction
    (``sample=False``) never sleeps to sample: it uses the last sample.
    """
    if model.n_threads is not None:
        return model.n_threads
    if model.stateful:  # while training: the parameters are the fit's
        batch = 1
    width = model.hidden_size * (model.bidirectional + 1)
    work = batch * model.n_ensemble * N_GATES[model.cell] * model.hidden_size * width
    if work < SMALL_MODEL_WORK:
        return 1
    idle = idle_cores() if sample else _idle["cores"]
    if idle is None:
        return None
    threads = max(1, min(torch.get_num_threads(), int(idle + 0.25)))
    return None if threads == torch.get_num_threads() else threads


def batch_rows(model, window_shape, n_outputs) -> int:
    """Rows per prediction batch, so that a batch's activations fit the budget.

    The largest tensors of a batch are the input projections and states of
    every member, step and layer: about ``n_ensemble * n_steps * num_layers
    * (gates + 2) * hidden_size * directions`` numbers per row.
    """
    steps, features = window_shape
    directions = 2 if model.bidirectional else 1
    width = (N_GATES[model.cell] + 2) * model.hidden_size * directions
    itemsize = 8 if model.predict_dtype == "float64" else 4
    per_row = (
        itemsize
        * model.n_ensemble
        * (steps * (width * model.num_layers + features) + n_outputs)
    )
    return int(max(1, min(PREDICT_BATCH_ROWS, PREDICT_MEMORY_BYTES // per_row)))


def forward(model, windows: np.ndarray, state, module=None):
    """Predictions ``(n, K, O)`` and the end state; see ``stream_forward``."""
    module = model.net_.module_ if module is None else module
    return stream_forward(
        module,
        windows,
        state,
        stateful=_stateful(model),
        dtype=torch.float64 if model.predict_dtype == "float64" else torch.float32,
        batch_rows=batch_rows(model, windows.shape[1:], module.n_outputs),
    )


def initial_state(model, value):
    """The state a stateful prediction starts from (see ``predict``)."""
    if isinstance(value, str) and value in ("fit", "zero"):
        if not _stateful(model) or value == "zero":
            return None
        return model.state_
    if value is None or isinstance(value, str):  # not a state: an unknown option
        raise ValueError(
            "LSTMRegressor.predict expects initial_state='fit' or 'zero' (or, "
            "with stateful=True, a tuple of arrays shaped like state_); got "
            f"{value!r}."
        )
    if not _stateful(model):
        raise ValueError(
            "LSTMRegressor got an initial_state array with stateful=False; "
            "stateless windows always start from the zero state. Pass "
            "initial_state='fit' (the default) or fit with stateful=True."
        )
    message = (
        "LSTMRegressor.predict expects initial_state='fit', 'zero' or a "
        f"tuple of {len(model.state_)} array(s) shaped like state_; got {value!r}."
    )
    if not isinstance(value, (tuple, list)):
        raise TypeError(message)
    if len(value) != len(model.state_):
        raise ValueError(message)
    state = []
    for given, fitted in zip(value, model.state_, strict=True):
        if fitted is None:
            state.append(None)
            continue
        given = np.asarray(given, dtype=np.float64)
        if given.shape != fitted.shape:
            raise ValueError(
                "LSTMRegressor.predict expects initial_state arrays of shape "
                f"{fitted.shape} (like state_); got {given.shape}."
            )
        state.append(given)
    return tuple(state)


def _dtype(model):
    return torch.float64 if model.predict_dtype == "float64" else torch.float32


@contextmanager
def evaluating(module):
    """``module`` in evaluation mode inside the block, its mode restored."""
    training = module.training
    module.train(False)
    try:
        yield module
    finally:
        module.train(training)


def stream_end_states(model, module, windows, panel) -> tuple:
    """Each series' state at the end of its rows, from zero (a panel fit)."""
    zero = module.initial_state(len(panel), "cpu", torch.float64)
    zero = tuple(None if s is None else s.numpy() for s in zero)
    rows = batch_rows(model, windows.shape[1:], module.n_outputs)
    with evaluating(module):
        _, ends = predict_streams(
            model, windows, panel, zero, module, _dtype(model), rows
        )
    return ends


def predict_members(model, X, state="fit") -> np.ndarray:
    """Every member's predictions ``(n, K, O)`` for the windows ``X``."""
    check_is_fitted(model)
    windows, _, _ = validate_windows(model, X, reset=False)
    panel = block_layout(model, X, len(windows)) if _stateful(model) else None
    if panel is None:
        start = initial_state(model, state)
    else:
        start = initial_states(model, panel, state)
    module = model.net_.module_
    rows = batch_rows(model, windows.shape[1:], module.n_outputs)
    threads = resolve_threads(model, min(len(windows), rows), sample=False)
    with evaluating(module), torch_threads(threads):
        if panel is None:
            members, _ = forward(model, windows, start)
        else:
            members, _ = predict_streams(
                model, windows, panel, start, module, _dtype(model), rows
            )
    return members
