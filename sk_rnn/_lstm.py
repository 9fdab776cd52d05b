"""LSTMRegressor: a scikit-learn regressor that owns a skorch recurrent net."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted

from . import _persistence
from ._compat import Interval, StrOptions, _fit_context
from ._fitting import export_state, import_state, train
from ._modules import N_GATES, format_summary
from ._net import LOSSES, OPTIMIZERS, stream_forward, torch_threads
from ._windows import validate_windows

#: Rows per prediction batch: bounds device memory, whatever len(X) is.
PREDICT_BATCH_ROWS = 1024

#: Multiply-adds per training step below which one thread is fastest.
SMALL_MODEL_WORK = 2**22


class LSTMRegressor(RegressorMixin, BaseEstimator):
    """Recurrent neural network regressor (LSTM, GRU or SimpleRNN).

    Each row of ``X`` is one input window, read as a sequence of time steps:
    a 2-D row of ``n_steps * n_features`` values, step-major and oldest step
    first (what :class:`LagFeaturizer` writes), or a 3-D array ``(n_samples,
    n_steps, n_features)`` as Keras users have. The network reads the window
    with stacked recurrent layers and maps the final state to the targets
    with a dense layer. Training goes through a :class:`skorch.NeuralNet`
    built in ``fit`` and kept as ``net_``, with its history and callbacks.
    ``fit`` takes ``sample_weight``, and ``partial_fit`` trains one epoch.

    NaN in a window marks missing time steps, never zeros: a window whose
    oldest steps are NaN is a shorter sequence, and a window with no observed
    step gets the prediction of the initial state. Infinite values are an
    error. NaN in ``y`` is an error.

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
        features each. None reads the layout from the column names when
        ``X`` is a DataFrame of :class:`LagFeaturizer` windows
        (``a_lag2, b_lag2, a_lag1, ...``: 3 steps x 2 features), and
        otherwise means one feature per step (a univariate window). A NumPy
        array has no names: set ``n_steps`` for windows of several features
        (:func:`make_forecaster` and :class:`SeriesPipeline` do, or refuse).
        Ignored for 3-D input.
    stateful : bool, default=False
        Rows are consecutive time steps of one stream and the recurrent state
        is carried from row to row. In training the state starts from zero at
        each epoch and flows through every row in order; each optimiser step
        sees ``batch_size`` consecutive rows and its gradient is truncated at
        the batch's start (truncated back-propagation through time). So
        ``batch_size`` sets how far back a gradient reaches, not a number of
        parallel streams as in Keras. After training, ``state_`` is the state
        after the training rows. ``predict`` starts from ``state_`` (a block
        that continues the training rows) or from the zero state (a new
        series), as its ``initial_state`` says; it never decides from the
        data, and never changes the model.
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
        Weight initialisation. "keras": Glorot-uniform input and dense
        weights, orthogonal recurrent weights, zero biases and LSTM
        forget-gate bias 1, as Keras does; it reproduces Keras results on
        small series. "pytorch": PyTorch's uniform ``±1/sqrt(hidden_size)``.
    n_ensemble : int, default=1
        Independent networks trained together as one vectorised model. Member
        0 is initialised from ``s``, the seed ``random_state`` gives
        (``random_state`` itself when it is an int), and member ``k`` from
        ``member_seeds_[k]``, a word of ``numpy.random.SeedSequence(s)``: the
        seeds do not depend on ``n_ensemble`` and do not overlap between
        nearby ``random_state`` values. Member ``k`` equals a single fit with
        ``random_state=member_seeds_[k]`` (with ``dropout=0`` and
        ``shuffle=False``). ``predict`` returns the member mean; see
        ``predict(return_std=True)`` and ``predict_members``.
    shuffle : bool, default=False
        Whether to shuffle the training windows each epoch (stateless only;
        rows are otherwise visited in time order).
    early_stopping : bool or {"refit", "holdout"}, default=False
        Choose the number of epochs on held-out rows: the last
        ``validation_fraction`` of the training rows (after a gap of
        ``n_steps`` rows, so windows do not overlap; none when stateful).
        Training stops when the validation loss has not improved by ``tol``
        for ``n_iter_no_change`` epochs; each ensemble member chooses its own
        best epoch. "holdout" keeps the best weights of that run, which never
        trained on the held-out (most recent) rows. "refit" then trains the
        same network again, from the same seeds, on every row for each
        member's chosen number of epochs, so the most recent rows are
        learnt too. True means "refit", the better of the two on the
        series we measured (see the user guide). Too few rows to hold any
        out: a warning (:class:`~sk_rnn.exceptions.EarlyStoppingWarning`)
        and training on all rows for ``max_epochs``. Fewer than 5 validation
        rows, or members that keep their first-epoch weights, also warn.
    validation_fraction : float, default=0.1
        Share of the training rows, the most recent ones, used for early
        stopping.
    n_iter_no_change : int, default=10
        Epochs without improvement before stopping.
    tol : float, default=1e-4
        Minimum decrease of the validation loss that counts as improvement.
    clip_grad_norm : float or None, default=None
        Clip each member's gradient to this norm before every step.
    loss : {"squared_error", "absolute_error", "huber", "quantile"}, \
            default="squared_error"
        The loss minimised, and the one early stopping watches. "huber" is
        PyTorch's Huber loss with ``delta=1`` (quadratic within 1 of the
        target: scale ``y``); "quantile" is the pinball loss of
        ``quantile``.
    quantile : float or None, default=None
        The quantile, in (0, 1), that ``loss="quantile"`` predicts; only
        with that loss.
    callbacks : list of skorch callbacks or (name, callback) tuples, default=None
        Passed to the skorch net as they are (learning-rate schedulers,
        checkpoints, loggers); ``clone`` copies them. A callback that stops
        training (skorch's ``EarlyStopping``) ends it normally.
    warm_start : bool, default=False
        If True and the model is fitted, ``fit`` continues training the
        existing network for ``max_epochs`` more epochs, with its optimiser
        state, random streams and history: ``fit`` twice with ``max_epochs=n``
        equals one fit with ``2 * n``. ``max_epochs``, ``batch_size``,
        ``lr``, ``clip_grad_norm``, ``dropout``, ``shuffle``,
        ``n_iter_no_change``, ``tol``, ``callbacks``, ``verbose``,
        ``predict_dtype``, ``n_threads`` and ``on_interrupt`` may change
        between warm starts; a change to any other parameter is refused
        (it would not apply to the existing network). From a
        :class:`~sk_rnn.callbacks.Checkpoint` file it resumes exactly.
    on_interrupt : {"raise", "keep_last_epoch"}, default="raise"
        What a Ctrl-C (``KeyboardInterrupt``) during ``fit`` does. "raise":
        it propagates, so the program (a grid search, the command line)
        stops; the estimator is left as it was before the call.
        "keep_last_epoch": ``fit`` returns with the weights, optimiser state
        and random streams of the last completed epoch and warns
        (:class:`~sk_rnn.exceptions.TrainingInterruptedWarning`); a warm
        start continues exactly. It copies the training state at every
        epoch's end.
    device : str, default="cpu"
        Where to train and predict: any torch device string that exists on
        this machine ("cpu", "cuda", "cuda:1", "mps"), or "auto" for CUDA
        when available.
    predict_dtype : {"float64", "float32"}, default="float64"
        Precision of prediction. The network trains in float32; predicting
        in float64 makes a row's prediction independent of the other rows in
        its batch (to about 1e-15), which scikit-learn's checks and
        reproducible pipelines rely on. "float32" is several times faster on
        CPU, with differences of about 1e-6 between batchings.
    n_threads : int or None, default=None
        Torch CPU threads during ``fit`` and ``predict`` (restored after).
        None uses one thread for small models, where more threads only add
        synchronisation, and torch's own setting otherwise (which joblib
        workers already limit). Set it to override. ``torch.set_num_threads``
        can be process-wide, so fits and predictions in several threads
        share one guard: blocks that ask for the same count run together,
        one that asks for another waits, and the last restores the count.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, dropout and shuffling, through explicit
        ``torch.Generator`` objects: the same int gives the same model, and
        torch's global generators (CPU, CUDA, MPS) are never read or reseeded.
    verbose : int, default=0
        skorch's epoch table is printed when positive.
    net_kwargs : dict or None, default=None
        Extra arguments for :class:`skorch.NeuralNetRegressor`, for example
        ``{"optimizer__weight_decay": 1e-4}`` or ``{"iterator_train":
        torch.utils.data.DataLoader}``. Keys that this estimator's own
        parameters set (``module__*``, ``criterion*``, ``lr``, ``callbacks``,
        ...) are refused.

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
        starts.
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

    _parameter_constraints: dict = {
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "num_layers": [Interval(Integral, 1, None, closed="left")],
        "cell": [StrOptions(set(N_GATES))],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "bidirectional": ["boolean"],
        "n_steps": [None, Interval(Integral, 1, None, closed="left")],
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

    def _resolve_threads(self, batch: int) -> int | None:
        """Threads for steps of ``batch`` rows: see ``n_threads``."""
        if self.n_threads is not None:
            return self.n_threads
        if self.stateful:
            batch = 1
        width = self.hidden_size * (self.bidirectional + 1)
        work = batch * self.n_ensemble * N_GATES[self.cell] * self.hidden_size * width
        return 1 if work < SMALL_MODEL_WORK else None

    def _check_params(self, partial: bool) -> None:
        if self.stateful and self.bidirectional:
            raise ValueError(
                "LSTMRegressor got stateful=True with bidirectional=True; a state "
                "carried forward from row to row cannot read the rows backwards. "
                "Set bidirectional=False."
            )
        if (self.loss == "quantile") != (self.quantile is not None):
            raise ValueError(
                "LSTMRegressor expects quantile (a float in (0, 1)) exactly when "
                f"loss='quantile'; got loss={self.loss!r}, quantile="
                f"{self.quantile!r}."
            )
        if partial and self.early_stopping:
            raise ValueError(
                "LSTMRegressor.partial_fit trains one epoch on the rows it is "
                "given and cannot hold some out for early stopping; got "
                "early_stopping=True. Use fit, or set early_stopping=False."
            )

    # ------------------------------------------------------------------ fit
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Train the network on windows ``X`` and targets ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or \
                (n_samples, n_steps, n_features)
            Input windows, one per row, oldest step first. NaN marks missing
            steps. With ``stateful=True`` the rows are consecutive.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets; a 2-D ``y`` trains one output per column (for example
            one per forecast horizon).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weight of each row in the loss: a batch's loss is
            ``sum(w_i * l_i) / sum(w_i)``. A stateless row of weight 0 is
            left out of training, exactly as if it were dropped; a stateful
            row of weight 0 still carries the state.

        Returns
        -------
        self : LSTMRegressor
            The fitted regressor.
        """
        return self._train(X, y, sample_weight, partial=False)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Train one epoch on ``X`` and ``y``, continuing a fitted network.

        The first call builds the network as ``fit`` would; each call then
        passes once over the given rows with the optimiser's state kept, as
        ``fit`` with ``warm_start=True`` and ``max_epochs=1`` does (Optuna's
        pruning, online updates). Early stopping needs ``fit``.

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
        return self._train(X, y, sample_weight, partial=True)

    def _train(self, X, y, sample_weight, *, partial):
        train(self, X, y, sample_weight, partial=partial)
        return self

    def _export(self, net=None) -> tuple[dict, dict]:
        """The fitted state as ``(attributes, tensors)``: what ``save`` and
        :class:`~sk_rnn.callbacks.Checkpoint` write and ``_import`` reads."""
        return export_state(self, net)

    def _import(self, fitted, tensors, history, n_valid, gap) -> None:
        """Become the model that ``_export`` described (``load``)."""
        import_state(self, fitted, tensors, history, n_valid, gap)

    def _set_fitted(self, fitted: dict) -> None:
        fitted["net_"].module_.train(False)
        for name, value in fitted.items():
            setattr(self, name, value)

    # -------------------------------------------------------------- predict
    def _forward(self, windows: np.ndarray, state, module=None):
        """Predictions ``(n, K, O)`` and the end state; see ``stream_forward``."""
        return stream_forward(
            self.net_.module_ if module is None else module,
            windows,
            state,
            stateful=self.stateful,
            dtype=torch.float64 if self.predict_dtype == "float64" else torch.float32,
            batch_rows=PREDICT_BATCH_ROWS,
        )

    def _initial_state(self, initial_state):
        """The state a stateful prediction starts from (see ``predict``)."""
        if isinstance(initial_state, str) and initial_state in ("fit", "zero"):
            if not self.stateful or initial_state == "zero":
                return None
            return self.state_
        if not self.stateful:
            raise ValueError(
                "LSTMRegressor got an initial_state array with stateful=False; "
                "stateless windows always start from the zero state. Pass "
                "initial_state='fit' (the default) or fit with stateful=True."
            )
        if not isinstance(initial_state, (tuple, list)) or len(initial_state) != len(
            self.state_
        ):
            raise ValueError(
                "LSTMRegressor.predict expects initial_state='fit', 'zero' or a "
                f"tuple of {len(self.state_)} array(s) shaped like state_; got "
                f"{initial_state!r}."
            )
        state = []
        for given, fitted in zip(initial_state, self.state_, strict=True):
            if fitted is None:
                state.append(None)
                continue
            given = np.asarray(given, dtype=np.float64)
            if given.shape != fitted.shape:
                raise ValueError(
                    "LSTMRegressor.predict expects initial_state arrays of shape "
                    f"{fitted.shape} (like state_); got {given.shape}."
                )
            state.append(given)
        return tuple(state)

    def _predict_all(self, X, initial_state="fit") -> np.ndarray:
        check_is_fitted(self)
        windows, _, _ = validate_windows(self, X, reset=False)
        state = self._initial_state(initial_state)
        module = self.net_.module_
        training = module.training
        module.train(False)
        try:
            batch = min(len(windows), PREDICT_BATCH_ROWS)
            with torch_threads(self._resolve_threads(batch)):
                members, _ = self._forward(windows, state)
        finally:
            module.train(training)
        return members

    def _shape_output(self, values: np.ndarray) -> np.ndarray:
        return values[:, 0] if self._y_ndim == 1 else values

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
            Return every member's predictions instead of their mean, with the
            member axis second: shape ``(n_samples, n_ensemble)`` or
            ``(n_samples, n_ensemble, n_outputs)``. A ``Pipeline`` passes this
            on to its last step, and :class:`DifferencedTargetRegressor`
            converts the members to ``y``'s units.
        initial_state : {"fit", "zero"} or tuple of ndarray, default="fit"
            Only with ``stateful=True``: the recurrent state the first row
            starts from. "fit" is ``state_``, the state after the training
            rows, for a block that continues them (the next fold of a
            ``TimeSeriesSplit``); "zero" starts a series (the training rows
            themselves, or a new series); a tuple shaped like ``state_`` is
            a state of your own. The choice is never made from the data.
            :class:`~sk_rnn.SeriesPipeline` passes the right one for the
            block it is given.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predictions, float64.
        y_std : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Spread of the members; only when ``return_std=True``.
        """
        members = self._predict_all(X, initial_state)
        if return_members:
            return members[:, :, 0] if self._y_ndim == 1 else members
        mean = self._shape_output(members.mean(axis=1))
        if not return_std:
            return mean
        return mean, self._shape_output(members.std(axis=1))

    def predict_members(self, X):
        """Predictions of every ensemble member: ``predict(X, return_members=True)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or \
                (n_samples, n_steps, n_features)
            Input windows, as for ``predict``.

        Returns
        -------
        y_members : ndarray of shape (n_samples, n_ensemble) or \
                (n_samples, n_ensemble, n_outputs)
            Member ``k``'s predictions in column ``k``.
        """
        return self.predict(X, return_members=True)

    # ---------------------------------------------------------- persistence
    def save(self, path):
        """Write the fitted model to a file that loads without running code.

        The file holds the parameters, fitted attributes and training
        history as JSON, and the weights, optimiser state and random streams
        as tensors read back with ``torch.load(weights_only=True)``; its
        checksum is verified on loading. ``LSTMRegressor.load(path)`` returns
        a model with the same predictions, which ``fit`` with
        ``warm_start=True`` continues training exactly where it stopped.
        ``callbacks`` are not saved.

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
        device : {"cpu", "cuda"} or None, default=None
            Where to load the network. None keeps the saved device, or uses
            the CPU (with a warning) when the file was saved on CUDA and no
            GPU is available here.

        Returns
        -------
        model : LSTMRegressor
            The fitted model.

        Raises
        ------
        ValueError
            If the file is not an sk_rnn model file, was changed after it was
            saved, or holds anything but tensors in its tensor member.

        Examples
        --------
        See :meth:`save`.
        """
        return _persistence.load_model(cls, path, device)

    def summary(self) -> str:
        """A Keras-style table of the fitted network's layers.

        Returns
        -------
        table : str
            One line per layer with its output shape per window and its
            number of parameters (per ensemble member), then the totals. Print
            it to read it.

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
        return format_summary(
            self.net_.module_, self.window_shape_, self.cell, self.bidirectional
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.three_d_array = True
        tags.target_tags.multi_output = True
        return tags
