"""The sk-rnn command line."""

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from sk_rnn.cli import main


def _run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_evaluate_writes_json_and_plot(tmp_path, capsys):
    json_path, png_path = tmp_path / "out.json", tmp_path / "out.png"
    code, out, err = _run(
        capsys,
        "evaluate",
        "--epochs", "20",
        "--repeats", "3",
        "--quiet",
        "--json", str(json_path),
        "--plot", str(png_path),
    )  # fmt: skip
    assert code == 0, err
    assert "persistence" in out and "136.761" in out
    assert "repeats beating persistence:" in out
    payload = json.loads(json_path.read_text())
    assert len(payload["rmse"]) == 3
    assert round(payload["persistence_rmse"], 3) == 136.761
    assert payload["config"]["epochs"] == 20
    assert (
        payload["test_index"][0] == "1993-01" and payload["test_index"][-1] == "1993-12"
    )
    assert png_path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_python_dash_m_evaluate_from_the_issue(tmp_path):
    out = tmp_path / "out.json"
    done = subprocess.run(
        [sys.executable, "-m", "sk_rnn", "evaluate", "--epochs", "50",
         "--repeats", "3", "--json", str(out)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    payload = json.loads(out.read_text())
    assert len(payload["rmse"]) == 3 and np.isfinite(payload["rmse"]).all()
    assert round(payload["persistence_rmse"], 3) == 136.761


def test_evaluate_any_csv_with_a_column_choice(tmp_path, capsys):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "date": pd.date_range("2020-01-01", periods=40, freq="D").strftime(
                "%Y-%m-%d"
            ),
            "visitors": 100 + np.cumsum(rng.normal(size=40)),
            "other": rng.normal(size=40),
        }
    )
    path = tmp_path / "visits.csv"
    frame.to_csv(path, index=False)
    code, out, err = _run(
        capsys, "evaluate", str(path), "--column", "visitors", "--epochs", "5",
        "--repeats", "2", "--test-size", "5", "--folds", "2", "--lags", "3",
        "--no-stateful", "--cell", "gru", "--quiet",
    )  # fmt: skip
    assert code == 0, err
    assert "visits.csv: visitors, 40 values; test = last 10 in 2 fold(s)" in out
    assert "gru (4 units), lags 3, stateless" in out


def test_forecast_prints_the_next_values_with_dates(capsys):
    code, out, err = _run(
        capsys,
        "forecast",
        "--steps",
        "3",
        "--epochs",
        "5",
        "--ensemble",
        "2",
        "--quiet",
    )
    assert code == 0, err
    lines = out.strip().splitlines()
    assert lines[0].split()[:2] == ["time", "sales"]
    assert [line.split()[0] for line in lines[1:]] == ["1994-01", "1994-02", "1994-03"]
    assert all(np.isfinite(float(line.split()[1])) for line in lines[1:])


def _csv(tmp_path, text, name="bad.csv"):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["evaluate", "{tmp}/missing.csv"], "missing.csv: no such file"),
        (["evaluate", "{letters}"], "no numeric column in ['a', 'b']"),
        (["evaluate", "{letters}", "--column", "z"], "no column 'z'; columns are"),
        (["evaluate", "{letters}", "--column", "a"], "column 'a' is not numeric"),
        (["evaluate", "{gap}"], "has 1 missing value(s), the first in data row 2"),
        (["evaluate", "--lags", "30"], "the series has 36 values; --lags 30"),
        (["evaluate", "--test-size", "40"], "need at least 44"),
        (["evaluate", "--epochs", "0"], "--epochs: expected a positive integer, got 0"),
        (["evaluate", "--repeats", "-2"], "--repeats: expected a positive integer"),
        (["evaluate", "--hidden-size", "x"], "--hidden-size: expected a positive"),
        (["forecast", "--steps", "0"], "--steps: expected a positive integer, got 0"),
        (["forecast"], "forecast needs --steps, the values to forecast"),
        (["evaluate", "--cell", "cnn"], "invalid choice: 'cnn'"),
        (["evaluate", "--lr", "-1", "--epochs", "1", "--repeats", "1", "--quiet"],
         "The 'lr' parameter of LSTMRegressor must be a float in the range (0.0, inf)"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, argv, message):
    letters = _csv(tmp_path, "a,b\nx,y\nz,w\n", "letters.csv")
    gap = _csv(tmp_path, "t,v\n1,2\n2,\n3,4\n", "gap.csv")
    argv = [a.format(tmp=tmp_path, letters=letters, gap=gap) for a in argv]
    code, out, err = _run(capsys, *argv)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("sk-rnn: error: ")
    assert message in err
    assert "Traceback" not in err + out


