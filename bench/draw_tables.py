"""The tables the model benches print over several AG draws: one line per
draw, the rows as TSV, and a markdown table of median [min, max] per group."""

from __future__ import annotations

import numpy as np
import pandas as pd


def draw_line(metrics: dict, columns) -> str:
    """``name value`` of each column of one draw's metrics, on one line."""
    return "  ".join(f"{k} {metrics[k]:.4g}" for k in columns)


def rows_table(rows: list[dict], out=None) -> pd.DataFrame:
    """The rows as a frame, written as TSV to ``out`` too when given."""
    table = pd.DataFrame(rows)
    if out:
        table.to_csv(out, sep="\t", index=False, float_format="%.6g")
    return table


def median_range(values) -> str:
    """``median [min, max]`` of the values."""
    values = np.asarray(values, dtype=float)
    return f"{np.median(values):.3g} [{values.min():.3g}, {values.max():.3g}]"


def summary_markdown(table: pd.DataFrame, by, columns, lead: dict) -> str:
    """One markdown row per group of ``table`` (grouped by ``by``, in order
    of appearance): the ``lead`` cells (header -> function of the group),
    then the median [min, max] of each column."""
    lines = ["| " + " | ".join([*lead, *columns]) + " |",
             "|---" * (len(lead) + len(columns)) + "|"]
    for _, group in table.groupby(by, sort=False):
        cells = [str(cell(group)) for cell in lead.values()]
        cells += [median_range(group[k]) for k in columns]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
