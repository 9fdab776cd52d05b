"""skorch callbacks for LSTMRegressor's ``callbacks`` parameter."""

from __future__ import annotations

from pathlib import Path

from skorch.callbacks import Callback

from .._utils._validation import check_int
from . import _persistence

__all__ = ["Checkpoint"]


class Checkpoint(Callback):
    """Save a resumable model file during training, every ``every`` epochs.

    The file has the format of :meth:`sk_rnn.LSTMRegressor.save`: it loads
    without running code, and ``LSTMRegressor.load(path)`` followed by ``fit``
    with ``warm_start=True`` continues the training exactly where the
    checkpoint was taken (weights, optimiser state, random streams and
    history), so a long fit that crashes loses at most ``every`` epochs.
    A file holds no code, so it has ``callbacks=None``: pass the callbacks
    (this Checkpoint among them) again to the loaded model.

    Parameters
    ----------
    path : str or path-like
        The file, replaced atomically at each save, and once more when
        training ends (after early stopping restored the best weights), so
        the last file is the fitted model.
    every : int, default=1
        Save after every ``every``-th epoch (counted over warm starts); an
        int of at least 1.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> from sk_rnn import LSTMRegressor
    >>> from sk_rnn.callbacks import Checkpoint
    >>> path = os.path.join(tempfile.mkdtemp(), "model.skrnn")
    >>> X, y = np.random.default_rng(0).normal(size=(32, 3)), np.zeros(32)
    >>> model = LSTMRegressor(max_epochs=4, callbacks=[Checkpoint(path, every=2)])
    >>> _ = model.fit(X, y)
    >>> LSTMRegressor.load(path).n_iter_
    4
    """

    def __init__(self, path, every=1):
        self.path = path
        self.every = every

    def initialize(self):
        check_int(self.every, "every", "Checkpoint", 1)
        return self

    def _write(self, net) -> None:
        estimator = getattr(net, "sk_rnn_estimator", None)
        if estimator is None:
            return
        fitted, tensors = estimator._export(net)
        params = estimator.get_params(deep=False)
        _persistence.write(Path(self.path), params, fitted, tensors, callbacks="drop")

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) % self.every == 0:
            self._write(net)

    def on_train_end(self, net, **kwargs):
        if len(net.history):
            self._write(net)
