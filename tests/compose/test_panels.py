"""Panels: many series in one (series id, time) frame (issue 11)."""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.model_selection import cross_validate
from sklearn.preprocessing import MaxAbsScaler, MinMaxScaler, StandardScaler

from sk_rnn import (
    DifferencedTargetRegressor,
    DifferenceTransformer,
    LagFeaturizer,
    LSTMRegressor,
    SeriesScaler,
    make_forecaster,
    make_horizon_xy,
    make_series_pipeline,
)
from sk_rnn.exceptions import MissingHistoryWarning
from sk_rnn.model_selection import PanelSplit


def _panel(lengths=(9, 7, 11), seed=0, columns=("v",), scales=None):
    rng = np.random.default_rng(seed)
    frames = []
    for s, n in enumerate(lengths):
        scale = 10.0 ** (s % 3) if scales is None else scales[s]
        months = pd.period_range("2000-01", periods=n, freq="M") + 2 * s
        index = pd.MultiIndex.from_arrays([[f"s{s}"] * n, months], names=["id", "t"])
        values = scale * (1 + rng.normal(size=(n, len(columns))).cumsum(axis=0))
        frames.append(pd.DataFrame(values, index=index, columns=list(columns)))
    return pd.concat(frames)


def _by_series(panel):
    return [group for _, group in panel.groupby(level=0, sort=False)]


def _head_tail(panel, n_test):
    train = pd.concat([g.iloc[:-n_test] for g in _by_series(panel)])
    test = pd.concat([g.iloc[-n_test:] for g in _by_series(panel)])
    return train, test


TRANSFORMERS = [
    DifferenceTransformer(),
    DifferenceTransformer(interval=2, order=2),
    LagFeaturizer(lags=3),
    SeriesScaler(MinMaxScaler((-1, 1))),
]


@pytest.mark.parametrize("transformer", TRANSFORMERS, ids=repr)
def test_a_panel_transform_equals_the_series_transforms_concatenated(transformer):
    panel = _panel(lengths=(10, 8, 12), columns=("v", "w"))
    train, test = _head_tail(panel, 3)
    fitted = transformer.fit(train)
    expected_fit, expected_test = [], []
    for series_train, series_test in zip(
        _by_series(train), _by_series(test), strict=True
    ):
        one = clone(transformer).fit(series_train.droplevel(0))
        expected_fit.append(np.asarray(one.transform(series_train.droplevel(0))))
        # the test block continues the series: its history is that series' own
        expected_test.append(np.asarray(one.transform(series_test.droplevel(0))))
    got_fit = fitted.transform(train)
    np.testing.assert_array_equal(got_fit.to_numpy(), np.concatenate(expected_fit))
    assert got_fit.index.equals(train.index)
    got_test = fitted.transform(test).to_numpy()
    np.testing.assert_array_equal(got_test, np.concatenate(expected_test))
    assert not np.isnan(got_test).any()


def test_the_issue_example_no_longer_differences_across_the_boundary():
    index = pd.MultiIndex.from_tuples(
        [("a", 1), ("a", 2), ("b", 1), ("b", 2)], names=["series", "month"]
    )
    X = pd.DataFrame({"sales": [50.0, 68.0, 109.1, 120.0]}, index=index)
    out = DifferenceTransformer().fit_transform(X)["sales"].to_numpy()
    np.testing.assert_array_equal(out, [np.nan, 18.0, np.nan, 120.0 - 109.1])


def test_the_inverse_of_a_panel_difference_is_exact_per_series():
    panel = _panel(lengths=(12, 10, 14))
    train, test = _head_tail(panel, 4)
    diff = DifferenceTransformer(interval=2, order=2).fit(train)
    np.testing.assert_allclose(diff.inverse_transform(diff.transform(train)), train)
    np.testing.assert_allclose(diff.inverse_transform(diff.transform(test)), test)
    with pytest.raises(ValueError, match="series 's1' has 2 rows and neither"):
        diff.inverse_transform(diff.transform(test).drop(test.index[4:6]))
    other = test.rename(index={"s2": "new"}, level=0)
    with pytest.raises(ValueError, match="was not in the fitted panel"):
        diff.inverse_transform(other)


