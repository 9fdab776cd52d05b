"""make_forecaster: the seed's composition in one call."""

from __future__ import annotations

from numbers import Integral

from sklearn.preprocessing import MinMaxScaler

from .compose._pipeline import make_series_pipeline
from .compose._seasonal import DeseasonalizedRegressor
from .compose._target import DifferencedTargetRegressor
from .neural._estimator import LSTMRegressor
from .preprocessing._difference import DifferenceTransformer
from .preprocessing._lag import LagFeaturizer
from .preprocessing._level import LevelGapFeaturizer, gap_alphas, gap_windows
from .preprocessing._scaler import SeriesScaler
from .preprocessing._seasonal import Deseasonalizer

SEASONAL_MODELS = ("multiplicative", "additive")


def make_forecaster(
    *,
    lags=1,
    hidden_size=4,
    cell="lstm",
    max_epochs=3000,
    batch_size=1,
    stateful=True,
    n_ensemble=1,
    random_state=None,
    scale="global",
    season=None,
    seasonal_model="multiplicative",
    level_gap=None,
    level_smoothing=None,
    **lstm_params,
):
    """Build the seed experiment's forecaster as one scikit-learn estimator.

    The composition, with the seed's settings as defaults::

        DifferencedTargetRegressor(
            make_series_pipeline(
                DifferenceTransformer(),
                LagFeaturizer(lags=lags),
                MinMaxScaler((-1, 1)),
                LSTMRegressor(hidden_size=4, max_epochs=3000, batch_size=1,
                              stateful=True),
            ),
            transformer=MinMaxScaler((-1, 1)),
        )

    Fitted on ``X`` = the level at month ``t`` and ``y`` = the level at
    ``t + 1`` (see :func:`sk_rnn.datasets.load_shampoo`), it learns the next
    change from the recent changes, scaled to [-1, 1] on the training rows
    only, and predicts levels. Every step is fitted inside ``fit``, so
    ``cross_validate`` with a ``TimeSeriesSplit`` cannot leak test rows into
    the scalers. The :class:`SeriesPipeline` carries the last rows of the
    training series, so a test block that continues it (a DataFrame whose
    index continues the training index, or ``predict(X, history="fit")``)
    is forecast exactly, whatever the steps return. ``X`` may hold exogenous
    columns beside the level (column 0): the SeriesPipeline hands the
    network windows of ``lags`` steps of all the columns.

    Parameters
    ----------
    lags : int, default=1
        Window length: how many recent changes the network reads.
    hidden_size : int, default=4
        Recurrent units.
    cell : {"lstm", "gru", "rnn"}, default="lstm"
        Recurrent cell.
    max_epochs : int, default=3000
        Training epochs.
    batch_size : int or None, default=1
        Rows per optimiser step.
    stateful : bool, default=True
        Carry the recurrent state from row to row (the seed's mode).
    n_ensemble : int, default=1
        Independent networks trained together; see :class:`LSTMRegressor`.
    random_state : int, RandomState instance or None, default=None
        Seed of the network.
    scale : {"global", "series"}, default="global"
        "global" scales the changes (inputs and target) with one
        ``MinMaxScaler((-1, 1))``; "series" gives every series of a panel its
        own (:class:`SeriesScaler`), for series of different magnitudes, and
        scales the changes before the windows are built (steps
        ``differencetransformer, seriesscaler, lagfeaturizer``). On a panel
        one network learns from every series: ``stateful=True`` reads each
        series as its own recurrent stream, ``stateful=False`` its windows.
    season : int or None, default=None
        Time steps per season (4 for quarterly data, 12 for monthly). An
        integer above 1 wraps the composition in a
        :class:`DeseasonalizedRegressor`, which removes each series' seasonal
        pattern (its classical seasonal indices, where the Theta method's 90%
        test finds one; :class:`Deseasonalizer` with ``period=season`` and
        ``unseen="fit"``) from the level and from every target, and puts each
        forecast step's own index back. Rows are placed in their season by
        their time labels, so ``X`` should carry its time index (or a panel's
        (series id, time) MultiIndex). None or 1: no seasonal adjustment,
        the composition above.
    seasonal_model : {"multiplicative", "additive"}, default="multiplicative"
        With ``season``: divide by seasonal factors (a pattern that grows with
        the level; every value must be positive) or subtract seasonal terms.
    level_gap : int, list of int or None, default=None
        Also give the network, beside each change, how far the level lies
        from its mean over the last ``level_gap`` steps
        (:class:`LevelGapFeaturizer`, placed after the
        :class:`DifferenceTransformer`; a list gives one column per window).
        On M3's monthly series, ``[3, 12]`` lowered the validation sMAPE of
        the benchmark's networks (see ``benchmarks/m3.py``). None: the
        changes only, as in the seed.

        .. versionadded:: 0.3
    level_smoothing : float, list of float or None, default=None
        Also give the network how far the level lies from its exponentially
        weighted means, one per smoothing factor in (0, 1)
        (:class:`LevelGapFeaturizer`'s ``alpha``; with ``level_gap``, in
        the same step, else in one of its own with ``window=None``). On
        M3's monthly series, ``[0.2, 0.5]`` beside ``level_gap=[3, 12]``
        moved the benchmark's validation sMAPE by less than a change of
        seeds does. None: no such gap.

        .. versionadded:: 0.3
    **lstm_params : dict
        Further :class:`LSTMRegressor` parameters (``lr``, ``early_stopping``,
        ``device``, ...).

    Returns
    -------
    forecaster : DifferencedTargetRegressor or DeseasonalizedRegressor
        The unfitted composition. Its network is reachable as
        ``forecaster.regressor[-1]`` (and ``forecaster.regressor_[-1]`` once
        fitted); grid-search names look like
        ``regressor__lagfeaturizer__lags``. With ``season`` > 1, a
        :class:`DeseasonalizedRegressor` around it: the network is then
        ``forecaster.regressor.regressor[-1]`` (fitted:
        ``forecaster.regressor_.regressor_[-1]``), and grid-search names gain
        a ``regressor__`` prefix.

    Examples
    --------
    >>> from sk_rnn import make_forecaster
    >>> forecaster = make_forecaster(lags=2, max_epochs=10, random_state=0)
    >>> [name for name, _ in forecaster.regressor.steps]
    ['differencetransformer', 'lagfeaturizer', 'minmaxscaler', 'lstmregressor']
    >>> seasonal = make_forecaster(scale="series", stateful=False, season=12)
    >>> type(seasonal).__name__, seasonal.deseasonalizer.period
    ('DeseasonalizedRegressor', 12)
    >>> type(seasonal.regressor.regressor[-1]).__name__
    'LSTMRegressor'
    """
    if scale not in ("global", "series"):
        raise ValueError(
            f"make_forecaster expects scale='series' or 'global'; got {scale!r}."
        )
    if season is not None and (
        isinstance(season, bool) or not isinstance(season, Integral) or season < 1
    ):
        raise ValueError(
            "make_forecaster expects season=None or an integer >= 1 (time steps "
            f"per season, e.g. 12 for monthly data); got {season!r}."
        )
    if level_gap is not None and gap_windows(level_gap) is None:
        raise ValueError(
            "make_forecaster expects level_gap=None, an integer >= 2 or a "
            f"non-empty list of them (steps in each mean); got {level_gap!r}."
        )
    if level_smoothing is not None and not gap_alphas(level_smoothing):
        raise ValueError(
            "make_forecaster expects level_smoothing=None, a float in (0, 1) or a "
            f"non-empty list of them (smoothing factors); got {level_smoothing!r}."
        )
    if seasonal_model not in SEASONAL_MODELS:
        raise ValueError(
            "make_forecaster expects seasonal_model='multiplicative' or "
            f"'additive'; got {seasonal_model!r}."
        )

    def scaler():
        unit = MinMaxScaler((-1, 1))
        return SeriesScaler(unit) if scale == "series" else unit

    network = LSTMRegressor(
        hidden_size=hidden_size,
        cell=cell,
        max_epochs=max_epochs,
        batch_size=batch_size,
        stateful=stateful,
        n_ensemble=n_ensemble,
        random_state=random_state,
        **lstm_params,
    )
    if scale == "series":
        # One scale per series for every step of its windows: scaled before
        # the windows are built (the seed scales the window columns, which
        # is the same for its one lag).
        steps = [DifferenceTransformer(), scaler(), LagFeaturizer(lags=lags)]
    else:
        steps = [DifferenceTransformer(), LagFeaturizer(lags=lags), scaler()]
    if level_gap is not None or level_smoothing is not None:
        gaps = LevelGapFeaturizer(window=level_gap, alpha=level_smoothing)
        steps.insert(1, gaps)
    forecaster = DifferencedTargetRegressor(
        make_series_pipeline(*steps, network), transformer=scaler()
    )
    if season is None or season == 1:
        return forecaster
    deseasonalizer = Deseasonalizer(
        period=int(season), model=seasonal_model, unseen="fit"
    )
    return DeseasonalizedRegressor(forecaster, deseasonalizer=deseasonalizer)
