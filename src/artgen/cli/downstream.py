"""Commands of the downstream analyses: selection scans, imputation, the coalescent comparison and
chromosome painting."""

from __future__ import annotations

import logging
from pathlib import Path

from artgen.cli.common import (add_out, add_panel_name, add_seed, add_threads, keyed, parse_named,
                               population, target_haplotypes, write_table)
from artgen.errors import InputError

log = logging.getLogger("artgen")


def cmd_selection(args) -> None:
    import pandas as pd

    from artgen.evaluate import tidy_metrics
    from artgen.io import load_haplotypes
    from artgen.selection import compare_scans, selection_scan

    panel = load_haplotypes(args.panel)
    complement = population(panel, args.complement, args.panel)
    outgroup = population(panel, args.outgroup, args.panel)
    real = target_haplotypes(load_haplotypes(args.real), args.target, args.real)

    def scan(h):
        return selection_scan(h, complement, outgroup, window=args.window, step=args.step)

    real_scan = scan(real)
    scans, metrics = [real_scan.assign(dataset="real")], []
    for name, path in parse_named(args.ags).items():
        ag_scan = scan(load_haplotypes(path))
        scans.append(ag_scan.assign(dataset=name))
        found = compare_scans(real_scan, ag_scan, quantile=args.quantile)
        found = {k: found[k] for k in ("xpehh_r", "pbs_r", "xpehh_peak_overlap",
                                       "pbs_peak_overlap")}
        log.info("%s: %s", name, "  ".join(f"{k} {v:.3f}" for k, v in found.items()))
        metrics.append(tidy_metrics(found, panel=args.panel_name, model=name, seed=args.seed))
    table = pd.concat(scans, ignore_index=True)
    write_table(table[["dataset"] + [c for c in table.columns if c != "dataset"]], args.scans_out)
    write_table(pd.concat(metrics, ignore_index=True) if metrics
                else tidy_metrics({}, panel=args.panel_name, model="", seed=args.seed),
                args.metrics_out)


