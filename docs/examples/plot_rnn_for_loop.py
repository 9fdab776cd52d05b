"""
An RNN as a for-loop, and the LSTM's carry track
================================================

A recurrent layer is a for-loop over time steps that keeps a state. This
example writes the notebook's NumPy recurrence, then shows that
:class:`~sk_rnn.LSTMRegressor` with ``cell="rnn"`` computes exactly the same
thing with the same weights. It then writes the LSTM's gate equations next to
the NumPy code that computes them, and checks them against ``cell="lstm"``.
"""

# %%
# A SimpleRNN in NumPy
# --------------------
# ``output_t = tanh(W·x_t + U·state_t + b)``: the output of one step is the
# state of the next. The weights use Keras's layout (``W`` is ``(inputs,
# units)``), which is also sk_rnn's.
import matplotlib.pyplot as plt
import numpy as np
import torch

from sk_rnn import LSTMRegressor

rng = np.random.default_rng(0)
timesteps, input_features, output_features = 20, 3, 4
inputs = rng.normal(size=(timesteps, input_features))
W = (0.5 * rng.normal(size=(input_features, output_features))).astype(np.float32)
U = (0.5 * rng.normal(size=(output_features, output_features))).astype(np.float32)
b = (0.1 * rng.normal(size=output_features)).astype(np.float32)

state_t = np.zeros(output_features)
successive_outputs = []
for input_t in inputs:
    output_t = np.tanh(input_t @ W + state_t @ U + b)
    successive_outputs.append(output_t)
    state_t = output_t
final_output_sequence = np.stack(successive_outputs)
final_output_sequence.shape

# %%
# The same layer in sk_rnn
# ------------------------
# A 2-D row is read as ``n_steps`` steps of ``n_features / n_steps`` features
# each, oldest first, so one row of 60 values is our 20 x 3 sequence. We fit
# for one epoch only to build the network, then load the NumPy weights.
X = inputs.reshape(1, -1)
rnn = LSTMRegressor(
    hidden_size=output_features, cell="rnn", n_steps=timesteps, max_epochs=1
).fit(X, [0.0])
module = rnn.net_.module_
with torch.no_grad():
    module.weight_ih_l0[0] = torch.from_numpy(W)
    module.weight_hh_l0[0] = torch.from_numpy(U)
    module.bias_ih_l0[0, 0] = torch.from_numpy(b)
    window = torch.tensor(inputs[None], dtype=torch.float64)
    _, (h_final, _) = module(window, return_state=True, dtype=torch.float64)

np.testing.assert_allclose(h_final[0, 0, 0].numpy(), final_output_sequence[-1])
print("final state, NumPy loop:", final_output_sequence[-1].round(6))
print("final state, sk_rnn:    ", h_final[0, 0, 0].numpy().round(6))

# %%
# The dense head maps the final state to the prediction, as Keras's
# ``Dense(1)`` does after a recurrent layer:
head_w = module.head_weight.detach().double().numpy()[0]
head_b = module.head_bias.detach().double().numpy()[0]
by_hand = final_output_sequence[-1] @ head_w + head_b
np.testing.assert_allclose(rnn.predict(X), by_hand.ravel())
print(rnn.summary())

# %%
# The LSTM and its carry track
# ----------------------------
# The LSTM adds a carry ``c`` that runs alongside the state. Each step
# computes four gates from the same input and state (PyTorch's and Keras's
# order: input ``i``, forget ``f``, candidate ``k``, output ``o``)::
#
#     i_t = sigmoid(x_t W_i + h_t U_i + b_i)
#     f_t = sigmoid(x_t W_f + h_t U_f + b_f)
#     k_t = tanh(x_t W_k + h_t U_k + b_k)
#     o_t = sigmoid(x_t W_o + h_t U_o + b_o)
#     c_{t+1} = i_t * k_t + c_t * f_t
#     h_{t+1} = o_t * tanh(c_{t+1})
#
# We train a small LSTM to remember the first of its inputs, then replay its
# weights in NumPy.
series = rng.uniform(-1, 1, size=(300, 8))
lstm = LSTMRegressor(hidden_size=6, max_epochs=40, lr=0.01, random_state=0)
lstm.fit(series, series[:, 0])
weights = {
    k: v.detach().double().numpy()[0] for k, v in lstm.net_.module_.named_parameters()
}
kernel, recurrent, bias = (
    weights["weight_ih_l0"],
    weights["weight_hh_l0"],
    weights["bias_ih_l0"],
)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def lstm_by_hand(window):
    h = np.zeros(6)
    c = np.zeros(6)
    carry, state = [], []
    for x_t in window:
        z = x_t * kernel[0] + h @ recurrent + bias[0]
        i_t, f_t, k_t, o_t = np.split(z, 4)
        c = sigmoid(i_t) * np.tanh(k_t) + c * sigmoid(f_t)  # the carry track
        h = sigmoid(o_t) * np.tanh(c)
        carry.append(c)
        state.append(h)
    return np.array(carry), np.array(state)


carry, state = lstm_by_hand(series[0])
prediction = state[-1] @ weights["head_weight"] + weights["head_bias"][0]
np.testing.assert_allclose(lstm.predict(series[:1]), prediction, rtol=1e-10)
print(f"target {series[0, 0]:+.3f}, NumPy LSTM {prediction[0]:+.3f}")

# %%
# The carry holds what the network must remember (here the first input)
# while the state ``h`` is what each step exposes.
fig, (ax_c, ax_h) = plt.subplots(1, 2, figsize=(10, 3.5), sharex=True)
ax_c.plot(carry)
ax_c.set_title("carry c_t of the 6 units")
ax_h.plot(state)
ax_h.set_title("state h_t of the 6 units")
for ax in (ax_c, ax_h):
    ax.set_xlabel("time step")
fig.tight_layout()
plt.show()
