"""How SeriesPipeline fits its steps, and how the compositions continue a fit
(``warm_start``, ``partial_fit``)."""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np
from sklearn import get_config
from sklearn.base import clone

from ..preprocessing._lag import LagFeaturizer
from ..series._blocks import is_steps
from ..series._panel import Panel


def fit_steps(head, X, y, head_params, memory, verbose):
    """Fit the transforming steps one by one; the last one's output.

    Not by ``Pipeline.fit_transform``, which ``mlflow.sklearn.autolog()``
    patches and would log as the model; but ``memory``, ``verbose`` and
    metadata routing are Pipeline's own machinery (autolog sees those).
    """
    if memory is not None or verbose or get_config().get("enable_metadata_routing"):
        return head.fit_transform(X, y, **head_params)
    names = [name for name, _ in head.steps]
    per_step: dict = {name: {} for name in names}
    for key, value in head_params.items():
        name, _, param = key.partition("__")
        if name not in per_step or not param:
            raise ValueError(
                f"SeriesPipeline.fit got the fit parameter {key!r}; expected "
                f"'step__parameter' with a step among {names}."
            )
        per_step[name][param] = value
    Xt = X
    for name, step in head.steps:
        if step is None or step == "passthrough":
            continue
        if hasattr(step, "fit_transform"):
            Xt = step.fit_transform(Xt, y, **per_step[name])
        else:
            Xt = step.fit(Xt, y, **per_step[name]).transform(Xt)
    return Xt


def without_warmup(panel, n_warmup: int):
    """``panel``'s layout once each series' first ``n_warmup`` rows are dropped."""
    if panel is None:
        return None
    lengths = np.maximum(np.asarray(panel.lengths) - n_warmup, 0)
    stops = np.cumsum(lengths)
    return Panel(panel.ids, stops - lengths, stops)


def stream_rows(layout, positions, ready, kinds, free=None):
    """The rows a stateful network predicts on a panel, series by series.

    ``layout`` is the combined block's (kept or given history, then X),
    ``positions[ready]`` X's rows in it that have their history. A series
    with a given history runs from the zero state through its history and
    X; one that continues the fit starts from its fitted state; any other
    from zero. Returns ``(rows of the combined block, their layout, where
    X's ready rows are among them, initial_state per series id)``. ``free``
    (the combined rows past each series' warm-up, when the fit dropped the
    warm-up) limits a given history's rows as the fit's were.
    """
    x_rows = positions[ready]
    rows, keep, starts, stops, states = [], [], [], [], {}
    n = 0
    for k, (key, (_, kind, _)) in enumerate(zip(layout.ids, kinds, strict=True)):
        lo, hi = int(layout.starts[k]), int(layout.stops[k])
        mine = x_rows[(x_rows >= lo) & (x_rows < hi)]
        own = mine
        if kind == "given":
            own = np.arange(lo, hi)
            if free is not None:
                own = own[np.isin(own, free)]
        keep.append(n + np.searchsorted(own, mine))
        rows.append(own)
        starts.append(n)
        n += len(own)
        stops.append(n)
        states[key] = "fit" if kind == "continues" else "zero"
    empty = np.arange(0, dtype=np.intp)
    return (
        np.concatenate(rows or [empty]).astype(np.intp),
        Panel(layout.ids, starts, stops),
        np.concatenate(keep or [empty]).astype(np.intp),
        states,
    )


def select_rows(result, rows):
    """``result``'s ``rows`` (each part of a tuple)."""
    if isinstance(result, tuple):
        return tuple(select_rows(part, rows) for part in result)
    return np.asarray(result)[rows]


def _wants_warm_start(estimator) -> bool:
    """Whether ``estimator`` is, or holds, a step with ``warm_start=True``."""
    params = estimator.get_params(deep=True)
    return any(
        key.rsplit("__", 1)[-1] == "warm_start" and value is True
        for key, value in params.items()
    )


def continue_or_clone(estimator, fitted):
    """The estimator a composition fits: a clone of ``estimator``, or, when
    a step inside it has ``warm_start=True`` and ``fitted`` is the same kind
    of estimator fitted before, ``fitted`` itself with ``estimator``'s
    parameters, so its network continues training as it would alone (a
    composition that cloned it would silently start again)."""
    if not hasattr(estimator, "get_params"):
        return estimator
    if (
        fitted is None
        or type(fitted) is not type(estimator)
        or not _wants_warm_start(estimator)
    ):
        return clone(estimator)
    fitted.set_params(**estimator.get_params(deep=False))
    return fitted


def fitted_stateful(final) -> bool:
    """Whether the fitted final step carries a recurrent state: read from
    what it was fitted as (an LSTMRegressor's ``state_``), not from a
    parameter that ``set_params`` may have changed since."""
    if hasattr(final, "net_"):
        return hasattr(final, "state_")
    return bool(getattr(final, "stateful", False))


@contextmanager
def kept_on_failure(composition, fitted):
    """A fit of ``composition`` that raises leaves it as it was.

    A continued fit (``warm_start`` or ``partial_fit``) hands the fitted
    estimator ``fitted`` the new parameters before that estimator checks
    them; when it refuses them (a changed ``hidden_size``, ``stateful``...),
    the fitted attributes and ``fitted``'s parameters are put back, so a
    later ``predict`` never runs a network under parameters it was not
    trained with.
    """
    state = dict(composition.__dict__)
    params = fitted.get_params(deep=False) if hasattr(fitted, "get_params") else None
    try:
        yield
    except BaseException:
        composition.__dict__.clear()
        composition.__dict__.update(state)
        if params is not None:
            fitted.set_params(**params)
        raise


