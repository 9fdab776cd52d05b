"""sk_rnn: recurrent neural networks for time series, the scikit-learn way."""

from . import datasets
from ._difference import DifferenceTransformer
from ._forecaster import make_forecaster
from ._lag import LagFeaturizer
from ._lstm import LSTMRegressor
from ._pipeline import SeriesPipeline, make_series_pipeline
from ._target import DifferencedTargetRegressor

__version__ = "0.1.0"

__all__ = [
    "DifferenceTransformer",
    "DifferencedTargetRegressor",
    "LSTMRegressor",
    "LagFeaturizer",
    "SeriesPipeline",
    "__version__",
    "datasets",
    "make_forecaster",
    "make_series_pipeline",
]
