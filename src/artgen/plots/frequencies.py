"""Real against artificial, item by item (allele frequencies, r^2 of SNP
pairs, 3-point correlations), and the site frequency spectrum."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from artgen.errors import InputError
from artgen.plots.style import (axes_or_new, corner_note, dataset_color, dataset_label,
                                density_cmap, finite_pearson, order_datasets, paired,
                                require_columns)


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
    ax = axes_or_new(ax)
    x, y = paired(x, y, "x and y")
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    if lims is None:
        lo = float(min(x.min(), y.min())) if x.size else 0.0
        hi = float(max(x.max(), y.max())) if x.size else 1.0
        pad = 0.03 * (hi - lo or 1.0)
        lims = (lo - pad, hi + pad)
    if kind == "hexbin" and x.size:
        ax.hexbin(x, y, gridsize=gridsize, bins="log", cmap=density_cmap(color), mincnt=1,
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
        corner_note(ax, f"r = {finite_pearson(x, y):.3f}\nn = {x.size:,}", loc="upper left")
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
    ax = axes_or_new(ax)
    real_freq, ag_freq = paired(real_freq, ag_freq, "real and AG frequencies")
    poly = (real_freq > 0) & (real_freq < 1)
    fixed = int((poly & ((ag_freq == 0) | (ag_freq == 1))).sum())
    r = finite_pearson(real_freq, ag_freq)
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
    corner_note(ax, text, loc="upper left")
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
    ax = axes_or_new(ax)
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
