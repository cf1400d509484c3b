"""Why does the RBM learn little LD on dense panels? Train it on one panel of
a pipeline run (its train, test and sampling splits) under several settings
and score, for each trained model, AGs after 1, 10, 100 and 1,000 Gibbs
steps from the sampling split and from random states.

Scores are the held-out ones of the metrics table (LD r, AF r and pairwise
W against half of the test split at a matched size, with the real-vs-real
row for scale) and AA_truth / AA_syn against the test split. Each setting
also reports how training went: the pseudo-log-likelihood and the
reconstruction error at the first, middle and last epochs, the kept
snapshot, and the lag-1 autocorrelation of the persistent chains' energy.

    python bench/rbm_dense.py results/splits/dense --variants default epochs300 \\
        --out bench/rbm_dense.tsv

A variant is a name from VARIANTS (settings over the default config's rbm).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # small matrices: threads only contend

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from artgen.evaluate import Settings, compute_family  # noqa: E402
from artgen.haplotypes import artificial_ids  # noqa: E402
from artgen.io import load_haplotypes  # noqa: E402
from artgen.models.rbm import RBMGenerator  # noqa: E402
from artgen.models.relu_units import free_energy  # noqa: E402

#: The default config's rbm (config/config.yaml), then variants over it.
DEFAULT = {"start": "sampling", "epochs": 100, "snapshot_every": 10, "aa_tolerance": 0.3}
VARIANTS = {
    "default": {},
    "epochs300": {"epochs": 300},
    "chains_all": {"n_chains": 0},          # 0: as many persistent chains as training rows
    "lr_high": {"learning_rate": 0.01, "learning_rate_final": 0.001},
    "lr_high_epochs300": {"learning_rate": 0.01, "learning_rate_final": 0.001, "epochs": 300},
    "lr_higher": {"learning_rate": 0.03, "learning_rate_final": 0.003},
    "hidden300": {"n_hidden": 300},
    "l2": {"l2": 1e-4},
    "k1": {"k": 1},
    "adam": {"optimizer": "adam", "learning_rate": 1e-3, "learning_rate_final": 1e-4},
    "adam_flat": {"optimizer": "adam", "learning_rate": 2e-3, "learning_rate_final": None},
}
STEPS = (1, 10, 100, 1000)


def chain_autocorrelation(model: RBMGenerator, start: np.ndarray, n_steps: int,
                          seed: int) -> float:
    """Lag-1 autocorrelation of each chain's free energy over ``n_steps``
    Gibbs steps from ``start``, averaged over chains: near 1, the chains
    barely move (poor mixing)."""
    rng = np.random.default_rng(seed)
    v = start.astype(model.dtype)
    energies = []
    for _ in range(n_steps):
        v = model._gibbs(v, 1, rng)
        energies.append(free_energy(v, model.weights, model.visible_bias, model.hidden_bias,
                                    model.hidden))
    e = np.array(energies)  # (steps, chains)
    e = e - e.mean(axis=0)
    num = (e[1:] * e[:-1]).sum(axis=0)
    den = (e * e).sum(axis=0)
    ok = den > 0
    return float(np.mean(num[ok] / den[ok])) if ok.any() else float("nan")


def score(train, test, alleles, seed: int) -> dict:
    ags = train.with_alleles(alleles, ids=artificial_ids(len(alleles)))
    settings = Settings(seed=seed, n_triplets=500, umap=False)
    held = compute_family("heldout", train, ags, test, settings)[0]
    privacy = compute_family("privacy", train, ags, test, settings)[0]
    return {"ld_r_ho": held["ld_r_ho"], "af_r_ho": held["af_r_ho"],
            "pairwise_w_ho": held["pairwise_w_ho"], "aa_truth_test": privacy["aa_truth_test"],
            "aa_syn_test": privacy["aa_syn_test"], "privacy_loss": privacy["privacy_loss"]}


def run_variant(name: str, splits: dict, seed: int) -> list[dict]:
    train, test, sampling = splits["train"], splits["test"], splits["sampling"]
    settings = {**DEFAULT, **VARIANTS[name]}
    if settings.get("n_chains") == 0:
        settings["n_chains"] = train.n_haplotypes
    model = RBMGenerator(**settings)
    model.set_start_set(sampling.alleles)
    start = time.perf_counter()
    model.fit(train.alleles, seed=seed)
    seconds = time.perf_counter() - start
    history = model.history
    losses = history.dropna(subset=["pseudo_log_likelihood"])
    picks = losses.iloc[[0, len(losses) // 2, -1]]
    snaps = history.dropna(subset=["aa_truth"])
    info = {"variant": name, "settings": json.dumps(VARIANTS[name]), "fit_s": round(seconds, 1),
            "kept_epoch": model.best_epoch,
            # per snapshot: epoch, AA_truth / AA_syn and LD r against the training set
            "snapshots": " ".join(f"{int(r.epoch)}:{r.aa_truth:.2f}/{r.aa_syn:.2f}/{r.ld_r:.2f}"
                                  for r in snaps.itertuples()),
            "pll": " / ".join(f"{v:.1f}" for v in picks["pseudo_log_likelihood"]),
            "recon": " / ".join(f"{v:.4f}" for v in picks["reconstruction_error"]),
            "chain_autocorr": chain_autocorrelation(model, sampling.alleles[:100], 200, seed)}
    rows = []
    n = test.n_haplotypes
    for start_kind in ("sampling", "random"):
        for steps in STEPS:
            sampler = RBMGenerator(**{**model.settings(), "start": start_kind,
                                      "gibbs_steps": steps})
            sampler.set_state({k: v for k, v in model.state().items()
                               if k in ("weights", "visible_bias", "hidden_bias")})
            sampler.set_start_set(sampling.alleles)
            alleles = sampler.sample(n, seed=seed + steps)
            rows.append({**info, "start": start_kind, "gibbs_steps": steps,
                         **score(train, test, alleles, seed)})
            print({k: (round(v, 4) if isinstance(v, float) else v)
                   for k, v in rows[-1].items() if k not in ("settings", "snapshots")},
                  flush=True)
    print(name, "snapshots (epoch:AA_truth/AA_syn/LD r):", info["snapshots"], flush=True)
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("splits", help="folder of a panel's splits (train.npz, test.npz, "
                                       "sampling.npz) from a pipeline run")
    parser.add_argument("--variants", nargs="+", default=["default"], choices=list(VARIANTS))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", help="table of the results (.tsv)")
    args = parser.parse_args(argv)
    folder = Path(args.splits)
    splits = {name: load_haplotypes(folder / f"{name}.npz")
              for name in ("train", "test", "sampling")}
    # The test split against itself: only the held-out fidelity (its halves) means anything.
    real = {k: v for k, v in score(splits["train"], splits["test"], splits["test"].alleles,
                                   args.seed).items() if k.endswith("_ho")}
    print("real vs real:", {k: round(v, 4) for k, v in real.items()}, flush=True)
    rows = [{"variant": "test split", "start": "", "gibbs_steps": 0, **real}]
    for name in args.variants:
        rows += run_variant(name, splits, args.seed)
    table = pd.DataFrame(rows)
    if args.out:
        table.to_csv(args.out, sep="\t", index=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
