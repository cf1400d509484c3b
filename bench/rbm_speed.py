"""Seconds per training epoch of the project's RBM at dense scale against a
plain NumPy PCD-k of the same model, run side by side, as a ratio.

    python bench/rbm_speed.py [--snps 2000 5000 10000] [--haplotypes 678]
        [--hidden 500] [--epochs 2] [--dtype float32] [--threads 1]

Both train the same model on the same structured synthetic haplotypes
(``bench_evaluate.structured_haplotypes``) from the same starting point:
Bernoulli visible units, 500 ReLU hidden units by default (the paper's
for 10K SNPs; the constructor's default is 100), the project's defaults
otherwise (minibatch 32, PCD-10 with 100 persistent chains, plain SGD,
float32 unless ``--dtype`` says otherwise). Each gets one untimed warm-up
epoch, then their timed epochs alternate (project, plain, project, ...) in
one process, so that load from other jobs hits both alike.

The project's RBM is driven through ``RBMGenerator._start`` and
``_run_epochs(e, 1)``: what ``fit`` adds around them (snapshot scoring,
checkpoints) is evaluation, not training cost, and is left out. Its epoch
still includes what ``_run_epochs`` always does: the centred parametrisation
(offsets subtracted, the biases corrected after each step), the one-step
reconstruction error of each minibatch and the pseudo-log-likelihood of up
to 1,000 training haplotypes at the end of the epoch (float64), both logged
as the epoch's losses.

The plain loop (``plain_epoch``) is PCD-k as one writes it by hand: per
minibatch, the data's hidden means ``E[h | v]``, ``k`` Gibbs steps of the
persistent chains (hidden units drawn from the truncated Gaussian with the
project's ``truncated_normal_positive``, visible units from their
sigmoid), the chains' hidden means, and one SGD step on (W, a, b) at a
constant step size. It uses the project's ``relu_mean`` for ``E[h | v]``
and the same dtype as the project's model, so the two differ only in the
loop around the same primitives. It does no centring, no weight decay, no
learning-rate decay and logs nothing (no reconstruction error, no
pseudo-log-likelihood).

Peak memory is tracemalloc's peak over model set-up and the warm-up epoch
(the training data excluded): parameters, chains and one epoch's
temporaries, for the project's RBM also the float64 copies of the rows its
pseudo-log-likelihood scores. BLAS threads default to 1.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import tracemalloc
from pathlib import Path


def plain_start(data, model, seed: int) -> dict:
    """W, a, b and the persistent chains, initialised as the project's RBM does
    (same random draws for the same seed): small Gaussian W, visible biases at
    the allele frequencies' logits, zero hidden biases, chains drawn from the
    frequencies."""
    import numpy as np

    n, n_visible = data.shape
    n_hidden, dtype = model.n_hidden, model.dtype
    rng = np.random.default_rng([seed, 0])
    freq = np.clip(data.mean(axis=0), 0.5 / n, 1 - 0.5 / n)
    w = (model.init_scale * rng.standard_normal((n_visible, n_hidden))).astype(dtype)
    chains = (rng.random((model.n_chains, n_visible)) < freq).astype(dtype)
    return {"W": w, "a": np.log(freq / (1 - freq)).astype(dtype),
            "b": np.zeros(n_hidden, dtype=dtype), "chains": chains}


def plain_epoch(state: dict, data, rng, *, batch_size: int, k: int, lr: float) -> None:
    """One epoch of textbook PCD-k on ``state`` (W, a, b, chains), in place."""
    from scipy.special import expit

    from artgen.models.relu_units import relu_mean, truncated_normal_positive

    w, a, b, chains = state["W"], state["a"], state["b"], state["chains"]
    dtype = w.dtype
    order = rng.permutation(len(data))
    for lo in range(0, len(order), batch_size):
        v = data[order[lo:lo + batch_size]].astype(dtype)
        h_data = relu_mean(v @ w + b).astype(dtype)
        for _ in range(k):
            h = truncated_normal_positive(chains @ w + b, rng).astype(dtype)
            p = expit(h @ w.T + a)
            chains = (rng.random(p.shape, dtype=dtype) < p).astype(dtype)
        h_model = relu_mean(chains @ w + b).astype(dtype)
        w += lr * (v.T @ h_data / len(v) - chains.T @ h_model / len(chains))
        a += lr * (v.mean(axis=0) - chains.mean(axis=0))
        b += lr * (h_data.mean(axis=0) - h_model.mean(axis=0))
    state["chains"] = chains


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--snps", type=int, nargs="+", default=[2000, 5000, 10000])
    parser.add_argument("--haplotypes", type=int, default=678)
    parser.add_argument("--hidden", type=int, default=500, help="hidden units")
    parser.add_argument("--epochs", type=int, default=2, help="timed epochs of each")
    parser.add_argument("--dtype", choices=("float32", "float64"), default="float32")
    parser.add_argument("--threads", default="1")
    args = parser.parse_args()
    os.environ["OPENBLAS_NUM_THREADS"] = os.environ["OMP_NUM_THREADS"] = args.threads
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

    import numpy as np
    from bench_evaluate import structured_haplotypes

    from artgen.models.rbm import RBMGenerator

    print(f"{args.haplotypes} haplotypes, {args.hidden} ReLU hidden units, {args.dtype}, "
          f"{args.epochs} timed epochs of each after 1 warm-up, {args.threads} BLAS thread(s)\n")
    print("| SNPs | project s/epoch | plain PCD-k s/epoch | project / plain | "
          "project peak MiB | plain peak MiB |")
    print("|---|---|---|---|---|---|")
    for n_snps in args.snps:
        data = structured_haplotypes(args.haplotypes, n_snps, np.random.default_rng(0))

        model = RBMGenerator(n_hidden=args.hidden, dtype=args.dtype)
        settings = {"batch_size": model.batch_size, "k": model.k, "lr": model.learning_rate}
        # Set-up and one warm-up epoch of each (BLAS buffers, first-touch pages).
        tracemalloc.start()
        model._start(data, seed=0)
        model._run_epochs(0, 1)
        model_peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        tracemalloc.start()
        plain = plain_start(data, model, seed=0)
        plain_epoch(plain, data, np.random.default_rng([1, 0]), **settings)
        plain_peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()

        times = {"model": 0.0, "plain": 0.0}
        for epoch in range(1, args.epochs + 1):
            began = time.perf_counter()
            model._run_epochs(epoch, 1)
            times["model"] += time.perf_counter() - began
            began = time.perf_counter()
            plain_epoch(plain, data, np.random.default_rng([1, epoch]), **settings)
            times["plain"] += time.perf_counter() - began
        per_model, per_plain = (times[key] / args.epochs for key in ("model", "plain"))
        print(f"| {n_snps:,} | {per_model:.2f} | {per_plain:.2f} | {per_model / per_plain:.2f} "
              f"| {model_peak:.0f} | {plain_peak:.0f} |", flush=True)


if __name__ == "__main__":
    main()
