"""``sk-rnn evaluate --series-column``: one network over many series.

A long CSV (one row per series and time) becomes a panel; the last
``--horizon`` values of every series are its test block. One global network
(by default one recurrent stream per series) learns a direct
``--horizon``-step forecast from every series' training rows and is scored
series by series beside the seasonal naive forecast. When every value is
positive, it learns their logarithm (unless ``--no-log``) and its forecasts
are exponentiated. When every series has the same season (from its dates,
or ``--season``), each series' seasonal pattern is removed before training
and put back in the forecasts (``make_forecaster(season=...)``). ``sk-rnn
forecast --series-column`` fits the same network on every row and writes the
next ``--horizon`` values of every series.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

from ..metrics import mase_scale, seasonal_naive, smape
from ..series._time import _infer_freq
from ._dates import parse_dates
from ._gaps import gap_words, gaps_said
from ._main import (
    VIEWS,
    check_magnitude,
    check_scalable,
    quarters,
    year_months,
)
from ._output import note, write_json
from ._progress import fit_with_progress, network_of

#: Defaults that differ from the one-series experiment's (3000 epochs of
#: batch 1 would take hours on a panel): the monthly recipe of
#: benchmarks/m3.py (SEQUENCE: stateful streams, absolute error), checked on
#: M3's training values (each series' last --horizon training values held
#: out; docs/cli.rst), where it beat the previous defaults (stateless
#: windows, 16 units, lags 12, batch 64) on quarterly and monthly series.
#: The changes of all series share one scale (make_forecaster's
#: scale="global"), which beat a scale per series there.
PANEL_DEFAULTS = {
    "lags": 3,
    "hidden_size": 32,
    "epochs": 100,
    "batch_size": 24,
    "lr": 0.003,
    "loss": "absolute_error",
    "stateful": True,
}
_SEASONS = {"M": 12, "Q": 4, "W": 52, "D": 7, "H": 24, "h": 24}
#: The plan's reason for not deseasonalising series of several seasons.
SEASONS_DIFFER = "the series' seasons differ"
#: The shortest season for which a panel's network reads, by default, each
#: level's gap to its mean over the last 3 steps and over the last season
#: (--level-gap 3 m). On M3's training values (docs/cli.rst) it helped the
#: monthly series (m = 12) on three seeds and not the quarterly ones (m = 4).
LEVEL_GAP_MIN_SEASON = 12


def read_panel(args, error) -> pd.Series:
    """The long CSV as a Series with a (series, time) MultiIndex."""
    path = args.csv
    if path is None:
        raise error("--series-column needs a CSV file with several series")
    if not path.is_file():
        raise error(f"{path}: no such file")
    # Ids are labels: read as text, so "001" and "1" stay two series.
    ids_as_text = {args.series_column: str} if args.series_column else None
    try:
        frame = pd.read_csv(path, sep=args.sep, decimal=args.decimal, dtype=ids_as_text)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as e:
        raise error(f"{path}: not a readable CSV file ({e})") from None
    for option, name in (
        ("--series-column", args.series_column),
        ("--time-column", args.time_column),
    ):
        if name is None:
            raise error("--series-column needs --time-column (and --horizon)")
        if name not in frame.columns:
            raise error(
                f"{path}: {option} {name!r} is not a column; columns are "
                f"{list(frame.columns)}"
            )
    # pandas reads "NA", "null", "None", "nan" as missing: as ids they are
    # labels (NA is Namibia); only an empty cell has no id.
    ids = pd.read_csv(
        path, sep=args.sep, decimal=args.decimal, usecols=[args.series_column],
        dtype=str, keep_default_na=False,
    )[args.series_column]  # fmt: skip
    frame[args.series_column] = ids.replace("", np.nan).to_numpy()
    _refuse_ids_apart_by_spaces(path, ids, args.series_column, error)
    others = [
        c
        for c in frame.columns
        if c not in (args.series_column, args.time_column)
        and pd.api.types.is_numeric_dtype(frame[c])
    ]
    column = args.column if args.column is not None else (others or [None])[-1]
    if column is None or column not in others:
        raise error(
            f"{path}: no numeric value column "
            + (f"{column!r} " if column else "")
            + f"besides the series and time columns in {list(frame.columns)}"
        )
    text = [
        c
        for c in frame.columns
        if c not in (args.series_column, args.time_column, *others)
        and _written_as_numbers(frame[c])
    ]
    if args.column is None and text:
        note(
            f"the values are column {column!r}, the last numeric one; "
            f"{', '.join(map(repr, text))} did not read as numbers (text, or a "
            "thousands separator); pass --column to choose"
        )
    for option, name in (
        ("--series-column", args.series_column),
        ("--time-column", args.time_column),
    ):
        empty = frame[name].isna().to_numpy()
        if empty.any():
            raise error(
                f"{path}: line {int(np.flatnonzero(empty)[0]) + 2} has an empty "
                f"{option} {name!r} cell ({int(empty.sum())} row(s) have none); "
                "every row needs its series and its time"
            )
    time_values = frame[args.time_column]
    quarterly = None
    if not pd.api.types.is_numeric_dtype(time_values):
        quarterly = year_months(time_values)
        quarterly = quarters(time_values) if quarterly is None else quarterly
    if quarterly is not None:
        time_values = quarterly
    elif not pd.api.types.is_numeric_dtype(time_values):
        try:
            time_values = parse_dates(
                time_values,
                f"{path}: --time-column {args.time_column!r}",
                frame[args.series_column].to_numpy(),
            )
        except (ValueError, TypeError):
            raise error(
                f"{path}: --time-column {args.time_column!r} holds neither numbers "
                "nor dates"
            ) from None
    values = pd.Series(
        frame[column].astype(float).to_numpy(),
        index=pd.MultiIndex.from_arrays(
            [frame[args.series_column], time_values],
            names=[args.series_column, args.time_column],
        ),
        name=column,
    ).sort_index()
    duplicated = values.index.duplicated()
    if duplicated.any():
        raise error(
            f"{path}: series {values.index[duplicated][0][0]!r} has two rows at "
            f"{args.time_column} {values.index[duplicated][0][1]!r}"
        )
    values = _trim_empty_ends(values, path, column, error)
    if values.isna().any():
        where = values.index[values.isna().to_numpy()][0]
        raise error(
            f"{path}: missing {column!r} for series {where[0]!r} at {where[1]!r}"
        )
    check_magnitude(values.to_numpy(), f"{path}: column {column!r}")
    for key, one in values.groupby(level=0, sort=False):
        check_scalable(one.to_numpy(), f"{path}: series {key!r}")
    return values


def _written_as_numbers(column: pd.Series) -> bool:
    """Whether most cells of a text column are numbers once separators
    (1,234 / 1 234 / 1'234 / 1_234) are taken out: a value column pandas
    could not read, rather than a label such as a region."""
    cells = column.dropna().astype(str).str.replace(r"[,\s'_]", "", regex=True)
    if not len(cells):
        return False
    return bool(pd.to_numeric(cells, errors="coerce").notna().mean() > 0.5)


def _refuse_ids_apart_by_spaces(path, ids: pd.Series, column: str, error) -> None:
    """Ids are labels, read exactly; two that differ only by the spaces
    around them are refused rather than read as two series (a table would
    print both as one)."""
    distinct = pd.Series(ids.unique())
    distinct = distinct[distinct != ""]
    stripped = distinct.str.strip()
    clash = stripped.duplicated(keep=False)
    if clash.any():
        first = stripped[clash].iloc[0]
        same = list(distinct[clash & (stripped == first)])
        raise error(
            f"{path}: --series-column {column!r} has ids that differ only by "
            f"spaces around them ({', '.join(map(repr, same))}), which would be "
            "separate series; write each series' id one way"
        )


def _trim_empty_ends(values: pd.Series, path, column, error) -> pd.Series:
    """Each series from its first to its last value, with a note if cut.

    A long CSV written from a wide table gives a series that starts later (or
    ends earlier) than the others empty cells before (after) its values: they
    are not part of that series, and leaving them out shifts nothing, since
    every series is modelled on its own time labels. Empty cells between two
    values stay an error (a missing step).
    """
    observed = values.notna()
    by_series = observed.groupby(level=0, sort=False)
    started = by_series.cummax()
    not_ended = observed.iloc[::-1].groupby(level=0, sort=False).cummax().iloc[::-1]
    keep = (started & not_ended).to_numpy()
    if keep.all():
        return values
    empty = by_series.sum() == 0
    if empty.any():
        raise error(
            f"{path}: series {empty.index[empty.to_numpy()][0]!r} has no "
            f"{column!r} value ({int(empty.sum())} series have none); remove "
            "its rows or fill them"
        )
    parts = []
    before = (~started).groupby(level=0, sort=False).sum()
    after = (~not_ended).groupby(level=0, sort=False).sum()
    for key in before.index[(before > 0) | (after > 0)]:
        one = values.loc[key].dropna().index
        said = []
        if before[key]:
            said.append(f"starts at {_label(one[0])} ({before[key]} empty before)")
        if after[key]:
            said.append(f"ends at {_label(one[-1])} ({after[key]} empty after)")
        parts.append(f"{key!r} " + " and ".join(said))
    more = f", and {len(parts) - 5} more series" if len(parts) > 5 else ""
    note(
        f"{len(parts)} series start later or end earlier than their rows: "
        f"the empty {column!r} cells before the first and after the last value "
        f"of a series are left out; " + "; ".join(parts[:5]) + more
    )
    return values[keep]


def _label(value) -> str:
    """A time label as the CSV would write it (dates without 00:00:00)."""
    if isinstance(value, pd.Timestamp) and value == value.normalize():
        return value.strftime("%Y-%m-%d")
    return str(value)


def _season_of(dates) -> int:
    """The season length of one series' dates, from its own frequency."""
    if isinstance(dates, pd.PeriodIndex):  # quarter labels (1981 Q1)
        return _SEASONS.get(dates.freqstr[0], 1)
    if not isinstance(dates, pd.DatetimeIndex) or len(dates) < 3:
        return 1
    offset = _infer_freq(dates)
    if offset is None:
        return 1
    code = offset.rule_code.upper()
    if len(code) > 1 and code[0] == "B" and code[1] in "MQYA":
        code = code[1:]  # business month or quarter ends: still months, quarters
    return _SEASONS.get(code[0], 1)


def _seasons(values: pd.Series, given: int | None) -> np.ndarray:
    """One season per series (in order), each from its own frequency."""
    groups = values.groupby(level=0, sort=False)
    if given is not None:
        return np.full(groups.ngroups, given)
    return np.array([_season_of(one.index.get_level_values(1)) for _, one in groups])


def _baseline_seasons(names, histories, seasons: np.ndarray) -> np.ndarray:
    """The season each series' seasonal naive forecast repeats: its own,
    or 1 (the last value) when its training values are fewer than one
    season, as :func:`~sk_rnn.metrics.seasonal_naive` falls back; said in a
    note, with MASE's scale, which needs one value more."""
    lengths = np.array([len(hist) for hist in histories])
    used = np.where(lengths >= seasons, seasons, 1)
    short = [
        f"{name!r} ({n} against season {m})"
        for name, n, m in zip(names, lengths, seasons, strict=True)
        if n <= m and m > 1
    ]
    if short:
        shown = _first_few(short)
        note(
            f"{len(short)} series {'has' if len(short) == 1 else 'have'} no more "
            "training values than their "
            f"season: {shown}; their MASE scales by the changes from one value "
            "to the next, and where the values are fewer, seasonal naive "
            "repeats the last value (season 1 in the table)"
        )
    return used


def _first_few(items: list, shown: int = 5) -> str:
    """``'a', 'b' and 3 more``: the first ``shown`` items, then a count."""
    more = len(items) - shown
    return ", ".join(items[:shown]) + (f" and {more} more" if more > 0 else "")


def _season_counts(seasons: np.ndarray) -> str:
    """``4 for 1 series, 12 for 2 series``."""
    kinds, counts = np.unique(seasons, return_counts=True)
    return ", ".join(
        f"{int(k)} for {int(c)} series" for k, c in zip(kinds, counts, strict=True)
    )


def _describe_seasons(seasons: np.ndarray) -> str:
    kinds = np.unique(seasons)
    if len(kinds) == 1:
        return f"season {int(kinds[0])}"
    return f"each series' own season ({_season_counts(seasons)})"


def _takes_log(args, values: np.ndarray) -> bool:
    """Whether the network learns the logarithm of the values: when every
    training value is positive, unless --no-log."""
    return args.log is not False and bool(np.all(values > 0))


def _deseasonalizing(args, seasons: np.ndarray, values: np.ndarray, log: bool):
    """Whether (and how) the series are deseasonalised before training: when
    every series has the same season m > 1; additively on the logarithm
    (``log``: a multiplicative pattern is an additive one there), else
    multiplicatively when every training value is positive, else
    additively."""
    kinds = np.unique(seasons)
    plan = {"applied": False, "model": None, "season": None, "reason": None}
    if args.deseasonalize is False:
        plan["reason"] = "--no-deseasonalize"
    elif len(kinds) > 1:
        plan["reason"] = SEASONS_DIFFER
    elif len(kinds) == 0 or kinds[0] <= 1:
        plan["reason"] = "season 1: no seasonal pattern"
    else:
        positive = bool(np.all(values > 0))
        plan["applied"], plan["season"] = True, int(kinds[0])
        plan["model"] = "multiplicative" if positive and not log else "additive"
        if log:
            plan["reason"] = "on the logarithm of the values"
        elif positive:
            plan["reason"] = "every training value is positive"
        else:
            plan["reason"] = "not every training value is positive"
    return plan


def _default_level_gap(args, plan: dict) -> None:
    """``--level-gap 3 m`` where the series are deseasonalised with a season
    m of at least LEVEL_GAP_MIN_SEASON, unless --level-gap or --no-level-gap
    was given; no --level-smoothing unless given (on every 7th M3 monthly
    series it moved the sMAPE by less than the seeds do, docs/cli.rst)."""
    if args.level_gap is None:
        season = plan["season"] if plan["applied"] else 1
        args.level_gap = [3, season] if season >= LEVEL_GAP_MIN_SEASON else []
    if args.level_smoothing is None:
        args.level_smoothing = []


def _views(args, plan: dict, error) -> None:
    """Settle ``--views`` (``args.views``): "both" by default where the
    series are deseasonalised; on series that are not, there is one view
    (None, also for ``--views adjusted``) and ``--views both`` is refused."""
    if plan["applied"]:
        args.views = args.views or VIEWS[0]
    elif args.views == "both":
        advice = " or pass --season" if plan["reason"] == SEASONS_DIFFER else ""
        raise error(
            "--views both averages networks on the deseasonalised series with "
            f"networks on the series as they are; these are not deseasonalised "
            f"({plan['reason']}): drop --views{advice}"
        )
    else:
        args.views = None


def _seasonal_options(plan: dict) -> dict:
    """``make_forecaster``'s seasonal parameters for a plan."""
    if not plan["applied"]:
        return {}
    return {"season": plan["season"], "seasonal_model": plan["model"]}


def _adjusted(model, plan: dict) -> None:
    """Record in ``plan`` how many series the seasonality test adjusted."""
    if plan["applied"]:
        model = getattr(model, "named_estimators_", {}).get("adjusted", model)
        adjusted = np.asarray(model.deseasonalizer_.adjusted_).reshape(
            len(model.deseasonalizer_.series_), -1
        )
        plan["series_adjusted"] = int(adjusted.any(axis=1).sum())
        plan["series_fitted"] = len(adjusted)


def _describe_values(args, log: bool, plan: dict) -> str:
    """The report's words for what the network learns: ``on the logarithm of
    the values (all positive), deseasonalised: additive, season 4, on the
    335 of 704 series with a seasonal pattern (90% test)``."""
    if log:
        said = "on the logarithm of the values (all positive)"
    elif args.log is False:
        said = "on the values as they are (--no-log)"
    else:
        said = "on the values as they are (not all positive)"
    return f"{said}, {_describe_deseasonalizing(plan, args.views)}"


def _describe_deseasonalizing(plan: dict, views=None) -> str:
    if not plan["applied"]:
        return f"not deseasonalised ({plan['reason']})"
    said = f"deseasonalised: {plan['model']}, season {plan['season']}"
    if "series_adjusted" in plan:
        said += (
            f", on the {plan['series_adjusted']} of {plan['series_fitted']} series "
            "with a seasonal pattern (90% test)"
        )
    if views == "both":
        said += (
            ", averaged with as many networks on the series as they are (--views both)"
        )
    return said


def run_panel(args, model_for, error) -> int:
    """Fit one network on the panel's training rows; score every series."""
    started = time.perf_counter()
    values = _read_checked(args, error, evaluate=True)
    h = args.horizon
    lengths = values.groupby(level=0, sort=False).size()
    seasons = _seasons(values, args.season)
    frame = values.to_frame()
    position = frame.groupby(level=0, sort=False).cumcount().to_numpy()
    is_test = position >= np.repeat(lengths.to_numpy() - h, lengths.to_numpy())
    train, test = frame[~is_test], frame[is_test]
    trained_on = train.iloc[:, 0].to_numpy()
    log = _takes_log(args, trained_on)
    plan = _deseasonalizing(args, seasons, trained_on, log)
    _views(args, plan, error)
    fit_started = time.perf_counter()
    forecast, model = _fit_and_forecast(args, model_for, train, log, plan)
    fit_seconds = time.perf_counter() - fit_started
    _adjusted(model, plan)
    names = list(lengths.index)
    actual = test.iloc[:, 0].to_numpy().reshape(len(names), h)
    histories = [g.iloc[:, 0].to_numpy() for _, g in train.groupby(level=0, sort=False)]
    naive = np.stack(
        [seasonal_naive(hist, h, m) for hist, m in zip(histories, seasons, strict=True)]
    )
    scales = np.array(
        [mase_scale(hist, m) for hist, m in zip(histories, seasons, strict=True)]
    )
    baseline = _baseline_seasons(names, histories, seasons)
    table = pd.DataFrame(
        {
            "sMAPE": smape(actual, forecast),
            "naive sMAPE": smape(actual, naive),
            "MASE": np.abs(forecast - actual).mean(axis=1) / scales,
            "naive MASE": np.abs(naive - actual).mean(axis=1) / scales,
            "RMSE": np.sqrt(((forecast - actual) ** 2).mean(axis=1)),
            "naive RMSE": np.sqrt(((naive - actual) ** 2).mean(axis=1)),
        },
        index=pd.Index(names, name="series"),
    )
    wall = time.perf_counter() - started
    table.insert(0, "season", baseline)
    loses = list(table.index[(table["sMAPE"] > table["naive sMAPE"]).to_numpy()])
    seasons_said = _describe_seasons(baseline)
    described = _describe_values(args, log, plan)
    _report(args, values, table, seasons_said, described, loses, wall, fit_seconds)
    outputs = args._outputs
    if outputs.get("json"):
        payload = {
            "config": {
                k: getattr(args, k)
                for k in ("lags", "hidden_size", "cell", "epochs", "batch_size")
                + ("stateful", "lr", "loss", "level_gap", "level_smoothing")
                + ("seed", "horizon")
                + ("ensemble", "views", "device")
            }
            | {
                "csv": str(args.csv),
                "seasons": seasons_said,
                "log": log,
                "deseasonalize": plan,
            },
            "n_series": len(names),
            "wall_seconds": wall,
            "fit_predict_seconds": fit_seconds,
            "overall": table.drop(columns="season").mean().to_dict(),
            "loses_to_seasonal_naive": loses,
            "series": table.reset_index().to_dict(orient="records"),
            "forecasts": {n: f.tolist() for n, f in zip(names, forecast, strict=True)},
        }
        write_json(outputs["json"], payload)
        print(f"wrote {outputs['json']}")
    if outputs.get("plot"):
        plot_panel(train, test, forecast, naive, outputs["plot"], names)
        print(f"wrote {outputs['plot']}")
    return 0


def _read_checked(args, error, evaluate: bool) -> pd.Series:
    """The panel's options completed and checked, then its long CSV read."""
    for key, value in PANEL_DEFAULTS.items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    if args.horizon is None:
        raise error("--series-column needs --horizon, the steps to forecast")
    values = read_panel(args, error)
    h = args.horizon
    lengths = values.groupby(level=0, sort=False).size()
    # Training needs two rows with a complete future (h + 2 values); to
    # evaluate, the test block of h values follows them.
    needed = 2 * h + 2 if evaluate else h + 2
    if (lengths < needed).any():
        short = lengths[lengths < needed]
        needs = (
            f"the test block and {h + 2} to train: two rows and the {h} values "
            "after them"
            if evaluate
            else "two to train and the forecast's origin"
        )
        raise error(
            f"--horizon {h} needs at least {needed} values per series ({needs}); "
            f"series {short.index[0]!r} has {short.iloc[0]} ({len(short)} series "
            "are that short; leave them out or shorten --horizon)"
        )
    return values


def _fit_and_forecast(args, model_for, train: pd.DataFrame, log: bool, plan: dict):
    """One global network fitted on ``train`` (on its logarithm if ``log``,
    deseasonalised as ``plan`` says): ``(forecast, model)``, the forecast
    being the next ``--horizon`` values after the end of every series, shape
    (n_series, horizon), in the values' units."""
    from ..preprocessing._horizon import make_horizon_xy

    if log:
        train = np.log(train)
    _default_level_gap(args, plan)
    X, Y = make_horizon_xy(train, args.horizon)
    model = views_model(args, model_for, plan)
    fit_with_progress(model, X, Y, args)
    # rest continues X (its last row is the forecast origin); said, not read
    # from the labels: a series of two dated rows has no step to tell it by.
    rest = train.drop(X.index)
    forecast = pd.DataFrame(model.predict(rest, history="fit"), index=rest.index)
    forecast = forecast.groupby(level=0, sort=False).tail(1).to_numpy()
    return (np.exp(forecast) if log else forecast), model


def views_model(args, model_for, plan: dict):
    """The unfitted model of ``--views``: ``--ensemble`` networks on the
    deseasonalised series (as ``plan`` says), and with ``--views both`` as
    many on the series as they are, every forecast averaged
    (:class:`~sk_rnn.MedianEnsembleRegressor`, ``combine="mean"``; on the
    logarithm where the values are logged), the second view's networks
    seeded with ``--seed`` + 1. Networks
    that see the series with and without their pattern err differently: on
    M3's training values (docs/cli.rst) the two views beat as many networks
    on the deseasonalised series, quarterly and monthly, on two seeds."""
    from ..compose._ensemble import MedianEnsembleRegressor

    adjusted = model_for(args, n_ensemble=args.ensemble, **_seasonal_options(plan))
    if args.views != "both":
        return adjusted
    as_they_are = model_for(args, n_ensemble=args.ensemble)
    # Seeded apart from the first view: where the seasonality test adjusts
    # no series, the two views see the same rows and would otherwise train
    # the same networks.
    network_of(as_they_are).set_params(random_state=args.seed + 1)
    return MedianEnsembleRegressor(
        [("adjusted", adjusted), ("as_they_are", as_they_are)], combine="mean"
    )


def _ensemble_said(args) -> str:
    """``ensemble of 2``, or ``ensemble of 2 per view`` with --views both."""
    per_view = " per view" if args.views == "both" else ""
    return f"ensemble of {args.ensemble}{per_view}"


def _future(values: pd.Series, h: int, time_column: str, error) -> list:
    """The ``h`` time labels after the last value of every series, in order."""
    labels = []
    for key, one in values.groupby(level=0, sort=False):
        times = one.index.get_level_values(1)
        if isinstance(times, pd.PeriodIndex):
            labels.append(pd.period_range(times[-1] + 1, periods=h, freq=times.freq))
        elif isinstance(times, pd.DatetimeIndex):
            step = _infer_freq(times)
            if step is None:
                raise error(
                    f"series {key!r}: its {time_column!r} dates have no regular "
                    f"step (from {_label(times[0])} to {_label(times[-1])}), so "
                    "the dates of its forecasts are unknown; add a row for every "
                    "missing step"
                )
            labels.append(pd.date_range(times[-1], periods=h + 1, freq=step)[1:])
        else:
            steps = np.unique(np.diff(times.to_numpy()))
            if len(steps) != 1:
                raise error(
                    f"series {key!r}: its {time_column!r} values do not step "
                    f"evenly ({', '.join(map(str, steps[:4]))}), so the times of "
                    "its forecasts are unknown; add a row for every missing step"
                )
            labels.append(times[-1] + steps[0] * np.arange(1, h + 1))
    return labels


def run_panel_forecast(args, model_for, error) -> int:
    """Fit one network on every row of every series; write the next
    ``--horizon`` values of each as a long CSV (series, time, forecast)."""
    from .._utils._files import write_atomically

    values = _read_checked(args, error, evaluate=False)
    h = args.horizon
    future = _future(values, h, args.time_column, error)  # before training
    seasons = _seasons(values, args.season)
    log = _takes_log(args, values.to_numpy())
    plan = _deseasonalizing(args, seasons, values.to_numpy(), log)
    _views(args, plan, error)
    if plan["reason"] == SEASONS_DIFFER:
        note(
            f"the series' seasons differ ({_season_counts(seasons)}), so they are "
            "not deseasonalised: one network removes one season; give the series "
            "of each season their own CSV, or pass --season"
        )
    forecast, model = _fit_and_forecast(args, model_for, values.to_frame(), log, plan)
    _adjusted(model, plan)
    names = list(values.index.unique(level=0))
    table = pd.DataFrame(
        {
            args.series_column: np.repeat(np.asarray(names, dtype=object), h),
            args.time_column: [_label(t) for labels in future for t in labels],
            "forecast": forecast.ravel(),
        }
    )
    text = table.to_csv(index=False)
    path = args._outputs.get("output")
    if path is None:
        print(text, end="")
    else:
        write_atomically(path, text.encode())
        print(
            f"wrote {path}: the next {h} values of {values.name!r} in "
            f"{len(names)} series "
            f"({args.cell}, {args.epochs} epochs, {_ensemble_said(args)}"
            f"{', ' + gaps_said(args) if gaps_said(args) else ''}; "
            f"{_describe_values(args, log, plan)})"
        )
    return 0


#: Losing series named in the report (all of them in --json).
SHOWN_LOSERS = 10


def _report(
    args, values, table, seasons: str, described: str, loses: list, wall, fit_seconds
) -> None:
    name = args.csv.name
    n_series = len(table)
    print(
        f"{name}: {values.name}, {n_series} series, {len(values)} values; test = "
        f"last {args.horizon} of every series (direct {args.horizon}-step forecast)"
    )
    engine = "one stream per series" if args.stateful else "stateless windows"
    print(
        f"one global {args.cell} ({args.hidden_size} units, {engine}), lags "
        f"{args.lags}{gap_words(args)}, batch {args.batch_size}, "
        f"{args.epochs} epochs, "
        f"{args.loss.replace('_', ' ')} loss, {_ensemble_said(args)}; "
        f"{described}; the changes of every series scaled to [-1, 1] together; "
        f"seasonal naive with {seasons}"
    )
    print()
    shown = table if n_series <= 20 else table.iloc[:20]
    print(shown.to_string(float_format=lambda v: f"{v:.3f}"))
    if n_series > 20:
        print(f"... {n_series - 20} more series (all in --json)")
    print()
    overall = table.drop(columns="season").mean()
    unscaled = list(table.index[table["naive MASE"].isna().to_numpy()])
    print(
        f"overall (mean over series): sMAPE {overall['sMAPE']:.3f} (seasonal naive "
        f"{overall['naive sMAPE']:.3f}), MASE {overall['MASE']:.3f} (seasonal naive "
        f"{overall['naive MASE']:.3f})"
        + (
            f"; MASE over {n_series - len(unscaled)} of {n_series} series: "
            f"{_first_few(list(map(repr, unscaled)))}"
            f" {'has' if len(unscaled) == 1 else 'have'} no MASE scale "
            "(seasonal naive fits the training values exactly)"
            if unscaled
            else ""
        )
    )
    beats = int((table["sMAPE"] < table["naive sMAPE"]).sum())
    print(
        f"series where the network beats seasonal naive (sMAPE): {beats} of {n_series}"
    )
    if loses:
        shown = ", ".join(str(key) for key in loses[:SHOWN_LOSERS])
        more = len(loses) - SHOWN_LOSERS
        print(
            f"series where the network loses to seasonal naive (sMAPE): {shown}"
            + (f" and {more} more (all in --json)" if more > 0 else "")
        )
    print(f"wall time: {wall:.1f} s (training and forecasting {fit_seconds:.1f} s)")


def plot_panel(train, test, forecast, naive, path: Path, names) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = names[:4]
    fig, axes = plt.subplots(
        1, len(shown), figsize=(4 * len(shown), 3.4), squeeze=False
    )
    for k, (axis, name) in enumerate(zip(axes[0], shown, strict=True)):
        history = train.loc[name].iloc[:, 0]
        future = test.loc[name].iloc[:, 0]
        x_hist = np.arange(len(history))
        x_test = len(history) + np.arange(len(future))
        axis.plot(x_hist, history.to_numpy(), color="black", lw=1)
        axis.plot(x_test, future.to_numpy(), color="black", marker=".", label="actual")
        axis.plot(x_test, forecast[k], marker="o", ms=3, label="network")
        axis.plot(x_test, naive[k], ls="--", label="seasonal naive")
        axis.set_title(str(name))
        axis.set_xlabel("step")
    axes[0][0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
