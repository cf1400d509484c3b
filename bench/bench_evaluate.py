"""Time and peak memory of every family of statistics for one (panel, model)
at the paper's largest size: 5,000 real x 10,000 SNPs against 5,000 AGs
(and 1,700 held-out haplotypes), as the pipeline computes them.

Each family runs in its own process so that its peak resident memory is its
own. The per-statistic comparisons with straightforward scipy/scikit-allel
implementations are in bench_distances.py, bench_ld.py and
bench_structure.py.

    python bench/bench_evaluate.py [--n 5000 --snps 10000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np


def structured_haplotypes(n: int, n_snps: int, rng: np.random.Generator) -> np.ndarray:
    """Haplotypes of 3 populations, each a mosaic of its own 40 founders
    (switching every ~200 SNPs) with 1% noise: LD blocks and structure."""
    base = rng.uniform(0.05, 0.95, n_snps)
    out = np.empty((n, n_snps), dtype=np.uint8)
    pop_of = rng.integers(0, 3, n)
    for pop in range(3):
        freqs = np.clip(base + rng.normal(0, 0.2, n_snps), 0.01, 0.99)
        founders = (rng.random((40, n_snps)) < freqs).astype(np.uint8)
        rows = np.flatnonzero(pop_of == pop)
        switches = np.cumsum(rng.random((len(rows), n_snps)) < 1 / 200, axis=1)
        choice = rng.integers(0, 40, (len(rows), switches.max() + 1))
        which = np.take_along_axis(choice, switches, axis=1)
        out[rows] = founders[which, np.arange(n_snps)]
    noise = rng.random(out.shape) < 0.01
    return out ^ noise.astype(np.uint8)


def make_inputs(n: int, n_snps: int, folder: str) -> None:
    """Write real, AG and held-out sets as the pipeline's binary files."""
    from artgen.haplotypes import Haplotypes, haplotype_ids
    from artgen.io import save_haplotypes

    everything = structured_haplotypes(2 * n + 1700, n_snps, np.random.default_rng(0))
    for name, rows in (("real", everything[:n]), ("ags", everything[n:2 * n]),
                       ("held_out", everything[2 * n:])):
        h = Haplotypes.build(rows, chrom=["1"] * n_snps, pos=np.arange(1, n_snps + 1) * 100,
                             ref=["A"] * n_snps, alt=["G"] * n_snps,
                             ids=haplotype_ids([f"S{i}" for i in range(len(rows) // 2)]))
        save_haplotypes(h, os.path.join(folder, f"{name}.npz"))


def run_family(family: str, folder: str) -> dict:
    """One family on the saved inputs; its time and this process's peak RSS."""
    from artgen.evaluate import Settings, compute_family
    from artgen.io import load_haplotypes

    real, ags, held_out = (load_haplotypes(os.path.join(folder, f"{name}.npz"))
                           for name in ("real", "ags", "held_out"))
    start = time.perf_counter()
    metrics, _ = compute_family(family, real, ags, held_out, Settings(seed=1))
    seconds = time.perf_counter() - start
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"family": family, "seconds": seconds, "peak_mib": peak_mib,
            "metrics": {k: float(v) for k, v in metrics.items()}}


def main() -> None:
    from artgen.evaluate import FAMILIES

    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--snps", type=int, default=10000)
    parser.add_argument("--family", help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.family:
        print(json.dumps(run_family(args.family, args.folder)))
        return
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        make_inputs(args.n, args.snps, folder)
        for family in FAMILIES:
            out = subprocess.run([sys.executable, __file__, "--family", family, "--folder", folder],
                                 capture_output=True, text=True, check=True,
                                 env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
            rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(f"{args.n} real x {args.snps} SNPs vs {args.n} AGs (1700 held out)\n")
    print(f"{'family':<12} {'seconds':>8} {'peak MiB':>9}  metrics")
    for row in rows:
        shown = ", ".join(f"{k} {v:.4g}" for k, v in list(row["metrics"].items())[:4])
        print(f"{row['family']:<12} {row['seconds']:>8.1f} {row['peak_mib']:>9.0f}  {shown}")
    total = sum(r["seconds"] for r in rows)
    print(f"{'all':<12} {total:>8.1f} {max(r['peak_mib'] for r in rows):>9.0f}  "
          f"(target: < 120 s, < 4096 MiB peak)")


if __name__ == "__main__":
    main()
