"""Selection scans along a chromosome."""

from __future__ import annotations

import numpy as np

from artgen.plots.style import axes_or_new, paired


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
    ax = axes_or_new(ax)
    pos, values = paired(pos, values, "pos and values")
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
