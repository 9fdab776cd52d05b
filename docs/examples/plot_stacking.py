"""
Stacking recurrent layers
=========================

The notebook stacks Keras ``SimpleRNN`` layers with
``return_sequences=True``: every layer but the last hands its whole output
sequence to the next. :class:`~sk_rnn.LSTMRegressor`'s ``num_layers`` does
exactly that. This example prints the stack's parameter counts, checks them
against the formulas, and compares depths on a forecasting task.
"""

# %%
# Parameter counts
# ----------------
# A SimpleRNN layer with ``units`` units reading ``inputs`` features has
# ``units * (inputs + units + 1)`` parameters: the kernel, the recurrent
# kernel and one bias. An LSTM has four such blocks (its gates), a GRU three
# plus a second bias (Keras's ``reset_after`` form).
import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.model_selection import TimeSeriesSplit, cross_validate

from sk_rnn import LSTMRegressor

rng = np.random.default_rng(0)
X = rng.normal(size=(64, 10 * 3))  # windows of 10 steps x 3 features
y = rng.normal(size=64)
stack = LSTMRegressor(
    hidden_size=32, num_layers=4, cell="rnn", n_steps=10, max_epochs=1
)
stack.fit(X, y)
print(stack.summary())

first = 32 * (3 + 32 + 1)
upper = 32 * (32 + 32 + 1)  # 2,080, as in the notebook's Keras summary
dense = 32 + 1
counts = [count for _, _, count in stack.net_.module_.parameter_counts()]
assert counts == [first, upper, upper, upper, dense]

# %%
# A deeper network on a forecasting task
# --------------------------------------
# A noisy series with two seasonalities; each row is the window of the last
# 24 values and the target is the next value. We compare 1, 2 and 3 stacked
# LSTM layers walk-forward.
t = np.arange(1200)
series = np.sin(t / 8) + 0.5 * np.sin(t / 29) + 0.15 * rng.normal(size=t.size)
windows = np.lib.stride_tricks.sliding_window_view(series[:-1], 24)
target = series[24:]
cv = TimeSeriesSplit(n_splits=3, test_size=150)

rows, curves = [], {}
for layers in (1, 2, 3):
    model = LSTMRegressor(
        hidden_size=16, num_layers=layers, max_epochs=15, lr=0.005, random_state=0
    )
    start = time.perf_counter()
    scores = cross_validate(
        model, windows, target, cv=cv, scoring="neg_root_mean_squared_error",
        return_estimator=True,
    )  # fmt: skip
    rows.append(
        {
            "layers": layers,
            "parameters": sum(
                c for *_, c in scores["estimator"][-1].net_.module_.parameter_counts()
            ),
            "test RMSE": -scores["test_score"].mean(),
            "seconds": time.perf_counter() - start,
        }
    )
    curves[layers] = scores["estimator"][-1].loss_curve_
pd.DataFrame(rows).round(4)

# %%
# Training loss of the last fold, per depth. Deeper stacks have more
# parameters to fit; on a problem this small they need more epochs to pay
# off, which the walk-forward RMSE above is there to judge.
fig, ax = plt.subplots(figsize=(7, 3.5))
for layers, curve in curves.items():
    ax.plot(np.arange(1, len(curve) + 1), curve, label=f"{layers} layer(s)")
ax.set_xlabel("epoch")
ax.set_ylabel("training MSE")
ax.set_yscale("log")
ax.legend()
fig.tight_layout()
plt.show()
