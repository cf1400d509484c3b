"""Hamming distances between haplotypes: matrices, histograms, nearest neighbours.

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
- :func:`cross_nearest_distances`: nearest distances both ways between two
  sets, in one pass.
- :func:`check_distance_pair`: the input rule of these functions, for the
  statistics built on them (:mod:`artgen.stats.privacy`).
- :func:`subsample_rows`: rows drawn without replacement, to compare sets
  at one size.

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

import numpy as np

from artgen.checks import check_count, check_haplotypes, check_same_snps
from artgen.errors import InputError

__all__ = [
    "check_distance_pair",
    "cross_nearest_distances",
    "hamming_distances",
    "iter_distance_blocks",
    "nearest_neighbour_distances",
    "pairwise_distance_counts",
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


def check_distance_pair(a, b, name_a: str, name_b: str) -> tuple[np.ndarray, np.ndarray]:
    """Two haplotype matrices as the distance functions take them: each a
    C-contiguous uint8 0/1 matrix (n_rows, n_snps), empty allowed, with
    fewer than 2**24 SNPs, both with the same SNPs; or an InputError."""
    a = _check_haplotypes(a, name_a)
    b = _check_haplotypes(b, name_b)
    check_same_snps(a, b, name_a, name_b)
    return a, b


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
    block_rows = check_count(block_rows, "block_rows", 1, allow_none=True)
    if b is None:
        x = _Operand(_check_haplotypes(a, "a"))
        out = np.empty((x.n, x.n), dtype=np.int32)
        for start, block in _upper_blocks(x, block_rows):
            stop = start + block.shape[0]
            out[start:stop, start:] = block
            out[start:, start:stop] = block.T
        return out
    a, b = check_distance_pair(a, b, "a", "b")
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
    block_rows = check_count(block_rows, "block_rows", 1, allow_none=True)
    if b is None:
        x = _check_haplotypes(a, "a")
        opa = opb = _Operand(x)
    else:
        a, b = check_distance_pair(a, b, "a", "b")
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
    block_rows = check_count(block_rows, "block_rows", 1, allow_none=True)
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
    a, b = check_distance_pair(a, b, "a", "b")
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
    block_rows = check_count(block_rows, "block_rows", 1, allow_none=True)
    query, reference = check_distance_pair(query, reference, "query", "reference")
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


def cross_nearest_distances(a, b, *, block_rows: int | None = None
                            ) -> tuple[np.ndarray, np.ndarray]:
    """Nearest distances both ways between two sets, from one pass over their pairs.

    Parameters
    ----------
    a : ndarray, uint8, shape (n_a, n_snps)
    b : ndarray, uint8, shape (n_b, n_snps)
        Each with at least one row.
    block_rows : int, optional
        Rows per block (default: fits ``BLOCK_BYTES``).

    Returns
    -------
    a_to_b : ndarray, int32, shape (n_a,)
        Distance from each row of ``a`` to its closest row of ``b``.
    b_to_a : ndarray, int32, shape (n_b,)
        Distance from each row of ``b`` to its closest row of ``a``.

    Examples
    --------
    >>> a = np.array([[0, 0, 0, 0], [1, 1, 0, 0]], dtype=np.uint8)
    >>> b = np.array([[1, 1, 1, 0], [1, 1, 1, 1], [0, 0, 0, 1]], dtype=np.uint8)
    >>> [d.tolist() for d in cross_nearest_distances(a, b)]
    [[1, 1], [1, 2, 1]]
    """
    block_rows = check_count(block_rows, "block_rows", 1, allow_none=True)
    a, b = check_distance_pair(a, b, "a", "b")
    if min(a.shape[0], b.shape[0]) == 0:
        raise InputError(f"a and b need at least one row each, got {a.shape[0]} and "
                         f"{b.shape[0]}: there is no nearest neighbour")
    return _nn_cross(_Operand(a), _Operand(b), block_rows)


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
