"""Command-line interface: one subcommand per pipeline step, called by the
Snakemake rules (and usable on its own).

Input errors print ``error: <file>: <what is wrong>`` and exit with status 2;
a missing external tool exits with status 3. No subcommand leaves a partial
output behind.

Each module of this package holds one family of commands: its handlers,
which parse, call one library function and write, and its ``add_commands``,
which declares their arguments.
"""

from __future__ import annotations

import argparse
import logging
import sys

from artgen import __version__
from artgen.cli import data, downstream, figures, generators, privacy, statistics
from artgen.errors import InputError
from artgen.tools import MissingToolError

#: The command families, in the order ``artgen --help`` lists them: the
#: pipeline's order.
FAMILIES = (data, generators, statistics, downstream, privacy, figures)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="artgen", description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", action="version", version=f"artgen {__version__}",
                        help="print the version and exit")
    sub = parser.add_subparsers(dest="command", required=True)
    for family in FAMILIES:
        family.add_commands(sub)
    return parser


def main(argv=None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s",
                        stream=sys.stderr)
    args = build_parser().parse_args(argv)
    try:
        args.func(args)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except MissingToolError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
