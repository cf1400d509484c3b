"""Every statistic family on a whole-chromosome panel: seconds and peak memory.

    .venv/bin/python bench/bench_stats_scale.py [--snps 229000] [--train 700]
        [--ags 700] [--held-out 230] [--families ld,structure,...]

Data (seeded): a chromosome of ``--snps`` SNPs spread over ``--span`` bp
(229,000 over 20 Mb: about 11 SNPs per kb), three populations of founder
haplotypes (allele frequencies drawn around shared ones, Balding-Nichols,
F_ST ~0.05), and haplotypes copied from their population's founders in
segments (a switch per SNP with probability proportional to the bp gap,
mean segment ~50 kb) plus a little noise: LD that decays with distance, and
population structure for the PCA. The AGs are made the same way with more
switching and noise, window by window (``--window`` SNPs, a fresh founder at
each seam), as a stitched windowed generator would.

Each family runs once, in its own process (``resource.getrusage`` of the
child: the peak RSS, which includes the ~0.4 GB of loaded haplotypes, given
as ``data MB``), with ``ld_max_distance``, ``ld_max_pairs`` as given and UMAP
off; ``boundary`` is :func:`artgen.evaluate.boundary_stats` at the window
seams. The printed table gives seconds, peak RSS and the metrics.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

FAMILIES = ("frequencies", "ld", "boundary", "structure", "distances", "privacy", "corr3",
            "attack")


def make_chromosome(n_snps: int, span: int, sizes: dict[str, int], window: int, seed: int,
                    n_founders: int = 40, segment_bp: float = 50_000, chunk: int = 32):
    """Positions and the haplotype sets of :data:`sizes` (train, test, ags)."""
    rng = np.random.default_rng(seed)
    pos = np.sort(rng.choice(span, n_snps, replace=False)).astype(np.int64) + 1
    # switch probability per SNP from the bp gap to the previous SNP
    gap = np.diff(pos, prepend=pos[0]).astype(np.float64)
    switch = 1.0 - np.exp(-gap / segment_bp)
    base = rng.beta(0.3, 0.9, size=n_snps).clip(0.01, 0.99)
    fst = 0.05
    a = base * (1 - fst) / fst
    b = (1 - base) * (1 - fst) / fst
    founders = [(rng.random((n_founders, n_snps)) < rng.beta(a, b)).astype(np.uint8)
                for _ in range(3)]
    seams = np.arange(window, n_snps, window)
    cols = np.arange(n_snps)
    sets = {}
    for name, n in sizes.items():
        ag = name == "ags"
        sw, noise = (3 * switch, 0.004) if ag else (switch, 0.001)
        out = np.empty((n, n_snps), dtype=np.uint8)
        for s in range(0, n, chunk):
            k = min(chunk, n - s)
            pop = (np.arange(s, s + k) * 3) // n           # population blocks of rows
            jump = rng.random((k, n_snps)) < sw
            if ag:
                jump[:, seams] = True                       # windows generated apart
            seg = np.cumsum(jump, axis=1)
            pick = rng.integers(0, n_founders, size=(k, int(seg.max()) + 1))
            src = np.take_along_axis(pick, seg, axis=1)
            for p in range(3):
                rows = pop == p
                out[s:s + k][rows] = founders[p][src[rows], cols]
            out[s:s + k] ^= (rng.random((k, n_snps)) < noise).astype(np.uint8)
        sets[name] = out
    return pos, sets, seams


def ids(n: int, prefix: str) -> list[str]:
    return [f"{prefix}{k // 2:05d}_{'AB'[k % 2]}" for k in range(n)]


def child(data: Path, family: str, settings: dict) -> None:
    """Run one family on the saved data; print one JSON line."""
    from artgen.evaluate import Settings, compute_family
    from artgen.haplotypes import Haplotypes

    pos = np.load(data / "pos.npy")
    n_snps = len(pos)
    snp = {"chrom": np.full(n_snps, "20"), "pos": pos, "ref": np.full(n_snps, "A"),
           "alt": np.full(n_snps, "G")}
    sets = {}
    for name, prefix in (("train", "TR"), ("test", "TE"), ("ags", "AG")):
        alleles = np.load(data / f"{name}.npy")
        sets[name] = Haplotypes.build(alleles, ids=ids(len(alleles), prefix), **snp)
    loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # only the settings this version of artgen has (to compare with older versions)
    cfg = Settings(**{k: v for k, v in settings.items() if k in Settings.__dataclass_fields__})
    start = time.perf_counter()
    if family == "boundary":
        from artgen.evaluate import boundary_stats

        metrics, _ = boundary_stats(sets["train"], sets["ags"], np.load(data / "seams.npy"), cfg)
    else:
        metrics, _ = compute_family(family, sets["train"], sets["ags"], sets["test"], cfg)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"family": family, "seconds": seconds, "peak_mb": peak, "data_mb": loaded,
                      "metrics": {k: float(v) for k, v in metrics.items()}}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--snps", type=int, default=229_000)
    parser.add_argument("--span", type=int, default=20_000_000)
    parser.add_argument("--train", type=int, default=700)
    parser.add_argument("--ags", type=int, default=700)
    parser.add_argument("--held-out", type=int, default=230)
    parser.add_argument("--window", type=int, default=5000, help="SNPs per AG window")
    parser.add_argument("--ld-max-distance", type=int, default=500_000)
    parser.add_argument("--ld-max-pairs", type=int, default=2_000_000)
    parser.add_argument("--families", default=",".join(FAMILIES))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--child", nargs=3, metavar=("DATA", "FAMILY", "SETTINGS"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child[0]), args.child[1], json.loads(args.child[2]))
        return

    settings = {"seed": args.seed, "umap": False, "ld_max_distance": args.ld_max_distance,
                "ld_max_pairs": args.ld_max_pairs}
    with tempfile.TemporaryDirectory(prefix="bench_stats_scale_") as tmp:
        data = Path(tmp)
        start = time.perf_counter()
        pos, sets, seams = make_chromosome(
            args.snps, args.span, {"train": args.train, "test": args.held_out, "ags": args.ags},
            args.window, args.seed)
        np.save(data / "pos.npy", pos)
        np.save(data / "seams.npy", seams)
        for name, alleles in sets.items():
            np.save(data / f"{name}.npy", alleles)
        del sets
        print(f"# {args.snps} SNPs over {args.span / 1e6:g} Mb, {args.train} train, "
              f"{args.ags} AGs ({len(seams)} seams), {args.held_out} held out; data made in "
              f"{time.perf_counter() - start:.0f} s; settings {settings}", flush=True)
        print(f"| family | seconds | peak RSS (MB) | of which data (MB) | metrics |")
        print("|---|---:|---:|---:|---|")
        for family in args.families.split(","):
            run = subprocess.run([sys.executable, __file__, "--child", str(data), family,
                                  json.dumps(settings)], capture_output=True, text=True,
                                 env={**os.environ, "PYTHONWARNINGS": "ignore"})
            if run.returncode != 0:
                print(f"| {family} | failed | | | {run.stderr.strip().splitlines()[-1]} |",
                      flush=True)
                continue
            r = json.loads(run.stdout.strip().splitlines()[-1])
            shown = ", ".join(f"{k} {v:.3g}" for k, v in list(r["metrics"].items())[:6])
            print(f"| {family} | {r['seconds']:.1f} | {r['peak_mb']:.0f} | {r['data_mb']:.0f} "
                  f"| {shown} |", flush=True)


if __name__ == "__main__":
    main()
