"""Hamming distances between haplotypes, and the statistics built on them.

Inputs are haplotype matrices: numpy ``uint8`` arrays of 0/1, shape
(n_haplotypes, n_snps), rows haplotypes. The distance between two haplotypes
is the number of SNPs at which they differ (Hamming distance).

Contents
--------
- :func:`hamming_distances`: the full distance matrix (small inputs).
- :func:`iter_distance_blocks`: the same matrix, a block of rows at a time.
- :func:`pairwise_distance_counts`: histogram of pairwise distances.
- :func:`wasserstein_from_counts`: exact Wasserstein-1 between two histograms.
- :func:`nearest_neighbour_distances`: distance to the closest reference row.
- :func:`count_identical`: rows copied exactly from a reference set.
- :func:`adversarial_accuracy`, :func:`privacy_loss`, :func:`subsample_rows`:
  nearest-neighbour adversarial accuracy (AA_TS) and privacy loss, as in
  Yelmen et al. 2021 (PLoS Genetics), after Yale et al. 2020.

How distances are computed
--------------------------
For 0/1 rows ``x``, ``y``: ``d(x, y) = |x| + |y| - 2 x.y``. The dot products
come from one float32 matrix product (BLAS sgemm; ``a @ a.T`` is sent to
syrk, which does half the work). Every partial sum of a dot product is an
integer no larger than n_snps, so float32 is exact while
``n_snps < 2**24`` (16,777,216); larger inputs are refused. ``-2 x.y`` is an
even integer below ``2**25``, also exact, and is cast to int32 before the
norms are added, so results are exact integers.

Why BLAS and not bit-packing: measured on this project's 2-core machine
(OpenBLAS, AVX-512), 2000 x 2000 pairs of 10,000 SNPs took 0.78 s with float32
sgemm and 4.6 s with ``np.packbits`` + XOR + ``np.bitwise_count`` (numpy has
no fused XOR-popcount-sum kernel, so it makes temporaries and runs on one
core). float64 sgemm took 2.6 s. So float32 BLAS it is.

Memory
------
Work is done in blocks of rows. A block (int32 distances plus the float32
product it comes from, plus float32 copies of rows being converted) is kept
under :data:`BLOCK_BYTES` (256 MiB). A float32 copy of a whole operand is
kept while it is at most :data:`F32_CACHE_BYTES` (512 MiB, i.e. 5000
haplotypes x 26,843 SNPs); larger operands are converted tile by tile instead,
costing a few percent more time but no more memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from artgen.checks import check_haplotypes, check_same_snps, check_seed
from artgen.errors import InputError

__all__ = [
    "AdversarialAccuracy",
    "PrivacyLoss",
    "adversarial_accuracy",
    "count_identical",
    "hamming_distances",
    "iter_distance_blocks",
    "nearest_neighbour_distances",
    "pairwise_distance_counts",
    "privacy_loss",
    "subsample_rows",
    "wasserstein_from_counts",
]

#: Largest n_snps + 1 for which float32 dot products of 0/1 rows are exact.
MAX_SNPS_EXCLUSIVE = 2**24
#: Memory budget of one block of work (bytes).
BLOCK_BYTES = 256 * 2**20
#: Largest float32 copy of a whole operand kept in memory (bytes).
F32_CACHE_BYTES = 512 * 2**20
#: Elements passed to one np.bincount call (it copies its input to intp).
_BINCOUNT_CHUNK = 4 * 2**20
_BIG = np.iinfo(np.int32).max


# --------------------------------------------------------------------------- checks


def _check_haplotypes(x, name: str) -> np.ndarray:
    """``x`` as a C-contiguous uint8 0/1 matrix (empty allowed) with fewer than
    2**24 SNPs, or an InputError."""
    x = check_haplotypes(x, name, dtypes="uint8", allow_empty=True)
    if x.shape[1] >= MAX_SNPS_EXCLUSIVE:
        raise InputError(
            f"{name} has {x.shape[1]} SNPs; distances are computed with float32 "
            f"dot products, exact only below 2**24 = {MAX_SNPS_EXCLUSIVE} SNPs")
    return np.ascontiguousarray(x)


def _check_pair(a, b, name_a: str, name_b: str) -> tuple[np.ndarray, np.ndarray]:
    """Two matrices as :func:`_check_haplotypes` returns them, with the same SNPs."""
    a = _check_haplotypes(a, name_a)
    b = _check_haplotypes(b, name_b)
    check_same_snps(a, b, name_a, name_b)
    return a, b


def _check_block_rows(block_rows) -> int | None:
    if block_rows is None:
        return None
    if isinstance(block_rows, bool) or not isinstance(block_rows, (int, np.integer)) \
            or block_rows < 1:
        raise InputError(f"block_rows must be a positive integer or None, got {block_rows!r}")
    return int(block_rows)


# --------------------------------------------------------------------------- core


class _Operand:
    """A haplotype matrix with its row norms and (when small) a float32 copy."""

    def __init__(self, x: np.ndarray):
        self.u8 = x
        self.n, self.n_snps = x.shape
        self.norms = x.sum(axis=1, dtype=np.int32)
        self.cached = 4 * x.size <= F32_CACHE_BYTES
        self.f32 = x.astype(np.float32) if self.cached else None

    def rows(self, start: int, stop: int) -> np.ndarray:
        if self.f32 is not None:
            return self.f32[start:stop]
        return self.u8[start:stop].astype(np.float32)


def _plan(a: _Operand, b: _Operand, block_rows: int | None) -> tuple[int, int]:
    """Rows per block and reference rows per matrix-product tile."""
    n_b, n_snps = max(b.n, 1), max(a.n_snps, 1)
    if b.cached:
        tile = n_b
        tile_bytes = 0
    else:
        tile = int(min(n_b, max(1, BLOCK_BYTES // 4 // (4 * n_snps))))
        tile_bytes = 4 * tile * n_snps
    if block_rows is not None:
        return block_rows, tile
    # int32 distances + float32 product + float32 copy of the block's rows
    per_row = 4 * (n_b + tile + (0 if a.cached else n_snps))
    return int(max(1, (BLOCK_BYTES - tile_bytes) // per_row)), tile


def _to_distances(g: np.ndarray, norms_a: np.ndarray, norms_b: np.ndarray,
                  out: np.ndarray) -> None:
    """out = norms_a[:, None] + norms_b[None, :] - 2 g, exactly, in int32."""
    np.multiply(g, -2, out=out, casting="unsafe")  # even integer < 2**25: exact
    out += norms_a[:, None]
    out += norms_b[None, :]


def _rect_block(a: _Operand, start: int, stop: int, b: _Operand, b_start: int,
                tile: int, out: np.ndarray | None = None) -> np.ndarray:
    """Distances from rows start:stop of a to rows b_start: of b (int32)."""
    af = a.rows(start, stop)
    if out is None:
        out = np.empty((stop - start, b.n - b_start), dtype=np.int32)
    for cs in range(b_start, b.n, tile):
        ce = min(cs + tile, b.n)
        g = af @ b.rows(cs, ce).T
        _to_distances(g, a.norms[start:stop], b.norms[cs:ce], out[:, cs - b_start:ce - b_start])
    return out


def _rect_blocks(a: _Operand, b: _Operand, block_rows: int | None
                 ) -> Iterator[tuple[int, np.ndarray]]:
    rows, tile = _plan(a, b, block_rows)
    for start in range(0, a.n, rows):
        stop = min(start + rows, a.n)
        yield start, _rect_block(a, start, stop, b, 0, tile)
        # the generator keeps no reference; callers drop theirs (del block) so
        # that at most one block is alive when the next one is allocated


def _upper_blocks(x: _Operand, block_rows: int | None
                  ) -> Iterator[tuple[int, np.ndarray]]:
    """Blocks of the upper triangle of x vs x.

    Yields (start, block) with block = distances of rows start:stop to rows
    start:n, shape (stop - start, n - start). Its first stop - start columns
    are the (symmetric, zero-diagonal) diagonal square; every pair i < j
    appears exactly once outside those squares or in the upper half of one.
    """
    rows, tile = _plan(x, x, block_rows)
    for start in range(0, x.n, rows):
        stop = min(start + rows, x.n)
        r = stop - start
        out = np.empty((r, x.n - start), dtype=np.int32)
        af = x.rows(start, stop)
        g = af @ af.T  # numpy sends this to syrk: half the work
        _to_distances(g, x.norms[start:stop], x.norms[start:stop], out[:, :r])
        del g
        if stop < x.n:
            # reuse af (a cached slice, or the converted rows) for the rest
            for cs in range(stop, x.n, tile):
                ce = min(cs + tile, x.n)
                g = af @ x.rows(cs, ce).T
                _to_distances(g, x.norms[start:stop], x.norms[cs:ce],
                              out[:, cs - start:ce - start])
                del g
        del af
        yield start, out
        del out  # before the next block is allocated


def _bincount(values: np.ndarray, length: int) -> np.ndarray:
    """np.bincount of a 2-D int block, in chunks of rows (bincount copies to intp)."""
    counts = np.zeros(length, dtype=np.int64)
    n_rows, n_cols = values.shape
    step = max(1, _BINCOUNT_CHUNK // max(n_cols, 1))
    for s in range(0, n_rows, step):
        counts += np.bincount(values[s:s + step].ravel(), minlength=length)
    return counts


def _nn_cross(a: _Operand, b: _Operand, block_rows: int | None,
              want_cols: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
    """Nearest distance from each a row to b, and from each b row to a."""
    row_min = np.empty(a.n, dtype=np.int32)
    col_min = np.full(b.n, _BIG, dtype=np.int32) if want_cols else None
    for start, block in _rect_blocks(a, b, block_rows):
        block.min(axis=1, out=row_min[start:start + block.shape[0]])
        if want_cols:
            np.minimum(col_min, block.min(axis=0), out=col_min)
        del block
    return row_min, col_min


def _nn_self(x: _Operand, block_rows: int | None) -> np.ndarray:
    """Nearest distance from each row of x to any OTHER row of x (n >= 2)."""
    mins = np.full(x.n, _BIG, dtype=np.int32)
    for start, block in _upper_blocks(x, block_rows):
        r = block.shape[0]
        idx = np.arange(r)
        block[idx, idx] = _BIG  # leave the row itself out, not identical others
        np.minimum(mins[start:start + r], block.min(axis=1), out=mins[start:start + r])
        np.minimum(mins[start:], block.min(axis=0), out=mins[start:])
        del block
    return mins


# --------------------------------------------------------------------------- distances


def hamming_distances(a, b=None, *, block_rows: int | None = None) -> np.ndarray:
    """All Hamming distances between the rows of two haplotype matrices.

    Parameters
    ----------
    a : ndarray, uint8, shape (n_a, n_snps)
        0/1 haplotypes, one per row.
    b : ndarray, uint8, shape (n_b, n_snps), optional
        Second set; None means ``a`` against itself.
    block_rows : int, optional
        Rows computed at a time (default: chosen to fit ``BLOCK_BYTES``).

    Returns
    -------
    ndarray, int32, shape (n_a, n_b)
        ``d[i, j]`` = number of SNPs where ``a[i]`` and ``b[j]`` differ.
        The whole matrix is returned: 4 * n_a * n_b bytes. For large sets use
        :func:`iter_distance_blocks` or the reductions built on it.

    Raises
    ------
    ValueError (artgen.errors.InputError)
        Not uint8, not 2-D, values other than 0/1, different n_snps, or
        n_snps >= 2**24.

    Examples
    --------
    >>> a = np.array([[0, 0, 0, 0], [1, 1, 0, 0], [1, 1, 1, 0]], dtype=np.uint8)
    >>> hamming_distances(a)
    array([[0, 2, 3],
           [2, 0, 1],
           [3, 1, 0]], dtype=int32)
    >>> hamming_distances(a, np.array([[1, 1, 1, 1]], dtype=np.uint8)).ravel()
    array([4, 2, 1], dtype=int32)
    """
    block_rows = _check_block_rows(block_rows)
    if b is None:
        x = _Operand(_check_haplotypes(a, "a"))
        out = np.empty((x.n, x.n), dtype=np.int32)
        for start, block in _upper_blocks(x, block_rows):
            stop = start + block.shape[0]
            out[start:stop, start:] = block
            out[start:, start:stop] = block.T
        return out
    a, b = _check_pair(a, b, "a", "b")
    opa, opb = _Operand(a), _Operand(b)
    rows, tile = _plan(opa, opb, block_rows)
    out = np.empty((opa.n, opb.n), dtype=np.int32)
    for start in range(0, opa.n, rows):
        stop = min(start + rows, opa.n)
        _rect_block(opa, start, stop, opb, 0, tile, out=out[start:stop])
    return out


def iter_distance_blocks(a, b=None, block_rows: int | None = None
                         ) -> Iterator[tuple[int, np.ndarray]]:
    """Hamming distance matrix, one block of rows at a time.

    Parameters
    ----------
    a : ndarray, uint8, shape (n_a, n_snps)
    b : ndarray, uint8, shape (n_b, n_snps), optional
        None means ``a`` against itself (the diagonal, 0, is included).
    block_rows : int, optional
        Rows of ``a`` per block. Default: as many as keep one block of work
        (int32 block plus its float32 product) under ``BLOCK_BYTES`` = 256 MiB,
        e.g. all 5000 rows for n_b = 5000, 1677 rows for n_b = 20000.

    Yields
    ------
    row_start : int
        Index in ``a`` of the block's first row.
    block : ndarray, int32, shape (n_rows_in_block, n_b)
        ``block[k, j]`` = distance between ``a[row_start + k]`` and ``b[j]``.
        A fresh array each time; the caller may keep or modify it.

    Examples
    --------
    >>> a = np.array([[0, 0, 0, 0], [1, 1, 0, 0], [1, 1, 1, 0]], dtype=np.uint8)
    >>> for start, block in iter_distance_blocks(a, block_rows=2):
    ...     print(start, block.tolist())
    0 [[0, 2, 3], [2, 0, 1]]
    2 [[3, 1, 0]]
    """
    block_rows = _check_block_rows(block_rows)
    if b is None:
        x = _check_haplotypes(a, "a")
        opa = opb = _Operand(x)
    else:
        a, b = _check_pair(a, b, "a", "b")
        opa, opb = _Operand(a), _Operand(b)
    # the generator body is separate so that bad input raises at call time
    return _rect_blocks(opa, opb, block_rows)


def pairwise_distance_counts(a, b=None, *, block_rows: int | None = None) -> np.ndarray:
    """Histogram of pairwise Hamming distances.

    Parameters
    ----------
    a : ndarray, uint8, shape (n_a, n_snps)
    b : ndarray, uint8, shape (n_b, n_snps), optional
        None: pairs within ``a``, unordered, ``i < j`` only (no self pairs),
        n_a * (n_a - 1) / 2 in all. Given: all n_a * n_b pairs between the two
        sets (even when ``b is a``).
    block_rows : int, optional
        Rows per block (default: fits ``BLOCK_BYTES``).

    Returns
    -------
    ndarray, int64, shape (n_snps + 1,)
        ``counts[k]`` = number of pairs at distance k.

    Examples
    --------
    >>> a = np.array([[0, 0, 0, 0], [1, 1, 0, 0], [1, 1, 1, 0]], dtype=np.uint8)
    >>> pairwise_distance_counts(a)              # distances 2, 3, 1
    array([0, 1, 1, 1, 0])
    >>> pairwise_distance_counts(a, a)           # all 9 ordered pairs
    array([3, 2, 2, 2, 0])
    """
    block_rows = _check_block_rows(block_rows)
    if b is None:
        x = _Operand(_check_haplotypes(a, "a"))
        length = x.n_snps + 1
        counts = np.zeros(length, dtype=np.int64)
        for _, block in _upper_blocks(x, block_rows):
            r = block.shape[0]
            counts += _bincount(block[:, r:], length)
            square = _bincount(block[:, :r], length)  # symmetric, zero diagonal
            square[0] -= r
            counts += square // 2
            del block
        return counts
    a, b = _check_pair(a, b, "a", "b")
    length = a.shape[1] + 1
    counts = np.zeros(length, dtype=np.int64)
    for _, block in _rect_blocks(_Operand(a), _Operand(b), block_rows):
        counts += _bincount(block, length)
        del block
    return counts


def wasserstein_from_counts(counts_a, counts_b) -> float:
    """Exact 1-D Wasserstein-1 distance between two histograms on 0..L.

    Each histogram is normalised to probabilities; then
    ``W1 = sum_k |CDF_a(k) - CDF_b(k)|`` (unit spacing). Equals
    ``scipy.stats.wasserstein_distance`` on the expanded samples.

    Parameters
    ----------
    counts_a, counts_b : array_like, shape (L + 1,)
        Non-negative counts (or weights) of the values 0, 1, ..., L, e.g. from
        :func:`pairwise_distance_counts`. Same length; each with a positive sum.

    Returns
    -------
    float

    Examples
    --------
    >>> wasserstein_from_counts([1, 0, 0], [0, 0, 1])    # all mass moved by 2
    2.0
    >>> wasserstein_from_counts([2, 2, 0], [0, 2, 2])    # every unit moved by 1
    1.0
    """
    arrays = []
    for name, c in (("counts_a", counts_a), ("counts_b", counts_b)):
        c = np.asarray(c)
        if c.ndim != 1 or c.size == 0:
            raise InputError(f"{name} must be a non-empty 1-D histogram, got shape {c.shape}")
        if not (np.issubdtype(c.dtype, np.integer) or np.issubdtype(c.dtype, np.floating)):
            raise InputError(f"{name} must hold numbers, got dtype {c.dtype}")
        if not np.all(np.isfinite(c)) or np.any(c < 0):
            raise InputError(f"{name} must hold finite, non-negative counts")
        arrays.append(c)
    a, b = arrays
    if a.size != b.size:
        raise InputError(
            f"counts_a and counts_b must cover the same support 0..L, got lengths "
            f"{a.size} and {b.size}")
    cdfs = []
    for name, c in (("counts_a", a), ("counts_b", b)):
        # integer counts: exact integer cumsum, one division per entry
        cum = np.cumsum(c, dtype=np.int64 if np.issubdtype(c.dtype, np.integer) else np.float64)
        total = cum[-1]
        if total <= 0:
            raise InputError(f"{name} is empty (its counts sum to {total})")
        cdfs.append(cum / float(total))
    return float(np.abs(cdfs[0][:-1] - cdfs[1][:-1]).sum())


def nearest_neighbour_distances(query, reference, exclude_self: bool = False, *,
                                block_rows: int | None = None) -> np.ndarray:
    """Distance from each query row to its closest reference row.

    Parameters
    ----------
    query : ndarray, uint8, shape (n_query, n_snps)
    reference : ndarray, uint8, shape (n_ref, n_snps)
        At least one row (two with ``exclude_self``).
    exclude_self : bool
        For ``query`` being ``reference`` (the same set, same row order): row
        i is not compared with itself, but an identical *other* row still
        counts, at distance 0. Requires equal arrays (checked).
    block_rows : int, optional
        Rows per block (default: fits ``BLOCK_BYTES``).

    Returns
    -------
    ndarray, int32, shape (n_query,)

    Examples
    --------
    >>> a = np.array([[0, 0, 0, 0], [1, 1, 0, 0], [1, 1, 1, 0]], dtype=np.uint8)
    >>> nearest_neighbour_distances(a, a)
    array([0, 0, 0], dtype=int32)
    >>> nearest_neighbour_distances(a, a, exclude_self=True)
    array([2, 1, 1], dtype=int32)
    """
    block_rows = _check_block_rows(block_rows)
    query, reference = _check_pair(query, reference, "query", "reference")
    if exclude_self:
        if query.shape != reference.shape or not (
                query is reference or np.array_equal(query, reference)):
            raise InputError(
                "exclude_self=True is for a set against itself: query and reference "
                f"must be the same matrix (got shapes {query.shape} and {reference.shape}"
                + ("" if query.shape != reference.shape else " with different values") + ")")
        if query.shape[0] < 2:
            raise InputError("exclude_self=True needs at least 2 rows (a row and an other one)")
        return _nn_self(_Operand(query), block_rows)
    if reference.shape[0] == 0:
        raise InputError("reference has no rows: there is no nearest neighbour")
    return _nn_cross(_Operand(query), _Operand(reference), block_rows, want_cols=False)[0]


def count_identical(candidates, reference) -> int:
    """Number of candidate rows identical to at least one reference row.

    Rows are hashed (packed to bytes, looked up in a set): no distance matrix.
    Duplicate candidate rows each count.

    Parameters
    ----------
    candidates : ndarray, uint8, shape (n_candidates, n_snps)
    reference : ndarray, uint8, shape (n_ref, n_snps)

    Returns
    -------
    int, between 0 and n_candidates

    Examples
    --------
    >>> ref = np.array([[0, 1, 1], [1, 0, 0]], dtype=np.uint8)
    >>> cand = np.array([[0, 1, 1], [0, 1, 1], [1, 1, 1]], dtype=np.uint8)
    >>> count_identical(cand, ref)
    2
    """
    candidates, reference = _check_pair(candidates, reference, "candidates", "reference")
    known = {row.tobytes() for row in np.packbits(reference, axis=1)}
    return int(sum(row.tobytes() in known for row in np.packbits(candidates, axis=1)))


# --------------------------------------------------------------------------- adversarial accuracy


@dataclass(frozen=True)
class AdversarialAccuracy:
    """Nearest-neighbour adversarial accuracy of a real and a synthetic set.

    Attributes
    ----------
    aa_truth : float
        Fraction of real rows whose nearest synthetic row is strictly farther
        than their nearest other real row.
    aa_syn : float
        Fraction of synthetic rows whose nearest real row is strictly farther
        than their nearest other synthetic row.
    aa_ts : float
        (aa_truth + aa_syn) / 2. 0.5 is ideal; below 0.5 means overfitting
        (synthetic rows too close to real ones), above 0.5 underfitting.
    """

    aa_truth: float
    aa_syn: float
    aa_ts: float


@dataclass(frozen=True)
class PrivacyLoss:
    """Privacy loss of a synthetic set: AA_TS against test minus against train.

    Attributes
    ----------
    train, test : AdversarialAccuracy
        Synthetic vs the training set, and vs a held-out test set.
    loss : float
        ``test.aa_ts - train.aa_ts``; positive means the synthetic set is
        closer to the training data than to unseen data (leakage).
    n_train_rows, n_test_rows : int
        Rows of each set used in the train and in the test comparison.
    """

    train: AdversarialAccuracy
    test: AdversarialAccuracy
    loss: float
    n_train_rows: int
    n_test_rows: int


def _accuracy(truth: float, syn: float) -> AdversarialAccuracy:
    return AdversarialAccuracy(aa_truth=truth, aa_syn=syn, aa_ts=(truth + syn) / 2)


def _aa(d_ts, d_tt, d_st, d_ss) -> AdversarialAccuracy:
    return _accuracy(float(np.mean(d_ts > d_tt)), float(np.mean(d_st > d_ss)))


def _aa_operands(real: _Operand, synthetic: _Operand, d_ss: np.ndarray,
                 block_rows: int | None, d_tt: np.ndarray | None = None
                 ) -> AdversarialAccuracy:
    """AA of two sets; ``d_ss`` and, when already known, ``d_tt`` are their
    nearest-neighbour distances within themselves."""
    d_ts, d_st = _nn_cross(real, synthetic, block_rows)
    if d_tt is None:
        d_tt = _nn_self(real, block_rows)
    return _aa(d_ts, d_tt, d_st, d_ss)


def _check_aa_sizes(real: np.ndarray, synthetic: np.ndarray) -> None:
    if real.shape[0] != synthetic.shape[0]:
        raise InputError(
            f"adversarial accuracy needs sets of equal size, got {real.shape[0]} real and "
            f"{synthetic.shape[0]} synthetic rows; subsample the larger one first, e.g. "
            f"subsample_rows(x, {min(real.shape[0], synthetic.shape[0])}, seed)")
    if real.shape[0] < 2:
        raise InputError(
            f"adversarial accuracy needs at least 2 rows per set, got {real.shape[0]}")


def adversarial_accuracy(real, synthetic, *, block_rows: int | None = None
                         ) -> AdversarialAccuracy:
    """Nearest-neighbour adversarial accuracy AA_TS (Yale et al. 2020).

    With real set T and synthetic set S of equal size n, and Hamming distances:
    ``AA_truth = mean_i 1(d_TS(i) > d_TT(i))`` where d_TS(i) is the distance
    from real row i to its nearest synthetic row and d_TT(i) to its nearest
    *other* real row; ``AA_syn = mean_i 1(d_ST(i) > d_SS(i))`` likewise for
    synthetic rows; ``AA_TS = (AA_truth + AA_syn) / 2``. The comparison is
    strict: ties count as 0, so a synthetic exact copy of the real set gives
    AA_TS = 0 whether or not it has duplicate rows.

    Parameters
    ----------
    real : ndarray, uint8, shape (n, n_snps)
    synthetic : ndarray, uint8, shape (n, n_snps)
        Same number of rows (n >= 2); see :func:`subsample_rows`.
    block_rows : int, optional
        Rows per block (default: fits ``BLOCK_BYTES``).

    Returns
    -------
    AdversarialAccuracy

    Examples
    --------
    >>> real = np.array([[0, 0, 0, 0], [1, 1, 0, 0], [1, 1, 1, 0]], dtype=np.uint8)
    >>> adversarial_accuracy(real, real.copy())
    AdversarialAccuracy(aa_truth=0.0, aa_syn=0.0, aa_ts=0.0)
    >>> syn = np.array([[0, 1, 1, 1], [1, 1, 1, 1], [1, 1, 0, 1]], dtype=np.uint8)
    >>> adversarial_accuracy(real, syn).aa_ts   # doctest: +ELLIPSIS
    0.333...
    """
    block_rows = _check_block_rows(block_rows)
    real, synthetic = _check_pair(real, synthetic, "real", "synthetic")
    _check_aa_sizes(real, synthetic)
    syn = _Operand(synthetic)
    d_ss = _nn_self(syn, block_rows)
    return _aa_operands(_Operand(real), syn, d_ss, block_rows)


def subsample_rows(x, n: int, seed) -> np.ndarray:
    """``n`` rows of ``x`` drawn without replacement, kept in their original order.

    Parameters
    ----------
    x : ndarray, shape (n_rows, ...)
    n : int
        0 <= n <= n_rows.
    seed : int or None or numpy.random.SeedSequence
        Passed to ``numpy.random.default_rng``.

    Returns
    -------
    ndarray, shape (n, ...)
        A new array (rows ``x[sorted(rng.choice(n_rows, n, replace=False))]``).

    Examples
    --------
    >>> x = np.arange(10, dtype=np.uint8).reshape(5, 2)
    >>> sub = subsample_rows(x, 3, seed=1)
    >>> sub.shape, bool(np.all(np.isin(sub[:, 0], x[:, 0])))
    ((3, 2), True)
    """
    x = np.asarray(x)
    if x.ndim < 1:
        raise InputError("x must have rows (at least 1 dimension)")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 0 <= n <= x.shape[0]:
        raise InputError(f"n must be an integer between 0 and {x.shape[0]} (rows of x), got {n!r}")
    index = np.sort(np.random.default_rng(seed).choice(x.shape[0], size=int(n), replace=False))
    return x[index]


def privacy_loss(synthetic, train, test, seed, *, matched: bool = False,
                 block_rows: int | None = None) -> PrivacyLoss:
    """Privacy loss: AA_TS(synthetic vs test) - AA_TS(synthetic vs train).

    Each comparison uses as many rows as the smaller of its two sets: a
    synthetic set as large as the training set (the pipeline's default) is
    compared with all of the training set. Subsampling the training set
    down to the (usually smaller) test set would hide leaks: a memorised
    haplotype whose source row is left out of the subsample looks novel, so
    an exact copy of the training set would show only about
    n_test / n_train of its leak. A real set larger than the synthetic one
    is subsampled with :func:`subsample_rows`. A synthetic set k times as
    large as its partner (e.g. 704 AGs against a 232-haplotype test split)
    is cut at random into k disjoint parts of the partner's size, each
    compared with the partner, and the accuracies are averaged: every AG
    counts, and the luck of one random part (which moved the loss by up to
    0.05 at these sizes) averages out; rows left over after k parts are not
    used. The seeds come from ``numpy.random.SeedSequence(seed).generate_state(4)``
    (synthetic and train for the first comparison, synthetic and test for
    the second). A set of exactly the needed size is used whole.

    With ``matched=True`` both comparisons are at one size, ``n`` = the
    smallest of the three sets (the paper's and Yale et al.'s definition:
    as many real as synthetic rows, train and test alike). The training set
    is cut at random into as many disjoint parts of ``n`` rows as it holds,
    part ``i`` compared with synthetic part ``i`` (cycling through the
    synthetic parts), and the accuracies averaged, so every training row
    counts; the test set is compared with every synthetic part. AA_TS
    depends on the set sizes for any generator unlike the data (AGs that
    cluster, chains started at a small sampling set): compared at ``N``
    training rows and ``n`` test rows, such a generator that never saw the
    training set reads a privacy loss far from 0 (-0.16 for resampled real
    haplotypes at 2,718 against 1,064 on the 805-SNP data; +0.006 matched).
    The price: an exact copy of a training row shows only when its copy
    falls in the same synthetic part (``n / n_syn`` of the time), so a
    copy of the whole training set reads about ``n / n_train`` of its leak;
    count copies apart (:func:`count_identical`).

    Parameters
    ----------
    synthetic : ndarray, uint8, shape (n_syn, n_snps)
    train : ndarray, uint8, shape (n_train, n_snps)
        Real haplotypes the generative model was trained on.
    test : ndarray, uint8, shape (n_test, n_snps)
        Real haplotypes from the same population, not used in training.
    seed : int
        Non-negative; makes the subsampling reproducible.
    block_rows : int, optional
        Rows per block (default: fits ``BLOCK_BYTES``).

    Returns
    -------
    PrivacyLoss
        Positive ``loss`` means leakage: the synthetic set is closer to the
        training rows than to unseen ones.

    Examples
    --------
    >>> train = np.array([[0, 0, 0, 0], [1, 1, 0, 0], [1, 1, 1, 0]], dtype=np.uint8)
    >>> test = np.array([[0, 0, 1, 1], [1, 0, 1, 1], [0, 1, 1, 1]], dtype=np.uint8)
    >>> result = privacy_loss(train.copy(), train, test, seed=0)
    >>> result.train.aa_ts, result.loss > 0
    (0.0, True)
    """
    block_rows = _check_block_rows(block_rows)
    synthetic, train = _check_pair(synthetic, train, "synthetic", "train")
    synthetic, test = _check_pair(synthetic, test, "synthetic", "test")
    seed = check_seed(seed)
    if matched:
        n_train = n_test = min(synthetic.shape[0], train.shape[0], test.shape[0])
    else:
        n_train = min(synthetic.shape[0], train.shape[0])
        n_test = min(synthetic.shape[0], test.shape[0])
    if min(n_train, n_test) < 2:
        raise InputError(f"privacy loss needs at least 2 rows in every set, got "
                         f"{synthetic.shape[0]} synthetic, {train.shape[0]} train, "
                         f"{test.shape[0]} test")
    seeds = np.random.SeedSequence(int(seed)).generate_state(4)

    def take(x, n, s):
        return x if x.shape[0] == n else subsample_rows(x, n, int(s))

    def parts(x, n, s):
        """``x`` cut at random into ``len(x) // n`` disjoint parts of ``n`` rows."""
        order = np.random.default_rng(int(s)).permutation(x.shape[0])
        return [x[np.sort(order[i * n:(i + 1) * n])] for i in range(x.shape[0] // n)]

    def mean_accuracy(each):
        return _accuracy(float(np.mean([aa.aa_truth for aa in each])),
                         float(np.mean([aa.aa_syn for aa in each])))

    def compare(real, n, real_seed, syn_seed):
        real = _Operand(take(real, n, real_seed))
        syn_parts = [synthetic] if synthetic.shape[0] == n else parts(synthetic, n, syn_seed)
        d_tt = _nn_self(real, block_rows)  # the same for every part
        return mean_accuracy([_aa_operands(real, syn, _nn_self(syn, block_rows), block_rows, d_tt)
                              for syn in map(_Operand, syn_parts)])

    if matched:
        on_test = compare(test, n_test, seeds[3], seeds[2])
        real_parts = parts(train, n_train, seeds[1])
        syn_parts = parts(synthetic, n_train, seeds[0])
        on_train = mean_accuracy([
            adversarial_accuracy(real, syn_parts[i % len(syn_parts)], block_rows=block_rows)
            for i, real in enumerate(real_parts)])
        n_train *= len(real_parts)
    else:
        on_train = compare(train, n_train, seeds[1], seeds[0])
        on_test = compare(test, n_test, seeds[3], seeds[2])
    return PrivacyLoss(train=on_train, test=on_test, loss=on_test.aa_ts - on_train.aa_ts,
                       n_train_rows=n_train, n_test_rows=n_test)
