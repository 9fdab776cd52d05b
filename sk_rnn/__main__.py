"""``python -m sk_rnn``: the same command line as ``sk-rnn``."""

import sys

from .cli._main import main

if __name__ == "__main__":
    sys.exit(main())
