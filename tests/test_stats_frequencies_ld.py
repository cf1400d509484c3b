"""Allele frequencies, SFS, LD (r^2, LD correlation, LD decay) and 3-point
correlations: hand-worked tiny cases, agreement with independent
implementations, and real-vs-AG sanity checks."""

from __future__ import annotations

import doctest
import itertools
import warnings

import allel
import numpy as np
import pandas as pd
import pytest
import scipy.spatial.distance
import scipy.stats

from artgen.errors import InputError
from artgen.stats import correlations, frequencies, ld
from artgen.stats.correlations import (sample_triplets, three_point_correlations,
                                       three_point_r, three_point_values)
from artgen.stats.frequencies import (af_correlation, allele_frequencies,
                                      bootstrap_fixed_fraction, fixed_sites,
                                      recurring_haplotype_share, sfs_proportions,
                                      site_frequency_spectrum)
from artgen.stats.ld import ld_correlation, ld_decay
from artgen.stats.r2 import ld_matrix_for_plot, r2_matrix

U8 = np.uint8


def mosaic(n_hap, n_snps, n_founders=30, switch=0.02, noise=0.002, seed=0):
    """Haplotypes copied in segments from a few founders: strong LD that
    decays with SNP distance."""
    rng = np.random.default_rng(seed)
    freq = rng.beta(0.4, 0.8, size=n_snps)
    founders = (rng.random((n_founders, n_snps)) < freq).astype(U8)
    seg = np.cumsum(rng.random((n_hap, n_snps)) < switch, axis=1)
    pick = rng.integers(0, n_founders, size=(n_hap, seg.max() + 1))
    src = np.take_along_axis(pick, seg, axis=1)
    h = founders[src, np.arange(n_snps)]
    return h ^ (rng.random(h.shape) < noise).astype(U8)


def random_h(n, m, seed, p=None, n_mono=3):
    """Independent random 0/1 data with a few monomorphic columns (0 and 1)."""
    rng = np.random.default_rng(seed)
    p = rng.uniform(0.05, 0.6, size=m) if p is None else p
    h = (rng.random((n, m)) < p).astype(U8)
    h[:, rng.choice(m, n_mono, replace=False)] = rng.integers(0, 2, size=n_mono).astype(U8)
    return h


def corrcoef_r2(h):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return np.corrcoef(h.T.astype(np.float64)) ** 2


# ----------------------------------------------------------------- doctests

@pytest.mark.parametrize("module", [frequencies, ld, correlations])
def test_docstring_examples_run(module):
    result = doctest.testmod(module, extraglobs={"np": np}, verbose=False)
    assert result.attempted > 0 and result.failed == 0


# ------------------------------------------------------- frequencies by hand

# 4 haplotypes x 4 SNPs
#   SNP0: 0,0,1,0 -> 1/4     SNP1: 1,1,1,1 -> 1 (fixed ALT)
#   SNP2: 1,0,0,0 -> 1/4     SNP3: 1,1,0,1 -> 3/4
H4 = np.array([[0, 1, 1, 1],
               [0, 1, 0, 1],
               [1, 1, 0, 0],
               [0, 1, 0, 1]], dtype=U8)


def test_allele_frequencies_by_hand():
    np.testing.assert_array_equal(allele_frequencies(H4), [0.25, 1.0, 0.25, 0.75])
    assert allele_frequencies(H4).dtype == np.float64


def test_counts_beyond_uint16_chunk():
    # 70,000 haplotypes: the ALT counts are summed in uint16 chunks of 65,535 rows
    h = np.zeros((70_000, 3), dtype=U8)
    h[:, 1] = 1
    h[::7, 2] = 1  # 10,000 carriers
    np.testing.assert_array_equal(allele_frequencies(h), [0, 1, 10_000 / 70_000])
    assert site_frequency_spectrum(h)[[0, 10_000, 70_000]].tolist() == [1, 1, 1]


