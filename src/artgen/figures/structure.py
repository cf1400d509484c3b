"""Structure of real and artificial haplotypes: PCA (Figure 1, the dense
panel's PC1-2), UMAP, haplotype images and the RBM's latent view."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

from artgen.errors import InputError
from artgen.figures.registry import AG_SETS, REAL_HAPLOTYPES, Input, figure
from artgen.figures.style import (ag_sets, alleles_of, axes_grid, figure_title, main_chromosome,
                                  new_figure, subsample)
from artgen.haplotypes import Haplotypes
from artgen.plots import (dataset_color, dataset_label, group_colors, plot_embedding,
                          plot_haplostrips, plot_hidden_activations, plot_latent)

#: The AG models of the paper's Figure 1, in its order.
FIGURE1_MODELS = ("bernoulli", "markov", "gan", "rbm")


@figure(category="1. Main figures", panel="structure", models=FIGURE1_MODELS,
        inputs={"real": REAL_HAPLOTYPES, "ags": AG_SETS}, options=("models", "seed"))
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
    from artgen.stats.pca import pca

    sets = ag_sets(ags, models)
    data = {"real": alleles_of(real, "real"), **sets}
    result = pca(data, n_components=6, seed=seed)
    n = len(sets)
    fig = new_figure(9.6, 2.9 * n + 0.5)
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
    figure_title(fig, "Figure 1. Six first axes of one PCA of real and artificial haplotypes",
                 panel)
    return fig


@figure(category="2. Structure", panel="structure", models="figures", needs=("umap",),
        inputs={"real": REAL_HAPLOTYPES, "ags": AG_SETS}, options=("models", "seed"))
def figS_umap(real, ags: Mapping, *, models: Sequence[str] | None = None, seed: int = 0,
              n_neighbors: int = 15, min_dist: float = 0.1, max_points: int | None = 2000,
              panel: str | None = None) -> Figure:
    """One 2-D UMAP of real and all AG sets together (Yelmen et al. 2021,
    Supplementary Figure 3), one panel per model: real (grey) vs that model.

    At most ``max_points`` haplotypes of each set are embedded (seeded
    subsample): seeded UMAP runs on one core.
    """
    from artgen.stats.umap import umap_embedding

    rng = np.random.default_rng(seed)
    sets = ag_sets(ags, models)
    data = {"real": subsample(alleles_of(real, "real"), max_points, rng)}
    data.update({n: subsample(a, max_points, rng) for n, a in sets.items()})
    emb = umap_embedding(data, seed=seed, n_neighbors=n_neighbors, min_dist=min_dist)
    k = len(sets)
    ncols = min(k, 4)
    fig = new_figure(2.9 * ncols + 0.3, 2.8 * -(-k // ncols) + 0.5)
    axes = axes_grid(fig, k, ncols, sharex=True, sharey=True)
    for ax, name in zip(axes, sets):
        plot_embedding({"real": emb["real"], name: emb[name]}, ax, xlabel="UMAP 1",
                       ylabel="UMAP 2")
        ax.set_title(f"real vs {dataset_label(name)}", fontsize="small", color=dataset_color(name))
    figure_title(fig, "UMAP of real and artificial haplotypes, one joint embedding", panel)
    return fig


@figure(category="2. Structure", panel="ld", models="figures",
        inputs={"real": REAL_HAPLOTYPES, "ags": AG_SETS}, options=("models", "seed"))
def figS_pca_dense(real, ags: Mapping, *, models: Sequence[str] | None = None, seed: int = 0,
                   max_points: int | None = None, panel: str | None = None) -> Figure:
    """PC1 vs PC2 of one PCA of real and all AG sets (Yelmen et al. 2021,
    Supplementary Figure 5, for a dense panel), one panel per model."""
    from artgen.stats.pca import pca

    sets = ag_sets(ags, models)
    result = pca({"real": alleles_of(real, "real"), **sets}, n_components=2, seed=seed)
    k = len(sets)
    ncols = min(k, 4)
    fig = new_figure(2.9 * ncols + 0.3, 2.8 * -(-k // ncols) + 0.5)
    axes = axes_grid(fig, k, ncols, sharex=True, sharey=True)
    for ax, name in zip(axes, sets):
        plot_embedding({"real": result.coords["real"], name: result.coords[name]}, ax,
                       xlabel=result.axis_labels[0], ylabel=result.axis_labels[1],
                       max_points=max_points, seed=seed)
        ax.set_title(f"real vs {dataset_label(name)}", fontsize="small", color=dataset_color(name))
    figure_title(fig, "PC1 and PC2 of one PCA of real and artificial haplotypes", panel)
    return fig


@figure(category="2. Structure", panel="ld", models="figures",
        inputs={"real": REAL_HAPLOTYPES, "ags": AG_SETS}, options=("models", "seed"))
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
    sets = ag_sets(ags, models)
    h_real = alleles_of(real, "real")
    total = h_real.shape[1]
    if start is None:
        if isinstance(real, Haplotypes):
            idx = np.flatnonzero(main_chromosome(real.chrom))
        else:
            idx = np.arange(total)
        start = int(idx[0] + max(0, (len(idx) - n_snps) // 2))
    if not 0 <= start < total:
        raise InputError(f"start must be a SNP index in 0..{total - 1}, got {start}")
    region = slice(start, min(total, start + n_snps))
    rng = np.random.default_rng(seed)
    real_region = subsample(h_real[:, region], max_haplotypes, rng)
    keep = real_region.any(axis=0) & ~real_region.all(axis=0)
    k = len(sets)
    ncols = min(k, 4)
    nrows = -(-k // ncols)
    fig = new_figure(3.4 * ncols + 0.3, 4.6 * nrows + 0.8)
    axes = axes_grid(fig, k, ncols)
    for ax, (name, ag) in zip(axes, sets.items()):
        ag_region = subsample(ag[:, region], max_haplotypes, rng)
        plot_haplostrips({"real": real_region[:, keep], name: ag_region[:, keep]}, ax,
                         reference="real")
        ax.set_title(f"real vs {dataset_label(name)}", fontsize="small")
    where = ""
    if isinstance(real, Haplotypes):
        where = (f" ({real.chrom[region.start]}:{real.pos[region.start]:,}-"
                 f"{real.pos[region.stop - 1]:,})")
    figure_title(fig, f"Haplotype structure of SNPs {region.start + 1}-{region.stop}{where}", panel)
    fig.suptitle(f"{fig.get_suptitle()}\nALT allele black; rows sorted by Hamming distance to the "
                 "most common real haplotype; left strip: set of each row", fontweight="bold")
    return fig


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


@figure(category="2. Structure", panel="structure", options=("seed",),
        inputs={"real": REAL_HAPLOTYPES, "model": Input("model", "model", model="rbm")})
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
    model : artgen.models.rbm.RBMGenerator
        The fitted RBM (``results/models/{panel}/rbm.npz``, loaded by the
        caller: the figures do not import the models).
    seed : int
        Seed of the PCA solver and of the heatmap's subsamples.
    max_haplotypes, max_units : int
        The heatmap shows at most this many haplotypes and hidden units
        (seeded subsamples; panels a and b use every haplotype).
    panel : str, optional
        Panel name for the title.
    """
    from artgen.stats.pca import pca

    if not isinstance(real, Haplotypes):
        raise InputError("figS_rbm needs the real haplotypes as Haplotypes (for their "
                         "population labels)")
    if getattr(model, "name", None) != "rbm":
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
    rows = subsample(np.arange(real.n_haplotypes), max_haplotypes, rng)
    units = subsample(np.arange(model.n_hidden), max_units, rng)
    activations = model.hidden_activations(real.alleles[rows])[:, units]

    fig = new_figure(11, 8.6)
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
    figure_title(fig, "The RBM's latent view of the real training haplotypes", panel)
    return fig
