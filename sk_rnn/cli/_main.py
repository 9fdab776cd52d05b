"""The ``sk-rnn`` command line: the seed's experiment on any CSV series."""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from ._dates import parse_dates
from ._gaps import add_gap_options, gap_options, gap_rows, gap_words
from ._output import write_json
from ._progress import EpochProgress, fit_with_progress, progress_bar

PERSISTENCE = "persistence"
#: --views on a deseasonalised panel: "both" (the default) averages networks
#: on the deseasonalised series with as many on the series as they are;
#: "adjusted" keeps the first only (sk_rnn.cli._panel.views_model).
VIEWS = ("both", "adjusted")


class CommandError(Exception):
    """Bad input: printed as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, no usage block
        raise CommandError(message)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a positive integer, got {text!r}"
        ) from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, got {text!r}")
    return value


def _add_model_options(parser):
    parser.add_argument(
        "csv",
        nargs="?",
        type=Path,
        help="CSV file with the series (default: the bundled shampoo sales)",
    )
    parser.add_argument("--column", help="the series' column (default: last numeric)")
    parser.add_argument(
        "--sep", default=",", help="the CSV's field separator (default ',')"
    )
    parser.add_argument(
        "--decimal", default=".", help="the CSV's decimal mark (default '.')"
    )
    parser.add_argument(
        "--lags", type=_positive_int, help="window length (default 1; panels 3)"
    )
    parser.add_argument(
        "--hidden-size",
        type=_positive_int,
        help="recurrent units (default 4; panels 32)",
    )
    parser.add_argument("--cell", choices=["lstm", "gru", "rnn"], default="lstm")
    parser.add_argument(
        "--epochs",
        type=_positive_int,
        help="training epochs (default 3000; panels 100)",
    )
    parser.add_argument(
        "--batch-size",
        type=_positive_int,
        help="rows per step (default 1; panels 24: rows of every series, or "
        "windows with --no-stateful)",
    )
    parser.add_argument(
        "--stateful",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="carry the state from row to row (default: on, as in the seed; on "
        "a panel, one stream per series, and --no-stateful trains on the "
        "stateless windows of every series)",
    )
    parser.add_argument(
        "--lr", type=float, help="Adam learning rate (default 0.001; panels 0.003)"
    )
    parser.add_argument(
        "--loss",
        choices=["squared_error", "absolute_error"],
        help="training loss (default squared_error; panels absolute_error)",
    )
    add_gap_options(parser)
    parser.add_argument("--seed", type=_non_negative_int, default=0)
    parser.add_argument(
        "--device", default="cpu", help="cpu, cuda, cuda:1, mps or auto (default cpu)"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def _panel_options(parser, horizon_help: str):
    """The options of a long CSV (a panel), in their own group."""
    panel = parser.add_argument_group(
        "many series (a long CSV: one row per series and time)"
    )
    panel.add_argument(
        "--series-column", help="the column naming each row's series (a panel)"
    )
    panel.add_argument("--time-column", help="the column of each row's time")
    panel.add_argument("--horizon", type=_positive_int, help=horizon_help)
    panel.add_argument(
        "--season",
        type=_positive_int,
        help="season length of every series (default: each series' own, 12 for "
        "monthly dates, 4 quarterly, else 1): the pattern removed before "
        "training, and the one evaluate's seasonal naive forecast repeats",
    )
    panel.add_argument(
        "--no-deseasonalize",
        dest="deseasonalize",
        action="store_const",
        const=False,
        default=None,
        help="train on the series as they are (default: when every series has "
        "the same season m > 1, remove each one's seasonal pattern before "
        "training and put it back in the forecasts)",
    )
    panel.add_argument(
        "--views",
        choices=VIEWS,
        help="where the series are deseasonalised: 'both' (default) also trains "
        "--ensemble networks on the series with their seasonal pattern left in "
        "and averages every forecast (the two err differently); 'adjusted' "
        "trains on the deseasonalised series only",
    )
    panel.add_argument(
        "--no-log",
        dest="log",
        action="store_const",
        const=False,
        default=None,
        help="model the values as they are (default: when every value is "
        "positive, model their logarithm and exponentiate the forecasts)",
    )
    return panel


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="sk-rnn",
        description="Recurrent networks on a univariate time series, the "
        "scikit-learn way. Without a CSV, the bundled shampoo sales are used.",
    )
    commands = parser.add_subparsers(
        dest="command", required=True, parser_class=_Parser
    )
    evaluate = commands.add_parser(
        "evaluate",
        help="walk-forward RMSE over repeated seeds, beside persistence",
        description="Run the seed experiment: difference, lag, scale to [-1, 1] on "
        "the training rows, fit the network, forecast the test months one step "
        "at a time, and report the RMSE of every repeat beside persistence.",
    )
    _add_model_options(evaluate)
    evaluate.add_argument(
        "--test-size", type=_positive_int, help="test rows per fold (default 12)"
    )
    evaluate.add_argument(
        "--folds",
        type=_positive_int,
        help="walk-forward folds of --test-size rows (default 1: the last block)",
    )
    evaluate.add_argument(
        "--repeats", type=_positive_int, help="seeds to train (default 30)"
    )
    panel = _panel_options(
        evaluate,
        "steps to forecast: the last --horizon values of every series are the "
        "test block",
    )
    panel.add_argument(
        "--ensemble",
        type=_positive_int,
        help="networks trained together and averaged (default 1)",
    )
    evaluate.add_argument(
        "--plot", type=Path, help="write box and forecast plots (PNG)"
    )
    evaluate.add_argument("--json", type=Path, help="write the numbers as JSON")
    evaluate.add_argument(
        "--overwrite",
        action="store_true",
        help="replace existing --json and --plot files (default: refuse)",
    )
    forecast = commands.add_parser(
        "forecast",
        help="fit on the whole series and forecast the next values",
        description="Fit on the whole series and forecast the next --steps values, "
        "each from the previous forecast (recursively). With --series-column, "
        "--time-column and --horizon, fit one network on every series of a long "
        "CSV and write the next --horizon values of each as CSV.",
    )
    _add_model_options(forecast)
    forecast.add_argument(
        "--steps", type=_positive_int, help="values to forecast (one series)"
    )
    forecast.add_argument(
        "--ensemble",
        type=_positive_int,
        help="networks averaged for the forecast (default 10; panels 1)",
    )
    panel = _panel_options(
        forecast, "steps to forecast after the last value of every series"
    )
    panel.add_argument(
        "--output",
        type=Path,
        help="write the forecasts to this CSV file (default: print them as CSV)",
    )
    panel.add_argument(
        "--overwrite",
        action="store_true",
        help="replace an existing --output file (default: refuse)",
    )
    return parser


# ----------------------------------------------------------------- input
def read_series(
    path: Path | None, column: str | None = None, sep: str = ",", decimal: str = "."
) -> pd.Series:
    """The series to model: a numeric CSV column indexed by its dates."""
    if path is None:
        from ..datasets import load_shampoo

        sales = load_shampoo()
        if column not in (None, "sales", "Sales"):
            raise CommandError(
                f"the bundled data has one column, 'Sales'; got {column!r}"
            )
        return sales
    if not path.is_file():
        raise CommandError(f"{path}: no such file")
    try:
        frame = pd.read_csv(path, sep=sep, decimal=decimal)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as e:
        raise CommandError(f"{path}: not a readable CSV file ({e})") from None
    if len(frame.columns) and all(_is_number(name) for name in frame.columns[-1:]):
        # No header: pandas took the first row's values for column names.
        frame = pd.read_csv(path, sep=sep, decimal=decimal, header=None)
        frame.columns = [f"column {k + 1}" for k in range(len(frame.columns))]
    if not isinstance(frame.index, pd.RangeIndex):
        # pandas reads a row with one field more than the header as an index.
        raise CommandError(
            f"{path}: its rows have more fields than its header "
            f"({len(frame.columns) + 1} against {len(frame.columns)}), as when "
            "numbers are written with a decimal comma (2020-01,10,5). Pass the "
            "file's separator and decimal mark: --sep ';' --decimal ','"
        )
    if len(frame.columns) == 1 and sep == "," and ";" in str(frame.columns[0]):
        raise CommandError(
            f"{path}: one column named {frame.columns[0]!r}: the fields seem to be "
            "separated by ';'. Pass --sep ';' (and --decimal ',' for 10,5)"
        )
    numeric = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])]
    if column is not None:
        if column not in frame.columns:
            raise CommandError(
                f"{path}: no column {column!r}; columns are {list(frame.columns)}"
            )
        if column not in numeric:
            raise CommandError(f"{path}: column {column!r} is not numeric")
    elif not numeric:
        raise CommandError(f"{path}: no numeric column in {list(frame.columns)}")
    column = column if column is not None else numeric[-1]
    series = frame[column].astype(float)
    series.index = time_index(frame.drop(columns=[column]))
    _refuse_repeated_time(path, frame.drop(columns=[column]), series.index)
    missing = np.flatnonzero(series.isna().to_numpy())
    if missing.size:
        raise CommandError(
            f"{path}: column {column!r} has {missing.size} missing value(s), the "
            f"first in data row {missing[0] + 1}; fill or drop them first"
        )
    check_magnitude(series.to_numpy(), f"{path}: column {column!r}")
    check_scalable(series.to_numpy(), f"{path}: column {column!r}")
    return series


#: Above this, squared errors (RMSE, MSE training) overflow float64.
MAX_MAGNITUDE = 1e150


def check_magnitude(values: np.ndarray, where: str) -> None:
    largest = float(np.max(np.abs(values))) if len(values) else 0.0
    if largest > MAX_MAGNITUDE:
        raise CommandError(
            f"{where} has values up to {largest:.3g}, whose squared errors "
            "overflow float64 (the RMSE would be inf); divide the column by a "
            "power of ten first"
        )


#: MinMaxScaler reads a range under 10 * eps (2.2e-15) as constant; well
#: above it, the changes a network learns are scaled as they should be.
MIN_CHANGE_RANGE = 1e-12


def check_scalable(values: np.ndarray, where: str) -> None:
    """Refuse a series whose changes vary by less than MinMaxScaler can scale
    (changes that do not vary at all are scaled exactly: a straight line)."""
    changes = np.diff(values)
    if len(changes) >= 2 and 0 < np.ptp(changes) < MIN_CHANGE_RANGE:
        raise CommandError(
            f"{where}: its changes span only {np.ptp(changes):.3g}, less than the "
            "[-1, 1] scaling can resolve (a range under ~2e-15 reads as constant, "
            "and the forecasts would be off by orders of magnitude); multiply the "
            "column by a power of ten first"
        )


def _is_number(name) -> bool:
    try:
        float(str(name).replace(",", "."))
    except ValueError:
        return False
    return True


def _restarts(values: np.ndarray) -> bool:
    """Integer labels that count up by one step, then start again (>= 2 runs
    of >= 3): a time axis repeated for several series (2001..2010, 2001..)."""
    if len(values) < 6 or not np.all(values == np.round(values)):
        return False
    steps = np.diff(values)
    breaks = np.flatnonzero(steps <= 0)
    if not len(breaks):
        return False
    runs = np.split(values, breaks + 1)
    step = steps[0]
    return step > 0 and all(
        len(run) >= 3 and np.all(np.diff(run) == step) for run in runs
    )


def _refuse_repeated_time(path, others: pd.DataFrame, index: pd.Index) -> None:
    """One series has each time once: repeated time labels mean a long CSV."""
    repeated = None
    if not isinstance(index, pd.RangeIndex) and index.has_duplicates:
        repeated = index.name, index[index.duplicated()][0]
    for name in others.columns:
        values = others[name]
        if repeated is None and pd.api.types.is_numeric_dtype(values):
            if _restarts(values.to_numpy(dtype=float)):
                repeated = name, values[values.duplicated()].iloc[0]
    if repeated is not None:
        raise CommandError(
            f"{path}: column {repeated[0]!r} repeats the time {repeated[1]}, as a "
            "long CSV of several series does; pass --series-column and "
            "--time-column (and --horizon) to evaluate each series"
        )


_YEAR_MONTH = r"^\d{1,2}-\d{2}$"
#: Quarter labels: "1981 Q1", "1981Q1", "1981-Q1" (q in either case).
_QUARTER = r"^\s*(\d{4})\s*-?\s*[Qq]([1-4])\s*$"


def quarters(values: pd.Series) -> pd.PeriodIndex | None:
    """Labels such as ``1981 Q1`` as quarterly periods (None: not all are).

    pandas parses none of "1981 Q1" and reads "1981Q1" as the quarter's first
    day, with a deprecation warning; as periods they step by one quarter.
    """
    text = values.astype(str)
    if not len(text):
        return None
    parts = text.str.extract(_QUARTER)
    if parts.isna().any().any():
        return None
    return pd.PeriodIndex.from_fields(
        year=parts[0].astype(int).to_numpy(),
        quarter=parts[1].astype(int).to_numpy(),
        freq="Q",
    )


def year_months(values: pd.Series) -> pd.PeriodIndex | None:
    """Labels such as the shampoo file's ``1-01`` (month 01 of year 1 of the
    series, not a day of the year 1 as a date parser reads it) as monthly
    periods; None when not all are."""
    text = values.astype(str)
    if not len(text) or not text.str.fullmatch(_YEAR_MONTH).all():
        return None
    year_month = text.str.split("-", expand=True).astype(int)
    return pd.PeriodIndex.from_fields(
        year=year_month[0].to_numpy(), month=year_month[1].to_numpy(), freq="M"
    )


def time_index(others: pd.DataFrame) -> pd.Index:
    """The first column that parses as dates, as periods when regular."""
    for name in others.columns:
        values = others[name]
        if pd.api.types.is_numeric_dtype(values):
            continue
        monthly = year_months(values)
        if monthly is not None:
            return monthly.rename(name)
        quarterly = quarters(values)
        if quarterly is not None:
            return quarterly.rename(name)
        try:
            dates = pd.DatetimeIndex(parse_dates(values, f"column {name!r}"))
        except (ValueError, TypeError):
            continue
        if len(dates) >= 3 and dates.is_monotonic_increasing:
            dates = pd.DatetimeIndex(dates, freq="infer")
        if dates.freq is not None:
            try:
                return dates.to_period().rename(name)
            except (ValueError, TypeError):
                return dates.rename(name)
        return dates.rename(name)
    return pd.RangeIndex(len(others))


def _future_index(index: pd.Index, n: int) -> pd.Index:
    """``n`` labels following ``index``."""
    last = index[-1]
    if isinstance(index, pd.PeriodIndex):
        return pd.period_range(last + 1, periods=n, freq=index.freq)
    if isinstance(index, pd.DatetimeIndex) and index.freq is not None:
        return pd.date_range(last, periods=n + 1, freq=index.freq)[1:]
    step = index[-1] - index[-2] if len(index) > 1 else 1
    return pd.Index([last + step * k for k in range(1, n + 1)])


def supervised(series: pd.Series) -> tuple[pd.DataFrame, pd.Series]:
    """X = the level at t, y = the level at t + 1, indexed by t."""
    X = series.iloc[:-1].to_frame(name=series.name or "value")
    y = pd.Series(series.to_numpy()[1:], index=X.index, name="next")
    return X, y


def _check_length(series, args, test_rows):
    # The warm-up: 1 row for the first change, lags - 1 for the window and
    # the level gaps' (their longest mean less 2); then 2 rows to train on.
    lags = args.lags
    needed = 1 + test_rows + lags + 2 + gap_rows(args)
    if len(series) < needed:
        options = f"--lags {lags}{gap_options(args)}"
        raise CommandError(
            f"the series has {len(series)} values; {options} with {test_rows} "
            f"test rows need at least {needed} (1 for the next-value target, "
            f"{test_rows} to test, {needed - 1 - test_rows} to train)"
        )


#: Options of one mode that the other refuses (it would otherwise ignore them).
SINGLE_ONLY = {"test_size": "--test-size", "folds": "--folds", "repeats": "--repeats"}
PANEL_ONLY = {
    "time_column": "--time-column",
    "season": "--season",
    "deseasonalize": "--no-deseasonalize",
    "views": "--views",
    "log": "--no-log",
    "ensemble": "--ensemble",
    "horizon": "--horizon",
}


def _refuse_other_mode(args, options: dict, message: str) -> None:
    given = [flag for key, flag in options.items() if getattr(args, key) is not None]
    if given:
        raise CommandError(f"{', '.join(given)} {message}")


def _single_series_defaults(args, evaluate: bool = False) -> None:
    defaults = {"lags": 1, "hidden_size": 4, "epochs": 3000, "batch_size": 1}
    defaults |= {"stateful": True, "lr": 0.001, "loss": "squared_error"}
    if evaluate:
        _refuse_other_mode(
            args,
            PANEL_ONLY,
            "apply to many series (a long CSV): pass --series-column (with "
            "--time-column and --horizon), or drop them",
        )
        defaults |= {"test_size": 12, "folds": 1, "repeats": 30}
    for key, value in defaults.items():
        if getattr(args, key) is None:
            setattr(args, key, value)


def _model(args, n_ensemble=1, **seasonal):
    """``make_forecaster`` with the command's options (the changes of every
    series scaled together, ``scale="global"``); ``seasonal`` holds ``season``
    and ``seasonal_model`` where the series are deseasonalised."""
    from .._forecaster import make_forecaster

    return make_forecaster(
        **seasonal,
        lags=args.lags,
        hidden_size=args.hidden_size,
        cell=args.cell,
        max_epochs=args.epochs,
        batch_size=args.batch_size,
        stateful=args.stateful,
        n_ensemble=n_ensemble,
        random_state=args.seed,
        lr=args.lr,
        loss=args.loss,
        level_gap=args.level_gap or None,
        level_smoothing=args.level_smoothing or None,
        device=args.device,
    )


# -------------------------------------------------------------- commands
def run_evaluate(args) -> int:
    from sklearn.model_selection import TimeSeriesSplit

    from ..model_selection._walk_forward import repeated_walk_forward

    if args.series_column is not None or args.horizon is not None:
        from ._panel import run_panel

        if args.series_column is None:
            raise CommandError("--horizon is for panels: pass --series-column too")
        _refuse_other_mode(
            args,
            SINGLE_ONLY,
            "apply to one series; on a panel the test block is the last "
            "--horizon values of every series, trained once (use --ensemble "
            "for several networks)",
        )
        if args.ensemble is None:
            args.ensemble = 1
        args._outputs = _check_outputs(args)
        return run_panel(args, _model, CommandError)
    _single_series_defaults(args, evaluate=True)
    started = time.perf_counter()
    series = read_series(args.csv, args.column, args.sep, args.decimal)
    outputs = _check_outputs(args)
    _check_length(series, args, args.test_size * args.folds)
    X, y = supervised(series)
    splitter = TimeSeriesSplit(n_splits=max(args.folds, 2), test_size=args.test_size)
    folds = list(splitter.split(X))[-args.folds :]
    bar = progress_bar(args.epochs * len(folds), args.quiet, "training")
    try:
        result = repeated_walk_forward(
            _model(args),
            X,
            y,
            cv=folds,
            n_repeats=args.repeats,
            random_state=args.seed,
            callbacks=[EpochProgress(bar, args.epochs * len(folds), args.quiet)],
        )
    finally:
        if bar is not None:
            bar.close()
    _label_by_target_time(result, series)
    wall = time.perf_counter() - started
    name = args.csv.name if args.csv else "bundled shampoo sales"
    mode = "stateful" if args.stateful else "stateless"
    print(
        f"{name}: {series.name or 'series'}, {len(series)} values; test = last "
        f"{args.test_size * len(folds)} in {len(folds)} fold(s)"
    )
    print(
        f"{args.cell} ({args.hidden_size} units), lags {args.lags}"
        f"{gap_words(args)}, {mode}, batch "
        f"{args.batch_size}, {args.epochs} epochs, {args.repeats} repeats "
        f"(seed {args.seed} and {args.repeats - 1} derived from it)"
    )
    print()
    print(format_table(result))
    print()
    beats = int((result.rmse["rmse"] < result.persistence_rmse).sum())
    print(f"repeats beating persistence: {beats} of {args.repeats}")
    print(
        f"wall time: {wall:.1f} s (training and forecasting {result.fit_seconds:.1f} s)"
    )
    if outputs.get("json"):
        payload = {
            "config": _config(args),
            "n_values": len(series),
            "wall_seconds": wall,
            **result.to_dict(),
        }
        write_json(outputs["json"], payload)
        print(f"wrote {outputs['json']}")
    if outputs.get("plot"):
        plot_result(
            result, outputs["plot"], title=f"{name}: {args.cell} x {args.repeats}"
        )
        print(f"wrote {outputs['plot']}")
    return 0


def _check_plot_format(path: Path) -> None:
    """matplotlib is there and writes ``path``'s format (before any training)."""
    try:
        from matplotlib.backend_bases import FigureCanvasBase
    except ImportError:
        raise CommandError(
            "--plot needs matplotlib, which is not installed: pip install "
            "matplotlib (or sk_rnn[plot]), or drop --plot"
        ) from None
    formats = FigureCanvasBase.get_supported_filetypes()
    if path.suffix[1:].lower() not in formats:
        raise CommandError(
            f"--plot {path}: matplotlib writes {', '.join(sorted(formats))}, not "
            f"{path.suffix!r}; choose one of those suffixes"
        )


