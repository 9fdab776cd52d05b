"""A safe file format for LSTMRegressor: JSON plus weights-only tensors.

Pickle runs code while it loads, so a pickled model from an untrusted source
can do anything. An sk_rnn model file is a zip archive of two members:

- ``sk_rnn.json``: the format version, the estimator's parameters, its fitted
  attributes and training history (plain JSON), and the SHA-256 of
- ``tensors.pt``: the network's weights, the optimiser's state and the random
  streams, written with :func:`torch.save` and read back with
  ``torch.load(weights_only=True)``, which only rebuilds tensors and plain
  containers.

A file whose tensors do not match the recorded checksum is refused, and so is
one whose tensor member holds anything but tensors.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import tempfile
import warnings
import zipfile
from pathlib import Path

import numpy as np
import torch
from skorch.history import History

from ._net import build_net

FORMAT = "sk_rnn.LSTMRegressor"
VERSION = 1
META, TENSORS = "sk_rnn.json", "tensors.pt"

#: Parameters that cannot be written as JSON are saved as None.
_NOT_SAVED = ("callbacks",)


def _json_params(params: dict) -> dict:
    out = {}
    for name, value in params.items():
        if name in _NOT_SAVED:
            out[name] = None
        elif name == "optimizer" and isinstance(value, type):
            if getattr(torch.optim, value.__name__, None) is not value:
                raise ValueError(
                    f"LSTMRegressor.save cannot write optimizer={value!r}: only "
                    "torch.optim classes and the string names are saved safely. "
                    "Use pickle or joblib for a custom optimiser."
                )
            out[name] = {"torch.optim": value.__name__}
        elif name == "random_state" and not isinstance(value, (int, type(None))):
            out[name] = None
        else:
            try:
                json.dumps(value)
            except TypeError:
                raise ValueError(
                    f"LSTMRegressor.save cannot write {name}={value!r} as JSON; "
                    "use pickle or joblib for such a model."
                ) from None
            out[name] = value
    return out


def _restore_params(params: dict) -> dict:
    optimizer = params.get("optimizer")
    if isinstance(optimizer, dict):
        name = optimizer["torch.optim"]
        cls = getattr(torch.optim, name, None)
        if not (isinstance(cls, type) and issubclass(cls, torch.optim.Optimizer)):
            raise ValueError(f"unknown torch.optim optimiser {name!r} in the file.")
        params["optimizer"] = cls
    return params


def _plain(value):
    """numpy scalars and arrays as JSON-able Python values."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple):
        return list(value)
    return value


