"""Membership-inference attacks on released artificial haplotypes.

An attacker holds the released artificial genomes (AGs) and some real
haplotypes (candidates) and wants to tell which candidates were in the
generator's training set (members) and which were not (non-members). How well
they can do this, measured on the real split the workflow has, is a direct
privacy score, complementary to the adversarial-accuracy privacy loss of
Yelmen et al. (2021), which the paper itself found to react only slightly to
a few copied training genomes (Supplementary Figure 21).

Inputs are 0/1 haplotype matrices (``uint8``), shape (n_haplotypes, n_snps),
rows haplotypes, all on the same SNPs.

Contents
--------
- :func:`distance_attack_scores`: minus the Hamming distance from each
  candidate to its nearest AG (a copied or memorised haplotype sits at 0).
- :func:`density_attack_scores`: a density-ratio attack (after DOMIAS, van
  Breugel et al. 2023): log density of the candidate under the AGs minus
  under a reference population, Gaussian kernel density estimates in the PCA
  space of the reference.
- Scores are judged with :func:`artgen.stats.privacy.roc_auc` and
  :func:`artgen.stats.privacy.tpr_at_fpr`: how well they separate members
  from non-members (AUC 0.5 = no better than chance; TPR at 1% FPR is the
  low-false-alarm regime that matters for a single individual).
- :func:`membership_inference`: both attacks on balanced member/non-member
  sets, as the metrics ``mia_auc``, ``mia_tpr_1fpr``, ``mia_density_auc``,
  ``mia_density_tpr_1fpr``.
- :func:`likelihood_ratio_attack`: for a generator with an exact likelihood,
  the log-likelihood of a candidate under the model minus under a reference
  model of the same kind fitted on held-out haplotypes, as ``lr_mia_auc``
  and ``lr_mia_tpr_1fpr``, with the memorisation gap (``loglik_train``,
  ``loglik_test``, ``loglik_gap``).
- :func:`start_set_privacy`: the same questions about real haplotypes
  that were not trained on but started the generator's sampling chains
  (the RBM's sampling scheme), as ``privacy_loss_start``,
  ``mia_auc_start`` and ``identical_to_start``.
- :func:`plant_training_haplotypes`, :func:`sensitivity_table`: the paper's
  Mixed1..Mixed6 sensitivity test (AG sets with 1, 10, 50, 100, 500, 1000
  training haplotypes planted in them), extended with the attacks.

Members and non-members
-----------------------
Members are training haplotypes, non-members the held-out test split. The
members are a seeded random subset of the training set as large as the test
split, so the two classes are balanced and an AUC of 0.5 means no leak. The
density attack's reference population is a third real set given by the
caller (the workflow's sampling split): the attacker's own real haplotypes,
known not to be members, never the test split whose labels are scored.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import numpy as np
import pandas as pd
from scipy.sparse.linalg import ArpackError
from scipy.special import logsumexp

from artgen.checks import check_count, check_haplotype_sets, check_seed
from artgen.errors import InputError
from artgen.stats.distances import nearest_neighbour_distances
from artgen.stats.privacy import (balanced_member_rows, identical_to_train, privacy_loss, roc_auc,
                                  tpr_at_fpr)
from artgen.stats.pca import pca

__all__ = [
    "DEFAULT_COUNTS",
    "DEFAULT_DENSITY_COMPONENTS",
    "SENSITIVITY_COLUMNS",
    "density_attack_scores",
    "distance_attack_scores",
    "LIKELIHOOD_METRICS",
    "likelihood_ratio_attack",
    "log_kde",
    "membership_inference",
    "plant_training_haplotypes",
    "sensitivity_table",
    "start_set_privacy",
]

log = logging.getLogger(__name__)

#: Planted counts of the paper's Mixed1..Mixed6 sets.
DEFAULT_COUNTS = (1, 10, 50, 100, 500, 1000)
#: Principal components of the density attack.
DEFAULT_DENSITY_COMPONENTS = 5
#: Columns of :func:`sensitivity_table`.
SENSITIVITY_COLUMNS = ["planted", "identical_to_train", "aats_train", "aats_test", "privacy_loss",
                       "mia_auc", "mia_tpr_1fpr", "mia_density_auc", "mia_density_tpr_1fpr"]
#: Metrics of :func:`likelihood_ratio_attack`, in order.
LIKELIHOOD_METRICS = ("lr_mia_auc", "lr_mia_tpr_1fpr", "loglik_train", "loglik_test",
                      "loglik_gap")
#: Candidate rows per block of the kernel density sums (bounds memory).
_KDE_BLOCK_BYTES = 64 * 2**20


# --------------------------------------------------------------------------- scores


def distance_attack_scores(ags, candidates) -> np.ndarray:
    """Distance attack: minus the Hamming distance to the nearest AG.

    A candidate that the generator copied or memorised has an AG at distance
    0 (the highest possible score); the closer the nearest AG, the more
    likely a member. Scores are integers (as floats) and ties are common:
    :func:`~artgen.stats.privacy.roc_auc` and
    :func:`~artgen.stats.privacy.tpr_at_fpr` handle them.

    Parameters
    ----------
    ags : ndarray, uint8, shape (n_ags, n_snps)
        Released artificial haplotypes (at least one).
    candidates : ndarray, uint8, shape (n_candidates, n_snps)
        Real haplotypes to score.

    Returns
    -------
    ndarray, float64, shape (n_candidates,)
        ``-min_j d(candidates[i], ags[j])``.

    Examples
    --------
    >>> ags = np.array([[0, 0, 0, 0], [1, 1, 0, 0]], dtype=np.uint8)
    >>> distance_attack_scores(ags, np.array([[1, 1, 0, 0], [1, 1, 1, 1]], dtype=np.uint8))
    array([ 0., -2.])
    """
    sets = check_haplotype_sets(ags=ags, candidates=candidates)
    return (-nearest_neighbour_distances(sets["candidates"], sets["ags"])).astype(np.float64)


def start_set_privacy(ags, start, held_out, seed) -> dict[str, float]:
    """How much AGs give away the real haplotypes their chains started from
    (never trained on: the RBM's sampling scheme), whom an AG a few Gibbs
    steps from its start exposes as a memorised training set would be.

    Parameters
    ----------
    ags, start, held_out : ndarray, uint8, shape (n, n_snps)
        The AGs, the rows the chains started from (the members), and real
        rows of the same population the AGs owe nothing to.
    seed : int
        Seed of the privacy loss's subsamples.

    Returns
    -------
    dict
        ``privacy_loss_start``: AATS against ``held_out`` minus AATS
        against ``start``, matched sizes (:func:`~artgen.stats.privacy.privacy_loss`);
        ``mia_auc_start``: the distance attack's AUC, every start row a
        member and every held-out row a non-member (it leaves no start row
        out where the matched loss must); ``identical_to_start``.
    """
    return {"privacy_loss_start": privacy_loss(ags, start, held_out, seed, matched=True).loss,
            "mia_auc_start": roc_auc(distance_attack_scores(ags, start),
                                     distance_attack_scores(ags, held_out)),
            "identical_to_start": int(identical_to_train(ags, start).sum())}


def log_kde(points, data, *, factor: float | None = None) -> np.ndarray:
    """Log density of ``points`` under an isotropic Gaussian KDE of ``data``.

    ``log p(x) = log( 1/n sum_j N(x; data_j, h^2 I) )``, summed stably
    (log-sum-exp) in blocks of points.

    Parameters
    ----------
    points : ndarray, float, shape (n_points, d)
    data : ndarray, float, shape (n_data, d)
    factor : float, optional
        Bandwidth ``h``. Default: Scott's rule, ``n_data ** (-1 / (d + 4))``,
        the right factor for data whose covariance is the identity (whitened).

    Returns
    -------
    ndarray, float64, shape (n_points,)

    Examples
    --------
    >>> round(float(log_kde(np.zeros((1, 1)), np.zeros((1, 1)), factor=1.0)[0]), 6)
    -0.918939
    """
    points = np.asarray(points, dtype=np.float64)
    data = np.asarray(data, dtype=np.float64)
    if points.ndim != 2 or data.ndim != 2 or points.shape[1] != data.shape[1]:
        raise InputError(f"points and data must be matrices with the same columns, got shapes "
                         f"{points.shape} and {data.shape}")
    n, d = data.shape
    if n == 0:
        raise InputError("a density estimate needs at least one data point")
    h = n ** (-1.0 / (d + 4)) if factor is None else float(factor)
    if not h > 0:
        raise InputError(f"the bandwidth must be positive, got {factor!r}")
    const = -np.log(n) - d * np.log(h) - 0.5 * d * np.log(2 * np.pi)
    sq_data = np.einsum("ij,ij->i", data, data)
    out = np.empty(points.shape[0])
    step = max(1, _KDE_BLOCK_BYTES // (8 * max(n, 1)))
    for s in range(0, points.shape[0], step):
        p = points[s:s + step]
        sq = np.einsum("ij,ij->i", p, p)[:, None] + sq_data[None, :] - 2.0 * (p @ data.T)
        np.maximum(sq, 0.0, out=sq)  # rounding can make a zero distance slightly negative
        out[s:s + step] = logsumexp(-0.5 * sq / h**2, axis=1) + const
    return out


def density_attack_scores(ags, candidates, reference, *,
                          n_components: int = DEFAULT_DENSITY_COMPONENTS,
                          seed: int = 0) -> np.ndarray:
    """Density-ratio attack: log density under the AGs minus under a reference.

    A generator that memorises its training set puts extra density around the
    training haplotypes; dividing by the density of the population (estimated
    from the attacker's reference haplotypes) cancels the density that any
    haplotype of the population has, so what remains points at members
    (the DOMIAS idea, van Breugel et al. 2023, AISTATS).

    Method:

    1. PCA fitted on ``reference`` alone (:func:`artgen.stats.pca.pca`,
       centred, not scaled, Lanczos solver), ``n_components`` axes; the AGs
       and candidates are projected onto them. Axes with zero variance in
       the reference are dropped.
    2. Coordinates are whitened by the reference's standard deviation on each
       axis (PC scores are uncorrelated in the reference, so its covariance
       becomes the identity).
    3. Two Gaussian KDEs with the same kernel shape (the reference
       covariance) and Scott's bandwidth for their own size,
       ``h = n ** (-1 / (d + 4))``: one on the AGs, one on the reference.
       Sharing the kernel shape keeps the ratio meaningful, and a
       collapsed AG set (zero variance on an axis) still has a density.
    4. Score = ``log p_AG(x) - log p_ref(x)``; the whitening's Jacobian
       cancels in the difference.

    Working in a few principal components means that the attack sees
    population-level over-representation (AGs clustered where the training
    haplotypes are), not single copied haplotypes: that is the distance
    attack's job.

    Parameters
    ----------
    ags : ndarray, uint8, shape (n_ags, n_snps)
    candidates : ndarray, uint8, shape (n_candidates, n_snps)
    reference : ndarray, uint8, shape (n_ref, n_snps)
        Real haplotypes of the population, known not to be members.
    n_components : int, default 5
        PCA axes; at most ``min(n_ref, n_snps)``.
    seed : int, default 0
        Start vector of the PCA's iterative solver (results do not depend on
        it beyond rounding).

    Returns
    -------
    ndarray, float64, shape (n_candidates,)

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> ref = (rng.random((60, 20)) < 0.3).astype(np.uint8)
    >>> ags = (rng.random((50, 20)) < 0.3).astype(np.uint8)
    >>> density_attack_scores(ags, ref[:4], ref, n_components=2).shape
    (4,)
    """
    sets = check_haplotype_sets(ags=ags, candidates=candidates, reference=reference)
    model = _DensityRatio(sets["reference"], n_components, check_seed(seed))
    return model.scores(sets["ags"], sets["candidates"])


class _DensityRatio:
    """The density attack's PCA of the reference, fitted once, and its scores."""

    def __init__(self, reference: np.ndarray, n_components: int, seed: int):
        if reference.shape[0] < 2:
            raise InputError(f"reference needs at least 2 haplotypes for a PCA, got "
                             f"{reference.shape[0]}")
        if np.array_equal(reference.min(axis=0), reference.max(axis=0)):
            raise InputError("reference has no variation: every reference haplotype is the same")
        try:
            # a few axes: Lanczos gives them to rounding, many times faster than
            # the full SVD that pca's "auto" picks for small matrices
            self.fit = pca({"reference": reference}, n_components=n_components, seed=seed,
                           solver="arpack")
        except ArpackError:  # e.g. fewer distinct haplotypes than axes
            self.fit = pca({"reference": reference}, n_components=n_components, seed=seed,
                           solver="full")
        sd = np.sqrt(self.fit.explained_variance)
        self.keep = sd > 1e-9 * float(sd.max())
        self.whiten = sd[self.keep]
        self.reference = self.fit.coords["reference"][:, self.keep] / self.whiten

    def project(self, x: np.ndarray) -> np.ndarray:
        return self.fit.transform(x)[:, self.keep] / self.whiten

    def scores(self, ags: np.ndarray, candidates: np.ndarray) -> np.ndarray:
        points = self.project(candidates)
        return log_kde(points, self.project(ags)) - log_kde(points, self.reference)


# --------------------------------------------------------------------------- attack


def membership_inference(ags, train, test, reference, *, seed: int, n_members: int | None = None,
                         n_components: int = DEFAULT_DENSITY_COMPONENTS) -> dict[str, float]:
    """Both attacks, scored on training haplotypes against held-out ones.

    Parameters
    ----------
    ags : ndarray, uint8, shape (n_ags, n_snps)
        The released artificial haplotypes.
    train : ndarray, uint8, shape (n_train, n_snps)
        The generator's training haplotypes (members come from here).
    test : ndarray, uint8, shape (n_test, n_snps)
        Held-out real haplotypes of the same population (the non-members).
    reference : ndarray, uint8, shape (n_ref, n_snps)
        The attacker's own real haplotypes for the density attack (the
        sampling split), neither members nor the scored non-members.
    seed : int
        Non-negative. ``numpy.random.SeedSequence(seed).generate_state(2)``
        gives the seeds of the member and the non-member subsamples
        (:func:`artgen.stats.distances.subsample_rows`, via
        :func:`artgen.stats.privacy.balanced_member_rows`); ``seed`` itself
        goes to the PCA.
    n_members : int, optional
        Haplotypes per class, at most ``min(n_train, n_test)`` (the
        default). A class larger than that is drawn down to it at random:
        normally all of ``test`` against as many training haplotypes.
    n_components : int, default 5
        Axes of the density attack.

    Returns
    -------
    dict
        ``mia_auc``, ``mia_tpr_1fpr``: the distance attack's ROC AUC and its
        TPR at 1% FPR (:func:`~artgen.stats.privacy.tpr_at_fpr`,
        interpolated); ``mia_density_auc``, ``mia_density_tpr_1fpr``: the
        same for the density attack.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> train, test, ref = ((rng.random((40, 50)) < 0.4).astype(np.uint8) for _ in range(3))
    >>> membership_inference(train.copy(), train, test, ref, seed=0)["mia_auc"]
    1.0
    """
    sets = check_haplotype_sets(ags=ags, train=train, test=test, reference=reference)
    seed = check_seed(seed)
    density = _DensityRatio(sets["reference"], n_components, seed)
    return _membership_inference(sets["ags"], sets["train"], sets["test"], density, seed,
                                 n_members)


def _membership_inference(ags: np.ndarray, train: np.ndarray, test: np.ndarray,
                          density: _DensityRatio, seed: int, n_members) -> dict[str, float]:
    member_rows, nonmember_rows = balanced_member_rows(train.shape[0], test.shape[0], seed,
                                                       n_members)
    n = len(member_rows)
    members, nonmembers = train[member_rows], test[nonmember_rows]

    dist_m = distance_attack_scores(ags, members)
    dist_n = distance_attack_scores(ags, nonmembers)
    both = density.scores(ags, np.concatenate([members, nonmembers]))
    dens_m, dens_n = both[:n], both[n:]
    return {"mia_auc": roc_auc(dist_m, dist_n),
            "mia_tpr_1fpr": tpr_at_fpr(dist_m, dist_n, 0.01),
            "mia_density_auc": roc_auc(dens_m, dens_n),
            "mia_density_tpr_1fpr": tpr_at_fpr(dens_m, dens_n, 0.01)}


def likelihood_ratio_attack(model, reference_model, train, test, *, seed: int,
                            n_members: int | None = None, train_populations=None,
                            test_populations=None) -> dict[str, float]:
    """Likelihood-ratio membership inference against a generator with an exact likelihood.

    A model that memorises gives its training haplotypes a higher likelihood
    than other haplotypes of the population. Part of any haplotype's
    likelihood has nothing to do with membership (common haplotypes, few
    rare alleles score high under every model of the population), so each
    candidate is scored by its log-likelihood under the model minus its
    log-likelihood under a *reference model*: the same kind of model with the
    same settings, fitted on real haplotypes the model never saw (the
    workflow's sampling split). This is the reference-model attack (Ye et
    al. 2022, ACM CCS; Carlini et al. 2022's LiRA with one "out" model), and
    unlike the distance and density attacks it needs the model, not only its
    AGs: it bounds what the released model file would leak.

    Members are a seeded subsample of ``train`` as large as ``test`` (the
    non-members), drawn as :func:`membership_inference` draws them, so both
    attacks score the same members for one seed.

    Parameters
    ----------
    model, reference_model : objects with ``log_likelihood(alleles, populations=None)``
        Natural-log likelihood, one value per row (e.g.
        :class:`artgen.models.hmm.HMMGenerator`). ``model`` was fitted on
        ``train``; ``reference_model`` on held-out haplotypes.
    train : ndarray, uint8, shape (n_train, n_snps)
        The model's training rows (members come from here).
    test : ndarray, uint8, shape (n_test, n_snps)
        Held-out real rows (the non-members).
    seed : int
        Non-negative; the member and non-member subsamples.
    n_members : int, optional
        Rows per class, at most ``min(n_train, n_test)`` (the default).
    train_populations, test_populations : array-like of str, optional
        Population label of each row, passed to ``log_likelihood`` (a
        conditional model then scores each row under its own population).

    Returns
    -------
    dict
        ``lr_mia_auc``: ROC AUC of the scores
        (:func:`~artgen.stats.privacy.roc_auc`; 0.5 = no leak);
        ``lr_mia_tpr_1fpr``: TPR at 1% FPR
        (:func:`~artgen.stats.privacy.tpr_at_fpr`, interpolated);
        ``loglik_train``, ``loglik_test``: mean log-likelihood per row of
        all of ``train`` and all of ``test`` under the model; ``loglik_gap``: their difference (train - test),
        the model's memorisation gap (near 0 for a model that generalises).

    Examples
    --------
    >>> class Lookup:  # log-likelihood -1 for rows it has seen, -5 otherwise
    ...     def __init__(self, seen): self.seen = {r.tobytes() for r in seen}
    ...     def log_likelihood(self, x, populations=None):
    ...         return np.array([-1.0 if r.tobytes() in self.seen else -5.0 for r in x])
    >>> rng = np.random.default_rng(0)
    >>> train, test, ref = ((rng.random((20, 30)) < 0.4).astype(np.uint8) for _ in range(3))
    >>> out = likelihood_ratio_attack(Lookup(train), Lookup(ref), train, test, seed=0)
    >>> out["lr_mia_auc"], out["loglik_gap"]
    (1.0, 4.0)
    """
    sets = check_haplotype_sets(train=train, test=test)
    seed = check_seed(seed)
    train, test = sets["train"], sets["test"]
    for name, labels, rows in (("train_populations", train_populations, train),
                               ("test_populations", test_populations, test)):
        if labels is not None and np.shape(labels) != (rows.shape[0],):
            raise InputError(f"{name} must have one label per row ({rows.shape[0]}), "
                             f"got shape {np.shape(labels)}")
    member_rows, nonmember_rows = balanced_member_rows(train.shape[0], test.shape[0], seed,
                                                       n_members)

    def pick(labels, rows):
        return None if labels is None else np.asarray(labels)[rows]

    ll_train = _log_likelihoods(model, train, train_populations, "train", "the model")
    ll_test = _log_likelihoods(model, test, test_populations, "test", "the model")
    ref_members = _log_likelihoods(reference_model, train[member_rows],
                                   pick(train_populations, member_rows), "train",
                                   "the reference model", member_rows)
    ref_nonmembers = _log_likelihoods(reference_model, test[nonmember_rows],
                                      pick(test_populations, nonmember_rows), "test",
                                      "the reference model", nonmember_rows)
    members = ll_train[member_rows] - ref_members
    nonmembers = ll_test[nonmember_rows] - ref_nonmembers
    loglik_train, loglik_test = float(ll_train.mean()), float(ll_test.mean())
    return {"lr_mia_auc": roc_auc(members, nonmembers),
            "lr_mia_tpr_1fpr": tpr_at_fpr(members, nonmembers, 0.01),
            "loglik_train": loglik_train, "loglik_test": loglik_test,
            "loglik_gap": loglik_train - loglik_test}


def _log_likelihoods(model, rows: np.ndarray, populations, name: str, which: str,
                     index: np.ndarray | None = None) -> np.ndarray:
    """``model.log_likelihood`` of ``rows``, checked: one finite value per row."""
    if not callable(getattr(model, "log_likelihood", None)):
        raise InputError(f"{which} ({type(model).__name__}) has no likelihood "
                         f"(no log_likelihood method)")
    ll = np.asarray(model.log_likelihood(rows, populations=populations), dtype=np.float64)
    if ll.shape != (rows.shape[0],):
        raise InputError(f"{which} returned {ll.shape} log-likelihoods for {rows.shape[0]} "
                         f"{name} rows")
    bad = np.flatnonzero(~np.isfinite(ll))
    if len(bad):
        row = int(bad[0] if index is None else index[bad[0]])
        raise InputError(f"{which} gives {name} row {row} a log-likelihood of {ll[bad[0]]}: "
                         f"the attack needs a finite likelihood for every haplotype")
    return ll


# --------------------------------------------------------------------------- sensitivity


def plant_training_haplotypes(ags, train, n: int, seed: int) -> np.ndarray:
    """An AG set with ``n`` AGs replaced by ``n`` distinct training haplotypes.

    The paper's Mixed1..Mixed6 sets (Supplementary Figure 21). The AG rows
    replaced are the first ``n`` of a seeded permutation of the AG rows, and
    the training rows planted the first ``n`` of a permutation of the
    training rows (``numpy.random.default_rng(seed)``, AGs first), so for one
    seed a larger ``n`` plants a superset of a smaller one: a sensitivity
    series differs only by the added plants.

    Parameters
    ----------
    ags : ndarray, uint8, shape (n_ags, n_snps)
    train : ndarray, uint8, shape (n_train, n_snps)
    n : int
        0 <= n <= min(n_ags, n_train).
    seed : int
        Non-negative.

    Returns
    -------
    ndarray, uint8, shape (n_ags, n_snps)
        A new matrix; ``ags`` is not modified.

    Examples
    --------
    >>> ags = np.zeros((4, 3), dtype=np.uint8)
    >>> train = np.ones((2, 3), dtype=np.uint8)
    >>> int(plant_training_haplotypes(ags, train, 2, seed=0).sum(axis=1).astype(bool).sum())
    2
    """
    sets = check_haplotype_sets(ags=ags, train=train)
    seed = check_seed(seed)
    n_ags, n_train = sets["ags"].shape[0], sets["train"].shape[0]
    n = check_count(n, "n (training haplotypes to plant)", 0, high=min(n_ags, n_train))
    rng = np.random.default_rng(seed)
    slots = rng.permutation(n_ags)[:n]
    sources = rng.permutation(n_train)[:n]
    mixed = sets["ags"].copy()
    mixed[slots] = sets["train"][sources]
    return mixed


def sensitivity_table(ags, train, test, reference, *, counts: Iterable[int] = DEFAULT_COUNTS,
                      seed: int, n_components: int = DEFAULT_DENSITY_COMPONENTS,
                      repeats: int = 20) -> pd.DataFrame:
    """Privacy scores of AG sets with more and more training haplotypes planted.

    Row ``planted = 0`` is the AG set itself; each further row plants that
    many training haplotypes with :func:`plant_training_haplotypes` (one
    seed for all rows, so the plants are nested). Counts above
    ``min(n_ags, n_train)`` are dropped (logged). Every row uses the same
    seeds for :func:`artgen.stats.privacy.privacy_loss` and
    :func:`membership_inference`, so the same members and subsamples are
    scored and rows differ only by the planting.

    AATS and privacy loss are means over ``repeats`` subsamples: AATS needs
    equally many real and synthetic rows, so the larger sets are subsampled
    to the test split's size, and one subsample holds only about
    ``n_test / n_ags`` of the planted copies. A single draw moves by about
    0.01 from subsample to subsample, as much as 10 planted copies in 700
    AGs change the expected privacy loss; the mean over 20 draws resolves it.

    Parameters
    ----------
    ags, train, test, reference : ndarray, uint8, shape (n_i, n_snps)
        As in :func:`membership_inference`.
    counts : iterable of int, default (1, 10, 50, 100, 500, 1000)
        Positive numbers of training haplotypes to plant.
    seed : int
        Non-negative.
    n_components : int, default 5
        Axes of the density attack.
    repeats : int, default 20
        Subsamples averaged for AATS and privacy loss.

    Returns
    -------
    pandas.DataFrame
        One row per count, in increasing order, columns
        ``planted identical_to_train aats_train aats_test privacy_loss
        mia_auc mia_tpr_1fpr mia_density_auc mia_density_tpr_1fpr``.
    """
    sets = check_haplotype_sets(min_rows=2, ags=ags, train=train, test=test, reference=reference)
    seed = check_seed(seed)
    repeats = check_count(repeats, "repeats", 1)
    loss_seeds = np.random.SeedSequence(seed).generate_state(repeats).tolist()
    if isinstance(counts, (str, bytes)) or not isinstance(counts, Iterable):
        raise InputError(f"counts must be a list of positive integers, got {counts!r}")
    counts = list(counts)
    for c in counts:
        if isinstance(c, bool) or not isinstance(c, (int, np.integer)) or c < 1:
            raise InputError(f"counts must be positive integers, got {c!r}")
    limit = min(sets["ags"].shape[0], sets["train"].shape[0])
    dropped = sorted({int(c) for c in counts if c > limit})
    if dropped:
        log.info("sensitivity: counts %s dropped, more than the %d haplotypes that can be "
                 "planted (min of %d AGs and %d training haplotypes)", dropped, limit,
                 sets["ags"].shape[0], sets["train"].shape[0])
    density = _DensityRatio(sets["reference"], n_components, seed)  # the same for every row
    rows = []
    for n in [0] + sorted({int(c) for c in counts if c <= limit}):
        mixed = plant_training_haplotypes(sets["ags"], sets["train"], n, seed)
        losses = [privacy_loss(mixed, sets["train"], sets["test"], s) for s in loss_seeds]
        attack = _membership_inference(mixed, sets["train"], sets["test"], density, seed, None)
        scores = {"aats_train": float(np.mean([x.train.aa_ts for x in losses])),
                  "aats_test": float(np.mean([x.test.aa_ts for x in losses])),
                  "privacy_loss": float(np.mean([x.loss for x in losses]))}
        rows.append({"planted": n, "identical_to_train":
                     int(identical_to_train(mixed, sets["train"]).sum()),
                     **scores, **attack})
        log.info("sensitivity: %d planted, privacy loss %.4f, distance-attack AUC %.4f", n,
                 scores["privacy_loss"], attack["mia_auc"])
    return pd.DataFrame(rows, columns=SENSITIVITY_COLUMNS)
