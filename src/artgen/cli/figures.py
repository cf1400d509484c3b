"""Commands that draw: the paper's figures and a training run's history."""

from __future__ import annotations

import logging
from pathlib import Path

from artgen.cli.common import add_out, parse_settings
from artgen.errors import InputError

log = logging.getLogger("artgen")


def cmd_plot_training(args) -> None:
    import pandas as pd

    from artgen.figures import save_figure
    from artgen.plots import plot_training_history

    fig = plot_training_history(pd.read_csv(args.history, sep="\t"), title=args.title)
    save_figure(fig, args.out, dpi=120)


def cmd_figure(args) -> None:
    from artgen.figures import FIGURES, build_figure, save_figure

    inputs = {}
    for item in args.input:
        key, sep, paths = item.partition("=")
        if not sep or not key or not paths:
            raise InputError(f"expected KEY=PATH[,PATH...], got {item!r}")
        listed = paths.split(",")
        inputs[key] = listed if len(listed) > 1 else listed[0]
    # A figure of a fitted model gets it loaded here: the figures do not import the models.
    wanted = FIGURES[args.name].inputs if args.name in FIGURES else {}
    for key, spec in wanted.items():
        if spec.kind == "model" and key in inputs:
            from artgen.models import load_generator

            path = inputs[key]
            if not isinstance(path, str):
                raise InputError(f"input {key!r} takes one saved model, got {len(path)} files")
            if not Path(path).is_file():
                raise InputError(f"{path}: file not found")
            inputs[key] = load_generator(path)
            if spec.model is not None and inputs[key].name != spec.model:
                raise InputError(f"{path}: holds a saved {inputs[key].name!r} model; input "
                                 f"{key!r} needs a saved {spec.model!r} model")
    fig = build_figure(args.name, inputs, **parse_settings(args.set))
    save_figure(fig, args.pdf, args.png)


def add_commands(sub) -> None:
    p = sub.add_parser("plot-training", help="loss curves and snapshot metrics of a training run")
    p.add_argument("history", help="history table written by train --history")
    p.add_argument("--title", default="", help="figure title (default: none)")
    add_out(p, "figure (.png or .pdf)")
    p.set_defaults(func=cmd_plot_training)

    p = sub.add_parser("figure", help="draw one figure (PDF and PNG) from pipeline outputs")
    p.add_argument("name", help="figure1 ... figure4, figS_*")
    p.add_argument("--input", action="append", default=[], metavar="KEY=PATH[,PATH...]",
                   help="an input of the figure (repeat for each; several paths comma-separated)")
    p.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE", help="figure options")
    p.add_argument("--pdf", required=True, help="PDF to write")
    p.add_argument("--png", required=True, help="PNG to write")
    p.set_defaults(func=cmd_figure)
