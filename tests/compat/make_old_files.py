"""Write a model file and a pickle with an older sk_rnn (run once per release).

``files_0_1/`` came from commit 2211098^ (sk_rnn 0.1.0, whose file kept its
checksum in the JSON member) and ``files_0_2/before_layout.*`` from 0f28dfd^
(0.2 before the ``layout`` parameter and the plain pickle state)::

    git worktree add /tmp/v010 2211098^
    PYTHONPATH=/tmp/v010 python tests/compat/make_old_files.py OUT TAG
"""

import pickle
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _fixture_data import windows  # noqa: E402


def main(out, tag):
    from sk_rnn import LSTMRegressor

    X, y = windows()
    model = LSTMRegressor(hidden_size=5, max_epochs=3, random_state=0).fit(X, y)
    model.save(f"{out}/{tag}.skrnn")
    Path(f"{out}/{tag}.pkl").write_bytes(pickle.dumps(model, protocol=4))
    np.save(f"{out}/{tag}_predictions.npy", model.predict(X))


if __name__ == "__main__":
    main(*sys.argv[1:3])
