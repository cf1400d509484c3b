"""The metrics the release gate reads: copies, privacy loss and attacks on the
AG set that would be released (:func:`release_metrics`; what it withholds:
:func:`copies_withheld`), and the same privacy
metrics over further AG draws of the model (:func:`metrics_over_draws`); the
set to gate, topped up from those draws to the size asked for
(:func:`topped_up`)."""

from __future__ import annotations

import numpy as np

from artgen.errors import InputError
from artgen.haplotypes import Haplotypes, artificial_ids
from artgen.release.policy import Thresholds
from artgen.stats.attack import membership_inference, start_set_privacy
from artgen.stats.privacy import copy_carriers, identical_to_train, near_copies, privacy_loss

__all__ = ["DRAW_METRICS", "copies_withheld", "metrics_over_draws", "release_metrics",
           "topped_up"]

#: The privacy metrics measured on every AG draw of a model; the gate reads
#: the worst draw of each (:func:`artgen.release.policy.release_checks`).
DRAW_METRICS = ("privacy_loss", "aats_train", "aats_test", "mia_auc", "mia_tpr_1fpr",
                "mia_density_auc", "mia_density_tpr_1fpr", "privacy_loss_start", "mia_auc_start")
#: The metrics of the real haplotypes the AGs' chains started from, when they did.
START_METRICS = ("privacy_loss_start", "mia_auc_start", "identical_to_start")


def _paired(ags: Haplotypes) -> bool:
    """Whether the ids come in ``<sample>_A``/``<sample>_B`` pairs (the VCF's
    diploid samples)."""
    samples = ags.samples
    return ags.n_haplotypes % 2 == 0 and np.array_equal(samples[0::2], samples[1::2])


def _withheld(ags: Haplotypes, copies: np.ndarray) -> np.ndarray:
    """Copies, plus the other haplotype of their artificial individual when
    the haplotypes are paired into individuals, so the released set keeps
    whole individuals."""
    if not _paired(ags):
        return copies.copy()
    either = copies[0::2] | copies[1::2]
    return np.repeat(either, 2)


def copies_withheld(ags: Haplotypes, train: Haplotypes, thresholds: Thresholds | None = None
                    ) -> tuple[np.ndarray, np.ndarray]:
    """The AGs identical to a training haplotype, and the AGs the copies
    policy withholds: every copy, or with ``keep_copies_carried_by`` the
    copies of haplotypes fewer training individuals (``train``'s ids'
    sample part) carry; each with the other haplotype of its artificial
    individual when the AGs are paired. Nothing is withheld under
    ``copies="fail"``. Two boolean arrays of shape (n_ags,)."""
    thresholds = Thresholds() if thresholds is None else thresholds
    carriers = copy_carriers(ags.alleles, train.alleles, train.samples)
    copies = carriers > 0
    if thresholds.copies != "remove":
        return copies, np.zeros_like(copies)
    k = thresholds.keep_copies_carried_by
    return copies, _withheld(ags, copies if k is None else copies & (carriers < k))


def _check_sets(ags, train, test, reference, start_set=None) -> None:
    sets = (("train", train), ("test", test), ("reference", reference))
    if start_set is not None:
        sets += (("start", start_set),)
    for name, h in (("ags", ags), *sets):
        if not isinstance(h, Haplotypes):
            raise InputError(f"{name} must be a Haplotypes set, got {type(h).__name__}")
    for name, h in sets:
        for field in ("chrom", "pos", "ref", "alt"):
            if not np.array_equal(getattr(h, field), getattr(ags, field)):
                raise InputError(f"the {name} set and the AGs are not at the same SNPs "
                                 f"(their {field} columns differ)")
    for name, h in sets:
        if h.n_haplotypes < 2:
            raise InputError(f"the {name} set needs at least 2 haplotypes, got {h.n_haplotypes}")


