"""Meta-estimators that carry a series through several steps.

:class:`SeriesPipeline` keeps each series' last rows between blocks;
:class:`DifferencedTargetRegressor` learns the change from a reference level
and predicts levels;
:class:`DeseasonalizedRegressor` learns the series without its seasonal
pattern and puts it back. Neither imports torch (nor :mod:`sk_rnn.neural`).
"""

from ._ensemble import MedianEnsembleRegressor
from ._pipeline import SeriesPipeline, make_series_pipeline
from ._seasonal import DeseasonalizedRegressor
from ._target import DifferencedTargetRegressor

__all__ = [
    "DeseasonalizedRegressor",
    "DifferencedTargetRegressor",
    "MedianEnsembleRegressor",
    "SeriesPipeline",
    "make_series_pipeline",
]
