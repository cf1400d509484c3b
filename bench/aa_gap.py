"""Where a set's AA_truth gap to new real people lies on a panel.

AA_truth counts the held-out (test) haplotypes whose nearest AG lies
farther than their nearest other held-out haplotype. This bench splits
that count by the held-out haplotype's own isolation, the distance to its
nearest other held-out haplotype (0, 1, 2, 3, 4-9, 10+ SNPs), and by
whether a training haplotype equals it. The sets: new real people (the
sampling and validation splits) gated with every copy withheld, the
copying model's AGs (ne 3e4, mutation rate 2e-4) gated the same way, and
the released AGs of each RBM variant named (``rbm_temperature.py``'s
variants, one training seed). Every set and the held-out haplotypes are
drawn down to one size (``--size``) in each of ``--reps`` repetitions,
since AA depends on the size.

Then it reads each set by its haplotypes' nearest training haplotype (the
template): how isolated that template is within the training split (the
distance to its nearest other training haplotype, in bins), the set's
share per bin, and the set's median distance to its templates per bin.
New people show how far real haplotypes lie from a template of each kind.

With ``--levers``, it then tries, on each variant's AGs, what could be done
after sampling, and scores each set as the metrics table does (``score``
of ``rbm_temperature.py``), at one size (``--n-ags``), over ``--draws``
draws of three times as many AGs as training haplotypes:

- ``released``: every copy withheld (the release gate);
- ``far withheld``: also the AGs farther from every training haplotype than
  nine in ten of the validation split's haplotypes that copy none;
- ``balanced over templates``: drawn so that each template (identical
  training haplotypes counted as one) holds AGs in proportion to how many
  training haplotypes it stands for, as real people would;
- ``projected, k mismatches kept``: each AG projected onto its path through
  the training haplotypes (``template_paths.py``), keeping k of its
  mismatches, then released: the per-site noise of real new people (a
  median 1 mismatch) without making copies.

    python bench/aa_gap.py results/splits/dense --variants global40_auto
    python bench/aa_gap.py results/splits/dense --levers --draws 3
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from aa_real_floor import copying_ags  # noqa: E402
from draw_tables import rows_table, summary_markdown  # noqa: E402
from rbm_temperature import (VARIANTS, fit, load_splits, real_vs_real,  # noqa: E402
                             release_gate_keeps, score, singleton_haplotypes, splits_parser,
                             variant_settings)
from template_paths import keep_mismatches, template_paths  # noqa: E402

from artgen.stats.attack import membership_inference  # noqa: E402
from artgen.stats.distances import (cross_nearest_distances, hamming_distances,  # noqa: E402
                                    nearest_neighbour_distances)
from artgen.stats.privacy import identical_to_train  # noqa: E402

#: Upper bounds of the held-out haplotypes' isolation buckets (SNPs).
ISOLATION = ((0, "0"), (1, "1"), (2, "2"), (3, "3"), (9, "4-9"), (np.inf, "10+"))
#: Lower edges of the templates' isolation bins (SNPs).
TEMPLATE_BINS = (0, 1, 2, 4, 8, 16)
#: AGs drawn per training haplotype for the levers (each withholds some).
POOL = 3
#: The scores of the levers' table.
LEVER_COLUMNS = ("n_ags", "aa_truth_test", "aa_syn_test", "privacy_loss_matched", "mia_auc",
                 "ld_r_ho", "af_r_ho", "pairwise_w_ratio", "near_singletons")


def isolation_bucket(distances: np.ndarray) -> np.ndarray:
    """The :data:`ISOLATION` label of each distance."""
    edges = np.array([upper for upper, _ in ISOLATION])
    return np.array([label for _, label in ISOLATION])[np.searchsorted(edges, distances)]


def aa_parts(test, in_train, sets: dict, size: int, reps: int, rng) -> pd.DataFrame:
    """One row per (repetition, set, held-out haplotype): its isolation
    bucket, whether a training haplotype equals it, and whether AA_truth
    counts it (its nearest AG farther than its nearest other held-out
    haplotype, ties not counted, as :func:`~artgen.stats.privacy.adversarial_accuracy`)."""
    frames = []
    for rep in range(reps):
        rows = rng.choice(len(test), size, replace=False)
        truth = test[rows]
        d_tt = nearest_neighbour_distances(truth, truth, exclude_self=True)
        for name, alleles in sets.items():
            d_ts, _ = cross_nearest_distances(
                truth, alleles[rng.choice(len(alleles), size, replace=False)])
            frames.append(pd.DataFrame({
                "rep": rep, "set": name, "isolation": isolation_bucket(d_tt),
                "in_train": in_train[rows], "counted": d_ts > d_tt}))
    return pd.concat(frames, ignore_index=True)


def gap_table(parts: pd.DataFrame) -> str:
    """Markdown: per (isolation, in training) bucket, its share of the
    held-out haplotypes, and per set the share counted within the bucket
    and the bucket's part of AA_truth (both over every repetition)."""
    names = list(dict.fromkeys(parts["set"]))
    first = parts[parts["set"] == names[0]]
    lines = ["| isolation | a training haplotype equals it | share | "
             + " | ".join(f"{n}: counted (part of AA)" for n in names) + " |",
             "|---" * (3 + len(names)) + "|"]
    order = [label for _, label in ISOLATION]
    for (iso, in_train), group in sorted(first.groupby(["isolation", "in_train"]),
                                         key=lambda kv: (order.index(kv[0][0]), kv[0][1])):
        cells = [iso, "yes" if in_train else "no", f"{len(group) / len(first):.3f}"]
        for name in names:
            own = parts[(parts["set"] == name) & (parts["isolation"] == iso)
                        & (parts["in_train"] == in_train)]
            share = own["counted"].sum() / (parts["set"] == name).sum()
            cells.append(f"{own['counted'].mean():.2f} ({share:.3f})")
        lines.append("| " + " | ".join(cells) + " |")
    totals = [f"{parts.loc[parts['set'] == n, 'counted'].mean():.3f}" for n in names]
    lines.append("| all | | 1 | " + " | ".join(totals) + " |")
    return "\n".join(lines)


