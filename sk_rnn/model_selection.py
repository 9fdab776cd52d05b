"""Walk-forward evaluation over repeated seeds, and the persistence baseline.

Recurrent networks trained for thousands of epochs on a short series land in
different places from run to run, so one score says little: compare the
distribution of scores over seeds, beside the persistence forecast (the next
value is the last one). :func:`repeated_walk_forward` does that with one
vectorised fit per fold when the estimator holds an :class:`LSTMRegressor`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.model_selection import BaseCrossValidator, check_cv

from ._lstm import LSTMRegressor
from ._training import member_seeds

__all__ = [
    "PanelSplit",
    "WalkForwardResult",
    "persistence_forecast",
    "repeated_walk_forward",
]


def persistence_forecast(X, reference=0):
    """The persistence forecast: each row's next value is its last level.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Inputs whose column ``reference`` holds the last observed level.
    reference : int or str, default=0
        Position or name of that column.

    Returns
    -------
    forecast : ndarray of shape (n_samples,)
        ``X[:, reference]`` as float.

    Examples
    --------
    >>> from sk_rnn.datasets import load_shampoo
    >>> from sk_rnn.model_selection import persistence_forecast
    >>> import numpy as np
    >>> X, y = load_shampoo(return_X_y=True)
    >>> errors = y.to_numpy()[-12:] - persistence_forecast(X)[-12:]
    >>> round(float(np.sqrt(np.mean(errors ** 2))), 3)
    136.761
    """
    if isinstance(X, pd.DataFrame):
        column = X[reference] if isinstance(reference, str) else X.iloc[:, reference]
        return column.to_numpy(dtype=float)
    return np.asarray(X, dtype=float)[:, reference]


@dataclass
class WalkForwardResult:
    """Scores and forecasts of :func:`repeated_walk_forward`.

    Attributes
    ----------
    rmse : pandas.DataFrame
        One row per repeat (index "repeat"): column "rmse" over all test rows
        of all folds, in ``y``'s units, and "fold_0", "fold_1", ... when there
        are several folds. ``rmse.describe()`` is the notebook's summary.
    forecasts : pandas.DataFrame
        One column per repeat, one row per test row (indexed like ``y``).
    y_test : pandas.Series
        The observed values of the test rows.
    persistence : pandas.Series
        The persistence forecast of the test rows.
    persistence_rmse : float
        RMSE of the persistence forecast over the same rows.
    seeds : list of int
        The seed of each repeat.
    fit_seconds : float
        Wall time of the fits and predictions.

    Examples
    --------
    >>> from sklearn.model_selection import TimeSeriesSplit
    >>> from sk_rnn import make_forecaster
    >>> from sk_rnn.datasets import load_shampoo
    >>> from sk_rnn.model_selection import repeated_walk_forward
    >>> X, y = load_shampoo(return_X_y=True)
    >>> result = repeated_walk_forward(
    ...     make_forecaster(max_epochs=2), X, y,
    ...     cv=TimeSeriesSplit(n_splits=2, test_size=6), n_repeats=2)
    >>> result.describe().loc[["count", "mean"], "persistence"].round(1).tolist()
    [1.0, 136.8]
    >>> sorted(result.to_dict())[:4]
    ['fit_seconds', 'fold_rmse', 'forecasts', 'persistence']
    """

    rmse: pd.DataFrame
    forecasts: pd.DataFrame
    y_test: pd.Series
    persistence: pd.Series
    persistence_rmse: float
    seeds: list = field(default_factory=list)
    fit_seconds: float = 0.0

    def describe(self) -> pd.DataFrame:
        """``describe()`` of the repeats' RMSE beside the persistence RMSE."""
        table = self.rmse[["rmse"]].describe()
        table["persistence"] = np.nan
        table.loc["count", "persistence"] = 1
        table.loc["mean", "persistence"] = self.persistence_rmse
        return table

    def to_dict(self) -> dict:
        """Plain numbers, ready for ``json.dump``."""
        return {
            "rmse": self.rmse["rmse"].tolist(),
            "fold_rmse": self.rmse.drop(columns="rmse").to_dict(orient="list"),
            "persistence_rmse": self.persistence_rmse,
            "summary": {k: float(v) for k, v in self.rmse["rmse"].describe().items()},
            "seeds": list(self.seeds),
            "fit_seconds": self.fit_seconds,
            "test_index": [str(i) for i in self.y_test.index],
            "y_test": self.y_test.tolist(),
            "persistence": self.persistence.tolist(),
            "forecasts": self.forecasts.to_numpy().T.tolist(),
        }