def _check_outputs(args) -> dict:
    """The files --json and --plot will write, checked before any training."""
    outputs = {}
    for option in ("json", "plot", "output"):
        path = getattr(args, option, None)
        if path is None:
            continue
        if option == "plot":
            if path.is_dir():
                path = path / "sk-rnn-evaluate.png"
            elif not path.suffix:
                path = path.with_suffix(".png")  # what matplotlib would write
            _check_plot_format(path)
        if path.is_dir():
            raise CommandError(f"--{option} {path} is a folder; name a file")
        if path.exists() and not path.is_file():  # a FIFO, /dev/null, a socket
            raise CommandError(
                f"--{option} {path} is not a regular file; sk-rnn writes only "
                "regular files, so it does not replace it: name a file"
            )
        if not path.parent.is_dir():
            raise CommandError(
                f"--{option} {path}: no folder {path.parent}; create it first"
            )
        if args.csv is not None and path.exists() and path.samefile(args.csv):
            raise CommandError(
                f"--{option} {path} is the input CSV; choose another file"
            )
        if path in outputs.values():
            raise CommandError(f"--json and --plot both name {path}")
        if path.exists() and not args.overwrite:
            raise CommandError(
                f"--{option} {path} exists; pass --overwrite to replace it"
            )
        outputs[option] = path
    return outputs


