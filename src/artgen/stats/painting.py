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
  The recursion is the shared core's (:mod:`artgen.hmm`) with the donors as
  states, uniform jump targets and emissions ``1 - mu`` / ``mu``.
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
* **Memory and speed.**  One recipient at a time per parallel block, with
  one forward table (n_snps, n_donors) per block (:mod:`artgen.hmm`).

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

from artgen.checks import check_haplotype_matrix
from artgen.errors import InputError
from artgen.hmm import (DEFAULT_NE, HMMParameters, check_genetic_map, copying_emissions,
                        default_mutation_rate, posteriors, switch_probabilities)

__all__ = ["paint", "painting_posterior", "painting_shares", "snp_lengths"]


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


def _copying_parameters(donors, p_switch, mu) -> HMMParameters:
    """The copying model with the donors as states, in the core's terms."""
    k = len(donors)
    return HMMParameters(copying_emissions(donors, mu), np.full((len(p_switch), k), 1.0 / k),
                         p_switch)


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
    names, onehot = _label_matrix(labels)
    # Each SNP's posterior weighted by the length it stands for, summed over SNPs.
    weights = snp_lengths(chrom, pos)[:, None, None] * onehot[None, :, :]
    out = posteriors(recipients, _copying_parameters(donors, p_switch, mu), weights,
                     per_snp=False)
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
    weights = np.broadcast_to(onehot, (donors.shape[1], *onehot.shape))
    out = posteriors(recipients, _copying_parameters(donors, p_switch, mu), weights)[0]
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
