"""Commands that fit generators and draw AGs from them, whole panels or window by window."""

from __future__ import annotations

import logging

from artgen.cli.common import (add_ag_files, add_like, add_out, add_plan, add_seed, add_threads,
                               add_unphased, parse_settings, write_table)
from artgen.errors import InputError

log = logging.getLogger("artgen")


def cmd_train(args) -> None:
    from artgen import provenance
    from artgen.io import load_haplotypes
    from artgen.models import TrainingRun, make_generator
    from artgen.models.preparation import prepare_model

    data = load_haplotypes(args.data)
    model = make_generator(args.model, **parse_settings(args.set))
    model.use_threads(args.threads)
    start = load_haplotypes(args.start_set) if args.start_set else None
    validation = load_haplotypes(args.validation) if args.validation else None
    reference = load_haplotypes(args.attack_reference) if args.attack_reference else None
    alleles = prepare_model(model, data, phased=args.phased, source=args.data, start=start,
                            start_source=args.start_set, validation=validation,
                            validation_source=args.validation, reference=reference,
                            reference_source=args.attack_reference)
    run = TrainingRun(checkpoint=args.checkpoint, history=args.history)
    try:
        model.fit(alleles, seed=args.seed, run=run)
    except InputError as exc:
        # a window of a chromosome panel is known by its region
        raise InputError(f"{args.data} ({data.chrom[0]}:{data.pos[0]}-{data.pos[-1]}): "
                         f"{exc}") from None
    model.save(args.out, provenance.training(args, data, validation=validation, start=start,
                                             reference=reference))


def cmd_sample(args) -> None:
    import argparse

    from artgen import provenance
    from artgen.io import load_haplotypes
    from artgen.io.atomic import all_or_nothing
    from artgen.models import load_generator
    from artgen.models.preparation import draw_ags

    if len(args.out) > 1 and (args.vcf_out or args.hapt_out):
        raise InputError("--vcf-out and --hapt-out go with one --out (one draw)")
    like = load_haplotypes(args.like)
    model = load_generator(args.model_file)
    n = args.n or like.n_haplotypes
    record = provenance.sampling(args, [args.model_file], [model])
    with all_or_nothing(*args.out, companions=(".tbi", provenance.SUFFIX)):
        for draw, out in enumerate(args.out, start=args.draw):
            alleles, pops = draw_ags(model, n, draw_seed(args.seed, draw), phased=args.phased,
                                     n_snps=like.n_snps, source=args.model_file,
                                     like_source=args.like)
            log.info("sampled %d haplotypes (seed %d, draw %d)", n, args.seed, draw)
            _write_ags(like, alleles, pops, argparse.Namespace(
                out=out, vcf_out=args.vcf_out, hapt_out=args.hapt_out, phased=args.phased),
                {**record, "draw": draw})


def draw_seed(seed: int, draw: int) -> int:
    """The sampling seed of AG draw ``draw`` from one fitted model: ``seed``
    itself for draw 0, else stream ``sample/draw`` of :mod:`artgen.seeds`,
    so that draws are independent streams and draw 0 is what ``--seed``
    alone gives."""
    from artgen import seeds

    if draw < 0:
        raise InputError(f"--draw must be >= 0, got {draw}")
    return seed if draw == 0 else seeds.child(seed, "sample/draw", draw)


def _write_ags(like, alleles, pops, args, record: dict) -> None:
    """Write AGs at the SNPs of ``like`` (.npz, and the VCF and .hapt asked
    for), each with its provenance ``record`` beside it."""
    from artgen import provenance
    from artgen.haplotypes import artificial_ids
    from artgen.io import save_haplotypes, write_hapt, write_vcf
    from artgen.io.atomic import all_or_nothing

    # artificial_ids pairs rows 2i and 2i+1 into one AG individual, as haplotype_rows made them.
    ags = like.with_alleles(alleles, ids=artificial_ids(len(alleles)), pops=pops)
    with all_or_nothing(args.out, args.vcf_out, args.hapt_out,
                        companions=(".tbi", provenance.SUFFIX)):
        save_haplotypes(ags, args.out)
        if args.vcf_out:
            write_vcf(ags, args.vcf_out, phased=args.phased)
        if args.hapt_out:
            write_hapt(ags, args.hapt_out, tag="AG")
        for path in (args.out, args.vcf_out, args.hapt_out):
            if path:
                provenance.write(path, record)


def cmd_plan_windows(args) -> None:
    from artgen.io import load_haplotypes
    from artgen.windows import plan_windows

    data = load_haplotypes(args.data)
    plan = plan_windows(data.alleles, data.chrom, data.pos, window_snps=args.window_snps,
                        overlap_snps=args.overlap_snps, ld_tolerance=args.ld_tolerance)
    log.info("%s: %d SNPs in %d windows of at most %d SNPs, overlap %d", args.data, data.n_snps,
             len(plan), args.window_snps, args.overlap_snps)
    write_table(plan, args.out)


