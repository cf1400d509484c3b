"""Selection scans (XP-EHH, PBS): agreement with scikit-allel called
directly, a hand-worked PBS, a planted sweep, scan comparison and input
checks."""

from __future__ import annotations

import doctest
import itertools

import allel
import numpy as np
import pandas as pd
import pytest

from artgen import selection
from artgen.errors import InputError
from artgen.haplotypes import Haplotypes
from artgen.selection import (compare_scans, pbs_scores, pbs_windows, peak_table,
                              selection_scan, xpehh_scores)

U8 = np.uint8
TOL = 1e-9


def random_haplotypes(n_hap, n_snps, seed, freq=None):
    rng = np.random.default_rng(seed)
    freq = rng.uniform(0.05, 0.95, n_snps) if freq is None else freq
    return (rng.random((n_hap, n_snps)) < freq).astype(U8)


def panel(alleles, pos=None, chrom="15", pop="POP", ref="A", alt="G"):
    n_hap, n_snps = alleles.shape
    pos = np.arange(1, n_snps + 1) * 1000 if pos is None else pos
    return Haplotypes.build(alleles, chrom=np.full(n_snps, chrom), pos=pos,
                            ref=np.full(n_snps, ref), alt=np.full(n_snps, alt),
                            ids=[f"{pop}{i}_{'AB'[i % 2]}" for i in range(n_hap)],
                            pops=np.full(n_hap, pop))


def plant_sweep(h, first, last, share, seed):
    """Copy one haplotype's alleles at SNPs first..last-1 onto `share` of the
    haplotypes: a long haplotype at high frequency, as after a sweep."""
    rng = np.random.default_rng(seed)
    h = h.copy()
    carriers = rng.choice(h.shape[0], size=int(share * h.shape[0]), replace=False)
    h[carriers, first:last] = h[carriers[0], first:last]
    return h


@pytest.fixture(scope="module")
def three_pops():
    """Target, complement and outgroup on 60 SNPs, with a few SNPs that are
    fixed in the pooled sample, fixed in one population, or differ in fixed
    alleles."""
    t = random_haplotypes(30, 60, seed=1)
    c = random_haplotypes(24, 60, seed=2)
    o = random_haplotypes(20, 60, seed=3)
    t[:, 3] = c[:, 3] = o[:, 3] = 0      # no variation anywhere
    t[:, 4] = c[:, 4] = o[:, 4] = 1      # no variation anywhere (ALT fixed)
    t[:, 5] = 1                           # fixed in the target only
    t[:, 6], c[:, 6] = 0, 1               # fixed for different alleles
    return t, c, o


# ---------------------------------------------------------------- XP-EHH

