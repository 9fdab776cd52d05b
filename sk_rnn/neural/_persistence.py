"""A safe file format for LSTMRegressor: JSON plus weights-only tensors.

Pickle runs code while it loads, so a pickled model from an untrusted source
can do anything. An sk_rnn model file is a zip archive of two members:

- ``sk_rnn.json``: the format version, the estimator's parameters, its fitted
  attributes and training history (plain JSON);
- ``tensors.pt``: the network's weights, the optimiser's state and the
  states of the shuffling and dropout generators, written with
  :func:`torch.save` and read back with ``torch.load(weights_only=True)``,
  which only rebuilds tensors and plain containers.

The archive's comment is the SHA-256 of every byte before it, so damage
anywhere (a JSON field, a zip header, a truncation, appended bytes) is
refused before anything is parsed. A checksum detects damage, not tampering:
whoever edits a file can write a new checksum, so ``load`` does not trust
the content either. It bounds what it reads: files above ``MAX_FILE_BYTES``
are refused, the archive must hold exactly the two members, the JSON member
unpacks to at most ``MAX_META_BYTES``, and the tensors member to no more than
the network its parameters describe can need, checked before either is read;
then the parameters must be valid and describe a network no larger than the
tensors in the file, fitted attributes must be known ones and tensors
contiguous, all before the network is built. Every refusal is a
``ValueError``.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import stat
import warnings
import zipfile
from pathlib import Path

import numpy as np
import torch
from skorch.history import History

from .._utils._compat import validate_params
from .._utils._files import write_atomically
from .._utils._plain import decode, encode
from .._version import __version__
from ._module import N_GATES
from ._net import resolve_device

FORMAT = "sk_rnn.LSTMRegressor"
VERSION = 2
META, TENSORS = "sk_rnn.json", "tensors.pt"

#: Largest model file ``load`` reads (1 GiB).
MAX_FILE_BYTES = 1 << 30
#: The JSON member (parameters, fitted attributes, history) unpacks to at most
#: this; ``save`` refuses a longer history (it records every batch: about 90
#: bytes a batch, so some 3 million batches).
MAX_META_BYTES = 256 << 20
#: Optimisers whose state is at most two copies of the weights (their string
#: names or torch.optim classes); any other (LBFGS keeps its history) is
#: bounded by MAX_FILE_BYTES only.
_SMALL_STATE_OPTIMIZERS = {"adam", "adamw", "sgd", "rmsprop"}
_DIGEST = 64  # hex characters of the SHA-256 in the archive's comment


#: Parameters added after files were first written, with the value that
#: reproduces what a model written before them did. A file or pickle that
#: lacks one gets it; any other difference of parameters is refused.
ADDED_PARAMS = {"layout": "steps"}  # 0.2, with darts' and skforecast's layouts

#: The fitted attributes a file may set.
_FITTED = frozenset(
    {
        "window_shape_", "n_outputs_", "member_seeds_", "n_iter_", "loss_curve_",
        "validation_loss_curve_", "best_epoch_", "n_threads_", "n_features_in_",
        "feature_names_in_", "_y_ndim", "_base_seed", "state_series_",
    }
)  # fmt: skip


def _json_params(params: dict, *, callbacks: str = "refuse") -> dict:
    """The parameters as JSON values; ``callbacks="drop"`` writes None.

    A callback is code, which a file that loads without running code cannot
    hold: ``save`` refuses a model that has some, and a Checkpoint (which is
    one of them) writes ``callbacks=None``, as its documentation says. A
    RandomState is written as its state and read back as an equal generator.
    """
    out = {}
    for name, value in params.items():
        if isinstance(value, np.generic):  # np.float64(1e-3) from np.logspace
            value = value.item()
        if name == "callbacks" and value and callbacks == "refuse":
            raise ValueError(
                f"LSTMRegressor.save cannot write callbacks={value!r}: a model "
                "file loads without running code, so it holds no callbacks. Save "
                "after set_params(callbacks=None) and pass them again after load, "
                "or use pickle or joblib, which keep them."
            )
        if name == "callbacks":
            out[name] = None
        elif name == "optimizer" and isinstance(value, type):
            if getattr(torch.optim, value.__name__, None) is not value:
                raise ValueError(
                    f"LSTMRegressor.save cannot write optimizer={value!r}: only "
                    "torch.optim classes and the string names are saved safely. "
                    "Use pickle or joblib for a custom optimiser."
                )
            out[name] = {"torch.optim": value.__name__}
        elif name == "random_state" and isinstance(value, np.random.RandomState):
            kind, keys, position, has_gauss, gauss = value.get_state()
            out[name] = {
                "numpy.random.RandomState": [
                    kind,
                    keys.tolist(),
                    int(position),
                    int(has_gauss),
                    float(gauss),
                ]
            }
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
    if isinstance(params.get("layout"), list):  # JSON wrote the tuples as lists
        params["layout"] = [tuple(block) for block in params["layout"]]
    random_state = params.get("random_state")
    if isinstance(random_state, dict):
        kind, keys, position, has_gauss, gauss = random_state[
            "numpy.random.RandomState"
        ]
        generator = np.random.RandomState()
        generator.set_state(
            (kind, np.asarray(keys, dtype=np.uint32), position, has_gauss, gauss)
        )
        params["random_state"] = generator
    return params


def _plain(value):
    """NumPy and torch values as JSON-able Python values (``json`` default)."""
    if isinstance(value, (np.ndarray, torch.Tensor)):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple):
        return list(value)
    return repr(value)  # anything else a callback recorded: its text


def describe(fitted: dict) -> dict:
    """The fitted attributes, split and history as plain (JSON) values."""
    net = fitted["net_"]
    attributes = {k: v for k, v in fitted.items() if k in _FITTED}
    if attributes.get("state_series_") is not None:
        # Series ids of any kind (Timestamps, tuples) as tagged plain values.
        ids = np.empty(len(attributes["state_series_"]), dtype=object)
        ids[:] = list(attributes["state_series_"])
        attributes["state_series_"] = encode(ids)
    return {
        "fitted": json.loads(json.dumps(attributes, default=_plain)),
        "split": None
        if net.train_split is None
        else {"n_valid": net.train_split.n_valid, "gap": net.train_split.gap},
        "history": json.loads(json.dumps(list(net.history), default=_plain)),
    }


def write(path, params: dict, fitted: dict, tensors: dict, callbacks="refuse") -> Path:
    """Write the model atomically: a crash leaves the previous file intact."""
    buffer = io.BytesIO()
    torch.save(tensors, buffer)
    meta = {
        "format": FORMAT,
        "version": VERSION,
        "sk_rnn": __version__,
        "torch": torch.__version__,
        "params": _json_params(params, callbacks=callbacks),
        **describe(fitted),
    }
    archive_bytes = io.BytesIO()
    with zipfile.ZipFile(archive_bytes, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        text = json.dumps(meta, indent=1)
        if len(text) > MAX_META_BYTES:
            raise ValueError(
                f"LSTMRegressor.save cannot write a training history of "
                f"{len(text):,} bytes of JSON, over the {MAX_META_BYTES:,}-byte "
                "limit that load reads (the history records every batch); save "
                "with pickle or joblib, or train with fewer, larger batches."
            )
        zf.writestr(META, text)
        zf.writestr(TENSORS, buffer.getvalue())
        zf.comment = b"0" * _DIGEST
    data = archive_bytes.getvalue()
    digest = hashlib.sha256(data[:-_DIGEST]).hexdigest().encode()
    return write_atomically(path, data[:-_DIGEST] + digest)


def plain_state(model) -> dict:
    """A fitted model's state as plain values and NumPy arrays.

    What ``LSTMRegressor.__getstate__`` hands to pickle and skops: the same
    content as a model file (``describe`` and the tensors), with every
    tensor as an array, so that loading it builds nothing but arrays.
    """
    fitted, tensors = model._export()
    return {"version": VERSION, **describe(fitted), "tensors": _arrays(tensors)}


def pickle_state(model, state: dict) -> dict:
    """``LSTMRegressor.__getstate__``: ``state`` (scikit-learn's) made plain.

    pickle, joblib and skops all read this: a fitted network, its optimiser
    and generators are NumPy arrays (``plain_state``), never torch or skorch
    objects, so skops loads a fitted model trusting no type but
    ``LSTMRegressor`` itself (and the classes of any callbacks or optimiser
    passed as parameters).
    """
    if "net_" not in state:
        return state
    params = model.get_params(deep=False)
    kept = {k: v for k, v in state.items() if k in params}
    kept["_sklearn_version"] = state.get("_sklearn_version")
    kept["_sk_rnn_fitted"] = plain_state(model)
    return kept


def unpickle_state(model, state: dict, set_params_state) -> None:
    """``LSTMRegressor.__setstate__``: parameters, then the fitted model."""
    state = {**ADDED_PARAMS, **state}  # a pickle from before a parameter
    fitted = state.pop("_sk_rnn_fitted", None)
    set_params_state(state)
    if fitted is not None:
        restore_state(model, fitted)


def restore_state(model, state: dict) -> None:
    """Become the model ``plain_state`` described (``__setstate__``)."""
    if state.get("version") != VERSION:
        raise ValueError(
            f"LSTMRegressor cannot restore a state of version "
            f"{state.get('version')!r}; this sk_rnn reads version {VERSION}."
        )
    model.device = _usable_device(model.device, "LSTMRegressor: the model")
    _install(model, "the pickled state", state, _tensors(state["tensors"]))


def _arrays(value):
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy().copy()
    if isinstance(value, dict):
        return {key: _arrays(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_arrays(item) for item in value)
    return value


def _tensors(value):
    if isinstance(value, np.ndarray):
        return torch.from_numpy(np.array(value))  # a writable copy
    if isinstance(value, dict):
        return {key: _tensors(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_tensors(item) for item in value)
    return value


_NO_MATCH = (
    "its content does not match the checksum written with it; it is not an "
    "sk_rnn model file, or it was changed or damaged."
)


def _refuse(path, why: str) -> ValueError:
    return ValueError(f"LSTMRegressor.load refused {path}: {why}")


def _read_bytes(path: Path) -> bytes:
    info = os.stat(path)  # a missing file is an OSError, not a damaged one
    if not stat.S_ISREG(info.st_mode):
        raise _refuse(path, "it is not a regular file.")
    if info.st_size > MAX_FILE_BYTES:
        raise _refuse(
            path,
            f"it has {info.st_size:,} bytes, over the {MAX_FILE_BYTES:,}-byte limit.",
        )
    with open(path, "rb") as handle:  # read what stat reported, and one byte more
        data = handle.read(info.st_size + 1)
    if len(data) > MAX_FILE_BYTES:
        raise _refuse(path, f"it is over the {MAX_FILE_BYTES:,}-byte limit.")
    if _written_by_0_1(data):
        return data  # its checksum is in the JSON member (read checks it)
    if (
        len(data) <= _DIGEST
        or hashlib.sha256(data[:-_DIGEST]).hexdigest().encode() != data[-_DIGEST:]
    ):
        raise _refuse(path, _NO_MATCH)
    return data


def _written_by_0_1(data: bytes) -> bool:
    """sk_rnn 0.1 wrote no archive comment (the zip ends with its directory
    record) and kept the tensors' SHA-256 in the JSON member instead."""
    return len(data) >= 22 and data[-22:-18] == b"PK\x05\x06" and data[-2:] == b"\0\0"


def _open_members(path, archive) -> dict:
    """The two members' infos, checked for names and compression."""
    infos = archive.infolist()
    names = [info.filename for info in infos]
    if sorted(names) != sorted([META, TENSORS]):
        raise _refuse(
            path, f"an sk_rnn model file holds {META} and {TENSORS} once each; "
            f"this one holds {names}."
        )  # fmt: skip
    for info in infos:
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _refuse(path, f"{info.filename} uses an unknown compression.")
    return {info.filename: info for info in infos}


def _tensor_bound(path, meta: dict) -> int:
    """The most bytes the tensors of the network ``meta`` describes can take.

    Weights, the optimiser's two moments, early stopping's best weights and
    the refit's kept ones (float64 at most), the recurrent state, and room
    for the generators' states and the archive's framing.
    """
    try:
        params, fitted = meta["params"], meta["fitted"]
        window = [int(v) for v in fitted["window_shape_"]]
        n_weights = _n_weights(params, window, int(fitted["n_outputs_"]))
        state = (
            2
            * int(params["num_layers"])
            * int(params["n_ensemble"])
            * int(params["hidden_size"])
            * (2 if params["bidirectional"] else 1)
        )
    except (KeyError, TypeError, ValueError, IndexError) as error:
        raise _refuse(path, f"its JSON member is incomplete ({error!r}).") from None
    optimizer = params.get("optimizer")
    name = (
        optimizer.get("torch.optim", "") if isinstance(optimizer, dict) else optimizer
    )
    if str(name).lower() not in _SMALL_STATE_OPTIMIZERS:
        return MAX_FILE_BYTES
    return 8 * (6 * n_weights + state) + (4 << 20)


def _check_params(cls, path, meta: dict) -> None:
    """The parameters are ``cls``'s, and valid (before the bound uses them)."""
    params = _restore_params({**ADDED_PARAMS, **(meta.get("params") or {})})
    expected = set(cls().get_params(deep=False))
    if set(params) != expected:
        raise _refuse(
            path, f"its parameters {sorted(set(params) ^ expected)} do not match "
            f"{cls.__name__}'s."
        )  # fmt: skip
    validate_params(cls(**{**params, "device": "cpu"}))


def _members(path, data: bytes, cls) -> tuple[dict, bytes]:
    """The parsed JSON member and the tensors member, each bounded first."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = _open_members(path, archive)
        if infos[META].file_size > MAX_META_BYTES:
            raise _refuse(
                path,
                f"its JSON member unpacks to {infos[META].file_size:,} bytes, over "
                f"the {MAX_META_BYTES:,}-byte limit.",
            )
        # ZipExtFile stops at the declared size, checked above.
        meta = json.loads(archive.read(META))
        if not isinstance(meta, dict):
            raise _refuse(path, "its JSON member is not an object.")
        if meta.get("format") != FORMAT or meta.get("version") != VERSION:
            raise _refuse(
                path,
                f"expected format {FORMAT!r} version {VERSION}, got "
                f"{meta.get('format')!r} version {meta.get('version')!r}.",
            )
        _check_params(cls, path, meta)
        bound = min(_tensor_bound(path, meta), MAX_FILE_BYTES)
        if infos[TENSORS].file_size > bound:
            raise _refuse(
                path,
                f"its tensors unpack to {infos[TENSORS].file_size:,} bytes, more "
                f"than the {bound:,} that the network it describes can need.",
            )
        blob = archive.read(TENSORS)
        if _written_by_0_1(data):
            if not str(meta.get("sk_rnn", "")).startswith("0.1."):
                raise _refuse(path, _NO_MATCH)  # a later file, comment removed
            digest = hashlib.sha256(blob).hexdigest()
            if meta.get("sha256") != digest:
                raise _refuse(
                    path,
                    "its tensors do not match the checksum written with them "
                    "(a file of sk_rnn 0.1); it was changed or damaged.",
                )
        return meta, blob


def _check_tensors(path, value, depth=0) -> None:
    """Only contiguous tensors (a zero-stride tensor could claim any size)."""
    if depth > 8:
        raise _refuse(path, "its tensors are nested too deeply.")
    if isinstance(value, torch.Tensor):
        if not value.is_contiguous():
            raise _refuse(path, "it holds a tensor that is not contiguous.")
    elif isinstance(value, dict):
        for item in value.values():
            _check_tensors(path, item, depth + 1)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _check_tensors(path, item, depth + 1)


def read(path, cls) -> tuple[dict, dict, int]:
    """Check and read a model file: (metadata, tensors, tensor bytes)."""
    path = Path(path)
    data = _read_bytes(path)
    try:
        meta, blob = _members(path, data, cls)
        unknown = set(meta["fitted"]) - _FITTED
        if unknown:
            raise _refuse(path, f"it sets unknown attributes {sorted(unknown)}.")
        tensors = torch.load(io.BytesIO(blob), map_location="cpu", weights_only=True)
        _check_tensors(path, tensors)
    except (ValueError, MemoryError):
        raise
    except pickle.UnpicklingError as error:
        raise _refuse(
            path,
            "its tensor member holds something other than tensors, which "
            f"weights-only loading does not run ({str(error).splitlines()[0]}).",
        ) from None
    except Exception as error:  # damage reaches many parsers; each says so its way
        first = (str(error).splitlines() or [""])[0]
        why = f"it is damaged ({type(error).__name__}: {first})."
        raise _refuse(path, why) from None
    return meta, tensors, len(blob)


def _n_weights(params: dict, window, n_outputs: int) -> int:
    """Weights of the network that ``params`` describe (all members)."""
    H, L, K = params["hidden_size"], params["num_layers"], params["n_ensemble"]
    D = 2 if params["bidirectional"] else 1
    G = N_GATES[params["cell"]] * H
    biases = G * (2 if params["cell"] == "gru" else 1)
    first = D * (window[1] * G + H * G + biases)
    later = (L - 1) * D * (D * H * G + H * G + biases)
    return K * (first + later + D * H * n_outputs + n_outputs)


def _hashable(key):
    """A series id back from JSON: its tuples came back as lists."""
    return tuple(map(_hashable, key)) if isinstance(key, list) else key


def save_model(model, path):
    """Write a fitted LSTMRegressor (see ``LSTMRegressor.save``)."""
    fitted, tensors = model._export()
    return write(path, model.get_params(deep=False), fitted, tensors)


def load_model(cls, path, device=None):
    """Read a model file into ``cls`` (see ``LSTMRegressor.load``)."""
    meta, tensors, n_bytes = read(path, cls)
    try:
        return _build(cls, path, meta, tensors, n_bytes, device)
    except (ValueError, MemoryError):
        raise
    except Exception as error:
        raise _refuse(path, f"it is damaged ({type(error).__name__}).") from None


def _build(cls, path, meta, tensors, n_bytes, device):
    params = _restore_params({**ADDED_PARAMS, **meta["params"]})  # read checked
    if device is None:
        device = _usable_device(params["device"], f"LSTMRegressor.load: {path}")
    params["device"] = device
    model = cls(**params)
    validate_params(model)
    resolve_device(device)
    window = tuple(int(v) for v in meta["fitted"]["window_shape_"])
    n_outputs = int(meta["fitted"]["n_outputs_"])
    if len(window) != 2 or min(window + (n_outputs,)) < 1:
        raise _refuse(path, f"its window shape {window} is not a valid one.")
    n_weights = _n_weights(params, window, n_outputs)
    if 4 * n_weights > n_bytes:
        raise _refuse(
            path,
            f"its parameters describe a network of {n_weights:,} weights, but it "
            f"holds {n_bytes:,} bytes of tensors.",
        )
    _install(model, path, meta, tensors)
    return model


def _install(model, path, meta: dict, tensors: dict) -> None:
    """Check the fitted attributes against the parameters and import them."""
    params = model.get_params(deep=False)
    fitted = dict(meta["fitted"])
    if len(fitted["member_seeds_"]) != params["n_ensemble"]:
        raise _refuse(path, "its member seeds do not match n_ensemble.")
    fitted["window_shape_"] = tuple(int(v) for v in fitted["window_shape_"])
    if fitted.get("feature_names_in_") is not None:
        fitted["feature_names_in_"] = np.asarray(
            fitted["feature_names_in_"], dtype=object
        )
    series = fitted.get("state_series_")
    if series is not None:
        series = decode(series)
        if not isinstance(series, np.ndarray) or series.ndim != 1:
            raise _refuse(path, "its state_series_ is not a list of series ids.")
        fitted["state_series_"] = [_hashable(key) for key in series.tolist()]
    if "state_" in tensors:
        D = 2 if params["bidirectional"] else 1
        shape = (
            params["num_layers"] * D,
            params["n_ensemble"],
            1 if series is None else len(series),
            params["hidden_size"],
        )
        for s in tensors["state_"]:
            if s is not None and tuple(s.shape) != shape:
                raise _refuse(
                    path, f"its state_ has shape {tuple(s.shape)}, not {shape}."
                )
    split = meta["split"] or {"n_valid": 0, "gap": 0}
    model._import(
        fitted, tensors, History(meta["history"]), split["n_valid"], split["gap"]
    )


def _usable_device(device, what: str) -> str:
    """The saved ``device``, or the CPU with a warning where it is absent."""
    if device == "cpu" or _available(device):
        return device
    warnings.warn(
        f"{what} was saved with device={device!r}, which is not available "
        "here; the model is loaded on the CPU (device='cpu').",
        UserWarning,
        stacklevel=4,
    )
    return "cpu"


def _available(device) -> bool:
    try:
        resolve_device(device)
    except ValueError:
        return False
    return True
