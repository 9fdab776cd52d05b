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
