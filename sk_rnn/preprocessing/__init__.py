"""Transformers whose rows are time steps, each per series.

Differences, level gaps, lag windows, per-series scaling and seasonal adjustment, and
the direct multi-step targets of :func:`make_horizon_xy`. NumPy, pandas and
scikit-learn only.
"""

from ._difference import DifferenceTransformer
from ._horizon import make_horizon_xy
from ._lag import LagFeaturizer
from ._level import LevelGapFeaturizer
from ._scaler import SeriesScaler
from ._seasonal import Deseasonalizer

__all__ = [
    "Deseasonalizer",
    "DifferenceTransformer",
    "LagFeaturizer",
    "LevelGapFeaturizer",
    "SeriesScaler",
    "make_horizon_xy",
]
