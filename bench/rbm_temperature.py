"""The RBM's sampling temperature on a dense panel: the default config's
``rbm`` for that panel kind, trained once per variant and sampling scheme,
scored over several AG draws.

Takes a folder of one panel's splits as the pipeline writes them
(``train.npz``, ``validation.npz``, ``test.npz``, ``sampling.npz``). Each
variant overrides some of the default config's settings (``VARIANTS``); each
scheme is where the chains start (``sampling``: the sampling split, never
trained on; ``train``: the training haplotypes). The model chooses its
snapshot (and, with ``temperature: auto``, calibrates its temperature) on
the validation split. Each draw has as many AGs as the training split has
haplotypes, scored as the metrics table scores them: the held-out fidelity
(``*_ho``: against half of the test split at a matched size, beside the
test split's other half, the ``real`` row), AA halves against the test
split, privacy loss (and at matched sizes) and copies of training haplotypes.

    python bench/rbm_temperature.py results/splits/dense --panel dense \\
        --variants default auto --schemes sampling train --draws 5
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # small matrices: threads only contend

import yaml  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from draw_tables import draw_line, rows_table, summary_markdown  # noqa: E402

from artgen.configuration import model_settings  # noqa: E402
from artgen.evaluate import Settings, compute_family  # noqa: E402
from artgen.haplotypes import artificial_ids  # noqa: E402
from artgen.io import load_haplotypes  # noqa: E402
from artgen.models.rbm import RBMGenerator  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
VARIANTS = {
    "default": {},
    "auto": {"temperature": "auto"},
    "auto_hidden400": {"temperature": "auto", "n_hidden": 400},
}
COLUMNS = ("ld_r_ho", "af_r_ho", "pairwise_w_ho", "aa_truth_test", "aa_syn_test",
           "privacy_loss", "privacy_loss_matched", "identical_to_train")


def score(train, test, alleles, seed: int) -> dict:
    ags = train.with_alleles(alleles, ids=artificial_ids(len(alleles)))
    settings = Settings(seed=seed, n_triplets=500, umap=False)
    metrics = {}
    for family in ("heldout", "distances", "privacy"):
        metrics.update(compute_family(family, train, ags, test, settings)[0])
    return metrics


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("splits", help="folder of one panel's splits")
    parser.add_argument("--panel", default="dense", help="panel kind whose settings to use")
    parser.add_argument("--variants", nargs="+", default=["default", "auto"],
                        choices=list(VARIANTS))
    parser.add_argument("--schemes", nargs="+", default=["sampling"],
                        choices=["sampling", "train"])
    parser.add_argument("--draws", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", help="write the rows (TSV) here too")
    args = parser.parse_args(argv)
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    folder = Path(args.splits)
    splits = {name: load_haplotypes(folder / f"{name}.npz")
              for name in ("train", "validation", "test", "sampling")}
    train, test = splits["train"], splits["test"]
    real = {k: v for k, v in score(train, test, test.alleles, args.seed).items()
            if k.endswith("_ho")}
    print("real vs real:", {k: round(v, 4) for k, v in real.items()}, flush=True)
    rows = []
    for variant in args.variants:
        for scheme in args.schemes:
            settings = {**model_settings(config, "rbm", args.panel), **VARIANTS[variant],
                        "start": scheme}
            model = RBMGenerator(**settings)
            model.set_start_set(splits["sampling"].alleles)
            model.set_validation(splits["validation"].alleles)
            began = time.perf_counter()
            model.fit(train.alleles, seed=args.seed)
            fit_s = time.perf_counter() - began
            print(f"{variant} {scheme}: kept epoch {model.best_epoch}, temperature "
                  f"{model._sampling_temperature:.3f}, {fit_s:.0f} s", flush=True)
            for draw in range(args.draws):
                ags = model.sample(train.n_haplotypes, seed=args.seed * 1000 + draw)
                metrics = score(train, test, ags, seed=draw)
                rows.append({"variant": variant, "scheme": scheme, "draw": draw,
                             "kept_epoch": model.best_epoch,
                             "temperature": model._sampling_temperature,
                             **{k: metrics[k] for k in COLUMNS}})
                print("  draw", draw, draw_line(metrics, COLUMNS), flush=True)
    table = rows_table(rows, args.out)
    print(f"\nmedian [min, max] over {args.draws} draws; real vs real: "
          + ", ".join(f"{k} {v:.3f}" for k, v in real.items()))
    print("\n" + summary_markdown(table, ["variant", "scheme"], COLUMNS, lead={
        "variant": lambda g: g["variant"].iloc[0], "scheme": lambda g: g["scheme"].iloc[0],
        "T": lambda g: f"{g['temperature'].iloc[0]:.2f}"}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
