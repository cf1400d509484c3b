"""Axes-level plots of real and artificial haplotypes, in the style of
scikit-allel: every ``plot_*`` function takes data (arrays, DataFrames) and
an optional matplotlib axes, draws on it and returns it (a new figure and
axes are made with pyplot when ``ax`` is None). The figure builders of
:mod:`artgen.figures` lay these out.

Colours are fixed per dataset so that a model looks the same in every
figure (:func:`dataset_color`): real data dark grey, the held-out test split
light grey, Bernoulli green, Markov purple, GAN blue and RBM red (the
paper's colours), the other known models their own colour, and any other
name a colour picked from a palette by a hash of the name (the same name
always gets the same colour, in every process).

Large scatter clouds and images are rasterised (``rasterized=True``), so a
PDF with tens of thousands of points stays small and opens fast.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from artgen.errors import InputError
from artgen.io.atomic import atomic_output
from artgen.history import SNAPSHOT_COLUMNS

__all__ = [
    "DATASET_COLORS",
    "DATASET_LABELS",
    "DATASET_ORDER",
    "dataset_color",
    "dataset_label",
    "order_datasets",
    "require_columns",
    "group_colors",
    "plot_embedding",
    "plot_latent",
    "plot_hidden_activations",
    "plot_ld_matrix",
    "plot_ld_decay",
    "plot_boundary_ld",
    "plot_scan",
    "plot_imputation_classes",
    "plot_imputation_quality",
    "imputation_reference_style",
    "baselines_first",
    "plot_distance_distributions",
    "plot_af_scatter",
    "plot_real_vs_ag",
    "plot_haplostrips",
    "plot_stacked_shares",
    "plot_grouped_bars",
    "plot_lines",
    "plot_sfs",
    "plot_training_curves",
    "plot_training_history",
]

#: Fixed colour of each known dataset (real data, the test split, models,
#: imputation reference panels).
DATASET_COLORS = {
    "real": "#3b3b3b",
    "train": "#3b3b3b",
    "test": "#a3a3a3",
    "bernoulli": "#2ca02c",
    "bernoulli_pop": "#98df8a",
    "markov": "#9467bd",
    "gan": "#1f77b4",
    "rbm": "#d62728",
    "rbm_train": "#ff7f0e",
    "rbm_random": "#e377c2",
    "copying": "#17becf",
    "coalescent": "#8c564b",
    # imputation reference panels (Figure 4)
    "alone": "#b8b8b8",
    "perfect": "#3b3b3b",
}

#: Names shown in legends and titles.
DATASET_LABELS = {
    "real": "real (train)",
    "train": "real (train)",
    "test": "test (held-out real)",
    "bernoulli": "Bernoulli",
    "bernoulli_pop": "Bernoulli per population",
    "markov": "Markov chain",
    "gan": "GAN",
    "rbm": "RBM",
    "rbm_train": "RBM, chains from train",
    "rbm_random": "RBM, random chains",
    "copying": "copying model",
    "coalescent": "coalescent",
    "alone": "other populations only",
    "perfect": "+ real target haplotypes",
}

#: Order in which datasets are drawn and listed when no order is given:
#: real, the ceiling, the floors, the other baselines, the networks.
DATASET_ORDER = ("real", "train", "test", "bernoulli", "bernoulli_pop", "markov", "copying",
                 "coalescent", "gan", "rbm", "rbm_train", "rbm_random")

#: Colours for names not in :data:`DATASET_COLORS`, picked by a hash of the name.
_EXTRA_COLORS = ("#bcbd22", "#7f3c8d", "#11a579", "#3969ac", "#f2b701", "#e73f74",
                 "#80ba5a", "#e68310", "#008695", "#cf1c90", "#4b4b8f", "#a5aa99")

#: Colours of r^2 heatmaps, from 0 (white) to 1 (black); monomorphic SNPs
#: (no r^2) are shown in _MISSING.
_LD_COLORS = ("#ffffff", "#fdd0a2", "#fd8d3c", "#d94801", "#7f2704", "#000000")
_MISSING = "#dcdcdc"


# --------------------------------------------------------------------------- helpers


def dataset_color(name: str) -> str:
    """The colour of a dataset or model, the same in every figure.

    >>> dataset_color("gan"), dataset_color("GAN")
    ('#1f77b4', '#1f77b4')
    >>> dataset_color("my_model") == dataset_color("my_model")
    True
    """
    key = str(name).lower()
    if key in DATASET_COLORS:
        return DATASET_COLORS[key]
    return _EXTRA_COLORS[zlib.crc32(key.encode()) % len(_EXTRA_COLORS)]


def dataset_label(name: str) -> str:
    """The display name of a dataset or model (``"gan"`` -> ``"GAN"``);
    unknown names are shown as they are."""
    return DATASET_LABELS.get(str(name).lower(), str(name))


def order_datasets(names) -> list[str]:
    """``names`` without repeats, the known ones in :data:`DATASET_ORDER`,
    then the others in the order given.

    >>> order_datasets(["rbm", "mine", "test", "gan"])
    ['test', 'gan', 'rbm', 'mine']
    """
    names = list(dict.fromkeys(str(n) for n in names))
    known = [n for n in DATASET_ORDER if n in names]
    return known + [n for n in names if n not in DATASET_ORDER]


def require_columns(table: pd.DataFrame, columns, what: str = "table") -> pd.DataFrame:
    """``table`` if it is a DataFrame with every column of ``columns``,
    else an InputError naming ``what`` and the missing columns."""
    if not isinstance(table, pd.DataFrame):
        raise InputError(f"{what} must be a pandas DataFrame, got {type(table).__name__}")
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise InputError(f"{what} lacks column(s) {', '.join(missing)} "
                         f"(it has: {', '.join(map(str, table.columns)) or 'none'})")
    return table


def _axes(ax):
    """``ax``, or a new pyplot axes when it is None."""
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots()
    return ax


def _paired(a, b, names: str) -> tuple[np.ndarray, np.ndarray]:
    """``a`` and ``b`` as float64 arrays of one shape, or an InputError naming them."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise InputError(f"{names} differ in shape: {a.shape} vs {b.shape}")
    return a, b


