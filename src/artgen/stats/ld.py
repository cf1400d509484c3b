"""Real-vs-AG comparisons of linkage disequilibrium over SNP pairs: the
correlation of their r^2 (:func:`ld_correlation`), LD decay with distance
(:func:`ld_decay`) and LD across window seams (:func:`boundary_ld`).

Haplotype matrices are 0/1 ``uint8`` arrays of shape (n_haplotypes, n_snps).
r^2 itself comes from :mod:`artgen.stats.r2` (exact integer counts).
Functions over all pairs walk the upper triangle in row blocks, so memory
stays bounded (a few hundred MB for 10,000 SNPs x 5,000 haplotypes) and the
GEMM work is halved.

Whole chromosomes
-----------------
All pairs of 229,000 SNPs are 2.6e10: too many. ``max_distance`` keeps the
pairs at most that many bp apart: in position order they are a band above
the diagonal (row i pairs with SNPs i+1 .. hi_i - 1), walked in row blocks
with only the band's columns, by the GEMM of :mod:`artgen.stats.r2`. ``max_pairs`` caps the work
further: when more pairs than that are within the limit, a seeded uniform
sample of ``max_pairs`` of them is used, and r^2 of each sampled pair comes
from its exact count N_ij (AND and popcount of bit-packed columns, the same
formula, so the same float64 value as the GEMM path). The sample is drawn
once on the SNPs polymorphic in every dataset, so every dataset (real, AG)
is measured on the same pairs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from artgen.checks import alt_counts, check_count, check_datasets, check_pair
from artgen.errors import InputError
from artgen.stats.r2 import BLOCK_ENTRIES, BlockBuffers, R2Columns, block_rows

__all__ = ["ld_correlation", "ld_decay", "boundary_ld", "BOUNDARY_BINS"]

#: Distance bins (bp) of :func:`boundary_ld`.
BOUNDARY_BINS = (0, 10_000, 25_000, 50_000, 100_000, 200_000)


class _PearsonAccumulator:
    """Streaming Pearson r over batches, merged with Chan et al.'s pairwise
    update of centred sums (numerically stable for 10^8 values)."""

    def __init__(self):
        self.n = 0
        self.mx = self.my = 0.0
        self.sxx = self.syy = self.sxy = 0.0

    def add(self, x: np.ndarray, y: np.ndarray) -> None:
        """Add paired values (contiguous float64 arrays, centred IN PLACE)."""
        nb = x.size
        if nb == 0:
            return
        mx, my = float(x.mean()), float(y.mean())
        x -= mx
        y -= my
        xf, yf = x.reshape(-1), y.reshape(-1)
        sxx, syy, sxy = float(xf @ xf), float(yf @ yf), float(xf @ yf)
        if self.n == 0:
            self.n, self.mx, self.my, self.sxx, self.syy, self.sxy = nb, mx, my, sxx, syy, sxy
            return
        n = self.n + nb
        ddx, ddy = mx - self.mx, my - self.my
        w = self.n * nb / n
        self.sxx += sxx + ddx * ddx * w
        self.syy += syy + ddy * ddy * w
        self.sxy += sxy + ddx * ddy * w
        self.mx += ddx * nb / n
        self.my += ddy * nb / n
        self.n = n

    def r(self) -> float:
        if self.n < 2 or self.sxx <= 0.0 or self.syy <= 0.0:
            return float("nan")
        return float(np.clip(self.sxy / np.sqrt(self.sxx * self.syy), -1.0, 1.0))


def _polymorphic(h: np.ndarray) -> np.ndarray:
    c = alt_counts(h)
    return (c > 0) & (c < h.shape[0])


def _check_positions(positions, n_snps: int) -> np.ndarray:
    pos = np.asarray(positions)
    if not np.issubdtype(pos.dtype, np.integer):
        raise InputError(f"positions must be integer bp (int64 expected), got dtype {pos.dtype}")
    if pos.shape != (n_snps,):
        raise InputError(f"positions must have shape ({n_snps},) to match the haplotypes, "
                         f"got {pos.shape}")
    return pos.astype(np.int64, copy=False)


class _Band:
    """The SNP pairs a statistic uses.

    The SNPs are those polymorphic in every dataset (``snps``: their column
    indices, in position order when there is a distance limit: only then are
    the pairs within the limit a band). Row i of them pairs with SNPs
    i+1 .. hi[i]-1: with ``max_distance``, the SNPs at most that many bp
    after it; without, all later SNPs.
    """

    def __init__(self, datasets, positions: np.ndarray | None, max_distance: int | None):
        keep = np.ones(datasets[0].shape[1], dtype=bool)
        for h in datasets:
            keep &= _polymorphic(h)
        self.snps = np.flatnonzero(keep)
        self.limited = max_distance is not None
        if self.limited:
            self.snps = self.snps[np.argsort(positions[self.snps], kind="stable")]
        self.pos = None if positions is None else positions[self.snps]
        self.m = m = self.snps.size
        if self.limited:
            self.hi = np.searchsorted(self.pos, self.pos + max_distance, side="right")
        else:
            self.hi = np.full(m, m, dtype=np.int64)
        row_len = self.hi - np.arange(m)            # the row's pairs plus the diagonal
        self.n_pairs = int(row_len.sum()) - m
        self.width = int(row_len.max()) if m else 0

    def step(self, block_size) -> int:
        """Rows per block. Without a limit, about 8M entries of full rows, as
        the triangle walk always did. In a band, a block of r rows spans
        r + width columns of which about width are pairs: r is kept a
        fraction of the width (but a few hundred rows, so the GEMMs stay
        large) and r (r + width) within the 8M entries."""
        if block_size is not None or not self.limited or self.m == 0:
            return block_rows(block_size, self.width)
        return max(1, min(max(256, self.width // 4), BLOCK_ENTRIES // (2 * self.width)))

    def blocks(self, step: int):
        """Row blocks ``(a, b, c)``: rows a:b with every pair of theirs in
        columns a:c (hi grows with the row, so c = hi[b - 1])."""
        for a in range(0, self.m, step):
            b = min(a + step, self.m)
            yield a, b, int(self.hi[b - 1])

    def mask(self, a: int, b: int, c0: int, c1: int) -> np.ndarray | None:
        """Which entries of rows a:b x columns c0:c1 are pairs (i < j < hi[i]),
        shape (b - a, c1 - c0); None when all are."""
        if c0 >= b and not self.limited:
            return None
        rows = np.arange(a, b)[:, None]
        cols = np.arange(c0, c1)[None, :]
        mask = cols > rows
        if self.limited:
            mask &= cols < self.hi[a:b, None]
        return mask

    def sample(self, max_pairs: int | None, seed: int):
        """``(i, j)`` of a seeded sample of ``max_pairs`` pairs (indices into
        ``snps``), or None when there are no more pairs than that (use all)."""
        if max_pairs is None or self.n_pairs <= max_pairs:
            return None
        return _pairs_in_ranges(np.arange(1, self.m + 1), self.hi, max_pairs,
                                np.random.default_rng(seed))


def _pairs_in_ranges(start: np.ndarray, stop: np.ndarray, k: int | None, rng):
    """Pairs (i, j) with start[i] <= j < stop[i], all of them or k of them.

    The pairs are numbered row by row (i, then j); k of the numbers are
    drawn uniformly without replacement, ``rng.choice(n, k, replace=False,
    shuffle=False)``, and sorted. With k None or n <= k, all n pairs.

    Returns
    -------
    i, j : ndarray, int64, shape (min(k, n),)
    """
    lengths = np.maximum(stop - start, 0)
    first = np.concatenate([[0], np.cumsum(lengths)])    # number of row i's first pair
    n = int(first[-1])
    if k is None or n <= k:
        idx = np.arange(n, dtype=np.int64)
    else:
        idx = np.sort(rng.choice(n, size=k, replace=False, shuffle=False))
    i = np.searchsorted(first, idx, side="right") - 1
    return i, start[i] + (idx - first[i])


def _sums_by_label(datasets: Mapping[str, np.ndarray], band: _Band, n_labels: int, *,
                   pairs=None, pair_labels=None, block_labels=None, block_size=None):
    """Pair counts and r^2 sums per label (0..n_labels-1; label n_labels
    is discarded), per dataset.

    Either over sampled ``pairs`` (i, j) with their ``pair_labels``, or over
    the band in row blocks with ``block_labels(a, b, c, work)``: the flat
    labels of rows a:b x columns a:c. One dataset at a time: bounded memory.

    Returns
    -------
    counts : ndarray, int64, shape (n_labels,)
        The same for every dataset.
    sums : dict of str -> ndarray, float64, shape (n_labels,)
    """
    counts = np.zeros(n_labels + 1, dtype=np.int64)
    sums = {}
    step = band.step(block_size)
    work = BlockBuffers(step * band.width)
    for name, h in datasets.items():
        panel = R2Columns(h[:, band.snps])
        total = np.zeros(n_labels + 1, dtype=np.float64)
        if pairs is not None:
            total += np.bincount(pair_labels, weights=panel.r2_pairs(*pairs),
                                 minlength=n_labels + 1)
            if not sums:
                counts += np.bincount(pair_labels, minlength=n_labels + 1)
        else:
            for a, b, c in band.blocks(step):
                r2 = panel.r2(a, b, a, c, work)
                labels = block_labels(a, b, c, work)
                total += np.bincount(labels, weights=r2.reshape(-1), minlength=n_labels + 1)
                if not sums:                      # pair counts: the same for every dataset
                    counts += np.bincount(labels, minlength=n_labels + 1)
        sums[name] = total[:n_labels]
        del panel
    return counts[:n_labels], sums


def _means(counts: np.ndarray, sums: np.ndarray) -> np.ndarray:
    """sums / counts, NaN where a bin has no pair."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


