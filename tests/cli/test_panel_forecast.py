"""``sk-rnn forecast --series-column``: the next values of every series of a
long CSV, and what a long CSV may hold (quarter labels, series that start
later, progress on long runs)."""

import io
import re
import warnings
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from sk_rnn import make_forecaster
from sk_rnn.cli import main
from sk_rnn.exceptions import MissingHistoryWarning

PANEL = ["--series-column", "store", "--time-column", "when"]
QUICK = ["--epochs", "3", "--lags", "2", "--hidden-size", "3", "--seed", "0"]


def _run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _write(tmp_path, rows, name="long.csv"):
    path = tmp_path / name
    frame = pd.DataFrame(rows, columns=["store", "when", "sales"])
    frame.to_csv(path, index=False)
    return path


def _monthly(lengths=(("a", 20, 1.0), ("b", 16, 100.0), ("c", 24, 10.0))):
    rows = []
    for store, n, scale in lengths:
        start = pd.Timestamp("2015-01-01") + pd.DateOffset(months=24 - n)
        for i, month in enumerate(pd.date_range(start, periods=n, freq="MS")):
            value = scale * (10 + np.sin(i * np.pi / 6) + (i % 5) / 10)
            rows.append((store, month.strftime("%Y-%m-%d"), value))
    return rows


def _expected_forecast(rows, h, times, season, log=True, stateful=True, views="both"):
    """make_forecaster fitted in Python as the command says it fits: one
    global network on every row of every series (on their logarithm when
    ``log``, the panel being positive), targets the next h values of the
    same series (built here with shift), forecast from each series' last
    row; series of one season are deseasonalised additively on the
    logarithm, multiplicatively without it; a season of 12 adds the level's
    gaps (--level-gap 3 12). With ``views="both"`` (the default of a
    deseasonalised panel) the forecast is the mean of that model's and of
    the same model on the series as they are, seeded with 1 (on the
    logarithm)."""
    frame = pd.DataFrame(rows, columns=["store", "when", "sales"])
    frame["when"] = times(frame["when"])
    panel = frame.set_index(["store", "when"]).sort_index()
    if log:
        panel = np.log(panel)
    Y = pd.concat(
        {f"h{k}": panel.groupby(level=0)["sales"].shift(-k) for k in range(1, h + 1)},
        axis=1,
    ).dropna()
    options = {
        "lags": 2, "hidden_size": 3, "max_epochs": 3, "batch_size": 24,
        "stateful": stateful, "scale": "global", "random_state": 0, "lr": 0.003,
        "loss": "absolute_error", "device": "cpu", "n_ensemble": 1,
        "level_gap": [3, season] if season and season >= 12 else None,
    }  # fmt: skip
    seasonal = {"season": season}
    seasonal["seasonal_model"] = "additive" if log else "multiplicative"
    models = [make_forecaster(**options, **seasonal)]
    if season and views == "both":  # the second view: seed + 1
        models.append(make_forecaster(**{**options, "random_state": 1}))
    lasts = []
    for model in models:
        model.fit(panel.loc[Y.index], Y)
        # the whole panel, read from each series' start: the last row of
        # every series is its forecast origin
        predicted = pd.DataFrame(model.predict(panel), index=panel.index)
        lasts.append(predicted.groupby(level=0).tail(1).to_numpy())
    last = np.mean(lasts, axis=0)
    return np.exp(last) if log else last


