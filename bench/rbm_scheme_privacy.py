"""Privacy loss of the RBM's sampling schemes over many AG draws from one
trained model: chains started at the sampling set (real haplotypes never
trained on) against chains started at the training haplotypes.

One AG set's privacy loss carries the noise of the draw (about 0.01-0.02 at
the default cohort's sizes), so one draw per scheme cannot rank them. Here
every draw of each scheme is scored against the same training and test
sets, and the paired difference (sampling minus train) is reported with its
standard error.

    python bench/rbm_scheme_privacy.py results/models/dense/rbm.npz \
        results/splits/dense/{train,test,sampling}.npz [--draws 20]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from rbm_real805 import with_scheme  # noqa: E402

from artgen.io.binary import load_haplotypes  # noqa: E402
from artgen.models.base import load_generator  # noqa: E402
from artgen.stats.privacy import privacy_loss  # noqa: E402


def scheme_losses(model, train, test, start_set, draws: int, seed: int = 0) -> dict:
    """Privacy loss of ``draws`` AG sets (as many AGs as training haplotypes)
    per scheme; draw i of both schemes shares its seeds."""
    losses = {}
    for start in ("sampling", "train"):
        sampler = with_scheme(model, start, model.gibbs_steps, train, start_set)
        losses[start] = np.array([
            privacy_loss(sampler.sample(len(train), seed=seed + i), train, test, seed=seed + i).loss
            for i in range(draws)])
    return losses


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model")
    parser.add_argument("train")
    parser.add_argument("test")
    parser.add_argument("sampling")
    parser.add_argument("--draws", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    train, test, start_set = (load_haplotypes(p).alleles
                              for p in (args.train, args.test, args.sampling))
    losses = scheme_losses(load_generator(args.model), train, test, start_set, args.draws,
                           args.seed)
    print(f"{args.draws} draws of {len(train)} AGs; test set {len(test)} haplotypes")
    print("| scheme | mean privacy loss | sd | standard error |")
    print("|---|---|---|---|")
    rows = dict(losses, **{"sampling - train (paired)": losses["sampling"] - losses["train"]})
    for name, x in rows.items():
        sd = x.std(ddof=1)
        print(f"| {name} | {x.mean():.4f} | {sd:.4f} | {sd / np.sqrt(len(x)):.4f} |")


if __name__ == "__main__":
    main()
