"""Statistics of one (panel, model): artificial haplotypes against the real
training haplotypes, in families that the pipeline computes as separate jobs.

Each family function takes the real training set, the AGs and a held-out
real set, and returns ``(metrics, table)``: a dict of named values (the
names of the metrics table) and a tidy side table for figures, or None.
The held-out set is the test split for every model except the "test"
reference itself, whose AGs *are* the test split: it is compared with the
independent sampling split instead, the only other real set it was not
drawn from.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

import numpy as np
import pandas as pd

from artgen.haplotypes import Haplotypes

log = logging.getLogger(__name__)

#: The tidy metrics table: one row per value. ``draw`` numbers the AG sets
#: drawn from one fitted model (0: the AGs every other output uses).
METRIC_COLUMNS = ["panel", "model", "seed", "draw", "metric", "value"]


@dataclass(frozen=True)
class Settings:
    """Settings of the statistics (config section ``evaluation``)."""

    seed: int = 0
    n_triplets: int = 8000
    wasserstein_reg: float = 1e-3
    ld_decay_bins: int = 50
    umap: bool = True
    #: LD on a whole chromosome: only SNP pairs at most this many bp apart
    #: (None: all pairs, quadratic in the SNPs), and at most this many of
    #: them, a seeded sample (None: all); also the per-kind, per-bin cap of
    #: :func:`boundary_stats`.
    ld_max_distance: int | None = None
    ld_max_pairs: int | None = None
    #: Which halving of the held-out set :func:`held_out_stats` compares
    #: with (:func:`halving_seed`): 0 is the seed's own; AG draw d is
    #: scored at halving d.
    halving: int = 0


def frequency_stats(real: Haplotypes, ags: Haplotypes, held_out: Haplotypes, settings: Settings):
    """af_r, fixed_sites, fixed_frac, fixed_frac_bootstrap (the share a
    resample of the training set as large as the AG set would fix);
    table: SFS proportions of real and AGs."""
    from artgen.stats.frequencies import (af_correlation, bootstrap_fixed_fraction, fixed_sites,
                                          sfs_proportions)

    fixed = fixed_sites(real.alleles, ags.alleles)
    metrics = {"af_r": af_correlation(real.alleles, ags.alleles), "fixed_sites": fixed.count,
               "fixed_frac": fixed.fraction,
               "fixed_frac_bootstrap": bootstrap_fixed_fraction(real.alleles, ags.n_haplotypes)}
    table = pd.concat([sfs_proportions(real.alleles).assign(dataset="real"),
                       sfs_proportions(ags.alleles).assign(dataset="ag")], ignore_index=True)
    return metrics, table


def ld_stats(real: Haplotypes, ags: Haplotypes, held_out: Haplotypes, settings: Settings):
    """ld_r (over the pairs within ``ld_max_distance``, at most
    ``ld_max_pairs`` of them); table: LD decay over 0..``ld_max_distance``
    (single-chromosome panels only: distances across chromosomes mean
    nothing)."""
    from artgen.stats.ld import ld_correlation, ld_decay

    limits = {"max_distance": settings.ld_max_distance, "max_pairs": settings.ld_max_pairs,
              "seed": settings.seed}
    positions = _linear_positions(real, settings.ld_max_distance)
    metrics = {"ld_r": ld_correlation(real.alleles, ags.alleles, positions=positions, **limits)}
    if len(set(real.chrom)) > 1:
        log.info("LD decay skipped: the panel spans %d chromosomes", len(set(real.chrom)))
        return metrics, None
    table = ld_decay({"real": real.alleles, "ag": ags.alleles}, real.pos,
                     n_bins=settings.ld_decay_bins, **limits)
    return metrics, table


def _linear_positions(h: Haplotypes, max_distance: int | None) -> np.ndarray:
    """Positions on one axis, the chromosomes laid end to end more than
    ``max_distance`` bp apart, so a distance limit never pairs SNPs of two
    chromosomes (the positions themselves on a one-chromosome panel)."""
    codes = pd.factorize(h.chrom)[0].astype(np.int64)
    if max_distance is None or not codes.any():
        return h.pos
    return h.pos + codes * (int(h.pos.max()) + int(max_distance) + 1)


def boundary_stats(real: Haplotypes, ags: Haplotypes, seams, settings: Settings):
    """LD across the seams of windowed generation (not in :data:`FAMILIES`:
    it needs the seams, the index of the first SNP after each).

    Metrics, per distance bin b of :data:`artgen.stats.ld.BOUNDARY_BINS`
    (0-10, 10-25, 25-50, 50-100, 100-200 kb): ``boundary_ld_ratio_bin{b}``,
    the AGs' mean r^2 of SNP pairs straddling a seam over that of pairs
    within one window (1: seams invisible; 0: no LD across them), and
    ``boundary_ld_ratio_real_bin{b}``, the same on the real set at the same
    seams (about 1: real data has no seams); ``boundary_ld_ratio_min``, the
    AGs' smallest ratio over the bins, and ``boundary_ld_ratio_rel_min``,
    the smallest AG ratio over the real one (the loss of LD the seams
    cause, net of what the real data shows there). Pairs are capped at
    ``ld_max_pairs`` per kind and bin. Table: :func:`boundary_ld`'s, datasets
    ``real`` and ``ag``.
    """
    from artgen.stats.ld import BOUNDARY_BINS, boundary_ld

    positions = _linear_positions(real, BOUNDARY_BINS[-1])
    table = boundary_ld({"real": real.alleles, "ag": ags.alleles}, positions, seams,
                        max_pairs=settings.ld_max_pairs, seed=settings.seed)
    ratio = {name: rows["ratio"].to_numpy() for name, rows in table.groupby("dataset")}
    metrics = {f"boundary_ld_ratio_bin{b}": float(r) for b, r in enumerate(ratio["ag"])}
    metrics.update({f"boundary_ld_ratio_real_bin{b}": float(r)
                    for b, r in enumerate(ratio["real"])})
    with np.errstate(invalid="ignore", divide="ignore"):
        relative = ratio["ag"] / ratio["real"]
    metrics["boundary_ld_ratio_min"] = _nanmin(ratio["ag"])
    metrics["boundary_ld_ratio_rel_min"] = _nanmin(relative)
    return metrics, table


def _nanmin(values: np.ndarray) -> float:
    """The smallest finite value, nan when there is none."""
    finite = values[np.isfinite(values)]
    return float(finite.min()) if finite.size else float("nan")


def structure_stats(real: Haplotypes, ags: Haplotypes, held_out: Haplotypes, settings: Settings):
    """pca_w2d: exact 2-D Wasserstein (optimal transport) between real and AGs
    on PCs 1-2 of their joint PCA, squared Euclidean cost over its maximum;
    pca_w2d_entropic: the paper's entropic version (Sinkhorn at
    ``wasserstein_reg``, on at most 500 points per set). The entropic value
    carries a bias of the order of the regularisation, as large as the test
    split's whole distance, hence the exact one is the headline. umap_w2d and
    umap_w2d_entropic likewise on a joint UMAP, when UMAP is on."""
    from artgen.stats.wasserstein import pca_wasserstein, umap_wasserstein

    pca = pca_wasserstein(real.alleles, ags.alleles, reg=settings.wasserstein_reg,
                          seed=settings.seed)
    metrics = {"pca_w2d": pca["exact"], "pca_w2d_entropic": pca["entropic"]}
    if settings.umap:
        umap = umap_wasserstein(real.alleles, ags.alleles, reg=settings.wasserstein_reg,
                                seed=settings.seed)
        metrics.update({"umap_w2d": umap["exact"], "umap_w2d_entropic": umap["entropic"]})
    return metrics, None


def distance_stats(real: Haplotypes, ags: Haplotypes, held_out: Haplotypes, settings: Settings):
    """pairwise_w (within real vs within AG), pairwise_between_w (within real
    vs between real and AG), nn_median (real to closest AG),
    identical_to_train, recurring_haplotypes (the AGs' share identical to
    another AG; the held-out comparison reads it at a matched size); table:
    the three distance histograms."""
    from artgen.stats.distances import (nearest_neighbour_distances, pairwise_distance_counts,
                                        wasserstein_from_counts)
    from artgen.stats.frequencies import recurring_haplotype_share
    from artgen.stats.privacy import identical_to_train

    within_real = pairwise_distance_counts(real.alleles)
    within_ag = pairwise_distance_counts(ags.alleles)
    between = pairwise_distance_counts(real.alleles, ags.alleles)
    nearest = nearest_neighbour_distances(real.alleles, ags.alleles)
    metrics = {"pairwise_w": wasserstein_from_counts(within_real, within_ag),
               "pairwise_between_w": wasserstein_from_counts(within_real, between),
               "nn_median": float(np.median(nearest)),
               "identical_to_train": int(identical_to_train(ags.alleles, real.alleles).sum()),
               "recurring_haplotypes": recurring_haplotype_share(ags.alleles)}
    distance = np.arange(real.n_snps + 1)
    table = pd.concat([pd.DataFrame({"pairs": name, "distance": distance, "count": counts})
                       for name, counts in (("within_real", within_real), ("within_ag", within_ag),
                                            ("between", between))], ignore_index=True)
    table = table[table["count"] > 0]
    nn_table = pd.DataFrame({"pairs": "nearest_ag_to_real", "distance": np.arange(real.n_snps + 1),
                             "count": np.bincount(nearest, minlength=real.n_snps + 1)})
    return metrics, pd.concat([table, nn_table[nn_table["count"] > 0]], ignore_index=True)


def privacy_stats(real: Haplotypes, ags: Haplotypes, held_out: Haplotypes, settings: Settings,
                  start_set: Haplotypes | None = None):
    """AA_truth, AA_syn, AA_TS against the training set and the held-out set,
    aa_deviation (|AA_truth - 0.5| + |AA_syn - 0.5|: 0 ideal, 1 worst), and
    privacy loss (held-out AA_TS minus training AA_TS) with every training
    row against as many AGs, and ``privacy_loss_matched`` with all three
    sets at one size (unbiased for AGs unlike the data, but an exact copy
    shows only in part: see :func:`~artgen.stats.privacy.privacy_loss`).

    ``start_set``: real haplotypes, never trained on, where the model's
    sampling chains start (the RBM's sampling scheme). Those people's
    privacy counts as much as the training set's: ``privacy_loss_start``,
    ``mia_auc_start``, ``identical_to_start`` of
    :func:`~artgen.stats.attack.start_set_privacy`."""
    from artgen.stats.attack import start_set_privacy
    from artgen.stats.privacy import privacy_loss

    result = privacy_loss(ags.alleles, real.alleles, held_out.alleles, seed=settings.seed)
    matched = privacy_loss(ags.alleles, real.alleles, held_out.alleles, seed=settings.seed,
                           matched=True)
    metrics = {}
    for where, aa in (("train", result.train), ("test", result.test)):
        metrics.update({f"aa_truth_{where}": aa.aa_truth, f"aa_syn_{where}": aa.aa_syn,
                        f"aats_{where}": aa.aa_ts,
                        # AA_TS can sit at 0.5 with AA_truth 1 and AA_syn 0 (a generator
                        # that misses the real distribution on both sides): judge both.
                        f"aa_deviation_{where}": abs(aa.aa_truth - 0.5) + abs(aa.aa_syn - 0.5)})
    metrics["privacy_loss"] = result.loss
    metrics["privacy_loss_matched"] = matched.loss
    metrics["privacy_n_train"] = result.n_train_rows
    metrics["privacy_n_test"] = result.n_test_rows
    if start_set is not None:
        metrics.update(start_set_privacy(ags.alleles, start_set.alleles, held_out.alleles,
                                         settings.seed))
    return metrics, None


def corr3_stats(real: Haplotypes, ags: Haplotypes, held_out: Haplotypes, settings: Settings):
    """corr3_r_gap{g}: Pearson r of real vs AG 3-point correlations per gap;
    table: the values per triplet."""
    from artgen.stats.correlations import r_by_gap, three_point_values

    values = three_point_values(real.alleles, ags.alleles, n_triplets=settings.n_triplets,
                                seed=settings.seed)
    return {f"corr3_r_gap{gap}": r for gap, r in r_by_gap(values).items()}, values


def attack_stats(real: Haplotypes, ags: Haplotypes, held_out: Haplotypes, settings: Settings):
    """mia_auc, mia_tpr_1fpr (distance attack), mia_density_auc,
    mia_density_tpr_1fpr (density-ratio attack in PCA space): membership
    inference with only the AGs, training haplotypes (members) against
    held-out ones (non-members). The held-out individuals are split in two
    halves (seeded): one half are the non-members, the other the attacker's
    reference population. 0.5 is no leakage."""
    from artgen.errors import InputError
    from artgen.stats.attack import DEFAULT_DENSITY_COMPONENTS, membership_inference

    individuals = np.unique(held_out.samples)
    half = np.random.default_rng(settings.seed).permutation(individuals)[: len(individuals) // 2]
    nonmember = np.isin(held_out.samples, half)
    reference = held_out.alleles[~nonmember]
    # The density attack fits a PCA of a few axes on the reference; a tiny
    # held-out set gets fewer axes.
    n_components = min(DEFAULT_DENSITY_COMPONENTS, len(reference) - 1, real.n_snps)
    if n_components < 1:
        raise InputError(f"the attack needs at least 4 held-out haplotypes, "
                         f"got {held_out.n_haplotypes}")
    metrics = membership_inference(ags.alleles, real.alleles, held_out.alleles[nonmember],
                                   reference, seed=settings.seed, n_components=n_components)
    return metrics, None


#: The fidelity metrics computed a second time against held-out real
#: haplotypes at a matched size (:func:`held_out_stats`), under their name
#: with this suffix.
HELD_OUT_SUFFIX = "_ho"
HELD_OUT_METRICS = ("af_r", "ld_r", "pairwise_w", "pca_w2d", "umap_w2d", "recurring_haplotypes")


def halving_seed(settings: Settings) -> int:
    """The seed of the held-out set's halving ``settings.halving``: the
    statistics' seed itself for halving 0 (every earlier table's), a stream
    of it (:mod:`artgen.seeds`) for the others."""
    from artgen import seeds

    if settings.halving == 0:
        return settings.seed
    return seeds.child(settings.seed, "evaluate/halving", settings.halving)


def matched_held_out_sets(ags: Haplotypes, held_out: Haplotypes,
                          seed: int) -> tuple[Haplotypes, Haplotypes]:
    """The two sets of the held-out comparison: ``(reference, compared)``.

    The held-out set (the test split, never trained on) is split by
    individual into two halves (seeded, each population halved). The first half is the reference.
    The compared set is the second half when the AGs *are* the held-out set
    (the ``test`` row: a second real sample of the same size, the
    real-vs-real value a generator can hope for), else the AGs drawn down to
    the second half's size (seeded). Every row of a panel's table is then
    the same reference against a set of the same size, so sample size alone
    moves no row against another.
    """
    from artgen.errors import InputError
    from artgen.stats.distances import subsample_rows

    samples = held_out.samples
    individuals, first_row = np.unique(samples, return_index=True)
    if len(individuals) < 2:
        raise InputError(f"the held-out comparison needs at least 2 held-out individuals, "
                         f"got {len(individuals)}")
    rng = np.random.default_rng(seed)
    # Every other individual of each population, in a seeded order: both
    # halves have the split's population mix.
    order = rng.permutation(len(individuals))
    order = order[np.argsort(held_out.pops[first_row][order], kind="stable")]
    first = np.isin(samples, individuals[order[0::2]])
    reference = held_out.take_haplotypes(np.flatnonzero(first))
    second = held_out.take_haplotypes(np.flatnonzero(~first))
    # The test row's AGs are the test split relabelled as AGs: the same rows.
    if np.array_equal(ags.alleles, held_out.alleles):
        return reference, second
    pops, want = np.unique(second.pops, return_counts=True)
    have = {p: np.flatnonzero(ags.pops == p) for p in pops}
    if all(len(have[p]) >= k for p, k in zip(pops, want)):
        # AGs labelled with their populations (a conditional model's) are
        # drawn with the second half's population mix, as that half is drawn
        # from the test split: the mix is then no source of difference.
        rows = np.concatenate([subsample_rows(have[p], k, int(rng.integers(2**32)))
                               for p, k in zip(pops, want)])
        return reference, ags.take_haplotypes(np.sort(rows))
    n = min(second.n_haplotypes, ags.n_haplotypes)
    if n < second.n_haplotypes:
        log.warning("only %d AGs for a held-out comparison at %d haplotypes: the sizes do not "
                    "match", ags.n_haplotypes, second.n_haplotypes)
    rows = subsample_rows(np.arange(ags.n_haplotypes), n, int(rng.integers(2**32)))
    return reference, ags.take_haplotypes(rows)


def held_out_stats(real: Haplotypes, ags: Haplotypes, held_out: Haplotypes, settings: Settings):
    """The fidelity metrics again, against held-out real haplotypes at a
    matched size: ``af_r_ho``, ``ld_r_ho``, ``pairwise_w_ho``, ``pca_w2d_ho``,
    ``umap_w2d_ho`` (UMAP on), ``recurring_haplotypes_ho`` (of the compared
    set: the ``test`` row's is the real value at the AGs' size),
    ``corr3_r_gap{g}_ho``, with the same
    definitions as the training-set versions
    (:func:`matched_held_out_sets` gives the two sets), and ``ho_n``, the
    size of each set. Against the training set a generator that returns its
    training haplotypes scores perfectly, and the ``test`` row, a smaller
    set, reads worse for its size alone; here neither happens.
    ``held_out`` is the test split for every row, the ``test`` row's
    included (its AGs are that split). The halving is
    ``settings.halving``'s (:func:`halving_seed`)."""
    reference, compared = matched_held_out_sets(ags, held_out, halving_seed(settings))
    metrics = {}
    for family in (frequency_stats, ld_stats, distance_stats, structure_stats, corr3_stats):
        values, _ = family(reference, compared, reference, settings)
        metrics.update({name + HELD_OUT_SUFFIX: value for name, value in values.items()
                        if name in HELD_OUT_METRICS or name.startswith("corr3_r_gap")})
    metrics["ho_n"] = compared.n_haplotypes
    return metrics, None


