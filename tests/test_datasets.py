"""The bundled data."""

import numpy as np
import pandas as pd
import pytest

from sk_rnn.datasets import load_shampoo


def test_load_shampoo_series():
    sales = load_shampoo()
    assert sales.shape == (36,)
    assert sales.name == "sales"
    assert isinstance(sales.index, pd.PeriodIndex)
    assert str(sales.index[0]) == "1991-01" and str(sales.index[-1]) == "1993-12"
    assert sales.iloc[0] == 266.0 and sales.iloc[-1] == 646.9


def test_load_shampoo_X_y_is_one_step_ahead():
    sales = load_shampoo()
    X, y = load_shampoo(return_X_y=True)
    assert X.shape == (35, 1) and y.shape == (35,)
    assert list(X.columns) == ["sales"]
    assert X.index.equals(y.index)
    np.testing.assert_array_equal(X["sales"].to_numpy(), sales.to_numpy()[:-1])
    np.testing.assert_array_equal(y.to_numpy(), sales.to_numpy()[1:])


def test_load_m3_is_the_competition_split_as_a_panel():
    from sk_rnn.datasets import load_m3

    train, test = load_m3("quarterly", return_test=True)
    assert train.index.names == ["series", "t"] and list(train.columns) == ["value"]
    assert train.index.get_level_values(0).nunique() == 756
    assert (test.groupby(level=0).size() == 8).all()
    # every test block directly follows its training block
    last = train.groupby(level=0).tail(1).index.get_level_values(1).to_numpy()
    first = test.groupby(level=0).head(1).index.get_level_values(1).to_numpy()
    np.testing.assert_array_equal(first, last + 1)
    everything = load_m3(None)
    assert len(everything) == 236_210
    assert everything.index.get_level_values(0).nunique() == 3003
    with pytest.raises(ValueError, match="frequency in .* or None; got 'weekly'"):
        load_m3("weekly")
