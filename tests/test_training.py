"""The shared epoch loop: a corrupt or truncated checkpoint is detected and
training falls back to the one before it, never loading garbage; snapshots
are chosen on held-out haplotypes, never a memorising one."""

from __future__ import annotations

import json

import numpy as np
import pytest

from artgen.io.binary import write_npz
from artgen.models import TrainingRun
from artgen.models.rbm import RBMGenerator
from artgen.models.checkpoints import previous_checkpoint, read_checkpoint
from artgen.models import training
from artgen.models.training import IterativeGenerator, attack_null, is_private, snapshot_rank
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


def test_a_finished_run_rerun_writes_its_history_again(data, tmp_path, caplog, whole):
    run = TrainingRun(checkpoint=tmp_path / "ckpt.npz", history=tmp_path / "h.tsv")
    small_rbm().fit(data, seed=4, run=run)
    written = run.history.read_text()
    run.history.unlink()
    model, log = resume(data, run, caplog)
    assert "resumed rbm" in log and "at epoch 30" in log
    assert run.history.read_text() == written
    assert np.array_equal(model.sample(40, seed=1), whole.sample(40, seed=1))


def test_a_checkpoint_of_other_snapshot_rules_is_not_resumed(data, tmp_path, caplog, whole,
                                                            monkeypatch):
    # A finished checkpoint holds the snapshot its rules chose; under newer
    # rules the same data, settings and seed must train again, not keep it.
    run = TrainingRun(checkpoint=tmp_path / "ckpt.npz", history=tmp_path / "h.tsv")
    small_rbm().fit(data, seed=4, run=run)
    monkeypatch.setattr(training, "SNAPSHOT_RULES", training.SNAPSHOT_RULES + 1)
    model, log = resume(data, run, caplog)
    assert "starting afresh" in log and "resumed" not in log
    assert np.array_equal(model.sample(40, seed=1), whole.sample(40, seed=1))
    model, log = resume(data, run, caplog)
    assert "resumed rbm" in log and "at epoch 30" in log


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


class PlantedSnapshots(IterativeGenerator):
    """A generator whose snapshots are planted: at the epochs in ``memorising``
    its AGs are training haplotypes with a few alleles flipped (the most
    faithful to the training set), at the others new haplotypes from the
    process that made the data (as faithful as real held-out data can be).
    With ``start_rows`` (real rows never trained on, where its chains
    start) the memorising epochs copy those instead, as chains a few Gibbs
    steps from their start do."""

    def __init__(self, make_rows, memorising, start_rows=None, **settings):
        super().__init__(**settings)
        self.name = "planted"  # on the instance: a class attribute would register it
        self.make_rows, self.memorising = make_rows, set(memorising)
        self.start = start_rows
        self.epoch = np.zeros(1, dtype=np.int64)

    def settings(self):
        return self._iterative_settings()

    def state(self):
        return {"epoch": self.epoch.copy()}

    def set_state(self, state):
        self.epoch = np.array(state["epoch"])

    def sample(self, n, seed):
        rng = np.random.default_rng(seed)
        if int(self.epoch[0]) in self.memorising:
            source = self.train if self.start is None else self.start
            rows = source[rng.choice(len(source), n, replace=n > len(source))]
            return np.where(rng.random(rows.shape) < 0.01, 1 - rows, rows).astype(np.uint8)
        return self.make_rows(n, rng)

    def _start(self, alleles, seed):
        self.train = alleles

    def _start_rows(self):
        return self.start

    def _run_epochs(self, first_epoch, n_epochs):
        self.epoch[0] = first_epoch + n_epochs
        return [{"loss": 0.0}] * n_epochs

    def _training_state(self):
        return self.state()

    def _set_training_state(self, state):
        self.set_state(state)


def founder_rows(n, rng, founders=np.random.default_rng(7).integers(0, 2, (6, 60), np.uint8)):
    rows = founders[rng.integers(0, len(founders), n)]
    return np.where(rng.random(rows.shape) < 0.08, 1 - rows, rows).astype(np.uint8)


