"""``sk-rnn evaluate --series-column``: one network over a long CSV (issue 11)."""

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sk_rnn.cli import main
from sk_rnn.metrics import mase_scale, seasonal_naive, smape


def _run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def long_csv(tmp_path):
    rng = np.random.default_rng(0)
    rows = []
    for name, scale, n in (("a", 1, 40), ("b", 100, 36), ("c", 10_000, 44)):
        months = pd.date_range("2015-01-01", periods=n, freq="MS")
        for i, month in enumerate(months):
            value = scale * (10 + np.sin(i * np.pi / 6) + 0.1 * rng.normal())
            rows.append((name, month.strftime("%Y-%m-%d"), value))
    frame = pd.DataFrame(rows, columns=["store", "month", "sales"])
    path = tmp_path / "stores.csv"
    # shuffled rows: the command sorts by series and time itself
    frame.sample(frac=1.0, random_state=0).to_csv(path, index=False)
    return path, frame


def test_a_long_csv_of_three_series_is_scored_series_by_series(
    long_csv, tmp_path, capsys
):
    path, frame = long_csv
    json_path, png_path = tmp_path / "out.json", tmp_path / "out.png"
    code, out, err = _run(
        capsys, "evaluate", str(path), "--series-column", "store",
        "--time-column", "month", "--horizon", "6", "--epochs", "5",
        "--quiet", "--json", str(json_path), "--plot", str(png_path),
    )  # fmt: skip
    assert code == 0, err
    assert "3 series, 120 values; test = last 6 of every series" in out
    assert "seasonal naive with season 12" in out
    payload = json.loads(json_path.read_text())
    assert [row["series"] for row in payload["series"]] == ["a", "b", "c"]
    config = payload["config"]
    assert config["epochs"] == 5 and config["lags"] == 3
    # the panel defaults
    assert config["hidden_size"] == 32 and config["batch_size"] == 24
    assert config["stateful"] and config["lr"] == 0.003
    assert config["loss"] == "absolute_error" and config["log"]
    assert config["deseasonalize"]["applied"] and config["level_gap"] == [3, 12]
    assert config["level_smoothing"] == []
    assert (
        "one global lstm (32 units, one stream per series), lags 3 (and each "
        "level's gap to its mean over 3 and 12 steps), batch 24, "
        "5 epochs, absolute error loss, ensemble of 1 per view; on the logarithm "
        "of the values (all positive), deseasonalised: additive, season 12, on the "
    ) in out
    # the seasonal-naive columns recomputed here from the CSV
    for row in payload["series"]:
        values = frame[frame.store == row["series"]].sales.to_numpy()
        history, actual = values[:-6], values[-6:]
        naive = seasonal_naive(history, 6, 12)
        np.testing.assert_allclose(row["naive sMAPE"], smape(actual, naive))
        scale = mase_scale(history, 12)
        np.testing.assert_allclose(
            row["naive MASE"], np.abs(naive - actual).mean() / scale
        )
        forecast = np.asarray(payload["forecasts"][row["series"]])
        np.testing.assert_allclose(row["sMAPE"], smape(actual, forecast))
    overall = payload["overall"]
    assert overall["sMAPE"] == pytest.approx(
        np.mean([r["sMAPE"] for r in payload["series"]])
    )
    assert png_path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_panel_options_are_checked_with_the_fix(long_csv, capsys):
    path, _ = long_csv
    base = ["evaluate", str(path), "--series-column", "store", "--quiet"]
    cases = [
        (base + ["--time-column", "month"], "--series-column needs --horizon"),
        (base + ["--horizon", "3"], "--series-column needs --time-column"),
        (["evaluate", str(path), "--horizon", "3"], "--horizon is for panels"),
        (
            base + ["--time-column", "when", "--horizon", "3"],
            "--time-column 'when' is not a column",
        ),
        (
            base + ["--time-column", "month", "--horizon", "40"],
            "--horizon 40 needs at least 82 values per series (the test block "
            "and 42 to train: two rows and the 40 values after them)",
        ),
        # the command asked for h + 2 values, then ended in make_horizon_xy's
        # Python remedy (skip_short=True) for a series of h + 2 to 2h + 1 values
        (
            base + ["--time-column", "month", "--horizon", "18"],
            "--horizon 18 needs at least 38 values per series (the test block "
            "and 20 to train: two rows and the 18 values after them); series "
            "'b' has 36 (1 series are that short; leave them out or shorten "
            "--horizon)",
        ),
    ]
    for argv, message in cases:
        code, _, err = _run(capsys, *argv)
        assert code == 2 and message in err, (argv, err)


