"""How sk_rnn represents series: NumPy and pandas only, no estimators.

- ``_time``: a series' time axis (``TimeAxis``) and what a block is relative
  to the fitted one (continues it, starts a series, unknown);
- ``_panel``: the (series id, time) panel layout and the per-series history
  a ``SeriesPipeline`` carries (``PanelHistory``);
- ``_blocks``: containers (NumPy, pandas, polars) and row stacking.

Every other group imports from here; this group imports only ``_utils`` and
``exceptions``.
"""
