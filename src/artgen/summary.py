"""The metrics table's summary: per panel, the headline metrics of each
model as the median and range over its AG draws, ratios to the held-out
real data, and a verdict per model against the targets (:class:`Targets`),
as Markdown and as an HTML page for the report."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

SUMMARY_METRICS = [
    ("af_r_ho", "AF r"), ("ld_r_ho", "LD r"), ("pca_w2d_ho", "PCA W"),
    ("pairwise_w_ho", "pairwise W"), ("af_r", "AF r (train)"), ("ld_r", "LD r (train)"),
    ("fixed_frac", "fixed"), ("fixed_frac_bootstrap", "fixed (bootstrap)"),
    ("nn_median", "NN median"), ("identical_to_train", "copies"),
    ("recurring_haplotypes_ho", "recurring haplotypes"),
    ("aa_truth_train", "AA truth"), ("aa_syn_train", "AA syn"), ("aats_train", "AATS"),
    ("aa_deviation_train", "AA deviation"), ("privacy_loss", "privacy loss"),
    ("privacy_loss_matched", "privacy loss (matched sizes)"),
    ("privacy_loss_start", "privacy loss (start set)"),
    ("mia_auc_start", "attack AUC (start set)"),
    ("identical_to_start", "copies (start set)"),
    ("mia_auc", "attack AUC"), ("lr_mia_auc", "likelihood attack AUC"),
    ("loglik_gap", "log-likelihood gap"), ("boundary_ld_ratio_rel_min", "seam LD / real"),
]
#: Columns divided by the ``test`` row's value of the same metric (the
#: real-vs-real value of the held-out comparison), each beside its metric.
RATIO_METRICS = {"ld_r_ho": "LD r / real", "pca_w2d_ho": "PCA W / real",
                 "pairwise_w_ho": "pairwise W / real"}
BASELINE_ORDER = ["test", "markov", "bernoulli"]


def model_order(models) -> list[str]:
    """The test split first, then the models, then the baselines."""
    models = list(dict.fromkeys(models))
    first = [m for m in models if m == "test"]
    last = [m for m in BASELINE_ORDER[1:] if m in models]
    return first + [m for m in models if m not in BASELINE_ORDER] + last


def format_interval(median: float, low: float, high: float) -> str:
    """``median [low, high]``, or the one value when the draws agree (or
    there is one draw)."""
    if not (np.isfinite(low) and np.isfinite(high)) or format_value(low) == format_value(high):
        return format_value(median)
    return f"{format_value(median)} [{format_value(low)}, {format_value(high)}]"


def format_value(value: float) -> str:
    if not np.isfinite(value):
        return "n/a"
    if float(value).is_integer() and abs(value) >= 1:
        return f"{int(value)}"
    return f"{value:.3g}" if abs(value) < 1000 else f"{value:.0f}"


SUMMARY_INTRO = (
    "Each cell is the median over independent AG draws from the fitted model, with the "
    "range over the draws in brackets (one value: the draws agree, or one draw). "
    "AF r, LD r, PCA W and pairwise W compare each model's AGs with held-out real "
    "haplotypes at a matched size: the test split is halved by individual, one half is "
    "the reference, and each row compares a set as large as the other half with it: the "
    "AGs drawn down to that size, and for `test` that other half itself (the real-vs-real "
    "value, the best a generator can hope for). Draw d of every row is scored at halving "
    "d of the test split, and the `test` row (one set) at each of those halvings: its cells "
    "give the real-vs-real value's median and range over them. Ratios (/ real) are taken "
    "draw by draw, to the `test` value at the same halving. "
    "The columns marked (train) are the paper's definitions, against the training "
    "haplotypes at the AGs' full size: a model that returns its training set scores "
    "perfectly there, and `test` there is a smaller sample. `markov` and `bernoulli` "
    "are the baselines. AATS: 0.5 is ideal, below overfits, above underfits; fixed: share "
    "of the real polymorphic sites fixed in the AGs, beside the share an equally large "
    "resample of the training set would fix; AA deviation (|AA truth - 0.5| + "
    "|AA syn - 0.5|) catches the case where both are off but average to 0.5. PCA W: exact "
    "2-D Wasserstein on PCs 1-2 (cost scaled to [0, 1]). Recurring haplotypes: the share "
    "of a set identical, at every SNP, to another haplotype of it, at the held-out size "
    "(real dense regions repeat their common haplotypes; AGs that spread away from them, or "
    "a release that withholds every copy, read lower). Privacy loss: AATS against "
    "held-out real haplotypes minus AATS against the training set (> 0 means leakage); "
    "privacy loss (start set), for models whose sampling chains start at real haplotypes "
    "never trained on (the RBM's sampling split): the same against those haplotypes, at "
    "matched sizes, attack AUC (start set) the distance attack with them as the members, "
    "and copies (start set) the AGs identical to one of them; "
    "attack AUC: distance-based membership inference (0.5: members cannot be told apart). "
    "Seam LD / real (windowed panels): the smallest, over distance bins, of the AGs' r^2 "
    "across window seams over within windows, divided by the real set's (1: seams "
    "invisible).")


def beside_real(rows: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Each draw's value of ``metric`` beside the ``test`` row's at the same
    seed and draw, that is at the same halving of the held-out set (the
    statistics score draw d of every row at halving d): a frame indexed by
    ``model seed draw`` with columns ``value``, ``real`` and ``ratio``
    (``value / real``; NaN where ``real`` is 0). Where the ``test`` row lacks
    that draw (a table scored at one halving) ``real`` is its median;
    without a ``test`` row it is NaN."""
    values = rows[rows["metric"] == metric].groupby(["model", "seed", "draw"])["value"].median()
    out = pd.DataFrame({"value": values, "real": np.nan})
    if "test" in values.index.get_level_values("model"):
        real = values.loc["test"]
        keys = pd.MultiIndex.from_arrays([values.index.get_level_values("seed"),
                                          values.index.get_level_values("draw")])
        out["real"] = real.reindex(keys).fillna(real.median()).to_numpy()
    out["ratio"] = out["value"] / out["real"].where(out["real"] != 0)
    return out


