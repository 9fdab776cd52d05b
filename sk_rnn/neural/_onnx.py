"""``LSTMRegressor.to_onnx``: the fitted network as an ONNX graph.

The graph is traced by ``torch.onnx.export`` (its ``torch.export``-based
exporter, ``dynamo=True``: the TorchScript one is deprecated) from
:class:`ExportedNetwork`, a module built for the purpose: the rows-to-window
gather, the missing-step mask and the recurrence unrolled over the fitted
``n_steps``, each step computed by the fitted module's own cell equations
(``RecurrentNetwork._step``), so the graph cannot drift from ``predict``.
``onnx``, ``onnxscript`` and ``onnxruntime`` are optional: imported here only.
"""

from __future__ import annotations

import pathlib
import warnings

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted
from torch import nn

from ._module import RecurrentNetwork
from ._predicting import _stateful
from ._windows import validate_windows

#: Names of the graph's input and output.
INPUT_NAME, OUTPUT_NAME = "X", "y"

#: Rows the exported graph is checked on against ``predict`` (some with
#: missing steps), and the largest difference accepted, relative to the
#: largest prediction (float32 graph against a float64 ``predict``).
N_PROBE_ROWS = 16
PROBE_RTOL = 1e-4

INSTALL_HINT = "pip install sk-rnn[onnx]"

#: Oldest torch to_onnx exports with. ``torch.onnx.export(dynamo=True)``
#: appeared in torch 2.5 (2.4, the oldest sk_rnn supports, lacks it); the
#: floor is a choice, not a measurement: tested with torch 2.13 only, and every
#: export is checked against ``predict`` (``_check_graph``) in any case.
MIN_TORCH = (2, 6)


def _import_onnx():
    """onnx, onnxruntime and onnxscript (the exporter's), or an ImportError."""
    try:
        import onnx
        import onnxruntime
        import onnxscript  # noqa: F401 (torch.onnx.export(dynamo=True) needs it)
    except ImportError as error:
        raise ImportError(
            "LSTMRegressor.to_onnx needs the packages onnx, onnxscript and "
            f"onnxruntime ({error}); install them with `{INSTALL_HINT}`."
        ) from error
    if _torch_version() < MIN_TORCH:
        raise ImportError(
            "LSTMRegressor.to_onnx exports with torch.onnx.export(dynamo=True), "
            f"which needs torch>={'.'.join(map(str, MIN_TORCH))}; got torch "
            f"{torch.__version__}. Upgrade torch to export."
        )
    return onnx, onnxruntime


def _torch_version() -> tuple[int, int]:
    major, minor = torch.__version__.split(".")[:2]
    return int(major), int(minor)


def _column_map(model) -> tuple[np.ndarray, np.ndarray, bool]:
    """Where each window value comes from, the columns predict refuses NaN
    in, and whether predict reads 2-D rows (False: fitted on 3-D windows).

    ``index[t, f]`` is the column of a 2-D row that ``predict`` reads as step
    ``t``, feature ``f``: found by passing ``predict``'s own validation a row
    whose values are their column numbers, so every layout is read exactly as
    ``predict`` reads it. ``refused`` lists the columns where ``predict``
    refuses a NaN (those ``layout`` gives at every step).
    """
    n_columns = model.n_features_in_
    names = getattr(model, "feature_names_in_", None)

    def windows(row):
        X = row[None, :]
        if names is not None:
            import pandas as pd

            X = pd.DataFrame(X, columns=names)
        return validate_windows(model, X, reset=False)[0][0]

    columns = np.arange(n_columns, dtype=np.float64)
    try:
        index = windows(columns)
    except ValueError:
        # Fitted on 3-D windows: a 2-D row is the window flattened, step-major.
        index = columns.reshape(model.window_shape_)
        return index.astype(np.int64), np.zeros(0, dtype=np.int64), False
    refused = []
    for column in range(n_columns):
        row = columns.copy()
        row[column] = np.nan
        try:
            windows(row)
        except ValueError:
            refused.append(column)
    return index.astype(np.int64), np.asarray(refused, dtype=np.int64), True


class ExportedNetwork(nn.Module):
    """The fitted network as ``predict`` runs it, from 2-D float32 rows.

    ``forward(X)``: rows ``(batch, n_columns)`` to predictions ``(batch,)``
    or ``(batch, n_outputs)``: the member mean. A step with a NaN feature is
    missing (the state passes through it), as in ``predict``; a row that
    ``predict`` refuses (an infinite value, a NaN in a column given at every
    step) comes out NaN.
    """

    def __init__(self, network, index, refused, flat_output, rows_2d=True):
        super().__init__()
        self.network = network
        self.rows_2d = rows_2d
        self.register_buffer("index", torch.as_tensor(index.reshape(-1)))
        self.register_buffer("refused", torch.as_tensor(refused))
        self.n_steps, self.n_features = index.shape
        self.flat_output = flat_output

    def forward(self, X):
        net = self.network
        K, H, D = net.n_members, net.hidden_size, net.n_directions
        batch = X.shape[0]
        bad = torch.isinf(X).any(dim=1)
        if self.refused.numel():
            bad = bad | torch.isnan(X.index_select(1, self.refused)).any(dim=1)
        windows = X.index_select(1, self.index).reshape(
            batch, self.n_steps, self.n_features
        )
        missing = torch.isnan(windows)
        observed = ~missing.any(dim=-1)
        windows = torch.where(missing, torch.zeros_like(windows), windows)
        # Inputs of the current layer, one (batch, width) or (K, batch, width)
        # tensor per step: the members share the first layer's input.
        inputs = list(windows.unbind(1))
        keep = [observed[:, t].reshape(1, batch, 1) for t in range(self.n_steps)]
        cells = net._cell_parameters()
        for layer in range(net.num_layers):
            outputs = []
            for d in range(D):
                w_ih, w_hh, b_ih, b_hh = cells[layer * D + d]
                h = torch.zeros(K, batch, H, dtype=X.dtype)
                c = torch.zeros_like(h) if net.cell == "lstm" else None
                sequence = [None] * self.n_steps
                steps = range(self.n_steps - 1, -1, -1) if d else range(self.n_steps)
                for t in steps:
                    projected = torch.matmul(inputs[t], w_ih) + b_ih
                    h_new, c_new = net._step(projected, h, c, w_hh, b_hh, H)
                    h = torch.where(keep[t], h_new, h)
                    if c is not None:
                        c = torch.where(keep[t], c_new, c)
                    sequence[t] = h
                outputs.append((sequence, h))
            if D == 2:
                inputs = [
                    torch.cat([outputs[0][0][t], outputs[1][0][t]], dim=-1)
                    for t in range(self.n_steps)
                ]
                features = torch.cat([outputs[0][1], outputs[1][1]], dim=-1)
            else:
                inputs, features = outputs[0]
        members = torch.matmul(features, net.head_weight) + net.head_bias
        y = members.mean(dim=0)  # (batch, n_outputs)
        y = torch.where(bad.unsqueeze(1), torch.full_like(y, float("nan")), y)
        return y[:, 0] if self.flat_output else y