def test_a_memorising_snapshot_is_never_kept_when_a_private_one_exists(caplog):
    rng = np.random.default_rng(3)
    train, validation = founder_rows(300, rng), founder_rows(100, rng)
    settings = dict(epochs=60, snapshot_every=10, aa_tolerance=0.2)
    for memorising in ({10, 30, 50}, {20, 30, 40, 50, 60}, {10, 20, 30, 40, 50}):
        model = PlantedSnapshots(founder_rows, memorising, **settings)
        model.set_validation(validation)
        model.fit(train, seed=1)
        assert model.best_epoch not in memorising
        snaps = model.history.dropna(subset=["aa_ts"]).set_index("epoch")
        assert (snaps.loc[sorted(memorising), "privacy_loss"] > 0.1).all()
        assert (snaps.loc[sorted(memorising), "attack_auc"] > 0.8).all()
        assert (snaps.loc[sorted(memorising), "private"] == 0).all()
        # The copies are the most faithful to the training set: a choice by
        # training-set fidelity alone would keep them.
        fidelity = snaps["af_r"] + snaps["ld_r"]
        assert fidelity.idxmax() in memorising
    # Nothing private: the least leaky is kept, and the log says so.
    model = PlantedSnapshots(founder_rows, range(10, 61, 10), **settings)
    model.set_validation(validation)
    with caplog.at_level("WARNING", logger="artgen"):
        model.fit(train, seed=1)
    snaps = model.history.dropna(subset=["aa_ts"]).set_index("epoch")
    largest_leak = np.maximum(snaps["privacy_loss"], snaps["attack_auc"] - 0.5)
    assert model.best_epoch == largest_leak.idxmin()
    assert "no snapshot has a privacy loss and attack AUC above its null within 0.020" \
        in caplog.text


def test_the_attack_auc_on_the_validation_set_is_a_leak_too():
    # The privacy loss reads nothing, the distance attack reads 0.66: with
    # 380 training and 100 validation rows its null standard error is
    # sqrt(481 / (12 * 380 * 100)) = 0.0325, so 0.16 above 0.5 is a leak
    # and 0.05 (within 0.02 + 2 x 0.0325) is not.
    se = np.sqrt(481 / (12 * 380 * 100))
    base = {"privacy_loss": 0.0, "privacy_loss_se": 0.05, "attack_auc_se": se,
            "val_aa_truth": 0.5, "val_aa_syn": 0.5, "val_af_r": 0.99, "val_ld_r": 0.9,
            "snapshot_score": 0.0}
    attacked, fair = dict(base, attack_auc=0.66), dict(base, attack_auc=0.55)
    assert not is_private(attacked, 0.02) and is_private(fair, 0.02)
    assert is_private(dict(fair, attack_auc=0.5 + 0.02 + 2 * se - 1e-9), 0.02)
    assert not is_private(dict(fair, attack_auc=0.5 + 0.02 + 2 * se + 1e-9), 0.02)
    # The leaky snapshot is ranked last even though it is the more faithful.
    attacked["val_ld_r"] = 0.99
    assert snapshot_rank(attacked, 0.15) == (2, pytest.approx(0.16))
    assert min([attacked, fair], key=lambda s: snapshot_rank(s, 0.15)) is fair
    # A history without the attack (an older file) is judged on the privacy loss.
    assert is_private({k: v for k, v in attacked.items() if k != "attack_auc"}, 0.02)


def test_attack_null_by_hand():
    # Members 0000 and 1111, non-member 0011, one reference haplotype 0001:
    # distances 1 and 3 against 1 (a tie, counted half), so the AUC is
    # (0.5 + 0) / 2; with 0000 as the reference, 0 and 4 against 2: 1 / 2.
    train = np.array([[0, 0, 0, 0], [1, 1, 1, 1]], np.uint8)
    validation = np.array([[0, 0, 1, 1]], np.uint8)
    assert attack_null(train, validation, np.array([[0, 0, 0, 1]], np.uint8)) == 0.25
    assert attack_null(train, validation, np.array([[0, 0, 0, 0]], np.uint8)) == 0.5