FAMILIES = {
    "frequencies": frequency_stats,
    "ld": ld_stats,
    "structure": structure_stats,
    "distances": distance_stats,
    "privacy": privacy_stats,
    "corr3": corr3_stats,
    "attack": attack_stats,
    "heldout": held_out_stats,
}


def compute_family(family: str, real: Haplotypes, ags: Haplotypes, held_out: Haplotypes,
                   settings: Settings, start_set: Haplotypes | None = None
                   ) -> tuple[dict, pd.DataFrame | None]:
    """Run one family of statistics; checks that the sets share their SNPs.
    ``start_set`` (the real haplotypes the AGs' chains started from, if any)
    goes to the privacy family (:func:`privacy_stats`)."""
    from artgen.errors import InputError

    others = (("AGs", ags), ("held-out set", held_out), ("start set", start_set))
    for name, other in others:
        if other is not None and not (np.array_equal(other.pos, real.pos)
                                      and np.array_equal(other.chrom, real.chrom)):
            raise InputError(f"the {name} and the real set are not at the same SNPs")
    os.environ.setdefault("POT_BACKEND_DISABLE_TENSORFLOW", "1")
    if family == "privacy":
        return privacy_stats(real, ags, held_out, settings, start_set)
    return FAMILIES[family](real, ags, held_out, settings)


