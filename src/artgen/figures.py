"""The report's figures: one builder per figure, and the two calls the
pipeline makes, :func:`build_figure` (read the inputs, build) and
:func:`save_figure` (write PDF and PNG, atomically).

Each builder ``figureX(data..., **options) -> matplotlib.figure.Figure``
takes data already in memory (:class:`~artgen.haplotypes.Haplotypes` or
0/1 matrices, pandas DataFrames), lays out the axes and draws them with the
axes-level functions of :mod:`artgen.plots`. :data:`FIGURES` maps each
figure's name (the stem of its output files) to its builder;
:data:`INPUTS` says, per figure, which input files it reads and how.

Inputs of :func:`build_figure`, by kind:

``haplotypes``
    one ``.npz`` haplotype file (:func:`artgen.io.load_haplotypes`).
``haplotype_sets``
    a list of ``.npz`` files, one per model, named by the file stem
    (``results/ags/{panel}/{model}.npz``): a dict model -> Haplotypes.
``table``
    one tab-separated table with a header.
``tables``
    a list of tables, concatenated; a ``model`` and a ``panel`` column are
    added from the path when the table has none: for
    ``results/stats/{panel}/{model}/x.table.tsv`` (per-model folders) or
    ``results/training/{panel}/{model}.tsv`` (per-model files).
``model``
    one saved generator (``results/models/{panel}/{model}.npz``, read with
    :func:`artgen.models.load_generator`); the input says which generator
    the file must hold (e.g. an RBM).

Figures are made with :class:`matplotlib.figure.Figure` directly, not
through pyplot: building one changes no global state and needs no display.
"""

from __future__ import annotations

import functools
import inspect
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from artgen.checks import check_alleles
from artgen.errors import InputError
from artgen.haplotypes import Haplotypes
from artgen.io.atomic import atomic_output
from artgen.imputation import is_alone_reference
from artgen.plots import (baselines_first, dataset_color, dataset_label, order_datasets,
                          plot_af_scatter, plot_boundary_ld, plot_distance_distributions, plot_embedding,
                          plot_grouped_bars, group_colors, plot_haplostrips, plot_hidden_activations,
                          plot_imputation_classes, plot_imputation_quality, plot_latent,
                          plot_ld_decay, plot_ld_matrix,
                          plot_lines, plot_real_vs_ag, plot_scan, plot_sfs, plot_stacked_shares,
                          plot_training_curves, require_columns)

__all__ = ["FIGURES", "INPUTS", "FIGURE1_MODELS", "build_figure", "save_figure",
           "figure1", "figure2", "figure3", "figure4", "figS_umap", "figS_pairwise",
           "figS_pca_dense", "figS_af", "figS_nn", "figS_ld_scatter", "figS_corr3",
           "figS_haplotypes", "figS_painting", "figS_privacy", "figS_sensitivity",
           "figS_coalescent", "figS_fixed", "figS_boundary_ld", "figS_training", "figS_rbm"]

#: The AG models of the paper's Figure 1, in its order.
FIGURE1_MODELS = ("bernoulli", "markov", "gan", "rbm")

#: Resolution of the PNG files (the PDF is vector, with rasterised point clouds).
PNG_DPI = 150

_RC = {
    "font.size": 9,
    "axes.titlesize": 9.5,
    "axes.labelsize": 9,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "figure.titlesize": 11.5,
    "axes.grid": False,
}

_STAT_LABELS = {"xpehh": "standardised XP-EHH", "pbs": "normalised PBS"}
_METRIC_COLUMNS = ("panel", "model", "seed", "metric", "value")


# --------------------------------------------------------------------------- helpers


def _styled(builder: Callable[..., Figure]) -> Callable[..., Figure]:
    """Run a builder under the figures' font sizes."""
    @functools.wraps(builder)
    def wrapper(*args, **kwargs):
        with matplotlib.rc_context(_RC):
            return builder(*args, **kwargs)
    return wrapper


def _figure(width: float, height: float) -> Figure:
    return Figure(figsize=(width, height), layout="constrained")


def _title(fig: Figure, text: str, panel: str | None) -> None:
    fig.suptitle(f"{text} \N{EN DASH} {panel} panel" if panel else text, fontweight="bold")


def _grid(fig: Figure, n: int, ncols: int, **kw) -> list:
    """``n`` axes on a grid of ``ncols`` columns; the unused cells are hidden."""
    ncols = max(1, min(ncols, n))
    nrows = -(-n // ncols)
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False, **kw)).ravel()
    for ax in axes[n:]:
        ax.set_visible(False)
    return list(axes[:n])


def _alleles(x, what: str) -> np.ndarray:
    if isinstance(x, Haplotypes):
        return x.alleles
    return check_alleles(x, what)


def _ag_sets(ags, models, what: str = "ags", exclude: Sequence[str] = ()) -> dict[str, np.ndarray]:
    """The AG matrices to show, in order: ``models`` that are in ``ags``
    (the others are skipped), or every set of ``ags`` when ``models`` is None."""
    if not isinstance(ags, Mapping) or not ags:
        raise InputError(f"{what} must be a non-empty dict of model name -> haplotypes")
    if models is None:
        names = [n for n in order_datasets(ags) if n not in exclude]
    else:
        if isinstance(models, str):
            models = [models]
        names = [m for m in models if m in ags]
        if not names:
            raise InputError(f"none of the models {list(models)} is among the AG sets given "
                             f"({', '.join(map(str, ags))})")
    if not names:
        raise InputError(f"{what} holds no AG set to show")
    return {n: _alleles(ags[n], f"{what}[{n!r}]") for n in names}


def _models_in(table: pd.DataFrame, models, column: str = "model",
               exclude: Sequence[str] = ()) -> list[str]:
    present = order_datasets(table[column].astype(str))
    if models is None:
        names = [m for m in present if m not in exclude]
    else:
        names = [m for m in ([models] if isinstance(models, str) else models) if m in present]
    if not names:
        raise InputError(f"no {column} to show: the table has {', '.join(present) or 'none'}")
    return names


def _subsample(x: np.ndarray, n: int | None, rng: np.random.Generator) -> np.ndarray:
    if n is None or len(x) <= n:
        return x
    return x[np.sort(rng.choice(len(x), n, replace=False))]


def _main_chromosome(chrom: np.ndarray) -> np.ndarray:
    """Mask of the SNPs on the chromosome with the most SNPs."""
    names, counts = np.unique(chrom, return_counts=True)
    return chrom == names[np.argmax(counts)]


def _metric_means(metrics: pd.DataFrame) -> pd.DataFrame:
    """Mean and SD over seeds and AG draws of each (panel, model, metric)."""
    require_columns(metrics, _METRIC_COLUMNS, "the metrics table")
    table = metrics.astype({"panel": str, "model": str, "metric": str})
    table = table.assign(value=pd.to_numeric(table["value"], errors="coerce"))
    return (table.groupby(["panel", "model", "metric"], sort=False)["value"]
            .agg(["mean", "std"]).reset_index())


