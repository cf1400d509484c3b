"""The release gate against planted leaks: the paper's sensitivity test
(training haplotypes planted into the AGs) with the gate's verdict on each
planted set (:func:`release_sensitivity`)."""

from __future__ import annotations

import logging
from collections.abc import Iterable

import pandas as pd

from artgen.haplotypes import Haplotypes
from artgen.release.metrics import release_metrics
from artgen.release.policy import Thresholds, release_checks
from artgen.stats.attack import DEFAULT_COUNTS, plant_training_haplotypes, sensitivity_table

__all__ = ["release_sensitivity"]

log = logging.getLogger(__name__)


def release_sensitivity(ags: Haplotypes, train: Haplotypes, test: Haplotypes,
                        reference: Haplotypes, *, counts: Iterable[int] = DEFAULT_COUNTS,
                        seed: int, thresholds: Thresholds | None = None) -> pd.DataFrame:
    """Privacy scores and release verdicts of AG sets with more and more
    training haplotypes planted.

    The rows and scores are :func:`artgen.stats.attack.sensitivity_table`'s;
    each planted set (planted as there, with the same seed) then goes
    through the gate as a release would
    (:func:`~artgen.release.metrics.release_metrics`,
    :func:`~artgen.release.policy.release_checks`), so the table shows how
    many planted copies the gate lets through.

    Parameters
    ----------
    ags, train, test, reference : Haplotypes
        The AGs, the training haplotypes, the held-out test split and the
        attacker's reference population, at the same SNPs.
    counts : iterable of int, default (1, 10, 50, 100, 500, 1000)
        Numbers of training haplotypes to plant.
    seed : int
        Seed of the planting and of the privacy statistics.
    thresholds : Thresholds, optional
        Default ``Thresholds()``.

    Returns
    -------
    pandas.DataFrame
        One row per count (0 first), the columns of
        :data:`artgen.stats.attack.SENSITIVITY_COLUMNS` and ``release``:
        ``"released"``, or ``"refused: "`` and the failed checks.
    """
    table = sensitivity_table(ags.alleles, train.alleles, test.alleles, reference.alleles,
                              counts=counts, seed=seed)
    verdicts = []
    for planted in table["planted"]:
        alleles = (plant_training_haplotypes(ags.alleles, train.alleles, int(planted), seed)
                   if planted else ags.alleles)
        metrics, _ = release_metrics(ags.with_alleles(alleles, ids=ags.ids), train, test,
                                     reference, seed=seed, thresholds=thresholds)
        failures = release_checks(metrics, thresholds)
        verdicts.append("refused: " + "; ".join(failures) if failures else "released")
        log.info("%d planted: %s", planted, verdicts[-1])
    table["release"] = verdicts
    return table