def _rows(data, index):
    return data.iloc[index] if hasattr(data, "iloc") else np.asarray(data)[index]


def _lstm_path(estimator) -> str | None:
    """The get_params path of the one LSTMRegressor inside ``estimator``."""
    if isinstance(estimator, LSTMRegressor):
        return ""
    paths = [
        key
        for key, value in estimator.get_params(deep=True).items()
        if isinstance(value, LSTMRegressor)
    ]
    return paths[0] if len(paths) == 1 else None


def _param(path: str, name: str) -> str:
    return f"{path}__{name}" if path else name


def _rmse(y_true, y_pred, axis=0):
    return np.sqrt(np.mean((np.asarray(y_true) - np.asarray(y_pred)) ** 2, axis=axis))


def repeated_walk_forward(
    estimator,
    X,
    y,
    *,
    cv,
    n_repeats=30,
    random_state=0,
    reference=0,
    vectorize=True,
    callbacks=None,
):
    """Walk-forward forecasts of ``n_repeats`` seeds, scored in ``y``'s units.

    For every fold of ``cv`` (a ``TimeSeriesSplit``, or a list of ``(train,
    test)`` index pairs) a clone of ``estimator`` is fitted on the training
    rows and predicts the test rows, which continue them. Repeat ``k`` uses
    seed ``seeds[k]``: ``random_state`` for the first, then words of
    ``numpy.random.SeedSequence(random_state)`` (the member seeds of an
    :class:`LSTMRegressor` ensemble with that ``random_state``).

    When ``estimator`` holds exactly one :class:`LSTMRegressor` (alone, in a
    Pipeline, or inside :class:`DifferencedTargetRegressor`) with
    ``n_ensemble=1`` and ``vectorize=True``, each fold is one fit with
    ``n_ensemble=n_repeats``: the members are the repeats, with the same
    results as ``n_repeats`` separate fits in a fraction of the time.
    Otherwise (an estimator that is itself an ensemble keeps its own
    ``n_ensemble``) the estimator is fitted once per repeat and fold, with
    its ``random_state`` parameters set to the repeat's seed.

    Parameters
    ----------
    estimator : estimator object
        A regressor whose ``predict`` returns levels of ``y``, for example
        :func:`~sk_rnn.make_forecaster`'s composition.
    X : array-like of shape (n_samples, n_features)
        Inputs, oldest row first (a DataFrame keeps its index, so time-step
        transformers continue the series into each test block).
    y : array-like of shape (n_samples,)
        Targets.
    cv : cross-validation generator or iterable of (train, test) pairs
        The walk-forward folds.
    n_repeats : int, default=30
        Seeds to evaluate.
    random_state : int, default=0
        Seed of the first repeat.
    reference : int or str, default=0
        Column of ``X`` with the last observed level, for the persistence
        forecast.
    vectorize : bool, default=True
        Train the repeats as one ensemble when possible.
    callbacks : list of skorch callbacks or None, default=None
        Added to the :class:`LSTMRegressor`'s callbacks (a progress bar, for
        example).

    Returns
    -------
    result : WalkForwardResult
        RMSE per repeat, forecasts, and the persistence baseline.

    Examples
    --------
    >>> from sklearn.model_selection import TimeSeriesSplit
    >>> from sk_rnn import make_forecaster
    >>> from sk_rnn.datasets import load_shampoo
    >>> from sk_rnn.model_selection import repeated_walk_forward
    >>> X, y = load_shampoo(return_X_y=True)
    >>> last_fold = list(TimeSeriesSplit(n_splits=2, test_size=12).split(X))[-1:]
    >>> result = repeated_walk_forward(
    ...     make_forecaster(max_epochs=5), X, y, cv=last_fold, n_repeats=3)
    >>> result.rmse.shape, round(result.persistence_rmse, 3)
    ((3, 1), 136.761)
    """
    folds = list(check_cv(cv).split(X, y)) if hasattr(cv, "split") else list(cv)
    seeds = member_seeds(int(random_state), n_repeats)
    path = _lstm_path(estimator)
    if path is not None and estimator.get_params()[_param(path, "n_ensemble")] != 1:
        vectorize = False  # each repeat is an ensemble of its own
    y_index = y.index if hasattr(y, "index") else pd.RangeIndex(len(y))
    start = time.perf_counter()
    fold_forecasts = []
    for train, test in folds:
        X_train, y_train, X_test = _rows(X, train), _rows(y, train), _rows(X, test)
        if vectorize and path is not None:
            model = clone(estimator).set_params(
                **{
                    _param(path, "n_ensemble"): n_repeats,
                    _param(path, "random_state"): seeds[0],
                    _param(path, "callbacks"): _with(estimator, path, callbacks),
                }
            )
            model.fit(X_train, y_train)
            members = np.asarray(model.predict(X_test, return_members=True))
        else:
            columns = []
            for seed in seeds:
                model = clone(estimator).set_params(
                    **_seed_params(estimator, path, seed)
                )
                if path is not None and callbacks:
                    model.set_params(
                        **{_param(path, "callbacks"): _with(estimator, path, callbacks)}
                    )
                columns.append(np.asarray(model.fit(X_train, y_train).predict(X_test)))
            members = np.column_stack(columns)
        fold_forecasts.append(members.reshape(len(test), n_repeats))
    seconds = time.perf_counter() - start

    test_rows = np.concatenate([test for _, test in folds])
    y_test = pd.Series(
        np.asarray(_rows(y, test_rows), dtype=float), index=y_index[test_rows]
    )
    persistence = pd.Series(
        persistence_forecast(_rows(X, test_rows), reference), index=y_test.index
    )
    forecasts = pd.DataFrame(np.vstack(fold_forecasts), index=y_test.index)
    forecasts.columns.name = "repeat"
    table = {"rmse": _rmse(y_test.to_numpy()[:, None], forecasts.to_numpy())}
    if len(folds) > 1:
        offset = 0
        for i, block in enumerate(fold_forecasts):
            rows = slice(offset, offset + len(block))
            table[f"fold_{i}"] = _rmse(y_test.to_numpy()[rows, None], block)
            offset += len(block)
    rmse = pd.DataFrame(table, index=pd.RangeIndex(n_repeats, name="repeat"))
    return WalkForwardResult(
        rmse=rmse,
        forecasts=forecasts,
        y_test=y_test,
        persistence=persistence,
        persistence_rmse=float(_rmse(y_test, persistence)),
        seeds=seeds,
        fit_seconds=seconds,
    )