def _wide(means: pd.DataFrame, panel: str, models: list[str], metrics: Sequence[str],
          stat: str = "mean") -> pd.DataFrame:
    rows = means[(means["panel"] == panel) & means["metric"].isin(metrics)]
    wide = rows.pivot(index="model", columns="metric", values=stat)
    return wide.reindex(index=models, columns=list(metrics))


def _panels_in(means: pd.DataFrame, panels) -> list[str]:
    present = list(dict.fromkeys(means["panel"]))
    known = [p for p in ("informative", "dense", "dispersed") if p in present]
    present = known + [p for p in present if p not in known]
    if panels is None:
        return present
    chosen = [p for p in ([panels] if isinstance(panels, str) else panels) if p in present]
    if not chosen:
        raise InputError(f"none of the panels {list(panels)} is in the metrics table "
                         f"({', '.join(present)})")
    return chosen


def _empty_note(ax, text: str) -> None:
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center",
            fontsize="small", color="#777777")
    ax.set_xticks([])
    ax.set_yticks([])


# --------------------------------------------------------------------------- Figure 1


@_styled
def figure1(real, ags: Mapping, *, models: Sequence[str] | None = FIGURE1_MODELS, seed: int = 0,
            max_points: int | None = None, panel: str | None = None) -> Figure:
    """The six first axes of ONE PCA of real and AG haplotypes together
    (Yelmen et al. 2021, Figure 1): one row per AG model, columns PC1-2,
    PC3-4, PC5-6, each panel real (grey) against that model.

    Parameters
    ----------
    real : Haplotypes or ndarray (n_real, n_snps)
        Real (training) haplotypes.
    ags : dict of str -> Haplotypes or ndarray
        AG sets per model, on the same SNPs.
    models : list of str, optional
        Models to show, in order; those not in ``ags`` are skipped
        (default: Bernoulli, Markov, GAN, RBM). None: every set of ``ags``.
    seed : int
        Seed of the PCA solver and of any subsample.
    max_points : int, optional
        Draw at most this many points per set (the PCA uses all).
    panel : str, optional
        Panel name for the title.
    """
    from artgen.stats.structure import pca

    sets = _ag_sets(ags, models)
    data = {"real": _alleles(real, "real"), **sets}
    result = pca(data, n_components=6, seed=seed)
    n = len(sets)
    fig = _figure(9.6, 2.9 * n + 0.5)
    axes = fig.subplots(n, 3, squeeze=False)
    stacked = result.stacked()
    for c in range(3):
        lo, hi = stacked[:, 2 * c: 2 * c + 2].min(axis=0), stacked[:, 2 * c: 2 * c + 2].max(axis=0)
        pad = 0.04 * (hi - lo)
        for r, name in enumerate(sets):
            ax = axes[r, c]
            plot_embedding({"real": result.coords["real"], name: result.coords[name]}, ax,
                           dims=(2 * c, 2 * c + 1), xlabel=result.axis_labels[2 * c],
                           ylabel=result.axis_labels[2 * c + 1], legend=c == 0,
                           max_points=max_points, seed=seed)
            ax.set_xlim(lo[0] - pad[0], hi[0] + pad[0])
            ax.set_ylim(lo[1] - pad[1], hi[1] + pad[1])
            if c == 0:
                ax.set_title(dataset_label(name), loc="left", fontweight="bold",
                             color=dataset_color(name))
    _title(fig, "Figure 1. Six first axes of one PCA of real and artificial haplotypes", panel)
    return fig


# --------------------------------------------------------------------------- Figure 2


