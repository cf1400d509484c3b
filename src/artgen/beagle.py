"""Beagle 5, run on a reference panel and targets reduced to typed sites:
its input checks, its command line, one run, and its output as an
:class:`Imputed` record.

Haplotype sets go to Beagle as diploid VCF samples: consecutive haplotypes
``<sample>_A``, ``<sample>_B`` form one sample (artificial genomes have ids in
pairs too, see :func:`artgen.haplotypes.artificial_ids`).

Bad input raises :class:`artgen.errors.InputError` before Beagle starts;
a Beagle failure raises :class:`BeagleError` quoting Beagle's own error lines.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from artgen.errors import InputError
from artgen.haplotypes import Haplotypes
from artgen.io.vcf import index_vcf, open_vcf, vcf_position, write_vcf
from artgen.tools import require_tool

log = logging.getLogger(__name__)

__all__ = [
    "BeagleError",
    "Imputed",
    "beagle_command",
    "check_diploid",
    "check_positions",
    "check_same_sites",
    "check_typed",
    "read_beagle_vcf",
    "run_beagle",
    "snp_label",
]

# Files run_beagle writes in its work folder.
REFERENCE_VCF = "reference.vcf.gz"
TARGETS_VCF = "targets.vcf.gz"
OUT_PREFIX = "imputed"            # Beagle writes imputed.vcf.gz and imputed.log
CONSOLE_LOG = "beagle_console.log"  # Beagle's stdout and stderr, together


class BeagleError(RuntimeError):
    """Beagle ran and failed; the message quotes its error lines."""


@dataclass(frozen=True, eq=False)
class Imputed:
    """Beagle's output for the targets, at every site of the reference panel.

    Attributes
    ----------
    samples : ndarray, str, shape (n_samples,)
        Target samples, in the order of the targets' haplotype pairs.
    chrom, ref, alt : ndarray, str, shape (n_snps,)
    pos : ndarray, int64, shape (n_snps,)
        The sites, identical to the reference panel's.
    dosage : ndarray, float64, shape (n_samples, n_snps)
        Beagle's DS: the estimated ALT allele count, P(RA) + 2 P(AA), in [0, 2].
        At typed sites it is the input genotype.
    haplotype_dosage : ndarray, float64, shape (2 * n_samples, n_snps)
        Beagle's AP1/AP2: the estimated ALT dose of each haplotype, rows in
        the order ``<sample>_A``, ``<sample>_B`` as in :class:`Haplotypes`.
    dr2 : ndarray, float64, shape (n_snps,)
        Beagle's DR2 INFO field, the estimated squared correlation between
        estimated and true ALT dose. Beagle 5.4 writes it at every site,
        typed ones included (there it is computed from the phased input
        genotypes, so it is near 1 at polymorphic typed sites and 0 at sites
        monomorphic in the targets); NaN where a record has none.
    imputed : ndarray, bool, shape (n_snps,)
        Beagle's IMP flag: True at sites that were imputed (untyped in the
        targets), False at typed sites.
    log : Path or None
        Beagle's log file (None for an Imputed built by hand).
    """

    samples: np.ndarray
    chrom: np.ndarray
    pos: np.ndarray
    ref: np.ndarray
    alt: np.ndarray
    dosage: np.ndarray
    haplotype_dosage: np.ndarray
    dr2: np.ndarray
    imputed: np.ndarray
    log: Path | None

    @property
    def n_snps(self) -> int:
        return len(self.pos)


def check_positions(pos, name: str) -> np.ndarray:
    pos = np.asarray(pos)
    if pos.ndim != 1 or not np.issubdtype(pos.dtype, np.integer):
        raise InputError(f"{name} must be a 1-D array of integer positions")
    bad = np.flatnonzero(np.diff(pos) <= 0)
    if len(bad):
        j = int(bad[0])
        what = "duplicated position" if pos[j + 1] == pos[j] else "positions not increasing"
        raise InputError(f"{name}: {what} at site {j + 1} (position {pos[j + 1]} after "
                         f"{pos[j]}); sites must be strictly increasing")
    return pos


# ----------------------------------------------------------- input checks

def snp_label(h: Haplotypes, j: int) -> str:
    """``chrom:pos REF>ALT`` of SNP ``j``, for messages."""
    return f"{h.chrom[j]}:{h.pos[j]} {h.ref[j]}>{h.alt[j]}"


def check_same_sites(reference: Haplotypes, targets: Haplotypes) -> None:
    """Reference and targets must have the same SNPs in the same order."""
    fields = ("chrom", "pos", "ref", "alt")
    if reference.n_snps == targets.n_snps and all(
            np.array_equal(getattr(reference, f), getattr(targets, f)) for f in fields):
        return
    ref_keys = set(zip(*(getattr(reference, f) for f in fields)))
    shared = sum(key in ref_keys for key in zip(*(getattr(targets, f) for f in fields)))
    if shared == 0:
        raise InputError(f"reference ({reference.n_snps} SNPs) and targets ({targets.n_snps} "
                         f"SNPs) have no overlapping sites (same chrom, pos, REF and ALT)")
    n = min(reference.n_snps, targets.n_snps)
    differ = [j for j in range(n) if any(getattr(reference, f)[j] != getattr(targets, f)[j]
                                         for f in fields)]
    where = (f"first difference at SNP {differ[0]}: reference {snp_label(reference, differ[0])}, "
             f"targets {snp_label(targets, differ[0])}" if differ
             else f"reference has {reference.n_snps} SNPs, targets {targets.n_snps}")
    raise InputError(f"reference and targets must have the same SNPs in the same order "
                     f"({shared} of the targets' {targets.n_snps} SNPs are in the reference); "
                     f"{where}")


def check_diploid(h: Haplotypes, name: str) -> None:
    """Haplotypes must pair into diploid samples with distinct names."""
    if h.n_haplotypes == 0:
        raise InputError(f"{name}: no haplotypes")
    if h.n_haplotypes % 2:
        raise InputError(f"{name}: {h.n_haplotypes} haplotypes, an odd number; Beagle needs "
                         f"diploid samples (haplotypes in pairs <sample>_A, <sample>_B)")
    samples = h.samples
    unpaired = np.flatnonzero(samples[0::2] != samples[1::2])
    if len(unpaired):
        i = 2 * int(unpaired[0])
        first, second = str(h.ids[i]), str(h.ids[i + 1])
        raise InputError(f"{name}: haplotypes {first!r} and {second!r} are not the two haplotypes "
                         f"of one sample; Beagle needs diploid samples (haplotypes in pairs "
                         f"<sample>_A, <sample>_B)")
    names, counts = np.unique(samples[0::2], return_counts=True)
    if (counts > 1).any():
        raise InputError(f"{name}: sample {str(names[counts > 1][0])!r} appears more than once")


def _check_panel(reference: Haplotypes, targets: Haplotypes, typed) -> np.ndarray:
    check_same_sites(reference, targets)
    chroms = np.unique(reference.chrom)
    if len(chroms) != 1:
        raise InputError(f"imputation runs on one chromosome at a time; the SNPs are on "
                         f"{len(chroms)} ({', '.join(chroms[:5])})")
    check_positions(reference.pos, "reference")
    check_diploid(reference, "reference")
    check_diploid(targets, "targets")
    return check_typed(typed, reference.n_snps)


def check_typed(typed, n_snps: int) -> np.ndarray:
    """``typed`` as a boolean mask of ``n_snps`` sites marking at least one."""
    typed = np.asarray(typed)
    if typed.dtype != bool or typed.shape != (n_snps,):
        raise InputError(f"typed must be a boolean mask of the {n_snps} SNPs, got "
                         f"dtype {typed.dtype} and shape {typed.shape}")
    if not typed.any():
        raise InputError("typed marks no site: the targets would have no genotypes to impute from")
    return typed


# ------------------------------------------------------------------ Beagle

def beagle_command(memory_gb: int = 2) -> tuple[list[str], dict[str, str]]:
    """The command that starts Beagle with a Java heap of ``memory_gb`` GiB,
    and the environment variables to add.

    ``beagle`` on PATH is usually a wrapper script (Debian's runs
    ``java -jar /usr/share/beagle/beagle.jar``). When the script names its jar,
    Beagle is run as ``java -Xmx<m>g -jar <jar>``; otherwise the wrapper is
    run with ``-Xmx<m>g`` in ``_JAVA_OPTIONS``, which every HotSpot JVM reads
    (and which the Bioconda wrapper honours in place of its default heap).
    """
    if not (isinstance(memory_gb, (int, np.integer)) and memory_gb >= 1):
        raise InputError(f"memory_gb must be a whole number of GiB >= 1, got {memory_gb!r}")
    heap = f"-Xmx{int(memory_gb)}g"
    beagle = require_tool("beagle")
    jar = _wrapper_jar(beagle)
    if jar is not None:
        return [require_tool("java"), heap, "-jar", jar], {}
    options = " ".join(filter(None, [os.environ.get("_JAVA_OPTIONS", ""), heap]))
    return [beagle], {"_JAVA_OPTIONS": options}


def _wrapper_jar(path: str) -> str | None:
    """The jar that a ``beagle`` wrapper script runs, when it names one."""
    if path.endswith(".jar"):
        return path
    try:
        with open(path, "rb") as fh:
            text = fh.read(65536).decode("utf-8", errors="replace")
    except OSError:
        return None
    for match in re.finditer(r"-jar\s+[\"']?([^\s\"'$]+\.jar)", text):
        if Path(match.group(1)).is_file():
            return match.group(1)
    return None


def run_beagle(reference: Haplotypes, targets: Haplotypes, typed, workdir, *, seed: int,
               threads: int = 1, memory_gb: int = 2, ne: int | None = None) -> Imputed:
    """Impute the untyped sites of ``targets`` from ``reference`` with Beagle 5.

    Parameters
    ----------
    reference : Haplotypes
        The reference panel: phased haplotypes in pairs ``<sample>_A``/``_B``.
    targets : Haplotypes
        The targets at the same SNPs as ``reference`` (same chrom, pos, REF,
        ALT, in order); only their ``typed`` sites are given to Beagle.
    typed : ndarray, bool, shape (n_snps,)
        The sites kept in the targets (see :func:`artgen.imputation.array_sites`).
    workdir : path
        Folder for Beagle's inputs and outputs: ``reference.vcf.gz``,
        ``targets.vcf.gz``, ``imputed.vcf.gz`` (and its ``.tbi``),
        ``imputed.log`` (Beagle's log) and ``beagle_console.log`` (Beagle's
        stdout and stderr).
    seed : int
        Beagle's ``seed``; the same seed and threads give the same output.
    threads, memory_gb : Beagle's ``nthreads`` and the Java heap in GiB.
    ne : Beagle's effective population size (None: Beagle's default, which
        Beagle re-estimates with its ``em`` step).

    Returns
    -------
    Imputed

    The command is ``java -Xmx<m>g -jar beagle.jar ref=reference.vcf.gz
    gt=targets.vcf.gz out=imputed seed=<seed> nthreads=<threads> impute=true
    gp=false ap=true [ne=<ne>]`` (see :func:`beagle_command`). No genetic map
    is given, so Beagle takes 1 cM = 1 Mb.
    """
    typed = _check_panel(reference, targets, typed)
    if not (isinstance(threads, (int, np.integer)) and threads >= 1):
        raise InputError(f"threads must be a whole number >= 1, got {threads!r}")
    if ne is not None and not (isinstance(ne, (int, np.integer)) and ne >= 1):
        raise InputError(f"ne must be a whole number >= 1, got {ne!r}")
    command, env = beagle_command(memory_gb)

    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    ref_vcf, gt_vcf = workdir / REFERENCE_VCF, workdir / TARGETS_VCF
    out_vcf, beagle_log = workdir / f"{OUT_PREFIX}.vcf.gz", workdir / f"{OUT_PREFIX}.log"
    console = workdir / CONSOLE_LOG
    for stale in (out_vcf, Path(f"{out_vcf}.tbi")):   # never read a stale result
        stale.unlink(missing_ok=True)
    write_vcf(reference, ref_vcf)
    write_vcf(targets.take_snps(typed), gt_vcf)

    args = [f"ref={ref_vcf}", f"gt={gt_vcf}", f"out={workdir / OUT_PREFIX}", f"seed={int(seed)}",
            f"nthreads={int(threads)}", "impute=true", "gp=false", "ap=true"]
    if ne is not None:
        args.append(f"ne={int(ne)}")
    log.info("imputing %d target samples at %d of %d sites from %d reference haplotypes: %s",
             targets.n_haplotypes // 2, int(typed.sum()), reference.n_snps,
             reference.n_haplotypes, " ".join(command + args))
    with open(console, "w") as out:
        result = subprocess.run(command + args, stdout=out, stderr=subprocess.STDOUT,
                                env={**os.environ, **env})
    text = console.read_text(errors="replace")
    if result.returncode != 0 or not out_vcf.exists():
        out_vcf.unlink(missing_ok=True)
        raise BeagleError(f"Beagle failed (exit status {result.returncode}) imputing {gt_vcf} "
                          f"from {ref_vcf}: {' | '.join(_error_lines(text))} (full output in "
                          f"{console})")
    # The index also names the contig, which Beagle leaves out of the header.
    index_vcf(out_vcf)
    imputed = read_beagle_vcf(out_vcf, beagle_log)
    fields = ("chrom", "pos", "ref", "alt")
    if not all(np.array_equal(getattr(imputed, f), getattr(reference, f)) for f in fields):
        raise BeagleError(f"{out_vcf}: Beagle wrote {imputed.n_snps} sites, not the "
                          f"{reference.n_snps} sites of the reference panel")
    if not np.array_equal(imputed.samples, targets.samples[0::2]):
        raise BeagleError(f"{out_vcf}: Beagle's samples are not the targets'")
    return imputed


def _error_lines(text: str, n: int = 6) -> list[str]:
    """Beagle's error lines (or its last lines when none says error), without
    Java stack frames."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    hits = [i for i, line in enumerate(lines)
            if re.search(r"error|exception|terminat", line, re.IGNORECASE)]
    picked = lines[hits[0]:] if hits else lines[-n:]
    picked = [line for line in picked if not line.startswith("at ")][:n]
    return picked or ["Beagle printed nothing"]


