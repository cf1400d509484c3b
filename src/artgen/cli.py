"""Command-line interface: one subcommand per pipeline step, called by the
Snakemake rules (and usable on its own).

Input errors print ``error: <file>: <what is wrong>`` and exit with status 2;
a missing external tool exits with status 3. No subcommand leaves a partial
output behind.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from artgen import __version__
from artgen.errors import InputError
from artgen.tools import MissingToolError

log = logging.getLogger("artgen")


def parse_counts(items: list[str]) -> dict[str, int]:
    """``["YRI=100", "CEU=400"]`` -> ``{"YRI": 100, "CEU": 400}``."""
    counts = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not value.isdigit():
            raise InputError(f"expected POP=N, got {item!r}")
        counts[name] = int(value)
    return counts


def parse_named(items: list[str], form: str = "NAME=PATH") -> dict[str, str]:
    """``["15=chr15.vcf.gz"]`` -> ``{"15": "chr15.vcf.gz"}`` (order kept)."""
    named = {}
    for item in items:
        name, sep, path = item.partition("=")
        if not sep or not name or not path:
            raise InputError(f"expected {form}, got {item!r}")
        named[name] = path
    return named


def write_table(frame, path) -> None:
    """Write a tab-separated table atomically (the one way tables are written)."""
    from artgen.io.atomic import atomic_output

    with atomic_output(path) as tmp:
        frame.to_csv(tmp, sep="\t", index=False)


def keyed(table, **keys):
    """``table`` with constant key columns (``panel``, ``model``, ``seed``...)
    put first, in the order given, so side tables line up with the metrics table."""
    return table.assign(**keys)[list(keys) + [c for c in table.columns if c not in keys]]


def population(h, name: str, source):
    """The haplotypes of population ``name`` in ``h``, or an InputError."""
    chosen = h.take_haplotypes(h.pops == name)
    if chosen.n_haplotypes == 0:
        raise InputError(f"{source}: no haplotypes of population {name!r} "
                         f"(it has {', '.join(sorted(set(h.pops))) or 'no labels'})")
    return chosen


def target_haplotypes(h, target: str, source):
    """``h`` if all its haplotypes are of the target population, else an
    InputError: AGs of a model that learned several populations cannot
    stand in for the target population."""
    others = sorted(set(h.pops) - {target})
    if others:
        raise InputError(f"{source}: has haplotypes of {', '.join(others)} besides the target "
                         f"population {target}; set the panel's train_populations to "
                         f"[{target}] so that its models learn the target population only")
    return h


# --- subcommands ---------------------------------------------------------------------------


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


def parse_settings(items: list[str]) -> dict:
    """``["window=5", "name=x"]`` -> ``{"window": 5, "name": "x"}`` (values parsed as YAML)."""
    import yaml

    settings = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise InputError(f"expected KEY=VALUE, got {item!r}")
        settings[key] = yaml.safe_load(value)
    return settings


def model_rows(h, phased: bool):
    """The rows a model sees: haplotypes, or for unphased data the paper's
    layout, one row per individual with two columns per SNP."""
    from artgen.genotypes import genotype_rows

    return h.alleles if phased else genotype_rows(h.alleles, h.ids)


def row_populations(h, phased: bool):
    """The population label of each of :func:`model_rows`' rows (unphased
    rows are individuals, pairs of haplotypes)."""
    return h.pops if phased else h.pops[0::2]


def prepare_model(model, data, *, phased: bool, source, start=None, start_source=None,
                  validation=None, validation_source=None):
    """Set ``model`` up to be fitted on ``data`` (Haplotypes read from
    ``source``) and return the rows to fit it on: the start set of a model
    that samples from one, the validation set of a model that chooses its
    snapshot on one, the population labels of a conditional model, the
    genetic map of a model that needs the SNPs' positions. The one
    preparation of ``train`` and of every refit of a saved model's kind (the
    likelihood attack's reference model)."""
    import numpy as np

    if start is not None:
        if not hasattr(model, "set_start_set"):
            raise InputError(f"model {model.name} does not take a start set")
        if not np.array_equal(start.pos, data.pos):
            raise InputError(f"{start_source}: not at the SNPs of {source}")
        model.set_start_set(model_rows(start, phased))
    if getattr(model, "conditional", False):
        labels = row_populations(data, phased)
        if not all(labels):
            raise InputError(f"{source}: a conditional model needs every haplotype's "
                             f"population label; some are missing")
        model.set_populations(labels)
    if validation is not None:
        if not hasattr(model, "set_validation"):
            raise InputError(f"model {model.name} does not take a validation set (only models "
                             f"trained in iterations choose a snapshot on one)")
        if not np.array_equal(validation.pos, data.pos):
            raise InputError(f"{validation_source}: not at the SNPs of {source}")
        labels = row_populations(validation, phased)
        model.set_validation(model_rows(validation, phased), labels if all(labels) else None)
    if hasattr(model, "set_map"):  # models that need the SNPs' genetic positions
        per_snp = 1 if phased else 2
        model.set_map(np.repeat(data.chrom, per_snp), np.repeat(data.pos, per_snp))
    alleles = model_rows(data, phased)
    if phased:
        log.info("fitting %s on %d haplotypes x %d SNPs", model.name, data.n_haplotypes,
                 data.n_snps)
    else:
        log.info("fitting %s on %d individuals x %d allele columns (unphased, %d SNPs)",
                 model.name, alleles.shape[0], alleles.shape[1], data.n_snps)
    return alleles


