"""Model files under hostile and careless use (issue 13, items 4 to 7).

Every damaged or crafted file is refused with a ValueError, before anything
large is allocated; saving respects the file system's conventions.
"""

import io
import json
import os
import stat
import tracemalloc
import zipfile

import numpy as np
import pytest
import torch
from _archives import seal

from sk_rnn import LSTMRegressor
from sk_rnn.neural import _persistence


def _saved(tmp_path, **params):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(24, 3))
    model = LSTMRegressor(hidden_size=3, max_epochs=2, random_state=0, **params)
    model.fit(X, X.sum(axis=1))
    return model, X, model.save(tmp_path / "model.skrnn")


def _members(path):
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read("sk_rnn.json")), archive.read("tensors.pt")


def _sealed_meta(tmp_path, path, change, name="crafted.skrnn"):
    meta, blob = _members(path)
    change(meta)
    return seal(
        tmp_path / name, [("sk_rnn.json", json.dumps(meta)), ("tensors.pt", blob)]
    )


# ------------------------------------------------------- 4. whole content
def test_an_edited_json_field_is_refused(tmp_path):
    _, _, path = _saved(tmp_path)
    meta, blob = _members(path)
    meta["params"]["stateful"] = True
    edited = tmp_path / "edited.skrnn"
    with zipfile.ZipFile(edited, "w") as archive:  # rewritten without the checksum
        archive.writestr("sk_rnn.json", json.dumps(meta))
        archive.writestr("tensors.pt", blob)
    with pytest.raises(ValueError, match="does not match the checksum"):
        LSTMRegressor.load(edited)


def test_duplicate_or_unexpected_members_are_refused(tmp_path):
    _, _, path = _saved(tmp_path)
    meta, blob = _members(path)
    twice = [("sk_rnn.json", json.dumps(meta))] * 2 + [("tensors.pt", blob)]
    with pytest.warns(UserWarning, match="Duplicate name"):
        doubled = seal(tmp_path / "twice.skrnn", twice)
    with pytest.raises(ValueError, match="once each"):
        LSTMRegressor.load(doubled)
    extra = seal(
        tmp_path / "extra.skrnn",
        [("sk_rnn.json", json.dumps(meta)), ("tensors.pt", blob), ("run.sh", b"")],
    )
    with pytest.raises(ValueError, match="once each"):
        LSTMRegressor.load(extra)


# ------------------------------------------------------ 5. memory and time
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"hidden_size": 32768}, "describe a network of"),
        ({"num_layers": 300000}, "describe a network of"),
        ({"n_ensemble": 10**9}, "describe a network of"),
        ({"hidden_size": -1}, "The 'hidden_size' parameter"),
        ({"cell": "transformer"}, "The 'cell' parameter"),
    ],
)
def test_parameters_are_checked_against_the_tensors_before_building(
    tmp_path, change, message
):
    _, _, path = _saved(tmp_path)
    crafted = _sealed_meta(tmp_path, path, lambda m: m["params"].update(change))
    tracemalloc.start()
    with pytest.raises(ValueError, match=message):
        LSTMRegressor.load(crafted)
    assert tracemalloc.get_traced_memory()[1] < 64 * 2**20
    tracemalloc.stop()


def test_a_zip_bomb_is_refused_before_it_unpacks(tmp_path, monkeypatch):
    monkeypatch.setattr(_persistence, "MAX_FILE_BYTES", 2**20)
    _, _, path = _saved(tmp_path)
    meta, _ = _members(path)
    bomb = seal(
        tmp_path / "bomb.skrnn",
        [("sk_rnn.json", json.dumps(meta)), ("tensors.pt", bytes(4 * 2**20))],
    )
    assert bomb.stat().st_size < 2**20  # 4 MiB of zeros deflate to a few KiB
    with pytest.raises(ValueError, match="its tensors unpack to 4,194,304 bytes"):
        LSTMRegressor.load(bomb)


def test_members_are_bounded_by_what_the_parameters_imply_before_reading(
    tmp_path, monkeypatch
):
    """0.2 read a JSON member padded with spaces, and a tensors member
    inflated up to the file limit, before refusing them."""
    monkeypatch.setattr(_persistence, "MAX_META_BYTES", 4 << 20)
    _, _, path = _saved(tmp_path)
    meta, blob = _members(path)
    padded = seal(
        tmp_path / "padded.skrnn",
        [("sk_rnn.json", json.dumps(meta) + " " * (5 << 20)), ("tensors.pt", blob)],
    )
    inflated = seal(
        tmp_path / "inflated.skrnn",
        [("sk_rnn.json", json.dumps(meta)), ("tensors.pt", blob + bytes(64 << 20))],
    )
    tracemalloc.start()
    with pytest.raises(ValueError, match="JSON member unpacks to 5,.* over the"):
        LSTMRegressor.load(padded)
    with pytest.raises(ValueError, match="more than the .* the network it describes"):
        LSTMRegressor.load(inflated)
    assert tracemalloc.get_traced_memory()[1] < 16 * 2**20  # neither was unpacked
    tracemalloc.stop()


def test_large_files_and_devices_are_refused_unread(tmp_path, monkeypatch):
    monkeypatch.setattr(_persistence, "MAX_FILE_BYTES", 1000)
    _, _, path = _saved(tmp_path)
    with pytest.raises(ValueError, match="over the 1,000-byte limit"):
        LSTMRegressor.load(path)
    if os.path.exists("/dev/zero"):
        with pytest.raises(ValueError, match="not a regular file"):
            LSTMRegressor.load("/dev/zero")


