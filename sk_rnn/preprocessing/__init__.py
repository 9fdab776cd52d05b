"""Transformers whose rows are time steps, each per series.

Differences, lag windows and per-series scaling, and the direct multi-step
targets of :func:`make_horizon_xy`. NumPy, pandas and scikit-learn only.
"""

from ._difference import DifferenceTransformer
from ._horizon import make_horizon_xy
from ._lag import LagFeaturizer
from ._scaler import SeriesScaler

__all__ = ["DifferenceTransformer", "LagFeaturizer", "SeriesScaler", "make_horizon_xy"]
