"""Privacy of the AGs: distances between haplotypes (within and between
sets, to the nearest AG), AATS, privacy loss and membership attacks, and
their sensitivity to planted training copies."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from artgen.errors import InputError
from artgen.figures.registry import METRICS, Input, figure
from artgen.figures.style import (axes_grid, empty_note, figure_title, metric_means, models_in,
                                  new_figure, panels_in, wide)
from artgen.plots import (dataset_color, dataset_label, plot_distance_distributions,
                          plot_grouped_bars, plot_lines, require_columns)

#: The pairwise-distance histograms of each model's AGs (the distances statistics).
DISTANCES = Input("tables", "stats/distances", ("pairs", "distance", "count"))


def _distance_table(distances: pd.DataFrame, models) -> tuple[pd.DataFrame, list[str]]:
    require_columns(distances, ("model", "pairs", "distance", "count"), "the distances table")
    distances = distances.astype({"model": str, "pairs": str})
    return distances, models_in(distances, models)


@figure(category="2. Structure", panel="structure", models="panel",
        inputs={"distances": DISTANCES})
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
    fig = new_figure(11, 4.2)
    ax_w, ax_b = fig.subplots(1, 2, sharex=True)
    bold = {"real": {"lw": 2.4}}
    plot_distance_distributions(within, ax_w, styles=bold)
    plot_distance_distributions(between, ax_b, styles={"real": {"lw": 1.5, "ls": "--"}},
                                labels={"real": "within real (reference)",
                                        **{n: f"real vs {dataset_label(n)}" for n in between}})
    ax_w.set_title("a) within each set", fontsize="medium")
    ax_b.set_title("b) between real and artificial haplotypes", fontsize="medium")
    figure_title(fig, "Pairwise haplotype distances", panel)
    return fig


@figure(category="4. Privacy", panel="structure", models="panel",
        inputs={"distances": DISTANCES})
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
    fig = new_figure(11, 4.2)
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
    figure_title(fig, "Distance from each real haplotype to its nearest artificial one", panel)
    return fig


@figure(category="4. Privacy", inputs={"metrics": METRICS})
def figS_privacy(metrics: pd.DataFrame, *, panels: Sequence[str] | None = None,
                 models: Sequence[str] | None = None) -> Figure:
    """AATS and privacy per model (Yelmen et al. 2021, Supplementary Figure
    13), one row per panel: (a) AATS against the training set and against
    the held-out test set (0.5 ideal; below: overfit, above: underfit), (b)
    privacy loss (test AATS minus train AATS; > 0 leaks), (c) membership
    attack AUC (0.5: the attack cannot tell training members). Bars are
    means over seeds and AG draws, with the SD when there are several.
    """
    means = metric_means(metrics)
    wanted = ("aats_train", "aats_test", "privacy_loss", "mia_auc", "mia_density_auc")
    means = means[means["metric"].isin(wanted)]
    if means.empty:
        raise InputError("the metrics table has no AATS, privacy-loss or attack rows "
                         f"({', '.join(wanted)})")
    chosen = panels_in(means, panels)
    fig = new_figure(12.5, 3.3 * len(chosen) + 0.6)
    axes = fig.subplots(len(chosen), 3, squeeze=False)
    for r, panel in enumerate(chosen):
        rows = means[means["panel"] == panel]
        names = models_in(rows, models)
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
            values = wide(rows, panel, names, columns)
            errors = wide(rows, panel, names, columns, "std")
            values = values.dropna(axis=1, how="all")
            if values.empty:
                empty_note(ax, "not computed")
            else:
                plot_grouped_bars(values, ax, errors=errors[values.columns], labels=labels,
                                  reference=ref, ylabel=ylabel)
                if c != 1:
                    ax.set_ylim(0, 1.05)
            ax.set_title(f"{title} ({panel})", fontsize="medium")
    fig.suptitle("Privacy: nearest-neighbour adversarial accuracy, privacy loss, "
                 "membership attacks", fontweight="bold")
    return fig


@figure(category="4. Privacy", panel="sensitivity",
        inputs={"sensitivity": Input("table", "privacy/sensitivity", ("planted", "privacy_loss"),
                                     panel=True)})
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
    fig = new_figure(12.5, 7.0)
    axes = axes_grid(fig, 6, 3)
    axes[-1].set_visible(False)
    for ax, (title, columns, ref, ylabel) in zip(axes, specs):
        present = [c for c in columns if c in sensitivity]
        if not present:
            empty_note(ax, "not computed")
        else:
            plot_lines(sensitivity, "planted", present, ax, colors=colours, labels=labels,
                       logx=True, reference=ref, ylabel=ylabel,
                       xlabel="training haplotypes planted in the AGs")
        ax.set_title(title, fontsize="medium")
    figure_title(fig, "Sensitivity of the privacy scores to planted training copies", panel)
    return fig
