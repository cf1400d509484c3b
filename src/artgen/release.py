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
  AA_TS against the training set (:func:`artgen.stats.distances.privacy_loss`).
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
(after copies are withheld), with one seed.

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
  beyond the held-out baseline refuses.

So the clean set is accepted, and a set with 100 or more planted training
haplotypes out of 500 is refused: for exact copies by the copy share (20%),
and for near copies (a few SNPs changed, which removal cannot find) by the
near-copy share and the TPR at 1% FPR; see the tests. These bounds assume
test splits of a few hundred haplotypes or more; with fewer, every
statistic is noisier and the bounds refuse good sets more often.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from artgen import __version__
from artgen.errors import InputError
from artgen.haplotypes import Haplotypes
from artgen.io.hapt import write_hapt
from artgen.io.vcf import write_vcf
from artgen.stats.attack import LIKELIHOOD_METRICS, membership_inference
from artgen.stats.distances import nearest_neighbour_distances, privacy_loss

__all__ = [
    "COPIES_POLICIES",
    "ReleaseRefused",
    "Thresholds",
    "card_markdown",
    "exact_copies",
    "near_copies",
    "privacy_card",
    "release_ags",
    "release_checks",
    "release_metrics",
]

log = logging.getLogger(__name__)

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

    def near_distance_for(self, n_snps: int) -> int:
        """The near-copy distance for a panel of ``n_snps`` SNPs."""
        if self.near_distance is not None:
            return int(self.near_distance)
        return max(1, int(NEAR_DISTANCE_SHARE * n_snps))

    def to_dict(self) -> dict:
        return asdict(self)


# --------------------------------------------------------------------------- copies


def exact_copies(ags, train) -> np.ndarray:
    """Which AGs are identical to at least one training haplotype.

    Parameters
    ----------
    ags : ndarray, uint8, shape (n_ags, n_snps)
    train : ndarray, uint8, shape (n_train, n_snps)

    Returns
    -------
    ndarray, bool, shape (n_ags,)

    Examples
    --------
    >>> train = np.array([[0, 1, 1], [1, 0, 0]], dtype=np.uint8)
    >>> exact_copies(np.array([[1, 0, 0], [1, 1, 0]], dtype=np.uint8), train)
    array([ True, False])
    """
    return near_copies(ags, train, 0)


def near_copies(ags, train, distance: int) -> np.ndarray:
    """Which AGs are within ``distance`` SNPs (Hamming) of a training haplotype.

    Exact copies (distance 0) are included.

    Parameters
    ----------
    ags : ndarray, uint8, shape (n_ags, n_snps)
    train : ndarray, uint8, shape (n_train, n_snps)
    distance : int
        Non-negative.

    Returns
    -------
    ndarray, bool, shape (n_ags,)

    Examples
    --------
    >>> train = np.array([[0, 1, 1, 1], [1, 0, 0, 0]], dtype=np.uint8)
    >>> near_copies(np.array([[1, 0, 0, 1], [0, 0, 1, 0]], dtype=np.uint8), train, 1)
    array([ True, False])
    """
    if isinstance(distance, bool) or not isinstance(distance, (int, np.integer)) or distance < 0:
        raise InputError(f"distance must be a non-negative integer, got {distance!r}")
    return nearest_neighbour_distances(ags, train) <= distance


def _withheld(ags: Haplotypes, copies: np.ndarray) -> np.ndarray:
    """Copies, plus the other haplotype of their artificial individual when
    the ids come in ``<sample>_A``/``<sample>_B`` pairs (the VCF's diploid
    samples), so the released set keeps whole individuals."""
    samples = ags.samples
    paired = ags.n_haplotypes % 2 == 0 and np.array_equal(samples[0::2], samples[1::2])
    if not paired:
        return copies.copy()
    either = copies[0::2] | copies[1::2]
    return np.repeat(either, 2)


# --------------------------------------------------------------------------- metrics


def _check_sets(ags, train, test, reference) -> None:
    for name, h in (("ags", ags), ("train", train), ("test", test), ("reference", reference)):
        if not isinstance(h, Haplotypes):
            raise InputError(f"{name} must be a Haplotypes set, got {type(h).__name__}")
    for name, h in (("train", train), ("test", test), ("reference", reference)):
        for field in ("chrom", "pos", "ref", "alt"):
            if not np.array_equal(getattr(h, field), getattr(ags, field)):
                raise InputError(f"the {name} set and the AGs are not at the same SNPs "
                                 f"(their {field} columns differ)")
    for name, h in (("train", train), ("test", test), ("reference", reference)):
        if h.n_haplotypes < 2:
            raise InputError(f"the {name} set needs at least 2 haplotypes, got {h.n_haplotypes}")


