"""Imputation with Beagle 5: how well a reference panel (real, or augmented
with artificial genomes) fills in the untyped sites of held-out targets.

The experiment of the paper's Figure 4, with Beagle in place of Impute2:
target individuals are reduced to an array-like subset of sites
(:func:`array_sites`), imputed against a reference panel
(:func:`artgen.beagle.run_beagle`), and scored per MAF bin
(:func:`artgen.imputation_quality.imputation_quality`) by
the imputer's own estimate (Beagle's DR2, the analogue of Impute2's info)
and by the true squared correlation with the masked genotypes.
:func:`impute_and_score` chains the three for the workflow.

A generator that is also an imputer (one with ``allele_probabilities``, the
hidden-Markov model) can fill in the untyped sites itself, with no Beagle and
no reference panel: :func:`model_imputation` turns its posterior allele
probabilities into the same :class:`artgen.beagle.Imputed` record, with
:func:`estimated_r2` (Beagle's DR2 estimator) in place of Beagle's DR2, and
:func:`impute_from_model_and_score` scores it as Beagle's output is scored.

Beagle itself is driven by :mod:`artgen.beagle`; the quality tables are
:mod:`artgen.imputation_quality`.
"""

from __future__ import annotations

import logging

import numpy as np

from artgen.beagle import Imputed, check_diploid, check_positions, check_same_sites, check_typed
from artgen.beagle import run_beagle
from artgen.errors import InputError
from artgen.haplotypes import Haplotypes
from artgen.imputation_quality import ImputationScores, score_imputation

log = logging.getLogger(__name__)

__all__ = [
    "array_sites",
    "combine_panels",
    "estimated_r2",
    "impute_and_score",
    "impute_from_model_and_score",
    "model_imputation",
]


# ------------------------------------------------------------- typed sites

def array_sites(pos, density: float) -> np.ndarray:
    """The "typed" sites of an array-like subset: a mask over ``pos``.

    ``round(density * n_sites)`` sites (at least 2) spread evenly over the
    panel by site index, the first and the last site included, so a genotyping
    array is mimicked deterministically: every ``1 / density``-th site of the
    panel is kept, whatever the spacing of the SNPs in base pairs.

    Parameters
    ----------
    pos : array-like, int, shape (n_sites,)
        Positions of the panel's sites, strictly increasing (one chromosome).
    density : float
        Share of sites typed, ``0 < density <= 1``.

    Returns
    -------
    ndarray, bool, shape (n_sites,)

    Examples
    --------
    >>> array_sites([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000], 0.3).nonzero()[0]
    array([0, 4, 9])
    """
    pos = check_positions(pos, "pos")
    n = len(pos)
    if n < 2:
        raise InputError(f"an array subset needs at least 2 sites; the panel has {n}")
    if not (np.isfinite(density) and 0 < density <= 1):
        raise InputError(f"density must be in (0, 1], got {density}")
    k = min(n, max(2, int(round(density * n))))
    typed = np.zeros(n, dtype=bool)
    typed[np.round(np.linspace(0, n - 1, k)).astype(np.int64)] = True
    return typed


# ---------------------------------------------------------------- pipeline

def combine_panels(*panels: Haplotypes) -> Haplotypes:
    """One reference panel from several haplotype sets at the same SNPs (the
    1000 Genomes panel plus target training haplotypes, or plus AGs)."""
    if not panels:
        raise InputError("combine_panels needs at least one haplotype set")
    first = panels[0]
    for i, other in enumerate(panels[1:], start=1):
        try:
            check_same_sites(first, other)
        except InputError as exc:
            raise InputError(f"panel {i} does not have the SNPs of panel 0: {exc}") from None
    ids = np.concatenate([p.ids for p in panels])
    names, counts = np.unique(ids, return_counts=True)
    if (counts > 1).any():
        raise InputError(f"haplotype id {str(names[counts > 1][0])!r} is in more than one panel")
    return Haplotypes(np.concatenate([p.alleles for p in panels]), first.chrom, first.pos,
                      first.ref, first.alt, ids, np.concatenate([p.pops for p in panels]),
                      np.concatenate([p.super_pops for p in panels]))


def impute_and_score(reference: Haplotypes, targets_truth: Haplotypes, *, density: float, maf,
                     workdir, seed: int, threads: int = 1,
                     memory_gb: int = 2) -> ImputationScores:
    """Mask the targets to an array (:func:`array_sites` at ``density``),
    impute them from ``reference`` with Beagle (:func:`artgen.beagle.run_beagle`) and
    score the imputed sites per MAF bin and per MAF class
    (:func:`artgen.imputation_quality.score_imputation`)."""
    typed = array_sites(targets_truth.pos, density)
    imputed = run_beagle(reference, targets_truth, typed, workdir, seed=seed, threads=threads,
                         memory_gb=memory_gb)
    return score_imputation(targets_truth, imputed, maf)


# ------------------------------------------------------- a model as imputer

#: Allele code of an untyped site given to a model (any value above 1 is missing).
MISSING = 255
#: Beagle's smallest denominator of DR2 (below it, DR2 is 0).
_MIN_R2_DEN = 1e-8


