"""Scale: one epoch of stateful (one stream per series) training on big panels.

Synthetic monthly-like series (a level, a trend, a 12-month season and noise,
lengths drawn from 50 to 300) for 1,000, 10,000 and 100,000 series. The
network reads each series once, one step per row (``LagFeaturizer(lags=1)``'s
window), ``batch_size`` rows of every series per optimiser step, so memory
grows with the rows, not with rows x look-back. Each size runs in its own
process, which reports the fit's time per epoch and its peak memory (resident
high-water mark) against the data's own size.

    python -m benchmarks.scale                     # writes results/scale.json
    python -m benchmarks.scale --sizes 1000 10000  # the smaller ones
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from ._common import environment, peak_rss_mb, write


def panel(n_series: int, seed: int = 0):
    """The synthetic panel: ``X`` (the scaled value), ``y`` (the next one)."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    lengths = rng.integers(50, 301, size=n_series)
    total = int(lengths.sum())
    ids = np.repeat(np.arange(n_series), lengths)
    t = np.arange(total) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    level = np.repeat(rng.normal(0, 1, n_series), lengths)
    trend = np.repeat(rng.normal(0, 0.01, n_series), lengths)
    season = np.repeat(rng.uniform(0, 0.5, n_series), lengths)
    values = level + trend * t + season * np.sin(2 * np.pi * t / 12)
    values += rng.normal(0, 0.1, total)
    index = pd.MultiIndex.from_arrays([ids, t], names=["series", "t"])
    nxt = np.r_[values[1:], 0.0]
    last = np.cumsum(lengths) - 1
    keep = np.ones(total, dtype=bool)
    keep[last] = False  # a series' last row has no next value
    X = pd.DataFrame({"value": values[keep]}, index=index[keep])
    y = pd.Series(nxt[keep], index=index[keep])
    return X, y, lengths - 1


def one_size(n_series, hidden, batch_size, epochs) -> dict:
    import torch

    from sk_rnn import LSTMRegressor

    torch.set_num_threads(1)
    start = time.perf_counter()
    X, y, lengths = panel(n_series)
    build = time.perf_counter() - start
    data_mb = (X.memory_usage(deep=True).sum() + y.memory_usage(deep=True)) / 2**20
    before = peak_rss_mb()
    model = LSTMRegressor(
        stateful=True, hidden_size=hidden, batch_size=batch_size,
        max_epochs=epochs, random_state=0, n_threads=1,
    )  # fmt: skip
    start = time.perf_counter()
    model.fit(X, y)
    fit = time.perf_counter() - start
    epoch_seconds = [float(d) for d in model.net_.history[:, "dur"]]
    return {
        "n_series": n_series,
        "rows": int(lengths.sum()),
        "longest": int(lengths.max()),
        "data_mb": float(data_mb),
        "build_seconds": build,
        "fit_seconds": fit,
        "epoch_seconds": epoch_seconds,
        "peak_rss_mb_before_fit": before,
        "peak_rss_mb": peak_rss_mb(),
        "train_loss": float(model.loss_curve_[-1]),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--hidden", type=int, default=16)
    parser.add_argument("--batch-size", type=int, default=12)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    if args.one:  # the child process of one size
        print(json.dumps(one_size(args.one, args.hidden, args.batch_size, args.epochs)))
        return 0
    if args.quick:
        args.sizes = [200, 2000]
    runs = []
    for size in args.sizes:
        command = [
            sys.executable, "-m", "benchmarks.scale", "--one", str(size),
            "--hidden", str(args.hidden), "--batch-size", str(args.batch_size),
            "--epochs", str(args.epochs),
        ]  # fmt: skip
        done = subprocess.run(command, check=True, capture_output=True, text=True)
        run = json.loads(done.stdout.strip().splitlines()[-1])
        runs.append(run)
        print(
            f"{run['n_series']:>7,} series, {run['rows']:>11,} rows: "
            f"{run['epoch_seconds'][-1]:.1f} s per epoch, peak memory "
            f"{run['peak_rss_mb']:,.0f} MiB (data {run['data_mb']:,.0f} MiB)",
            flush=True,
        )
    result = {
        "case": "scale",
        "config": vars(args) | {"out": None, "one": None},
        "environment": environment("cpu"),
        "runs": runs,
    }
    write("scale", result, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