def release_metrics(ags: Haplotypes, train: Haplotypes, test: Haplotypes, reference: Haplotypes,
                    *, seed: int, thresholds: Thresholds | None = None
                    ) -> tuple[dict, np.ndarray]:
    """Everything the checks need, on the set that would be released.

    Parameters
    ----------
    ags, train, test, reference : Haplotypes
        The generated AGs, the training haplotypes, the held-out test split
        and the attacker's reference population (the sampling split), at
        the same SNPs.
    seed : int
        Seed of the privacy loss and the attacks.
    thresholds : Thresholds, optional
        The copies policy and near-copy distance (default: ``Thresholds()``).

    Returns
    -------
    metrics : dict
        ``n_snps``, ``n_generated``, ``n_released``; ``exact_copies``
        (AGs identical to a training haplotype), ``exact_copies_share`` (of
        the generated AGs), ``exact_copies_share_test`` (held-out
        haplotypes identical to a training one), ``exact_copies_removed``,
        ``withheld_partners``; ``near_distance``, ``near_copies``,
        ``near_copies_share`` (of the released AGs),
        ``near_copies_share_test``; ``aa_truth_train``, ``aa_syn_train``,
        ``aats_train``, the same for ``test``, ``privacy_loss``;
        ``mia_auc``, ``mia_tpr_1fpr``, ``mia_density_auc``,
        ``mia_density_tpr_1fpr``. Statistics that need 2 released AGs are
        NaN when fewer are left.
    released : ndarray, bool, shape (n_generated,)
        The AGs to release.
    """
    thresholds = Thresholds() if thresholds is None else thresholds
    _check_sets(ags, train, test, reference)
    d_ags = nearest_neighbour_distances(ags.alleles, train.alleles)
    d_test = nearest_neighbour_distances(test.alleles, train.alleles)
    copies = d_ags == 0
    withheld = _withheld(ags, copies) if thresholds.copies == "remove" else np.zeros_like(copies)
    released = ~withheld
    near = thresholds.near_distance_for(ags.n_snps)
    n_released = int(released.sum())
    metrics = {
        "n_snps": ags.n_snps,
        "n_generated": ags.n_haplotypes,
        "n_released": n_released,
        "exact_copies": int(copies.sum()),
        "exact_copies_share": float(copies.mean()) if copies.size else 0.0,
        "exact_copies_share_test": float(np.mean(d_test == 0)),
        "exact_copies_removed": int((copies & withheld).sum()),
        "withheld_partners": int((withheld & ~copies).sum()),
        "near_distance": near,
        "near_copies": int((d_ags[released] <= near).sum()),
        "near_copies_share": float(np.mean(d_ags[released] <= near)) if n_released else 0.0,
        "near_copies_share_test": float(np.mean(d_test <= near)),
    }
    names = ["aa_truth_train", "aa_syn_train", "aats_train", "aa_truth_test", "aa_syn_test",
             "aats_test", "privacy_loss", "mia_auc", "mia_tpr_1fpr", "mia_density_auc",
             "mia_density_tpr_1fpr"]
    if n_released < 2:
        metrics.update(dict.fromkeys(names, float("nan")))
        return metrics, released
    kept = ags.alleles[released]
    loss = privacy_loss(kept, train.alleles, test.alleles, seed)
    for where, aa in (("train", loss.train), ("test", loss.test)):
        metrics.update({f"aa_truth_{where}": aa.aa_truth, f"aa_syn_{where}": aa.aa_syn,
                        f"aats_{where}": aa.aa_ts})
    metrics["privacy_loss"] = loss.loss
    n_members = min(train.n_haplotypes, test.n_haplotypes)
    metrics.update(membership_inference(kept, train.alleles, test.alleles, reference.alleles,
                                        seed=seed, n_members=n_members))
    return metrics, released


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
    ("aats_test", "min_aats_test", "min", "the AGs overfit"),
    ("aats_test", "max_aats_test", "max", "the AGs underfit"),
]
#: Metrics only some models have (those of the likelihood-ratio attack): a
#: check on one that is absent is skipped, not failed.
_MODEL_METRICS = {"lr_mia_auc"}