def test_a_panel_forecast_is_make_forecaster_fitted_on_every_row(tmp_path, capsys):
    rows = _monthly()
    path, out_path = _write(tmp_path, rows), tmp_path / "forecast.csv"
    code, out, err = _run(
        capsys, "forecast", str(path), *PANEL, "--horizon", "3", *QUICK,
        "--quiet", "--output", str(out_path),
    )  # fmt: skip
    assert code == 0, err
    assert out == (
        f"wrote {out_path}: the next 3 values of 'sales' in 3 series (lstm, 3 "
        "epochs, "
        "ensemble of 1 per view, each level's gap to its mean over 3 and 12 steps; on "
        "the logarithm of the values (all positive), "
        "deseasonalised: additive, season 12, on the 0 of 3 series with a "
        "seasonal pattern (90% test), averaged with as many networks on the "
        "series as they are (--views both))\n"
    )
    written = pd.read_csv(out_path, dtype={"store": str, "when": str})
    assert list(written.columns) == ["store", "when", "forecast"]
    assert written["store"].tolist() == ["a"] * 3 + ["b"] * 3 + ["c"] * 3
    # every series ends in 2016-12 (they start at different months)
    assert written["when"].tolist() == ["2017-01-01", "2017-02-01", "2017-03-01"] * 3
    expected = _expected_forecast(rows, 3, pd.to_datetime, season=12)
    np.testing.assert_allclose(
        written["forecast"].to_numpy().reshape(3, 3), expected, rtol=1e-12
    )


def test_views_adjusted_forecasts_with_the_deseasonalised_networks_only(
    tmp_path, capsys
):
    rows = _monthly()
    path = _write(tmp_path, rows)
    code, out, err = _run(
        capsys, "forecast", str(path), *PANEL, "--horizon", "3", *QUICK,
        "--views", "adjusted", "--quiet",
    )  # fmt: skip
    assert code == 0, err
    got = pd.read_csv(io.StringIO(out))["forecast"].to_numpy()
    expected = _expected_forecast(rows, 3, pd.to_datetime, season=12, views="adjusted")
    np.testing.assert_allclose(got.reshape(3, 3), expected, rtol=1e-12)


def test_views_both_forecasts_the_mean_of_the_two_views_on_a_seasonal_panel(
    tmp_path, capsys
):
    """Quarterly series with a strong pattern (the test adjusts every one):
    the two views differ, and the forecast is the mean of both models'
    forecasts on the logarithm (the second seeded with --seed + 1)."""
    pattern = (1.3, 0.9, 0.7, 1.1)
    rows = [
        (
            store,
            f"{2000 + i // 4} Q{i % 4 + 1}",
            scale * (10 + 0.2 * i) * pattern[i % 4],
        )
        for store, scale in (("a", 1.0), ("b", 50.0), ("c", 7.0))
        for i in range(24)
    ]
    path = _write(tmp_path, rows)
    code, out, err = _run(
        capsys, "forecast", str(path), *PANEL, "--horizon", "2", *QUICK, "--quiet"
    )
    assert code == 0, err
    got = np.array([float(line.rsplit(",", 1)[1]) for line in out.splitlines()[1:]])

    def times(labels):
        return pd.PeriodIndex([p.replace(" ", "") for p in labels], freq="Q")

    both = _expected_forecast(rows, 2, times, season=4)
    adjusted = _expected_forecast(rows, 2, times, season=4, views="adjusted")
    np.testing.assert_allclose(got.reshape(3, 2), both, rtol=1e-12)
    assert np.abs(both / adjusted - 1).max() > 1e-4


def test_a_panel_forecast_without_the_logarithm_or_streams(tmp_path, capsys):
    """--no-log --no-stateful: make_forecaster on the values as they are,
    deseasonalised multiplicatively, trained on stateless windows."""
    rows = _monthly()
    path = _write(tmp_path, rows)
    code, out, err = _run(
        capsys, "forecast", str(path), *PANEL, "--horizon", "3", *QUICK,
        "--no-log", "--no-stateful", "--quiet",
    )  # fmt: skip
    assert code == 0, err
    written = pd.read_csv(io.StringIO(out))
    expected = _expected_forecast(
        rows, 3, pd.to_datetime, season=12, log=False, stateful=False
    )
    np.testing.assert_allclose(
        written["forecast"].to_numpy().reshape(3, 3), expected, rtol=1e-12
    )


