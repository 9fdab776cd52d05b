"""Files written by earlier releases load in today's layout and predict as they did.

``files_0_2/`` holds pickles and a ``save()`` file that sk_rnn 0.2 wrote
(``make_files_0_2.py``, commit 948cc36) with its predictions; 0.2 kept its
modules flat (``sk_rnn._lstm``), and a pickle names the module of every class.
The skops files are checked in the skops session (``tests/interop``).
"""

import importlib
import pickle
import sys
from pathlib import Path

import numpy as np
import pytest
from _fixture_data import one_series, panel, windows

import sk_rnn
from sk_rnn import LSTMRegressor

FILES = Path(__file__).parent / "files_0_2"

#: The pickles were written with NumPy 2, whose arrays pickle as
#: ``numpy._core``; NumPy 1.x cannot unpickle them (a NumPy limit, not
#: sk_rnn's: the model files, which hold no pickles, load everywhere).
NUMPY_2_PICKLES = pytest.mark.skipif(
    int(np.__version__.split(".")[0]) < 2,
    reason="pickles written with NumPy 2 do not unpickle under NumPy 1.x",
)
EXPECTED = np.load(FILES / "predictions.npz")


def _blocks():
    X, _ = one_series()
    PX, _ = panel()
    return {
        "seed": X[-12:],  # continues the fitted index: exact history
        "panel": PX.groupby(level=0).tail(6),  # each series' next 6 steps
        "ensemble": windows()[0],
    }


@pytest.mark.parametrize("name", ["seed", "panel", "ensemble"])
@NUMPY_2_PICKLES
def test_a_0_2_pickle_loads_and_predicts_exactly_as_0_2_did(name):
    data = (FILES / f"{name}.pkl").read_bytes()
    assert b"sk_rnn._" in data  # it names 0.2's flat modules
    model = pickle.loads(data)
    np.testing.assert_array_equal(model.predict(_blocks()[name]), EXPECTED[name])


def test_a_0_2_save_file_loads_and_predicts_exactly_as_0_2_did():
    model = LSTMRegressor.load(FILES / "ensemble.skrnn")
    assert model.n_ensemble == 3
    np.testing.assert_array_equal(model.predict(windows()[0]), EXPECTED["ensemble"])


def test_the_0_2_module_paths_are_the_new_modules_and_nothing_else():
    from sk_rnn._utils._legacy import MODULES

    for old, new in MODULES.items():
        assert importlib.import_module(old) is importlib.import_module(new)
    assert sys.modules["sk_rnn._lstm"].LSTMRegressor is LSTMRegressor
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("sk_rnn._no_such_module")


def test_safe_classes_names_the_new_paths_and_on_request_the_0_2_ones():
    new = sk_rnn.safe_classes(names=True)
    assert "sk_rnn.neural._estimator.LSTMRegressor" in new
    assert not any(name.startswith("sk_rnn._lstm") for name in new)
    both = sk_rnn.safe_classes(names=True, legacy=True)
    assert set(new) < set(both)
    assert "sk_rnn._lstm.LSTMRegressor" in both
    assert "sk_rnn._series.TimeAxis" in both
    assert "sk_rnn._panel.PanelHistory" in both


@NUMPY_2_PICKLES
def test_0_2_transformers_continue_and_invert_as_they_did():
    """Fitted alone on one series (unstacked state) and on a panel."""
    fitted = pickle.loads((FILES / "transformers.pkl").read_bytes())
    expected = np.load(FILES / "transformers.npz")
    X, _ = one_series()
    PX, _ = panel()
    test = PX.drop(index=PX.groupby(level=0).head(24).index)
    diff = fitted["diff"]
    np.testing.assert_array_equal(diff.transform(X[-12:]), expected["diff"])
    np.testing.assert_allclose(
        diff.inverse_transform(diff.transform(X[-12:])), expected["diff_inverse"]
    )
    np.testing.assert_array_equal(fitted["lag"].transform(X[-12:]), expected["lag"])
    for name in ("panel_diff", "panel_lag"):
        np.testing.assert_array_equal(fitted[name].transform(test), expected[name])


OLDER = {
    "0.1.0": (Path(__file__).parent / "files_0_1" / "ensemble", "predictions.npy"),
    "0.2 before layout": (FILES / "before_layout", "before_layout_predictions.npy"),
}


@pytest.mark.parametrize("release", list(OLDER))
@pytest.mark.parametrize("how", ["load", "pickle"])
def test_files_of_older_releases_load_predict_and_continue(release, how):
    """0.2 refused a 0.1.0 file as "changed or damaged", a file from before
    the layout parameter as "parameters do not match", and such a pickle
    with an AttributeError."""
    stem, predictions = OLDER[release]
    if how == "pickle" and int(np.__version__.split(".")[0]) < 2:
        pytest.skip("pickles written with NumPy 2 do not unpickle under NumPy 1.x")
    if how == "load":
        model = LSTMRegressor.load(stem.with_suffix(".skrnn"))
    else:
        model = pickle.loads(stem.with_suffix(".pkl").read_bytes())
    X, y = windows()
    expected = np.load(stem.parent / predictions)
    np.testing.assert_allclose(model.predict(X), expected, rtol=1e-6)
    assert model.layout == "steps"  # what those releases read
    model.set_params(warm_start=True).fit(X, y)
    assert model.n_iter_ == 6


def test_a_0_1_file_whose_tensors_were_changed_is_refused(tmp_path):
    import json
    import zipfile

    source = Path(__file__).parent / "files_0_1" / "ensemble.skrnn"
    with zipfile.ZipFile(source) as archive:
        meta = json.loads(archive.read("sk_rnn.json"))
        blob = archive.read("tensors.pt")
    meta["sha256"] = "0" * 64
    changed = tmp_path / "changed.skrnn"
    with zipfile.ZipFile(changed, "w") as archive:
        archive.writestr("sk_rnn.json", json.dumps(meta))
        archive.writestr("tensors.pt", blob)
    with pytest.raises(ValueError, match="a file of sk_rnn 0.1.*changed or damaged"):
        LSTMRegressor.load(changed)
