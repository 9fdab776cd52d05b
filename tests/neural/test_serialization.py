"""The plain state behind pickle, joblib, skops, mlflow and darts' safe load,
the window layouts other libraries write, and the documentation links."""

import io
import pickle
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_array_equal
from sklearn.utils import estimator_html_repr

import sk_rnn
from sk_rnn import (
    DifferenceTransformer,
    LagFeaturizer,
    LSTMRegressor,
    SeriesPipeline,
    SeriesScaler,
    make_forecaster,
    make_series_pipeline,
)
from sk_rnn._utils._plain import decode, encode
from sk_rnn.datasets import load_m3, load_shampoo

#: Modules whose globals a pickled sk_rnn model may name: nothing from torch,
#: skorch or pandas, so loading it builds arrays and sk_rnn's own classes.
ALLOWED = ("builtins", "copyreg", "_codecs", "numpy", "sk_rnn", "sklearn")


def _globals(blob: bytes) -> set:
    """The module of every global that loading the pickle looks up."""
    found = set()

    class Recorder(pickle.Unpickler):
        def find_class(self, module, name):
            found.add(module)
            return super().find_class(module, name)

    Recorder(io.BytesIO(blob)).load()
    return found


def _shampoo_model(**params):
    X, y = load_shampoo(return_X_y=True)
    model = make_forecaster(max_epochs=5, random_state=0, **params)
    return model.fit(X[:-12], y[:-12]), X[-12:]


def _panel_model():
    panel = load_m3("other").iloc[:200]
    y = panel.groupby(level=0)["value"].shift(-1).dropna()
    X = panel.loc[y.index]
    model = make_forecaster(
        max_epochs=2, stateful=False, batch_size=32, lags=3, scale="series",
        random_state=0,
    )  # fmt: skip
    return model.fit(X, y), X  # the fitted block: read as each series start


@pytest.mark.parametrize(
    "build",
    [
        _shampoo_model,
        lambda: _shampoo_model(n_ensemble=2, early_stopping="holdout", stateful=False),
        _panel_model,
    ],
    ids=["seed", "ensemble-early-stopping", "panel"],
)
def test_a_pickled_model_names_no_torch_skorch_or_pandas_class(build):
    model, X_test = build()
    blob = pickle.dumps(model)
    modules = _globals(blob)
    assert all(m.split(".")[0] in ALLOWED for m in modules), modules
    restored = pickle.loads(blob)
    assert_array_equal(restored.predict(X_test), model.predict(X_test))
    assert_array_equal(
        pickle.loads(pickle.dumps(restored)).predict(X_test), model.predict(X_test)
    )


def test_the_pickled_state_continues_training_exactly():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 3)), rng.normal(size=40)
    model = LSTMRegressor(max_epochs=4, random_state=0, dropout=0.2, shuffle=True)
    model.fit(X, y)
    restored = pickle.loads(pickle.dumps(model))
    model.set_params(warm_start=True).fit(X, y)
    restored.set_params(warm_start=True).fit(X, y)
    assert_array_equal(restored.predict(X), model.predict(X))
    assert restored.n_iter_ == model.n_iter_ == 8


def test_an_unfitted_estimator_pickles_its_parameters_only():
    model = LSTMRegressor(hidden_size=3, layout=[(2, 1)])
    state = model.__getstate__()
    assert "_sk_rnn_fitted" not in state
    assert pickle.loads(pickle.dumps(model)).get_params() == model.get_params()


def test_a_state_of_another_version_is_refused():
    rng = np.random.default_rng(0)
    model = LSTMRegressor(max_epochs=1).fit(rng.normal(size=(10, 2)), np.zeros(10))
    state = model.__getstate__()
    state["_sk_rnn_fitted"]["version"] = 99
    with pytest.raises(ValueError, match="cannot restore a state of version 99"):
        LSTMRegressor.__new__(LSTMRegressor).__setstate__(state)


