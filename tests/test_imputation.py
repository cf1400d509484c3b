"""Imputation with Beagle 5, run for real on a small coalescent simulation:
the array subset, Beagle's output as read back, the quality table per MAF
bin, and the errors for inputs Beagle cannot take."""

from __future__ import annotations

import os
from pathlib import Path
import stat

import msprime
import numpy as np
import pandas as pd
import pytest

from artgen.errors import InputError
from artgen.haplotypes import Haplotypes, haplotype_ids
from artgen.beagle import BeagleError, Imputed, beagle_command, run_beagle
from artgen.imputation import (MISSING, array_sites, combine_panels, estimated_r2, impute_and_score,
                               impute_from_model_and_score, model_imputation)
from artgen.imputation_quality import (CLASS_COLUMNS, QUALITY_COLUMNS, imputation_quality,
                                       maf_class_quality, relative_to_real)

N_REF, N_TARGETS = 100, 10   # diploid samples
DENSITY = 0.2
SEED = 11


def overall_r2(table: pd.DataFrame) -> float:
    """Mean per-site r2 over all scored sites of a quality table."""
    return float((table.r2.fillna(0) * table.n_r2).sum() / table.n_r2.sum())


def minor_allele_frequency(h: Haplotypes) -> np.ndarray:
    p = h.alleles.mean(axis=0)
    return np.minimum(p, 1 - p)


@pytest.fixture(scope="module")
def population():
    """One simulated population, 0.5 Mb: 100 reference and 10 target
    individuals (about 500 biallelic SNPs, nucleotides drawn at random)."""
    ts = msprime.sim_ancestry(N_REF + N_TARGETS, population_size=10_000,
                              sequence_length=500_000, recombination_rate=1e-8, random_seed=SEED)
    ts = msprime.sim_mutations(ts, rate=4e-9, random_seed=SEED,
                               model=msprime.BinaryMutationModel())
    alleles = ts.genotype_matrix().T
    n = alleles.shape[1]
    rng = np.random.default_rng(SEED)
    ref = rng.choice(list("ACGT"), size=n)
    alt = np.array([rng.choice([b for b in "ACGT" if b != r]) for r in ref])
    ids = haplotype_ids([f"ref{i}" for i in range(N_REF)] + [f"tgt{i}" for i in range(N_TARGETS)])
    h = Haplotypes.build(alleles, chrom=["20"] * n, pos=ts.sites_position.astype(np.int64) + 1,
                         ref=ref, alt=alt, ids=ids)
    reference = h.take_haplotypes(slice(0, 2 * N_REF))
    targets = h.take_haplotypes(slice(2 * N_REF, None))
    return reference, targets


@pytest.fixture(scope="module")
def imputed(population, tmp_path_factory):
    reference, targets = population
    typed = array_sites(targets.pos, DENSITY)
    workdir = tmp_path_factory.mktemp("beagle")
    return run_beagle(reference, targets, typed, workdir, seed=1, memory_gb=1), typed, workdir


def genotypes(h: Haplotypes) -> np.ndarray:
    return h.alleles[0::2].astype(np.float64) + h.alleles[1::2]


# ----------------------------------------------------------- array sites

def test_array_sites_spread_evenly_and_deterministic():
    pos = np.arange(1, 1001) * 100
    typed = array_sites(pos, 0.1)
    assert typed.dtype == bool and typed.shape == (1000,)
    assert typed.sum() == 100 and typed[0] and typed[-1]
    gaps = np.diff(np.flatnonzero(typed))
    assert gaps.min() >= 10 and gaps.max() <= 11
    assert np.array_equal(typed, array_sites(pos, 0.1))


def test_array_sites_keeps_at_least_two_and_all_at_density_one():
    pos = np.arange(10, 510, 10)
    assert array_sites(pos, 0.001).nonzero()[0].tolist() == [0, 49]
    assert array_sites(pos, 1.0).all()


@pytest.mark.parametrize("pos, density, message", [
    ([10, 20, 30], 0.0, "density must be in"),
    ([10, 20, 30], 1.5, "density must be in"),
    ([10, 20, 30], float("nan"), "density must be in"),
    ([10], 0.5, "at least 2 sites"),
    ([10, 20, 20, 30], 0.5, "duplicated position at site 2"),
    ([10, 30, 20], 0.5, "positions not increasing"),
])
def test_array_sites_rejects_bad_input(pos, density, message):
    with pytest.raises(InputError, match=message):
        array_sites(pos, density)


# ------------------------------------------------------------ Beagle runs

