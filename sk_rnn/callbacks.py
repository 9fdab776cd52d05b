"""Callbacks for :class:`~sk_rnn.LSTMRegressor` (``callbacks=[...]``)."""

from .neural._callbacks import Checkpoint

__all__ = ["Checkpoint"]