def test_fixed_sites_by_hand():
    # AG: SNP0 0,0,0 (fixed REF), SNP1 1,1,1, SNP2 0,1,0 (1/3), SNP3 1,1,1 (fixed ALT)
    ag = np.array([[0, 1, 0, 1],
                   [0, 1, 1, 1],
                   [0, 1, 0, 1]], dtype=U8)
    fs = fixed_sites(H4, ag)
    # real polymorphic: SNP0, SNP2, SNP3 (SNP1 is fixed in real, so it does not count)
    # fixed in AG among them: SNP0, SNP3 -> 2 of 3
    assert fs.count == 2 and fs.n_polymorphic_real == 3
    assert fs.fraction == pytest.approx(2 / 3)
    np.testing.assert_array_equal(fs.mask, [True, False, False, True])


def test_fixed_sites_none_polymorphic_gives_nan_fraction():
    h = np.zeros((3, 2), dtype=U8)
    fs = fixed_sites(h, h)
    assert fs.count == 0 and np.isnan(fs.fraction)


def test_af_correlation_by_hand():
    # real 0.25, 1, 0.25, 0.75 ; AG (3 haps) 0, 1, 1/3, 1
    ag = np.array([[0, 1, 0, 1], [0, 1, 1, 1], [0, 1, 0, 1]], dtype=U8)
    x = np.array([0.25, 1, 0.25, 0.75])
    y = np.array([0, 1, 1 / 3, 1])
    xm, ym = x - x.mean(), y - y.mean()
    expected = (xm @ ym) / np.sqrt((xm @ xm) * (ym @ ym))
    assert af_correlation(H4, ag) == pytest.approx(expected, abs=1e-12)


def test_af_correlation_constant_is_nan():
    ag = np.ones((2, 4), dtype=U8)  # every AG frequency 1: constant
    assert np.isnan(af_correlation(H4, ag))


def test_sfs_by_hand():
    # ALT counts 1, 4, 1, 3 out of n = 4
    np.testing.assert_array_equal(site_frequency_spectrum(H4), [0, 2, 0, 1, 1])
    # minor counts 1, 0, 1, 1 -> k = 0..2
    np.testing.assert_array_equal(site_frequency_spectrum(H4, folded=True), [1, 3, 0])
    assert site_frequency_spectrum(H4).dtype == np.int64


def test_sfs_proportions_by_hand():
    # polymorphic: ALT freq 1/4, 1/4, 3/4 (SNP1 fixed, dropped)
    df = sfs_proportions(H4, n_bins=4)
    # bins (0,.25], (.25,.5], (.5,.75], (.75,1): 1/4 closes bin 0, 3/4 closes bin 2
    np.testing.assert_array_equal(df["n_snps"], [2, 0, 1, 0])
    np.testing.assert_allclose(df["proportion"], [2 / 3, 0, 1 / 3, 0])
    np.testing.assert_allclose(df["freq_left"], [0, .25, .5, .75])
    # folded: MAF 1/4, 1/4, 1/4 -> 2 bins over (0, .5]: all in (0, .25]
    dff = sfs_proportions(H4, n_bins=2, folded=True)
    np.testing.assert_array_equal(dff["n_snps"], [3, 0])
    np.testing.assert_allclose(dff["freq_right"], [.25, .5])


def test_sfs_proportions_edges_exact_and_size_independent():
    # n = 10, ALT counts 3 (freq 0.3 exactly on an edge of 10 bins) -> bin 2
    h = np.zeros((10, 1), dtype=U8)
    h[:3, 0] = 1
    assert sfs_proportions(h, n_bins=10)["n_snps"].tolist() == [0, 0, 1] + [0] * 7
    # doubling the sample (same frequencies) gives the same proportions
    big = mosaic(60, 200, seed=3)
    np.testing.assert_allclose(sfs_proportions(big)["proportion"],
                               sfs_proportions(np.vstack([big, big]))["proportion"])
    assert sfs_proportions(big)["proportion"].sum() == pytest.approx(1.0)


def test_recurring_haplotype_share_by_hand():
    # H4's rows 1 and 3 are the same haplotype; rows 0 and 2 occur once.
    assert recurring_haplotype_share(H4) == 0.5
    assert recurring_haplotype_share(H4[:1]) == 0.0
    assert recurring_haplotype_share(np.vstack([H4, H4])) == 1.0
    # Rows that differ only at the 9th SNP, past the first packed byte.
    h = np.zeros((3, 9), dtype=U8)
    h[2, 8] = 1
    assert recurring_haplotype_share(h) == pytest.approx(2 / 3)
    with pytest.raises(InputError):
        recurring_haplotype_share(np.array([[0, 2]], dtype=U8))


