"""Windowed training of a chromosome panel: time and peak memory against the
number of windows trained at once, against one unwindowed fit, and per
10,000 SNPs as the panel grows.

Every fit is the pipeline's own job, ``python -m artgen train`` on a window
cut by ``plan-windows`` and ``cut-window``, run as a subprocess (``--parallel``
of them at once), then ``stitch``. Peak memory is each job's own largest
resident set (``wait4``): the largest is what a cluster job must request;
the sum over the jobs that run at once is what one machine needs.

    python bench/bench_windows.py results/splits/chromosome/train.npz \\
        --sizes 20000 40000 0 --parallel 1 2 4 --whole 20000

``--sizes 0`` is the whole panel. Models and settings as the default config's
``hmm`` unless ``--model``/``--set`` say otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from artgen.io import load_haplotypes, save_haplotypes  # noqa: E402
from artgen.windows import read_plan  # noqa: E402


def artgen(*args: str) -> float:
    """Run one artgen subcommand; its peak resident memory (MB)."""
    process = subprocess.Popen([sys.executable, "-m", "artgen", *args],
                               env={"PYTHONPATH": str(REPO / "src"), "PATH": "/usr/bin:/bin"},
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise RuntimeError(f"artgen {' '.join(args)} failed: {process.stderr.read().decode()}")
    return usage.ru_maxrss / 1024


def train(data: Path, out: Path, model: str, settings: list[str], threads: int) -> float:
    args = ["train", "--model", model, "--data", str(data), "--seed", "42",
            "--threads", str(threads), "--out", str(out)]
    return artgen(*args, *(["--set", *settings] if settings else []))


def windowed(panel: Path, work: Path, args, parallel: int) -> dict:
    """Plan, cut, fit every window (``parallel`` at once) and stitch; seconds."""
    plan = work / "plan.tsv"
    start = time.perf_counter()
    artgen("plan-windows", "--data", str(panel), "--window-snps", str(args.window_snps),
           "--overlap-snps", str(args.overlap_snps), "--ld-tolerance", str(args.ld_tolerance),
           "--out", str(plan))
    windows = read_plan(plan)
    for w in windows:
        artgen("cut-window", "--data", str(panel), "--plan", str(plan), "--window",
               str(w.index), "--out", str(work / f"w{w.index}.npz"))
    fitting = time.perf_counter()
    threads = max(1, args.cores // parallel)
    with ThreadPoolExecutor(parallel) as pool:
        peaks = list(pool.map(lambda w: train(work / f"w{w.index}.npz", work / f"m{w.index}.npz",
                                              args.model, args.set, threads), windows))
    fitted = time.perf_counter()
    artgen("stitch", "--plan", str(plan), "--like", str(panel), "--seed", "42",
           "--model-files", *(str(work / f"m{w.index}.npz") for w in windows),
           "--out", str(work / "ags.npz"))
    done = time.perf_counter()
    return {"windows": len(windows), "fit_s": fitted - fitting, "stitch_s": done - fitted,
            "total_s": done - start, "peak_job_mb": max(peaks),
            # windows trained at once hold their memory at once
            "peak_parallel_mb": sum(sorted(peaks)[-parallel:])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("panel", help=".npz of a chromosome panel's training split")
    parser.add_argument("--sizes", type=int, nargs="+", default=[20000, 40000, 0],
                        help="leading SNPs of the panel to use (0: all)")
    parser.add_argument("--parallel", type=int, nargs="+", default=[1, 2, 4],
                        help="windows trained at once, at the first size")
    parser.add_argument("--whole", type=int, default=20000,
                        help="SNPs of one unwindowed fit to compare (0: none)")
    parser.add_argument("--window-snps", type=int, default=5000)
    parser.add_argument("--overlap-snps", type=int, default=500)
    parser.add_argument("--ld-tolerance", type=int, default=200)
    parser.add_argument("--cores", type=int, default=2, help="threads shared by the jobs")
    parser.add_argument("--model", default="hmm")
    parser.add_argument("--set", nargs="*", default=[f"n_states={json.dumps([8, 16, 32])}",
                                                     "conditional=true"])
    parser.add_argument("--out", help="results table (.tsv) to write")
    args = parser.parse_args()

    full = load_haplotypes(args.panel)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)

        def prefix(n_snps: int) -> Path:
            n_snps = n_snps or full.n_snps
            path = tmp / f"panel_{n_snps}.npz"
            if not path.exists():
                save_haplotypes(full.take_snps(slice(0, n_snps)), path)
            return path

        runs = [(args.sizes[0], p) for p in args.parallel] + \
            [(n, args.parallel[0] if len(args.parallel) == 1 else 2) for n in args.sizes[1:]]
        for n_snps, parallel in runs:
            work = tmp / f"run_{n_snps}_{parallel}"
            work.mkdir()
            result = windowed(prefix(n_snps), work, args, parallel)
            n = n_snps or full.n_snps
            rows.append({"fit": "windowed", "n_snps": n, "parallel": parallel, **result,
                         "s_per_10k_snps": result["total_s"] / n * 10_000})
            print(pd.DataFrame(rows[-1:]).to_string(index=False, header=len(rows) == 1),
                  flush=True)
        if args.whole:
            path = prefix(args.whole)
            start = time.perf_counter()
            peak = train(path, tmp / "whole.npz", args.model, args.set, args.cores)
            seconds = time.perf_counter() - start
            rows.append({"fit": "unwindowed", "n_snps": args.whole, "parallel": 1,
                         "windows": 1, "fit_s": seconds, "stitch_s": 0.0, "total_s": seconds,
                         "peak_job_mb": peak, "peak_parallel_mb": peak,
                         "s_per_10k_snps": seconds / args.whole * 10_000})
    table = pd.DataFrame(rows)
    print(table.round(2).to_string(index=False))
    if args.out:
        table.to_csv(args.out, sep="\t", index=False)


if __name__ == "__main__":
    main()