def worst_draw(pairs: pd.DataFrame, model: str, badness) -> tuple[float, float] | None:
    """``(value, real)`` of the draw of ``model`` in ``pairs`` (as
    :func:`beside_real` gives them) where ``badness(pairs)`` is highest, or
    None where the model has no draw with a finite badness."""
    if model not in pairs.index.get_level_values("model"):
        return None
    mine = pairs.loc[model].dropna(subset=["value", "real"])
    mine = mine[np.isfinite(badness(mine))]
    if mine.empty:
        return None
    worst = mine.iloc[int(np.argmax(badness(mine).to_numpy()))]
    return float(worst["value"]), float(worst["real"])


def summary_tables(table: pd.DataFrame) -> list[tuple[str, str, pd.DataFrame]]:
    """Per panel: ``(panel, heading, frame)``, the frame one formatted row per
    model (test split first, baselines last) and one column per summary
    metric, each the median over the model's AG draws with their range. A
    ratio to real (:data:`RATIO_METRICS`) is taken draw by draw, against
    the real-vs-real value at the same halving (:func:`beside_real`)."""
    panels = []
    for panel, rows in table.groupby("panel", sort=False):
        # Over the AG draws of each model: the median and the range.
        stats = {stat: rows.pivot_table(index="model", columns="metric", values="value",
                                        aggfunc=stat, dropna=False)
                 for stat in ("median", "min", "max")}
        wide = stats["median"]
        ratios = {}
        for m in RATIO_METRICS:
            ratio = beside_real(rows, m)["ratio"].groupby("model")
            ratios[m] = ratio.median(), ratio.min(), ratio.max()
        columns = [(m, label) for m, label in SUMMARY_METRICS if m in wide.columns]
        records = []
        # Models with none of these metrics (the coalescent baseline) are left out.
        for model in model_order(m for m in wide.index
                                 if wide.loc[m, [c for c, _ in columns]].notna().any()):
            record = {"model": model}
            for m, label in columns:
                values = [stats[stat].loc[model, m] for stat in ("median", "min", "max")]
                record[label] = format_interval(*values)
                if m in RATIO_METRICS and "test" in wide.index:
                    record[RATIO_METRICS[m]] = format_interval(
                        *(float(r.get(model, np.nan)) for r in ratios[m]))
            records.append(record)
        panels.append((panel, _heading(rows), pd.DataFrame(records)))
    return panels


def _heading(rows: pd.DataFrame) -> str:
    """``seed 5, 5 AG draws`` of one panel's rows."""
    seeds = ", ".join(map(str, sorted(set(rows["seed"]))))
    draws = rows["draw"].nunique()
    return f"seed {seeds}, {draws} AG draw{'s' if draws > 1 else ''} per model"


@dataclass(frozen=True)
class Targets:
    """What an AG set must meet to be fit to share (config
    ``evaluation.targets``); None leaves a criterion out. Each is judged on
    the model's worst draw."""

    #: held-out LD r at least the real-vs-real value minus this
    ld_r_within: float | None = 0.05
    #: held-out pairwise W at most this many times the real-vs-real value
    pairwise_w_ratio: float | None = 2.0
    max_privacy_loss: float | None = 0.02
    #: distance attack's AUC
    max_attack_auc: float | None = 0.55


