"""The shared epoch loop's checkpoints: a corrupt or truncated checkpoint is
detected and training falls back to the one before it, never loading garbage."""

from __future__ import annotations

import json

import numpy as np
import pytest

from artgen.io.binary import write_npz
from artgen.models import TrainingRun
from artgen.models.rbm import RBMGenerator
from artgen.models.training import previous_checkpoint, read_checkpoint
from artgen.errors import InputError
from conftest import interrupt_at_epoch


def small_rbm() -> RBMGenerator:
    return RBMGenerator(n_hidden=8, optimizer="adam", learning_rate=0.002,
                        learning_rate_final=None, epochs=30, snapshot_every=5,
                        gibbs_steps=5, snapshot_size=60, start="random")


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    founders = rng.integers(0, 2, size=(3, 24), dtype=np.uint8)
    rows = founders[rng.integers(0, 3, 60)]
    return np.where(rng.random(rows.shape) < 0.05, 1 - rows, rows).astype(np.uint8)


@pytest.fixture(scope="module")
def whole(data):
    return small_rbm().fit(data, seed=4)


def killed_run(data, tmp_path, epoch=20) -> TrainingRun:
    """A run interrupted after ``epoch`` epochs: checkpoints of epochs
    ``epoch`` (latest) and ``epoch - 5`` (previous) are on disk."""
    run = TrainingRun(checkpoint=tmp_path / "ckpt.npz", history=tmp_path / "h.tsv")
    with pytest.raises(KeyboardInterrupt):
        interrupt_at_epoch(small_rbm(), epoch).fit(data, seed=4, run=run)
    return run


def resume(data, run, caplog):
    with caplog.at_level("INFO", logger="artgen"):
        model = small_rbm().fit(data, seed=4, run=run)
    return model, caplog.text


def test_previous_checkpoint_is_kept(data, tmp_path):
    run = killed_run(data, tmp_path)
    latest, _ = read_checkpoint(run.checkpoint)
    previous, _ = read_checkpoint(previous_checkpoint(run.checkpoint))
    assert (latest["epoch"], previous["epoch"]) == (20, 15)


def test_truncated_checkpoint_falls_back_to_the_previous_one(data, tmp_path, caplog, whole):
    run = killed_run(data, tmp_path)
    raw = run.checkpoint.read_bytes()
    run.checkpoint.write_bytes(raw[: len(raw) // 2])
    model, log = resume(data, run, caplog)
    assert "ckpt.npz is unreadable" in log and "trying the previous checkpoint" in log
    assert "at epoch 15" in log
    assert np.array_equal(model.sample(40, seed=1), whole.sample(40, seed=1))


def test_altered_checkpoint_is_never_loaded(data, tmp_path, caplog, whole):
    # A checkpoint that still reads as an archive but whose weights changed
    # (a partial overwrite, a bad disk) fails its checksum.
    run = killed_run(data, tmp_path)
    with np.load(run.checkpoint) as saved:
        arrays = {k: saved[k] for k in saved.files}
    name = next(k for k in arrays if k.startswith("train/") and arrays[k].dtype.kind == "f")
    arrays[name] = arrays[name] + 1.0
    write_npz(run.checkpoint, arrays)
    with pytest.raises(InputError, match="checksum mismatch"):
        read_checkpoint(run.checkpoint)
    model, log = resume(data, run, caplog)
    assert "corrupt (checksum mismatch)" in log and "at epoch 15" in log
    assert np.array_equal(model.sample(40, seed=1), whole.sample(40, seed=1))


def test_both_checkpoints_corrupt_starts_afresh(data, tmp_path, caplog, whole):
    run = killed_run(data, tmp_path)
    run.checkpoint.write_bytes(b"not a checkpoint")
    previous_checkpoint(run.checkpoint).write_bytes(b"")
    model, log = resume(data, run, caplog)
    assert "no readable checkpoint" in log and "resumed" not in log
    assert np.array_equal(model.sample(40, seed=1), whole.sample(40, seed=1))


def test_checkpoint_without_checksum_is_refused(data, tmp_path):
    run = killed_run(data, tmp_path)
    with np.load(run.checkpoint) as saved:
        arrays = {k: saved[k] for k in saved.files}
    meta = json.loads(str(arrays["meta"]))
    del meta["checksum"]
    arrays["meta"] = np.array(json.dumps(meta))
    write_npz(run.checkpoint, arrays)
    with pytest.raises(InputError, match="checksum"):
        read_checkpoint(run.checkpoint)
