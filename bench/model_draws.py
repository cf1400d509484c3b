"""A fitted model of a pipeline run scored over several AG draws: median and
range of each metric, beside the test split's row (the ceiling) and the
ratios the issues ask for.

The pipeline scores one AG draw per model (``seed``); a comparison on one
draw is noise. This script draws ``--draws`` AG sets from the saved model
(``results/models/{panel}/{model}.npz``), as many as the training split has
haplotypes (the pipeline's convention), and scores each against the training
split with the held-out test split for privacy, exactly as the pipeline's
``statistics`` rule does (UMAP off).

    python bench/model_draws.py RESULTS_DIR --model hmm --panels dense dispersed
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np

os.environ.setdefault("POT_BACKEND_DISABLE_TENSORFLOW", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from artgen.evaluate import Settings, compute_family  # noqa: E402
from artgen.haplotypes import artificial_ids  # noqa: E402
from artgen.io import load_haplotypes  # noqa: E402
from artgen.models import load_generator  # noqa: E402

FAMILIES = ("frequencies", "ld", "structure", "distances", "privacy", "attack")
HEADLINE = ("af_r", "ld_r", "fixed_frac", "fixed_frac_bootstrap", "pairwise_w", "pca_w2d",
            "identical_to_train", "aa_truth_train", "aa_syn_train", "privacy_loss", "mia_auc")


def score(ags, train, test, seed: int, families=FAMILIES) -> dict:
    settings = Settings(seed=seed, umap=False)
    metrics = {}
    for family in families:
        metrics.update(compute_family(family, train, ags, test, settings)[0])
    return metrics


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("results", type=Path)
    parser.add_argument("--model", default="hmm")
    parser.add_argument("--panels", nargs="+", default=["informative", "dense", "dispersed"])
    parser.add_argument("--draws", type=int, default=5)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    for panel in args.panels:
        split = args.results / "splits" / panel
        train, test = load_haplotypes(split / "train.npz"), load_haplotypes(split / "test.npz")
        model = load_generator(args.results / "models" / panel / f"{args.model}.npz")
        ceiling = score(test, train, test, args.seed, ("frequencies", "ld", "structure",
                                                       "distances"))
        rows = []
        for draw in range(args.draws):
            n = train.n_haplotypes
            ags = train.with_alleles(model.sample(n, seed=args.seed + draw),
                                     ids=artificial_ids(n))
            m = score(ags, train, test, args.seed)
            m["pairwise_w_ratio"] = m["pairwise_w"] / ceiling["pairwise_w"]
            m["pca_w2d_ratio"] = m["pca_w2d"] / ceiling["pca_w2d"]
            m["fixed_ratio"] = m["fixed_frac"] / max(m["fixed_frac_bootstrap"], 1e-12)
            rows.append(m)
        print(f"\n### {panel}: `{args.model}`, {args.draws} draws of {train.n_haplotypes} AGs "
              f"(seeds {args.seed}..{args.seed + args.draws - 1})\n")
        print("| metric | test split | median | range |\n|---|---|---|---|")
        for key in (*HEADLINE, "pairwise_w_ratio", "pca_w2d_ratio", "fixed_ratio"):
            values = np.array([r[key] for r in rows], dtype=float)
            ref = ceiling.get(key)
            print(f"| {key} | {'' if ref is None else f'{ref:.4g}'} | {np.median(values):.4g} "
                  f"| [{values.min():.4g}, {values.max():.4g}] |")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