def test_beagle_imputes_common_sites_well(population, imputed):
    reference, targets = population
    result, typed, _ = imputed
    maf = minor_allele_frequency(reference)
    table = imputation_quality(targets, result, maf)
    assert list(table.columns) == QUALITY_COLUMNS
    common = table[table.maf_lo >= 0.05]
    mean_r2 = (common.r2 * common.n_r2).sum() / common.n_r2.sum()
    assert mean_r2 > 0.7
    assert common.n_r2.sum() > 100


def test_beagle_output_matches_panel_and_reproduces_typed_sites(population, imputed):
    reference, targets = population
    result, typed, workdir = imputed
    assert isinstance(result, Imputed)
    assert list(result.samples) == [f"tgt{i}" for i in range(N_TARGETS)]
    assert np.array_equal(result.pos, reference.pos) and np.array_equal(result.alt, reference.alt)
    assert result.dosage.shape == (N_TARGETS, reference.n_snps)
    assert result.haplotype_dosage.shape == (2 * N_TARGETS, reference.n_snps)
    assert np.array_equal(result.imputed, ~typed)
    assert np.array_equal(result.dosage[:, typed], genotypes(targets)[:, typed])
    # Both haplotype doses add up to the dosage (each written to 2 decimals).
    pair_sum = result.haplotype_dosage[0::2] + result.haplotype_dosage[1::2]
    assert np.abs(pair_sum - result.dosage).max() <= 0.021
    assert ((result.dosage >= 0) & (result.dosage <= 2)).all()
    assert np.isfinite(result.dr2).all() and ((result.dr2 >= 0) & (result.dr2 <= 1)).all()
    assert result.dr2[result.imputed].std() > 0
    for name in ("reference.vcf.gz", "targets.vcf.gz", "imputed.vcf.gz", "imputed.vcf.gz.tbi",
                 "imputed.log", "beagle_console.log"):
        assert (workdir / name).exists(), name


def test_java_heap_is_set(imputed):
    _, _, workdir = imputed
    # Beagle echoes its heap in the log: memory_gb=1 -> 1024 MiB.
    assert "java -Xmx1024m -jar" in (workdir / "imputed.log").read_text()


def test_same_seed_same_output(population, imputed, tmp_path):
    reference, targets = population
    first, typed, _ = imputed
    again = run_beagle(reference, targets, typed, tmp_path, seed=1, memory_gb=1)
    for field in ("dosage", "haplotype_dosage", "dr2", "imputed"):
        assert np.array_equal(getattr(first, field), getattr(again, field), equal_nan=True), field


def test_larger_panel_imputes_better(population, tmp_path):
    """The paper's ordering in miniature: more haplotypes of the targets'
    population in the panel give better imputation."""
    reference, targets = population
    maf = minor_allele_frequency(reference)
    full = impute_and_score(reference, targets, density=DENSITY, maf=maf,
                            workdir=tmp_path / "full", seed=3).bins
    tiny = impute_and_score(reference.take_haplotypes(slice(0, 10)), targets, density=DENSITY,
                            maf=maf, workdir=tmp_path / "tiny", seed=3).bins
    for table in (full, tiny):
        assert len(table) == 10 and table.snp_share.sum() == pytest.approx(1.0)
        assert table.n_snps.sum() == targets.n_snps - array_sites(targets.pos, DENSITY).sum()
    assert overall_r2(full) > overall_r2(tiny) + 0.2
    assert np.nanmean(full.dr2) > np.nanmean(tiny.dr2)


def test_beagle_failure_quotes_its_error(population, tmp_path):
    reference, targets = population
    j = 40
    bad_alt = reference.alt.copy()
    bad_alt[j] = reference.ref[j]      # REF == ALT: passes our checks, Beagle refuses it
    bad = Haplotypes(reference.alleles, reference.chrom, reference.pos, reference.ref, bad_alt,
                     reference.ids, reference.pops, reference.super_pops)
    bad_targets = Haplotypes(targets.alleles, targets.chrom, targets.pos, targets.ref, bad_alt,
                             targets.ids, targets.pops, targets.super_pops)
    typed = array_sites(targets.pos, DENSITY)
    with pytest.raises(BeagleError, match=f"duplicate allele at 20:{reference.pos[j]}") as info:
        run_beagle(bad, bad_targets, typed, tmp_path, seed=1, memory_gb=1)
    assert isinstance(info.value, RuntimeError)
    assert "exit status 1" in str(info.value) and "beagle_console.log" in str(info.value)
    assert not (tmp_path / "imputed.vcf.gz").exists()


