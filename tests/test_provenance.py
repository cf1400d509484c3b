"""Provenance records: every saved model and AG file has one beside it, with
the versions, the command, the seed and the training data's digest; the
data files themselves stay byte-identical from run to run."""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from artgen import __version__, provenance
from artgen.cli import main
from artgen.errors import InputError
from artgen.haplotypes import Haplotypes
from artgen.io import save_haplotypes
from artgen.models import load_generator, make_generator

N_SNPS = 20


def haplotypes(seed: int = 0, n: int = 40) -> Haplotypes:
    rng = np.random.default_rng(seed)
    return Haplotypes.build((rng.random((n, N_SNPS)) < 0.3).astype(np.uint8),
                            chrom=["1"] * N_SNPS, pos=np.arange(1, N_SNPS + 1) * 100,
                            ref=["A"] * N_SNPS, alt=["G"] * N_SNPS,
                            ids=[f"S{i // 2}_{'AB'[i % 2]}" for i in range(n)])


def train_and_sample(folder, data, seed: int = 3):
    """Train a Bernoulli model on ``data`` and draw AGs from it into ``folder``."""
    folder.mkdir(exist_ok=True)
    save_haplotypes(data, folder / "train.npz")
    assert main(["train", "--model", "bernoulli", "--data", str(folder / "train.npz"),
                 "--seed", str(seed), "--out", str(folder / "m.npz")]) == 0
    assert main(["sample", "--model-file", str(folder / "m.npz"), "--like",
                 str(folder / "train.npz"), "--seed", "5", "--out", str(folder / "ags.npz"),
                 "--vcf-out", str(folder / "ags.vcf.gz"), "--hapt-out",
                 str(folder / "ags.hapt")]) == 0


# --------------------------------------------------------------------------- the records

def test_a_trained_model_records_versions_model_seed_data_command_and_date(tmp_path):
    data = haplotypes()
    train_and_sample(tmp_path, data)
    record = provenance.read(tmp_path / "m.npz")
    assert record["artgen"] == __version__ and record["format"] == provenance.FORMAT
    assert record["model"] == "bernoulli"
    assert record["settings"] == load_generator(tmp_path / "m.npz").settings()
    assert record["seed"] == 3
    assert record["training_data"] == {
        "sha256": provenance.data_digest(data.alleles, data.pos, data.chrom),
        "n_haplotypes": 40, "n_snps": N_SNPS}
    assert record["command"] == "artgen train"
    assert record["arguments"]["data"] == str(tmp_path / "train.npz")
    assert record["arguments"]["out"] == str(tmp_path / "m.npz")
    date = datetime.fromisoformat(record["date"])
    assert date.utcoffset() == timedelta(0)
    assert abs(datetime.now(timezone.utc) - date) < timedelta(minutes=5)
    assert record["file"] == {"name": "m.npz",
                              "sha256": provenance.file_digest(tmp_path / "m.npz")}


def test_every_ag_file_records_the_model_it_was_drawn_from(tmp_path):
    train_and_sample(tmp_path, haplotypes())
    model = provenance.read(tmp_path / "m.npz")
    for name in ("ags.npz", "ags.vcf.gz", "ags.hapt"):
        record = provenance.read(tmp_path / name)
        assert record["command"] == "artgen sample" and record["seed"] == 5
        assert record["draw"] == 0 and record["artgen"] == __version__
        assert record["file"]["name"] == name
        assert record["models"] == [model]
        assert model["model"] == "bernoulli" and model["seed"] == 3


def test_a_model_without_a_record_still_gives_its_name_and_settings(tmp_path):
    train_and_sample(tmp_path, haplotypes())
    provenance.sidecar(tmp_path / "m.npz").unlink()
    assert main(["sample", "--model-file", str(tmp_path / "m.npz"), "--like",
                 str(tmp_path / "train.npz"), "--seed", "1", "--out",
                 str(tmp_path / "more.npz")]) == 0
    [drawn_from] = provenance.read(tmp_path / "more.npz")["models"]
    assert drawn_from["model"] == "bernoulli" and "seed" not in drawn_from
    assert drawn_from["file"]["sha256"] == provenance.file_digest(tmp_path / "m.npz")


