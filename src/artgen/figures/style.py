"""What every figure shares: font sizes, the figure and its title, grids of
axes, and the checks and selections of the data a builder is given."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from artgen.checks import check_alleles
from artgen.errors import InputError
from artgen.haplotypes import Haplotypes
from artgen.plots import order_datasets, require_columns

RC = {
    "font.size": 9,
    "axes.titlesize": 9.5,
    "axes.labelsize": 9,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "figure.titlesize": 11.5,
    "axes.grid": False,
}

#: Columns of the metrics table (results/metrics.tsv) the figures read.
METRIC_TABLE_COLUMNS = ("panel", "model", "seed", "metric", "value")


def styled(builder: Callable[..., Figure]) -> Callable[..., Figure]:
    """Run a builder under the figures' font sizes."""
    @functools.wraps(builder)
    def wrapper(*args, **kwargs):
        with matplotlib.rc_context(RC):
            return builder(*args, **kwargs)
    return wrapper


def new_figure(width: float, height: float) -> Figure:
    return Figure(figsize=(width, height), layout="constrained")


def figure_title(fig: Figure, text: str, panel: str | None) -> None:
    fig.suptitle(f"{text} \N{EN DASH} {panel} panel" if panel else text, fontweight="bold")


def axes_grid(fig: Figure, n: int, ncols: int, **kw) -> list:
    """``n`` axes on a grid of ``ncols`` columns; the unused cells are hidden."""
    ncols = max(1, min(ncols, n))
    nrows = -(-n // ncols)
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False, **kw)).ravel()
    for ax in axes[n:]:
        ax.set_visible(False)
    return list(axes[:n])


def alleles_of(x, what: str) -> np.ndarray:
    if isinstance(x, Haplotypes):
        return x.alleles
    return check_alleles(x, what)


def ag_sets(ags, models, what: str = "ags", exclude: Sequence[str] = ()) -> dict[str, np.ndarray]:
    """The AG matrices to show, in order: ``models`` that are in ``ags``
    (the others are skipped), or every set of ``ags`` when ``models`` is None."""
    if not isinstance(ags, Mapping) or not ags:
        raise InputError(f"{what} must be a non-empty dict of model name -> haplotypes")
    if models is None:
        names = [n for n in order_datasets(ags) if n not in exclude]
    else:
        if isinstance(models, str):
            models = [models]
        names = [m for m in models if m in ags]
        if not names:
            raise InputError(f"none of the models {list(models)} is among the AG sets given "
                             f"({', '.join(map(str, ags))})")
    if not names:
        raise InputError(f"{what} holds no AG set to show")
    return {n: alleles_of(ags[n], f"{what}[{n!r}]") for n in names}


def models_in(table: pd.DataFrame, models, column: str = "model",
              exclude: Sequence[str] = ()) -> list[str]:
    present = order_datasets(table[column].astype(str))
    if models is None:
        names = [m for m in present if m not in exclude]
    else:
        names = [m for m in ([models] if isinstance(models, str) else models) if m in present]
    if not names:
        raise InputError(f"no {column} to show: the table has {', '.join(present) or 'none'}")
    return names


def subsample(x: np.ndarray, n: int | None, rng: np.random.Generator) -> np.ndarray:
    if n is None or len(x) <= n:
        return x
    return x[np.sort(rng.choice(len(x), n, replace=False))]


def main_chromosome(chrom: np.ndarray) -> np.ndarray:
    """Mask of the SNPs on the chromosome with the most SNPs."""
    names, counts = np.unique(chrom, return_counts=True)
    return chrom == names[np.argmax(counts)]


def metric_means(metrics: pd.DataFrame) -> pd.DataFrame:
    """Mean and SD over seeds and AG draws of each (panel, model, metric)."""
    require_columns(metrics, METRIC_TABLE_COLUMNS, "the metrics table")
    table = metrics.astype({"panel": str, "model": str, "metric": str})
    table = table.assign(value=pd.to_numeric(table["value"], errors="coerce"))
    return (table.groupby(["panel", "model", "metric"], sort=False)["value"]
            .agg(["mean", "std"]).reset_index())


def wide(means: pd.DataFrame, panel: str, models: list[str], metrics: Sequence[str],
         stat: str = "mean") -> pd.DataFrame:
    rows = means[(means["panel"] == panel) & means["metric"].isin(metrics)]
    wide = rows.pivot(index="model", columns="metric", values=stat)
    return wide.reindex(index=models, columns=list(metrics))


def panels_in(means: pd.DataFrame, panels) -> list[str]:
    present = list(dict.fromkeys(means["panel"]))
    known = [p for p in ("informative", "dense", "dispersed") if p in present]
    present = known + [p for p in present if p not in known]
    if panels is None:
        return present
    chosen = [p for p in ([panels] if isinstance(panels, str) else panels) if p in present]
    if not chosen:
        raise InputError(f"none of the panels {list(panels)} is in the metrics table "
                         f"({', '.join(present)})")
    return chosen


def empty_note(ax, text: str) -> None:
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center",
            fontsize="small", color="#777777")
    ax.set_xticks([])
    ax.set_yticks([])


def real_and_ags(table: pd.DataFrame, names: Sequence[str]) -> pd.DataFrame:
    """One curve per dataset from per-model side tables of the statistics
    (``dataset`` ``real`` or ``ag`` in each model's rows): the real rows of
    the first of ``names`` (the real set is the same in every model's table),
    then each model's AG rows, their ``dataset`` set to the model."""
    real = table[(table["model"] == names[0]) & (table["dataset"] == "real")]
    ags = [table[(table["model"] == name) & (table["dataset"] == "ag")].assign(dataset=name)
           for name in names]
    return pd.concat([real, *ags], ignore_index=True)
