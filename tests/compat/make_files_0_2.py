"""Write the model files of ``files_0_2/`` (run once, at sk_rnn 0.2.0.dev0).

These files are fixtures: they were written by sk_rnn 0.2 (commit 948cc36,
before the 0.3 package layout) with::

    python tests/compat/make_files_0_2.py        # pickles and a save() file
    python tests/compat/make_files_0_2.py skops  # needs skops (0.16)

and ``test_files_from_0_2.py`` checks that today's sk_rnn loads them and
predicts exactly what 0.2 predicted (``predictions.npz``). Do not rerun it
with a newer sk_rnn: the point is files written by the old code.
"""

import pickle
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _fixture_data import one_series, panel, windows  # noqa: E402

from sk_rnn import LSTMRegressor, __version__, make_forecaster  # noqa: E402

HERE = Path(__file__).parent / "files_0_2"


def models():
    X, y = one_series()
    seed = make_forecaster(max_epochs=20, random_state=0).fit(X[:-12], y[:-12])
    PX, Py = panel()
    train = PX.groupby(level=0).head(24).index
    panel_model = make_forecaster(
        max_epochs=5, stateful=False, batch_size=16, lags=3, scale="series",
        random_state=0,
    ).fit(PX.loc[train], Py.loc[train])  # fmt: skip
    WX, Wy = windows()
    ensemble = LSTMRegressor(
        hidden_size=6, n_ensemble=3, max_epochs=8, early_stopping="holdout",
        random_state=0,
    ).fit(WX, Wy)  # fmt: skip
    test = PX.drop(index=train)
    predictions = {
        "seed": seed.predict(X[-12:]),
        "panel": panel_model.predict(test),
        "ensemble": ensemble.predict(WX),
    }
    return {"seed": seed, "panel": panel_model, "ensemble": ensemble}, predictions


def main(argv):
    HERE.mkdir(exist_ok=True)
    fitted, predictions = models()
    if argv[1:] == ["skops"]:
        import skops.io as sio

        for name, model in fitted.items():
            sio.dump(model, HERE / f"{name}.skops")
        return
    assert __version__ == "0.2.0.dev0", __version__
    np.savez(HERE / "predictions.npz", **predictions)
    for name, model in fitted.items():
        (HERE / f"{name}.pkl").write_bytes(pickle.dumps(model, protocol=4))
    fitted["ensemble"].save(HERE / "ensemble.skrnn")


if __name__ == "__main__":
    main(sys.argv)
