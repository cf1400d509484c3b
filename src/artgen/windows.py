"""Windows of a chromosome panel: where to cut a long run of SNPs into
overlapping pieces that are trained and sampled separately, then stitched.

A panel of ``n`` SNPs is cut at the *seams* ``c_1 < ... < c_{W-1}`` (SNP
indices; ``c_0 = 0``, ``c_W = n``). Window ``w`` holds SNPs
``[max(c_w - overlap, 0), c_{w+1})``: its own segment ``[c_w, c_{w+1})``
and, before it, the last ``overlap`` SNPs of the window before (the overlap
a stitch joins on). Nominal seams are evenly spaced so that every window
holds at most ``window_snps`` SNPs (``window_snps - 2 ld_tolerance`` before
the seams move, so that they still do after). With ``ld_tolerance`` each seam moves,
within that many SNPs, to the point where the LD crossing it is lowest in
the training haplotypes: stitches then fall between LD blocks, where a
haplotype's two sides are least dependent.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from artgen.checks import check_count
from artgen.errors import InputError

#: Columns of a window plan table.
PLAN_COLUMNS = ["window", "start", "stop", "seam", "chrom", "first_pos", "last_pos", "seam_pos"]
#: Neighbours on each side whose r^2 across a candidate seam is summed.
CROSSING_SPAN = 5


@dataclass(frozen=True)
class Window:
    """SNPs ``start .. stop - 1`` of the panel; those before ``seam`` are the
    overlap shared with the previous window (``seam == start`` for the first)."""

    index: int
    start: int
    stop: int
    seam: int

    @property
    def overlap(self) -> int:
        return self.seam - self.start

    @property
    def n_snps(self) -> int:
        return self.stop - self.start


def nominal_seams(n_snps: int, window_snps: int, overlap_snps: int) -> np.ndarray:
    """Evenly spaced seams (int64, sorted) such that each window, its overlap
    included, holds at most ``window_snps`` SNPs.

    >>> nominal_seams(100, 40, 10).tolist()     # 4 segments of 25: windows of <= 35
    [25, 50, 75]
    >>> nominal_seams(30, 40, 10).tolist()      # fits in one window
    []
    """
    n_snps = check_count(n_snps, "n_snps", 1)
    window_snps = check_count(window_snps, "window_snps", 2)
    overlap_snps = check_count(overlap_snps, "overlap_snps", 1)
    if overlap_snps >= window_snps:
        raise InputError(f"overlap_snps ({overlap_snps}) must be below window_snps "
                         f"({window_snps})")
    if n_snps <= window_snps:
        return np.zeros(0, dtype=np.int64)
    # Segments of equal length; each window adds the overlap before its segment.
    n_windows = math.ceil(n_snps / (window_snps - overlap_snps))
    seams = np.linspace(0, n_snps, n_windows + 1)[1:-1]
    return np.floor(seams).astype(np.int64)


def crossing_ld(alleles: np.ndarray, span: int = CROSSING_SPAN) -> np.ndarray:
    """LD crossing each point between neighbouring SNPs: ``out[c]`` (c = 1 ..
    n-1; ``out[0]`` is nan) is the sum of r^2 over pairs ``i < c <= j`` with
    ``j - i <= span``, from the haplotypes ``alleles`` (n, n_snps) of 0/1.
    Pairs with a monomorphic SNP add nothing.

    >>> h = np.array([[1, 1, 0], [1, 1, 1], [0, 0, 0], [0, 0, 1]], dtype=np.uint8)
    >>> crossing_ld(h, span=1).tolist()         # r^2(0, 1) = 1, r^2(1, 2) = 0
    [nan, 1.0, 0.0]
    """
    x = np.asarray(alleles, dtype=np.uint8)
    n, n_snps = x.shape
    counts = x.sum(axis=0, dtype=np.float64)
    spread = counts * (n - counts)
    out = np.zeros(n_snps)
    for d in range(1, min(span, n_snps - 1) + 1):
        # r^2 of pairs (i, i + d) from integer counts (as stats.ld computes it)
        both = (x[:, :-d] & x[:, d:]).sum(axis=0, dtype=np.float64)
        denominator = spread[:-d] * spread[d:]
        with np.errstate(invalid="ignore", divide="ignore"):
            r2 = np.where(denominator > 0,
                          (n * both - counts[:-d] * counts[d:]) ** 2 / denominator, 0.0)
        # pair (i, i + d) crosses the points c = i + 1 .. i + d
        total = np.concatenate([[0.0], np.cumsum(r2)])
        c = np.arange(1, n_snps)
        out[1:] += total[np.minimum(c, n_snps - d)] - total[np.maximum(c - d, 0)]
    out[0] = np.nan
    return out


def ld_seams(alleles: np.ndarray, seams: np.ndarray, tolerance: int, overlap_snps: int,
             span: int = CROSSING_SPAN) -> np.ndarray:
    """Each seam moved, within ``tolerance`` SNPs, to the point of lowest
    crossing LD (:func:`crossing_ld`; ties to the nominal seam, then to the
    left). Seams stay increasing, at least ``overlap_snps + 1`` apart, so no
    overlap reaches back past the previous seam."""
    tolerance = check_count(tolerance, "ld_tolerance", 0)
    if not len(seams) or tolerance == 0:
        return np.asarray(seams, dtype=np.int64)
    crossing = crossing_ld(alleles, span)
    n_snps = crossing.shape[0]
    moved, previous = [], 0
    for k, seam in enumerate(seams):
        following = seams[k + 1] - tolerance if k + 1 < len(seams) else n_snps
        lo = max(seam - tolerance, previous + overlap_snps + 1, 1)
        hi = min(seam + tolerance, following - overlap_snps - 1, n_snps - 1)
        if lo > hi:
            moved.append(int(seam))
        else:
            candidates = np.arange(lo, hi + 1)
            order = np.lexsort((candidates, np.abs(candidates - seam), crossing[candidates]))
            moved.append(int(candidates[order[0]]))
        previous = moved[-1]
    return np.asarray(moved, dtype=np.int64)


def windows_from_seams(n_snps: int, seams, overlap_snps: int) -> list[Window]:
    """The windows that the seams cut ``n_snps`` SNPs into (see the module)."""
    bounds = [0, *(int(s) for s in seams), int(n_snps)]
    if any(b >= a for a, b in zip(bounds[1:], bounds)):
        raise InputError(f"seams must increase strictly inside 1 .. {n_snps - 1}, got "
                         f"{list(seams)}")
    return [Window(w, max(bounds[w] - overlap_snps, 0), bounds[w + 1], bounds[w])
            for w in range(len(bounds) - 1)]


def plan_windows(alleles, chrom, pos, *, window_snps: int, overlap_snps: int,
                 ld_tolerance: int = 0) -> pd.DataFrame:
    """The window plan of a one-chromosome panel from its training haplotypes
    ``alleles`` (n, n_snps): one row per window, columns :data:`PLAN_COLUMNS`
    (``seam_pos``: bp position of the window's first own SNP)."""
    alleles = np.asarray(alleles)
    chrom, pos = np.asarray(chrom).astype(str), np.asarray(pos, dtype=np.int64)
    if alleles.ndim != 2 or alleles.shape[1] != len(pos) or len(chrom) != len(pos):
        raise InputError(f"haplotypes {alleles.shape} and {len(pos)} SNP positions disagree")
    if len(set(chrom)) != 1:
        raise InputError(f"a chromosome panel lies on one chromosome; got "
                         f"{', '.join(sorted(set(chrom)))}")
    ld_tolerance = check_count(ld_tolerance, "ld_tolerance", 0)
    # Each seam may move by the tolerance: nominal windows are that much
    # shorter at each end, so every window stays within window_snps.
    nominal = check_count(window_snps, "window_snps", 2) - 2 * ld_tolerance
    if ld_tolerance and nominal <= overlap_snps:
        raise InputError(f"window_snps ({window_snps}) must exceed overlap_snps ({overlap_snps}) "
                         f"+ 2 x ld_tolerance ({ld_tolerance})")
    seams = nominal_seams(len(pos), nominal, overlap_snps)
    if ld_tolerance:
        seams = ld_seams(alleles, seams, ld_tolerance, overlap_snps)
    windows = windows_from_seams(len(pos), seams, overlap_snps)
    return pd.DataFrame([(w.index, w.start, w.stop, w.seam, chrom[0], pos[w.start],
                          pos[w.stop - 1], pos[w.seam]) for w in windows], columns=PLAN_COLUMNS)


def read_plan(path, n_snps: int | None = None, source=None) -> list[Window]:
    """The windows of a plan table written from :func:`plan_windows`; with
    ``n_snps``, an InputError unless the plan covers that many SNPs (those of
    the panel file ``source``)."""
    try:
        table = pd.read_csv(path, sep="\t")
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: not a window plan ({exc})") from None
    missing = [c for c in ("window", "start", "stop", "seam") if c not in table.columns]
    if missing or table.empty:
        raise InputError(f"{path}: not a window plan (missing {', '.join(missing) or 'rows'})")
    windows = [Window(int(r.window), int(r.start), int(r.stop), int(r.seam))
               for r in table.itertuples()]
    expected = windows_from_seams(windows[-1].stop, [w.seam for w in windows[1:]],
                                  max((w.overlap for w in windows), default=0))
    if [w.index for w in windows] != list(range(len(windows))) or windows != expected:
        raise InputError(f"{path}: windows are not consecutive overlapping pieces of one panel")
    if n_snps is not None and n_snps != windows[-1].stop:
        raise InputError(f"{source}: {n_snps} SNPs, the plan {path} is for {windows[-1].stop}")
    return windows


def window_name(panel: str, index: int) -> str:
    """The name a window's files go under (``chromosome.w003``)."""
    return f"{panel}.w{index:03d}"


def seams_of(windows: list[Window]) -> np.ndarray:
    """Seams (SNP index of each window's first own SNP, first window excluded)."""
    return np.array([w.seam for w in windows[1:]], dtype=np.int64)