def release_checks(metrics: dict, thresholds: Thresholds | None = None) -> list[str]:
    """The checks that fail, each as a sentence naming metric, value and threshold.

    Parameters
    ----------
    metrics : dict
        As from :func:`release_metrics`.
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
    if t.copies == "remove" and t.max_exact_copies is not None:
        share, base = metrics["exact_copies_share"], metrics["exact_copies_share_test"]
        if share - base > t.max_exact_copies:
            failures.append(
                f"exact_copies_share = {_fmt(share)} ({metrics['exact_copies']} AGs identical to "
                f"a training haplotype) exceeds the held-out baseline of {_fmt(base)} by more "
                f"than the maximum of {_fmt(t.max_exact_copies)}: the model memorises, and "
                f"removing the copies would not undo it")
    if t.max_near_copies is not None:
        share, base = metrics["near_copies_share"], metrics["near_copies_share_test"]
        if share - base > t.max_near_copies:
            failures.append(
                f"near_copies_share = {_fmt(share)} (released AGs within "
                f"{metrics['near_distance']} SNPs of a training haplotype) exceeds the held-out "
                f"baseline of {_fmt(base)} by more than the maximum of "
                f"{_fmt(t.max_near_copies)}")
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


#: The privacy metrics measured on every AG draw of a model; the gate reads
#: the worst draw of each (:func:`release_checks`).
DRAW_METRICS = ("privacy_loss", "aats_train", "aats_test", "mia_auc", "mia_tpr_1fpr",
                "mia_density_auc", "mia_density_tpr_1fpr")


def metrics_over_draws(metrics: dict, draws, train: Haplotypes, test: Haplotypes,
                       reference: Haplotypes, *, seed: int,
                       thresholds: Thresholds | None = None) -> dict:
    """``metrics`` (of the set to release) with ``over_draws``: for each of
    :data:`DRAW_METRICS`, its values on the set to release and on each
    further AG draw of the same model (``draws``, Haplotypes), each draw
    treated as the released one is (exact copies withheld per the policy),
    and ``n_draws``. Privacy loss moves by about 0.015 from one draw to the
    next; a gate on one draw lets a leaky model through on a lucky one."""
    values = {name: [metrics.get(name)] for name in DRAW_METRICS}
    for ags in draws:
        drawn, _ = release_metrics(ags, train, test, reference, seed=seed, thresholds=thresholds)
        for name in DRAW_METRICS:
            values[name].append(drawn[name])
    return {**metrics, "over_draws": values, "n_draws": 1 + len(draws)}


# --------------------------------------------------------------------------- card


def _plain(value):
    """JSON-ready: numpy scalars to Python, NaN to None, containers recursively."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def privacy_card(metrics: dict, thresholds: Thresholds, failures: list[str], *, model: str,
                 settings: dict | None = None, panel: str = "", dataset: str = "",
                 seed: int = 0, files: dict | None = None) -> dict:
    """The privacy card of an AG set: what was released, what was measured, the verdict.

    Parameters
    ----------
    metrics : dict
        From :func:`release_metrics`.
    thresholds : Thresholds
    failures : list of str
        From :func:`release_checks`; empty means accepted.
    model : str
        Generator's short name (``gan``, ``rbm``...).
    settings : dict, optional
        The generator's settings (hyperparameters, training seed, epochs).
    panel : str
        SNP panel name.
    dataset : str
        Description of the real data (source, population, splits).
    seed : int
        Seed of the privacy statistics.
    files : dict, optional
        Released files: kind -> {"name", "sha256"}.

    Returns
    -------
    dict
        JSON-ready (NaN as None).
    """
    m = metrics
    card = {
        "title": f"Privacy card: {model} artificial haplotypes, panel {panel}",
        "verdict": "refused" if failures else "accepted",
        "failed_checks": list(failures),
        "model": model,
        "settings": dict(settings or {}),
        "panel": panel,
        "dataset": dataset,
        "seeds": {"privacy_statistics": seed},
        "software": {"artgen": __version__},
        "n_snps": m.get("n_snps"),
        "n_generated": m.get("n_generated"),
        "n_released": m.get("n_released"),
        "exact_copies": {"policy": thresholds.copies, "found": m.get("exact_copies"),
                         "share": m.get("exact_copies_share"),
                         "held_out_share": m.get("exact_copies_share_test"),
                         "removed": m.get("exact_copies_removed"),
                         "partners_withheld": m.get("withheld_partners")},
        "near_copies": {"distance": m.get("near_distance"), "found": m.get("near_copies"),
                        "share": m.get("near_copies_share"),
                        "held_out_share": m.get("near_copies_share_test")},
        "aats_train": m.get("aats_train"),
        "aats_test": m.get("aats_test"),
        "privacy_loss": m.get("privacy_loss"),
        "attacks": {k: m.get(k) for k in ("mia_auc", "mia_tpr_1fpr", "mia_density_auc",
                                          "mia_density_tpr_1fpr")},
        # a property of the model (None for a model without a likelihood)
        "likelihood_attack": ({k: m.get(k) for k in LIKELIHOOD_METRICS}
                              if "lr_mia_auc" in m else None),
        "thresholds": thresholds.to_dict(),
        # each bound on the worst draw; median and range for the reader
        "over_draws": ({name: {"median": float(np.median(v)), "low": float(min(v)),
                               "high": float(max(v)), "values": list(v)}
                        for name, v in m["over_draws"].items()
                        if all(x is not None and math.isfinite(x) for x in v)}
                       if m.get("over_draws") else None),
        "gate_rule": ("each bound is checked on the worst of the model's AG draws (the released "
                      "set and the further draws): the highest value for a maximum, the lowest "
                      "for a minimum" if m.get("over_draws")
                      else "each bound is checked on the released set"),
        "metrics": dict(m),
        "files": dict(files or {}),
    }
    return _plain(card)