class TestXpehh:
    @pytest.mark.parametrize("include_edges", [True, False])
    def test_matches_allel(self, three_pops, include_edges):
        t, c, _ = three_pops
        pos = np.arange(1, 61) * 1500
        raw = allel.xpehh(t.T, c.T, pos, include_edges=include_edges, use_threads=False)
        raw[[3, 4]] = np.nan  # no variation in the pooled sample
        expected = allel.standardize(raw)
        got = xpehh_scores(t, c, pos, include_edges=include_edges)
        np.testing.assert_allclose(got, expected, rtol=0, atol=TOL, equal_nan=True)
        assert got.dtype == np.float64 and got.shape == (60,)

    def test_threads_do_not_change_the_score(self, three_pops):
        t, c, _ = three_pops
        pos = np.arange(1, 61) * 1000
        threaded = allel.xpehh(t.T, c.T, pos, include_edges=True, use_threads=True)
        single = allel.xpehh(t.T, c.T, pos, include_edges=True, use_threads=False)
        np.testing.assert_array_equal(threaded, single)

    def test_nan_only_where_no_variation(self, three_pops):
        t, c, _ = three_pops
        got = xpehh_scores(t, c, np.arange(1, 61) * 1000)
        assert np.isnan(got[[3, 4]]).all()
        # scikit-allel itself scores those SNPs; the wrapper removes them
        raw = allel.xpehh(t.T, c.T, np.arange(1, 61) * 1000, include_edges=True,
                          use_threads=False)
        assert np.isfinite(raw[[3, 4]]).all()
        assert np.isfinite(np.delete(got, [3, 4])).all()  # fixed in one / different alleles
        finite = got[np.isfinite(got)]
        assert abs(finite.mean()) < TOL and abs(finite.std() - 1) < TOL

    def test_edges_are_nan_without_include_edges(self):
        h = plant_sweep(random_haplotypes(30, 40, seed=4), 0, 40, 0.9, seed=5)
        c = random_haplotypes(30, 40, seed=6)
        pos = np.arange(1, 41) * 1000
        with_edges = xpehh_scores(h, c, pos)
        without = xpehh_scores(h, c, pos, include_edges=False)
        assert np.isfinite(with_edges).all()
        assert np.isnan(without).all()  # EHH never decays before an edge in the target

    def test_gap_wider_than_max_gap_is_nan(self):
        t = random_haplotypes(20, 30, seed=22)
        c = random_haplotypes(20, 30, seed=23)
        pos = np.arange(1, 31) * 1000
        pos[15:] += 300_000  # a 301 kb gap between SNPs 15 and 16
        got = xpehh_scores(t, c, pos)
        assert np.isnan(got[14]) and np.isnan(got[15])  # their EHH spans the gap
        assert np.isfinite(got[:5]).all() and np.isfinite(got[-5:]).all()

    def test_no_variation_anywhere(self):
        z = np.zeros((4, 5), U8)
        assert np.isnan(xpehh_scores(z, z, np.arange(5))).all()
        assert np.isnan(xpehh_scores(z[:, :1], z[:, :1] + 1, [5])).all()  # one score: sd 0

    def test_sweep_in_target_gives_high_scores(self):
        n_snps, first, last = 200, 80, 120
        t = plant_sweep(random_haplotypes(60, n_snps, seed=7), first, last, 0.85, seed=8)
        c = random_haplotypes(60, n_snps, seed=9)
        pos = np.arange(1, n_snps + 1) * 2000
        s = xpehh_scores(t, c, pos)
        inside = s[first + 5:last - 5]
        outside = np.r_[s[:first - 10], s[last + 10:]]
        assert inside.min() > np.nanmax(outside)
        assert inside.mean() - np.nanmean(outside) > 1.5  # in standard deviations
        # the same sweep in the complement flips the sign
        s_rev = xpehh_scores(c, t, pos)
        assert s_rev[first + 5:last - 5].max() < np.nanmin(np.r_[s_rev[:first - 10],
                                                                  s_rev[last + 10:]])

    def test_unequal_sample_sizes(self):
        t = random_haplotypes(10, 25, seed=10)
        c = random_haplotypes(37, 25, seed=11)
        pos = np.arange(1, 26) * 700
        expected = allel.standardize(allel.xpehh(t.T, c.T, pos, include_edges=True,
                                                 use_threads=False))
        np.testing.assert_allclose(xpehh_scores(t, c, pos), expected, atol=TOL)

    @pytest.mark.parametrize("args, match", [
        ((np.zeros((4, 5), U8), np.zeros((4, 6), U8), np.arange(5)), "same SNPs"),
        ((np.full((4, 5), 2, U8), np.zeros((4, 5), U8), np.arange(5)), "only 0 and 1"),
        ((np.zeros((1, 5), U8), np.zeros((4, 5), U8), np.arange(5)), "at least 2 haplotypes"),
        ((np.zeros((4, 5), U8), np.zeros((4, 5), U8), np.arange(4)), "one entry per SNP"),
        ((np.zeros((4, 5), U8), np.zeros((4, 5), U8), [1, 2, 5, 4, 6]), "must be sorted"),
        ((np.zeros((4, 5), U8), np.zeros((4, 5), U8), np.arange(5) + 0.5), "integer"),
        ((np.zeros(5, U8), np.zeros((4, 5), U8), np.arange(5)), "2-D"),
    ])
    def test_invalid_input(self, args, match):
        with pytest.raises(InputError, match=match):
            xpehh_scores(*args)


