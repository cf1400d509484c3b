"""Figures of training runs."""

from __future__ import annotations

import pandas as pd

from artgen.errors import InputError
from artgen.io.atomic import atomic_output
from artgen.models.training import SNAPSHOT_COLUMNS


def plot_training_history(history: pd.DataFrame, path, title: str = "") -> None:
    """Loss curves (left) and the snapshots' adversarial accuracies and fixed
    sites (right) of one training run, from the table that
    :class:`artgen.models.training.IterativeGenerator` writes. The kept
    snapshot (smallest ``snapshot_score``) is marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if "epoch" not in history or history.empty:
        raise InputError("training history has no epochs")
    losses = [c for c in history.columns if c not in ("epoch", "seconds", *SNAPSHOT_COLUMNS)]
    snaps = history.dropna(subset=["aa_ts"]) if "aa_ts" in history else history.iloc[:0]
    fig, (ax_loss, ax_aa) = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
    for column in losses:
        ax_loss.plot(history["epoch"], history[column], lw=0.8, label=column)
    ax_loss.set(xlabel="epoch", ylabel="loss", title="losses")
    ax_loss.legend(frameon=False)
    if not snaps.empty:
        for column, colour in (("aa_truth", "C0"), ("aa_syn", "C1"), ("aa_ts", "k")):
            ax_aa.plot(snaps["epoch"], snaps[column], marker=".", color=colour, label=column)
        ax_aa.axhline(0.5, color="grey", ls=":", lw=1)
        best = snaps.loc[snaps["snapshot_score"].idxmin()]
        ax_aa.axvline(best["epoch"], color="C3", lw=1, label=f"kept: epoch {int(best['epoch'])}")
        ax_aa.set(xlabel="epoch", ylabel="adversarial accuracy vs train", ylim=(-0.02, 1.02),
                  title="snapshots")
        ax_fixed = ax_aa.twinx()
        ax_fixed.plot(snaps["epoch"], snaps["fixed_sites"], color="C2", ls="--", lw=1)
        ax_fixed.set_ylabel("fixed sites (dashed)", color="C2")
        ax_aa.legend(frameon=False, loc="best")
    if title:
        fig.suptitle(title)
    with atomic_output(path) as tmp:
        fig.savefig(tmp, format=str(path).rsplit(".", 1)[-1], dpi=120)
    plt.close(fig)