def estimated_r2(haplotype_dosage) -> np.ndarray:
    """Beagle's DR2 from per-haplotype ALT allele probabilities: the
    estimated squared correlation between the imputed and the true ALT dose,
    computed without the truth.

    With ``p1``, ``p2`` the two haplotypes' probabilities of a sample, its
    dose is ``d = p1 + p2`` and, the haplotypes independent given the
    imputer, ``E[x^2] = P(x=1) + 4 P(x=2) = d + 2 p1 p2``. Over the ``n``
    samples of a site (Beagle's ``R2Estimator.doseR2``)::

        DR2 = (sum d^2 - (sum d)^2 / n) / (sum E[x^2] - (sum d)^2 / n)

    the variance of the doses over the variance they would have were every
    dose certain; 0 where the denominator is below 1e-8 (a site monomorphic
    in the doses). At a site where every probability is 0 or 1 (a typed
    site) it is 1 if polymorphic.

    Parameters
    ----------
    haplotype_dosage : array-like, float, shape (2 * n_samples, n_snps)
        Rows ``<sample>_A``, ``<sample>_B`` of each sample, values in [0, 1].

    Returns
    -------
    ndarray, float64, shape (n_snps,)

    Examples
    --------
    >>> estimated_r2([[1, 0.5, 0.5], [0, 0.5, 0.0], [1, 0.5, 1.0], [1, 0.5, 1.0]]).round(3)
    array([1.   , 0.   , 0.818])
    """
    p = np.asarray(haplotype_dosage, dtype=np.float64)
    if p.ndim != 2 or p.shape[0] < 2 or p.shape[0] % 2:
        raise InputError(f"haplotype dosages must be (2 * n_samples, n_snps) with n_samples >= 1, "
                         f"got shape {p.shape}")
    if not np.all((p >= 0) & (p <= 1)):
        raise InputError("haplotype dosages must be probabilities in [0, 1]")
    p1, p2 = p[0::2], p[1::2]
    dose = p1 + p2
    mean_term = dose.sum(axis=0) ** 2 / dose.shape[0]
    num = np.maximum((dose * dose).sum(axis=0) - mean_term, 0.0)
    den = (dose + 2.0 * p1 * p2).sum(axis=0) - mean_term
    out = np.zeros(p.shape[1])
    ok = den >= _MIN_R2_DEN
    out[ok] = num[ok] / den[ok]
    return out


def model_imputation(model, targets: Haplotypes, typed, *, populations=None) -> Imputed:
    """Impute the untyped sites of ``targets`` from a model's posterior.

    The targets' alleles at the untyped sites are hidden (coded
    :data:`MISSING`) and ``model.allele_probabilities`` gives each
    haplotype's probability of the ALT allele at every site given its typed
    alleles (for the hidden-Markov model: the forward-backward posterior of
    the hidden states, projected on their allele probabilities). As in
    Beagle's output, typed sites keep the targets' own alleles.

    Parameters
    ----------
    model : object with ``allele_probabilities(alleles, populations=None)``
        A fitted imputer (e.g. :class:`artgen.models.hmm.HMMGenerator`) on
        the targets' SNPs.
    targets : Haplotypes
        The targets' true haplotypes, in pairs ``<sample>_A``/``_B``.
    typed : ndarray, bool, shape (n_snps,)
        The sites kept (see :func:`array_sites`).
    populations : array-like of str, optional
        Population label of each target haplotype, passed to the model.

    Returns
    -------
    Imputed
        ``haplotype_dosage`` the posterior probabilities, ``dosage`` their
        sum per sample, ``dr2`` :func:`estimated_r2` of them, ``imputed``
        the untyped sites, ``log`` None.
    """
    if not callable(getattr(model, "allele_probabilities", None)):
        raise InputError(f"{type(model).__name__} is not an imputer (no allele_probabilities)")
    check_diploid(targets, "targets")
    typed = check_typed(typed, targets.n_snps)
    masked = targets.alleles.copy()
    masked[:, ~typed] = MISSING
    probs = np.array(model.allele_probabilities(masked, populations=populations),
                     dtype=np.float64)
    if probs.shape != masked.shape:
        raise InputError(f"the model gave allele probabilities of shape {probs.shape} for "
                         f"targets of shape {masked.shape}; was it trained on these SNPs?")
    if not np.all(np.isfinite(probs) & (probs >= 0) & (probs <= 1)):
        raise InputError("the model gave allele probabilities outside [0, 1]")
    probs[:, typed] = targets.alleles[:, typed]
    log.info("imputing %d target samples at %d of %d sites from the model's posterior",
             targets.n_haplotypes // 2, int(typed.sum()), targets.n_snps)
    return Imputed(samples=targets.samples[0::2], chrom=targets.chrom.copy(),
                   pos=targets.pos.copy(), ref=targets.ref.copy(), alt=targets.alt.copy(),
                   dosage=probs[0::2] + probs[1::2], haplotype_dosage=probs,
                   dr2=estimated_r2(probs), imputed=~typed, log=None)


def impute_from_model_and_score(model, targets_truth: Haplotypes, *, density: float, maf,
                                populations=None) -> ImputationScores:
    """:func:`impute_and_score` with the model as the imputer: the same
    array sites, :func:`model_imputation`, the same quality tables (their
    ``dr2`` column is :func:`estimated_r2` of the model's dosages)."""
    typed = array_sites(targets_truth.pos, density)
    imputed = model_imputation(model, targets_truth, typed, populations=populations)
    return score_imputation(targets_truth, imputed, maf)