@settings(max_examples=25, deadline=None)
@given(
    lengths=st.lists(st.integers(7, 12), min_size=2, max_size=5),
    victim=st.integers(0, 4),
    lags=st.integers(1, 3),
    interval=st.integers(1, 2),
    seed=st.integers(0, 2**16),
)
def test_no_value_crosses_a_series_boundary(lengths, victim, lags, interval, seed):
    """Changing one series changes no other series' output, in any step."""
    victim %= len(lengths)
    panel = _panel(lengths, seed=seed)
    changed = panel.copy()
    rows = changed.index.get_level_values(0) == f"s{victim}"
    changed.loc[rows, "v"] = 1e6 + np.arange(rows.sum())
    train, test = _head_tail(panel, 2)
    train_c, test_c = _head_tail(changed, 2)
    keep = test.index.get_level_values(0) != f"s{victim}"
    keep_train = train.index.get_level_values(0) != f"s{victim}"
    for make in (
        lambda: DifferenceTransformer(interval=interval),
        lambda: LagFeaturizer(lags=lags),
        lambda: SeriesScaler(),
        # an imputer returns NumPy: the pipeline keeps the layout through it
        lambda: make_series_pipeline(
            SimpleImputer(),
            DifferenceTransformer(interval=interval),
            LagFeaturizer(lags=lags),
            SeriesScaler(),
            SimpleImputer(keep_empty_features=True),
            LinearRegression(),
        ),
    ):
        a, b = make(), make()
        if hasattr(a, "predict"):
            a.fit(train, train["v"])
            b.fit(train_c, train_c["v"])
            out_a, out_b = a.predict(test), b.predict(test_c)
        else:
            out_a = np.asarray(a.fit(train).transform(test))
            out_b = np.asarray(b.fit(train_c).transform(test_c))
            fit_a = np.asarray(a.transform(train))[keep_train]
            np.testing.assert_array_equal(
                fit_a, np.asarray(b.transform(train_c))[keep_train]
            )
        if not hasattr(a, "predict"):
            np.testing.assert_array_equal(out_a[keep], out_b[keep])


def test_a_series_pipeline_with_an_imputer_continues_every_series_exactly():
    panel = _panel(lengths=(12, 10, 14))
    train, test = _head_tail(panel, 3)
    lag = 3
    model = make_series_pipeline(
        SimpleImputer(), DifferenceTransformer(), LagFeaturizer(lags=lag), Ridge()
    )
    y_train = train["v"]
    model.fit(train, y_train)
    got = model.predict(test)
    # the same windows, built series by series by hand
    expected = []
    ridge = model[-1]
    for full in _by_series(panel):
        values = full["v"].to_numpy()
        diffs = np.diff(values)
        for t in range(len(values) - 3, len(values)):
            window = diffs[t - lag : t]
            expected.append(ridge.predict(window.reshape(1, -1))[0])
    np.testing.assert_allclose(got, expected)
    assert model.history_.index.nlevels == 2 and len(model.history_) == 3 * lag


def test_a_series_pipeline_reads_a_new_series_as_a_start_when_told():
    panel = _panel(lengths=(10, 10, 10))
    train, _ = _head_tail(panel, 0 + 2)
    model = make_series_pipeline(LagFeaturizer(lags=2), Ridge()).fit(train, train["v"])
    new = _panel(lengths=(5,), seed=5).rename(index={"s0": "new"}, level=0)
    with pytest.warns(MissingHistoryWarning, match="series 'new' was not in the"):
        auto = model.predict(new)
    start = model.predict(new, history="none")
    np.testing.assert_array_equal(auto, start)
    assert np.isnan(start[0]) and not np.isnan(start[1:]).any()
    with pytest.raises(ValueError, match="predict expects a panel too"):
        model.predict(new.droplevel(0))