def verdicts(table: pd.DataFrame, targets: Targets) -> list[tuple[str, str, str, list[str]]]:
    """One verdict per (panel, model) other than ``test``: ``(panel, model,
    verdict, checks)``, the verdict ``meets``, ``misses`` or ``not measured``
    (some criterion lacks its metric and none is missed), each check one
    phrase with the value, the bound and ``ok``/``MISS``. Every criterion is
    judged on the model's worst draw: LD r furthest below, and pairwise W
    most times above, the real-vs-real value at the same halving of the
    held-out set (:func:`beside_real`); the highest privacy loss and attack
    AUC.
    ``max_privacy_loss`` and ``max_attack_auc`` bound the privacy loss and
    the attack AUC against the start set too, where a model has one
    (``privacy_loss_start``, ``mia_auc_start``)."""
    out = []
    for panel, rows in table.groupby("panel", sort=False):
        values = rows.groupby(["model", "metric"])["value"]
        high, median = values.max(), values.median()

        def get(series, model, metric):
            value = series.get((model, metric), np.nan)
            return float(value) if np.isfinite(value) else None

        ld, w = beside_real(rows, "ld_r_ho"), beside_real(rows, "pairwise_w_ho")

        for model in model_order(rows["model"]):
            if model == "test" or get(median, model, "privacy_loss") is None:
                continue
            checks, missed, unmeasured = [], False, False

            def judge(ok, text):
                nonlocal missed
                missed |= not ok
                checks.append(f"{text} {'ok' if ok else 'MISS'}")

            if targets.ld_r_within is not None:
                found = worst_draw(ld, model, lambda p: p["real"] - p["value"])
                if found is None:
                    unmeasured = True
                else:
                    worst, real = found
                    bound = real - targets.ld_r_within
                    judge(worst >= bound, f"LD r {worst:.3f} (min {bound:.3f} = real "
                                          f"{real:.3f} - {targets.ld_r_within:g})")
            if targets.pairwise_w_ratio is not None:
                found = worst_draw(w, model, lambda p: p["ratio"])
                if found is None:
                    unmeasured = True
                else:
                    worst, real = found
                    judge(worst <= targets.pairwise_w_ratio * real,
                          f"pairwise W {worst / real:.2f}x real (max "
                          f"{targets.pairwise_w_ratio:g}x)")
            for limit, metric, label in ((targets.max_privacy_loss, "privacy_loss",
                                          "privacy loss"),
                                         (targets.max_privacy_loss, "privacy_loss_start",
                                          "privacy loss (start set)"),
                                         (targets.max_attack_auc, "mia_auc", "attack AUC"),
                                         (targets.max_attack_auc, "mia_auc_start",
                                          "attack AUC (start set)")):
                if limit is None:
                    continue
                worst = get(high, model, metric)
                if worst is None and metric.endswith("_start"):
                    continue  # the model's AGs start from no real haplotypes
                if worst is None:
                    unmeasured = True
                else:
                    judge(worst <= limit, f"{label} {worst:.3f} (max {limit:g})")
            verdict = "misses" if missed else "not measured" if unmeasured else "meets"
            out.append((panel, model, verdict, checks))
    return out


VERDICT_INTRO = ("Fit to share? Each criterion on the worst of the model's AG draws, against "
                 "evaluation.targets:")


def summary_markdown(table: pd.DataFrame, targets: Targets | None = None) -> str:
    """The metrics table as one Markdown table per panel, each model beside
    the test split (the ceiling) and the baselines (the floor), and a
    verdict line per model against ``targets`` (none: no verdicts)."""
    lines = ["# Metrics summary", "", SUMMARY_INTRO, ""]
    judged = verdicts(table, targets) if targets else []
    for panel, heading, frame in summary_tables(table):
        lines += [f"## Panel `{panel}` ({heading})", ""]
        lines += ["| " + " | ".join(frame.columns) + " |", "|" + "---|" * len(frame.columns)]
        for record in frame.itertuples(index=False):
            cells = [f"`{record[0]}`", *record[1:]]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
        mine = [v for v in judged if v[0] == panel]
        if mine:
            lines += [VERDICT_INTRO, ""]
            lines += [f"- `{model}` **{verdict}**: {'; '.join(checks)}"
                      for _, model, verdict, checks in mine]
            lines.append("")
    return "\n".join(lines)


def summary_html(table: pd.DataFrame, targets: Targets | None = None) -> str:
    """The same summary as :func:`summary_markdown`, as a self-contained HTML page."""
    import html

    parts = ["<!DOCTYPE html><html><head><meta charset='utf-8'><title>Metrics summary</title>",
             "<style>body{font-family:sans-serif;margin:1em 2em}table{border-collapse:collapse;"
             "margin-bottom:1.5em}td,th{border:1px solid #bbb;padding:3px 8px;text-align:right}"
             "td:first-child,th:first-child{text-align:left}</style></head><body>",
             "<h1>Metrics summary</h1>", f"<p>{html.escape(SUMMARY_INTRO)}</p>"]
    judged = verdicts(table, targets) if targets else []
    for panel, heading, frame in summary_tables(table):
        parts.append(f"<h2>Panel {html.escape(panel)} ({html.escape(heading)})</h2>")
        parts.append(frame.to_html(index=False, escape=True, border=0))
        mine = [v for v in judged if v[0] == panel]
        if mine:
            parts.append(f"<p>{html.escape(VERDICT_INTRO)}</p><ul>")
            parts += [f"<li><code>{html.escape(model)}</code> <b>{html.escape(verdict)}</b>: "
                      f"{html.escape('; '.join(checks))}</li>"
                      for _, model, verdict, checks in mine]
            parts.append("</ul>")
    parts.append("</body></html>")
    return "\n".join(parts)
