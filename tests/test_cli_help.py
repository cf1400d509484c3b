"""Every argument of every subcommand says what it is in --help."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

from artgen.cli import build_parser


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """The subparsers of ``parser``, by subcommand name."""
    found = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            found.update(action.choices)
    return found


def arguments_without_help(parser: argparse.ArgumentParser) -> list[str]:
    """The arguments of ``parser`` with no help text: argparse's own -h aside,
    and the subcommand slot, whose subcommands are checked one by one."""
    return [action.option_strings[0] if action.option_strings else action.dest
            for action in parser._actions
            if not isinstance(action, (argparse._HelpAction, argparse._SubParsersAction))
            and not (action.help or "").strip()]


def subcommands_without_help(parser: argparse.ArgumentParser) -> list[str]:
    """The subcommands of ``parser`` with no one-line help in ``artgen --help``."""
    return [choice.dest for action in parser._actions
            if isinstance(action, argparse._SubParsersAction)
            for choice in action._choices_actions if not (choice.help or "").strip()]


def test_every_argument_of_every_subcommand_has_help():
    parser = build_parser()
    commands = subcommands(parser)
    assert len(commands) > 20
    missing = {name: bare for name, sub in commands.items()
               if (bare := arguments_without_help(sub))}
    assert missing == {}
    assert arguments_without_help(parser) == []
    assert subcommands_without_help(parser) == []
    for name, sub in commands.items():
        sub.format_help()  # a stray '%' in a help text fails here, not in a user's terminal


def test_an_argument_without_help_is_caught():
    parser = argparse.ArgumentParser()
    parser.add_argument("--with", help="documented")
    parser.add_argument("--without")
    parser.add_argument("positional", help="")
    assert arguments_without_help(parser) == ["--without", "positional"]


@pytest.mark.parametrize("command, text", [
    ("build-panel", "plain gzip or unindexed"),
    ("samples-panel", "population (and super-population) name"),
    ("import-hapt", "legend of its SNPs"),
    ("convert", ".npz panel to convert"),
])
def test_subcommand_help_exits_0(command, text):
    result = subprocess.run([sys.executable, "-m", "artgen", command, "--help"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: artgen {command}")
    assert text in " ".join(result.stdout.split())  # help text is wrapped to the terminal
