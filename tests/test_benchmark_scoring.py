"""The M3 benchmark's overall score is on the competition's basis."""

import pytest

m3 = pytest.importorskip("benchmarks.m3")


def test_overall_is_the_mean_over_all_forecast_points():
    """A series weighs its horizon (0.2 averaged over series)."""
    results = {
        "yearly": {
            "n_series": 2, "horizon": 6,
            "methods": {"net": {"smape_per_series": [10.0, 20.0], "mase": 1.0,
                                "fit_predict_seconds": 1.0}},
        },
        "monthly": {
            "n_series": 1, "horizon": 18,
            "methods": {"net": {"smape_per_series": [40.0], "mase": 2.0,
                                "fit_predict_seconds": 2.0}},
        },
    }  # fmt: skip
    net = m3.overall(results)["net"]
    assert net["smape"] == pytest.approx((10 * 6 + 20 * 6 + 40 * 18) / 30)
    assert net["smape_mean_over_series"] == pytest.approx(70 / 3)
    assert net["mase"] == pytest.approx((1.0 * 12 + 2.0 * 18) / 30)


def test_the_published_overall_figures_are_point_weighted():
    points = {f: n * m3.HORIZON[f] for f, n in m3.N_SERIES.items()}
    for name, published in m3.PUBLISHED.items():
        weighted = sum(published[f] * points[f] for f in points) / sum(points.values())
        assert weighted == pytest.approx(published["overall"], abs=0.01), name


def test_merge_replaces_only_the_frequencies_run_again(tmp_path):
    import numpy as np
    import pandas as pd

    previous = {
        "environment": {"date": "before"},
        "recipe": {"yearly": "old y", "monthly": "old m"},
        "frequencies": {"yearly": {"methods": "old y"}, "monthly": {"methods": "m"}},
    }
    rerun = {"monthly": {"methods": "new m", "environment": {"date": "now"}}}
    results, recipes = m3._merged(previous, rerun, {"monthly": "new m"})
    assert list(results) == ["yearly", "monthly"]  # the frequencies' order
    assert results["monthly"]["methods"] == "new m"
    assert results["yearly"] == {"methods": "old y", "environment": {"date": "before"}}
    assert recipes == {"yearly": "old y", "monthly": "new m"}
    # The forecasts file keeps the other series' rows and replaces the rest.
    path = tmp_path / "forecasts.csv.gz"
    m3.write_forecasts({"net": [(["a", "b"], np.ones((2, 2)))]}, path)
    m3.write_forecasts({"net": [(["b"], np.full((1, 2), 5.0))]}, path, replace={"b"})
    rows = pd.read_csv(path).sort_values(["series", "step"])
    assert rows["series"].tolist() == ["a", "a", "b", "b"]
    assert rows["forecast"].tolist() == [1.0, 1.0, 5.0, 5.0]


def test_a_second_validation_origin_is_the_block_before_the_last_one():
    import numpy as np

    h = m3.HORIZON["yearly"]
    train, actual, histories = m3.load("yearly", holdout=h)
    earlier, actual_3, histories_3 = m3.load("yearly", holdout=h, origin=3)
    # the block ends 3 values earlier: its last 3 values are the first 3 of
    # the last block, and the training rows are 3 values shorter
    np.testing.assert_array_equal(actual_3[:, 3:], actual[:, :3])
    assert [len(a) - 3 for a in histories] == [len(b) for b in histories_3]
    np.testing.assert_array_equal(histories_3[0], histories[0][:-3])
    assert len(earlier) == len(train) - 3 * len(histories)