def test_a_panel_forecast_without_output_prints_the_csv(tmp_path, capsys):
    rows = [
        (store, f"{1981 + i // 4} Q{i % 4 + 1}", 10.0 + k + (i % 4) + 0.1 * i)
        for k, store in enumerate(("x", "y"))
        for i in range(14)
    ]
    path = _write(tmp_path, rows)
    code, out, err = _run(
        capsys, "forecast", str(path), *PANEL, "--horizon", "2", *QUICK, "--quiet"
    )
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "store,when,forecast"
    # quarter labels: the quarters after 1984 Q2 (the last of 14 quarters)
    assert [line.rsplit(",", 1)[0] for line in lines[1:]] == [
        "x,1984Q3", "x,1984Q4", "y,1984Q3", "y,1984Q4",
    ]  # fmt: skip
    expected = _expected_forecast(rows, 2, lambda t: pd.PeriodIndex(
        [p.replace(" ", "") for p in t], freq="Q"), season=4)  # fmt: skip
    got = np.array([float(line.rsplit(",", 1)[1]) for line in lines[1:]])
    np.testing.assert_allclose(got.reshape(2, 2), expected, rtol=1e-12)


def test_panel_forecast_options_are_checked_before_training(tmp_path, capsys):
    path = _write(tmp_path, _monthly())
    existing = tmp_path / "old.csv"
    existing.write_text("keep me")
    cases = [
        (["forecast", str(path), *PANEL, "--steps", "3"], "--steps is for one series"),
        (["forecast", str(path), *PANEL], "--series-column needs --horizon"),
        (["forecast", str(path), "--horizon", "3"], "--horizon is for panels"),
        (["forecast", str(path), "--time-column", "when", "--steps", "2"],
         "--time-column apply to many series"),
        (["forecast", str(path), "--season", "4", "--steps", "2"],
         "--season apply to many series"),
        (["forecast", str(path), "--no-deseasonalize", "--steps", "2"],
         "--no-deseasonalize apply to many series"),
        (["forecast", str(path), "--no-log", "--steps", "2"],
         "--no-log apply to many series"),
        (["forecast", str(path), "--views", "adjusted", "--steps", "2"],
         "--views apply to many series"),
        (["forecast", str(path), *PANEL, "--horizon", "3", "--no-deseasonalize",
          "--views", "both"],
         "--views both averages networks on the deseasonalised series with "
         "networks on the series as they are; these are not deseasonalised "
         "(--no-deseasonalize): drop --views"),
        (["forecast", str(path)], "forecast needs --steps"),
        (["forecast", str(path), *PANEL, "--horizon", "3", "--output", str(existing)],
         "exists; pass --overwrite to replace it"),
        (["forecast", str(path), *PANEL, "--horizon", "15"],
         "--horizon 15 needs at least 17 values per series (two to train and the "
         "forecast's origin); series 'b' has 16"),
    ]  # fmt: skip
    for argv, message in cases:
        code, out, err = _run(capsys, *argv, "--epochs", "1", "--quiet")
        assert code == 2 and message in err, (argv, err)
        assert "forecast" not in out
    assert existing.read_text() == "keep me"


def test_a_series_without_a_regular_step_has_no_forecast_dates(tmp_path, capsys):
    rows = _monthly()
    rows = [r for r in rows if not (r[0] == "a" and r[1] == "2016-03-01")]
    rows += [("a", "2016-03-15", 10.0)]  # a day that is no month start
    code, out, err = _run(
        capsys, "forecast", str(_write(tmp_path, rows)), *PANEL, "--horizon", "2",
        *QUICK, "--quiet",
    )  # fmt: skip
    assert code == 2, err
    assert "series 'a': its 'when' dates have no regular step" in err


