"""Training of the networks: adversarial accuracy of the snapshots over epochs."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from matplotlib.figure import Figure

from artgen.errors import InputError
from artgen.figures.registry import Input, figure
from artgen.figures.style import models_in, new_figure
from artgen.plots import plot_training_curves, require_columns


@figure(category="6. Training",
        inputs={"histories": Input("tables", "training", ("epoch", "aa_ts"), names="stem")})
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
    fig = new_figure(3.9 * ncols + 0.4, 2.5 * len(rows_spec) + 0.6)
    axes = fig.subplots(len(rows_spec), ncols, squeeze=False, sharex="col")
    legend: dict = {}
    for c, panel in enumerate(chosen):
        at_panel = histories[histories["panel"] == panel]
        names = models_in(at_panel, models)
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
