"""The GAN on the paper's real 805-SNP data (1000 Genomes): train on
real805's 3:1 split with the settings of ``config/paper.yaml`` (model
``gan`` by default, ``--model gan_paper`` for the paper's own recipe), and
score the kept snapshot's AGs beside the test split and the paper's
released 20,000-epoch GAN AGs. Reports the training wall time: the "time to
quality" of the GAN issue.

    python bench/gan_real805.py DATA_DIR [--model gan] [--epochs N] [--threads 2] \
        [--settings '{"conditional": true}']
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import real805  # noqa: E402

from artgen.models.gan import GANGenerator  # noqa: E402
from artgen.models.gan_trainer import configure_tensorflow  # noqa: E402

COLUMNS = ("af_r", "ld_r", "pairwise_w_ratio", "pca_w2d_ratio", "aa_truth_train",
           "aa_syn_train", "aats_train", "privacy_loss", "identical_to_train", "fixed_sites")



def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data_dir")
    parser.add_argument("--model", default="gan", help="a GAN entry of config/paper.yaml")
    parser.add_argument("--epochs", type=int, help="override the configured epochs")
    parser.add_argument("--settings", default="{}", help="override settings (JSON)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--history", help="write the per-epoch history table here")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    configure_tensorflow(args.threads)

    settings = real805.paper_settings(args.model)
    if args.epochs:
        settings["epochs"] = args.epochs
    settings.update(json.loads(args.settings))
    train, test = real805.load_split(args.data_dir)
    model = GANGenerator(**settings)
    if model.conditional:
        model.set_populations(train.pops)
    began = time.perf_counter()
    model.fit(train.alleles, seed=args.seed)
    seconds = time.perf_counter() - began
    print(f"{args.model}: {json.dumps(model.settings())}")
    print(f"seed {args.seed}, {settings['epochs']} epochs in {seconds:.0f} s "
          f"({seconds / 60:.1f} min) on {args.threads} threads; kept epoch {model.best_epoch}")
    if args.history:
        model.history.to_csv(args.history, sep="\t", index=False)

    reference = real805.test_split_reference(train, test)
    rows = {"test split": {**reference, "pairwise_w_ratio": 1.0, "pca_w2d_ratio": 1.0}}
    ags = model.sample(train.n_haplotypes, seed=args.seed + 1)
    rows[args.model] = real805.score(ags, train, test)
    paper = real805.read_ags(Path(args.data_dir) / "paper_AGs" /
                             "805_SNP_GAN_AG_20000epochs.hapt.zip", train)
    rows["paper's GAN AGs"] = real805.score(paper.alleles[:train.n_haplotypes], train, test)
    for name in (args.model, "paper's GAN AGs"):
        rows[name].update(real805.ratios(rows[name], reference))
    print("\n| AGs | " + " | ".join(COLUMNS) + " |")
    print("|---|" + "---|" * len(COLUMNS))
    for name, m in rows.items():
        print(f"| {name} | " + " | ".join(f"{m.get(k, float('nan')):.4g}" for k in COLUMNS)
              + " |")


if __name__ == "__main__":
    main()
