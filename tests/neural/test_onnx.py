"""LSTMRegressor.to_onnx: the graph reproduces predict in onnxruntime."""

import doctest
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from sklearn.exceptions import NotFittedError

from sk_rnn import LSTMRegressor
from sk_rnn.neural import _onnx

ROOT = Path(__file__).parents[2]

ort = pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")
pytest.importorskip("onnxscript")

needs_exporter = pytest.mark.skipif(
    _onnx._torch_version() < _onnx.MIN_TORCH,
    reason=f"torch {torch.__version__} has no dynamo ONNX exporter",
)

#: name -> (LSTMRegressor parameters, columns of X, outputs (0: a 1-D y), 3-D fit)
CONFIGS = {
    "lstm": ({"n_steps": 4}, 8, 0, False),
    "gru_members_horizon": (
        {"cell": "gru", "n_ensemble": 3, "num_layers": 2, "n_steps": 3},
        6,
        3,
        False,
    ),
    "rnn_bidirectional": (
        {
            "cell": "rnn",
            "bidirectional": True,
            "num_layers": 2,
            "n_ensemble": 2,
            "n_steps": 3,
        },
        6,
        0,
        False,
    ),
    "newest_first_exogenous": ({"layout": "newest_first", "n_steps": 4}, 5, 2, False),
    "fitted_3d": ({}, 6, 0, True),
}


def _data(columns, outputs, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(48, columns))
    y = X[:, -2:].sum(axis=1) + 0.5 * X[:, 0]
    if outputs:
        y = np.column_stack([y * (k + 1) for k in range(outputs)])
    return X, y


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """name -> (fitted model, onnxruntime session), exported on first use."""
    cache = {}

    def get(name):
        if name not in cache:
            params, columns, outputs, three_d = CONFIGS[name]
            X, y = _data(columns, outputs)
            if three_d:
                X = X.reshape(len(X), 3, 2)
            model = LSTMRegressor(
                hidden_size=5, max_epochs=3, batch_size=16, random_state=0, **params
            ).fit(X, y)
            path = model.to_onnx(tmp_path_factory.mktemp(name) / "model.onnx")
            cache[name] = model, ort.InferenceSession(str(path))
        return cache[name]

    return get


def _run(session, X):
    return session.run(["y"], {"X": np.asarray(X, dtype=np.float32)})[0]


def _rows(columns, outputs):
    """Float32-representable rows: observed, leading, interior and all missing."""
    X, _ = _data(columns, outputs, seed=1)
    X = X[:12].astype(np.float32).astype(np.float64)
    X[1, :2] = np.nan  # the oldest step's values (a leading gap)
    X[2, 2] = np.nan  # one value of an interior step
    X[3, :] = np.nan  # nothing observed
    X[4, 1::2] = np.nan  # every other value
    return X


@needs_exporter
@pytest.mark.parametrize("name", list(CONFIGS))
def test_graph_reproduces_predict(exported, name):
    model, session = exported(name)
    _, columns, outputs, three_d = CONFIGS[name]
    X = _rows(columns, outputs)
    if name == "newest_first_exogenous":
        X[:, 4] = np.arange(len(X))  # the exogenous column: predict refuses NaN
    got = _run(session, X)
    expected = model.predict(X.reshape(len(X), 3, 2) if three_d else X)
    assert got.shape == expected.shape == ((len(X), outputs) if outputs else (len(X),))
    assert np.isfinite(expected).all()
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-5)
    # the batch axis is dynamic, and a row does not depend on its batch
    np.testing.assert_allclose(_run(session, X[5:6]), expected[5:6], rtol=0, atol=1e-5)


@needs_exporter
def test_missing_steps_are_skipped_not_zero(exported):
    """A window whose oldest steps are NaN predicts as the shorter window alone
    (an independent reading of predict's masking), and not as zeros there."""
    model, session = exported("lstm")
    X = _rows(8, 0)[:1]
    gappy = X.copy()
    gappy[0, :4] = np.nan  # the two oldest steps of 4 (2 features)
    newest = torch.tensor(X[:, 4:].reshape(1, 2, 2), dtype=torch.float32)
    with torch.no_grad():  # the fitted module on the newest 2 steps alone
        direct = model.net_.module_.eval()(newest)[:, 0, 0]
    zeros = X.copy()
    zeros[0, :4] = 0.0
    got = _run(session, gappy)
    np.testing.assert_allclose(got, direct.numpy(), rtol=0, atol=1e-5)
    assert abs(float(got[0]) - float(_run(session, zeros)[0])) > 1e-4


