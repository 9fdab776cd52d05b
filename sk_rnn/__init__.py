"""sk_rnn: recurrent neural networks for time series, the scikit-learn way.

The transformers and meta-estimators import without PyTorch;
:class:`LSTMRegressor` and :func:`make_forecaster` import it on first use.
"""

from . import datasets
from ._utils import _legacy
from ._version import __version__
from .compose import (
    DeseasonalizedRegressor,
    DifferencedTargetRegressor,
    MedianEnsembleRegressor,
    SeriesPipeline,
    make_series_pipeline,
)
from .preprocessing import (
    Deseasonalizer,
    DifferenceTransformer,
    LagFeaturizer,
    LevelGapFeaturizer,
    SeriesScaler,
    make_horizon_xy,
)

_legacy.install()  # sk_rnn 0.2's module paths, for the files that name them

__all__ = [
    "DeseasonalizedRegressor",
    "Deseasonalizer",
    "DifferenceTransformer",
    "DifferencedTargetRegressor",
    "LSTMRegressor",
    "LagFeaturizer",
    "LevelGapFeaturizer",
    "MedianEnsembleRegressor",
    "SeriesPipeline",
    "SeriesScaler",
    "__version__",
    "datasets",
    "make_forecaster",
    "make_horizon_xy",
    "make_series_pipeline",
    "safe_classes",
]


def safe_classes(names=False, *, legacy=False):
    """The classes whose instances a fitted sk_rnn model's state holds.

    Each rebuilds itself from plain values and NumPy arrays only (no torch,
    skorch or pandas objects; see "Saving models" in the user guide), so they
    are what a safe loader needs to trust: skops' ``trusted=`` (and mlflow's
    ``skops_trusted_types=``), darts' ``add_safe_globals``. A model that holds
    other objects (a custom callback, a third-party step) needs those too;
    skops' ``get_untrusted_types`` lists them.

    Parameters
    ----------
    names : bool, default=False
        Return the classes' full names
        (``"sk_rnn.neural._estimator.LSTMRegressor"``), as skops and mlflow
        take them, instead of the classes.
    legacy : bool, default=False
        With ``names=True``, add the names under which sk_rnn 0.2 stored the
        same classes (``"sk_rnn._lstm.LSTMRegressor"``): a skops file written
        by 0.2 names those, and loads trusting them. The old paths import the
        new modules, so the classes are the same.

        .. versionadded:: 0.3

    Returns
    -------
    classes : list of type or list of str

    Examples
    --------
    >>> import sk_rnn
    >>> "sk_rnn.neural._estimator.LSTMRegressor" in sk_rnn.safe_classes(names=True)
    True
    """
    from .series._panel import PanelHistory
    from .series._time import TimeAxis

    classes = [
        Deseasonalizer,
        DeseasonalizedRegressor,
        DifferenceTransformer,
        DifferencedTargetRegressor,
        LagFeaturizer,
        LevelGapFeaturizer,
        MedianEnsembleRegressor,
        __getattr__("LSTMRegressor"),
        SeriesPipeline,
        SeriesScaler,
        PanelHistory,
        TimeAxis,
    ]
    if names:
        found = [f"{c.__module__}.{c.__qualname__}" for c in classes]
        if legacy:
            found += [name for c in classes for name in _legacy.old_names(c)]
        return found
    return classes


_LAZY = {"LSTMRegressor": ".neural", "make_forecaster": "._forecaster"}


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
