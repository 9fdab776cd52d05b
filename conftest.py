"""Test session set-up, loaded by pytest before any test module.

- ``SCIPY_ARRAY_API=1`` must be set before scipy is imported, so that
  scikit-learn's array-API check runs instead of being skipped.
- torch gets one thread: small models are many times faster with one thread
  on a busy 2-core machine, and the suite must not oversubscribe it.
"""

import os

os.environ.setdefault("SCIPY_ARRAY_API", "1")

import torch  # noqa: E402

torch.set_num_threads(1)