def ld_correlation(real, ag, *, positions=None, max_distance: int | None = None,
                   max_pairs: int | None = None, seed: int = 0,
                   block_size: int | None = None) -> float:
    """Pearson r between real and AG r^2 over SNP pairs.

    Uses every pair i < j at which both r^2 values are finite, i.e. both
    SNPs polymorphic in both datasets (Yelmen et al. 2021, Supp. Fig. 9),
    or only those at most ``max_distance`` bp apart, or a sample of them.
    Computed in row blocks with streaming (Chan) Pearson sums: memory is
    O(block_size * band width), not O(n_snps^2).

    Parameters
    ----------
    real : ndarray, uint8, shape (n_real, n_snps)
    ag : ndarray, uint8, shape (n_ag, n_snps)
    positions : ndarray, int64, shape (n_snps,), optional
        bp positions (any order); needed with ``max_distance``.
    max_distance : int, optional
        Only pairs with |pos_i - pos_j| <= max_distance. None: all pairs.
    max_pairs : int, optional
        When more pairs than this are left, use a uniform random sample of
        ``max_pairs`` of them: the pairs (over the SNPs polymorphic in both
        sets, in position order) are numbered row by row and
        ``numpy.random.default_rng(seed).choice(n_pairs, max_pairs,
        replace=False, shuffle=False)`` picks them -- the same pairs for
        real and AG, and for every call with the same SNPs and seed.
    seed : int
        Seed of that sample.
    block_size : int, optional
        Rows per block (default: about 8M entries); does not change the
        result beyond rounding.

    Returns
    -------
    float
        r in [-1, 1]; nan with fewer than two usable pairs or when either
        set of r^2 values is constant.

    Examples
    --------
    >>> real = np.array([[1, 1, 0], [1, 0, 0], [0, 0, 1], [0, 0, 1]], dtype=np.uint8)
    >>> round(ld_correlation(real, real), 6)
    1.0
    >>> ld_correlation(real, real, positions=np.array([0, 10, 1000]), max_distance=10)
    nan
    """
    real, ag = check_pair(real, ag)
    max_distance = check_count(max_distance, "max_distance", 0, allow_none=True)
    max_pairs = check_count(max_pairs, "max_pairs", 1, allow_none=True)
    if max_distance is not None and positions is None:
        raise InputError("max_distance needs the SNP positions: pass positions=")
    pos = None if positions is None else _check_positions(positions, real.shape[1])
    band = _Band([real, ag], pos, max_distance)
    pr, pa = R2Columns(real[:, band.snps]), R2Columns(ag[:, band.snps])
    acc = _PearsonAccumulator()
    sample = band.sample(max_pairs, seed)
    if sample is not None:
        acc.add(pr.r2_pairs(*sample), pa.r2_pairs(*sample))
        return acc.r()
    step = band.step(block_size)
    work = BlockBuffers(step * band.width)
    for a, b, c in band.blocks(step):
        # pairs inside the diagonal block: its strict upper triangle (within the limit)
        mask = band.mask(a, b, a, b)
        acc.add(pr.r2(a, b, a, b, work, "x")[mask], pa.r2(a, b, a, b, work, "y")[mask])
        if b < c:                                # rows a:b against the later SNPs of the band
            x, y = pr.r2(a, b, b, c, work, "x"), pa.r2(a, b, b, c, work, "y")
            mask = band.mask(a, b, b, c)
            if mask is None:                     # all pairs: whole block, as always
                acc.add(x, y)
            else:
                acc.add(x[mask], y[mask])
    return acc.r()