@pytest.mark.parametrize(
    "value",
    [
        pd.period_range("2020-01", periods=3, freq="M", name="month"),
        pd.date_range("2020-01-01", periods=3, freq="D", tz="Europe/Paris"),
        pd.date_range("2020-01-31", periods=3, freq="ME").as_unit("s"),
        pd.timedelta_range("1h", periods=3, freq="h"),
        pd.RangeIndex(2, 11, 3, name="t"),
        pd.Index(["a", "b"], name="id"),
        pd.Index([1.5, 2.5]),
        pd.MultiIndex.from_product([["a", "b"], pd.period_range("2020", periods=2)]),
        pd.Period("2020-03", freq="M"),
        pd.Timestamp("2020-01-01 10:00", tz="UTC"),
        pd.Timedelta("3D"),
        pd.offsets.MonthEnd(2),
        pd.DataFrame({"x": [1.0, 2.0], "y": [3, 4]}, index=pd.Index([5, 6])),
    ],
    ids=lambda v: type(v).__name__,
)
def test_pandas_values_are_written_as_plain_values_and_read_back(value):
    encoded = encode({"value": [value, (value,)]})
    assert "pandas" not in {m.split(".")[0] for m in _globals(pickle.dumps(encoded))}
    decoded = decode(encoded)["value"]
    for got in (decoded[0], decoded[1][0]):
        if isinstance(value, pd.DataFrame):
            pd.testing.assert_frame_equal(got, value)
        elif isinstance(value, pd.Index):
            pd.testing.assert_index_equal(got, value, exact=True)
            assert getattr(got, "freq", None) == getattr(value, "freq", None)
        else:
            assert got == value and type(got) is type(value)


def test_an_object_array_of_ids_is_written_item_by_item():
    """Series ids of a panel (Timestamps, bools, tuples) in an object array."""
    ids = np.empty(3, dtype=object)
    ids[:] = [pd.Timestamp("2020-01-01"), True, "a"]
    encoded = encode({"series_": ids})
    assert "pandas" not in {m.split(".")[0] for m in _globals(pickle.dumps(encoded))}
    decoded = decode(encoded)["series_"]
    assert decoded.dtype == object and decoded.shape == (3,)
    assert list(decoded) == list(ids) and type(decoded[1]) is bool


def test_a_numeric_polars_frame_is_written_as_arrays_and_read_back():
    pl = pytest.importorskip("polars")
    frame = pl.DataFrame({"x": [1.0, 2.0], "n": [3, 4]})
    encoded = encode(frame)
    assert "polars" not in {m.split(".")[0] for m in _globals(pickle.dumps(encoded))}
    decoded = decode(encoded)
    assert decoded.equals(frame) and decoded.dtypes == frame.dtypes
    text = pl.DataFrame({"s": ["a", "b"]})
    assert encode(text) is text  # no plain form: kept as it is


def test_a_value_without_a_plain_form_is_kept_as_it_is():
    value = pd.CategoricalIndex(["a", "b"])
    assert encode(value) is value
    assert encode([pd.DateOffset(months=1, days=2)])[0] == pd.DateOffset(
        months=1, days=2
    )


def test_safe_classes_are_the_classes_of_a_fitted_models_state():
    names = set(sk_rnn.safe_classes(names=True))
    assert {c.__name__ for c in sk_rnn.safe_classes()} == {
        n.rsplit(".", 1)[1] for n in names
    }
    for build in (_shampoo_model, _panel_model):
        model, _ = build()
        modules = {m for m in _globals(pickle.dumps(model)) if m.startswith("sk_rnn")}
        assert modules <= {n.rsplit(".", 1)[0] for n in names}


def _windows(X, order):
    return np.ascontiguousarray(X[:, ::order, None])


def test_newest_first_layout_reads_the_reversed_lags_and_static_columns():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 5)), rng.normal(size=40)
    model = LSTMRegressor(
        max_epochs=3, random_state=0, n_steps=3, layout="newest_first"
    )
    model.fit(X, y)
    W = np.concatenate(
        [X[:, :3][:, ::-1, None], np.repeat(X[:, None, 3:], 3, axis=1)], axis=2
    )
    hand = LSTMRegressor(max_epochs=3, random_state=0).fit(W, y)
    assert model.window_shape_ == (3, 3)
    assert_array_equal(model.predict(X), hand.predict(W))
    every = LSTMRegressor(max_epochs=3, random_state=0, layout="newest_first")
    with pytest.raises(ValueError, match="cannot tell the lags"):  # unnamed
        every.fit(X[:, :3], y)
    every.set_params(n_steps=3).fit(X[:, :3], y)  # every column is a lag
    hand = LSTMRegressor(max_epochs=3, random_state=0).fit(_windows(X[:, :3], -1), y)
    assert_array_equal(every.predict(X[:, :3]), hand.predict(_windows(X[:, :3], -1)))