@pytest.mark.parametrize("command", ["evaluate", "forecast"])
def test_series_that_start_later_are_trimmed_with_a_note(tmp_path, capsys, command):
    """A long CSV from a wide table: the later series have empty cells before
    their first value (and an earlier end leaves empty cells after)."""
    rows = _monthly(lengths=(("a", 24, 1.0), ("b", 24, 100.0)))
    short = dict.fromkeys(range(24, 24 + 5), None) | {47: None}  # b: 5 + 1
    padded = [
        (s, t, None) if k in short else (s, t, v) for k, (s, t, v) in enumerate(rows)
    ]
    horizon = ["--horizon", "2"]
    code, out, err = _run(
        capsys, command, str(_write(tmp_path, padded)), *PANEL, *horizon, *QUICK,
        "--quiet",
    )  # fmt: skip
    assert code == 0, err
    assert err == (
        "sk-rnn: note: 1 series start later or end earlier than their rows: the "
        "empty 'sales' cells before the first and after the last value of a "
        "series are left out; 'b' starts at 2015-06-01 (5 empty before) and "
        "ends at 2016-11-01 (1 empty after)\n"
    )
    # the same as a CSV without those rows
    trimmed = [r for k, r in enumerate(rows) if k not in short]
    code, again, err = _run(
        capsys, command, str(_write(tmp_path, trimmed, "t.csv")), *PANEL, *horizon,
        *QUICK, "--quiet",
    )  # fmt: skip
    assert code == 0 and err == ""
    if command == "forecast":
        assert out == again
        assert out.splitlines()[-2].startswith("b,2016-12-01,")  # after 2016-11
    else:
        table = [line for line in out.splitlines() if line[:2] in ("a ", "b ")]
        assert table == [
            line for line in again.splitlines() if line[:2] in ("a ", "b ")
        ]


def test_empty_cells_inside_a_series_and_empty_series_are_refused(tmp_path, capsys):
    rows = _monthly()
    inside = [(s, t, None if (s, t) == ("b", "2016-01-01") else v) for s, t, v in rows]
    empty = [(s, t, None if s == "c" else v) for s, t, v in rows]
    for damaged, message in (
        (inside, "missing 'sales' for series 'b' at Timestamp('2016-01-01"),
        (empty, "series 'c' has no 'sales' value (1 series have none)"),
    ):
        for command in ("evaluate", "forecast"):
            code, _, err = _run(
                capsys, command, str(_write(tmp_path, damaged)), *PANEL,
                "--horizon", "2", *QUICK, "--quiet",
            )  # fmt: skip
            assert code == 2 and message in err, err