# ------------------------------------------------------------------- PBS

def hudson_terms_by_hand(a, b):
    """Per-SNP Hudson numerator and denominator from explicit haplotype pairs:
    between = share of cross-population pairs that differ, within = mean over
    the two populations of the share of within-population pairs that differ."""
    n_snps = a.shape[1]
    num, den = np.zeros(n_snps), np.zeros(n_snps)
    for j in range(n_snps):
        between = np.mean([x != y for x in a[:, j] for y in b[:, j]])
        within = [np.mean([x != y for x, y in itertools.combinations(p[:, j], 2)])
                  for p in (a, b)]
        num[j] = between - np.mean(within)
        den[j] = between
    return num, den


class TestPbs:
    def test_hand_worked_single_window(self):
        rng = np.random.default_rng(12)
        p1 = (rng.random((8, 10)) < np.linspace(0.9, 0.6, 10)).astype(U8)
        p2 = (rng.random((6, 10)) < 0.2).astype(U8)
        p3 = (rng.random((7, 10)) < np.linspace(0.1, 0.5, 10)).astype(U8)
        fst = {}
        for key, (a, b) in {"12": (p1, p2), "13": (p1, p3), "23": (p2, p3)}.items():
            num, den = hudson_terms_by_hand(a, b)
            fst[key] = num.sum() / den.sum()  # ratio of sums over the window
        assert all(0 < f < 1 for f in fst.values())  # no clipping in this case
        t = {k: -np.log(1 - f) for k, f in fst.items()}
        pbs = (t["12"] + t["13"] - t["23"]) / 2
        pbs_n1 = pbs / (1 + (t["12"] + t["13"] + t["23"]) / 2)
        got = pbs_scores(p1, p2, p3, window=10, step=10)
        assert got.shape == (1,)
        assert abs(got[0] - pbs_n1) < TOL
        # the unnormalised PBS of scikit-allel is the textbook formula
        ac = [allel.HaplotypeArray(p.T).count_alleles(max_allele=1) for p in (p1, p2, p3)]
        raw = allel.pbs(*ac, window_size=10, normed=False)
        assert abs(raw[0] - pbs) < TOL

    def test_negative_fst_is_clipped_to_zero(self):
        # outgroups identical: Hudson's Fst23 is negative (< 0), taken as 0
        t = np.array([[1] * 4, [1] * 4, [1] * 4, [0] * 4], dtype=U8)
        o = np.array([[0] * 4, [0] * 4, [1] * 4, [0] * 4], dtype=U8)
        t12 = -np.log(1 - 0.2)  # between 0.625, within 0.5 -> Fst 0.2
        assert abs(pbs_scores(t, o, o, window=4, step=4)[0] - t12 / (1 + t12)) < TOL

    @pytest.mark.parametrize("window, step", [(10, 5), (7, 3), (4, 4), (60, 1)])
    def test_matches_allel(self, three_pops, window, step):
        t, c, o = three_pops
        ac = [allel.HaplotypeArray(h.T).count_alleles(max_allele=1) for h in (t, c, o)]
        expected = allel.pbs(*ac, window_size=window, window_step=step, normed=True)
        got = pbs_scores(t, c, o, window=window, step=step)
        np.testing.assert_allclose(got, expected, rtol=0, atol=TOL, equal_nan=True)
        assert got.dtype == np.float64

    def test_windows(self, three_pops):
        pos = np.arange(1, 61) * 1000
        w = pbs_windows(pos, window=10, step=5)
        assert w.shape == (11, 2)  # starts 0, 5, ..., 50; the remainder is dropped
        np.testing.assert_array_equal(w[0], [1000, 10000])
        np.testing.assert_array_equal(w[-1], [51000, 60000])
        assert len(pbs_scores(*three_pops, window=10, step=5)) == len(w)
        mid = allel.moving_midpoint(pos, size=10, step=5)
        np.testing.assert_array_equal(w.mean(axis=1), mid)
        # the paper's panel: 3,348 SNPs in windows of 10, step 5 -> 668 windows
        assert len(pbs_windows(np.arange(1, 3349), window=10, step=5)) == 668

    def test_window_without_variation_is_nan(self):
        t = random_haplotypes(10, 20, seed=13)
        c = random_haplotypes(10, 20, seed=14)
        o = random_haplotypes(10, 20, seed=15)
        for h in (t, c, o):
            h[:, :10] = 0
        got = pbs_scores(t, c, o, window=10, step=10)
        assert np.isnan(got[0]) and np.isfinite(got[1])

    @pytest.mark.parametrize("kwargs, match", [
        (dict(window=0), "window must be a positive"),
        (dict(step=0), "step must be a positive"),
        (dict(window=2.5), "window must be a positive"),
        (dict(window=True), "window must be a positive"),
        (dict(window=30), "fewer than one PBS window"),
    ])
    def test_invalid_window(self, kwargs, match):
        h = random_haplotypes(4, 20, seed=16)
        with pytest.raises(InputError, match=match):
            pbs_scores(h, h, h, **kwargs)

    def test_misaligned_matrices(self):
        h = random_haplotypes(4, 20, seed=17)
        with pytest.raises(InputError, match="outgroup2_alleles has 19"):
            pbs_scores(h, h, h[:, 1:])