def test_a_global_network_forecasts_a_series_it_has_not_seen():
    panel = _panel(lengths=(20, 20, 20, 20), seed=3)
    model = make_series_pipeline(
        SeriesScaler(unseen="fit"),
        LagFeaturizer(lags=4),
        LSTMRegressor(hidden_size=4, max_epochs=3, batch_size=16, random_state=0),
    )
    X, y = make_horizon_xy(panel, 1)
    model.fit(X, y)
    new = _panel(lengths=(8,), seed=9).rename(index={"s0": "new"}, level=0)
    got = model.predict(new, history="none")
    # exactly the network's forecast from the new series' own windows
    scaled = StandardScaler().fit_transform(new)
    windows = LagFeaturizer(lags=4).fit_transform(scaled)
    expected = model[-1].predict(windows.reshape(len(windows), 4, 1))
    np.testing.assert_allclose(got, expected, rtol=1e-6)
    assert not np.isnan(got).any()


def test_a_stateful_network_on_a_panel_runs_one_stream_per_series():
    """0.2 refused stateful panels (one state ran across series); 0.3 keeps
    a state per series (tests/neural/test_streams.py has the exactness)."""
    panel = _panel()
    windows = LagFeaturizer(lags=2).fit_transform(panel).fillna(0.0)
    model = LSTMRegressor(stateful=True, max_epochs=1).fit(windows, panel["v"])
    assert model.state_series_ == list(panel.index.get_level_values(0).unique())
    forecaster = make_forecaster(max_epochs=1).regressor.fit(panel, panel["v"])
    assert forecaster[-1].state_series_ == model.state_series_


def test_series_scaler_scales_each_series_by_its_own_training_rows():
    panel = _panel(scales=(1.0, 1000.0, 1e6))
    train, test = _head_tail(panel, 3)
    scaler = SeriesScaler(MaxAbsScaler()).fit(train)
    assert list(scaler.series_) == ["s0", "s1", "s2"]
    for k, series in enumerate(_by_series(train)):
        np.testing.assert_allclose(
            scaler.scalers_[k].max_abs_, np.abs(series.to_numpy()).max(axis=0)
        )
    out = scaler.transform(test)
    np.testing.assert_allclose(scaler.inverse_transform(out), test)
    assert out.index.equals(test.index)
    one = SeriesScaler().fit(train.droplevel(0))
    assert len(one.scalers_) == 1 and not hasattr(one, "series_")


def test_series_scaler_errors_name_what_is_wrong():
    train, test = _head_tail(_panel(), 3)
    scaler = SeriesScaler().fit(train)
    new = test.rename(index={"s1": "new"}, level=0)
    with pytest.raises(ValueError, match=r"transform got 1 series that were not"):
        scaler.transform(new)
    fitting = SeriesScaler(unseen="fit").fit(train)
    out = fitting.transform(new)
    rows = out.index.get_level_values(0) == "new"
    np.testing.assert_allclose(out[rows], StandardScaler().fit_transform(new[rows]))
    with pytest.raises(ValueError, match=r"inverse_transform got 1 series that"):
        fitting.inverse_transform(out)
    with pytest.raises(ValueError, match="was fitted on a panel, but X is not a"):
        scaler.transform(test.droplevel(0))
    with pytest.raises(ValueError, match="was fitted on one series, but X is a"):
        SeriesScaler().fit(train.droplevel(0)).transform(test)


