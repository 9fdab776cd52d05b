"""Threads under load: the default thread choice against one thread.

Two cases whose work per step is above the one-thread threshold, so the
default may take torch's two threads: "m3" (windows of 36 steps, hidden 32,
batch 512: the M3 monthly benchmark's shape) and "large" (24 steps, hidden
64, batch 256). Each is fitted with ``n_threads=None`` (the default) and
``n_threads=1``, alternately, on a quiet machine and with busy processes
holding the cores (``--busy`` of them, each a Python loop). The default must
never be much slower than one thread when the cores are shared.

    python -m benchmarks.threads            # writes results/threads.json
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from ._common import environment, median, write

CASES = {
    "m3": {"steps": 36, "hidden": 32, "batch_size": 512},
    "large": {"steps": 24, "hidden": 64, "batch_size": 256},
}


def _windows(n, steps, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n + steps + 1)
    series = np.sin(t / 12) + 0.1 * rng.normal(size=t.size)
    X = np.lib.stride_tricks.sliding_window_view(series[:-1], steps)[:n]
    return X.astype(np.float32), series[steps : steps + n].astype(np.float32)


def _fit_seconds(X, y, case, threads, epochs) -> tuple[float, int]:
    from sk_rnn import LSTMRegressor

    model = LSTMRegressor(
        hidden_size=case["hidden"], batch_size=case["batch_size"],
        max_epochs=epochs, n_threads=threads, random_state=0,
    )  # fmt: skip
    start = time.perf_counter()
    model.fit(X, y)
    return time.perf_counter() - start, model.n_threads_


def _busy(n):
    code = "while True: pass"
    return [subprocess.Popen([sys.executable, "-c", code]) for _ in range(n)]


def measure(case, n_windows, epochs, rounds, busy):
    X, y = _windows(n_windows, case["steps"])
    procs = _busy(busy)
    try:
        time.sleep(1.0 if busy else 0.0)
        default, one, chosen = [], [], []
        for _ in range(rounds):
            seconds, n = _fit_seconds(X, y, case, None, epochs)
            default.append(seconds)
            chosen.append(n)
            one.append(_fit_seconds(X, y, case, 1, epochs)[0])
    finally:
        for p in procs:
            p.kill()
            p.wait()
    return {
        "busy_processes": busy,
        "default_seconds": default,
        "one_thread_seconds": one,
        "default_threads_chosen": chosen,
        "default_median": median(default),
        "one_thread_median": median(one),
        "ratio_default_to_one_thread": median(default) / median(one),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--windows", type=int, default=8000)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--busy", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    if args.quick:
        args.windows, args.rounds = 600, 1
    result = {
        "case": "threads",
        "config": vars(args) | {"out": None},
        "environment": environment("cpu"),
        "cases": {},
    }
    for name, case in CASES.items():
        runs = [
            measure(case, args.windows, args.epochs, args.rounds, busy)
            for busy in (0, args.busy)
        ]
        result["cases"][name] = {**case, "runs": runs}
        for run in runs:
            print(
                f"{name}, {run['busy_processes']} busy: default "
                f"{run['default_median']:.2f} s ({run['default_threads_chosen']} "
                f"threads), one thread {run['one_thread_median']:.2f} s, ratio "
                f"{run['ratio_default_to_one_thread']:.2f}"
            )
    write("threads", result, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
