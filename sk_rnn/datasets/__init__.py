"""Small time series that ship with sk_rnn."""

from __future__ import annotations

from importlib import resources

__all__ = ["load_shampoo"]


def load_shampoo(return_X_y=False):
    """Monthly shampoo sales over three years (36 values), the seed's series.

    Source: Makridakis, Wheelwright and Hyndman, *Forecasting: Methods and
    Applications* (1998). The file ships inside the package, so no download is
    needed.

    Parameters
    ----------
    return_X_y : bool, default=False
        If False, return the series. If True, frame it as one-step-ahead
        supervised learning: ``X`` is the sales of month ``t`` and ``y`` the
        sales of month ``t + 1``, for the 35 months that have a successor.

    Returns
    -------
    sales : pandas.Series of shape (36,)
        Named "sales", with a monthly :class:`pandas.PeriodIndex` named "month".
        Only when ``return_X_y=False``.
    (X, y) : tuple of (pandas.DataFrame of shape (35, 1), pandas.Series of \
            shape (35,))
        Only when ``return_X_y=True``. Both are indexed by month ``t``; ``X``
        has one column, "sales", and ``y`` is named "sales_next".

    Examples
    --------
    >>> from sk_rnn.datasets import load_shampoo
    >>> sales = load_shampoo()
    >>> sales.shape
    (36,)
    >>> sales.index[[0, -1]].astype(str).tolist()
    ['1991-01', '1993-12']
    >>> X, y = load_shampoo(return_X_y=True)
    >>> X.shape, y.shape
    ((35, 1), (35,))
    >>> float(y.iloc[0]) == float(sales.iloc[1])
    True
    """
    import pandas as pd

    source = resources.files(__name__).joinpath("data", "shampoo.csv")
    with source.open("r", encoding="utf-8") as handle:
        frame = pd.read_csv(handle)
    index = pd.PeriodIndex(frame["Time"], freq="M", name="month")
    sales = pd.Series(frame["Sales"].to_numpy(dtype=float), index=index, name="sales")
    if not return_X_y:
        return sales
    X = sales.iloc[:-1].to_frame()
    y = pd.Series(sales.to_numpy()[1:], index=X.index, name="sales_next")
    return X, y
