"""sk_rnn and skops: a fitted model dumps to skops' format and loads back
trusting sk_rnn's own classes and nothing else (no torch, skorch or pandas
type: the state is plain values and arrays)."""

import sys
from pathlib import Path

import numpy as np
import pytest
from _interop import require, wave

import sk_rnn
from sk_rnn import LSTMRegressor, make_forecaster
from sk_rnn.datasets import load_m3, load_shampoo

sio = require("skops.io", "skops")


def _roundtrip(model):
    data = sio.dumps(model)
    untrusted = sio.get_untrusted_types(data=data)
    # everything skops does not trust by itself is one of sk_rnn's classes
    assert set(untrusted) <= set(sk_rnn.safe_classes(names=True)), untrusted
    with pytest.raises(sio.exceptions.UntrustedTypesFoundException):
        sio.loads(data)
    return sio.loads(data, trusted=untrusted), untrusted


def test_a_fitted_forecaster_round_trips_with_only_sk_rnn_types_trusted():
    X, y = load_shampoo(return_X_y=True)
    model = make_forecaster(max_epochs=30, random_state=0).fit(X[:-12], y[:-12])
    loaded, untrusted = _roundtrip(model)
    assert sorted(untrusted) == [
        "sk_rnn.compose._pipeline.SeriesPipeline",
        "sk_rnn.compose._target.DifferencedTargetRegressor",
        "sk_rnn.neural._estimator.LSTMRegressor",
        "sk_rnn.preprocessing._difference.DifferenceTransformer",
        "sk_rnn.preprocessing._lag.LagFeaturizer",
        "sk_rnn.series._panel.PanelHistory",
        "sk_rnn.series._time.TimeAxis",
    ]
    # the loaded model continues the series from the same history
    np.testing.assert_array_equal(loaded.predict(X[-12:]), model.predict(X[-12:]))
    # and knows the fitted time axis: a block that does not continue it is
    # read as it was before saving (the same warning, the same forecast)
    assert (
        loaded.regressor_._history.axes[0].last
        == model.regressor_._history.axes[0].last
    )


def test_an_ensemble_with_early_stopping_continues_training_after_loading():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(80, 3)), wave(80)
    params = {"n_ensemble": 3, "early_stopping": "holdout", "max_epochs": 8}
    model = LSTMRegressor(random_state=0, **params).fit(X, y)
    loaded, _ = _roundtrip(model)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    model.set_params(warm_start=True).fit(X, y)
    loaded.set_params(warm_start=True).fit(X, y)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


def test_a_panel_forecaster_round_trips():
    panel = load_m3("other").iloc[:300]
    y = panel.groupby(level=0)["value"].shift(-1).dropna()
    X = panel.loc[y.index]
    model = make_forecaster(
        max_epochs=3, stateful=False, batch_size=32, lags=4, scale="series",
        random_state=0,
    )  # fmt: skip
    model.fit(X, y)
    loaded, untrusted = _roundtrip(model)
    assert "sk_rnn.series._panel.PanelHistory" in untrusted
    assert "sk_rnn.preprocessing._scaler.SeriesScaler" in untrusted
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    # the per-series history came back: the next step of every series
    assert loaded.regressor_.history_.equals(model.regressor_.history_)


FILES_0_2 = Path(__file__).parents[1] / "compat" / "files_0_2"


@pytest.mark.parametrize("name", ["seed", "panel", "ensemble"])
def test_skops_files_written_by_0_2_load_and_predict_as_they_did(name):
    """0.2 stored its classes under flat module paths (sk_rnn._lstm, ...)."""
    sys.path.insert(0, str(FILES_0_2.parent))
    from _fixture_data import one_series, panel, windows

    data = (FILES_0_2 / f"{name}.skops").read_bytes()
    untrusted = sio.get_untrusted_types(data=data)
    assert untrusted and all(
        not t.startswith("sk_rnn.") or "._" in t for t in untrusted
    )
    assert set(untrusted) <= set(sk_rnn.safe_classes(names=True, legacy=True))
    assert not set(untrusted) & set(sk_rnn.safe_classes(names=True))
    model = sio.loads(data, trusted=sk_rnn.safe_classes(names=True, legacy=True))
    X = {
        "seed": one_series()[0][-12:],
        "panel": panel()[0].groupby(level=0).tail(6),
        "ensemble": windows()[0],
    }[name]
    expected = np.load(FILES_0_2 / "predictions.npz")[name]
    np.testing.assert_array_equal(model.predict(X), expected)


