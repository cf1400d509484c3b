"""Benchmark of artgen.stats (pca, umap, wasserstein) at the paper's size (not a test).

Structured 0/1 data: 3 populations (Balding-Nichols, Fst 0.1), ``--n`` real
haplotypes and ``--n`` AGs drawn from the same model, ``--snps`` SNPs.
Each statistic is timed against a straightforward baseline in the same
process; peak memory is tracemalloc's peak of the step (numpy buffers
included) and the process's ru_maxrss high-water mark after it.

    python bench/bench_structure.py [--n 5000 --snps 10000]
        [--skip-full-pca] [--skip-umap] [--skip-umap-baseline]

The full-SVD PCA baseline (scikit-learn ``svd_solver="full"``) takes ~10
minutes at 10,000 x 10,000 on 2 cores; ``--skip-full-pca`` leaves it out.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
import tracemalloc
import warnings

os.environ.setdefault("POT_BACKEND_DISABLE_TENSORFLOW", "1")

import numpy as np  # noqa: E402
import ot  # noqa: E402

from artgen.stats import pca, umap, wasserstein  # noqa: E402


def structured(n, n_snps, rng, freqs=None, k=3, fst=0.1):
    if freqs is None:
        anc = rng.uniform(0.05, 0.95, n_snps)
        c = (1 - fst) / fst
        freqs = rng.beta(anc * c, (1 - anc) * c, size=(k, n_snps))
    lab = rng.integers(0, freqs.shape[0], n)
    x = np.empty((n, n_snps), dtype=np.uint8)
    for i in range(0, n, 500):  # in blocks: a float matrix of the whole set would be 400 MB
        x[i:i + 500] = rng.random((min(500, n - i), n_snps)) < freqs[lab[i:i + 500]]
    return x, freqs


def rss_gib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB on Linux


def timed(fn, trace=True):
    """(result, seconds, tracemalloc peak GiB or nan).  tracemalloc slows Python-heavy code
    (numba's compiler, UMAP's Python parts) several-fold, so UMAP steps run untraced."""
    if trace:
        tracemalloc.start()
        tracemalloc.reset_peak()
    t = time.perf_counter()
    out = fn()
    dt = time.perf_counter() - t
    peak = float("nan")
    if trace:
        peak = tracemalloc.get_traced_memory()[1] / 2**30
        tracemalloc.stop()
    return out, dt, peak


ROWS = []


def row(stat, ours, base, note=""):
    """ours, base: (seconds, peak GiB) or None."""
    ROWS.append((stat, ours, base, rss_gib(), note))
    o = f"{ours[0]:8.2f}" if ours else "       -"
    b = f"{base[0]:8.2f}" if base else "       -"
    print(f"  .. {stat}: ours {o} s, baseline {b} s  {note}", flush=True)


def print_table():
    print()
    head = f"{'statistic':<44} {'ours s':>8} {'baseline s':>10} {'ratio':>7} {'peak ours':>10} {'peak base':>10} {'maxrss':>7}  note"
    print(head)
    print("-" * len(head))
    for stat, ours, base, rss, note in ROWS:
        o = f"{ours[0]:8.2f}" if ours else f"{'-':>8}"
        b = f"{base[0]:10.2f}" if base else f"{'-':>10}"
        r = f"{base[0] / ours[0]:7.1f}" if ours and base else f"{'-':>7}"
        po = f"{ours[1]:8.2f}GB" if ours and ours[1] == ours[1] else f"{'-':>10}"
        pb = f"{base[1]:8.2f}GB" if base and base[1] == base[1] else f"{'-':>10}"
        print(f"{stat:<44} {o} {b} {r} {po} {pb} {rss:5.1f}GB  {note}")
    print("\nratio = baseline s / ours s; peak = tracemalloc peak of the step (- : untraced, UMAP); "
          "maxrss = process high-water mark so far")


def sign_aligned_diff(a, b):
    s = np.sign((a * b).sum(axis=0))
    return float(np.abs(a - b * s).max())


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=5000, help="real haplotypes, and AGs (default 5000)")
    ap.add_argument("--snps", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--skip-full-pca", action="store_true", help="leave out the full-SVD PCA baseline")
    ap.add_argument("--skip-umap", action="store_true")
    ap.add_argument("--skip-umap-baseline", action="store_true", help="leave out UMAP on the raw matrix")
    args = ap.parse_args(argv)

    rng = np.random.default_rng(args.seed)
    real, freqs = structured(args.n, args.snps, rng)
    ag, _ = structured(args.n, args.snps, rng, freqs=freqs)
    bern = (rng.random(real.shape, dtype=np.float32) < real.mean(0)).astype(np.uint8)
    print(f"data: {real.shape[0]} real + {ag.shape[0]} AG haplotypes x {args.snps} SNPs, 3 populations; "
          f"{os.cpu_count()} CPUs", flush=True)

    # -- PCA, 6 axes, real + AG (Figure 1) -----------------------------------------------
    res, t_ours, m_ours = timed(lambda: pca.pca({"real": real, "ag": ag}, n_components=6))
    note = f"solver={res.solver}"
    base = None
    if not args.skip_full_pca:
        from sklearn.decomposition import PCA

        stacked = np.vstack([real, ag])
        ref, t_b, m_b = timed(lambda: PCA(6, svd_solver="full").fit_transform(stacked))
        base = (t_b, m_b)
        note += f"; max |ours - sklearn| (axis sign) = {sign_aligned_diff(res.stacked(), ref):.1e}"
        del ref, stacked
    row("pca 6 axes (sklearn full SVD)", (t_ours, m_ours), base, note)

    # -- the paired PCA of pca_wasserstein: 2 axes ------------------------------------------
    res2, t2, m2 = timed(lambda: pca.pca({"real": real, "ag": ag}, n_components=2))
    x, y = res2.coords["real"], res2.coords["ag"]
    row("pca 2 axes (pca_wasserstein's)", (t2, m2), None, f"solver={res2.solver}")

    # -- exact OT on PCs 1-2 -----------------------------------------------------------
    w_exact, t_e, m_e = timed(lambda: wasserstein.wasserstein_2d(x, y, exact=True))
    a, b = np.full(len(x), 1 / len(x)), np.full(len(y), 1 / len(y))

    def pot_exact():
        M = ot.dist(x, y)
        M /= M.max()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            val = ot.emd2(a, b, M)
        return val, caught

    (w_pot, caught), t_pe, m_pe = timed(pot_exact)
    row("wasserstein_2d exact (ot.emd2 default)", (t_e, m_e), (t_pe, m_pe),
        f"ours {w_exact:.6f}; POT default {w_pot:.6f}"
        + ("; POT warned: " + str(caught[0].message)[:50] if caught else ""))

    # -- entropic OT on PCs 1-2, all points --------------------------------------------
    w_ent, t_s, m_s = timed(lambda: wasserstein.wasserstein_2d(x, y, reg=1e-3))

    def pot_default_sinkhorn():  # what ot.sinkhorn2(a, b, M, 1e-3) does: Knopp, 1000 iterations
        M = ot.dist(x, y)
        M /= M.max()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            plan = ot.sinkhorn(a, b, M, 1e-3)
        err = np.abs(plan.sum(1) - a).sum() + np.abs(plan.sum(0) - b).sum()
        return float(np.nansum(plan * M)), float(err)

    (w_pd, err_pd), t_pd, m_pd = timed(pot_default_sinkhorn)
    row("wasserstein_2d entropic (ot.sinkhorn2 dflt)", (t_s, m_s), (t_pd, m_pd),
        f"ours {w_ent:.6f} (marginal err <= 1e-6); POT default {w_pd:.6f}, marginal err {err_pd:.1e}")

    def pot_log_20():
        M = ot.dist(x, y)
        M /= M.max()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ot.sinkhorn2(a, b, M, 1e-3, method="sinkhorn_log", numItermax=20, stopThr=0)

    _, t_pl, _ = timed(pot_log_20)
    print(f"  .. POT sinkhorn_log at this size: {t_pl / 20:.2f} s per iteration (our solver needs "
          "~1,000 iterations here)", flush=True)

    # -- entropic on 500 points (pca_wasserstein's default), against POT's log-domain solver
    rs = np.random.default_rng(0)
    xs = x[np.sort(rs.choice(len(x), 500, replace=False))]
    ys = y[np.sort(rs.choice(len(y), 500, replace=False))]
    w_500, t_5, m_5 = timed(lambda: wasserstein.wasserstein_2d(xs, ys, reg=1e-3))

    def pot_log_500():
        M = ot.dist(xs, ys)
        M /= M.max()
        a5 = np.full(500, 1 / 500)
        return float(ot.sinkhorn2(a5, a5, M, 1e-3, method="sinkhorn_log", numItermax=100_000, stopThr=1e-9))

    w_pl, t_pl5, m_pl5 = timed(pot_log_500)
    row("entropic 500 pts (ot.sinkhorn2 log)", (t_5, m_5), (t_pl5, m_pl5), f"ours {w_500:.6f}; POT {w_pl:.6f}")

    # -- the whole pca_wasserstein ----------------------------------------------------
    d, t_pw, m_pw = timed(lambda: wasserstein.pca_wasserstein(real, ag))
    row("pca_wasserstein (entropic on 500)", (t_pw, m_pw), None,
        f"exact {d['exact']:.6f}, entropic {d['entropic']:.6f}")
    d_all, t_pa, m_pa = timed(lambda: wasserstein.pca_wasserstein(real, ag, entropic_max_points=None))
    row("pca_wasserstein (entropic on all)", (t_pa, m_pa), None,
        f"exact {d_all['exact']:.6f}, entropic {d_all['entropic']:.6f}")
    d_b, t_pb, m_pb = timed(lambda: wasserstein.pca_wasserstein(real, bern))
    row("pca_wasserstein, Bernoulli AGs", (t_pb, m_pb), None,
        f"exact {d_b['exact']:.6f}, entropic {d_b['entropic']:.6f}")

    # -- UMAP ----------------------------------------------------------------------------
    if not args.skip_umap:
        _, t_imp, _ = timed(lambda: umap._run_umap(np.random.default_rng(0).random((60, 5)), seed=0,
                                                       n_neighbors=5, min_dist=0.1), trace=False)
        row("umap import + numba compile (tiny run)", (t_imp, float("nan")), None, "one-off per process")
        emb, t_u, m_u = timed(lambda: umap.umap_embedding({"real": real, "ag": ag}), trace=False)
        base = None
        if not args.skip_umap_baseline:
            stacked = np.vstack([real, ag]).astype(np.float32)
            _, t_ub, m_ub = timed(lambda: umap._run_umap(stacked, seed=0, n_neighbors=15, min_dist=0.1), trace=False)
            base = (t_ub, m_ub)
            del stacked
        row("umap_embedding all (UMAP on raw 0/1)", (t_u, m_u), base, "ours: PCA-50 then UMAP, euclidean")
        du, t_uw, m_uw = timed(lambda: wasserstein.umap_wasserstein(real, ag), trace=False)
        row("umap_wasserstein (2000/set embedded)", (t_uw, m_uw), None,
            f"exact {du['exact']:.6f}, entropic {du['entropic']:.6f}")
        dub, t_uwb, m_uwb = timed(lambda: wasserstein.umap_wasserstein(real, bern), trace=False)
        row("umap_wasserstein, Bernoulli AGs", (t_uwb, m_uwb), None,
            f"exact {dub['exact']:.6f}, entropic {dub['entropic']:.6f}")

    print_table()
    return 0


if __name__ == "__main__":
    sys.exit(main())
