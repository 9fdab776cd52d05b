"""LSTMRegressor's fit procedure, its early-stopping modes and fitted state.

``train`` validates the data, builds (or continues) the skorch net, trains it
and sets the fitted attributes; ``export_state``/``import_state`` are the one
way the fitted state leaves the estimator and comes back (``save``, ``load``
and :class:`~sk_rnn.callbacks.Checkpoint`).
"""

from __future__ import annotations

import hashlib
import warnings

import numpy as np
import torch

from ..exceptions import (
    EarlyStoppingWarning,
    TrainingDivergedError,
    TrainingInterruptedWarning,
)
from ..series._panel import Panel, fit_layout
from ._callbacks import Checkpoint, LastEpoch, MemberStopAt
from ._fused import fused_epochs
from ._net import (
    SeriesTailSplit,
    StreamTailSplit,
    TailSplit,
    load_training_state,
    resolve_device,
    torch_threads,
    training_state,
)
from ._predicting import evaluating, forward, resolve_threads, stream_end_states
from ._streams import (
    in_time_order,
    pad,
    series_tails,
    stream_data,
    stream_layout,
)
from ._training import (
    UserInterrupt,
    base_seed,
    build_net,
    check_warm_start,
    fixed_params,
    interrupts_raise,
    update_net,
)
from ._windows import check_sample_weight, validate_windows

#: Attributes a fit sets; a new (not warm-started) fit removes them first.
FITTED = (
    "net_", "n_iter_", "loss_curve_", "validation_loss_curve_", "best_epoch_",
    "window_shape_", "n_outputs_", "member_seeds_", "n_threads_", "state_",
    "_y_ndim", "_base_seed", "_fixed", "state_series_",
)  # fmt: skip

#: Fewer validation rows than this cannot tell one epoch from the next.
MIN_VALID_ROWS = 5


def early_stopping_mode(model) -> str | None:
    """None, "holdout" or "refit" (what ``early_stopping=True`` means)."""
    mode = model.early_stopping
    if mode is True:
        return "refit"
    return mode or None


def _too_short(model, held_out: str) -> None:
    warnings.warn(
        f"LSTMRegressor: early stopping would hold out {held_out}, which "
        "leaves no training rows; training on all rows for max_epochs="
        f"{model.max_epochs} instead, without early stopping.",
        EarlyStoppingWarning,
        stacklevel=6,
    )


def _check_valid_rows(model, n_valid: int, n_samples: int) -> None:
    if n_valid < MIN_VALID_ROWS:
        warnings.warn(
            f"LSTMRegressor: early stopping validates on {n_valid} row(s) "
            f"(validation_fraction={model.validation_fraction} of {n_samples}), "
            f"too few to choose an epoch reliably (fewer than {MIN_VALID_ROWS}); "
            "raise validation_fraction, pass more rows, or fix max_epochs "
            "without early stopping.",
            EarlyStoppingWarning,
            stacklevel=6,
        )


