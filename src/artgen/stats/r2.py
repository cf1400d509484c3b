"""LD r^2 between SNP columns, from exact integer counts.

Haplotype matrices are 0/1 ``uint8`` arrays of shape (n_haplotypes, n_snps).
r^2 between SNPs i and j is the squared Pearson correlation of columns i and
j (the usual haplotype r^2 = D^2 / (p_i q_i p_j q_j)); it is NaN when either
column is monomorphic.  This module computes r^2 (whole matrices, blocks,
sampled pairs); :mod:`artgen.stats.ld` builds the real-vs-AG comparisons on it.

How r^2 is computed
-------------------
One matrix product per row block: with x_i the 0/1 column of SNP i, n the
number of haplotypes, c_i = sum(x_i) and N_ij = x_i . x_j (the product
``X[:, rows].T @ X``, done by BLAS in float32 -- exact, since every partial
sum is an integer below 2**24),

    r^2_ij = (n N_ij - c_i c_j)^2 / (c_i (n - c_i) c_j (n - c_j)).

This is the centred product (n N_ij - c_i c_j = n^2 * cov_ij) written with
integer counts: numerator and denominator are integers held exactly in
float64 (for n below ~19,000; a single rounding otherwise), so r^2 is
correctly rounded -- more accurate than centring float columns -- and the
GEMM runs in float32, about twice as fast as float64.

Sampled pairs (:meth:`R2Columns.r2_pairs`) get r^2 from their exact count
N_ij (AND and popcount of bit-packed columns): the same formula, so the
same float64 value as the GEMM path.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np

from artgen.checks import alt_counts, check_haplotypes, check_pair
from artgen.errors import InputError
from artgen.stats.correlations import PackedColumns

__all__ = ["r2_matrix", "ld_matrix_for_plot", "R2Columns", "BlockBuffers", "block_rows",
           "BLOCK_ENTRIES"]

#: Target number of matrix entries per row block (8M float64 = 64 MiB).
BLOCK_ENTRIES = 8_000_000
#: Sampled pairs whose r^2 is computed at a time (bounds the gathered bit rows).
_PAIR_CHUNK = 65_536


def block_rows(block_size, n_cols: int) -> int:
    if block_size is None:
        return max(1, min(n_cols, BLOCK_ENTRIES // max(n_cols, 1)))
    if isinstance(block_size, bool) or not isinstance(block_size, (int, np.integer)) \
            or block_size < 1:
        raise InputError(f"block_size must be a positive integer or None, got {block_size!r}")
    return int(block_size)


class R2Columns:
    """Per-dataset data for r^2: transposed columns for the GEMM (blocks of
    pairs) or bit-packed columns (sampled pairs), each made on first use,
    ALT counts and c (n - c) per SNP (NaN where monomorphic)."""

    def __init__(self, h: np.ndarray):
        n = h.shape[0]
        self.h = h
        self.n = float(n)
        # 0/1 products summed in float32 are exact while the sum stays < 2**24.
        self.gemm_dtype = np.float32 if n < 2**24 else np.float64
        self.counts = alt_counts(h).astype(np.float64)               # (n_snps,)
        var = self.counts * (n - self.counts)                         # n^2 p q
        self.poly = var > 0
        self.var = np.where(self.poly, var, np.nan)
        # Below ~19,500 haplotypes numerator and denominator are exact
        # integers in float64, so r^2 is correctly rounded and never > 1.
        self.exact = n <= 19_000

    @cached_property
    def xt(self) -> np.ndarray:
        """(n_snps, n) columns in the GEMM dtype: 4 bytes per allele, so only
        made when a block of pairs is asked for."""
        return np.ascontiguousarray(self.h.T, dtype=self.gemm_dtype)

    @cached_property
    def packed(self) -> PackedColumns:
        """Bit-packed columns (n / 8 bytes per SNP), for sampled pairs."""
        return PackedColumns(self.h)

    def r2_pairs(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """float64 r^2 of the SNP pairs (i[k], j[k]), shape (len(i),).

        The formula of :meth:`r2` on the exact count N_ij (popcount of the
        AND of the packed columns), in the same order of operations: every
        step before the division is exact, so the values are bit for bit
        those of the GEMM path."""
        out = np.empty(len(i), dtype=np.float64)
        for s in range(0, len(i), _PAIR_CHUNK):
            a, b = i[s:s + _PAIR_CHUNK], j[s:s + _PAIR_CHUNK]
            num = self.packed.joint(a, b) * self.n                  # n N_ij
            num -= self.counts[a] * self.counts[b]                  # n^2 D_ij
            np.square(num, out=num)
            np.divide(num, self.var[a] * self.var[b], out=out[s:s + len(a)])
        if not self.exact:
            np.minimum(out, 1.0, out=out)
        return out

    def r2(self, r0: int, r1: int, c0: int, c1: int, work: "BlockBuffers | None" = None,
           slot: str = "out") -> np.ndarray:
        """float64 r^2 of SNPs r0:r1 (rows) against SNPs c0:c1 (columns).

        With `work`, the result is a view of the buffer ``work.<slot>``
        (overwritten by the next call with the same slot)."""
        shape = (r1 - r0, c1 - c0)
        if work is None:
            work = BlockBuffers(shape[0] * shape[1])
        gram = work.get("gram", shape, self.gemm_dtype)
        out = work.get(slot, shape)
        tmp = work.get("tmp", shape)
        np.matmul(self.xt[r0:r1], self.xt[c0:c1].T, out=gram)      # N_ij, exact
        np.multiply(gram, self.n, out=out, dtype=np.float64)        # n N_ij
        np.multiply.outer(self.counts[r0:r1], self.counts[c0:c1], out=tmp)
        np.subtract(out, tmp, out=out)                              # n^2 D_ij
        np.square(out, out=out)
        np.multiply.outer(self.var[r0:r1], self.var[c0:c1], out=tmp)
        np.divide(out, tmp, out=out)
        if not self.exact:
            np.minimum(out, 1.0, out=out)
        return out


class BlockBuffers:
    """Reusable flat buffers, so that the block loops do not allocate (and
    page-fault) fresh 64 MB temporaries for every block."""

    def __init__(self, size: int):
        self.size = max(int(size), 1)
        self.buffers: dict[str, np.ndarray] = {}

    def get(self, name: str, shape: tuple[int, int], dtype=np.float64) -> np.ndarray:
        k = shape[0] * shape[1]
        buf = self.buffers.get(name)
        if buf is None or buf.dtype != np.dtype(dtype) or buf.size < k:
            buf = np.empty(max(k, self.size), dtype=dtype)
            self.buffers[name] = buf
        return buf[:k].reshape(shape)


def _check_dtype(dtype) -> np.dtype:
    try:
        dt = np.dtype(dtype)
    except TypeError as exc:
        raise InputError(f"dtype must be float32 or float64, got {dtype!r}") from exc
    if dt not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise InputError(f"dtype must be float32 or float64, got {dt}")
    return dt


def r2_matrix(h, dtype=np.float64, *, block_size: int | None = None) -> np.ndarray:
    """Pairwise LD r^2 between all SNP columns.

    Equal (to rounding) to ``np.corrcoef(h.T) ** 2`` and to
    ``allel.rogers_huff_r(h.T) ** 2`` in square form (the latter is computed
    in float32, so it agrees only to ~1e-6). See the module docstring for the
    exact-count formula.

    Parameters
    ----------
    h : ndarray, uint8, shape (n_haplotypes, n_snps)
    dtype : float32 or float64
        dtype of the result (the arithmetic is float64 either way).
    block_size : int, optional
        Rows per block (default: about 8M entries per block); only changes
        memory use, not the result.

    Returns
    -------
    ndarray, shape (n_snps, n_snps), symmetric
        r^2 in [0, 1]; NaN in every row and column of a monomorphic SNP;
        diagonal 1 for polymorphic SNPs. Needs n_snps^2 * itemsize bytes
        (800 MB for 10,000 SNPs in float64).

    Examples
    --------
    >>> h = np.array([[1, 1, 0], [1, 0, 0], [0, 0, 0], [0, 0, 0]], dtype=np.uint8)
    >>> r2_matrix(h).round(4)  # SNP 2 is monomorphic
    array([[1.    , 0.3333,    nan],
           [0.3333, 1.    ,    nan],
           [   nan,    nan,    nan]])
    """
    h = check_haplotypes(h)
    dt = _check_dtype(dtype)
    m = h.shape[1]
    panel = R2Columns(h)
    out = np.empty((m, m), dtype=dt)
    step = block_rows(block_size, m)
    work = BlockBuffers(step * m)
    for a in range(0, m, step):
        b = min(a + step, m)
        blk = panel.r2(a, b, a, m, work)         # upper part: rows a:b, columns a:m
        out[a:b, a:] = blk
        out[a:, a:b] = blk.T
    return out


def ld_matrix_for_plot(real, ag, dtype=np.float64, *,
                       block_size: int | None = None) -> np.ndarray:
    """One square matrix: real r^2 below the diagonal, AG r^2 above it.

    The layout of Yelmen et al. 2021 Fig. 2a (lower triangle real, upper
    triangle AG). Diagonal NaN; NaN wherever the SNP is monomorphic in the
    dataset shown in that triangle.

    Parameters
    ----------
    real : ndarray, uint8, shape (n_real, n_snps)
    ag : ndarray, uint8, shape (n_ag, n_snps)
    dtype : float32 or float64
        dtype of the result (float32 halves the memory for plotting).
    block_size : int, optional
        Rows per block; does not change the result.

    Returns
    -------
    ndarray, shape (n_snps, n_snps)
        ``M[i, j]`` = real r^2 for i > j, AG r^2 for i < j, NaN for i == j.

    Examples
    --------
    >>> real = np.array([[1, 1], [1, 0], [0, 0], [0, 0]], dtype=np.uint8)  # r^2 = 1/3
    >>> ag = np.array([[1, 1], [1, 1], [0, 0], [0, 0]], dtype=np.uint8)    # r^2 = 1
    >>> ld_matrix_for_plot(real, ag).round(4)
    array([[   nan, 1.    ],
           [0.3333,    nan]])
    """
    real, ag = check_pair(real, ag)
    dt = _check_dtype(dtype)
    m = real.shape[1]
    out = np.empty((m, m), dtype=dt)
    step = block_rows(block_size, m)
    work = BlockBuffers(step * m)
    for label, h in (("real", real), ("ag", ag)):
        panel = R2Columns(h)
        for a in range(0, m, step):
            b = min(a + step, m)
            if label == "real":
                blk = panel.r2(a, b, 0, b, work)     # rows a:b, columns 0:b
                sq = blk[:, a:]
                sq[np.triu_indices(b - a)] = np.nan  # keep strictly lower part
                out[a:b, :a] = blk[:, :a]
                out[a:b, a:b] = sq
            else:
                blk = panel.r2(a, b, a, m, work)     # rows a:b, columns a:m
                sq = out[a:b, a:b]
                iu = np.triu_indices(b - a, k=1)
                sq[iu] = blk[:, : b - a][iu]
                out[a:b, b:] = blk[:, b - a:]
        del panel
    return out
