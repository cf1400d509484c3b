"""The release gate: artificial haplotypes leave only with evidence that no one leaks.

Artificial genomes (AGs) exist to be shared in place of private haplotypes.
:func:`release_ags` measures what a released set would leak about the
training haplotypes, writes the set (bgzipped VCF and ``.hapt``) together
with a *privacy card* (JSON and Markdown) only when every check passes, and
otherwise writes nothing and raises :class:`ReleaseRefused`, whose message
lists the failed checks and which carries the card for the caller's log.

The checks (:class:`Thresholds`)
--------------------------------
- **Exact copies.** AGs identical to a training haplotype. Policy
  ``"remove"``: they are withheld (with the other haplotype of their
  artificial individual, so the VCF keeps whole individuals) and counted;
  but when they are more common than a held-out real haplotype is
  identical to a training one, by more than ``max_exact_copies`` (a share
  of the AGs), the set is refused: removing the copies does not undo a
  model that memorises. Policy ``"fail"``: any exact copy refuses.
- **Near copies.** Released AGs within ``near_distance`` SNPs of a training
  haplotype (default 1% of the SNPs), as a share; refused when it exceeds
  the share of held-out real haplotypes that close to a training haplotype
  by more than ``max_near_copies``. Comparing with held-out haplotypes
  allows for real data in which unrelated people share (near-)whole
  haplotypes (short panels, low diversity); in the 1000 Genomes 805-SNP
  panel no held-out haplotype is within 167 SNPs of a training one, and the
  check is then an absolute one.
- **Privacy loss** (Yelmen et al. 2021): AA_TS against the test split minus
  AA_TS against the training set (:func:`artgen.stats.privacy.privacy_loss`).
- **Membership inference** (:func:`artgen.stats.attack.membership_inference`):
  the distance attack's ROC AUC and its TPR at 1% FPR, and the density
  attack's AUC.
- **Likelihood-ratio attack** (:func:`artgen.stats.attack.likelihood_ratio_attack`),
  for a model with an exact likelihood only: the ROC AUC of its
  log-likelihood minus a reference model's, members against the test
  split. It is a property of the model, not of the AG set, so it comes in
  computed (``model_metrics`` of :func:`release_ags`); a model without a
  likelihood has no such metric and the check is skipped.
- Optionally, bounds on AATS against the test split (a utility check:
  above 0.5 underfits, below overfits).

All metrics of the AG set are computed on the set that would be released
(after copies are withheld), with one seed. With ``top_up`` the individuals
withheld are replaced with kept ones of the model's further draws, so the
released set has the size asked for (:func:`topped_up`).

Where things are
----------------
- :mod:`~artgen.release.policy`: :class:`Thresholds` (and how the defaults
  were chosen), :func:`release_checks`, :class:`ReleaseRefused`.
- :mod:`~artgen.release.metrics`: :func:`release_metrics`,
  :func:`copies_withheld`, :func:`metrics_over_draws`, :func:`topped_up`.
- :mod:`~artgen.release.card`, :mod:`~artgen.release.template`: the
  privacy card (:func:`privacy_card`, :func:`card_markdown`) and its words.
- :mod:`~artgen.release.publish`: :func:`release_ags`.
- :mod:`~artgen.release.sensitivity`: :func:`release_sensitivity`, the gate
  against planted training haplotypes.
"""

from artgen.release.card import card_markdown, privacy_card
from artgen.release.metrics import (DRAW_METRICS, copies_withheld, metrics_over_draws,
                                    release_metrics, topped_up)
from artgen.release.policy import COPIES_POLICIES, ReleaseRefused, Thresholds, release_checks
from artgen.release.publish import release_ags
from artgen.release.sensitivity import release_sensitivity

__all__ = [
    "COPIES_POLICIES",
    "DRAW_METRICS",
    "ReleaseRefused",
    "Thresholds",
    "card_markdown",
    "copies_withheld",
    "metrics_over_draws",
    "privacy_card",
    "release_ags",
    "release_checks",
    "release_metrics",
    "release_sensitivity",
    "topped_up",
]