def _note(ax, text: str, loc: str = "upper left", **kw) -> None:
    """A small text box in a corner of ``ax`` (axes coordinates)."""
    x, ha = (0.03, "left") if "left" in loc else (0.97, "right")
    y, va = (0.97, "top") if "upper" in loc else (0.03, "bottom")
    kw.setdefault("fontsize", "small")
    ax.text(x, y, text, transform=ax.transAxes, ha=ha, va=va,
            bbox={"boxstyle": "round,pad=0.25", "fc": "white", "ec": "none", "alpha": 0.8}, **kw)


def _pearson(x, y) -> float:
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    if x.size < 2 or x.std() == 0 or y.std() == 0:
        return float("nan")
    return float(np.corrcoef(x, y)[0, 1])


def _density_cmap(color: str):
    """A colour map from a light tint of ``color`` to a dark shade of it (for
    density plots of one dataset: the emptiest occupied cell stays visible)."""
    from matplotlib.colors import LinearSegmentedColormap, to_rgb

    rgb = np.array(to_rgb(color))
    light = 1 - 0.3 * (1 - rgb)
    dark = 0.45 * rgb
    return LinearSegmentedColormap.from_list(f"density_{color}", [light, rgb, dark])


# --------------------------------------------------------------------------- structure


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
    ax = _axes(ax)
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


def group_colors(groups: Sequence[str]) -> dict[str, str]:
    """One colour per group (e.g. population), in the order given: the
    ``tab10`` colours for up to 10 groups, else ``tab20`` (cycled beyond 20).
    Figures that show the same groups in several panels build this once.

    >>> group_colors(["YRI", "CEU"])
    {'YRI': '#1f77b4', 'CEU': '#ff7f0e'}
    """
    import matplotlib
    from matplotlib.colors import to_hex

    names = list(dict.fromkeys(str(g) for g in groups))
    palette = matplotlib.colormaps["tab10" if len(names) <= 10 else "tab20"].colors
    return {g: to_hex(palette[i % len(palette)]) for i, g in enumerate(names)}


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
    s, alpha : float
        Marker size and opacity.
    xlabel, ylabel : str, optional
        Default ``"axis 1"``, ``"axis 2"`` (1-based ``dims``).
    legend : bool
        Draw a legend with opaque markers.

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
    ax = _axes(ax)
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
    ax = _axes(ax)
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


# --------------------------------------------------------------------------- LD