def validation_split(model, X, y_given, windows, y2, rows, panel, weights=None):
    """The early-stopping ``train_split`` of this fit, or None.

    Every series (one series is a panel of one) validates on its own last
    ``validation_fraction`` of weighted rows, as PanelSplit's last fold
    does, after a gap that keeps every training row's window and target off
    the validation targets: ``n_steps + n_outputs - 1`` rows for windows,
    ``n_outputs - 1`` for streams (a stream reads every row in order, so its
    windows overlap nothing). One stateful series keeps its single stream:
    its last rows continue the training rows' state, and its last
    ``n_outputs - 1`` training rows weigh 0 (their targets are validation
    targets).
    """
    if not early_stopping_mode(model):
        return None
    if weights is not None and model.stateful:  # rows of weight 0 stay steps
        rows = rows & (weights > 0)
    n_samples = int(rows.sum())
    if model.stateful and panel is None:
        n_valid = int(np.ceil(model.validation_fraction * n_samples))
        masked = y2.shape[1] - 1
        weighted = np.flatnonzero(rows)
        if n_samples - n_valid - masked < 1:
            _too_short(
                model,
                f"the last {n_valid} row(s) of {n_samples} and weigh {masked} "
                "before them 0",
            )
            return None
        _check_valid_rows(model, n_valid, n_samples)
        # The held-out part starts at the first of the last n_valid weighted
        # rows (rows of weight 0 after it validate nothing).
        split = TailSplit(len(rows) - weighted[-n_valid], 0, masked)
        held = weighted[-n_valid:]
        split.key = _rows_key(windows[held], y2[held])
        return split
    layout = panel
    if layout is None:
        owner = "LSTMRegressor (early stopping, each series)"
        layout = in_time_order(
            fit_layout(X, y_given, "LSTMRegressor", len(windows)), owner
        )
    layout = layout or Panel.one(len(windows))
    gap = y2.shape[1] - 1 + (0 if panel is not None else windows.shape[1])
    train, valid, weight = series_tails(layout, rows, model.validation_fraction, gap)
    n_valid = int(valid.sum())
    if not n_valid:
        what = "the last" if len(layout) == 1 else "each series' last"
        _too_short(
            model,
            f"{what} {model.validation_fraction:g} of the rows after a gap of {gap} "
            f"({n_samples} rows in {len(layout)} series)",
        )
        return None
    _check_valid_rows(model, n_valid, n_samples)
    if panel is not None:
        split = StreamTailSplit(
            pad(train.astype(np.float32), panel, 0.0),
            pad(weight.astype(np.float32), panel, 0.0),
            gap,
        )
    else:
        position = np.cumsum(rows) - 1  # positions among the trained rows
        split = SeriesTailSplit(position[train], position[valid], weight[valid], gap)
    split.key = _rows_key(windows[valid], y2[valid])
    return split


def _rows_key(*arrays) -> int:
    """A fingerprint of the validation rows (their windows and targets)."""
    digest = hashlib.blake2b(digest_size=8)
    for array in arrays:
        digest.update(np.ascontiguousarray(array, dtype=np.float32).tobytes())
    return int.from_bytes(digest.digest(), "little", signed=True)


def _restart_stopper(net, split, continuing: bool) -> None:
    """Name the rows early stopping measures; a warm start that validates on
    other rows, or whose early stopping had stopped every member, starts its
    record afresh: the old best losses were measured on other rows (or would
    end the new run at once and put the old weights back). A run resumed on
    the same rows (from a checkpoint) keeps its record and continues
    exactly."""
    stopper = dict(net.callbacks_).get("early_stopping")
    if stopper is None or split is None:
        return
    key = split.key
    if not continuing or stopper.best_loss_ is None:
        stopper.valid_key_ = key
        return
    done = bool((stopper.stale_ >= stopper.patience).all())
    if done or getattr(stopper, "valid_key_", None) != key:
        stopper.restart(key)


def _run(model, net, data, target, *, epochs, before) -> bool:
    """Train ``net``; a Ctrl-C raises or keeps the last epoch (``on_interrupt``).

    Returns True when a Ctrl-C ended training and its last epoch was kept.
    """
    net.sk_rnn_estimator = model  # how a Checkpoint callback reads the model
    windows = data["X"] if isinstance(data, dict) else data
    net.inputs_complete = not bool(torch.isnan(windows).any())
    # A net unpickled from a file of 0.2 or earlier has no box yet.
    net.__dict__.setdefault("_fused", [None, None])
    net._fused[:] = [fused_epochs, None]
    try:
        with interrupts_raise():
            net.partial_fit(data, target, epochs=epochs)
    except UserInterrupt:
        last = dict(net.callbacks_).get("last_epoch")
        if isinstance(last, LastEpoch) and hasattr(last, "state_"):
            load_training_state(net, last.state_)
            del net.history[last.epochs_ :]
            warnings.warn(
                f"LSTMRegressor: training was interrupted (KeyboardInterrupt) "
                f"after {last.epochs_} completed epoch(s); the model keeps the "
                "weights of the last completed epoch. Call fit again with "
                "warm_start=True to continue.",
                TrainingInterruptedWarning,
                stacklevel=4,
            )
            return True
        _roll_back(model, net, before)
        raise KeyboardInterrupt from None
    except TrainingDivergedError:
        _roll_back(model, net, before)
        raise
    finally:
        del net.sk_rnn_estimator
        net.inputs_complete = False
        net._fused[:] = [None, None]
    return False


