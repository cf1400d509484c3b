"""How much privacy loss allele frequencies alone make, on the paper's real
805-SNP data: generators that copy no haplotype, scored exactly as the
snapshot-choice bench scores the GAN and the RBM.

A generator that draws every SNP independently at a population's training
allele frequency keeps no haplotype of anyone, yet each training haplotype
makes 1/n of its population's frequencies (n about 108 haplotypes per
population here): its AGs carry that haplotype's alleles a little more
often than a stranger's, over every one of the 805 SNPs. That is the
membership signal of Homer et al. (2008, PLoS Genetics) in allele
frequencies, and nearest-neighbour privacy loss reads it too. Its size sets
the floor of privacy loss for any model that reproduces per-population
frequencies from groups this small.

Rows, over the same split seeds as ``held_out_choice_real805.py``:

- ``bernoulli_pop``: the pipeline's baseline (``bernoulli``, conditional),
  independent SNPs at each population's training frequencies;
- ``bernoulli_superpop``: the same at each super-population's frequencies
  (about 540 haplotypes a group), labels drawn in the training proportions;
- ``bernoulli``: one frequency for everyone;
- ``validation``: real haplotypes never trained on (the validation split,
  474 haplotypes, one set per split seed; only the matched-size privacy
  loss is meaningful for it).

    python bench/privacy_floor_real805.py DATA_DIR [--split-seeds 1 2 3] [--draws 3]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import real805  # noqa: E402
import yaml  # noqa: E402
from draw_tables import draw_line, rows_table, summary_markdown  # noqa: E402
from held_out_choice_real805 import pipeline_splits  # noqa: E402

from artgen.io import read_panel_file  # noqa: E402
from artgen.models.baselines import BernoulliGenerator  # noqa: E402
from artgen.stats.distances import subsample_rows  # noqa: E402

COLUMNS = ("af_r", "ld_r", "pairwise_w_ratio", "pca_w2d_ratio", "aa_truth_test",
           "aa_syn_test", "privacy_loss", "privacy_loss_matched", "mia_auc")
FAMILIES = ("frequencies", "ld", "structure", "distances", "privacy", "attack")


def bernoulli(train, labels):
    model = BernoulliGenerator(conditional=labels is not None)
    if labels is not None:
        model.set_populations(labels)
    return model.fit(train.alleles)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data_dir")
    parser.add_argument("--split-seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--draws", type=int, default=3)
    parser.add_argument("--out", help="write the rows (TSV) here too")
    args = parser.parse_args(argv)
    config = yaml.safe_load((real805.REPO / "config" / "config.yaml").read_text())
    panel = read_panel_file(Path(args.data_dir) / "integrated_call_samples_v3.20130502.ALL.panel")
    super_of = dict(zip(panel["pop"], panel["super_pop"]))
    rows = []
    for split_seed in args.split_seeds:
        parts = pipeline_splits(args.data_dir, split_seed, config)
        train, test = parts["train"], parts["test"]
        reference = real805.test_split_reference(train, test)
        models = {"bernoulli_pop": bernoulli(train, train.pops),
                  "bernoulli_superpop": bernoulli(train, [super_of[p] for p in train.pops]),
                  "bernoulli": bernoulli(train, None)}
        sets = {(name, draw): model.sample(train.n_haplotypes, seed=1000 * split_seed + draw)
                for name, model in models.items() for draw in range(args.draws)}
        sets["validation", 0] = parts["validation"].alleles
        for (name, draw), ags in sets.items():
            metrics = real805.score(ags, train, test, seed=draw, families=FAMILIES)
            metrics["privacy_loss_matched"] = real805.score(
                subsample_rows(ags, min(len(ags), test.n_haplotypes), seed=draw), train, test,
                seed=draw, families=("privacy",))["privacy_loss"]
            metrics.update(real805.ratios(metrics, reference))
            rows.append({"model": name, "split_seed": split_seed, "draw": draw,
                         **{k: metrics[k] for k in COLUMNS}})
            print(name, split_seed, draw, draw_line(metrics, COLUMNS), flush=True)
    table = rows_table(rows, args.out)
    print("\n" + summary_markdown(table, "model", COLUMNS, lead={
        "AGs": lambda g: g["model"].iloc[0], "sets": len}))


if __name__ == "__main__":
    main()
