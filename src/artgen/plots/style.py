"""Colours, labels and order of datasets, shared by every plot and figure,
and the small helpers of the ``plot_*`` functions.

Colours are fixed per dataset so that a model looks the same in every
figure (:func:`dataset_color`): real data dark grey, the held-out test split
light grey, Bernoulli green, Markov purple, GAN blue and RBM red (the
paper's colours), the other known models their own colour, and any other
name a colour picked from a palette by a hash of the name (the same name
always gets the same colour, in every process).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np
import pandas as pd

from artgen.checks import pearson
from artgen.errors import InputError

#: Fixed colour of each known dataset (real data, the test split, models,
#: imputation reference panels).
DATASET_COLORS = {
    "real": "#3b3b3b",
    "train": "#3b3b3b",
    "test": "#a3a3a3",
    "bernoulli": "#2ca02c",
    "bernoulli_pop": "#98df8a",
    "markov": "#9467bd",
    "gan": "#1f77b4",
    "rbm": "#d62728",
    "rbm_train": "#ff7f0e",
    "rbm_random": "#e377c2",
    "rbm_kstep": "#8c1c13",
    "copying": "#17becf",
    "coalescent": "#8c564b",
    # imputation reference panels (Figure 4)
    "alone": "#b8b8b8",
    "perfect": "#3b3b3b",
}

#: Names shown in legends and titles.
DATASET_LABELS = {
    "real": "real (train)",
    "train": "real (train)",
    "test": "test (held-out real)",
    "bernoulli": "Bernoulli",
    "bernoulli_pop": "Bernoulli per population",
    "markov": "Markov chain",
    "gan": "GAN",
    "rbm": "RBM",
    "rbm_train": "RBM, chains from train",
    "rbm_random": "RBM, random chains",
    "rbm_kstep": "RBM (k-step chains)",
    "copying": "copying model",
    "coalescent": "coalescent",
    "alone": "other populations only",
    "perfect": "+ real target haplotypes",
}

#: Order in which datasets are drawn and listed when no order is given:
#: real, the ceiling, the floors, the other baselines, the networks.
DATASET_ORDER = ("real", "train", "test", "bernoulli", "bernoulli_pop", "markov", "copying",
                 "coalescent", "gan", "rbm", "rbm_train", "rbm_random", "rbm_kstep")

#: Colours for names not in :data:`DATASET_COLORS`, picked by a hash of the name.
_EXTRA_COLORS = ("#bcbd22", "#7f3c8d", "#11a579", "#3969ac", "#f2b701", "#e73f74",
                 "#80ba5a", "#e68310", "#008695", "#cf1c90", "#4b4b8f", "#a5aa99")

#: Colours of r^2 heatmaps, from 0 (white) to 1 (black); monomorphic SNPs


def dataset_color(name: str) -> str:
    """The colour of a dataset or model, the same in every figure.

    >>> dataset_color("gan"), dataset_color("GAN")
    ('#1f77b4', '#1f77b4')
    >>> dataset_color("my_model") == dataset_color("my_model")
    True
    """
    key = str(name).lower()
    if key in DATASET_COLORS:
        return DATASET_COLORS[key]
    return _EXTRA_COLORS[zlib.crc32(key.encode()) % len(_EXTRA_COLORS)]


def dataset_label(name: str) -> str:
    """The display name of a dataset or model (``"gan"`` -> ``"GAN"``);
    unknown names are shown as they are."""
    return DATASET_LABELS.get(str(name).lower(), str(name))


def order_datasets(names) -> list[str]:
    """``names`` without repeats, the known ones in :data:`DATASET_ORDER`,
    then the others in the order given.

    >>> order_datasets(["rbm", "mine", "test", "gan"])
    ['test', 'gan', 'rbm', 'mine']
    """
    names = list(dict.fromkeys(str(n) for n in names))
    known = [n for n in DATASET_ORDER if n in names]
    return known + [n for n in names if n not in DATASET_ORDER]


def require_columns(table: pd.DataFrame, columns, what: str = "table") -> pd.DataFrame:
    """``table`` if it is a DataFrame with every column of ``columns``,
    else an InputError naming ``what`` and the missing columns."""
    if not isinstance(table, pd.DataFrame):
        raise InputError(f"{what} must be a pandas DataFrame, got {type(table).__name__}")
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise InputError(f"{what} lacks column(s) {', '.join(missing)} "
                         f"(it has: {', '.join(map(str, table.columns)) or 'none'})")
    return table


def group_colors(groups: Sequence[str]) -> dict[str, str]:
    """One colour per group (e.g. population), in the order given: the
    ``tab10`` colours for up to 10 groups, else ``tab20`` (cycled beyond 20).
    Figures that show the same groups in several panels build this once.

    >>> group_colors(["YRI", "CEU"])
    {'YRI': '#1f77b4', 'CEU': '#ff7f0e'}
    """
    import matplotlib
    from matplotlib.colors import to_hex

    names = list(dict.fromkeys(str(g) for g in groups))
    palette = matplotlib.colormaps["tab10" if len(names) <= 10 else "tab20"].colors
    return {g: to_hex(palette[i % len(palette)]) for i, g in enumerate(names)}


def axes_or_new(ax):
    """``ax``, or a new pyplot axes when it is None."""
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots()
    return ax


def paired(a, b, names: str) -> tuple[np.ndarray, np.ndarray]:
    """``a`` and ``b`` as float64 arrays of one shape, or an InputError naming them."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise InputError(f"{names} differ in shape: {a.shape} vs {b.shape}")
    return a, b


def corner_note(ax, text: str, loc: str = "upper left", **kw) -> None:
    """A small text box in a corner of ``ax`` (axes coordinates)."""
    x, ha = (0.03, "left") if "left" in loc else (0.97, "right")
    y, va = (0.97, "top") if "upper" in loc else (0.03, "bottom")
    kw.setdefault("fontsize", "small")
    ax.text(x, y, text, transform=ax.transAxes, ha=ha, va=va,
            bbox={"boxstyle": "round,pad=0.25", "fc": "white", "ec": "none", "alpha": 0.8}, **kw)


def finite_pearson(x, y) -> float:
    """Pearson r of the items finite in both ``x`` and ``y`` (any equal
    shapes); nan when fewer than 2 are left or either is constant."""
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    ok = np.isfinite(x) & np.isfinite(y)
    return pearson(x[ok], y[ok])


def density_cmap(color: str):
    """A colour map from a light tint of ``color`` to a dark shade of it (for
    density plots of one dataset: the emptiest occupied cell stays visible)."""
    from matplotlib.colors import LinearSegmentedColormap, to_rgb

    rgb = np.array(to_rgb(color))
    light = 1 - 0.3 * (1 - rgb)
    dark = 0.45 * rgb
    return LinearSegmentedColormap.from_list(f"density_{color}", [light, rgb, dark])
