"""SeriesPipeline fits its transforming steps one by one, not through
``Pipeline.fit_transform`` (which mlflow's autolog patches and would log as
the model); Pipeline's own machinery is used when memory, verbose or metadata
routing ask for it."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import Pipeline

from sk_rnn import DifferenceTransformer, LagFeaturizer, make_series_pipeline

SERIES = np.arange(20.0).reshape(-1, 1) ** 2
X, Y = SERIES[:-1], SERIES[1:, 0] - SERIES[:-1, 0]  # next change: 2t + 1
EXPECTED = np.array([31.0, 33.0, 35.0, 37.0])  # 2t + 1 for t = 15..18


def _model(**params):
    return make_series_pipeline(
        DifferenceTransformer(), LagFeaturizer(lags=2), LinearRegression(), **params
    )


def test_fit_does_not_call_pipeline_fit_transform(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("Pipeline.fit_transform was called")

    monkeypatch.setattr(Pipeline, "fit_transform", refuse)
    model = _model().fit(X[:15], Y[:15])
    assert_allclose(model.predict(X[15:], history="fit"), EXPECTED, atol=1e-9)


def test_memory_and_verbose_keep_pipeline_behaviour(tmp_path, capsys):
    model = _model(memory=str(tmp_path), verbose=True).fit(X[:15], Y[:15])
    assert "Processing differencetransformer" in capsys.readouterr().out
    assert_allclose(model.predict(X[15:], history="fit"), EXPECTED, atol=1e-9)


def test_step_fit_params_reach_the_step_and_bad_names_are_refused():
    model = _model()
    with pytest.raises(ValueError, match=r"fit parameter 'nostep__a'; expected"):
        model.fit(X[:15], Y[:15], nostep__a=1)
    with pytest.raises(ValueError, match=r"fit parameter 'a'; expected 'step__"):
        model.fit(X[:15], Y[:15], a=1)
    # DifferenceTransformer.fit takes y=None only: a real parameter reaches it.
    with pytest.raises(TypeError, match="unexpected keyword argument 'a'"):
        model.fit(X[:15], Y[:15], differencetransformer__a=1)
