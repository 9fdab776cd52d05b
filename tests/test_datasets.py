"""The bundled data."""

import numpy as np
import pandas as pd

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
