"""Helpers shared by the benchmark cases: environment, timing, results."""

from __future__ import annotations

import datetime
import json
import os
import platform
import statistics
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def environment(device: str = "cpu") -> dict:
    import sklearn
    import skorch
    import torch

    info = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(
            timespec="seconds"
        ),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "torch": torch.__version__,
        "skorch": skorch.__version__,
        "sklearn": sklearn.__version__,
        "torch_threads": torch.get_num_threads(),
        "device": device,
    }
    if device.startswith("cuda") and torch.cuda.is_available():
        info["gpu"] = torch.cuda.get_device_name(0)
    try:
        info["load_average"] = os.getloadavg()
    except OSError:  # pragma: no cover - not on every platform
        pass
    return info


def median(values) -> float:
    return float(statistics.median(values))


def write(case: str, payload: dict, out: Path | None = None) -> Path:
    path = out or RESULTS / f"{case}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2, default=float))
    print(f"wrote {path}", flush=True)
    return path


def peak_rss_mb() -> float:
    """High-water mark of this process's resident memory, in MiB."""
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / 2**20
