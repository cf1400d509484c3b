"""Benchmark of artgen.stats.distances against a straightforward scipy baseline.

Run from the repository root:

    .venv/bin/python bench/bench_distances.py [--n 5000 --snps 10000]

Data: random 0/1 uint8 haplotypes: a real (training) set, a synthetic set and a
test set, each n x snps. For each statistic it times our function and a
baseline written directly with scipy.spatial.distance.pdist/cdist
(metric="hamming"), in the same process. scipy computes this metric on
float64 (it converts other inputs on every call), so the baseline converts
each set to float64 once; that conversion time (about 0.1 s a set) is added,
unscaled, to each baseline that uses the set.

Memory: "ours peak" is the largest amount of memory numpy allocated during the
call beyond what was already held (tracemalloc; numpy reports its array
allocations to it); "RSS" is the process high-water mark (ru_maxrss) after
the call: all our runs happen before any baseline, so it covers the input
data plus our work, not the baseline's.

A baseline whose full-size run would compare more than --baseline-pairs
pairs of rows (~5 us per pair of 10,000 SNPs: 25 M pairs take ~2 minutes) is
run on a subset of rows and its time scaled by the ratio of pair counts;
such rows are marked "*", and the subset is printed. Where cheap, ours and
the baseline are checked to agree on the subset.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
from scipy.spatial.distance import cdist, pdist

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from artgen.stats.distances import (  # noqa: E402
    nearest_neighbour_distances,
    pairwise_distance_counts,
)
from artgen.stats.privacy import adversarial_accuracy, privacy_loss  # noqa: E402

MiB = 2**20


def measure(fn):
    """(result, seconds, extra peak bytes traced, ru_maxrss bytes after)."""
    before = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    t0 = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1] - before
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
    return result, seconds, peak, rss


def hamming_int(x, y=None):
    """Baseline Hamming distances (float64 from scipy, as counts)."""
    n_snps = x.shape[1]
    d = pdist(x, "hamming") if y is None else cdist(x, y, "hamming")
    return np.rint(d * n_snps).astype(np.int64)


def nn_baseline(query, reference, self_rows=None):
    """Nearest distance of each query row; self_rows: index of each query row
    in reference, to leave out (the straightforward way: set it to +inf)."""
    d = cdist(query, reference, "hamming") * query.shape[1]
    if self_rows is not None:
        d[np.arange(len(query)), self_rows] = np.inf
    return np.rint(d.min(axis=1))


def aa_baseline(real, synthetic, m):
    """AA_TS from the definition with cdist, for the first m rows of each set
    (the indicator means over those rows; timing scales linearly in m)."""
    rows = np.arange(m)
    d_ts = nn_baseline(real[:m], synthetic)
    d_tt = nn_baseline(real[:m], real, rows)
    d_st = nn_baseline(synthetic[:m], real)
    d_ss = nn_baseline(synthetic[:m], synthetic, rows)
    truth, syn = np.mean(d_ts > d_tt), np.mean(d_st > d_ss)
    return truth, syn, (truth + syn) / 2


def fmt(seconds):
    """Seconds with 3-4 significant digits."""
    return f"{seconds:.1f}" if seconds >= 100 else f"{seconds:.2f}" if seconds >= 1 \
        else f"{seconds:.3f}"


def rows_for(pairs_per_row, budget, n):
    """Rows m (<= n) so that m * pairs_per_row stays within budget."""
    return int(max(2, min(n, budget // max(pairs_per_row, 1))))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=5000, help="haplotypes per set")
    parser.add_argument("--snps", type=int, default=10000, help="SNPs")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--baseline-pairs", type=float, default=1.5e6,
                        help="most row pairs a baseline compares before it is subsampled")
    args = parser.parse_args(argv)
    n, n_snps, budget = args.n, args.snps, int(args.baseline_pairs)

    rng = np.random.default_rng(args.seed)
    real = rng.integers(0, 2, (n, n_snps), dtype=np.uint8)
    synthetic = rng.integers(0, 2, (n, n_snps), dtype=np.uint8)
    test = rng.integers(0, 2, (n, n_snps), dtype=np.uint8)
    try:
        from threadpoolctl import threadpool_info
        blas = ", ".join(f"{i['internal_api']} {i.get('version', '')} {i['num_threads']} threads"
                         for i in threadpool_info() if i["user_api"] == "blas")
    except ImportError:  # pragma: no cover
        blas = "unknown"
    print(f"data: real, synthetic, test: {n} x {n_snps} uint8 each "
          f"({3 * n * n_snps / MiB:.0f} MiB); BLAS: {blas}; CPUs: {os.cpu_count()}, "
          f"load average at start: {os.getloadavg()[0]:.2f}")

    tracemalloc.start()
    ours = {}
    ours["counts within real"] = measure(lambda: pairwise_distance_counts(real))
    ours["counts within synthetic"] = measure(lambda: pairwise_distance_counts(synthetic))
    ours["counts real vs synthetic"] = measure(lambda: pairwise_distance_counts(real, synthetic))
    ours["nearest neighbour real->syn"] = measure(
        lambda: nearest_neighbour_distances(real, synthetic))
    ours["adversarial accuracy"] = measure(lambda: adversarial_accuracy(real, synthetic))
    ours["privacy loss"] = measure(lambda: privacy_loss(synthetic, real, test, seed=1))

    # Baselines: name -> (seconds, peak, scale, agrees)
    base = {}
    notes = []
    conv = {}
    for name, x in (("real", real), ("synthetic", synthetic), ("test", test)):
        x64, sec, _, _ = measure(lambda x=x: x.astype(np.float64))
        conv[name] = (x64, sec)
    real64, synthetic64, test64 = (conv[k][0] for k in ("real", "synthetic", "test"))
    c_real, c_syn, c_test = (conv[k][1] for k in ("real", "synthetic", "test"))

    m = int(min(n, max(2, (1 + np.sqrt(1 + 8 * budget)) / 2)))  # m(m-1)/2 <= budget
    for name, x, x64, c in (("counts within real", real, real64, c_real),
                            ("counts within synthetic", synthetic, synthetic64, c_syn)):
        res, sec, peak, _ = measure(
            lambda x64=x64: np.bincount(hamming_int(x64[:m]), minlength=n_snps + 1))
        scale = (n * (n - 1) / 2) / (m * (m - 1) / 2)
        ok = np.array_equal(res, pairwise_distance_counts(x[:m]))
        base[name] = (c + sec * scale, peak, scale, ok)
    if m < n:
        notes.append(f"counts within: pdist on the first {m} rows, time x "
                     f"{(n * (n - 1)) / (m * (m - 1)):.1f}")

    m = rows_for(n, budget, n)
    res, sec, peak, _ = measure(
        lambda: np.bincount(hamming_int(real64[:m], synthetic64).ravel(), minlength=n_snps + 1))
    ok = np.array_equal(res, pairwise_distance_counts(real[:m], synthetic))
    base["counts real vs synthetic"] = (c_real + c_syn + sec * n / m, peak, n / m, ok)
    res, sec, peak, _ = measure(lambda: nn_baseline(real64[:m], synthetic64))
    ok = np.array_equal(res, nearest_neighbour_distances(real[:m], synthetic))
    base["nearest neighbour real->syn"] = (c_real + c_syn + sec * n / m, peak, n / m, ok)
    if m < n:
        notes.append(f"counts between, nearest neighbour: cdist of the first {m} real rows "
                     f"vs all {n} synthetic, time x {n / m:.1f}")

    m = rows_for(4 * n, budget, n)
    _, sec, peak, _ = measure(lambda: aa_baseline(real64, synthetic64, m))
    base["adversarial accuracy"] = (c_real + c_syn + sec * n / m, peak, n / m, None)
    m2 = rows_for(8 * n, budget, n)
    _, sec, peak, _ = measure(lambda: (aa_baseline(real64, synthetic64, m2),
                                       aa_baseline(test64, synthetic64, m2)))
    base["privacy loss"] = (c_real + c_syn + c_test + sec * n / m2, peak, n / m2, None)
    if m < n:
        notes.append(f"adversarial accuracy: the definition with 4 cdist calls for the "
                     f"first {m} rows of each set vs all {n}, time x {n / m:.1f}; "
                     f"privacy loss: two of these on {m2} rows, time x {n / m2:.1f}")
    notes.append("baseline times include converting each set to float64 once "
                 f"({c_real:.2f} + {c_syn:.2f} + {c_test:.2f} s), not scaled")
    del conv, real64, synthetic64, test64
    tracemalloc.stop()
    load_end = os.getloadavg()[0]

    head = (f"{'statistic':<28} {'ours s':>8} {'baseline s':>11} {'speed-up':>9} "
            f"{'ours peak MiB':>14} {'RSS MiB':>8} {'base peak MiB':>14}  agree")
    print()
    print(head)
    print("-" * len(head))
    for name, (_, sec, peak, rss) in ours.items():
        b_sec, b_peak, scale, ok = base[name]
        star = "*" if scale > 1 else " "
        agree = {True: "yes", False: "NO", None: "-"}[ok]
        print(f"{name:<28} {fmt(sec):>8} {fmt(b_sec):>10}{star} {b_sec / sec:8.1f}x "
              f"{peak / MiB:14.0f} {rss / MiB:8.0f} {b_peak / MiB:13.0f}{star}  {agree}")
    total = sum(v[1] for v in ours.values())
    b_total = sum(v[0] for v in base.values())
    peak_all = max(v[2] for v in ours.values())
    rss_all = max(v[3] for v in ours.values())
    print("-" * len(head))
    any_star = "*" if any(v[2] > 1 for v in base.values()) else " "
    print(f"{'all of the above':<28} {fmt(total):>8} {fmt(b_total):>10}{any_star} "
          f"{b_total / total:8.1f}x "
          f"{peak_all / MiB:14.0f} {rss_all / MiB:8.0f}")
    print()
    print("* baseline run on a subset of rows, time scaled by the pair count; its "
          "peak memory is the subset's, beyond the float64 copies of the sets")
    for note in notes:
        print("  - " + note)
    aa = ours["adversarial accuracy"][0]
    pl = ours["privacy loss"][0]
    print(f"results: AA_TS = {aa.aa_ts:.4f} (truth {aa.aa_truth:.4f}, syn {aa.aa_syn:.4f}); "
          f"privacy loss = {pl.loss:+.4f} on {pl.n_rows} rows")
    print(f"load average at the end: {load_end:.2f} (timings are wall-clock; other "
          f"processes on the machine slow both columns)")
    print(f"target (one real/synthetic pair, all statistics): < 120 s and < 4 GiB: "
          f"{total:.1f} s, peak RSS {rss_all / 2**30:.2f} GiB -> "
          f"{'met' if total < 120 and rss_all < 4 * 2**30 else 'NOT met'}")


if __name__ == "__main__":
    main()