def plot_ld_matrix(matrix, ax=None, *, lower: str = "real", upper: str = "AG",
                   colorbar: bool = True, cmap=None, first_snp: int = 1):
    """Heatmap of an r^2 matrix with one dataset in each triangle
    (:func:`artgen.stats.ld.ld_matrix_for_plot`: real below the diagonal,
    AG above), as in Yelmen et al. 2021, Figure 2a.

    Parameters
    ----------
    matrix : ndarray, shape (n_snps, n_snps)
        r^2 in [0, 1]; NaN (the diagonal, monomorphic SNPs) is drawn light grey.
    lower, upper : str
        Names written in the two triangles.
    cmap : str or Colormap, optional
        Default: white (0) through orange to black (1).
    colorbar : bool
        Attach an r^2 colour bar.
    first_snp : int
        Index (1-based) of the first SNP, for the axis labels.

    Returns
    -------
    ax
    """
    import matplotlib
    from matplotlib.colors import LinearSegmentedColormap

    ax = _axes(ax)
    m = np.asarray(matrix)
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        raise InputError(f"the LD matrix must be square, got shape {m.shape}")
    if cmap is None:
        cm = LinearSegmentedColormap.from_list("ld_r2", _LD_COLORS)
    else:
        cm = matplotlib.colormaps[cmap] if isinstance(cmap, str) else cmap
    cm = cm.with_extremes(bad=_MISSING)
    n = m.shape[0]
    extent = (first_snp - 0.5, first_snp + n - 0.5, first_snp + n - 0.5, first_snp - 0.5)
    im = ax.imshow(np.ma.masked_invalid(m), cmap=cm, vmin=0, vmax=1, interpolation="nearest",
                   extent=extent, rasterized=True)
    ax.set_xlabel("SNP")
    ax.set_ylabel("SNP")
    box = {"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.85}
    ax.text(0.97, 0.97, upper, transform=ax.transAxes, ha="right", va="top", fontsize="small",
            bbox=box)
    ax.text(0.03, 0.03, lower, transform=ax.transAxes, ha="left", va="bottom", fontsize="small",
            bbox=box)
    if colorbar:
        ax.figure.colorbar(im, ax=ax, shrink=0.8, label="$r^2$")
    return ax


def plot_ld_decay(decay: pd.DataFrame, ax=None, *, datasets: Sequence[str] | None = None,
                  unit: str = "kb", logy: bool | None = None):
    """Mean r^2 per distance bin (LD decay), one line per dataset.

    Parameters
    ----------
    decay : DataFrame
        :func:`artgen.stats.ld.ld_decay` output: columns ``dataset``,
        ``distance_mid`` and ``mean_r2``.
    datasets : list of str, optional
        Datasets to draw, in order (default: all, real first).
    unit : {"bp", "kb", "Mb"}
    logy : bool, optional
        Log-scale y axis. Default: only when a curve rises above twice the
        real curve's maximum (a generator with far too much LD would
        otherwise flatten every other curve).

    Returns
    -------
    ax
    """
    require_columns(decay, ("dataset", "distance_mid", "mean_r2"), "the LD-decay table")
    scale = {"bp": 1.0, "kb": 1e3, "Mb": 1e6}[unit]
    ax = _axes(ax)
    names = order_datasets(decay["dataset"].astype(str)) if datasets is None else list(datasets)
    peaks = {}
    for name in names:
        rows = decay[decay["dataset"].astype(str) == name].sort_values("distance_mid")
        if rows.empty:
            continue
        real = name in ("real", "train")
        peaks[name] = float(np.nanmax(rows["mean_r2"])) if rows["mean_r2"].notna().any() else 0.0
        ax.plot(rows["distance_mid"] / scale, rows["mean_r2"], color=dataset_color(name),
                label=dataset_label(name), lw=2.2 if real else 1.4, marker="o", ms=2.5,
                zorder=3 if real else 2)
    if logy is None:
        ref = peaks.get("real", peaks.get("train"))
        logy = bool(ref) and max(peaks.values()) > 2 * ref
    ax.set_xlabel(f"distance between SNPs ({unit})")
    if logy:
        ax.set_yscale("log")
        ax.set_ylabel("mean $r^2$ (log scale)")
    else:
        ax.set_ylim(bottom=0)
        ax.set_ylabel("mean $r^2$")
    ax.legend(fontsize="small", frameon=False)
    return ax


def plot_boundary_ld(table: pd.DataFrame, ax=None, *, datasets: Sequence[str] | None = None,
                     show: str = "ratio", unit: str = "kb"):
    """LD across window seams against LD within windows, per distance bin.

    ``show="ratio"``: the ratio (mean r^2 of pairs straddling a seam over
    that of pairs within one window) per bin, one line per dataset, with the
    line y = 1 (seams invisible); the real set's ratio, at the same seams,
    shows how far from 1 real data already is there. ``show="r2"``: the two
    mean r^2 per dataset, within solid, straddling dashed.

    Parameters
    ----------
    table : DataFrame
        :func:`artgen.stats.ld.boundary_ld` output: columns ``dataset``,
        ``distance_left``, ``distance_right``, ``mean_r2_straddling``,
        ``mean_r2_within`` and ``ratio``.
    datasets : list of str, optional
        Datasets to draw, in order (default: all, real first).
    show : {"ratio", "r2"}
    unit : {"bp", "kb", "Mb"}

    Returns
    -------
    ax
    """
    require_columns(table, ("dataset", "distance_left", "distance_right", "mean_r2_straddling",
                            "mean_r2_within", "ratio"), "the boundary-LD table")
    if show not in ("ratio", "r2"):
        raise InputError(f'show must be "ratio" or "r2", got {show!r}')
    scale = {"bp": 1.0, "kb": 1e3, "Mb": 1e6}[unit]
    ax = _axes(ax)
    names = order_datasets(table["dataset"].astype(str)) if datasets is None else list(datasets)
    # bins have unequal widths (0-10, ..., 100-200 kb): evenly spaced points
    # labelled with their ranges read better than a distance axis
    bins = table[["distance_left", "distance_right"]].drop_duplicates().sort_values("distance_left")
    where = {left: k for k, left in enumerate(bins["distance_left"])}
    for name in names:
        rows = table[table["dataset"].astype(str) == name].sort_values("distance_left")
        if rows.empty:
            continue
        real = name in ("real", "train")
        x = rows["distance_left"].map(where).to_numpy()
        style = {"color": dataset_color(name), "lw": 2.2 if real else 1.4, "marker": "o",
                 "ms": 3.5, "zorder": 3 if real else 2}
        if show == "ratio":
            ax.plot(x, rows["ratio"], label=dataset_label(name), **style)
        else:
            ax.plot(x, rows["mean_r2_within"], label=f"{dataset_label(name)}, within a window",
                    **style)
            ax.plot(x, rows["mean_r2_straddling"], ls="--",
                    label=f"{dataset_label(name)}, across a seam", **style)
    ax.set_xticks(np.arange(len(bins)), [f"{left / scale:g}-{right / scale:g}" for left, right
                                         in zip(bins["distance_left"], bins["distance_right"])])
    ax.set_xlabel(f"distance between SNPs ({unit})")
    if show == "ratio":
        ax.axhline(1.0, color="#777777", lw=0.8, ls=":", zorder=1)
        ax.set_ylabel("mean $r^2$ across a seam / within a window")
    else:
        ax.set_ylabel("mean $r^2$")
    ax.set_ylim(bottom=0)
    ax.legend(fontsize="small", frameon=False)
    return ax


def plot_real_vs_ag(x, y, ax=None, *, color: str = "C0", kind: str = "scatter",
                    lims=None, s: float = 3, alpha: float = 0.3, gridsize: int = 40,
                    annotate_r: bool = True, xlabel: str = "real", ylabel: str = "AG"):
    """A real statistic against the AG one, item by item (SNP pairs, triplets),
    with the diagonal y = x and Pearson r.

    Parameters
    ----------
    x, y : array_like, shape (n,)
        Real and AG values; pairs with a NaN are left out.
    kind : {"scatter", "hexbin"}
        ``"hexbin"`` draws a density (log counts, light to dark ``color``): use it
        for tens of thousands of points.
    lims : (float, float), optional
        Limits of both axes (default: the range of the data).

    Returns
    -------
    ax
    """
    ax = _axes(ax)
    x, y = _paired(x, y, "x and y")
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    if lims is None:
        lo = float(min(x.min(), y.min())) if x.size else 0.0
        hi = float(max(x.max(), y.max())) if x.size else 1.0
        pad = 0.03 * (hi - lo or 1.0)
        lims = (lo - pad, hi + pad)
    if kind == "hexbin" and x.size:
        ax.hexbin(x, y, gridsize=gridsize, bins="log", cmap=_density_cmap(color), mincnt=1,
                  extent=(*lims, *lims), linewidths=0, rasterized=True)
    elif kind in ("scatter", "hexbin"):
        ax.scatter(x, y, s=s, alpha=alpha, color=color, linewidths=0, rasterized=True)
    else:
        raise InputError(f'kind must be "scatter" or "hexbin", got {kind!r}')
    ax.plot(lims, lims, color="k", lw=0.7, ls="--", zorder=0)
    ax.set_xlim(lims)
    ax.set_ylim(lims)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if annotate_r:
        _note(ax, f"r = {_pearson(x, y):.3f}\nn = {x.size:,}", loc="upper left")
    return ax


def plot_af_scatter(real_freq, ag_freq, ax=None, *, color: str = "C0",
                    max_freq: float | None = None, s: float = 4, alpha: float = 0.4,
                    ylabel: str = "AG allele frequency"):
    """Allele frequency of each SNP, real against AG, with the diagonal.

    The note gives Pearson r over all SNPs and the number of SNPs
    polymorphic in real but fixed in the AGs (frequency 0 or 1).

    Parameters
    ----------
    real_freq, ag_freq : array_like, shape (n_snps,)
        ALT-allele frequencies.
    max_freq : float, optional
        Zoom on real frequencies below this (e.g. 0.2 for the rare end);
        both axes then run from 0 to ``max_freq``.

    Returns
    -------
    ax
    """
    ax = _axes(ax)
    real_freq, ag_freq = _paired(real_freq, ag_freq, "real and AG frequencies")
    poly = (real_freq > 0) & (real_freq < 1)
    fixed = int((poly & ((ag_freq == 0) | (ag_freq == 1))).sum())
    r = _pearson(real_freq, ag_freq)
    if max_freq is not None:
        keep = real_freq <= max_freq
        real_freq, ag_freq = real_freq[keep], ag_freq[keep]
        lims = (0.0, max_freq)
    else:
        lims = (-0.02, 1.02)
    ax.scatter(real_freq, ag_freq, s=s, alpha=alpha, color=color, linewidths=0, rasterized=True)
    ax.plot([0, 1], [0, 1], color="k", lw=0.7, ls="--", zorder=0)
    ax.set_xlim(lims)
    ax.set_ylim(lims)
    ax.set_xlabel("real allele frequency")
    ax.set_ylabel(ylabel)
    text = (f"r = {r:.3f}\nfixed in AG: {fixed}" if max_freq is None
            else f"{real_freq.size} SNPs with real\nfrequency $\\leq$ {max_freq:g}")
    _note(ax, text, loc="upper left")
    return ax


# --------------------------------------------------------------------------- selection


def _spread_peaks(pos: np.ndarray, values: np.ndarray, candidates: np.ndarray, n: int,
                  min_gap: float) -> np.ndarray:
    """Indices of up to ``n`` highest candidates at least ``min_gap`` apart."""
    chosen: list[int] = []
    for k in candidates[np.argsort(-values[candidates], kind="stable")]:
        if all(abs(pos[k] - pos[c]) >= min_gap for c in chosen):
            chosen.append(int(k))
        if len(chosen) == n:
            break
    return np.array(chosen, dtype=np.int64)


def plot_scan(pos, values, ax=None, *, color: str = "C0", quantile: float = 0.99,
              n_peaks: int = 3, s: float = 5, ylabel: str = "score", unit: str = "Mb"):
    """A selection scan along a chromosome: one point per SNP or window, a
    dotted line at the ``quantile`` quantile of the finite values, and the
    ``n_peaks`` highest peaks above it (kept 5% of the span apart) marked
    with an asterisk, as in Yelmen et al. 2021, Figure 3.

    Parameters
    ----------
    pos : array_like, shape (n,)
        Positions in bp (SNP, or window midpoint).
    values : array_like, shape (n,)
        Scores (NaN allowed, not drawn).

    Returns
    -------
    ax
    """
    ax = _axes(ax)
    pos, values = _paired(pos, values, "pos and values")
    scale = {"bp": 1.0, "kb": 1e3, "Mb": 1e6}[unit]
    ok = np.isfinite(values) & np.isfinite(pos)
    ax.scatter(pos[ok] / scale, values[ok], s=s, color=color, linewidths=0, alpha=0.7,
               rasterized=True)
    if ok.any():
        threshold = float(np.quantile(values[ok], quantile))
        ax.axhline(threshold, color="k", ls=":", lw=1)
        above = np.flatnonzero(ok & (values >= threshold))
        span = float(pos[ok].max() - pos[ok].min()) or 1.0
        peaks = _spread_peaks(pos, values, above, n_peaks, 0.05 * span)
        for k in peaks:
            ax.annotate("*", (pos[k] / scale, values[k]), xytext=(0, 1), textcoords="offset points",
                        ha="center", va="bottom", fontsize=15, fontweight="bold", zorder=4)
    ax.margins(y=0.12)  # room for the asterisks
    ax.set_xlabel(f"position ({unit})")
    ax.set_ylabel(ylabel)
    return ax


# --------------------------------------------------------------------------- imputation


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
    ax = _axes(ax)
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


# --------------------------------------------------------------------------- distances


def plot_distance_distributions(histograms: Mapping[str, pd.DataFrame], ax=None, *,
                                bin_width: int | None = None, xlabel: str = "Hamming distance",
                                ylabel: str = "proportion of pairs", styles=None,
                                labels=None):
    """Distributions of Hamming distances, one step line per set, each
    normalised to proportions.

    Parameters
    ----------
    histograms : dict of str -> DataFrame
        Per set, a histogram with columns ``distance`` and ``count`` (as in
        the ``distances.table.tsv`` files); the key picks the colour.
    bin_width : int, optional
        Distances are pooled into bins of this width (default: about 60
        bins over the range of all sets).
    styles : dict of str -> dict, optional
        Extra line properties per set (e.g. ``{"real": {"lw": 2.5}}``).
    labels : dict of str -> str, optional
        Legend text per set (default :func:`dataset_label`).

    Returns
    -------
    ax
    """
    ax = _axes(ax)
    if not histograms:
        raise InputError("no distance histogram to plot")
    for name, h in histograms.items():
        require_columns(h, ("distance", "count"), f"the distance histogram of {name!r}")
    top = max(int(h["distance"].max()) if len(h) else 0 for h in histograms.values())
    if bin_width is None:
        bin_width = max(1, int(np.ceil((top + 1) / 60)))
    n_bins = top // bin_width + 1
    edges = np.arange(n_bins + 1) * bin_width
    for name, h in histograms.items():
        counts = np.bincount(h["distance"].to_numpy(dtype=np.int64) // bin_width,
                             weights=h["count"].to_numpy(dtype=np.float64), minlength=n_bins)
        total = counts.sum()
        if total <= 0:
            continue
        kw = {"color": dataset_color(name), "lw": 1.5}
        kw.update((styles or {}).get(name, {}))
        ax.stairs(counts / total, edges, label=(labels or {}).get(name, dataset_label(name)), **kw)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel if bin_width == 1 else f"{ylabel} (bins of {bin_width})")
    ax.set_xlim(0, edges[-1])
    ax.set_ylim(bottom=0)
    ax.legend(fontsize="small", frameon=False)
    return ax


