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
  more training individuals carry; ``copies withheld, none near a test-only
  haplotype``: also without the individuals that carry a haplotype within
  1 SNP of a test haplotype no training haplotype equals.

Then it scores, as many as the new real haplotypes, mosaics of training
haplotypes: ``mosaic w``, stretches of w consecutive SNPs, each copied
from a training haplotype drawn afresh for each stretch. Their stretches
are real local haplotypes, joined without the long-range sharing of real
people: what AA reads of AGs coherent only over w SNPs. And as many as the
training haplotypes, AGs of the Li & Stephens copying model (``copying ne
mu``: the project's ``copying`` generator, HAPGEN2's model, at effective
size ne and mutation rate mu), as generated, with copies withheld, and
kept 3+: what the standard population-genetic generator of new haplotypes
from a panel reads under the release gate.

``copies_of_singletons``: those identical to a haplotype only one training
haplotype carries; ``repeated``: the share of a set's haplotypes (at the
test split's size) identical to another of them; ``nn_train``: the median
distance from each set's haplotypes to their nearest training haplotype
(``nn_train_400``: within stretches of 400 SNPs); ``new_in_test``: the
share of a set identical to a test haplotype that no training haplotype
equals, a haplotype of the population that the training split lacks (new
real people carry such haplotypes; a generator of the training split can
make them only by chance).

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
from artgen.models.copying import CopyingGenerator  # noqa: E402
from artgen.stats.distances import nearest_neighbour_distances  # noqa: E402
from artgen.stats.privacy import identical_to_train  # noqa: E402

COLUMNS = ("n_ags", "ld_r_ho", "pairwise_w_ho", "aa_truth_test", "aa_syn_test", "privacy_loss",
           "privacy_loss_matched", "identical_to_train", "copies_of_singletons", "nn_train",
           "nn_train_400", "repeated", "new_in_test")
#: The release gate's ``keep_copies_carried_by`` values scored.
KEEP_CARRIED_BY = (2, 3, 5)
#: The copying model's (effective size, mutation rate) scored: from
#: mostly copies (3e4) to few switches shared with real recombination
#: (3e5); the project's default rate (theta / 2(theta + K), 2e-5 at 2,714
#: templates) returns copies on AGBL4, so the rates are set.
COPYING = ((3e4, 2e-4), (1e5, 2e-4), (1e5, 5e-4), (3e5, 2e-4))


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
    yield "copies withheld, none near a test-only haplotype", far_from_test_only(
        release_gate_keeps(fresh, splits), splits)
    for flips in (1, 2, 4):
        yield f"copies moved {flips}", move_away(fresh, train, 0, flips, rng)
    for within in (2, 5):
        yield f"nothing within {within}", move_away(fresh, train, within, within + 1, rng)
    for rate in (0.001, 0.002, 0.005):
        yield f"site noise {rate}", site_noise(fresh, rate, rng)
    for stretch in (1000, 400, 200):
        yield f"mosaic {stretch}", mosaic(train, len(fresh), stretch, rng)
    for ne, rate in COPYING:
        # As many as the training haplotypes, as the RBM benches draw: the
        # gate withholds most of a small set.
        ags = copying_ags(splits["train"], splits["train"].n_haplotypes, ne, rate,
                          int(rng.integers(2**32)))
        name = f"copying {ne:g} {rate:g}"
        yield name, ags
        yield f"{name}, copies withheld", release_gate_keeps(ags, splits)
        yield f"{name}, kept 3+", release_gate_keeps(ags, splits, keep_carried_by=3)


def copying_ags(train, n: int, ne: float, mutation_rate: float, seed: int) -> np.ndarray:
    """``n`` AGs of the Li & Stephens copying model of ``train`` (a flat map
    on its positions)."""
    model = CopyingGenerator(ne=ne, mutation_rate=mutation_rate)
    model.set_map(train.chrom, train.pos)
    return model.fit(train.alleles).sample(n, seed=seed)


def far_from_test_only(alleles, splits, within: int = 1) -> np.ndarray:
    """``alleles`` (rows in pairs, one individual each) less the individuals
    with a haplotype within ``within`` SNPs of a test haplotype that no
    training haplotype equals: how AA reads new people without the
    population's haplotypes that the training split lacks (a diagnosis: the
    choice reads the test split)."""
    absent = test_only(splits["train"].alleles, splits["test"].alleles)
    near = nearest_neighbour_distances(alleles, absent) <= within
    return alleles[~np.repeat(near.reshape(-1, 2).any(axis=1), 2)]


def test_only(train, test) -> np.ndarray:
    """The test haplotypes that no training haplotype equals."""
    return test[~identical_to_train(test, train)]


def new_in_test(alleles, train, test) -> float:
    """The share of ``alleles`` identical to a test haplotype that no
    training haplotype equals."""
    return float(identical_to_train(alleles, test_only(train, test)).mean())


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
                           repeated=repeated_share(alleles, test.n_haplotypes),
                           new_in_test=new_in_test(alleles, train.alleles, test.alleles))
            rows.append({"set": name, "draw": draw, **{k: metrics[k] for k in COLUMNS}})
            print(name, draw, draw_line(metrics, COLUMNS), flush=True)
    table = rows_table(rows, args.out)
    print("\n" + summary_markdown(table, "set", COLUMNS,
                                  lead={"set": lambda g: g["set"].iloc[0]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