def test_a_zero_stride_state_is_refused(tmp_path):
    model, _, path = _saved(tmp_path, stateful=True)
    meta, _ = _members(path)
    tensors = model._export()[1]
    shape = tensors["state_"][0].shape
    tensors["state_"] = [torch.zeros(1, dtype=torch.float64).expand(shape)] * 2
    buffer = io.BytesIO()
    torch.save(tensors, buffer)
    crafted = seal(
        tmp_path / "strided.skrnn",
        [("sk_rnn.json", json.dumps(meta)), ("tensors.pt", buffer.getvalue())],
    )
    with pytest.raises(ValueError, match="not contiguous"):
        LSTMRegressor.load(crafted)


# ------------------------------------------------------ 6. always ValueError
def test_unknown_fitted_attributes_are_refused(tmp_path):
    _, _, path = _saved(tmp_path)
    crafted = _sealed_meta(tmp_path, path, lambda m: m["fitted"].update(predict="x"))
    with pytest.raises(ValueError, match=r"unknown attributes \['predict'\]"):
        LSTMRegressor.load(crafted)


def test_the_meta_device_is_refused(tmp_path):
    _, _, path = _saved(tmp_path)
    with pytest.raises(ValueError, match="device='meta', which is not available"):
        LSTMRegressor.load(path, device="meta")


def test_fuzz_every_corruption_truncation_and_inflation_is_a_value_error(tmp_path):
    """A corruption of every byte of the file, truncations, appended bytes."""
    model, X, path = _saved(tmp_path)
    data = path.read_bytes()
    rng = np.random.default_rng(0)
    positions = range(len(data))
    cases = [
        *(
            data[:i] + bytes([data[i] ^ int(rng.integers(1, 256))]) + data[i + 1 :]
            for i in positions
        ),
        *(data[:n] for n in (0, 1, 30, len(data) // 2, len(data) - 65, len(data) - 1)),
        data + b"\0",
        data + data,
        data[:100] + bytes(10_000) + data[100:],
    ]
    broken = tmp_path / "broken.skrnn"
    tracemalloc.start()
    for case in cases:
        broken.write_bytes(case)
        with pytest.raises(ValueError, match="LSTMRegressor.load refused"):
            LSTMRegressor.load(broken)
    assert tracemalloc.get_traced_memory()[1] < 64 * 2**20
    tracemalloc.stop()
    np.testing.assert_array_equal(LSTMRegressor.load(path).predict(X), model.predict(X))


# ------------------------------------------------------- 7. file system
def test_saved_files_respect_the_umask_and_an_existing_mode(tmp_path):
    model, _, _ = _saved(tmp_path)
    previous = os.umask(0o022)
    try:
        fresh = model.save(tmp_path / "fresh.skrnn")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o644
    shared = tmp_path / "shared.skrnn"
    shared.write_bytes(b"")
    shared.chmod(0o664)
    model.save(shared)
    assert stat.S_IMODE(shared.stat().st_mode) == 0o664


def test_saving_onto_a_symlink_replaces_its_target(tmp_path):
    model, X, _ = _saved(tmp_path)
    target = tmp_path / "models" / "v1.skrnn"
    target.parent.mkdir()
    target.write_bytes(b"old")
    link = tmp_path / "current.skrnn"
    link.symlink_to(target)
    model.save(link)
    assert link.is_symlink()
    np.testing.assert_array_equal(
        LSTMRegressor.load(target).predict(X), model.predict(X)
    )


def test_orphan_temporary_files_of_a_killed_save_are_removed(tmp_path):
    model, _, path = _saved(tmp_path)
    orphan = tmp_path / ".model.skrnn.999999999.abcd1234.skrnn-tmp"
    orphan.write_bytes(b"half a file")
    alive = tmp_path / f".model.skrnn.{os.getpid()}.ffff0000.skrnn-tmp"
    alive.write_bytes(b"a save in progress")
    model.save(path)
    assert not orphan.exists()
    assert alive.exists()  # a live process's file is left alone


def test_save_replaces_only_regular_files(tmp_path):
    """0.2 replaced a FIFO (and, as root, /dev/null) with a regular file."""
    import os
    import stat

    model, _, _ = _saved(tmp_path)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(ValueError, match="is not a regular file \\(a FIFO\\)"):
        model.save(fifo)
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    with pytest.raises(ValueError, match="a folder"):
        model.save(tmp_path)
    link = tmp_path / "link.skrnn"
    link.symlink_to(tmp_path / "real.skrnn")
    model.save(link)  # a link to a new or regular file: its target is written
    assert link.is_symlink() and (tmp_path / "real.skrnn").is_file()


def test_save_refuses_a_history_that_load_would_refuse(tmp_path, monkeypatch):
    model, _, _ = _saved(tmp_path)
    monkeypatch.setattr(_persistence, "MAX_META_BYTES", 1000)
    with pytest.raises(ValueError, match="cannot write a training history of"):
        model.save(tmp_path / "long.skrnn")


def test_an_optimizer_with_a_large_state_saves_and_loads(tmp_path):
    """LBFGS keeps a history of weight-sized tensors: the bound allows it."""
    import torch

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 4)), rng.normal(size=40)
    model = LSTMRegressor(
        hidden_size=16, max_epochs=4, batch_size=None, optimizer=torch.optim.LBFGS,
        random_state=0,
    ).fit(X, y)  # fmt: skip
    loaded = LSTMRegressor.load(model.save(tmp_path / "lbfgs.skrnn"))
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
