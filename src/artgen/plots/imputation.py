"""Imputation quality by reference panel."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from artgen.plots.style import axes_or_new, dataset_color, dataset_label, require_columns


#: Imputation references that are not "+ <model> AGs" (drawn first, in this order).
IMPUTATION_BASELINES = ("alone", "perfect", "train_only")


def baselines_first(references: Sequence[str]) -> list[str]:
    """Imputation references in drawing order: the baselines
    (:data:`IMPUTATION_BASELINES`) present, then the others as given."""
    return [r for r in IMPUTATION_BASELINES if r in references] + \
        [r for r in references if r not in IMPUTATION_BASELINES]


def imputation_reference_style(reference: str) -> dict:
    """Legend label, colour, line style and marker of an imputation
    reference panel, by its name in the quality table: ``alone`` (other
    populations), ``perfect`` (+ real target haplotypes), ``train_only``
    (real target haplotypes alone), ``<model>`` (+ its AGs),
    ``<model>_only`` (its AGs alone), ``<model>_with_train`` (its AGs and
    the real target haplotypes: the "+ AGs" panel of a one-population
    cohort, which has no other populations), ``<model>_direct`` (the model
    imputing by itself, no Beagle).

    >>> imputation_reference_style("gan_only")["label"]
    'GAN AGs alone'
    >>> imputation_reference_style("rbm")["label"]
    '+ RBM AGs'
    """
    reference = str(reference)
    if reference in ("alone", "perfect"):
        return {"label": dataset_label(reference), "color": dataset_color(reference),
                "ls": "--" if reference == "alone" else "-", "marker": "o"}
    if reference == "train_only":
        return {"label": "real target haplotypes alone", "color": dataset_color("perfect"),
                "ls": "-", "marker": "o"}
    if reference.endswith("_only"):
        model = reference[:-len("_only")]
        return {"label": f"{dataset_label(model)} AGs alone", "color": dataset_color(model),
                "ls": "-", "marker": "o"}
    if reference.endswith("_with_train"):
        model = reference[:-len("_with_train")]
        return {"label": f"real target haplotypes + {dataset_label(model)} AGs",
                "color": dataset_color(model), "ls": ":", "marker": "o"}
    if reference.endswith("_direct"):
        model = reference[:-len("_direct")]
        return {"label": f"{dataset_label(model)} imputing directly (no Beagle)",
                "color": dataset_color(model), "ls": "-.", "marker": "s"}
    return {"label": f"+ {dataset_label(reference)} AGs", "color": dataset_color(reference),
            "ls": "-", "marker": "o"}


def plot_imputation_quality(quality: pd.DataFrame, ax=None, *, score: str = "dr2",
                            references: Sequence[str] | None = None,
                            snp_share: bool = True):
    """Mean imputation quality per MAF bin, one line per reference panel,
    with the share of SNPs per bin as grey bars on a right-hand axis
    (Yelmen et al. 2021, Figure 4).

    Parameters
    ----------
    quality : DataFrame
        Columns ``reference``, ``maf_lo``, ``maf_hi``, ``score`` and (for
        the bars) ``snp_share``; one row per reference and bin.
    score : str
        The quality column (``"dr2"``: Beagle's own estimate; ``"r2"``:
        squared correlation with the true genotypes).
    references : list of str, optional
        References to draw, in order (default: ``alone``, ``perfect``,
        ``train_only``, then the others as given); styled by
        :func:`imputation_reference_style`.
    snp_share : bool
        Draw the bars of ``snp_share`` (taken from the first reference).

    Returns
    -------
    ax
        The axes of the lines (the bars sit on a twin axes behind it).
    """
    need = ["reference", "maf_lo", "maf_hi", score] + (["snp_share"] if snp_share else [])
    require_columns(quality, need, "the imputation quality table")
    ax = axes_or_new(ax)
    given = list(dict.fromkeys(quality["reference"].astype(str)))
    if references is None:
        references = baselines_first(given)
    width = float((quality["maf_hi"] - quality["maf_lo"]).median())
    if snp_share:
        first = quality[quality["reference"].astype(str) == references[0]]
        twin = ax.twinx()
        mids = (first["maf_lo"] + first["maf_hi"]) / 2
        twin.bar(mids, 100 * first["snp_share"], width=0.85 * width, color="#d9d9d9",
                 edgecolor="none")
        twin.set_ylabel("SNPs in bin (%)", color="#777777")
        twin.tick_params(axis="y", colors="#777777")
        twin.set_ylim(0, max(1.0, 100 * float(first["snp_share"].max())) * 2.2)
        ax.set_zorder(twin.get_zorder() + 1)
        ax.patch.set_visible(False)
    for ref in references:
        rows = quality[quality["reference"].astype(str) == ref].sort_values("maf_lo")
        if rows.empty:
            continue
        style = imputation_reference_style(ref)
        ax.plot((rows["maf_lo"] + rows["maf_hi"]) / 2, rows[score], marker=style["marker"], ms=4,
                lw=1.6, color=style["color"], ls=style["ls"], label=style["label"])
    lo, hi = float(quality["maf_lo"].min()), float(quality["maf_hi"].max())
    ax.set_xlim(lo, hi)
    ax.set_xticks(np.round(np.arange(lo, hi + 1e-9, 2 * width), 3))
    ax.set_xlabel("minor allele frequency bin")
    ax.set_ylabel({"dr2": "mean DR2 (Beagle)", "r2": "mean true $r^2$"}.get(score, score))
    ax.set_ylim(0, 1.02)
    ax.legend(fontsize="small", frameon=True, framealpha=0.85, loc="lower right")
    return ax


def plot_imputation_classes(classes: pd.DataFrame, ax=None, *,
                            references: Sequence[str] | None = None):
    """True imputation r^2 over all imputed sites and per MAF class, one row
    per reference panel, as an annotated grid: each cell gives the r^2 and,
    where the table has ``r2_vs_real`` (:func:`artgen.imputation.relative_to_real`),
    the share of the real panel's r^2 it reaches.

    Parameters
    ----------
    classes : DataFrame
        Columns ``reference``, ``maf_class``, ``r2``, ``n_r2`` and optionally
        ``r2_vs_real``; one row per reference and class.
    references : list of str, optional
        Rows to draw, top to bottom (default: ``alone``, ``perfect``,
        ``train_only``, then the others as given).

    Returns
    -------
    ax
    """
    require_columns(classes, ["reference", "maf_class", "r2", "n_r2"], "the MAF class table")
    ax = axes_or_new(ax)
    table = classes.astype({"reference": str, "maf_class": str})
    given = list(dict.fromkeys(table["reference"]))
    if references is None:
        references = baselines_first(given)
    columns = list(dict.fromkeys(table["maf_class"]))
    cell = {(r.reference, r.maf_class): r for r in table.itertuples()}
    r2 = np.array([[getattr(cell.get((ref, c)), "r2", np.nan) for c in columns]
                   for ref in references], dtype=np.float64)
    ax.imshow(np.ma.masked_invalid(r2), cmap="YlGnBu", vmin=0, vmax=1, aspect="auto")
    for i, ref in enumerate(references):
        for j, c in enumerate(columns):
            row = cell.get((ref, c))
            if row is None or not np.isfinite(row.r2):
                ax.text(j, i, "n/a", ha="center", va="center", fontsize="small", color="#777777")
                continue
            text = f"{row.r2:.3f}"
            ratio = getattr(row, "r2_vs_real", np.nan)
            if np.isfinite(ratio) and getattr(row, "real_reference", ref) != ref:
                text += f"  ({100 * ratio:.0f}% of real)"
            ax.text(j, i, text, ha="center", va="center", fontsize="small",
                    color="white" if row.r2 > 0.6 else "black")
    sites = table.drop_duplicates("maf_class").set_index("maf_class")["n_r2"]
    ax.set_xticks(range(len(columns)),
                  [f"MAF {c}\n({int(sites[c])} SNPs)" if c != "all" else
                   f"all imputed\n({int(sites[c])} SNPs)" for c in columns])
    ax.xaxis.tick_top()
    ax.set_yticks(range(len(references)),
                  [imputation_reference_style(r)["label"] for r in references])
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    return ax
