"""Chromosome painting: how much of each recipient haplotype is copied from
each donor population, under the Li & Stephens copying model.

Yelmen et al. (2021) painted real and artificial Estonian haplotypes
(recipients) against the 1000 Genomes haplotypes (donors) with ChromoPainter
(Lawson et al. 2012, PLoS Genetics 8:e1002453) and compared the share of
chunk length each recipient copies from each donor population. This module
does the same with the model of :mod:`artgen.models.copying`: the same
switch probabilities (:func:`~artgen.models.copying.switch_probabilities`,
``K`` = number of donors) and mismatch probability
(:func:`~artgen.models.copying.default_mutation_rate` by default).

Decisions a caller must know
----------------------------
* **Posterior, not Viterbi.**  Lengths are *expected* lengths under the
  posterior: a scaled forward-backward pass gives, at every SNP, the
  probability that the recipient copies each donor; these are summed over
  the donors of each label and weighted by the length each SNP stands for.
  ChromoPainter's "chunk lengths" output is the same expectation.
* **Length of a SNP.**  Half the distance to the previous SNP plus half the
  distance to the next one, on the same chromosome (0 across a chromosome
  boundary), so each recipient's lengths sum to the panel's span, the sum
  over chromosomes of last minus first position (bp). A chromosome with one
  SNP adds no length.
* **Recipients are not removed from the donors.**  A recipient that is also
  a donor copies itself; leave it out of ``donors`` (as ChromoPainter's
  "all against all" mode does) when that is not wanted.
* **Parameters.**  ``ne`` enters as ``1 - exp(-4 * ne * r / K)``; the
  default is the copying model's (11418), not estimated by EM as the paper's
  ChromoPainter run did (it estimated ``-n 348.57`` and ``-M 0.00027``; check
  ChromoPainter's scaling of ``-n`` before reusing that value here; ``-M`` is
  a per-site mismatch probability, our ``mutation_rate``).
  ``mutation_rate`` must be above 0: with 0, a recipient allele seen in no
  donor would have probability 0.
* **Memory and speed.**  Recipients are painted in blocks; a block keeps its
  forward probabilities, float64 (n_snps, block, n_donors), under
  :data:`BLOCK_BYTES` (64 MiB; one recipient at a time when a single one is
  larger). 500 recipients x 1000 donors x 3000 SNPs thus needs 24 MB per
  recipient, two at a time. Work is numpy, looping over SNPs only.

Example
-------
>>> import numpy as np
>>> donors = np.array([[0, 0, 0, 0], [1, 1, 1, 1]], dtype=np.uint8)
>>> lengths = paint([[0, 0, 1, 1]], donors, ["A", "B"], ["1"] * 4, [0, 100, 200, 300],
...                 ne=1000, mutation_rate=0.01)
>>> lengths.round().values.tolist()          # switch between SNPs at 100 and 200
[[150.0, 150.0]]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from artgen.errors import InputError
from artgen.models.base import check_haplotype_matrix
from artgen.models.copying import (DEFAULT_NE, check_genetic_map, default_mutation_rate,
                                   switch_probabilities)

__all__ = ["BLOCK_BYTES", "paint", "painting_posterior", "painting_shares", "snp_lengths"]

#: Memory budget of one block of recipients' forward probabilities (bytes).
BLOCK_BYTES = 64 * 2**20


def snp_lengths(chrom, pos) -> np.ndarray:
    """Length (bp) each SNP stands for, float64 (n_snps,): half the distance
    to each neighbouring SNP on the same chromosome. Sums to the panel's span.

    >>> snp_lengths(["1", "1", "1", "2"], [10, 20, 40, 7]).tolist()
    [5.0, 15.0, 10.0, 0.0]
    """
    chrom, pos = check_genetic_map(chrom, pos)
    gaps = np.where(chrom[1:] == chrom[:-1], np.diff(pos), 0).astype(np.float64) / 2
    lengths = np.zeros(len(pos))
    lengths[:-1] += gaps
    lengths[1:] += gaps
    return lengths


def _check_inputs(recipients, donors, donor_labels, chrom, pos, ne, cm_per_mb, mutation_rate):
    recipients = check_haplotype_matrix(recipients, "recipients")
    donors = check_haplotype_matrix(donors, "donors")
    if recipients.shape[1] != donors.shape[1]:
        raise InputError(f"recipients have {recipients.shape[1]} SNPs but donors have "
                         f"{donors.shape[1]}; both must be at the same SNPs")
    labels = np.asarray(donor_labels, dtype=str)
    if labels.shape != (len(donors),):
        raise InputError(f"donor_labels has {labels.size} entries for {len(donors)} donors")
    k = len(donors)
    p_switch = switch_probabilities(*check_genetic_map(chrom, pos, donors.shape[1]),
                                    ne=ne, cm_per_mb=cm_per_mb, k=k)
    mu = default_mutation_rate(k) if mutation_rate is None else mutation_rate
    if isinstance(mu, bool) or not isinstance(mu, (int, float, np.integer, np.floating)) \
            or not 0 < mu < 1:
        raise InputError(f"mutation_rate must be a number strictly between 0 and 1 for "
                         f"painting, got {mutation_rate!r}")
    return recipients, donors, labels, p_switch, float(mu)


def _forward_backward(recipients, donors_by_snp, p_switch, mu, visit):
    """Posterior copying probabilities of a block of recipients.

    ``recipients`` (B, n_snps), ``donors_by_snp`` (n_snps, K). Calls
    ``visit(j, posterior)`` for each SNP ``j`` from last to first, with
    ``posterior`` (B, K) summing to 1 over donors.
    """
    n_snps, k = donors_by_snp.shape
    b = len(recipients)
    emission = np.array([1.0 - mu, mu])              # by mismatch 0 / 1
    by_snp = np.ascontiguousarray(recipients.T)      # (n_snps, B)
    forward = np.empty((n_snps, b, k))
    previous = np.full((b, k), 1.0 / k)
    for j in range(n_snps):
        # The previous forward row sums to 1, so its total needs no sum.
        current = forward[j]
        np.multiply(previous, 1.0 - p_switch[j], out=current)
        current += p_switch[j] / k
        current *= emission[donors_by_snp[j] ^ by_snp[j][:, None]]
        current /= current.sum(axis=1, keepdims=True)
        previous = current
    backward = np.ones((b, k))
    for j in range(n_snps - 1, -1, -1):
        posterior = forward[j] * backward
        posterior /= posterior.sum(axis=1, keepdims=True)
        visit(j, posterior)
        if j:
            weighted = backward * emission[donors_by_snp[j] ^ by_snp[j][:, None]]
            backward = (1.0 - p_switch[j]) * weighted
            backward += p_switch[j] / k * weighted.sum(axis=1, keepdims=True)
            backward /= backward.sum(axis=1, keepdims=True)


def _label_matrix(labels):
    names, codes = np.unique(labels, return_inverse=True)
    onehot = np.zeros((len(labels), len(names)))
    onehot[np.arange(len(labels)), codes] = 1.0
    return names, onehot


def paint(recipients, donors, donor_labels, chrom, pos, *, ne: float = DEFAULT_NE,
          cm_per_mb: float = 1.0, mutation_rate: float | None = None) -> pd.DataFrame:
    """Expected length (bp) of each recipient copied from each donor label.

    Parameters
    ----------
    recipients : array (n_recipients, n_snps) of 0/1
    donors : array (n_donors, n_snps) of 0/1
    donor_labels : array (n_donors,) of str
        Population (or any group) of each donor.
    chrom, pos : arrays (n_snps,)
        Chromosome and position (bp) of each SNP, grouped by chromosome and
        sorted within it.
    ne, cm_per_mb, mutation_rate
        The copying model's parameters (see the module docstring);
        ``mutation_rate=None`` is Li & Stephens' default for ``n_donors``.

    Returns
    -------
    DataFrame (n_recipients, n_labels), float64, one column per label
    (sorted); each row sums to the panel's span (:func:`snp_lengths`).
    """
    recipients, donors, labels, p_switch, mu = _check_inputs(
        recipients, donors, donor_labels, chrom, pos, ne, cm_per_mb, mutation_rate)
    lengths = snp_lengths(chrom, pos)
    names, onehot = _label_matrix(labels)
    n_snps, k = donors.shape[1], len(donors)
    donors_by_snp = np.ascontiguousarray(donors.T)
    block = max(1, BLOCK_BYTES // (n_snps * k * 8))
    out = np.zeros((len(recipients), len(names)))
    for lo in range(0, len(recipients), block):
        per_donor = np.zeros((min(block, len(recipients) - lo), k))

        def add(j, posterior, per_donor=per_donor):
            if lengths[j]:
                per_donor += lengths[j] * posterior

        _forward_backward(recipients[lo:lo + block], donors_by_snp, p_switch, mu, add)
        out[lo:lo + block] = per_donor @ onehot
    return pd.DataFrame(out, columns=pd.Index(names, name="donor_pop"))


def painting_posterior(recipient, donors, donor_labels, chrom, pos, *, ne: float = DEFAULT_NE,
                       cm_per_mb: float = 1.0, mutation_rate: float | None = None) -> pd.DataFrame:
    """Posterior probability that one recipient haplotype (n_snps,) copies from
    each donor label at each SNP: DataFrame (n_snps, n_labels), rows sum to 1.
    Arguments as :func:`paint`; this is the painting along the chromosome."""
    recipient = np.asarray(recipient)
    if recipient.ndim != 1:
        raise InputError(f"recipient must be one haplotype (n_snps,), got shape {recipient.shape}")
    recipients, donors, labels, p_switch, mu = _check_inputs(
        recipient[None, :], donors, donor_labels, chrom, pos, ne, cm_per_mb, mutation_rate)
    names, onehot = _label_matrix(labels)
    out = np.empty((donors.shape[1], len(names)))

    def keep(j, posterior):
        out[j] = posterior[0] @ onehot

    _forward_backward(recipients, np.ascontiguousarray(donors.T), p_switch, mu, keep)
    return pd.DataFrame(out, columns=pd.Index(names, name="donor_pop"))


def painting_shares(recipients, donors, donor_labels, chrom, pos, **kw) -> pd.DataFrame:
    """Mean over recipients of the fraction of length copied from each label.

    Arguments as :func:`paint`. Returns a DataFrame with columns
    ``donor_pop share``, one row per label (sorted); shares sum to 1.
    """
    lengths = paint(recipients, donors, donor_labels, chrom, pos, **kw)
    span = lengths.to_numpy().sum(axis=1)
    if not (span > 0).all():
        raise InputError("the panel spans 0 bp (every chromosome has one SNP, or all its "
                         "SNPs at one position): there is no length to share")
    share = (lengths.to_numpy() / span[:, None]).mean(axis=0)
    return pd.DataFrame({"donor_pop": lengths.columns.to_numpy(), "share": share})