def test_a_differenced_target_is_scaled_by_each_series():
    panel = _panel(lengths=(15, 15, 15), scales=(1.0, 100.0, 10000.0))
    X, Y = make_horizon_xy(panel, 2)
    model = DifferencedTargetRegressor(
        make_series_pipeline(LagFeaturizer(lags=2), LinearRegression()),
        transformer=SeriesScaler(StandardScaler(with_mean=False)),
    ).fit(X, Y)
    change = Y.to_numpy() - X[["v"]].to_numpy()
    for k, (start, stop) in enumerate(((0, 13), (13, 26), (26, 39))):
        np.testing.assert_allclose(
            model.transformer_.scalers_[k].scale_, change[start:stop].std(axis=0)
        )
    # the prediction is the inner prediction unscaled series by series
    inner = model.regressor_.predict(X)
    expected = np.empty_like(inner)
    for start, stop in ((0, 13), (13, 26), (26, 39)):
        expected[start:stop] = inner[start:stop] * change[start:stop].std(axis=0)
    np.testing.assert_allclose(model.predict(X), expected + X[["v"]].to_numpy())


def test_make_horizon_xy_pairs_rows_with_their_own_series_future():
    panel = _panel(lengths=(6, 5))
    X, Y = make_horizon_xy(panel, 2)
    assert list(Y.columns) == ["v_h1", "v_h2"] and Y.index.equals(X.index)
    assert len(X) == (6 - 2) + (5 - 2)
    for series, (x, y) in zip(
        _by_series(panel), zip(_by_series(X), _by_series(Y), strict=True), strict=True
    ):
        values = series["v"].to_numpy()
        np.testing.assert_array_equal(x["v"], values[:-2])
        np.testing.assert_array_equal(y["v_h1"], values[1:-1])
        np.testing.assert_array_equal(y["v_h2"], values[2:])
    X_np, Y_np = make_horizon_xy(np.arange(10.0).reshape(5, 2), 1, target=1)
    np.testing.assert_array_equal(Y_np.ravel(), [3.0, 5.0, 7.0, 9.0])
    with pytest.raises(ValueError, match="series 's1' has 5. Pass skip_short"):
        make_horizon_xy(panel, 5)
    X_long, Y_long = make_horizon_xy(panel, 5, skip_short=True)
    assert list(X_long.index.get_level_values(0)) == ["s0"] and Y_long.shape == (1, 5)
    with pytest.raises(ValueError, match="no series has more rows than horizon=6"):
        make_horizon_xy(panel, 6, skip_short=True)
    with pytest.raises(TypeError, match="horizon, an int of at least 1; got '2'"):
        make_horizon_xy(_panel(), "2")
    with pytest.raises(ValueError, match="horizon, an int of at least 1; got 0"):
        make_horizon_xy(panel, 0)
    with pytest.raises(ValueError, match="target='x', which is not a column"):
        make_horizon_xy(panel, 1, target="x")
    with pytest.raises(ValueError, match="target=3, but X has 1 column"):
        make_horizon_xy(panel, 1, target=3)


def test_a_panel_layout_is_checked_with_the_fix():
    panel = _panel()
    shuffled = panel.iloc[[0, 1, 10, 2, 3]]
    with pytest.raises(ValueError, match="rows of series 's0' are split"):
        DifferenceTransformer().fit(shuffled)
    backwards = pd.concat([g.iloc[::-1] for g in _by_series(panel)])
    with pytest.raises(ValueError, match=r"\(series 's0'\) expects the rows"):
        LagFeaturizer(lags=2).fit(backwards)
    three = panel.set_index(pd.Index([1] * len(panel), name="k"), append=True)
    with pytest.raises(ValueError, match="two levels; X's index has 3"):
        LagFeaturizer().fit(three)
    fitted = LagFeaturizer(lags=2).fit(panel)
    with pytest.raises(ValueError, match="fitted on a panel of 3 series, but X"):
        fitted.transform(panel.droplevel(0))


def test_a_long_frame_indexed_by_time_is_told_to_become_a_panel():
    long = _panel().droplevel(0)
    with pytest.raises(ValueError, match=r"set_index\(\[series_column, time_col"):
        DifferenceTransformer().fit(long)


def test_an_unseen_series_in_a_transform_warns_with_its_name():
    train, test = _head_tail(_panel(), 3)
    lag = LagFeaturizer(lags=3).fit(train)
    with pytest.warns(MissingHistoryWarning, match="series 'new' was not in the"):
        out = lag.transform(test.rename(index={"s0": "new"}, level=0))
    assert np.isnan(out.to_numpy()[0, 0]) and not np.isnan(out.to_numpy()[3:]).any()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lag.transform(test)


