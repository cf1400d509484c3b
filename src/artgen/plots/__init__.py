"""Axes-level plots of real and artificial haplotypes, in the style of
scikit-allel: every ``plot_*`` function takes data (arrays, DataFrames) and
an optional matplotlib axes, draws on it and returns it (a new figure and
axes are made with pyplot when ``ax`` is None). The figure builders of
:mod:`artgen.figures` lay these out.

One module per family: :mod:`~artgen.plots.style` (colours, labels and
order of datasets, the same in every figure), :mod:`~artgen.plots.structure`,
:mod:`~artgen.plots.ld`, :mod:`~artgen.plots.frequencies`,
:mod:`~artgen.plots.scans`, :mod:`~artgen.plots.imputation`,
:mod:`~artgen.plots.distances`, :mod:`~artgen.plots.bars` and
:mod:`~artgen.plots.training`.

Large scatter clouds and images are rasterised (``rasterized=True``), so a
PDF with tens of thousands of points stays small and opens fast.
"""

from __future__ import annotations

from artgen.plots.bars import plot_grouped_bars, plot_lines, plot_stacked_shares
from artgen.plots.distances import plot_distance_distributions
from artgen.plots.frequencies import plot_af_scatter, plot_real_vs_ag, plot_sfs
from artgen.plots.imputation import (baselines_first, imputation_reference_style,
                                     plot_imputation_classes, plot_imputation_quality)
from artgen.plots.ld import plot_boundary_ld, plot_ld_decay, plot_ld_matrix
from artgen.plots.scans import plot_scan
from artgen.plots.structure import (plot_embedding, plot_haplostrips, plot_hidden_activations,
                                    plot_latent)
from artgen.plots.style import (DATASET_COLORS, DATASET_LABELS, DATASET_ORDER, dataset_color,
                                dataset_label, group_colors, order_datasets, require_columns)
from artgen.plots.training import plot_training_curves, plot_training_history

__all__ = [
    "DATASET_COLORS",
    "DATASET_LABELS",
    "DATASET_ORDER",
    "dataset_color",
    "dataset_label",
    "order_datasets",
    "require_columns",
    "group_colors",
    "plot_embedding",
    "plot_latent",
    "plot_hidden_activations",
    "plot_ld_matrix",
    "plot_ld_decay",
    "plot_boundary_ld",
    "plot_scan",
    "plot_imputation_classes",
    "plot_imputation_quality",
    "imputation_reference_style",
    "baselines_first",
    "plot_distance_distributions",
    "plot_af_scatter",
    "plot_real_vs_ag",
    "plot_haplostrips",
    "plot_stacked_shares",
    "plot_grouped_bars",
    "plot_lines",
    "plot_sfs",
    "plot_training_curves",
    "plot_training_history",
]