def _distance_bins(d: np.ndarray, n_bins: int, dmax: int) -> np.ndarray:
    """Equal-width bin of each bp distance in 0..dmax, in place (int64):
    ``d * n_bins // dmax``, the distance dmax in the last bin."""
    if dmax > 0:
        np.multiply(d, n_bins, out=d)
        np.floor_divide(d, dmax, out=d)           # exact; distance D gives n_bins
        np.minimum(d, n_bins - 1, out=d)
    else:
        d[...] = 0
    return d


def ld_decay(datasets: Mapping[str, np.ndarray], positions, n_bins: int = 50, *,
             max_distance: int | None = None, max_pairs: int | None = None, seed: int = 0,
             block_size: int | None = None) -> pd.DataFrame:
    """Mean r^2 as a function of bp distance, per dataset (LD decay).

    As in Yelmen et al. 2021 Fig. 2b: first the SNPs monomorphic in ANY of the
    datasets are removed (so every dataset uses the same SNPs and pairs);
    then each pair i < j of the remaining SNPs goes to one of `n_bins`
    equal-width distance bins spanning 0 .. D, D = the largest pair distance
    among the remaining SNPs (max(pos) - min(pos)), or ``max_distance`` when
    given (pairs farther apart are left out); bin b holds distances in
    [b D / n_bins, (b + 1) D / n_bins), the last bin also holds D. Binning is
    exact integer arithmetic (``bin = d * n_bins // D``). Computed in row
    blocks (bincount with weights), O(block_size * band width) memory.

    Parameters
    ----------
    datasets : dict of str -> ndarray, uint8, shape (n_haplotypes_k, n_snps)
        E.g. ``{"real": real, "GAN": gan, "RBM": rbm}``; same SNPs in all.
    positions : ndarray, int64, shape (n_snps,)
        bp positions of the SNPs (any order; only |pos_i - pos_j| is used).
    n_bins : int
        Number of distance bins (the paper uses 50).
    max_distance : int, optional
        Only pairs at most this many bp apart; the bins span 0..max_distance.
    max_pairs : int, optional
        When more pairs than this are left, a uniform random sample of
        ``max_pairs`` of them, drawn as in :func:`ld_correlation` (the same
        pairs for every dataset); ``n_pairs`` then counts sampled pairs.
    seed : int
        Seed of that sample.
    block_size : int, optional
        Rows per block; does not change the result beyond rounding.

    Returns
    -------
    pandas.DataFrame, len(datasets) * n_bins rows
        Columns ``dataset``, ``bin`` (0..n_bins-1), ``distance_left``,
        ``distance_right``, ``distance_mid`` (bp, float), ``n_pairs`` (int64,
        same for every dataset) and ``mean_r2`` (nan for empty bins). Rows in
        the order of `datasets`, then bin. With fewer than two SNPs left,
        all bins are empty and D = 0.

    Examples
    --------
    >>> h = np.array([[1, 1, 1], [1, 1, 0], [0, 0, 0], [0, 0, 0]], dtype=np.uint8)
    >>> df = ld_decay({"real": h}, np.array([0, 10, 100]), n_bins=2)
    >>> # pairs: (0,1) d=10 r2=1 -> bin 0; (0,2) d=100, (1,2) d=90, r2=1/3 -> bin 1
    >>> df["n_pairs"].tolist(), df["mean_r2"].round(4).tolist()
    ([1, 2], [1.0, 0.3333])
    >>> df = ld_decay({"real": h}, np.array([0, 10, 100]), n_bins=2, max_distance=20)
    >>> df["distance_right"].tolist(), df["n_pairs"].tolist()   # only (0,1) is near enough
    ([10.0, 20.0], [0, 1])
    """
    checked = check_datasets(datasets)
    if isinstance(n_bins, bool) or not isinstance(n_bins, (int, np.integer)) or n_bins < 1:
        raise InputError(f"n_bins must be a positive integer, got {n_bins!r}")
    n_bins = int(n_bins)
    max_distance = check_count(max_distance, "max_distance", 0, allow_none=True)
    max_pairs = check_count(max_pairs, "max_pairs", 1, allow_none=True)
    pos = _check_positions(positions, next(iter(checked.values())).shape[1])
    band = _Band(list(checked.values()), pos, max_distance)
    pos = band.pos
    if max_distance is not None:
        dmax = max_distance
    else:
        dmax = int(pos.max() - pos.min()) if band.m >= 2 else 0

    def block_bins(a: int, b: int, c: int, work: BlockBuffers) -> np.ndarray:
        """Distance bin of each entry of rows a:b x columns a:c, flattened;
        entries that are no pair (j <= i, or too far) go to bin n_bins."""
        bins = work.get("bins", (b - a, c - a), np.int64)
        np.subtract.outer(pos[a:b], pos[a:c], out=bins)
        np.abs(bins, out=bins)
        _distance_bins(bins, n_bins, dmax)
        bins[~band.mask(a, b, a, c)] = n_bins
        return bins.reshape(-1)

    sample = band.sample(max_pairs, seed)
    if sample is None:
        counts, sums = _sums_by_label(checked, band, n_bins, block_labels=block_bins,
                                      block_size=block_size)
    else:
        i, j = sample
        counts, sums = _sums_by_label(checked, band, n_bins, pairs=sample,
                                      pair_labels=_distance_bins(np.abs(pos[j] - pos[i]),
                                                                 n_bins, dmax))
    edges = np.linspace(0.0, float(dmax), n_bins + 1)
    return pd.concat([pd.DataFrame({
        "dataset": name,
        "bin": np.arange(n_bins, dtype=np.int64),
        "distance_left": edges[:-1],
        "distance_right": edges[1:],
        "distance_mid": (edges[:-1] + edges[1:]) / 2,
        "n_pairs": counts,
        "mean_r2": _means(counts, total),
    }) for name, total in sums.items()], ignore_index=True)


