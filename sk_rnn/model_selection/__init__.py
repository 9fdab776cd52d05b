"""Walk-forward evaluation: repeated seeds, the persistence baseline and
panel folds.

Importing this module does not import torch; :func:`repeated_walk_forward`
imports it when it runs.
"""

from ._split import PanelSplit
from ._walk_forward import (
    WalkForwardResult,
    persistence_forecast,
    repeated_walk_forward,
)

__all__ = [
    "PanelSplit",
    "WalkForwardResult",
    "persistence_forecast",
    "repeated_walk_forward",
]