@_styled
def figure2(real: Haplotypes, ags: Mapping, *, models: Sequence[str] | None = None,
            n_bins: int = 50, max_snps: int = 2000, panel: str | None = None) -> Figure:
    """LD of real and AG haplotypes (Yelmen et al. 2021, Figure 2): (a) one
    r^2 heatmap per model, real below the diagonal and AG above; (b) LD
    decay, mean r^2 per distance bin after removing SNPs fixed in any
    dataset.

    Parameters
    ----------
    real : Haplotypes
        Real (training) haplotypes; its positions place the pairs in bins.
    ags : dict of str -> Haplotypes or ndarray
    models : list of str, optional
        Models to show (default: every set of ``ags``).
    n_bins : int
        Distance bins of the decay (the paper's 50).
    max_snps : int
        Heatmaps show at most this many consecutive SNPs (the middle of the
        panel): an r^2 matrix of 10,000 SNPs is 400 MB.
    panel : str, optional
    """
    from artgen.stats.ld import ld_decay, ld_matrix_for_plot

    if not isinstance(real, Haplotypes):
        raise InputError("figure2 needs the real haplotypes as Haplotypes (for their positions)")
    sets = _ag_sets(ags, models)
    n_total = real.n_snps
    start = max(0, (n_total - max_snps) // 2)
    window = slice(start, min(n_total, start + max_snps))
    k = len(sets)
    ncols = min(k, 3)
    nrows = -(-k // ncols)
    fig = _figure(3.3 * ncols + 0.8, 3.1 * nrows + 3.4)
    top, bottom = fig.subfigures(2, 1, height_ratios=[3.1 * nrows, 3.2])
    heat_axes = _grid(top, k, ncols)
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
    on_chrom = _main_chromosome(real.chrom)
    decay = ld_decay({"real": real.alleles[:, on_chrom],
                      **{n: a[:, on_chrom] for n, a in sets.items()}},
                     real.pos[on_chrom], n_bins=n_bins)
    ax = bottom.subplots()
    span = float(real.pos[on_chrom].max() - real.pos[on_chrom].min())
    plot_ld_decay(decay, ax, datasets=["real", *sets], unit="kb" if span < 5e6 else "Mb")
    ax.legend(fontsize="small", frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    chrom_note = "" if on_chrom.all() else f" (chromosome {real.chrom[on_chrom][0]})"
    ax.set_title(f"b) LD decay{chrom_note}: SNPs fixed in any dataset removed, {n_bins} "
                 "distance bins", fontsize="medium")
    _title(fig, "Figure 2. Linkage disequilibrium of real and artificial haplotypes", panel)
    return fig


# --------------------------------------------------------------------------- Figure 3


def _scan_r(scans: pd.DataFrame, statistic: str, dataset: str) -> float:
    keys = [c for c in ("chrom", "start", "stop") if c in scans] or ["pos"]
    rows = scans[scans["statistic"] == statistic]
    real = rows[rows["dataset"] == "real"][keys + ["value"]]
    other = rows[rows["dataset"] == dataset][keys + ["value"]]
    merged = real.merge(other, on=keys, suffixes=("_real", "_ag"))
    x, y = merged["value_real"].to_numpy(float), merged["value_ag"].to_numpy(float)
    ok = np.isfinite(x) & np.isfinite(y)
    if ok.sum() < 2 or x[ok].std() == 0 or y[ok].std() == 0:
        return float("nan")
    return float(np.corrcoef(x[ok], y[ok])[0, 1])


@_styled
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
    datasets = ["real", *_models_in(scans, models, column="dataset", exclude=("real",))]
    present = list(dict.fromkeys(scans["statistic"]))
    statistics = [s for s in ("xpehh", "pbs") if s in present] + \
                 [s for s in present if s not in ("xpehh", "pbs")]
    ncols = len(datasets)
    fig = _figure(2.6 * ncols + 0.6, 2.5 * len(statistics) + 0.6)
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
    _title(fig, f"Figure 3. Selection scans, real vs artificial (dotted: {100 * quantile:g}th "
           "percentile, *: top peaks)", panel)
    return fig


# --------------------------------------------------------------------------- Figure 4


@_styled
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
    fig = _figure(10.5, sum(heights))
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
    _title(fig, "Figure 4. Imputation of held-out target genomes by reference panel", panel)
    return fig


# ------------------------------------------------------------ supplementary: structure


@_styled
def figS_umap(real, ags: Mapping, *, models: Sequence[str] | None = None, seed: int = 0,
              n_neighbors: int = 15, min_dist: float = 0.1, max_points: int | None = 2000,
              panel: str | None = None) -> Figure:
    """One 2-D UMAP of real and all AG sets together (Yelmen et al. 2021,
    Supplementary Figure 3), one panel per model: real (grey) vs that model.

    At most ``max_points`` haplotypes of each set are embedded (seeded
    subsample): seeded UMAP runs on one core.
    """
    from artgen.stats.structure import umap_embedding

    rng = np.random.default_rng(seed)
    sets = _ag_sets(ags, models)
    data = {"real": _subsample(_alleles(real, "real"), max_points, rng)}
    data.update({n: _subsample(a, max_points, rng) for n, a in sets.items()})
    emb = umap_embedding(data, seed=seed, n_neighbors=n_neighbors, min_dist=min_dist)
    k = len(sets)
    ncols = min(k, 4)
    fig = _figure(2.9 * ncols + 0.3, 2.8 * -(-k // ncols) + 0.5)
    axes = _grid(fig, k, ncols, sharex=True, sharey=True)
    for ax, name in zip(axes, sets):
        plot_embedding({"real": emb["real"], name: emb[name]}, ax, xlabel="UMAP 1",
                       ylabel="UMAP 2")
        ax.set_title(f"real vs {dataset_label(name)}", fontsize="small", color=dataset_color(name))
    _title(fig, "UMAP of real and artificial haplotypes, one joint embedding", panel)
    return fig


@_styled
def figS_pca_dense(real, ags: Mapping, *, models: Sequence[str] | None = None, seed: int = 0,
                   max_points: int | None = None, panel: str | None = None) -> Figure:
    """PC1 vs PC2 of one PCA of real and all AG sets (Yelmen et al. 2021,
    Supplementary Figure 5, for a dense panel), one panel per model."""
    from artgen.stats.structure import pca

    sets = _ag_sets(ags, models)
    result = pca({"real": _alleles(real, "real"), **sets}, n_components=2, seed=seed)
    k = len(sets)
    ncols = min(k, 4)
    fig = _figure(2.9 * ncols + 0.3, 2.8 * -(-k // ncols) + 0.5)
    axes = _grid(fig, k, ncols, sharex=True, sharey=True)
    for ax, name in zip(axes, sets):
        plot_embedding({"real": result.coords["real"], name: result.coords[name]}, ax,
                       xlabel=result.axis_labels[0], ylabel=result.axis_labels[1],
                       max_points=max_points, seed=seed)
        ax.set_title(f"real vs {dataset_label(name)}", fontsize="small", color=dataset_color(name))
    _title(fig, "PC1 and PC2 of one PCA of real and artificial haplotypes", panel)
    return fig


# ------------------------------------------------------------ supplementary: distances


def _distance_table(distances: pd.DataFrame, models) -> tuple[pd.DataFrame, list[str]]:
    require_columns(distances, ("model", "pairs", "distance", "count"), "the distances table")
    distances = distances.astype({"model": str, "pairs": str})
    return distances, _models_in(distances, models)


@_styled
def figS_pairwise(distances: pd.DataFrame, *, models: Sequence[str] | None = None,
                  panel: str | None = None) -> Figure:
    """Distributions of pairwise Hamming distances (Yelmen et al. 2021,
    Supplementary Figures 4 and 6): (a) within each set (real and each
    model's AGs), (b) between real and each model's AGs, with within-real
    dashed for reference.

    Parameters
    ----------
    distances : DataFrame
        The ``distances.table.tsv`` tables of the models, concatenated:
        columns ``model pairs distance count``.
    """
    distances, names = _distance_table(distances, models)
    first = distances[(distances["model"] == names[0]) & (distances["pairs"] == "within_real")]
    if first.empty:
        raise InputError(f"the distances table of {names[0]!r} has no within_real rows")
    within = {"real": first}
    between = {"real": first}
    for name in names:
        rows = distances[distances["model"] == name]
        if (rows["pairs"] == "within_ag").any():
            within[name] = rows[rows["pairs"] == "within_ag"]
        if (rows["pairs"] == "between").any():
            between[name] = rows[rows["pairs"] == "between"]
    fig = _figure(11, 4.2)
    ax_w, ax_b = fig.subplots(1, 2, sharex=True)
    bold = {"real": {"lw": 2.4}}
    plot_distance_distributions(within, ax_w, styles=bold)
    plot_distance_distributions(between, ax_b, styles={"real": {"lw": 1.5, "ls": "--"}},
                                labels={"real": "within real (reference)",
                                        **{n: f"real vs {dataset_label(n)}" for n in between}})
    ax_w.set_title("a) within each set", fontsize="medium")
    ax_b.set_title("b) between real and artificial haplotypes", fontsize="medium")
    _title(fig, "Pairwise haplotype distances", panel)
    return fig


@_styled
def figS_nn(distances: pd.DataFrame, *, models: Sequence[str] | None = None,
            panel: str | None = None) -> Figure:
    """Distance from each real haplotype to its closest AG, per model
    (Yelmen et al. 2021, Supplementary Figure 8): (a) the distributions, (b)
    their cumulative distributions. Distance 0 means an exact copy."""
    distances, names = _distance_table(distances, models)
    hists, labels = {}, {}
    for name in names:
        rows = distances[(distances["model"] == name)
                         & (distances["pairs"] == "nearest_ag_to_real")]
        if rows.empty:
            continue
        hists[name] = rows
        copies = int(rows.loc[rows["distance"] == 0, "count"].sum())
        labels[name] = f"{dataset_label(name)} ({copies} with a copy)"
    if not hists:
        raise InputError("the distances table has no nearest_ag_to_real rows")
    fig = _figure(11, 4.2)
    ax_h, ax_c = fig.subplots(1, 2)
    plot_distance_distributions(hists, ax_h, labels=labels,
                                ylabel="proportion of real haplotypes")
    for name, rows in hists.items():
        rows = rows.sort_values("distance")
        d = rows["distance"].to_numpy(float)
        cum = np.cumsum(rows["count"].to_numpy(float))
        ax_c.step(np.r_[0, d], np.r_[0, cum / cum[-1]], where="post", color=dataset_color(name),
                  lw=1.5, label=dataset_label(name))
    ax_c.set_xlabel("Hamming distance to the closest AG")
    ax_c.set_ylabel("cumulative proportion of real haplotypes")
    ax_c.set_ylim(0, 1.01)
    ax_c.set_xlim(left=0)
    ax_h.set_xlabel("Hamming distance to the closest AG")
    ax_h.set_title("a) distribution (legend: real haplotypes with an exact copy)",
                   fontsize="medium")
    ax_c.set_title("b) cumulative distribution", fontsize="medium")
    _title(fig, "Distance from each real haplotype to its nearest artificial one", panel)
    return fig


# ---------------------------------------------- supplementary: frequencies, LD, corr3


@_styled
def figS_af(real, ags: Mapping, *, models: Sequence[str] | None = None, low: float = 0.2,
            panel: str | None = None) -> Figure:
    """Allele frequency of each SNP, real vs AG (Yelmen et al. 2021,
    Supplementary Figure 7): per model, the whole range and a zoom on real
    frequencies below ``low``; points below the diagonal at the rare end
    are rare alleles the AGs lose."""
    from artgen.stats.frequencies import allele_frequencies

    sets = _ag_sets(ags, models)
    f_real = allele_frequencies(_alleles(real, "real"))
    k = len(sets)
    per_row = min(k, 2)
    nrows = -(-k // per_row)
    fig = _figure(2.6 * 2 * per_row + 0.3, 2.7 * nrows + 0.5)
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
    _title(fig, "Allele frequencies of real vs artificial haplotypes", panel)
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


@_styled
def figS_ld_scatter(real, ags: Mapping, *, models: Sequence[str] | None = None,
                    max_pairs: int = 20000, seed: int = 0, panel: str | None = None) -> Figure:
    """r^2 of SNP pairs, real vs AG (Yelmen et al. 2021, Supplementary
    Figure 9), one density panel per model, on the same ``max_pairs``
    random pairs of SNPs polymorphic in real (all pairs if fewer); r is
    Pearson's over the pairs drawn that are polymorphic in both sets."""
    sets = _ag_sets(ags, models)
    h_real = _alleles(real, "real")
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
    fig = _figure(2.9 * ncols + 0.3, 2.9 * -(-k // ncols) + 0.5)
    axes = _grid(fig, k, ncols)
    for ax, (name, ag) in zip(axes, sets.items()):
        plot_real_vs_ag(r2_real, _r2_pairs(ag, i, j), ax, color=dataset_color(name), kind="hexbin",
                        lims=(0, 1), xlabel="real $r^2$", ylabel=f"{dataset_label(name)} $r^2$")
        ax.set_title(dataset_label(name), fontsize="small", color=dataset_color(name))
    _title(fig, f"LD ($r^2$) of {len(i):,} SNP pairs, real vs artificial (colour: log count)",
           panel)
    return fig


@_styled
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
    names = _models_in(corr3, models)
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
    fig = _figure(1.85 * ncols + 0.5, 1.85 * nrows + 0.6)
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
                _empty_note(ax, "no triplets")
                continue
            x, y = rows["real"].to_numpy(float), rows["ag"].to_numpy(float)
            plot_real_vs_ag(x, y, ax, color=dataset_color(name), lims=(lo - pad, hi + pad),
                            s=2.5, alpha=0.3, annotate_r=False, xlabel="", ylabel="")
            if max_points is not None and len(x) > max_points:
                ax.collections[0].remove()
                keep = np.sort(rng.choice(len(x), max_points, replace=False))
                ax.scatter(x[keep], y[keep], s=2.5, alpha=0.3, color=dataset_color(name),
                           linewidths=0, rasterized=True)
            ok = np.isfinite(x) & np.isfinite(y)
            varies = ok.sum() > 1 and x[ok].std() > 0 and y[ok].std() > 0
            r_val = np.corrcoef(x[ok], y[ok])[0, 1] if varies else float("nan")
            ax.text(0.04, 0.96, f"r={r_val:.2f}", transform=ax.transAxes, ha="left", va="top",
                    fontsize="x-small")
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
    _title(fig, "3-point correlations of SNP triplets by gap, real (x) vs artificial (y)", panel)
    return fig


# ----------------------------------------------------------- supplementary: haplotypes


@_styled
def figS_haplotypes(real, ags: Mapping, *, models: Sequence[str] | None = None,
                    start: int | None = None, n_snps: int = 100, max_haplotypes: int = 150,
                    seed: int = 0, panel: str | None = None) -> Figure:
    """Haplotype structure of a region of ``n_snps`` consecutive SNPs
    (Haplostrips-like; Yelmen et al. 2021, Supplementary Figure 11): per
    model, real and AG haplotypes in one image (ALT black), rows sorted
    together by distance to the most common real haplotype; the left strip
    says which rows are real (grey) and which artificial.

    Parameters
    ----------
    start : int, optional
        Index (0-based) of the region's first SNP (default: the middle of
        the chromosome with the most SNPs).
    n_snps : int
        SNPs in the region (SNPs monomorphic in the real sample are dropped).
    max_haplotypes : int
        Haplotypes drawn per set (seeded subsample).
    """
    sets = _ag_sets(ags, models)
    h_real = _alleles(real, "real")
    total = h_real.shape[1]
    if start is None:
        if isinstance(real, Haplotypes):
            idx = np.flatnonzero(_main_chromosome(real.chrom))
        else:
            idx = np.arange(total)
        start = int(idx[0] + max(0, (len(idx) - n_snps) // 2))
    if not 0 <= start < total:
        raise InputError(f"start must be a SNP index in 0..{total - 1}, got {start}")
    region = slice(start, min(total, start + n_snps))
    rng = np.random.default_rng(seed)
    real_region = _subsample(h_real[:, region], max_haplotypes, rng)
    keep = real_region.any(axis=0) & ~real_region.all(axis=0)
    k = len(sets)
    ncols = min(k, 4)
    nrows = -(-k // ncols)
    fig = _figure(3.4 * ncols + 0.3, 4.6 * nrows + 0.8)
    axes = _grid(fig, k, ncols)
    for ax, (name, ag) in zip(axes, sets.items()):
        ag_region = _subsample(ag[:, region], max_haplotypes, rng)
        plot_haplostrips({"real": real_region[:, keep], name: ag_region[:, keep]}, ax,
                         reference="real")
        ax.set_title(f"real vs {dataset_label(name)}", fontsize="small")
    where = ""
    if isinstance(real, Haplotypes):
        where = (f" ({real.chrom[region.start]}:{real.pos[region.start]:,}-"
                 f"{real.pos[region.stop - 1]:,})")
    _title(fig, f"Haplotype structure of SNPs {region.start + 1}-{region.stop}{where}", panel)
    fig.suptitle(f"{fig.get_suptitle()}\nALT allele black; rows sorted by Hamming distance to the "
                 "most common real haplotype; left strip: set of each row", fontweight="bold")
    return fig


@_styled
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
    names = _models_in(painting, datasets, column="dataset")
    wide = painting.pivot_table(index="dataset", columns="donor_pop", values="share",
                                aggfunc="sum").reindex(names)
    donors = sorted(wide.columns)
    palette = list(mpl.colormaps["Set2"].colors) + list(mpl.colormaps["Set3"].colors)
    colours = {d: palette[i % len(palette)] for i, d in enumerate(donors)}
    fig = _figure(1.0 * len(names) + 3.2, 4.2)
    ax = fig.subplots()
    plot_stacked_shares(wide[donors], ax, colors=colours, ylabel="share of copied segments",
                        legend_title="donor population")
    ax.set_ylim(0, max(1.0, float(wide[donors].sum(axis=1).max())) * 1.02)
    _title(fig, "Chromosome painting: donor populations", panel)
    return fig


# --------------------------------------------------------------------------- supplementary: privacy


@_styled
def figS_privacy(metrics: pd.DataFrame, *, panels: Sequence[str] | None = None,
                 models: Sequence[str] | None = None) -> Figure:
    """AATS and privacy per model (Yelmen et al. 2021, Supplementary Figure
    13), one row per panel: (a) AATS against the training set and against
    the held-out test set (0.5 ideal; below: overfit, above: underfit), (b)
    privacy loss (test AATS minus train AATS; > 0 leaks), (c) membership
    attack AUC (0.5: the attack cannot tell training members). Bars are
    means over seeds and AG draws, with the SD when there are several.
    """
    means = _metric_means(metrics)
    wanted = ("aats_train", "aats_test", "privacy_loss", "mia_auc", "mia_density_auc")
    means = means[means["metric"].isin(wanted)]
    if means.empty:
        raise InputError("the metrics table has no AATS, privacy-loss or attack rows "
                         f"({', '.join(wanted)})")
    chosen = _panels_in(means, panels)
    fig = _figure(12.5, 3.3 * len(chosen) + 0.6)
    axes = fig.subplots(len(chosen), 3, squeeze=False)
    for r, panel in enumerate(chosen):
        rows = means[means["panel"] == panel]
        names = _models_in(rows, models)
        groups = (
            (("aats_train", "aats_test"), {"aats_train": "vs train", "aats_test": "vs test"},
             0.5, "AATS", "a) AATS"),
            (("privacy_loss",), {}, 0.0, "privacy loss", "b) privacy loss"),
            (("mia_auc", "mia_density_auc"), {"mia_auc": "distance attack",
                                              "mia_density_auc": "density attack"},
             0.5, "attack AUC", "c) membership attack AUC"),
        )
        for c, (columns, labels, ref, ylabel, title) in enumerate(groups):
            ax = axes[r, c]
            values = _wide(rows, panel, names, columns)
            errors = _wide(rows, panel, names, columns, "std")
            values = values.dropna(axis=1, how="all")
            if values.empty:
                _empty_note(ax, "not computed")
            else:
                plot_grouped_bars(values, ax, errors=errors[values.columns], labels=labels,
                                  reference=ref, ylabel=ylabel)
                if c != 1:
                    ax.set_ylim(0, 1.05)
            ax.set_title(f"{title} ({panel})", fontsize="medium")
    fig.suptitle("Privacy: nearest-neighbour adversarial accuracy, privacy loss, "
                 "membership attacks", fontweight="bold")
    return fig


@_styled
def figS_sensitivity(sensitivity: pd.DataFrame, *, panel: str | None = None) -> Figure:
    """Sensitivity of the privacy scores (Yelmen et al. 2021, Supplementary
    Figure 21): AATS, privacy loss, attack AUC and TPR at 1% FPR, and exact
    copies, against the number of training haplotypes planted in the AGs
    (symmetric-log x axis, so 0 planted is shown)."""
    require_columns(sensitivity, ("planted", "privacy_loss"), "the sensitivity table")
    specs = (
        ("a) AATS", ("aats_train", "aats_test"), 0.5, "AATS"),
        ("b) privacy loss", ("privacy_loss",), 0.0, "privacy loss"),
        ("c) attack AUC", ("mia_auc", "mia_density_auc"), 0.5, "AUC"),
        ("d) attack TPR at 1% FPR", ("mia_tpr_1fpr", "mia_density_tpr_1fpr"), 0.01, "TPR"),
        ("e) AGs identical to a training haplotype", ("identical_to_train",), None, "AGs"),
    )
    labels = {"aats_train": "vs train", "aats_test": "vs test", "privacy_loss": "privacy loss",
              "mia_auc": "distance attack", "mia_density_auc": "density attack",
              "mia_tpr_1fpr": "distance attack", "mia_density_tpr_1fpr": "density attack",
              "identical_to_train": "identical to train"}
    colours = {"aats_train": "#3b3b3b", "aats_test": "#a3a3a3", "privacy_loss": "#d62728",
               "mia_auc": "#1f77b4", "mia_density_auc": "#ff7f0e",
               "mia_tpr_1fpr": "#1f77b4", "mia_density_tpr_1fpr": "#ff7f0e",
               "identical_to_train": "#2ca02c"}
    fig = _figure(12.5, 7.0)
    axes = _grid(fig, 6, 3)
    axes[-1].set_visible(False)
    for ax, (title, columns, ref, ylabel) in zip(axes, specs):
        present = [c for c in columns if c in sensitivity]
        if not present:
            _empty_note(ax, "not computed")
        else:
            plot_lines(sensitivity, "planted", present, ax, colors=colours, labels=labels,
                       logx=True, reference=ref, ylabel=ylabel,
                       xlabel="training haplotypes planted in the AGs")
        ax.set_title(title, fontsize="medium")
    _title(fig, "Sensitivity of the privacy scores to planted training copies", panel)
    return fig


# ------------------------------------------------------------ supplementary: baselines


@_styled
def figS_coalescent(sfs: pd.DataFrame, ld_decay: pd.DataFrame, pca: pd.DataFrame, *,
                    panel: str | None = None) -> Figure:
    """Real haplotypes vs a coalescent simulation of their region (Yelmen
    et al. 2021, Supplementary Figures 18-19): (a) folded SFS and (b) LD
    decay after removing alleles below frequency 0.1, (c) one PCA of real
    and frequency-matched simulated SNPs."""
    require_columns(sfs, ("dataset", "freq_left", "freq_right", "proportion"), "the SFS table")
    require_columns(ld_decay, ("dataset", "distance_mid", "mean_r2"), "the LD-decay table")
    require_columns(pca, ("dataset", "PC1", "PC2"), "the PCA table")
    fig = _figure(13, 4.0)
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
    _title(fig, "Real vs coalescent simulation of the region", panel)
    return fig


@_styled
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
    names = _models_in(boundary, models)
    # the real rows are the same in every model's table (same set, seams and pairs)
    real = boundary[(boundary["model"] == names[0]) & (boundary["dataset"] == "real")]
    ags = [boundary[(boundary["model"] == name) & (boundary["dataset"] == "ag")]
           .assign(dataset=name) for name in names]
    table = pd.concat([real, *ags], ignore_index=True)
    fig = _figure(11, 4.2)
    ax_ratio, ax_r2 = fig.subplots(1, 2)
    plot_boundary_ld(table, ax_ratio, show="ratio")
    plot_boundary_ld(table, ax_r2, show="r2")
    ax_ratio.set_title("(a) across a seam / within a window", loc="left")
    ax_r2.set_title("(b) mean $r^2$", loc="left")
    _title(fig, "LD across window seams", panel)
    return fig


@_styled
def figS_fixed(metrics: pd.DataFrame, *, panels: Sequence[str] | None = None,
               models: Sequence[str] | None = None) -> Figure:
    """Sites polymorphic in real but fixed in the AGs (Yelmen et al. 2021,
    Supplementary Figure 20), per panel: the observed share per model
    (``fixed_frac``; tick labels give the count) next to the share expected
    from drawing that many haplotypes from the real frequencies alone
    (``fixed_frac_bootstrap``). The real data have none by definition."""
    means = _metric_means(metrics)
    means = means[means["metric"].isin(("fixed_frac", "fixed_frac_bootstrap", "fixed_sites"))]
    if not (means["metric"] == "fixed_frac").any():
        raise InputError("the metrics table has no fixed_frac rows")
    chosen = _panels_in(means, panels)
    fig = _figure(4.6 * len(chosen) + 0.4, 4.0)
    axes = _grid(fig, len(chosen), len(chosen))
    for ax, panel in zip(axes, chosen):
        rows = means[means["panel"] == panel]
        names = _models_in(rows, models)
        values = _wide(rows, panel, names, ("fixed_frac", "fixed_frac_bootstrap"))
        counts = _wide(rows, panel, names, ("fixed_sites",))["fixed_sites"]
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


@_styled
def figS_training(histories: pd.DataFrame, *, models: Sequence[str] | None = None,
                  panels: Sequence[str] | None = None) -> Figure:
    """Nearest-neighbour adversarial accuracy of each network's snapshots
    over epochs (Yelmen et al. 2021, Supplementary Figure 14): one column
    per panel; rows AA_TS, AA_truth, AA_syn (all against the training set;
    0.5 ideal); circles: the snapshot kept.

    Parameters
    ----------
    histories : DataFrame
        Training-history tables (``results/training/{panel}/{model}.tsv``)
        concatenated, with ``panel`` and ``model`` columns: ``epoch``,
        ``aa_ts``, ``aa_truth``, ``aa_syn``, ``snapshot_score``.
    """
    require_columns(histories, ("panel", "model", "epoch", "aa_ts"), "the training histories")
    histories = histories.astype({"panel": str, "model": str})
    present = list(dict.fromkeys(histories["panel"]))
    known = [p for p in ("informative", "dense", "dispersed") if p in present]
    chosen = known + [p for p in present if p not in known]
    if panels is not None:
        chosen = [p for p in ([panels] if isinstance(panels, str) else panels) if p in present]
        if not chosen:
            raise InputError(f"none of the panels asked for has a training history "
                             f"({', '.join(present)})")
    rows_spec = [("aa_ts", "AA_TS"), ("aa_truth", "AA_truth"), ("aa_syn", "AA_syn")]
    rows_spec = [(c, l) for c, l in rows_spec if c in histories]
    ncols = len(chosen)
    fig = _figure(3.9 * ncols + 0.4, 2.5 * len(rows_spec) + 0.6)
    axes = fig.subplots(len(rows_spec), ncols, squeeze=False, sharex="col")
    legend: dict = {}
    for c, panel in enumerate(chosen):
        at_panel = histories[histories["panel"] == panel]
        names = _models_in(at_panel, models)
        runs = {n: at_panel[at_panel["model"] == n] for n in names}
        for r, (column, label) in enumerate(rows_spec):
            ax = axes[r, c]
            plot_training_curves(runs, ax, column=column, ylabel=f"{label} vs train", logx=True)
            ax.set_ylim(-0.02, 1.02)
            ax.get_legend().remove()
            if r == 0:
                ax.set_title(f"{panel} panel", fontsize="medium")
                for handle, text in zip(*ax.get_legend_handles_labels()):
                    legend.setdefault(text, handle)
            if r < len(rows_spec) - 1:
                ax.set_xlabel("")
    fig.legend(list(legend.values()), list(legend), loc="outside lower center",
               ncol=min(len(legend), 5), frameon=False)
    fig.suptitle("Adversarial accuracy of training snapshots over epochs (circle: kept)",
                 fontweight="bold")
    return fig


# ------------------------------------------------------------ supplementary: the RBM


def _population_labels(real: Haplotypes) -> tuple[np.ndarray, list[str]]:
    """Population of each haplotype (its super-population where the
    population is blank, "unlabelled" where both are) and the order to show
    them in: by super-population, then population, as the paper orders
    regions."""
    pops = np.where(real.pops != "", real.pops, real.super_pops)
    pops = np.where(pops != "", pops, "unlabelled")
    region = {}
    for pop, sup in zip(pops.tolist(), real.super_pops.tolist()):
        region.setdefault(pop, sup)
    order = sorted(region, key=lambda p: (p == "unlabelled", region[p], p))
    return pops, order


@_styled
def figS_rbm(real, model, *, seed: int = 0, max_haplotypes: int = 500, max_units: int = 100,
             panel: str | None = None) -> Figure:
    """The RBM's view of the real training haplotypes (Yelmen et al. 2021,
    Supplementary Figures 15 and 16): (a) their projection on the two
    leading hidden axes of the RBM (the SVD of its weights, applied to the
    hidden encoding E[h | v]) next to (b) their PCA, PC1 and PC2; (c) the
    hidden-unit activations of a seeded subsample of them, haplotypes
    grouped by population, units sorted by mean activation. Points and the
    strip above the heatmap are coloured by population.

    Parameters
    ----------
    real : Haplotypes
        The haplotypes the RBM was trained on (``Haplotypes.pops`` gives
        the colours).
    model : RBMGenerator
        The fitted RBM (``results/models/{panel}/rbm.npz``).
    seed : int
        Seed of the PCA solver and of the heatmap's subsamples.
    max_haplotypes, max_units : int
        The heatmap shows at most this many haplotypes and hidden units
        (seeded subsamples; panels a and b use every haplotype).
    panel : str, optional
        Panel name for the title.
    """
    from artgen.models.rbm import RBMGenerator
    from artgen.stats.structure import pca

    if not isinstance(real, Haplotypes):
        raise InputError("figS_rbm needs the real haplotypes as Haplotypes (for their "
                         "population labels)")
    if not isinstance(model, RBMGenerator):
        raise InputError(f"figS_rbm needs a fitted RBM, got {type(model).__name__}")
    for value, what in ((max_haplotypes, "max_haplotypes"), (max_units, "max_units")):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise InputError(f"{what} must be a positive integer, got {value!r}")
    if model.weights is None:
        raise InputError("figS_rbm needs a fitted RBM; this one has no weights")
    if model.weights.shape[0] != real.n_snps:
        raise InputError(f"the RBM has {model.weights.shape[0]} visible units but the real "
                         f"haplotypes have {real.n_snps} SNPs: not the same panel")
    pops, order = _population_labels(real)
    colors = group_colors(order)
    latent = model.latent_projection(real.alleles, n_components=2, space="hidden")
    scores = pca({"real": real.alleles}, n_components=2, seed=seed)
    rng = np.random.default_rng(seed)
    rows = _subsample(np.arange(real.n_haplotypes), max_haplotypes, rng)
    units = _subsample(np.arange(model.n_hidden), max_units, rng)
    activations = model.hidden_activations(real.alleles[rows])[:, units]

    fig = _figure(11, 8.6)
    top, bottom = fig.subfigures(2, 1, height_ratios=[4.4, 4.2])
    ax_rbm, ax_pca = top.subplots(1, 2)
    plot_latent(latent, pops, ax_rbm, order=order, colors=colors, xlabel="RBM hidden axis 1",
                ylabel="RBM hidden axis 2", legend=False)
    plot_latent(scores.coords["real"], pops, ax_pca, order=order, colors=colors,
                xlabel=scores.axis_labels[0], ylabel=scores.axis_labels[1], legend=False)
    ax_rbm.set_title(f"a) RBM: {real.n_haplotypes} haplotypes on its 2 leading hidden axes",
                     fontsize="medium")
    ax_pca.set_title("b) PCA of the same haplotypes", fontsize="medium")
    handles, texts = ax_rbm.get_legend_handles_labels()
    leg = top.legend(handles, texts, loc="outside right upper", title="population",
                     frameon=False, markerscale=2.5, ncols=1 if len(order) <= 14 else 2)
    for handle in leg.legend_handles:
        handle.set_alpha(1)
    ax_heat = bottom.subplots()
    plot_hidden_activations(activations, pops[rows], ax_heat, order=order, colors=colors)
    shown = (f"{len(rows)} of {real.n_haplotypes} haplotypes" if len(rows) < real.n_haplotypes
             else f"all {real.n_haplotypes} haplotypes")
    shown += (f", {len(units)} of {model.n_hidden} hidden units" if len(units) < model.n_hidden
              else f", all {model.n_hidden} hidden units")
    unit = {"relu": "ReLU", "sigmoid": "sigmoid"}.get(model.hidden, model.hidden)
    ax_heat.set_title(f"c) {unit} hidden-unit activations E[h | v] ({shown})",
                      fontsize="medium", pad=14)
    _title(fig, "The RBM's latent view of the real training haplotypes", panel)
    return fig


# --------------------------------------------------------------------------- registry and I/O


#: Figure name (= output file stem) -> builder.
FIGURES: dict[str, Callable[..., Figure]] = {
    "figure1": figure1,
    "figure2": figure2,
    "figure3": figure3,
    "figure4": figure4,
    "figS_umap": figS_umap,
    "figS_pairwise": figS_pairwise,
    "figS_pca_dense": figS_pca_dense,
    "figS_af": figS_af,
    "figS_nn": figS_nn,
    "figS_ld_scatter": figS_ld_scatter,
    "figS_corr3": figS_corr3,
    "figS_haplotypes": figS_haplotypes,
    "figS_painting": figS_painting,
    "figS_privacy": figS_privacy,
    "figS_sensitivity": figS_sensitivity,
    "figS_coalescent": figS_coalescent,
    "figS_fixed": figS_fixed,
    "figS_boundary_ld": figS_boundary_ld,
    "figS_training": figS_training,
    "figS_rbm": figS_rbm,
}


@dataclass(frozen=True)
class Input:
    """How :func:`build_figure` reads one input of a figure.

    Attributes
    ----------
    kind : {"haplotypes", "haplotype_sets", "table", "tables", "model"}
        See the module docstring.
    columns : tuple of str
        Columns a table must have (checked with the file's name in the error).
    names : {"dir", "stem"}
        For ``tables``: the model is the table's folder (``.../{panel}/{model}/x.tsv``)
        or its file stem (``.../{panel}/{model}.tsv``).
    panel : bool
        This input's path names the panel, for the title: its folder's name
        (``.../{panel}/x``).
    model : str, optional
        For ``model``: the short name of the generator the file must hold
        (``"rbm"``); None: any generator.
    optional : bool
        The figure can be drawn without this input (it then lacks a panel).
    """

    kind: str
    columns: tuple[str, ...] = ()
    names: str = "dir"
    panel: bool = False
    model: str | None = None
    optional: bool = False


_REAL = Input("haplotypes", panel=True)
_AGS = Input("haplotype_sets")
_DISTANCES = Input("tables", ("pairs", "distance", "count"))

#: Figure name -> input name -> how to read it. The input names are the
#: keys of the ``inputs`` dict of :func:`build_figure` and the builders'
#: argument names.
INPUTS: dict[str, dict[str, Input]] = {
    "figure1": {"real": _REAL, "ags": _AGS},
    "figure2": {"real": _REAL, "ags": _AGS},
    "figure3": {"scans": Input("table", ("dataset", "statistic", "pos", "value"), panel=True)},
    "figure4": {"quality": Input("table", ("reference", "maf_lo", "maf_hi", "snp_share", "dr2",
                                           "r2"), panel=True),
                "classes": Input("table", ("reference", "maf_class", "r2", "n_r2"),
                                 optional=True)},
    "figS_umap": {"real": _REAL, "ags": _AGS},
    "figS_pairwise": {"distances": _DISTANCES},
    "figS_pca_dense": {"real": _REAL, "ags": _AGS},
    "figS_af": {"real": _REAL, "ags": _AGS},
    "figS_nn": {"distances": _DISTANCES},
    "figS_ld_scatter": {"real": _REAL, "ags": _AGS},
    "figS_corr3": {"corr3": Input("tables", ("gap", "real", "ag"))},
    "figS_haplotypes": {"real": _REAL, "ags": _AGS},
    "figS_painting": {"painting": Input("table", ("dataset", "donor_pop", "share"))},
    "figS_privacy": {"metrics": Input("table", _METRIC_COLUMNS)},
    "figS_sensitivity": {"sensitivity": Input("table", ("planted", "privacy_loss"), panel=True)},
    "figS_coalescent": {
        "sfs": Input("table", ("dataset", "freq_left", "freq_right", "proportion"), panel=True),
        "ld_decay": Input("table", ("dataset", "distance_mid", "mean_r2")),
        "pca": Input("table", ("dataset", "PC1", "PC2")),
    },
    "figS_fixed": {"metrics": Input("table", _METRIC_COLUMNS)},
    "figS_boundary_ld": {"boundary": Input("tables", ("dataset", "distance_left",
                                                      "distance_right", "ratio"))},
    "figS_training": {"histories": Input("tables", ("epoch", "aa_ts"), names="stem")},
    "figS_rbm": {"real": _REAL, "model": Input("model", model="rbm")},
}


def _paths(value, key: str) -> list[Path]:
    if isinstance(value, (str, Path)):
        return [Path(value)]
    if isinstance(value, Sequence) and value and all(isinstance(v, (str, Path)) for v in value):
        return [Path(v) for v in value]
    raise InputError(f"input {key!r} must be a path or a non-empty list of paths, got {value!r}")


def _read_table(path: Path, columns: Sequence[str]) -> pd.DataFrame:
    try:
        table = pd.read_csv(path, sep="\t")
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not a tab-separated table with a header ({exc})") from None
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(missing)} "
                         f"(it has: {', '.join(map(str, table.columns))})")
    if table.empty:
        raise InputError(f"{path}: the table has no rows")
    return table


def _load_model(spec: Input, key: str, paths: list[Path]):
    if len(paths) != 1:
        raise InputError(f"input {key!r} takes one saved model, got {len(paths)} files")
    path = paths[0]
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    from artgen.models import load_generator

    generator = load_generator(path)
    if spec.model is not None and generator.name != spec.model:
        raise InputError(f"{path}: holds a saved {generator.name!r} model; input {key!r} "
                         f"needs a saved {spec.model!r} model")
    return generator


def _load(spec: Input, key: str, value):
    paths = _paths(value, key)
    if spec.kind == "haplotypes":
        if len(paths) != 1:
            raise InputError(f"input {key!r} takes one haplotype file, got {len(paths)}")
        from artgen.io import load_haplotypes

        return load_haplotypes(paths[0])
    if spec.kind == "haplotype_sets":
        from artgen.io import load_haplotypes

        sets: dict[str, Haplotypes] = {}
        for path in paths:
            name = path.name.split(".")[0]
            if name in sets:
                raise InputError(f"input {key!r}: two files for model {name!r} ({path})")
            sets[name] = load_haplotypes(path)
        return sets
    if spec.kind == "model":
        return _load_model(spec, key, paths)
    if spec.kind == "table" and len(paths) != 1:
        raise InputError(f"input {key!r} takes one table, got {len(paths)} files")
    frames = []
    for path in paths:
        table = _read_table(path, spec.columns)
        if spec.kind == "tables":
            folder = path.parent if spec.names == "dir" else None
            model = folder.name if folder is not None else path.name.split(".")[0]
            panel = (folder.parent if folder is not None else path.parent).name
            if "model" not in table:
                table.insert(0, "model", model)
            if "panel" not in table:
                table.insert(0, "panel", panel)
        frames.append(table)
    return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)


def build_figure(name: str, inputs: Mapping[str, str | Path | Sequence[str | Path]],
                 **options) -> Figure:
    """Read a figure's input files and build it.

    Parameters
    ----------
    name : str
        A key of :data:`FIGURES` (the output file stem, e.g. ``"figure1"``).
    inputs : dict of str -> path or list of paths
        Per input name of :data:`INPUTS` ``[name]``: the file(s) to read.
        AG sets are lists of ``results/ags/{panel}/{model}.npz`` (the model
        is the file stem); per-model tables are lists of their files.
    **options
        Keyword options of the builder (e.g. ``models=[...]``, ``seed=42``).
        ``panel`` (for the title) defaults to the folder of the input that
        names it, e.g. ``results/splits/{panel}/train.npz``.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    InputError
        Unknown figure, missing or unknown input or option, unreadable file,
        a table without a needed column (the message names the file).
    """
    if name not in FIGURES:
        raise InputError(f"unknown figure {name!r}; known: {', '.join(FIGURES)}")
    specs = INPUTS[name]
    if not isinstance(inputs, Mapping):
        raise InputError("inputs must be a dict of input name -> path(s), "
                         f"got {type(inputs).__name__}")
    missing = [k for k, spec in specs.items() if k not in inputs and not spec.optional]
    unknown = [k for k in inputs if k not in specs]
    if missing or unknown:
        problems = []
        if missing:
            problems.append(f"missing input(s) {', '.join(missing)}")
        if unknown:
            problems.append(f"unknown input(s) {', '.join(unknown)}")
        raise InputError(f"{name}: {'; '.join(problems)} (it reads: {', '.join(specs)})")
    builder = FIGURES[name]
    accepted = [p.name for p in inspect.signature(builder).parameters.values()
                if p.kind is inspect.Parameter.KEYWORD_ONLY]
    bad = [k for k in options if k not in accepted]
    if bad:
        raise InputError(f"{name}: unknown option(s) {', '.join(bad)} "
                         f"(it takes: {', '.join(accepted) or 'none'})")
    if "panel" in accepted and options.get("panel") is None:
        for key, spec in specs.items():
            if spec.panel:
                options["panel"] = _paths(inputs[key], key)[0].parent.name or None
                break
    data = {key: _load(spec, key, inputs[key]) for key, spec in specs.items() if key in inputs}
    if "panel" in accepted and options.get("panel") is None:
        for value in data.values():
            if isinstance(value, pd.DataFrame) and "panel" in value:
                panels = value["panel"].dropna().astype(str).unique()
                if len(panels) == 1:
                    options["panel"] = panels[0]
                    break
    return builder(**data, **options)


def save_figure(fig: Figure, pdf_path, png_path, *, dpi: int = PNG_DPI) -> None:
    """Write ``fig`` as PDF and PNG, both complete or neither (each under a
    temporary name, renamed when both are written), then close it.

    The PDF carries no creation date, so the same figure gives the same bytes.
    """
    try:
        with atomic_output(pdf_path) as pdf_tmp, atomic_output(png_path) as png_tmp:
            fig.savefig(pdf_tmp, format="pdf", metadata={"CreationDate": None})
            fig.savefig(png_tmp, format="png", dpi=dpi)
    finally:
        if "matplotlib.pyplot" in sys.modules:
            sys.modules["matplotlib.pyplot"].close(fig)
