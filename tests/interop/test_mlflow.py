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
from mlflow.models import infer_signature  # noqa: E402


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


def test_autolog_logs_nothing_misleading_and_the_manual_recipe_logs_the_forecaster(
    tmp_path,
):
    """autolog patches scikit-learn's own classes only; the forecaster's fit
    no longer goes through the Pipeline.fit_transform it patches, so no run
    with an inner transformer Pipeline appears. The forecaster is logged by
    hand, with its parameters, signature and input example."""
    mlflow.set_tracking_uri(f"sqlite:///{tmp_path / 'mlflow.db'}")
    artifacts = (tmp_path / "artifacts").as_uri()
    mlflow.set_experiment(experiment_id=mlflow.create_experiment("auto", artifacts))
    X, y = load_shampoo(return_X_y=True)
    mlflow.sklearn.autolog()
    try:
        model = make_forecaster(max_epochs=5, random_state=0).fit(X[:-12], y[:-12])
    finally:
        mlflow.sklearn.autolog(disable=True)
    assert len(mlflow.search_runs()) == 0
    signature = infer_signature(X[:-12], model.predict(X[:-12]))
    with mlflow.start_run() as run:
        mlflow.log_params(model.get_params(deep=False))
        info = mlflow.sklearn.log_model(
            model, name="model", signature=signature, input_example=X[:3],
            skops_trusted_types=sk_rnn.safe_classes(names=True),
        )  # fmt: skip
    logged = mlflow.get_run(run.info.run_id).data.params
    assert logged["reference"] == "0"
    assert mlflow.models.get_model_info(info.model_uri).signature == signature
    loaded = mlflow.sklearn.load_model(info.model_uri)
    np.testing.assert_array_equal(loaded.predict(X[-12:]), model.predict(X[-12:]))


class _Forecaster(mlflow.pyfunc.PythonModel):
    """The docs' wrapper: hands ``params`` (``history``) to predict."""

    def load_context(self, context):
        self.model = mlflow.sklearn.load_model(context.artifacts["forecaster"])

    def predict(self, context, model_input, params=None):
        # A request has no time index; the signature has put the columns in
        # the fitted order, so the rows go as an array and history says what
        # they are.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "X does not have valid feature names")
            return self.model.predict(model_input.to_numpy(), **(params or {}))


def test_sklearn_flavour_drops_params_loudly_and_the_wrapper_honours_them(
    fitted, tmp_path
):
    model, info, X_test = fitted
    request = X_test.reset_index(drop=True)
    expected = model.predict(X_test)  # the index continues the training rows
    # mlflow's sklearn flavour calls predict(data) without params: history
    # never arrives, and the model says it lacks history.
    served = mlflow.pyfunc.load_model(info.model_uri)
    with pytest.warns(MissingHistoryWarning, match="need history"):
        served.predict(request, params={"history": "fit"})
    path = tmp_path / "forecaster"
    mlflow.sklearn.save_model(
        model, path, skops_trusted_types=sk_rnn.safe_classes(names=True)
    )
    signature = infer_signature(X_test, expected, params={"history": "auto"})
    with mlflow.start_run():
        wrapped = mlflow.pyfunc.log_model(
            name="forecaster", python_model=_Forecaster(),
            artifacts={"forecaster": str(path)}, signature=signature,
        )  # fmt: skip
    served = mlflow.pyfunc.load_model(wrapped.model_uri)
    with warnings.catch_warnings():
        warnings.simplefilter("error", MissingHistoryWarning)
        got = served.predict(request, params={"history": "fit"})
    np.testing.assert_allclose(np.asarray(got).ravel(), expected, rtol=1e-12)
    with pytest.warns(MissingHistoryWarning, match="need history"):
        served.predict(request)  # the default, "auto", cannot tell