def test_wrapper_without_jar_gets_heap_from_java_options(population, tmp_path, monkeypatch):
    """A wrapper that does not name its jar (as Bioconda's) is run as is, with
    the heap in _JAVA_OPTIONS."""
    reference, targets = population
    folder = tmp_path / "bin"
    folder.mkdir()
    real = beagle_command(1)[0]
    wrapper = folder / "beagle"
    wrapper.write_text("#!/bin/sh\nexec \"$BEAGLE_JAVA\" -jar \"$BEAGLE_JAR\" \"$@\"\n")
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("BEAGLE_JAVA", real[0])
    monkeypatch.setenv("BEAGLE_JAR", real[-1])
    monkeypatch.delenv("_JAVA_OPTIONS", raising=False)
    command, env = beagle_command(3)
    assert command == [str(wrapper)] and env == {"_JAVA_OPTIONS": "-Xmx3g"}
    typed = array_sites(targets.pos, DENSITY)
    run_beagle(reference.take_haplotypes(slice(0, 20)), targets, typed, tmp_path / "run",
               seed=1, memory_gb=1)
    assert "java -Xmx1024m -jar" in (tmp_path / "run" / "imputed.log").read_text()


def test_debian_wrapper_resolves_to_its_jar():
    command, env = beagle_command(2)
    assert command[1:3] == ["-Xmx2g", "-jar"] and command[3].endswith(".jar") and env == {}


# ------------------------------------------------------ bad Beagle inputs

def _with(h: Haplotypes, **fields) -> Haplotypes:
    values = {f: getattr(h, f) for f in h.__dataclass_fields__}
    values.update(fields)
    return Haplotypes(**values)