def test_duplicated_series_times_are_refused(long_csv, tmp_path, capsys):
    _, frame = long_csv
    path = tmp_path / "dup.csv"
    pd.concat([frame, frame.iloc[[3]]]).to_csv(path, index=False)
    code, _, err = _run(
        capsys, "evaluate", str(path), "--series-column", "store",
        "--time-column", "month", "--horizon", "3", "--quiet",
    )  # fmt: skip
    assert code == 2 and "series 'a' has two rows at month" in err


def test_scores_match_their_definitions():
    np.testing.assert_allclose(
        smape([[100.0, 0.0]], [[50.0, 0.0]]), [200 * 50 / 150 / 2]
    )
    assert mase_scale([1.0, 2.0, 4.0]) == pytest.approx(1.5)
    assert np.isnan(mase_scale([3.0, 3.0, 3.0]))
    assert mase_scale(np.arange(6.0), season=4) == pytest.approx(4.0)
    np.testing.assert_array_equal(seasonal_naive([1, 2, 3, 4], 5, 2), [3, 4, 3, 4, 3])
    np.testing.assert_array_equal(seasonal_naive([1, 2, 3], 2), [3, 3])


def test_mase_divides_by_the_in_sample_seasonal_naive_error():
    from sk_rnn.metrics import mase

    got = mase([[4.0, 6.0]], [[5.0, 5.0]], [[1.0, 2.0, 4.0]])
    np.testing.assert_allclose(got, [1.0 / 1.5])


PANEL = ["--series-column", "store", "--time-column", "month", "--horizon", "4"]


@pytest.mark.parametrize(
    "option", [["--repeats", "3"], ["--test-size", "6"], ["--folds", "2"]]
)
def test_single_series_options_on_a_panel_are_refused(long_csv, capsys, option):
    """0.2 accepted and ignored them."""
    path, _ = long_csv
    code, out, err = _run(capsys, "evaluate", str(path), *PANEL, *option, "--quiet")
    assert code == 2 and f"{option[0]} apply to one series" in err
    assert "sMAPE" not in out


@pytest.mark.parametrize(
    "option",
    [
        ["--ensemble", "3"],
        ["--season", "12"],
        ["--time-column", "month"],
        ["--no-deseasonalize"],
        ["--views", "both"],
        ["--no-log"],
    ],
)
def test_panel_options_on_one_series_are_refused(tmp_path, capsys, option):
    code, out, err = _run(capsys, "evaluate", *option, "--epochs", "1", "--quiet")
    assert code == 2 and f"{option[0]} apply to many series" in err
    assert "RMSE" not in out


def test_plot_outputs_are_checked_before_training(tmp_path, capsys, monkeypatch):
    quick = ["--epochs", "1", "--repeats", "1", "--quiet"]
    code, out, err = _run(capsys, "evaluate", *quick, "--plot", str(tmp_path / "p.xyz"))
    assert code == 2 and "matplotlib writes" in err and "not '.xyz'" in err
    (tmp_path / "folder").mkdir()
    code, _, err = _run(
        capsys, "evaluate", *quick, "--json", str(tmp_path / "folder"), "--overwrite"
    )
    assert code == 2 and "is a folder; name a file" in err
    monkeypatch.setitem(__import__("sys").modules, "matplotlib.backend_bases", None)
    code, out, err = _run(capsys, "evaluate", *quick, "--plot", str(tmp_path / "p.png"))
    assert code == 2 and "--plot needs matplotlib, which is not installed" in err
    assert "RMSE" not in out and not (tmp_path / "p.png").exists()


def _long(tmp_path, rows, name="long.csv"):
    path = tmp_path / name
    pd.DataFrame(rows, columns=["store", "month", "sales"]).to_csv(path, index=False)
    return path


def _rows(ids=("001", "1"), n=14):
    months = pd.date_range("2015-01-01", periods=n, freq="MS").strftime("%Y-%m-%d")
    return [
        (store, month, 10.0 + k + i % 3)
        for k, store in enumerate(ids)
        for i, month in enumerate(months)
    ]