def test_walk_forward_over_a_panel_with_a_series_pipeline():
    panel = _panel(lengths=(16, 14, 18))
    X, y = panel, panel["v"]
    model = make_series_pipeline(DifferenceTransformer(), LagFeaturizer(2), Ridge())
    scores = cross_validate(
        model, X, y, cv=PanelSplit(n_splits=2, test_size=2), scoring="r2"
    )
    assert np.isfinite(scores["test_score"]).all()


def test_make_forecaster_on_a_panel():
    panel = _panel(lengths=(14, 12, 16), scales=(1.0, 100.0, 1e4))
    X, Y = make_horizon_xy(panel, 3)
    model = make_forecaster(
        lags=3, stateful=False, scale="series", max_epochs=2, random_state=0
    ).fit(X, Y)
    assert isinstance(model.transformer_, SeriesScaler)
    assert isinstance(model.regressor_[1], SeriesScaler)
    _, test = _head_tail(panel, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        forecast = model.predict(test)
    assert forecast.shape == (9, 3) and np.isfinite(forecast).all()
    with pytest.raises(ValueError, match="scale='series' or 'global'"):
        make_forecaster(scale="both")


def test_a_series_shorter_than_the_warmup_gets_the_history_it_has():
    panel = _panel(lengths=(12, 3, 12))
    train, test = _head_tail(panel, 2)  # s1 keeps one training row
    for transformer in (LagFeaturizer(lags=4), DifferenceTransformer(interval=2)):
        fitted = transformer.fit(train)
        got = fitted.transform(test).to_numpy()
        for series, block in zip(_by_series(panel), _by_series(test), strict=True):
            # the series transformed whole, from its start (no history)
            whole = fitted._transform_rows(series.to_numpy())
            rows = test.index.get_level_values(0) == block.index[0][0]
            np.testing.assert_array_equal(got[rows], whole[-2:])
    diff = DifferenceTransformer(interval=2).fit(train)
    np.testing.assert_allclose(diff.inverse_transform(diff.transform(train)), train)
    model = make_series_pipeline(LagFeaturizer(lags=4), Ridge()).fit(train, train["v"])
    assert np.isnan(model.predict(test)[[2, 3]]).all()  # no full window in s1
    np.testing.assert_array_equal(
        model.predict(test), model.predict(panel)[np.isin(panel.index, test.index)]
    )


def test_early_stopping_on_a_panel_validates_on_every_series_last_steps():
    # Through a SeriesPipeline the network sees index-less windows; the
    # layout the pipeline announces says where each series' last rows are.
    panel = _panel(lengths=(30, 40, 50), seed=2)
    X, Y = make_horizon_xy(panel, 1)
    model = make_series_pipeline(
        SeriesScaler(),
        LagFeaturizer(lags=3),
        LSTMRegressor(max_epochs=2, early_stopping="holdout", random_state=0),
    ).fit(X, Y)
    split = model[-1].net_.train_split
    lengths = Y.groupby(level=0).size().to_numpy()  # 29, 39, 49 rows
    starts = np.r_[0, np.cumsum(lengths)[:-1]]
    n_valid = np.ceil(0.1 * lengths).astype(int)  # validation_fraction=0.1
    series = list(zip(starts, lengths, n_valid, strict=True))
    valid = np.concatenate([np.arange(s + n - v, s + n) for s, n, v in series])
    gap = 3  # the window's steps (one target: no overlap of targets)
    train = np.concatenate([np.arange(s, s + n - v - gap) for s, n, v in series])
    np.testing.assert_array_equal(split.valid, valid)
    np.testing.assert_array_equal(split.train, train)
    np.testing.assert_allclose(split.weight, np.repeat(1 / n_valid, n_valid))


def test_a_plain_pipeline_reads_the_series_from_y_when_a_step_drops_the_index():
    # SimpleImputer returns an array: the LagFeaturizer after it sees no index,
    # but y (which a Pipeline passes to every fit) still has the panel's.
    from sklearn.pipeline import make_pipeline

    panel = _panel(lengths=(10, 8, 12))
    y = panel["v"]
    pipe = make_pipeline(
        SimpleImputer(), SeriesScaler(), LagFeaturizer(lags=3), SimpleImputer()
    )
    out = pipe.fit_transform(panel, y)
    expected = make_series_pipeline(
        SeriesScaler(), LagFeaturizer(lags=3), "passthrough"
    ).fit(panel, y)
    windows = expected.pipeline_[:-1].transform(panel)
    lag = pipe[2]
    assert list(lag.series_) == ["s0", "s1", "s2"]
    assert len(pipe[1].scalers_) == 3
    # no window reaches into the previous series: the first rows of s1 are
    # the imputer's column means, as s0's are, not s0's last values
    first_of_s1 = out[10]
    np.testing.assert_allclose(first_of_s1[:2], pipe[3].statistics_[:2])
    np.testing.assert_allclose(out[:, 2], np.asarray(windows)[:, 2])
    # predicting needs the layout, which the array lost: loud, with the fix
    with pytest.raises(ValueError, match="use a SeriesPipeline"):
        pipe.transform(panel)
    plain = make_pipeline(SimpleImputer(), LagFeaturizer(lags=3)).fit(panel, y)
    with pytest.raises(ValueError, match="panel of 3 series.*or use a SeriesPipeline"):
        plain.transform(panel)


def test_a_panel_pipeline_matches_predict_columns_by_name():
    """Reordered columns forecast the same; renamed or extra ones are refused
    (0.2 read a fitted panel's columns by position)."""
    panel = _panel(lengths=(12, 10, 14), columns=("sales", "price"), seed=3)
    train, test = _head_tail(panel, 3)
    y = train["sales"] * 2 + train["price"]
    model = make_series_pipeline(
        DifferenceTransformer(), LagFeaturizer(lags=2), LinearRegression()
    ).fit(train, y)
    expected = model.predict(test)
    np.testing.assert_array_equal(model.predict(test[["price", "sales"]]), expected)
    with pytest.raises(ValueError, match=r"lacks \['price'\] and has \['cost'\]"):
        model.predict(test.rename(columns={"price": "cost"}))
    with pytest.raises(ValueError, match=r"lacks \[\] and has \['extra'\]"):
        model.predict(test.assign(extra=1.0))


@pytest.mark.parametrize("kind", ["one series", "panel"])
def test_columns_that_are_not_strings_are_read_alike_for_one_series_and_panels(
    kind,
):
    """Integer names in another order are matched by name, other integer
    names by position, for one series as for a panel (0.3.0 read a panel's
    reordered integer columns by position, one series' by name)."""
    panel = _panel(lengths=(12, 10, 14), columns=(0, 1), seed=3)
    train, test = _head_tail(panel, 3)
    if kind == "one series":
        train, test = train.loc["s0"], test.loc["s0"]
    y = train[0] * 2 + train[1]
    model = make_series_pipeline(
        DifferenceTransformer(), LagFeaturizer(lags=2), LinearRegression()
    ).fit(train, y)
    expected = model.predict(test)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(model.predict(test[[1, 0]]), expected)
        relabelled = test.set_axis([5, 6], axis=1)
        np.testing.assert_array_equal(model.predict(relabelled), expected)
    # swapped labels on the same values: by name, so not the values' order
    swapped = model.predict(test.set_axis([1, 0], axis=1))
    by_name = model.predict(test[[1, 0]].set_axis([0, 1], axis=1))
    np.testing.assert_array_equal(swapped, by_name)
    assert not np.allclose(swapped, expected)
    with pytest.raises(
        ValueError,
        match=r"X's column 1 is at position 0, where fit saw 0; names that are not "
        r"all strings .* which would read 1 as 0\. Pass the fitted columns \[0, 1\]",
    ):
        model.predict(test.set_axis([1, 5], axis=1))
    with pytest.raises(ValueError, match=r"X has 3 column\(s\) \[0, 1, 7\]; fit saw 2"):
        model.predict(test.assign(**{"7": 1.0}).set_axis([0, 1, 7], axis=1))
    with pytest.raises(ValueError, match=r"X names more than one column 0; columns"):
        model.predict(test.set_axis([0, 0], axis=1))
    named = clone(model).fit(train.set_axis(["a", "b"], axis=1), y)
    with pytest.raises(ValueError, match=r"X names more than one column 'a'"):
        named.predict(test.set_axis(["a", "a"], axis=1))
    with pytest.warns(UserWarning, match=r"X's columns \[0, 1\] are not the names "
                      r"seen in fit \['a', 'b'\].*read by position"):  # fmt: skip
        got = named.predict(test)
    np.testing.assert_allclose(got, expected)


def test_history_fit_that_a_panels_time_level_contradicts_warns():
    panel = _panel(lengths=(12, 10, 14))
    train, test = _head_tail(panel, 3)
    model = make_series_pipeline(
        DifferenceTransformer(), LagFeaturizer(lags=2), LinearRegression()
    ).fit(train, train["v"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.predict(test, history="fit")
    with pytest.warns(MissingHistoryWarning, match=r"series 's0' starts where"):
        model.predict(train, history="fit")


def test_a_panel_takes_the_rows_before_it_as_history_like_one_series():
    """0.2 refused history=array on panels; one series took it."""
    panel = _panel(lengths=(12, 10, 14))
    train, test = _head_tail(panel, 3)
    model = make_series_pipeline(
        DifferenceTransformer(), LagFeaturizer(lags=2), LinearRegression()
    ).fit(train, train["v"])
    expected = model.predict(test, history="fit")
    np.testing.assert_allclose(model.predict(test, history=train), expected)
    shorter = pd.concat([g.iloc[-3:] for g in _by_series(train)])  # exactly enough
    np.testing.assert_allclose(model.predict(test, history=shorter), expected)
    with pytest.warns(MissingHistoryWarning, match="history has no rows of 's1'"):
        model.predict(test, history=train.drop(index="s1", level=0))
    with pytest.raises(
        ValueError, match="expects history, when it is rows, as a panel"
    ):
        model.predict(test, history=train.to_numpy())


def test_a_plain_pipeline_streams_a_stateful_network_by_y_s_panel_index():
    """The array a scaler returns hides X's panel index; y still has it, so
    the series are told apart in fit; predict on the bare array is refused."""
    from sklearn.pipeline import make_pipeline

    panel = _panel(lengths=(8, 8))
    model = make_pipeline(
        StandardScaler(), LSTMRegressor(stateful=True, max_epochs=1, batch_size=1)
    )
    model.fit(panel, panel["v"])
    assert len(model[-1].state_series_) == 2
    with pytest.raises(ValueError, match="predict expects a panel too"):
        model.predict(panel)


@pytest.mark.parametrize("level", [0, 1])
def test_rows_without_a_series_id_or_time_are_refused(level):
    """0.2 read a NaN id as the last id: two series became one."""
    panel = _panel(lengths=(5, 5))
    ids, times = panel.index.get_level_values(0), panel.index.get_level_values(1)
    arrays = [np.array(ids, dtype=object), np.array(times, dtype=object)]
    arrays[level][7] = None
    broken = panel.set_axis(pd.MultiIndex.from_arrays(arrays, names=["id", "t"]))
    what = "series id" if level == 0 else "time label"
    with pytest.raises(ValueError, match=f"rows without a {what} .* position 7"):
        DifferenceTransformer().fit(broken)


@pytest.mark.parametrize("damage", ["backwards", "skip", "repeat"], ids=lambda d: d)
def test_make_horizon_xy_refuses_series_that_do_not_step_forward(damage):
    panel = _panel(lengths=(8, 8))
    rows = list(range(16))
    if damage == "backwards":
        rows[9:11] = [10, 9]
    elif damage == "skip":
        del rows[10]
    else:
        rows.insert(10, 9)
    damaged = panel.iloc[rows]
    with pytest.raises(ValueError, match="make_horizon_xy .*(series 's1')"):
        make_horizon_xy(damaged, 2)
    with pytest.raises(ValueError, match="make_horizon_xy expects"):
        make_horizon_xy(damaged.xs("s1").iloc[::-1], 2)


def test_n_warmup_below_the_steps_need_is_refused():
    panel = _panel(lengths=(8, 8))
    steps = (DifferenceTransformer(), LagFeaturizer(lags=3), LinearRegression())
    with pytest.raises(ValueError, match="n_warmup=2, fewer rows than the 3"):
        make_series_pipeline(*steps, n_warmup=2).fit(panel, panel["v"])
    make_series_pipeline(*steps, n_warmup=5).fit(panel, panel["v"])  # more: fine


def test_a_series_weighted_zero_throughout_is_named_not_blamed_on_unseen():
    """0.2's error told the user to set unseen='fit', which they never used."""
    panel = _panel(lengths=(8, 8, 8))
    y = panel["v"].groupby(level=0).shift(-1).dropna()
    X = panel.loc[y.index]
    weights = np.where(X.index.get_level_values(0) == "s1", 0.0, 1.0)
    model = DifferencedTargetRegressor(
        make_series_pipeline(LagFeaturizer(lags=2), Ridge()),
        transformer=SeriesScaler(MinMaxScaler()),
    )
    with pytest.raises(
        ValueError, match=r"sample_weight 0 in every row of series \['s1'\]"
    ):
        model.fit(X, y, sample_weight=weights)


def test_an_empty_panel_block_predicts_nothing():
    panel = _panel(lengths=(8, 8))
    model = make_series_pipeline(LinearRegression()).fit(panel, panel["v"])
    assert model.predict(panel.iloc[:0], history="fit").shape == (0,)


def test_history_fit_after_a_series_of_two_dated_rows_is_taken_at_its_word():
    """Two dated rows give no time step, so the labels cannot say that a
    block continues them; history='fit' says so, and a block whose labels
    step on from them regularly no longer warns, while one that starts
    inside the fitted rows, after a gap or with another step still does."""
    months = pd.date_range("2000-01-01", periods=12, freq="MS")
    long = pd.DataFrame({"v": np.arange(12.0)}, index=months)
    short = pd.DataFrame({"v": [3.0, 5.0]}, index=pd.DatetimeIndex(months[:2]))
    train = pd.concat({"a": long, "s": short}, names=["id", "t"])
    model = make_series_pipeline(
        DifferenceTransformer(), LagFeaturizer(lags=2), LinearRegression()
    ).fit(train, train["v"])
    later = pd.DataFrame(
        {"v": [6.0, 8.0]},
        index=pd.MultiIndex.from_arrays([["s", "s"], months[2:4]], names=["id", "t"]),
    )
    whole = pd.concat([train.loc[["s"]], later])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = model.predict(later, history="fit")
    np.testing.assert_allclose(got, model.predict(whole, history="none")[2:])
    inside = later.set_axis(
        pd.MultiIndex.from_arrays([["s", "s"], months[1:3]], names=["id", "t"])
    )
    with pytest.warns(MissingHistoryWarning, match="history='fit' puts the fitted"):
        model.predict(inside, history="fit")
    # a gap after them, or another step, still contradicts history='fit'
    for labels in (
        pd.date_range("2005-01-01", periods=2, freq="MS"),
        pd.date_range("2000-02-02", periods=2, freq="D"),
    ):
        block = later.set_axis(pd.MultiIndex.from_arrays([["s", "s"], labels]))
        with pytest.warns(MissingHistoryWarning, match="history='fit' puts the"):
            model.predict(block, history="fit")