def test_block_layout_aligns_blocks_at_the_newest_step():
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(30, 3 + 4 + 1)), rng.normal(size=30)
    layout = [(3, 1), (2, 2)]  # 3 target steps, 2 steps of 2 covariates, 1 static
    model = LSTMRegressor(max_epochs=2, random_state=0, layout=layout).fit(X, y)
    target = X[:, :3, None]
    cov = X[:, 3:7].reshape(30, 2, 2)
    cov = np.concatenate([cov[:, :1], cov], axis=1)  # its oldest step repeated
    static = np.repeat(X[:, None, 7:], 3, axis=1)
    W = np.concatenate([target, cov, static], axis=2)
    hand = LSTMRegressor(max_epochs=2, random_state=0).fit(W, y)
    assert model.window_shape_ == (3, 4)
    assert_array_equal(model.predict(X), hand.predict(W))
    restored = LSTMRegressor.load(model.save(_tmp_file()))
    assert restored.layout == [[3, 1], [2, 2]] or restored.layout == layout
    assert_array_equal(restored.predict(X), model.predict(X))


def _tmp_file():
    import tempfile
    from pathlib import Path

    return Path(tempfile.mkdtemp()) / "m.skrnn"


@pytest.mark.parametrize(
    ("params", "n_columns", "message"),
    [
        ({"layout": [(0, 1)]}, 4, "non-empty list of \\(n_steps, n_features\\)"),
        ({"layout": []}, 4, "non-empty list"),
        ({"layout": [(2, 1)], "n_steps": 2}, 4, "n_steps=2 and a list layout"),
        ({"layout": [(3, 2)]}, 4, "4 columns, fewer than the 6"),
        ({"layout": "newest_first", "n_steps": 5}, 4, "fewer than the 5"),
    ],
)
def test_layout_errors(params, n_columns, message):
    X = np.random.default_rng(0).normal(size=(12, n_columns))
    with pytest.raises(ValueError, match=message):
        LSTMRegressor(max_epochs=1, **params).fit(X, np.zeros(12))


def test_nan_in_a_column_given_at_every_step_is_refused():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 4)), rng.normal(size=20)
    model = LSTMRegressor(max_epochs=1, n_steps=3, layout="newest_first")
    model.fit(X, y)
    X[5, 3] = np.nan
    for call in (lambda: model.predict(X), lambda: model.fit(X, y)):
        with pytest.raises(ValueError, match=r"got NaN in column\(s\) \[3\]"):
            call()
    X[5, 3], X[6, 1] = 0.0, np.nan  # a missing lag is a missing step, as ever
    assert np.isfinite(model.predict(X)).all()


def test_newest_first_column_names_with_the_default_layout_are_refused():
    X = pd.DataFrame(np.random.default_rng(0).normal(size=(12, 3)))
    X.columns = ["y_lag_1", "y_lag_2", "y_lag_3"]
    with pytest.raises(ValueError, match="set layout='newest_first'"):
        LSTMRegressor(max_epochs=1).fit(X, np.zeros(12))
    LSTMRegressor(max_epochs=1, layout="newest_first").fit(X, np.zeros(12))


def test_a_series_pipeline_refuses_a_layout_beside_lagfeaturizer():
    X = pd.DataFrame({"x": np.arange(20.0)})
    pipe = make_series_pipeline(
        LagFeaturizer(3), LSTMRegressor(max_epochs=1, layout="newest_first")
    )
    with pytest.raises(ValueError, match="oldest step first, but the final"):
        pipe.fit(X, np.arange(20.0))


@pytest.mark.parametrize(
    "estimator",
    [
        DifferenceTransformer(),
        LagFeaturizer(),
        SeriesScaler(),
        LSTMRegressor(),
        SeriesPipeline([("lstm", LSTMRegressor())]),
        sk_rnn.DifferencedTargetRegressor(LSTMRegressor()),
    ],
    ids=lambda e: type(e).__name__,
)
def test_the_html_repr_links_to_sk_rnns_api_page(estimator):
    name = type(estimator).__name__
    link = estimator._get_doc_link()
    assert re.fullmatch(
        rf"https://sk-rnn\.readthedocs\.io/en/(latest|[0-9.]+)/generated/"
        rf"sk_rnn\.{name}\.html",
        link,
    ), link
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert link in estimator_html_repr(estimator)
    # the page exists: the API reference lists the class
    from pathlib import Path

    api = (Path(__file__).parents[2] / "docs" / "api.rst").read_text()
    assert re.search(rf"^\s+{name}$", api, re.M), name


@pytest.mark.skipif(not __import__("torch").cuda.is_available(), reason="needs CUDA")
def test_a_cuda_model_pickles_through_arrays_and_stays_on_the_gpu():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 3)), rng.normal(size=40)
    model = LSTMRegressor(max_epochs=3, random_state=0, device="cuda").fit(X, y)
    restored = pickle.loads(pickle.dumps(model))
    assert restored.device == "cuda"
    assert next(restored.net_.module_.parameters()).device.type == "cuda"
    assert_array_equal(restored.predict(X), model.predict(X))
