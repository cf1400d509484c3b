"""LD on whole chromosomes: the distance limit, sampled pairs, LD across
window seams (boundary_ld), their wiring into the evaluation, the boundary
plot, and the PCA of wide matrices in column chunks."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from artgen.errors import InputError
from artgen.evaluate import Settings, _linear_positions, boundary_stats, ld_stats
from artgen.haplotypes import Haplotypes
from artgen.stats import ld
from artgen.stats import pca as pca_module
from artgen.stats.ld import boundary_ld, ld_correlation, ld_decay
from artgen.stats.r2 import R2Columns, r2_matrix

U8 = np.uint8


def mosaic(n_hap, n_snps, n_founders=30, switch=0.02, noise=0.002, seed=0, founder_seed=None):
    """Haplotypes copied in segments from a few founders (drawn with
    ``founder_seed``, default ``seed``): LD that decays with SNP distance."""
    frng = np.random.default_rng(seed if founder_seed is None else founder_seed)
    founders = (frng.random((n_founders, n_snps)) < frng.beta(0.4, 0.8, n_snps)).astype(U8)
    rng = np.random.default_rng([seed, 1])
    seg = np.cumsum(rng.random((n_hap, n_snps)) < switch, axis=1)
    pick = rng.integers(0, n_founders, size=(n_hap, seg.max() + 1))
    h = founders[np.take_along_axis(pick, seg, axis=1), np.arange(n_snps)]
    return h ^ (rng.random(h.shape) < noise).astype(U8)


def positions(n_snps, spacing=1000, seed=0):
    """Sorted distinct bp positions, on average ``spacing`` apart."""
    rng = np.random.default_rng(seed)
    return np.cumsum(rng.integers(spacing // 5, 2 * spacing - spacing // 5, n_snps)).astype(np.int64)


def corrcoef_r2(h):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return np.corrcoef(h.T.astype(np.float64)) ** 2


def near_pairs(datasets, pos, max_distance):
    """Brute force: the (i, j) of the SNPs polymorphic everywhere, i < j in
    column order, at most max_distance apart."""
    keep = np.ones(len(pos), bool)
    for h in datasets:
        f = h.mean(axis=0)
        keep &= (f > 0) & (f < 1)
    idx = np.flatnonzero(keep)
    i, j = np.triu_indices(len(idx), 1)
    near = np.abs(pos[idx[i]] - pos[idx[j]]) <= max_distance
    return idx[i[near]], idx[j[near]]


@pytest.fixture(scope="module")
def chromosome():
    """Real and AG sets (AG with weaker LD) on 500 SNPs ~1 kb apart, a
    monomorphic SNP in each."""
    real = mosaic(150, 500, seed=6)
    ag = mosaic(120, 500, seed=7, switch=0.05)
    real[:, 3] = 0
    ag[:, 10] = 1
    return real, ag, positions(500)


# ----------------------------------------------------------- distance limit


def test_distance_limit_by_hand():
    # r2: (0,1) = 1 at 10 bp, (1,2) = 1/3 at 90 bp, (0,2) = 1/3 at 100 bp
    h = np.array([[1, 1, 1], [1, 1, 0], [0, 0, 0], [0, 0, 0]], dtype=U8)
    pos = np.array([0, 10, 100])
    df = ld_decay({"h": h}, pos, n_bins=2, max_distance=90)     # (0,2) is too far
    assert df["distance_right"].tolist() == [45.0, 90.0]        # bins span 0..max_distance
    assert df["n_pairs"].tolist() == [1, 1]
    np.testing.assert_allclose(df["mean_r2"], [1.0, 1 / 3])
    # two pairs within 90 bp: r2 (1, 1/3) against itself, and against an AG with
    # r2 (1/3, 1) at those pairs: r = -1
    ag = np.array([[1, 1, 1], [1, 0, 0], [0, 0, 0], [0, 0, 0]], dtype=U8)
    assert ld_correlation(h, h, positions=pos, max_distance=90) == pytest.approx(1.0)
    assert ld_correlation(h, ag, positions=pos, max_distance=90) == pytest.approx(-1.0)


def test_distance_limited_matches_corrcoef(chromosome):
    real, ag, pos = chromosome
    i, j = near_pairs([real, ag], pos, 20_000)
    assert 3000 < len(i) < 20_000                  # a band, far from all 124,750 pairs
    ref = np.corrcoef(corrcoef_r2(real)[i, j], corrcoef_r2(ag)[i, j])[0, 1]
    perm = np.random.default_rng(1).permutation(500)
    for bs in (None, 1, 7, 64):
        assert ld_correlation(real, ag, positions=pos, max_distance=20_000,
                              block_size=bs) == pytest.approx(ref, abs=1e-12)
    # any SNP order: pairs are found in position order
    assert ld_correlation(real[:, perm], ag[:, perm], positions=pos[perm],
                          max_distance=20_000) == pytest.approx(ref, abs=1e-12)
    # no limit beyond the span: every pair, as without a limit
    assert ld_correlation(real, ag, positions=pos, max_distance=10**9) == pytest.approx(
        ld_correlation(real, ag), abs=1e-12)


def test_ld_decay_distance_limited_matches_corrcoef(chromosome):
    real, ag, pos = chromosome
    i, j = near_pairs([real, ag], pos, 30_000)
    bins = np.minimum(np.abs(pos[j] - pos[i]) * 6 // 30_000, 5)
    for bs in (None, 5):
        df = ld_decay({"real": real, "ag": ag}, pos, n_bins=6, max_distance=30_000,
                      block_size=bs)
        for name, h in (("real", real), ("ag", ag)):
            rows = df[df["dataset"] == name]
            np.testing.assert_array_equal(rows["n_pairs"], np.bincount(bins, minlength=6))
            sums = np.bincount(bins, weights=corrcoef_r2(h)[i, j], minlength=6)
            np.testing.assert_allclose(rows["mean_r2"], sums / np.bincount(bins), atol=1e-12)


def test_defaults_are_the_unlimited_statistics(chromosome):
    real, ag, pos = chromosome
    for limits in ({}, {"max_distance": None, "max_pairs": None}):
        assert ld_correlation(real, ag, **limits) == ld_correlation(real, ag)
        pd.testing.assert_frame_equal(ld_decay({"r": real}, pos, 9, **limits),
                                      ld_decay({"r": real}, pos, 9))
    # a cap above the number of pairs changes nothing beyond rounding
    assert ld_correlation(real, ag, max_pairs=10**9) == ld_correlation(real, ag)


# ----------------------------------------------------------- sampled pairs


def test_sampled_r2_is_the_gemm_r2_bit_for_bit(chromosome):
    real, _, _ = chromosome
    h = real[:, real.any(axis=0) & ~real.all(axis=0)]
    i, j = np.triu_indices(h.shape[1], 1)
    assert np.array_equal(R2Columns(h).r2_pairs(i, j), r2_matrix(h)[i, j])


def test_sample_is_reproducible_and_the_same_for_every_dataset(chromosome):
    real, ag, pos = chromosome
    kw = {"positions": pos, "max_distance": 50_000, "max_pairs": 2000}
    a = ld_correlation(real, ag, seed=3, **kw)
    assert a == ld_correlation(real, ag, seed=3, **kw)
    assert a != ld_correlation(real, ag, seed=4, **kw)
    # the same pairs in both: identical sets correlate exactly
    assert ld_correlation(real, real.copy(), seed=3, **kw) == pytest.approx(1.0, abs=1e-12)
    kw = {"max_distance": 50_000, "max_pairs": 2000, "n_bins": 5, "seed": 3}
    df = ld_decay({"real": real, "ag": ag}, pos, **kw)
    assert df.groupby("dataset")["n_pairs"].sum().tolist() == [2000, 2000]
    assert df.equals(ld_decay({"real": real, "ag": ag}, pos, **kw))


def test_pairs_in_ranges_are_uniform_and_distinct():
    start, stop = np.array([1, 2, 3, 4]), np.array([4, 4, 6, 4])    # 3 + 2 + 3 + 0 pairs
    i, j = ld._pairs_in_ranges(start, stop, None, None)
    every = list(zip(i.tolist(), j.tolist()))
    assert every == [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3), (2, 4), (2, 5)]
    rng = np.random.default_rng(0)
    drawn = dict.fromkeys(every, 0)
    for _ in range(4000):
        i, j = ld._pairs_in_ranges(start, stop, 3, rng)
        pairs = list(zip(i.tolist(), j.tolist()))
        assert len(set(pairs)) == 3 and pairs == sorted(pairs)
        for pair in pairs:
            drawn[pair] += 1
    # each of the 8 pairs is in a sample with probability 3/8
    np.testing.assert_allclose(np.array(list(drawn.values())) / 4000, 3 / 8, atol=0.03)


def test_a_tenth_of_the_pairs_estimates_the_full_value():
    # an AG set from the same founders, copied with a little more switching
    real = mosaic(200, 1500, n_founders=10, seed=1, switch=0.01)
    ag = mosaic(200, 1500, n_founders=10, seed=2, switch=0.012, founder_seed=1)
    pos = positions(1500, spacing=1000, seed=1)
    n_pairs = len(near_pairs([real, ag], pos, 100_000)[0])
    assert n_pairs > 50_000
    kw = {"max_distance": 100_000, "max_pairs": n_pairs // 10}
    full = ld_correlation(real, ag, positions=pos, max_distance=100_000)
    assert full > 0.8
    decay = ld_decay({"r": real}, pos, n_bins=4, max_distance=100_000)["mean_r2"]
    # over 12 seeds the sampled r was off by 0.008 (sd), 0.018 at most, and
    # the sampled mean r2 per bin by 9% at most
    for seed in range(3):
        assert ld_correlation(real, ag, positions=pos, seed=seed, **kw) == pytest.approx(
            full, abs=0.03)
        sampled = ld_decay({"r": real}, pos, n_bins=4, seed=seed, **kw)["mean_r2"]
        np.testing.assert_allclose(sampled, decay, rtol=0.15)


def test_bad_limits_raise(chromosome):
    real, ag, pos = chromosome
    with pytest.raises(InputError, match="positions"):
        ld_correlation(real, ag, max_distance=1000)
    for bad in ({"max_distance": -1}, {"max_distance": 1.5}, {"max_pairs": 0},
                {"max_pairs": True}):
        with pytest.raises(InputError):
            ld_correlation(real, ag, positions=pos, **bad)
        with pytest.raises(InputError):
            ld_decay({"r": real}, pos, **bad)


# ----------------------------------------------------------- boundary_ld


def brute_boundary(h, pos, seams, edges, keep):
    """Per bin: (n, mean r2) of the straddling pairs and of the within pairs,
    over the SNPs of ``keep``."""
    idx = np.flatnonzero(keep)
    a, b = np.triu_indices(len(idx), 1)
    i, j = idx[a], idx[b]
    d = pos[j] - pos[i]
    seg = np.searchsorted(seams, np.arange(h.shape[1]), side="right")
    straddle = seg[i] != seg[j]
    r2 = corrcoef_r2(h)[i, j]
    out = []
    for k in range(len(edges) - 1):
        last = k == len(edges) - 2
        sel = (d >= edges[k]) & ((d <= edges[k + 1]) if last else (d < edges[k + 1]))
        out.append((int((sel & straddle).sum()), r2[sel & straddle].mean(),
                    int((sel & ~straddle).sum()), r2[sel & ~straddle].mean()))
    return [np.array(column) for column in zip(*out)]


def test_boundary_ld_by_hand():
    # SNPs 0..3 at 0, 10, 20, 30 bp, a seam before SNP 2; SNP 4 is monomorphic
    h = np.array([[1, 1, 1, 1, 0], [1, 1, 0, 0, 0], [0, 0, 0, 0, 0], [0, 0, 1, 1, 0]], dtype=U8)
    df = boundary_ld({"h": h}, np.array([0, 10, 20, 30, 31]), [2], bins=(5, 15, 20))
    # bin 5-15: within (0,1), (2,3) r2 = 1; straddling (1,2) r2 = 0
    # bin 15-20 (20 included): straddling (0,2), (1,3) r2 = 0; pairs at 30 bp left out
    assert df["n_within"].tolist() == [2, 0]
    assert df["n_straddling"].tolist() == [1, 2]
    np.testing.assert_allclose(df["mean_r2_within"], [1.0, np.nan])
    np.testing.assert_allclose(df["mean_r2_straddling"], [0.0, 0.0])
    np.testing.assert_allclose(df["ratio"], [0.0, np.nan])


def test_boundary_ld_matches_brute_force_blocked_and_sampled(chromosome):
    real, ag, pos = chromosome
    seams = [60, 130, 131, 300, 420]
    edges = (0, 3000, 8000, 20_000, 40_000)
    keep = (real.std(axis=0) > 0) & (ag.std(axis=0) > 0)
    frames = [boundary_ld({"real": real, "ag": ag}, pos, seams, bins=edges, block_size=bs)
              for bs in (None, 9)]
    # a cap above every count: every pair, through the sampled (pairwise) path
    frames.append(boundary_ld({"real": real, "ag": ag}, pos, seams, bins=edges,
                              max_pairs=10**9))
    for name, h in (("real", real), ("ag", ag)):
        n_s, m_s, n_w, m_w = brute_boundary(h, pos, seams, edges, keep)
        assert n_s.min() > 0 and n_w.min() > 10
        for df in frames:
            rows = df[df["dataset"] == name]
            np.testing.assert_array_equal(rows["n_straddling"], n_s)
            np.testing.assert_array_equal(rows["n_within"], n_w)
            np.testing.assert_allclose(rows["mean_r2_straddling"], m_s, atol=1e-12)
            np.testing.assert_allclose(rows["mean_r2_within"], m_w, atol=1e-12)
            np.testing.assert_allclose(rows["ratio"], m_s / m_w, rtol=1e-10)


def test_boundary_ld_sampling(chromosome):
    real, ag, pos = chromosome
    kw = {"bins": (0, 5000, 20_000), "seed": 2}
    full = boundary_ld({"real": real, "ag": ag}, pos, [250], **kw)
    sampled = boundary_ld({"real": real, "ag": ag}, pos, [250], max_pairs=40, **kw)
    for kind in ("n_straddling", "n_within"):
        np.testing.assert_array_equal(sampled[kind], np.minimum(full[kind], 40))
    assert sampled.equals(boundary_ld({"real": real, "ag": ag}, pos, [250], max_pairs=40, **kw))


def shuffled_halves(n, m, spacing):
    """Real haplotypes with strong LD (few founders, long segments), and an AG
    set that is the real one with each half's rows shuffled on their own: LD
    within halves intact, none across the seam at m // 2."""
    rng = np.random.default_rng(5)
    real = mosaic(n, m, n_founders=6, switch=0.005, seed=5)
    ag = real.copy()
    ag[:, :m // 2] = ag[rng.permutation(n), :m // 2]
    ag[:, m // 2:] = ag[rng.permutation(n), m // 2:]
    return real, ag, positions(m, spacing=spacing, seed=5)


def test_shuffled_windows_lose_ld_across_the_seam():
    real, ag, pos = shuffled_halves(400, 1200, spacing=500)
    df = boundary_ld({"real": real, "ag": ag}, pos, [600], bins=(0, 10_000, 25_000, 50_000))
    real_ratio = df.loc[df["dataset"] == "real", "ratio"].to_numpy()
    ag_ratio = df.loc[df["dataset"] == "ag", "ratio"].to_numpy()
    np.testing.assert_allclose(real_ratio, 1.0, atol=0.3)      # no seam in real data
    assert np.all(ag_ratio < 0.15)                              # independent across it
    # within a window the AG set is the real one
    np.testing.assert_allclose(df.loc[df["dataset"] == "ag", "mean_r2_within"],
                               df.loc[df["dataset"] == "real", "mean_r2_within"], rtol=1e-12)


def test_boundary_ld_bad_input():
    h = mosaic(20, 10, seed=1)
    pos = np.arange(10) * 100
    with pytest.raises(InputError, match="sorted"):
        boundary_ld({"h": h}, pos[::-1].copy(), [5])
    for seams in ([5, 3], [11], [-1], [2.5]):
        with pytest.raises(InputError, match="seams"):
            boundary_ld({"h": h}, pos, seams)
    for bins in ((10,), (0, 10, 10), (-5, 10), (0.0, 10.0)):
        with pytest.raises(InputError, match="bins"):
            boundary_ld({"h": h}, pos, [5], bins=bins)


# ----------------------------------------------------------- evaluate


def as_haplotypes(alleles, pos, chrom="20", prefix="S"):
    n, m = alleles.shape
    return Haplotypes.build(alleles, chrom=np.broadcast_to(chrom, m), pos=pos,
                            ref=np.full(m, "A"), alt=np.full(m, "G"),
                            ids=[f"{prefix}{k // 2}_{'AB'[k % 2]}" for k in range(n)])


def test_ld_stats_with_limits(chromosome):
    real, ag, pos = chromosome
    r, a = as_haplotypes(real, pos), as_haplotypes(ag, pos, prefix="AG")
    plain = ld_stats(r, a, r, Settings())
    assert plain[0]["ld_r"] == ld_correlation(real, ag)
    metrics, table = ld_stats(r, a, r, Settings(ld_max_distance=20_000, ld_max_pairs=500,
                                                ld_decay_bins=4))
    assert metrics["ld_r"] == ld_correlation(real, ag, positions=pos, max_distance=20_000,
                                             max_pairs=500)
    assert table["distance_right"].max() == 20_000
    assert table.groupby("dataset")["n_pairs"].sum().tolist() == [500, 500]


def test_a_distance_limit_never_pairs_two_chromosomes():
    pos = np.array([100, 5000, 9000, 100, 4000])
    h = as_haplotypes(np.zeros((2, 5), dtype=U8), pos,
                      chrom=np.array(["1", "1", "1", "2", "2"]))
    lin = _linear_positions(h, 10_000)
    assert np.all(np.diff(lin) != 0) and lin[3] - lin[2] > 10_000
    np.testing.assert_array_equal(_linear_positions(h, None), pos)


def test_boundary_stats_metrics():
    real, ag, pos = shuffled_halves(200, 600, spacing=300)
    r, a = as_haplotypes(real, pos), as_haplotypes(ag, pos, prefix="AG")
    metrics, table = boundary_stats(r, a, [300], Settings())
    n_bins = len(ld.BOUNDARY_BINS) - 1
    assert sorted(metrics) == sorted(
        [f"boundary_ld_ratio_bin{b}" for b in range(n_bins)]
        + [f"boundary_ld_ratio_real_bin{b}" for b in range(n_bins)]
        + ["boundary_ld_ratio_min", "boundary_ld_ratio_rel_min"])
    assert set(table["dataset"]) == {"real", "ag"}
    assert metrics["boundary_ld_ratio_min"] < 0.3
    assert metrics["boundary_ld_ratio_rel_min"] < 0.3
    assert metrics["boundary_ld_ratio_real_bin0"] == pytest.approx(1.0, abs=0.3)


# ----------------------------------------------------------- plot


def test_plot_boundary_ld(chromosome, tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from artgen.plots import plot_boundary_ld

    real, ag, pos = chromosome
    table = boundary_ld({"real": real, "gan": ag}, pos, [100, 300],
                        bins=(0, 5000, 10_000, 20_000))
    fig, (left, right) = plt.subplots(1, 2)
    assert plot_boundary_ld(table, left) is left
    assert len(left.get_lines()) == 3                   # real, GAN, the line y = 1
    assert [t.get_text() for t in left.get_xticklabels()] == ["0-5", "5-10", "10-20"]
    plot_boundary_ld(table, right, show="r2")
    assert len(right.get_lines()) == 4                  # within and across, per dataset
    fig.savefig(tmp_path / "boundary.png")
    plt.close(fig)
    with pytest.raises(InputError):
        plot_boundary_ld(table, show="nope")
    with pytest.raises(InputError):
        plot_boundary_ld(table.drop(columns="ratio"))


# ----------------------------------------------------------- PCA of wide matrices


def test_wide_pca_in_column_chunks_is_the_full_svd(monkeypatch):
    rng = np.random.default_rng(3)
    x = (rng.random((60, 700)) < rng.uniform(0.05, 0.6, 700)).astype(U8)
    x[:30, :200] |= (rng.random((30, 200)) < 0.5).astype(U8)       # some structure
    full = pca_module.pca({"a": x[:40], "b": x[40:]}, n_components=3, solver="full")
    monkeypatch.setattr(pca_module, "_CHUNK_ENTRIES", 60 * 64)      # 64 SNPs per chunk
    res = pca_module.pca({"a": x[:40], "b": x[40:]}, n_components=3, solver="arpack")
    np.testing.assert_allclose(res.stacked(), full.stacked(), atol=1e-9)
    np.testing.assert_allclose(res.components, full.components, atol=1e-9)
    np.testing.assert_allclose(res.transform(x), full.stacked(), atol=1e-9)
    gram = pca_module._centred_gram(x, x.sum(axis=0, dtype=np.int64))
    xc = x - x.mean(axis=0)
    np.testing.assert_allclose(gram, xc @ xc.T, rtol=0, atol=1e-9)