def test_recurring_haplotype_share_matches_pairwise_distances():
    # Independent: a row recurs when its Hamming distance to another row is 0.
    h = mosaic(200, 37, n_founders=12, switch=0.01, noise=0.0005, seed=5)
    distances = scipy.spatial.distance.squareform(
        scipy.spatial.distance.pdist(h, metric="hamming"))
    np.fill_diagonal(distances, 1)
    expected = (distances.min(axis=1) == 0).mean()
    assert 0 < expected < 1
    assert recurring_haplotype_share(h) == pytest.approx(expected)


# ---------------------------------------------------------------- LD by hand

def test_r2_4x2_by_hand():
    # x = 1,1,0,0 (p = 1/2); y = 1,0,0,0 (p = 1/4); p_xy = 1/4
    # D = 1/4 - 1/2 * 1/4 = 1/8; r^2 = D^2 / (1/2 * 1/2 * 1/4 * 3/4) = (1/64) / (3/64) = 1/3
    h = np.array([[1, 1], [1, 0], [0, 0], [0, 0]], dtype=U8)
    r2 = r2_matrix(h)
    np.testing.assert_allclose(r2, [[1, 1 / 3], [1 / 3, 1]], rtol=0, atol=1e-15)


def test_r2_monomorphic_is_nan_and_diagonal_one():
    h = np.array([[1, 0, 1], [0, 0, 1], [1, 0, 0], [0, 0, 1]], dtype=U8)
    r2 = r2_matrix(h)
    assert np.isnan(r2[1]).all() and np.isnan(r2[:, 1]).all()
    assert r2[0, 0] == 1.0 and r2[2, 2] == 1.0
    # x0 = 1,0,1,0 ; x2 = 1,1,0,1: p0 = 1/2, p2 = 3/4, p02 = 1/4 -> D = 1/4 - 3/8 = -1/8
    # r^2 = (1/64) / (1/4 * 3/16) = 1/3
    assert r2[0, 2] == pytest.approx(1 / 3, abs=1e-15)
    assert r2_matrix(h, dtype=np.float32).dtype == np.float32


# LD decay case: 4 haplotypes, 5 SNPs at positions 100, 110, 150, 200, 300.
#   a = 1,1,0,0   b = 1,1,0,0   c = 1,0,0,0   d = 1,0,1,0   e = 0,1,0,1
# e is polymorphic in real but monomorphic in AG, so it is removed from both
# (without that the largest distance would be 200, not 100).
# Real r^2: ab = 1; ac = bc = 1/3 (as the 4x2 case);
#   ad: p_a = p_d = 1/2, p_ad = 1/4 -> D = 0 -> 0; bd = 0;
#   cd: p_c = 1/4, p_d = 1/2, p_cd = 1/4 -> D = 1/8 -> r^2 = (1/64)/(3/16 * 1/4) = 1/3.
# AG: same but d = 1,1,0,0 (= a) and e = 0,0,0,0:
#   ab = 1, ac = bc = 1/3, ad = bd = 1, cd = 1/3.
# Distances: ab 10, ac 50, ad 100, bc 40, bd 90, cd 50; D = 100.
DECAY_POS = np.array([100, 110, 150, 200, 300], dtype=np.int64)
DECAY_REAL = np.array([[1, 1, 1, 1, 0],
                       [1, 1, 0, 0, 1],
                       [0, 0, 0, 1, 0],
                       [0, 0, 0, 0, 1]], dtype=U8)
DECAY_AG = np.array([[1, 1, 1, 1, 0],
                     [1, 1, 0, 1, 0],
                     [0, 0, 0, 0, 0],
                     [0, 0, 0, 0, 0]], dtype=U8)


