"""Did a change make the default metrics table worse? Compare two runs'
``results/metrics.tsv`` metric by metric.

For every (panel, model, metric) of the summary table whose better
direction is known, the median over AG draws after the change is compared
with the median before it; a metric *got worse* when it moved the wrong way
by more than its draw-to-draw range before the change (max - min over the
draws; 0 for a row with one draw). Run it on a run before and after a
change meant to keep quality, e.g. a cheaper default config:

    python bench/metrics_drift.py before/results/metrics.tsv after/results/metrics.tsv

It prints every judged metric and ends with the count that got worse; the
exit status is 1 when any did.
"""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from artgen.summary import SUMMARY_METRICS

#: How a metric's value maps to a loss (lower is better): a function of the value.
LOSS = {
    **{m: (lambda v: -v) for m in ("af_r_ho", "ld_r_ho", "af_r", "ld_r")},
    **{m: (lambda v: v) for m in ("pca_w2d_ho", "pairwise_w_ho", "identical_to_train",
                                  "aa_deviation_train", "privacy_loss")},
    **{m: (lambda v: abs(v - 0.5)) for m in ("aa_truth_train", "aa_syn_train", "aats_train",
                                             "mia_auc", "lr_mia_auc")},
    "loglik_gap": abs,
    "boundary_ld_ratio_rel_min": lambda v: abs(v - 1),
}


def drift(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """One row per judged (panel, model, metric): the medians before and
    after, the range before, the losses' change and ``worse``."""
    metrics = [m for m, _ in SUMMARY_METRICS if m in LOSS]
    keys = ["panel", "model", "metric"]

    def summary(table):
        table = table[table["metric"].isin(metrics)]
        values = table.groupby(keys)["value"]
        return pd.DataFrame({"median": values.median(), "range": values.max() - values.min(),
                             "draws": values.size()})

    joined = summary(before).merge(summary(after), left_index=True, right_index=True,
                                   suffixes=("_before", "_after")).reset_index()
    loss = [LOSS[m] for m in joined["metric"]]
    joined["loss_change"] = [f(a) - f(b) for f, a, b in
                             zip(loss, joined["median_after"], joined["median_before"])]
    joined["worse"] = joined["loss_change"] > joined["range_before"] + 1e-12
    return joined


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", help="metrics.tsv of the run before the change")
    parser.add_argument("after", help="metrics.tsv of the run after the change")
    args = parser.parse_args(argv)
    table = drift(pd.read_csv(args.before, sep="\t"), pd.read_csv(args.after, sep="\t"))
    with pd.option_context("display.width", 200, "display.max_rows", None):
        print(table.round(4).to_string(index=False))
    worse = table[table["worse"]]
    print(f"\n{len(worse)} of {len(table)} metrics got worse by more than their "
          f"draw-to-draw range before the change")
    if len(worse):
        print(worse[["panel", "model", "metric", "median_before", "median_after",
                     "range_before"]].round(4).to_string(index=False))
    return 1 if len(worse) else 0


if __name__ == "__main__":
    sys.exit(main())
