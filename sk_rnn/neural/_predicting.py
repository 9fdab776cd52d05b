"""How a fitted LSTMRegressor predicts, and how many threads torch uses."""

from __future__ import annotations

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted

from ._module import N_GATES
from ._net import stream_forward, torch_threads
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


def resolve_threads(model, batch: int) -> int | None:
    """Threads for steps of ``batch`` rows: see ``n_threads``."""
    if model.n_threads is not None:
        return model.n_threads
    if model.stateful:  # while training: the parameters are the fit's
        batch = 1
    width = model.hidden_size * (model.bidirectional + 1)
    work = batch * model.n_ensemble * N_GATES[model.cell] * model.hidden_size * width
    return 1 if work < SMALL_MODEL_WORK else None


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


def predict_members(model, X, state="fit") -> np.ndarray:
    """Every member's predictions ``(n, K, O)`` for the windows ``X``."""
    check_is_fitted(model)
    windows, _, _ = validate_windows(model, X, reset=False)
    start = initial_state(model, state)
    module = model.net_.module_
    training = module.training
    module.train(False)
    try:
        batch = min(
            len(windows), batch_rows(model, windows.shape[1:], module.n_outputs)
        )
        with torch_threads(resolve_threads(model, batch)):
            members, _ = forward(model, windows, start)
    finally:
        module.train(training)
    return members
