"""Seconds per training epoch of the RBM (PCD-k, the paper's batch 32,
k = 10, 100 chains) on structured synthetic haplotypes, for both hidden
unit types and both float precisions, and the time to sample AGs.

    python bench/bench_rbm.py [--epochs 2] [--threads 1]

BLAS threads default to 1: the matrices of one step (100 chains x 805 SNPs
x 100 hidden units) are too small for threads to pay, and on a shared
2-core machine extra threads only contend.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--threads", default="1")
    parser.add_argument("--sample", type=int, default=1000, help="AGs to time sampling with")
    args = parser.parse_args()
    os.environ["OPENBLAS_NUM_THREADS"] = os.environ["OMP_NUM_THREADS"] = args.threads
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

    import numpy as np

    from artgen.models.rbm import RBMGenerator
    from bench_evaluate import structured_haplotypes

    cases = [(3756, 805, 100), (700, 2000, 100)]
    print("| haplotypes x SNPs | hidden units | hidden | dtype | s/epoch | "
          f"s to sample {args.sample} AGs x 100 Gibbs steps |")
    print("|---|---|---|---|---|---|")
    for n, n_snps, n_hidden in cases:
        data = structured_haplotypes(n, n_snps, np.random.default_rng(0))
        for hidden in ("relu", "sigmoid"):
            for dtype in ("float32", "float64"):
                model = RBMGenerator(n_hidden=n_hidden, hidden=hidden, dtype=dtype,
                                     start="random", gibbs_steps=100)
                model._start(data, seed=0)
                model._run_epochs(0, 1)  # warm-up: BLAS buffers, first-touch pages
                began = time.perf_counter()
                model._run_epochs(1, args.epochs)
                per_epoch = (time.perf_counter() - began) / args.epochs
                began = time.perf_counter()
                model.sample(args.sample, seed=1)
                sampling = time.perf_counter() - began
                print(f"| {n} x {n_snps} | {n_hidden} | {hidden} | {dtype} | "
                      f"{per_epoch:.2f} | {sampling:.2f} |", flush=True)


if __name__ == "__main__":
    main()