def write(path, params: dict, fitted: dict, net, rng: torch.Tensor) -> Path:
    """Write the model atomically: a crash leaves the previous file intact."""
    path = Path(path)
    tensors = net.training_state()
    tensors["rng"] = rng
    tensors["module"] = {k: v.detach().cpu() for k, v in tensors["module"].items()}
    tensors["optimizer"] = _to_cpu(tensors["optimizer"])
    if "state_" in fitted:
        tensors["state_"] = [
            None if s is None else torch.from_numpy(s) for s in fitted["state_"]
        ]
    stopper = dict(net.callbacks_).get("early_stopping")
    if stopper is not None and stopper.best_state_ is not None:
        tensors["early_stopping"] = {
            "best_state": {k: v.cpu() for k, v in stopper.best_state_.items()},
            "best_loss": torch.from_numpy(stopper.best_loss_),
            "best_epoch": torch.from_numpy(stopper.best_epoch_),
            "stale": torch.from_numpy(stopper.stale_),
        }
    buffer = io.BytesIO()
    torch.save(tensors, buffer)
    blob = buffer.getvalue()
    attributes = {
        name: _plain(value)
        for name, value in fitted.items()
        if name not in ("net_", "state_", "best_epoch_")
    }
    meta = {
        "format": FORMAT,
        "version": VERSION,
        "sk_rnn": __import__("sk_rnn").__version__,
        "torch": torch.__version__,
        "params": _json_params(params),
        "fitted": attributes,
        "split": None
        if net.train_split is None
        else {"n_valid": net.train_split.n_valid, "gap": net.train_split.gap},
        "history": json.loads(json.dumps(list(net.history), default=_plain)),
        "sha256": hashlib.sha256(blob).hexdigest(),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    os.close(handle)
    try:
        with zipfile.ZipFile(
            temporary, "w", compression=zipfile.ZIP_DEFLATED
        ) as archive:
            archive.writestr(META, json.dumps(meta, indent=1))
            archive.writestr(TENSORS, blob)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def _to_cpu(value):
    if isinstance(value, torch.Tensor):
        return value.detach().cpu()
    if isinstance(value, dict):
        return {k: _to_cpu(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_to_cpu(v) for v in value]
    return value


def read(path, map_location="cpu") -> tuple[dict, dict]:
    """Check and read a model file: (metadata, tensors)."""
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if names != {META, TENSORS}:
                raise ValueError(
                    f"LSTMRegressor.load refused {path}: an sk_rnn model file holds "
                    f"{META} and {TENSORS}, this one holds {sorted(names)}."
                )
            meta = json.loads(archive.read(META))
            blob = archive.read(TENSORS)
    except (zipfile.BadZipFile, json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(
            f"LSTMRegressor.load refused {path}: it is not an sk_rnn model file "
            f"({error})."
        ) from None
    if meta.get("format") != FORMAT or meta.get("version") != VERSION:
        raise ValueError(
            f"LSTMRegressor.load refused {path}: expected format {FORMAT!r} "
            f"version {VERSION}, got {meta.get('format')!r} version "
            f"{meta.get('version')!r}."
        )
    if hashlib.sha256(blob).hexdigest() != meta.get("sha256"):
        raise ValueError(
            f"LSTMRegressor.load refused {path}: its tensors do not match the "
            "checksum recorded when it was saved; the file was changed or damaged."
        )
    try:
        tensors = torch.load(
            io.BytesIO(blob), map_location=map_location, weights_only=True
        )
    except (pickle.UnpicklingError, RuntimeError, EOFError) as error:
        raise ValueError(
            f"LSTMRegressor.load refused {path}: its tensor member holds something "
            "other than tensors, which weights-only loading does not run "
            f"({str(error).splitlines()[0]})."
        ) from None
    meta["params"] = _restore_params(meta["params"])
    return meta, tensors


def save_model(model, path):
    """Write a fitted LSTMRegressor (see ``LSTMRegressor.save``)."""
    names = (
        "window_shape_", "n_outputs_", "member_seeds_", "n_iter_", "loss_curve_",
        "validation_loss_curve_", "state_", "n_threads_", "n_features_in_",
        "feature_names_in_", "_y_ndim", "_base_seed",
    )  # fmt: skip
    fitted = {name: getattr(model, name) for name in names if hasattr(model, name)}
    return write(
        path, model.get_params(deep=False), fitted, model.net_, model._rng_state
    )


def load_model(cls, path, device=None):
    """Read a model file into ``cls`` (see ``LSTMRegressor.load``)."""
    meta, tensors = read(path)
    params = meta["params"]
    if device is None:
        device = params["device"]
        if device in ("cuda", "auto") and not torch.cuda.is_available():
            if device == "cuda":
                warnings.warn(
                    f"LSTMRegressor.load: {path} was saved with device='cuda' "
                    "but CUDA is not available here; the model is loaded on "
                    "the CPU (device='cpu').",
                    UserWarning,
                    stacklevel=2,
                )
            device = "cpu"
    params["device"] = device
    model = cls(**params)
    fitted = meta["fitted"]
    split = meta["split"] or {"n_valid": 0, "gap": 0}
    net = build_net(
        model,
        split["n_valid"],
        split["gap"],
        model._resolve_device(),
        fitted["_base_seed"],
        fitted["member_seeds_"],
        fitted["window_shape_"],
        fitted["n_outputs_"],
    )
    net.initialize()
    net.load_training_state(tensors, rng=False)
    net.history = History(meta["history"])
    if "early_stopping" in tensors:
        stopper = dict(net.callbacks_)["early_stopping"]
        saved = tensors["early_stopping"]
        stopper.best_state_ = saved["best_state"]
        stopper.best_loss_ = saved["best_loss"].numpy()
        stopper.best_epoch_ = saved["best_epoch"].numpy()
        stopper.stale_ = saved["stale"].numpy()
        fitted["best_epoch_"] = stopper.best_epoch_.copy()
    fitted["window_shape_"] = tuple(fitted["window_shape_"])
    if fitted.get("feature_names_in_") is not None:
        fitted["feature_names_in_"] = np.asarray(
            fitted["feature_names_in_"], dtype=object
        )
    if "state_" in tensors:
        fitted["state_"] = tuple(
            None if s is None else s.numpy() for s in tensors["state_"]
        )
    fitted["net_"] = net
    model._set_fitted(fitted)
    model._rng_state = tensors["rng"]
    model._cuda_rng_state = tensors.get("cuda_rng")
    return model
