"""sk_rnn and mlflow: log_model and load_model with mlflow's default
serializer for scikit-learn models (skops, since mlflow 3), trusting
sk_rnn's classes; the pyfunc flavour serves the same forecasts."""

import warnings

import numpy as np
import pytest
from _interop import require

import sk_rnn
from sk_rnn import make_forecaster
from sk_rnn.datasets import load_shampoo
from sk_rnn.exceptions import MissingHistoryWarning

require("mlflow", "mlflow")
import mlflow  # noqa: E402
import mlflow.sklearn  # noqa: E402


@pytest.fixture
def fitted(tmp_path):
    mlflow.set_tracking_uri(f"sqlite:///{tmp_path / 'mlflow.db'}")
    artifacts = (tmp_path / "artifacts").as_uri()
    mlflow.set_experiment(experiment_id=mlflow.create_experiment("sk_rnn", artifacts))
    X, y = load_shampoo(return_X_y=True)
    model = make_forecaster(max_epochs=30, random_state=0).fit(X[:-12], y[:-12])
    with mlflow.start_run():
        info = mlflow.sklearn.log_model(
            model, name="model", skops_trusted_types=sk_rnn.safe_classes(names=True)
        )
    return model, info, X[-12:]


def test_the_default_serializer_is_skops_and_round_trips(fitted):
    model, info, X_test = fitted
    local = mlflow.artifacts.download_artifacts(info.model_uri)
    flavor = mlflow.models.Model.load(local).flavors["sklearn"]
    assert flavor["serialization_format"] == "skops"
    loaded = mlflow.sklearn.load_model(info.model_uri)
    np.testing.assert_array_equal(loaded.predict(X_test), model.predict(X_test))


def test_pyfunc_serves_the_same_forecast_and_is_loud_without_the_index(fitted):
    model, info, X_test = fitted
    served = mlflow.pyfunc.load_model(info.model_uri)
    np.testing.assert_array_equal(
        np.asarray(served.predict(X_test)).ravel(), model.predict(X_test)
    )
    # A request body carries no pandas index: the model cannot tell that the
    # rows continue the training series, and says so.
    with warnings.catch_warnings():
        warnings.simplefilter("error", MissingHistoryWarning)
        with pytest.raises(MissingHistoryWarning, match="history"):
            served.predict(X_test.reset_index(drop=True))