def _bad_inputs(reference: Haplotypes, targets: Haplotypes):
    n = reference.n_snps
    shifted = reference.pos + 1_000_000
    two_chroms = np.where(np.arange(n) < n // 2, "20", "21")
    dup = reference.pos.copy()
    dup[5] = dup[4]
    other_alt = reference.alt.copy()
    other_alt[7] = next(b for b in "ACGT" if b not in (reference.ref[7], reference.alt[7]))
    typed = array_sites(reference.pos, DENSITY)
    swapped_ids = reference.ids.copy()
    swapped_ids[[1, 2]] = swapped_ids[[2, 1]]
    twice = combine_panels(reference.take_haplotypes(slice(0, 4)),
                           _with(reference.take_haplotypes(slice(4, 6)),
                                 ids=np.array(["ref0_X", "ref0_Y"])))
    return {
        "no overlap": (reference, _with(targets, pos=shifted), typed, "no overlapping sites"),
        "different SNP": (reference, _with(targets, alt=other_alt), typed,
                          "same SNPs in the same order.*first difference at SNP 7"),
        "fewer SNPs": (reference, targets.take_snps(slice(0, n - 3)), typed[: n - 3],
                       f"reference has {n} SNPs, targets {n - 3}"),
        "two chromosomes": (_with(reference, chrom=two_chroms), _with(targets, chrom=two_chroms),
                            typed, "one chromosome at a time"),
        "duplicated position": (_with(reference, pos=dup), _with(targets, pos=dup), typed,
                                "duplicated position at site 5"),
        "odd targets": (reference, targets.take_haplotypes(slice(0, 5)), typed,
                        "targets: 5 haplotypes, an odd number"),
        "unpaired ids": (_with(reference, ids=swapped_ids), targets, typed,
                         "reference: haplotypes 'ref0_A' and 'ref1_A' are not the two"),
        "repeated sample": (twice, targets, typed, "sample 'ref0' appears more than once"),
        "typed wrong length": (reference, targets, typed[:-1], "boolean mask of the"),
        "typed not bool": (reference, targets, np.flatnonzero(typed), "boolean mask of the"),
        "nothing typed": (reference, targets, np.zeros(n, bool), "typed marks no site"),
    }


BAD_CASES = ["no overlap", "different SNP", "fewer SNPs", "two chromosomes",
             "duplicated position", "odd targets", "unpaired ids", "repeated sample",
             "typed wrong length", "typed not bool", "nothing typed"]


@pytest.mark.parametrize("case", BAD_CASES)
def test_bad_input_is_rejected_before_beagle_runs(population, tmp_path, case):
    reference, targets, typed, message = _bad_inputs(*population)[case]
    with pytest.raises(InputError, match=message):
        run_beagle(reference, targets, typed, tmp_path, seed=1)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("setting, message", [
    ({"threads": 0}, "threads must be"), ({"memory_gb": 0}, "memory_gb must be"),
    ({"memory_gb": 1.5}, "memory_gb must be"), ({"ne": -5}, "ne must be"),
])
def test_bad_settings_are_rejected(population, tmp_path, setting, message):
    reference, targets = population
    with pytest.raises(InputError, match=message):
        run_beagle(reference, targets, array_sites(targets.pos, 0.5), tmp_path, seed=1, **setting)


# --------------------------------------------------------------- quality

def _toy(n_samples=4, n_snps=6):
    """Truth and a hand-made Imputed: sites 0 and 5 typed, the rest imputed."""
    rng = np.random.default_rng(0)
    alleles = rng.integers(0, 2, size=(2 * n_samples, n_snps), dtype=np.uint8)
    alleles[:, 1] = [0, 1, 0, 0, 1, 1, 0, 0]      # genotypes 1, 0, 2, 0
    alleles[:, 2] = [0, 0, 0, 1, 0, 0, 0, 0]      # genotypes 0, 1, 0, 0
    alleles[:, 3] = 1                             # site 3: no variance in the truth
    alleles[:, 4] = [0, 0, 0, 1, 1, 1, 1, 1]      # genotypes 0, 1, 2, 2
    pos = np.arange(1, n_snps + 1) * 100
    truth = Haplotypes.build(alleles, chrom=["1"] * n_snps, pos=pos, ref=["A"] * n_snps,
                             alt=["C"] * n_snps,
                             ids=haplotype_ids([f"S{i}" for i in range(n_samples)]))
    g = genotypes(truth)
    dosage = g.copy()
    dosage[:, 4] = 1.0                            # constant dosage where the truth varies
    imputed = Imputed(samples=truth.samples[0::2], chrom=truth.chrom, pos=truth.pos,
                      ref=truth.ref, alt=truth.alt, dosage=dosage,
                      haplotype_dosage=truth.alleles.astype(float),
                      dr2=np.array([1.0, 0.9, 0.7, np.nan, 0.2, 1.0]),
                      imputed=np.array([False, True, True, True, True, False]), log=None)
    return truth, imputed


def test_quality_bins_sites_and_scores_them():
    truth, imputed = _toy()
    # MAFs at the bin edges go up: 0.05 is in [0.05, 0.10), 0.15 in [0.15, 0.20), 0.5 in the last.
    maf = np.array([0.3, 0.05, 0.0, 0.15, 0.5, 0.01])
    table = imputation_quality(truth, imputed, maf)
    assert np.allclose(table.maf_lo, np.arange(10) * 0.05)
    assert np.allclose(table.maf_hi, np.arange(1, 11) * 0.05)
    assert table.n_snps.tolist() == [1, 1, 0, 1, 0, 0, 0, 0, 0, 1]   # typed sites left out
    assert table.snp_share.sum() == pytest.approx(1.0) and table.snp_share[0] == 0.25
    assert table.r2[1] == pytest.approx(1.0) and table.r2[0] == pytest.approx(1.0)
    assert table.r2[9] == 0.0                     # constant dosage, varying truth
    assert table.n_r2[3] == 0 and np.isnan(table.r2[3])   # no variance in truth: counted, unscored
    assert np.isnan(table.dr2[3]) and table.dr2[0] == pytest.approx(0.7)
    assert table.n_snps[2] == 0 and np.isnan(table.r2[2]) and np.isnan(table.dr2[2])


def test_quality_r2_is_squared_pearson_correlation():
    truth, imputed = _toy()
    g = genotypes(truth)
    noisy = g + np.random.default_rng(1).normal(0, 0.4, size=g.shape)
    imputed = _with_imputed(imputed, dosage=noisy)
    table = imputation_quality(truth, imputed, np.full(truth.n_snps, 0.2), n_bins=1)
    expected = np.mean([np.corrcoef(noisy[:, j], g[:, j])[0, 1] ** 2 for j in (1, 2, 4)])
    assert table.r2[0] == pytest.approx(expected)
    assert table.n_r2[0] == 3 and table.n_snps[0] == 4
    assert table.dr2[0] == pytest.approx(np.mean([0.9, 0.7, 0.2]))


def _with_imputed(result: Imputed, **fields) -> Imputed:
    values = {f: getattr(result, f) for f in result.__dataclass_fields__}
    values.update(fields)
    return Imputed(**values)


@pytest.mark.parametrize("change, message", [
    (lambda t, i, m: (t, i, m[:-1]), "one value per SNP"),
    (lambda t, i, m: (t, i, np.where(np.arange(len(m)) == 2, 0.7, m)), "maf must be in"),
    (lambda t, i, m: (t, i, np.where(np.arange(len(m)) == 2, np.nan, m)), "maf must be in"),
    (lambda t, i, m: (t.take_snps(slice(0, 5)), i, m[:5]), "same SNPs"),
    (lambda t, i, m: (t.take_haplotypes(slice(0, 6)), i, m), "same samples"),
    (lambda t, i, m: (t, _with_imputed(i, imputed=np.zeros(6, bool)), m), "no imputed sites"),
])
def test_quality_rejects_bad_input(change, message):
    truth, imputed = _toy()
    truth, imputed, maf = change(truth, imputed, np.full(6, 0.1))
    with pytest.raises(InputError, match=message):
        imputation_quality(truth, imputed, maf)


def test_maf_classes_score_all_sites_and_each_class():
    truth, imputed = _toy()
    g = genotypes(truth)
    noisy = g + np.random.default_rng(2).normal(0, 0.5, size=g.shape)
    imputed = _with_imputed(imputed, dosage=noisy)
    # imputed sites 1-4 with MAF 0.05 (edge: goes up to "> 5%"), 0.0, 0.009 and 0.01 (edge: 1-5%)
    maf = np.array([0.3, 0.05, 0.0, 0.009, 0.01, 0.2])
    table = maf_class_quality(truth, imputed, maf)
    assert list(table.columns) == CLASS_COLUMNS
    assert table.maf_class.tolist() == ["all", "<1%", "1-5%", ">5%"]
    assert table.n_snps.tolist() == [4, 2, 1, 1]
    r2 = {j: np.corrcoef(noisy[:, j], g[:, j])[0, 1] ** 2 for j in (1, 2, 4)}  # site 3: no variance
    assert table.r2[0] == pytest.approx(np.mean(list(r2.values())))
    assert table.r2[1] == pytest.approx(r2[2]) and table.n_r2[1] == 1     # site 3 unscored
    assert table.r2[2] == pytest.approx(r2[4]) and table.r2[3] == pytest.approx(r2[1])
    assert table.snp_share.tolist() == [1.0, 0.5, 0.25, 0.25]
    assert table.dr2[0] == pytest.approx(np.mean([0.9, 0.7, 0.2]))
    # the class table and the bin table are the same sites, scored alike
    bins = imputation_quality(truth, imputed, maf, n_bins=1)
    assert table.r2[0] == pytest.approx(bins.r2[0]) and table.n_r2[0] == bins.n_r2[0]
    custom = maf_class_quality(truth, imputed, maf, classes=[0, 0.1, 0.5])
    assert custom.maf_class.tolist() == ["all", "<10%", ">10%"] and custom.n_snps[1] == 4


@pytest.mark.parametrize("classes", [[0.01, 0.5], [0, 0.05, 0.05, 0.5], [0, 0.4], [0.5]])
def test_maf_classes_reject_bad_edges(classes):
    truth, imputed = _toy()
    with pytest.raises(InputError, match="MAF classes"):
        maf_class_quality(truth, imputed, np.full(6, 0.1), classes=classes)


def test_relative_to_real_divides_by_the_panel_each_reference_stands_in_for():
    rows = [(ref, c, r2) for ref, values in {
        "alone": (0.5, 0.2), "perfect": (0.8, 0.4), "train_only": (0.6, 0.0),
        "gan": (0.6, 0.3), "gan_only": (0.3, 0.1), "hmm_direct": (0.48, np.nan)}.items()
        for c, r2 in zip(("all", "<1%"), values)]
    table = relative_to_real(pd.DataFrame(rows, columns=["reference", "maf_class", "r2"]))
    got = table.set_index(["reference", "maf_class"])
    assert got.loc[("gan", "all"), "real_reference"] == "perfect"
    assert got.loc[("gan", "all"), "r2_vs_real"] == pytest.approx(0.75)
    assert got.loc[("alone", "<1%"), "r2_vs_real"] == pytest.approx(0.5)
    assert got.loc[("gan_only", "all"), "real_reference"] == "train_only"
    assert got.loc[("gan_only", "all"), "r2_vs_real"] == pytest.approx(0.5)
    assert got.loc[("hmm_direct", "all"), "r2_vs_real"] == pytest.approx(0.8)
    assert np.isnan(got.loc[("gan_only", "<1%"), "r2_vs_real"])    # the real panel's r2 is 0
    assert np.isnan(got.loc[("hmm_direct", "<1%"), "r2_vs_real"])
    assert got.loc[("perfect", "all"), "r2_vs_real"] == 1.0
    # a one-population cohort has no "perfect": the "+ AGs" panel is compared with train_only
    alone = relative_to_real(pd.DataFrame(
        [("train_only", "all", 0.6), ("gan_with_train", "all", 0.66)],
        columns=["reference", "maf_class", "r2"]))
    assert alone.real_reference.tolist() == ["train_only", "train_only"]
    assert alone.r2_vs_real[1] == pytest.approx(1.1)
    with pytest.raises(InputError, match="maf_class"):
        relative_to_real(pd.DataFrame({"reference": ["x"], "r2": [0.5]}))


def test_quality_rejects_bad_bins():
    truth, imputed = _toy()
    with pytest.raises(InputError, match="n_bins"):
        imputation_quality(truth, imputed, np.full(6, 0.1), n_bins=0)


# ---------------------------------------------------------------- panels

def test_combine_panels_stacks_haplotypes(population):
    reference, targets = population
    both = combine_panels(reference, targets)
    assert both.n_haplotypes == reference.n_haplotypes + targets.n_haplotypes
    assert np.array_equal(both.alleles[-targets.n_haplotypes:], targets.alleles)
    assert list(both.ids[-2:]) == ["tgt9_A", "tgt9_B"]
    with pytest.raises(InputError, match="more than one panel"):
        combine_panels(reference, reference.take_haplotypes(slice(0, 2)))
    with pytest.raises(InputError, match="panel 1 does not have the SNPs"):
        combine_panels(reference, targets.take_snps(slice(0, 10)))


# ------------------------------------------------------- a model as imputer

def test_estimated_r2_is_beagles_dr2(imputed):
    """Beagle's own DR2, recomputed from its per-haplotype dosages (AP1/AP2,
    which Beagle rounds to 2 decimals, as it rounds DR2)."""
    result, _, _ = imputed
    mine = estimated_r2(result.haplotype_dosage)
    sites = result.imputed & np.isfinite(result.dr2)
    assert sites.sum() > 100
    assert np.corrcoef(mine[sites], result.dr2[sites])[0, 1] > 0.99
    assert np.abs(mine[sites] - result.dr2[sites]).mean() < 0.03
    typed = ~result.imputed
    np.testing.assert_allclose(mine[typed], result.dr2[typed], atol=1e-9)


def test_estimated_r2_by_enumerating_genotypes():
    rng = np.random.default_rng(3)
    p = rng.random((12, 4))
    p[:, 3] = 0.3                     # every dose the same: no variance, DR2 0
    out = estimated_r2(p)
    for j in range(3):
        p1, p2 = p[0::2, j], p[1::2, j]
        probs = np.stack([(1 - p1) * (1 - p2), p1 * (1 - p2) + p2 * (1 - p1), p1 * p2], axis=1)
        dose, square = probs @ [0, 1, 2], probs @ [0, 1, 4]
        n = len(dose)
        expected = (np.sum(dose**2) - dose.sum()**2 / n) / (square.sum() - dose.sum()**2 / n)
        assert out[j] == pytest.approx(expected)
    assert out[3] == 0.0
    certain = np.array([[0, 1], [1, 1], [0, 1], [0, 1]], dtype=float)
    np.testing.assert_array_equal(estimated_r2(certain), [1.0, 0.0])
    for bad in (np.zeros((3, 2)), np.full((2, 2), 1.5), np.zeros(4)):
        with pytest.raises(InputError, match="haplotype dosages"):
            estimated_r2(bad)


class RecordingImputer:
    """Allele probabilities 0.25 + 0.5 * (typed neighbour count), recording its input."""

    def __init__(self, value=0.3, shape=None):
        self.value, self.shape, self.seen = value, shape, []

    def allele_probabilities(self, alleles, populations=None):
        self.seen.append((alleles.copy(), populations))
        return np.full(self.shape or alleles.shape, self.value)


def test_model_imputation_hides_untyped_sites_and_keeps_typed_ones(population):
    _, targets = population
    typed = array_sites(targets.pos, DENSITY)
    model = RecordingImputer(0.3)
    result = model_imputation(model, targets, typed, populations=["CEU"] * targets.n_haplotypes)
    given, pops = model.seen[0]
    assert pops == ["CEU"] * targets.n_haplotypes
    assert (given[:, ~typed] == MISSING).all()
    np.testing.assert_array_equal(given[:, typed], targets.alleles[:, typed])
    np.testing.assert_array_equal(result.haplotype_dosage[:, typed], targets.alleles[:, typed])
    assert (result.haplotype_dosage[:, ~typed] == 0.3).all()
    np.testing.assert_allclose(result.dosage, result.haplotype_dosage[0::2]
                               + result.haplotype_dosage[1::2])
    np.testing.assert_array_equal(result.imputed, ~typed)
    np.testing.assert_array_equal(result.samples, targets.samples[0::2])
    assert (result.dr2[~typed] == 0).all()           # constant dosages: no information
    table = imputation_quality(targets, result, minor_allele_frequency(targets))
    np.testing.assert_allclose(table.r2.fillna(0), 0, atol=1e-12)   # nor correlation with truth


@pytest.mark.parametrize("model, message", [
    (object(), "not an imputer"),
    (RecordingImputer(shape=(3, 3)), "allele probabilities of shape"),
    (RecordingImputer(1.5), "outside"),
])
def test_model_imputation_refuses_bad_models(population, model, message):
    _, targets = population
    with pytest.raises(InputError, match=message):
        model_imputation(model, targets, array_sites(targets.pos, DENSITY))


def test_a_hidden_markov_model_imputes_by_itself(population, imputed):
    """The HMM fitted on the reference panel imputes the targets from its
    posterior: far above a model without LD (r2 0), below Beagle."""
    from artgen.models.hmm import HMMGenerator

    reference, targets = population
    model = HMMGenerator(n_states=[32], iterations=20)
    model.set_map(reference.chrom, reference.pos)
    model.fit(reference.alleles, seed=1)
    maf = minor_allele_frequency(reference)
    table = impute_from_model_and_score(model, targets, density=DENSITY, maf=maf).bins
    assert list(table.columns) == QUALITY_COLUMNS
    direct = overall_r2(table)
    beagle = overall_r2(imputation_quality(targets, imputed[0], maf))
    assert 0.6 < direct < beagle
    # the dr2 column is Beagle's estimator on the model's own dosages, per bin
    typed = array_sites(targets.pos, DENSITY)
    dr2 = estimated_r2(model_imputation(model, targets, typed).haplotype_dosage)
    low_bin = ~typed & (maf < 0.05)
    assert table.dr2[0] == pytest.approx(dr2[low_bin].mean())
    assert ((table.dr2 >= 0) & (table.dr2 <= 1)).all() and table.dr2.max() > 0.2


# ------------------------------------------------------------ the command

def _relabel(h: Haplotypes, pop: str, prefix: str | None = None) -> Haplotypes:
    ids = h.ids if prefix is None else haplotype_ids(
        [f"{prefix}{i}" for i in range(h.n_haplotypes // 2)])
    return Haplotypes.build(h.alleles, chrom=h.chrom, pos=h.pos, ref=h.ref, alt=h.alt, ids=ids,
                            pops=[pop] * h.n_haplotypes)


@pytest.fixture(scope="module")
def split_files(population, tmp_path_factory):
    """The simulated population as the workflow's files: a panel whose
    "YRI" (40 individuals) are the other populations, 60 "CEU" training
    individuals, the 10 targets (CEU), and 30 artificial individuals."""
    from artgen.io import save_haplotypes

    reference, targets = population
    others = _relabel(reference.take_haplotypes(slice(0, 80)), "YRI")
    train = _relabel(reference.take_haplotypes(slice(80, 200)), "CEU")
    ags = _relabel(reference.take_haplotypes(slice(140, 200)), "CEU", prefix="AG")
    targets = _relabel(targets, "CEU")
    root = tmp_path_factory.mktemp("splits")
    files = {}
    for name, h in (("panel", combine_panels(others, train, targets)), ("train", train),
                    ("targets", targets), ("ags", ags)):
        files[name] = root / f"{name}.npz"
        save_haplotypes(h, files[name])
    return files, {"train": train, "targets": targets, "ags": ags}


def impute_args(files, reference, out, *extra):
    classes = Path(out).with_suffix(".classes.tsv")
    return ["impute", "--panel", str(files["panel"]), "--train", str(files["train"]),
            "--targets", str(files["targets"]), "--reference", reference, "--target", "CEU",
            "--density", str(DENSITY), "--panel-name", "dense", "--seed", "1", "--memory-gb",
            "1", "--out", str(out), "--classes-out", str(classes), *extra]


def test_impute_command_with_one_set_alone(split_files, tmp_path, caplog):
    from artgen.cli import main

    files, sets = split_files
    caplog.set_level("INFO", logger="artgen")
    out = tmp_path / "train_only.tsv"
    assert main(impute_args(files, "train_only", out, "--add-train", "--no-others")) == 0
    table = pd.read_csv(out, sep="\t")
    assert list(table.columns) == ["panel", "reference", "seed"] + QUALITY_COLUMNS
    assert set(table["reference"]) == {"train_only"}
    # the reference panel is exactly the training haplotypes
    maf = minor_allele_frequency(sets["train"])
    expected = impute_and_score(sets["train"], sets["targets"], density=DENSITY, maf=maf,
                                workdir=tmp_path / "direct", seed=1, memory_gb=1)
    pd.testing.assert_frame_equal(table[QUALITY_COLUMNS], expected.bins, check_dtype=False)
    classes = pd.read_csv(tmp_path / "train_only.classes.tsv", sep="\t", keep_default_na=False,
                          na_values=[""])
    assert list(classes.columns) == ["panel", "reference", "seed"] + CLASS_COLUMNS
    pd.testing.assert_frame_equal(classes[CLASS_COLUMNS], expected.classes, check_dtype=False)
    out = tmp_path / "ags_only.tsv"
    assert main(impute_args(files, "mine_only", out, "--ags", str(files["ags"]),
                            "--no-others")) == 0
    assert "reference mine_only: 60 haplotypes" in caplog.text
    assert main(impute_args(files, "mine", tmp_path / "mine.tsv", "--ags",
                            str(files["ags"]))) == 0
    assert "reference mine: 140 haplotypes" in caplog.text   # the 80 others + 60 AGs
    assert main(impute_args(files, "perfect", tmp_path / "perfect.tsv")) == 0
    assert "reference perfect: 200 haplotypes" in caplog.text   # the others + 120 training


def test_imputation_table_command_stacks_and_compares_with_the_real_panel(split_files,
                                                                         tmp_path):
    from artgen.cli import main

    files, _ = split_files
    outs = {}
    for reference, extra in (("train_only", ["--add-train", "--no-others"]),
                             ("mine_only", ["--ags", str(files["ags"]), "--no-others"])):
        outs[reference] = tmp_path / f"{reference}.tsv"
        assert main(impute_args(files, reference, outs[reference], *extra)) == 0
    bins = [str(p) for p in outs.values()]
    classes = [str(p.with_suffix(".classes.tsv")) for p in outs.values()]
    assert main(["imputation-table", "--bins", *bins, "--classes", *classes,
                 "--out", str(tmp_path / "quality.tsv"),
                 "--classes-out", str(tmp_path / "by_class.tsv")]) == 0
    quality = pd.read_csv(tmp_path / "quality.tsv", sep="\t")
    assert quality.reference.tolist() == ["train_only"] * 10 + ["mine_only"] * 10
    table = pd.read_csv(tmp_path / "by_class.tsv", sep="\t", keep_default_na=False,
                        na_values=[""])
    assert table.reference.tolist() == ["train_only"] * 4 + ["mine_only"] * 4
    assert (table.real_reference == "train_only").all()
    ours = table[table.reference == "mine_only"].r2.to_numpy()
    real = table[table.reference == "train_only"].r2.to_numpy()
    assert np.allclose(table[table.reference == "mine_only"].r2_vs_real, ours / real,
                       equal_nan=True)
    # the 60 AGs here are half of the 120 training haplotypes: less, but comparable
    assert 0.5 < table.r2_vs_real[4] <= 1.05


def test_impute_command_with_a_model_imputing_by_itself(split_files, tmp_path, monkeypatch):
    import artgen.imputation as imputation
    from artgen.cli import main
    from artgen.models import load_generator

    files, sets = split_files
    model_file = tmp_path / "hmm.npz"
    assert main(["train", "--model", "hmm", "--data", str(files["train"]), "--set",
                 "n_states=[16]", "iterations=10", "conditional=true", "--seed", "2",
                 "--out", str(model_file)]) == 0
    monkeypatch.setattr(imputation, "run_beagle", None)   # Beagle must not run
    out = tmp_path / "hmm_direct.tsv"
    assert main(impute_args(files, "hmm_direct", out, "--model-file", str(model_file))) == 0
    table = pd.read_csv(out, sep="\t")
    assert set(table["reference"]) == {"hmm_direct"}
    expected = impute_from_model_and_score(
        load_generator(model_file), sets["targets"], density=DENSITY,
        maf=minor_allele_frequency(sets["train"]), populations=sets["targets"].pops)
    pd.testing.assert_frame_equal(table[QUALITY_COLUMNS], expected.bins, check_dtype=False)
    assert overall_r2(table) > 0.5


@pytest.mark.parametrize("reference, extra, message", [
    ("alone", ["--no-others"], "'alone' is empty"),
    ("x_only", ["--no-others"], "'x_only' needs --ags"),
    ("x_direct", ["--model-file", "{model}", "--ags", "{ags}"], "takes no --ags"),
    ("x_direct", ["--model-file", "{bernoulli}"], "a bernoulli model cannot impute"),
])
def test_impute_command_refuses_bad_references(split_files, tmp_path, capsys, reference, extra,
                                               message):
    from artgen.cli import main

    files, _ = split_files
    bernoulli = tmp_path / "bernoulli.npz"
    assert main(["train", "--model", "bernoulli", "--data", str(files["train"]),
                 "--out", str(bernoulli)]) == 0
    extra = [e.format(model=bernoulli, ags=files["ags"], bernoulli=bernoulli) for e in extra]
    out = tmp_path / "out.tsv"
    assert main(impute_args(files, reference, out, *extra)) == 2
    assert message in capsys.readouterr().err
    assert not out.exists() and not out.with_suffix(".classes.tsv").exists()
