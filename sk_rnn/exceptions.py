"""Exceptions and warnings that sk_rnn users may want to catch or filter."""


class TrainingDivergedError(FloatingPointError, ValueError):
    """The training loss became NaN or infinite.

    A subclass of both :class:`FloatingPointError` and :class:`ValueError`, so
    scikit-learn's model selection reports it like other fit failures. The
    message names the epoch and suggests a lower ``lr`` or ``clip_grad_norm``.
    """


class TrainingInterruptedWarning(UserWarning):
    """Training stopped early on a keyboard interrupt (Ctrl-C).

    The fitted model holds the weights of the last completed epoch.
    """