def _roll_back(model, net, before) -> None:
    """A continued training that did not end: back to before the call."""
    if before is not None:
        load_training_state(net, before[0])
        del net.history[before[1] :]
    model._windows = None


def check_params(model, partial: bool) -> None:
    """Refuse parameter combinations that cannot train."""
    if model.stateful and model.bidirectional:
        raise ValueError(
            "LSTMRegressor got stateful=True with bidirectional=True; a state "
            "carried forward from row to row cannot read the rows backwards. "
            "Set bidirectional=False."
        )
    if (model.loss == "quantile") != (model.quantile is not None):
        raise ValueError(
            "LSTMRegressor expects quantile (a float in (0, 1)) exactly when "
            f"loss='quantile'; got loss={model.loss!r}, quantile="
            f"{model.quantile!r}."
        )
    if partial and model.early_stopping:
        raise ValueError(
            "LSTMRegressor.partial_fit trains one epoch on the rows it is "
            "given and cannot hold some out for early stopping; got "
            f"early_stopping={model.early_stopping!r}. Use fit, or set "
            "early_stopping=False."
        )


def train(model, X, y, sample_weight, *, partial: bool):
    """``fit`` (``partial=False``) and ``partial_fit`` (one epoch)."""
    check_params(model, partial)
    continuing = hasattr(model, "net_") and (partial or model.warm_start)
    names = (*FITTED, "n_features_in_", "feature_names_in_")
    previous = (
        {} if continuing else {n: getattr(model, n) for n in names if hasattr(model, n)}
    )
    if continuing:
        check_warm_start(model, model._fixed)
        validate_windows(model, X, reset=False)  # scikit-learn's errors
    y_given = y  # a panel y carries the series when X is a bare array
    windows, _, y = validate_windows(model, X, y, reset=True)
    panel = stream_layout(X, y_given, len(windows)) if model.stateful else None
    fitted_series = getattr(model, "state_series_", None) if continuing else None
    if continuing and model.stateful and (panel is None) != (fitted_series is None):
        was = (
            "one series"
            if fitted_series is None
            else f"a panel of {len(fitted_series)} series"
        )
        raise ValueError(
            f"LSTMRegressor continues (warm_start=True or partial_fit) a stateful "
            f"fit on {was}; got {'one series' if panel is None else 'a panel'}. "
            "Continue on the same kind of data, or refit without warm_start."
        )
    if panel is not None:
        if continuing and list(panel.ids) != list(model.state_series_):
            raise ValueError(
                "LSTMRegressor with warm_start=True continues the stateful "
                f"streams of the {len(model.state_series_)} fitted series; got a "
                f"panel of {len(panel)} other or reordered series. Refit without "
                "warm_start."
            )
    y = np.asarray(y)
    y2 = y.reshape(len(y), -1)
    weights = check_sample_weight(sample_weight, len(y2))
    # A window with no observed step carries no input: it is predicted from
    # the initial state, but teaches nothing, so it is not trained on. In
    # stateful mode the state passes through it unchanged, so leaving it out
    # of the training sequence changes no other row.
    rows = ~np.isnan(windows).all(axis=(1, 2))
    if weights is not None and not model.stateful:
        rows &= weights > 0  # weight 0: exactly as if the row were dropped
    if not rows.any():
        raise ValueError(
            "LSTMRegressor got X whose every window is empty (all NaN) or has "
            "weight 0; there is nothing to learn from. Check the warm-up rows "
            "of the transformers before it."
        )
    if continuing and (
        windows.shape[1:] != model.window_shape_ or y2.shape[1] != model.n_outputs_
    ):
        raise ValueError(
            "LSTMRegressor with warm_start=True must be refitted on windows of "
            f"{model.window_shape_} and {model.n_outputs_} target(s); got "
            f"{windows.shape[1:]} and {y2.shape[1]}."
        )
    device = resolve_device(model.device)
    split = None
    if not continuing or model.net_.train_split is not None:
        split = validation_split(model, X, y_given, windows, y2, rows, panel, weights)
    n_valid = 0 if split is None else split.n_valid
    if continuing:
        net = model.net_
        _restart_stopper(net, split, continuing=True)
        net.train_split = split  # this block's own rows validate
        update_net(net, model)
    else:
        for name in FITTED:
            if hasattr(model, name):
                delattr(model, name)
        model._base_seed, model._fixed = base_seed(model.random_state), None
        net = _new_net(model, split, device, windows, y2)
        _restart_stopper(net, split, continuing=False)
        model._fixed = fixed_params(model)
    if panel is not None:  # one stream per series, side by side
        data, target = stream_data(windows, y2, rows, panel, device, weights)
        longest = data["X"].shape[1]
        net.batch_size = longest if model.batch_size is None else model.batch_size
    else:
        data = torch.tensor(windows[rows], dtype=torch.float32, device=device)
    if panel is None and weights is not None:
        w = torch.tensor(weights[rows], dtype=torch.float32, device=device)
        data = {"X": data, "sample_weight": w}
    if panel is None:
        target = torch.tensor(y2[rows], dtype=torch.float32, device=device)
    before = (training_state(net), len(net.history)) if continuing else None
    model._y_ndim, model._windows = y.ndim, windows
    model._stream_panel = panel
    chosen = holdout = None
    try:
        net, chosen, holdout = _train_phases(
            model, net, data, target, partial, before, n_valid, device, windows, y2
        )
    except (KeyboardInterrupt, TrainingDivergedError):  # as it was before fit
        if not continuing:
            for name in names:
                if hasattr(model, name):
                    delattr(model, name)
            for name, value in previous.items():
                setattr(model, name, value)
        raise
    if holdout is not None:
        model.best_epoch_ = chosen
        model.validation_loss_curve_ = [
            float(epoch["valid_loss"]) for epoch in holdout.history
        ]
    set_fitted(model, export_state(model, net)[0])
    model._windows = model._stream_panel = None
    for callback in model.callbacks or []:
        if isinstance(callback, Checkpoint):  # the last file: the fitted model
            callback.write_model(model)