def test_ld_decay_by_hand_two_bins():
    df = ld_decay({"real": DECAY_REAL, "ag": DECAY_AG}, DECAY_POS, n_bins=2)
    assert list(df.columns) == ["dataset", "bin", "distance_left", "distance_right",
                                "distance_mid", "n_pairs", "mean_r2"]
    # bin 0 = [0, 50): ab (10), bc (40); bin 1 = [50, 100]: ac, cd (50), bd (90), ad (100)
    real = df[df.dataset == "real"]
    ag = df[df.dataset == "ag"]
    np.testing.assert_array_equal(real["n_pairs"], [2, 4])
    np.testing.assert_array_equal(real["distance_left"], [0, 50])
    np.testing.assert_array_equal(real["distance_right"], [50, 100])
    np.testing.assert_array_equal(real["distance_mid"], [25, 75])
    # real: bin 0 (1 + 1/3)/2 = 2/3; bin 1 (1/3 + 1/3 + 0 + 0)/4 = 1/6
    np.testing.assert_allclose(real["mean_r2"], [2 / 3, 1 / 6], atol=1e-15)
    # AG: bin 0 (1 + 1/3)/2 = 2/3; bin 1 (1/3 + 1/3 + 1 + 1)/4 = 2/3
    np.testing.assert_allclose(ag["mean_r2"], [2 / 3, 2 / 3], atol=1e-15)


def test_ld_decay_by_hand_four_bins_with_empty_bin():
    df = ld_decay({"real": DECAY_REAL, "ag": DECAY_AG}, DECAY_POS, n_bins=4)
    real = df[df.dataset == "real"]
    # width 25: [0,25): ab; [25,50): bc; [50,75): ac, cd; [75,100]: bd, ad
    np.testing.assert_array_equal(real["n_pairs"], [1, 1, 2, 2])
    np.testing.assert_allclose(real["mean_r2"], [1, 1 / 3, 1 / 3, 0], atol=1e-15)
    # 8 bins (width 12.5): ab 10 -> 0; bc 40 -> 3; ac, cd 50 -> 4; bd 90, ad 100 -> 7
    df8 = ld_decay({"real": DECAY_REAL, "ag": DECAY_AG}, DECAY_POS, n_bins=8)
    df8 = df8[df8.dataset == "real"]
    assert df8["n_pairs"].tolist() == [1, 0, 0, 1, 2, 0, 0, 2]
    assert np.isnan(df8["mean_r2"].to_numpy()[[1, 2, 5, 6]]).all()


def test_ld_decay_too_few_sites():
    h = np.array([[1, 0], [0, 0]], dtype=U8)  # one polymorphic SNP left
    df = ld_decay({"x": h}, np.array([5, 9]), n_bins=3)
    assert (df["n_pairs"] == 0).all() and df["mean_r2"].isna().all()


def test_ld_matrix_for_plot_layout():
    real = DECAY_REAL[:, :4]
    ag = DECAY_AG[:, :4]
    m = ld_matrix_for_plot(real, ag, block_size=3)
    r_real, r_ag = r2_matrix(real), r2_matrix(ag)
    il, iu = np.tril_indices(4, -1), np.triu_indices(4, 1)
    np.testing.assert_array_equal(m[il], r_real[il])
    np.testing.assert_array_equal(m[iu], r_ag[iu])
    assert np.isnan(np.diag(m)).all()
    # real ad = 0 (row d=3, column a=0); AG ad = 1 (row a, column d)
    assert m[3, 0] == 0.0 and m[0, 3] == 1.0


# -------------------------------------------------- 3-point correlations by hand

def test_three_point_independent_by_construction_is_zero():
    # all 8 combinations of three alleles once each: f_i = 1/2, f_ij = 1/4, f_ijk = 1/8
    # c = 1/8 - 3 (1/4)(1/2) + 2/8 = 0
    h = np.array(list(itertools.product([0, 1], repeat=3)), dtype=U8)
    assert three_point_correlations(h, [[0, 1, 2]])[0] == 0.0
    # also independent: two copies of it stacked (f unchanged)
    assert three_point_correlations(np.vstack([h, h]), [[2, 0, 1]])[0] == 0.0


