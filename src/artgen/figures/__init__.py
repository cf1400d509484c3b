"""The report's figures: one builder per figure, registered with its inputs,
options and report category (:mod:`artgen.figures.registry`), and the two
calls the pipeline makes, :func:`build_figure` (read the inputs, build) and
:func:`save_figure` (write PDF and PNG, atomically).

Each builder ``figureX(data..., **options) -> matplotlib.figure.Figure``
takes data already in memory (:class:`~artgen.haplotypes.Haplotypes` or
0/1 matrices, pandas DataFrames, a fitted model), lays out the axes and
draws them with the axes-level functions of :mod:`artgen.plots`. The
builders are grouped by family: :mod:`~artgen.figures.structure`,
:mod:`~artgen.figures.ld` (frequencies and LD), :mod:`~artgen.figures.privacy`,
:mod:`~artgen.figures.downstream` (selection, imputation, painting,
coalescent) and :mod:`~artgen.figures.training`.

Figures are made with :class:`matplotlib.figure.Figure` directly, not
through pyplot: building one changes no global state and needs no display.
"""

from __future__ import annotations

from artgen.figures.downstream import figS_coalescent, figS_painting, figure3, figure4
from artgen.figures.files import PNG_DPI, build_figure, save_figure
from artgen.figures.ld import (figS_af, figS_boundary_ld, figS_corr3, figS_fixed, figS_ld_scatter,
                               figure2)
from artgen.figures.privacy import figS_nn, figS_pairwise, figS_privacy, figS_sensitivity
from artgen.figures.registry import FIGURES, FigureSpec, Input
from artgen.figures.structure import (FIGURE1_MODELS, figS_haplotypes, figS_pca_dense, figS_rbm,
                                      figS_umap, figure1)
from artgen.figures.training import figS_training

__all__ = ["FIGURES", "FIGURE1_MODELS", "FigureSpec", "Input", "PNG_DPI", "build_figure",
           "save_figure", "figure1", "figure2", "figure3", "figure4", "figS_umap",
           "figS_pairwise", "figS_pca_dense", "figS_af", "figS_nn", "figS_ld_scatter",
           "figS_corr3", "figS_haplotypes", "figS_painting", "figS_privacy", "figS_sensitivity",
           "figS_coalescent", "figS_fixed", "figS_boundary_ld", "figS_training", "figS_rbm"]