# --------------------------------------------------------------------------- haplotypes


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

    ax = _axes(ax)
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


# --------------------------------------------------------------------------- bars and lines


def plot_stacked_shares(shares: pd.DataFrame, ax=None, *, colors: Mapping[str, str] | None = None,
                        ylabel: str = "share", legend_title: str | None = None):
    """Stacked bars: one bar per row of ``shares`` (index: the bar's name),
    one segment per column (e.g. chromosome painting: the share of each
    donor population in each dataset).

    Returns
    -------
    ax
    """
    ax = _axes(ax)
    if not isinstance(shares, pd.DataFrame) or shares.empty:
        raise InputError("shares must be a non-empty DataFrame (rows: bars, columns: segments)")
    x = np.arange(len(shares))
    bottom = np.zeros(len(shares))
    palette = colors or {}
    for k, column in enumerate(shares.columns):
        values = shares[column].fillna(0).to_numpy(dtype=np.float64)
        ax.bar(x, values, bottom=bottom, width=0.7, label=str(column),
               color=palette.get(column, f"C{k % 10}"), edgecolor="white", linewidth=0.5)
        bottom += values
    ax.set_xticks(x, [dataset_label(i) for i in shares.index], rotation=30, ha="right")
    ax.set_ylabel(ylabel)
    ax.legend(title=legend_title, fontsize="small", frameon=False, loc="upper left",
              bbox_to_anchor=(1.0, 1.0))
    return ax