def test_three_point_dependent_cases():
    # one carrier of all three ALT alleles among 4: f_i = f_ij = f_ijk = 1/4
    # c = 1/4 - 3/16 + 2/64 = 3/32
    h = np.array([[1, 1, 1], [0, 0, 0], [0, 0, 0], [0, 0, 0]], dtype=U8)
    assert three_point_correlations(h, [[0, 1, 2]])[0] == pytest.approx(3 / 32, abs=1e-15)
    # XOR: k = i xor j. Pairwise independent (f_ij = 1/4 = f_i f_j, every r^2 = 0)
    # but f_ijk = 0: c = 0 - 3/8 + 2/8 = -1/8
    xor = np.array([[0, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 0]], dtype=U8)
    np.testing.assert_allclose(r2_matrix(xor)[np.triu_indices(3, 1)], 0, atol=1e-15)
    assert three_point_correlations(xor, [[0, 1, 2]])[0] == pytest.approx(-1 / 8, abs=1e-15)
    # a monomorphic SNP in the triplet gives 0
    h2 = np.column_stack([xor, np.ones(4, dtype=U8)])
    np.testing.assert_array_equal(three_point_correlations(h2, [[0, 1, 3], [3, 1, 2]]), [0, 0])


def test_sample_triplets_shapes_and_rules():
    t = sample_triplets(100, 16, 50, seed=3)
    assert t.dtype == np.int64 and t.shape == (50, 3)
    assert (t[:, 1] - t[:, 0] == 16).all() and (t[:, 2] - t[:, 1] == 16).all()
    assert t[:, 2].max() < 100 and len(np.unique(t[:, 0])) == 50  # without replacement
    np.testing.assert_array_equal(t, sample_triplets(100, 16, 50, seed=3))  # seeded
    # 10 SNPs, gap 4: only starts 0, 1 -> 5 triplets = 3 x start 0 or 1, 2 x the other
    t = sample_triplets(10, 4, 5, seed=0)
    counts = np.bincount(t[:, 0], minlength=2)
    assert sorted(counts.tolist()) == [2, 3]
    r = sample_triplets(20, "random", 500, seed=1)
    assert (np.diff(r, axis=1) > 0).all() and r.min() >= 0 and r.max() < 20
    assert len(np.unique(r, axis=0)) > 300  # spread over many triplets
    with pytest.raises(ValueError, match="too large"):
        sample_triplets(10, 5, 5)
    with pytest.raises(ValueError):
        sample_triplets(2, "random", 5)
    for bad in (0, -1, 1.5, "near", True):
        with pytest.raises(ValueError):
            sample_triplets(100, bad, 5)


# ---------------------------------------- agreement with independent implementations

def test_r2_matrix_matches_corrcoef_and_allel():
    h = random_h(301, 70, seed=1)
    ours = r2_matrix(h)
    ref = corrcoef_r2(h)
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(ref))
    np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-9, equal_nan=True)
    # scikit-allel's Rogers-Huff r on the transposed 0/1 matrix (counts as
    # "genotypes" 0/1): same r, but allel computes it in float32, so it can
    # only agree to float32 precision (~1e-7), not 1e-9.
    rh = allel.rogers_huff_r(h.T.astype(np.int8)).astype(np.float64) ** 2
    iu = np.triu_indices(h.shape[1], 1)
    np.testing.assert_array_equal(np.isnan(ours[iu]), np.isnan(rh))
    np.testing.assert_allclose(ours[iu], rh, rtol=0, atol=2e-6, equal_nan=True)
    # and ours is the float64 value the float32 one rounds from
    assert np.nanmax(np.abs(ours[iu] - ref[iu])) < 1e-12


def test_r2_matrix_exact_counts_beyond_float32_integers():
    # n = 6000: n * N_ij reaches 3.6e7 > 2**24, so this fails if any step of
    # the count formula ran in float32
    h = random_h(6000, 25, seed=21)
    np.testing.assert_allclose(r2_matrix(h), corrcoef_r2(h), rtol=0, atol=1e-12,
                               equal_nan=True)


def test_r2_matrix_blocked_equals_unblocked_and_float32():
    h = mosaic(90, 57, seed=2)
    full = r2_matrix(h, block_size=1000)
    for bs in (1, 5, 56):
        np.testing.assert_array_equal(r2_matrix(h, block_size=bs), full)
    np.testing.assert_allclose(r2_matrix(h, dtype=np.float32), full, atol=1e-7, equal_nan=True)
    np.testing.assert_array_equal(full, full.T)


