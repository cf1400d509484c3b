"""Reading a figure's input files (:func:`build_figure`) and writing figures
(:func:`save_figure`): the two calls the pipeline makes."""

from __future__ import annotations

import sys
from contextlib import ExitStack
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from artgen.errors import InputError
from artgen.figures.registry import FIGURES, Input
from artgen.haplotypes import Haplotypes
from artgen.io.atomic import atomic_output

#: Resolution of the PNG files (the PDF is vector, with rasterised point clouds).
PNG_DPI = 150


def _paths(value, key: str) -> list[Path]:
    if isinstance(value, (str, Path)):
        return [Path(value)]
    if isinstance(value, Sequence) and value and all(isinstance(v, (str, Path)) for v in value):
        return [Path(v) for v in value]
    raise InputError(f"input {key!r} must be a path or a non-empty list of paths, got {value!r}")


def _read_table(path: Path, columns: Sequence[str], empty: bool = False) -> pd.DataFrame:
    try:
        table = pd.read_csv(path, sep="\t")
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not a tab-separated table with a header ({exc})") from None
    if empty and table.empty:
        return table
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(missing)} "
                         f"(it has: {', '.join(map(str, table.columns))})")
    if table.empty:
        raise InputError(f"{path}: the table has no rows")
    return table


def _load(spec: Input, key: str, value):
    if spec.kind == "model":
        # Loading a saved model would import the models (and TensorFlow) here.
        if isinstance(value, (str, Path, Sequence)):
            raise InputError(f"input {key!r} takes a fitted {spec.model or 'generator'} "
                             "(artgen.models.load_generator), not a path")
        return value
    paths = _paths(value, key)
    if spec.kind == "haplotypes":
        if len(paths) != 1:
            raise InputError(f"input {key!r} takes one haplotype file, got {len(paths)}")
        from artgen.io import load_haplotypes

        return load_haplotypes(paths[0])
    if spec.kind == "haplotype_sets":
        from artgen.io import load_haplotypes

        sets: dict[str, Haplotypes] = {}
        for path in paths:
            name = path.name.split(".")[0]
            if name in sets:
                raise InputError(f"input {key!r}: two files for model {name!r} ({path})")
            sets[name] = load_haplotypes(path)
        return sets
    if spec.kind == "table" and len(paths) != 1:
        raise InputError(f"input {key!r} takes one table, got {len(paths)} files")
    frames = []
    for path in paths:
        table = _read_table(path, spec.columns, spec.empty)
        if spec.kind == "tables":
            folder = path.parent if spec.names == "dir" else None
            model = folder.name if folder is not None else path.name.split(".")[0]
            panel = (folder.parent if folder is not None else path.parent).name
            if "model" not in table:
                table.insert(0, "model", model)
            if "panel" not in table:
                table.insert(0, "panel", panel)
        frames.append(table)
    return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)


def build_figure(name: str, inputs: Mapping[str, str | Path | Sequence[str | Path]],
                 **options) -> Figure:
    """Read a figure's input files and build it.

    Parameters
    ----------
    name : str
        A key of :data:`~artgen.figures.registry.FIGURES` (the output file
        stem, e.g. ``"figure1"``).
    inputs : dict of str -> path or list of paths
        Per input of the figure (``FIGURES[name].inputs``): the file(s) to
        read. AG sets are lists of ``results/ags/{panel}/{model}.npz`` (the
        model is the file stem); per-model tables are lists of their files;
        a ``model`` input is the fitted generator itself.
    **options
        Keyword options of the builder (e.g. ``models=[...]``, ``seed=42``).
        ``panel`` (for the title) defaults to the folder of the input that
        names it, e.g. ``results/splits/{panel}/train.npz``.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    InputError
        Unknown figure, missing or unknown input or option, unreadable file,
        a table without a needed column (the message names the file).
    """
    if name not in FIGURES:
        raise InputError(f"unknown figure {name!r}; known: {', '.join(FIGURES)}")
    figure = FIGURES[name]
    specs = figure.inputs
    if not isinstance(inputs, Mapping):
        raise InputError("inputs must be a dict of input name -> path(s), "
                         f"got {type(inputs).__name__}")
    missing = [k for k, spec in specs.items() if k not in inputs and not spec.optional]
    unknown = [k for k in inputs if k not in specs]
    if missing or unknown:
        problems = []
        if missing:
            problems.append(f"missing input(s) {', '.join(missing)}")
        if unknown:
            problems.append(f"unknown input(s) {', '.join(unknown)}")
        raise InputError(f"{name}: {'; '.join(problems)} (it reads: {', '.join(specs)})")
    accepted = figure.keywords
    bad = [k for k in options if k not in accepted]
    if bad:
        raise InputError(f"{name}: unknown option(s) {', '.join(bad)} "
                         f"(it takes: {', '.join(accepted) or 'none'})")
    if "panel" in accepted and options.get("panel") is None:
        for key, spec in specs.items():
            if spec.panel:
                options["panel"] = _paths(inputs[key], key)[0].parent.name or None
                break
    data = {key: _load(spec, key, inputs[key]) for key, spec in specs.items() if key in inputs}
    if "panel" in accepted and options.get("panel") is None:
        for value in data.values():
            if isinstance(value, pd.DataFrame) and "panel" in value:
                panels = value["panel"].dropna().astype(str).unique()
                if len(panels) == 1:
                    options["panel"] = panels[0]
                    break
    return figure.build(**data, **options)


def save_figure(fig: Figure, *paths, dpi: int = PNG_DPI) -> None:
    """Write ``fig`` to each of ``paths`` in the format its suffix names
    (``.pdf``, or a raster format at ``dpi``), all complete or none (each under a temporary name,
    renamed when all are written), then close it.

    The PDF carries no creation date, so the same figure gives the same bytes.
    """
    try:
        with ExitStack() as stack:
            for path in paths:
                tmp = stack.enter_context(atomic_output(path))
                form = Path(path).suffix.lstrip(".").lower()
                # (the PDF's rasterised clouds keep the figure's own resolution)
                settings = {"metadata": {"CreationDate": None}} if form == "pdf" else {"dpi": dpi}
                fig.savefig(tmp, format=form, **settings)
    finally:
        if "matplotlib.pyplot" in sys.modules:
            sys.modules["matplotlib.pyplot"].close(fig)
