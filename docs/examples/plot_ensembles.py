"""
Ensembles: cheap repeats and an uncertainty band
================================================

``LSTMRegressor(n_ensemble=K)`` trains K independent networks (K seeds) as one
vectorised model: every weight has a leading member dimension, the loss is
the sum of the members' losses, and Adam is element-wise, so each member
trains exactly as it would alone. This example checks that, measures what it
saves, and uses the members' spread as an uncertainty band.
"""

# %%
# K members equal K separate fits
# -------------------------------
# Member ``k`` of a fit with ``random_state=s`` is the single fit with
# ``random_state=member_seeds_[k]`` (``s`` itself for member 0, then seeds
# drawn from ``numpy.random.SeedSequence(s)``). Eight seeds of the shampoo
# model, trained together and apart:
import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.model_selection import TimeSeriesSplit

from sk_rnn import make_forecaster
from sk_rnn.datasets import load_shampoo

X, y = load_shampoo(return_X_y=True)
train, test = list(TimeSeriesSplit(n_splits=2, test_size=12).split(X))[-1]
K = 8


def members_and_separate(epochs):
    start = time.perf_counter()
    ensemble = make_forecaster(max_epochs=epochs, n_ensemble=K, random_state=0)
    ensemble.fit(X.iloc[train], y.iloc[train])
    members = ensemble.predict(X.iloc[test], return_members=True)
    together = time.perf_counter() - start
    start = time.perf_counter()
    seeds = ensemble.regressor_[-1].member_seeds_
    separate = np.column_stack(
        [
            make_forecaster(max_epochs=epochs, random_state=seed)
            .fit(X.iloc[train], y.iloc[train])
            .predict(X.iloc[test])
            for seed in seeds
        ]
    )
    return members, separate, together, time.perf_counter() - start


members, separate, together, apart = members_and_separate(100)
np.testing.assert_allclose(members, separate, rtol=1e-5)
print(f"{K} members in one fit: {together:.1f} s; {K} separate fits: {apart:.1f} s")

# %%
# The members run the same arithmetic as separate fits, but not bit for bit:
# PyTorch picks kernels by tensor shape, so the last bits of a rounding can
# differ. Short trainings agree to about 1e-7. Long trainings of this tiny
# network are chaotic for some seeds (the notebook's warning: compare
# distributions, never single runs), and there a 1e-7 difference grows.
# The relative difference of each member from its separate fit, after 100
# and 250 epochs:
late_members, late_separate, _, _ = members_and_separate(250)
pd.DataFrame(
    {
        "100 epochs": np.abs(members - separate).max(0) / np.abs(separate).max(0),
        "250 epochs": np.abs(late_members - late_separate).max(0)
        / np.abs(late_separate).max(0),
    },
    index=pd.RangeIndex(K, name="seed"),
).map(lambda v: f"{v:.1e}")

# %%
# An uncertainty band
# -------------------
# ``predict(return_std=True)`` returns the members' mean and their standard
# deviation, in sales units. The band shows how much the training seed alone
# moves a forecast: a lower bound on the forecast's uncertainty, not a
# prediction interval.
big = make_forecaster(max_epochs=250, n_ensemble=30, random_state=0)
big.fit(X.iloc[train], y.iloc[train])
mean, std = big.predict(X.iloc[test], return_std=True)
months = [str(m + 1) for m in X.index[test]]

fig, ax = plt.subplots(figsize=(9, 4))
x = np.arange(len(months))
ax.fill_between(x, mean - 2 * std, mean + 2 * std, alpha=0.3, label="mean ± 2 std")
ax.plot(x, big.predict(X.iloc[test], return_members=True), color="tab:blue", lw=0.3)
ax.plot(x, mean, color="tab:blue", marker="o", label="ensemble mean")
ax.plot(x, y.iloc[test], color="black", marker=".", label="actual")
ax.set_xticks(x, months, rotation=45, ha="right")
ax.set_ylabel("sales")
ax.legend()
fig.tight_layout()
plt.show()

# %%
# The ensemble mean is itself a forecaster, usually steadier than a single
# member:
rmse_members = np.sqrt(
    (
        (big.predict(X.iloc[test], return_members=True).T - y.iloc[test].to_numpy())
        ** 2
    ).mean(1)
)
rmse_mean = np.sqrt(np.mean((mean - y.iloc[test]) ** 2))
print(f"members: median RMSE {np.median(rmse_members):.1f}")
print(f"ensemble mean: RMSE {rmse_mean:.1f}")
