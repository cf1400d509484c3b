"""Benchmark the real-vs-AG statistics against straightforward implementations.

    .venv/bin/python bench/bench_ld.py [--n 5000] [--snps 10000] [--founders 300]

Data: a "real" set of n haplotypes built as a mosaic of a few hundred founder
haplotypes (segments copied between random switch points, plus a little
noise), so there is LD that decays with distance; an "AG" set from the same
founders with more switching and noise (weaker LD) and the ALT allele removed
at a third of the rare sites (fixed sites), as an imperfect generator would.

For each statistic: wall time and peak traced memory (tracemalloc; numpy
registers its buffers there) of artgen's implementation and of a
straightforward one run in the same process, the speed-up (baseline s /
ours s), and the largest difference between the two results. All of
artgen's statistics run first, so the process peak RSS (ru_maxrss) printed
after them is the peak of the whole artgen pipeline for one (real, AG)
pair; the baselines (full n_snps^2 matrices) run afterwards. Baselines
marked "est." run on a subset and are scaled up (noted in the row).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc
import warnings

import numpy as np

import allel
import scipy.stats

from artgen.stats.correlations import three_point_r, three_point_values
from artgen.stats.frequencies import af_correlation, fixed_sites, site_frequency_spectrum
from artgen.stats.ld import ld_correlation, ld_decay

MiB = 2**20


def mosaic(founders, n_hap, switch, noise, rng, chunk=250):
    """Haplotypes copied in segments from `founders`, built in row chunks
    (so generating the data does not set the process's peak memory)."""
    n_f, n_snps = founders.shape
    out = np.empty((n_hap, n_snps), dtype=np.uint8)
    cols = np.arange(n_snps)
    for s in range(0, n_hap, chunk):
        k = min(chunk, n_hap - s)
        seg = np.cumsum(rng.random((k, n_snps)) < switch, axis=1)
        pick = rng.integers(0, n_f, size=(k, int(seg.max()) + 1))
        h = founders[np.take_along_axis(pick, seg, axis=1), cols]
        h ^= (rng.random((k, n_snps)) < noise).astype(np.uint8)
        out[s:s + k] = h
    return out


def make_data(n, n_snps, n_founders, seed):
    rng = np.random.default_rng(seed)
    freq = rng.beta(0.3, 0.9, size=n_snps)          # many rare alleles
    founders = (rng.random((n_founders, n_snps)) < freq).astype(np.uint8)
    real = mosaic(founders, n, switch=0.002, noise=0.001, rng=rng)
    ag = mosaic(founders, n, switch=0.004, noise=0.003, rng=rng)
    f = real.mean(axis=0)
    rare = np.flatnonzero((f > 0) & (f < 0.01))
    ag[:, rng.choice(rare, size=len(rare) // 3, replace=False)] = 0
    pos = np.cumsum(rng.integers(50, 250, size=n_snps)).astype(np.int64)
    return real, ag, pos


def measure(fn):
    """(result, seconds, peak traced MiB above the memory in use before)."""
    tracemalloc.reset_peak()
    before = tracemalloc.get_traced_memory()[0]
    t0 = time.perf_counter()
    res = fn()
    dt = time.perf_counter() - t0
    peak = (tracemalloc.get_traced_memory()[1] - before) / MiB
    return res, dt, peak


def maxrss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


# ------------------------------------------------------------ baselines

def base_af_fixed(real, ag):
    fr, fa = real.mean(axis=0), ag.mean(axis=0)
    r = scipy.stats.pearsonr(fr, fa).statistic
    poly = (fr > 0) & (fr < 1)
    return r, int((poly & ((fa == 0) | (fa == 1))).sum())


def corrcoef_r2(h):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return np.corrcoef(h.T) ** 2


def base_ld_correlation(real, ag):
    a, b = corrcoef_r2(real), corrcoef_r2(ag)
    iu = np.triu_indices(a.shape[0], 1)
    x, y = a[iu], b[iu]
    del a, b, iu
    ok = np.isfinite(x) & np.isfinite(y)
    return scipy.stats.pearsonr(x[ok], y[ok]).statistic


def base_ld_decay(datasets, pos, n_bins=50):
    keep = np.ones(len(pos), bool)
    for h in datasets.values():
        f = h.mean(axis=0)
        keep &= (f > 0) & (f < 1)
    p = pos[keep]
    iu = np.triu_indices(len(p), 1)
    d = np.abs(p[iu[0]] - p[iu[1]])
    idx = np.minimum(d * n_bins // d.max(), n_bins - 1)   # equal-width bins 0..max
    del d
    n_pairs = np.bincount(idx, minlength=n_bins)
    out = {}
    for name, h in datasets.items():
        r2 = corrcoef_r2(h[:, keep])[iu]
        out[name] = np.bincount(idx, weights=r2, minlength=n_bins) / n_pairs
    return out


def base_rogers_huff(h, n_sub):
    return allel.rogers_huff_r(h[:, :n_sub].T.astype(np.int8)) ** 2


def base_three_point(h, trip):
    x = h.astype(np.float64)
    out = np.empty(len(trip))
    for t, (i, j, k) in enumerate(trip):
        xi, xj, xk = x[:, i], x[:, j], x[:, k]
        fi, fj, fk = xi.mean(), xj.mean(), xk.mean()
        out[t] = (np.mean(xi * xj * xk) - np.mean(xi * xj) * fk - np.mean(xi * xk) * fj
                  - np.mean(xj * xk) * fi + 2 * fi * fj * fk)
    return out


def base_sfs(h):
    n = h.shape[0]
    ac = allel.HaplotypeArray(h.T).count_alleles(max_allele=1)
    return allel.sfs(ac[:, 1], n=n), allel.sfs_folded(ac, n=n)


# ------------------------------------------------------------ main

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=5000, help="haplotypes per set (default 5000)")
    ap.add_argument("--snps", type=int, default=10000, help="SNPs (default 10000)")
    ap.add_argument("--founders", type=int, default=300, help="founder haplotypes (300)")
    ap.add_argument("--triplets", type=int, default=8000, help="triplets per gap (8000)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--rh-snps", type=int, default=1000,
                    help="SNPs for the Rogers-Huff baseline, scaled up (1000)")
    ap.add_argument("--loop-triplets", type=int, default=250,
                    help="triplets per gap for the per-triplet loop baseline, scaled up (250)")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    real, ag, pos = make_data(args.n, args.snps, args.founders, args.seed)
    print(f"data: real {real.shape}, AG {ag.shape} uint8, made in "
          f"{time.perf_counter() - t0:.1f} s; rss {maxrss_mib():.0f} MiB", flush=True)

    tracemalloc.start()
    rows = []   # statistic, ours s, ours MiB, baseline s, baseline MiB, baseline label, diff

    # ---- ours, all first
    ours = {}
    t_all = time.perf_counter()
    ours["af"] = measure(lambda: (af_correlation(real, ag), fixed_sites(real, ag)))
    ours["ld"] = measure(lambda: ld_correlation(real, ag))
    ours["decay"] = measure(lambda: ld_decay({"real": real, "ag": ag}, pos, n_bins=50))
    ours["3pt"] = measure(lambda: three_point_r(real, ag, n_triplets=args.triplets))
    ours["sfs"] = measure(lambda: (site_frequency_spectrum(real),
                                   site_frequency_spectrum(real, folded=True)))
    t_all = time.perf_counter() - t_all
    rss_ours = maxrss_mib()
    for k, (_, dt, pk) in ours.items():
        print(f"  ours {k:6s} {dt:7.2f} s  peak {pk:7.0f} MiB", flush=True)
    print(f"artgen, all statistics for one (real, AG) pair: {t_all:.1f} s "
          f"; process peak RSS {rss_ours:.0f} MiB", flush=True)

    # ---- baselines
    (af_r, fs), dt, pk = ours["af"]
    (b_r, b_fixed), bdt, bpk = measure(lambda: base_af_fixed(real, ag))
    rows.append(("af_correlation + fixed_sites", dt, pk, bdt, bpk,
                 "mean + scipy pearsonr", f"{abs(af_r - b_r):.1e}, fixed {fs.count}={b_fixed}"))
    print("  baseline af done", flush=True)

    ld_r, dt, pk = ours["ld"]
    b_ld, bdt, bpk = measure(lambda: base_ld_correlation(real, ag))
    rows.append(("ld_correlation", dt, pk, bdt, bpk, "np.corrcoef**2 full + pearsonr",
                 f"{abs(ld_r - b_ld):.1e} (r={ld_r:.4f})"))
    print("  baseline ld done", flush=True)

    n_rh = min(args.rh_snps, args.snps)
    _, rdt, rpk = measure(lambda: (base_rogers_huff(real, n_rh), base_rogers_huff(ag, n_rh)))
    scale = (args.snps / n_rh) ** 2
    rows.append(("  (LD r^2 both sets)", ours["ld"][1], ours["ld"][2], rdt * scale, rpk * scale,
                 f"allel.rogers_huff_r est. x{scale:.0f} from {n_rh} SNPs", ""))
    print("  baseline rogers-huff done", flush=True)

    dec, dt, pk = ours["decay"]
    b_dec, bdt, bpk = measure(lambda: base_ld_decay({"real": real, "ag": ag}, pos))
    diff = max(np.nanmax(np.abs(dec[dec.dataset == k]["mean_r2"].to_numpy() - v))
               for k, v in b_dec.items())
    rows.append(("ld_decay (2 sets, 50 bins)", dt, pk, bdt, bpk,
                 "np.corrcoef**2 full + bincount", f"{diff:.1e}"))
    print("  baseline decay done", flush=True)

    tp_r, dt, pk = ours["3pt"]
    tp_df = three_point_values(real, ag, n_triplets=args.triplets)  # same triplets, for plots
    sub = tp_df.groupby("gap", sort=False).head(args.loop_triplets)
    trip = sub[["i", "j", "k"]].to_numpy()
    (b_real, b_ag), bdt, bpk = measure(lambda: (base_three_point(real, trip),
                                                base_three_point(ag, trip)))
    n_gaps = tp_df["gap"].nunique()
    scale3 = args.triplets * n_gaps / len(trip)
    diff = max(np.abs(sub["real"].to_numpy() - b_real).max(),
               np.abs(sub["ag"].to_numpy() - b_ag).max())
    rows.append((f"three_point_r ({args.triplets} x {n_gaps} gaps)", dt, pk, bdt * scale3,
                 bpk, f"per-triplet loop est. x{scale3:.0f}", f"{diff:.1e}"))
    print("  baseline 3-point done", flush=True)

    (s_unf, s_fold), dt, pk = ours["sfs"]
    (b_unf, b_fold), bdt, bpk = measure(lambda: base_sfs(real))
    same = np.array_equal(s_unf, b_unf) and np.array_equal(s_fold, b_fold)
    rows.append(("site_frequency_spectrum (+folded)", dt, pk, bdt, bpk,
                 "allel count_alleles + sfs", "identical" if same else "DIFFERENT"))
    tracemalloc.stop()

    print()
    print(f"n={args.n} haplotypes x {args.snps} SNPs, {args.founders} founders; "
          f"speed-up = baseline s / ours s; peak = tracemalloc peak during the call")
    head = (f"| {'statistic':34s} | {'ours s':>7s} | {'baseline s':>10s} | {'speed-up':>8s} | "
            f"{'ours peak MiB':>13s} | {'base peak MiB':>13s} | {'baseline':44s} | max |diff| |")
    print(head)
    print("|" + "|".join("-" * (len(c)) for c in head.split("|")[1:-1]) + "|")
    for name, dt, pk, bdt, bpk, label, diff in rows:
        print(f"| {name:34s} | {dt:7.2f} | {bdt:10.2f} | {bdt / dt:7.1f}x | {pk:13.0f} | "
              f"{bpk:13.0f} | {label:44s} | {diff} |")
    print(f"\nartgen total (af+fixed, ld_correlation, ld_decay, three_point_r, sfs): "
          f"{t_all:.1f} s; peak RSS after artgen's statistics {rss_ours:.0f} MiB; "
          f"after the baselines {maxrss_mib():.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