def test_quarter_labels_are_quarterly_periods(tmp_path, capsys):
    """0.2 could not read "1981 Q1" and read "1981Q1" as dates."""
    from sk_rnn.cli._main import read_series

    for label in ("{y} Q{q}", "{y}Q{q}", "{y}-q{q}"):
        times = [label.format(y=1981 + i // 4, q=i % 4 + 1) for i in range(12)]
        path = tmp_path / "q.csv"
        pd.DataFrame({"when": times, "v": np.arange(12.0) ** 1.5}).to_csv(
            path, index=False
        )
        series = read_series(path)
        assert series.index.equals(
            pd.period_range("1981Q1", periods=12, freq="Q", name="when")
        )
    rows = [
        (store, f"{1981 + i // 4} Q{i % 4 + 1}", 10.0 + k + (i % 4))
        for k, store in enumerate(("x", "y"))
        for i in range(16)
    ]
    code, out, err = _run(
        capsys, "evaluate", str(_write(tmp_path, rows)), *PANEL, "--horizon", "4",
        *QUICK, "--quiet",
    )  # fmt: skip
    assert code == 0, err
    assert "seasonal naive with season 4" in out  # quarters: a season of 4
    # the seasonal naive repeats last year's quarters exactly: sMAPE 0
    assert [line.split()[3] for line in out.splitlines() if line[:2] in ("x ", "y ")
            ] == ["0.000", "0.000"]  # fmt: skip


def test_a_long_panel_run_shows_an_estimate_after_its_first_epoch(
    tmp_path, capsys, monkeypatch
):
    from sk_rnn.cli import _progress

    ticks = iter(np.arange(0.0, 1e6, 60.0))  # every reading 60 s later
    clock = SimpleNamespace(perf_counter=lambda: next(ticks))
    monkeypatch.setattr(_progress, "time", clock)
    path = _write(tmp_path, _monthly())
    for command in ("evaluate", "forecast"):
        for quiet in ([], ["--quiet"]):
            code, _, err = _run(
                capsys, command, str(path), *PANEL, "--horizon", "2", *QUICK,
                "--epochs", "5", *quiet,
            )  # fmt: skip
            assert code == 0, err
            # the monthly panel is deseasonalised: two views of 5 epochs
            said = re.search(
                r"^sk-rnn: the first epoch took (\d+)\.0 s; about (\d+) min for "
                r"all 10 epochs \(2 networks of 5, one after the other\)$",
                err,
                flags=re.MULTILINE,
            )
            assert (said is None) is bool(quiet), (command, quiet, err)
            if said:  # readings in the first epoch's batches add 60 s each
                took, total = int(said[1]), int(said[2])
                assert took % 60 == 0 and total == took * 10 // 60


def test_year_month_labels_and_na_ids_are_read_as_labels(tmp_path, capsys):
    """The shampoo file's "3-01" labels are months of year 3 on a panel too
    (a date parser reads them as days), and an id "NA" (Namibia) is a label,
    not a missing cell."""
    rows = [
        (store, f"3-{m:02d}", 10.0 + k + np.sin(m))
        for k, store in enumerate(("NA", "US"))
        for m in range(1, 13)
    ]
    path = _write(tmp_path, rows)
    code, out, err = _run(
        capsys, "forecast", str(path), *PANEL, "--horizon", "3", *QUICK, "--quiet",
    )  # fmt: skip
    assert code == 0, err
    written = pd.read_csv(io.StringIO(out), keep_default_na=False)
    assert written.iloc[:, 0].tolist() == ["NA"] * 3 + ["US"] * 3
    # months 1-3 of year 4, as pandas writes such a period (its format varies
    # by version: "4-01" or "0004-01")
    months = pd.period_range(pd.Period(year=4, month=1, freq="M"), periods=3)
    assert written.iloc[:, 1].tolist() == [str(m) for m in months] * 2


@pytest.mark.parametrize("command", ["evaluate", "forecast"])
def test_a_series_of_the_minimum_length_is_forecast_from_its_rows(
    tmp_path, capsys, command
):
    """The documented minimum (2H + 2 values to evaluate, H + 2 to forecast)
    ended in the Deseasonalizer's 'the fitted series had one row': two dated
    rows give no time step. Then the rows after them were read as a new
    series (a MissingHistoryWarning on stderr) though they continue it."""
    h = 3
    shortest = 2 * h + 2 if command == "evaluate" else h + 2
    rows = _monthly() + [
        ("s", month.strftime("%Y-%m-%d"), 5.0 + i % 4)
        for i, month in enumerate(
            pd.date_range(end="2016-12-01", periods=shortest, freq="MS")
        )
    ]
    path = _write(tmp_path, rows)
    json_path = tmp_path / "o.json"
    outputs = ["--json", str(json_path)] if command == "evaluate" else []
    with warnings.catch_warnings():
        warnings.simplefilter("error", MissingHistoryWarning)
        code, out, err = _run(
            capsys, command, str(path), *PANEL, "--horizon", str(h), *QUICK,
            "--quiet", *outputs,
        )  # fmt: skip
    assert code == 0, err
    if command == "evaluate":
        return
    written = pd.read_csv(io.StringIO(out), dtype={"store": str, "when": str})
    assert written["store"].tolist()[-h:] == ["s"] * h
    expected = _expected_forecast(rows, h, pd.to_datetime, season=12)
    np.testing.assert_allclose(
        written["forecast"].to_numpy().reshape(4, h), expected, rtol=1e-12
    )
