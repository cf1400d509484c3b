"""Scatter plots of embeddings (PCA, UMAP, an RBM's latent axes), hidden-unit
activations and haplotype images."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from artgen.errors import InputError
from artgen.plots.style import (axes_or_new, dataset_color, dataset_label, group_colors)


def _label_scatter(ax, i: int, j: int, xlabel, ylabel, legend: bool, markerscale: float):
    """Axis labels and an opaque-marker legend for a scatter of axes i, j."""
    ax.set_xlabel(xlabel or f"axis {i + 1}")
    ax.set_ylabel(ylabel or f"axis {j + 1}")
    if legend:
        leg = ax.legend(loc="best", markerscale=markerscale, frameon=True, framealpha=0.8,
                        fontsize="small", handletextpad=0.2, borderpad=0.3)
        for handle in leg.legend_handles:
            handle.set_alpha(1)
    return ax


def plot_embedding(coords: Mapping[str, np.ndarray], ax=None, *, dims=(0, 1), s: float = 4,
                   alpha: float = 0.35, xlabel: str | None = None, ylabel: str | None = None,
                   legend: bool = True, max_points: int | None = None, seed: int = 0):
    """Scatter of 2-D coordinates (PCA scores, a UMAP) of several datasets.

    Parameters
    ----------
    coords : dict of str -> ndarray, shape (n_i, k)
        Coordinates per dataset, e.g. ``PcaResult.coords``; drawn in the
        given order (put real first, so that the AGs lie on top of it).
    ax : matplotlib axes, optional
    dims : pair of int
        Columns to plot (``(2, 3)`` for PC3 vs PC4).
    s, alpha : float
        Marker size and opacity.
    xlabel, ylabel : str, optional
        Default ``"axis 1"``, ``"axis 2"`` (1-based ``dims``).
    legend : bool
        Draw a legend with opaque markers.
    max_points : int, optional
        Draw at most this many points per dataset (seeded subsample).
    seed : int
        Seed of the subsample.

    Returns
    -------
    ax
    """
    ax = axes_or_new(ax)
    i, j = dims
    rng = np.random.default_rng(seed)
    for name, xy in coords.items():
        xy = np.asarray(xy, dtype=np.float64)
        if xy.ndim != 2 or xy.shape[1] <= max(i, j):
            raise InputError(f"coordinates of {name!r} need at least {max(i, j) + 1} columns, "
                             f"got shape {xy.shape}")
        if max_points is not None and len(xy) > max_points:
            xy = xy[np.sort(rng.choice(len(xy), max_points, replace=False))]
        ax.scatter(xy[:, i], xy[:, j], s=s, alpha=alpha, color=dataset_color(name),
                   label=dataset_label(name), linewidths=0, rasterized=True)
    return _label_scatter(ax, i, j, xlabel, ylabel, legend, markerscale=2.5)


def _groups(labels, n: int, order, colors) -> tuple[np.ndarray, list[str], dict[str, str]]:
    """Labels as a str array of length ``n``, the group order and colours."""
    labels = np.asarray(labels, dtype=str).reshape(-1)
    if len(labels) != n:
        raise InputError(f"got {len(labels)} labels for {n} rows")
    present = list(dict.fromkeys(labels.tolist()))
    if order is None:
        order = sorted(present)
    else:
        order = [str(g) for g in order if str(g) in present]
        missing = [g for g in present if g not in order]
        if missing:
            raise InputError(f"label(s) {', '.join(missing)} are not in the order given")
    palette = dict(colors) if colors is not None else group_colors(order)
    missing = [g for g in order if g not in palette]
    if missing:
        raise InputError(f"no colour given for label(s) {', '.join(missing)}")
    return labels, order, palette


def plot_latent(coords, labels, ax=None, *, dims=(0, 1), order: Sequence[str] | None = None,
                colors: Mapping[str, str] | None = None, s: float = 6, alpha: float = 0.6,
                xlabel: str | None = None, ylabel: str | None = None, legend: bool = True):
    """Scatter of 2-D coordinates of ONE dataset (an RBM's latent projection,
    PCA scores), each point coloured by its group (e.g. population).

    Parameters
    ----------
    coords : ndarray, shape (n, k)
        Coordinates, e.g. :meth:`artgen.models.rbm.RBMGenerator.latent_projection`.
    labels : array_like of str, shape (n,)
        Group of each point (``Haplotypes.pops``).
    dims : pair of int
        Columns to plot.
    order : list of str, optional
        Groups in the order they are drawn and listed (default: sorted).
    colors : dict of str -> colour, optional
        Colour per group (default :func:`group_colors` of ``order``); pass
        the same dict to every panel of a figure.
    s, alpha, xlabel, ylabel, legend
        As for :func:`plot_embedding`.

    Returns
    -------
    ax
    """
    xy = np.asarray(coords, dtype=np.float64)
    i, j = dims
    if xy.ndim != 2 or xy.shape[1] <= max(i, j):
        raise InputError(f"coordinates need at least {max(i, j) + 1} columns, got shape "
                         f"{xy.shape}")
    labels, order, palette = _groups(labels, len(xy), order, colors)
    ax = axes_or_new(ax)
    for group in order:
        at = labels == group
        ax.scatter(xy[at, i], xy[at, j], s=s, alpha=alpha, color=palette[group],
                   label=f"{group} ({at.sum()})", linewidths=0, rasterized=True)
    return _label_scatter(ax, i, j, xlabel, ylabel, legend, markerscale=2)


def plot_hidden_activations(activations, labels, ax=None, *, order: Sequence[str] | None = None,
                            colors: Mapping[str, str] | None = None, vmax: float | None = None,
                            cmap="magma_r", colorbar: bool = True,
                            label: str = "activation E[h | v]"):
    """Heatmap of hidden-unit activations (after Yelmen et al. 2021,
    Supplementary Figure 16): one column per haplotype, grouped by label
    (e.g. population) in ``order``, one row per hidden unit, the most active
    unit (mean over the haplotypes shown) on top. A colour strip above the
    image gives each column's group; tick labels name the groups.

    Parameters
    ----------
    activations : ndarray, shape (n_haplotypes, n_hidden)
        E.g. :meth:`artgen.models.rbm.RBMGenerator.hidden_activations`
        (subsample the haplotypes and units beforehand: one column per
        haplotype).
    labels : array_like of str, shape (n_haplotypes,)
        Group of each haplotype; its columns stay in their given order
        within a group.
    order, colors
        As in :func:`plot_latent`.
    vmax : float, optional
        Top of the colour scale (default: the 99th percentile of the
        values, so that a few very active units do not wash out the rest;
        the colour bar shows the clipping).
    cmap : str or Colormap
        Colour map from 0 (light: the unit is off) upward.
    colorbar : bool
        Attach a colour bar.
    label : str
        Label of the colour bar.

    Returns
    -------
    ax
    """
    from matplotlib.colors import ListedColormap

    a = np.asarray(activations, dtype=np.float64)
    if a.ndim != 2 or 0 in a.shape:
        raise InputError(f"activations must be a non-empty (n_haplotypes, n_hidden) matrix, "
                         f"got shape {a.shape}")
    if not np.isfinite(a).all():
        raise InputError("activations must be finite")
    labels, order, palette = _groups(labels, len(a), order, colors)
    rank = {g: k for k, g in enumerate(order)}
    columns = np.argsort([rank[g] for g in labels], kind="stable")
    units = np.argsort(-a.mean(axis=0), kind="stable")
    image = a[np.ix_(columns, units)].T
    if vmax is None:
        vmax = float(np.percentile(image, 99))
    lo = min(0.0, float(image.min()))
    vmax = vmax if vmax > lo else lo + 1.0
    ax = axes_or_new(ax)
    im = ax.imshow(image, aspect="auto", interpolation="nearest", cmap=cmap, vmin=lo, vmax=vmax,
                   rasterized=True)
    groups = labels[columns]
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    ends = np.r_[starts[1:], len(groups)]
    for b in starts[1:]:
        ax.axvline(b - 0.5, color="white", lw=0.8)
    ax.set_xticks((starts + ends - 1) / 2, [str(groups[b]) for b in starts],
                  rotation=0 if len(starts) <= 8 else 90, fontsize="small")
    ax.tick_params(axis="x", length=0)
    ax.set_xlabel(f"haplotype ({len(a)}), grouped")
    ax.set_ylabel(f"hidden unit ({a.shape[1]}), by mean activation")
    ax.set_yticks([])
    strip = ax.inset_axes([0, 1.01, 1, 0.035])
    strip.imshow(np.array([rank[g] for g in groups])[None, :],
                 cmap=ListedColormap([palette[g] for g in order]), vmin=-0.5,
                 vmax=len(order) - 0.5, aspect="auto", interpolation="nearest", rasterized=True)
    strip.set_axis_off()
    if colorbar:
        ax.figure.colorbar(im, ax=ax, shrink=0.9, pad=0.01, label=label,
                           extend="max" if vmax < image.max() else "neither")
    return ax


def plot_haplostrips(sets: Mapping[str, np.ndarray], ax=None, *, reference: str | None = None,
                     strip_width: float = 0.035, legend: bool = True):
    """Haplotypes of several sets as one black-and-white image, rows sorted
    by their Hamming distance to the most common haplotype of the reference
    set (after Haplostrips, Marnetto & Huerta-Sanchez 2017): 1 (ALT) is
    black, 0 white. A colour strip on the left names the set of each row,
    so one sees whether AG rows mix with the real ones.

    Parameters
    ----------
    sets : dict of str -> ndarray, uint8, shape (n_i, n_snps)
        Haplotypes of one region (same SNPs in every set).
    reference : str, optional
        The set whose most common haplotype anchors the sort (default: the
        first set).

    Returns
    -------
    ax
    """
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    ax = axes_or_new(ax)
    names = list(sets)
    if not names:
        raise InputError("no haplotype set to plot")
    mats = [np.asarray(sets[n], dtype=np.uint8) for n in names]
    widths = {m.shape[1] for m in mats}
    if len(widths) != 1 or any(m.ndim != 2 for m in mats):
        raise InputError("every haplotype set must be a 2-D matrix on the same SNPs")
    ref = mats[names.index(reference if reference is not None else names[0])]
    rows, counts = np.unique(ref, axis=0, return_counts=True)
    modal = rows[np.argmax(counts)]
    alleles = np.concatenate(mats, axis=0)
    label = np.repeat(np.arange(len(names)), [len(m) for m in mats])
    dist = (alleles != modal).sum(axis=1)
    order = np.lexsort((label, dist))
    ax.imshow(alleles[order], cmap=ListedColormap(["#ffffff", "#000000"]), vmin=0, vmax=1,
              aspect="auto", interpolation="nearest", rasterized=True)
    ax.set_yticks([])
    ax.set_xlabel("SNP in region")
    strip = ax.inset_axes([-strip_width - 0.01, 0, strip_width, 1])
    cmap = ListedColormap([dataset_color(n) for n in names])
    strip.imshow(label[order][:, None], cmap=cmap, vmin=-0.5, vmax=len(names) - 0.5,
                 aspect="auto", interpolation="nearest", rasterized=True)
    strip.set_axis_off()
    if legend:
        handles = [Patch(color=dataset_color(n), label=dataset_label(n)) for n in names]
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=len(names),
                  fontsize="small", frameon=False, handlelength=1)
    return ax