def plot_grouped_bars(values: pd.DataFrame, ax=None, *, errors: pd.DataFrame | None = None,
                      hatches: Mapping[str, str] | None = None,
                      labels: Mapping[str, str] | None = None, reference: float | None = None,
                      ylabel: str = "", annotate: bool = False, fmt: str = "{:.2f}"):
    """Grouped bars: one group per row of ``values`` (a model, coloured by
    :func:`dataset_color`), one bar per column (e.g. AATS on train and on
    test; columns told apart by hatching).

    Parameters
    ----------
    values : DataFrame
        Index: model names; columns: the quantities; NaN bars are left out.
    errors : DataFrame, optional
        Same shape: error bar half-lengths (e.g. SD over seeds).
    hatches, labels : dict, optional
        Per column: hatch pattern and legend text.
    reference : float, optional
        A horizontal line (the ideal value, e.g. 0.5 for AATS).
    annotate : bool
        Write each value above its bar.

    Returns
    -------
    ax
    """
    from matplotlib.patches import Patch

    ax = _axes(ax)
    if not isinstance(values, pd.DataFrame):
        raise InputError("values must be a DataFrame (rows: models, columns: quantities)")
    n_cols = max(len(values.columns), 1)
    width = 0.8 / n_cols
    x = np.arange(len(values))
    default_hatches = ("", "///", "...", "xx", "\\\\")
    for k, column in enumerate(values.columns):
        hatch = (hatches or {}).get(column, default_hatches[k % len(default_hatches)])
        y = values[column].to_numpy(dtype=np.float64)
        err = None if errors is None or column not in errors else \
            errors[column].to_numpy(dtype=np.float64)
        if err is not None and not (np.isfinite(err) & (err > 0)).any():
            err = None  # one seed: no spread to show
        offset = (k - (n_cols - 1) / 2) * width
        shown = np.isfinite(y)
        colours = [dataset_color(m) for m, keep in zip(values.index, shown) if keep]
        ax.bar((x + offset)[shown], y[shown], width=width * 0.92, color=colours, hatch=hatch,
               edgecolor="white" if not hatch else "black", linewidth=0.4,
               yerr=None if err is None else np.nan_to_num(err[shown]), capsize=2)
        if annotate:
            for xi, yi in zip(x + offset, y):
                if np.isfinite(yi):
                    ax.annotate(fmt.format(yi), (xi, yi), xytext=(0, 2), textcoords="offset points",
                                ha="center", va="bottom", fontsize="x-small")
    if reference is not None:
        ax.axhline(reference, color="k", lw=0.9, ls="--", zorder=0)
    ax.set_xticks(x, [dataset_label(m) for m in values.index], rotation=30, ha="right")
    ax.set_ylabel(ylabel)
    if n_cols > 1:
        handles = [Patch(facecolor="white", edgecolor="black",
                         hatch=(hatches or {}).get(c, default_hatches[k % len(default_hatches)]),
                         label=(labels or {}).get(c, str(c)))
                   for k, c in enumerate(values.columns)]
        ax.legend(handles=handles, fontsize="small", frameon=False)
    return ax