def cmd_train(args) -> None:
    from artgen.io import load_haplotypes
    from artgen.models import TrainingRun, make_generator

    data = load_haplotypes(args.data)
    model = make_generator(args.model, **parse_settings(args.set))
    model.use_threads(args.threads)
    start = load_haplotypes(args.start_set) if args.start_set else None
    validation = load_haplotypes(args.validation) if args.validation else None
    alleles = prepare_model(model, data, phased=args.phased, source=args.data, start=start,
                            start_source=args.start_set, validation=validation,
                            validation_source=args.validation)
    run = TrainingRun(checkpoint=args.checkpoint, history=args.history)
    try:
        model.fit(alleles, seed=args.seed, run=run)
    except InputError as exc:
        # a window of a chromosome panel is known by its region
        raise InputError(f"{args.data} ({data.chrom[0]}:{data.pos[0]}-{data.pos[-1]}): "
                         f"{exc}") from None
    model.save(args.out)


def known_populations(labels, *models):
    """``labels`` (one per row) when every model is conditional and knows all
    of them, so that each row is scored under its own population; else None
    (a conditional model then scores under its mixture of populations)."""
    if not all(getattr(m, "conditional", False) for m in models) or not len(labels):
        return None
    for m in models:
        known = getattr(m, "populations", None)
        if known is None or not set(labels) <= set(known):
            return None
    return labels


def cmd_likelihood_attack(args) -> None:
    from artgen.evaluate import tidy_metrics
    from artgen.io import load_haplotypes
    from artgen.models import load_generator, make_generator
    from artgen.stats.attack import likelihood_ratio_attack

    model = load_generator(args.model_file)
    if not callable(getattr(model, "log_likelihood", None)):
        raise InputError(f"{args.model_file}: a {model.name} model has no likelihood; the "
                         f"likelihood-ratio attack needs one")
    train, test, held_out = (load_haplotypes(p) for p in
                             (args.train, args.test, args.reference_set))
    # The reference model: the same kind and settings, fitted on haplotypes
    # the model never saw, exactly as train fits a model.
    reference = make_generator(model.name, **model.settings())
    model.use_threads(args.threads)
    reference.use_threads(args.threads)
    rows = prepare_model(reference, held_out, phased=args.phased, source=args.reference_set)
    reference.fit(rows, seed=args.seed)
    train_pops, test_pops = (known_populations(row_populations(h, args.phased), model, reference)
                             for h in (train, test))
    if train_pops is None or test_pops is None:  # members and non-members scored alike
        train_pops = test_pops = None
    if getattr(model, "conditional", False):
        log.info("conditional models: rows scored %s", "under their own population"
                 if train_pops is not None and test_pops is not None
                 else "under each model's mixture of populations")
    metrics = likelihood_ratio_attack(model, reference, model_rows(train, args.phased),
                                      model_rows(test, args.phased), seed=args.seed,
                                      train_populations=train_pops, test_populations=test_pops)
    for name, value in metrics.items():
        log.info("likelihood %s %s: %s = %.6g", args.panel, args.model, name, value)
    write_table(tidy_metrics(metrics, panel=args.panel, model=args.model, seed=args.seed),
                args.out)


def cmd_plot_training(args) -> None:
    import pandas as pd

    from artgen.plots import plot_training_history

    plot_training_history(pd.read_csv(args.history, sep="\t"), args.out, title=args.title)


def cmd_sample(args) -> None:
    import argparse

    from artgen.io import load_haplotypes
    from artgen.io.atomic import all_or_nothing
    from artgen.models import load_generator

    if len(args.out) > 1 and (args.vcf_out or args.hapt_out):
        raise InputError("--vcf-out and --hapt-out go with one --out (one draw)")
    like = load_haplotypes(args.like)
    model = load_generator(args.model_file)
    with all_or_nothing(*args.out):
        for draw, out in enumerate(args.out, start=args.draw):
            alleles, pops = _sample_draw(model, like, args, draw)
            _write_ags(like, alleles, pops, argparse.Namespace(
                out=out, vcf_out=args.vcf_out, hapt_out=args.hapt_out, phased=args.phased))


