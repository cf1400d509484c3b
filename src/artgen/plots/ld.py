"""Linkage disequilibrium: r^2 heatmaps, LD decay, LD across window seams."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from artgen.errors import InputError
from artgen.plots.style import (axes_or_new, dataset_color, dataset_label, order_datasets,
                                require_columns)


#: (no r^2) are shown in _MISSING.
_LD_COLORS = ("#ffffff", "#fdd0a2", "#fd8d3c", "#d94801", "#7f2704", "#000000")
_MISSING = "#dcdcdc"


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

    ax = axes_or_new(ax)
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
    ax = axes_or_new(ax)
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
    ax = axes_or_new(ax)
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
