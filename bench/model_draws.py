"""A fitted model of a pipeline run scored over several AG draws: median and
range of each metric, beside the test split's row (the ceiling) and the
ratios the issues ask for.

The pipeline scores one AG draw per model (``seed``); a comparison on one
draw is noise. This script draws ``--draws`` AG sets from the saved model
(``results/models/{panel}/{model}.npz``), as many as the training split has
haplotypes (the pipeline's convention), and scores each against the training
split with the held-out test split for privacy, exactly as the pipeline's
``statistics`` rule does (UMAP off). A windowed panel's AGs are stitched
from its window models (``results/windows/{panel}/plan.tsv``), its LD taken on
pairs within ``--ld-max-distance`` (a sample of ``--ld-max-pairs``), and its
LD across the seams scored too.

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

from artgen.evaluate import Settings, boundary_stats, compute_family  # noqa: E402
from artgen.haplotypes import artificial_ids  # noqa: E402
from artgen.io import load_haplotypes  # noqa: E402
from artgen.models import load_generator  # noqa: E402
from artgen.stitching import stitch  # noqa: E402
from artgen.windows import read_plan, seams_of, window_name  # noqa: E402

FAMILIES = ("frequencies", "ld", "structure", "distances", "privacy", "attack")
HEADLINE = ("af_r", "ld_r", "fixed_frac", "fixed_frac_bootstrap", "pairwise_w", "pca_w2d",
            "identical_to_train", "aa_truth_train", "aa_syn_train", "privacy_loss", "mia_auc")
BOUNDARY = ("boundary_ld_ratio_min", "boundary_ld_ratio_rel_min")


def score(ags, train, test, settings: Settings, families=FAMILIES) -> dict:
    metrics = {}
    for family in families:
        metrics.update(compute_family(family, train, ags, test, settings)[0])
    return metrics


class Sampler:
    """Draws of a saved model, or of a windowed panel's window models stitched."""

    def __init__(self, results: Path, panel: str, model: str):
        plan = results / "windows" / panel / "plan.tsv"
        self.windows = read_plan(plan) if plan.exists() else None
        if self.windows is None:
            self.models = [load_generator(results / "models" / panel / f"{model}.npz")]
        else:
            self.models = [load_generator(results / "models" / window_name(panel, w.index)
                                          / f"{model}.npz") for w in self.windows]

    def sample(self, n: int, seed: int):
        if self.windows is None:
            return self.models[0].sample(n, seed=seed), None
        return stitch(self.models, self.windows, n, seed)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("results", type=Path)
    parser.add_argument("--model", default="hmm")
    parser.add_argument("--panels", nargs="+", default=["informative", "dense", "dispersed"])
    parser.add_argument("--draws", type=int, default=5)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--ld-max-distance", type=int, default=500_000,
                        help="windowed panels: LD on pairs at most this many bp apart")
    parser.add_argument("--ld-max-pairs", type=int, default=2_000_000,
                        help="windowed panels: a seeded sample of at most this many pairs")
    args = parser.parse_args(argv)
    for panel in args.panels:
        split = args.results / "splits" / panel
        train, test = load_haplotypes(split / "train.npz"), load_haplotypes(split / "test.npz")
        sampler = Sampler(args.results, panel, args.model)
        windowed = sampler.windows is not None
        settings = Settings(seed=args.seed, umap=False,
                            ld_max_distance=args.ld_max_distance if windowed else None,
                            ld_max_pairs=args.ld_max_pairs if windowed else None)
        ceiling = score(test, train, test, settings, ("frequencies", "ld", "structure",
                                                      "distances"))
        rows = []
        for draw in range(args.draws):
            n = train.n_haplotypes
            alleles, pops = sampler.sample(n, seed=args.seed + draw)
            ags = train.with_alleles(alleles, ids=artificial_ids(n), pops=pops)
            m = score(ags, train, test, settings)
            if windowed:
                m.update(boundary_stats(train, ags, seams_of(sampler.windows), settings)[0])
            m["pairwise_w_ratio"] = m["pairwise_w"] / ceiling["pairwise_w"]
            m["pca_w2d_ratio"] = m["pca_w2d"] / ceiling["pca_w2d"]
            m["fixed_ratio"] = m["fixed_frac"] / max(m["fixed_frac_bootstrap"], 1e-12)
            rows.append(m)
        print(f"\n### {panel}: `{args.model}`, {args.draws} draws of {train.n_haplotypes} AGs "
              f"(seeds {args.seed}..{args.seed + args.draws - 1})\n")
        print("| metric | test split | median | range |\n|---|---|---|---|")
        for key in (*HEADLINE, "pairwise_w_ratio", "pca_w2d_ratio", "fixed_ratio",
                    *(BOUNDARY if windowed else ())):
            values = np.array([r[key] for r in rows], dtype=float)
            ref = ceiling.get(key)
            print(f"| {key} | {'' if ref is None else f'{ref:.4g}'} | {np.median(values):.4g} "
                  f"| [{values.min():.4g}, {values.max():.4g}] |")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