def test_sfs_matches_allel():
    for n, seed in ((57, 1), (64, 2)):
        h = random_h(n, 300, seed=seed, n_mono=6)
        dac = h.sum(axis=0)
        ac = np.column_stack([n - dac, dac])
        np.testing.assert_array_equal(site_frequency_spectrum(h), allel.sfs(dac, n=n))
        np.testing.assert_array_equal(site_frequency_spectrum(h, folded=True),
                                      allel.sfs_folded(ac, n=n))
        assert site_frequency_spectrum(h).sum() == 300


def test_af_correlation_matches_scipy():
    real = mosaic(120, 400, seed=4)
    ag = mosaic(80, 400, seed=5)
    ref = scipy.stats.pearsonr(real.mean(axis=0), ag.mean(axis=0)).statistic
    assert af_correlation(real, ag) == pytest.approx(ref, abs=1e-12)


def direct_ld_correlation(real, ag):
    a, b = corrcoef_r2(real), corrcoef_r2(ag)
    iu = np.triu_indices(real.shape[1], 1)
    x, y = a[iu], b[iu]
    ok = np.isfinite(x) & np.isfinite(y)
    return scipy.stats.pearsonr(x[ok], y[ok]).statistic


def test_ld_correlation_matches_direct_and_blocking():
    real = mosaic(150, 90, seed=6)
    ag = mosaic(100, 90, seed=7, switch=0.05)
    real[:, 3] = 0  # monomorphic in real only
    ag[:, 10] = 1   # monomorphic in AG only
    ref = direct_ld_correlation(real, ag)
    assert ld_correlation(real, ag) == pytest.approx(ref, abs=1e-9)
    for bs in (1, 7, 87, 1000):
        assert ld_correlation(real, ag, block_size=bs) == pytest.approx(ref, abs=1e-9)


def direct_ld_decay(datasets, pos, n_bins):
    keep = np.ones(len(pos), bool)
    for h in datasets.values():
        f = h.mean(axis=0)
        keep &= (f > 0) & (f < 1)
    p = pos[keep]
    iu = np.triu_indices(len(p), 1)
    d = np.abs(p[iu[0]] - p[iu[1]]).astype(float)
    edges = np.linspace(0, d.max(), n_bins + 1)
    idx = np.clip(np.searchsorted(edges, d, side="right") - 1, 0, n_bins - 1)
    out = {}
    for name, h in datasets.items():
        r2 = corrcoef_r2(h[:, keep])[iu]
        out[name] = (np.bincount(idx, minlength=n_bins),
                     np.bincount(idx, weights=r2, minlength=n_bins))
    return out


def test_ld_decay_matches_direct_and_blocking():
    rng = np.random.default_rng(8)
    real = mosaic(120, 80, seed=8)
    ag = mosaic(90, 80, seed=9)
    ag[:, 5] = 0
    pos = np.sort(rng.choice(1_000_000, 80, replace=False)).astype(np.int64)
    ref = direct_ld_decay({"real": real, "ag": ag}, pos, 13)
    dfs = [ld_decay({"real": real, "ag": ag}, pos, n_bins=13, block_size=bs)
           for bs in (None, 1, 6, 79)]
    for df in dfs:
        for name, (n_pairs, sums) in ref.items():
            sub = df[df.dataset == name]
            np.testing.assert_array_equal(sub["n_pairs"], n_pairs)
            with np.errstate(invalid="ignore"):
                np.testing.assert_allclose(sub["mean_r2"], sums / n_pairs, atol=1e-12,
                                           equal_nan=True)
    pd.testing.assert_frame_equal(dfs[0][["dataset", "bin", "n_pairs"]],
                                  dfs[1][["dataset", "bin", "n_pairs"]])


def test_ld_decay_order_of_positions_does_not_matter():
    real = mosaic(60, 30, seed=10)
    rng = np.random.default_rng(10)
    pos = rng.choice(10_000, 30, replace=False).astype(np.int64)
    perm = rng.permutation(30)
    a = ld_decay({"r": real}, pos, n_bins=7)
    b = ld_decay({"r": real[:, perm]}, pos[perm], n_bins=7)
    np.testing.assert_array_equal(a["n_pairs"], b["n_pairs"])
    np.testing.assert_allclose(a["mean_r2"], b["mean_r2"], atol=1e-12, equal_nan=True)


