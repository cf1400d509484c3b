"""The registry of the report's figures: every builder declares, where it is
defined (with :func:`figure`), the inputs it reads, the options the pipeline
sets and its report category. :func:`artgen.figures.build_figure` reads a
figure's inputs by these declarations, and the workflow makes one rule per
registered figure from them (``workflow/rules/figures.smk``), mapping each
input's source to its paths and each option to its configured value.

Input kinds (how :func:`~artgen.figures.build_figure` reads an input):

``haplotypes``
    one ``.npz`` haplotype file (:func:`artgen.io.load_haplotypes`).
``haplotype_sets``
    a list of ``.npz`` files, one per model, named by the file stem
    (``results/ags/{panel}/{model}.npz``): a dict model -> Haplotypes.
``table``
    one tab-separated table with a header.
``tables``
    a list of tables, concatenated; a ``model`` and a ``panel`` column are
    added from the path when the table has none: for
    ``results/stats/{panel}/{model}/x.table.tsv`` (per-model folders) or
    ``results/training/{panel}/{model}.tsv`` (per-model files).
``model``
    a fitted generator, loaded by the caller (``artgen figure`` loads
    ``results/models/{panel}/{model}.npz``): figures never load models.

Input sources (which pipeline output an input is; the workflow maps them to
paths): ``train`` (the panel's training split), ``ags`` (the AG sets of the
figure's models), ``stats/<family>`` (the side tables of one statistics
family, one per model), ``model`` (the saved model named by
:attr:`Input.model`), ``metrics`` (the metrics table), ``training`` (the
training histories), and ``<analysis>/<table>`` or ``<analysis>`` for the
tables of the downstream analyses.

Importing this module imports the figure builders (to register them) but
neither the models nor TensorFlow: the workflow imports it to make its rules.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from artgen.figures.style import METRIC_TABLE_COLUMNS, styled

__all__ = ["CATEGORIES", "FIGURES", "FigureSpec", "Input", "figure", "AG_SETS", "METRICS",
           "REAL_HAPLOTYPES"]

#: Report categories, in the order of the report.
CATEGORIES = ("1. Main figures", "2. Structure", "3. Frequencies and LD", "4. Privacy",
              "5. Comparisons", "6. Training")


@dataclass(frozen=True)
class Input:
    """One input of a figure: how it is read and which pipeline output it is.

    Attributes
    ----------
    kind : {"haplotypes", "haplotype_sets", "table", "tables", "model"}
        How it is read (see the module docstring).
    source : str
        Which pipeline output it is (see the module docstring).
    columns : tuple of str
        Columns a table must have (checked with the file's name in the error).
    names : {"dir", "stem"}
        For ``tables``: the model is the table's folder (``.../{panel}/{model}/x.tsv``)
        or its file stem (``.../{panel}/{model}.tsv``).
    panel : bool
        This input's path names the panel, for the title: its folder's name
        (``.../{panel}/x``).
    model : str, optional
        For ``model``: the short name of the generator it must be (``"rbm"``).
    optional : bool
        The figure can be drawn without this input (it then lacks a panel).
    empty : bool
        A table without rows is read as it is (its statistic was not
        computed for this panel) instead of being an error.
    """

    kind: str
    source: str
    columns: tuple[str, ...] = ()
    names: str = "dir"
    panel: bool = False
    model: str | None = None
    optional: bool = False
    empty: bool = False


#: The real training haplotypes of the figure's panel.
REAL_HAPLOTYPES = Input("haplotypes", "train", panel=True)
#: The AG sets of the figure's models on its panel.
AG_SETS = Input("haplotype_sets", "ags")
#: The metrics table (results/metrics.tsv): every panel and model.
METRICS = Input("table", "metrics", METRIC_TABLE_COLUMNS)


@dataclass(frozen=True)
class FigureSpec:
    """A registered figure.

    Attributes
    ----------
    name : str
        The builder's name, the stem of the output files and of the caption
        ``workflow/report/<name>.rst``.
    build : callable
        The builder, run under the figures' font sizes.
    inputs : dict of str -> Input
        Per argument of the builder: how to read it and what it is.
    category : str
        Its report category (one of :data:`CATEGORIES`).
    panel : str, optional
        Which panel the pipeline draws it for: ``"structure"`` (the
        informative one), ``"ld"`` (the dense one), ``"windowed"``, a
        downstream analysis's (``"selection"``, ...); None: all panels.
    models : str or tuple of str, optional
        Which models it shows: ``"figures"`` (the configured figure models),
        ``"panel"`` (all of the panel's), or the models themselves.
    options : tuple of str
        Options the pipeline sets (``models``, ``seed``, or a setting of the
        downstream analysis, e.g. ``quantile``).
    needs : tuple of str
        What else the configuration must turn on for it (``"umap"``).
    """

    name: str
    build: Callable
    inputs: Mapping[str, Input]
    category: str
    panel: str | None = None
    models: str | tuple[str, ...] | None = None
    options: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()

    @property
    def keywords(self) -> list[str]:
        """The builder's keyword-only options."""
        return [p.name for p in inspect.signature(self.build).parameters.values()
                if p.kind is inspect.Parameter.KEYWORD_ONLY]


#: Figure name (= output file stem) -> its registration, in the order defined.
FIGURES: dict[str, FigureSpec] = {}


def figure(*, category: str, inputs: Mapping[str, Input], panel: str | None = None,
           models: str | Sequence[str] | None = None, options: Sequence[str] = (),
           needs: Sequence[str] = ()):
    """Register the decorated builder as a figure (see :class:`FigureSpec`)
    and run it under the figures' font sizes."""
    def register(builder: Callable) -> Callable:
        name = builder.__name__
        spec = FigureSpec(name, styled(builder), dict(inputs), category, panel,
                          models if models is None or isinstance(models, str) else tuple(models),
                          tuple(options), tuple(needs))
        # Checked here: a mistake would otherwise show only when the workflow runs it.
        parameters = inspect.signature(builder).parameters
        for wrong, problem in ((name in FIGURES, "is registered twice"),
                               (category not in CATEGORIES, f"has no category {category!r}"),
                               (not set(options) <= set(spec.keywords), "lacks an option"),
                               (not set(inputs) <= set(parameters), "lacks an input")):
            if wrong:
                raise ValueError(f"figure {name} {problem}")
        FIGURES[name] = spec
        return spec.build
    return register