def test_a_model_saved_outside_the_cli_has_a_record_with_no_seed(tmp_path):
    model = make_generator("bernoulli").fit(haplotypes().alleles)
    model.save(tmp_path / "m.npz")
    record = provenance.read(tmp_path / "m.npz")
    assert record["model"] == "bernoulli" and record["seed"] is None
    assert record["training_data"] is None and record["command"] is None


# --------------------------------------------------------------------------- the digest

def test_the_digest_changes_with_the_training_data_and_only_with_it():
    data = haplotypes()
    digest = provenance.data_digest(data.alleles, data.pos, data.chrom)
    # The same values in another dtype, layout or container.
    assert provenance.data_digest(np.asfortranarray(data.alleles.astype(np.int64)),
                                  data.pos.tolist(), list(data.chrom)) == digest
    flipped = data.alleles.copy()
    flipped[3, 7] ^= 1
    moved = data.pos.copy()
    moved[-1] += 1
    others = [provenance.data_digest(flipped, data.pos, data.chrom),
              provenance.data_digest(data.alleles, moved, data.chrom),
              provenance.data_digest(data.alleles, data.pos, ["2"] * N_SNPS),
              provenance.data_digest(data.alleles[:-2], data.pos, data.chrom),
              provenance.data_digest(data.alleles)]
    assert digest not in others and len(set(others)) == len(others)


def test_retraining_on_other_data_changes_the_digest_and_not_otherwise(tmp_path):
    train_and_sample(tmp_path / "a", haplotypes(0))
    train_and_sample(tmp_path / "b", haplotypes(0), seed=4)
    train_and_sample(tmp_path / "c", haplotypes(1))
    a, b, c = (provenance.read(tmp_path / run / "m.npz")["training_data"]["sha256"]
               for run in "abc")
    assert a == b != c


# --------------------------------------------------------------------------- reruns

def test_reruns_give_byte_identical_files_and_records_that_differ_in_the_date_only(tmp_path):
    names = ("m.npz", "ags.npz", "ags.vcf.gz", "ags.hapt")
    run = tmp_path / "run"
    train_and_sample(run, haplotypes())
    first = {name: ((run / name).read_bytes(), provenance.read(run / name)) for name in names}
    train_and_sample(run, haplotypes())
    for name in names:
        data, record = first[name]
        assert (run / name).read_bytes() == data, name
        assert without_dates(provenance.read(run / name)) == without_dates(record), name


def without_dates(record):
    """A record with its date removed at every depth: a sample's record nests its model's."""
    if isinstance(record, dict):
        return {k: without_dates(v) for k, v in record.items() if k != "date"}
    if isinstance(record, list):
        return [without_dates(v) for v in record]
    return record


# --------------------------------------------------------------------------- reading

def test_read_takes_the_file_or_its_record(tmp_path):
    train_and_sample(tmp_path, haplotypes())
    assert provenance.read(provenance.sidecar(tmp_path / "m.npz")) == \
        provenance.read(tmp_path / "m.npz")


def test_read_refuses_a_record_of_another_file(tmp_path):
    train_and_sample(tmp_path / "a", haplotypes(0))
    train_and_sample(tmp_path / "b", haplotypes(1))
    shutil.copy(tmp_path / "b" / "m.npz", tmp_path / "a" / "m.npz")
    with pytest.raises(InputError, match="describes another file"):
        provenance.read(tmp_path / "a" / "m.npz")


def test_read_refuses_a_missing_or_damaged_record(tmp_path):
    train_and_sample(tmp_path, haplotypes())
    with pytest.raises(InputError, match="no provenance record"):
        provenance.read(tmp_path / "train.npz")
    record = provenance.sidecar(tmp_path / "m.npz")
    record.write_text("{not json")
    with pytest.raises(InputError, match="not a provenance record"):
        provenance.read(tmp_path / "m.npz")
    record.write_text(json.dumps(["a list"]))
    with pytest.raises(InputError, match="not a provenance record"):
        provenance.read(tmp_path / "m.npz")


def test_a_failed_record_leaves_neither_file(tmp_path, monkeypatch):
    model = make_generator("bernoulli").fit(haplotypes().alleles)

    def fail(path, fields):
        raise OSError("disk full")

    monkeypatch.setattr(provenance, "write", fail)
    with pytest.raises(OSError, match="disk full"):
        model.save(tmp_path / "m.npz")
    assert not list(tmp_path.iterdir())
