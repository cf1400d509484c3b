"""Unphased data through the models: two allele columns per SNP (the paper's
Methods), from training to an unphased VCF of artificial individuals."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys

import numpy as np
import pytest

from artgen.errors import InputError
from artgen.genotypes import genotype_rows, haplotype_rows
from artgen.haplotypes import Haplotypes
from artgen.io import load_haplotypes, read_vcf, save_haplotypes
from artgen.models import load_generator

from conftest import REPO

# Two individuals, three SNPs: S1 is 0/1, 1/1, 1/0; S2 is 0/1, 0/0, 1/0.
PAIRS = np.array([[0, 1, 1],
                  [1, 1, 0],
                  [0, 0, 1],
                  [1, 0, 0]], dtype=np.uint8)
IDS = ["S1_A", "S1_B", "S2_A", "S2_B"]
GENOTYPES = np.array([[0, 1, 1, 1, 0, 1],
                      [0, 1, 0, 0, 0, 1]], dtype=np.uint8)


def test_genotype_rows_by_hand():
    out = genotype_rows(PAIRS, IDS)
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out, GENOTYPES)


def test_a_het_gives_one_row_whatever_its_allele_order():
    assert genotype_rows([[1], [0]], ["S_A", "S_B"]).tolist() == [[0, 1]]
    assert genotype_rows([[0], [1]], ["S_A", "S_B"]).tolist() == [[0, 1]]


def test_sample_names_may_hold_underscores():
    assert genotype_rows([[1], [1]], ["HG_01_A", "HG_01_B"]).tolist() == [[1, 1]]


def test_haplotype_rows_by_hand():
    out = haplotype_rows(GENOTYPES)
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out, [[0, 1, 0], [1, 1, 1], [0, 0, 0], [1, 0, 1]])


def test_round_trips():
    # Genotype rows come back unchanged; haplotype pairs come back with each
    # SNP's alleles in canonical order, the same genotype (allele count).
    np.testing.assert_array_equal(genotype_rows(haplotype_rows(GENOTYPES), IDS), GENOTYPES)
    back = haplotype_rows(genotype_rows(PAIRS, IDS))
    np.testing.assert_array_equal(back[0::2] + back[1::2], PAIRS[0::2] + PAIRS[1::2])
    assert (back[0::2] <= back[1::2]).all()


def test_rows_not_in_pairs_of_one_sample_are_refused_naming_the_first():
    with pytest.raises(InputError, match="'S1_A' and 'S2_A' are not the two alleles"):
        genotype_rows(PAIRS, ["S1_A", "S2_A", "S2_B", "S1_B"])


def test_an_odd_row_count_is_refused_naming_the_unpaired_row():
    with pytest.raises(InputError, match=r"got 3 rows, the last \('S2_A'\) without its pair"):
        genotype_rows(PAIRS[:3], IDS[:3])


def test_ids_must_match_the_rows():
    with pytest.raises(InputError, match="2 ids for 4 haplotype rows"):
        genotype_rows(PAIRS, IDS[:2])


def test_an_odd_column_count_is_refused():
    with pytest.raises(InputError, match="two columns per SNP; got 3 columns"):
        haplotype_rows([[0, 1, 1]])


# --- the command line ------------------------------------------------------------------------

N_SNPS = 20


@pytest.fixture(scope="module")
def unphased(tmp_path_factory):
    """100 unphased individuals at 20 SNPs of varied frequency (each
    individual's two rows in random allele order), saved as a panel split."""
    folder = tmp_path_factory.mktemp("unphased")
    rng = np.random.default_rng(3)
    freq = rng.uniform(0.1, 0.9, N_SNPS)
    alleles = (rng.random((200, N_SNPS)) < freq).astype(np.uint8)
    h = Haplotypes.build(alleles, chrom=np.full(N_SNPS, "1"), pos=np.arange(1, N_SNPS + 1) * 100,
                         ref=np.full(N_SNPS, "A"), alt=np.full(N_SNPS, "G"),
                         ids=[f"S{i // 2}_{'AB'[i % 2]}" for i in range(200)],
                         pops=np.full(200, "P"), super_pops=np.full(200, "SP"))
    save_haplotypes(h, folder / "train.npz")
    return folder, h


def artgen(*args):
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    return subprocess.run([sys.executable, "-m", "artgen", *map(str, args)],
                          capture_output=True, text=True, env=env)


def vcf_genotypes(path) -> list[str]:
    with gzip.open(path, "rt") as f:
        return [gt for line in f if not line.startswith("#") for gt in line.split("\t")[9:]]


def train_and_sample(folder, model, n, *settings):
    """Train ``model`` with --unphased, sample ``n`` haplotypes with
    --unphased; returns the training log and the AGs."""
    trained = artgen("train", "--model", model, "--data", folder / "train.npz",
                     "--set", *settings, "--threads", "1", "--unphased",
                     "--out", folder / f"{model}.npz")
    assert trained.returncode == 0, trained.stderr
    sampled = artgen("sample", "--model-file", folder / f"{model}.npz", "--like",
                     folder / "train.npz", "--n", n, "--seed", 1, "--unphased",
                     "--out", folder / f"{model}.ags.npz",
                     "--vcf-out", folder / f"{model}.vcf.gz")
    assert sampled.returncode == 0, sampled.stderr
    return trained.stderr, load_haplotypes(folder / f"{model}.ags.npz")


def check_unphased_vcf(path, ags):
    """The VCF holds the AGs as n/2 unphased individuals."""
    genotypes = vcf_genotypes(path)
    assert genotypes and all("/" in gt and "|" not in gt for gt in genotypes)
    back = read_vcf(path, phased=False)
    assert len(back.samples[0::2]) == ags.n_haplotypes // 2
    np.testing.assert_array_equal(back.alleles[0::2] + back.alleles[1::2],
                                  ags.alleles[0::2] + ags.alleles[1::2])


def test_bernoulli_trains_on_allele_columns_and_keeps_frequencies(unphased):
    folder, data = unphased
    log, ags = train_and_sample(folder, "bernoulli", 2000)
    assert f"on 100 individuals x {2 * N_SNPS} allele columns" in log
    assert load_generator(folder / "bernoulli.npz").sample(3, seed=0).shape == (3, 2 * N_SNPS)
    assert ags.n_haplotypes == 2000 and ags.n_snps == N_SNPS
    assert ags.ids[:4].tolist() == ["AG000001_A", "AG000001_B", "AG000002_A", "AG000002_B"]
    check_unphased_vcf(folder / "bernoulli.vcf.gz", ags)
    # 2000 AG haplotypes: the frequency's standard error is at most 0.011.
    np.testing.assert_allclose(ags.alleles.mean(axis=0), data.alleles.mean(axis=0), atol=0.06)


def test_gan_trains_and_samples_unphased(unphased):
    folder, _ = unphased
    log, ags = train_and_sample(folder, "gan", 20, "latent_size=8", "batch_size=16", "epochs=5",
                                "snapshot_every=5", "snapshot_size=100")
    assert f"on 100 individuals x {2 * N_SNPS} allele columns" in log
    assert load_generator(folder / "gan.npz").sample(3, seed=0).shape == (3, 2 * N_SNPS)
    assert ags.n_haplotypes == 20
    check_unphased_vcf(folder / "gan.vcf.gz", ags)


def test_copying_model_takes_the_map_twice_per_snp(unphased):
    folder, _ = unphased
    _, ags = train_and_sample(folder, "copying", 10)
    assert ags.n_haplotypes == 10 and ags.n_snps == N_SNPS


def test_sampling_an_unphased_model_without_the_flag_fails_and_writes_nothing(unphased):
    folder, _ = unphased
    model = folder / "bern2.npz"
    assert artgen("train", "--model", "bernoulli", "--data", folder / "train.npz",
                  "--unphased", "--out", model).returncode == 0
    out = folder / "refused"
    result = artgen("sample", "--model-file", model, "--like", folder / "train.npz",
                    "--seed", 1, "--out", out / "ags.npz", "--vcf-out", out / "ags.vcf.gz")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert f"model has {2 * N_SNPS} SNPs" in last and f"has {N_SNPS}" in last
    assert "--unphased" in last
    assert not out.exists() or not any(out.iterdir())


def test_unphased_sampling_needs_an_even_count_and_an_unphased_model(unphased):
    folder, _ = unphased
    phased_model = folder / "phased.npz"
    assert artgen("train", "--model", "bernoulli", "--data", folder / "train.npz",
                  "--out", phased_model).returncode == 0
    out = folder / "refused_too"
    odd = artgen("sample", "--model-file", phased_model, "--like", folder / "train.npz",
                 "--n", 7, "--seed", 1, "--unphased", "--out", out / "a.npz")
    assert odd.returncode == 2 and "must be even, got 7" in odd.stderr
    wrong = artgen("sample", "--model-file", phased_model, "--like", folder / "train.npz",
                   "--seed", 1, "--unphased", "--out", out / "b.npz")
    assert wrong.returncode == 2
    assert f"model has {N_SNPS} allele columns" in wrong.stderr
    assert not out.exists() or not any(out.iterdir())


def test_unphased_training_refuses_rows_not_in_pairs(tmp_path, unphased):
    _, data = unphased
    shuffled = data.take_haplotypes(np.r_[1:200, 0])
    save_haplotypes(shuffled, tmp_path / "bad.npz")
    result = artgen("train", "--model", "bernoulli", "--data", tmp_path / "bad.npz",
                    "--unphased", "--out", tmp_path / "m.npz")
    assert result.returncode == 2
    assert "'S0_B' and 'S1_A' are not the two alleles" in result.stderr
    assert not (tmp_path / "m.npz").exists()
