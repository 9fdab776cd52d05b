"""Case 2, large: 20,000 windows of 24 steps, hidden 64, batch 256.

Seconds per epoch of ``LSTMRegressor.fit`` (skorch's own epoch timer) beside
a hand-written PyTorch loop doing the same work (nn.LSTM + nn.Linear, fused
Adam, shuffled mini-batches sliced from tensors, loss read every batch). The
two alternate, round after round, so that a busy moment of the machine hits
both; the ratio is of medians over all epochs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import torch

from ._baselines import large_hand_loop
from ._common import environment, median, write


def windows(n=20_000, steps=24, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n + steps + 1)
    series = np.sin(t / 12) + 0.3 * np.sin(t / 5) + 0.1 * rng.normal(size=t.size)
    X = np.lib.stride_tricks.sliding_window_view(series[:-1], steps)[:n]
    y = series[steps : steps + n]
    return X.astype(np.float32).reshape(n, steps, 1), y.astype(np.float32).reshape(n, 1)


def sk_rnn_epochs(X, y, *, hidden, batch_size, epochs, threads, device="cpu"):
    from sk_rnn import LSTMRegressor

    model = LSTMRegressor(
        hidden_size=hidden,
        batch_size=batch_size,
        max_epochs=epochs,
        shuffle=True,
        n_threads=threads,
        device=device,
        random_state=0,
    ).fit(X, y)
    return list(model.net_.history[:, "dur"])


def measure(X, y, *, hidden, batch_size, epochs, rounds, threads, device="cpu"):
    torch.set_num_threads(threads)
    ours, hand = [], []
    for _ in range(rounds):
        ours += sk_rnn_epochs(
            X, y, hidden=hidden, batch_size=batch_size, epochs=epochs,
            threads=threads, device=device,
        )  # fmt: skip
        hand += large_hand_loop(
            X, y, hidden=hidden, batch_size=batch_size, epochs=epochs, device=device
        )
    return {
        "threads": threads,
        "sk_rnn_epoch_seconds": ours,
        "hand_loop_epoch_seconds": hand,
        "sk_rnn_median": median(ours),
        "hand_loop_median": median(hand),
        "ratio": median(ours) / median(hand),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--windows", type=int, default=20_000)
    parser.add_argument("--steps", type=int, default=24)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    if args.quick:
        args.windows, args.epochs, args.rounds, args.threads = 1000, 1, 1, [1]
    X, y = windows(args.windows, args.steps)
    runs = [
        measure(
            X,
            y,
            hidden=args.hidden,
            batch_size=args.batch_size,
            epochs=args.epochs,
            rounds=args.rounds,
            threads=t,
            device=args.device,
        )  # fmt: skip
        for t in (args.threads if args.device == "cpu" else [1])
    ]
    for run in runs:
        print(
            f"threads={run['threads']}: sk_rnn {run['sk_rnn_median']:.3f} s/epoch, "
            f"hand loop {run['hand_loop_median']:.3f} s/epoch, ratio {run['ratio']:.3f}"
        )
    result = {
        "case": "large",
        "config": vars(args) | {"out": None},
        "environment": environment(args.device),
        "runs": runs,
    }
    write("large" if args.device == "cpu" else f"large_{args.device}", result, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
