"""Releasing an AG set: the gate's metrics and checks, then the data files and
the privacy card written together, or nothing (:func:`release_ags`)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from artgen.errors import InputError
from artgen.haplotypes import Haplotypes
from artgen.io.atomic import atomic_outputs, remove_outputs
from artgen.io.hapt import write_hapt
from artgen.io.vcf import write_vcf
from artgen.provenance import file_digest
from artgen.release.card import card_markdown, privacy_card
from artgen.release.metrics import metrics_over_draws, release_metrics, topped_up
from artgen.release.policy import ReleaseRefused, Thresholds, release_checks
from artgen.stats.attack import LIKELIHOOD_METRICS

__all__ = ["release_ags"]

log = logging.getLogger(__name__)


def release_ags(ags: Haplotypes, train: Haplotypes, test: Haplotypes, reference: Haplotypes, *,
                out_vcf, out_hapt, out_card_json, out_card_md, model: str,
                settings: dict | None = None, panel: str = "", dataset: str = "",
                seed: int = 0, thresholds: Thresholds | None = None,
                model_metrics: dict | None = None, draws=(),
                start_set: Haplotypes | None = None, top_up: bool = False) -> dict:
    """Release an AG set with its privacy card, or refuse and write nothing.

    Steps: :func:`~artgen.release.metrics.release_metrics` (exact copies withheld per the copies
    policy, then copies, privacy loss and attacks on what would be
    released), :func:`~artgen.release.policy.release_checks`,
    :func:`~artgen.release.card.privacy_card`. When every
    check passes, the released AGs are written as a bgzipped, indexed VCF
    (``out_vcf`` and ``out_vcf.tbi``) and a ``.hapt`` (first column ``AG``;
    gzipped when the name ends in ``.gz``), then the card as JSON and
    Markdown (naming both data files with their SHA-256). All files are
    written under hidden names beside their targets and renamed only when
    all are complete (:func:`artgen.io.atomic.atomic_outputs`).

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
        (:func:`artgen.release.metrics.metrics_over_draws`), and the card gives the median and
        range over the draws.
    start_set : Haplotypes, optional
        Real haplotypes, never trained on, that the model's sampling chains
        started from: their privacy loss and distance attack are checked
        with the same bounds as the training set's.
    top_up : bool, default False
        Replace the individuals withheld for copies with the first kept
        individuals of ``draws``, so the released set has as many AGs as
        ``ags`` (:func:`~artgen.release.metrics.topped_up`); every check then
        reads the topped-up set, and ``n_generated`` counts every AG
        examined, ``n_topped_up`` those from the further draws.

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
    gated = topped_up(ags, draws, train, thresholds) if top_up else ags
    metrics, released = release_metrics(gated, train, test, reference, seed=seed,
                                        thresholds=thresholds, start_set=start_set)
    metrics["n_topped_up"] = gated.n_haplotypes - ags.n_haplotypes
    if len(draws):
        metrics = metrics_over_draws(metrics, draws, train, test, reference, seed=seed,
                                     thresholds=thresholds, start_set=start_set)
    if model_metrics:
        metrics.update(_checked_model_metrics(model_metrics))
    failures = release_checks(metrics, thresholds)
    about = dict(model=model, settings=settings, panel=panel, dataset=dataset, seed=seed)
    # an earlier release at these paths goes, whatever this one's fate: no
    # stale set sits where a refused or failed one was asked for
    remove_outputs(*outputs.values())
    if failures:
        card = privacy_card(metrics, thresholds, failures, **about)
        log.warning("release of %s AGs (panel %s) refused: %s", model, panel, "; ".join(failures))
        raise ReleaseRefused(failures, card)

    kept = gated.take_haplotypes(released)
    with atomic_outputs(*outputs.values(), companions={outputs["vcf"]: (".tbi",)}) as staged:
        staged = dict(zip(outputs, staged))
        write_vcf(kept, staged["vcf"])
        write_hapt(kept, staged["hapt"], tag="AG")
        files = {kind: {"name": outputs[kind].name, "sha256": file_digest(staged[kind])}
                 for kind in ("vcf", "hapt")}
        card = privacy_card(metrics, thresholds, [], files=files, **about)
        staged["card_json"].write_text(json.dumps(card, indent=2) + "\n")
        staged["card_md"].write_text(card_markdown(card))
    log.info("released %d of %d %s AGs (panel %s): %s", metrics["n_released"],
             metrics["n_generated"], model, panel, ", ".join(str(p) for p in outputs.values()))
    return card


def _checked_model_metrics(model_metrics: dict) -> dict[str, float]:
    """The likelihood-ratio attack's metrics, as floats, or an InputError."""
    unknown = sorted(set(model_metrics) - set(LIKELIHOOD_METRICS))
    if unknown:
        raise InputError(f"model_metrics: unknown metric(s) {', '.join(unknown)}; expected "
                         f"{', '.join(LIKELIHOOD_METRICS)}")
    if "lr_mia_auc" not in model_metrics:
        raise InputError("model_metrics lack lr_mia_auc (the likelihood-ratio attack's AUC)")
    return {k: float(v) for k, v in model_metrics.items()}