def exported_network(model) -> ExportedNetwork:
    """An :class:`ExportedNetwork` for the fitted ``model``, on the CPU, float32."""
    module = model.net_.module_
    network = RecurrentNetwork(
        n_features=module.n_features,
        n_outputs=module.n_outputs,
        hidden_size=module.hidden_size,
        num_layers=module.num_layers,
        cell=module.cell,
        bidirectional=module.bidirectional,
        n_members=module.n_members,
        init=module.init,
        seeds=module.seeds,
    )
    network.load_state_dict(
        {k: v.detach().to("cpu", torch.float32) for k, v in module.state_dict().items()}
    )
    index, refused, rows_2d = _column_map(model)
    flat_output = model._y_ndim == 1
    return ExportedNetwork(network, index, refused, flat_output, rows_2d).eval()


def _probe_rows(model, index, refused) -> np.ndarray:
    """Float32 rows to check the graph on: observed, gappy and empty windows."""
    rng = np.random.default_rng(0)
    rows = rng.normal(size=(N_PROBE_ROWS, model.n_features_in_)).astype(np.float32)
    usable = np.setdiff1d(index, refused)
    n_steps = index.shape[0]
    for r in range(1, N_PROBE_ROWS):
        # Row r: steps missing by a pattern of its bits (leading, interior, all).
        gaps = [t for t in range(n_steps) if (r >> (t % 4)) & 1]
        columns = np.intersect1d(index[gaps, :1].ravel(), usable)
        rows[r, columns] = np.nan
    return rows


def _check_graph(model, path, onnxruntime, network) -> None:
    """Run the graph in onnxruntime on probe rows; refuse it unless it
    reproduces ``predict``."""
    index = network.index.numpy().reshape(network.n_steps, network.n_features)
    rows = _probe_rows(model, index, network.refused.numpy())
    session = onnxruntime.InferenceSession(
        str(path), providers=["CPUExecutionProvider"]
    )
    got = session.run([OUTPUT_NAME], {INPUT_NAME: rows})[0]
    X = rows.astype(np.float64)
    names = getattr(model, "feature_names_in_", None)
    if not network.rows_2d:
        X = X.reshape(len(X), *model.window_shape_)
    elif names is not None:
        import pandas as pd

        X = pd.DataFrame(X, columns=names)
    expected = np.asarray(model.predict(X))
    scale = max(1.0, float(np.abs(expected).max()))
    error = float(np.abs(got.astype(np.float64) - expected).max())
    if got.shape != expected.shape or not error <= PROBE_RTOL * scale:
        raise RuntimeError(
            "LSTMRegressor.to_onnx: the exported graph does not reproduce "
            f"predict (largest difference {error:.3g} on {len(rows)} probe rows, "
            f"shape {got.shape} for {expected.shape}); the file was not kept. "
            f"This is a bug with torch {torch.__version__}; please report it."
        )


def to_onnx(model, path) -> pathlib.Path:
    """See :meth:`LSTMRegressor.to_onnx`."""
    check_is_fitted(model)
    if _stateful(model):
        raise ValueError(
            "LSTMRegressor.to_onnx cannot export a model fitted with "
            "stateful=True: its predict carries the recurrent state from row to "
            "row, which a graph of independent rows does not reproduce. Refit "
            "with stateful=False (each row a complete window) to export, or "
            "predict in Python."
        )
    _, onnxruntime = _import_onnx()
    path = pathlib.Path(path)
    network = exported_network(model)
    example = torch.zeros(3, model.n_features_in_)
    with warnings.catch_warnings():
        # torch's exporter warns about its own internals (pytree LeafSpec);
        # nothing the caller can act on.
        warnings.filterwarnings("ignore", category=FutureWarning, module="copyreg")
        program = torch.onnx.export(
            network,
            (example,),
            dynamo=True,
            input_names=[INPUT_NAME],
            output_names=[OUTPUT_NAME],
            dynamic_shapes={"X": {0: torch.export.Dim("batch")}},
            verbose=False,
        )
    tmp = path.with_name(path.name + ".tmp")
    try:
        program.save(str(tmp))
        _check_graph(model, tmp, onnxruntime, network)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