def test_ids_are_labels_and_empty_cells_are_named(tmp_path, capsys):
    """0.2 merged ids 001 and 1, reported an empty time cell as a missing
    step and ended an empty id cell in a NumPy broadcast error."""
    quick = ["--epochs", "1", "--horizon", "2", "--lags", "2", "--quiet"]
    path = _long(tmp_path, _rows())
    code, out, err = _run(
        capsys,
        "evaluate",
        str(path),
        *PANEL[:4],
        *quick,
        "--json",
        str(tmp_path / "o.json"),
    )
    assert code == 0, err
    table = json.loads((tmp_path / "o.json").read_text())["series"]
    assert {row["series"] for row in table} == {"001", "1"}
    for column, option in (
        (0, "--series-column 'store'"),
        (1, "--time-column 'month'"),
    ):
        rows = _rows()
        rows[5] = tuple(None if i == column else v for i, v in enumerate(rows[5]))
        code, out, err = _run(
            capsys, "evaluate", str(_long(tmp_path, rows)), *PANEL[:4], *quick
        )
        assert code == 2 and f"line 7 has an empty {option} cell" in err, err


def test_json_has_no_bare_nan(tmp_path, capsys):
    """--repeats 1 (no std) and an undefined MASE were written as NaN."""
    out_path = tmp_path / "one.json"
    code, _, err = _run(
        capsys, "evaluate", "--epochs", "1", "--repeats", "1", "--test-size", "3",
        "--quiet", "--json", str(out_path),
    )  # fmt: skip
    assert code == 0, err

    def refuse(token):
        raise AssertionError(f"{token} in the JSON")

    json.loads(out_path.read_text(), parse_constant=refuse)
    rows = _rows(ids=("a", "b"))
    rows = [(s, m, 5.0 if s == "a" else v) for s, m, v in rows]  # a: constant
    code, _, err = _run(
        capsys, "evaluate", str(_long(tmp_path, rows)), *PANEL[:4], "--horizon", "2",
        "--epochs", "1", "--lags", "2", "--quiet", "--json", str(tmp_path / "p.json"),
    )  # fmt: skip
    assert code == 0, err
    json.loads((tmp_path / "p.json").read_text(), parse_constant=refuse)


def test_outputs_that_are_not_regular_files_are_refused_before_training(
    tmp_path, capsys
):
    import os

    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    quick = ["--epochs", "1", "--repeats", "1", "--quiet", "--overwrite"]
    code, out, err = _run(capsys, "evaluate", *quick, "--json", str(fifo))
    assert code == 2 and "is not a regular file" in err and "RMSE" not in out


def test_each_series_gets_the_season_of_its_own_frequency(tmp_path, capsys):
    """0.2 took one season from the first series' frequency letter, so mixed
    frequencies and business month ends (BME, season 1) got the wrong one."""
    from sk_rnn.cli._panel import _seasons

    def panel_of(freqs):
        pieces = []
        for k, freq in enumerate(freqs):
            dates = pd.date_range("2010-01-01", periods=30, freq=freq)
            index = pd.MultiIndex.from_arrays([[f"s{k}"] * 30, dates])
            pieces.append(pd.Series(np.arange(30.0), index=index))
        return pd.concat(pieces)

    assert _seasons(panel_of(["QS", "MS", "BME", "BQE", "W", "D"]), None).tolist() == [
        4, 12, 12, 4, 52, 7
    ]  # fmt: skip
    assert _seasons(panel_of(["MS", "QS"]), 3).tolist() == [3, 3]
    rows = []
    for store, freq in (("m", "MS"), ("q", "QS")):
        for i, date in enumerate(pd.date_range("2010-01-01", periods=24, freq=freq)):
            rows.append((store, date.strftime("%Y-%m-%d"), 10 + np.sin(i) + i % 4))
    path = _long(tmp_path, rows)
    out_json = tmp_path / "s.json"
    code, out, err = _run(
        capsys, "evaluate", str(path), *PANEL[:4], "--horizon", "4", "--epochs",
        "1", "--lags", "2", "--quiet", "--json", str(out_json),
    )  # fmt: skip
    assert code == 0, err
    assert "each series' own season (4 for 1 series, 12 for 1 series)" in out
    table = {r["series"]: r for r in json.loads(out_json.read_text())["series"]}
    assert table["m"]["season"] == 12 and table["q"]["season"] == 4
    history = np.array([v for s, _, v in rows if s == "q"])[:-4]
    expected = smape(
        np.array([v for s, _, v in rows if s == "q"])[-4:],
        seasonal_naive(history, 4, 4),
    )
    assert table["q"]["naive sMAPE"] == pytest.approx(float(expected))


