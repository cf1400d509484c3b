"""Selection scans (XP-EHH and PBS) on one chromosome panel, real vs AGs.

Yelmen et al. (2021) ran cross-population extended haplotype homozygosity
(XP-EHH; Sabeti et al. 2007) and the population branch statistic (PBS; Yi et
al. 2010, normalised as in Malaspinas et al. 2016) with scikit-allel on a
chromosome-15 panel, once with the real target haplotypes and once with
artificial ones (AGs), against the same real partner populations, and
compared the two scans (Pearson r of the scores, shared top peaks). This
module does the same:

- :func:`xpehh_scores`: XP-EHH per SNP (target vs complement), standardised
  genome-wide;
- :func:`pbs_scores`, :func:`pbs_windows`: normalised PBS in windows of
  ``window`` SNPs moved by ``step`` SNPs (10 and 5 in the paper);
- :func:`selection_scan`: both statistics for three
  :class:`~artgen.haplotypes.Haplotypes` sets on the same SNPs, as one tidy
  frame;
- :func:`compare_scans`: Pearson r and peak overlap of a real and an AG scan;
- :func:`peak_table`: the top rows of a scan, for figures and tables.

Haplotype matrices are 0/1 ``uint8`` of shape (n_haplotypes, n_snps), rows
haplotypes, as :attr:`Haplotypes.alleles`; scikit-allel wants
(n_variants, n_haplotypes), so the wrappers transpose.

Choices, and why
----------------
XP-EHH
    ``allel.xpehh`` with scikit-allel's defaults for ``min_ehh`` (0.05),
    ``gap_scale`` (20 kb: a gap wider than this counts as 20 kb in the
    integral) and ``max_gap`` (200 kb: EHH integrals spanning a wider gap are
    undefined, NaN), and ``use_threads=False`` (the statistic is the same;
    threads only compete with the pipeline's own parallelism).
    ``include_edges=True`` by default, unlike scikit-allel: with False, a SNP
    whose EHH has not decayed below ``min_ehh`` before the panel's first or
    last SNP gets NaN. On short panels that removes a large share of SNPs near
    both ends, and it removes more of them in AGs that keep long haplotypes
    (a generator with too much LD), so real and AG scans would be compared on
    different SNPs and the strongest signals (long haplotypes, i.e. sweeps)
    would be the ones dropped. With True the integral is truncated at the
    panel's edge: scores near the edges are biased low in absolute value, in
    the same way in the real and the AG scan. Pass ``include_edges=False`` for
    scikit-allel's behaviour.

    The score is ``log(iHH_target / iHH_complement)`` (positive: longer
    haplotypes in the target), then standardised over all SNPs of the panel
    with ``allel.standardize`` (``(x - nanmean) / nanstd``), the "genome-wide"
    standardisation of the paper (no allele-frequency bins, which XP-EHH
    does not use). scikit-allel returns a finite score even at a SNP with no
    variation at all (one allele in every target and complement haplotype),
    where XP-EHH has no core allele; such SNPs are set to NaN *before*
    standardising, so they do not shift the mean. A SNP fixed in one
    population only, or fixed for different alleles in the two, is
    polymorphic in the pooled sample and keeps its score (as a pooled-MAF
    filter such as selscan's would keep it). A score that is not finite for
    another reason (e.g. ``max_gap``) is NaN.

PBS
    ``allel.pbs(ac_target, ac_outgroup1, ac_outgroup2, window_size=window,
    window_step=step, normed=True)`` with allele counts (REF, ALT) per SNP.
    In each window scikit-allel computes Hudson's Fst as a ratio of sums over
    the window's SNPs, clips it to [0, 0.99999], transforms it to
    ``T = -log(1 - Fst)`` and returns ``PBS = (T12 + T13 - T23) / 2``, divided
    by ``1 + (T12 + T13 + T23) / 2`` when normalised (PBSn1). Windows hold
    exactly ``window`` SNPs: a remainder shorter than a window at the end of
    the panel is left out (3,348 SNPs, 10/5 -> the paper's 668 windows). A
    window where no SNP varies in any pair of populations is NaN.

Both scores are NaN where undefined; :func:`compare_scans` uses rows where
both scans are finite.
"""

from __future__ import annotations

import warnings

import allel
import numpy as np
import pandas as pd

from artgen.checks import alt_counts, check_haplotypes, pearson
from artgen.errors import InputError
from artgen.haplotypes import Haplotypes

