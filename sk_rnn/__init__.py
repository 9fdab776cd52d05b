"""sk_rnn: recurrent neural networks for time series, the scikit-learn way.

The transformers and meta-estimators import without PyTorch;
:class:`LSTMRegressor` and :func:`make_forecaster` import it on first use.
"""

from . import datasets
from ._difference import DifferenceTransformer
from ._horizon import make_horizon_xy
from ._lag import LagFeaturizer
from ._pipeline import SeriesPipeline, make_series_pipeline
from ._scaler import SeriesScaler
from ._target import DifferencedTargetRegressor

__version__ = "0.2.0.dev0"

__all__ = [
    "DifferenceTransformer",
    "DifferencedTargetRegressor",
    "LSTMRegressor",
    "LagFeaturizer",
    "SeriesPipeline",
    "SeriesScaler",
    "__version__",
    "datasets",
    "make_forecaster",
    "make_horizon_xy",
    "make_series_pipeline",
]

_LAZY = {"LSTMRegressor": "._lstm", "make_forecaster": "._forecaster"}


def __getattr__(name):
    """Import the torch-based names on first use (PEP 562)."""
    if name in _LAZY:
        from importlib import import_module

        value = getattr(import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'sk_rnn' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
