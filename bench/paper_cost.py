"""What ``config/paper.yaml`` costs to train on this machine's CPUs, per
panel and per model: measured on data of the paper's shape, the long
trainings extrapolated from a few measured epochs.

For each panel of the config and each model it trains there (the panel's
``models`` list, or every model), with the settings the pipeline passes (the
config validated against ``config/schema.yaml``, which fills in the schema's
defaults as the Snakefile's validation does, then
``artgen.configuration.model_settings``):

- Data of the panel's shape: as many SNPs as the panel (a chromosome panel:
  one window of ``window_snps``) and as many haplotypes as the config's
  splits give the model (``artgen.splits.make_splits`` of the panel file with
  the config's seed, target and fractions): the train split; the held-out
  reference ``test`` fits the test split; an RBM with ``start: sampling`` gets
  the sampling split as its start set. The informative panel is the shared
  1000 Genomes 805-SNP set itself, split as the pipeline splits it (all 26
  populations). The other panels train on CEU only; their haplotypes come
  from the AGBL4 region (chr1, 1000 Genomes phase 3), read as ``build-panel``
  reads a VCF (indels, multi-allelic and monomorphic sites dropped, the
  panel's ``min_maf``). The region's individuals carry no population labels,
  so its first individuals (first file) stand in for CEU's, as many as CEU
  has in each split. A panel takes the region's first SNPs; the region
  holds fewer than a 10,000-SNP panel, so there its SNPs are tiled: repeated
  side by side, each copy shifted along the chromosome past the one before.
- Closed-form models (test, bernoulli, markov, hmm) are fitted in full as
  the pipeline fits them (the hmm with its checkpoint and history written
  every iteration) and timed. ``--hmm-iterations N`` caps each K's EM at N
  iterations instead, and extrapolates each K to the configured maximum at
  its measured seconds per iteration (an upper bound: patience may stop a K
  earlier).
- Models trained for epochs (the GANs, the RBMs) run the project's training
  hooks as ``IterativeGenerator.fit`` calls them: one warm-up epoch (for the
  GAN: XLA compilation), ``--epochs`` timed epochs, then one snapshot as fit
  takes it (calibration, AGs, AATS, the checkpoint written). The configured
  run is extrapolated: warm-up + (epochs - 1) x s/epoch + snapshots x
  s/snapshot + sampling.
- Every model then samples as many AGs as it was fitted on (what the
  pipeline's ``sample_ags`` draws); the estimate includes it.

Each (panel, model) runs in a fresh process ("spawn"), so its peak memory is
its own (VmHWM, as bench_hmm.py reads it) and TensorFlow's threads are set
before its first use. A chromosome panel's row is the cost of one window;
the panel costs that times its number of windows.

    python bench/paper_cost.py --data DATA [--panels ...] [--models ...] [--epochs 2]
        [--threads 2] [--hmm-iterations N] [--quick]

``--data``: the folder holding ``1000G_805/`` and ``1000G_AGBL4/``.
``--quick``: at most 96 haplotypes and 100 SNPs a panel, 1 timed epoch, 2
EM iterations per K, steps run in this process (a smoke run of every panel
and model, about a minute on 2 idle cores, most of it compiling the GANs;
its estimates mean nothing).
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from bench_hmm import GIB, log, rss_peak  # noqa: E402

QUICK_HAPLOTYPES, QUICK_SNPS = 96, 100
SPLITS_USED = ("train", "test", "sampling")


# --------------------------------------------------------------------------- the config


def paper_config(path) -> dict:
    """The config as the pipeline sees it: validated against the schema,
    which fills in its defaults (e.g. the RBM's epochs)."""
    from snakemake.utils import validate

    config = yaml.safe_load(Path(path).read_text())
    validate(config, str(ROOT / "config" / "schema.yaml"))
    return config


def panel_models(config: dict, panel: str) -> list[str]:
    """The models trained on ``panel`` (its ``models`` list, or all; as common.smk)."""
    return config["panels"][panel].get("models") or list(config["models"])


def generator_of(config: dict, model: str) -> str:
    """The generator behind a configured model (its ``model`` setting, or its name)."""
    return config["models"][model].get("model", model)


def panel_snps(config: dict, panel: str) -> int:
    from artgen.configuration import panel_kind

    settings = config["panels"][panel]
    return settings["window_snps"] if panel_kind(config, panel) == "chromosome" \
        else settings["n_snps"]


# --------------------------------------------------------------------------- data


def paper_splits(config: dict, panel_file):
    """The splits table the pipeline's ``make_splits`` rule writes."""
    from artgen.io import read_panel_file
    from artgen.splits import make_splits

    panel = read_panel_file(panel_file)
    if config.get("populations"):
        panel = panel[panel["pop"].isin(config["populations"])]
    return make_splits(panel, seed=config["seed"], target_population=config["target_population"],
                       **config["splits"])


def informative_splits(data_dir: Path, splits, populations) -> dict:
    """The 805-SNP set's haplotypes of each split."""
    import real805
    from artgen.splits import split_haplotypes

    real = real805.load_real(data_dir / "1000G_805")
    return {role: split_haplotypes(real, splits, role, populations=populations)
            for role in SPLITS_USED}


def region_panel(vcf: Path, min_maf: float, workdir: Path):
    """Every biallelic SNP of the AGBL4 VCF with MAF >= ``min_maf``, read as
    build-panel reads a VCF; its samples in one population, ``ALL``."""
    from artgen.fetch import indexed_vcfs
    from artgen.panels import chromosome_panel, load_cohort, write_one_population_panel

    with indexed_vcfs({"1": str(vcf)}, workdir) as vcfs:
        path = vcfs["1"]
        panel_file = workdir / "one_population.panel"
        write_one_population_panel(path, "ALL", panel_file)
        cohort = load_cohort([path], panel_file)
        return chromosome_panel(path, cohort, chrom="1", min_maf=min_maf)


def tile_snps(h, n: int):
    """``h`` at ``n`` SNPs: its first ``n``, or its SNPs repeated side by side
    when it has fewer, each copy shifted past the one before so that the
    positions keep increasing (the hmm's genetic map needs them in order)."""
    from artgen.haplotypes import Haplotypes

    index = np.arange(n) % h.n_snps
    shift = (np.arange(n) // h.n_snps) * (int(h.pos[-1] - h.pos[0]) + 1)
    return Haplotypes.build(h.alleles[:, index], chrom=h.chrom[index], pos=h.pos[index] + shift,
                            ref=h.ref[index], alt=h.alt[index], ids=h.ids, pops=h.pops,
                            super_pops=h.super_pops)


def region_splits(region, splits, populations, n_snps: int) -> dict:
    """The region's first individuals in as many as ``populations`` have in
    each split (train first, then test, then sampling), at ``n_snps`` SNPs."""
    table = splits[splits["pop"].isin(populations)] if populations else splits
    counts = table["role"].value_counts()
    samples = list(dict.fromkeys(region.samples))
    needed = sum(int(counts.get(role, 0)) for role in SPLITS_USED)
    if needed > len(samples):
        raise SystemExit(f"the region has {len(samples)} individuals; the splits need {needed}")
    parts, first = {}, 0
    for role in SPLITS_USED:
        chosen = samples[first:first + int(counts.get(role, 0))]
        first += len(chosen)
        parts[role] = tile_snps(region.take_haplotypes(np.isin(region.samples, chosen)), n_snps)
    return parts


def shrink(h, quick: bool):
    """A smoke run's small corner of ``h``."""
    if not quick:
        return h
    return h.take_haplotypes(np.arange(min(h.n_haplotypes, QUICK_HAPLOTYPES))) \
        .take_snps(np.arange(min(h.n_snps, QUICK_SNPS)))


def build_data(config: dict, panels: list[str], data_dir: Path, workdir: Path,
               quick: bool) -> tuple[dict, dict, list[str]]:
    """Each panel's splits saved as ``.npz`` under ``workdir``: their paths
    and shapes by panel and split, and lines that say where they came from."""
    from artgen.configuration import panel_kind
    from artgen.io import save_haplotypes

    splits = paper_splits(config, data_dir / "1000G_805" /
                          "integrated_call_samples_v3.20130502.ALL.panel")
    regions, paths, shapes, notes = {}, {}, {}, []
    for panel in panels:
        settings = config["panels"][panel]
        populations = settings.get("train_populations") or config.get("populations")
        if panel_kind(config, panel) == "informative":
            parts = informative_splits(data_dir, splits, populations)
            source = "the 1000 Genomes 805-SNP set"
        else:
            min_maf = settings.get("min_maf", 0.0)
            if min_maf not in regions:
                regions[min_maf] = region_panel(data_dir / "1000G_AGBL4" / "AGBL4_split1.vcf.gz",
                                                min_maf, workdir)
            region = regions[min_maf]
            n_snps = panel_snps(config, panel)
            parts = region_splits(region, splits, populations, n_snps)
            how = (f"its first {n_snps:,}" if n_snps <= region.n_snps else
                   f"tiled {n_snps / region.n_snps:.2f} times")
            source = (f"AGBL4 region, {region.n_snps:,} biallelic SNPs with MAF >= {min_maf:g} "
                      f"in its first file's {region.n_haplotypes // 2:,} individuals, {how}; "
                      f"unlabelled individuals standing in for "
                      f"{', '.join(populations or ['all'])}")
        paths[panel], shapes[panel] = {}, {}
        for role, h in parts.items():
            h = shrink(h, quick)
            paths[panel][role] = str(workdir / f"{panel}.{role}.npz")
            shapes[panel][role] = h.alleles.shape
            save_haplotypes(h, paths[panel][role])
        sizes = ", ".join(f"{role} {n:,}" for role, (n, _) in shapes[panel].items())
        notes.append(f"{panel}: {source}; haplotypes: {sizes}")
    return paths, shapes, notes


# --------------------------------------------------------------------------- measured steps
# Each runs in its own spawned process (in this one with --quick) and returns a dict.


def _prepared(data_path, start_path, generator, settings, threads):
    """A generator set up as ``artgen train`` sets it up, and the rows it fits."""
    from artgen.models.preparation import prepare_model
    from artgen.io import load_haplotypes
    from artgen.models import make_generator

    model = make_generator(generator, **settings)
    model.use_threads(threads)           # the GAN's TensorFlow threads: before its first use
    data = load_haplotypes(data_path)
    start = load_haplotypes(start_path) if start_path else None
    alleles = prepare_model(model, data, phased=True, source=data_path, start=start,
                            start_source=start_path)
    return model, alleles


def step_closed_form(data_path, start_path, generator, settings, threads, seed, workdir):
    from artgen.models import TrainingRun, is_iterative

    model, alleles = _prepared(data_path, start_path, generator, settings, threads)
    # The hmm trains in the pipeline's train_network rule: checkpoint and
    # history written after every iteration.
    run = TrainingRun(checkpoint=Path(workdir) / f"{generator}.ckpt.npz",
                      history=Path(workdir) / f"{generator}.history.tsv") \
        if is_iterative(generator) else None
    start = time.perf_counter()
    model.fit(alleles, seed=seed, run=run)
    fit = time.perf_counter() - start
    start = time.perf_counter()
    model.sample(len(alleles), seed=seed + 1)
    result = {"fit": fit, "sample": time.perf_counter() - start}
    history = getattr(model, "history", None)
    if history is not None:              # the hmm: E-steps and seconds per K
        result["per_k"] = {int(k): (len(rows), float(rows["seconds"].mean()))
                           for k, rows in history.groupby("k")}
        result["kept_k"] = int(history.loc[history["kept"] == 1, "k"].iloc[0])
    return result


def step_network(data_path, start_path, generator, settings, threads, seed, workdir, epochs):
    from artgen.models.checkpoints import write_checkpoint
    from artgen.models.training import snapshot_metrics

    model, alleles = _prepared(data_path, start_path, generator, settings, threads)
    start = time.perf_counter()
    model._start(alleles, seed)
    model._run_epochs(0, 1)                            # warm-up (XLA compilation)
    warm_up = time.perf_counter() - start
    start = time.perf_counter()
    model._run_epochs(1, epochs)
    per_epoch = (time.perf_counter() - start) / epochs
    # One snapshot as IterativeGenerator.fit takes it, its checkpoint included
    # (for a 10,000-SNP GAN: gigabytes of weights and optimiser moments).
    n_eval = min(len(alleles), model.snapshot_size)
    checkpoint = Path(workdir) / f"{generator}.ckpt.npz"
    start = time.perf_counter()
    model._calibrate(alleles, alleles, n_eval, seed=seed + 1)
    snapshot_metrics(alleles, model.sample(n_eval, seed=seed + 1), seed=seed + 1)
    arrays = {f"train/{k}": np.asarray(v) for k, v in model._training_state().items()}
    arrays.update({f"best/{k}": np.array(v) for k, v in model.state().items()})
    write_checkpoint(checkpoint, {"key": "paper_cost", "epoch": 1 + epochs}, arrays)
    snapshot = time.perf_counter() - start
    checkpoint_bytes = checkpoint.stat().st_size
    checkpoint.unlink()
    del arrays
    start = time.perf_counter()
    model.sample(len(alleles), seed=seed + 2)
    return {"warm_up": warm_up, "per_epoch": per_epoch, "snapshot": snapshot,
            "sample": time.perf_counter() - start, "checkpoint_bytes": checkpoint_bytes,
            "epochs": model.epochs, "snapshot_every": model.snapshot_every}


def _child(queue, name, kwargs):
    try:
        result = globals()[name](**kwargs)
        result["peak"] = rss_peak()
        queue.put(result)
    except BaseException as exc:  # report, do not hang the parent
        import traceback

        queue.put({"error": f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"})


def measure(step: str, in_process: bool, **kwargs) -> dict:
    """``step(**kwargs)`` in a fresh process (or this one), with ``peak``
    (that process's peak resident set, bytes) and ``wall`` added."""
    start = time.perf_counter()
    if in_process:
        result = globals()[step](**kwargs)
        result["peak"] = rss_peak()
    else:
        ctx = multiprocessing.get_context("spawn")
        queue = ctx.Queue()
        process = ctx.Process(target=_child, args=(queue, step, kwargs))
        process.start()
        result = queue.get()
        process.join()
        if "error" in result:
            raise RuntimeError(f"{step} failed:\n{result['error']}")
    result["wall"] = time.perf_counter() - start
    return result


# --------------------------------------------------------------------------- estimates


def duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 72 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def network_estimate(r: dict, timed: int) -> tuple[str, str, float]:
    """Measured, configured and extrapolated total of an epoch-trained model
    (its epochs as the model has them: a model the schema does not know by
    name, such as rbm_train, gets its generator's own defaults)."""
    epochs, every = r["epochs"], r["snapshot_every"]
    snapshots = math.ceil(epochs / every)
    total = r["warm_up"] + (epochs - 1) * r["per_epoch"] + snapshots * r["snapshot"] + r["sample"]
    measured = (f"{r['per_epoch']:.2f} s/epoch ({timed} epoch{'s' if timed > 1 else ''} after "
                f"a {r['warm_up']:.1f} s warm-up epoch); snapshot {r['snapshot']:.1f} s "
                f"(checkpoint {r['checkpoint_bytes'] / GIB:.2f} GiB); sampling {r['sample']:.1f} s")
    configured = f"{epochs:,} epochs, {snapshots} snapshots"
    return measured, configured, total


def closed_form_estimate(r: dict, settings: dict, cap: int | None) -> tuple[str, str, float]:
    """Measured, configured and estimated total of a closed-form model (the
    hmm's capped iterations extrapolated to the configured maximum)."""
    total = r["fit"] + r["sample"]
    measured = f"fit {r['fit']:.1f} s; sampling {r['sample']:.1f} s"
    if "per_k" not in r:
        return measured, "full fit", total
    steps = ", ".join(f"K {k}: {n} x {s:.2f} s" for k, (n, s) in r["per_k"].items())
    configured = (f"K {'/'.join(map(str, settings['n_states']))}, <= "
                  f"{settings['iterations']} iterations each")
    if cap:
        # A K that ran all cap + 1 E-steps (iteration 0 scores the start)
        # would have run up to the configured maximum; one that patience
        # stopped would stop there too.
        total += sum((settings["iterations"] - cap) * s for n, s in r["per_k"].values()
                     if n == cap + 1)
        measured += f" (capped at {cap} iterations per K: {steps}; extrapolated)"
    else:
        measured += f" (E-steps: {steps}; kept K {r['kept_k']})"
    return measured, configured, total


# --------------------------------------------------------------------------- main


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", required=True, help="folder with 1000G_805/ and 1000G_AGBL4/")
    parser.add_argument("--config", default=str(ROOT / "config" / "paper.yaml"))
    parser.add_argument("--panels", nargs="+", help="panels to measure (default: all)")
    parser.add_argument("--models", nargs="+", help="models to measure (default: all)")
    parser.add_argument("--epochs", type=int, default=2,
                        help="epochs timed after the warm-up epoch (default: 2)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--hmm-iterations", type=int,
                        help="cap each K's EM iterations and extrapolate (default: full fit)")
    parser.add_argument("--quick", action="store_true", help="smoke run (see the docstring)")
    args = parser.parse_args(argv)
    from artgen.configuration import model_settings, panel_kind
    from artgen.models import IterativeGenerator, generator_class

    config = paper_config(args.config)
    panels = args.panels or list(config["panels"])
    timed = 1 if args.quick else args.epochs
    cap = 2 if args.quick else args.hmm_iterations
    seed = config["seed"]
    load_before = os.getloadavg()
    began = time.perf_counter()
    rows, totals = [], {}
    with tempfile.TemporaryDirectory(prefix="paper_cost_") as tmp:
        paths, shapes, notes = build_data(config, panels, Path(args.data), Path(tmp),
                                          args.quick)
        for note in notes:
            log(note)
        for panel in panels:
            for model in panel_models(config, panel):
                if args.models and model not in args.models:
                    continue
                generator = generator_of(config, model)
                settings = model_settings(config, model, panel)
                split = "test" if generator == "test" else "train"
                start = paths[panel]["sampling"] if settings.get("start") == "sampling" else None
                workdir = Path(tmp) / panel / model   # its checkpoint and history
                workdir.mkdir(parents=True)
                common = {"data_path": paths[panel][split], "start_path": start,
                          "generator": generator, "threads": args.threads, "seed": seed,
                          "workdir": str(workdir)}
                if issubclass(generator_class(generator), IterativeGenerator):
                    r = measure("step_network", args.quick, settings=settings, epochs=timed,
                                **common)
                    measured, configured, total = network_estimate(r, timed)
                else:
                    fitted = {**settings, "iterations": cap} if cap and generator == "hmm" \
                        else settings
                    r = measure("step_closed_form", args.quick, settings=fitted, **common)
                    measured, configured, total = closed_form_estimate(r, settings, cap)
                log(f"{panel} {model}: {r['wall']:.0f} s measuring; estimate {duration(total)}")
                n_hap, n_snp = shapes[panel][split]
                totals[panel] = totals.get(panel, 0.0) + total
                rows.append((panel, model, f"{n_snp:,}", f"{n_hap:,}" + (" (test split)"
                             if split == "test" else ""), measured, configured, duration(total),
                             f"{r['peak'] / GIB:.2f}"))
    wall = time.perf_counter() - began
    load_after = os.getloadavg()

    print(f"\n{'QUICK (tiny subsets; estimates meaningless) ' if args.quick else ''}"
          f"paper_cost: {Path(args.config).name}, {args.threads} threads, "
          f"{os.cpu_count()} CPUs, seed {seed}; {wall / 60:.1f} min of measuring; load average "
          f"(1/5/15 min) {'/'.join(f'{x:.2f}' for x in load_before)} before, "
          f"{'/'.join(f'{x:.2f}' for x in load_after)} after\n")
    for note in notes:
        print(f"- {note}")
    print("\n| panel | model | SNPs | training haplotypes | measured | configured | "
          "estimated total | peak GiB |")
    print("|---|---|---:|---:|---|---|---:|---:|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()
    for panel, total in totals.items():
        if panel_kind(config, panel) == "chromosome":
            p = config["panels"][panel]
            print(f"- {panel}: {duration(total)} per window of {p['window_snps']:,} SNPs (its "
                  f"rows summed); the panel costs that times its number of windows, about "
                  f"(S - {p['overlap_snps']:,}) / ({p['window_snps']:,} - {p['overlap_snps']:,}) "
                  f"for S SNPs of chromosome {p['chrom']} with MAF >= {p['min_maf']:g} "
                  f"(not counted here)")
        else:
            print(f"- {panel}: {duration(total)} for its models one after another")


if __name__ == "__main__":
    main()