__all__ = [
    "SCAN_COLUMNS",
    "STATISTICS",
    "xpehh_scores",
    "pbs_scores",
    "pbs_windows",
    "selection_scan",
    "compare_scans",
    "peak_table",
]

#: Columns of the frame returned by :func:`selection_scan`.
SCAN_COLUMNS = ("statistic", "chrom", "start", "stop", "pos", "value")

#: The statistics of a scan, in the order of its rows.
STATISTICS = ("xpehh", "pbs")

_KEYS = ["statistic", "chrom", "start", "stop"]


# ------------------------------------------------------------------ checks

def _check_matrices(**named) -> list[np.ndarray]:
    """Check 0/1 haplotype matrices on the same SNPs, each with at least two
    haplotypes (a pair to compare)."""
    out = [check_haplotypes(h, name) for name, h in named.items()]
    names = list(named)
    for name, h in zip(names, out):
        if h.shape[0] < 2:
            raise InputError(f"{name} needs at least 2 haplotypes, got {h.shape[0]}")
    for name, h in zip(names[1:], out[1:]):
        if h.shape[1] != out[0].shape[1]:
            raise InputError(f"{names[0]} and {name} must have the same SNPs: {names[0]} has "
                             f"{out[0].shape[1]} SNPs, {name} has {h.shape[1]}")
    return out


