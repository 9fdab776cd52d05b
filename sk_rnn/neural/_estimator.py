"""LSTMRegressor: a scikit-learn regressor that owns a skorch recurrent net."""

from __future__ import annotations

from numbers import Integral, Real

from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted

from .._utils._base import SkRnnEstimatorMixin
from .._utils._compat import Interval, StrOptions, _fit_context
from . import _persistence
from ._fitting import export_state, import_state, train
from ._module import N_GATES, format_summary
from ._net import LOSSES, OPTIMIZERS
from ._predicting import predict_members


class LSTMRegressor(SkRnnEstimatorMixin, RegressorMixin, BaseEstimator):
    """Recurrent neural network regressor (LSTM, GRU or SimpleRNN).

    Each row of ``X`` is one input window, a sequence of time steps: a 2-D
    row of ``n_steps * n_features`` values, step-major and oldest first (what
    :class:`LagFeaturizer` writes), or a 3-D array ``(n_samples, n_steps,
    n_features)``. Stacked recurrent layers read the window and a dense layer
    maps the final state to the targets. Training goes through a
    :class:`skorch.NeuralNet` kept as ``net_``. NaN marks missing steps (a
    window whose oldest steps are NaN is a shorter sequence); infinite
    values and NaN in ``y`` are errors.

    Parameters
    ----------
    hidden_size : int, default=32
        Units per recurrent layer (and direction).
    num_layers : int, default=1
        Stacked recurrent layers; each feeds its whole output sequence to the
        next, like Keras's ``return_sequences=True``.
    cell : {"lstm", "gru", "rnn"}, default="lstm"
        The recurrent cell. "rnn" is the tanh SimpleRNN
        ``h_t = tanh(W x_t + U h_{t-1} + b)``.
    dropout : float, default=0.0
        Dropout rate on the output of every recurrent layer (between layers
        and before the dense head), in training only.
    bidirectional : bool, default=False
        Whether each layer also reads the window backwards. Not with
        ``stateful=True``.
    n_steps : int or None, default=None
        How a 2-D row is read: ``n_steps`` steps of ``n_features / n_steps``
        features. None reads it from :class:`LagFeaturizer` column names
        (``a_lag2, b_lag2, a_lag1, ...``), else one feature per step. Ignored
        for 3-D input.
    layout : {"steps", "newest_first", "skforecast", "sktime"} or list of \
            (int or list of int, int), default="steps"
        How a 2-D row's columns form the window, for libraries that build
        the rows (the table in "sk_rnn with other libraries" gives the layout
        for each library's configuration). "steps": step-major, oldest step
        first (:class:`LagFeaturizer`'s). "skforecast" (or "newest_first"):
        the first ``n_steps`` columns are one feature's lags, newest first
        (skforecast's ``lag_1, lag_2, ...``). "sktime": ``n_steps`` columns
        oldest first for the target, then as many for each exogenous column
        (sktime's ``make_reduction``). With these three, columns named
        ``lag_1, lag_2, ...`` (sktime's global reduction's ``y_lag_1, ...``)
        give the number of lags; otherwise ``n_steps`` is required (the lags
        cannot be told from the columns after them). A list of
        ``(n_steps, n_features)`` blocks, each step-major and oldest first,
        one after the other (darts' target and covariate blocks);
        ``n_steps`` may also be darts' list of lags (``[-12, -1]``, or
        ``[-2, -1, 0, 1]`` for future covariates), or one such list or count
        per feature (``[[-3, -1], 2]``, a darts lags dict: the columns by
        lag, then feature). The window's steps are the
        blocks' negative lags; a block holds its latest earlier value at a
        step it lacks (its oldest before its first). Values at lags >= 0 and
        the columns after the lags or blocks (window features, exogenous
        values, a series code, static covariates; NaN refused) are given at
        every step. Ignored for 3-D input.

        .. versionchanged:: 0.3
           "skforecast", "sktime" and darts' lag lists; "newest_first"
           without ``n_steps`` needs columns named as lags.
    stateful : bool, default=False
        Rows are consecutive steps of one stream and the recurrent state is
        carried from row to row (from zero at each epoch). ``batch_size``
        sets how far back a gradient reaches (truncated back-propagation),
        not a number of parallel streams as in Keras. ``predict`` starts from
        ``state_`` or from zero, as its ``initial_state`` says. On a panel
        (a (series, time) MultiIndex, or inside a :class:`~sk_rnn.SeriesPipeline`
        fitted on one) every series is its own stream, read once from its
        start: the streams train side by side, ``batch_size`` rows of every
        series per optimiser step, no state crossing series, and each series
        keeps its own end state (``state_series_``); early stopping holds out
        every stream's last rows, and ``sample_weight`` weighs each row's loss
        (a chunk's loss is ``sum(w_i * l_i) / sum(w_i)`` over every series'
        rows in it).

        .. versionchanged:: 0.3
           Panels train one stream per series (0.2 refused them).
    max_epochs : int, default=100
        Passes over the training rows.
    batch_size : int or None, default=32
        Rows per optimiser step; None for all rows in one batch.
    lr : float, default=0.001
        Learning rate.
    optimizer : {"adam", "adamw", "sgd", "rmsprop"} or torch optimizer class, \
            default="adam"
        The optimiser. Adam, AdamW and SGD use PyTorch's fused kernels.
    init : {"keras", "pytorch"}, default="keras"
        Weight initialisation: Keras's (Glorot-uniform, orthogonal recurrent
        weights, LSTM forget-gate bias 1) or PyTorch's uniform.
    n_ensemble : int, default=1
        Independent networks trained together as one vectorised model;
        ``predict`` returns their mean. Member ``k`` is seeded with
        ``member_seeds_[k]`` (``random_state``, then words of
        ``numpy.random.SeedSequence(random_state)``) and equals a single fit
        with that ``random_state`` (with ``dropout=0``, ``shuffle=False``).
    shuffle : bool, default=False
        Whether to shuffle the training windows each epoch (stateless only;
        rows are otherwise visited in time order).
    early_stopping : bool or {"refit", "holdout"}, default=False
        Each member chooses its number of epochs on the last
        ``validation_fraction`` of every series' rows (one series is a panel
        of one; after a gap of ``n_steps + n_outputs - 1`` rows for windows,
        ``n_outputs - 1`` for stateful streams, so no training window or
        target reaches a validation target), stopping after
        ``n_iter_no_change`` epochs without improvement. The validation loss
        is the mean over series of each series' mean loss.
        "holdout" keeps that run's best weights; "refit" (what True means)
        then retrains on every row for the chosen epochs. Too few rows, a
        tiny validation part or first-epoch weights warn
        (:class:`~sk_rnn.exceptions.EarlyStoppingWarning`); see the user
        guide.
    validation_fraction : float, default=0.1
        Share of each series' training rows, its most recent ones, used for
        early stopping (rounded up; a series too short to keep a training
        row trains on all its rows).
    n_iter_no_change : int, default=10
        Epochs without improvement before stopping.
    tol : float, default=1e-4
        Minimum decrease of the validation loss that counts as improvement.
    clip_grad_norm : float or None, default=None
        Clip each member's gradient to this norm before every step.
    loss : {"squared_error", "absolute_error", "huber", "quantile"}, \
            default="squared_error"
        The loss minimised and watched by early stopping. "huber": PyTorch's,
        ``delta=1`` (scale ``y``); "quantile": the pinball loss.
    quantile : float or None, default=None
        The quantile, in (0, 1), that ``loss="quantile"`` predicts; only
        with that loss.
    callbacks : list of skorch callbacks or (name, callback) tuples, default=None
        Passed to the skorch net as they are (learning-rate schedulers,
        checkpoints, loggers); ``clone`` copies them. A callback that stops
        training (skorch's ``EarlyStopping``) ends it normally.
    warm_start : bool, default=False
        ``fit`` continues the fitted network for ``max_epochs`` more epochs,
        with its optimiser state and random streams (twice ``n`` equals
        ``2 * n``). Training settings (``lr``, ``batch_size``, ``callbacks``,
        ...) may change; a change to the network's structure is refused.
    on_interrupt : {"raise", "keep_last_epoch"}, default="raise"
        A Ctrl-C during ``fit`` propagates and leaves the estimator as it
        was ("raise"), or ``fit`` returns with the last completed epoch and
        warns ("keep_last_epoch"; it copies the state at each epoch's end).
    device : str, default="cpu"
        Where to train and predict: any torch device string that exists on
        this machine ("cpu", "cuda", "cuda:1", "mps"), or "auto" for CUDA
        when available.
    predict_dtype : {"float64", "float32"}, default="float64"
        Precision of prediction: float64 makes a row's prediction independent
        of its batch (to 1e-15); float32 is faster, to about 1e-6.
    n_threads : int or None, default=None
        Torch CPU threads during ``fit`` and ``predict``; None: one for small
        models, otherwise torch's setting but no more than the cores other
        processes leave idle (sampled for 0.05 s, at most every second, from
        ``/proc/stat`` on Linux): a thread waiting on a busy core made
        training several times slower. Counts may round differently in the
        last bits (about 1e-9); set ``n_threads`` for bit-identical refits on
        a machine whose load varies. Threads asking for different counts
        take turns (the count can be process-wide) and it is restored.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, dropout and shuffling, through explicit
        ``torch.Generator`` objects: the same int gives the same model, and
        torch's global generators (CPU, CUDA, MPS) are never read or reseeded.
    verbose : int, default=0
        0: silent. 1: a progress bar of the epochs (tqdm, on stderr), once a
        fit has run for 3 seconds and only on a terminal. 2 or more:
        skorch's table of the epochs' losses.

        .. versionchanged:: 0.3
           1 shows the progress bar; skorch's table needs 2.
    net_kwargs : dict or None, default=None
        Extra arguments for :class:`skorch.NeuralNetRegressor`, such as
        ``{"optimizer__weight_decay": 1e-4}``; keys that this estimator's own
        parameters set (``module__*``, ``criterion``, ``lr``...) are refused.

    Attributes
    ----------
    net_ : skorch.NeuralNetRegressor
        The trained skorch net; ``net_.module_`` is the torch module and
        ``net_.history`` the training history. ``net_.predict(windows)``
        takes 3-D windows ``(n, n_steps, n_features)`` and returns every
        member's predictions, ``(n, n_ensemble, n_outputs)``.
    n_iter_ : int
        Epochs trained in all: over warm starts and ``partial_fit`` calls.
    loss_curve_ : list of float
        Mean training loss of the members, per epoch.
    validation_loss_curve_ : list of float
        Mean validation loss per epoch of the held-out run; only with early
        stopping.
    best_epoch_ : ndarray of shape (n_ensemble,)
        Each member's chosen epoch (counted from 1): the weights it keeps
        ("holdout") or the epochs it is refitted for ("refit"); only with
        early stopping.
    window_shape_ : tuple of (int, int)
        ``(n_steps, n_features)`` of one input window.
    n_outputs_ : int
        Number of targets.
    member_seeds_ : list of int
        Seed of each ensemble member (see ``n_ensemble``).
    n_threads_ : int
        Torch threads used during ``fit``.
    state_ : tuple of ndarray
        Only when ``stateful``: the recurrent state after the training rows
        (``h``, then ``c`` for the LSTM), where prediction of the next block
        starts; shaped ``(num_layers, n_ensemble, n_series, hidden_size)``,
        one series (axis 2) per stream.
    state_series_ : list
        Only when ``stateful`` and fitted on a panel: the series ids of
        ``state_``'s axis 2, in the fitted order.
    n_features_in_ : int
        Number of features (columns of a 2-D ``X``) seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``. Defined only when ``X`` has
        feature names that are all strings.

    See Also
    --------
    LagFeaturizer : Build the windows from a series.
    DifferencedTargetRegressor : Predict changes, report levels.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_rnn import LSTMRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(-1, 1, size=(64, 3))     # 64 windows of 3 steps
    >>> y = X.sum(axis=1)
    >>> model = LSTMRegressor(hidden_size=8, max_epochs=5, random_state=0)
    >>> model.fit(X, y).predict(X[:2]).shape
    (2,)
    >>> model.window_shape_
    (3, 1)
    """

    #: Read by SeriesPipeline (which does not import torch): this estimator
    #: reads 2-D rows as step-major windows and takes 3-D windows.
    _reads_step_windows = True

    _parameter_constraints: dict = {
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "num_layers": [Interval(Integral, 1, None, closed="left")],
        "cell": [StrOptions(set(N_GATES))],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "bidirectional": ["boolean"],
        "n_steps": [None, Interval(Integral, 1, None, closed="left")],
        "layout": [
            StrOptions({"steps", "newest_first", "skforecast", "sktime"}),
            list,
            tuple,
        ],
        "stateful": ["boolean"],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [None, Interval(Integral, 1, None, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "optimizer": [StrOptions(set(OPTIMIZERS)), type],
        "init": [StrOptions({"keras", "pytorch"})],
        "n_ensemble": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "early_stopping": ["boolean", StrOptions({"refit", "holdout"})],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "clip_grad_norm": [None, Interval(Real, 0, None, closed="neither")],
        "loss": [StrOptions(set(LOSSES))],
        "quantile": [None, Interval(Real, 0, 1, closed="neither")],
        "callbacks": [None, list],
        "warm_start": ["boolean"],
        "on_interrupt": [StrOptions({"raise", "keep_last_epoch"})],
        "device": [str],
        "predict_dtype": [StrOptions({"float64", "float32"})],
        "n_threads": [None, Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "net_kwargs": [None, dict],
    }

    def __init__(
        self,
        hidden_size=32,
        num_layers=1,
        cell="lstm",
        *,
        dropout=0.0,
        bidirectional=False,
        n_steps=None,
        layout="steps",
        stateful=False,
        max_epochs=100,
        batch_size=32,
        lr=0.001,
        optimizer="adam",
        init="keras",
        n_ensemble=1,
        shuffle=False,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        clip_grad_norm=None,
        loss="squared_error",
        quantile=None,
        callbacks=None,
        warm_start=False,
        on_interrupt="raise",
        device="cpu",
        predict_dtype="float64",
        n_threads=None,
        random_state=None,
        verbose=0,
        net_kwargs=None,
    ):
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.cell = cell
        self.dropout = dropout
        self.bidirectional = bidirectional
        self.n_steps = n_steps
        self.layout = layout
        self.stateful = stateful
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.optimizer = optimizer
        self.init = init
        self.n_ensemble = n_ensemble
        self.shuffle = shuffle
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.clip_grad_norm = clip_grad_norm
        self.loss = loss
        self.quantile = quantile
        self.callbacks = callbacks
        self.warm_start = warm_start
        self.on_interrupt = on_interrupt
        self.device = device
        self.predict_dtype = predict_dtype
        self.n_threads = n_threads
        self.random_state = random_state
        self.verbose = verbose
        self.net_kwargs = net_kwargs

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Train the network on windows ``X`` and targets ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or \
                (n_samples, n_steps, n_features)
            Input windows, one per row, oldest step first.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets; a 2-D ``y`` trains one output per column.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each row: a batch's loss is ``sum(w_i * l_i) /
            sum(w_i)``. A stateless row of weight 0 is dropped; a stateful
            one still carries the state.

        Returns
        -------
        self : LSTMRegressor
            The fitted regressor.
        """
        train(self, X, y, sample_weight, partial=False)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Train one epoch on ``X`` and ``y``, continuing a fitted network.

        As ``fit`` with ``warm_start=True`` and ``max_epochs=1`` (Optuna's
        pruning, online updates); early stopping needs ``fit``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or \
                (n_samples, n_steps, n_features)
            Input windows.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each row in the loss (see ``fit``).

        Returns
        -------
        self : LSTMRegressor
            The regressor, trained one more epoch.
        """
        train(self, X, y, sample_weight, partial=True)
        return self

    def _export(self, net=None) -> tuple[dict, dict]:
        """The fitted state as ``(attributes, tensors)``: what ``save`` and
        :class:`~sk_rnn.callbacks.Checkpoint` write and ``_import`` reads."""
        return export_state(self, net)

    def _import(self, fitted, tensors, history, n_valid, gap) -> None:
        """Become the model that ``_export`` described (``load``)."""
        import_state(self, fitted, tensors, history, n_valid, gap)

    def __getstate__(self):
        """Parameters, and a fitted model as plain values and arrays (pickle,
        joblib, skops): see ``_persistence.pickle_state``."""
        return _persistence.pickle_state(self, super().__getstate__())

    def __setstate__(self, state):
        _persistence.unpickle_state(self, state, super().__setstate__)

    def predict(self, X, return_std=False, return_members=False, initial_state="fit"):
        """Predict with the fitted network (the member mean of an ensemble).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or \
                (n_samples, n_steps, n_features)
            Input windows. With ``stateful=True`` the rows are consecutive
            steps of one stream, and ``initial_state`` says where it starts.
        return_std : bool, default=False
            Also return the standard deviation over the ensemble members
            (zero for ``n_ensemble=1``).
        return_members : bool, default=False
            Return every member's predictions instead of their mean, member
            axis second: ``(n_samples, n_ensemble[, n_outputs])``.
            :class:`DifferencedTargetRegressor` converts them to ``y``'s units.
        initial_state : {"fit", "zero"}, tuple of ndarray or dict, \
                default="fit"
            Only with ``stateful=True``: the state the first row starts from:
            ``state_`` for a block that continues the training rows ("fit"),
            zero for a new series ("zero"), or a tuple shaped like
            ``state_``. On a panel, each series starts from its own fitted
            state ("fit"), from zero ("zero"), or as a dict maps its id to
            "fit" or "zero". Never chosen from the data; a
            :class:`~sk_rnn.SeriesPipeline` passes the right one.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predictions, float64.
        y_std : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Spread of the members; only when ``return_std=True``.
        """
        if return_std and return_members:
            raise ValueError(
                "LSTMRegressor.predict returns the members' spread (return_std) "
                "or the members themselves (return_members), not both; got both "
                "True. Take members.std(axis=1) from return_members=True."
            )
        members = predict_members(self, X, initial_state)
        if self._y_ndim == 1:
            members = members[:, :, 0]
        if return_members:
            return members
        mean = members.mean(axis=1)
        return (mean, members.std(axis=1)) if return_std else mean

    def predict_members(self, X):
        """Every ensemble member's predictions (``return_members=True``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or \
                (n_samples, n_steps, n_features)
            Input windows, as for ``predict``.

        Returns
        -------
        y_members : ndarray of shape (n_samples, n_ensemble[, n_outputs])
            Member ``k``'s predictions in column ``k``.
        """
        return self.predict(X, return_members=True)

    def save(self, path):
        """Write the fitted model to a file that loads without running code.

        JSON (parameters, fitted attributes, history) and tensors read back
        with ``torch.load(weights_only=True)``, under a checksum.
        ``load(path)`` predicts the same and continues training exactly
        (``warm_start=True``). ``callbacks`` are not saved.

        Parameters
        ----------
        path : str or path-like
            File to write (replaced atomically if it exists).

        Returns
        -------
        path : pathlib.Path
            The file written.

        Examples
        --------
        >>> import os, tempfile
        >>> import numpy as np
        >>> from sk_rnn import LSTMRegressor
        >>> X, y = np.random.default_rng(0).normal(size=(16, 3)), np.zeros(16)
        >>> model = LSTMRegressor(max_epochs=2, random_state=0).fit(X, y)
        >>> path = model.save(os.path.join(tempfile.mkdtemp(), "model.skrnn"))
        >>> bool((LSTMRegressor.load(path).predict(X) == model.predict(X)).all())
        True
        """
        check_is_fitted(self)
        return _persistence.save_model(self, path)

    @classmethod
    def load(cls, path, *, device=None):
        """Read a model written by ``save`` (or a ``Checkpoint`` callback).

        Parameters
        ----------
        path : str or path-like
            The model file.
        device : str or None, default=None
            Where to load the network; None keeps the saved device, or the
            CPU (with a warning) when that device is not available here.

        Returns
        -------
        model : LSTMRegressor
            The fitted model.

        Raises
        ------
        ValueError
            If the file is not an sk_rnn model file, was damaged after it was
            saved (any byte: a checksum), is over 1 GiB, has members larger
            than the network it describes can need, or describes a network
            its tensors do not hold; checked before anything is built. The
            checksum detects damage, not tampering (an editor can write a new
            one), so the content is bounded and checked as well; still, load
            files you trust.

        Examples
        --------
        See :meth:`save`.
        """
        return _persistence.load_model(cls, path, device)

    def to_onnx(self, path):
        """Write the fitted network, as ``predict`` runs it, to an ONNX file.

        The graph takes the 2-D rows ``predict`` takes and returns what
        ``predict`` returns (the member mean), computed in float32: to about
        1e-6 of ``predict``'s float64 result. It reads every ``layout`` as
        ``predict`` does, and a NaN step is missing (the state passes
        through it) as in ``predict``. Before the file is written, the graph
        is run in onnxruntime on probe rows (some with missing steps) and
        compared with ``predict``. Needs ``onnx``, ``onnxscript`` and
        ``onnxruntime`` (``pip install sk-rnn[onnx]``) and torch>=2.6.

        Parameters
        ----------
        path : str or path-like
            File to write (replaced if it exists).

        Returns
        -------
        path : pathlib.Path
            The file written.

        Raises
        ------
        NotFittedError
            If the model is not fitted.
        ValueError
            If the model was fitted with ``stateful=True``: its prediction
            carries the state from row to row.
        ImportError
            If onnx, onnxscript or onnxruntime is missing, or torch is older
            than 2.6.
        RuntimeError
            If the graph does not reproduce ``predict`` on the probe rows (a
            bug of the exporter); the file is then not written.

        Notes
        -----
        The graph has one input and one output:

        - ``"X"``: float32, shape ``(batch, n_features_in_)``, ``batch``
          dynamic: the rows ``predict`` takes (a model fitted on 3-D windows
          takes them flattened, ``X3.reshape(len(X3), -1)``). No scaling
          happens in the network; transformers before it in a pipeline
          (lags, differencing, scaling) run outside the graph.
        - ``"y"``: float32, shape ``(batch,)`` for a model fitted on a 1-D
          ``y``, else ``(batch, n_outputs_)``. A row ``predict`` refuses (an
          infinite value, NaN in a column that ``layout`` gives at every
          step) comes out NaN.

        "Exporting the network to ONNX" in the documentation runs a
        :func:`make_forecaster` network in onnxruntime, its transformers in
        Python.

        .. versionadded:: 0.3
        """
        from ._onnx import to_onnx

        return to_onnx(self, path)

    def summary(self) -> str:
        """A Keras-style table of the fitted network's layers.

        Returns
        -------
        table : str
            One line per layer: output shape per window and parameters per
            member, then the totals.

        Examples
        --------
        >>> import numpy as np
        >>> from sk_rnn import LSTMRegressor
        >>> X, y = np.zeros((8, 1)), np.zeros(8)
        >>> model = LSTMRegressor(hidden_size=4, max_epochs=1, random_state=0)
        >>> print(model.fit(X, y).summary())
        LSTMRegressor: windows of 1 step x 1 feature, 1 member
        Layer (type)           Output shape          Param #
        ====================================================
        lstm_0 (LSTM)          (None, 4)                  96
        dense (Dense)          (None, 1)                   5
        ====================================================
        Total params: 101 per member, 101 in all
        """
        check_is_fitted(self)
        module = self.net_.module_  # the fitted network, whatever set_params said
        return format_summary(
            module, self.window_shape_, module.cell, module.bidirectional
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.three_d_array = True
        tags.target_tags.multi_output = True
        return tags