# ------------------------------------------------------------------ scans

@pytest.fixture(scope="module")
def panels(three_pops):
    t, c, o = three_pops
    pos = np.arange(1, 61) * 1000 + 7
    return panel(t, pos, pop="EST"), panel(c, pos, pop="YRI"), panel(o, pos, pop="CHB")


class TestSelectionScan:
    def test_frame(self, panels):
        target, complement, outgroup = panels
        scan = selection_scan(target, complement, outgroup)
        assert list(scan.columns) == list(selection.SCAN_COLUMNS)
        xp = scan[scan["statistic"] == "xpehh"]
        pb = scan[scan["statistic"] == "pbs"]
        assert len(xp) == 60 and len(pb) == 11 and len(scan) == 71
        assert (scan["chrom"] == "15").all()
        assert scan["start"].dtype == np.int64 and scan["value"].dtype == np.float64
        np.testing.assert_array_equal(xp["start"], target.pos)
        np.testing.assert_array_equal(xp["stop"], target.pos)
        np.testing.assert_array_equal(xp["pos"], target.pos)
        np.testing.assert_allclose(xp["value"], xpehh_scores(target.alleles, complement.alleles,
                                                             target.pos), equal_nan=True)
        np.testing.assert_allclose(pb["value"], pbs_scores(target.alleles, complement.alleles,
                                                           outgroup.alleles), equal_nan=True)
        np.testing.assert_array_equal(pb["start"], target.pos[0:51:5])
        np.testing.assert_array_equal(pb["stop"], target.pos[9:60:5])
        np.testing.assert_array_equal(pb["pos"], (pb["start"] + pb["stop"]) / 2)

    def test_window_settings(self, panels):
        scan = selection_scan(*panels, window=20, step=20)
        assert (scan["statistic"] == "pbs").sum() == 3

    def _changed(self, h, **fields):
        values = {f: getattr(h, f).copy() for f in ("chrom", "pos", "ref", "alt")}
        for f, (i, v) in fields.items():
            values[f][i] = v
        return Haplotypes.build(h.alleles, ids=h.ids, pops=h.pops, **values)

    @pytest.mark.parametrize("field, value, match", [
        ("pos", 99_999, r"complement and target differ in pos at SNP 8 \(99999 vs 8007\)"),
        ("ref", "C", "differ in ref at SNP 8"),
        ("alt", "T", "differ in alt at SNP 8"),
        ("chrom", "16", "differ in chrom at SNP 8"),
    ])
    def test_misaligned_panels(self, panels, field, value, match):
        target, complement, outgroup = panels
        with pytest.raises(InputError, match=match):
            selection_scan(target, self._changed(complement, **{field: (7, value)}), outgroup)

    def test_different_snp_counts(self, panels):
        target, complement, outgroup = panels
        with pytest.raises(InputError, match="outgroup has 59 SNPs, target has 60"):
            selection_scan(target, complement, outgroup.take_snps(slice(1, None)))

    def test_one_chromosome_only(self, panels):
        target, complement, outgroup = panels
        two = [self._changed(h, chrom=(59, "16")) for h in panels]
        with pytest.raises(InputError, match="one chromosome; the panel has 2: 15, 16"):
            selection_scan(*two)

    def test_not_haplotypes(self, panels):
        with pytest.raises(InputError, match="outgroup must be a Haplotypes set"):
            selection_scan(panels[0], panels[1], panels[2].alleles)