def template_table(sets: dict, train: np.ndarray) -> str:
    """Markdown: per template-isolation bin, the training split's share, and
    per set its share and its median distance to its templates."""
    isolation = nearest_neighbour_distances(train, train, exclude_self=True)
    bins = np.digitize(isolation, TEMPLATE_BINS) - 1
    labels = [f"{lo}-{hi - 1}" if hi - lo > 1 else f"{lo}"
              for lo, hi in zip(TEMPLATE_BINS, TEMPLATE_BINS[1:])] + [f"{TEMPLATE_BINS[-1]}+"]
    names = list(sets)
    lines = ["| template isolation | training share | "
             + " | ".join(f"{n}: share, median distance" for n in names) + " |",
             "|---" * (2 + len(names)) + "|"]
    read = {}
    for name, alleles in sets.items():
        distances = hamming_distances(alleles, train)
        nearest = distances.argmin(axis=1)
        read[name] = (bins[nearest], distances[np.arange(len(alleles)), nearest])
    for b, label in enumerate(labels):
        cells = [label, f"{np.mean(bins == b):.3f}"]
        for name in names:
            own_bins, distance = read[name]
            here = own_bins == b
            median = f"{np.median(distance[here]):g}" if here.any() else "-"
            cells.append(f"{here.mean():.3f}, {median}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def far_withheld(alleles, train, reference, quantile: float = 0.9) -> np.ndarray:
    """``alleles`` less the rows farther from every training haplotype than
    ``quantile`` of ``reference``'s rows that copy none (real haplotypes
    never trained on)."""
    own = nearest_neighbour_distances(reference, train)
    limit = np.quantile(own[own > 0], quantile)
    return alleles[nearest_neighbour_distances(alleles, train) <= limit]


def template_balanced(alleles, train, n: int, rng) -> np.ndarray:
    """``n`` rows of ``alleles``, drawn so that each template (a class of
    identical training haplotypes) holds rows in proportion to the
    haplotypes of its class: each next row comes from the template furthest
    below its share, while it has rows left."""
    _, classes, sizes = np.unique(train, axis=0, return_inverse=True, return_counts=True)
    template = classes.ravel()[hamming_distances(alleles, train).argmin(axis=1)]
    target = sizes / sizes.sum() * n
    rows = {c: list(rng.permutation(np.flatnonzero(template == c))) for c in np.unique(template)}
    taken = dict.fromkeys(rows, 0)
    chosen = []
    while len(chosen) < n and rows:
        c = min(rows, key=lambda c: (taken[c] / target[c], c))
        chosen.append(rows[c].pop())
        taken[c] += 1
        if not rows[c]:
            del rows[c]
    return alleles[np.array(chosen)]


def lever_sets(pool, splits, n: int, rng):
    """(name, rows) of each lever applied to one pooled draw ``pool``."""
    train = splits["train"].alleles
    released = release_gate_keeps(pool, splits)
    yield "released", released
    yield "far withheld", far_withheld(released, train, splits["validation"].alleles)
    yield "balanced over templates", template_balanced(released, train, n, rng)
    paths = template_paths(pool, train)[0]
    for keep in (1, 2):
        yield (f"projected, {keep} mismatch{'es' if keep > 1 else ''} kept",
               release_gate_keeps(keep_mismatches(pool, train, paths, keep, rng), splits))


def near_singletons(alleles, train) -> float:
    """The share of ``alleles`` within 1 SNP of a haplotype that one
    training haplotype alone carries: rows that all but name one person."""
    return float(np.mean(nearest_neighbour_distances(alleles, singleton_haplotypes(train)) <= 1))


def lever_scores(splits, alleles, draw: int, real: dict) -> dict:
    """The :data:`LEVER_COLUMNS` of one set: the metrics table's scores,
    the distance attack's AUC, pairwise W over the real one at the draw's
    halving (``real``: :func:`rbm_temperature.real_vs_real`), and
    :func:`near_singletons`."""
    train, test = splits["train"], splits["test"]
    metrics = score(train, test, alleles, seed=draw)
    metrics.update(membership_inference(
        alleles, train.alleles, test.alleles, splits["sampling"].alleles, seed=draw,
        n_members=min(train.n_haplotypes, test.n_haplotypes)))
    metrics.update(n_ags=len(alleles), pairwise_w_ratio=metrics["pairwise_w_ho"]
                   / real["pairwise_w_ho"], near_singletons=near_singletons(alleles, train.alleles))
    return {k: metrics[k] for k in LEVER_COLUMNS}


def levers(model, splits, n: int, draws: int, labels: dict, real: list[dict]) -> list[dict]:
    """One row per (draw, lever): the lever's set drawn down to ``n`` and scored."""
    rows = []
    for draw in range(draws):
        rng = np.random.default_rng(draw)
        pool = model.sample(POOL * splits["train"].n_haplotypes, seed=draw)
        for name, alleles in lever_sets(pool, splits, n, rng):
            if len(alleles) > n:
                alleles = alleles[rng.choice(len(alleles), n, replace=False)]
            rows.append({**labels, "lever": name, "draw": draw,
                         **lever_scores(splits, alleles, draw, real[draw])})
            print(*labels.values(), name, draw,
                  {k: round(rows[-1][k], 4) for k in LEVER_COLUMNS}, flush=True)
    return rows


def main(argv=None) -> int:
    parser = splits_parser(__doc__, model="rbm_kstep")
    parser.add_argument("--variants", nargs="*", default=["global40_auto"],
                        choices=list(VARIANTS))
    parser.add_argument("--train-seeds", type=int, nargs="+", default=[1],
                        help="training seeds (the tables read the first one's model)")
    parser.add_argument("--size", type=int, default=500,
                        help="held-out haplotypes and AGs per comparison")
    parser.add_argument("--reps", type=int, default=4, help="repetitions of the subsamples")
    parser.add_argument("--levers", action="store_true",
                        help="also score what can be done after sampling (module docstring)")
    parser.add_argument("--draws", type=int, default=3, help="pooled AG draws for the levers")
    parser.add_argument("--n-ags", type=int, default=2000, help="AGs scored per lever and draw")
    parser.add_argument("--out", help="write the levers' rows (TSV) here too")
    args = parser.parse_args(argv)
    splits = load_splits(args.splits)
    train, test = splits["train"], splits["test"]
    fresh = np.vstack([splits["sampling"].alleles, splits["validation"].alleles])
    sets = {"new real people": release_gate_keeps(fresh, splits),
            "copying": release_gate_keeps(
                copying_ags(train, train.n_haplotypes, 3e4, 2e-4, args.train_seeds[0]), splits)}
    real = []
    if args.levers:
        real = real_vs_real(splits, args.draws)
        print("new real people gated, within 1 SNP of a singleton training haplotype:",
              round(near_singletons(sets["new real people"], train.alleles), 4))
    lever_rows = []
    for variant in args.variants:
        settings = variant_settings(args.model, args.panel, variant)
        for train_seed in args.train_seeds:
            labels = {"variant": variant, "train_seed": train_seed}
            model, _ = fit(splits, settings, train_seed, labels)
            if train_seed == args.train_seeds[0]:
                ags = model.sample(train.n_haplotypes, seed=train_seed)
                sets[variant] = release_gate_keeps(ags, splits)
            if args.levers:
                lever_rows += levers(model, splits, args.n_ags, args.draws, labels, real)
    print({name: len(alleles) for name, alleles in sets.items()}, "haplotypes per set")
    rng = np.random.default_rng(args.train_seeds[0])
    in_train = identical_to_train(test.alleles, train.alleles)
    print("\n" + gap_table(aa_parts(test.alleles, in_train, sets, args.size, args.reps, rng)))
    print("\n" + template_table(sets, train.alleles))
    if lever_rows:
        table = rows_table(lever_rows, args.out)
        print("\n" + summary_markdown(table, ["variant", "lever"], LEVER_COLUMNS, lead={
            "variant": lambda g: g["variant"].iloc[0], "lever": lambda g: g["lever"].iloc[0],
            "seeds x draws": lambda g: len(g)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
