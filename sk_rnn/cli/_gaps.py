"""The command line's level-gap options: --level-gap and --level-smoothing."""

from __future__ import annotations

import argparse

from ..preprocessing._level import alpha_said, smoothing_span


def _number(option: str, convert, valid, expected: str):
    """An argparse type for the numbers after ``option``: ``convert``ed,
    refused unless ``valid``; a CSV path caught there is named as such."""

    def parse(text: str):
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected {expected}, got {text!r} (a CSV path goes before "
                f"{option}, which takes every number after it)"
            ) from None
        if not valid(value):
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text}")
        return value

    return parse


_gap_window = _number("--level-gap", int, lambda w: w >= 2, "an integer >= 2")
_smoothing_factor = _number(
    "--level-smoothing",
    float,
    lambda a: 0 < a < 1,
    "a number between 0 and 1 (exclusive)",
)


def add_gap_options(parser) -> None:
    """--level-gap, --no-level-gap, --level-smoothing, --no-level-smoothing."""
    parser.add_argument(
        "--level-gap",
        type=_gap_window,
        nargs="+",
        metavar="WINDOW",
        help="also give the network, beside each change, how far the level lies "
        "from its mean over the last WINDOW steps, one input per WINDOW "
        "(default: none; panels deseasonalised with a season of 12 or more: 3 "
        "and the season)",
    )
    parser.add_argument(
        "--no-level-gap",
        dest="level_gap",
        action="store_const",
        const=[],
        help="no gap to an equal-weight mean (turns a panel's default --level-gap off)",
    )
    parser.add_argument(
        "--level-smoothing",
        type=_smoothing_factor,
        nargs="+",
        metavar="ALPHA",
        help="also give the network how far the level lies from its "
        "exponentially weighted mean with smoothing factor ALPHA (0 to 1), one "
        "input per ALPHA (default: none)",
    )
    parser.add_argument(
        "--no-level-smoothing",
        dest="level_smoothing",
        action="store_const",
        const=[],
        help="no gap to an exponentially weighted mean (the default)",
    )


def gaps_said(args) -> str:
    """``each level's gap to its mean over 3 and 12 steps and to its
    exponentially weighted means with alpha 0.2 and 0.5`` (either part alone
    where the other is off); empty where both are."""
    parts = []
    if args.level_gap:
        parts.append(f"mean over {_listed(args.level_gap)} steps")
    if args.level_smoothing:
        alphas = _listed(alpha_said(a) for a in args.level_smoothing)
        many = "s" if len(args.level_smoothing) > 1 else ""
        parts.append(f"exponentially weighted mean{many} with alpha {alphas}")
    return f"each level's gap to its {' and to its '.join(parts)}" if parts else ""


def _listed(items) -> str:
    """``3``, ``3 and 12``, ``3, 6 and 12``."""
    items = [str(item) for item in items]
    return " and ".join([", ".join(items[:-1]), items[-1]] if len(items) > 1 else items)


def gap_words(args) -> str:
    """`` (and each level's gap ...)``; empty where there is no gap."""
    said = gaps_said(args)
    return f" (and {said})" if said else ""


def gap_rows(args) -> int:
    """The earlier changes the gaps read (LevelGapFeaturizer's warm-up)."""
    spans = list(args.level_gap or [])
    spans += [smoothing_span(a) for a in args.level_smoothing or []]
    return max(spans) - 2 if spans else 0


def gap_options(args) -> str:
    """`` and --level-gap 3 12 --level-smoothing 0.2`` for an error; empty
    where there is no gap."""
    said = ""
    if args.level_gap:
        said += f" --level-gap {' '.join(map(str, args.level_gap))}"
    if args.level_smoothing:
        alphas = " ".join(alpha_said(a) for a in args.level_smoothing)
        said += f" --level-smoothing {alphas}"
    return f" and{said}" if said else ""