# ------------------------------------------------------------ comparisons

def toy_scan(xpehh_values, pbs_values):
    n, m = len(xpehh_values), len(pbs_values)
    pos = np.arange(1, n + 1) * 100
    return pd.DataFrame({
        "statistic": ["xpehh"] * n + ["pbs"] * m,
        "chrom": "1",
        "start": np.r_[pos, np.arange(m) * 200 + 100],
        "stop": np.r_[pos, np.arange(m) * 200 + 500],
        "pos": np.r_[pos, np.arange(m) * 200 + 300].astype(float),
        "value": np.r_[xpehh_values, pbs_values].astype(float),
    })


class TestCompareScans:
    def test_identical_scans(self, panels):
        scan = selection_scan(*panels)
        out = compare_scans(scan, scan.copy())
        assert out["xpehh_r"] == pytest.approx(1.0, abs=TOL)
        assert out["pbs_r"] == pytest.approx(1.0, abs=TOL)
        assert out["xpehh_peak_overlap"] == 1.0 and out["pbs_peak_overlap"] == 1.0
        assert out["xpehh_n"] == 58 and out["pbs_n"] == 11  # two NaN SNPs left out

    def test_shuffled_scan_has_lower_r(self):
        rng = np.random.default_rng(18)
        real = toy_scan(rng.normal(size=500), rng.normal(size=200))
        ag = real.copy()
        for stat in ("xpehh", "pbs"):
            rows = ag["statistic"] == stat
            ag.loc[rows, "value"] = rng.permutation(ag.loc[rows, "value"].to_numpy())
        out = compare_scans(real, ag)
        assert abs(out["xpehh_r"]) < 0.2 and abs(out["pbs_r"]) < 0.3
        assert out["xpehh_peak_overlap"] < 1

    def test_row_order_does_not_matter(self):
        rng = np.random.default_rng(19)
        real = toy_scan(rng.normal(size=50), rng.normal(size=20))
        noisy = real.assign(value=real["value"] + rng.normal(scale=0.3, size=len(real)))
        shuffled = noisy.sample(frac=1, random_state=1)
        assert compare_scans(real, shuffled) == compare_scans(real, noisy)

    def test_against_numpy(self):
        rng = np.random.default_rng(20)
        x, y = rng.normal(size=300), rng.normal(size=300)
        y = 0.6 * x + y
        x[[5, 9]] = np.nan
        y[[9, 40]] = np.nan
        out = compare_scans(toy_scan(x, x[:30]), toy_scan(y, y[:30]))
        both = np.isfinite(x) & np.isfinite(y)
        assert abs(out["xpehh_r"] - np.corrcoef(x[both], y[both])[0, 1]) < TOL
        assert out["xpehh_n"] == 297

    def test_peak_overlap_by_hand(self):
        # 10 SNPs, quantile 0.8 -> the two highest of each scan are peaks
        real = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
        ag = [0, 1, 2, 3, 4, 5, 6, 7, 9, -1]   # real peak at SNP 9 is not an AG peak
        out = compare_scans(toy_scan(real, real), toy_scan(ag, real), quantile=0.8)
        assert out["xpehh_n_peaks"] == 2 and out["xpehh_peak_overlap"] == 0.5
        assert out["pbs_peak_overlap"] == 1.0
        # a NaN AG value is not a peak; a uniform shift of AG scores changes nothing
        ag_nan = [0, 1, 2, 3, 4, 5, 6, 7, 8, np.nan]
        out = compare_scans(toy_scan(real, real), toy_scan(np.add(ag_nan, 5), real),
                            quantile=0.8)
        assert out["xpehh_peak_overlap"] == 0.5

    def test_all_nan(self):
        scan = toy_scan([np.nan] * 5, [1.0, 2.0, 3.0])
        out = compare_scans(scan, scan)
        assert np.isnan(out["xpehh_r"]) and np.isnan(out["xpehh_peak_overlap"])
        assert out["xpehh_n_peaks"] == 0 and out["pbs_r"] == pytest.approx(1.0)

    def test_misaligned_scans(self):
        real = toy_scan(np.arange(10.0), np.arange(4.0))
        with pytest.raises(InputError, match="not aligned: 1 row"):
            compare_scans(real, real.iloc[:-1])
        moved = real.copy()
        moved.loc[0, ["start", "stop"]] = 150
        with pytest.raises(InputError, match="not aligned: 2 row.*xpehh 1:100-100 in real_scan"):
            compare_scans(real, moved)

    @pytest.mark.parametrize("mutate, match", [
        (lambda s: s.drop(columns="value"), "lacks the column"),
        (lambda s: s.assign(statistic="ihs"), "unknown statistic"),
        (lambda s: pd.concat([s, s.iloc[:1]]), "duplicate rows"),
        (lambda s: s["value"].to_numpy(), "must be a scan frame"),
    ])
    def test_invalid_scan(self, mutate, match):
        scan = toy_scan(np.arange(10.0), np.arange(4.0))
        with pytest.raises(InputError, match=match):
            compare_scans(scan, mutate(scan))

    @pytest.mark.parametrize("quantile", [-0.1, 1.5, "0.9", None])
    def test_invalid_quantile(self, quantile):
        scan = toy_scan(np.arange(10.0), np.arange(4.0))
        with pytest.raises(InputError, match="quantile must be"):
            compare_scans(scan, scan, quantile=quantile)


