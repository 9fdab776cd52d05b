"""The panel command's defaults: the logarithm of positive values (``--no-log``
turns it off), one recurrent stream per series (``--no-stateful``: stateless
windows), and the loss and learning rate of each mode."""

import json
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from sk_rnn.cli import main

PANEL = ["--series-column", "store", "--time-column", "when", "--horizon", "4"]
QUICK = ["--epochs", "2", "--lags", "2", "--hidden-size", "3", "--seed", "0"]
PATTERN = np.array([1.3, 0.9, 0.7, 1.1])


def _rows(low=None):
    """Two stores of 24 quarters, the second 1000 times the first; ``low``
    replaces the fourth (training) value of store a."""
    rows = []
    for store, scale in (("a", 1.0), ("b", 1000.0)):
        dates = pd.date_range("2000-01-01", periods=24, freq="QS")
        for t, date in enumerate(dates):
            value = scale * (10 + 0.2 * t) * PATTERN[t % 4] * (1 + 0.01 * (t % 3))
            rows.append((store, date.strftime("%Y-%m-%d"), value))
    if low is not None:
        rows[3] = (*rows[3][:2], low)
    return rows


def _evaluate(tmp_path, capsys, rows, *extra):
    """``(stdout, --json payload)`` of a quick panel evaluate."""
    path, json_path = tmp_path / "long.csv", tmp_path / "out.json"
    pd.DataFrame(rows, columns=["store", "when", "sales"]).to_csv(path, index=False)
    code = main(
        ["evaluate", str(path), *PANEL, *QUICK, *extra, "--quiet", "--json",
         str(json_path), "--overwrite"]
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0, err
    return out, json.loads(json_path.read_text())


def test_a_positive_panel_is_modelled_on_its_logarithm(tmp_path, capsys):
    rows = _rows()
    out, payload = _evaluate(tmp_path, capsys, rows)
    assert payload["config"]["log"] is True
    assert (
        "ensemble of 1 per view; on the logarithm of the values (all positive), "
        "deseasonalised: additive, season 4, on the "
    ) in out
    assert payload["config"]["deseasonalize"]["model"] == "additive"
    # the forecasts are exponentiated back: positive, on each store's scale
    for store in ("a", "b"):
        level = np.mean([v for s, _, v in rows if s == store][-8:-4])
        forecast = np.asarray(payload["forecasts"][store])
        assert np.all((forecast > level / 3) & (forecast < level * 3)), forecast


@pytest.mark.parametrize("low", [0.0, -5.0])
def test_a_panel_with_a_value_that_is_not_positive_is_not_logged(tmp_path, capsys, low):
    out, payload = _evaluate(tmp_path, capsys, _rows(low=low))
    assert payload["config"]["log"] is False
    assert (
        "ensemble of 1 per view; on the values as they are (not all positive), "
        "deseasonalised: additive, season 4, on the "
    ) in out


def test_no_log_models_the_values_as_they_are(tmp_path, capsys):
    rows = _rows()
    _, logged = _evaluate(tmp_path, capsys, rows)
    out, payload = _evaluate(tmp_path, capsys, rows, "--no-log")
    assert payload["config"]["log"] is False
    assert (
        "ensemble of 1 per view; on the values as they are (--no-log), deseasonalised: "
        "multiplicative, season 4, on the "
    ) in out
    assert payload["forecasts"] != logged["forecasts"]


def test_panels_train_one_stream_per_series_or_stateless_windows(tmp_path, capsys):
    """The panel command refused --stateful; streams are now the default."""
    rows = _rows()
    out, default = _evaluate(tmp_path, capsys, rows)
    assert default["config"]["stateful"] is True
    assert "one global lstm (3 units, one stream per series), lags 2, batch 24" in out
    _, stateful = _evaluate(tmp_path, capsys, rows, "--stateful")
    assert stateful["forecasts"] == default["forecasts"]
    out, windows = _evaluate(tmp_path, capsys, rows, "--no-stateful")
    assert windows["config"]["stateful"] is False
    assert "one global lstm (3 units, stateless windows), lags 2, batch 24" in out
    assert windows["forecasts"] != default["forecasts"]


def test_the_loss_and_learning_rate_default_per_mode(tmp_path, capsys):
    rows = _rows()
    _, payload = _evaluate(tmp_path, capsys, rows)
    assert payload["config"]["loss"] == "absolute_error"
    assert payload["config"]["lr"] == 0.003
    out, given = _evaluate(
        tmp_path, capsys, rows, "--loss", "squared_error", "--lr", "0.01"
    )
    assert given["config"]["loss"] == "squared_error" and given["config"]["lr"] == 0.01
    assert "2 epochs, squared error loss, ensemble of 1" in out
    # one series keeps the seed's squared error and learning rate
    json_path = tmp_path / "one.json"
    code = main(
        ["evaluate", "--epochs", "1", "--repeats", "1", "--quiet", "--json",
         str(json_path)]
    )  # fmt: skip
    assert code == 0
    config = json.loads(json_path.read_text())["config"]
    assert config["loss"] == "squared_error" and config["lr"] == 0.001
    capsys.readouterr()
    code = main(["evaluate", "--loss", "huber", "--epochs", "1", "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    assert "argument --loss: invalid choice: 'huber' (choose from" in err, err


def test_a_long_first_epoch_of_streams_is_estimated_from_its_first_batches(
    capsys, monkeypatch
):
    """A batch of a panel's streams is --batch-size rows of every series: the
    estimate counted the series as rows."""
    from sk_rnn.cli import _main as _cli

    clock = iter([0.0, *np.arange(1.0, 20.0)])  # each batch takes a second
    monkeypatch.setattr(_cli.time, "perf_counter", lambda: next(clock))
    progress = _cli.EpochProgress(None, total=100)
    net = SimpleNamespace(batch_size=10)
    # 3 series of 1000 rows, windows of 2 steps of 1 feature
    progress.on_train_begin(net, X={"X": np.zeros((3, 1000, 2, 1))})
    for _ in range(5):
        progress.on_batch_end(net, training=True)
    err = capsys.readouterr().err
    assert "5 of 100 batches of the first epoch took 5 s" in err
    assert "about 167 min for all 100 epochs" in err


def _monthly_rows():
    """Two stores of 48 months with a yearly pattern."""
    rows = []
    for store, scale in (("a", 1.0), ("b", 50.0)):
        dates = pd.date_range("2000-01-01", periods=48, freq="MS")
        for t, date in enumerate(dates):
            value = scale * (10 + 0.1 * t) * (1 + 0.3 * np.sin(2 * np.pi * t / 12))
            rows.append((store, date.strftime("%Y-%m-%d"), value))
    return rows


def test_a_monthly_panel_reads_each_levels_gap_by_default(tmp_path, capsys):
    """--level-gap 3 m where the season m >= 12 (monthly); not quarterly.
    --level-smoothing only where given."""
    rows = _monthly_rows()
    out, default = _evaluate(tmp_path, capsys, rows)
    assert default["config"]["level_gap"] == [3, 12]
    assert default["config"]["level_smoothing"] == []
    assert "lags 2 (and each level's gap to its mean over 3 and 12 steps)," in out
    out, smoothed = _evaluate(tmp_path, capsys, rows, "--level-smoothing", "0.2", "0.5")
    assert smoothed["config"]["level_smoothing"] == [0.2, 0.5]
    assert (
        "lags 2 (and each level's gap to its mean over 3 and 12 steps and to its "
        "exponentially weighted means with alpha 0.2 and 0.5)"
    ) in out
    assert smoothed["forecasts"] != default["forecasts"]
    out, alone = _evaluate(
        tmp_path, capsys, rows, "--no-level-gap", "--level-smoothing", "0.2"
    )
    assert alone["config"]["level_gap"] == []
    assert (
        "lags 2 (and each level's gap to its exponentially weighted mean with " in out
    )
    out, off = _evaluate(tmp_path, capsys, rows, "--no-level-gap")
    assert off["config"]["level_gap"] == [] and "lags 2, batch 24" in out
    assert off["forecasts"] != default["forecasts"]
    _, quarterly = _evaluate(tmp_path, capsys, _rows())
    assert quarterly["config"]["level_gap"] == []
    assert quarterly["config"]["level_smoothing"] == []
    out, given = _evaluate(tmp_path, capsys, _rows(), "--level-gap", "4")
    assert given["config"]["level_gap"] == [4]
    assert "(and each level's gap to its mean over 4 steps)" in out
    assert given["forecasts"] != quarterly["forecasts"]
    out, smoothed = _evaluate(tmp_path, capsys, _rows(), "--level-smoothing", "0.5")
    assert smoothed["config"]["level_smoothing"] == [0.5]
    assert (
        "(and each level's gap to its exponentially weighted mean with alpha 0.5)"
        in out
    )
    assert smoothed["forecasts"] != quarterly["forecasts"]


def test_level_gap_windows_below_2_are_refused(capsys):
    code = main(["evaluate", "--level-gap", "3", "1", "--epochs", "1", "--quiet"])
    assert code == 2
    assert "--level-gap: expected an integer >= 2, got 1" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("value", "said"),
    [("0", "got 0"), ("1", "got 1"), ("-0.5", "got -0.5"), ("1.5", "got 1.5")],
)
def test_smoothing_factors_outside_0_1_are_refused(capsys, value, said):
    code = main(["evaluate", "--level-smoothing", value, "--epochs", "1", "--quiet"])
    assert code == 2
    err = capsys.readouterr().err
    assert (
        f"--level-smoothing: expected a number between 0 and 1 (exclusive), {said}"
        in err
    )


def test_one_series_takes_a_level_smoothing(tmp_path, capsys):
    json_path = tmp_path / "one.json"
    args = ["evaluate", "--epochs", "2", "--repeats", "1", "--quiet", "--json"]
    assert main([*args, str(json_path)]) == 0
    plain = json.loads(json_path.read_text())
    assert main([*args, str(json_path), "--overwrite", "--level-smoothing", "0.5"]) == 0
    smoothed = json.loads(json_path.read_text())
    assert smoothed["config"]["level_smoothing"] == [0.5]
    assert plain["config"]["level_smoothing"] == []
    assert smoothed["rmse"] != plain["rmse"]
    capsys.readouterr()
    assert main([*args[:-1], "--level-gap", "3", "--level-smoothing", "0.5"]) == 0
    assert (
        "lags 1 (and each level's gap to its mean over 3 steps and to its "
        "exponentially weighted mean with alpha 0.5), "
    ) in capsys.readouterr().out


def test_level_smoothing_messages_name_the_csv_and_the_warm_up(tmp_path, capsys):
    path = tmp_path / "one.csv"
    pd.DataFrame({"sales": np.arange(36.0) + 1}).to_csv(path, index=False)
    assert main(["evaluate", "--level-smoothing", "0.2", str(path), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert (
        "--level-smoothing: expected a number between 0 and 1 (exclusive), got "
        f"'{path}' (a CSV path goes before --level-smoothing"
    ) in err
    # alpha 0.05: a mean over 90 levels, so 88 earlier changes
    args = ["evaluate", str(path), "--level-gap", "3", "--level-smoothing", "0.05"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert (
        "the series has 36 values; --lags 1 and --level-gap 3 --level-smoothing 0.05 "
        "with 12 test rows need at least 104 (1 for the next-value target, 12 to "
        "test, 91 to train)"
    ) in err


def test_one_series_takes_a_level_gap(tmp_path, capsys):
    json_path = tmp_path / "one.json"
    args = ["evaluate", "--epochs", "2", "--repeats", "1", "--quiet", "--json"]
    assert main([*args, str(json_path)]) == 0
    plain = json.loads(json_path.read_text())
    assert main([*args, str(json_path), "--overwrite", "--level-gap", "3"]) == 0
    gapped = json.loads(json_path.read_text())
    assert gapped["config"]["level_gap"] == [3] and plain["config"]["level_gap"] == []
    assert gapped["rmse"] != plain["rmse"]
    capsys.readouterr()
    assert main([*args[:-1], "--level-gap", "3", "12"]) == 0
    assert "lags 1 (and each level's gap to its mean over 3 and 12 steps), " in (
        capsys.readouterr().out
    )


def test_level_gap_messages_name_the_csv_and_the_warm_up(tmp_path, capsys):
    path = tmp_path / "one.csv"
    pd.DataFrame({"sales": np.arange(36.0) + 1}).to_csv(path, index=False)
    assert main(["evaluate", "--level-gap", "3", str(path), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert f"--level-gap: expected an integer >= 2, got '{path}' (a CSV path" in err
    assert main(["evaluate", str(path), "--level-gap", "30"]) == 2
    err = capsys.readouterr().err
    assert (
        "the series has 36 values; --lags 1 and --level-gap 30 with 12 test rows "
        "need at least 44 (1 for the next-value target, 12 to test, 31 to train)"
    ) in err