def _with(estimator, path, callbacks):
    """The network's callbacks followed by ``callbacks``."""
    existing = estimator.get_params(deep=True)[_param(path, "callbacks")]
    return list(existing or []) + list(callbacks or [])


def _seed_params(estimator, path, seed) -> dict:
    if path is not None:
        return {_param(path, "random_state"): seed}
    return {
        key: seed
        for key in estimator.get_params(deep=True)
        if key == "random_state" or key.endswith("__random_state")
    }


class PanelSplit(BaseCrossValidator):
    """Walk-forward folds over a panel: the last steps of every series.

    A panel is a DataFrame with a two-level ``MultiIndex`` (series id, time),
    each series' rows consecutive and in time order. Like scikit-learn's
    :class:`~sklearn.model_selection.TimeSeriesSplit`, but on the time level
    of each series: in fold ``k`` of ``n_splits``, the test rows of every
    series are its ``test_size`` steps that end ``(n_splits - 1 - k) *
    test_size`` steps before its own end, and its training rows are all the
    steps before them (less ``gap``). Series may differ in length and in
    their last date (as in the M3 competition): each is aligned on its own
    end. Indices are positions in ``X``, so the folds work in
    ``cross_validate`` and ``GridSearchCV`` with any estimator that accepts
    the panel (sk_rnn's time-step estimators refuse panels until they learn
    to keep each series apart).

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds; at least 1 (the last fold is the last
        ``test_size`` steps of every series).
    test_size : int, default=1
        Steps of every series in each test fold (the forecast horizon).
    gap : int, default=0
        Steps of every series left out between its training and test rows.

    Examples
    --------
    >>> import pandas as pd
    >>> from sk_rnn.model_selection import PanelSplit
    >>> index = pd.MultiIndex.from_tuples(
    ...     [("a", t) for t in range(5)] + [("b", t) for t in range(4)],
    ...     names=["series", "time"])
    >>> X = pd.DataFrame({"value": range(9)}, index=index)
    >>> for train, test in PanelSplit(n_splits=2, test_size=1).split(X):
    ...     print(train.tolist(), test.tolist())
    [0, 1, 2, 5, 6] [3, 7]
    [0, 1, 2, 3, 5, 6, 7] [4, 8]
    """

    def __init__(self, n_splits=5, *, test_size=1, gap=0):
        self.n_splits = n_splits
        self.test_size = test_size
        self.gap = gap

    def get_n_splits(self, X=None, y=None, groups=None):
        """The number of folds, ``n_splits``."""
        return self.n_splits

    def _check(self, X) -> list[tuple[int, int]]:
        """``(start, length)`` of every series' rows in ``X``."""
        for name in ("n_splits", "test_size"):
            value = getattr(self, name)
            if not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(
                    f"PanelSplit expects {name}, an int of at least 1; got {value!r}."
                )
        if not isinstance(self.gap, (int, np.integer)) or self.gap < 0:
            raise ValueError(
                f"PanelSplit expects gap, an int of at least 0; got {self.gap!r}."
            )
        index = getattr(X, "index", None)
        if not isinstance(index, pd.MultiIndex) or index.nlevels != 2:
            raise ValueError(
                "PanelSplit expects a panel: a DataFrame with a two-level "
                "MultiIndex (series id, time); got "
                f"{type(index).__name__ if index is not None else type(X).__name__}. "
                "For one series use sklearn's TimeSeriesSplit; for a long frame "
                "with series and time columns use df.set_index([series, time])."
            )
        ids = index.get_level_values(0)
        starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
        if len(set(ids[starts])) != len(starts):
            raise ValueError(
                "PanelSplit expects each series' rows to be consecutive; the rows "
                "of some series are interleaved with others. Sort by series, then "
                "time: X.sort_index(level=[0, 1])."
            )
        bounds = list(zip(starts, np.diff(np.r_[starts, len(ids)]), strict=True))
        times = index.get_level_values(1)
        for start, length in bounds:
            block = times[start : start + length]
            if not block.is_monotonic_increasing or not block.is_unique:
                raise ValueError(
                    f"PanelSplit expects each series in time order; series "
                    f"{ids[start]!r} is not. Sort by series, then time: "
                    "X.sort_index(level=[0, 1])."
                )
        needed = self.n_splits * self.test_size + self.gap + 1
        short = [(ids[s], n) for s, n in bounds if n < needed]
        if short:
            raise ValueError(
                f"PanelSplit with n_splits={self.n_splits}, test_size="
                f"{self.test_size} and gap={self.gap} needs at least {needed} "
                f"steps per series; series {short[0][0]!r} has {short[0][1]} "
                f"({len(short)} series are that short)."
            )
        return bounds

    def split(self, X, y=None, groups=None):
        """Yield ``(train, test)`` positions, one pair per fold, oldest first.

        Parameters
        ----------
        X : DataFrame with a two-level MultiIndex (series id, time)
            The panel.
        y : object
            Ignored.
        groups : object
            Ignored.

        Yields
        ------
        train : ndarray
            Positions of the training rows, every series' earlier steps.
        test : ndarray
            Positions of the test rows, ``test_size`` steps of every series.
        """
        bounds = self._check(X)
        h, gap = self.test_size, self.gap
        for k in range(self.n_splits):
            behind = (self.n_splits - 1 - k) * h  # steps after the test block
            train, test = [], []
            for start, length in bounds:
                test_start = start + length - behind - h
                train.append(np.arange(start, test_start - gap))
                test.append(np.arange(test_start, test_start + h))
            yield np.concatenate(train), np.concatenate(test)