def _cell(value) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def card_markdown(card: dict) -> str:
    """The privacy card as a Markdown page."""
    t = card["thresholds"]
    ex, near, att = card["exact_copies"], card["near_copies"], card["attacks"]

    def bound(name):
        return "off" if t.get(name) is None else _cell(t[name])

    low, high = t.get("min_aats_test"), t.get("max_aats_test")
    aats_bounds = " and ".join(([f">= {_cell(low)}"] if low is not None else [])
                               + ([f"<= {_cell(high)}"] if high is not None else []))
    lr = card.get("likelihood_attack")
    if lr is None:
        lr_rows = [f"| likelihood-ratio attack AUC | n/a (the model has no likelihood) | | "
                   f"<= {bound('max_lr_mia_auc')} |"]
    else:
        lr_rows = [f"| likelihood-ratio attack AUC | {_cell(lr['lr_mia_auc'])} | | <= "
                   f"{bound('max_lr_mia_auc')} |",
                   f"| likelihood-ratio attack TPR at 1% FPR | {_cell(lr['lr_mia_tpr_1fpr'])} "
                   f"| | |",
                   f"| mean log-likelihood, training split / test split (gap) | "
                   f"{_cell(lr['loglik_train'])} / {_cell(lr['loglik_test'])} "
                   f"({_cell(lr['loglik_gap'])}) | | |"]

    drawn = card.get("over_draws") or {}

    def over(name):
        """`` (median [low, high] over N draws)`` where the draws were scored."""
        if name not in drawn:
            return ""
        d = drawn[name]
        return (f"; over {len(d['values'])} draws {_cell(d['median'])} [{_cell(d['low'])}, "
                f"{_cell(d['high'])}]")

    lines = [f"# {card['title']}", "",
             f"**Verdict: {card['verdict']}.** "
             + ("Every check passed." if card["verdict"] == "accepted"
                else "Nothing was released."), ""]
    if card["failed_checks"]:
        lines += ["## Failed checks", ""] + [f"- {f}" for f in card["failed_checks"]] + [""]
    lines += ["## What was released", "",
              "| item | value |", "|---|---|",
              f"| model | `{card['model']}` |",
              f"| panel | `{card['panel']}` |",
              f"| data set | {card['dataset'] or 'n/a'} |",
              f"| SNPs | {_cell(card['n_snps'])} |",
              f"| AGs generated | {_cell(card['n_generated'])} |",
              f"| AGs released | {_cell(card['n_released'])} |",
              f"| seed of the privacy statistics | {_cell(card['seeds']['privacy_statistics'])} |",
              f"| software | artgen {card['software']['artgen']} |"]
    for kind, info in card["files"].items():
        lines.append(f"| {kind} file | `{info['name']}` (sha256 `{info['sha256']}`) |")
    lines += ["", "## Checks", "",
              "Shares of copies are compared with the held-out real haplotypes: the share "
              "of them identical to (or as near) a training haplotype is what an ideal "
              "generator would show.", "",
              "| check | value | held-out baseline | threshold |", "|---|---|---|---|",
              f"| exact copies (policy `{ex['policy']}`) | {_cell(ex['found'])} "
              f"({_cell(ex['share'])}); removed {_cell(ex['removed'])}, partners withheld "
              f"{_cell(ex['partners_withheld'])} | {_cell(ex['held_out_share'])} | "
              + ("none allowed" if ex["policy"] == "fail"
                 else f"excess share <= {bound('max_exact_copies')}") + " |",
              f"| near copies (<= {_cell(near['distance'])} SNPs) | {_cell(near['found'])} "
              f"({_cell(near['share'])}) | {_cell(near['held_out_share'])} | excess share <= "
              f"{bound('max_near_copies')} |",
              f"| privacy loss | {_cell(card['privacy_loss'])}{over('privacy_loss')} | | <= "
              f"{bound('max_privacy_loss')} |",
              f"| AATS vs training set | {_cell(card['aats_train'])}{over('aats_train')} | | |",
              f"| AATS vs test split | {_cell(card['aats_test'])}{over('aats_test')} | | "
              f"{aats_bounds} |",
              f"| distance attack AUC | {_cell(att['mia_auc'])}{over('mia_auc')} | | <= "
              f"{bound('max_mia_auc')} |",
              f"| distance attack TPR at 1% FPR | {_cell(att['mia_tpr_1fpr'])}"
              f"{over('mia_tpr_1fpr')} | | <= "
              f"{bound('max_mia_tpr_1fpr')} |",
              f"| density attack AUC | {_cell(att['mia_density_auc'])}"
              f"{over('mia_density_auc')} | | <= "
              f"{bound('max_mia_density_auc')} |",
              f"| density attack TPR at 1% FPR | {_cell(att['mia_density_tpr_1fpr'])} | | |",
              *lr_rows,
              "", f"Gate rule: {card.get('gate_rule', 'each bound is checked on the released set')}"
              ".", "",
              "Privacy loss: AATS against the held-out test split minus AATS against the "
              "training set (Yelmen et al. 2021); > 0 means leakage. Attacks: members are "
              "training haplotypes, non-members the test split, in equal numbers; AUC 0.5 and "
              "TPR 0.01 at 1% FPR mean no leak. The likelihood-ratio attack reads the model "
              "itself: a haplotype's log-likelihood under it minus under a model of the same "
              "kind fitted on other held-out haplotypes (the sampling split).", ""]
    if card["settings"]:
        lines += ["## Model settings", "", "```json",
                  json.dumps(card["settings"], indent=2, sort_keys=True), "```", ""]
    return "\n".join(lines)


