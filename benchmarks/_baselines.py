"""The baselines sk_rnn is measured against, written as a user would.

- ``seed_hand_loop``: the notebook's stateful LSTM in plain PyTorch, one model
  at a time (nn.LSTM + nn.Linear, Adam, batch 1, state carried from row to
  row and reset each epoch), with Keras's initialisation so that its RMSE is
  comparable with sk_rnn's default.
- ``seed_skorch_loop``: the same network as a plain skorch
  ``NeuralNetRegressor``, trained one ``partial_fit`` per epoch, the way the
  Keras notebook calls ``fit(epochs=1)`` and ``reset_states()``.
- ``seed_vectorised_hand_loop``: the same network for K seeds at once, as a
  user who knows PyTorch well would write it: every weight with a leading
  seed dimension, the LSTM step by hand with ``baddbmm``, the sum of the
  seeds' losses, one fused Adam over the stacked weights.
- ``large_hand_loop``: a stateless nn.LSTM regressor trained on shuffled
  mini-batches sliced from tensors.
"""

from __future__ import annotations

import time

import numpy as np
import torch
from torch import nn


def seed_data(test_size: int = 12):
    """The notebook's frames: scaled (x, y) rows of the differenced series.

    Row 0 has no previous change; the notebook fills it with 0 before scaling.
    Returns train and test arrays and what is needed to invert the forecasts.
    """
    from sk_rnn.datasets import load_shampoo

    raw = load_shampoo().to_numpy()
    diff = np.diff(raw)
    x = np.r_[0.0, diff[:-1]]
    n_train = len(diff) - test_size

    def fit_scaler(values):
        low, high = values.min(), values.max()
        return (lambda v: 2 * (v - low) / (high - low) - 1), (
            lambda s: (s + 1) / 2 * (high - low) + low
        )

    scale_x, _ = fit_scaler(x[:n_train])
    scale_y, unscale_y = fit_scaler(diff[:n_train])
    xs, ys = scale_x(x), scale_y(diff)
    return {
        "x_train": xs[:n_train],
        "y_train": ys[:n_train],
        "x_test": xs[n_train:],
        "y_true": raw[n_train + 1 :],
        "previous": raw[n_train:-1],
        "unscale_y": unscale_y,
    }


class SeedNet(nn.Module):
    def __init__(self, hidden=4):
        super().__init__()
        self.lstm = nn.LSTM(1, hidden, batch_first=True)
        self.dense = nn.Linear(hidden, 1)
        self.state = None

    @torch.no_grad()
    def keras_init(self, generator):
        H = self.lstm.hidden_size
        limit = (6.0 / (1 + 4 * H)) ** 0.5
        self.lstm.weight_ih_l0.uniform_(-limit, limit, generator=generator)
        recurrent = torch.empty(H, 4 * H)
        nn.init.orthogonal_(recurrent, generator=generator)
        self.lstm.weight_hh_l0.copy_(recurrent.T)
        self.lstm.bias_ih_l0.zero_()
        self.lstm.bias_ih_l0[H : 2 * H] = 1.0
        self.lstm.bias_hh_l0.zero_()
        self.lstm.bias_hh_l0.requires_grad_(False)  # Keras has one bias
        limit = (6.0 / (H + 1)) ** 0.5
        self.dense.weight.uniform_(-limit, limit, generator=generator)
        self.dense.bias.zero_()

    def forward(self, x):
        out, state = self.lstm(x, self.state)
        self.state = tuple(s.detach() for s in state)
        return self.dense(out[:, -1])


def seed_hand_loop(seed: int, epochs: int, data=None) -> dict:
    """Train and forecast one model; returns seconds per epoch and the RMSE."""
    data = data or seed_data()
    model = SeedNet()
    model.keras_init(torch.Generator().manual_seed(seed))
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.Adam(params, lr=1e-3)
    X = torch.tensor(data["x_train"], dtype=torch.float32).view(-1, 1, 1, 1)
    Y = torch.tensor(data["y_train"], dtype=torch.float32).view(-1, 1, 1)
    start = time.perf_counter()
    for _ in range(epochs):
        model.state = None
        for xb, yb in zip(X, Y, strict=True):
            optimizer.zero_grad()
            loss = nn.functional.mse_loss(model(xb), yb)
            loss.backward()
            optimizer.step()
    seconds = time.perf_counter() - start
    forecasts = []
    with torch.no_grad():
        model.state = None
        for xb in X:  # build up the state over the training rows
            model(xb)
        for x, previous in zip(data["x_test"], data["previous"], strict=True):
            step = torch.tensor([[[x]]], dtype=torch.float32)
            forecasts.append(data["unscale_y"](float(model(step))) + previous)
    rmse = float(np.sqrt(np.mean((np.array(forecasts) - data["y_true"]) ** 2)))
    return {"seconds_per_epoch": seconds / epochs, "rmse": rmse}


