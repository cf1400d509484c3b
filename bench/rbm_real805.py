"""The RBM on the paper's real 805-SNP data (1000 Genomes): train on
real805's 3:1 split with the settings of ``config/paper.yaml``'s ``rbm``
(``--settings`` overrides them) and score its AGs beside the test split.

The test individuals are split in two halves: the "sampling set" where the
``start="sampling"`` chains start, and the privacy test set (privacy loss =
AA_TS against it minus AA_TS against train), so the two never overlap.
The reference row is the whole test split scored as if it were an AG set.

    python bench/rbm_real805.py DATA_DIR [--settings '{"epochs": 300}'] \
        [--save model.npz | --load model.npz] [--gibbs-steps 1 10 100]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # small matrices: threads only contend

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import real805  # noqa: E402

from artgen.haplotypes import sample_of  # noqa: E402
from artgen.models.base import load_generator  # noqa: E402
from artgen.models.rbm import RBMGenerator  # noqa: E402

COLUMNS = ("af_r", "ld_r", "pairwise_w", "pairwise_w_ratio", "pca_w2d", "pca_w2d_ratio",
           "aa_truth_train", "aa_syn_train", "aats_train", "privacy_loss",
           "identical_to_train", "fixed_sites")


def halves(test, seed: int = 2):
    """Split the test individuals in two: (sampling set, privacy test set)."""
    samples = np.array([sample_of(i) for i in test.ids])
    unique = np.unique(samples)
    chosen = np.random.default_rng(seed).choice(unique, size=len(unique) // 2, replace=False)
    in_first = np.isin(samples, chosen)
    return (test.take_haplotypes(np.flatnonzero(in_first)),
            test.take_haplotypes(np.flatnonzero(~in_first)))


def with_scheme(model: RBMGenerator, start: str, gibbs_steps: int, train, start_set):
    """The trained ``model`` sampling from another start or for other steps."""
    other = RBMGenerator(**{**model.settings(), "start": start, "gibbs_steps": gibbs_steps})
    other.set_state({k: v for k, v in model.state().items()
                     if k in ("weights", "visible_bias", "hidden_bias")})
    other.train_haplotypes = train
    other.set_start_set(start_set)
    return other


def fmt(value) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data_dir")
    parser.add_argument("--settings", default="{}", help="RBMGenerator keywords (JSON)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--save", help="save the trained model here")
    parser.add_argument("--load", help="skip training: score this saved model")
    parser.add_argument("--gibbs-steps", type=int, nargs="*", default=None,
                        help="Gibbs steps to compare (default: the model's)")
    parser.add_argument("--schemes", nargs="*", default=["sampling", "train", "random"])
    parser.add_argument("--history", help="write the per-epoch history table here")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")

    train, test = real805.load_split(args.data_dir)
    start_set, privacy_test = halves(test)
    print(f"train {train.n_haplotypes}, sampling set {start_set.n_haplotypes}, "
          f"privacy test {privacy_test.n_haplotypes} haplotypes")
    if args.load:
        model = load_generator(args.load)
        print("loaded", args.load)
    else:
        model = RBMGenerator(**{**real805.paper_settings("rbm"), **json.loads(args.settings)})
        model.set_start_set(start_set.alleles)
        began = time.perf_counter()
        model.fit(train.alleles, seed=args.seed)
        minutes = (time.perf_counter() - began) / 60
        print(f"trained in {minutes:.1f} min; kept epoch {model.best_epoch}")
        if args.history:
            model.history.to_csv(args.history, sep="\t", index=False)
        if args.save:
            model.save(args.save)
    print("settings:", json.dumps(model.settings()))

    reference = real805.test_split_reference(train, test)
    rows = [("test split", "-", {**reference, "pairwise_w_ratio": 1.0, "pca_w2d_ratio": 1.0})]
    steps_list = args.gibbs_steps or [model.gibbs_steps]
    for start in args.schemes:
        for steps in steps_list:
            began = time.perf_counter()
            ags = with_scheme(model, start, steps, train.alleles, start_set.alleles
                              ).sample(train.n_haplotypes, seed=args.seed + 1)
            seconds = time.perf_counter() - began
            metrics = real805.score(ags, train, privacy_test, seed=args.seed)
            metrics.update(real805.ratios(metrics, reference))
            rows.append((start, steps, metrics))
            print(f"{start} gibbs_steps={steps} ({seconds:.1f} s to sample): " +
                  " ".join(f"{k}={fmt(metrics.get(k, float('nan')))}" for k in COLUMNS),
                  flush=True)

    print("\n| scheme | gibbs_steps | " + " | ".join(COLUMNS) + " |")
    print("|---|---|" + "---|" * len(COLUMNS))
    for start, steps, m in rows:
        print(f"| {start} | {steps} | " + " | ".join(fmt(m.get(k, float("nan")))
                                                    for k in COLUMNS) + " |")


if __name__ == "__main__":
    main()
