"""The command line's progress: a bar of the epochs and an early estimate."""

from __future__ import annotations

import sys
import time

from skorch.callbacks import Callback


class EpochProgress(Callback):
    """A tqdm bar advanced once per epoch; shared, so never copied.

    It prints an estimate of the whole run's time when that is over a minute:
    from the first batches once they have taken ``EARLY`` seconds (a long
    series' first epoch can take minutes), else after the first epoch. The
    bar shows an estimate too, only on a terminal.
    """

    #: Seconds of the first epoch after which its batches give the estimate.
    EARLY = 5.0
    #: Its batch hook reads no parameters: a fused epoch may call it after
    #: its steps (sk_rnn.neural._fused).
    sk_rnn_fusable = True

    def __init__(self, bar=None, total=None, quiet=False, networks=1):
        self.bar = bar
        self.total = total
        self.quiet = quiet
        self.networks = networks

    def __deepcopy__(self, memo):
        return self

    def __sklearn_clone__(self):
        return self

    def on_train_begin(self, net, X=None, **kwargs):
        if getattr(self, "_started", None) is None:
            self._started = time.perf_counter()
            self._seen, self._batches = 0, _batches_per_epoch(net, X)
            self._told = False

    def on_batch_end(self, net, training=False, **kwargs):
        if not training or getattr(self, "_told", True) is not False:
            return
        self._seen += 1
        elapsed = time.perf_counter() - self._started
        if self._batches and elapsed >= self.EARLY and self._seen < self._batches:
            per_epoch = elapsed * self._batches / self._seen
            self._tell(
                per_epoch,
                f"{self._seen} of {self._batches} batches of the first epoch "
                f"took {elapsed:.0f} s",
            )

    def on_epoch_end(self, net, **kwargs):
        if self.bar is not None:
            self.bar.update(1)
        if getattr(self, "_told", True) is False:
            per_epoch = time.perf_counter() - self._started
            self._tell(per_epoch, f"the first epoch took {per_epoch:.1f} s")

    def _tell(self, per_epoch: float, what: str) -> None:
        self._told = True
        seconds = per_epoch * (self.total or 0)
        if seconds > 60 and not self.quiet:
            each = (
                f" ({self.networks} networks of {self.total // self.networks}, "
                "one after the other)"
                if self.networks > 1
                else ""
            )
            print(
                f"sk-rnn: {what}; about {seconds / 60:.0f} min for all "
                f"{self.total} epochs{each}",
                file=sys.stderr,
                flush=True,
            )


def _batches_per_epoch(net, X) -> int | None:
    """Training batches in an epoch of ``net`` on ``X`` (None: unknown)."""
    rows = X.get("X") if isinstance(X, dict) else X
    size = getattr(net, "batch_size", None)
    if rows is None or size is None:
        return None
    # A panel's streams are (series, rows, steps, features): a batch is
    # ``size`` rows of every series.
    n_rows = rows.shape[1] if rows.ndim == 4 else len(rows)
    return 1 if size in (-1, None) else -(-n_rows // size)


def progress_bar(total, quiet, desc):
    if quiet:
        return None
    from tqdm.auto import tqdm

    # disable=None: no bar when stderr is not a terminal (logs, pipes).
    return tqdm(
        total=total, desc=desc, unit="epoch", file=sys.stderr, leave=False, disable=None
    )


def network_of(model):
    """The network at the end of a ``make_forecaster`` composition, with or
    without its :class:`DeseasonalizedRegressor` around it."""
    while not hasattr(model, "steps"):
        model = model.regressor
    return model.steps[-1][1]


def networks_of(model) -> list:
    """The networks of a ``make_forecaster`` composition, or of each member
    of a :class:`MedianEnsembleRegressor` of them (``--views both``)."""
    members = getattr(model, "estimators", None)
    if members is None:
        return [network_of(model)]
    return [network_of(member) for _, member in members]


def fit_with_progress(model, X, y, args):
    """Fit a ``make_forecaster`` composition (or an ensemble of them, trained
    one after the other), the epochs of all shown on one bar."""
    networks = networks_of(model)
    total = args.epochs * len(networks)
    bar = progress_bar(total, args.quiet, "training")
    progress = EpochProgress(bar, total, args.quiet, networks=len(networks))
    for network in networks:
        network.set_params(callbacks=[progress])
    try:
        model.fit(X, y)
    finally:
        if bar is not None:
            bar.close()
    return model