def _label_by_target_time(result, series) -> None:
    """Index the forecasts by the time they forecast (t + 1), not by t."""
    following = dict(zip(series.index[:-1], series.index[1:], strict=True))
    labels = pd.Index([following[t] for t in result.y_test.index], name="time")
    for frame in (result.y_test, result.persistence, result.forecasts):
        frame.index = labels


def _config(args) -> dict:
    keys = ["lags", "hidden_size", "cell", "epochs", "batch_size", "stateful"]
    keys += ["lr", "loss", "level_gap", "level_smoothing", "seed", "test_size"]
    keys += ["folds", "repeats", "device"]
    config = {key: getattr(args, key) for key in keys}
    config["level_gap"] = args.level_gap or []  # off: [], as on panels
    config["level_smoothing"] = args.level_smoothing or []
    config["csv"] = str(args.csv) if args.csv else None
    return config


def format_table(result) -> str:
    table = result.describe().rename(columns={"rmse": "RMSE"})
    lines = [f"{'':>8}{'RMSE':>12}{'persistence':>14}"]
    for stat, row in table.iterrows():
        persistence = "" if np.isnan(row[PERSISTENCE]) else f"{row[PERSISTENCE]:.3f}"
        lines.append(f"{stat:>8}{row['RMSE']:>12.3f}{persistence:>14}")
    return "\n".join(lines)


