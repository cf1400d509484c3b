"""Quality of an imputation: per MAF bin (the paper's Figure 4) and per MAF
class (GPC's report), by the imputer's own estimate (DR2) and by the true
squared correlation with the masked genotypes, and the classes' quality
relative to the real reference.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from artgen.beagle import Imputed, check_diploid, snp_label
from artgen.errors import InputError
from artgen.haplotypes import Haplotypes

__all__ = [
    "CLASS_COLUMNS",
    "ImputationScores",
    "MAF_CLASSES",
    "N_MAF_BINS",
    "QUALITY_COLUMNS",
    "imputation_quality",
    "is_alone_reference",
    "maf_class_quality",
    "relative_to_real",
    "score_imputation",
]

QUALITY_COLUMNS = ["maf_lo", "maf_hi", "n_snps", "snp_share", "dr2", "r2", "n_r2"]
CLASS_COLUMNS = ["maf_class", *QUALITY_COLUMNS]

#: MAF bins of :func:`imputation_quality`: 10 of width 0.05, as the paper's Figure 4.
N_MAF_BINS = 10
#: MAF class edges of :func:`maf_class_quality`: < 1%, 1-5%, > 5% (GPC's report).
MAF_CLASSES = (0.0, 0.01, 0.05, 0.5)


class ImputationScores(NamedTuple):
    """The two quality tables of one imputation: per MAF bin
    (:func:`imputation_quality`) and per MAF class (:func:`maf_class_quality`)."""

    bins: pd.DataFrame
    classes: pd.DataFrame


# ----------------------------------------------------------------- quality

def imputation_quality(truth: Haplotypes, imputed: Imputed, maf, *,
                       n_bins: int = N_MAF_BINS) -> pd.DataFrame:
    """Imputation quality per MAF bin, over the imputed (untyped) sites.

    Parameters
    ----------
    truth : Haplotypes
        The targets' true haplotypes at every site (the same SNPs and samples
        as ``imputed``).
    imputed : Imputed
        Beagle's output (:func:`artgen.beagle.run_beagle`).
    maf : array-like, float, shape (n_snps,)
        Minor allele frequency of each site, in [0, 0.5], used only to bin
        sites; the workflow passes the MAF in the real target-population
        training haplotypes.
    n_bins : int
        Bins of equal width ``0.5 / n_bins`` from 0 to 0.5 (10 bins of 0.05,
        as in the paper's Figure 4), half-open ``[lo, hi)`` except the last,
        which also holds MAF 0.5. Sites with MAF 0 (monomorphic in the
        training haplotypes, yet imputed) fall in the first bin, the paper's
        "MAF < 0.05".

    Returns
    -------
    DataFrame, one row per bin (empty bins included), columns
        ``maf_lo``, ``maf_hi``: the bin;
        ``n_snps``: imputed sites in the bin;
        ``snp_share``: ``n_snps`` over all imputed sites;
        ``dr2``: mean Beagle DR2 over the bin's sites (NaN DR2 ignored);
        ``r2``: mean over the bin's sites of the squared Pearson correlation,
        across target samples, between the imputed dosage (DS) and the true
        genotype (sum of the sample's two true alleles). A site where the
        truth has no variance across targets has no correlation: it is left
        out of ``r2`` (but counted in ``n_snps`` and ``dr2``); a site where
        the truth varies but the dosage is constant scores 0;
        ``n_r2``: sites that ``r2`` averages over (``n_snps - n_r2`` sites had
        no variance in the truth).
    """
    if not isinstance(n_bins, (int, np.integer)) or n_bins < 1:
        raise InputError(f"n_bins must be a whole number >= 1, got {n_bins!r}")
    return _bins_table(_site_scores(truth, imputed, maf), n_bins)


def _bins_table(scores: dict[str, np.ndarray], n_bins: int) -> pd.DataFrame:
    edges = np.arange(n_bins + 1) / (2 * n_bins)  # exact i / (2 n): 0.15 is 3/20, as a MAF would be
    return pd.DataFrame(_bin_rows(scores, edges), columns=QUALITY_COLUMNS)


def maf_class_quality(truth: Haplotypes, imputed: Imputed, maf, *,
                      classes=MAF_CLASSES) -> pd.DataFrame:
    """Imputation quality over all imputed sites and per MAF class (GPC's
    report: MAF < 1%, 1-5%, > 5%), scored as in :func:`imputation_quality`.

    Parameters
    ----------
    truth, imputed, maf
        As for :func:`imputation_quality`.
    classes : sequence of float
        Increasing class edges from 0 to 0.5; classes are half-open
        ``[lo, hi)`` except the last, which also holds MAF 0.5 (so a site of
        MAF exactly 0.05 is in "> 5%").

    Returns
    -------
    DataFrame, one row for all sites (``maf_class`` ``"all"``) then one per
    class (``"<1%"``, ``"1-5%"``, ``">5%"`` by default), the columns of
    :func:`imputation_quality` after ``maf_class``.
    """
    edges = np.asarray(classes, dtype=np.float64)
    if edges.ndim != 1 or len(edges) < 2 or edges[0] != 0 or edges[-1] != 0.5 \
            or not (np.diff(edges) > 0).all():
        raise InputError(f"MAF classes must be increasing edges from 0 to 0.5, got {classes!r}")
    return _classes_table(_site_scores(truth, imputed, maf), edges)


def _classes_table(scores: dict[str, np.ndarray], edges: np.ndarray) -> pd.DataFrame:
    rows = _bin_rows(scores, np.array([0.0, 0.5])) + _bin_rows(scores, edges)
    labels = ["all"] + [_class_label(lo, hi) for lo, hi in zip(edges[:-1], edges[1:])]
    return pd.DataFrame([{"maf_class": label, **row} for label, row in zip(labels, rows)],
                        columns=CLASS_COLUMNS)


def _class_label(lo: float, hi: float) -> str:
    def percent(x):
        return f"{100 * x:g}%"
    if lo == 0:
        return f"<{percent(hi)}"
    if hi == 0.5:
        return f">{percent(lo)}"
    return f"{100 * lo:g}-{percent(hi)}"


def score_imputation(truth: Haplotypes, imputed: Imputed, maf) -> ImputationScores:
    """Both tables of one imputation: per MAF bin (:func:`imputation_quality`,
    the paper's Figure 4) and per MAF class (:func:`maf_class_quality`), from
    one scoring of the sites."""
    scores = _site_scores(truth, imputed, maf)
    return ImputationScores(_bins_table(scores, N_MAF_BINS),
                            _classes_table(scores, np.asarray(MAF_CLASSES, dtype=np.float64)))


def _site_scores(truth: Haplotypes, imputed: Imputed, maf) -> dict[str, np.ndarray]:
    """The true r^2, the DR2 and the MAF of every imputed site, after checking
    that ``truth``, ``imputed`` and ``maf`` describe the same sites and samples."""
    for f in ("chrom", "pos", "ref", "alt"):
        if not np.array_equal(getattr(truth, f), getattr(imputed, f)):
            raise InputError(f"truth and imputed must have the same SNPs; they differ in {f} "
                             f"({truth.n_snps} vs {imputed.n_snps} SNPs)")
    check_diploid(truth, "truth")
    samples = truth.samples[0::2]
    if not np.array_equal(samples, imputed.samples):
        raise InputError(f"truth and imputed must have the same samples in the same order; "
                         f"truth has {len(samples)} ({', '.join(samples[:3])}, ...), imputed "
                         f"{len(imputed.samples)} ({', '.join(imputed.samples[:3])}, ...)")
    maf = np.asarray(maf, dtype=np.float64)
    if maf.shape != (truth.n_snps,):
        raise InputError(f"maf must have one value per SNP ({truth.n_snps}), got shape {maf.shape}")
    bad = np.flatnonzero(~(np.isfinite(maf) & (maf >= 0) & (maf <= 0.5)))
    if len(bad):
        raise InputError(f"maf must be in [0, 0.5]; site {snp_label(truth, int(bad[0]))} "
                         f"has {maf[bad[0]]}")
    sites = np.flatnonzero(imputed.imputed)
    if len(sites) == 0:
        raise InputError("no imputed sites to score: every site was typed")
    genotype = truth.alleles[0::2, sites].astype(np.float64) + truth.alleles[1::2, sites]
    return {"r2": _site_r2(imputed.dosage[:, sites], genotype), "dr2": imputed.dr2[sites],
            "maf": maf[sites]}


def _bin_rows(scores: dict[str, np.ndarray], edges: np.ndarray) -> list[dict]:
    """One quality row per MAF bin ``[edges[b], edges[b + 1])``, the last bin
    closed, over the sites of :func:`_site_scores`."""
    r2, dr2 = scores["r2"], scores["dr2"]
    n_bins = len(edges) - 1
    which = np.minimum(np.searchsorted(edges, scores["maf"], side="right") - 1, n_bins - 1)
    rows = []
    for b in range(n_bins):
        in_bin = which == b
        scored = in_bin & np.isfinite(r2)
        rated = in_bin & np.isfinite(dr2)
        rows.append({"maf_lo": edges[b], "maf_hi": edges[b + 1], "n_snps": int(in_bin.sum()),
                     "snp_share": in_bin.sum() / len(r2),
                     "dr2": dr2[rated].mean() if rated.any() else np.nan,
                     "r2": r2[scored].mean() if scored.any() else np.nan,
                     "n_r2": int(scored.sum())})
    return rows


def _site_r2(dosage: np.ndarray, genotype: np.ndarray) -> np.ndarray:
    """Squared Pearson correlation per column (site) across rows (samples);
    NaN where the genotype is constant, 0 where only the dosage is."""
    d = dosage - dosage.mean(axis=0)
    g = genotype - genotype.mean(axis=0)
    sdd, sgg, sdg = (d * d).sum(axis=0), (g * g).sum(axis=0), (d * g).sum(axis=0)
    r2 = np.full(dosage.shape[1], np.nan)
    varies = sgg > 0
    r2[varies] = 0.0
    both = varies & (sdd > 0)
    r2[both] = sdg[both] ** 2 / (sdd[both] * sgg[both])
    return r2


def is_alone_reference(reference: str) -> bool:
    """Whether a reference panel of the workflow is one set alone, with no
    other populations: the real target haplotypes (``train_only``), a
    model's AGs (``<model>_only``), or a model imputing by itself
    (``<model>_direct``)."""
    return reference == "train_only" or reference.endswith(("_only", "_direct"))


def relative_to_real(classes: pd.DataFrame) -> pd.DataFrame:
    """Each reference's r^2 as a share of the real panel's it stands in for,
    per MAF class: GPC's "imputation with AGs alone at x% of the real
    panel's r^2".

    A reference of one set alone (:func:`is_alone_reference`) is compared
    with the real target haplotypes alone (``train_only``); any other, with
    the other populations + the real target haplotypes (``perfect``), or
    with ``train_only`` where there are no other populations.

    Parameters
    ----------
    classes : DataFrame
        Rows of :func:`maf_class_quality` with a ``reference`` column (and any
        key columns), one row per reference and class.

    Returns
    -------
    DataFrame
        ``classes`` with ``real_reference`` (the compared real panel) and
        ``r2_vs_real`` (``r2`` over that panel's ``r2`` in the same class;
        NaN where that panel is absent or its r^2 is NaN or 0).
    """
    missing = [c for c in ("reference", "maf_class", "r2") if c not in classes.columns]
    if missing:
        raise InputError(f"the MAF class table lacks column(s) {', '.join(missing)}")
    names = classes["reference"].astype(str)
    given = set(names)
    real = ["train_only" if is_alone_reference(r) or "perfect" not in given else "perfect"
            for r in names]
    r2 = {(str(ref), c): v for ref, c, v in zip(names, classes["maf_class"], classes["r2"])}
    base = np.array([r2.get((ref, c), np.nan) for ref, c in zip(real, classes["maf_class"])],
                    dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(base > 0, classes["r2"].to_numpy(dtype=np.float64) / base, np.nan)
    return classes.assign(real_reference=real, r2_vs_real=ratio)
