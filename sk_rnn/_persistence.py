"""A safe file format for LSTMRegressor: JSON plus weights-only tensors.

Pickle runs code while it loads, so a pickled model from an untrusted source
can do anything. An sk_rnn model file is a zip archive of two members:

- ``sk_rnn.json``: the format version, the estimator's parameters, its fitted
  attributes and training history (plain JSON), and the SHA-256 of
- ``tensors.pt``: the network's weights, the optimiser's state and the
  states of the shuffling and dropout generators, written with
  :func:`torch.save` and read back with ``torch.load(weights_only=True)``,
  which only rebuilds tensors and plain containers.

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

from ._training import resolve_device

FORMAT = "sk_rnn.LSTMRegressor"
VERSION = 2
META, TENSORS = "sk_rnn.json", "tensors.pt"

#: Parameters that cannot be written as JSON are saved as None.
_NOT_SAVED = ("callbacks",)


def _json_params(params: dict) -> dict:
    out = {}
    for name, value in params.items():
        if isinstance(value, np.generic):  # np.float64(1e-3) from np.logspace
            value = value.item()
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
                json.dumps(value, allow_nan=False, default=_plain_or_fail)
            except (TypeError, ValueError):
                raise ValueError(
                    f"LSTMRegressor.save cannot write {name}={value!r} as JSON; "
                    "use pickle or joblib for such a model."
                ) from None
            out[name] = json.loads(json.dumps(value, default=_plain_or_fail))
    return out


def _plain_or_fail(value):
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(type(value).__name__)


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


def write(path, params: dict, fitted: dict, tensors: dict) -> Path:
    """Write the model atomically: a crash leaves the previous file intact."""
    path = Path(path)
    net = fitted["net_"]
    buffer = io.BytesIO()
    torch.save(tensors, buffer)
    blob = buffer.getvalue()
    attributes = {
        name: _plain(value)
        for name, value in fitted.items()
        if name not in ("net_", "state_", "_fixed")
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
    fitted, tensors = model._export()
    return write(path, model.get_params(deep=False), fitted, tensors)


def load_model(cls, path, device=None):
    """Read a model file into ``cls`` (see ``LSTMRegressor.load``)."""
    meta, tensors = read(path)
    params = meta["params"]
    if device is None:
        device = params["device"]
        if device != "cpu" and not _available(device):
            warnings.warn(
                f"LSTMRegressor.load: {path} was saved with device={device!r}, "
                "which is not available here; the model is loaded on the CPU "
                "(device='cpu').",
                UserWarning,
                stacklevel=2,
            )
            device = "cpu"
    params["device"] = device
    model = cls(**params)
    fitted = meta["fitted"]
    fitted["window_shape_"] = tuple(fitted["window_shape_"])
    if fitted.get("feature_names_in_") is not None:
        fitted["feature_names_in_"] = np.asarray(
            fitted["feature_names_in_"], dtype=object
        )
    split = meta["split"] or {"n_valid": 0, "gap": 0}
    model._import(
        fitted, tensors, History(meta["history"]), split["n_valid"], split["gap"]
    )
    return model


def _available(device) -> bool:
    try:
        resolve_device(device)
    except ValueError:
        return False
    return True
