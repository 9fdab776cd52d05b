"""Helpers with no time-series logic: scikit-learn shims, validation,
atomic files, plain pickle state and the estimators' common mixin.

Nothing here imports from the rest of sk_rnn except ``_version`` (``_base``
reads ``__version__`` for the documentation link).
"""