_HOSTILE = ["empty id", "empty time", "empty value", "repeated time", "text value",
            "mixed frequencies", "short series", "unsorted", "number ids"]  # fmt: skip


@settings(max_examples=30, deadline=None, derandomize=True)
@given(
    damages=st.lists(st.sampled_from(_HOSTILE), max_size=3, unique=True),
    n_series=st.integers(1, 3),
    row=st.integers(0, 40),
)
def test_hostile_long_csvs_end_in_a_forecast_or_one_clear_error(
    tmp_path_factory, damages, n_series, row
):
    """Every damaged long CSV is either scored or refused in one sentence
    (exit 2), never a traceback."""
    import contextlib
    import io

    rows = []
    for k in range(n_series):
        freq = "QS" if "mixed frequencies" in damages and k == 1 else "MS"
        n = 5 if "short series" in damages and k == 0 else 16
        for i, date in enumerate(pd.date_range("2010-01-01", periods=n, freq=freq)):
            store = str(k) if "number ids" in damages else f"s{k}"
            rows.append([store, date.strftime("%Y-%m-%d"), 10.0 + i % 4 + k])
    r = row % len(rows)
    if "empty id" in damages:
        rows[r][0] = None
    if "empty time" in damages:
        rows[r][1] = None
    if "empty value" in damages:
        rows[r][2] = None
    if "text value" in damages:
        rows[r][2] = "n/a"
    if "repeated time" in damages and r > 0:
        rows[r][1] = rows[r - 1][1]
        rows[r][0] = rows[r - 1][0]
    if "unsorted" in damages:
        rows = rows[::-1]
    path = tmp_path_factory.mktemp("hostile") / "long.csv"
    pd.DataFrame(rows, columns=["store", "month", "sales"]).to_csv(path, index=False)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(
            ["evaluate", str(path), *PANEL[:4], "--horizon", "3", "--epochs", "1",
             "--lags", "2", "--hidden-size", "2", "--quiet"]
        )  # fmt: skip
    assert code in (0, 2), err.getvalue()
    if code == 2:
        lines = err.getvalue().strip().splitlines()
        # a note on trimmed empty ends may come first; the error is one line
        lines = [line for line in lines if not line.startswith("sk-rnn: note: ")]
        assert len(lines) == 1 and lines[0].startswith("sk-rnn: error: "), lines
    else:
        assert "overall (mean over series)" in out.getvalue()


QUICK = ["--epochs", "1", "--lags", "2", "--hidden-size", "4", "--quiet"]


@pytest.mark.parametrize("other", ["a ", " a", "a\t"])
def test_ids_that_differ_only_by_spaces_are_refused(tmp_path, capsys, other):
    """They were two series that the table printed alike, and a forecast of
    'a' continued rows the file held under 'a ' (an adversarial probe)."""
    rows = _rows(ids=("a", "b"), n=20)
    rows = [(other if s == "a" and i >= 10 else s, m, v) for i, (s, m, v) in
            enumerate(rows)]  # fmt: skip
    for command in ("evaluate", "forecast"):
        code, out, err = _run(
            capsys, command, str(_long(tmp_path, rows)), *PANEL[:4],
            "--horizon", "2", *QUICK,
        )  # fmt: skip
        assert code == 2 and out == "", err
        assert (
            "--series-column 'store' has ids that differ only by spaces around "
            f"them ('a', {other!r}), which would be separate series"
        ) in err


def test_a_default_value_column_that_skips_text_columns_is_named(tmp_path, capsys):
    """'sales' written with thousands separators reads as text; the panel
    forecast used the next numeric column without naming it."""
    rows = _rows(ids=("a", "b"), n=20)
    frame = pd.DataFrame(rows, columns=["store", "month", "sales"])
    frame["sales"] = frame["sales"].map(lambda v: f"{1000 * v:,.0f}")
    frame["promo"] = np.arange(len(frame)) % 2 + 1.0
    frame["region"] = "north"  # a label: not named in the note
    path, out_path = tmp_path / "text.csv", tmp_path / "out.csv"
    frame.to_csv(path, index=False)
    code, out, err = _run(
        capsys, "forecast", str(path), *PANEL[:4], "--horizon", "2", *QUICK,
        "--output", str(out_path),
    )  # fmt: skip
    assert code == 0, err
    assert (
        "note: the values are column 'promo', the last numeric one; 'sales' did "
        "not read as numbers (text, or a thousands separator); pass --column"
    ) in err
    assert "region" not in err
    assert out.startswith(f"wrote {out_path}: the next 2 values of 'promo' in 2 ")
    code, out, err = _run(
        capsys, "forecast", str(path), *PANEL[:4], "--horizon", "2", *QUICK,
        "--column", "promo", "--output", str(tmp_path / "named.csv"),
    )  # fmt: skip
    assert code == 0 and "note: the values" not in err, err


