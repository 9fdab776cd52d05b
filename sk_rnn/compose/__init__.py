"""Meta-estimators that carry a series through several steps.

:class:`SeriesPipeline` keeps each series' last rows between blocks;
:class:`DifferencedTargetRegressor` learns the change from a reference level
and predicts levels. Neither imports torch (nor :mod:`sk_rnn.neural`).
"""

from ._pipeline import SeriesPipeline, make_series_pipeline
from ._target import DifferencedTargetRegressor

__all__ = ["DifferencedTargetRegressor", "SeriesPipeline", "make_series_pipeline"]