def _sample_draw(model, like, args, draw: int):
    """One AG set of ``model`` at the SNPs of ``like``: ``(alleles, pops)``."""
    import numpy as np

    from artgen.genotypes import haplotype_rows

    n = args.n or like.n_haplotypes
    seed = draw_seed(args.seed, draw)

    def sample(count: int):
        try:
            return model.sample(count, seed=seed)
        except InputError as error:  # e.g. more than a held-out reference holds
            raise InputError(f"{args.model_file}: {error}") from None

    if args.phased:
        alleles = sample(n)
        if alleles.shape[1] != like.n_snps:
            hint = ("; was it trained with --unphased? Then sample with --unphased too"
                    if alleles.shape[1] == 2 * like.n_snps else "")
            raise InputError(f"{args.model_file}: model has {alleles.shape[1]} SNPs, "
                             f"{args.like} has {like.n_snps}{hint}")
    else:
        # The model draws individuals (two columns per SNP); each gives two rows.
        if n % 2:
            raise InputError(f"--unphased draws whole individuals: the number of haplotypes "
                             f"must be even, got {n}")
        genotypes = sample(n // 2)
        if genotypes.shape[1] != 2 * like.n_snps:
            raise InputError(f"{args.model_file}: model has {genotypes.shape[1]} allele columns, "
                             f"unphased {args.like} needs {2 * like.n_snps} (two per SNP); "
                             f"was it trained without --unphased?")
        alleles = haplotype_rows(genotypes)
    # A conditional model labels its AGs with their populations (per individual if unphased).
    pops = model.sample_populations(n if args.phased else n // 2) \
        if hasattr(model, "sample_populations") else None
    if pops is not None and not args.phased:
        pops = np.repeat(pops, 2)
    log.info("sampled %d haplotypes (seed %d, draw %d)", n, args.seed, draw)
    return alleles, pops


def draw_seed(seed: int, draw: int) -> int:
    """The sampling seed of AG draw ``draw`` from one fitted model: ``seed``
    itself for draw 0, else the first word of ``SeedSequence([seed, draw])``,
    so that draws are independent streams and draw 0 is what ``--seed``
    alone gives."""
    import numpy as np

    if draw < 0:
        raise InputError(f"--draw must be >= 0, got {draw}")
    return seed if draw == 0 else int(np.random.SeedSequence([seed, draw]).generate_state(1)[0])


def _write_ags(like, alleles, pops, args) -> None:
    """Write AGs at the SNPs of ``like`` (.npz, and the VCF and .hapt asked for)."""
    from artgen.haplotypes import artificial_ids
    from artgen.io import save_haplotypes, write_hapt, write_vcf
    from artgen.io.atomic import all_or_nothing

    # artificial_ids pairs rows 2i and 2i+1 into one AG individual, as haplotype_rows made them.
    ags = like.with_alleles(alleles, ids=artificial_ids(len(alleles)), pops=pops)
    with all_or_nothing(args.out, args.vcf_out, args.hapt_out):
        save_haplotypes(ags, args.out)
        if args.vcf_out:
            write_vcf(ags, args.vcf_out, phased=args.phased)
        if args.hapt_out:
            write_hapt(ags, args.hapt_out, tag="AG")


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
    _write_ags(like, alleles, pops, args)


def cmd_stats(args) -> None:
    import time
    from dataclasses import replace

    from artgen.evaluate import Settings, compute_family
    from artgen.io import load_haplotypes

    settings = Settings(seed=args.seed, n_triplets=args.n_triplets,
                        wasserstein_reg=args.wasserstein_reg, ld_decay_bins=args.ld_decay_bins,
                        umap=args.umap, ld_max_distance=args.ld_max_distance,
                        ld_max_pairs=args.ld_max_pairs)
    families = list(dict.fromkeys(args.families))
    real, held_out = load_haplotypes(args.real), load_haplotypes(args.held_out)
    fidelity = load_haplotypes(args.held_out_fidelity) if args.held_out_fidelity else held_out
    ags = [load_haplotypes(path) for path in args.ags]
    results = {}
    # Every family in one process: the data are read once and the imports
    # (and UMAP's compilation) paid once, not once per family.
    for family in families:
        start = time.perf_counter()
        draws, table = [], None
        for draw, h in enumerate(ags):
            # UMAP (about 10 s per embedding) on the first draw only: the paper's
            # figure shows one AG set, and the summary does not use it.
            metrics, side = compute_family(family, real, h,
                                           fidelity if family == "heldout" else held_out,
                                           settings if draw == 0 else replace(settings, umap=False))
            draws.append(metrics)
            table = side if draw == 0 else table  # figures show the first draw, as the paper
        results[family] = draws, table
        log.info("%s: %.1f s", family, time.perf_counter() - start)
    # Written only when every family has been computed: a failure leaves no output.
    out = Path(args.out_dir)
    for family, (draws, table) in results.items():
        _write_stats(draws, table, family, args, out / f"{family}.tsv",
                     out / f"{family}.table.tsv")


def _write_stats(draws: list[dict], table, family, args, out, table_out=None) -> None:
    """Log and write one family's tidy metrics, one dict per AG draw, to
    ``out``, and its side table to ``table_out``."""
    import pandas as pd

    from artgen.evaluate import tidy_metrics

    for draw, metrics in enumerate(draws):
        for name, value in metrics.items():
            log.info("%s %s %s draw %d: %s = %.6g", family, args.panel, args.model, draw, name,
                     value)
    tidy = pd.concat([tidy_metrics(metrics, panel=args.panel, model=args.model, seed=args.seed,
                                   draw=draw) for draw, metrics in enumerate(draws)],
                     ignore_index=True)
    write_table(tidy, out)
    if table_out:
        if table is None:
            table = tidy.iloc[:0, :3]
        else:
            table = keyed(table, panel=args.panel, model=args.model, seed=args.seed)
        write_table(table, table_out)


def cmd_boundary_ld(args) -> None:
    import numpy as np

    from artgen.evaluate import Settings, boundary_stats
    from artgen.io import load_haplotypes
    from artgen.windows import read_plan, seams_of

    real, ags = load_haplotypes(args.real), load_haplotypes(args.ags)
    if not (np.array_equal(real.pos, ags.pos) and np.array_equal(real.chrom, ags.chrom)):
        raise InputError(f"{args.ags} and {args.real} are not at the same SNPs")
    windows = read_plan(args.plan, real.n_snps, args.real)
    settings = Settings(seed=args.seed, ld_max_pairs=args.max_pairs)
    metrics, table = boundary_stats(real, ags, seams_of(windows), settings)
    _write_stats([metrics], table, "boundary", args, args.out, args.table_out)


def cmd_metrics_table(args) -> None:
    import pandas as pd

    from artgen.evaluate import METRIC_COLUMNS, Targets, summary_html, summary_markdown
    from artgen.io.atomic import atomic_output

    frames = [pd.read_csv(p, sep="\t") for p in args.inputs]
    table = pd.concat(frames, ignore_index=True)[METRIC_COLUMNS]
    targets = Targets(ld_r_within=args.ld_r_within, pairwise_w_ratio=args.pairwise_w_ratio,
                      max_privacy_loss=args.max_privacy_loss, max_attack_auc=args.max_attack_auc)
    write_table(table, args.out)
    with atomic_output(args.summary) as tmp:
        tmp.write_text(summary_markdown(table, targets))
    if args.html:
        with atomic_output(args.html) as tmp:
            tmp.write_text(summary_html(table, targets))


def optional_number(text: str) -> float | None:
    """A number, or None for "none" (a criterion left out)."""
    if text.lower() == "none":
        return None
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number or 'none', got {text!r}") from None


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


def parse_thresholds(text: str | None):
    """Release thresholds given as a JSON object (keys of release.Thresholds)."""
    import json

    from artgen.release import Thresholds

    try:
        values = json.loads(text) if text else {}
        return Thresholds(**values)
    except (json.JSONDecodeError, TypeError) as exc:
        raise InputError(f"--thresholds {text!r}: {exc}") from None


def cmd_privacy_sensitivity(args) -> None:
    from artgen.io import load_haplotypes
    from artgen.release import release_checks, release_metrics
    from artgen.stats.attack import plant_training_haplotypes, sensitivity_table

    ags, train, test, reference = (load_haplotypes(p) for p in
                                   (args.ags, args.train, args.test, args.reference))
    thresholds = parse_thresholds(args.thresholds)
    table = sensitivity_table(ags.alleles, train.alleles, test.alleles, reference.alleles,
                              counts=args.counts, seed=args.seed)
    verdicts = []
    for planted in table["planted"]:
        alleles = (plant_training_haplotypes(ags.alleles, train.alleles, int(planted), args.seed)
                   if planted else ags.alleles)
        metrics, _ = release_metrics(ags.with_alleles(alleles, ids=ags.ids), train, test,
                                     reference, seed=args.seed, thresholds=thresholds)
        failures = release_checks(metrics, thresholds)
        verdicts.append("refused: " + "; ".join(failures) if failures else "released")
        log.info("%d planted: %s", planted, verdicts[-1])
    table["release"] = verdicts
    write_table(keyed(table, panel=args.panel_name, model=args.model, seed=args.seed), args.out)


def read_likelihood_metrics(path, panel: str, model: str) -> dict[str, float]:
    """The likelihood-ratio attack's metrics of ``model`` on ``panel`` from a
    tidy metrics table written by ``likelihood-attack``."""
    import pandas as pd

    from artgen.evaluate import METRIC_COLUMNS
    from artgen.stats.attack import LIKELIHOOD_METRICS

    try:
        table = pd.read_csv(path, sep="\t")
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: cannot read the likelihood attack's metrics ({exc})") from None
    if list(table.columns) != METRIC_COLUMNS:
        raise InputError(f"{path}: expected the columns {' '.join(METRIC_COLUMNS)}, got "
                         f"{' '.join(map(str, table.columns))}")
    rows = table[(table["panel"].astype(str) == panel) & (table["model"].astype(str) == model)
                 & table["metric"].isin(LIKELIHOOD_METRICS)]
    found = dict(zip(rows["metric"], rows["value"].astype(float)))
    if "lr_mia_auc" not in found:
        raise InputError(f"{path}: no lr_mia_auc of model {model} on panel {panel}")
    return found


def cmd_release(args) -> None:
    import json

    from artgen.io import load_haplotypes
    from artgen.release import ReleaseRefused, release_ags

    ags, train, test, reference = (load_haplotypes(p) for p in
                                   (args.ags, args.train, args.test, args.reference))
    model_metrics = (read_likelihood_metrics(args.likelihood_attack, args.panel_name, args.model)
                     if args.likelihood_attack else None)
    try:
        card = release_ags(ags, train, test, reference, out_vcf=args.vcf_out,
                           out_hapt=args.hapt_out, out_card_json=args.card_json,
                           out_card_md=args.card_md, model=args.model,
                           settings=json.loads(args.settings), panel=args.panel_name,
                           dataset=args.dataset, seed=args.seed,
                           thresholds=parse_thresholds(args.thresholds),
                           model_metrics=model_metrics,
                           draws=[load_haplotypes(p) for p in args.draws])
    except ReleaseRefused as exc:
        log.info("privacy card of the refused set:\n%s", json.dumps(exc.card, indent=1,
                                                                     default=str))
        raise
    log.info("released %s AGs of %s", card.get("n_released", "?"), args.model)


def cmd_figure(args) -> None:
    from artgen.figures import build_figure, save_figure

    inputs = {}
    for item in args.input:
        key, sep, paths = item.partition("=")
        if not sep or not key or not paths:
            raise InputError(f"expected KEY=PATH[,PATH...], got {item!r}")
        listed = paths.split(",")
        inputs[key] = listed if len(listed) > 1 else listed[0]
    fig = build_figure(args.name, inputs, **parse_settings(args.set))
    save_figure(fig, args.pdf, args.png)


def cmd_imputation_table(args) -> None:
    from artgen.imputation import relative_to_real

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


def cmd_convert(args) -> None:
    from artgen.io import load_haplotypes, write_hapt, write_legend, write_vcf

    h = load_haplotypes(args.panel)
    if args.vcf_out:
        write_vcf(h, args.vcf_out, phased=args.phased)
    if args.hapt_out:
        write_hapt(h, args.hapt_out, tag=args.tag)
    if args.legend_out:
        write_legend(h, args.legend_out)


# --- parser --------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    from artgen.splits import SPLIT_NAMES

    parser = argparse.ArgumentParser(prog="artgen", description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", action="version", version=f"artgen {__version__}",
                        help="print the version and exit")
    sub = parser.add_subparsers(dest="command", required=True)

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
    p.add_argument("--seed", type=int, required=True,
                   help="cohort seed (the contig derives its own from it)")
    p.add_argument("--out", required=True, help="bgzipped VCF to write (indexed)")
    p.set_defaults(func=cmd_simulate_contig)

    p = sub.add_parser("cohort-panel", help="panel file of the built-in cohort")
    p.add_argument("--samples", nargs="+", required=True, metavar="POP=N",
                   help="diploid individuals per population, as given to simulate-contig")
    p.add_argument("--out", required=True, help="panel file to write (sample pop super_pop)")
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
    p.add_argument("--panel-file", required=True,
                   help="panel file (sample pop super_pop) labelling the VCFs' samples")
    p.add_argument("--populations", nargs="*", default=None,
                   help="keep only the samples of these populations (default: all)")
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
    p.add_argument("--unphased", dest="phased", action="store_false",
                   help="the VCFs are unphased: accept '/' genotypes and write an unphased VCF")
    p.add_argument("--out", required=True, help=".npz to write")
    p.add_argument("--vcf-out", help="bgzipped VCF to write too")
    p.set_defaults(func=cmd_build_panel)

    p = sub.add_parser("samples-panel",
                       help="panel file putting every sample of a VCF in one population, for "
                            "a VCF that comes without a panel file")
    p.add_argument("--vcf", required=True, help="VCF whose samples to list (any compression)")
    p.add_argument("--population", required=True,
                   help="population (and super-population) name of every sample")
    p.add_argument("--out", required=True, help="panel file to write (sample pop super_pop)")
    p.set_defaults(func=cmd_samples_panel)

    p = sub.add_parser("import-hapt", help="a panel from a .hapt file, its legend and a panel file")
    p.add_argument("--hapt", required=True, help=".hapt file, one haplotype a row (gzip or not)")
    p.add_argument("--legend", required=True, help="legend of its SNPs (id position a0 a1)")
    p.add_argument("--panel-file", required=True,
                   help="panel file (sample pop super_pop) labelling the haplotypes")
    p.add_argument("--populations", nargs="*", default=None,
                   help="keep only the haplotypes of these populations (default: all)")
    p.add_argument("--unphased", dest="phased", action="store_false",
                   help="write --vcf-out unphased ('/' genotypes)")
    p.add_argument("--out", required=True, help=".npz to write")
    p.add_argument("--vcf-out", help="bgzipped VCF to write too")
    p.set_defaults(func=cmd_import_hapt)

    p = sub.add_parser("make-splits", help="seeded, stratified splits of the individuals")
    p.add_argument("--panel-file", required=True,
                   help="panel file (sample pop super_pop) of the individuals to split")
    p.add_argument("--populations", nargs="*", default=None,
                   help="split only the individuals of these populations (default: all)")
    p.add_argument("--target", required=True, help="target (biobank) population")
    p.add_argument("--n-impute-targets", type=int, default=0,
                   help="target individuals held out for imputation (default: 0)")
    p.add_argument("--sampling-fraction", type=float, default=0.0,
                   help="share of each population's rest set aside as the sampling split "
                        "(default: 0)")
    p.add_argument("--test-fraction", type=float, default=0.25,
                   help="share of what remains held out as the test split (default: 0.25)")
    p.add_argument("--validation-fraction", type=float, default=0.0,
                   help="share of the training individuals held out as the validation "
                        "split, on which iterative models choose their snapshot (default: 0)")
    p.add_argument("--seed", type=int, required=True, help="seed of the splits")
    p.add_argument("--out", required=True, help="splits table (.tsv) to write")
    p.set_defaults(func=cmd_make_splits)

    p = sub.add_parser("apply-split", help="the haplotypes of one split of a panel")
    p.add_argument("--panel", required=True, help=".npz of the whole panel")
    p.add_argument("--splits", required=True, help="splits table (make-splits)")
    p.add_argument("--split", required=True, choices=SPLIT_NAMES, help="which split to take")
    p.add_argument("--populations", nargs="+", help="keep only these populations")
    p.add_argument("--out", required=True, help=".npz to write")
    p.set_defaults(func=cmd_apply_split)

    p = sub.add_parser("train", help="fit a generator on a split")
    p.add_argument("--model", required=True, help="short name (bernoulli, markov, test, ...)")
    p.add_argument("--data", required=True, help=".npz split to fit on")
    p.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE", help="model settings")
    p.add_argument("--seed", type=int, default=0, help="seed of stochastic training")
    p.add_argument("--threads", type=int, default=None, help="CPU threads (default: all)")
    p.add_argument("--checkpoint", help="resumable checkpoint (.npz) of epoch-trained models")
    p.add_argument("--history", help="per-epoch losses and snapshot metrics (.tsv)")
    p.add_argument("--start-set", help=".npz of real haplotypes that start sampling chains")
    p.add_argument("--validation", help=".npz of real haplotypes held out of training, on "
                                        "which iterative models choose their snapshot")
    p.add_argument("--unphased", dest="phased", action="store_false",
                   help="train on individuals, two allele columns per SNP")
    p.add_argument("--out", required=True, help="saved model (.npz)")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("plot-training", help="loss curves and snapshot metrics of a training run")
    p.add_argument("history", help="history table written by train --history")
    p.add_argument("--title", default="", help="figure title (default: none)")
    p.add_argument("--out", required=True, help="figure (.png or .pdf)")
    p.set_defaults(func=cmd_plot_training)

    p = sub.add_parser("sample", help="artificial haplotypes from a fitted generator")
    p.add_argument("--model-file", required=True, help="fitted generator (train --out)")
    p.add_argument("--like", required=True, help=".npz whose SNPs (and, by default, size) to match")
    p.add_argument("--n", type=int, default=None, help="haplotypes to draw (default: as in --like)")
    p.add_argument("--seed", type=int, required=True, help="sampling seed")
    p.add_argument("--draw", type=int, default=0,
                   help="number of the (first) draw from the model (default 0): draw d > 0 "
                        "samples with a seed derived from --seed and d, an independent AG set")
    p.add_argument("--unphased", dest="phased", action="store_false",
                   help="the model was trained with --unphased; write an unphased VCF")
    p.add_argument("--out", required=True, nargs="+",
                   help=".npz of the AGs; several files: draws --draw, --draw + 1, ... in order")
    p.add_argument("--vcf-out", help="bgzipped VCF of the AGs (indexed; one --out only)")
    p.add_argument("--hapt-out", help=".hapt of the AGs (gzip if it ends in .gz; one --out only)")
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
    p.add_argument("--out", required=True, help="plan table (.tsv) to write")
    p.set_defaults(func=cmd_plan_windows)

    p = sub.add_parser("cut-window", help="the SNPs of one window of a chromosome panel")
    p.add_argument("--data", required=True, help=".npz of the whole panel (or one split of it)")
    p.add_argument("--plan", required=True, help="window plan table (plan-windows)")
    p.add_argument("--window", type=int, required=True, help="window index (0-based)")
    p.add_argument("--out", required=True, help=".npz to write")
    p.set_defaults(func=cmd_cut_window)

    p = sub.add_parser("stitch", help="AGs across all windows of a chromosome panel, from "
                                      "one fitted generator per window")
    p.add_argument("--plan", required=True, help="window plan table (plan-windows)")
    p.add_argument("--model-files", nargs="+", required=True,
                   help="fitted generator of each window, in window order")
    p.add_argument("--like", required=True,
                   help=".npz of the whole panel whose SNPs (and, by default, size) to match")
    p.add_argument("--n", type=int, default=None, help="haplotypes to draw (default: as in --like)")
    p.add_argument("--seed", type=int, required=True, help="sampling seed (each window derives "
                                                           "its own from it)")
    p.add_argument("--unphased", dest="phased", action="store_false",
                   help="refused: windows are stitched haplotype by haplotype")
    p.add_argument("--out", required=True, help=".npz of the stitched AGs")
    p.add_argument("--vcf-out", help="bgzipped VCF of the stitched AGs (indexed)")
    p.add_argument("--hapt-out", help=".hapt.gz of the stitched AGs")
    p.set_defaults(func=cmd_stitch)

    from artgen.evaluate import FAMILIES, Targets

    p = sub.add_parser("stats", help="families of statistics of one (panel, model)")
    p.add_argument("families", nargs="+", choices=sorted(FAMILIES), metavar="family",
                   help=f"families of statistics to compute ({', '.join(FAMILIES)})")
    p.add_argument("--real", required=True, help="training haplotypes (.npz)")
    p.add_argument("--ags", required=True, nargs="+",
                   help="artificial haplotypes (.npz), one file per independent draw from "
                        "the same fitted model: draw 0, 1, ... in the order given")
    p.add_argument("--held-out", required=True, help="real haplotypes never trained on (.npz)")
    p.add_argument("--held-out-fidelity",
                   help="real haplotypes never trained on that the heldout family halves "
                        "(.npz; default: --held-out)")
    p.add_argument("--panel", required=True, help="panel name (for the tidy table)")
    p.add_argument("--model", required=True, help="model name (for the tidy table)")
    p.add_argument("--seed", type=int, required=True, help="seed of the statistics' subsamples")
    p.add_argument("--n-triplets", type=int, default=8000,
                   help="SNP triplets of the 3-point correlations (default: 8000)")
    p.add_argument("--wasserstein-reg", type=float, default=1e-3,
                   help="regularisation of the entropic Wasserstein distances (default: 0.001)")
    p.add_argument("--ld-decay-bins", type=int, default=50,
                   help="distance bins of the LD decay curve (default: 50)")
    p.add_argument("--no-umap", dest="umap", action="store_false",
                   help="skip the UMAP embedding of the structure statistics (slow; with "
                        "several --ags it runs on the first only)")
    p.add_argument("--ld-max-distance", type=int, default=None,
                   help="LD on SNP pairs at most this many bp apart (default: all pairs)")
    p.add_argument("--ld-max-pairs", type=int, default=None,
                   help="LD on a seeded sample of at most this many pairs (default: all)")
    p.add_argument("--out-dir", required=True,
                   help="folder of the outputs, two per family: <family>.tsv (tidy metrics) "
                        "and <family>.table.tsv (side table for figures)")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("boundary-ld", help="LD across the window seams of stitched AGs, "
                                           "against LD within windows")
    p.add_argument("--real", required=True, help="training haplotypes of the whole panel (.npz)")
    p.add_argument("--ags", required=True, help="stitched artificial haplotypes (.npz)")
    p.add_argument("--plan", required=True, help="window plan table (plan-windows)")
    p.add_argument("--panel", required=True, help="panel name (for the tidy table)")
    p.add_argument("--model", required=True, help="model name (for the tidy table)")
    p.add_argument("--seed", type=int, required=True, help="seed of the pair sample")
    p.add_argument("--max-pairs", type=int, default=None,
                   help="at most this many pairs per distance bin and kind (seeded sample)")
    p.add_argument("--out", required=True, help="tidy metrics (.tsv)")
    p.add_argument("--table-out", help="the r^2 per bin, seam-straddling and within (.tsv)")
    p.set_defaults(func=cmd_boundary_ld)

    p = sub.add_parser("metrics-table", help="gather metrics into one table and a summary")
    p.add_argument("inputs", nargs="+", help="tidy metrics tables (.tsv) to gather")
    p.add_argument("--out", required=True, help="the gathered metrics table (.tsv)")
    p.add_argument("--summary", required=True, help="Markdown summary")
    p.add_argument("--html", help="the summary as an HTML page (for the report)")
    targets = Targets()
    for option, default, meaning in (
            ("--ld-r-within", targets.ld_r_within,
             "held-out LD r at least the real-vs-real value minus this"),
            ("--pairwise-w-ratio", targets.pairwise_w_ratio,
             "held-out pairwise W at most this many times the real-vs-real value"),
            ("--max-privacy-loss", targets.max_privacy_loss, "privacy loss at most this"),
            ("--max-attack-auc", targets.max_attack_auc,
             "distance attack's AUC at most this")):
        p.add_argument(option, type=optional_number, default=default,
                       help=f"verdict criterion: {meaning}, on the worst AG draw "
                            f"('none' leaves it out; default: {default})")
    p.set_defaults(func=cmd_metrics_table)

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
    p.add_argument("--panel-name", required=True, help="panel name (for the tidy table)")
    p.add_argument("--seed", type=int, default=0,
                   help="seed recorded in the tidy table (default: 0)")
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
    p.add_argument("--panel-name", required=True, help="panel name (for the table)")
    p.add_argument("--seed", type=int, default=0, help="Beagle's seed (default: 0)")
    p.add_argument("--threads", type=int, default=1, help="CPU threads (default: 1)")
    p.add_argument("--memory-gb", type=int, default=2,
                   help="Beagle's Java memory in GB (default: 2)")
    p.add_argument("--out", required=True, help="imputation quality per MAF bin (.tsv)")
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
    p.add_argument("--out", required=True, help="the stacked per-bin table (.tsv)")
    p.add_argument("--classes-out", required=True,
                   help="the stacked per-class table with r2_vs_real (.tsv)")
    p.set_defaults(func=cmd_imputation_table)

    p = sub.add_parser("likelihood-attack",
                       help="likelihood-ratio membership inference against a model with a "
                            "likelihood, and its memorisation gap")
    p.add_argument("--model-file", required=True, help="the saved model (.npz)")
    p.add_argument("--train", required=True, help="its training split (.npz): the members")
    p.add_argument("--test", required=True, help="held-out real haplotypes: the non-members")
    p.add_argument("--reference-set", required=True,
                   help="held-out real haplotypes the reference model is fitted on (the "
                        "sampling split), neither members nor non-members")
    p.add_argument("--seed", type=int, required=True,
                   help="seed of the reference fit and of the member subsample")
    p.add_argument("--threads", type=int, default=None, help="CPU threads (default: all)")
    p.add_argument("--unphased", dest="phased", action="store_false",
                   help="the model was trained with --unphased")
    p.add_argument("--panel", required=True, help="panel name (for the tidy table)")
    p.add_argument("--model", required=True, help="the model's name in the metrics table")
    p.add_argument("--out", required=True, help="tidy metrics (.tsv)")
    p.set_defaults(func=cmd_likelihood_attack)

    p = sub.add_parser("coalescent", help="simulate the panel's region and compare with it")
    p.add_argument("--real", required=True, help="real target haplotypes (.npz)")
    p.add_argument("--population", required=True, help="the simulated population (the target)")
    p.add_argument("--model", default="OutOfAfrica_3G09",
                   help="stdpopsim HomSap model (default: OutOfAfrica_3G09)")
    p.add_argument("--min-freq", type=float, default=0.1,
                   help="compare SNPs with minor allele frequency at least this (default: 0.1)")
    p.add_argument("--n-haplotypes", type=int,
                   help="haplotypes to simulate (default: as many as --real has)")
    p.add_argument("--seed", type=int, default=0,
                   help="seed of the simulation and comparison (default: 0)")
    p.add_argument("--panel-name", required=True, help="panel name (for the tidy table)")
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
    p.add_argument("--seed", type=int, default=0,
                   help="seed of the recipients' sample (default: 0)")
    p.add_argument("--panel-name", required=True, help="panel name (for the table)")
    p.add_argument("--out", required=True, help="donor-population shares per set (.tsv)")
    p.set_defaults(func=cmd_paint)

    p = sub.add_parser("privacy-sensitivity",
                       help="privacy scores and release verdicts with training haplotypes planted")
    p.add_argument("--ags", required=True, help="artificial haplotypes (.npz)")
    p.add_argument("--train", required=True, help="the model's training haplotypes (.npz)")
    p.add_argument("--test", required=True, help="held-out real haplotypes (non-members)")
    p.add_argument("--reference", required=True, help="attacker's reference (sampling split)")
    p.add_argument("--counts", type=int, nargs="+", default=[1, 10, 50, 100, 500, 1000],
                   help="numbers of training haplotypes to plant (default: 1 10 50 100 500 1000)")
    p.add_argument("--thresholds", help="release thresholds (JSON object)")
    p.add_argument("--model", required=True, help="model name (for the table)")
    p.add_argument("--panel-name", required=True, help="panel name (for the table)")
    p.add_argument("--seed", type=int, default=0,
                   help="seed of the planting and of the privacy scores (default: 0)")
    p.add_argument("--out", required=True, help="scores and verdict per count planted (.tsv)")
    p.set_defaults(func=cmd_privacy_sensitivity)

    p = sub.add_parser("release", help="write shareable AGs and their privacy card, "
                                       "only when the privacy checks pass")
    p.add_argument("--ags", required=True, help="artificial haplotypes to release (.npz)")
    p.add_argument("--draws", nargs="*", default=[],
                   help="further AG draws of the same model (.npz, not released): each "
                        "privacy bound is then checked on the worst draw")
    p.add_argument("--train", required=True, help="the model's training haplotypes (.npz)")
    p.add_argument("--test", required=True, help="held-out real haplotypes (non-members)")
    p.add_argument("--reference", required=True, help="attacker's reference (sampling split)")
    p.add_argument("--thresholds", help="release thresholds (JSON object)")
    p.add_argument("--model", required=True, help="model name (for the card)")
    p.add_argument("--settings", default="{}", help="the model's settings (JSON), for the card")
    p.add_argument("--likelihood-attack",
                   help="metrics written by likelihood-attack (a model with a likelihood): "
                        "lr_mia_auc is checked and goes on the card")
    p.add_argument("--panel-name", required=True, help="panel name (for the card)")
    p.add_argument("--dataset", default="", help="data set description for the card")
    p.add_argument("--seed", type=int, default=0,
                   help="seed of the privacy statistics (default: 0)")
    p.add_argument("--vcf-out", required=True, help="bgzipped VCF of the released AGs (indexed)")
    p.add_argument("--hapt-out", required=True, help=".hapt of the released AGs")
    p.add_argument("--card-json", required=True, help="privacy card (JSON)")
    p.add_argument("--card-md", required=True, help="privacy card (Markdown)")
    p.set_defaults(func=cmd_release)

    p = sub.add_parser("figure", help="draw one figure (PDF and PNG) from pipeline outputs")
    p.add_argument("name", help="figure1 ... figure4, figS_*")
    p.add_argument("--input", action="append", default=[], metavar="KEY=PATH[,PATH...]",
                   help="an input of the figure (repeat for each; several paths comma-separated)")
    p.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE", help="figure options")
    p.add_argument("--pdf", required=True, help="PDF to write")
    p.add_argument("--png", required=True, help="PNG to write")
    p.set_defaults(func=cmd_figure)

    p = sub.add_parser("convert", help="write a .npz panel as VCF and/or .hapt + legend")
    p.add_argument("panel", help=".npz panel to convert")
    p.add_argument("--vcf-out", help="bgzipped VCF to write (indexed)")
    p.add_argument("--hapt-out", help=".hapt to write (gzip if it ends in .gz)")
    p.add_argument("--legend-out", help="legend of the SNPs (id position a0 a1) to write")
    p.add_argument("--tag", help=".hapt first column (default: population)")
    p.add_argument("--unphased", dest="phased", action="store_false",
                   help="write the VCF unphased ('/' genotypes)")
    p.set_defaults(func=cmd_convert)
    return parser


def main(argv=None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s",
                        stream=sys.stderr)
    args = build_parser().parse_args(argv)
    try:
        args.func(args)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except MissingToolError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
