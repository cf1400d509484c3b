"""Training runs: a snapshot metric over epochs per model, and the whole
history of one run."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from artgen.errors import InputError
from artgen.history import SNAPSHOT_COLUMNS
from artgen.plots.style import axes_or_new, dataset_color, dataset_label, require_columns


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
    ax = axes_or_new(ax)
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


def plot_training_history(history: pd.DataFrame, title: str = ""):
    """Loss curves (left) and the snapshots' adversarial accuracies and fixed
    sites (middle) of one training run, from the table that
    :class:`artgen.models.training.IterativeGenerator` writes; with snapshots
    scored on a validation set, their LD r against the training and the
    validation set and the privacy loss and attack AUC (right), where
    overfitting shows as the curves part. The kept snapshot (column
    ``kept``; in older tables the smallest ``snapshot_score``) is marked.

    Returns
    -------
    matplotlib.figure.Figure
        Made without pyplot (no global state, no display); save it with
        :func:`artgen.figures.save_figure`.
    """
    from matplotlib.figure import Figure

    if "validation_loglik" in history:  # the hidden-Markov generator's EM
        return _plot_likelihood_history(history, title)
    if "epoch" not in history or history.empty:
        raise InputError("training history has no epochs")
    losses = [c for c in history.columns if c not in ("epoch", "seconds", *SNAPSHOT_COLUMNS)]
    snaps = history.dropna(subset=["aa_ts"]) if "aa_ts" in history else history.iloc[:0]
    held_out = "privacy_loss" in snaps and snaps["privacy_loss"].notna().any()
    # One panel per loss: their scales differ by orders of magnitude.
    fig = Figure(figsize=(16 if held_out else 11, 4), layout="constrained")
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
    return fig


def _plot_held_out_snapshots(subfig, snaps: pd.DataFrame, kept_epoch) -> None:
    """LD r against the training and the validation set (top) and privacy
    loss (against the start set too, where the chains start at real
    haplotypes) and distance-attack AUC on the validation set (bottom), per
    snapshot."""
    ax_ld, ax_privacy = subfig.subplots(2, 1, sharex=True)
    ax_ld.plot(snaps["epoch"], snaps["ld_r"], marker=".", color="C0", label="vs train")
    ax_ld.plot(snaps["epoch"], snaps["val_ld_r"], marker=".", color="C1", label="vs validation")
    ax_ld.set(ylabel="LD r", title="held-out scores")
    ax_ld.legend(frameon=False, loc="best", fontsize=8)
    ax_privacy.plot(snaps["epoch"], snaps["privacy_loss"], marker=".", color="C3",
                    label="privacy loss")
    if "privacy_loss_start" in snaps and snaps["privacy_loss_start"].notna().any():
        ax_privacy.plot(snaps["epoch"], snaps["privacy_loss_start"], marker=".", color="C5",
                        label="privacy loss (start set)")
        ax_privacy.plot(snaps["epoch"], snaps["attack_auc_start"] - 0.5, marker=".",
                        color="C6", label="attack AUC - 0.5 (start set)")
    # The attack's null: what new real haplotypes read on this split (0.5 without them).
    null = snaps["attack_auc_null"].fillna(0.5) if "attack_auc_null" in snaps else 0.5
    ax_privacy.plot(snaps["epoch"], snaps["attack_auc"] - null, marker=".", color="C4",
                    label="attack AUC - null")
    ax_privacy.axhline(0, color="grey", ls=":", lw=1)
    ax_privacy.set(xlabel="epoch", ylabel="on validation")
    ax_privacy.legend(frameon=False, loc="best", fontsize=8)
    for ax in (ax_ld, ax_privacy):
        ax.axvline(kept_epoch, color="C3", lw=1)


def _plot_likelihood_history(history: pd.DataFrame, title: str = ""):
    """Mean log-likelihood per haplotype of the fitting and the validation
    haplotypes at every EM iteration, one colour per number of clusters K;
    the kept (K, iteration) marked (:class:`artgen.models.hmm.HMMGenerator`)."""
    from matplotlib.figure import Figure

    if history.empty:
        raise InputError("training history has no iterations")
    fig = Figure(figsize=(11, 4), layout="constrained")
    axes = fig.subplots(1, 2)
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
    return fig
