"""Exceptions and warnings that sk_rnn users may want to catch or filter."""


class TrainingDivergedError(FloatingPointError, ValueError):
    """The training loss became NaN or infinite.

    A subclass of both :class:`FloatingPointError` and :class:`ValueError`, so
    scikit-learn's model selection reports it like other fit failures. The
    message names the epoch and suggests a lower ``lr`` or ``clip_grad_norm``.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_rnn import LSTMRegressor
    >>> from sk_rnn.exceptions import TrainingDivergedError
    >>> X, y = np.ones((8, 2)), 1e6 * np.arange(8.0)
    >>> model = LSTMRegressor(optimizer="sgd", lr=1e6, max_epochs=3, random_state=0)
    >>> try:
    ...     model.fit(X, y)
    ... except TrainingDivergedError as error:
    ...     print(str(error).split(",")[0])
    LSTMRegressor: the train loss became inf in epoch 3
    """


class EarlyStoppingWarning(UserWarning):
    """Early stopping could not do its work as asked.

    Raised (as a warning) when the validation part is too small to choose an
    epoch, when members kept their first-epoch weights, or when a training
    set is too short to hold rows out, in which case the model trains on all
    rows for ``max_epochs`` instead of failing inside a search.

    Examples
    --------
    >>> import warnings
    >>> import numpy as np
    >>> from sk_rnn import LSTMRegressor
    >>> from sk_rnn.exceptions import EarlyStoppingWarning
    >>> X, y = np.zeros((6, 4)), np.zeros(6)
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _ = LSTMRegressor(early_stopping=True, max_epochs=2).fit(X, y)
    >>> caught[0].category.__name__
    'EarlyStoppingWarning'
    """


class TrainingInterruptedWarning(UserWarning):
    """Training stopped early on a keyboard interrupt (Ctrl-C), as asked.

    Only with ``LSTMRegressor(on_interrupt="keep_last_epoch")``: the fitted
    model holds the weights of the last completed epoch, and ``fit`` with
    ``warm_start=True`` continues from there. By default a Ctrl-C propagates.

    Examples
    --------
    >>> import warnings
    >>> from sk_rnn.exceptions import TrainingInterruptedWarning
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", TrainingInterruptedWarning)
    ...     pass  # fit here and press Ctrl-C: no warning is shown
    """


class MissingHistoryWarning(UserWarning):
    """Rows of a block need history (earlier time steps) that is not there.

    A time-step transformer (or a :class:`~sk_rnn.SeriesPipeline`) was given
    a block that neither continues the fitted series nor is known to start a
    series (a NumPy array or polars frame, a DataFrame without its time index,
    a block after a gap), so its first rows were read as the start of a new
    series: NaN, or shorter windows. The message names the estimator, the
    number of rows and the fix. Turn it into an error to make every forecast
    exact or refused.

    Examples
    --------
    >>> import warnings
    >>> import numpy as np
    >>> from sk_rnn import LagFeaturizer
    >>> from sk_rnn.exceptions import MissingHistoryWarning
    >>> lag = LagFeaturizer(lags=3).fit(np.arange(10.0).reshape(-1, 1))
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("error", MissingHistoryWarning)
    ...     try:
    ...         lag.transform(np.array([[10.0], [11.0]]))
    ...     except MissingHistoryWarning as warning:
    ...         print(str(warning).split(",")[0])
    LagFeaturizer: the first 2 row(s) of X need history that is not available
    """


class LayoutWarning(UserWarning):
    """Unnamed 2-D rows whose values contradict how ``layout`` reads them.

    :class:`~sk_rnn.LSTMRegressor` reads a 2-D row as a window by its
    ``layout`` (``"steps"``: one feature's steps, oldest first, unless
    ``n_steps`` says otherwise). Rows built by another library arrive without
    column names; when consecutive rows show that the columns are lags in
    another order (one row's lags are the next row's lags shifted the other
    way: skforecast's newest-first lags), or that only the first columns
    are one series' lags (sktime's exogenous lags after them, features
    interleaved step by step), the fit warns with the ``layout`` or
    ``n_steps`` to set. The check is best effort (it needs at least 8 rows
    and reads exact repeats); it decides nothing. Turn it into an error to
    refuse such fits.

    Examples
    --------
    >>> import warnings
    >>> import numpy as np
    >>> from sk_rnn import LSTMRegressor
    >>> from sk_rnn.exceptions import LayoutWarning
    >>> series = np.arange(20.0)
    >>> newest_first = np.column_stack([series[3 - k : 20 - k] for k in (1, 2, 3)])
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("error", LayoutWarning)
    ...     try:
    ...         LSTMRegressor(max_epochs=1).fit(newest_first, series[3:])
    ...     except LayoutWarning as warning:
    ...         print(str(warning).split(" (")[0])
    LSTMRegressor: the 3 columns of X look like lags newest first
    """