def plot_result(result, path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (box, line) = plt.subplots(
        1, 2, figsize=(11, 4), gridspec_kw={"width_ratios": [1, 2.4]}
    )
    box.boxplot(result.rmse["rmse"].to_numpy())
    box.axhline(result.persistence_rmse, color="tab:red", ls="--", label="persistence")
    box.set_xticks([1], [f"{result.rmse.shape[0]} repeats"])
    box.set_ylabel("test RMSE")
    box.legend(loc="lower right")
    box.set_title("RMSE over repeats")
    x = np.arange(len(result.y_test))
    forecasts = result.forecasts.to_numpy()
    line.fill_between(
        x, forecasts.min(axis=1), forecasts.max(axis=1), alpha=0.25, label="repeats"
    )
    line.plot(x, np.median(forecasts, axis=1), marker="o", label="median forecast")
    line.plot(x, result.persistence.to_numpy(), ls="--", label="persistence")
    line.plot(x, result.y_test.to_numpy(), color="black", marker=".", label="actual")
    line.set_xticks(x, [str(i) for i in result.y_test.index], rotation=45, ha="right")
    line.legend()
    line.set_title("forecast vs actual")
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def run_forecast(args) -> int:
    if args.series_column is not None or args.horizon is not None:
        from ._panel import run_panel_forecast

        if args.series_column is None:
            raise CommandError("--horizon is for panels: pass --series-column too")
        if args.steps is not None:
            raise CommandError(
                "--steps is for one series; on a panel pass --horizon, the "
                "steps to forecast after the last value of every series"
            )
        if args.ensemble is None:
            args.ensemble = 1
        args._outputs = _check_outputs(args)
        return run_panel_forecast(args, _model, CommandError)
    _refuse_other_mode(
        args,
        {
            "time_column": "--time-column",
            "season": "--season",
            "deseasonalize": "--no-deseasonalize",
            "views": "--views",
            "log": "--no-log",
            "output": "--output",
        },
        "apply to many series (a long CSV): pass --series-column (with "
        "--time-column and --horizon), or drop them",
    )
    if args.steps is None:
        raise CommandError(
            "forecast needs --steps, the values to forecast (or --series-column, "
            "--time-column and --horizon for a long CSV of several series)"
        )
    if args.ensemble is None:
        args.ensemble = 10
    _single_series_defaults(args)
    series = read_series(args.csv, args.column, args.sep, args.decimal)
    _check_length(series, args, 0)
    X, y = supervised(series)
    model = fit_with_progress(_model(args, n_ensemble=args.ensemble), X, y, args)
    labels = _future_index(series.index, args.steps)
    history = [float(series.iloc[-1])]
    rows_index = pd.Index([series.index[-1]]).append(labels[:-1])
    means, stds = [], []
    for step in range(args.steps):
        block = pd.DataFrame({X.columns[0]: history}, index=rows_index[: step + 1])
        mean, std = model.predict(block, return_std=True)
        means.append(float(mean[-1]))
        stds.append(float(std[-1]))
        history.append(means[-1])
    label = series.name or "value"
    print(f"{'time':>10}  {label:>12}  {'± spread':>10}")
    for when, mean, std in zip(labels, means, stds, strict=True):
        print(f"{when!s:>10}  {mean:>12.3f}  {std:>10.3f}")
    return 0


#: The library's remedies are Python; at the command line they are these.
_REMEDIES = [
    (
        r"Insert the missing steps as NaN rows \(X\.asfreq.*?\) or give X a "
        r"regular index\.",
        "Add a row for every missing step to the CSV, or remove the extra one.",
    ),
    (
        r"Set a frequency with X\.asfreq\(freq\), which inserts missing steps "
        r"as NaN rows\.",
        "Add a row for every missing step to the CSV.",
    ),
    (
        r"Sort X with X\.sort_index\(\) and remove duplicated time steps;.*",
        "Sort the CSV by time and remove duplicated time steps; if it holds "
        "several series, pass --series-column and --time-column.",
    ),
    (r"X's (DatetimeIndex|index)", "the time column"),
]


def for_the_command_line(message: str) -> str:
    """A library message with its Python remedies in command-line terms."""
    for pattern, replacement in _REMEDIES:
        message = re.sub(pattern, replacement, message)
    return message


def main(argv=None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command == "evaluate":
            return run_evaluate(args)
        return run_forecast(args)
    except CommandError as error:
        print(f"sk-rnn: error: {error}", file=sys.stderr)
        return 2
    except ValueError as error:  # a model refusing the data, said plainly
        message = for_the_command_line(str(error).splitlines()[0])
        print(f"sk-rnn: error: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("sk-rnn: interrupted", file=sys.stderr)
        return 130