def test_three_point_matches_direct_formula():
    h = mosaic(77, 60, seed=11)
    h[:, 4] = 1
    rng = np.random.default_rng(11)
    trip = rng.integers(0, 60, size=(300, 3))
    trip[0] = [4, 5, 6]
    ours = three_point_correlations(h, trip)
    x = h.astype(np.float64)
    direct = []
    for i, j, k in trip:
        fi, fj, fk = x[:, i].mean(), x[:, j].mean(), x[:, k].mean()
        fij, fik, fjk = (np.mean(x[:, i] * x[:, j]), np.mean(x[:, i] * x[:, k]),
                         np.mean(x[:, j] * x[:, k]))
        fijk = np.mean(x[:, i] * x[:, j] * x[:, k])
        direct.append(fijk - fij * fk - fik * fj - fjk * fi + 2 * fi * fj * fk)
    np.testing.assert_allclose(ours, direct, rtol=0, atol=1e-12)
    # the third central moment form of the same quantity
    c = x - x.mean(axis=0)
    central = np.mean(c[:, trip[:, 0]] * c[:, trip[:, 1]] * c[:, trip[:, 2]], axis=0)
    np.testing.assert_allclose(ours, central, rtol=0, atol=1e-12)
    assert ours[0] == 0.0  # monomorphic SNP 4


def test_three_point_values_layout_and_large_gaps_left_out():
    h = mosaic(40, 100, seed=12)
    df = three_point_values(h, h[::-1], n_triplets=30)
    # 2 * gap < 100: gaps 1, 4, 16 and random; 64 and above left out
    assert df["gap"].unique().tolist() == ["1", "4", "16", "random"]
    assert list(df.columns) == ["gap", "triplet", "i", "j", "k", "real", "ag"]
    assert (df.groupby("gap").size() == 30).all()
    # the same triplets in both: a row permutation does not change the values
    np.testing.assert_array_equal(df["real"], df["ag"])
    r = three_point_r(h, h[::-1], n_triplets=30)
    assert list(r) == ["1", "4", "16", "random"]
    # a gap's triplets do not depend on the other gaps asked for
    solo = three_point_values(h, h, gaps=(16,), n_triplets=30)
    np.testing.assert_array_equal(solo[["i", "j", "k"]].to_numpy(),
                                  df[df.gap == "16"][["i", "j", "k"]].to_numpy())


# ------------------------------------------------------------ real vs AG sanity

@pytest.fixture(scope="module")
def structured():
    return mosaic(400, 1200, n_founders=40, switch=0.01, seed=13)


def test_identical_real_and_ag(structured):
    h = structured
    assert af_correlation(h, h) == pytest.approx(1.0, abs=1e-12)
    assert ld_correlation(h, h) == pytest.approx(1.0, abs=1e-12)
    r = three_point_r(h, h, n_triplets=500)
    assert list(r) == ["1", "4", "16", "64", "256", "512", "random"]  # 1024 left out
    for v in r.values():
        assert v == pytest.approx(1.0, abs=1e-12)
    assert fixed_sites(h, h).count == 0


def test_column_shuffle_destroys_ld_but_row_resample_keeps_it(structured):
    h = structured
    rng = np.random.default_rng(14)
    rows = h[rng.integers(0, h.shape[0], size=h.shape[0])]       # whole haplotypes
    cols = np.empty_like(h)                                      # each SNP on its own
    for j in range(h.shape[1]):
        cols[:, j] = h[rng.permutation(h.shape[0]), j]
    r_rows, r_cols = ld_correlation(h, rows), ld_correlation(h, cols)
    # (a bootstrap of 400 haplotypes adds sampling noise to r^2: ~0.84 here;
    # the column shuffle leaves only noise: ~0.0)
    assert r_rows > 0.75
    assert abs(r_cols) < 0.2 and r_rows - r_cols > 0.5
    # frequencies are kept exactly by the column shuffle
    assert af_correlation(h, cols) == pytest.approx(1.0, abs=1e-12)
    # 3-point correlations at short range survive only the row resample
    t_rows = three_point_r(h, rows, gaps=(1,), n_triplets=1000)["1"]
    t_cols = three_point_r(h, cols, gaps=(1,), n_triplets=1000)["1"]
    assert t_rows > 0.8 and t_cols < 0.5
    # LD decays with distance in the real data
    pos = np.arange(h.shape[1], dtype=np.int64) * 100
    dec = ld_decay({"real": h, "cols": cols}, pos, n_bins=10)
    real = dec[dec.dataset == "real"]["mean_r2"].to_numpy()
    shuf = dec[dec.dataset == "cols"]["mean_r2"].to_numpy()
    assert real[0] > 2 * real[-1] and real[0] > 3 * shuf[0]