@pytest.mark.parametrize(
    "ids",
    [[False, True], [np.datetime64("2020-01-01"), np.datetime64("2021-01-01")]],
    ids=["bool", "timestamp"],
)
def test_a_panel_with_unusual_ids_round_trips(ids):
    """0.2: bool ids lost one series' history, Timestamp ids made dumps fail."""
    import pandas as pd
    from sklearn.linear_model import LinearRegression
    from sklearn.preprocessing import MinMaxScaler

    from sk_rnn import (
        DifferenceTransformer,
        LagFeaturizer,
        SeriesScaler,
        make_series_pipeline,
    )

    frames = []
    for k, key in enumerate(pd.Index(ids)):
        t = pd.period_range("2000-01", periods=12, freq="M")
        index = pd.MultiIndex.from_arrays([[key] * 12, t], names=["id", "t"])
        values = np.arange(12.0) * (k + 1) + np.sin(np.arange(12))
        frames.append(pd.DataFrame({"v": values}, index=index))
    panel = pd.concat(frames)
    train = panel.groupby(level=0).head(9)
    test = panel.drop(index=train.index)
    model = make_series_pipeline(
        SeriesScaler(MinMaxScaler()), DifferenceTransformer(), LagFeaturizer(lags=2),
        LinearRegression(),
    ).fit(train, train["v"])  # fmt: skip
    loaded, untrusted = _roundtrip(model)
    np.testing.assert_array_equal(loaded.predict(test), model.predict(test))


def test_a_forecaster_with_a_simple_imputer_also_needs_numpy_dtype_trusted():
    """SimpleImputer keeps the dtype it was fitted on (a numpy.dtype), which
    skops 0.16 does not trust by itself. Trusting it is safe: skops rebuilds
    a dtype from an empty array read with allow_pickle=False. It is not one
    of sk_rnn's classes, so safe_classes() leaves it to the user."""
    from sklearn.impute import SimpleImputer
    from sklearn.preprocessing import MinMaxScaler

    from sk_rnn import (
        DifferencedTargetRegressor,
        DifferenceTransformer,
        LagFeaturizer,
        make_series_pipeline,
    )

    X, y = load_shampoo(return_X_y=True)
    imputer = SimpleImputer(strategy="constant", fill_value=0, keep_empty_features=True)
    model = DifferencedTargetRegressor(
        make_series_pipeline(
            DifferenceTransformer(), imputer, LagFeaturizer(lags=2),
            MinMaxScaler((-1, 1)), LSTMRegressor(max_epochs=5, random_state=0),
        ),
        transformer=MinMaxScaler((-1, 1)),
    ).fit(X[:-12], y[:-12])  # fmt: skip
    data = sio.dumps(model)
    untrusted = set(sio.get_untrusted_types(data=data))
    assert untrusted - set(sk_rnn.safe_classes(names=True)) == {"numpy.dtype"}
    with pytest.raises(
        sio.exceptions.UntrustedTypesFoundException, match="numpy.dtype"
    ):
        sio.loads(data, trusted=sk_rnn.safe_classes(names=True))
    loaded = sio.loads(data, trusted=sk_rnn.safe_classes(names=True) + ["numpy.dtype"])
    np.testing.assert_array_equal(loaded.predict(X[-12:]), model.predict(X[-12:]))
    assert loaded.regressor_[1].statistics_.tolist() == [0]