def plot_lines(table: pd.DataFrame, x: str, columns: Sequence[str], ax=None, *,
               colors: Mapping[str, str] | None = None, labels: Mapping[str, str] | None = None,
               logx: bool = False, reference: float | None = None, ylabel: str = "",
               xlabel: str | None = None):
    """One line with markers per column of ``table`` against column ``x``
    (e.g. privacy metrics against the number of planted copies).

    ``logx`` uses a symmetric-log x axis, linear between 0 and 1, so that a
    row with x = 0 can be shown.

    Returns
    -------
    ax
    """
    require_columns(table, [x, *columns], "the table")
    ax = _axes(ax)
    rows = table.sort_values(x)
    markers = "osD^v<>"
    for k, column in enumerate(columns):
        ax.plot(rows[x], rows[column], marker=markers[k % len(markers)], ms=4, lw=1.4,
                color=(colors or {}).get(column, f"C{k}"),
                label=(labels or {}).get(column, column))
    if logx:
        ax.set_xscale("symlog", linthresh=1)
        ax.set_xlim(left=0)
    if reference is not None:
        ax.axhline(reference, color="k", lw=0.8, ls="--", zorder=0)
    ax.set_xlabel(xlabel or x)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize="small", frameon=False)
    return ax


def plot_sfs(sfs: pd.DataFrame, ax=None, *, datasets: Sequence[str] | None = None):
    """Site frequency spectrum as proportions of polymorphic SNPs per
    frequency bin, grouped bars per dataset (from
    :func:`artgen.stats.frequencies.sfs_proportions` tables with a
    ``dataset`` column).

    Returns
    -------
    ax
    """
    require_columns(sfs, ("dataset", "freq_left", "freq_right", "proportion"), "the SFS table")
    ax = _axes(ax)
    names = order_datasets(sfs["dataset"].astype(str)) if datasets is None else list(datasets)
    n = max(len(names), 1)
    for k, name in enumerate(names):
        rows = sfs[sfs["dataset"].astype(str) == name].sort_values("freq_left")
        width = (rows["freq_right"] - rows["freq_left"]).to_numpy(dtype=np.float64)
        left = rows["freq_left"].to_numpy(dtype=np.float64)
        ax.bar(left + width * (0.1 + 0.8 * k / n), rows["proportion"], width=0.8 * width / n,
               align="edge", color=dataset_color(name), label=dataset_label(name))
    ax.set_xlabel("allele frequency bin")
    ax.set_ylabel("proportion of polymorphic SNPs")
    ax.legend(fontsize="small", frameon=False)
    return ax


