"""Allele frequencies and linkage disequilibrium of real and artificial
haplotypes: Figure 2 (r^2 heatmaps, LD decay), frequencies, r^2 of SNP
pairs, 3-point correlations, LD across window seams, sites fixed in the AGs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from artgen.errors import InputError
from artgen.figures.registry import AG_SETS, METRICS, REAL_HAPLOTYPES, Input, figure
from artgen.figures.style import (ag_sets, alleles_of, axes_grid, empty_note, figure_title,
                                  metric_means, models_in, new_figure, panels_in, real_and_ags,
                                  wide)
from artgen.haplotypes import Haplotypes
from artgen.plots import (dataset_color, dataset_label, plot_af_scatter, plot_boundary_ld,
                          plot_grouped_bars, plot_ld_decay, plot_ld_matrix, plot_real_vs_ag,
                          require_columns)
from artgen.plots.style import finite_pearson


@figure(category="1. Main figures", panel="ld", models="figures", options=("models",),
        inputs={"real": REAL_HAPLOTYPES, "ags": AG_SETS,
                "decay": Input("tables", "stats/ld", ("dataset", "bin", "distance_right",
                                                      "distance_mid", "mean_r2"), empty=True)})
def figure2(real: Haplotypes, ags: Mapping, decay: pd.DataFrame, *,
            models: Sequence[str] | None = None, max_snps: int = 2000,
            panel: str | None = None) -> Figure:
    """LD of real and AG haplotypes (Yelmen et al. 2021, Figure 2): (a) one
    r^2 heatmap per model, real below the diagonal and AG above; (b) LD
    decay, mean r^2 per distance bin, as the LD statistics computed it for
    each model (SNPs fixed in the real or that model's AGs removed; the real
    curve is that of the first model's table).

    Parameters
    ----------
    real : Haplotypes
        Real (training) haplotypes.
    ags : dict of str -> Haplotypes or ndarray
    decay : DataFrame
        The ``ld.table.tsv`` tables of the models concatenated
        (:func:`artgen.stats.ld.ld_decay` of real and AG plus ``model``);
        without rows (a panel of several chromosomes, where the statistics
        skip the decay), panel (b) says so.
    models : list of str, optional
        Models to show (default: every set of ``ags``).
    max_snps : int
        Heatmaps show at most this many consecutive SNPs (the middle of the
        panel): an r^2 matrix of 10,000 SNPs is 400 MB.
    panel : str, optional
    """
    from artgen.stats.r2 import ld_matrix_for_plot

    if not isinstance(real, Haplotypes):
        raise InputError("figure2 needs the real haplotypes as Haplotypes (for their positions)")
    sets = ag_sets(ags, models)
    n_total = real.n_snps
    start = max(0, (n_total - max_snps) // 2)
    window = slice(start, min(n_total, start + max_snps))
    k = len(sets)
    ncols = min(k, 3)
    nrows = -(-k // ncols)
    fig = new_figure(3.3 * ncols + 0.8, 3.1 * nrows + 3.4)
    top, bottom = fig.subfigures(2, 1, height_ratios=[3.1 * nrows, 3.2])
    heat_axes = axes_grid(top, k, ncols)
    for ax, (name, ag) in zip(heat_axes, sets.items()):
        matrix = ld_matrix_for_plot(real.alleles[:, window], ag[:, window], dtype=np.float32)
        plot_ld_matrix(matrix, ax, lower="real", upper=dataset_label(name), colorbar=False,
                       first_snp=window.start + 1)
        ax.set_title(f"real (lower) vs {dataset_label(name)} (upper)", fontsize="small")
    top.colorbar(heat_axes[0].images[0], ax=heat_axes, shrink=0.7, label="$r^2$")
    if window.stop - window.start < n_total:
        top.suptitle(f"a) $r^2$ of SNPs {window.start + 1}-{window.stop} of {n_total}; grey: "
                     "no $r^2$ (SNP fixed in that dataset)", fontsize="medium")
    else:
        top.suptitle("a) $r^2$ between SNPs; grey: no $r^2$ (SNP fixed in that dataset)",
                     fontsize="medium")
    ax = bottom.subplots()
    if decay.empty:
        empty_note(ax, "no LD decay: the panel spans several chromosomes")
        ax.set_title("b) LD decay", fontsize="medium")
    else:
        decay = decay.astype({"model": str, "dataset": str})
        names = models_in(decay, list(sets))
        curves = real_and_ags(decay, names)
        span = float(curves["distance_right"].max())
        plot_ld_decay(curves, ax, datasets=["real", *names], unit="kb" if span < 5e6 else "Mb")
        ax.legend(fontsize="small", frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        ax.set_title(f"b) LD decay: SNPs fixed in real or the AGs removed, "
                     f"{curves['bin'].nunique()} distance bins", fontsize="medium")
    figure_title(fig, "Figure 2. Linkage disequilibrium of real and artificial haplotypes", panel)
    return fig


@figure(category="3. Frequencies and LD", panel="ld", models="figures", options=("models",),
        inputs={"real": REAL_HAPLOTYPES, "ags": AG_SETS})
def figS_af(real, ags: Mapping, *, models: Sequence[str] | None = None, low: float = 0.2,
            panel: str | None = None) -> Figure:
    """Allele frequency of each SNP, real vs AG (Yelmen et al. 2021,
    Supplementary Figure 7): per model, the whole range and a zoom on real
    frequencies below ``low``; points below the diagonal at the rare end
    are rare alleles the AGs lose."""
    from artgen.stats.frequencies import allele_frequencies

    sets = ag_sets(ags, models)
    f_real = allele_frequencies(alleles_of(real, "real"))
    k = len(sets)
    per_row = min(k, 2)
    nrows = -(-k // per_row)
    fig = new_figure(2.6 * 2 * per_row + 0.3, 2.7 * nrows + 0.5)
    axes = fig.subplots(nrows, 2 * per_row, squeeze=False)
    for i, (name, ag) in enumerate(sets.items()):
        r, c = divmod(i, per_row)
        f_ag = allele_frequencies(ag)
        colour = dataset_color(name)
        plot_af_scatter(f_real, f_ag, axes[r, 2 * c], color=colour)
        plot_af_scatter(f_real, f_ag, axes[r, 2 * c + 1], color=colour, max_freq=low)
        axes[r, 2 * c].set_title(dataset_label(name), fontsize="small", color=colour,
                                 fontweight="bold")
        axes[r, 2 * c + 1].set_title(f"zoom: real frequency $\\leq$ {low:g}", fontsize="small")
    for j in range(k, nrows * per_row):
        r, c = divmod(j, per_row)
        axes[r, 2 * c].set_visible(False)
        axes[r, 2 * c + 1].set_visible(False)
    figure_title(fig, "Allele frequencies of real vs artificial haplotypes", panel)
    return fig


def _r2_pairs(h: np.ndarray, i: np.ndarray, j: np.ndarray, chunk: int = 2048) -> np.ndarray:
    """r^2 of the SNP pairs (i[k], j[k]) (NaN where a SNP is monomorphic),
    in chunks of pairs so that memory stays at n_haplotypes x chunk."""
    n = h.shape[0]
    counts = h.sum(axis=0, dtype=np.int64).astype(np.float64)
    var = counts * (n - counts)
    out = np.empty(len(i), dtype=np.float64)
    for s in range(0, len(i), chunk):
        a, b = i[s:s + chunk], j[s:s + chunk]
        nij = np.einsum("ki,ki->i", h[:, a].astype(np.float32), h[:, b].astype(np.float32),
                        dtype=np.float64)
        num = (n * nij - counts[a] * counts[b]) ** 2
        den = var[a] * var[b]
        with np.errstate(divide="ignore", invalid="ignore"):
            out[s:s + chunk] = np.where(den > 0, num / den, np.nan)
    return out


@figure(category="3. Frequencies and LD", panel="ld", models="figures",
        inputs={"real": REAL_HAPLOTYPES, "ags": AG_SETS}, options=("models", "seed"))
def figS_ld_scatter(real, ags: Mapping, *, models: Sequence[str] | None = None,
                    max_pairs: int = 20000, seed: int = 0, panel: str | None = None) -> Figure:
    """r^2 of SNP pairs, real vs AG (Yelmen et al. 2021, Supplementary
    Figure 9), one density panel per model, on the same ``max_pairs``
    random pairs of SNPs polymorphic in real (all pairs if fewer); r is
    Pearson's over the pairs drawn that are polymorphic in both sets."""
    sets = ag_sets(ags, models)
    h_real = alleles_of(real, "real")
    n = h_real.shape[0]
    c = h_real.sum(axis=0)
    poly = np.flatnonzero((c > 0) & (c < n))
    m = len(poly)
    if m < 2:
        raise InputError("the real haplotypes have fewer than 2 polymorphic SNPs: no LD to compare")
    rng = np.random.default_rng(seed)
    n_all = m * (m - 1) // 2
    if n_all <= max_pairs:
        i, j = np.triu_indices(m, k=1)
    else:
        a = rng.integers(0, m, size=max_pairs)
        b = rng.integers(0, m - 1, size=max_pairs)
        b += b >= a
        i, j = np.minimum(a, b), np.maximum(a, b)
    i, j = poly[i], poly[j]
    r2_real = _r2_pairs(h_real, i, j)
    k = len(sets)
    ncols = min(k, 4)
    fig = new_figure(2.9 * ncols + 0.3, 2.9 * -(-k // ncols) + 0.5)
    axes = axes_grid(fig, k, ncols)
    for ax, (name, ag) in zip(axes, sets.items()):
        plot_real_vs_ag(r2_real, _r2_pairs(ag, i, j), ax, color=dataset_color(name), kind="hexbin",
                        lims=(0, 1), xlabel="real $r^2$", ylabel=f"{dataset_label(name)} $r^2$")
        ax.set_title(dataset_label(name), fontsize="small", color=dataset_color(name))
    figure_title(fig, f"LD ($r^2$) of {len(i):,} SNP pairs, real vs artificial (colour: log "
                 "count)", panel)
    return fig


@figure(category="3. Frequencies and LD", panel="ld", models="figures", options=("seed",),
        inputs={"corr3": Input("tables", "stats/corr3", ("gap", "real", "ag"))})
def figS_corr3(corr3: pd.DataFrame, *, models: Sequence[str] | None = None,
               gaps: Sequence | None = None, max_points: int | None = 3000, seed: int = 0,
               panel: str | None = None) -> Figure:
    """3-point correlations of SNP triplets, real vs AG (Yelmen et al. 2021,
    Supplementary Figure 10): rows = models, columns = the SNP gap of the
    triplets (i, i+g, i+2g; "random": any three SNPs).

    Parameters
    ----------
    corr3 : DataFrame
        The ``corr3.table.tsv`` tables of the models concatenated
        (:func:`artgen.stats.correlations.three_point_values` plus
        ``model``): columns ``model gap real ag``.
    gaps : list, optional
        Gaps to show (default: all in the table, in numeric order).
    max_points : int, optional
        Triplets drawn per panel (seeded subsample; r uses all).
    """
    require_columns(corr3, ("model", "gap", "real", "ag"), "the 3-point correlation table")
    corr3 = corr3.astype({"model": str, "gap": str})
    names = models_in(corr3, models)
    present = list(dict.fromkeys(corr3["gap"]))
    numeric = sorted((g for g in present if g.isdigit()), key=int)
    order = numeric + [g for g in present if not g.isdigit()]
    if gaps is not None:
        order = [str(g) for g in gaps if str(g) in present]
        if not order:
            raise InputError(f"none of the gaps {list(gaps)} is in the table "
                             f"({', '.join(present)})")
    rng = np.random.default_rng(seed)
    nrows, ncols = len(names), len(order)
    fig = new_figure(1.85 * ncols + 0.5, 1.85 * nrows + 0.6)
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for c, gap in enumerate(order):
        at_gap = corr3[corr3["gap"] == gap]
        values = at_gap[["real", "ag"]].to_numpy(float)
        finite = values[np.isfinite(values)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (-0.1, 0.1)
        pad = 0.05 * (hi - lo or 0.1)
        for r, name in enumerate(names):
            ax = axes[r, c]
            rows = at_gap[at_gap["model"] == name]
            if rows.empty:
                empty_note(ax, "no triplets")
                continue
            x, y = rows["real"].to_numpy(float), rows["ag"].to_numpy(float)
            plot_real_vs_ag(x, y, ax, color=dataset_color(name), lims=(lo - pad, hi + pad),
                            s=2.5, alpha=0.3, annotate_r=False, xlabel="", ylabel="")
            if max_points is not None and len(x) > max_points:
                ax.collections[0].remove()
                keep = np.sort(rng.choice(len(x), max_points, replace=False))
                ax.scatter(x[keep], y[keep], s=2.5, alpha=0.3, color=dataset_color(name),
                           linewidths=0, rasterized=True)
            ax.text(0.04, 0.96, f"r={finite_pearson(x, y):.2f}", transform=ax.transAxes,
                    ha="left", va="top", fontsize="x-small")
            ax.tick_params(labelsize=6)
            ax.xaxis.set_major_locator(MaxNLocator(3))
            ax.yaxis.set_major_locator(MaxNLocator(4))
            ax.xaxis.get_offset_text().set_fontsize(6)
            ax.yaxis.get_offset_text().set_fontsize(6)
            if r == 0:
                ax.set_title(f"gap {gap}" if gap.isdigit() else gap, fontsize="small")
            if r == nrows - 1:
                ax.set_xlabel("real", fontsize="small")
            if c == 0:
                ax.set_ylabel(dataset_label(name), fontsize="small", color=dataset_color(name))
    figure_title(fig, "3-point correlations of SNP triplets by gap, real (x) vs artificial (y)",
                 panel)
    return fig


@figure(category="3. Frequencies and LD", panel="windowed", models="panel",
        inputs={"boundary": Input("tables", "stats/boundary",
                                  ("dataset", "distance_left", "distance_right", "ratio"))})
def figS_boundary_ld(boundary: pd.DataFrame, *, models: Sequence[str] | None = None,
                     panel: str | None = None) -> Figure:
    """LD across the window seams of stitched AGs: (a) per distance bin, the
    mean r^2 of SNP pairs that straddle a seam over that of pairs within one
    window, for each model and for the real training set at the same seams;
    (b) the two mean r^2 themselves (within solid, across dashed).

    Parameters
    ----------
    boundary : DataFrame
        The ``boundary.table.tsv`` tables of the models concatenated
        (:func:`artgen.stats.ld.boundary_ld` plus ``model``), datasets
        ``real`` and ``ag``.
    """
    require_columns(boundary, ("model", "dataset", "ratio"), "the boundary-LD table")
    boundary = boundary.astype({"model": str, "dataset": str})
    names = models_in(boundary, models)
    table = real_and_ags(boundary, names)
    fig = new_figure(11, 4.2)
    ax_ratio, ax_r2 = fig.subplots(1, 2)
    plot_boundary_ld(table, ax_ratio, show="ratio")
    plot_boundary_ld(table, ax_r2, show="r2")
    ax_ratio.set_title("(a) across a seam / within a window", loc="left")
    ax_r2.set_title("(b) mean $r^2$", loc="left")
    figure_title(fig, "LD across window seams", panel)
    return fig


@figure(category="3. Frequencies and LD", inputs={"metrics": METRICS})
def figS_fixed(metrics: pd.DataFrame, *, panels: Sequence[str] | None = None,
               models: Sequence[str] | None = None) -> Figure:
    """Sites polymorphic in real but fixed in the AGs (Yelmen et al. 2021,
    Supplementary Figure 20), per panel: the observed share per model
    (``fixed_frac``; tick labels give the count) next to the share expected
    from drawing that many haplotypes from the real frequencies alone
    (``fixed_frac_bootstrap``). The real data have none by definition."""
    means = metric_means(metrics)
    means = means[means["metric"].isin(("fixed_frac", "fixed_frac_bootstrap", "fixed_sites"))]
    if not (means["metric"] == "fixed_frac").any():
        raise InputError("the metrics table has no fixed_frac rows")
    chosen = panels_in(means, panels)
    fig = new_figure(4.6 * len(chosen) + 0.4, 4.0)
    axes = axes_grid(fig, len(chosen), len(chosen))
    for ax, panel in zip(axes, chosen):
        rows = means[means["panel"] == panel]
        names = models_in(rows, models)
        values = wide(rows, panel, names, ("fixed_frac", "fixed_frac_bootstrap"))
        counts = wide(rows, panel, names, ("fixed_sites",))["fixed_sites"]
        plot_grouped_bars(values, ax, labels={"fixed_frac": "observed",
                                              "fixed_frac_bootstrap": "expected from sampling"},
                          ylabel="share of real-polymorphic sites fixed")
        ax.set_xticks(ax.get_xticks(), [f"{dataset_label(m)}\n({c:.0f})" if np.isfinite(c) else
                                        dataset_label(m) for m, c in zip(names, counts)],
                      rotation=35, ha="right", fontsize="small")
        ax.set_ylim(bottom=0)
        ax.set_title(f"{panel} panel (in brackets: number of fixed sites)", fontsize="small")
    fig.suptitle("Sites polymorphic in real data but fixed in artificial haplotypes",
                 fontweight="bold")
    return fig
