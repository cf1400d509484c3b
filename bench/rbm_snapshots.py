"""Every snapshot of one RBM training, scored on the test split as the
kept one would be: does the validation split's view of a snapshot (the
view that calibrates its temperature and chooses the kept snapshot)
predict the test split's?

Takes a folder of one panel's splits as ``rbm_temperature.py`` does and
trains one of its variants once per training seed, keeping each
snapshot's state (with its calibrated temperature). Each snapshot is then
scored over several AG draws on the test split (``rbm_temperature.score``)
beside its validation row of the training history. The last lines give
the Spearman rank correlation, over all snapshots of all seeds, between
each validation score and its test counterpart.

    python bench/rbm_snapshots.py AGBL4_SPLITS --panel dense --model rbm_kstep \\
        --variant global20_auto_w --train-seeds 2 3 --draws 3
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # small matrices: threads only contend

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from scipy.stats import spearmanr  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from rbm_temperature import (VARIANTS, closeness_to_train, load_splits,  # noqa: E402
                             score, splits_parser, variant_settings)

from artgen.models.rbm import RBMGenerator  # noqa: E402

#: Validation columns of the history and the test scores they stand for.
PAIRS = {"val_pairwise_w": "pairwise_w_ho", "val_aa_truth": "aa_truth_test",
         "val_aa_syn": "aa_syn_test", "val_ld_r": "ld_r_ho"}
TEST = ("ld_r_ho", "pairwise_w_ho", "aa_truth_test", "aa_syn_test", "privacy_loss_matched",
        "identical_to_train")


class SnapshotKeepingRBM(RBMGenerator):
    """An RBM that keeps every snapshot's state, temperature included."""

    def fit(self, alleles, **kwargs):
        self.snapshot_states = []
        return super().fit(alleles, **kwargs)

    def _calibrate(self, *args, **kwargs):
        tuned = super()._calibrate(*args, **kwargs)
        self.snapshot_states.append({k: np.array(v) for k, v in self.state().items()})
        return tuned


def snapshot_rows(splits, settings: dict, train_seed: int, draws: int) -> list[dict]:
    train, test = splits["train"], splits["test"]
    model = SnapshotKeepingRBM(**settings)
    model.set_start_set(splits["sampling"].alleles)
    model.set_validation(splits["validation"].alleles)
    model.fit(train.alleles, seed=train_seed)
    history = model.history.dropna(subset=["val_pairwise_w"]).reset_index(drop=True)
    rows = []
    for (_, snap), state in zip(history.iterrows(), model.snapshot_states):
        model.set_state(state)
        scores = []
        for draw in range(draws):
            ags = model.sample(train.n_haplotypes, seed=1000 + draw)
            scores.append({**score(train, test, ags, seed=draw),
                           **closeness_to_train(ags, train.alleles)})
        row = {"train_seed": train_seed, "epoch": int(snap["epoch"]),
               "kept": int(snap["kept"]), "temperature": snap.get("temperature", np.nan),
               "privacy_loss_val": snap["privacy_loss"],
               **{k: snap[k] for k in PAIRS},
               **{k: float(np.median([s[k] for s in scores])) for k in TEST}}
        rows.append(row)
        print(" ".join(f"{k} {v:.3g}" if isinstance(v, float) else f"{k} {v}"
                       for k, v in row.items()), flush=True)
    return rows


def main(argv=None) -> int:
    parser = splits_parser(__doc__, model="rbm_kstep")
    parser.add_argument("--variant", default="default", choices=list(VARIANTS))
    parser.add_argument("--train-seeds", type=int, nargs="+", default=[1])
    parser.add_argument("--draws", type=int, default=3, help="AG draws per snapshot")
    parser.add_argument("--out", help="write the rows (TSV) here too")
    args = parser.parse_args(argv)
    splits = load_splits(args.splits)
    settings = variant_settings(args.model, args.panel, args.variant)
    rows = []
    for seed in args.train_seeds:
        rows += snapshot_rows(splits, settings, seed, args.draws)
    table = pd.DataFrame(rows)
    if args.out:
        table.to_csv(args.out, sep="\t", index=False)
    print(f"\nSpearman rank correlation over {len(table)} snapshots, validation (one draw) "
          f"against test (median of {args.draws} draws):")
    for val, test in PAIRS.items():
        print(f"  {val} ~ {test}: {spearmanr(table[val], table[test])[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
