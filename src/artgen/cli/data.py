"""Commands that make the data: the built-in cohort, panels cut from VCFs or .hapt files, the
splits, and conversions."""

from __future__ import annotations

import logging
from pathlib import Path

from artgen.cli.common import (add_out, add_panel_file, add_seed, add_unphased, parse_counts,
                               parse_named)
from artgen.errors import InputError

log = logging.getLogger("artgen")


def cmd_simulate_contig(args) -> None:
    from artgen.cohort import simulate_contig, write_contig_vcf

    samples = parse_counts(args.samples)
    ts = simulate_contig(chrom=args.chrom, left=args.left, length=args.length, samples=samples,
                         seed=args.seed, model=args.model)
    log.info("contig %s: %d sites, %d haplotypes", args.chrom, ts.num_sites, ts.num_samples)
    write_contig_vcf(ts, args.chrom, samples, args.out)


def cmd_cohort_panel(args) -> None:
    from artgen.cohort import write_cohort_panel

    write_cohort_panel(parse_counts(args.samples), args.out)


def cmd_fetch(args) -> None:
    from artgen.fetch import fetch_file, fetch_vcf

    (fetch_vcf if args.vcf else fetch_file)(args.source, args.out)


def _write_panel(h, args) -> None:
    from artgen.io import save_haplotypes, write_vcf
    from artgen.io.atomic import all_or_nothing

    log.info("panel: %d SNPs x %d haplotypes", h.n_snps, h.n_haplotypes)
    with all_or_nothing(args.out, args.vcf_out):
        save_haplotypes(h, args.out)
        if args.vcf_out:
            write_vcf(h, args.vcf_out, phased=args.phased)


def cmd_build_panel(args) -> None:
    from artgen.fetch import indexed_vcfs

    if args.n_snps is None and args.kind != "chromosome" and not args.snp_list:
        raise InputError(f"a {args.kind} panel needs --n-snps")
    named = parse_named(args.vcf)
    if args.kind != "informative" and len(named) != 1:
        raise InputError(f"a {args.kind} panel is cut from one chromosome; got {len(named)} VCFs")
    # Panels query VCFs by region: a plain-gzip or unindexed VCF is read from
    # a bgzipped, indexed copy, made as fetch makes it.
    with indexed_vcfs(named, Path(args.out).parent) as vcfs:
        h = _build_panel(vcfs, args)
    _write_panel(h, args)


def _build_panel(vcfs: dict[str, str], args):
    """The panel of ``args.kind`` cut from ``vcfs`` (chromosome -> bgzipped, indexed VCF)."""
    from artgen import panels

    cohort = panels.load_cohort(vcfs.values(), args.panel_file, args.populations)
    log.info("%d samples of %d population(s)", len(cohort.samples), len(set(cohort.pops)))
    if args.kind == "informative":
        if args.snp_list:
            return panels.snp_list_panel(vcfs, cohort, args.snp_list, phased=args.phased)
        return panels.informative_panel(vcfs, cohort, n_snps=args.n_snps,
                                        min_distance=args.min_distance, min_maf=args.min_maf,
                                        group_by=args.group_by, phased=args.phased)
    (chrom, vcf), = vcfs.items()
    if args.kind == "dense":
        return panels.dense_panel(vcf, cohort, chrom=chrom, start=args.start or 1,
                                  n_snps=args.n_snps, min_maf=args.min_maf, phased=args.phased)
    if args.kind == "chromosome":
        return panels.chromosome_panel(vcf, cohort, chrom=chrom, start=args.start,
                                       end=args.end, min_maf=args.min_maf, phased=args.phased)
    return panels.dispersed_panel(vcf, cohort, chrom=chrom, n_snps=args.n_snps,
                                  min_maf=args.min_maf, phased=args.phased)


def cmd_samples_panel(args) -> None:
    from artgen.panels import write_one_population_panel

    write_one_population_panel(args.vcf, args.population, args.out)