def cmd_impute(args) -> None:
    import tempfile

    import numpy as np

    from artgen.imputation import impute_and_score
    from artgen.io import load_haplotypes

    train = target_haplotypes(load_haplotypes(args.train), args.target, args.train)
    targets = target_haplotypes(load_haplotypes(args.targets), args.target, args.targets)
    maf = np.minimum(train.alleles.mean(axis=0), 1 - train.alleles.mean(axis=0))
    if args.model_file:
        scores = _impute_from_model(args, targets, maf)
    else:
        reference = _imputation_reference(args, train)
        log.info("reference %s: %d haplotypes; %d target individuals", args.reference,
                 reference.n_haplotypes, targets.n_haplotypes // 2)
        with tempfile.TemporaryDirectory(prefix=".beagle-", dir=Path(args.out).parent) as work:
            scores = impute_and_score(reference, targets, density=args.density, maf=maf,
                                      workdir=work, seed=args.seed, threads=args.threads,
                                      memory_gb=args.memory_gb)
    for row in scores.classes.itertuples():
        log.info("%s: r2 %.3f over %d SNPs (MAF %s)", args.reference, row.r2, row.n_r2,
                 row.maf_class)
    keys = {"panel": args.panel_name, "reference": args.reference, "seed": args.seed}
    write_table(keyed(scores.bins, **keys), args.out)
    if args.classes_out:
        write_table(keyed(scores.classes, **keys), args.classes_out)


def _imputation_reference(args, train):
    """Beagle's reference panel: the other populations of ``--panel``
    (unless ``--no-others``), + the real target training haplotypes
    (``--add-train``, or the reference named ``perfect``), + the AGs (``--ags``)."""
    from artgen.imputation import combine_panels
    from artgen.io import load_haplotypes

    sets = []
    if not args.no_others:
        if not args.panel:
            raise InputError("a reference panel with the other populations needs --panel")
        panel = load_haplotypes(args.panel)
        others = panel.take_haplotypes(panel.pops != args.target)
        if others.n_haplotypes == 0:
            raise InputError(f"{args.panel}: no populations besides {args.target} "
                             "to make a reference panel of")
        sets.append(others)
    if args.add_train or args.reference == "perfect":
        sets.append(train)
    if args.ags:
        sets.append(load_haplotypes(args.ags))
    elif args.reference not in ("alone", "perfect") and not args.add_train:
        raise InputError(f"reference {args.reference!r} needs --ags (the model's AGs)")
    if not sets:
        raise InputError(f"reference {args.reference!r} is empty: --no-others leaves the other "
                         f"populations out, so give --add-train or --ags")
    return combine_panels(*sets)


def _impute_from_model(args, targets, maf):
    """The quality table of the targets imputed by the model of ``--model-file``
    itself (its posterior allele probabilities; no Beagle, no reference panel)."""
    from artgen.imputation import impute_from_model_and_score
    from artgen.models import load_generator
    from artgen.models.preparation import known_populations

    if args.ags or args.add_train or args.no_others:
        raise InputError("--model-file imputes with the model alone; it takes no --ags, "
                         "--add-train or --no-others")
    model = load_generator(args.model_file)
    if not callable(getattr(model, "allele_probabilities", None)):
        raise InputError(f"{args.model_file}: a {model.name} model cannot impute (it has no "
                         f"allele_probabilities)")
    model.use_threads(args.threads)
    populations = known_populations(targets.pops, model)
    log.info("reference %s: the %s model of %s, %d target individuals", args.reference,
             model.name, args.model_file, targets.n_haplotypes // 2)
    return impute_from_model_and_score(model, targets, density=args.density, maf=maf,
                                       populations=populations)


def cmd_imputation_table(args) -> None:
    from artgen.imputation_quality import relative_to_real

    write_table(_stacked(args.bins), args.out)
    write_table(relative_to_real(_stacked(args.classes)), args.classes_out)


def _stacked(paths):
    """Tab-separated tables with the same columns, one under the other."""
    import pandas as pd

    frames = [pd.read_csv(p, sep="\t") for p in paths]
    columns = [list(f.columns) for f in frames]
    if any(c != columns[0] for c in columns):
        bad = next(p for p, c in zip(paths, columns) if c != columns[0])
        raise InputError(f"{bad}: columns differ from those of {paths[0]}")
    return pd.concat(frames, ignore_index=True)


def cmd_coalescent(args) -> None:
    from artgen.coalescent import compare, simulate_region
    from artgen.evaluate import tidy_metrics
    from artgen.io import load_haplotypes, save_haplotypes

    real = target_haplotypes(load_haplotypes(args.real), args.population, args.real)
    if len(set(real.chrom)) != 1:
        raise InputError(f"{args.real}: the coalescent comparison needs a one-chromosome panel")
    left, right = int(real.pos.min()), int(real.pos.max())
    n = args.n_haplotypes or real.n_haplotypes - real.n_haplotypes % 2
    sim = simulate_region(chrom=str(real.chrom[0]), left=left, length=right - left + 1,
                          n_haplotypes=n, population=args.population, model=args.model,
                          seed=args.seed)
    log.info("simulated %d haplotypes x %d SNPs of chr%s:%d-%d", sim.n_haplotypes, sim.n_snps,
             real.chrom[0], left, right)
    metrics, tables = compare(real, sim, min_freq=args.min_freq, seed=args.seed)
    for name, value in metrics.items():
        log.info("%s = %.4g", name, value)
    save_haplotypes(sim, args.sim_out)
    out = Path(args.tables_dir)
    for name, table in tables.items():
        write_table(table, out / f"{name}.tsv")
    write_table(tidy_metrics(metrics, panel=args.panel_name, model="coalescent", seed=args.seed),
                args.metrics_out)


def cmd_paint(args) -> None:
    import pandas as pd

    from artgen.imputation import combine_panels
    from artgen.io import load_haplotypes
    from artgen.stats.distances import subsample_rows
    from artgen.stats.painting import painting_shares

    panel = load_haplotypes(args.panel)
    target_donors = target_haplotypes(load_haplotypes(args.target_donors), args.target,
                                      args.target_donors)
    donors = combine_panels(panel.take_haplotypes(panel.pops != args.target), target_donors)
    recipients = {"real": target_haplotypes(load_haplotypes(args.real), args.target, args.real)}
    recipients.update({name: load_haplotypes(path) for name, path in parse_named(args.ags).items()})
    shares = []
    for name, h in recipients.items():
        n = min(args.n_recipients, h.n_haplotypes)
        chosen = subsample_rows(h.alleles, n, args.seed) if n < h.n_haplotypes else h.alleles
        share = painting_shares(chosen, donors.alleles, donors.pops, donors.chrom, donors.pos)
        log.info("%s (%d haplotypes): %s", name, n, "  ".join(
            f"{row.donor_pop} {row.share:.3f}" for row in share.itertuples()))
        shares.append(share.assign(dataset=name, n_recipients=n))
    table = pd.concat(shares, ignore_index=True)[["dataset", "donor_pop", "share", "n_recipients"]]
    write_table(keyed(table, panel=args.panel_name, seed=args.seed), args.out)


def add_commands(sub) -> None:
    p = sub.add_parser("selection", help="XP-EHH and PBS scans, real target vs AGs")
    p.add_argument("--panel", required=True, help="the whole panel (.npz): partner populations")
    p.add_argument("--real", required=True, help="real target haplotypes (.npz)")
    p.add_argument("--ags", nargs="*", default=[], metavar="MODEL=PATH",
                   help="AG sets (.npz) to scan and compare with the real scan (default: none)")
    p.add_argument("--target", required=True, help="target population")
    p.add_argument("--complement", required=True, help="XP-EHH partner, first PBS outgroup")
    p.add_argument("--outgroup", required=True, help="second PBS outgroup")
    p.add_argument("--window", type=int, default=10, help="PBS window in SNPs (default: 10)")
    p.add_argument("--step", type=int, default=5, help="PBS window step in SNPs (default: 5)")
    p.add_argument("--quantile", type=float, default=0.99, help="peaks: scores above it")
    add_panel_name(p, "panel name (for the tidy table)")
    add_seed(p, "seed recorded in the tidy table (default: 0)", default=0)
    p.add_argument("--scans-out", required=True,
                   help="XP-EHH and PBS scores of the real target and each AG set (.tsv)")
    p.add_argument("--metrics-out", required=True, help="tidy metrics (.tsv)")
    p.set_defaults(func=cmd_selection)

    p = sub.add_parser("impute", help="imputation of held-out targets (Beagle against a "
                                      "reference panel, or a model's own posterior), quality "
                                      "per MAF bin and class")
    p.add_argument("--panel", help="the whole panel (.npz): other populations")
    p.add_argument("--train", required=True, help="real target training haplotypes (.npz)")
    p.add_argument("--targets", required=True, help="held-out target individuals (.npz)")
    p.add_argument("--reference", required=True,
                   help="name of the reference in the table: alone (other populations), "
                        "perfect (+ train), or a name given with --ags, --add-train, "
                        "--model-file")
    p.add_argument("--ags", help="the model's AGs (.npz) added to the reference panel")
    p.add_argument("--add-train", action="store_true",
                   help="add the real target training haplotypes to the reference panel")
    p.add_argument("--no-others", action="store_true",
                   help="leave the other populations out: the training haplotypes or the AGs "
                        "alone are the reference panel")
    p.add_argument("--model-file",
                   help="a saved model that imputes (hmm): impute from its posterior allele "
                        "probabilities instead of with Beagle")
    p.add_argument("--target", required=True, help="target population")
    p.add_argument("--density", type=float, required=True, help="share of sites typed")
    add_panel_name(p, "panel name (for the table)")
    add_seed(p, "Beagle's seed (default: 0)", default=0)
    add_threads(p, default=1)
    p.add_argument("--memory-gb", type=int, default=2,
                   help="Beagle's Java memory in GB (default: 2)")
    add_out(p, "imputation quality per MAF bin (.tsv)")
    p.add_argument("--classes-out",
                   help="imputation quality over all imputed sites and per MAF class: "
                        "<1%%, 1-5%%, >5%% (.tsv)")
    p.set_defaults(func=cmd_impute)

    p = sub.add_parser("imputation-table",
                       help="stack the references' imputation tables; r2 per MAF class as a "
                            "share of the real panel's")
    p.add_argument("--bins", nargs="+", required=True,
                   help="per-reference quality per MAF bin (.tsv from impute --out)")
    p.add_argument("--classes", nargs="+", required=True,
                   help="per-reference quality per MAF class (.tsv from impute --classes-out)")
    add_out(p, "the stacked per-bin table (.tsv)")
    p.add_argument("--classes-out", required=True,
                   help="the stacked per-class table with r2_vs_real (.tsv)")
    p.set_defaults(func=cmd_imputation_table)

    p = sub.add_parser("coalescent", help="simulate the panel's region and compare with it")
    p.add_argument("--real", required=True, help="real target haplotypes (.npz)")
    p.add_argument("--population", required=True, help="the simulated population (the target)")
    p.add_argument("--model", default="OutOfAfrica_3G09",
                   help="stdpopsim HomSap model (default: OutOfAfrica_3G09)")
    p.add_argument("--min-freq", type=float, default=0.1,
                   help="compare SNPs with minor allele frequency at least this (default: 0.1)")
    p.add_argument("--n-haplotypes", type=int,
                   help="haplotypes to simulate (default: as many as --real has)")
    add_seed(p, "seed of the simulation and comparison (default: 0)", default=0)
    add_panel_name(p, "panel name (for the tidy table)")
    p.add_argument("--sim-out", required=True, help="simulated haplotypes (.npz)")
    p.add_argument("--tables-dir", required=True, help="folder for sfs/ld_decay/pca.tsv")
    p.add_argument("--metrics-out", required=True, help="tidy metrics (.tsv)")
    p.set_defaults(func=cmd_coalescent)

    p = sub.add_parser("paint", help="chromosome painting of real and AG target haplotypes")
    p.add_argument("--panel", required=True, help="the whole panel (.npz): donor populations")
    p.add_argument("--target-donors", required=True,
                   help="target-population donors never trained on (.npz, the sampling split)")
    p.add_argument("--real", required=True, help="real target haplotypes (.npz)")
    p.add_argument("--ags", nargs="*", default=[], metavar="MODEL=PATH",
                   help="AG sets (.npz) to paint besides the real ones (default: none)")
    p.add_argument("--target", required=True, help="target population")
    p.add_argument("--n-recipients", type=int, default=100,
                   help="haplotypes painted per set, a seeded sample (default: 100)")
    add_seed(p, "seed of the recipients' sample (default: 0)", default=0)
    add_panel_name(p, "panel name (for the table)")
    add_out(p, "donor-population shares per set (.tsv)")
    p.set_defaults(func=cmd_paint)