def release_metrics(ags: Haplotypes, train: Haplotypes, test: Haplotypes, reference: Haplotypes,
                    *, seed: int, thresholds: Thresholds | None = None,
                    start_set: Haplotypes | None = None) -> tuple[dict, np.ndarray]:
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
        Copies are counted against ``train``'s individuals (its ids'
        sample part) for ``keep_copies_carried_by``.
    start_set : Haplotypes, optional
        Real haplotypes, never trained on, that the model's sampling chains
        started from (the RBM's sampling scheme): AGs a few Gibbs steps from
        them can give those people away as copies of training haplotypes
        give away the training set's.

    Returns
    -------
    metrics : dict
        ``n_snps``, ``n_generated``, ``n_released``; ``exact_copies``
        (AGs identical to a training haplotype), ``exact_copies_share`` (of
        the generated AGs), ``exact_copies_share_test`` (held-out
        haplotypes identical to a training one), ``exact_copies_removed``,
        ``exact_copies_released`` (copies of haplotypes that at least
        ``keep_copies_carried_by`` training individuals carry),
        ``withheld_partners``; ``near_distance``, ``near_copies``,
        ``near_copies_share`` (of the released AGs),
        ``near_copies_share_test``; ``aa_truth_train``, ``aa_syn_train``,
        ``aats_train``, the same for ``test``, ``privacy_loss``;
        ``mia_auc``, ``mia_tpr_1fpr``, ``mia_density_auc``,
        ``mia_density_tpr_1fpr``; with a start set ``privacy_loss_start``,
        ``mia_auc_start`` and ``identical_to_start``
        (:func:`~artgen.stats.attack.start_set_privacy` against the test
        split). Statistics that need 2 released AGs are
        NaN when fewer are left.
    released : ndarray, bool, shape (n_generated,)
        The AGs to release.
    """
    thresholds = Thresholds() if thresholds is None else thresholds
    _check_sets(ags, train, test, reference, start_set)
    copies, withheld = copies_withheld(ags, train, thresholds)
    released = ~withheld
    near = thresholds.near_distance_for(ags.n_snps)
    near_ags = near_copies(ags.alleles, train.alleles, near)
    near_test = near_copies(test.alleles, train.alleles, near)
    n_released = int(released.sum())
    metrics = {
        "n_snps": ags.n_snps,
        "n_generated": ags.n_haplotypes,
        "n_released": n_released,
        "exact_copies": int(copies.sum()),
        "exact_copies_share": float(copies.mean()) if copies.size else 0.0,
        "exact_copies_share_test": float(identical_to_train(test.alleles, train.alleles).mean()),
        "exact_copies_removed": int((copies & withheld).sum()),
        "exact_copies_released": int((copies & released).sum()),
        "withheld_partners": int((withheld & ~copies).sum()),
        "near_distance": near,
        "near_copies": int(near_ags[released].sum()),
        "near_copies_share": float(near_ags[released].mean()) if n_released else 0.0,
        "near_copies_share_test": float(near_test.mean()),
    }
    names = ["aa_truth_train", "aa_syn_train", "aats_train", "aa_truth_test", "aa_syn_test",
             "aats_test", "privacy_loss", "mia_auc", "mia_tpr_1fpr", "mia_density_auc",
             "mia_density_tpr_1fpr"]
    if start_set is not None:
        names += START_METRICS
    if n_released < 2:
        metrics.update(dict.fromkeys(names, float("nan")))
        return metrics, released
    kept = ags.alleles[released]
    if start_set is not None:
        metrics.update(start_set_privacy(kept, start_set.alleles, test.alleles, seed))
    loss = privacy_loss(kept, train.alleles, test.alleles, seed)
    for where, aa in (("train", loss.train), ("test", loss.test)):
        metrics.update({f"aa_truth_{where}": aa.aa_truth, f"aa_syn_{where}": aa.aa_syn,
                        f"aats_{where}": aa.aa_ts})
    metrics["privacy_loss"] = loss.loss
    n_members = min(train.n_haplotypes, test.n_haplotypes)
    metrics.update(membership_inference(kept, train.alleles, test.alleles, reference.alleles,
                                        seed=seed, n_members=n_members))
    return metrics, released


def metrics_over_draws(metrics: dict, draws, train: Haplotypes, test: Haplotypes,
                       reference: Haplotypes, *, seed: int,
                       thresholds: Thresholds | None = None,
                       start_set: Haplotypes | None = None) -> dict:
    """``metrics`` (of the set to release) with ``over_draws``: for each of
    :data:`DRAW_METRICS`, its values on the set to release and on each
    further AG draw of the same model (``draws``, Haplotypes), each draw
    treated as the released one is (exact copies withheld per the policy),
    and ``n_draws``. Privacy loss moves by about 0.015 from one draw to the
    next; a gate on one draw lets a leaky model through on a lucky one."""
    _check_draws(draws, train)
    values = {name: [metrics[name]] for name in DRAW_METRICS if name in metrics}
    for ags in draws:
        drawn, _ = release_metrics(ags, train, test, reference, seed=seed, thresholds=thresholds,
                                   start_set=start_set)
        for name in values:
            values[name].append(drawn[name])
    return {**metrics, "over_draws": values, "n_draws": 1 + len(draws)}


def topped_up(ags: Haplotypes, draws, train: Haplotypes,
              thresholds: Thresholds | None = None) -> Haplotypes:
    """The AG set to gate, topped up from further draws of the same model so
    that what the copies policy keeps has as many AGs as ``ags``.

    Withholding copies shrinks a set (by 11-23% on a dense 2,000-SNP region
    of 2,714 training haplotypes, ``bench/RESULTS.md``). The further draws
    are samples of the same model, so their kept individuals, taken in
    order, give the set the model would release at the size asked for.
    The set returned is ``ags`` followed by as much of each draw in turn
    as fills the kept count; its ids are numbered afresh (``AG000001_A``
    ...), since every draw numbers its own from 1. When no copy is
    withheld, or nothing can be withheld (``copies="fail"``), or there is
    no draw, it is ``ags`` itself; when all draws together keep fewer, it
    is all of them.

    Parameters
    ----------
    ags : Haplotypes
        The AGs asked for, paired into individuals.
    draws : sequence of Haplotypes
        Further AG draws of the same model, paired, at the same SNPs.
    train : Haplotypes
        The training haplotypes (copies are AGs identical to one).
    thresholds : Thresholds, optional
        The copies policy (default: ``Thresholds()``).
    """
    thresholds = Thresholds() if thresholds is None else thresholds
    _check_draws(draws, train)
    if thresholds.copies != "remove" or not len(draws):
        return ags
    asked, parts, kept = ags.n_haplotypes, [], 0
    for i, part in enumerate((ags, *draws)):
        if not _paired(part):
            what = f"AG draw {i} is" if i else "the AGs are"
            raise InputError(f"{what} not paired into individuals (<sample>_A/<sample>_B "
                             "ids): they cannot be topped up")
        keeps = ~copies_withheld(part, train, thresholds)[1]
        running = kept + np.cumsum(keeps)
        if running[-1] >= asked:
            # through the haplotype that brings the kept count to the size asked
            parts.append(part.take_haplotypes(slice(int(np.searchsorted(running, asked)) + 1)))
            break
        parts.append(part)
        kept = int(running[-1])
    if len(parts) == 1 and parts[0].n_haplotypes == asked:
        return ags
    alleles, pops, super_pops = (np.concatenate([getattr(p, f) for p in parts])
                                 for f in ("alleles", "pops", "super_pops"))
    return ags.with_alleles(alleles, artificial_ids(len(alleles)), pops, super_pops)


def _check_draws(draws, train: Haplotypes) -> None:
    for i, other in enumerate(draws, start=1):
        if not (np.array_equal(other.pos, train.pos) and np.array_equal(other.chrom, train.chrom)):
            raise InputError(f"AG draw {i} is not at the SNPs of the AGs to release")