def _train_phases(
    model, net, data, target, partial, before, n_valid, device, windows, y2
):
    """Train, then refit for the chosen epochs; ``(net, chosen, holdout)``."""
    chosen = holdout = None
    batch = len(target) if model.batch_size is None else model.batch_size
    with torch_threads(resolve_threads(model, min(batch, len(target)))):
        model.n_threads_ = torch.get_num_threads()
        stopped = _run(
            model, net, data, target, epochs=1 if partial else None, before=before
        )
        if n_valid and not stopped:  # a Ctrl-C kept the held-out run: no refit
            chosen = _chosen_epochs(net)
        if chosen is not None and early_stopping_mode(model) == "refit":
            # The standard remedy: the same network trained on every row
            # for the number of epochs the validation rows chose.
            holdout = net
            net = _new_net(model, None, device, windows, y2, stop_at=chosen)
            net.max_epochs = int(chosen.max())
            _run(model, net, data, target, epochs=None, before=None)
    return net, chosen, holdout


def set_fitted(model, fitted: dict) -> None:
    """Set the fitted attributes; the network is left in evaluation mode."""
    fitted["net_"].module_.train(False)
    for name, value in fitted.items():
        setattr(model, name, value)


def _new_net(model, split, device, windows, y2, stop_at=None):
    net = build_net(
        model, split=split, device=device, base=model._base_seed,
        window=windows.shape[1:], n_outputs=y2.shape[1],
    )  # fmt: skip
    if stop_at is not None:
        net.callbacks = [*net.callbacks, ("stop_members", MemberStopAt(stop_at))]
    return net.initialize()


