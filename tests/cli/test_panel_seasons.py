"""The panel command removes each series' seasonal pattern before training
(when every series has the same season), and names the series where the
network loses to seasonal naive."""

import json

import numpy as np
import pandas as pd
import pytest

from sk_rnn.cli import main

PANEL = ["--series-column", "store", "--time-column", "when", "--horizon", "4"]
QUICK = ["--epochs", "3", "--lags", "4", "--hidden-size", "3", "--seed", "0"]
PATTERN = np.array([1.3, 0.9, 0.7, 1.1])


def _run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _write(tmp_path, rows, name="long.csv"):
    path = tmp_path / name
    pd.DataFrame(rows, columns=["store", "when", "sales"]).to_csv(path, index=False)
    return path


def _quarterly(stores=("a", "b", "c"), n=32, trend=0.1, shift=0.0):
    """Quarter-start dates; a trend times one multiplicative pattern, each
    store 10 times the size of the one before (minus ``shift``)."""
    rng = np.random.default_rng(0)
    rows = []
    for k, store in enumerate(stores):
        dates = pd.date_range("2000-01-01", periods=n, freq="QS")
        t = np.arange(n)
        values = 10**k * (10 + trend * t) * PATTERN[t % 4]
        values = values * (1 + 0.005 * rng.normal(size=n)) - shift
        rows += [
            (store, d.strftime("%Y-%m-%d"), v)
            for d, v in zip(dates, values, strict=True)
        ]
    return rows


def test_the_series_are_deseasonalised_by_default_and_the_option_turns_it_off(
    tmp_path, capsys
):
    path = _write(tmp_path, _quarterly())
    outputs = {}
    for extra in ([], ["--no-deseasonalize"]):
        json_path = tmp_path / f"out{len(extra)}.json"
        code, out, err = _run(
            capsys, "evaluate", str(path), *PANEL, *QUICK, *extra, "--quiet",
            "--json", str(json_path),
        )  # fmt: skip
        assert code == 0, err
        outputs[bool(extra)] = out, json.loads(json_path.read_text())
    out, payload = outputs[False]
    assert (
        "one global lstm (3 units, one stream per series), lags 4, batch 24, 3 "
        "epochs, absolute error loss, ensemble of 1 per view; on the logarithm of "
        "the values (all positive), deseasonalised: additive, season 4, on the 3 of "
        "3 series with a seasonal pattern (90% test), averaged with as many "
        "networks on the series as they are (--views both); the changes of every "
        "series scaled to [-1, 1] together; seasonal naive with season 4\n"
    ) in out
    assert payload["config"]["views"] == "both"
    assert payload["config"]["deseasonalize"] == {
        "applied": True,
        "model": "additive",
        "season": 4,
        "reason": "on the logarithm of the values",
        "series_adjusted": 3,
        "series_fitted": 3,
    }
    off, off_payload = outputs[True]
    assert (
        "ensemble of 1; on the logarithm of the values (all positive), not "
        "deseasonalised (--no-deseasonalize); the changes of every series "
        "scaled to [-1, 1] together; seasonal naive with season 4\n"
    ) in off
    assert off_payload["config"]["deseasonalize"] == {
        "applied": False,
        "model": None,
        "season": None,
        "reason": "--no-deseasonalize",
    }
    assert off_payload["config"]["views"] is None
    assert off_payload["forecasts"] != payload["forecasts"]


def test_views_adjusted_drops_the_networks_on_the_series_as_they_are(tmp_path, capsys):
    path = _write(tmp_path, _quarterly())
    payloads = {}
    for views in ("both", "adjusted"):
        json_path = tmp_path / f"{views}.json"
        code, out, err = _run(
            capsys, "evaluate", str(path), *PANEL, *QUICK, "--views", views,
            "--quiet", "--json", str(json_path),
        )  # fmt: skip
        assert code == 0, err
        payloads[views] = json.loads(json_path.read_text())
    adjusted = payloads["adjusted"]
    assert adjusted["config"]["views"] == "adjusted"
    assert adjusted["config"]["deseasonalize"]["series_adjusted"] == 3
    assert "(90% test); the changes of every series" in out
    assert adjusted["forecasts"] != payloads["both"]["forecasts"]


def test_a_panel_with_values_that_are_not_positive_is_deseasonalised_additively(
    tmp_path, capsys
):
    rows = _quarterly(stores=("a", "b"), shift=15.0)  # store a goes below 0
    assert min(v for s, _, v in rows if s == "a") < 0
    json_path = tmp_path / "out.json"
    code, out, err = _run(
        capsys, "evaluate", str(_write(tmp_path, rows)), *PANEL, *QUICK, "--quiet",
        "--json", str(json_path),
    )  # fmt: skip
    assert code == 0, err
    assert (
        "; on the values as they are (not all positive), deseasonalised: "
        "additive, season 4, on the "
    ) in out
    config = json.loads(json_path.read_text())["config"]
    assert config["log"] is False
    plan = config["deseasonalize"]
    assert plan["model"] == "additive" and plan["applied"]
    assert plan["reason"] == "not every training value is positive"


def _mixed():
    rows = []
    for store, freq in (("m", "MS"), ("q", "QS")):
        for i, date in enumerate(pd.date_range("2010-01-01", periods=30, freq=freq)):
            rows.append((store, date.strftime("%Y-%m-%d"), 10 + np.sin(i) + i % 4))
    return rows


