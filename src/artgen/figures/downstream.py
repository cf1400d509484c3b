"""Downstream uses of the AGs: selection scans (Figure 3), imputation
(Figure 4), chromosome painting, and real data against a coalescent
simulation."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from artgen.errors import InputError
from artgen.figures.registry import Input, figure
from artgen.figures.style import figure_title, models_in, new_figure
from artgen.imputation_quality import is_alone_reference
from artgen.plots.style import finite_pearson
from artgen.plots import (baselines_first, dataset_color, dataset_label, order_datasets,
                          plot_embedding, plot_imputation_classes, plot_imputation_quality,
                          plot_ld_decay, plot_scan, plot_sfs, plot_stacked_shares,
                          require_columns)

_STAT_LABELS = {"xpehh": "standardised XP-EHH", "pbs": "normalised PBS"}


def _scan_r(scans: pd.DataFrame, statistic: str, dataset: str) -> float:
    keys = [c for c in ("chrom", "start", "stop") if c in scans] or ["pos"]
    rows = scans[scans["statistic"] == statistic]
    real = rows[rows["dataset"] == "real"][keys + ["value"]]
    other = rows[rows["dataset"] == dataset][keys + ["value"]]
    merged = real.merge(other, on=keys, suffixes=("_real", "_ag"))
    return finite_pearson(merged["value_real"], merged["value_ag"])


@figure(category="1. Main figures", panel="selection", options=("quantile",),
        inputs={"scans": Input("table", "selection/scans",
                               ("dataset", "statistic", "pos", "value"), panel=True)})
def figure3(scans: pd.DataFrame, *, models: Sequence[str] | None = None, quantile: float = 0.99,
            n_peaks: int = 3, panel: str | None = None) -> Figure:
    """Selection scans along the chromosome, real vs AGs (Yelmen et al.
    2021, Figure 3): one row per statistic (XP-EHH per SNP, PBS per
    window), one column per dataset (real first); dotted line: the
    dataset's ``quantile`` quantile; asterisks: its ``n_peaks`` highest
    peaks; column titles give Pearson r with the real scan.

    Parameters
    ----------
    scans : DataFrame
        Columns ``dataset`` (``real`` or a model), ``statistic``, ``pos``,
        ``value`` (and ``chrom``, ``start``, ``stop`` to match rows).
    models : list of str, optional
        AG datasets to show (default: all in the table).
    """
    require_columns(scans, ("dataset", "statistic", "pos", "value"), "the selection scans table")
    scans = scans.astype({"dataset": str, "statistic": str})
    if "real" not in set(scans["dataset"]):
        raise InputError("the selection scans table has no rows with dataset 'real'")
    datasets = ["real", *models_in(scans, models, column="dataset", exclude=("real",))]
    present = list(dict.fromkeys(scans["statistic"]))
    statistics = [s for s in ("xpehh", "pbs") if s in present] + \
                 [s for s in present if s not in ("xpehh", "pbs")]
    ncols = len(datasets)
    fig = new_figure(2.6 * ncols + 0.6, 2.5 * len(statistics) + 0.6)
    axes = fig.subplots(len(statistics), ncols, squeeze=False, sharex=True, sharey="row")
    for r, stat in enumerate(statistics):
        for c, name in enumerate(datasets):
            ax = axes[r, c]
            rows = scans[(scans["statistic"] == stat) & (scans["dataset"] == name)]
            plot_scan(rows["pos"], rows["value"], ax, color=dataset_color(name), quantile=quantile,
                      n_peaks=n_peaks, ylabel=_STAT_LABELS.get(stat, stat) if c == 0 else "")
            if r < len(statistics) - 1:
                ax.set_xlabel("")
            title = dataset_label(name)
            if name != "real":
                title += f"\nr with real = {_scan_r(scans, stat, name):.2f}"
            ax.set_title(title, fontsize="small", color=dataset_color(name))
        values = scans.loc[(scans["statistic"] == stat) & scans["dataset"].isin(datasets), "value"]
        values = values[np.isfinite(values)]
        if len(values):
            lo, hi = float(values.min()), float(values.max())
            pad = (hi - lo) or 1.0
            axes[r, 0].set_ylim(lo - 0.05 * pad, hi + 0.15 * pad)  # room for the asterisks
    figure_title(fig, f"Figure 3. Selection scans, real vs artificial (dotted: "
                 f"{100 * quantile:g}th percentile, *: top peaks)", panel)
    return fig


# --------------------------------------------------------------------------- Figure 4


@figure(category="1. Main figures", panel="imputation", inputs={
    "quality": Input("table", "imputation/quality",
                     ("reference", "maf_lo", "maf_hi", "snp_share", "dr2", "r2"), panel=True),
    "classes": Input("table", "imputation/quality_by_maf_class",
                     ("reference", "maf_class", "r2", "n_r2"), optional=True)})
def figure4(quality: pd.DataFrame, classes: pd.DataFrame | None = None, *,
            references: Sequence[str] | None = None, panel: str | None = None) -> Figure:
    """Imputation quality per MAF bin (Yelmen et al. 2021, Figure 4): (a)
    Beagle's DR2 and (b) the true r^2, one line per reference panel (other
    populations alone, + real target haplotypes, + each model's AGs); grey
    bars: the share of imputed SNPs in each bin.

    When the table also has references of one set alone (``train_only``:
    the real target training haplotypes alone; ``<model>_only``: a model's
    AGs alone, GPC's protocol; ``<model>_direct``: a model imputing by
    itself, no Beagle), they get a second row, (c) and (d), so that no panel
    holds more than a handful of lines. A direct row's "DR2" is Beagle's
    estimator applied to the model's dosages.

    With ``classes``, a last panel gives every reference's true r^2 over all
    imputed sites and per MAF class (< 1%, 1-5%, > 5%), with the share of the
    real panel's r^2 it reaches (GPC's protocol).

    Parameters
    ----------
    quality : DataFrame
        Columns ``reference maf_lo maf_hi snp_share dr2 r2``.
    classes : DataFrame, optional
        :func:`artgen.imputation.relative_to_real` of the references' MAF
        class tables: columns ``reference maf_class r2 n_r2`` and optionally
        ``r2_vs_real real_reference``.
    references : list of str, optional
        References to draw, in order.
    """
    require_columns(quality, ("reference", "maf_lo", "maf_hi", "snp_share", "dr2", "r2"),
                    "the imputation quality table")
    quality = quality.astype({"reference": str})
    given = list(dict.fromkeys(quality["reference"]))
    if references is not None:
        references = [r for r in references if r in given]
        if not references:
            raise InputError(f"none of the references asked for is in the table "
                             f"({', '.join(given)})")
    chosen = given if references is None else references
    rows = [[r for r in chosen if not is_alone_reference(r)],
            [r for r in chosen if is_alone_reference(r)]]
    rows = [refs for refs in rows if refs]
    titles = {0: ("imputation quality estimated by Beagle (DR2)",
                  "true $r^2$ of imputed dosages with the masked genotypes"),
              1: ("one set alone: DR2 (direct: the same estimator on the model's dosages)",
                  "one set alone: true $r^2$")}
    heights = [4.0] * len(rows)
    if classes is not None:
        require_columns(classes, ("reference", "maf_class", "r2", "n_r2"), "the MAF class table")
        heights.append(1.0 + 0.32 * len(chosen))
    fig = new_figure(10.5, sum(heights))
    grid = fig.add_gridspec(len(heights), 2, height_ratios=heights)
    axes = np.array([[fig.add_subplot(grid[i, j]) for j in range(2)] for i in range(len(rows))])
    letters = iter("abcde")
    drawn = []
    for i, refs in enumerate(rows):
        kind = 1 if is_alone_reference(refs[0]) else 0
        ax_dr2, ax_r2 = axes[i]
        if references is None:  # the baselines first, then the models as given
            refs = baselines_first(refs)
        drawn += refs
        plot_imputation_quality(quality, ax_dr2, score="dr2", references=refs)
        plot_imputation_quality(quality, ax_r2, score="r2", references=refs)
        ax_r2.get_legend().remove()
        ax_dr2.set_title(f"{next(letters)}) {titles[kind][0]}", fontsize="medium")
        ax_r2.set_title(f"{next(letters)}) {titles[kind][1]}", fontsize="medium")
    if classes is not None:
        ax = fig.add_subplot(grid[len(rows), :])
        scored = set(classes["reference"].astype(str))
        plot_imputation_classes(classes, ax, references=[r for r in drawn if r in scored])
        ax.set_title(f"{next(letters)}) true $r^2$ over all imputed SNPs and per MAF class\n"
                     f"in brackets: the share of the real panel's $r^2$ (+ AGs: of + real target "
                     f"haplotypes; AGs alone: of the real target haplotypes alone)",
                     fontsize="medium")
    figure_title(fig, "Figure 4. Imputation of held-out target genomes by reference panel", panel)
    return fig


@figure(category="5. Comparisons", panel="painting",
        inputs={"painting": Input("table", "painting", ("dataset", "donor_pop", "share"))})
def figS_painting(painting: pd.DataFrame, *, datasets: Sequence[str] | None = None,
                  panel: str | None = None) -> Figure:
    """Chromosome painting (Yelmen et al. 2021, Supplementary Figure 12):
    per dataset, the share of the genome copied from each donor population.

    Parameters
    ----------
    painting : DataFrame
        Columns ``dataset donor_pop share``.
    datasets : list of str, optional
        Datasets to show, in order (default: all, real first).
    """
    import matplotlib as mpl

    require_columns(painting, ("dataset", "donor_pop", "share"), "the painting table")
    painting = painting.astype({"dataset": str, "donor_pop": str})
    names = models_in(painting, datasets, column="dataset")
    wide = painting.pivot_table(index="dataset", columns="donor_pop", values="share",
                                aggfunc="sum").reindex(names)
    donors = sorted(wide.columns)
    palette = list(mpl.colormaps["Set2"].colors) + list(mpl.colormaps["Set3"].colors)
    colours = {d: palette[i % len(palette)] for i, d in enumerate(donors)}
    fig = new_figure(1.0 * len(names) + 3.2, 4.2)
    ax = fig.subplots()
    plot_stacked_shares(wide[donors], ax, colors=colours, ylabel="share of copied segments",
                        legend_title="donor population")
    ax.set_ylim(0, max(1.0, float(wide[donors].sum(axis=1).max())) * 1.02)
    figure_title(fig, "Chromosome painting: donor populations", panel)
    return fig


@figure(category="5. Comparisons", panel="coalescent", inputs={
    "sfs": Input("table", "coalescent/sfs", ("dataset", "freq_left", "freq_right", "proportion"),
                 panel=True),
    "ld_decay": Input("table", "coalescent/ld_decay", ("dataset", "distance_mid", "mean_r2")),
    "pca": Input("table", "coalescent/pca", ("dataset", "PC1", "PC2"))})
def figS_coalescent(sfs: pd.DataFrame, ld_decay: pd.DataFrame, pca: pd.DataFrame, *,
                    panel: str | None = None) -> Figure:
    """Real haplotypes vs a coalescent simulation of their region (Yelmen
    et al. 2021, Supplementary Figures 18-19): (a) folded SFS and (b) LD
    decay after removing alleles below frequency 0.1, (c) one PCA of real
    and frequency-matched simulated SNPs."""
    require_columns(sfs, ("dataset", "freq_left", "freq_right", "proportion"), "the SFS table")
    require_columns(ld_decay, ("dataset", "distance_mid", "mean_r2"), "the LD-decay table")
    require_columns(pca, ("dataset", "PC1", "PC2"), "the PCA table")
    fig = new_figure(13, 4.0)
    ax_sfs, ax_ld, ax_pca = fig.subplots(1, 3)
    plot_sfs(sfs, ax_sfs)
    ax_sfs.set_xlabel("minor allele frequency bin")
    span = float(ld_decay["distance_mid"].max() or 0)
    plot_ld_decay(ld_decay, ax_ld, unit="kb" if span < 5e6 else "Mb")
    coords = {name: rows[["PC1", "PC2"]].to_numpy(float)
              for name, rows in pca.astype({"dataset": str}).groupby("dataset", sort=False)}
    coords = {n: coords[n] for n in order_datasets(coords)}
    plot_embedding(coords, ax_pca, xlabel="PC1", ylabel="PC2")
    ax_sfs.set_title("a) site frequency spectrum (MAF $\\geq$ 0.1)", fontsize="medium")
    ax_ld.set_title("b) LD decay (MAF $\\geq$ 0.1)", fontsize="medium")
    ax_pca.set_title("c) PCA, matched simulated SNPs", fontsize="medium")
    figure_title(fig, "Real vs coalescent simulation of the region", panel)
    return fig
