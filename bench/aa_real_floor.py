"""What new real haplotypes read on the AA and copy targets of a panel, and
what they read once copies are forbidden or per-site noise is added.

The AGs of a faithful generator should score as new people from the same
population do. This bench scores such people: the panel's haplotypes never
trained on (the sampling and validation splits, together), against the
training and test splits, exactly as the metrics table scores AGs (the
``score`` of ``rbm_temperature.py``). It then changes them in the two ways
that separate the RBM's AGs from real ones, and scores them again:

- ``copies moved d``: every one that is identical to a training haplotype
  gets d random alleles flipped (the no-copy rule at its cheapest);
- ``nothing within d``: every one within d SNPs of a training haplotype is
  moved until it is farther than d from all of them;
- ``site noise e``: every allele flipped independently with probability e
  (the per-site noise of independent visible units);
- ``copies withheld``: those identical to a training haplotype left out,
  with the other haplotype of their individual, as the release gate
  withholds an AG set's copies; ``singleton copies withheld``: only those
  identical to a haplotype that one training haplotype alone carries;
  ``copies withheld, kept k+``: as the release gate withholds them with
  ``keep_copies_carried_by`` k, releasing the copies of haplotypes that k or
  more training individuals carry.

Then it scores, as many as the new real haplotypes, mosaics of training
haplotypes: ``mosaic w``, stretches of w consecutive SNPs, each copied
from a training haplotype drawn afresh for each stretch. Their stretches
are real local haplotypes, joined without the long-range sharing of real
people: what AA reads of AGs coherent only over w SNPs.

``copies_of_singletons``: those identical to a haplotype only one training
haplotype carries; ``repeated``: the share of a set's haplotypes (at the
test split's size) identical to another of them; ``nn_train``: the median
distance from each set's haplotypes to their nearest training haplotype
(``nn_train_400``: within stretches of 400 SNPs).

    python bench/aa_real_floor.py results/splits/dense --draws 5
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from draw_tables import draw_line, rows_table, summary_markdown  # noqa: E402
from rbm_temperature import (closeness_to_train, release_gate_keeps,  # noqa: E402
                             repeated_share, score, singleton_haplotypes)

from artgen.io import load_haplotypes  # noqa: E402
from artgen.stats.distances import nearest_neighbour_distances  # noqa: E402

COLUMNS = ("n_ags", "ld_r_ho", "pairwise_w_ho", "aa_truth_test", "aa_syn_test", "privacy_loss",
           "privacy_loss_matched", "identical_to_train", "copies_of_singletons", "nn_train",
           "nn_train_400", "repeated")
#: The release gate's ``keep_copies_carried_by`` values scored.
KEEP_CARRIED_BY = (2, 3, 5)


def move_away(alleles, train, within: int, flips: int, rng) -> np.ndarray:
    """``alleles`` with each row that lies within ``within`` SNPs of a
    training haplotype given ``flips`` random flips, drawn again until it
    lies farther than ``within`` from every one."""
    out = alleles.copy()
    for row in np.flatnonzero(nearest_neighbour_distances(out, train) <= within):
        while True:
            moved = out[row].copy()
            moved[rng.choice(len(moved), flips, replace=False)] ^= 1
            if nearest_neighbour_distances(moved[None], train)[0] > within:
                out[row] = moved
                break
    return out


def site_noise(alleles, rate: float, rng) -> np.ndarray:
    return alleles ^ (rng.random(alleles.shape) < rate).astype(np.uint8)


def variants(fresh, splits, rng):
    """(name, haplotypes) of the new real haplotypes and their changed versions."""
    train = splits["train"].alleles
    yield "new real", fresh
    yield "copies withheld", release_gate_keeps(fresh, splits)
    yield "singleton copies withheld", release_gate_keeps(fresh, splits,
                                                          singleton_haplotypes(train))
    for k in KEEP_CARRIED_BY:
        yield f"copies withheld, kept {k}+", release_gate_keeps(fresh, splits, keep_carried_by=k)
    for flips in (1, 2, 4):
        yield f"copies moved {flips}", move_away(fresh, train, 0, flips, rng)
    for within in (2, 5):
        yield f"nothing within {within}", move_away(fresh, train, within, within + 1, rng)
    for rate in (0.001, 0.002, 0.005):
        yield f"site noise {rate}", site_noise(fresh, rate, rng)
    for stretch in (1000, 400, 200):
        yield f"mosaic {stretch}", mosaic(train, len(fresh), stretch, rng)


def mosaic(train, n: int, stretch: int, rng) -> np.ndarray:
    """``n`` haplotypes whose consecutive stretches of ``stretch`` SNPs are
    each copied from a training haplotype drawn at random, afresh for each
    stretch."""
    out = np.empty((n, train.shape[1]), dtype=train.dtype)
    for lo in range(0, train.shape[1], stretch):
        out[:, lo:lo + stretch] = train[rng.integers(0, len(train), n), lo:lo + stretch]
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("splits", help="folder of one panel's splits")
    parser.add_argument("--draws", type=int, default=5,
                        help="draws of the random changes (and of the scores' subsamples)")
    parser.add_argument("--sets", nargs="+",
                        help="score only these sets (default: all); the others are still "
                             "drawn, so that each set reads as it does in a full run")
    parser.add_argument("--out", help="write the rows (TSV) here too")
    args = parser.parse_args(argv)
    folder = Path(args.splits)
    splits = {name: load_haplotypes(folder / f"{name}.npz")
              for name in ("train", "validation", "test", "sampling")}
    train, test = splits["train"], splits["test"]
    fresh = np.vstack([splits["sampling"].alleles, splits["validation"].alleles])
    print(f"{train.n_haplotypes} training, {test.n_haplotypes} test and {len(fresh)} new "
          "real haplotypes (sampling + validation splits)", flush=True)
    rows = []
    for draw in range(args.draws):
        rng = np.random.default_rng(draw)
        for name, alleles in variants(fresh, splits, rng):
            if args.sets and name not in args.sets:
                continue
            metrics = score(train, test, alleles, seed=draw)
            metrics.update(closeness_to_train(alleles, train.alleles), n_ags=len(alleles),
                           repeated=repeated_share(alleles, test.n_haplotypes))
            rows.append({"set": name, "draw": draw, **{k: metrics[k] for k in COLUMNS}})
            print(name, draw, draw_line(metrics, COLUMNS), flush=True)
    table = rows_table(rows, args.out)
    print("\n" + summary_markdown(table, "set", COLUMNS,
                                  lead={"set": lambda g: g["set"].iloc[0]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
