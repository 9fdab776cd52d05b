"""Case 4, gpu: the seed, large and predict cases on CUDA.

Skips cleanly (writes a result saying so) when no CUDA device is present.
On a lent GPU machine: ``python -m benchmarks.gpu`` runs everything as one
script; results land in ``benchmarks/results/*_cuda.json``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

from . import large, predict, seed
from ._common import environment, write


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    if not torch.cuda.is_available():
        print("no CUDA device: gpu case skipped")
        write(
            "gpu",
            {"case": "gpu", "skipped": "no CUDA device", "environment": environment()},
            args.out,
        )
        return 0
    quick = ["--quick"] if args.quick else []
    seed.main(["--device", "cuda", "--runs", "1", "--baseline-repeats", "0", *quick])
    large.main(["--device", "cuda", *quick])
    predict.main(["--device", "cuda", *quick])
    write(
        "gpu",
        {"case": "gpu", "skipped": None, "environment": environment("cuda")},
        args.out,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