def seed_vectorised_hand_loop(seeds, epochs: int, data=None, hidden=4) -> dict:
    """K seeds trained as one batched model; returns seconds per epoch."""
    data = data or seed_data()
    K, H = len(seeds), hidden
    w_ih = torch.empty(K, 1, 4 * H)
    w_hh = torch.empty(K, H, 4 * H)
    bias = torch.zeros(K, 1, 4 * H)
    w_out = torch.empty(K, H, 1)
    b_out = torch.zeros(K, 1, 1)
    with torch.no_grad():
        for k, seed in enumerate(seeds):  # Keras's initialisation, per seed
            generator = torch.Generator().manual_seed(int(seed))
            limit = (6.0 / (1 + 4 * H)) ** 0.5
            w_ih[k].uniform_(-limit, limit, generator=generator)
            nn.init.orthogonal_(w_hh[k], generator=generator)
            bias[k, :, H : 2 * H] = 1.0
            limit = (6.0 / (H + 1)) ** 0.5
            w_out[k].uniform_(-limit, limit, generator=generator)
    params = [nn.Parameter(t) for t in (w_ih, w_hh, bias, w_out, b_out)]
    w_ih, w_hh, bias, w_out, b_out = params
    optimizer = torch.optim.Adam(params, lr=1e-3, fused=True)
    X = torch.tensor(data["x_train"], dtype=torch.float32).view(-1, 1, 1, 1)
    Y = torch.tensor(data["y_train"], dtype=torch.float32).view(-1, 1, 1, 1)
    start = time.perf_counter()
    for _ in range(epochs):
        h = torch.zeros(K, 1, H)
        c = torch.zeros(K, 1, H)
        for x, y in zip(X, Y, strict=True):
            optimizer.zero_grad()
            gates = torch.baddbmm(torch.baddbmm(bias, x.expand(K, 1, 1), w_ih), h, w_hh)
            i, f, g, o = gates.chunk(4, dim=-1)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * torch.tanh(c)
            pred = torch.baddbmm(b_out, h, w_out)
            loss = (pred - y).square().sum()  # each seed's own gradient
            loss.backward()
            optimizer.step()
            h, c = h.detach(), c.detach()
    return {"seconds_per_epoch": (time.perf_counter() - start) / epochs}


def seed_skorch_loop(seed: int, epochs: int, data=None) -> dict:
    """Time a plain skorch net trained one partial_fit per epoch."""
    from skorch import NeuralNetRegressor

    data = data or seed_data()
    torch.manual_seed(seed)
    net = NeuralNetRegressor(
        SeedNet,
        optimizer=torch.optim.Adam,
        lr=1e-3,
        max_epochs=1,
        batch_size=1,
        train_split=None,
        verbose=0,
    )
    X = data["x_train"].astype(np.float32).reshape(-1, 1, 1)
    y = data["y_train"].astype(np.float32).reshape(-1, 1)
    net.initialize()
    start = time.perf_counter()
    for _ in range(epochs):
        net.module_.state = None
        net.partial_fit(X, y)
    return {"seconds_per_epoch": (time.perf_counter() - start) / epochs}


def large_hand_loop(X, y, *, hidden=64, batch_size=256, epochs=3, seed=0, device="cpu"):
    """Seconds per epoch of a plain stateless nn.LSTM regressor."""
    torch.manual_seed(seed)
    lstm = nn.LSTM(X.shape[2], hidden, batch_first=True).to(device)
    dense = nn.Linear(hidden, y.shape[1]).to(device)
    params = list(lstm.parameters()) + list(dense.parameters())
    optimizer = torch.optim.Adam(params, lr=1e-3, fused=True)
    Xt = torch.as_tensor(X, dtype=torch.float32, device=device)
    yt = torch.as_tensor(y, dtype=torch.float32, device=device)
    generator = torch.Generator().manual_seed(seed)
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        order = torch.randperm(len(Xt), generator=generator).to(device)
        total = 0.0
        for i in range(0, len(Xt), batch_size):
            rows = order[i : i + batch_size]
            optimizer.zero_grad()
            out, _ = lstm(Xt[rows])
            loss = nn.functional.mse_loss(dense(out[:, -1]), yt[rows])
            loss.backward()
            optimizer.step()
            total += loss.item()
        if device.startswith("cuda"):
            torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    return times