# --------------------------------------------------------------------------- training


def plot_training_curves(histories: Mapping[str, pd.DataFrame], ax=None, *, column: str = "aa_ts",
                         ylabel: str | None = None, reference: float | None = 0.5,
                         mark_kept: bool = True, logx: bool = False):
    """A snapshot metric (``aa_ts`` by default) over epochs, one line per
    model, from training-history tables; the kept snapshot (smallest
    ``snapshot_score``) of each is circled.

    Returns
    -------
    ax
    """
    ax = _axes(ax)
    for name, history in histories.items():
        require_columns(history, ("epoch", column), f"the training history of {name!r}")
        snaps = history.dropna(subset=[column])
        if snaps.empty:
            continue
        color = dataset_color(name)
        ax.plot(snaps["epoch"], snaps[column], marker=".", lw=1.3, color=color,
                label=dataset_label(name))
        if mark_kept and "snapshot_score" in snaps and snaps["snapshot_score"].notna().any():
            best = snaps.loc[snaps["kept"].idxmax() if "kept" in snaps
                         else snaps["snapshot_score"].idxmin()]
            ax.scatter([best["epoch"]], [best[column]], s=60, facecolors="none",
                       edgecolors=color, linewidths=1.5, zorder=4)
    if reference is not None:
        ax.axhline(reference, color="k", lw=0.8, ls="--", zorder=0)
    if logx:
        ax.set_xscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel or column)
    ax.legend(fontsize="small", frameon=False)
    return ax


