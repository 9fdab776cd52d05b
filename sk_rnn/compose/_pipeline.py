"""SeriesPipeline: a Pipeline that carries the history of its series itself."""

from __future__ import annotations

from numbers import Integral

import numpy as np
from scipy.sparse import issparse
from sklearn import get_config
from sklearn.base import RegressorMixin, clone
from sklearn.compose import ColumnTransformer
from sklearn.metrics import r2_score
from sklearn.pipeline import FeatureUnion, Pipeline, make_pipeline
from sklearn.utils import get_tags
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    process_routing,
)
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted, has_fit_parameter

from .._utils._base import SkRnnEstimatorMixin
from .._utils._compat import (
    HasMethods,
    Interval,
    StrOptions,
    _BaseComposition,
    _fit_context,
    _safe_indexing,
)
from .._utils._validation import validate
from ..preprocessing._base import _TimeStepTransformer
from ..series._blocks import (
    as_rows,
    fill_rows,
    is_steps,
    match_columns,
    n_rows,
    n_rows_or_none,
    nan_like,
    take_rows,
    to_container,
)
from ..series._panel import (
    Panel,
    PanelHistory,
    is_panel,
    panel_layout,
    panel_segments,
    warmup_free,
)
from ..series._time import (
    refuse_panel,
    series_start,
    warn_missing_series_history,
)
from ._steps import (
    changed_params,
    changed_steps,
    continue_or_clone,
    final_step_has,
    fit_steps,
    fitted_stateful,
    kept_on_failure,
    refuse_changes,
    select_rows,
    stream_rows,
    window_layout,
    without_warmup,
)

HISTORY_OPTIONS = ("auto", "fit", "none")


def structural_warmup(estimator) -> int:
    """Rows of history that ``estimator``'s time-step transformers need.

    A :class:`~sk_rnn.DifferenceTransformer` needs ``interval * order`` rows
    and a :class:`~sk_rnn.LagFeaturizer` ``lags - 1``; steps of a Pipeline
    add up, branches of a ColumnTransformer or FeatureUnion take the longest,
    and any other estimator needs none. Read from the parameters, never from
    the data.
    """
    if isinstance(estimator, _TimeStepTransformer):
        return estimator._n_warmup()
    if isinstance(estimator, (Pipeline, SeriesPipeline)):
        return sum(structural_warmup(step) for _, step in estimator.steps)
    if isinstance(estimator, ColumnTransformer):
        branches = [t for _, t, _ in estimator.transformers]
    elif isinstance(estimator, FeatureUnion):
        branches = [t for _, t in estimator.transformer_list]
    else:
        return 0
    return max((structural_warmup(t) for t in branches), default=0)


