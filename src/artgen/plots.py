"""Figures of training runs."""

from __future__ import annotations

import numpy as np
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
    # One panel per loss: their scales differ by orders of magnitude.
    fig = plt.figure(figsize=(11, 4), layout="constrained")
    left, right = fig.subfigures(1, 2)
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
        best = snaps.loc[snaps["snapshot_score"].idxmin()]
        ax_aa.axvline(best["epoch"], color="C3", lw=1, label=f"kept: epoch {int(best['epoch'])}")
        ax_aa.set(xlabel="epoch", ylabel="adversarial accuracy vs train", ylim=(-0.02, 1.02),
                  title="snapshots")
        ax_fixed = ax_aa.twinx()
        ax_fixed.plot(snaps["epoch"], snaps["fixed_sites"], color="C2", ls="--", lw=1)
        ax_fixed.set_ylabel("fixed sites (dashed)", color="C2")
        ax_fixed.set_ylim(bottom=0, top=max(1, snaps["fixed_sites"].max() * 1.05))
        ax_aa.legend(frameon=False, loc="best")
    if title:
        fig.suptitle(title)
    with atomic_output(path) as tmp:
        fig.savefig(tmp, format=str(path).rsplit(".", 1)[-1], dpi=120)
    plt.close(fig)
