"""Small time series that ship with sk_rnn."""

from __future__ import annotations

from importlib import resources

__all__ = ["load_m3", "load_shampoo"]


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


M3_FREQUENCIES = ("yearly", "quarterly", "monthly", "other")


def load_m3(frequency="monthly", *, return_test=False):
    """The M3 competition's series of one frequency, as a panel.

    The 3003 series of the M3 forecasting competition (Makridakis and Hibon,
    2000, *International Journal of Forecasting* 16(4)): 645 yearly, 756
    quarterly, 1428 monthly and 174 other series, converted from the
    competition's published workbook. The competition gives positions, not
    dates: the time level is the 0-based step ``t``. The file ships inside
    the package.

    Parameters
    ----------
    frequency : {"yearly", "quarterly", "monthly", "other"}, default="monthly"
        Which series; None for all 3003 (one panel of every frequency).
    return_test : bool, default=False
        If True, return ``(train, test)``: the competition's split, the last
        6 (yearly), 8 (quarterly, other) or 18 (monthly) values of every
        series in ``test``.

    Returns
    -------
    panel : pandas.DataFrame
        One column, "value", indexed by a (series, t) MultiIndex, each series'
        rows consecutive and in time order. Only when ``return_test=False``.
    (train, test) : tuple of pandas.DataFrame
        Only when ``return_test=True``.

    Examples
    --------
    >>> from sk_rnn.datasets import load_m3
    >>> train, test = load_m3("monthly", return_test=True)
    >>> train.index.get_level_values("series").nunique(), len(test) // 1428
    (1428, 18)
    """
    import pandas as pd

    if frequency is not None and frequency not in M3_FREQUENCIES:
        raise ValueError(
            f"load_m3 expects frequency in {list(M3_FREQUENCIES)} or None; got "
            f"{frequency!r}."
        )
    source = resources.files(__name__).joinpath("data", "m3.csv.gz")
    with source.open("rb") as handle:
        frame = pd.read_csv(handle, compression="gzip")
    if frequency is not None:
        frame = frame[frame["frequency"] == frequency]
    frame = frame.sort_values(["series", "t"], kind="stable")
    panel = frame.set_index(["series", "t"])
    values = panel[["value"]].astype(float)
    if not return_test:
        return values
    is_test = panel["is_test"].to_numpy(dtype=bool)
    return values[~is_test], values[is_test]