def compute_families(families, real: Haplotypes, ags: list[Haplotypes], held_out: Haplotypes,
                     settings: Settings, fidelity: Haplotypes | None = None,
                     start_set: Haplotypes | None = None, halvings: int = 1
                     ) -> dict[str, tuple[list[dict], pd.DataFrame | None]]:
    """Every family of ``families`` on every AG draw of one fitted model:
    ``{family: (metrics of each draw, side table of draw 0)}``. The heldout
    family halves ``fidelity`` (default: ``held_out``), draw d at halving d;
    with fewer draws than ``halvings`` (the test split, a stitched
    chromosome: one set) it scores the draws again, in turn, at the
    halvings left, as draws ``len(ags)`` to ``halvings - 1``. Every row of a
    panel then has a value at each of the same halvings, and a ratio to the
    real-vs-real value can be taken halving by halving. The privacy family
    scores ``start_set`` too (see :func:`privacy_stats`). All in one process,
    so that the data are read once and the imports (and UMAP's compilation)
    are paid once, not once per family."""
    import time
    from dataclasses import replace

    fidelity = held_out if fidelity is None else fidelity
    results = {}
    for family in dict.fromkeys(families):
        start = time.perf_counter()
        draws, table = [], None
        n = max(len(ags), halvings) if family == "heldout" else len(ags)
        for draw in range(n):
            # UMAP (about 10 s per embedding) on the first draw only: the paper's
            # figure shows one AG set, and the summary does not use it.
            metrics, side = compute_family(
                family, real, ags[draw % len(ags)],
                fidelity if family == "heldout" else held_out,
                replace(settings, halving=draw, umap=settings.umap and draw == 0), start_set)
            draws.append(metrics)
            table = side if draw == 0 else table  # figures show the first draw, as the paper
        results[family] = draws, table
        log.info("%s: %.1f s", family, time.perf_counter() - start)
    return results