def _check_edges(bins) -> np.ndarray:
    edges = np.asarray(bins)
    if edges.ndim != 1 or edges.size < 2 or not np.issubdtype(edges.dtype, np.integer) \
            or edges[0] < 0 or np.any(np.diff(edges) <= 0):
        raise InputError(f"bins must be at least two increasing non-negative integer bp edges, "
                         f"got {bins!r}")
    return edges.astype(np.int64)


def _check_seams(seams, n_snps: int) -> np.ndarray:
    s = np.asarray(seams)
    if s.size == 0:
        return np.zeros(0, dtype=np.int64)
    if s.ndim != 1 or not np.issubdtype(s.dtype, np.integer) or s[0] < 0 or s[-1] > n_snps \
            or np.any(np.diff(s) < 0):
        raise InputError(f"seams must be sorted SNP indices in 0..{n_snps} (the first SNP after "
                         f"each seam), got {seams!r}")
    return s.astype(np.int64)


def boundary_ld(datasets: Mapping[str, np.ndarray], positions, seams, *,
                bins: Sequence[int] = BOUNDARY_BINS, max_pairs: int | None = None,
                seed: int = 0, block_size: int | None = None) -> pd.DataFrame:
    """LD across window seams against LD within windows, per distance bin.

    A chromosome whose AGs are generated window by window and stitched keeps
    LD between SNPs of one window but may lose it across a seam. For each
    distance bin, the mean r^2 of the pairs that straddle a seam
    (i < seam <= j) is compared with that of the pairs inside one seam-free
    segment: ``ratio = straddling / within`` is about 1 in real data (which
    has no seams) and falls towards 0 where stitching breaks LD.

    As in :func:`ld_decay`, the SNPs monomorphic in ANY dataset are removed
    first, so every dataset is measured on the same pairs. A pair spans a
    seam with a chance that grows with its distance, so within a bin the
    straddling pairs lie a little farther apart on average than the within
    pairs: in wide bins even real data shows a ratio somewhat below 1.
    Compare with the real set's ratio at the same seams.

    Parameters
    ----------
    datasets : dict of str -> ndarray, uint8, shape (n_haplotypes_k, n_snps)
        E.g. ``{"real": real, "ag": ags}``; same SNPs in all.
    positions : ndarray, int64, shape (n_snps,)
        bp positions, sorted (non-decreasing): the seams are SNP indices
        along the chromosome.
    seams : sequence of int
        Sorted SNP indices (of the full matrix): the first SNP after each
        seam. Segment k is the SNPs between seam k-1 and seam k.
    bins : sequence of int
        Distance bin edges (bp); bin b holds pairs with
        bins[b] <= d < bins[b + 1], the last also d = bins[-1]; pairs
        outside are left out.
    max_pairs : int, optional
        Per kind (straddling, within) and bin, use a uniform random sample
        of at most this many pairs; None uses every pair (blocked GEMM).
        One ``numpy.random.default_rng(seed)`` draws the samples, bin by bin,
        within pairs then straddling ones, each as in :func:`ld_correlation`
        (pairs numbered row by row, ``choice(n, max_pairs, replace=False,
        shuffle=False)``); the same pairs for every dataset.
    seed : int
        Seed of the samples.
    block_size : int, optional
        Rows per block; does not change the result beyond rounding.

    Returns
    -------
    pandas.DataFrame, len(datasets) * (len(bins) - 1) rows
        Columns ``dataset``, ``bin`` (0..), ``distance_left``,
        ``distance_right`` (bp), ``n_straddling``, ``n_within`` (pairs used:
        the same for every dataset), ``mean_r2_straddling``,
        ``mean_r2_within`` (nan without pairs) and ``ratio``
        (straddling / within). Rows in the order of `datasets`, then bin.

    Examples
    --------
    >>> h = np.array([[1, 1, 1, 1], [1, 1, 0, 0], [0, 0, 0, 0], [0, 0, 1, 1]], dtype=np.uint8)
    >>> df = boundary_ld({"real": h}, np.array([0, 10, 20, 30]), seams=[2], bins=(0, 15))
    >>> # within: (0,1) and (2,3), r2 = 1; straddling: (1,2) d=10, r2 = 0
    >>> df[["n_within", "mean_r2_within", "n_straddling", "mean_r2_straddling"]].values.tolist()
    [[2.0, 1.0, 1.0, 0.0]]
    """
    checked = check_datasets(datasets)
    n_snps = next(iter(checked.values())).shape[1]
    pos = _check_positions(positions, n_snps)
    if np.any(np.diff(pos) < 0):
        raise InputError("positions must be sorted (non-decreasing): seams are SNP indices "
                         "along the chromosome")
    seams = _check_seams(seams, n_snps)
    edges = _check_edges(bins)
    max_pairs = check_count(max_pairs, "max_pairs", 1, allow_none=True)
    nb = len(edges) - 1
    band = _Band(list(checked.values()), pos, int(edges[-1]))
    pos = band.pos                                # sorted, so band.snps keeps SNP order
    seg = np.searchsorted(seams, band.snps, side="right")   # segment of each SNP
    # label of a pair: its bin (within one segment) or nb + its bin (straddling)

    def block_labels(a: int, b: int, c: int, work: BlockBuffers) -> np.ndarray:
        d = work.get("bins", (b - a, c - a), np.int64)
        np.subtract.outer(pos[a:c], pos[a:b], out=d.T)          # pos_j - pos_i >= 0
        labels = np.searchsorted(edges, d, side="right") - 1
        labels[d == edges[-1]] = nb - 1
        labels += nb * (seg[a:b, None] != seg[None, a:c])
        outside = (d < edges[0]) | (d > edges[-1]) | ~band.mask(a, b, a, c)
        labels[outside] = 2 * nb
        return labels.reshape(-1)

    if max_pairs is None:
        counts, sums = _sums_by_label(checked, band, 2 * nb, block_labels=block_labels,
                                      block_size=block_size)
    else:
        # Each (kind, bin) is a column range per row: j in bin b when
        # pos_i + edges[b] <= pos_j < pos_i + edges[b + 1], and in i's segment
        # when j < seg_end[i] (segments are runs of SNPs).
        rows = np.arange(band.m)
        seg_end = np.searchsorted(seg, seg, side="right")
        rng = np.random.default_rng(seed)
        parts = []
        for b in range(nb):
            lo = np.maximum(rows + 1, np.searchsorted(pos, pos + edges[b], side="left"))
            hi = np.searchsorted(pos, pos + edges[b + 1],
                                 side="right" if b == nb - 1 else "left")
            for label, start, stop in ((b, lo, np.minimum(hi, seg_end)),
                                       (nb + b, np.maximum(lo, seg_end), hi)):
                i, j = _pairs_in_ranges(start, stop, max_pairs, rng)
                parts.append((i, j, np.full(len(i), label, dtype=np.int64)))
        i, j, labels = (np.concatenate(p) for p in zip(*parts))
        counts, sums = _sums_by_label(checked, band, 2 * nb, pairs=(i, j), pair_labels=labels)
    frames = []
    for name, total in sums.items():
        within, straddling = _means(counts[:nb], total[:nb]), _means(counts[nb:], total[nb:])
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = straddling / within
        frames.append(pd.DataFrame({
            "dataset": name,
            "bin": np.arange(nb, dtype=np.int64),
            "distance_left": edges[:-1],
            "distance_right": edges[1:],
            "n_straddling": counts[nb:],
            "n_within": counts[:nb],
            "mean_r2_straddling": straddling,
            "mean_r2_within": within,
            "ratio": ratio,
        }))
    return pd.concat(frames, ignore_index=True)