def _chosen_epochs(net) -> np.ndarray:
    """Each member's best epoch; warn about members that kept epoch 1."""
    stopper = dict(net.callbacks_)["early_stopping"]
    chosen = stopper.best_epoch_.copy()
    first = np.flatnonzero(chosen <= 1)
    if len(net.history) > 1 and first.size:
        warnings.warn(
            f"LSTMRegressor: early stopping kept the first-epoch weights of "
            f"member(s) {first.tolist()}: their validation loss never improved "
            f"by tol={stopper.tol} after epoch 1, so they are barely trained. "
            "Lower tol, raise n_iter_no_change or validation_fraction, or fix "
            "max_epochs without early stopping.",
            EarlyStoppingWarning,
            stacklevel=4,
        )
    return np.maximum(chosen, 1)


def export_state(model, net=None) -> tuple[dict, dict]:
    """The fitted state: ``(attributes, tensors)``.

    ``attributes`` are the fitted attributes (``net_`` among them);
    ``tensors`` is what continuing the training exactly depends on.
    """
    net = model.net_ if net is None else net
    history = net.history
    windows = getattr(model, "_windows", None)
    fitted = {
        "net_": net,
        "window_shape_": model.window_shape_
        if windows is None
        else tuple(int(v) for v in windows.shape[1:]),
        "n_outputs_": int(net.module_.n_outputs),
        "member_seeds_": [int(s) for s in net.module_.seeds],
        "n_iter_": len(history),
        "loss_curve_": [float(epoch["train_loss"]) for epoch in history],
        "_y_ndim": int(model._y_ndim),
        "_base_seed": int(model._base_seed),
        "_fixed": model._fixed,
    }
    names = ("n_threads_", "n_features_in_", "feature_names_in_")
    names += ("best_epoch_", "validation_loss_curve_")  # a refit's, kept as is
    for name in names:
        if hasattr(model, name):
            fitted[name] = getattr(model, name)
    stopper = dict(net.callbacks_).get("early_stopping")
    if stopper is not None and len(history):
        fitted["validation_loss_curve_"] = [
            float(epoch["valid_loss"]) for epoch in history
        ]
        fitted["best_epoch_"] = stopper.best_epoch_.copy()
    tensors = training_state(net)
    panel = getattr(model, "_stream_panel", None)
    if model.stateful and windows is not None and panel is not None:
        fitted["state_"] = stream_end_states(model, net.module_, windows, panel)
        fitted["state_series_"] = list(panel.ids)
        tensors["state_"] = [
            None if s is None else torch.from_numpy(s) for s in fitted["state_"]
        ]
    elif model.stateful:
        if hasattr(model, "state_series_"):
            fitted["state_series_"] = model.state_series_
        if windows is None:
            fitted["state_"] = model.state_
        else:
            with evaluating(net.module_):
                _, fitted["state_"] = forward(model, windows, None, net.module_)
        tensors["state_"] = [
            None if s is None else torch.from_numpy(s) for s in fitted["state_"]
        ]
    return fitted, tensors


def import_state(model, fitted: dict, tensors: dict, history, n_valid, gap) -> None:
    """Rebuild the network from ``export_state``'s output (``load``)."""
    net = build_net(
        model, split=TailSplit(n_valid, gap) if n_valid else None,
        device=resolve_device(model.device),
        base=fitted["_base_seed"], window=fitted["window_shape_"],
        n_outputs=fitted["n_outputs_"],
    )  # fmt: skip
    net.initialize()
    load_training_state(net, tensors)
    net.history = history
    fitted["net_"] = net
    fitted["_fixed"] = fixed_params(model)
    stopper = dict(net.callbacks_).get("early_stopping")
    if stopper is not None and stopper.best_epoch_ is not None:
        fitted["best_epoch_"] = stopper.best_epoch_.copy()
    elif fitted.get("best_epoch_") is not None:
        fitted["best_epoch_"] = np.asarray(fitted["best_epoch_"], dtype=int)
    if "state_" in tensors:
        fitted["state_"] = tuple(
            None if s is None else s.numpy() for s in tensors["state_"]
        )
    set_fitted(model, fitted)
