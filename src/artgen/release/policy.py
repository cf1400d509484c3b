"""The release policy: what a released AG set must satisfy (:class:`Thresholds`),
the checks that read its metrics against them (:func:`release_checks`), and
the refusal (:class:`ReleaseRefused`). The checks themselves are described in
:mod:`artgen.release`.

Defaults, and how they were chosen
----------------------------------
Measured on a simulated population (msprime, one population grown 100-fold
over the last 400 generations, 5 Mb, 1,214 SNPs with MAF >= 0.05; 500
training, 200 test and 200 reference haplotypes, and 500 AGs drawn as a
fresh sample of the same population, i.e. a generator as good as the test
split), with training haplotypes planted into the AGs as in the paper's
Mixed sets (Supplementary Figure 21; the data of the tests, seed 0):

=======  ============  =======  ===============  ===========
planted  privacy loss  MIA AUC  MIA TPR @1% FPR  density AUC
=======  ============  =======  ===============  ===========
0        0.051         0.478    0.010            0.534
1        0.055         0.482    0.015            0.534
10       0.070         0.502    0.030            0.537
50       0.124         0.546    0.100            0.538
100      0.174         0.586    0.195            0.541
200      0.259         0.662    0.365            0.552
500      0.450         1.000    1.000            0.602
=======  ============  =======  ===============  ===========

Over 24 further draws (3 simulated populations x 8 random splits), mean
+- sd, and the extreme towards the other class:

=======  ========================  ========================  ========================
planted  privacy loss              MIA AUC                   MIA TPR @1% FPR
=======  ========================  ========================  ========================
0        -0.002 +- 0.034 (< 0.09)  0.499 +- 0.028 (< 0.56)   0.013 +- 0.011 (< 0.05)
50       0.070 +- 0.035 (> 0.01)   0.548 +- 0.024 (> 0.48)   0.103 +- 0.016 (> 0.07)
100      0.141 +- 0.036 (> 0.07)   0.594 +- 0.030 (> 0.53)   0.189 +- 0.027 (> 0.12)
=======  ========================  ========================  ========================

and a density-attack AUC of 0.504 +- 0.028 (< 0.57) for the clean sets,
hardly moved by planting (0.520 at 100). Hence:

- ``max_mia_tpr_1fpr = 0.06``: an attacker with no signal gets 0.01 in
  expectation (clean maximum 0.045); 50 planted out of 500 gave at least
  0.07, 100 at least 0.127. The check that catches a few copied
  individuals, as the membership-inference literature recommends
  (Carlini et al. 2022, IEEE S&P: judge attacks at low false-positive
  rates).
- ``max_privacy_loss = 0.1``: with 200 test haplotypes the privacy loss
  of a clean set varies with an sd of 0.034 (up to 0.09), so a bound much
  tighter would refuse good sets by chance; 0.1 is three times the paper's
  test split (0.021) and GAN (0.027) and far below its overfitted RBM
  (0.33). Larger test splits measure it more precisely.
- ``max_mia_auc = 0.6`` and ``max_mia_density_auc = 0.6``: 3.5 sd above
  0.5 for 200 vs 200 haplotypes; the AUC catches leaks spread over many
  members (200 or more planted here, an overfitted model) rather than a
  few copies.
- ``max_lr_mia_auc = 0.6``: the distance attack's bound, for the same
  reason (an AUC of 200 against 200 haplotypes has an sd of about 0.03
  under no leak); the likelihood attack reads the model itself, so it
  catches a model that memorises even when its AGs happen not to copy.
- ``copies = "remove"``, ``max_exact_copies = 0.01``, ``max_near_copies =
  0.01``: a stray copy is withheld (the clean set above holds 2 AGs
  identical to a training haplotype, 0.4%); 1% of the AGs (5 of 500)
  beyond the held-out baseline refuses. ``keep_copies_carried_by = None``:
  every copy is withheld. In a dense region with little recombination a
  fifth of new real haplotypes copy a training one, most of them a
  haplotype several training individuals carry, and withholding every
  copy leaves the released set with a third to a half of the recurring
  haplotypes a real sample holds (1000 Genomes AGBL4, 2,000 SNPs,
  ``bench/RESULTS.md``); ``keep_copies_carried_by = 3`` keeps the copies
  of haplotypes three or more training individuals carry, none of whom
  they single out.

So the clean set is accepted, and a set with 100 or more planted training
haplotypes out of 500 is refused: for exact copies by the copy share (20%),
and for near copies (a few SNPs changed, which removal cannot find) by the
near-copy share and the TPR at 1% FPR; see the tests. These bounds assume
test splits of a few hundred haplotypes or more; with fewer, every
statistic is noisier and the bounds refuse good sets more often.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from artgen.errors import InputError

__all__ = ["COPIES_POLICIES", "NEAR_DISTANCE_SHARE", "ReleaseRefused", "Thresholds",
           "release_checks"]

COPIES_POLICIES = ("remove", "fail")
#: Default near-copy distance, as a share of the panel's SNPs.
NEAR_DISTANCE_SHARE = 0.01


class ReleaseRefused(InputError):
    """A release failed its checks; nothing was written.

    Attributes
    ----------
    failures : list of str
        One sentence per failed check.
    card : dict
        The privacy card of the refused set (verdict ``"refused"``), for the
        caller's log.
    """

    def __init__(self, failures: list[str], card: dict):
        self.failures = list(failures)
        self.card = card
        what = f"{card.get('model', '?')} AGs of panel {card.get('panel', '?')}"
        super().__init__(f"release of the {what} refused, {len(self.failures)} check"
                         f"{'s' if len(self.failures) > 1 else ''} failed: "
                         + "; ".join(self.failures))


@dataclass(frozen=True)
class Thresholds:
    """What a released AG set must satisfy (see the module notes for the defaults).

    Attributes
    ----------
    max_privacy_loss : float or None, default 0.1
        Largest AA_TS(test) - AA_TS(train).
    max_mia_auc : float or None, default 0.6
        Largest ROC AUC of the distance attack.
    max_mia_tpr_1fpr : float or None, default 0.06
        Largest TPR at 1% FPR of the distance attack.
    max_mia_density_auc : float or None, default 0.6
        Largest ROC AUC of the density attack.
    max_lr_mia_auc : float or None, default 0.6
        Largest ROC AUC of the likelihood-ratio attack (checked only for
        models with a likelihood, whose metrics include ``lr_mia_auc``).
    min_aats_test, max_aats_test : float or None, default None
        Bounds on AATS against the test split (off by default).
    copies : {"remove", "fail"}, default "remove"
        What to do with AGs identical to a training haplotype.
    keep_copies_carried_by : int or None, default None
        With ``copies="remove"``: release the copies of a haplotype that at
        least this many training individuals carry (at least 2), withholding
        only the copies of rarer ones; None withholds every copy. A copy of
        a haplotype that k people carry points at none of them (k-anonymity),
        and withholding every copy takes a dense region's commonest
        haplotypes out of the released set (see the module notes).
    max_exact_copies : float or None, default 0.01
        With ``copies="remove"``: largest share of the AGs that may be exact
        copies beyond the share of held-out haplotypes identical to a
        training one.
    near_distance : int or None, default None
        Hamming distance (SNPs) at or below which an AG is a near copy;
        None: 1% of the panel's SNPs, at least 1.
    max_near_copies : float or None, default 0.01
        Largest share of released AGs that may be near copies beyond the
        share of held-out haplotypes that near a training one.

    None turns a check off. Examples:

    >>> Thresholds().near_distance_for(805)
    8
    >>> Thresholds(copies="fail").copies
    'fail'
    """

    max_privacy_loss: float | None = 0.1
    max_mia_auc: float | None = 0.6
    max_mia_tpr_1fpr: float | None = 0.06
    max_mia_density_auc: float | None = 0.6
    max_lr_mia_auc: float | None = 0.6
    min_aats_test: float | None = None
    max_aats_test: float | None = None
    copies: str = "remove"
    keep_copies_carried_by: int | None = None
    max_exact_copies: float | None = 0.01
    near_distance: int | None = None
    max_near_copies: float | None = 0.01

    def __post_init__(self):
        if self.copies not in COPIES_POLICIES:
            raise InputError(f"thresholds.copies must be one of {COPIES_POLICIES}, "
                             f"got {self.copies!r}")
        for name in ("max_privacy_loss", "max_mia_auc", "max_mia_tpr_1fpr", "max_mia_density_auc",
                     "max_lr_mia_auc", "min_aats_test", "max_aats_test", "max_exact_copies",
                     "max_near_copies"):
            value = getattr(self, name)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)) \
                    or not math.isfinite(value):
                raise InputError(f"thresholds.{name} must be a number or None, got {value!r}")
            low = -1.0 if name == "max_privacy_loss" else 0.0
            if not low <= value <= 1.0:
                raise InputError(f"thresholds.{name} must be between {low:g} and 1, got {value!r}")
        nd = self.near_distance
        if nd is not None and (isinstance(nd, bool) or not isinstance(nd, (int, np.integer))
                               or nd < 0):
            raise InputError(f"thresholds.near_distance must be a non-negative integer or None, "
                             f"got {nd!r}")
        k = self.keep_copies_carried_by
        if k is not None and (isinstance(k, bool) or not isinstance(k, (int, np.integer))
                              or k < 2):
            raise InputError(f"thresholds.keep_copies_carried_by must be an integer of at least "
                             f"2 or None, got {k!r}")
        if k is not None and self.copies != "remove":
            raise InputError("thresholds.keep_copies_carried_by needs copies='remove' (with "
                             f"copies={self.copies!r} any copy refuses the set)")

    def near_distance_for(self, n_snps: int) -> int:
        """The near-copy distance for a panel of ``n_snps`` SNPs."""
        if self.near_distance is not None:
            return int(self.near_distance)
        return max(1, int(NEAR_DISTANCE_SHARE * n_snps))

    def to_dict(self) -> dict:
        return asdict(self)


# --------------------------------------------------------------------------- checks


def _fmt(value) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


#: (metric, threshold attribute, "max" or "min", what a failure means)
_BOUNDS = [
    ("privacy_loss", "max_privacy_loss", "max",
     "the AGs are closer to the training haplotypes than to held-out ones"),
    ("mia_auc", "max_mia_auc", "max",
     "nearest-AG distance tells training haplotypes from held-out ones"),
    ("mia_tpr_1fpr", "max_mia_tpr_1fpr", "max",
     "an attacker identifies training haplotypes with few false alarms"),
    ("mia_density_auc", "max_mia_density_auc", "max",
     "the AGs over-represent the training haplotypes' part of the population"),
    ("lr_mia_auc", "max_lr_mia_auc", "max",
     "the model gives its training haplotypes a higher likelihood than held-out ones, "
     "relative to a reference model fitted on other haplotypes"),
    ("privacy_loss_start", "max_privacy_loss", "max",
     "the AGs are closer to the real haplotypes their chains started from than to held-out ones"),
    ("mia_auc_start", "max_mia_auc", "max",
     "nearest-AG distance tells the haplotypes the chains started from from held-out ones"),
    ("aats_test", "min_aats_test", "min", "the AGs overfit"),
    ("aats_test", "max_aats_test", "max", "the AGs underfit"),
]
#: Metrics only some models have (those of the likelihood-ratio attack, and
#: of the start set of chains that start at real haplotypes): a check on one
#: that is absent is skipped, not failed.
_MODEL_METRICS = {"lr_mia_auc", "privacy_loss_start", "mia_auc_start"}


def _excess_share(metrics: dict, kind: str, bound: float | None, what: str,
                  meaning: str) -> list[str]:
    """The failure of a copy check, if any: the share of AGs that are
    ``kind`` (exact or near copies) exceeds the share of held-out haplotypes
    that are by more than ``bound`` (None: no check)."""
    share, base = metrics[f"{kind}_share"], metrics[f"{kind}_share_test"]
    if bound is None or share - base <= bound:
        return []
    return [f"{kind}_share = {_fmt(share)} ({what}) exceeds the held-out baseline of "
            f"{_fmt(base)} by more than the maximum of {_fmt(bound)}{meaning}"]


def release_checks(metrics: dict, thresholds: Thresholds | None = None) -> list[str]:
    """The checks that fail, each as a sentence naming metric, value and threshold.

    Parameters
    ----------
    metrics : dict
        As from :func:`artgen.release.metrics.release_metrics`.
    thresholds : Thresholds, optional
        Default ``Thresholds()``.

    Returns
    -------
    list of str
        Empty when the set may be released.

    Examples
    --------
    >>> m = {"n_released": 500, "privacy_loss": 0.17, "mia_auc": 0.55, "mia_tpr_1fpr": 0.01,
    ...      "mia_density_auc": 0.5, "exact_copies": 0, "exact_copies_share": 0.0,
    ...      "exact_copies_share_test": 0.0, "near_copies_share": 0.0,
    ...      "near_copies_share_test": 0.0, "near_distance": 12}
    >>> release_checks(m)[0].split(":")[0]
    'privacy_loss = 0.17 is above the maximum of 0.1'
    >>> release_checks({**m, "privacy_loss": 0.02})
    []
    """
    t = Thresholds() if thresholds is None else thresholds
    needed = {"n_released"}
    needed |= {metric for metric, attr, _, _ in _BOUNDS if getattr(t, attr) is not None}
    needed -= _MODEL_METRICS
    needed |= {"exact_copies", "exact_copies_share", "exact_copies_share_test"}
    if t.max_near_copies is not None:
        needed |= {"near_copies_share", "near_copies_share_test", "near_distance"}
    missing = sorted(needed - set(metrics))
    if missing:
        raise InputError(f"metrics lack {', '.join(missing)}; compute them with release_metrics")
    failures = []
    if metrics["n_released"] < 2:
        failures.append(f"n_released = {metrics['n_released']}: fewer than 2 AGs are left to "
                        f"release, so privacy cannot be assessed")
    if t.copies == "fail" and metrics["exact_copies"] > 0:
        failures.append(f"exact_copies = {metrics['exact_copies']}: AGs identical to a training "
                        f"haplotype, and the copies policy is 'fail' (none allowed)")
    if t.copies == "remove":
        failures += _excess_share(
            metrics, "exact_copies", t.max_exact_copies,
            f"{metrics['exact_copies']} AGs identical to a training haplotype",
            ": the model memorises, and removing the copies would not undo it")
    failures += _excess_share(
        metrics, "near_copies", t.max_near_copies,
        f"released AGs within {metrics.get('near_distance')} SNPs of a training haplotype", "")
    over_draws = metrics.get("over_draws") or {}
    for metric, attr, kind, meaning in _BOUNDS:
        bound = getattr(t, attr)
        if bound is None or (metric in _MODEL_METRICS and metric not in metrics):
            continue
        value, which = metrics[metric], ""
        drawn = over_draws.get(metric)
        if drawn and len(drawn) > 1 and all(v is not None and math.isfinite(v) for v in drawn):
            # the worst draw decides: one lucky draw does not open the gate
            value = max(drawn) if kind == "max" else min(drawn)
            which = f" (the worst of {len(drawn)} AG draws)"
        if value is None or not math.isfinite(value):
            if metrics["n_released"] >= 2:
                failures.append(f"{metric} could not be computed ({value}); the "
                                f"{'maximum' if kind == 'max' else 'minimum'} is {_fmt(bound)}")
            continue
        if kind == "max" and value > bound:
            failures.append(f"{metric} = {_fmt(float(value))}{which} is above the maximum of "
                            f"{_fmt(float(bound))}: {meaning}")
        elif kind == "min" and value < bound:
            failures.append(f"{metric} = {_fmt(float(value))}{which} is below the minimum of "
                            f"{_fmt(float(bound))}: {meaning}")
    return failures