def test_the_attack_is_judged_against_what_new_real_haplotypes_read(caplog):
    # Validation rows that sit farther from everyone than the training rows
    # (a split with more of a diverse population on one side): AGs that know
    # no training row still read an attack AUC far above 0.5, and so do real
    # haplotypes in neither set. Against that null the fresh snapshots are
    # private and the memorising ones still are not.
    rng = np.random.default_rng(5)
    founders = np.random.default_rng(7).integers(0, 2, (6, 60), np.uint8)

    def isolated_rows(n, rng):
        rows = founders[rng.integers(0, len(founders), n)]
        return np.where(rng.random(rows.shape) < 0.1, 1 - rows, rows).astype(np.uint8)

    train, validation = founder_rows(300, rng), isolated_rows(100, rng)
    reference = founder_rows(100, rng)
    null = attack_null(train, validation, reference)
    assert null > 0.65
    settings = dict(epochs=60, snapshot_every=10, aa_tolerance=0.5)
    memorising = {20, 40, 60}
    blind = PlantedSnapshots(founder_rows, memorising, **settings)
    blind.set_validation(validation)
    with caplog.at_level("WARNING", logger="artgen"):
        blind.fit(train, seed=1)
    assert "no snapshot has a privacy loss" in caplog.text
    assert "attack_auc_null" not in blind.history
    model = PlantedSnapshots(founder_rows, memorising, **settings)
    model.set_validation(validation)
    model.set_attack_reference(reference)
    model.fit(train, seed=1)
    snaps = model.history.dropna(subset=["aa_ts"]).set_index("epoch")
    fresh = snaps.drop(sorted(memorising))
    assert (snaps["attack_auc_null"] == null).all()
    assert (fresh["attack_auc"] - null).abs().max() < 0.05
    assert (fresh["private"] == 1).all() and (snaps.loc[sorted(memorising), "private"] == 0).all()
    assert model.best_epoch not in memorising
    # Without a validation set there is nothing to judge against: no null.
    alone = PlantedSnapshots(founder_rows, memorising, **settings)
    alone.set_attack_reference(reference)
    alone.fit(train, seed=1)
    assert "attack_auc_null" not in alone.history
    # A null read on other rows moves the threshold with it, no further.
    se = 0.03
    snap = {"privacy_loss": 0.0, "privacy_loss_se": 0.05, "attack_auc_se": se,
            "attack_auc_null": 0.53}
    assert is_private(dict(snap, attack_auc=0.53 + 0.02 + 2 * se - 1e-9), 0.02)
    assert not is_private(dict(snap, attack_auc=0.53 + 0.02 + 2 * se + 1e-9), 0.02)
    assert not is_private(dict(snap, attack_auc=0.6, attack_auc_null=0.49), 0.02)
    assert is_private(dict(snap, attack_auc=0.6, attack_auc_null=np.nan), 0.02) is False


