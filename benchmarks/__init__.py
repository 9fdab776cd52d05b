"""Benchmarks for sk_rnn: ``python -m benchmarks.run`` (or ``make bench``)."""