@needs_exporter
def test_refused_rows_come_out_nan(exported):
    model, session = exported("newest_first_exogenous")
    X = _rows(5, 2)[:3]
    X[:, 4] = 1.0
    X[0, 4] = np.nan  # the exogenous column, given at every step
    X[1, 0] = np.inf
    with pytest.raises(ValueError, match=r"got NaN in column\(s\) \[4\]"):
        model.predict(X[:1])
    with pytest.raises(ValueError, match="Input X contains infinity"):
        model.predict(X[1:2])
    got = _run(session, X)
    assert np.isnan(got[:2]).all()
    np.testing.assert_allclose(got[2:], model.predict(X[2:]), rtol=0, atol=1e-5)


@needs_exporter
def test_feature_names_and_pipeline_rows(tmp_path):
    """A model fitted on LagFeaturizer's DataFrame reads the same columns."""
    pd = pytest.importorskip("pandas")
    X, y = _data(6, 0)
    names = [f"{f}_lag{lag}" for lag in (2, 1, 0) for f in ("a", "b")]
    frame = pd.DataFrame(X, columns=names)
    model = LSTMRegressor(hidden_size=3, max_epochs=2, random_state=0).fit(frame, y)
    assert model.window_shape_ == (3, 2)
    session = ort.InferenceSession(str(model.to_onnx(tmp_path / "m.onnx")))
    rows = _rows(6, 0)
    expected = model.predict(pd.DataFrame(rows, columns=names))
    np.testing.assert_allclose(_run(session, rows), expected, rtol=0, atol=1e-5)


def test_unfitted_model_is_refused(tmp_path):
    with pytest.raises(NotFittedError, match="LSTMRegressor instance is not fitted"):
        LSTMRegressor().to_onnx(tmp_path / "m.onnx")
    assert not (tmp_path / "m.onnx").exists()


def test_stateful_model_is_refused(tmp_path):
    X, y = _data(2, 0)
    model = LSTMRegressor(hidden_size=2, max_epochs=1, stateful=True, random_state=0)
    model.fit(X, y)
    with pytest.raises(
        ValueError, match=r"LSTMRegressor.to_onnx cannot export .* stateful=True"
    ):
        model.to_onnx(tmp_path / "m.onnx")
    assert not (tmp_path / "m.onnx").exists()


@pytest.mark.parametrize("package", ["onnx", "onnxruntime", "onnxscript"])
def test_missing_package_names_the_extra(tmp_path, monkeypatch, package):
    X, y = _data(2, 0)
    model = LSTMRegressor(hidden_size=2, max_epochs=1, random_state=0).fit(X, y)
    monkeypatch.setitem(sys.modules, package, None)  # import raises ImportError
    with pytest.raises(ImportError, match=r"pip install sk-rnn\[onnx\]"):
        model.to_onnx(tmp_path / "m.onnx")


def test_old_torch_is_refused(tmp_path, monkeypatch):
    X, y = _data(2, 0)
    model = LSTMRegressor(hidden_size=2, max_epochs=1, random_state=0).fit(X, y)
    monkeypatch.setattr(_onnx, "_torch_version", lambda: (2, 4))
    with pytest.raises(ImportError, match=r"needs torch>=2\.6; got torch"):
        model.to_onnx(tmp_path / "m.onnx")


@needs_exporter
def test_graph_that_differs_from_predict_is_not_kept(tmp_path, monkeypatch):
    X, y = _data(2, 0)
    model = LSTMRegressor(hidden_size=2, max_epochs=1, random_state=0).fit(X, y)
    good = model.predict
    monkeypatch.setattr(model, "predict", lambda X: good(X) + 1e-2)
    with pytest.raises(RuntimeError, match="does not reproduce predict"):
        model.to_onnx(tmp_path / "m.onnx")
    assert list(tmp_path.iterdir()) == []


@needs_exporter
def test_export_page_runs():
    """docs/export.rst: every example on the page runs as written."""
    result = doctest.testfile(
        str(ROOT / "docs" / "export.rst"),
        module_relative=False,
        optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS,
    )
    assert result.attempted > 5
    assert result.failed == 0
