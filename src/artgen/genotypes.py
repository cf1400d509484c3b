"""Unphased data as the models see it: one row per individual, two columns per SNP.

Yelmen et al. (2021, Methods) train on unphased genotypes by giving each SNP
two columns, one per allele. A panel of unphased data stores each individual
as two rows ``<sample>_A``, ``<sample>_B`` in arbitrary allele order;
:func:`genotype_rows` turns those into the models' layout and
:func:`haplotype_rows` turns sampled individuals back into row pairs.
"""

from __future__ import annotations

import numpy as np

from artgen.checks import check_alleles
from artgen.errors import InputError
from artgen.haplotypes import sample_of


def genotype_rows(alleles, ids) -> np.ndarray:
    """Pairs of haplotype rows -> one genotype row per individual.

    Parameters
    ----------
    alleles : array-like of 0/1, shape (2m, n_snps)
        Rows in individual pairs: ``<sample>_A`` then ``<sample>_B``.
    ids : array-like of str, shape (2m,)
        The rows' haplotype ids.

    Returns
    -------
    ndarray, uint8, shape (m, 2 * n_snps)
        Columns ``[snp1, snp1, snp2, snp2, ...]``, the smaller allele first, so
        that an unphased 1/0 and 0/1 give the same row (no phase enters).

    Examples
    --------
    >>> genotype_rows([[1, 0], [0, 0]], ["S1_A", "S1_B"]).tolist()
    [[0, 1, 0, 0]]
    """
    alleles = check_alleles(alleles)
    ids = np.asarray(ids, dtype=str).reshape(-1).tolist()  # plain str, for the messages
    if len(ids) != len(alleles):
        raise InputError(f"{len(ids)} ids for {len(alleles)} haplotype rows")
    samples = np.array([sample_of(i) for i in ids], dtype=str)
    m = len(alleles) // 2
    unpaired = np.flatnonzero(samples[0:2 * m:2] != samples[1:2 * m:2])
    if len(unpaired):
        row = 2 * int(unpaired[0])
        raise InputError(f"haplotype rows {ids[row]!r} and {ids[row + 1]!r} are not the two "
                         f"alleles of one individual; unphased data needs each individual's "
                         f"two rows together")
    if len(alleles) % 2:
        raise InputError(f"unphased data has two rows per individual; got {len(alleles)} rows, "
                         f"the last ({ids[-1]!r}) without its pair")
    first, second = alleles[0::2], alleles[1::2]
    out = np.empty((m, 2 * alleles.shape[1]), dtype=np.uint8)
    out[:, 0::2] = np.minimum(first, second)
    out[:, 1::2] = np.maximum(first, second)
    return out


def haplotype_rows(genotypes) -> np.ndarray:
    """The inverse layout of :func:`genotype_rows`: one row per individual ->
    a pair of rows per individual.

    Parameters
    ----------
    genotypes : array-like of 0/1, shape (m, 2 * n_snps)
        Two columns per SNP.

    Returns
    -------
    ndarray, uint8, shape (2m, n_snps)
        Row ``2i`` holds individual ``i``'s first columns, row ``2i + 1`` its second.

    Examples
    --------
    >>> haplotype_rows([[0, 1, 0, 0]]).tolist()
    [[0, 0], [1, 0]]
    """
    genotypes = check_alleles(genotypes, "genotypes")
    m, columns = genotypes.shape
    if columns % 2:
        raise InputError(f"genotypes need two columns per SNP; got {columns} columns")
    out = np.empty((2 * m, columns // 2), dtype=np.uint8)
    out[0::2] = genotypes[:, 0::2]
    out[1::2] = genotypes[:, 1::2]
    return out