def test_series_of_different_seasons_are_not_deseasonalised_and_it_is_said(
    tmp_path, capsys
):
    path = _write(tmp_path, _mixed())
    json_path = tmp_path / "out.json"
    code, out, err = _run(
        capsys, "evaluate", str(path), *PANEL, *QUICK, "--quiet", "--json",
        str(json_path),
    )  # fmt: skip
    assert code == 0, err
    assert (
        "ensemble of 1; on the logarithm of the values (all positive), not "
        "deseasonalised (the series' seasons differ); the changes of every "
        "series scaled to [-1, 1] together; seasonal naive with each series' "
        "own season (4 for 1 series, 12 for 1 series)\n"
    ) in out
    plan = json.loads(json_path.read_text())["config"]["deseasonalize"]
    assert not plan["applied"] and plan["reason"] == "the series' seasons differ"
    # forecast prints a CSV on stdout: it says so on stderr
    code, out, err = _run(capsys, "forecast", str(path), *PANEL, *QUICK, "--quiet")
    assert code == 0, err
    assert err == (
        "sk-rnn: note: the series' seasons differ (4 for 1 series, 12 for 1 "
        "series), so they are not deseasonalised: one network removes one "
        "season; give the series of each season their own CSV, or pass --season\n"
    )
    assert out.startswith("store,when,forecast\n")
    # --season gives every series one season: deseasonalised again
    code, out, err = _run(
        capsys, "evaluate", str(path), *PANEL, *QUICK, "--season", "4", "--quiet"
    )
    assert code == 0, err
    assert "(all positive), deseasonalised: additive, season 4, on the " in out


def test_the_series_that_lose_to_seasonal_naive_are_named(tmp_path, capsys):
    """Series that repeat one pattern exactly: seasonal naive forecasts them
    without error, so the network loses on every one."""
    stores = [f"s{k:02d}" for k in range(13)]
    rows = [
        (store, f"{2000 + i // 4} Q{i % 4 + 1}", (k + 1) * PATTERN[i % 4])
        for k, store in enumerate(stores)
        for i in range(16)
    ]
    json_path = tmp_path / "out.json"
    code, out, err = _run(
        capsys, "evaluate", str(_write(tmp_path, rows)), *PANEL, *QUICK, "--quiet",
        "--json", str(json_path),
    )  # fmt: skip
    assert code == 0, err
    assert "series where the network beats seasonal naive (sMAPE): 0 of 13\n" in out
    assert (
        "series where the network loses to seasonal naive (sMAPE): s00, s01, s02, "
        "s03, s04, s05, s06, s07, s08, s09 and 3 more (all in --json)\n"
    ) in out
    payload = json.loads(json_path.read_text())
    assert payload["loses_to_seasonal_naive"] == stores
    assert payload["loses_to_seasonal_naive"] == [
        row["series"] for row in payload["series"] if row["sMAPE"] > row["naive sMAPE"]
    ]


def test_no_line_of_losers_when_the_network_loses_nowhere(tmp_path, capsys):
    """A trend that seasonal naive misses by a year of growth; the network,
    on the deseasonalised series, follows it."""
    rows = _quarterly(stores=("a", "b"), n=40, trend=2.0)
    json_path = tmp_path / "out.json"
    code, out, err = _run(
        capsys, "evaluate", str(_write(tmp_path, rows)), *PANEL, "--epochs", "30",
        "--lags", "4", "--hidden-size", "3", "--views", "adjusted", "--quiet",
        "--json", str(json_path),
    )  # fmt: skip
    assert code == 0, err
    payload = json.loads(json_path.read_text())
    assert payload["loses_to_seasonal_naive"] == []
    assert "series where the network beats seasonal naive (sMAPE): 2 of 2\n" in out
    assert "loses to seasonal naive" not in out


@pytest.mark.parametrize("command", ["evaluate", "forecast"])
def test_the_forecasters_network_gets_the_progress_callback(
    tmp_path, capsys, monkeypatch, command
):
    """The progress bar reaches the network inside the DeseasonalizedRegressor
    (the command reached for model.regressor.steps, which it lacks)."""
    from sk_rnn.cli import _panel
    from sk_rnn.cli._progress import networks_of

    seen = []
    real = _panel._fit_and_forecast

    def spy(args, model_for, train, log, plan):
        forecast, model = real(args, model_for, train, log, plan)
        seen.append((type(model).__name__, [n.callbacks for n in networks_of(model)]))
        return forecast, model

    monkeypatch.setattr(_panel, "_fit_and_forecast", spy)
    path = _write(tmp_path, _quarterly(n=20))
    for extra in ([], ["--views", "adjusted"], ["--no-deseasonalize"]):
        code, _, err = _run(capsys, command, str(path), *PANEL, *QUICK, *extra)
        assert code == 0, err
    assert [(name, len(nets)) for name, nets in seen] == [
        ("MedianEnsembleRegressor", 2),
        ("DeseasonalizedRegressor", 1),
        ("DifferencedTargetRegressor", 1),
    ]
    for _, networks in seen:
        # one bar for every network (trained one after the other)
        assert {id(c) for callbacks in networks for c in callbacks} == {
            id(networks[0][0])
        }
        assert type(networks[0][0]).__name__ == "EpochProgress"


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        (["--no-deseasonalize"], "--no-deseasonalize"),
        (["--season", "1"], "season 1: no seasonal pattern"),
    ],
)
def test_views_both_is_refused_where_nothing_is_deseasonalised(
    tmp_path, capsys, extra, reason
):
    path = _write(tmp_path, _quarterly(n=20))
    code, out, err = _run(
        capsys, "evaluate", str(path), *PANEL, *QUICK, *extra, "--views", "both"
    )
    assert code == 2
    assert (
        "--views both averages networks on the deseasonalised series with networks "
        f"on the series as they are; these are not deseasonalised ({reason}): drop "
        "--views"
    ) in err
    assert "sMAPE" not in out