class TestPeakTable:
    def test_peaks_per_statistic(self):
        rng = np.random.default_rng(21)
        scan = toy_scan(rng.permutation(100).astype(float), rng.permutation(40).astype(float))
        scan.loc[3, "value"] = np.nan
        peaks = peak_table(scan, quantile=0.9)
        xp = peaks[peaks["statistic"] == "xpehh"]
        pb = peaks[peaks["statistic"] == "pbs"]
        finite = scan.loc[(scan["statistic"] == "xpehh") & scan["value"].notna(), "value"]
        assert (xp["value"] >= np.quantile(finite, 0.9)).all()
        assert len(xp) == (finite >= np.quantile(finite, 0.9)).sum()
        assert list(pb["value"]) == [39.0, 38.0, 37.0, 36.0]
        assert list(pb["rank"]) == [1, 2, 3, 4]
        assert (np.diff(xp["value"]) < 0).all()
        assert list(peaks["statistic"].unique()) == ["xpehh", "pbs"]
        assert set(selection.SCAN_COLUMNS) | {"rank", "threshold"} == set(peaks.columns)

    def test_top_value_with_quantile_one(self):
        peaks = peak_table(toy_scan([1.0, 5.0, 2.0], [0.5, 0.2]), quantile=1.0)
        assert list(peaks["value"]) == [5.0, 0.5]


def test_doctests():
    result = doctest.testmod(selection, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
