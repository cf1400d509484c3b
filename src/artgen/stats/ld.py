"""Linkage disequilibrium (r^2) between SNPs, and real-vs-AG LD comparisons.

Haplotype matrices are 0/1 ``uint8`` arrays of shape (n_haplotypes, n_snps).
r^2 between SNPs i and j is the squared Pearson correlation of columns i and
j (the usual haplotype r^2 = D^2 / (p_i q_i p_j q_j)); it is NaN when either
column is monomorphic.

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

Functions over all pairs (``ld_correlation``, ``ld_decay``) walk the upper
triangle in row blocks, so memory stays bounded (a few hundred MB for 10,000
SNPs x 5,000 haplotypes) and the GEMM work is halved.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from artgen.errors import InputError
from artgen.stats.frequencies import _alt_counts, _check_haplotypes, _check_pair

__all__ = ["r2_matrix", "ld_correlation", "ld_decay", "ld_matrix_for_plot"]

#: Target number of matrix entries per row block (8M float64 = 64 MiB).
_BLOCK_ENTRIES = 8_000_000


def _block_rows(block_size, n_cols: int) -> int:
    if block_size is None:
        return max(1, min(n_cols, _BLOCK_ENTRIES // max(n_cols, 1)))
    if isinstance(block_size, bool) or not isinstance(block_size, (int, np.integer)) \
            or block_size < 1:
        raise InputError(f"block_size must be a positive integer or None, got {block_size!r}")
    return int(block_size)


class _Panel:
    """Per-dataset data for blocked r^2: transposed columns for the GEMM,
    ALT counts and c (n - c) per SNP (NaN where monomorphic)."""

    def __init__(self, h: np.ndarray):
        n = h.shape[0]
        self.n = float(n)
        # 0/1 products summed in float32 are exact while the sum stays < 2**24.
        self.gemm_dtype = np.float32 if n < 2**24 else np.float64
        self.xt = np.ascontiguousarray(h.T, dtype=self.gemm_dtype)   # (n_snps, n)
        self.counts = _alt_counts(h).astype(np.float64)               # (n_snps,)
        var = self.counts * (n - self.counts)                         # n^2 p q
        self.poly = var > 0
        self.var = np.where(self.poly, var, np.nan)
        # Below ~19,500 haplotypes numerator and denominator are exact
        # integers in float64, so r^2 is correctly rounded and never > 1.
        self.exact = n <= 19_000

    def r2(self, r0: int, r1: int, c0: int, c1: int, work: "_Work | None" = None,
           slot: str = "out") -> np.ndarray:
        """float64 r^2 of SNPs r0:r1 (rows) against SNPs c0:c1 (columns).

        With `work`, the result is a view of the buffer ``work.<slot>``
        (overwritten by the next call with the same slot)."""
        shape = (r1 - r0, c1 - c0)
        if work is None:
            work = _Work(shape[0] * shape[1])
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


class _Work:
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
    h = _check_haplotypes(h)
    dt = _check_dtype(dtype)
    m = h.shape[1]
    panel = _Panel(h)
    out = np.empty((m, m), dtype=dt)
    step = _block_rows(block_size, m)
    work = _Work(step * m)
    for a in range(0, m, step):
        b = min(a + step, m)
        blk = panel.r2(a, b, a, m, work)         # upper part: rows a:b, columns a:m
        out[a:b, a:] = blk
        out[a:, a:b] = blk.T
    return out


def ld_correlation(real, ag, *, block_size: int | None = None) -> float:
    """Pearson r between real and AG r^2 over all SNP pairs.

    Uses every pair i < j at which both r^2 values are finite, i.e. both
    SNPs polymorphic in both datasets (Yelmen et al. 2021, Supp. Fig. 9).
    Computed in row blocks of the upper triangle with streaming (Chan)
    Pearson sums: memory is O(block_size * n_snps), not O(n_snps^2).

    Parameters
    ----------
    real : ndarray, uint8, shape (n_real, n_snps)
    ag : ndarray, uint8, shape (n_ag, n_snps)
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
    """
    real, ag = _check_pair(real, ag)
    keep = _polymorphic(real) & _polymorphic(ag)
    pr, pa = _Panel(real[:, keep]), _Panel(ag[:, keep])
    m = int(keep.sum())
    acc = _PearsonAccumulator()
    step = _block_rows(block_size, m)
    work = _Work(step * m)
    for a in range(0, m, step):
        b = min(a + step, m)
        # pairs inside the diagonal block: its strict upper triangle
        iu = np.triu_indices(b - a, k=1)
        acc.add(pr.r2(a, b, a, b, work, "x")[iu], pa.r2(a, b, a, b, work, "y")[iu])
        if b < m:                                # rows a:b against all later SNPs
            acc.add(pr.r2(a, b, b, m, work, "x"), pa.r2(a, b, b, m, work, "y"))
    return acc.r()


def _polymorphic(h: np.ndarray) -> np.ndarray:
    c = _alt_counts(h)
    return (c > 0) & (c < h.shape[0])


def _check_positions(positions, n_snps: int) -> np.ndarray:
    pos = np.asarray(positions)
    if not np.issubdtype(pos.dtype, np.integer):
        raise InputError(f"positions must be integer bp (int64 expected), got dtype {pos.dtype}")
    if pos.shape != (n_snps,):
        raise InputError(f"positions must have shape ({n_snps},) to match the haplotypes, "
                         f"got {pos.shape}")
    return pos.astype(np.int64, copy=False)


def ld_decay(datasets: Mapping[str, np.ndarray], positions, n_bins: int = 50, *,
             block_size: int | None = None) -> pd.DataFrame:
    """Mean r^2 as a function of bp distance, per dataset (LD decay).

    As in Yelmen et al. 2021 Fig. 2b: first the SNPs monomorphic in ANY of the
    datasets are removed (so every dataset uses the same SNPs and pairs);
    then each pair i < j of the remaining SNPs goes to one of `n_bins`
    equal-width distance bins spanning 0 .. D, D = the largest pair distance
    among the remaining SNPs (max(pos) - min(pos)); bin b holds distances in
    [b D / n_bins, (b + 1) D / n_bins), the last bin also holds D. Binning is
    exact integer arithmetic (``bin = d * n_bins // D``). Computed in row
    blocks (bincount with weights), O(block_size * n_snps) memory.

    Parameters
    ----------
    datasets : dict of str -> ndarray, uint8, shape (n_haplotypes_k, n_snps)
        E.g. ``{"real": real, "GAN": gan, "RBM": rbm}``; same SNPs in all.
    positions : ndarray, int64, shape (n_snps,)
        bp positions of the SNPs (any order; only |pos_i - pos_j| is used).
    n_bins : int
        Number of distance bins (the paper uses 50).
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
    """
    if not isinstance(datasets, Mapping) or len(datasets) == 0:
        raise InputError("datasets must be a non-empty dict {name: haplotype matrix}")
    if isinstance(n_bins, bool) or not isinstance(n_bins, (int, np.integer)) or n_bins < 1:
        raise InputError(f"n_bins must be a positive integer, got {n_bins!r}")
    n_bins = int(n_bins)
    checked = {}
    for name, h in datasets.items():
        checked[str(name)] = _check_haplotypes(h, f"datasets[{name!r}]")
    if len(checked) != len(datasets):
        raise InputError("dataset names must be distinct as strings")
    n_snps = {h.shape[1] for h in checked.values()}
    if len(n_snps) != 1:
        sizes = {k: h.shape[1] for k, h in checked.items()}
        raise InputError(f"all datasets must have the same SNPs; n_snps per dataset: {sizes}")
    pos = _check_positions(positions, n_snps.pop())

    keep = np.ones(pos.shape[0], dtype=bool)
    for h in checked.values():
        keep &= _polymorphic(h)
    pos = pos[keep]
    m = pos.size
    dmax = int(pos.max() - pos.min()) if m >= 2 else 0
    step = _block_rows(block_size, m)

    work = _Work(step * m)

    def block_bins(a: int, b: int) -> np.ndarray:
        """Distance bin of each pair (rows a:b, columns a:m), flattened;
        pairs j <= i go to the discarded bin n_bins."""
        bins = work.get("bins", (b - a, m - a), np.int64)
        np.subtract.outer(pos[a:b], pos[a:], out=bins)
        np.abs(bins, out=bins)
        if dmax > 0:
            np.multiply(bins, n_bins, out=bins)
            np.floor_divide(bins, dmax, out=bins)    # exact; distance D gives n_bins
            np.minimum(bins, n_bins - 1, out=bins)
        else:
            bins[...] = 0
        bins[:, : b - a][np.tril_indices(b - a)] = n_bins
        return bins.reshape(-1)

    edges = np.linspace(0.0, float(dmax), n_bins + 1)
    counts = np.zeros(n_bins + 1, dtype=np.int64)
    sums = {}
    for name, h in checked.items():               # one dataset at a time: bounded memory
        panel = _Panel(h[:, keep])
        total = np.zeros(n_bins + 1, dtype=np.float64)
        for a in range(0, m, step):
            b = min(a + step, m)
            r2 = panel.r2(a, b, a, m, work)
            bins = block_bins(a, b)
            total += np.bincount(bins, weights=r2.reshape(-1), minlength=n_bins + 1)
            if not sums:                          # pair counts: the same for every dataset
                counts += np.bincount(bins, minlength=n_bins + 1)
        sums[name] = total
        del panel
    n_pairs = counts[:n_bins]
    frames = []
    for name, total in sums.items():
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(n_pairs > 0, total[:n_bins] / np.maximum(n_pairs, 1), np.nan)
        frames.append(pd.DataFrame({
            "dataset": name,
            "bin": np.arange(n_bins, dtype=np.int64),
            "distance_left": edges[:-1],
            "distance_right": edges[1:],
            "distance_mid": (edges[:-1] + edges[1:]) / 2,
            "n_pairs": n_pairs,
            "mean_r2": mean,
        }))
    return pd.concat(frames, ignore_index=True)


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
    real, ag = _check_pair(real, ag)
    dt = _check_dtype(dtype)
    m = real.shape[1]
    out = np.empty((m, m), dtype=dt)
    step = _block_rows(block_size, m)
    work = _Work(step * m)
    for label, h in (("real", real), ("ag", ag)):
        panel = _Panel(h)
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
