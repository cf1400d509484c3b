"""The hidden-Markov generator on real 1000 Genomes haplotypes, scored as
the issue asks: several AG draws (median and range), against the training
set and beside a held-out real split as large as the AG set.

* ``agbl4``: the dense chr1 AGBL4 region (``1000G_AGBL4/AGBL4_split1.vcf.gz``,
  1,252 individuals of all five super-populations; indels, structural and
  multi-allelic records dropped), split 3:1 by individual. The other file
  (``AGBL4_split2``, 1,252 other individuals) is the likelihood attack's
  reference set: a second HMM is fitted on it.
* ``805``: the paper's genome-wide 805-SNP panel, split 3:1 by individual
  (``real805.load_split``), conditional on the 26 populations; the likelihood
  attack's reference model is fitted on half of the test split, the other
  half being the non-members.

    python bench/hmm_real.py DATA_DIR [--data agbl4 805] [--draws 5] [--set KEY=VALUE ...]

``DATA_DIR`` holds ``1000G_AGBL4/`` and ``1000G_805/``. With ``--splits
results/splits/dense`` it scores a pipeline panel's splits instead (train,
test; the sampling split is the likelihood attack's reference set), which is
how settings are compared on the built-in cohort.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("POT_BACKEND_DISABLE_TENSORFLOW", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from real805 import load_split, score  # noqa: E402

from artgen.haplotypes import Haplotypes, sample_of  # noqa: E402
from artgen.io.vcf import DropCounts, block_to_haplotypes, concat_blocks, scan_snps, \
    vcf_samples  # noqa: E402
from artgen.models.hmm import HMMGenerator  # noqa: E402
from artgen.stats.attack import roc_auc  # noqa: E402
from artgen.stats.frequencies import bootstrap_fixed_fraction  # noqa: E402

FAMILIES = ("frequencies", "ld", "structure", "distances", "privacy", "attack")
COLUMNS = ("af_r", "ld_r", "fixed_frac", "pairwise_w", "pca_w2d", "aa_truth_train",
           "aa_syn_train", "privacy_loss", "mia_auc", "identical_to_train")


def load_vcf_panel(path) -> tuple[Haplotypes, str]:
    """Biallelic SNPs of a phased VCF (other records dropped and counted)."""
    samples = vcf_samples(path)
    drops = DropCounts()
    block = concat_blocks(scan_snps(path, samples, None, drops), len(samples))
    h = block_to_haplotypes(block, samples, pops=np.full(len(samples), "ALL"))
    keep = np.flatnonzero(h.alleles.any(axis=0) & ~h.alleles.all(axis=0))
    return h.take_snps(keep), drops.summary()


def split_by_individual(h: Haplotypes, seed: int) -> tuple[Haplotypes, Haplotypes]:
    samples = np.array([sample_of(i) for i in h.ids])
    unique = np.unique(samples)
    test = np.random.default_rng(seed).choice(unique, size=len(unique) // 4, replace=False)
    is_test = np.isin(samples, test)
    return h.take_haplotypes(np.flatnonzero(~is_test)), h.take_haplotypes(np.flatnonzero(is_test))


def fit(train: Haplotypes, settings: dict, conditional: bool, seed: int) -> HMMGenerator:
    model = HMMGenerator(conditional=conditional, **settings)
    model.set_map(train.chrom, train.pos)
    if conditional:
        model.set_populations(train.pops)
    return model.fit(train.alleles, seed=seed)


def likelihood_attack(model, reference_model, train, nonmembers, seed) -> float:
    """ROC AUC of log L(model) - log L(reference) for training haplotypes
    (as many as the non-members, drawn at random) against non-members."""
    rng = np.random.default_rng(seed)
    members = train.take_haplotypes(np.sort(rng.choice(train.n_haplotypes,
                                                       size=nonmembers.n_haplotypes,
                                                       replace=False)))
    pops = lambda h: h.pops if model.conditional else None  # noqa: E731

    def scores(h):
        return model.log_likelihood(h.alleles, pops(h)) - \
            reference_model.log_likelihood(h.alleles, pops(h))

    return roc_auc(scores(members), scores(nonmembers))


def evaluate(name, train, test, reference_set, nonmembers, settings, conditional, draws, seed):
    start = time.perf_counter()
    model = fit(train, settings, conditional, seed)
    fit_seconds = time.perf_counter() - start
    kept = model.history[model.history["kept"] == 1].iloc[0]
    reference_model = fit(reference_set, settings, conditional, seed)
    lr_auc = likelihood_attack(model, reference_model, train, nonmembers, seed)
    gap = (model.log_likelihood(train.alleles, train.pops if conditional else None).mean()
           - model.log_likelihood(test.alleles, test.pops if conditional else None).mean())
    # The ceiling: the held-out split itself, scored as an AG set of its size.
    test_row = score(test.alleles, train, test, seed=seed,
                     families=("frequencies", "ld", "structure", "distances"))
    rows = []
    for draw in range(draws):
        n = test.n_haplotypes   # AGs as many as the held-out split: matched sizes
        ags = model.sample(n, seed=1000 + draw)
        labelled = train.with_alleles(ags, ids=np.array([f"AG{i}" for i in range(n)]))
        m = score(labelled.alleles, train, test, seed=draw, families=FAMILIES)
        m["fixed_ratio"] = m["fixed_frac"] / max(bootstrap_fixed_fraction(train.alleles, n), 1e-9)
        m["pairwise_ratio"] = m["pairwise_w"] / test_row["pairwise_w"]
        m["pca_ratio"] = m["pca_w2d"] / test_row["pca_w2d"]
        rows.append(m)
    print(f"\n### {name}: {train.n_haplotypes} training haplotypes x {train.n_snps} SNPs, "
          f"K = {int(kept['k'])} (iteration {int(kept['iteration'])}), fit {fit_seconds:.0f} s")
    print(f"held-out split ({test.n_haplotypes} haplotypes): " + ", ".join(
        f"{k} {test_row[k]:.4g}" for k in ("af_r", "ld_r", "pairwise_w", "pca_w2d")))
    print(f"likelihood attack AUC {lr_auc:.3f}; log-likelihood gap train - test "
          f"{gap:.2f} nats per haplotype\n")
    print("| metric | median | range |\n|---|---|---|")
    for key in (*COLUMNS, "fixed_ratio", "pairwise_ratio", "pca_ratio"):
        values = np.array([r[key] for r in rows], dtype=float)
        print(f"| {key} | {np.median(values):.4g} | [{values.min():.4g}, {values.max():.4g}] |")
    sys.stdout.flush()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data_dir", type=Path, nargs="?")
    parser.add_argument("--data", nargs="+", default=["agbl4", "805"], choices=["agbl4", "805"])
    parser.add_argument("--splits", type=Path, help="a pipeline panel's splits folder instead")
    parser.add_argument("--conditional", action="store_true",
                        help="with --splits: one set of cluster weights per population")
    parser.add_argument("--draws", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE",
                        help="HMM settings (YAML values), e.g. n_states=[16,32]")
    args = parser.parse_args(argv)
    import yaml

    settings = {k: yaml.safe_load(v) for k, v in (item.split("=", 1) for item in args.set)}
    logging.basicConfig(level=logging.WARNING)
    if args.splits:
        from artgen.io import load_haplotypes

        train, test, sampling = (load_haplotypes(args.splits / f"{s}.npz")
                                 for s in ("train", "test", "sampling"))
        evaluate(f"{args.splits} {settings}", train, test, sampling, test, settings,
                 args.conditional, args.draws, args.seed)
        return
    if "agbl4" in args.data:
        folder = args.data_dir / "1000G_AGBL4"
        panel, dropped = load_vcf_panel(folder / "AGBL4_split1.vcf.gz")
        reference, _ = load_vcf_panel(folder / "AGBL4_split2.vcf.gz")
        common = np.intersect1d(panel.pos, reference.pos)
        panel = panel.take_snps(np.flatnonzero(np.isin(panel.pos, common)))
        reference = reference.take_snps(np.flatnonzero(np.isin(reference.pos, common)))
        print(f"AGBL4 split1: {panel.n_snps} biallelic SNPs polymorphic in both files "
              f"(dropped: {dropped})")
        train, test = split_by_individual(panel, args.seed)
        evaluate("AGBL4 (dense, real, mixed populations)", train, test, reference, test,
                 settings, False, args.draws, args.seed)
    if "805" in args.data:
        train, test = load_split(args.data_dir / "1000G_805", seed=args.seed)
        reference, nonmembers = split_by_individual(test, args.seed)
        evaluate("1000G 805 SNPs (genome-wide, 26 populations, conditional)", train, test,
                 reference, nonmembers, settings, True, args.draws, args.seed)


if __name__ == "__main__":
    main()