def test_bundled_data_column_and_unreadable_csv(tmp_path, capsys):
    code, _, err = _run(capsys, "evaluate", "--column", "price")
    assert code == 2 and "the bundled data has one column, 'Sales'; got 'price'" in err
    binary = tmp_path / "blob.csv"
    binary.write_bytes(b"\xff\xfe\x00\x81" * 50)
    code, _, err = _run(capsys, "evaluate", str(binary))
    assert code == 2 and "not a readable CSV file" in err and "Traceback" not in err


def test_ctrl_c_stops_the_command_with_130_and_writes_no_results(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "result.json"
    # The command line as a user runs it, with a line on stderr after each
    # epoch so that the test presses Ctrl-C during training.
    code = (
        "import sys\n"
        "from sk_rnn.cli import _main as _cli\n"
        "def tick(self, net, **kwargs):\n"
        "    print('epoch', len(net.history), file=sys.stderr, flush=True)\n"
        "_cli.EpochProgress.on_epoch_end = tick\n"
        "args = ['evaluate', '--epochs', '20000', '--json', sys.argv[1]]\n"
        "sys.exit(_cli.main(args))\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code, str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # A background runner (nohup, CI) ignores SIGINT, and the child would
        # inherit that: start it as a terminal would, with the default.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 120
    for line in process.stderr:
        if line.startswith("epoch 5") or time.monotonic() > deadline:
            break
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr[-2000:]
    assert "sk-rnn: interrupted" in stderr
    assert "RMSE" not in stdout  # no table of an unfinished run
    assert not out.exists()


# ------------------------------------------ output paths (issue 13, item 1)
def _sales_csv(tmp_path, n=30):
    path = tmp_path / "sales.csv"
    months = pd.period_range("2020-01", periods=n, freq="M").astype(str)
    values = 100 + np.arange(n) + np.sin(np.arange(n))
    pd.DataFrame({"month": months, "sales": values}).to_csv(path, index=False)
    return path


QUICK = ["--epochs", "2", "--repeats", "2", "--test-size", "3", "--quiet"]


def test_json_onto_the_input_csv_is_refused_before_training(tmp_path, capsys):
    csv = _sales_csv(tmp_path)
    before = csv.read_bytes()
    code, out, err = _run(capsys, "evaluate", str(csv), *QUICK, "--json", str(csv))
    assert code == 2 and "is the input CSV" in err
    code, out, err = _run(
        capsys, "evaluate", str(csv), *QUICK, "--json", str(csv), "--overwrite"
    )
    assert code == 2 and "is the input CSV" in err
    assert csv.read_bytes() == before
    assert "RMSE" not in out  # refused before any training


def test_existing_outputs_need_overwrite(tmp_path, capsys):
    csv, out_path = _sales_csv(tmp_path), tmp_path / "result.json"
    out_path.write_text("keep me")
    code, _, err = _run(capsys, "evaluate", str(csv), *QUICK, "--json", str(out_path))
    assert code == 2 and "exists; pass --overwrite" in err
    assert out_path.read_text() == "keep me"
    code, _, err = _run(
        capsys, "evaluate", str(csv), *QUICK, "--json", str(out_path), "--overwrite"
    )
    assert code == 0, err
    assert json.loads(out_path.read_text())["config"]["epochs"] == 2


def test_a_missing_output_folder_is_refused_before_training(tmp_path, capsys):
    csv = _sales_csv(tmp_path)
    missing = tmp_path / "no" / "such" / "out.json"
    code, out, err = _run(capsys, "evaluate", str(csv), *QUICK, "--json", str(missing))
    assert code == 2 and f"no folder {missing.parent}" in err
    assert "RMSE" not in out


def test_plot_into_a_folder_or_without_a_suffix_says_what_it_wrote(tmp_path, capsys):
    csv = _sales_csv(tmp_path)
    folder = tmp_path / "plots"
    folder.mkdir()
    code, out, err = _run(capsys, "evaluate", str(csv), *QUICK, "--plot", str(folder))
    assert code == 0, err
    written = folder / "sk-rnn-evaluate.png"
    assert f"wrote {written}" in out and written.exists()
    bare = tmp_path / "chart"
    code, out, err = _run(capsys, "evaluate", str(csv), *QUICK, "--plot", str(bare))
    assert code == 0, err
    assert f"wrote {bare}.png" in out and (tmp_path / "chart.png").exists()


# --------------------------------------- odd CSVs (issue 13, items 2 and 3)
def test_a_comma_decimal_csv_is_detected_and_readable_with_options(tmp_path, capsys):
    lines = ["month,sales"] + [f"2020-{m:02d},{10 + m},5" for m in range(1, 13)]
    lines += [f"2021-{m:02d},{20 + m},25" for m in range(1, 13)]
    comma = tmp_path / "comma.csv"
    comma.write_text("\n".join(lines) + "\n")
    code, out, err = _run(capsys, "evaluate", str(comma), *QUICK)
    assert code == 2 and "more fields than its header" in err and "--decimal" in err
    semicolon = tmp_path / "semicolon.csv"
    rows = ["month;sales"] + [
        line.replace(",", ";", 1) for line in lines[1:]
    ]  # 2020-01;11,5
    semicolon.write_text("\n".join(rows) + "\n")
    code, out, err = _run(capsys, "evaluate", str(semicolon), *QUICK)
    assert code == 2 and "--sep ';'" in err
    code, out, err = _run(
        capsys, "evaluate", str(semicolon), *QUICK, "--sep", ";", "--decimal", ","
    )
    assert code == 0, err
    assert "24 values" in out


def test_shampoo_style_month_labels_are_months(tmp_path):
    from sk_rnn.cli._main import read_series

    path = tmp_path / "shampoo-raw.csv"
    labels = [f"{y}-{m:02d}" for y in (1, 2, 3) for m in range(1, 13)]
    pd.DataFrame({"Month": labels, "Sales": np.arange(36.0)}).to_csv(path, index=False)
    series = read_series(path)
    assert isinstance(series.index, pd.PeriodIndex) and series.index.freqstr == "M"
    assert series.index[12] == series.index[0] + 12  # year 2, January


def test_a_long_run_prints_an_estimate_after_the_first_epoch(capsys, monkeypatch):
    from sk_rnn.cli import _main as _cli

    clock = iter([0.0, 5.0])  # the first epoch takes 5 s
    monkeypatch.setattr(_cli.time, "perf_counter", lambda: next(clock))
    progress = _cli.EpochProgress(None, total=100)
    progress.on_train_begin(None)
    progress.on_epoch_end(None)
    assert "about 8 min for all 100 epochs" in capsys.readouterr().err


@pytest.mark.parametrize("time", ["year", "date"])
def test_a_long_csv_is_not_read_as_one_series(tmp_path, capsys, time):
    """0.2 concatenated the series of a long CSV whose time column is numeric."""
    years = list(range(2001, 2011)) * 2
    frame = pd.DataFrame(
        {
            "store": ["a"] * 10 + ["b"] * 10,
            time: years if time == "year" else [f"{y}-01-01" for y in years],
            "sales": np.arange(20.0),
        }
    )
    path = tmp_path / "long.csv"
    frame.to_csv(path, index=False)
    for command in (["forecast", str(path), "--steps", "2"], ["evaluate", str(path)]):
        code, out, err = _run(capsys, *command, "--epochs", "1", "--quiet")
        assert code == 2 and f"column {time!r} repeats the time" in err, err
        assert "--series-column" in err


def test_an_exogenous_integer_column_is_not_a_time_axis(tmp_path, capsys):
    frame = pd.DataFrame(
        {
            "month": pd.period_range("2001-01", periods=30, freq="M").astype(str),
            "promo": [0, 1, 1, 0, 2] * 6,
            "sales": 100 + np.arange(30.0),
        }
    )
    path = tmp_path / "one.csv"
    frame.to_csv(path, index=False)
    code, out, err = _run(
        capsys, "forecast", str(path), "--steps", "2", "--epochs", "1", "--quiet"
    )
    assert code == 0, err


def test_a_csv_without_a_header_keeps_its_first_value(tmp_path, capsys):
    values = 100 + np.arange(30.0)
    months = pd.period_range("2001-01", periods=30, freq="M").astype(str)
    path = tmp_path / "bare.csv"
    path.write_text("".join(f"{m},{v}\n" for m, v in zip(months, values, strict=True)))
    from sk_rnn.cli._main import read_series

    series = read_series(path)
    np.testing.assert_array_equal(series.to_numpy(), values)  # 0.2: 29 values
    assert str(series.index[0]) == "2001-01"


def test_values_whose_squares_overflow_are_refused(tmp_path, capsys):
    path = tmp_path / "huge.csv"
    pd.DataFrame({"t": range(30), "v": 1e300 * (1 + np.arange(30.0))}).to_csv(
        path, index=False
    )
    code, out, err = _run(capsys, "evaluate", str(path), "--epochs", "1", "--quiet")
    assert code == 2 and "overflow float64 (the RMSE would be inf)" in err


def test_a_series_too_flat_to_scale_is_refused(tmp_path, capsys):
    """0.2 forecast values near 1e-14 thirteen orders of magnitude off."""
    path = tmp_path / "tiny.csv"
    rng = np.random.default_rng(0)
    values = 1e-14 * (1 + 0.01 * rng.normal(size=30))
    pd.DataFrame({"t": range(30), "v": values}).to_csv(path, index=False)
    code, out, err = _run(capsys, "evaluate", str(path), "--epochs", "1", "--quiet")
    assert code == 2 and "its changes span only" in err and "power of ten" in err


def test_errors_give_command_line_remedies_not_python(tmp_path, capsys):
    """0.2 told command-line users to call X.asfreq(freq)."""
    months = list(pd.date_range("2001-01-01", periods=31, freq="MS"))
    del months[12]  # a missing month
    frame = pd.DataFrame(
        {"month": [m.strftime("%Y-%m-%d") for m in months], "v": np.sin(range(30))}
    )
    path = tmp_path / "gap.csv"
    frame.to_csv(path, index=False)
    code, out, err = _run(capsys, "evaluate", str(path), "--epochs", "1", "--quiet")
    assert code == 2 and "asfreq" not in err and "X." not in err, err
    assert "Add a row for every missing step to the CSV" in err, err


def test_a_long_first_epoch_is_estimated_from_its_first_batches(capsys, monkeypatch):
    """0.2 printed nothing until the first epoch of a 1e6-row series ended."""
    from types import SimpleNamespace

    from sk_rnn.cli import _main as _cli

    clock = iter([0.0, *np.arange(1.0, 20.0)])  # each batch takes a second
    monkeypatch.setattr(_cli.time, "perf_counter", lambda: next(clock))
    progress = _cli.EpochProgress(None, total=100)
    net = SimpleNamespace(batch_size=1)
    progress.on_train_begin(net, X=np.zeros((1000, 3)))
    for _ in range(5):
        progress.on_batch_end(net, training=True)
    err = capsys.readouterr().err
    assert "5 of 1000 batches of the first epoch took 5 s" in err
    assert "about 1667 min for all 100 epochs" in err
    progress.on_epoch_end(net)  # told once
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    ("dates", "noted"),
    [
        ([f"01/{m:02d}/2018" for m in range(1, 13)], "'01/02/2018'"),
        ([f"01/{m:02d}/2018 00:00" for m in range(1, 13)], "'01/02/2018 00:00'"),
        ([f"2018-{m:02d}-01" for m in range(1, 13)], None),
        # read day first, two years of these step irregularly
        ([f"{m:02d}/01/{y}" for y in (2017, 2018) for m in range(1, 13)], None),
    ],
    ids=["either-way", "with-a-time", "iso", "month-first-only"],
)
def test_dates_that_read_either_way_are_noted(tmp_path, capsys, dates, noted):
    """A year of monthly 01/MM/YYYY dates read month first is a regular
    daily series: forecasts labelled by day, silently (an adversarial probe)."""
    path = tmp_path / "dates.csv"
    pd.DataFrame({"date": dates, "value": np.arange(len(dates)) + 100.0}).to_csv(
        path, index=False
    )
    code, out, err = _run(
        capsys, "forecast", str(path), "--steps", "2", "--epochs", "1", "--quiet"
    )
    assert code == 0, err
    if noted is None:
        assert "sk-rnn: note:" not in err
    else:
        assert (
            f"sk-rnn: note: column 'date': dates such as {noted} read month first "
            "(2018-01-02), as pandas reads them; if they are day first, write them "
            "as YYYY-MM-DD"
        ) in err


def test_day_first_dates_read_half_each_way_are_noted(tmp_path, capsys):
    """Weekly DD/MM/YYYY dates: 15/01 reads only day first, 08/01 month first;
    the command refused them as out of order, pointing nowhere near the cause
    (a review's finding)."""
    weeks = pd.date_range("2018-01-01", periods=30, freq="7D").strftime("%d/%m/%Y")
    path = tmp_path / "weeks.csv"
    pd.DataFrame({"date": weeks, "value": np.arange(30.0) + 100}).to_csv(
        path, index=False
    )
    code, out, err = _run(
        capsys, "forecast", str(path), "--steps", "2", "--epochs", "1", "--quiet"
    )
    assert code == 2
    assert (
        "sk-rnn: note: column 'date': dates such as '15/01/2018' read only day "
        "first, but pandas reads '08/01/2018' month first (2018-08-01); write "
        "them as YYYY-MM-DD"
    ) in err