def cmd_import_hapt(args) -> None:
    import numpy as np

    from artgen.io import read_hapt

    h = read_hapt(args.hapt, args.legend, args.panel_file)
    if args.populations:
        h = h.take_haplotypes(np.isin(h.pops, args.populations))
        if h.n_haplotypes == 0:
            raise InputError(f"{args.hapt}: no haplotype of population(s) "
                             f"{', '.join(args.populations)}")
    _write_panel(h, args)


def cmd_make_splits(args) -> None:
    from artgen.io import read_panel_file
    from artgen.splits import make_splits, write_splits

    panel = read_panel_file(args.panel_file)
    if args.populations:
        panel = panel[panel["pop"].isin(args.populations)]
    splits = make_splits(panel, seed=args.seed, target_population=args.target,
                         n_impute_targets=args.n_impute_targets,
                         sampling_fraction=args.sampling_fraction,
                         test_fraction=args.test_fraction,
                         validation_fraction=args.validation_fraction)
    for role, n in splits["role"].value_counts().sort_index().items():
        log.info("%s: %d individuals", role, n)
    write_splits(splits, args.out)


def cmd_apply_split(args) -> None:
    from artgen.io import load_haplotypes, save_haplotypes
    from artgen.splits import read_splits, split_haplotypes

    part = split_haplotypes(load_haplotypes(args.panel), read_splits(args.splits), args.split,
                            populations=args.populations)
    log.info("%s: %d haplotypes", args.split, part.n_haplotypes)
    save_haplotypes(part, args.out)


def cmd_convert(args) -> None:
    from artgen.io import load_haplotypes, write_hapt, write_legend, write_vcf

    h = load_haplotypes(args.panel)
    if args.vcf_out:
        write_vcf(h, args.vcf_out, phased=args.phased)
    if args.hapt_out:
        write_hapt(h, args.hapt_out, tag=args.tag)
    if args.legend_out:
        write_legend(h, args.legend_out)