# ---------------------------------------------------------------- partial_fit
def final_step_has(method: str):
    """For ``available_if``: whether the last step in ``steps`` has ``method``.

    Read from the parameters (the unfitted last step), so ``hasattr(pipeline,
    "partial_fit")`` answers the same before and after fitting, as scikit-
    learn's ``Pipeline`` does for the methods of its final estimator.
    """

    def check(composition) -> bool:
        steps = composition.steps
        if not is_steps(steps) or not steps:
            return False
        return hasattr(steps[-1][1], method)

    return check


def _same(before, now) -> bool:
    """Whether a parameter kept its value (estimators: their class; their
    own parameters are compared one by one under ``{name}__``)."""
    if hasattr(before, "get_params") or hasattr(now, "get_params"):
        return type(before) is type(now)
    if isinstance(before, (list, tuple)) and isinstance(now, (list, tuple)):
        return len(before) == len(now) and all(map(_same, before, now))
    try:
        # NaN (LagFeaturizer's fill_value) equals itself here
        nan = before != before and now != now
        return bool(before is now or before == now or nan)
    except (ValueError, TypeError):  # arrays: element-wise
        try:
            return bool(np.array_equal(before, now))
        except (ValueError, TypeError):
            return False


def changed_params(before: dict, now: dict, prefix: str = "") -> list[str]:
    """``"name=before -> now"`` for every parameter that differs."""
    changes = []
    for name in dict.fromkeys([*before, *now]):
        old, new = before.get(name, "<unset>"), now.get(name, "<unset>")
        if not _same(old, new):
            old = type(old).__name__ if hasattr(old, "get_params") else repr(old)
            new = type(new).__name__ if hasattr(new, "get_params") else repr(new)
            changes.append(f"{prefix}{name}={old} -> {new}")
    return changes


def changed_estimator(before, now, name: str, deep: bool = True) -> list[str]:
    """What differs between a fitted estimator and the parameter it came
    from: its class, and with ``deep`` each of its parameters
    (``{name}__{param}``)."""

    def params(estimator) -> dict:
        found = {"": estimator}
        if deep and hasattr(estimator, "get_params"):
            found.update(
                (f"__{key}", value)
                for key, value in estimator.get_params(deep=True).items()
            )
        return found

    return changed_params(params(before), params(now), name)


def changed_steps(steps, fitted_steps) -> list[str]:
    """What differs between ``steps`` and the steps a first ``partial_fit``
    fitted: their names, a step's class or a transforming step's parameters
    (the final step's are checked by its own ``partial_fit``)."""
    names, fitted_names = [n for n, _ in steps], [n for n, _ in fitted_steps]
    if names != fitted_names:
        return [f"steps={fitted_names} -> {names}"]
    changes = []
    for position, ((name, step), (_, fitted)) in enumerate(
        zip(steps, fitted_steps, strict=True)
    ):
        last = position == len(steps) - 1
        changes += changed_estimator(fitted, step, name, deep=not last)
    return changes


def refuse_changes(owner: str, changes: list[str]) -> None:
    """The error for a ``partial_fit`` whose parameters contradict the fit."""
    if changes:
        raise ValueError(
            f"{owner}.partial_fit continues what its first call fitted (the "
            "steps and scalers are not refitted), which these changes would not "
            f"apply to: {'; '.join(changes)}. Set them back, or call fit to fit "
            "everything again."
        )


def window_layout(fitted_steps, Xt, final) -> tuple[int, int] | None:
    """``(lags, n_features)`` of the windows a final LSTMRegressor reads.

    Known when the last LagFeaturizer is followed only by steps that keep
    every column in place (scalers: ``get_feature_names_out`` returns
    the names it is given). Then the windows are handed to the network
    as 3-D arrays, so it reads ``lags`` steps of ``n_features`` features
    whatever ``lags`` a grid search sets. Otherwise None, and the network
    reads 2-D rows by its own ``n_steps``.
    """
    # compose never imports torch: a network that reads step-major
    # windows says so with this class attribute (LSTMRegressor does).
    if not getattr(type(final), "_reads_step_windows", False):
        return None
    if getattr(Xt, "ndim", 2) != 2:
        return None
    head = [step for _, step in fitted_steps[:-1]]
    positions = [i for i, s in enumerate(head) if isinstance(s, LagFeaturizer)]
    if not positions:
        return None
    lag = head[positions[-1]]
    if final.layout != "steps":
        raise ValueError(
            f"SeriesPipeline: LagFeaturizer(lags={lag.lags}) writes windows "
            "step-major, oldest step first, but the final LSTMRegressor has "
            f"layout={final.layout!r}, which reads another library's columns; "
            "set layout='steps'."
        )
    n_features = lag.n_features_in_
    names = lag.get_feature_names_out()
    for step in head[positions[-1] + 1 :]:
        if step == "passthrough" or step is None:
            continue
        try:
            same = list(step.get_feature_names_out(names)) == list(names)
        except (AttributeError, ValueError, TypeError):
            same = False
        if not same:
            if final.n_steps is None and n_features > 1:
                raise ValueError(
                    f"SeriesPipeline: LagFeaturizer(lags={lag.lags}) writes "
                    f"windows of {lag.lags} steps x {n_features} features, but "
                    f"{type(step).__name__} after it changes the columns, so "
                    "the final LSTMRegressor cannot know the window layout; "
                    "set its n_steps."
                )
            return None
    if final.n_steps is not None and final.n_steps != lag.lags:
        raise ValueError(
            f"SeriesPipeline: LagFeaturizer(lags={lag.lags}) writes windows of "
            f"{lag.lags} steps, but the final LSTMRegressor has "
            f"n_steps={final.n_steps}; set n_steps={lag.lags} or None."
        )
    if final.n_steps is not None:
        return None
    return lag.lags, n_features
