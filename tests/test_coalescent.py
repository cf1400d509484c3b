"""The coalescent baseline: simulated regions, the frequency filter, site
matching and the comparison with real data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from artgen.coalescent import compare, frequency_filter, matched_sites, simulate_region
from artgen.cohort import simulate_contig
from artgen.errors import InputError
from artgen.haplotypes import Haplotypes

LEFT, LENGTH, N = 20_000_000, 1_000_000, 40


def region(seed: int, n: int = N) -> Haplotypes:
    return simulate_region(chrom="15", left=LEFT, length=LENGTH, n_haplotypes=n, seed=seed)


def maf(h: Haplotypes) -> np.ndarray:
    p = h.alleles.mean(axis=0)
    return np.minimum(p, 1 - p)


@pytest.fixture(scope="module")
def sims():
    """Three independent simulations of the same 1-Mb CEU region."""
    return [region(seed) for seed in (1, 2, 3)]


@pytest.fixture(scope="module")
def ascertained(sims):
    """A 'real' panel: the first simulation with SNPs of MAF >= 0.05 only."""
    return frequency_filter(sims[0], 0.05)


# ---------------------------------------------------------------- simulate_region

def test_simulated_region_is_a_biallelic_haplotype_set(sims):
    h = sims[0]
    assert isinstance(h, Haplotypes)
    assert h.alleles.dtype == np.uint8 and h.alleles.shape == (N, h.n_snps) and h.n_snps > 1000
    assert set(np.unique(h.alleles)) == {0, 1}
    assert h.ids[:3].tolist() == ["COAL0001_A", "COAL0001_B", "COAL0002_A"]
    assert h.ids[-1] == "COAL0020_B"
    assert set(h.pops) == {"CEU"} and set(h.super_pops) == {"EUR"} and set(h.chrom) == {"15"}
    assert np.all(np.diff(h.pos) > 0)
    assert LEFT <= h.pos.min() and h.pos.max() < LEFT + LENGTH
    assert set(h.ref) | set(h.alt) <= set("ACGT") and np.all(h.ref != h.alt)


def test_simulated_region_keeps_exactly_the_biallelic_sites_of_the_tree_sequence():
    ts = simulate_contig(chrom="15", left=LEFT, length=LENGTH, samples={"CEU": N // 2}, seed=1)
    variants = [(int(v.site.position), v.alleles, v.genotypes.copy()) for v in ts.variants()]
    biallelic = [v for v in variants if len(v[1]) == 2]
    assert len(biallelic) < len(variants)          # recurrent mutation made multi-allelic sites
    h = region(1)
    assert h.pos.tolist() == [v[0] for v in biallelic]
    assert list(zip(h.ref, h.alt)) == [v[1] for v in biallelic]
    np.testing.assert_array_equal(h.alleles, np.array([v[2] for v in biallelic]).T)


def test_same_seed_same_region_other_seed_other_region(sims):
    assert region(1).same_as(sims[0])
    assert not sims[1].same_as(sims[0])


@pytest.mark.parametrize("settings, message", [
    ({"n_haplotypes": 41}, "n_haplotypes must be even"),
    ({"n_haplotypes": 0}, "n_haplotypes must be an integer >= 2"),
    ({"population": "GBR"}, "population 'GBR' is not in OutOfAfrica_3G09"),
    ({"model": "NoSuchModel"}, "NoSuchModel"),
    ({"left": 0}, "left must be an integer >= 1"),
])
def test_bad_simulation_settings(settings, message):
    kwargs = {"chrom": "15", "left": LEFT, "length": 10_000, "n_haplotypes": 4, "seed": 1,
              **settings}
    with pytest.raises(InputError, match=message):
        simulate_region(**kwargs)


# ---------------------------------------------------------------- frequency_filter

def test_frequency_filter_keeps_minor_allele_frequency_at_least_min_freq():
    counts = [0, 1, 2, 5, 8, 9, 10]                 # ALT copies among 10 haplotypes
    alleles = (np.arange(10)[:, None] < np.array(counts)[None, :]).astype(np.uint8)
    pos = np.arange(1, 8) * 100
    h = Haplotypes.build(alleles, chrom=["1"] * 7, pos=pos, ref=["A"] * 7, alt=["C"] * 7,
                         ids=[f"h{i}" for i in range(10)])
    assert frequency_filter(h).pos.tolist() == [200, 300, 400, 500, 600]     # 0.1 <= p <= 0.9
    assert frequency_filter(h, 0.2).pos.tolist() == [300, 400, 500]
    assert frequency_filter(h, 0.5).pos.tolist() == [400]
    assert frequency_filter(h, 0).same_as(h)
    kept = frequency_filter(h, 0.2)
    np.testing.assert_array_equal(kept.alleles, alleles[:, [2, 3, 4]])
    assert kept.ids.tolist() == h.ids.tolist()
    for bad in (-0.1, 0.6, "x"):
        with pytest.raises(InputError, match="min_freq"):
            frequency_filter(h, bad)


# ---------------------------------------------------------------- matched_sites

def test_matched_sites_are_distinct_and_close_in_frequency_and_position(sims):
    # a real panel of half the SNPs of its region: the simulation has twice as
    # many SNPs in every frequency class to choose from
    half = np.sort(np.random.default_rng(1).permutation(sims[0].n_snps)[:sims[0].n_snps // 2])
    real, sim = sims[0].take_snps(half), sims[1]
    idx = matched_sites(real, sim, seed=0)
    assert idx.dtype == np.int64 and idx.shape == (real.n_snps,)
    assert len(np.unique(idx)) == real.n_snps and idx.min() >= 0 and idx.max() < sim.n_snps
    diff = np.abs(maf(sim)[idx] - maf(real))
    chance = np.abs(maf(sim)[np.random.default_rng(0).permutation(sim.n_snps)[:real.n_snps]]
                    - maf(real))
    assert diff.mean() < 0.05 and np.median(diff) <= 1 / N + 1e-9   # one allele copy
    assert diff.mean() < chance.mean() / 2
    span = real.pos.max() - real.pos.min()
    assert np.median(np.abs(sim.pos[idx] - real.pos)) < span / 100
    # in order along the region, up to local swaps
    assert np.corrcoef(sim.pos[idx], real.pos)[0, 1] > 0.99
    np.testing.assert_array_equal(matched_sites(real, sim, seed=0), idx)


def test_matched_sites_of_a_set_with_itself_is_the_identity(sims):
    h = sims[0]
    np.testing.assert_array_equal(matched_sites(h, h, seed=3), np.arange(h.n_snps))


def test_matched_sites_fall_back_on_other_frequencies_when_supply_is_short(ascertained, sims):
    # the ascertained panel keeps nearly every common SNP of its region: some
    # real SNPs can only get a simulated SNP of another frequency
    diff = np.abs(maf(sims[1])[matched_sites(ascertained, sims[1], seed=0)] - maf(ascertained))
    assert np.median(diff) <= 0.05 and diff.max() > 0.2


def test_matched_sites_needs_enough_simulated_snps(sims):
    with pytest.raises(InputError, match="fewer than"):
        matched_sites(sims[0], sims[0].take_snps(slice(0, 10)), seed=0)
    with pytest.raises(InputError, match="window"):
        matched_sites(sims[0], sims[0], seed=0, window=0)


# ---------------------------------------------------------------- compare

def test_compare_with_the_same_model_gives_close_sfs_and_ld_decay(ascertained, sims):
    metrics, tables = compare(ascertained, sims[1], seed=0)
    assert set(metrics) == {"coal_sfs_distance", "coal_ld_decay_r", "coal_pca_w2d"}
    assert metrics["coal_sfs_distance"] < 0.25
    assert metrics["coal_ld_decay_r"] > 0.9
    # different mutations on different genealogies: the joint PCA separates them
    assert 0.1 < metrics["coal_pca_w2d"] <= 1

    sfs, decay, pcs = tables["sfs"], tables["ld_decay"], tables["pca"]
    assert set(sfs["dataset"]) == set(decay["dataset"]) == set(pcs["dataset"]) == {"real",
                                                                                    "coalescent"}
    assert {"bin", "freq_left", "freq_right", "n_snps", "proportion"} <= set(sfs.columns)
    assert len(sfs) == 2 * 10 and sfs["freq_right"].max() == 0.5
    # the filter at 0.1 empties the bins below it
    assert sfs.loc[sfs["freq_right"] < 0.1 - 1e-12, "n_snps"].sum() == 0
    for name, group in sfs.groupby("dataset"):
        assert group["proportion"].sum() == pytest.approx(1.0)
    assert len(decay) == 2 * 50 and {"mean_r2", "distance_mid", "n_pairs"} <= set(decay.columns)
    assert list(pcs.columns) == ["dataset", "index", "PC1", "PC2"]
    assert (pcs["dataset"] == "real").sum() == ascertained.n_haplotypes
    assert (pcs["dataset"] == "coalescent").sum() == sims[1].n_haplotypes


def test_compare_with_itself_is_ideal(sims):
    metrics, _ = compare(sims[0], sims[0], seed=0)
    assert metrics["coal_sfs_distance"] == 0.0
    assert metrics["coal_ld_decay_r"] == pytest.approx(1.0)
    assert metrics["coal_pca_w2d"] == pytest.approx(0.0, abs=1e-12)


def test_compare_against_clearly_different_data_gives_larger_distances(ascertained, sims):
    same, _ = compare(ascertained, sims[2], seed=0)
    rng = np.random.default_rng(5)
    # independent sites, frequencies 0.3-0.7: another SFS and no LD
    bernoulli = ascertained.with_alleles(
        (rng.random(ascertained.alleles.shape) < rng.uniform(0.3, 0.7, ascertained.n_snps))
        .astype(np.uint8), ids=ascertained.ids)
    other, _ = compare(bernoulli, sims[2], seed=0)
    assert other["coal_sfs_distance"] > max(0.3, same["coal_sfs_distance"] + 0.1)
    assert other["coal_ld_decay_r"] < 0.5 < same["coal_ld_decay_r"]
    # each column shuffled across haplotypes: the same SFS, LD gone
    shuffled = ascertained.with_alleles(rng.permuted(ascertained.alleles, axis=0),
                                        ids=ascertained.ids)
    mixed, _ = compare(shuffled, sims[2], seed=0)
    assert mixed["coal_sfs_distance"] == pytest.approx(same["coal_sfs_distance"])
    assert mixed["coal_ld_decay_r"] < 0.5


def test_compare_is_reproducible(ascertained, sims):
    a = compare(ascertained, sims[1], seed=4)
    b = compare(ascertained, sims[1], seed=4)
    assert a[0] == b[0]
    for name in a[1]:
        pd.testing.assert_frame_equal(a[1][name], b[1][name])


def test_compare_bad_inputs(ascertained, sims):
    elsewhere = Haplotypes.build(sims[1].alleles, chrom=["1"] * sims[1].n_snps, pos=sims[1].pos,
                                 ref=sims[1].ref, alt=sims[1].alt, ids=sims[1].ids)
    with pytest.raises(InputError, match="real is on chromosome 15, sim on 1"):
        compare(ascertained, elsewhere, seed=0)
    with pytest.raises(InputError, match="in the real panel's span"):
        compare(ascertained, sims[1].take_snps(sims[1].pos < LEFT + LENGTH // 2), seed=0)
    with pytest.raises(InputError, match="min_freq"):
        compare(ascertained, sims[1], min_freq=0.7, seed=0)