def _check_window(window, step, n_snps: int) -> tuple[int, int]:
    for name, v in (("window", window), ("step", step)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise InputError(f"{name} must be a positive number of SNPs, got {v!r}")
    if n_snps < window:
        raise InputError(f"the panel has {n_snps} SNPs, fewer than one PBS window of {window}")
    return int(window), int(step)


def _check_quantile(quantile) -> float:
    if isinstance(quantile, bool) or not isinstance(quantile, (int, float, np.floating)) \
            or not 0 <= quantile <= 1:
        raise InputError(f"quantile must be a number in [0, 1], got {quantile!r}")
    return float(quantile)


def _check_scan(scan, name: str) -> pd.DataFrame:
    if not isinstance(scan, pd.DataFrame):
        raise InputError(f"{name} must be a scan frame (from selection_scan), "
                         f"got {type(scan).__name__}")
    missing = [c for c in SCAN_COLUMNS if c not in scan.columns]
    if missing:
        raise InputError(f"{name} lacks the column(s) {', '.join(missing)}; "
                         f"a scan has {', '.join(SCAN_COLUMNS)}")
    unknown = sorted(set(scan["statistic"]) - set(STATISTICS))
    if unknown:
        raise InputError(f"{name} has unknown statistic(s) {', '.join(map(str, unknown))}; "
                         f"expected {' or '.join(STATISTICS)}")
    dup = scan.duplicated(_KEYS)
    if dup.any():
        row = scan[_KEYS].iloc[int(np.argmax(dup.to_numpy()))].tolist()
        raise InputError(f"{name} has duplicate rows for statistic/chrom/start/stop {row}")
    return scan


# ------------------------------------------------------------------ XP-EHH

def xpehh_scores(target_alleles, complement_alleles, pos, *, include_edges: bool = True,
                 min_ehh: float = 0.05, gap_scale: int = 20_000,
                 max_gap: int = 200_000) -> np.ndarray:
    """Standardised XP-EHH of the target against the complement at each SNP.

    Parameters
    ----------
    target_alleles, complement_alleles : array_like, 0/1, shape (n_haplotypes, n_snps)
        Haplotypes of the two populations on the same SNPs (the numbers of
        haplotypes may differ; at least 2 each).
    pos : array_like, int, shape (n_snps,)
        Positions (bp), non-decreasing.
    include_edges, min_ehh, gap_scale, max_gap
        Passed to ``allel.xpehh``; see the module notes for the default of
        ``include_edges`` (True here, False in scikit-allel).

    Returns
    -------
    ndarray, float64, shape (n_snps,)
        ``allel.standardize(allel.xpehh(...))``: positive where the target's
        haplotypes are longer. NaN at SNPs with no variation in the pooled
        sample and where scikit-allel gives no finite score.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> a = (rng.random((20, 30)) < 0.5).astype(np.uint8)
    >>> b = (rng.random((16, 30)) < 0.5).astype(np.uint8)
    >>> s = xpehh_scores(a, b, np.arange(1, 31) * 1000)
    >>> s.shape, round(float(np.nanmean(s)), 12), round(float(np.nanstd(s)), 12)
    ((30,), 0.0, 1.0)
    """
    target, complement = _check_matrices(target_alleles=target_alleles,
                                         complement_alleles=complement_alleles)
    pos = np.asarray(pos)
    n_snps = target.shape[1]
    if pos.ndim != 1 or pos.shape[0] != n_snps:
        raise InputError(f"pos must have one entry per SNP ({n_snps}), got shape {pos.shape}")
    if not np.issubdtype(pos.dtype, np.integer):
        raise InputError(f"pos must hold integer positions, got dtype {pos.dtype}")
    if n_snps > 1 and (np.diff(pos) < 0).any():
        i = int(np.argmax(np.diff(pos) < 0))
        raise InputError(f"pos must be sorted: SNP {i + 1} at {pos[i + 1]} comes after {pos[i]}")
    with np.errstate(invalid="ignore", divide="ignore"):
        raw = allel.xpehh(target.T, complement.T, pos.astype(np.int64), min_ehh=min_ehh,
                          include_edges=include_edges, gap_scale=gap_scale, max_gap=max_gap,
                          use_threads=False)
    raw = np.asarray(raw, dtype=np.float64)
    alt = alt_counts(target) + alt_counts(complement)
    pooled = target.shape[0] + complement.shape[0]
    raw[(alt == 0) | (alt == pooled) | ~np.isfinite(raw)] = np.nan
    if not np.isfinite(raw).any():
        return raw
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(allel.standardize(raw), dtype=np.float64)


# -------------------------------------------------------------------- PBS

def _allele_counts(h: np.ndarray) -> np.ndarray:
    """(REF, ALT) counts per SNP, int32, shape (n_snps, 2), as
    ``allel.HaplotypeArray(h.T).count_alleles(max_allele=1)``."""
    alt = alt_counts(h)
    return np.column_stack([h.shape[0] - alt, alt]).astype(np.int32)


def pbs_windows(pos, *, window: int = 10, step: int = 5) -> np.ndarray:
    """First and last SNP position of each PBS window.

    Parameters
    ----------
    pos : array_like, int, shape (n_snps,)
    window, step : int
        Window size and step in SNPs, as in :func:`pbs_scores`.

    Returns
    -------
    ndarray, int64, shape (n_windows, 2)
        ``[start, stop]`` of each window (positions of its first and last SNP,
        both included), in the order of :func:`pbs_scores`.

    Examples
    --------
    >>> pbs_windows([100, 200, 300, 400, 500, 600, 700], window=4, step=2)
    array([[100, 400],
           [300, 600]])
    """
    pos = np.asarray(pos, dtype=np.int64).reshape(-1)
    window, step = _check_window(window, step, len(pos))
    bounds = list(allel.index_windows(pos, window, 0, len(pos), step))
    return np.array([[pos[i], pos[j - 1]] for i, j in bounds], dtype=np.int64).reshape(-1, 2)


def pbs_scores(target_alleles, outgroup1_alleles, outgroup2_alleles, *, window: int = 10,
               step: int = 5) -> np.ndarray:
    """Normalised PBS of the target branch in windows of SNPs.

    Parameters
    ----------
    target_alleles, outgroup1_alleles, outgroup2_alleles : array_like, 0/1,
            shape (n_haplotypes, n_snps)
        Haplotypes of the target and the two outgroups on the same SNPs (at
        least 2 haplotypes each).
    window, step : int
        Window size and the step between window starts, in SNPs (10 and 5 in
        the paper). Only whole windows are scored.

    Returns
    -------
    ndarray, float64, shape (n_windows,)
        ``allel.pbs(..., window_size=window, window_step=step, normed=True)``;
        NaN in windows where no SNP varies. :func:`pbs_windows` gives the
        windows' positions.

    Examples
    --------
    >>> t = np.array([[1] * 4, [1] * 4, [1] * 4, [0] * 4], dtype=np.uint8)
    >>> o = np.array([[0] * 4, [0] * 4, [1] * 4, [0] * 4], dtype=np.uint8)
    >>> pbs_scores(t, o, o, window=4, step=4)  # Fst12 = 0.2; Fst23 < 0, clipped to 0
    array([0.18243447])
    """
    target, out1, out2 = _check_matrices(target_alleles=target_alleles,
                                         outgroup1_alleles=outgroup1_alleles,
                                         outgroup2_alleles=outgroup2_alleles)
    window, step = _check_window(window, step, target.shape[1])
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        values = allel.pbs(_allele_counts(target), _allele_counts(out1), _allele_counts(out2),
                           window_size=window, window_step=step, normed=True)
    return np.asarray(values, dtype=np.float64)


# ------------------------------------------------------------------- scans

def _check_panels(**named: Haplotypes) -> str:
    """Check that the sets hold the same SNPs of one chromosome; return it."""
    names = list(named)
    sets = list(named.values())
    for name, h in named.items():
        if not isinstance(h, Haplotypes):
            raise InputError(f"{name} must be a Haplotypes set, got {type(h).__name__}")
    first = sets[0]
    for name, h in zip(names[1:], sets[1:]):
        if h.n_snps != first.n_snps:
            raise InputError(f"{name} has {h.n_snps} SNPs, {names[0]} has {first.n_snps}: "
                             "the scans need the same SNPs")
        for field in ("chrom", "pos", "ref", "alt"):
            a, b = getattr(first, field), getattr(h, field)
            if not np.array_equal(a, b):
                i = int(np.argmax(a != b))
                raise InputError(f"{name} and {names[0]} differ in {field} at SNP {i + 1} "
                                 f"({b[i]} vs {a[i]}): the scans need the same SNPs")
    if first.n_snps == 0:
        raise InputError(f"{names[0]} has no SNPs")
    chroms = np.unique(first.chrom)
    if len(chroms) != 1:
        raise InputError(f"a selection scan takes one chromosome; the panel has "
                         f"{len(chroms)}: {', '.join(chroms[:5])}")
    return str(chroms[0])


def selection_scan(target: Haplotypes, complement: Haplotypes, outgroup: Haplotypes, *,
                   window: int = 10, step: int = 5,
                   include_edges: bool = True) -> pd.DataFrame:
    """XP-EHH and PBS scans of the target on one chromosome panel.

    Parameters
    ----------
    target : Haplotypes
        The population scanned for selection: real target haplotypes, or AGs.
    complement : Haplotypes
        The XP-EHH partner population and the first PBS outgroup (YRI in the
        paper).
    outgroup : Haplotypes
        The second PBS outgroup (an East Asian population in the paper).
    window, step : int
        PBS window size and step in SNPs.
    include_edges : bool
        Passed to :func:`xpehh_scores`.

    Returns
    -------
    DataFrame
        One row per SNP for ``statistic == "xpehh"`` (``start == stop ==
        pos``, the SNP's position), then one row per window for ``"pbs"``
        (``start``/``stop`` the window's first and last SNP positions, ``pos``
        their midpoint). Columns ``statistic``, ``chrom``, ``start``,
        ``stop`` (int64), ``pos``, ``value`` (float64, NaN where undefined).

    Raises
    ------
    InputError
        When the three sets differ in chrom, pos, REF or ALT, or the panel
        spans more than one chromosome.
    """
    chrom = _check_panels(target=target, complement=complement, outgroup=outgroup)
    pos = target.pos
    xp = xpehh_scores(target.alleles, complement.alleles, pos, include_edges=include_edges)
    pbs = pbs_scores(target.alleles, complement.alleles, outgroup.alleles,
                     window=window, step=step)
    bounds = pbs_windows(pos, window=window, step=step)
    frames = [
        pd.DataFrame({"statistic": "xpehh", "chrom": chrom, "start": pos, "stop": pos,
                      "pos": pos.astype(np.float64), "value": xp}),
        pd.DataFrame({"statistic": "pbs", "chrom": chrom, "start": bounds[:, 0],
                      "stop": bounds[:, 1], "pos": bounds.mean(axis=1), "value": pbs}),
    ]
    scan = pd.concat(frames, ignore_index=True)
    return scan.astype({"start": np.int64, "stop": np.int64, "pos": np.float64,
                        "value": np.float64})


def _is_peak(values: np.ndarray, quantile: float) -> np.ndarray:
    """Rows at or above the `quantile` quantile of the finite values."""
    finite = np.isfinite(values)
    if not finite.any():
        return np.zeros(values.shape, dtype=bool)
    threshold = np.quantile(values[finite], quantile)
    return finite & (values >= threshold)


def compare_scans(real_scan: pd.DataFrame, ag_scan: pd.DataFrame, *,
                  quantile: float = 0.99) -> dict:
    """Agreement of a scan on AGs with the scan on real target haplotypes.

    The rows are matched by statistic, chromosome and window (``start``,
    ``stop``); both scans must have the same rows (as two
    :func:`selection_scan` calls on the same panel and settings give).

    Returns
    -------
    dict
        ``xpehh_r``, ``pbs_r``
            Pearson r between the real and AG values over rows where both are
            finite (NaN with fewer than 2 such rows or a constant side).
        ``xpehh_peak_overlap``, ``pbs_peak_overlap``
            The share of the real scan's peaks that are also AG peaks. A
            scan's peaks are its rows at or above the ``quantile`` quantile of
            its own finite values of that statistic (thresholds are computed
            separately for real and AG, so a uniform shift of the AG scores
            does not matter); an AG value that is NaN is not a peak. 1.0:
            every real peak is also a peak in the AGs; NaN when the real scan
            has no finite value.
        ``xpehh_n``, ``pbs_n``
            Rows used for r; ``xpehh_n_peaks``, ``pbs_n_peaks``: real peaks.

    Examples
    --------
    >>> scan = pd.DataFrame({"statistic": ["pbs"] * 4, "chrom": "1",
    ...                      "start": [1, 3, 5, 7], "stop": [4, 6, 8, 10],
    ...                      "pos": [2.5, 4.5, 6.5, 8.5], "value": [0.1, 0.4, 0.2, 0.3]})
    >>> out = compare_scans(scan, scan, quantile=0.5)
    >>> out["pbs_r"], out["pbs_peak_overlap"]
    (1.0, 1.0)
    """
    real = _check_scan(real_scan, "real_scan")
    ag = _check_scan(ag_scan, "ag_scan")
    quantile = _check_quantile(quantile)
    merged = real[_KEYS + ["value"]].merge(ag[_KEYS + ["value"]], on=_KEYS, how="outer",
                                           suffixes=("_real", "_ag"), indicator=True)
    unmatched = (merged["_merge"] != "both").to_numpy()
    if unmatched.any():
        first = merged.iloc[int(np.argmax(unmatched))]
        side = "real_scan" if first["_merge"] == "left_only" else "ag_scan"
        raise InputError(f"the scans are not aligned: {int(unmatched.sum())} row(s) are in one "
                         f"scan only, e.g. {first['statistic']} {first['chrom']}:"
                         f"{first['start']}-{first['stop']} in {side} only")
    out: dict = {}
    for stat in STATISTICS:
        rows = merged[merged["statistic"] == stat]
        x = rows["value_real"].to_numpy(dtype=np.float64)
        y = rows["value_ag"].to_numpy(dtype=np.float64)
        both = np.isfinite(x) & np.isfinite(y)
        real_peak = _is_peak(x, quantile)
        ag_peak = _is_peak(y, quantile)
        n_peaks = int(real_peak.sum())
        out[f"{stat}_r"] = pearson(x[both], y[both])
        out[f"{stat}_peak_overlap"] = (float((real_peak & ag_peak).sum() / n_peaks)
                                       if n_peaks else float("nan"))
        out[f"{stat}_n"] = int(both.sum())
        out[f"{stat}_n_peaks"] = n_peaks
    return out


def peak_table(scan: pd.DataFrame, quantile: float = 0.99) -> pd.DataFrame:
    """The peaks of a scan: per statistic, the rows at or above the
    ``quantile`` quantile of its finite values, highest first.

    Returns
    -------
    DataFrame
        The scan's columns plus ``rank`` (1 = highest value of its
        statistic) and ``threshold`` (the quantile value), xpehh rows first,
        then pbs.
    """
    scan = _check_scan(scan, "scan")
    quantile = _check_quantile(quantile)
    parts = []
    for stat in STATISTICS:
        rows = scan[scan["statistic"] == stat]
        values = rows["value"].to_numpy(dtype=np.float64)
        peaks = rows[_is_peak(values, quantile)]
        peaks = peaks.sort_values("value", ascending=False, kind="stable")
        finite = values[np.isfinite(values)]
        threshold = float(np.quantile(finite, quantile)) if finite.size else float("nan")
        parts.append(peaks.assign(rank=np.arange(1, len(peaks) + 1, dtype=np.int64),
                                  threshold=threshold))
    return pd.concat(parts, ignore_index=True)