def read_beagle_vcf(path, log_path=None) -> Imputed:
    """Read Beagle's output VCF (GT:DS:AP1:AP2, INFO DR2 and IMP)."""
    vcf = open_vcf(path)
    samples = np.array(vcf.samples, dtype=str)
    chrom, pos, ref, alt, dr2, imp, ds, ap = [], [], [], [], [], [], [], []
    try:
        for v in vcf:
            chrom.append(v.CHROM)
            pos.append(vcf_position(v))
            ref.append(v.REF)
            alt.append(v.ALT[0] if v.ALT else ".")
            value = v.INFO.get("DR2")
            dr2.append(np.nan if value is None else float(value))
            imp.append(bool(v.INFO.get("IMP")))
            fields = [v.format(name) for name in ("DS", "AP1", "AP2")]
            if any(f is None for f in fields):
                raise InputError(f"{path}: site {v.CHROM}:{vcf_position(v)} lacks DS, AP1 or AP2 "
                                 f"(Beagle must run with ap=true)")
            ds.append(fields[0][:, 0])
            ap.append(np.stack([fields[1][:, 0], fields[2][:, 0]], axis=1).reshape(-1))
    finally:
        vcf.close()
    if not pos:
        raise InputError(f"{path}: Beagle wrote no sites")
    return Imputed(samples=samples, chrom=np.array(chrom, dtype=str),
                   pos=np.array(pos, dtype=np.int64), ref=np.array(ref, dtype=str),
                   alt=np.array(alt, dtype=str),
                   dosage=np.array(ds, dtype=np.float64).T.copy(),
                   haplotype_dosage=np.array(ap, dtype=np.float64).T.copy(),
                   dr2=np.array(dr2, dtype=np.float64), imputed=np.array(imp, dtype=bool),
                   log=None if log_path is None else Path(log_path))
