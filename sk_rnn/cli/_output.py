"""What the command line writes: one JSON writer for both modes."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np

from .._utils._files import write_atomically


def _strict(value):
    """``value`` with every NaN or infinite float as None (JSON's null)."""
    if isinstance(value, dict):
        return {key: _strict(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_strict(item) for item in value]
    if isinstance(value, np.ndarray):
        return _strict(value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_json(path: Path, payload: dict) -> None:
    """Write ``payload`` as strict JSON (an undefined number is ``null``).

    Python's json writes NaN as a bare ``NaN``, which is not JSON: other
    readers (JavaScript, jq, most JSON libraries) refuse the file.
    """
    text = json.dumps(_strict(payload), indent=2, allow_nan=False)
    write_atomically(path, text.encode())


def note(message: str) -> None:
    """A remark on the data, on stderr (stdout may be a CSV)."""
    print(f"sk-rnn: note: {message}", file=sys.stderr, flush=True)