class SeriesPipeline(SkRnnEstimatorMixin, RegressorMixin, _BaseComposition):
    """A Pipeline whose rows are one time series, with its history carried.

    Time-step transformers (:class:`DifferenceTransformer`,
    :class:`LagFeaturizer`) need the rows before a block to transform its
    first rows. Inside a plain :class:`~sklearn.pipeline.Pipeline` they can
    only find them through a pandas index, which any step that returns a
    NumPy array (an imputer, a ``ColumnTransformer``, polars output) loses.
    A ``SeriesPipeline`` does not depend on that: ``fit`` keeps the last
    ``n_warmup_`` raw rows of the series, and ``predict`` prepends the history
    the block needs, runs the steps on the whole, and keeps the block's rows.
    Which history a block gets is explicit (``history``):

    ======================================  =================================
    block passed to ``predict``             history used
    ======================================  =================================
    DataFrame whose time index continues    the fitted tail: exact
    the fitted index (``history="auto"``)
    DataFrame whose index starts where the  none; the warm-up rows are the
    fitted index starts (``"auto"``)        series' own start: exact
    ``history="fit"``, any container        the fitted tail: exact
    ``history="none"``, any container       none: a new series
    ``history=array`` (``predict`` only)    those rows, which precede X
    anything else under ``"auto"`` (NumPy,  none, and a
    polars, an index after a gap)           ``MissingHistoryWarning``
    ======================================  =================================

    A stateful final :class:`LSTMRegressor` gets the matching
    ``initial_state``: ``state_`` for a continuing block, the zero state
    for a new series (and, for an explicit ``history`` array, the zero state
    at the start of that array). Warm-up rows (no history yet) can be left
    out of the final step's training (``drop_warmup``), so any regressor,
    ``Ridge`` say, can end the pipeline; its prediction for a row without
    history is NaN.

    Parameters
    ----------
    steps : list of (str, estimator) tuples
        As for :class:`~sklearn.pipeline.Pipeline`; the last step is the
        regressor.
    history : {"auto", "fit", "none"}, default="auto"
        Which history ``predict`` gives a block, see the table above.
        ``"fit"`` is the explicit way for a block that continues the fitted
        series without a pandas index (a served model, a NumPy
        ``TimeSeriesSplit``); ``predict(X, history=...)`` overrides it per
        call.
    n_warmup : "auto" or int, default="auto"
        Rows of history the steps need. "auto" adds up the warm-up of the
        sk_rnn time-step transformers (the longest branch of a
        ColumnTransformer or FeatureUnion). Set it for time-aware steps of
        other libraries.
    drop_warmup : "auto" or bool, default="auto"
        Leave the first ``n_warmup_`` rows (and their ``y``) out of the final
        step's training. "auto" drops them when the final step does not
        accept NaN (its ``allow_nan`` tag), and keeps them for
        :class:`LSTMRegressor`, which reads NaN steps as a shorter window.
    memory : str or object with the joblib.Memory interface, default=None
        As for :class:`~sklearn.pipeline.Pipeline`.
    verbose : bool, default=False
        As for :class:`~sklearn.pipeline.Pipeline`.

    Attributes
    ----------
    pipeline_ : :class:`~sklearn.pipeline.Pipeline`
        The fitted steps (clones of ``steps``). ``pipeline[i]`` and
        ``named_steps`` return its steps once fitted.
    n_warmup_ : int
        Rows of history the steps need.
    history_ : ndarray or DataFrame of shape (`n_warmup_`, `n_features_in_`)
        The last ``n_warmup_`` rows of the fitted series, in the fitted
        container, without its index.
    drop_warmup_ : bool
        Whether the warm-up rows were left out of the final step's training.
    n_features_in_ : int
        Number of features seen by the first step during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen by the first step during ``fit``.

    See Also
    --------
    make_series_pipeline : Build one without naming the steps.
    make_forecaster : The seed experiment's forecaster, built on it.

    Notes
    -----
    Only the block handed to ``predict`` (or ``score``) carries an index that
    matters; the steps inside receive the history and the block stacked
    together and read them as the start of a series, whatever their output
    containers.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from sk_rnn import DifferenceTransformer, LagFeaturizer, make_series_pipeline
    >>> series = np.arange(20.0).reshape(-1, 1) ** 2
    >>> X, y = series[:-1], series[1:, 0] - series[:-1, 0]   # next change
    >>> model = make_series_pipeline(
    ...     DifferenceTransformer(), LagFeaturizer(lags=2), LinearRegression()
    ... ).fit(X[:15], y[:15])
    >>> model.n_warmup_, model.drop_warmup_
    (2, True)
    >>> model.predict(X[15:], history="fit").round(6)     # continues the fit
    array([31., 33., 35., 37.])
    >>> model.predict(X[15:], history="none").round(6)    # a new series
    array([nan, nan, 35., 37.])
    """

    _parameter_constraints: dict = {
        "steps": [list],
        "history": [StrOptions(set(HISTORY_OPTIONS))],
        "n_warmup": [StrOptions({"auto"}), Interval(Integral, 0, None, closed="left")],
        "drop_warmup": [StrOptions({"auto"}), "boolean"],
        "memory": [None, str, HasMethods(["cache"])],
        "verbose": ["boolean"],
    }

    def __init__(
        self,
        steps,
        *,
        history="auto",
        n_warmup="auto",
        drop_warmup="auto",
        memory=None,
        verbose=False,
    ):
        self.steps = steps
        self.history = history
        self.n_warmup = n_warmup
        self.drop_warmup = drop_warmup
        self.memory = memory
        self.verbose = verbose

    # ------------------------------------------------- nested parameters
    # The steps are parameters, as in a Pipeline (scikit-learn's named-step
    # plumbing, _BaseComposition): ``{step}__{param}`` names reach them, and
    # ``set_params(step=estimator)`` replaces one. They are cloned in
    # ``fit``, so the parameters are never fitted objects (a Pipeline fits
    # its steps in place, which scikit-learn's own checks declare as a known
    # failure of Pipeline).
    def get_params(self, deep=True):
        """Parameters, with the steps' own as ``{step}__{param}``.

        Parameters
        ----------
        deep : bool, default=True
            Also return the steps and their parameters.

        Returns
        -------
        params : dict
            Parameter names mapped to their values.
        """
        return self._get_params("steps", deep=deep)

    def set_params(self, **params):
        """Set parameters; ``{step}=estimator`` replaces a step.

        Parameters
        ----------
        **params : dict
            Parameters of the pipeline, steps by name, or ``{step}__{param}``.

        Returns
        -------
        self : SeriesPipeline
            This estimator.
        """
        return self._set_params("steps", **params)

    def __len__(self) -> int:
        """The number of steps."""
        return len(self.steps)

    def __getitem__(self, ind):
        """A step by position or name, or a slice of the steps.

        Parameters
        ----------
        ind : int, str or slice
            Position or name of the step, or a slice of positions.

        Returns
        -------
        step : estimator, SeriesPipeline or Pipeline
            Once fitted, ``pipeline_[ind]``: the fitted step, or for a slice
            a :class:`~sklearn.pipeline.Pipeline` of the fitted steps (it can
            ``transform``; the history is the SeriesPipeline's). Before
            fitting, the step in ``steps``, or for a slice a new
            SeriesPipeline of those steps with the same parameters.
        """
        if hasattr(self, "pipeline_"):
            return self.pipeline_[ind]
        if isinstance(ind, slice):
            if ind.step not in (None, 1):
                raise ValueError(
                    "SeriesPipeline slicing takes consecutive steps; got step "
                    f"{ind.step!r}."
                )
            params = self.get_params(deep=False)
            params["steps"] = self.steps[ind]
            return type(self)(**params)
        if isinstance(ind, str):
            return dict(self.steps)[ind]
        return self.steps[ind][1]

    @property
    def named_steps(self):
        """The steps by name (the fitted ones once fitted)."""
        if hasattr(self, "pipeline_"):
            return self.pipeline_.named_steps
        return Pipeline(self.steps).named_steps

    def set_output(self, *, transform=None):
        """Set the output container of every step that has ``set_output``.

        As :meth:`sklearn.pipeline.Pipeline.set_output`. The history that
        ``predict`` needs does not depend on it. Once fitted, the fitted
        steps get it too (as the steps of a fitted Pipeline would).

        Parameters
        ----------
        transform : {"default", "pandas", "polars"}, default=None
            Output of the steps' ``transform``; None leaves it unchanged.

        Returns
        -------
        self : SeriesPipeline
            This estimator.
        """
        fitted = self.pipeline_.steps if hasattr(self, "pipeline_") else []
        for _, step in [*self.steps, *fitted]:
            if hasattr(step, "set_output"):
                step.set_output(transform=transform)
        return self

    # ------------------------------------------------------------------ fit
    def _head(self) -> Pipeline | None:
        """The fitted transforming steps, as a Pipeline."""
        if len(self.pipeline_.steps) < 2:
            return None
        return self.pipeline_[:-1]

    def _split_params(self, sample_weight, params) -> tuple[dict, dict]:
        """``(final step's fit params, the head's fit_transform params)``."""
        final_name, final = self.pipeline_.steps[-1]
        if get_config().get("enable_metadata_routing"):
            if sample_weight is not None:
                params["sample_weight"] = sample_weight
            routed = process_routing(self, "fit", **params)
            head = self._head()
            consumed = (
                set()
                if head is None
                else set(head.get_metadata_routing().consumes("fit", params))
            )
            head_params = {k: v for k, v in params.items() if k in consumed}
            final_routed = routed[final_name].fit if final_name in routed else {}
            return dict(final_routed), head_params
        final_params, head_params = {}, {}
        for key, value in params.items():
            step, _, name = key.partition("__")
            if step == final_name:
                final_params[name] = value
            else:
                head_params[key] = value
        if sample_weight is not None:
            if final == "passthrough" or not has_fit_parameter(final, "sample_weight"):
                raise ValueError(
                    "SeriesPipeline got sample_weight, but its final step "
                    f"{final!r} does not take sample_weight in fit."
                )
            final_params["sample_weight"] = sample_weight
        return final_params, head_params

    def get_metadata_routing(self):
        """How ``fit``, ``predict`` and ``score`` route metadata.

        As a Pipeline routes: each transforming step gets what it requests
        in ``fit`` (``fit_transform``), ``predict`` and ``score`` (its
        ``transform``); the final step in its own ``fit``, ``predict`` and
        ``score``. The router is SeriesPipeline's, so its errors name it.

        Returns
        -------
        routing : MetadataRouter
            A :class:`~sklearn.utils.metadata_routing.MetadataRouter`.
        """
        router = MetadataRouter(owner=type(self).__name__)
        steps = [(n, s) for n, s in self.steps if s not in (None, "passthrough")]
        for position, (name, step) in enumerate(steps):
            mapping = MethodMapping()
            if position == len(steps) - 1 and step is self.steps[-1][1]:
                for method in ("fit", "predict", "score"):
                    mapping.add(caller=method, callee=method)
            else:
                if hasattr(step, "fit_transform"):
                    mapping.add(caller="fit", callee="fit_transform")
                else:
                    mapping.add(caller="fit", callee="fit")
                    mapping.add(caller="fit", callee="transform")
                mapping.add(caller="predict", callee="transform")
                mapping.add(caller="score", callee="transform")
            router.add(method_mapping=mapping, **{name: step})
        return router

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None, sample_weight=None, **params):
        """Fit the steps on the series; keep its last ``n_warmup_`` rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The series, one row per time step, oldest first (NumPy, pandas or
            polars). A pandas time index must be in order and regular.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets, row ``t`` for row ``t`` of ``X``.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each row, for the final step's ``fit`` (cut, like ``y``,
            to the rows it trains on). With metadata routing enabled it goes
            to the steps that request it.
        **params : dict
            ``{step}__{param}`` fit parameters, as for a Pipeline without
            metadata routing; with routing enabled, metadata routed as each
            step requests (as a Pipeline does). Those of the final step are
            cut to the rows it trains on.

        Returns
        -------
        self : SeriesPipeline
            The fitted pipeline.
        """
        with kept_on_failure(self, self._fitted_final()):
            return self._fit(X, y, sample_weight, params, partial=False)

    @available_if(final_step_has("partial_fit"))
    @_fit_context(prefer_skip_nested_validation=False)
    def partial_fit(self, X, y, sample_weight=None, **params):
        """Fit the steps on the first call; then train the final step once more.

        The first call (unfitted) fits every transforming step on the block
        as ``fit`` does and calls the final step's ``partial_fit`` (one epoch
        of an :class:`LSTMRegressor`). Later calls, and calls after ``fit``,
        keep the transforming steps as fitted (the scaling stays fixed),
        transform the block with them and call the final step's
        ``partial_fit`` again; parameters of the steps or of the pipeline
        that contradict what was fitted are refused (the final step's are
        passed on, and it refuses what it cannot change). The history kept
        for ``predict`` becomes the block's. Available when the last step
        has ``partial_fit``. So ``N`` calls on one block equal ``fit`` with
        ``max_epochs=N``, and Optuna's ``OptunaSearchCV(...,
        enable_pruning=True)`` can prune the pipeline.

        .. versionadded:: 0.3

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The series (or panel), as for ``fit``; its columns are matched to
            the fitted ones by name.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets, row ``t`` for row ``t`` of ``X``.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each row, for the final step's ``partial_fit``.
        **params : dict
            ``{step}__{param}`` parameters, as for ``fit``; those of the
            transforming steps are used by the first call only. Metadata
            routing is not supported here.

        Returns
        -------
        self : SeriesPipeline
            The pipeline, its final step trained once more.
        """
        given = [*params, *(["sample_weight"] * (sample_weight is not None))]
        if given and get_config().get("enable_metadata_routing"):
            raise ValueError(
                f"SeriesPipeline.partial_fit does not route metadata; got {given} "
                "with enable_metadata_routing=True. Use fit, or disable routing."
            )
        with kept_on_failure(self, self._fitted_final()):
            return self._fit(X, y, sample_weight, params, partial=True)

    def _fitted_final(self):
        fitted = getattr(self, "pipeline_", None)
        return None if fitted is None else fitted.steps[-1][1]

    def _fit(self, X, y, sample_weight, params, partial):
        if issparse(X):
            raise TypeError(
                "SeriesPipeline: sparse input is not supported; its rows are time "
                "steps of a series. Pass a dense array or DataFrame."
            )
        if not self.steps:
            raise ValueError(
                "SeriesPipeline expects steps as a non-empty list of (name, "
                "estimator) tuples; got an empty list."
            )
        if not is_steps(self.steps):
            raise TypeError(
                "SeriesPipeline expects steps as a list of (name, "
                f"estimator) tuples; got {self.steps!r}."
            )
        try:
            self._validate_names([name for name, _ in self.steps])
        except ValueError as error:
            raise ValueError(f"SeriesPipeline: the steps' names: {error}") from None
        previous = getattr(self, "pipeline_", None)
        same_steps = previous is not None and [n for n, _ in previous.steps] == [
            n for n, _ in self.steps
        ]
        final_name, final_step = self.steps[-1]
        continuing = partial and hasattr(self, "n_warmup_")
        if continuing:  # the fitted steps, the final one with the parameters
            refuse_changes("SeriesPipeline", changed_steps(self.steps, previous.steps))
            if hasattr(final_step, "get_params"):
                previous.steps[-1][1].set_params(**final_step.get_params(deep=False))
        else:
            self.pipeline_ = Pipeline(
                [
                    *(
                        (name, clone(step) if hasattr(step, "get_params") else step)
                        for name, step in self.steps[:-1]
                    ),
                    (
                        final_name,
                        continue_or_clone(
                            final_step, previous.steps[-1][1] if same_steps else None
                        ),
                    ),
                ],
                memory=self.memory,
                verbose=self.verbose,
            )
        final_name, final = self.pipeline_.steps[-1]
        if final != "passthrough" and not hasattr(final, "fit"):
            raise TypeError(
                "SeriesPipeline expects an estimator with fit (or 'passthrough') "
                f"as its last step; got {final!r}."
            )
        X, y = as_rows(X), as_rows(y)
        if continuing:
            X = match_columns(X, self._history.columns, "SeriesPipeline.partial_fit")
            validate(self, X, reset=False, skip_check_array=True)
        needed = structural_warmup(self)
        if self.n_warmup != "auto" and self.n_warmup < needed:
            raise ValueError(
                f"SeriesPipeline got n_warmup={self.n_warmup}, fewer rows than the "
                f"{needed} its sk_rnn steps need (their interval * order and "
                "lags - 1), so a continued block would miss history; set "
                f"n_warmup='auto' or at least {needed}."
            )
        n_warmup = needed if self.n_warmup == "auto" else self.n_warmup
        n_samples = n_rows(X)
        panel = panel_layout(X, "SeriesPipeline") if is_panel(X) else None
        if panel is None and n_samples <= n_warmup:
            raise ValueError(
                f"SeriesPipeline needs more rows than its {n_warmup} warm-up "
                f"row(s) to fit; got {n_samples} sample(s)."
            )
        # One history for one series and panels: each series' last rows and
        # time axis (a single series is a panel of one).
        history = PanelHistory(X, panel, n_warmup, "SeriesPipeline")
        drop = self.drop_warmup
        if drop == "auto":
            drop = final != "passthrough" and not get_tags(final).input_tags.allow_nan
        drop = bool(drop and n_warmup)
        if continuing:
            fitted = {"n_warmup_": self.n_warmup_, "drop_warmup_": self.drop_warmup_}
            fitted["a panel"] = self._history.is_panel
            now = {
                "n_warmup_": n_warmup,
                "drop_warmup_": drop,
                "a panel": panel is not None,
            }
            refuse_changes("SeriesPipeline", changed_params(fitted, now))
        final_params, head_params = self._split_params(sample_weight, params)
        head = self._head()
        if head is None:
            Xt = X
        else:
            with series_start(), panel_segments(panel):
                if continuing:  # fitted by the first call: not refitted
                    Xt = head.transform(X)
                else:
                    Xt = fit_steps(head, X, y, head_params, self.memory, self.verbose)
            # With ``memory`` set, the fitted steps are clones: keep those.
            self.pipeline_.steps[:-1] = head.steps
        if not continuing:
            self._window = window_layout(self.pipeline_.steps, Xt, final)
        Xt = self._as_windows(Xt)
        if drop:
            keep = (
                np.arange(n_warmup, n_samples)
                if panel is None
                else warmup_free(panel, n_warmup)
            )
            Xt, y = _safe_indexing(Xt, keep), _safe_indexing(y, keep)
            final_params = {
                name: _safe_indexing(value, keep)
                if n_rows_or_none(value) == n_samples
                else value
                for name, value in final_params.items()
            }
        if final != "passthrough":
            with panel_segments(without_warmup(panel, n_warmup) if drop else panel):
                (final.partial_fit if partial else final.fit)(Xt, y, **final_params)
        for name in ("_axis", "_container", "_columns", "_panel_history"):
            self.__dict__.pop(name, None)  # sk_rnn 0.2's history attributes
        self._history = history
        self.n_warmup_ = n_warmup
        self.drop_warmup_ = drop
        self.history_ = history.rows()
        first = self.pipeline_.steps[0][1]
        self.__dict__.pop("feature_names_in_", None)  # a refit on an array
        if hasattr(first, "n_features_in_"):
            self.n_features_in_ = first.n_features_in_
        else:
            self.n_features_in_ = X.shape[1]
        if hasattr(first, "feature_names_in_"):
            self.feature_names_in_ = first.feature_names_in_
        return self

    def _as_windows(self, Xt):
        if self._window is None:
            return Xt
        return np.asarray(Xt).reshape(n_rows(Xt), *self._window)

    # ------------------------------------------------------------- history
    def _given_history(self, history, X):
        """A PanelHistory of the rows the user says precede X (or None)."""
        if isinstance(history, str):
            if history not in HISTORY_OPTIONS:
                raise ValueError(
                    "SeriesPipeline.predict expects history in "
                    f"{list(HISTORY_OPTIONS)}, None or the rows before X; got "
                    f"{history!r}."
                )
            return None
        fitted = self._history
        if fitted.is_panel:
            if not is_panel(history):
                raise ValueError(
                    "SeriesPipeline was fitted on a panel; predict expects history, "
                    "when it is rows, as a panel too (a DataFrame with a (series "
                    f"id, time) MultiIndex); got {type(history).__name__}."
                )
            rows = match_columns(history, fitted.columns, "SeriesPipeline.predict")
            layout = panel_layout(rows, "SeriesPipeline")
            keep = self.n_warmup_
            if fitted_stateful(self.pipeline_.steps[-1][1]):
                # A stateful network runs each series from its start.
                keep = max(keep, int(layout.lengths.max(initial=0)))
            return PanelHistory(rows, layout, keep, "SeriesPipeline")
        rows = as_rows(match_columns(history, fitted.columns, "SeriesPipeline.predict"))
        shape = getattr(rows, "shape", None)
        if shape is None or len(shape) != 2 or shape[1] != self.n_features_in_:
            raise ValueError(
                f"SeriesPipeline.predict expects history with {self.n_features_in_} "
                f"column(s), the rows of the series before X; got shape {shape}."
            )
        rows = to_container(rows, fitted.container, fitted.columns)
        return PanelHistory.of_rows(
            rows, None, fitted.container, fitted.columns, self.n_warmup_
        )

    def _series_of(self, X, mode, given):
        """``(panel layout of X, kinds)``: what each series of X is."""
        fitted = self._history
        if not fitted.is_panel:
            refuse_panel(X, "SeriesPipeline")
        elif not is_panel(X):
            raise ValueError(
                f"SeriesPipeline was fitted on a panel of {len(fitted.ids)} "
                "series; predict expects a panel too (a DataFrame with a (series "
                f"id, time) MultiIndex); got {type(X).__name__}."
            )
        panel = panel_layout(X, "SeriesPipeline") if fitted.is_panel else None
        panel = panel if panel is not None else Panel.one(n_rows(X))
        if given is None:
            return panel, fitted.kinds(X, panel, mode, "SeriesPipeline")
        kinds, lookup = [], given.lookup
        for key in panel.ids:
            position = lookup.get(key)
            why = "" if position is not None else f"history has no rows of {key!r}"
            kinds.append(
                (position, "given" if position is not None else "unknown", why)
            )
        return panel, kinds

    def _lacking(self, panel, kinds, n_before, stateful) -> list:
        """``(rows lacking history, reason)`` of each series that lacks some."""
        lacking = []
        for k, (_, kind, reason) in enumerate(kinds):
            short = max(0, min(self.n_warmup_ - n_before[k], int(panel.lengths[k])))
            if kind == "unknown" and (short or stateful):
                lacking.append((short, reason))
            elif kind == "given" and short:
                lacking.append(
                    (
                        short,
                        f"history has {n_before[k]} row(s) and the steps need "
                        f"{self.n_warmup_}",
                    )
                )
        return lacking

    # -------------------------------------------------------------- predict
    def predict(self, X, history=None, **params):
        """Predict a block of the series, with the history it needs.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            A block of the series (or of every series of a fitted panel),
            oldest row first. A DataFrame's columns are matched to the fitted
            ones by name.
        history : {"auto", "fit", "none"}, array-like or None, default=None
            Which rows precede ``X`` (see the class's table): None uses the
            ``history`` parameter; an array-like gives the rows of the series
            before ``X`` (from its start, for a stateful network; at least
            ``n_warmup_`` rows otherwise), for a panel a panel of them.
        **params : dict
            Passed to the final step's ``predict`` (``return_std``,
            ``return_members`` for an :class:`LSTMRegressor`).

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predictions for the rows of ``X`` (a tuple when the final step
            returns one). With ``drop_warmup_``, rows that have no history are
            NaN.
        """
        check_is_fitted(self, "n_warmup_")
        fitted = self._history
        X = match_columns(as_rows(X), fitted.columns, "SeriesPipeline.predict")
        mode = self.history if history is None else history
        given = self._given_history(mode, X)
        panel, kinds = self._series_of(X, mode, given)
        combined, layout, positions, n_before = fitted.combine(X, panel, kinds, given)
        final = self.pipeline_.steps[-1][1]
        stateful = fitted_stateful(final)
        lacking = self._lacking(panel, kinds, n_before, stateful)
        fix = (
            "Pass at least n_warmup_ rows before X as history."
            if given is not None
            else "Pass history='fit' if every series of X continues the fitted "
            "panel, history='none' if X starts new series."
            if fitted.is_panel
            else "Pass history='fit' (to predict, or as the parameter) if X "
            "continues the fitted series, history='none' if it starts a new "
            "one, or the rows before X as history=array."
        )
        warn_missing_series_history("SeriesPipeline", lacking, fix)
        head = self._head()
        Xt = combined
        if head is not None:
            with series_start(), panel_segments(layout if fitted.is_panel else None):
                Xt = head.transform(combined)
        Xt = self._as_windows(Xt)
        n_samples = n_rows(X)
        kind = kinds[0][1] if kinds else "start"  # an empty panel
        streams = stateful and fitted.is_panel  # one stream per series
        if stateful and not streams and "initial_state" not in params:
            params["initial_state"] = "fit" if kind == "continues" else "zero"
        if stateful and not streams and kind == "given":
            # The state at X's start is the state after ``history``, from zero
            # at its first row past the warm-up (where the fit started).
            start = min(self.n_warmup_ if self.drop_warmup_ else 0, n_before[0])
            rows = np.arange(start, n_rows(Xt))
            result = final.predict(_safe_indexing(Xt, rows), **params)
            return take_rows(result, n_before[0] - start, n_samples)
        if self.drop_warmup_:
            ready = np.isin(positions, warmup_free(layout, self.n_warmup_))
        else:
            ready = np.ones(n_samples, dtype=bool)
        if not ready.any():
            return nan_like(final, n_samples, params)
        if streams:
            free = warmup_free(layout, self.n_warmup_) if self.drop_warmup_ else None
            rows, rows_layout, keep, starts = stream_rows(
                layout, positions, ready, kinds, free
            )
            params.setdefault("initial_state", starts)
            with panel_segments(rows_layout):
                result = final.predict(_safe_indexing(Xt, rows), **params)
            result = select_rows(result, keep)
        else:
            result = final.predict(_safe_indexing(Xt, positions[ready]), **params)
        if ready.all():
            return result
        return fill_rows(result, np.flatnonzero(ready), n_samples)

    def __setstate__(self, state):
        super().__setstate__(state)
        if "n_warmup_" in self.__dict__ and "_history" not in self.__dict__:
            # Written by sk_rnn 0.2, which kept one series' history apart.
            history = self.__dict__.pop("_panel_history", None)
            if history is not None:  # a panel: the one-series fields are unused
                for name in ("_axis", "_container", "_columns"):
                    self.__dict__.pop(name, None)
            else:
                history = PanelHistory.of_rows(
                    self.history_,
                    self.__dict__.pop("_axis"),
                    self.__dict__.pop("_container"),
                    self.__dict__.pop("_columns"),
                    self.n_warmup_,
                )
            self._history = history

    def score(self, X, y, sample_weight=None, **params):
        """R² of ``predict(X)`` on the rows that have a prediction.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            A block of the series.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            True values.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.
        **params : dict
            Passed to ``predict`` (``history`` among them).

        Returns
        -------
        score : float
            R² over the rows whose prediction is not NaN (see ``drop_warmup``).
        """
        y_pred = np.asarray(self.predict(X, **params), dtype=float)
        y = np.asarray(y, dtype=float)
        rows = ~np.isnan(y_pred.reshape(len(y_pred), -1)).any(axis=1)
        weight = None if sample_weight is None else np.asarray(sample_weight)[rows]
        return r2_score(y[rows], y_pred[rows], sample_weight=weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        steps = [s for _, s in self.steps if s not in (None, "passthrough")]
        if steps:
            first, last = get_tags(steps[0]), get_tags(steps[-1])
            tags.input_tags.allow_nan = first.input_tags.allow_nan
            tags.input_tags.sparse = first.input_tags.sparse
            tags.target_tags = last.target_tags
            tags.regressor_tags = last.regressor_tags
        return tags


def make_series_pipeline(
    *steps,
    history="auto",
    n_warmup="auto",
    drop_warmup="auto",
    memory=None,
    verbose=False,
):
    """Build a :class:`SeriesPipeline` from estimators, naming them.

    Like :func:`~sklearn.pipeline.make_pipeline`: each step is named after
    its class in lower case.

    Parameters
    ----------
    *steps : list of estimators
        The transformers, then the regressor.
    history : {"auto", "fit", "none"}, default="auto"
        See :class:`SeriesPipeline`.
    n_warmup : "auto" or int, default="auto"
        See :class:`SeriesPipeline`.
    drop_warmup : "auto" or bool, default="auto"
        See :class:`SeriesPipeline`.
    memory : str or object with the joblib.Memory interface, default=None
        See :class:`~sklearn.pipeline.Pipeline`.
    verbose : bool, default=False
        See :class:`~sklearn.pipeline.Pipeline`.

    Returns
    -------
    pipeline : SeriesPipeline
        The unfitted pipeline.

    Examples
    --------
    >>> from sklearn.linear_model import Ridge
    >>> from sk_rnn import LagFeaturizer, make_series_pipeline
    >>> make_series_pipeline(LagFeaturizer(lags=3), Ridge()).steps[0][0]
    'lagfeaturizer'
    """
    return SeriesPipeline(
        make_pipeline(*steps).steps,
        history=history,
        n_warmup=n_warmup,
        drop_warmup=drop_warmup,
        memory=memory,
        verbose=verbose,
    )
