"""The seed experiment's test RMSE over 90 seeds, sk_rnn's reading of the
first differenced month (missing) against the notebook's (filled with 0).

    python -m benchmarks.seed_distribution     # about 4 minutes on 2 cores

Writes ``results/seed_distribution.json``; the README and the user guide
quote its medians.
"""

from __future__ import annotations

import json

import numpy as np
import torch

from ._common import RESULTS, environment


def run(which: str, n_repeats: int = 90) -> dict:
    from sklearn.impute import SimpleImputer
    from sklearn.model_selection import TimeSeriesSplit
    from sklearn.preprocessing import MinMaxScaler

    from sk_rnn import (
        DifferencedTargetRegressor,
        DifferenceTransformer,
        LagFeaturizer,
        LSTMRegressor,
        make_forecaster,
        make_series_pipeline,
    )
    from sk_rnn.datasets import load_shampoo
    from sk_rnn.model_selection import repeated_walk_forward

    X, y = load_shampoo(return_X_y=True)
    cv = list(TimeSeriesSplit(n_splits=2, test_size=12).split(X))[-1:]
    if which == "missing":
        model = make_forecaster()
    else:
        model = DifferencedTargetRegressor(
            make_series_pipeline(
                DifferenceTransformer(),
                SimpleImputer(
                    strategy="constant", fill_value=0, keep_empty_features=True
                ),
                LagFeaturizer(lags=1),
                MinMaxScaler((-1, 1)),
                LSTMRegressor(
                    hidden_size=4, max_epochs=3000, batch_size=1, stateful=True
                ),
            ),
            transformer=MinMaxScaler((-1, 1)),
        )
    result = repeated_walk_forward(
        model, X, y, cv=cv, n_repeats=n_repeats, random_state=0
    )
    rmse = result.rmse["rmse"].to_numpy()
    return {
        "first_difference": which,
        "n_seeds": len(rmse),
        "median_rmse": float(np.median(rmse)),
        "mean_rmse": float(rmse.mean()),
        "seeds_beating_persistence": int((rmse < result.persistence_rmse).sum()),
        "persistence_rmse": float(result.persistence_rmse),
    }


def main() -> int:
    torch.set_num_threads(1)
    report = {
        "environment": environment("cpu"),
        "runs": [run("missing"), run("filled with 0")],
    }
    path = RESULTS / "seed_distribution.json"
    path.write_text(json.dumps(report, indent=1))
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