# --------------------------------------------------------------------------- release


def _staging(path: Path) -> Path:
    """A hidden name beside ``path`` that keeps its suffix (``.gz`` decides compression)."""
    return path.with_name(f".release{os.getpid()}.{path.name}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _remove(paths) -> None:
    for p in paths:
        Path(p).unlink(missing_ok=True)


def release_ags(ags: Haplotypes, train: Haplotypes, test: Haplotypes, reference: Haplotypes, *,
                out_vcf, out_hapt, out_card_json, out_card_md, model: str,
                settings: dict | None = None, panel: str = "", dataset: str = "",
                seed: int = 0, thresholds: Thresholds | None = None,
                model_metrics: dict | None = None, draws=()) -> dict:
    """Release an AG set with its privacy card, or refuse and write nothing.

    Steps: :func:`release_metrics` (exact copies withheld per the copies
    policy, then copies, privacy loss and attacks on what would be
    released), :func:`release_checks`, :func:`privacy_card`. When every
    check passes, the released AGs are written as a bgzipped, indexed VCF
    (``out_vcf`` and ``out_vcf.tbi``) and a ``.hapt`` (first column ``AG``;
    gzipped when the name ends in ``.gz``), then the card as JSON and
    Markdown (naming both data files with their SHA-256). All files are
    written under hidden names beside their targets and renamed only when
    all are complete.

    All or nothing: when a check fails, or a write fails, no output is left
    behind. Partial files are removed, and so is any file already at one of
    the output paths (an earlier release), so no stale release sits where
    a refused or failed one was asked for.

    Parameters
    ----------
    ags, train, test, reference : Haplotypes
        Generated AGs, training haplotypes, held-out test split, and the
        attacker's reference population (the sampling split), at the same
        SNPs.
    out_vcf, out_hapt, out_card_json, out_card_md : path-like
        Four distinct output paths.
    model : str
        The generator's short name.
    settings : dict, optional
        The generator's settings, for the card.
    panel, dataset : str
        Panel name and data set description, for the card.
    seed : int
        Seed of the privacy statistics.
    thresholds : Thresholds, optional
        Default ``Thresholds()``.
    model_metrics : dict, optional
        Metrics of the model itself rather than of its AGs, checked and put
        on the card with the others: the likelihood-ratio attack's
        (``lr_mia_auc``, ``lr_mia_tpr_1fpr``, ``loglik_train``,
        ``loglik_test``, ``loglik_gap``) for a model with a likelihood.
    draws : sequence of Haplotypes, optional
        Further AG draws of the same model (not released): each privacy
        bound is then checked on the worst draw, the released set included
        (:func:`metrics_over_draws`), and the card gives the median and
        range over the draws.

    Returns
    -------
    dict
        The privacy card (verdict ``"accepted"``).

    Raises
    ------
    ReleaseRefused
        A check failed; ``.failures`` lists them, ``.card`` is the card.
    InputError
        Inputs at different SNPs, too few haplotypes, bad thresholds.
    """
    thresholds = Thresholds() if thresholds is None else thresholds
    if not isinstance(thresholds, Thresholds):
        raise InputError(f"thresholds must be a Thresholds, got {type(thresholds).__name__}")
    outputs = {"vcf": Path(out_vcf), "hapt": Path(out_hapt), "card_json": Path(out_card_json),
               "card_md": Path(out_card_md)}
    if len({p.resolve() for p in outputs.values()}) < len(outputs):
        raise InputError("out_vcf, out_hapt, out_card_json and out_card_md must be four "
                         "different paths")
    finals = [*outputs.values(), Path(f"{outputs['vcf']}.tbi")]
    metrics, released = release_metrics(ags, train, test, reference, seed=seed,
                                        thresholds=thresholds)
    if len(draws):
        for i, other in enumerate(draws, start=1):
            if not (np.array_equal(other.pos, ags.pos) and np.array_equal(other.chrom, ags.chrom)):
                raise InputError(f"AG draw {i} is not at the SNPs of the AGs to release")
        metrics = metrics_over_draws(metrics, draws, train, test, reference, seed=seed,
                                     thresholds=thresholds)
    if model_metrics:
        unknown = sorted(set(model_metrics) - set(LIKELIHOOD_METRICS))
        if unknown:
            raise InputError(f"model_metrics: unknown metric(s) {', '.join(unknown)}; expected "
                             f"{', '.join(LIKELIHOOD_METRICS)}")
        if "lr_mia_auc" not in model_metrics:
            raise InputError("model_metrics lack lr_mia_auc (the likelihood-ratio attack's AUC)")
        metrics.update({k: float(v) for k, v in model_metrics.items()})
    failures = release_checks(metrics, thresholds)
    about = dict(model=model, settings=settings, panel=panel, dataset=dataset, seed=seed)
    if failures:
        card = privacy_card(metrics, thresholds, failures, **about)
        _remove(finals)
        log.warning("release of %s AGs (panel %s) refused: %s", model, panel, "; ".join(failures))
        raise ReleaseRefused(failures, card)

    kept = ags.take_haplotypes(released)
    staged = {kind: _staging(p) for kind, p in outputs.items()}
    temporaries = [*staged.values(), Path(f"{staged['vcf']}.tbi")]
    try:
        for p in outputs.values():
            p.parent.mkdir(parents=True, exist_ok=True)
        write_vcf(kept, staged["vcf"])
        write_hapt(kept, staged["hapt"], tag="AG")
        files = {kind: {"name": outputs[kind].name, "sha256": _sha256(staged[kind])}
                 for kind in ("vcf", "hapt")}
        card = privacy_card(metrics, thresholds, [], files=files, **about)
        staged["card_json"].write_text(json.dumps(card, indent=2) + "\n")
        staged["card_md"].write_text(card_markdown(card))
        pairs = [(staged[k], outputs[k]) for k in outputs]
        pairs.append((Path(f"{staged['vcf']}.tbi"), Path(f"{outputs['vcf']}.tbi")))
        for src, dst in pairs:
            os.replace(src, dst)
    except BaseException:
        _remove(temporaries)
        _remove(finals)  # the new files moved so far, and any older release beside them
        raise
    log.info("released %d of %d %s AGs (panel %s): %s", metrics["n_released"],
             metrics["n_generated"], model, panel, ", ".join(str(p) for p in outputs.values()))
    return card
