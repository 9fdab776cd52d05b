"""The recurrent network: everything that imports torch and skorch.

- ``_estimator``: :class:`LSTMRegressor`, the scikit-learn estimator;
- ``_windows``: how rows are read as windows (layouts, validation);
- ``_module``: the torch module (cells, stacked members, initialisation);
- ``_net``: the skorch net, losses, batches, the thread guard, the device
  choice and the training state;
- ``_training``, ``_fitting``: seeds, the net's construction, warm starts and
  the training phases (early stopping, refits, Ctrl-C);
- ``_predicting``: streamed prediction and the recurrent state;
- ``_callbacks``: every training callback (public ones via
  :mod:`sk_rnn.callbacks`);
- ``_persistence``: ``save``/``load`` files and the plain pickle state.
"""

from ._estimator import LSTMRegressor

__all__ = ["LSTMRegressor"]