def tidy_metrics(metrics: dict, *, panel: str, model: str, seed: int,
                 draw: int = 0) -> pd.DataFrame:
    """One row per value: ``panel model seed draw metric value``."""
    return pd.DataFrame([(panel, model, seed, draw, name, float(value))
                         for name, value in metrics.items()], columns=METRIC_COLUMNS)


def read_metrics(path, panel: str, model: str, metrics, *, required: str | None = None
                 ) -> dict[str, float]:
    """The values of ``metrics`` of ``model`` on ``panel`` in a tidy metrics
    table (as :func:`tidy_metrics` writes them): ``{metric: value}``, an
    InputError if the table cannot be read or lacks ``required``."""
    from artgen.errors import InputError

    try:
        table = pd.read_csv(path, sep="\t")
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: cannot read the metrics table ({exc})") from None
    if list(table.columns) != METRIC_COLUMNS:
        raise InputError(f"{path}: expected the columns {' '.join(METRIC_COLUMNS)}, got "
                         f"{' '.join(map(str, table.columns))}")
    rows = table[(table["panel"].astype(str) == panel) & (table["model"].astype(str) == model)
                 & table["metric"].isin(metrics)]
    found = dict(zip(rows["metric"], rows["value"].astype(float)))
    if required and required not in found:
        raise InputError(f"{path}: no {required} of model {model} on panel {panel}")
    return found
