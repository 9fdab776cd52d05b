"""Case 3, predict: one-row latency and a 1,000,000-row streaming predict.

The model has hidden 64 and reads windows of 24 steps. Latency is the
median of many ``predict(X[:1])`` calls on a 2-D NumPy row (validation and
float64 output included). The million-row predict runs in a fresh process
that only loads the pickled model and builds X, so its peak resident memory
above that baseline is what ``predict`` adds: it streams 4,096-row batches,
so the device never holds more than one batch of inputs and outputs.
"""

from __future__ import annotations

import argparse
import json
import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from ._common import environment, median, peak_rss_mb, write
from .large import windows


def _train(device: str):
    from sk_rnn import LSTMRegressor

    X, y = windows(2000, 24)
    return LSTMRegressor(
        hidden_size=64, max_epochs=2, random_state=0, device=device
    ).fit(X.reshape(2000, 24), y.ravel())


def latency(model, calls: int) -> dict:
    X, _ = windows(64, 24)
    row = X[:1].reshape(1, 24).astype(np.float64)
    for _ in range(20):
        model.predict(row)
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        model.predict(row)
        times.append(time.perf_counter() - start)
    module = model.net_.module_
    tensor = torch.tensor(
        row.reshape(1, 24, 1), device=next(module.parameters()).device
    )
    raw = []
    with torch.no_grad():
        for _ in range(calls):
            start = time.perf_counter()
            module(tensor.double(), dtype=torch.float64).cpu()
            raw.append(time.perf_counter() - start)
    return {
        "calls": calls,
        "median_ms": 1000 * median(times),
        "p90_ms": 1000 * float(np.percentile(times, 90)),
        "module_forward_median_ms": 1000 * median(raw),
    }


def million(model_path: Path, rows: int, device: str) -> dict:
    """Run in a fresh process: peak memory of predict above the input."""
    with open(model_path, "rb") as handle:
        model = pickle.load(handle)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(rows, 24))
    before = peak_rss_mb()
    if device.startswith("cuda"):
        torch.cuda.reset_peak_memory_stats()
    start = time.perf_counter()
    pred = model.predict(X)
    seconds = time.perf_counter() - start
    result = {
        "rows": rows,
        "seconds": seconds,
        "rows_per_second": rows / seconds,
        "input_mb": X.nbytes / 2**20,
        "output_mb": pred.nbytes / 2**20,
        "rss_before_mb": before,
        "peak_rss_mb": peak_rss_mb(),
        "peak_rss_added_by_predict_mb": peak_rss_mb() - before,
    }
    if device.startswith("cuda"):
        result["cuda_peak_allocated_mb"] = torch.cuda.max_memory_allocated() / 2**20
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--million-from", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.million_from:  # the child process of the million-row run
        print(json.dumps(million(args.million_from, args.rows, args.device)))
        return 0
    if args.quick:
        args.rows, args.calls = 20_000, 50
    torch.set_num_threads(1)
    model = _train(args.device)
    result = {
        "case": "predict",
        "config": vars(args) | {"out": None, "million_from": None},
        "environment": environment(args.device),
        "one_row": latency(model, args.calls),
    }
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.pkl"
        path.write_bytes(pickle.dumps(model))
        child = subprocess.run(
            [sys.executable, "-m", "benchmarks.predict", "--million-from", str(path),
             "--rows", str(args.rows), "--device", args.device],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
    result["million_rows"] = json.loads(child.stdout.strip().splitlines()[-1])
    print(result["one_row"], result["million_rows"])
    write(
        "predict" if args.device == "cpu" else f"predict_{args.device}",
        result,
        args.out,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
