"""Allele frequencies, fixed sites, site frequency spectra, and how often
whole haplotypes recur.

All functions take haplotype matrices: 0/1 ``uint8`` arrays of shape
(n_haplotypes, n_snps), rows haplotypes, columns SNPs, allele 1 = ALT.
A real and an artificial (AG) matrix compared with each other must have the
same SNPs (same n_snps, same order); their numbers of haplotypes may differ.

Bad input raises :class:`artgen.errors.InputError`, a :class:`ValueError`.

The input checks and helpers shared with other modules live in
:mod:`artgen.checks`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from artgen.checks import alt_counts, check_haplotypes, check_pair, pearson
from artgen.errors import InputError

__all__ = [
    "FixedSites",
    "allele_frequencies",
    "af_correlation",
    "fixed_sites",
    "site_frequency_spectrum",
    "sfs_proportions",
    "recurring_haplotype_share",
]


# ---------------------------------------------------------------- public API

@dataclass(frozen=True, eq=False)
class FixedSites:
    """Sites polymorphic in the real data but fixed in the artificial data.

    Attributes
    ----------
    count : int
        Number of SNPs polymorphic in real (0 < frequency < 1) whose AG
        frequency is 0 or 1.
    fraction : float
        ``count / n_polymorphic_real``; nan when no SNP is polymorphic in real.
    mask : ndarray, bool, shape (n_snps,)
        True at those SNPs.
    n_polymorphic_real : int
        Number of SNPs polymorphic in real (the denominator of `fraction`).
    """

    count: int
    fraction: float
    mask: np.ndarray
    n_polymorphic_real: int


def allele_frequencies(h) -> np.ndarray:
    """ALT allele frequency of each SNP.

    Parameters
    ----------
    h : ndarray, uint8, shape (n_haplotypes, n_snps)
        0/1 haplotype matrix.

    Returns
    -------
    ndarray, float64, shape (n_snps,)
        Fraction of haplotypes carrying allele 1 at each SNP.

    Examples
    --------
    >>> h = np.array([[0, 1], [1, 1], [0, 1], [0, 0]], dtype=np.uint8)
    >>> allele_frequencies(h)
    array([0.25, 0.75])
    """
    h = check_haplotypes(h)
    return alt_counts(h) / h.shape[0]


def af_correlation(real, ag) -> float:
    """Pearson correlation between real and AG ALT frequencies over SNPs.

    Same value as ``scipy.stats.pearsonr(allele_frequencies(real),
    allele_frequencies(ag)).statistic``, but nan (and no warning) when either
    frequency vector is constant (e.g. a single SNP, or all SNPs fixed).

    Parameters
    ----------
    real : ndarray, uint8, shape (n_real, n_snps)
    ag : ndarray, uint8, shape (n_ag, n_snps)
        Same SNPs as `real`; the number of haplotypes may differ.

    Returns
    -------
    float
        r in [-1, 1], or nan.

    Examples
    --------
    >>> real = np.array([[0, 1, 1], [1, 1, 0]], dtype=np.uint8)  # 0.5, 1, 0.5
    >>> ag = np.array([[0, 1, 0], [0, 1, 1]], dtype=np.uint8)    # 0, 1, 0.5
    >>> round(af_correlation(real, ag), 6)
    0.866025
    """
    real, ag = check_pair(real, ag)
    return pearson(alt_counts(real) / real.shape[0], alt_counts(ag) / ag.shape[0])


def fixed_sites(real, ag) -> FixedSites:
    """SNPs polymorphic in real but fixed (frequency 0 or 1) in AG.

    Generative models (GANs especially) tend to lose rare alleles, which shows
    up as AG sites fixed for one allele (Yelmen et al. 2021, Supp. Fig. 20).

    Parameters
    ----------
    real : ndarray, uint8, shape (n_real, n_snps)
    ag : ndarray, uint8, shape (n_ag, n_snps)

    Returns
    -------
    FixedSites
        ``count``, ``fraction`` (= count / number of SNPs polymorphic in real,
        nan if there are none), boolean ``mask`` of shape (n_snps,) and
        ``n_polymorphic_real``.

    Examples
    --------
    >>> real = np.array([[0, 1, 1], [1, 1, 0]], dtype=np.uint8)  # SNP 1 fixed in real
    >>> ag = np.array([[0, 1, 0], [0, 1, 1]], dtype=np.uint8)    # SNP 0 fixed in AG
    >>> fs = fixed_sites(real, ag)
    >>> fs.count, fs.fraction, fs.mask.tolist()
    (1, 0.5, [True, False, False])
    """
    real, ag = check_pair(real, ag)
    c_real = alt_counts(real)
    c_ag = alt_counts(ag)
    poly_real = (c_real > 0) & (c_real < real.shape[0])
    mask = poly_real & ((c_ag == 0) | (c_ag == ag.shape[0]))
    n_poly = int(poly_real.sum())
    count = int(mask.sum())
    return FixedSites(count=count, fraction=count / n_poly if n_poly else float("nan"),
                      mask=mask, n_polymorphic_real=n_poly)


def bootstrap_fixed_fraction(real, n: int) -> float:
    """Expected share of real-polymorphic SNPs fixed in ``n`` haplotypes drawn
    with replacement from ``real``: the share of fixed sites a generator
    that resampled the training set would show at that sample size.

    A SNP of frequency p is fixed in the resample with probability
    ``p**n + (1 - p)**n``; the value is the mean of that over SNPs
    polymorphic in ``real`` (exact, no simulation).

    Parameters
    ----------
    real : ndarray, uint8, shape (n_real, n_snps)
    n : int
        Resample size (usually the number of AGs), >= 1.

    Returns
    -------
    float
        In [0, 1]; nan when no SNP is polymorphic in ``real``.

    Examples
    --------
    >>> real = np.array([[0, 1], [0, 0], [1, 0], [0, 0]], dtype=np.uint8)  # p = 1/4, 1/4
    >>> bootstrap_fixed_fraction(real, 2)    # (1/4)^2 + (3/4)^2
    0.625
    """
    real = check_haplotypes(real, "real")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise InputError(f"n must be a positive integer, got {n!r}")
    p = alt_counts(real) / real.shape[0]
    p = p[(p > 0) & (p < 1)]
    if p.size == 0:
        return float("nan")
    return float(np.mean(p ** n + (1 - p) ** n))


def site_frequency_spectrum(h, folded: bool = False) -> np.ndarray:
    """Site frequency spectrum (counts of SNPs per allele count).

    Identical to ``allel.sfs(dac, n)`` (unfolded) and
    ``allel.sfs_folded(ac, n)`` (folded) with ``dac`` the ALT counts, ``ac``
    the (REF, ALT) counts and ``n = n_haplotypes``. The unfolded spectrum
    treats ALT as the derived allele. Monomorphic SNPs are counted in bin 0
    (and, unfolded, in bin n).

    Parameters
    ----------
    h : ndarray, uint8, shape (n_haplotypes, n_snps)
    folded : bool
        False: entry k = number of SNPs with k ALT copies, k = 0..n.
        True: entry k = number of SNPs with minor-allele count k, k = 0..n//2.

    Returns
    -------
    ndarray, int64, shape (n + 1,) or (n // 2 + 1,)

    Examples
    --------
    >>> h = np.array([[0, 1, 1], [0, 1, 0], [0, 1, 0]], dtype=np.uint8)
    >>> site_frequency_spectrum(h)          # ALT counts 0, 3, 1
    array([1, 1, 0, 1])
    >>> site_frequency_spectrum(h, folded=True)  # minor counts 0, 0, 1
    array([2, 1])
    """
    h = check_haplotypes(h)
    n = h.shape[0]
    dac = alt_counts(h)
    if folded:
        return np.bincount(np.minimum(dac, n - dac), minlength=n // 2 + 1).astype(np.int64)
    return np.bincount(dac, minlength=n + 1).astype(np.int64)


def sfs_proportions(h, n_bins: int = 10, folded: bool = False) -> pd.DataFrame:
    """Proportion of polymorphic SNPs per allele-frequency bin.

    A sample-size-independent view of the SFS for comparing sets of different
    sizes (e.g. 5008 real vs 5000 AG haplotypes, or a test set half that
    size): only SNPs polymorphic in `h` are used, frequencies k/n are binned
    into `n_bins` equal-width right-closed bins and each bin's count is
    divided by the number of polymorphic SNPs, so the proportions sum to 1.

    Unfolded (default): derived (= ALT) allele frequency in (0, 1), bins
    (0, 1/B], (1/B, 2/B], ..., ((B-1)/B, 1). Folded: minor allele frequency
    in (0, 0.5], bins (0, 0.5/B], ..., ((B-1)/(2B), 0.5]. Binning is done in
    exact integer arithmetic, so a frequency on an edge (e.g. 0.3 with
    B = 10) always falls in the bin it closes.

    Parameters
    ----------
    h : ndarray, uint8, shape (n_haplotypes, n_snps)
    n_bins : int
        Number of bins B (>= 1).
    folded : bool
        Bin minor-allele frequencies in (0, 0.5] instead of ALT frequencies.

    Returns
    -------
    pandas.DataFrame, n_bins rows
        Columns ``bin`` (0..B-1), ``freq_left``, ``freq_right`` (bin edges),
        ``n_snps`` (polymorphic SNPs in the bin) and ``proportion``
        (``n_snps`` / number of polymorphic SNPs; nan if there are none).

    Examples
    --------
    >>> h = np.array([[0, 1, 1, 1], [0, 1, 0, 1], [0, 0, 0, 1], [1, 0, 0, 1]],
    ...              dtype=np.uint8)  # ALT freq 0.25, 0.5, 0.25, 1 (fixed)
    >>> sfs_proportions(h, n_bins=2)["proportion"].tolist()
    [1.0, 0.0]
    >>> sfs_proportions(h, n_bins=4)["n_snps"].tolist()
    [2, 1, 0, 0]
    """
    h = check_haplotypes(h)
    if isinstance(n_bins, bool) or not isinstance(n_bins, (int, np.integer)) or n_bins < 1:
        raise InputError(f"n_bins must be a positive integer, got {n_bins!r}")
    n_bins = int(n_bins)
    n = h.shape[0]
    k = alt_counts(h)
    k = k[(k > 0) & (k < n)]
    if folded:
        k = np.minimum(k, n - k)
        # maf = k/n in (j/(2B), (j+1)/(2B)]  <=>  j = ceil(2Bk/n) - 1
        bins = (2 * n_bins * k + n - 1) // n - 1
        top = 0.5
    else:
        # daf = k/n in (j/B, (j+1)/B]  <=>  j = ceil(Bk/n) - 1
        bins = (n_bins * k + n - 1) // n - 1
        top = 1.0
    counts = np.bincount(bins, minlength=n_bins).astype(np.int64)
    edges = np.linspace(0.0, top, n_bins + 1)
    total = int(k.size)
    with np.errstate(invalid="ignore", divide="ignore"):
        prop = counts / total if total else np.full(n_bins, np.nan)
    return pd.DataFrame({
        "bin": np.arange(n_bins, dtype=np.int64),
        "freq_left": edges[:-1],
        "freq_right": edges[1:],
        "n_snps": counts,
        "proportion": prop,
    })


def recurring_haplotype_share(h) -> float:
    """The share of haplotypes identical, at every SNP, to another haplotype
    of the same set.

    Real haplotypes of a dense region with little recombination recur: a
    sixth of a 1000 Genomes test split at 2,000 AGBL4 SNPs does. A generator
    that spreads its mass away from them, or a release that withholds every
    AG identical to a training haplotype, lowers the share; one that
    collapses onto a few modes raises it. The share grows with the number of
    haplotypes, so compare sets of the same size (the metrics table's
    held-out comparison does).

    Parameters
    ----------
    h : ndarray, uint8, shape (n_haplotypes, n_snps)

    Returns
    -------
    float
        In [0, 1]; 0 for a single haplotype.

    Examples
    --------
    >>> h = np.array([[0, 1, 1], [0, 1, 1], [1, 0, 0], [0, 1, 1], [1, 1, 0]],
    ...              dtype=np.uint8)
    >>> recurring_haplotype_share(h)  # the three [0, 1, 1]
    0.6
    """
    h = check_haplotypes(h)
    _, inverse, counts = np.unique(np.packbits(h, axis=1), axis=0, return_inverse=True,
                                   return_counts=True)
    return float((counts[inverse.ravel()] > 1).mean())
