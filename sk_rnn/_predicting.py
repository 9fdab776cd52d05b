"""How a fitted LSTMRegressor predicts, and how many threads torch uses."""

from __future__ import annotations

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted

from ._modules import N_GATES
from ._net import stream_forward, torch_threads
from ._windows import validate_windows

#: Rows per prediction batch: bounds device memory, whatever len(X) is.
PREDICT_BATCH_ROWS = 1024

#: Multiply-adds per training step below which one thread is fastest.
SMALL_MODEL_WORK = 2**22


def resolve_threads(model, batch: int) -> int | None:
    """Threads for steps of ``batch`` rows: see ``n_threads``."""
    if model.n_threads is not None:
        return model.n_threads
    if model.stateful:
        batch = 1
    width = model.hidden_size * (model.bidirectional + 1)
    work = batch * model.n_ensemble * N_GATES[model.cell] * model.hidden_size * width
    return 1 if work < SMALL_MODEL_WORK else None


def forward(model, windows: np.ndarray, state, module=None):
    """Predictions ``(n, K, O)`` and the end state; see ``stream_forward``."""
    return stream_forward(
        model.net_.module_ if module is None else module,
        windows,
        state,
        stateful=model.stateful,
        dtype=torch.float64 if model.predict_dtype == "float64" else torch.float32,
        batch_rows=PREDICT_BATCH_ROWS,
    )


def initial_state(model, value):
    """The state a stateful prediction starts from (see ``predict``)."""
    if isinstance(value, str) and value in ("fit", "zero"):
        if not model.stateful or value == "zero":
            return None
        return model.state_
    if not model.stateful:
        raise ValueError(
            "LSTMRegressor got an initial_state array with stateful=False; "
            "stateless windows always start from the zero state. Pass "
            "initial_state='fit' (the default) or fit with stateful=True."
        )
    if not isinstance(value, (tuple, list)) or len(value) != len(model.state_):
        raise ValueError(
            "LSTMRegressor.predict expects initial_state='fit', 'zero' or a "
            f"tuple of {len(model.state_)} array(s) shaped like state_; got "
            f"{value!r}."
        )
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
        batch = min(len(windows), PREDICT_BATCH_ROWS)
        with torch_threads(resolve_threads(model, batch)):
            members, _ = forward(model, windows, start)
    finally:
        module.train(training)
    return members
