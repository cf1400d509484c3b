"""Distributions of haplotype distances (within, between sets; to the
nearest AG)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from artgen.errors import InputError
from artgen.plots.style import axes_or_new, dataset_color, dataset_label, require_columns


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
    ax = axes_or_new(ax)
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
