"""Bars and lines of a few values per model or setting: stacked shares,
grouped bars with error bars, lines over one variable."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from artgen.errors import InputError
from artgen.plots.style import axes_or_new, dataset_color, dataset_label, require_columns


def plot_stacked_shares(shares: pd.DataFrame, ax=None, *, colors: Mapping[str, str] | None = None,
                        ylabel: str = "share", legend_title: str | None = None):
    """Stacked bars: one bar per row of ``shares`` (index: the bar's name),
    one segment per column (e.g. chromosome painting: the share of each
    donor population in each dataset).

    Returns
    -------
    ax
    """
    ax = axes_or_new(ax)
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

    ax = axes_or_new(ax)
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
    ax = axes_or_new(ax)
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