def cmd_cut_window(args) -> None:
    from artgen.io import load_haplotypes, save_haplotypes
    from artgen.windows import read_plan

    data = load_haplotypes(args.data)
    windows = read_plan(args.plan, data.n_snps, args.data)
    if not 0 <= args.window < len(windows):
        raise InputError(f"{args.plan}: no window {args.window} (it has {len(windows)})")
    window = windows[args.window]
    save_haplotypes(data.take_snps(slice(window.start, window.stop)), args.out)


def cmd_stitch(args) -> None:
    from artgen import provenance
    from artgen.io import load_haplotypes
    from artgen.models import load_generator
    from artgen.stitching import stitch
    from artgen.windows import read_plan

    if not args.phased:
        raise InputError("stitching needs phased haplotypes: a chromosome panel's windows "
                         "are joined haplotype by haplotype")
    like = load_haplotypes(args.like)
    windows = read_plan(args.plan, like.n_snps, args.like)
    if len(args.model_files) != len(windows):
        raise InputError(f"{args.plan} has {len(windows)} windows; got {len(args.model_files)} "
                         f"model files")
    models = [load_generator(path) for path in args.model_files]
    labels = [f"window {w.index} ({like.chrom[w.start]}:{like.pos[w.start]}-"
              f"{like.pos[w.stop - 1]}, {path})" for w, path in zip(windows, args.model_files)]
    n = args.n or like.n_haplotypes
    alleles, pops = stitch(models, windows, n, args.seed, labels)
    log.info("stitched %d haplotypes over %d windows (seed %d)", n, len(windows), args.seed)
    _write_ags(like, alleles, pops, args, provenance.sampling(args, args.model_files, models))


def add_commands(sub) -> None:
    p = sub.add_parser("train", help="fit a generator on a split")
    p.add_argument("--model", required=True, help="short name (bernoulli, markov, test, ...)")
    p.add_argument("--data", required=True, help=".npz split to fit on")
    p.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE", help="model settings")
    add_seed(p, "seed of stochastic training", default=0)
    add_threads(p)
    p.add_argument("--checkpoint", help="resumable checkpoint (.npz) of epoch-trained models")
    p.add_argument("--history", help="per-epoch losses and snapshot metrics (.tsv)")
    p.add_argument("--start-set", help=".npz of real haplotypes that start sampling chains")
    p.add_argument("--validation", help=".npz of real haplotypes held out of training, on "
                                        "which iterative models choose their snapshot")
    p.add_argument("--attack-reference",
                   help=".npz of real haplotypes in neither the training nor the validation "
                        "set: the distance attack's null on the validation set is what it "
                        "reads on them (default 0.5)")
    add_unphased(p, "train on individuals, two allele columns per SNP")
    add_out(p, "saved model (.npz)")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("sample", help="artificial haplotypes from a fitted generator")
    p.add_argument("--model-file", required=True, help="fitted generator (train --out)")
    add_like(p, ".npz whose SNPs (and, by default, size) to match")
    add_seed(p, "sampling seed")
    p.add_argument("--draw", type=int, default=0,
                   help="number of the (first) draw from the model (default 0): draw d > 0 "
                        "samples with a seed derived from --seed and d, an independent AG set")
    add_unphased(p, "the model was trained with --unphased; write an unphased VCF")
    add_ag_files(p, ".npz of the AGs; several files: draws --draw, --draw + 1, ... in order",
                 "bgzipped VCF of the AGs (indexed; one --out only)",
                 ".hapt of the AGs (gzip if it ends in .gz; one --out only)", nargs="+")
    p.set_defaults(func=cmd_sample)

    p = sub.add_parser("plan-windows",
                       help="cut a chromosome panel into overlapping windows (a plan table)")
    p.add_argument("--data", required=True,
                   help=".npz of the training haplotypes (for LD-aware seams)")
    p.add_argument("--window-snps", type=int, required=True,
                   help="most SNPs in one window, its overlap included")
    p.add_argument("--overlap-snps", type=int, required=True,
                   help="SNPs a window shares with the one before (what stitching joins on)")
    p.add_argument("--ld-tolerance", type=int, default=0,
                   help="move each seam up to this many SNPs to the point of lowest LD "
                        "(0: evenly spaced seams)")
    add_out(p, "plan table (.tsv) to write")
    p.set_defaults(func=cmd_plan_windows)

    p = sub.add_parser("cut-window", help="the SNPs of one window of a chromosome panel")
    p.add_argument("--data", required=True, help=".npz of the whole panel (or one split of it)")
    add_plan(p)
    p.add_argument("--window", type=int, required=True, help="window index (0-based)")
    add_out(p, ".npz to write")
    p.set_defaults(func=cmd_cut_window)

    p = sub.add_parser("stitch", help="AGs across all windows of a chromosome panel, from "
                                      "one fitted generator per window")
    add_plan(p)
    p.add_argument("--model-files", nargs="+", required=True,
                   help="fitted generator of each window, in window order")
    add_like(p, ".npz of the whole panel whose SNPs (and, by default, size) to match")
    add_seed(p, "sampling seed (each window derives its own from it)")
    add_unphased(p, "refused: windows are stitched haplotype by haplotype")
    add_ag_files(p, ".npz of the stitched AGs", "bgzipped VCF of the stitched AGs (indexed)",
                 ".hapt.gz of the stitched AGs")
    p.set_defaults(func=cmd_stitch)
