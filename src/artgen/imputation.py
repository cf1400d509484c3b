"""Imputation with Beagle 5: how well a reference panel (real, or augmented
with artificial genomes) fills in the untyped sites of held-out targets.

The experiment of the paper's Figure 4, with Beagle in place of Impute2:
target individuals are reduced to an array-like subset of sites
(:func:`array_sites`), imputed against a reference panel
(:func:`run_beagle`), and scored per MAF bin (:func:`imputation_quality`) by
the imputer's own estimate (Beagle's DR2, the analogue of Impute2's info)
and by the true squared correlation with the masked genotypes.
:func:`impute_and_score` chains the three for the workflow.

A generator that is also an imputer (one with ``allele_probabilities``, the
hidden-Markov model) can fill in the untyped sites itself, with no Beagle and
no reference panel: :func:`model_imputation` turns its posterior allele
probabilities into the same :class:`Imputed` record, with
:func:`estimated_r2` (Beagle's DR2 estimator) in place of Beagle's DR2, and
:func:`impute_from_model_and_score` scores it as Beagle's output is scored.

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
from typing import NamedTuple

import numpy as np
import pandas as pd

from artgen.errors import InputError
from artgen.haplotypes import Haplotypes
from artgen.io.vcf import index_vcf, open_vcf, write_vcf
from artgen.tools import require_tool

log = logging.getLogger(__name__)

__all__ = [
    "BeagleError",
    "Imputed",
    "CLASS_COLUMNS",
    "QUALITY_COLUMNS",
    "array_sites",
    "beagle_command",
    "combine_panels",
    "estimated_r2",
    "impute_and_score",
    "impute_from_model_and_score",
    "ImputationScores",
    "MAF_CLASSES",
    "imputation_quality",
    "maf_class_quality",
    "model_imputation",
    "relative_to_real",
    "score_imputation",
    "read_beagle_vcf",
    "run_beagle",
]

QUALITY_COLUMNS = ["maf_lo", "maf_hi", "n_snps", "snp_share", "dr2", "r2", "n_r2"]
CLASS_COLUMNS = ["maf_class", *QUALITY_COLUMNS]

#: MAF bins of :func:`imputation_quality`: 10 of width 0.05, as the paper's Figure 4.
N_MAF_BINS = 10
#: MAF class edges of :func:`maf_class_quality`: < 1%, 1-5%, > 5% (GPC's report).
MAF_CLASSES = (0.0, 0.01, 0.05, 0.5)

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


class ImputationScores(NamedTuple):
    """The two quality tables of one imputation: per MAF bin
    (:func:`imputation_quality`) and per MAF class (:func:`maf_class_quality`)."""

    bins: pd.DataFrame
    classes: pd.DataFrame


# ------------------------------------------------------------- typed sites

def array_sites(pos, density: float) -> np.ndarray:
    """The "typed" sites of an array-like subset: a mask over ``pos``.

    ``round(density * n_sites)`` sites (at least 2) spread evenly over the
    panel by site index, the first and the last site included, so a genotyping
    array is mimicked deterministically: every ``1 / density``-th site of the
    panel is kept, whatever the spacing of the SNPs in base pairs.

    Parameters
    ----------
    pos : array-like, int, shape (n_sites,)
        Positions of the panel's sites, strictly increasing (one chromosome).
    density : float
        Share of sites typed, ``0 < density <= 1``.

    Returns
    -------
    ndarray, bool, shape (n_sites,)

    Examples
    --------
    >>> array_sites([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000], 0.3).nonzero()[0]
    array([0, 4, 9])
    """
    pos = _check_positions(pos, "pos")
    n = len(pos)
    if n < 2:
        raise InputError(f"an array subset needs at least 2 sites; the panel has {n}")
    if not (np.isfinite(density) and 0 < density <= 1):
        raise InputError(f"density must be in (0, 1], got {density}")
    k = min(n, max(2, int(round(density * n))))
    typed = np.zeros(n, dtype=bool)
    typed[np.round(np.linspace(0, n - 1, k)).astype(np.int64)] = True
    return typed


def _check_positions(pos, name: str) -> np.ndarray:
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

def _snp_label(h: Haplotypes, j: int) -> str:
    return f"{h.chrom[j]}:{h.pos[j]} {h.ref[j]}>{h.alt[j]}"


def _check_same_snps(reference: Haplotypes, targets: Haplotypes) -> None:
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
    where = (f"first difference at SNP {differ[0]}: reference {_snp_label(reference, differ[0])}, "
             f"targets {_snp_label(targets, differ[0])}" if differ
             else f"reference has {reference.n_snps} SNPs, targets {targets.n_snps}")
    raise InputError(f"reference and targets must have the same SNPs in the same order "
                     f"({shared} of the targets' {targets.n_snps} SNPs are in the reference); "
                     f"{where}")


def _check_diploid(h: Haplotypes, name: str) -> None:
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
    _check_same_snps(reference, targets)
    chroms = np.unique(reference.chrom)
    if len(chroms) != 1:
        raise InputError(f"imputation runs on one chromosome at a time; the SNPs are on "
                         f"{len(chroms)} ({', '.join(chroms[:5])})")
    _check_positions(reference.pos, "reference")
    _check_diploid(reference, "reference")
    _check_diploid(targets, "targets")
    return _check_typed(typed, reference.n_snps)


def _check_typed(typed, n_snps: int) -> np.ndarray:
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
        The sites kept in the targets (see :func:`array_sites`).
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
            pos.append(v.POS)
            ref.append(v.REF)
            alt.append(v.ALT[0] if v.ALT else ".")
            value = v.INFO.get("DR2")
            dr2.append(np.nan if value is None else float(value))
            imp.append(bool(v.INFO.get("IMP")))
            fields = [v.format(name) for name in ("DS", "AP1", "AP2")]
            if any(f is None for f in fields):
                raise InputError(f"{path}: site {v.CHROM}:{v.POS} lacks DS, AP1 or AP2 (Beagle "
                                 f"must run with ap=true)")
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


# ----------------------------------------------------------------- quality

def imputation_quality(truth: Haplotypes, imputed: Imputed, maf, *,
                       n_bins: int = N_MAF_BINS) -> pd.DataFrame:
    """Imputation quality per MAF bin, over the imputed (untyped) sites.

    Parameters
    ----------
    truth : Haplotypes
        The targets' true haplotypes at every site (the same SNPs and samples
        as ``imputed``).
    imputed : Imputed
        Beagle's output (:func:`run_beagle`).
    maf : array-like, float, shape (n_snps,)
        Minor allele frequency of each site, in [0, 0.5], used only to bin
        sites; the workflow passes the MAF in the real target-population
        training haplotypes.
    n_bins : int
        Bins of equal width ``0.5 / n_bins`` from 0 to 0.5 (10 bins of 0.05,
        as in the paper's Figure 4), half-open ``[lo, hi)`` except the last,
        which also holds MAF 0.5. Sites with MAF 0 (monomorphic in the
        training haplotypes, yet imputed) fall in the first bin, the paper's
        "MAF < 0.05".

    Returns
    -------
    DataFrame, one row per bin (empty bins included), columns
        ``maf_lo``, ``maf_hi``: the bin;
        ``n_snps``: imputed sites in the bin;
        ``snp_share``: ``n_snps`` over all imputed sites;
        ``dr2``: mean Beagle DR2 over the bin's sites (NaN DR2 ignored);
        ``r2``: mean over the bin's sites of the squared Pearson correlation,
        across target samples, between the imputed dosage (DS) and the true
        genotype (sum of the sample's two true alleles). A site where the
        truth has no variance across targets has no correlation: it is left
        out of ``r2`` (but counted in ``n_snps`` and ``dr2``); a site where
        the truth varies but the dosage is constant scores 0;
        ``n_r2``: sites that ``r2`` averages over (``n_snps - n_r2`` sites had
        no variance in the truth).
    """
    if not isinstance(n_bins, (int, np.integer)) or n_bins < 1:
        raise InputError(f"n_bins must be a whole number >= 1, got {n_bins!r}")
    return _bins_table(_site_scores(truth, imputed, maf), n_bins)


def _bins_table(scores: dict[str, np.ndarray], n_bins: int) -> pd.DataFrame:
    edges = np.arange(n_bins + 1) / (2 * n_bins)  # exact i / (2 n): 0.15 is 3/20, as a MAF would be
    return pd.DataFrame(_bin_rows(scores, edges), columns=QUALITY_COLUMNS)


def maf_class_quality(truth: Haplotypes, imputed: Imputed, maf, *,
                      classes=MAF_CLASSES) -> pd.DataFrame:
    """Imputation quality over all imputed sites and per MAF class (GPC's
    report: MAF < 1%, 1-5%, > 5%), scored as in :func:`imputation_quality`.

    Parameters
    ----------
    truth, imputed, maf
        As for :func:`imputation_quality`.
    classes : sequence of float
        Increasing class edges from 0 to 0.5; classes are half-open
        ``[lo, hi)`` except the last, which also holds MAF 0.5 (so a site of
        MAF exactly 0.05 is in "> 5%").

    Returns
    -------
    DataFrame, one row for all sites (``maf_class`` ``"all"``) then one per
    class (``"<1%"``, ``"1-5%"``, ``">5%"`` by default), the columns of
    :func:`imputation_quality` after ``maf_class``.
    """
    edges = np.asarray(classes, dtype=np.float64)
    if edges.ndim != 1 or len(edges) < 2 or edges[0] != 0 or edges[-1] != 0.5 \
            or not (np.diff(edges) > 0).all():
        raise InputError(f"MAF classes must be increasing edges from 0 to 0.5, got {classes!r}")
    return _classes_table(_site_scores(truth, imputed, maf), edges)


def _classes_table(scores: dict[str, np.ndarray], edges: np.ndarray) -> pd.DataFrame:
    rows = _bin_rows(scores, np.array([0.0, 0.5])) + _bin_rows(scores, edges)
    labels = ["all"] + [_class_label(lo, hi) for lo, hi in zip(edges[:-1], edges[1:])]
    return pd.DataFrame([{"maf_class": label, **row} for label, row in zip(labels, rows)],
                        columns=CLASS_COLUMNS)


def _class_label(lo: float, hi: float) -> str:
    def percent(x):
        return f"{100 * x:g}%"
    if lo == 0:
        return f"<{percent(hi)}"
    if hi == 0.5:
        return f">{percent(lo)}"
    return f"{100 * lo:g}-{percent(hi)}"


def score_imputation(truth: Haplotypes, imputed: Imputed, maf) -> ImputationScores:
    """Both tables of one imputation: per MAF bin (:func:`imputation_quality`,
    the paper's Figure 4) and per MAF class (:func:`maf_class_quality`), from
    one scoring of the sites."""
    scores = _site_scores(truth, imputed, maf)
    return ImputationScores(_bins_table(scores, N_MAF_BINS),
                            _classes_table(scores, np.asarray(MAF_CLASSES, dtype=np.float64)))


def _site_scores(truth: Haplotypes, imputed: Imputed, maf) -> dict[str, np.ndarray]:
    """The true r^2, the DR2 and the MAF of every imputed site, after checking
    that ``truth``, ``imputed`` and ``maf`` describe the same sites and samples."""
    for f in ("chrom", "pos", "ref", "alt"):
        if not np.array_equal(getattr(truth, f), getattr(imputed, f)):
            raise InputError(f"truth and imputed must have the same SNPs; they differ in {f} "
                             f"({truth.n_snps} vs {imputed.n_snps} SNPs)")
    _check_diploid(truth, "truth")
    samples = truth.samples[0::2]
    if not np.array_equal(samples, imputed.samples):
        raise InputError(f"truth and imputed must have the same samples in the same order; "
                         f"truth has {len(samples)} ({', '.join(samples[:3])}, ...), imputed "
                         f"{len(imputed.samples)} ({', '.join(imputed.samples[:3])}, ...)")
    maf = np.asarray(maf, dtype=np.float64)
    if maf.shape != (truth.n_snps,):
        raise InputError(f"maf must have one value per SNP ({truth.n_snps}), got shape {maf.shape}")
    bad = np.flatnonzero(~(np.isfinite(maf) & (maf >= 0) & (maf <= 0.5)))
    if len(bad):
        raise InputError(f"maf must be in [0, 0.5]; site {_snp_label(truth, int(bad[0]))} "
                         f"has {maf[bad[0]]}")
    sites = np.flatnonzero(imputed.imputed)
    if len(sites) == 0:
        raise InputError("no imputed sites to score: every site was typed")
    genotype = truth.alleles[0::2, sites].astype(np.float64) + truth.alleles[1::2, sites]
    return {"r2": _site_r2(imputed.dosage[:, sites], genotype), "dr2": imputed.dr2[sites],
            "maf": maf[sites]}


def _bin_rows(scores: dict[str, np.ndarray], edges: np.ndarray) -> list[dict]:
    """One quality row per MAF bin ``[edges[b], edges[b + 1])``, the last bin
    closed, over the sites of :func:`_site_scores`."""
    r2, dr2 = scores["r2"], scores["dr2"]
    n_bins = len(edges) - 1
    which = np.minimum(np.searchsorted(edges, scores["maf"], side="right") - 1, n_bins - 1)
    rows = []
    for b in range(n_bins):
        in_bin = which == b
        scored = in_bin & np.isfinite(r2)
        rated = in_bin & np.isfinite(dr2)
        rows.append({"maf_lo": edges[b], "maf_hi": edges[b + 1], "n_snps": int(in_bin.sum()),
                     "snp_share": in_bin.sum() / len(r2),
                     "dr2": dr2[rated].mean() if rated.any() else np.nan,
                     "r2": r2[scored].mean() if scored.any() else np.nan,
                     "n_r2": int(scored.sum())})
    return rows


def _site_r2(dosage: np.ndarray, genotype: np.ndarray) -> np.ndarray:
    """Squared Pearson correlation per column (site) across rows (samples);
    NaN where the genotype is constant, 0 where only the dosage is."""
    d = dosage - dosage.mean(axis=0)
    g = genotype - genotype.mean(axis=0)
    sdd, sgg, sdg = (d * d).sum(axis=0), (g * g).sum(axis=0), (d * g).sum(axis=0)
    r2 = np.full(dosage.shape[1], np.nan)
    varies = sgg > 0
    r2[varies] = 0.0
    both = varies & (sdd > 0)
    r2[both] = sdg[both] ** 2 / (sdd[both] * sgg[both])
    return r2


# ---------------------------------------------------------------- pipeline

def combine_panels(*panels: Haplotypes) -> Haplotypes:
    """One reference panel from several haplotype sets at the same SNPs (the
    1000 Genomes panel plus target training haplotypes, or plus AGs)."""
    if not panels:
        raise InputError("combine_panels needs at least one haplotype set")
    first = panels[0]
    for i, other in enumerate(panels[1:], start=1):
        try:
            _check_same_snps(first, other)
        except InputError as exc:
            raise InputError(f"panel {i} does not have the SNPs of panel 0: {exc}") from None
    ids = np.concatenate([p.ids for p in panels])
    names, counts = np.unique(ids, return_counts=True)
    if (counts > 1).any():
        raise InputError(f"haplotype id {str(names[counts > 1][0])!r} is in more than one panel")
    return Haplotypes(np.concatenate([p.alleles for p in panels]), first.chrom, first.pos,
                      first.ref, first.alt, ids, np.concatenate([p.pops for p in panels]),
                      np.concatenate([p.super_pops for p in panels]))


def is_alone_reference(reference: str) -> bool:
    """Whether a reference panel of the workflow is one set alone, with no
    other populations: the real target haplotypes (``train_only``), a
    model's AGs (``<model>_only``), or a model imputing by itself
    (``<model>_direct``)."""
    return reference == "train_only" or reference.endswith(("_only", "_direct"))


def relative_to_real(classes: pd.DataFrame) -> pd.DataFrame:
    """Each reference's r^2 as a share of the real panel's it stands in for,
    per MAF class: GPC's "imputation with AGs alone at x% of the real
    panel's r^2".

    A reference of one set alone (:func:`is_alone_reference`) is compared
    with the real target haplotypes alone (``train_only``); any other, with
    the other populations + the real target haplotypes (``perfect``), or
    with ``train_only`` where there are no other populations.

    Parameters
    ----------
    classes : DataFrame
        Rows of :func:`maf_class_quality` with a ``reference`` column (and any
        key columns), one row per reference and class.

    Returns
    -------
    DataFrame
        ``classes`` with ``real_reference`` (the compared real panel) and
        ``r2_vs_real`` (``r2`` over that panel's ``r2`` in the same class;
        NaN where that panel is absent or its r^2 is NaN or 0).
    """
    missing = [c for c in ("reference", "maf_class", "r2") if c not in classes.columns]
    if missing:
        raise InputError(f"the MAF class table lacks column(s) {', '.join(missing)}")
    names = classes["reference"].astype(str)
    given = set(names)
    real = ["train_only" if is_alone_reference(r) or "perfect" not in given else "perfect"
            for r in names]
    r2 = {(str(ref), c): v for ref, c, v in zip(names, classes["maf_class"], classes["r2"])}
    base = np.array([r2.get((ref, c), np.nan) for ref, c in zip(real, classes["maf_class"])],
                    dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(base > 0, classes["r2"].to_numpy(dtype=np.float64) / base, np.nan)
    return classes.assign(real_reference=real, r2_vs_real=ratio)


def impute_and_score(reference: Haplotypes, targets_truth: Haplotypes, *, density: float, maf,
                     workdir, seed: int, threads: int = 1,
                     memory_gb: int = 2) -> ImputationScores:
    """Mask the targets to an array (:func:`array_sites` at ``density``),
    impute them from ``reference`` with Beagle (:func:`run_beagle`) and
    score the imputed sites per MAF bin and per MAF class
    (:func:`score_imputation`)."""
    typed = array_sites(targets_truth.pos, density)
    imputed = run_beagle(reference, targets_truth, typed, workdir, seed=seed, threads=threads,
                         memory_gb=memory_gb)
    return score_imputation(targets_truth, imputed, maf)


# ------------------------------------------------------- a model as imputer

#: Allele code of an untyped site given to a model (any value above 1 is missing).
MISSING = 255
#: Beagle's smallest denominator of DR2 (below it, DR2 is 0).
_MIN_R2_DEN = 1e-8


def estimated_r2(haplotype_dosage) -> np.ndarray:
    """Beagle's DR2 from per-haplotype ALT allele probabilities: the
    estimated squared correlation between the imputed and the true ALT dose,
    computed without the truth.

    With ``p1``, ``p2`` the two haplotypes' probabilities of a sample, its
    dose is ``d = p1 + p2`` and, the haplotypes independent given the
    imputer, ``E[x^2] = P(x=1) + 4 P(x=2) = d + 2 p1 p2``. Over the ``n``
    samples of a site (Beagle's ``R2Estimator.doseR2``)::

        DR2 = (sum d^2 - (sum d)^2 / n) / (sum E[x^2] - (sum d)^2 / n)

    the variance of the doses over the variance they would have were every
    dose certain; 0 where the denominator is below 1e-8 (a site monomorphic
    in the doses). At a site where every probability is 0 or 1 (a typed
    site) it is 1 if polymorphic.

    Parameters
    ----------
    haplotype_dosage : array-like, float, shape (2 * n_samples, n_snps)
        Rows ``<sample>_A``, ``<sample>_B`` of each sample, values in [0, 1].

    Returns
    -------
    ndarray, float64, shape (n_snps,)

    Examples
    --------
    >>> estimated_r2([[1, 0.5, 0.5], [0, 0.5, 0.0], [1, 0.5, 1.0], [1, 0.5, 1.0]]).round(3)
    array([1.   , 0.   , 0.818])
    """
    p = np.asarray(haplotype_dosage, dtype=np.float64)
    if p.ndim != 2 or p.shape[0] < 2 or p.shape[0] % 2:
        raise InputError(f"haplotype dosages must be (2 * n_samples, n_snps) with n_samples >= 1, "
                         f"got shape {p.shape}")
    if not np.all((p >= 0) & (p <= 1)):
        raise InputError("haplotype dosages must be probabilities in [0, 1]")
    p1, p2 = p[0::2], p[1::2]
    dose = p1 + p2
    mean_term = dose.sum(axis=0) ** 2 / dose.shape[0]
    num = np.maximum((dose * dose).sum(axis=0) - mean_term, 0.0)
    den = (dose + 2.0 * p1 * p2).sum(axis=0) - mean_term
    out = np.zeros(p.shape[1])
    ok = den >= _MIN_R2_DEN
    out[ok] = num[ok] / den[ok]
    return out


def model_imputation(model, targets: Haplotypes, typed, *, populations=None) -> Imputed:
    """Impute the untyped sites of ``targets`` from a model's posterior.

    The targets' alleles at the untyped sites are hidden (coded
    :data:`MISSING`) and ``model.allele_probabilities`` gives each
    haplotype's probability of the ALT allele at every site given its typed
    alleles (for the hidden-Markov model: the forward-backward posterior of
    the hidden states, projected on their allele probabilities). As in
    Beagle's output, typed sites keep the targets' own alleles.

    Parameters
    ----------
    model : object with ``allele_probabilities(alleles, populations=None)``
        A fitted imputer (e.g. :class:`artgen.models.hmm.HMMGenerator`) on
        the targets' SNPs.
    targets : Haplotypes
        The targets' true haplotypes, in pairs ``<sample>_A``/``_B``.
    typed : ndarray, bool, shape (n_snps,)
        The sites kept (see :func:`array_sites`).
    populations : array-like of str, optional
        Population label of each target haplotype, passed to the model.

    Returns
    -------
    Imputed
        ``haplotype_dosage`` the posterior probabilities, ``dosage`` their
        sum per sample, ``dr2`` :func:`estimated_r2` of them, ``imputed``
        the untyped sites, ``log`` None.
    """
    if not callable(getattr(model, "allele_probabilities", None)):
        raise InputError(f"{type(model).__name__} is not an imputer (no allele_probabilities)")
    _check_diploid(targets, "targets")
    typed = _check_typed(typed, targets.n_snps)
    masked = targets.alleles.copy()
    masked[:, ~typed] = MISSING
    probs = np.array(model.allele_probabilities(masked, populations=populations),
                     dtype=np.float64)
    if probs.shape != masked.shape:
        raise InputError(f"the model gave allele probabilities of shape {probs.shape} for "
                         f"targets of shape {masked.shape}; was it trained on these SNPs?")
    if not np.all(np.isfinite(probs) & (probs >= 0) & (probs <= 1)):
        raise InputError("the model gave allele probabilities outside [0, 1]")
    probs[:, typed] = targets.alleles[:, typed]
    log.info("imputing %d target samples at %d of %d sites from the model's posterior",
             targets.n_haplotypes // 2, int(typed.sum()), targets.n_snps)
    return Imputed(samples=targets.samples[0::2], chrom=targets.chrom.copy(),
                   pos=targets.pos.copy(), ref=targets.ref.copy(), alt=targets.alt.copy(),
                   dosage=probs[0::2] + probs[1::2], haplotype_dosage=probs,
                   dr2=estimated_r2(probs), imputed=~typed, log=None)


def impute_from_model_and_score(model, targets_truth: Haplotypes, *, density: float, maf,
                                populations=None) -> ImputationScores:
    """:func:`impute_and_score` with the model as the imputer: the same
    array sites, :func:`model_imputation`, the same quality tables (their
    ``dr2`` column is :func:`estimated_r2` of the model's dosages)."""
    typed = array_sites(targets_truth.pos, density)
    imputed = model_imputation(model, targets_truth, typed, populations=populations)
    return score_imputation(targets_truth, imputed, maf)
