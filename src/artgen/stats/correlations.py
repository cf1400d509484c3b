"""3-point correlations of SNP triplets (Yelmen et al. 2021, Supp. Fig. 10).

For SNPs i, j, k with ALT frequencies f_i, joint frequencies f_ij (fraction of
haplotypes carrying 1 at both i and j) and f_ijk (1 at all three),

    c(i, j, k) = f_ijk - f_ij f_k - f_ik f_j - f_jk f_i + 2 f_i f_j f_k,

the third joint cumulant (connected 3-point correlation) of the 0/1 columns,
i.e. mean((x_i - f_i)(x_j - f_j)(x_k - f_k)). The paper defines
c_ijk(a, b, c) for every allele combination; for biallelic SNPs all eight
are equal up to sign (flipping one allele flips the sign), so the ALT/ALT/ALT
one is used. c = 0 whenever one of the SNPs is monomorphic, or when the
three are independent; it can be non-zero when all three pairwise r^2 are 0.

Counts are computed exactly on bit-packed columns (popcount of AND) and c is
formed in integer arithmetic, n^3 c = n^2 N_ijk - n (N_ij N_k + N_ik N_j +
N_jk N_i) + 2 N_i N_j N_k, then divided by n^3 once: values are correctly
rounded float64 (for n up to 10^6 haplotypes).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from artgen import seeds
from artgen.checks import alt_counts, check_haplotypes, check_pair, pearson
from artgen.errors import InputError

__all__ = [
    "DEFAULT_GAPS",
    "three_point_correlations",
    "sample_triplets",
    "three_point_values",
    "three_point_r",
]

#: The SNP separations of the paper, plus three random SNPs.
DEFAULT_GAPS = (1, 4, 16, 64, 256, 512, 1024, "random")

_CHUNK = 65_536  # triplets per chunk (bounds the gathered bit rows)
_EXACT_MAX_N = 1_000_000  # integer formula fits in int64 up to here


class PackedColumns:
    """Bit-packed columns of a haplotype matrix: one row of uint64 words per
    SNP, plus ALT counts; supports exact joint counts by popcount."""

    def __init__(self, h: np.ndarray):
        self.n = h.shape[0]
        self.n_snps = h.shape[1]
        bits = np.packbits(h, axis=0)                          # (ceil(n/8), n_snps)
        pad = (-bits.shape[0]) % 8
        if pad:
            bits = np.concatenate([bits, np.zeros((pad, self.n_snps), np.uint8)])
        self.words = np.ascontiguousarray(bits.T).view(np.uint64)  # (n_snps, n_words)
        self.counts = alt_counts(h)

    def joint(self, *cols: np.ndarray) -> np.ndarray:
        acc = self.words[cols[0]]
        for c in cols[1:]:
            acc = acc & self.words[c]
        return np.bitwise_count(acc).sum(axis=1, dtype=np.int64)

    def c3(self, triplets: np.ndarray) -> np.ndarray:
        out = np.empty(len(triplets), dtype=np.float64)
        n = self.n
        for s in range(0, len(triplets), _CHUNK):
            t = triplets[s:s + _CHUNK]
            i, j, k = t[:, 0], t[:, 1], t[:, 2]
            nij, nik, njk = self.joint(i, j), self.joint(i, k), self.joint(j, k)
            nijk = self.joint(i, j, k)
            ni, nj, nk = self.counts[i], self.counts[j], self.counts[k]
            if n <= _EXACT_MAX_N:
                num = n * n * nijk - n * (nij * nk + nik * nj + njk * ni) + 2 * ni * nj * nk
                out[s:s + len(t)] = num / float(n) ** 3
            else:
                f = 1.0 / n
                fi, fj, fk = ni * f, nj * f, nk * f
                out[s:s + len(t)] = (nijk * f - nij * f * fk - nik * f * fj - njk * f * fi
                                     + 2 * fi * fj * fk)
        return out


def _check_triplets(triplets, n_snps: int) -> np.ndarray:
    t = np.asarray(triplets)
    if t.size == 0 and t.ndim <= 2:
        t = t.reshape(0, 3)
    if t.dtype == np.bool_ or not np.issubdtype(t.dtype, np.integer):
        raise InputError(f"triplets must be an integer array (n_triplets, 3), got dtype {t.dtype}")
    if t.ndim != 2 or t.shape[1] != 3:
        raise InputError(f"triplets must have shape (n_triplets, 3), got {t.shape}")
    if t.size and (t.min() < 0 or t.max() >= n_snps):
        raise InputError(f"triplet SNP indices must lie in 0..{n_snps - 1}")
    return t.astype(np.intp, copy=False)


def three_point_correlations(h, triplets) -> np.ndarray:
    """3-point correlation c(i, j, k) of each SNP triplet.

    Parameters
    ----------
    h : ndarray, uint8, shape (n_haplotypes, n_snps)
    triplets : ndarray, int, shape (n_triplets, 3)
        Column indices (i, j, k); any order, repeats allowed.

    Returns
    -------
    ndarray, float64, shape (n_triplets,)
        f_ijk - f_ij f_k - f_ik f_j - f_jk f_i + 2 f_i f_j f_k, in [-1/4, 1/4]
        (correctly rounded, see module docstring).

    Examples
    --------
    >>> h = np.array([[1, 1, 1], [0, 0, 0], [0, 0, 0], [0, 0, 0]], dtype=np.uint8)
    >>> three_point_correlations(h, [[0, 1, 2]])  # 1/4 - 3/16 + 2/64 = 3/32
    array([0.09375])
    >>> xor = np.array([[0, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 0]], dtype=np.uint8)
    >>> three_point_correlations(xor, [[0, 1, 2]])  # pairwise independent, not 3-way
    array([-0.125])
    """
    h = check_haplotypes(h)
    t = _check_triplets(triplets, h.shape[1])
    return PackedColumns(h).c3(t)


def _check_gap(gap):
    if isinstance(gap, str):
        if gap == "random":
            return gap
        raise InputError(f'gap must be a positive integer or "random", got {gap!r}')
    if isinstance(gap, bool) or not isinstance(gap, (int, np.integer)) or gap < 1:
        raise InputError(f'gap must be a positive integer or "random", got {gap!r}')
    return int(gap)


def _gap_fits(n_snps: int, gap) -> bool:
    return n_snps >= 3 if gap == "random" else 2 * gap < n_snps


def sample_triplets(n_snps: int, gap, n_triplets: int, seed=0) -> np.ndarray:
    """Draw SNP triplets for 3-point correlations.

    Integer gap g: triplets (i, i + g, i + 2g), the start i uniform over the
    n_snps - 2g valid starts. When there are at least `n_triplets` valid
    starts they are drawn without replacement (no triplet repeats).
    Otherwise every start is used ``n_triplets // n_starts`` times and a
    further ``n_triplets % n_starts`` distinct starts once more (balanced
    sampling with replacement: no start is used more than once above any
    other). Rows are sorted by i.

    ``gap="random"``: each row is three distinct SNPs drawn uniformly at
    random, sorted ascending; rows are drawn independently (they may repeat).

    Parameters
    ----------
    n_snps : int
        Number of SNPs in the panel.
    gap : int >= 1 or "random"
    n_triplets : int >= 0
    seed : int, sequence of int, SeedSequence or Generator
        Passed to ``numpy.random.default_rng``.

    Returns
    -------
    ndarray, int64, shape (n_triplets, 3)

    Raises
    ------
    ValueError
        If ``2 * gap >= n_snps`` (no valid start) or, for "random",
        n_snps < 3; or for a bad gap / n_triplets.

    Examples
    --------
    >>> sample_triplets(10, 4, 3, seed=1)[:, 1:] - sample_triplets(10, 4, 3, seed=1)[:, :2]
    array([[4, 4],
           [4, 4],
           [4, 4]])
    >>> sample_triplets(3, "random", 2, seed=0)
    array([[0, 1, 2],
           [0, 1, 2]])
    """
    if isinstance(n_snps, bool) or not isinstance(n_snps, (int, np.integer)) or n_snps < 1:
        raise InputError(f"n_snps must be a positive integer, got {n_snps!r}")
    if isinstance(n_triplets, bool) or not isinstance(n_triplets, (int, np.integer)) \
            or n_triplets < 0:
        raise InputError(f"n_triplets must be a non-negative integer, got {n_triplets!r}")
    gap = _check_gap(gap)
    n_snps, n_triplets = int(n_snps), int(n_triplets)
    if not _gap_fits(n_snps, gap):
        if gap == "random":
            raise InputError(f"random triplets need at least 3 SNPs, got {n_snps}")
        raise InputError(f"gap {gap} is too large for {n_snps} SNPs (needs 2 * gap < n_snps)")
    rng = np.random.default_rng(seed)
    if gap == "random":
        m = n_snps
        a = rng.integers(0, m, size=n_triplets)
        b = rng.integers(0, m - 1, size=n_triplets)
        b += b >= a                                   # uniform over SNPs != a
        c = rng.integers(0, m - 2, size=n_triplets)
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        c += c >= lo                                  # uniform over SNPs != a, b
        c += c >= hi
        return np.sort(np.column_stack([a, b, c]), axis=1).astype(np.int64)
    n_starts = n_snps - 2 * gap
    reps, extra = divmod(n_triplets, n_starts)
    starts = np.concatenate([np.repeat(np.arange(n_starts), reps),
                             rng.choice(n_starts, size=extra, replace=False)])
    starts = np.sort(starts).astype(np.int64)
    return np.column_stack([starts, starts + gap, starts + 2 * gap])


def _gap_seed(seed, gap):
    """Per-gap seed: the triplets of a gap do not depend on the other gaps."""
    if isinstance(seed, np.random.Generator):
        return seed
    base = seed.entropy if isinstance(seed, np.random.SeedSequence) else seed
    if base is None:
        return None
    base = list(np.atleast_1d(np.asarray(base, dtype=object)).tolist())
    return seeds.sequence(base, "correlations/gap", 0 if gap == "random" else gap)


def three_point_values(real, ag, gaps: Sequence = DEFAULT_GAPS, n_triplets: int = 8000,
                       seed=0) -> pd.DataFrame:
    """3-point correlations of real and AG data over the same triplets.

    For each gap, `n_triplets` triplets are drawn with :func:`sample_triplets`
    (seeded from ``(seed, gap)`` -- ``(seed, 0)`` for "random" -- so a gap's
    triplets do not depend on which other gaps are asked for) and c(i, j, k)
    is computed in both datasets. Gaps too large for the panel
    (2 * gap >= n_snps; "random" with fewer than 3 SNPs) are left out
    silently.

    Parameters
    ----------
    real : ndarray, uint8, shape (n_real, n_snps)
    ag : ndarray, uint8, shape (n_ag, n_snps)
    gaps : sequence of int >= 1 and/or "random"
        Default (1, 4, 16, 64, 256, 512, 1024, "random") as in the paper.
    n_triplets : int
        Triplets per gap (the paper uses 8,000).
    seed : int, sequence of int or SeedSequence
        A Generator is also accepted; then the gaps share its stream.

    Returns
    -------
    pandas.DataFrame
        Columns ``gap`` (str: "1", ..., "random"), ``triplet`` (0..n-1 within
        the gap), ``i``, ``j``, ``k`` (SNP indices), ``real``, ``ag``
        (float64 correlations), gaps in the order given.

    Examples
    --------
    >>> h = np.array([[1, 1, 1, 0], [0, 0, 0, 1], [0, 0, 0, 0], [0, 1, 1, 0]],
    ...              dtype=np.uint8)
    >>> df = three_point_values(h, h, gaps=(1, 2, "random"), n_triplets=2)
    >>> df["gap"].unique().tolist()   # gap 2 needs 5 SNPs: left out
    ['1', 'random']
    >>> bool((df["real"] == df["ag"]).all())
    True
    """
    real, ag = check_pair(real, ag)
    if isinstance(gaps, (str, bytes)) or not isinstance(gaps, Sequence):
        raise InputError(f'gaps must be a sequence of positive integers and/or "random", '
                         f"got {gaps!r}")
    checked = [_check_gap(g) for g in gaps]
    if len({str(g) for g in checked}) != len(checked):
        raise InputError(f"gaps must be distinct, got {list(gaps)!r}")
    if isinstance(n_triplets, bool) or not isinstance(n_triplets, (int, np.integer)) \
            or n_triplets < 1:
        raise InputError(f"n_triplets must be a positive integer, got {n_triplets!r}")
    n_snps = real.shape[1]
    pr, pa = PackedColumns(real), PackedColumns(ag)
    frames = []
    for g in checked:
        if not _gap_fits(n_snps, g):
            continue
        t = sample_triplets(n_snps, g, n_triplets, seed=_gap_seed(seed, g))
        tt = t.astype(np.intp, copy=False)
        frames.append(pd.DataFrame({
            "gap": str(g),
            "triplet": np.arange(len(t), dtype=np.int64),
            "i": t[:, 0], "j": t[:, 1], "k": t[:, 2],
            "real": pr.c3(tt), "ag": pa.c3(tt),
        }))
    if not frames:
        return pd.DataFrame({"gap": pd.Series(dtype=str), "triplet": pd.Series(dtype=np.int64),
                             "i": pd.Series(dtype=np.int64), "j": pd.Series(dtype=np.int64),
                             "k": pd.Series(dtype=np.int64), "real": pd.Series(dtype=float),
                             "ag": pd.Series(dtype=float)})
    return pd.concat(frames, ignore_index=True)


def three_point_r(real, ag, gaps: Sequence = DEFAULT_GAPS, n_triplets: int = 8000,
                  seed=0) -> dict[str, float]:
    """Pearson r between real and AG 3-point correlations, per gap.

    Parameters
    ----------
    real : ndarray, uint8, shape (n_real, n_snps)
    ag : ndarray, uint8, shape (n_ag, n_snps)
    gaps, n_triplets, seed
        As :func:`three_point_values` (which returns the raw values behind
        these numbers, for plots).

    Returns
    -------
    dict of str -> float
        Keys ``str(gap)`` ("1", "4", ..., "random") in the order given; gaps
        too large for the panel are left out (not an error). nan where the
        real or the AG values are constant (e.g. all triplets monomorphic).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> h = (rng.random((50, 40)) < 0.3).astype(np.uint8)
    >>> r = three_point_r(h, h, n_triplets=100)
    >>> list(r), r["1"]   # gaps >= 64 need more than 40 SNPs
    (['1', '4', '16', 'random'], 1.0)
    """
    return r_by_gap(three_point_values(real, ag, gaps=gaps, n_triplets=n_triplets, seed=seed))


def r_by_gap(values) -> dict[str, float]:
    """Pearson r of the ``real`` and ``ag`` columns of a
    :func:`three_point_values` table, per gap (keys as in :func:`three_point_r`)."""
    return {str(g): pearson(sub["real"].to_numpy(), sub["ag"].to_numpy())
            for g, sub in values.groupby("gap", sort=False)}