def plot_training_history(history: pd.DataFrame, path, title: str = "") -> None:
    """Loss curves (left) and the snapshots' adversarial accuracies and fixed
    sites (middle) of one training run, from the table that
    :class:`artgen.models.training.IterativeGenerator` writes; with snapshots
    scored on a validation set, their LD r against the training and the
    validation set and the privacy loss and attack AUC (right), where
    overfitting shows as the curves part. The kept snapshot (column
    ``kept``; in older tables the smallest ``snapshot_score``) is marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if "validation_loglik" in history:  # the hidden-Markov generator's EM
        _plot_likelihood_history(history, path, title)
        return
    if "epoch" not in history or history.empty:
        raise InputError("training history has no epochs")
    losses = [c for c in history.columns if c not in ("epoch", "seconds", *SNAPSHOT_COLUMNS)]
    snaps = history.dropna(subset=["aa_ts"]) if "aa_ts" in history else history.iloc[:0]
    held_out = "privacy_loss" in snaps and snaps["privacy_loss"].notna().any()
    # One panel per loss: their scales differ by orders of magnitude.
    fig = plt.figure(figsize=(16 if held_out else 11, 4), layout="constrained")
    left, right, *last = fig.subfigures(1, 3 if held_out else 2)
    loss_axes = np.atleast_1d(left.subplots(max(len(losses), 1), 1, sharex=True))
    for i, (ax, column) in enumerate(zip(loss_axes, losses)):
        ax.plot(history["epoch"], history[column], lw=0.8, color=f"C{i}")
        ax.set_ylabel(column.replace("_", " "), fontsize=8)
    loss_axes[0].set_title("losses")
    loss_axes[-1].set_xlabel("epoch")
    ax_aa = right.subplots()
    if not snaps.empty:
        for column, colour in (("aa_truth", "C0"), ("aa_syn", "C1"), ("aa_ts", "k")):
            ax_aa.plot(snaps["epoch"], snaps[column], marker=".", color=colour, label=column)
        ax_aa.axhline(0.5, color="grey", ls=":", lw=1)
        best = snaps.loc[snaps["kept"].idxmax() if "kept" in snaps
                         else snaps["snapshot_score"].idxmin()]
        kept = f"kept: epoch {int(best['epoch'])}"
        if pd.notna(best.get("temperature")):
            kept += f", temperature {best['temperature']:.2f}"
        ax_aa.axvline(best["epoch"], color="C3", lw=1, label=kept)
        ax_aa.set(xlabel="epoch", ylabel="adversarial accuracy vs train", ylim=(-0.02, 1.02),
                  title="snapshots")
        ax_fixed = ax_aa.twinx()
        ax_fixed.plot(snaps["epoch"], snaps["fixed_sites"], color="C2", ls="--", lw=1)
        ax_fixed.set_ylabel("fixed sites (dashed)", color="C2")
        ax_fixed.set_ylim(bottom=0, top=max(1, snaps["fixed_sites"].max() * 1.05))
        ax_aa.legend(frameon=False, loc="best")
        if held_out:
            _plot_held_out_snapshots(last[0], snaps, best["epoch"])
    if title:
        fig.suptitle(title)
    with atomic_output(path) as tmp:
        fig.savefig(tmp, format=str(path).rsplit(".", 1)[-1], dpi=120)
    plt.close(fig)


def _plot_held_out_snapshots(subfig, snaps: pd.DataFrame, kept_epoch) -> None:
    """LD r against the training and the validation set (top) and privacy
    loss and distance-attack AUC on the validation set (bottom), per snapshot."""
    ax_ld, ax_privacy = subfig.subplots(2, 1, sharex=True)
    ax_ld.plot(snaps["epoch"], snaps["ld_r"], marker=".", color="C0", label="vs train")
    ax_ld.plot(snaps["epoch"], snaps["val_ld_r"], marker=".", color="C1", label="vs validation")
    ax_ld.set(ylabel="LD r", title="held-out scores")
    ax_ld.legend(frameon=False, loc="best", fontsize=8)
    ax_privacy.plot(snaps["epoch"], snaps["privacy_loss"], marker=".", color="C3",
                    label="privacy loss")
    ax_privacy.plot(snaps["epoch"], snaps["attack_auc"] - 0.5, marker=".", color="C4",
                    label="attack AUC - 0.5")
    ax_privacy.axhline(0, color="grey", ls=":", lw=1)
    ax_privacy.set(xlabel="epoch", ylabel="on validation")
    ax_privacy.legend(frameon=False, loc="best", fontsize=8)
    for ax in (ax_ld, ax_privacy):
        ax.axvline(kept_epoch, color="C3", lw=1)


def _plot_likelihood_history(history: pd.DataFrame, path, title: str = "") -> None:
    """Mean log-likelihood per haplotype of the fitting and the validation
    haplotypes at every EM iteration, one colour per number of clusters K;
    the kept (K, iteration) marked (:class:`artgen.models.hmm.HMMGenerator`)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if history.empty:
        raise InputError("training history has no iterations")
    fig, axes = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
    for i, (k, rows) in enumerate(history.groupby("k", sort=True)):
        for ax, column in zip(axes, ("train_loglik", "validation_loglik")):
            ax.plot(rows["iteration"], rows[column], marker=".", color=f"C{i}", label=f"K = {k}")
    kept = history[history["kept"] == 1]
    for ax, column, name in zip(axes, ("train_loglik", "validation_loglik"),
                                ("fitting haplotypes", "validation haplotypes")):
        if not kept.empty:
            ax.plot(kept["iteration"], kept[column], "o", mfc="none", ms=12, color="C3",
                    label=f"kept: K = {int(kept['k'].iloc[0])}, "
                          f"iteration {int(kept['iteration'].iloc[0])}")
        # The first iterations are far below the rest: show the converged range.
        values = history[column].to_numpy()
        low, high = np.quantile(values, 0.1), values.max()
        ax.set_ylim(low - 0.05 * (high - low + 1e-9), high + 0.05 * (high - low + 1e-9))
        ax.set(xlabel="EM iteration", ylabel="mean log-likelihood per haplotype", title=name)
    axes[1].legend(frameon=False, loc="lower right")
    if title:
        fig.suptitle(title)
    with atomic_output(path) as tmp:
        fig.savefig(tmp, format=str(path).rsplit(".", 1)[-1], dpi=120)
    plt.close(fig)


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
    ax = _axes(ax)
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