# ------------------------------------------------------------------ bad input

@pytest.mark.parametrize("bad", [
    np.zeros(5, dtype=U8),                        # 1-D
    np.zeros((2, 3, 4), dtype=U8),                # 3-D
    np.zeros((0, 3), dtype=U8),                   # no haplotypes
    np.zeros((3, 0), dtype=U8),                   # no SNPs
    np.full((3, 3), 0.5),                         # float
    np.array([[0, 2], [1, 0]], dtype=U8),         # not 0/1
    np.array([[0, -1], [1, 0]], dtype=np.int64),  # negative
    "0101",
    None,
])
def test_bad_haplotypes_raise(bad):
    for call in (lambda: allele_frequencies(bad), lambda: site_frequency_spectrum(bad),
                 lambda: r2_matrix(bad), lambda: af_correlation(bad, H4),
                 lambda: ld_correlation(H4, bad),
                 lambda: three_point_correlations(bad, [[0, 1, 2]])):
        with pytest.raises(ValueError):
            call()


def test_mismatched_snps_and_other_bad_arguments_raise():
    other = np.zeros((4, 5), dtype=U8)
    for f in (af_correlation, fixed_sites, ld_correlation, ld_matrix_for_plot,
              three_point_r, three_point_values):
        with pytest.raises(ValueError, match="same SNPs"):
            f(H4, other)
    with pytest.raises(ValueError, match="same SNPs"):
        ld_decay({"a": H4, "b": other}, np.arange(4))
    with pytest.raises(ValueError, match="positions"):
        ld_decay({"a": H4}, np.arange(5))
    with pytest.raises(ValueError, match="positions"):
        ld_decay({"a": H4}, np.arange(4.0))
    with pytest.raises(ValueError):
        ld_decay({}, np.arange(4))
    with pytest.raises(ValueError):
        ld_decay({"a": H4}, np.arange(4), n_bins=0)
    with pytest.raises(ValueError):
        r2_matrix(H4, dtype=np.int32)
    with pytest.raises(ValueError):
        ld_correlation(H4, H4, block_size=0)
    with pytest.raises(ValueError):
        sfs_proportions(H4, n_bins=0)
    for trip in ([[0, 1]], [[0, 1, 4]], [[-1, 0, 1]], [[0.0, 1.0, 2.0]]):
        with pytest.raises(ValueError):
            three_point_correlations(H4, trip)
    with pytest.raises(ValueError):
        three_point_r(H4, H4, gaps=(1, 1))
    with pytest.raises(ValueError):
        three_point_r(H4, H4, gaps=(0,))
    with pytest.raises(ValueError):
        three_point_r(H4, H4, n_triplets=0)


def test_bootstrap_fixed_fraction_matches_resampling():
    rng = np.random.default_rng(11)
    freqs = np.array([0.01, 0.02, 0.05, 0.3, 0.0])
    real = (rng.random((400, 5)) < freqs).astype(np.uint8)
    n = 150
    expected = bootstrap_fixed_fraction(real, n)
    poly = (real.min(0) == 0) & (real.max(0) == 1)
    draws = [real[rng.integers(0, 400, n)] for _ in range(4000)]
    simulated = np.mean([np.mean((d[:, poly].min(0) == d[:, poly].max(0))) for d in draws])
    assert expected == pytest.approx(simulated, abs=0.01)
    assert 0 < expected < 1
    with pytest.raises(InputError, match="positive integer"):
        bootstrap_fixed_fraction(real, 0)
    assert np.isnan(bootstrap_fixed_fraction(np.zeros((3, 2), dtype=np.uint8), 5))
