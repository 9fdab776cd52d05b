"""Case 1, seed: the notebook's experiment at full size (30 x 3000, batch 1).

sk_rnn runs it through ``sk-rnn evaluate`` (one 30-member vectorised fit),
timed as a whole command. The baselines train one model at a time: a
hand-written PyTorch loop and a plain skorch loop. A full baseline run takes
tens of minutes, so their seconds per epoch are measured on shorter runs and
extrapolated to 30 x 3000 epochs; the hand loop also trains a few models at
full length so its RMSE can be set beside sk_rnn's.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from ._baselines import (
    seed_data,
    seed_hand_loop,
    seed_skorch_loop,
    seed_vectorised_hand_loop,
)
from ._common import environment, median, write


def _summary(values) -> dict:
    values = np.asarray(values, dtype=float)
    return {
        "count": int(values.size),
        "mean": float(values.mean()),
        "std": float(values.std(ddof=1)) if values.size > 1 else 0.0,
        "min": float(values.min()),
        "25%": float(np.percentile(values, 25)),
        "50%": float(np.median(values)),
        "75%": float(np.percentile(values, 75)),
        "max": float(values.max()),
    }


def run_sk_rnn(epochs: int, repeats: int, device: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "seed.json"
        command = [
            sys.executable, "-m", "sk_rnn", "evaluate", "--epochs", str(epochs),
            "--repeats", str(repeats), "--device", device, "--quiet",
            "--json", str(out),
        ]  # fmt: skip
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, text=True)
        wall = time.perf_counter() - start
        payload = json.loads(out.read_text())
    return {"wall_seconds": wall, "rmse": payload["rmse"], "payload": payload}


def sk_rnn_per_epoch(epochs: int, repeats: int, device: str, fused=True) -> float:
    """Seconds per epoch of sk_rnn's fit alone (30 members, the seed's rows);
    ``fused=False`` trains through torch's batch loop instead of the fused
    NumPy epoch (``sk_rnn.neural._fused``), to show what the fusion gives."""
    import sk_rnn.neural._fused as fused_path
    from sk_rnn import make_forecaster
    from sk_rnn.datasets import load_shampoo

    X, y = load_shampoo(return_X_y=True)
    model = make_forecaster(
        max_epochs=epochs, n_ensemble=repeats, random_state=0, device=device
    )
    fusable = fused_path.fusable
    if not fused:
        fused_path.fusable = lambda net: False
    try:
        start = time.perf_counter()
        model.fit(X.iloc[:-12], y.iloc[:-12])
        return (time.perf_counter() - start) / epochs
    finally:
        fused_path.fusable = fusable


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=3000)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--runs", type=int, default=3, help="sk-rnn evaluate runs")
    parser.add_argument("--timing-epochs", type=int, default=100)
    parser.add_argument("--baseline-repeats", type=int, default=3)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    if args.quick:
        args.epochs, args.repeats, args.runs = 20, 3, 1
        args.timing_epochs, args.baseline_repeats = 5, 1
    torch.set_num_threads(1)
    data = seed_data()

    runs = [
        run_sk_rnn(args.epochs, args.repeats, args.device) for _ in range(args.runs)
    ]
    sk_wall = median([r["wall_seconds"] for r in runs])
    hand_timing = [seed_hand_loop(k, args.timing_epochs, data) for k in range(3)]
    skorch_timing = [seed_skorch_loop(k, args.timing_epochs, data) for k in range(3)]
    hand_epoch = median([r["seconds_per_epoch"] for r in hand_timing])
    # Like with like: 30 seeds batched by hand against sk_rnn's fit alone,
    # measured alternately so that the machine's load hits both alike.
    seeds = list(range(args.repeats))
    vectorised, fit_only, torch_loop = [], [], []
    for _ in range(3):
        vectorised.append(
            seed_vectorised_hand_loop(seeds, args.timing_epochs, data)[
                "seconds_per_epoch"
            ]
        )
        fit_only.append(sk_rnn_per_epoch(args.timing_epochs, args.repeats, args.device))
        torch_loop.append(
            sk_rnn_per_epoch(args.timing_epochs, args.repeats, args.device, False)
        )
    vec_epoch, sk_epoch = median(vectorised), median(fit_only)
    skorch_epoch = median([r["seconds_per_epoch"] for r in skorch_timing])
    full = args.epochs * args.repeats
    hand_full = [
        seed_hand_loop(k, args.epochs, data) for k in range(args.baseline_repeats)
    ]

    result = {
        "case": "seed",
        "config": vars(args) | {"out": None},
        "environment": environment(args.device),
        "sk_rnn": {
            "command": (
                f"sk-rnn evaluate --epochs {args.epochs} --repeats {args.repeats}"
            ),
            "wall_seconds_runs": [r["wall_seconds"] for r in runs],
            "wall_seconds_median": sk_wall,
            "rmse": _summary(runs[0]["rmse"]),
            "persistence_rmse": runs[0]["payload"]["persistence_rmse"],
        },
        "hand_pytorch_loop": {
            "seconds_per_epoch": hand_epoch,
            "extrapolated_seconds": hand_epoch * full,
            "rmse_full_runs": [r["rmse"] for r in hand_full],
        },
        "vectorised_hand_loop": {
            "seconds_per_epoch_runs": vectorised,
            "seconds_per_epoch": vec_epoch,
            "extrapolated_seconds": vec_epoch * args.epochs,
        },
        "sk_rnn_fit_only": {
            "seconds_per_epoch_runs": fit_only,
            "seconds_per_epoch": sk_epoch,
        },
        "sk_rnn_fit_only_torch_batch_loop": {
            "seconds_per_epoch_runs": torch_loop,
            "seconds_per_epoch": median(torch_loop),
        },
        "plain_skorch_loop": {
            "seconds_per_epoch": skorch_epoch,
            "extrapolated_seconds": skorch_epoch * full,
        },
    }
    result["speedup_vs_skorch"] = skorch_epoch * full / sk_wall
    result["speedup_vs_hand_loop"] = hand_epoch * full / sk_wall
    result["speedup_vs_vectorised_hand_loop_per_epoch"] = vec_epoch / sk_epoch
    # The target: the whole command (start-up, 30 x 3000 epochs,
    # forecasts) against the hand loop's 3000 training epochs alone.
    result["speedup_whole_command_vs_vectorised_hand_loop"] = (
        vec_epoch * args.epochs / sk_wall
    )
    shown = ("sk_rnn", "speedup_vs_skorch")
    shown += ("speedup_whole_command_vs_vectorised_hand_loop",)
    print(json.dumps({k: result[k] for k in shown}, indent=1))
    write("seed" if args.device == "cpu" else f"seed_{args.device}", result, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
