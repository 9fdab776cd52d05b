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
from sklearn.model_selection import check_cv

__all__ = [
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
    from ..neural import LSTMRegressor  # torch, only when it runs

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
    from ..neural._training import member_seeds

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