def test_the_table_says_the_season_each_baseline_used(tmp_path, capsys):
    """A series with fewer training values than its season is scored against
    the last value; the table said season 12 (an adversarial probe)."""
    rows = _rows(ids=("a", "b"), n=30) + _rows(ids=("c",), n=12)
    json_path = tmp_path / "o.json"
    code, out, err = _run(
        capsys, "evaluate", str(_long(tmp_path, rows)), *PANEL[:4],
        "--horizon", "2", *QUICK, "--json", str(json_path),
    )  # fmt: skip
    assert code == 0, err
    assert (
        "note: 1 series has no more training values than their season: 'c' "
        "(10 against season 12); their MASE scales by the changes from one "
        "value to the next, and where the values are fewer, seasonal naive "
        "repeats the last value (season 1 in the table)"
    ) in err
    assert (
        "seasonal naive with each series' own season (1 for 1 series, 12 for 2 " in out
    )
    payload = json.loads(json_path.read_text())
    assert [row["season"] for row in payload["series"]] == [12, 12, 1]
    history = np.array([v for s, _, v in rows if s == "c"][:10])
    actual = np.array([v for s, _, v in rows if s == "c"][10:])
    naive = seasonal_naive(history, 2, 12)
    np.testing.assert_array_equal(naive, np.repeat(history[-1], 2))
    rmse = np.sqrt(np.mean((naive - actual) ** 2))
    assert payload["series"][2]["naive RMSE"] == pytest.approx(rmse)


def test_the_overall_mase_names_the_series_it_leaves_out(tmp_path, capsys):
    """The mean left out series with an undefined MASE without saying so."""
    rng = np.random.default_rng(0)
    rows = _rows(ids=("a", "b", "c"), n=30)
    rows = [(s, m, 5.0 if s == "b" else v + rng.normal()) for s, m, v in rows]
    code, out, err = _run(
        capsys, "evaluate", str(_long(tmp_path, rows)), *PANEL[:4],
        "--horizon", "2", *QUICK,
    )  # fmt: skip
    assert code == 0, err
    assert (
        "; MASE over 2 of 3 series: 'b' has no MASE scale (seasonal naive fits "
        "the training values exactly)\n"
    ) in out


def test_panel_dates_that_read_either_way_are_noted(tmp_path, capsys):
    months = [f"01/{m:02d}/2018" for m in range(1, 13)]
    rows = [(s, d, 10.0 + i + k) for k, s in enumerate("ab") for i, d in
            enumerate(months)]  # fmt: skip
    code, out, err = _run(
        capsys, "forecast", str(_long(tmp_path, rows)), *PANEL[:4],
        "--horizon", "2", *QUICK,
    )  # fmt: skip
    assert code == 0, err
    assert (
        "long.csv: --time-column 'month': dates such as "
        "'01/02/2018' read month first (2018-01-02), as pandas reads them; if "
        "they are day first, write them as YYYY-MM-DD"
    ) in err


def test_panel_dates_written_two_ways_are_noted_where_ambiguous(tmp_path, capsys):
    """One series ISO, the other 01/MM/YYYY: the slash dates are looked at on
    their own (a probe's mixed_fmt.csv was refused without the cause)."""
    months = pd.date_range("2018-01-01", periods=24, freq="MS")
    rows = [("a", m.strftime("%Y-%m-%d"), 10.0 + i) for i, m in enumerate(months)]
    rows += [("b", m.strftime("%d/%m/%Y"), 20.0 + i) for i, m in enumerate(months)]
    code, out, err = _run(
        capsys, "forecast", str(_long(tmp_path, rows)), *PANEL[:4],
        "--horizon", "2", *QUICK,
    )  # fmt: skip
    assert code == 2
    assert (
        "--time-column 'month': dates such as '01/02/2018' read month first "
        "(2018-01-02), as pandas reads them; if they are day first, write them "
        "as YYYY-MM-DD"
    ) in err
