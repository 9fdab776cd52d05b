"""Write ``files_0_2/transformers.*`` (run once, with sk_rnn 0.2 on the path).

Written from a worktree of commit 948cc36 (``git worktree add /tmp/old
948cc36``) with ``PYTHONPATH=/tmp/old``; see ``make_files_0_2.py``.
"""

import pickle
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _fixture_data import one_series, panel  # noqa: E402

OUT = Path(__file__).parent / "files_0_2"


def main():
    from sk_rnn import DifferenceTransformer, LagFeaturizer, __version__

    assert __version__ == "0.2.0.dev0"
    X, _ = one_series()
    PX, _ = panel()
    train = PX.groupby(level=0).head(24)
    test = PX.drop(index=train.index)
    diff = DifferenceTransformer(interval=2, order=2).fit(X[:-12])
    fitted = {
        "diff": diff,
        "lag": LagFeaturizer(lags=3).fit(X[:-12]),
        "panel_diff": DifferenceTransformer().fit(train),
        "panel_lag": LagFeaturizer(lags=2).fit(train),
    }
    expected = {
        "diff": diff.transform(X[-12:]).to_numpy(),
        "diff_inverse": diff.inverse_transform(diff.transform(X[-12:])).to_numpy(),
        "lag": fitted["lag"].transform(X[-12:]).to_numpy(),
        "panel_diff": fitted["panel_diff"].transform(test).to_numpy(),
        "panel_lag": fitted["panel_lag"].transform(test).to_numpy(),
    }
    (OUT / "transformers.pkl").write_bytes(pickle.dumps(fitted, protocol=4))
    np.savez(OUT / "transformers.npz", **expected)


if __name__ == "__main__":
    main()
