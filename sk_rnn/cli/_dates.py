"""How the command line reads a date column: as pandas does, with notes
where the dates could be read another way."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..series._time import _infer_freq
from ._output import note

#: A date written with its day and month as numbers (01/02/2018, 1.2.18).
_DAY_MONTH = re.compile(
    r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-]\d{2,4}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?\s*$"
)


def parse_dates(values, where: str, groups=None):
    """Dates as pandas reads them (month first: 01/02/2018 is 2 January),
    with a note when the dates written with day and month as numbers would
    also read day first and doing so gives other, regular dates in every
    series (``groups``: each row's series): a year of monthly 01/MM/YYYY
    dates read month first is a regular daily series, silently. Day-first
    dates of which only some have a day over 12 read half one way, half the
    other: a note too."""
    dates = pd.to_datetime(values, format="mixed")
    text = pd.Series(np.asarray(values, dtype=object)).astype(str).str.strip()
    parts = text.str.extract(_DAY_MONTH).dropna().astype(int)
    if not len(parts):
        return dates
    rows = parts.index.to_numpy()
    month_first = np.asarray(dates, dtype="datetime64[ns]")[rows]
    day_only, month_only = (parts[0] > 12).to_numpy(), (parts[1] > 12).to_numpy()
    if day_only.any() and not month_only.any() and not day_only.all():
        # pandas reads each date as it can: 13/01 day first, 01/02 month first
        swapped = ~day_only & (parts[0] != parts[1]).to_numpy()  # 08/01, not 01/01
        only, both = (
            int(np.flatnonzero(m)[0])
            for m in (day_only, swapped if swapped.any() else ~day_only)
        )
        note(
            f"{where}: dates such as {text.iloc[rows[only]]!r} read only day "
            f"first, but pandas reads {text.iloc[rows[both]]!r} "
            f"month first ({pd.Timestamp(month_first[both]).date()}); write them "
            "as YYYY-MM-DD"
        )
        return dates
    if day_only.any() or month_only.any():
        return dates
    day_first = np.asarray(
        pd.to_datetime(text.iloc[rows], format="mixed", dayfirst=True),
        dtype="datetime64[ns]",
    )
    differs = np.flatnonzero(month_first != day_first)
    groups = np.zeros(len(text)) if groups is None else np.asarray(groups)
    if differs.size and all(_regular(g) for g in _split(day_first, groups[rows])):
        first = int(differs[0])
        note(
            f"{where}: dates such as {text.iloc[rows[first]]!r} read month first "
            f"({pd.Timestamp(month_first[first]).date()}), as pandas reads "
            "them; if they are day first, write them as YYYY-MM-DD"
        )
    return dates


def _split(values: np.ndarray, groups: np.ndarray) -> list:
    """``values`` split by ``groups`` (one pass: a sort, not a scan per group)."""
    codes, _ = pd.factorize(groups)
    order = np.argsort(codes, kind="stable")
    bounds = np.flatnonzero(np.diff(codes[order])) + 1
    return np.split(values[order], bounds)


def _regular(dates) -> bool:
    """Whether dates, sorted, are distinct and step regularly."""
    index = pd.DatetimeIndex(np.sort(dates))
    return len(index) >= 3 and index.is_unique and _infer_freq(index) is not None
