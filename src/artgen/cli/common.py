"""What the commands share: parsers of argument values, the one table writer, and the arguments
every command spells alike."""

from __future__ import annotations

import argparse

from artgen.errors import InputError

def parse_counts(items: list[str]) -> dict[str, int]:
    """``["YRI=100", "CEU=400"]`` -> ``{"YRI": 100, "CEU": 400}``."""
    counts = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not value.isdigit():
            raise InputError(f"expected POP=N, got {item!r}")
        counts[name] = int(value)
    return counts


def parse_named(items: list[str], form: str = "NAME=PATH") -> dict[str, str]:
    """``["15=chr15.vcf.gz"]`` -> ``{"15": "chr15.vcf.gz"}`` (order kept)."""
    named = {}
    for item in items:
        name, sep, path = item.partition("=")
        if not sep or not name or not path:
            raise InputError(f"expected {form}, got {item!r}")
        named[name] = path
    return named


def write_table(frame, path) -> None:
    """Write a tab-separated table atomically (the one way tables are written)."""
    from artgen.io.atomic import atomic_output

    with atomic_output(path) as tmp:
        frame.to_csv(tmp, sep="\t", index=False)


def keyed(table, **keys):
    """``table`` with constant key columns (``panel``, ``model``, ``seed``...)
    put first, in the order given, so side tables line up with the metrics table."""
    return table.assign(**keys)[list(keys) + [c for c in table.columns if c not in keys]]


def population(h, name: str, source):
    """The haplotypes of population ``name`` in ``h``, or an InputError."""
    chosen = h.take_haplotypes(h.pops == name)
    if chosen.n_haplotypes == 0:
        raise InputError(f"{source}: no haplotypes of population {name!r} "
                         f"(it has {', '.join(sorted(set(h.pops))) or 'no labels'})")
    return chosen


def target_haplotypes(h, target: str, source):
    """``h`` if all its haplotypes are of the target population, else an
    InputError: AGs of a model that learned several populations cannot
    stand in for the target population."""
    others = sorted(set(h.pops) - {target})
    if others:
        raise InputError(f"{source}: has haplotypes of {', '.join(others)} besides the target "
                         f"population {target}; set the panel's train_populations to "
                         f"[{target}] so that its models learn the target population only")
    return h


def parse_settings(items: list[str]) -> dict:
    """``["window=5", "name=x"]`` -> ``{"window": 5, "name": "x"}`` (values parsed as YAML)."""
    import yaml

    settings = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise InputError(f"expected KEY=VALUE, got {item!r}")
        settings[key] = yaml.safe_load(value)
    return settings


def optional_number(text: str) -> float | None:
    """A number, or None for "none" (a criterion left out)."""
    if text.lower() == "none":
        return None
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number or 'none', got {text!r}") from None



# --- the arguments every command spells alike --------------------------------------------


def add_out(parser, what: str, **kw) -> None:
    """The command's (main) output: ``--out``, required."""
    parser.add_argument("--out", required=True, help=what, **kw)


def add_seed(parser, what: str, *, default: int | None = None) -> None:
    """``--seed``: required unless a default is given (then ``what`` says it)."""
    parser.add_argument("--seed", type=int, required=default is None, default=default, help=what)


def add_threads(parser, *, default: int | None = None) -> None:
    """``--threads``: CPU threads, all of them by default."""
    parser.add_argument("--threads", type=int, default=default,
                        help=f"CPU threads (default: {default or 'all'})")


def add_unphased(parser, what: str) -> None:
    """``--unphased``: the data are individuals, not haplotypes (``args.phased`` False)."""
    parser.add_argument("--unphased", dest="phased", action="store_false", help=what)


def add_panel_name(parser, what: str = "panel name (for the table)") -> None:
    """``--panel-name``: the panel's name in the tables the command writes."""
    parser.add_argument("--panel-name", required=True, help=what)


def add_panel_file(parser, labels: str, keep: str) -> None:
    """``--panel-file`` (sample pop super_pop) and ``--populations``, the
    populations to keep: "keep only the samples", say, as ``keep``."""
    parser.add_argument("--panel-file", required=True,
                        help=f"panel file (sample pop super_pop) {labels}")
    parser.add_argument("--populations", nargs="*", default=None,
                        help=f"{keep} of these populations (default: all)")


def add_like(parser, what: str) -> None:
    """``--like``, the panel whose SNPs (and size) AGs match, and ``--n``."""
    parser.add_argument("--like", required=True, help=what)
    parser.add_argument("--n", type=int, default=None,
                        help="haplotypes to draw (default: as in --like)")


def add_ag_files(parser, npz: str, vcf: str, hapt: str, **out) -> None:
    """The AG files a command writes: ``--out`` (.npz) and, if asked for,
    ``--vcf-out`` and ``--hapt-out``."""
    add_out(parser, npz, **out)
    parser.add_argument("--vcf-out", help=vcf)
    parser.add_argument("--hapt-out", help=hapt)


def add_plan(parser) -> None:
    """``--plan``: the window plan table of a chromosome panel."""
    parser.add_argument("--plan", required=True, help="window plan table (plan-windows)")