def add_commands(sub) -> None:
    from artgen.splits import SPLIT_NAMES

    p = sub.add_parser("simulate-contig", help="simulate one contig of the built-in cohort")
    p.add_argument("--chrom", required=True,
                   help="human chromosome the contig stands for (its recombination rate is used)")
    p.add_argument("--left", type=int, required=True,
                   help="first position of the contig (1 or more)")
    p.add_argument("--length", type=int, required=True, help="length of the contig in bp")
    p.add_argument("--samples", nargs="+", required=True, metavar="POP=N",
                   help="diploid individuals to simulate per population")
    p.add_argument("--model", default="OutOfAfrica_3G09",
                   help="stdpopsim HomSap demographic model (default: OutOfAfrica_3G09)")
    add_seed(p, "cohort seed (the contig derives its own from it)")
    add_out(p, "bgzipped VCF to write (indexed)")
    p.set_defaults(func=cmd_simulate_contig)

    p = sub.add_parser("cohort-panel", help="panel file of the built-in cohort")
    p.add_argument("--samples", nargs="+", required=True, metavar="POP=N",
                   help="diploid individuals per population, as given to simulate-contig")
    add_out(p, "panel file to write (sample pop super_pop)")
    p.set_defaults(func=cmd_cohort_panel)

    p = sub.add_parser("fetch", help="bring a URL or local input under results/")
    p.add_argument("source", help="URL or local path of the input")
    p.add_argument("out", help="where to put it (a VCF: .vcf.gz, its index beside it)")
    p.add_argument("--vcf", action="store_true", help="the input is a VCF (link and index it)")
    p.set_defaults(func=cmd_fetch)

    p = sub.add_parser("build-panel", help="cut a SNP panel from phased VCFs")
    p.add_argument("kind", choices=["informative", "dense", "dispersed", "chromosome"],
                   help="informative: highest F_ST genome-wide; dense: consecutive SNPs of a "
                        "region; dispersed: spread over a chromosome; chromosome: every SNP of "
                        "a region or chromosome")
    p.add_argument("--vcf", nargs="+", required=True, metavar="CHROM=PATH",
                   help="VCF of each chromosome (plain gzip or unindexed is bgzipped and "
                        "indexed on the fly)")
    add_panel_file(p, "labelling the VCFs' samples", "keep only the samples")
    p.add_argument("--n-snps", type=int, help="number of SNPs (all kinds but chromosome)")
    p.add_argument("--min-maf", type=float, default=0.0,
                   help="keep SNPs with minor allele frequency at least this (default: 0, "
                        "monomorphic SNPs are always dropped)")
    p.add_argument("--min-distance", type=int, default=0,
                   help="informative: bp between SNPs (default: 0)")
    p.add_argument("--group-by", choices=["pop", "super_pop"], default="pop",
                   help="informative: groups F_ST is computed across (default: pop)")
    p.add_argument("--snp-list", help="informative: legend of the SNPs to take instead")
    p.add_argument("--start", type=int, default=None,
                   help="dense, chromosome: first position (default: the chromosome's start)")
    p.add_argument("--end", type=int, default=None,
                   help="chromosome: last position (default: the chromosome's end)")
    add_unphased(p, "the VCFs are unphased: accept '/' genotypes and write an unphased VCF")
    add_out(p, ".npz to write")
    p.add_argument("--vcf-out", help="bgzipped VCF to write too")
    p.set_defaults(func=cmd_build_panel)

    p = sub.add_parser("samples-panel",
                       help="panel file putting every sample of a VCF in one population, for "
                            "a VCF that comes without a panel file")
    p.add_argument("--vcf", required=True, help="VCF whose samples to list (any compression)")
    p.add_argument("--population", required=True,
                   help="population (and super-population) name of every sample")
    add_out(p, "panel file to write (sample pop super_pop)")
    p.set_defaults(func=cmd_samples_panel)

    p = sub.add_parser("import-hapt", help="a panel from a .hapt file, its legend and a panel file")
    p.add_argument("--hapt", required=True, help=".hapt file, one haplotype a row (gzip or not)")
    p.add_argument("--legend", required=True, help="legend of its SNPs (id position a0 a1)")
    add_panel_file(p, "labelling the haplotypes", "keep only the haplotypes")
    add_unphased(p, "write --vcf-out unphased ('/' genotypes)")
    add_out(p, ".npz to write")
    p.add_argument("--vcf-out", help="bgzipped VCF to write too")
    p.set_defaults(func=cmd_import_hapt)

    p = sub.add_parser("make-splits", help="seeded, stratified splits of the individuals")
    add_panel_file(p, "of the individuals to split", "split only the individuals")
    p.add_argument("--target", required=True, help="target (biobank) population")
    p.add_argument("--n-impute-targets", type=int, default=0,
                   help="target individuals held out for imputation (default: 0)")
    for split, default, share in (
            ("sampling", 0.0, "share of each population's rest set aside as the sampling split"),
            ("test", 0.25, "share of what remains held out as the test split"),
            ("validation", 0.0, "share of the training individuals held out as the validation "
                                "split, on which iterative models choose their snapshot")):
        p.add_argument(f"--{split}-fraction", type=float, default=default,
                       help=f"{share} (default: {default:g})")
    add_seed(p, "seed of the splits")
    add_out(p, "splits table (.tsv) to write")
    p.set_defaults(func=cmd_make_splits)

    p = sub.add_parser("apply-split", help="the haplotypes of one split of a panel")
    p.add_argument("--panel", required=True, help=".npz of the whole panel")
    p.add_argument("--splits", required=True, help="splits table (make-splits)")
    p.add_argument("--split", required=True, choices=SPLIT_NAMES, help="which split to take")
    p.add_argument("--populations", nargs="+", help="keep only these populations")
    add_out(p, ".npz to write")
    p.set_defaults(func=cmd_apply_split)

    p = sub.add_parser("convert", help="write a .npz panel as VCF and/or .hapt + legend")
    p.add_argument("panel", help=".npz panel to convert")
    p.add_argument("--vcf-out", help="bgzipped VCF to write (indexed)")
    p.add_argument("--hapt-out", help=".hapt to write (gzip if it ends in .gz)")
    p.add_argument("--legend-out", help="legend of the SNPs (id position a0 a1) to write")
    p.add_argument("--tag", help=".hapt first column (default: population)")
    add_unphased(p, "write the VCF unphased ('/' genotypes)")
    p.set_defaults(func=cmd_convert)