def test_the_attack_reference_is_checked(tmp_path, capsys):
    from artgen.cli import main
    from artgen.haplotypes import Haplotypes
    from artgen.io import save_haplotypes

    rng = np.random.default_rng(0)

    def panel(rows, n_snps=60):
        n = len(rows)
        return Haplotypes.build(rows[:, :n_snps], chrom=["1"] * n_snps,
                                pos=np.arange(1, n_snps + 1) * 100, ref=["A"] * n_snps,
                                alt=["G"] * n_snps,
                                ids=[f"S{i // 2}_{'AB'[i % 2]}" for i in range(n)])

    for name, rows, n_snps in (("train", founder_rows(40, rng), 60),
                               ("validation", founder_rows(20, rng), 60),
                               ("reference", founder_rows(20, rng), 60),
                               ("short", founder_rows(20, rng), 50)):
        save_haplotypes(panel(rows, n_snps), tmp_path / f"{name}.npz")
    model = PlantedSnapshots(founder_rows, (), epochs=10, snapshot_every=10)
    model.set_validation(founder_rows(20, rng))
    model.set_attack_reference(np.zeros((4, 50), np.uint8))
    with pytest.raises(InputError, match="reference set has 50 SNPs; the training matrix has 60"):
        model.fit(founder_rows(40, rng), seed=0)
    train = ["train", "--model", "gan", "--data", str(tmp_path / "train.npz"), "--set",
             "epochs=1", "snapshot_every=1", "--out", str(tmp_path / "m.npz")]
    assert main(train + ["--attack-reference", str(tmp_path / "reference.npz")]) != 0
    assert "an attack reference set goes with a validation set" in capsys.readouterr().err
    assert main(train + ["--validation", str(tmp_path / "validation.npz"),
                         "--attack-reference", str(tmp_path / "short.npz")]) != 0
    assert "short.npz: not at the SNPs of" in capsys.readouterr().err
    assert not (tmp_path / "m.npz").exists()


class UndeclaredStart(PlantedSnapshots):
    """The same, but its start rows are not declared to the snapshot choice."""

    def _start_rows(self):
        return None


def test_a_snapshot_that_copies_its_start_rows_is_never_kept(caplog):
    rng = np.random.default_rng(4)
    train, validation = founder_rows(300, rng), founder_rows(100, rng)
    start = founder_rows(100, rng)
    settings = dict(epochs=60, snapshot_every=10, aa_tolerance=0.2)
    memorising = {20, 40, 50}
    model = PlantedSnapshots(founder_rows, memorising, start, **settings)
    model.set_validation(validation)
    model.fit(train, seed=1)
    assert model.best_epoch not in memorising
    snaps = model.history.dropna(subset=["aa_ts"]).set_index("epoch")
    copying, fresh = snaps.loc[sorted(memorising)], snaps.drop(sorted(memorising))
    # Against the training set the copies of other real people look private ...
    assert (copying["privacy_loss"].abs() < 0.1).all()
    # ... against the start rows they do not.
    assert (copying["privacy_loss_start"] > 0.3).all()
    assert (copying["attack_auc_start"] > 0.9).all()
    assert (fresh["privacy_loss_start"].abs() < 0.15).all()
    assert (fresh["attack_auc_start"] - 0.5).abs().max() < 3 * fresh["attack_auc_start_se"].max()
    assert (copying["private"] == 0).all() and (fresh["private"] == 1).all()
    # The copies sit nearest AATS 0.5 on the validation set: a choice that
    # scores the training set's privacy alone keeps one of them.
    blind = UndeclaredStart(founder_rows, memorising, start, **settings)
    blind.set_validation(validation)
    blind.fit(train, seed=1)
    assert blind.best_epoch in memorising
    assert "privacy_loss_start" not in blind.history
    # Every snapshot copies: the least leaky is kept, and the log says why.
    model = PlantedSnapshots(founder_rows, range(10, 61, 10), start, **settings)
    model.set_validation(validation)
    with caplog.at_level("WARNING", logger="artgen"):
        model.fit(train, seed=1)
    assert "(nor, for the start set, its privacy loss and attack AUC - 0.5)" in caplog.text


def test_validation_set_is_checked():
    model = PlantedSnapshots(founder_rows, (), epochs=10, snapshot_every=10)
    with pytest.raises(InputError, match="validation set has 1 haplotypes"):
        model.set_validation(np.zeros((1, 60), np.uint8))
    model.set_validation(np.zeros((4, 50), np.uint8))
    with pytest.raises(InputError, match="validation set has 50 SNPs; the training matrix has 60"):
        model.fit(founder_rows(40, np.random.default_rng(0)), seed=0)
    with pytest.raises(InputError, match="privacy_tolerance"):
        PlantedSnapshots(founder_rows, (), epochs=10, snapshot_every=10, privacy_tolerance=-0.1)
