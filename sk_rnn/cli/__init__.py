"""The ``sk-rnn`` command line: ``evaluate`` and ``forecast`` on a CSV."""

from ._main import main

__all__ = ["main"]
