"""The snapshot choice on held-out haplotypes, on the paper's real 805-SNP
data: the default config's ``gan`` or ``rbm`` (its informative-panel
settings) trained as the pipeline trains it, over several split seeds and
AG draws, scored against the test split.

Each split seed splits the 1000 Genomes individuals as the pipeline does
(:func:`artgen.splits.make_splits`, stratified by population, with the
default config's fractions: test, sampling and a validation split out of
the training individuals). The model is fitted on the train split and
chooses its snapshot on the validation split; the RBM's chains start at the
sampling split. Each AG draw has as many AGs as the training split has
haplotypes (as the pipeline draws them), and is scored as the pipeline
scores it (:func:`real805.score`): fidelity to the training set, AATS and
privacy loss against the test split, the distance attack (training
haplotypes as members, half the test split as non-members), and pairwise W
and PCA W as ratios to the test split's own values (held-out real data
against the same training set). ``privacy_loss`` compares the AGs with the
whole training set and, in parts, with the test split
(:func:`artgen.stats.privacy.privacy_loss`); ``privacy_loss_matched``
compares a random test-split-size subset of the AGs with as many training haplotypes
as test ones, the same size on both sides.
The splits are stratified by population, so the test split has the
training set's population mix, as the AGs have: its pairwise W and PCA W
are small (0.42 and 0.0003 at split seed 1, against 5.13 and 0.006 for an
unstratified 3:1 split of the same data, most of which is the chance
population mix of the test split).

    python bench/held_out_choice_real805.py DATA_DIR --model gan [--split-seeds 1 2 3] \
        [--draws 3] [--threads 1] [--out rows.tsv]

Prints one row per (split seed, draw) and the median [min, max] of each
column over all of them.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import real805  # noqa: E402
import yaml  # noqa: E402
from draw_tables import draw_line, rows_table  # noqa: E402

from artgen.configuration import model_settings  # noqa: E402
from artgen.io import read_panel_file  # noqa: E402
from artgen.models import make_generator  # noqa: E402
from artgen.splits import make_splits, split_haplotypes  # noqa: E402
from artgen.stats.distances import subsample_rows  # noqa: E402

COLUMNS = ("af_r", "ld_r", "pairwise_w", "pca_w2d", "pairwise_w_ratio", "pca_w2d_ratio",
           "aa_truth_test", "aa_syn_test",
           "aats_train", "aats_test", "privacy_loss", "privacy_loss_matched", "mia_auc",
           "identical_to_train")


def pipeline_splits(data_dir, seed: int, config: dict) -> dict:
    """The real haplotypes split as the pipeline splits them (no imputation targets)."""
    real = real805.load_real(data_dir)
    panel = read_panel_file(Path(data_dir) / "integrated_call_samples_v3.20130502.ALL.panel")
    panel = panel.loc[panel.index.isin(real.samples)]
    fractions = {k: v for k, v in config["splits"].items() if k.endswith("_fraction")}
    table = make_splits(panel, seed=seed, target_population=panel["pop"].iloc[0],
                        n_impute_targets=0, **fractions)
    return {name: split_haplotypes(real, table, name)
            for name in ("train", "validation", "test", "sampling")}


def fit(name: str, config: dict, parts: dict, seed: int, threads: int):
    settings = model_settings(config, name, "informative")
    generator = config["models"][name].get("model", name)
    model = make_generator(generator, **settings)
    model.use_threads(threads)
    train = parts["train"]
    if getattr(model, "conditional", False):
        model.set_populations(train.pops)
    if settings.get("start") == "sampling":
        model.set_start_set(parts["sampling"].alleles)
    model.set_validation(parts["validation"].alleles, parts["validation"].pops)
    began = time.perf_counter()
    model.fit(train.alleles, seed=seed)
    return model, time.perf_counter() - began


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data_dir")
    parser.add_argument("--model", default="gan", help="a model of config/config.yaml")
    parser.add_argument("--split-seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--draws", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", help="write the rows (TSV) here too")
    parser.add_argument("--models-dir", help="save each fitted model here ({model}.s{seed}.npz)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    config = yaml.safe_load((real805.REPO / "config" / "config.yaml").read_text())
    rows = []
    for split_seed in args.split_seeds:
        parts = pipeline_splits(args.data_dir, split_seed, config)
        train, test = parts["train"], parts["test"]
        model, seconds = fit(args.model, config, parts, seed=config["seed"], threads=args.threads)
        if args.models_dir:
            model.save(Path(args.models_dir) / f"{args.model}.s{split_seed}.npz")
        kept = model.history.loc[model.history["kept"] == 1].iloc[0]
        print(f"split seed {split_seed}: train {train.n_haplotypes}, validation "
              f"{parts['validation'].n_haplotypes}, test {test.n_haplotypes}, sampling "
              f"{parts['sampling'].n_haplotypes} haplotypes; {seconds / 60:.1f} min; kept "
              f"epoch {model.best_epoch} (validation privacy loss {kept['privacy_loss']:.3f}, "
              f"attack AUC {kept['attack_auc']:.3f})", flush=True)
        reference = real805.test_split_reference(train, test)
        print(f"  test split against train: pairwise W {reference['pairwise_w']:.4g}, PCA W "
              f"{reference['pca_w2d']:.4g}, AF r {reference['af_r']:.4f}, LD r "
              f"{reference['ld_r']:.4f}", flush=True)
        for draw in range(args.draws):
            ags = model.sample(train.n_haplotypes, seed=1000 * split_seed + draw)
            metrics = real805.score(ags, train, test, families=(
                "frequencies", "ld", "structure", "distances", "privacy", "attack"))
            # A random subset: a conditional model's AGs come population by population.
            metrics["privacy_loss_matched"] = real805.score(
                subsample_rows(ags, test.n_haplotypes, seed=draw), train, test,
                families=("privacy",))["privacy_loss"]
            metrics.update(real805.ratios(metrics, reference))
            rows.append({"split_seed": split_seed, "draw": draw, "kept_epoch": model.best_epoch,
                         **{k: metrics[k] for k in COLUMNS}})
            print("  draw", draw, draw_line(metrics, COLUMNS), flush=True)
    table = rows_table(rows, args.out)
    print(f"\n{args.model}: median [min, max] over {len(table)} AG sets "
          f"({len(args.split_seeds)} split seeds x {args.draws} draws)\n")
    print("| metric | median | range |\n|---|---|---|")
    for k in COLUMNS:
        values = table[k].to_numpy(dtype=float)
        print(f"| {k} | {np.median(values):.4g} | [{values.min():.4g}, {values.max():.4g}] |")


if __name__ == "__main__":
    main()
