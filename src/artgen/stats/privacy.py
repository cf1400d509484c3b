"""Privacy statistics of artificial haplotypes (AGs): copies of training
haplotypes, nearest-neighbour adversarial accuracy and privacy loss, and the
scoring that the membership-inference attacks share.

Inputs are haplotype matrices: numpy ``uint8`` arrays of 0/1, shape
(n_haplotypes, n_snps), rows haplotypes, all on the same SNPs. Distances are
Hamming distances, computed by :mod:`artgen.stats.distances`.

Contents
--------
- :func:`identical_to_train`, :func:`copy_carriers`, :func:`near_copies`:
  which AGs copy a training haplotype, exactly (and how many training
  individuals carry it) or within a few SNPs.
- :func:`adversarial_accuracy`, :func:`privacy_loss`: nearest-neighbour
  adversarial accuracy (AA_TS) and privacy loss, as in Yelmen et al. 2021
  (PLoS Genetics), after Yale et al. 2020.
- :func:`balanced_member_rows`, :func:`roc_auc`, :func:`tpr_at_fpr`: the
  members and non-members that the attacks of :mod:`artgen.stats.attack`
  (distance, density, likelihood ratio) score, and how well their scores
  separate the two.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import rankdata

from artgen.checks import check_count, check_pair, check_seed
from artgen.errors import InputError
from artgen.stats.distances import (check_distance_pair, cross_nearest_distances,
                                    nearest_neighbour_distances, subsample_rows)

__all__ = [
    "AdversarialAccuracy",
    "PrivacyLoss",
    "adversarial_accuracy",
    "balanced_member_rows",
    "copy_carriers",
    "identical_to_train",
    "near_copies",
    "privacy_loss",
    "privacy_loss_standard_error",
    "roc_auc",
    "roc_auc_standard_error",
    "tpr_at_fpr",
]


# --------------------------------------------------------------------------- copies


def identical_to_train(ags, train) -> np.ndarray:
    """Which AGs are identical to at least one training haplotype.

    Rows are hashed (packed to bytes, looked up in a set): no distance
    matrix. Duplicate AG rows are each marked.

    Parameters
    ----------
    ags : ndarray, uint8, shape (n_ags, n_snps)
        Generated haplotypes (any rows to test: a held-out split gives the
        share a generator that never copies would show).
    train : ndarray, uint8, shape (n_train, n_snps)
        The training haplotypes.

    Returns
    -------
    ndarray, bool, shape (n_ags,)
        Its sum is the number of copies.

    Examples
    --------
    >>> train = np.array([[0, 1, 1], [1, 0, 0]], dtype=np.uint8)
    >>> ags = np.array([[0, 1, 1], [0, 1, 1], [1, 1, 1]], dtype=np.uint8)
    >>> identical_to_train(ags, train)
    array([ True,  True, False])
    """
    return copy_carriers(ags, train) > 0


def copy_carriers(ags, train, train_samples=None) -> np.ndarray:
    """How many training individuals carry each AG's haplotype, whole; 0 for
    an AG identical to no training haplotype.

    A copy of a haplotype that one individual carries points at that
    individual; a copy of one that many carry identifies none of them, and
    in a dense region with little recombination a fifth of new real
    haplotypes are such copies (``bench/RESULTS.md``). An individual
    homozygous for the haplotype counts once.

    Parameters
    ----------
    ags : ndarray, uint8, shape (n_ags, n_snps)
    train : ndarray, uint8, shape (n_train, n_snps)
    train_samples : array-like, shape (n_train,), optional
        The individual of each training haplotype (e.g. ``Haplotypes.samples``);
        default: each haplotype its own individual.

    Returns
    -------
    ndarray, int64, shape (n_ags,)

    Examples
    --------
    >>> train = np.array([[0, 1, 1], [0, 1, 1], [0, 1, 1], [1, 0, 0]], dtype=np.uint8)
    >>> ags = np.array([[0, 1, 1], [1, 0, 0], [1, 1, 1]], dtype=np.uint8)
    >>> copy_carriers(ags, train)
    array([3, 1, 0])
    >>> copy_carriers(ags, train, train_samples=["P1", "P1", "P2", "P2"])
    array([2, 1, 0])
    """
    ags, train = check_pair(ags, train, "ags", "train", dtypes="uint8", allow_empty=True)
    if train_samples is None:
        train_samples = np.arange(train.shape[0])
    elif len(train_samples) != train.shape[0]:
        raise InputError(f"train_samples has {len(train_samples)} entries for "
                         f"{train.shape[0]} training haplotypes")
    carriers: dict[bytes, set] = {}
    for row, sample in zip(np.packbits(train, axis=1), train_samples):
        carriers.setdefault(row.tobytes(), set()).add(sample)
    counts = {key: len(samples) for key, samples in carriers.items()}
    return np.fromiter((counts.get(row.tobytes(), 0) for row in np.packbits(ags, axis=1)),
                       dtype=np.int64, count=ags.shape[0])


def near_copies(ags, train, distance: int) -> np.ndarray:
    """Which AGs are within ``distance`` SNPs (Hamming) of a training haplotype.

    Exact copies (distance 0) are included.

    Parameters
    ----------
    ags : ndarray, uint8, shape (n_ags, n_snps)
    train : ndarray, uint8, shape (n_train, n_snps)
        At least one row.
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
    distance = check_count(distance, "distance", 0)
    return nearest_neighbour_distances(ags, train) <= distance


# --------------------------------------------------------------------------- adversarial accuracy


@dataclass(frozen=True)
class AdversarialAccuracy:
    """Nearest-neighbour adversarial accuracy of a real and a synthetic set.

    Attributes
    ----------
    aa_truth : float
        Fraction of real rows whose nearest synthetic row is strictly farther
        than their nearest other real row.
    aa_syn : float
        Fraction of synthetic rows whose nearest real row is strictly farther
        than their nearest other synthetic row.
    aa_ts : float
        (aa_truth + aa_syn) / 2. 0.5 is ideal; below 0.5 means overfitting
        (synthetic rows too close to real ones), above 0.5 underfitting.
    """

    aa_truth: float
    aa_syn: float
    aa_ts: float


@dataclass(frozen=True)
class PrivacyLoss:
    """Privacy loss of a synthetic set: AA_TS against test minus against train.

    Attributes
    ----------
    train, test : AdversarialAccuracy
        Synthetic vs the training set, and vs a held-out test set.
    loss : float
        ``test.aa_ts - train.aa_ts``; positive means the synthetic set is
        closer to the training data than to unseen data (leakage).
    n_train_rows, n_test_rows : int
        Rows of each set used in the train and in the test comparison.
    """

    train: AdversarialAccuracy
    test: AdversarialAccuracy
    loss: float
    n_train_rows: int
    n_test_rows: int


def _accuracy(truth: float, syn: float) -> AdversarialAccuracy:
    return AdversarialAccuracy(aa_truth=truth, aa_syn=syn, aa_ts=(truth + syn) / 2)


def _within(x: np.ndarray, block_rows: int | None) -> np.ndarray:
    """Nearest distance from each row of ``x`` to any other row of ``x``."""
    return nearest_neighbour_distances(x, x, exclude_self=True, block_rows=block_rows)


def _aa(real: np.ndarray, synthetic: np.ndarray, block_rows: int | None,
        d_tt: np.ndarray | None = None) -> AdversarialAccuracy:
    """AA of two checked sets; ``d_tt``, the real set's nearest distances
    within itself, when already known (it is the same for every synthetic
    part compared with one real set)."""
    d_ts, d_st = cross_nearest_distances(real, synthetic, block_rows=block_rows)
    if d_tt is None:
        d_tt = _within(real, block_rows)
    d_ss = _within(synthetic, block_rows)
    return _accuracy(float(np.mean(d_ts > d_tt)), float(np.mean(d_st > d_ss)))


def _check_aa_sizes(real: np.ndarray, synthetic: np.ndarray) -> None:
    if real.shape[0] != synthetic.shape[0]:
        raise InputError(
            f"adversarial accuracy needs sets of equal size, got {real.shape[0]} real and "
            f"{synthetic.shape[0]} synthetic rows; subsample the larger one first, e.g. "
            f"subsample_rows(x, {min(real.shape[0], synthetic.shape[0])}, seed)")
    if real.shape[0] < 2:
        raise InputError(
            f"adversarial accuracy needs at least 2 rows per set, got {real.shape[0]}")


def adversarial_accuracy(real, synthetic, *, block_rows: int | None = None
                         ) -> AdversarialAccuracy:
    """Nearest-neighbour adversarial accuracy AA_TS (Yale et al. 2020).

    With real set T and synthetic set S of equal size n, and Hamming distances:
    ``AA_truth = mean_i 1(d_TS(i) > d_TT(i))`` where d_TS(i) is the distance
    from real row i to its nearest synthetic row and d_TT(i) to its nearest
    *other* real row; ``AA_syn = mean_i 1(d_ST(i) > d_SS(i))`` likewise for
    synthetic rows; ``AA_TS = (AA_truth + AA_syn) / 2``. The comparison is
    strict: ties count as 0, so a synthetic exact copy of the real set gives
    AA_TS = 0 whether or not it has duplicate rows.

    Parameters
    ----------
    real : ndarray, uint8, shape (n, n_snps)
    synthetic : ndarray, uint8, shape (n, n_snps)
        Same number of rows (n >= 2); see :func:`~artgen.stats.distances.subsample_rows`.
    block_rows : int, optional
        Rows per block (default: fits ``BLOCK_BYTES``).

    Returns
    -------
    AdversarialAccuracy

    Examples
    --------
    >>> real = np.array([[0, 0, 0, 0], [1, 1, 0, 0], [1, 1, 1, 0]], dtype=np.uint8)
    >>> adversarial_accuracy(real, real.copy())
    AdversarialAccuracy(aa_truth=0.0, aa_syn=0.0, aa_ts=0.0)
    >>> syn = np.array([[0, 1, 1, 1], [1, 1, 1, 1], [1, 1, 0, 1]], dtype=np.uint8)
    >>> adversarial_accuracy(real, syn).aa_ts   # doctest: +ELLIPSIS
    0.333...
    """
    block_rows = check_count(block_rows, "block_rows", 1, allow_none=True)
    real, synthetic = check_distance_pair(real, synthetic, "real", "synthetic")
    _check_aa_sizes(real, synthetic)
    return _aa(real, synthetic, block_rows)


def privacy_loss(synthetic, train, test, seed, *, matched: bool = False,
                 block_rows: int | None = None) -> PrivacyLoss:
    """Privacy loss: AA_TS(synthetic vs test) - AA_TS(synthetic vs train).

    Each comparison uses as many rows as the smaller of its two sets: a
    synthetic set as large as the training set (the pipeline's default) is
    compared with all of the training set. Subsampling the training set
    down to the (usually smaller) test set would hide leaks: a memorised
    haplotype whose source row is left out of the subsample looks novel, so
    an exact copy of the training set would show only about
    n_test / n_train of its leak. A real set larger than the synthetic one
    is subsampled with :func:`~artgen.stats.distances.subsample_rows`. A synthetic set k times as
    large as its partner (e.g. 704 AGs against a 232-haplotype test split)
    is cut at random into k disjoint parts of the partner's size, each
    compared with the partner, and the accuracies are averaged: every AG
    counts, and the luck of one random part (which moved the loss by up to
    0.05 at these sizes) averages out; rows left over after k parts are not
    used. The seeds come from ``numpy.random.SeedSequence(seed).generate_state(4)``
    (synthetic and train for the first comparison, synthetic and test for
    the second). A set of exactly the needed size is used whole.

    With ``matched=True`` both comparisons are at one size, ``n`` = the
    smallest of the three sets (the paper's and Yale et al.'s definition:
    as many real as synthetic rows, train and test alike). The training set
    is cut at random into as many disjoint parts of ``n`` rows as it holds,
    part ``i`` compared with synthetic part ``i`` (cycling through the
    synthetic parts), and the accuracies averaged, so every training row
    counts; the test set is compared with every synthetic part. AA_TS
    depends on the set sizes for any generator unlike the data (AGs that
    cluster, chains started at a small sampling set): compared at ``N``
    training rows and ``n`` test rows, such a generator that never saw the
    training set reads a privacy loss far from 0 (-0.16 for resampled real
    haplotypes at 2,718 against 1,064 on the 805-SNP data; +0.006 matched).
    The price: an exact copy of a training row shows only when its copy
    falls in the same synthetic part (``n / n_syn`` of the time), so a
    copy of the whole training set reads about ``n / n_train`` of its leak;
    count copies apart (:func:`identical_to_train`).

    Parameters
    ----------
    synthetic : ndarray, uint8, shape (n_syn, n_snps)
    train : ndarray, uint8, shape (n_train, n_snps)
        Real haplotypes the generative model was trained on.
    test : ndarray, uint8, shape (n_test, n_snps)
        Real haplotypes from the same population, not used in training.
    seed : int
        Non-negative; makes the subsampling reproducible.
    block_rows : int, optional
        Rows per block (default: fits ``BLOCK_BYTES``).

    Returns
    -------
    PrivacyLoss
        Positive ``loss`` means leakage: the synthetic set is closer to the
        training rows than to unseen ones.

    Examples
    --------
    >>> train = np.array([[0, 0, 0, 0], [1, 1, 0, 0], [1, 1, 1, 0]], dtype=np.uint8)
    >>> test = np.array([[0, 0, 1, 1], [1, 0, 1, 1], [0, 1, 1, 1]], dtype=np.uint8)
    >>> result = privacy_loss(train.copy(), train, test, seed=0)
    >>> result.train.aa_ts, result.loss > 0
    (0.0, True)
    """
    block_rows = check_count(block_rows, "block_rows", 1, allow_none=True)
    synthetic, train = check_distance_pair(synthetic, train, "synthetic", "train")
    synthetic, test = check_distance_pair(synthetic, test, "synthetic", "test")
    seed = check_seed(seed)
    if matched:
        n_train = n_test = min(synthetic.shape[0], train.shape[0], test.shape[0])
    else:
        n_train = min(synthetic.shape[0], train.shape[0])
        n_test = min(synthetic.shape[0], test.shape[0])
    if min(n_train, n_test) < 2:
        raise InputError(f"privacy loss needs at least 2 rows in every set, got "
                         f"{synthetic.shape[0]} synthetic, {train.shape[0]} train, "
                         f"{test.shape[0]} test")
    seeds = np.random.SeedSequence(int(seed)).generate_state(4)

    def take(x, n, s):
        return x if x.shape[0] == n else subsample_rows(x, n, int(s))

    def parts(x, n, s):
        """``x`` cut at random into ``len(x) // n`` disjoint parts of ``n`` rows."""
        order = np.random.default_rng(int(s)).permutation(x.shape[0])
        return [x[np.sort(order[i * n:(i + 1) * n])] for i in range(x.shape[0] // n)]

    def mean_accuracy(each):
        return _accuracy(float(np.mean([aa.aa_truth for aa in each])),
                         float(np.mean([aa.aa_syn for aa in each])))

    def compare(real, n, real_seed, syn_seed):
        real = take(real, n, real_seed)
        syn_parts = [synthetic] if synthetic.shape[0] == n else parts(synthetic, n, syn_seed)
        d_tt = _within(real, block_rows)
        return mean_accuracy([_aa(real, syn, block_rows, d_tt) for syn in syn_parts])

    if matched:
        on_test = compare(test, n_test, seeds[3], seeds[2])
        real_parts = parts(train, n_train, seeds[1])
        syn_parts = parts(synthetic, n_train, seeds[0])
        on_train = mean_accuracy([
            _aa(real, syn_parts[i % len(syn_parts)], block_rows)
            for i, real in enumerate(real_parts)])
        n_train *= len(real_parts)
    else:
        on_train = compare(train, n_train, seeds[1], seeds[0])
        on_test = compare(test, n_test, seeds[3], seeds[2])
    return PrivacyLoss(train=on_train, test=on_test, loss=on_test.aa_ts - on_train.aa_ts,
                       n_train_rows=n_train, n_test_rows=n_test)


def privacy_loss_standard_error(n_rows: int) -> float:
    """The standard error of a privacy loss when nothing leaks, ``0.5 / sqrt(n)``.

    Each AA half is a mean of ``n_rows`` nearest-neighbour indicators that
    are near fair coins when the synthetic set is unlike both real sets in
    the same way, so each AATS has a variance of about ``0.125 / n`` and
    their difference ``0.25 / n`` (an upper bound for
    :func:`privacy_loss` with ``matched=True``, which averages the training
    side over several parts). At 68 validation haplotypes it is 0.061 (30
    independent samples of one simulated population gave 0.052), at 474 it
    is 0.023: a set this small cannot tell a loss of 0.02 from none.

    Parameters
    ----------
    n_rows : int
        Real rows on each side of the comparison (``PrivacyLoss.n_test_rows``).

    Examples
    --------
    >>> privacy_loss_standard_error(100)
    0.05
    """
    return 0.5 / float(np.sqrt(check_count(n_rows, "n_rows", 1)))


# --------------------------------------------------------------------------- attacks


def balanced_member_rows(n_train: int, n_test: int, seed: int,
                         n_members: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The rows every attack scores: members (of the training set) and
    non-members (of the test split), as many of each.

    A class larger than ``n_members`` is drawn down to it, in row order, as
    :func:`~artgen.stats.distances.subsample_rows` draws it, with the first
    (members) and second (non-members) seed of
    ``numpy.random.SeedSequence(seed).generate_state(2)``; so all attacks
    score the same members for one seed.

    Parameters
    ----------
    n_train, n_test : int
        Rows of the training set and of the test split.
    seed : int
        Non-negative.
    n_members : int, optional
        Rows per class, at most ``min(n_train, n_test)`` (the default).

    Returns
    -------
    member_rows : ndarray, int, shape (n_members,)
        Rows of the training set, increasing.
    nonmember_rows : ndarray, int, shape (n_members,)
        Rows of the test split, increasing.

    Examples
    --------
    >>> members, nonmembers = balanced_member_rows(10, 3, seed=0)
    >>> len(members), nonmembers.tolist()
    (3, [0, 1, 2])
    """
    if n_members is None:
        n = min(n_train, n_test)
    else:
        n = check_count(n_members, "n_members", 1, high=min(n_train, n_test))
    member_seed, nonmember_seed = (int(s) for s in np.random.SeedSequence(seed).generate_state(2))

    def draw(size, rng_seed):
        if n == size:
            return np.arange(size)
        return subsample_rows(np.arange(size), n, rng_seed)

    return draw(n_train, member_seed), draw(n_test, nonmember_seed)


def _check_scores(x, name: str) -> np.ndarray:
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be numbers") from None
    if arr.ndim != 1 or arr.size == 0:
        raise InputError(f"{name} must be a non-empty 1-D array of scores, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise InputError(f"{name} holds a NaN or infinite score")
    return arr



def roc_auc(member_scores, nonmember_scores) -> float:
    """Area under the ROC curve: P(member score > non-member score), ties 1/2.

    The Mann-Whitney U statistic with average ranks, divided by
    ``n_members * n_nonmembers``; equal to
    ``sklearn.metrics.roc_auc_score`` (checked in the tests).

    Parameters
    ----------
    member_scores, nonmember_scores : array_like, shape (n,), (m,)
        Finite scores, higher = more likely a member; at least one each.

    Returns
    -------
    float
        1 = members always score higher; 0.5 = no separation.

    Examples
    --------
    >>> roc_auc([3, 2], [2, 1])     # pairs 3>2, 3>1, 2=2 (1/2), 2>1
    0.875
    """
    m = _check_scores(member_scores, "member_scores")
    n = _check_scores(nonmember_scores, "nonmember_scores")
    ranks = rankdata(np.concatenate([m, n]))  # average ranks of ties
    u = ranks[:m.size].sum() - m.size * (m.size + 1) / 2.0
    return float(u / (m.size * n.size))


def roc_auc_standard_error(n_members: int, n_nonmembers: int) -> float:
    """The standard error of :func:`roc_auc` when members and non-members
    score alike, ``sqrt((n1 + n0 + 1) / (12 n1 n0))`` (the Mann-Whitney U's
    null variance over ``(n1 n0)^2``; ties make it smaller).

    Examples
    --------
    >>> round(roc_auc_standard_error(120, 68), 4)
    0.0439
    """
    n1 = check_count(n_members, "n_members", 1)
    n0 = check_count(n_nonmembers, "n_nonmembers", 1)
    return float(np.sqrt((n1 + n0 + 1) / (12.0 * n1 * n0)))


def tpr_at_fpr(member_scores, nonmember_scores, fpr: float = 0.01, *,
               interpolate: bool = True) -> float:
    """True-positive rate of the attack at a false-positive rate of ``fpr``.

    A candidate is called a member when its score is at least a threshold
    ``t``; each distinct score (and +inf) gives one point of the ROC curve,
    as ``sklearn.metrics.roc_curve(..., drop_intermediate=False)`` lists
    them.

    ``interpolate=True`` (default): the ROC curve with straight segments
    between its points, read at ``fpr``. A segment is what an attacker gets
    by calling a random share of a group of tied candidates members, so the
    value is achievable in expectation, and it is the curve whose area is
    :func:`roc_auc` (ties counted 1/2). Distance scores are small integers
    with many ties: without interpolation a single tie group holding more
    than ``fpr`` of the non-members forces the value to the point below it,
    often 0, however many members the group holds.

    ``interpolate=False``: the largest TPR among the ROC points with
    ``FPR <= fpr`` (``tpr[fpr_curve <= fpr].max()``), the best a
    deterministic threshold achieves.

    Parameters
    ----------
    member_scores, nonmember_scores : array_like
        Finite scores, higher = more likely a member; at least one each.
    fpr : float, default 0.01
        False-positive rate, in [0, 1].
    interpolate : bool, default True

    Returns
    -------
    float

    Examples
    --------
    >>> tpr_at_fpr([5, 4, 1, 1], [4, 1, 0, 0], fpr=0.0)
    0.25
    >>> tpr_at_fpr([5, 4, 1, 1], [4, 1, 0, 0], fpr=0.125)   # halfway up the tie at 4
    0.375
    >>> tpr_at_fpr([5, 4, 1, 1], [4, 1, 0, 0], fpr=0.125, interpolate=False)
    0.25
    """
    m = _check_scores(member_scores, "member_scores")
    n = _check_scores(nonmember_scores, "nonmember_scores")
    if isinstance(fpr, bool) or not isinstance(fpr, (int, float, np.integer, np.floating)) \
            or not 0.0 <= fpr <= 1.0:
        raise InputError(f"fpr must be a number between 0 and 1, got {fpr!r}")
    thresholds = np.unique(np.concatenate([m, n]))[::-1]  # highest first
    # the ROC points, from (0, 0) (threshold +inf) to (1, 1) (the lowest score)
    tp = np.concatenate([[0], m.size - np.searchsorted(np.sort(m), thresholds, side="left")])
    fp = np.concatenate([[0], n.size - np.searchsorted(np.sort(n), thresholds, side="left")])
    x, y = fp / n.size, tp / m.size
    k = int(np.flatnonzero(x <= fpr)[-1])  # last point at or left of fpr: the highest there
    if not interpolate or x[k] == fpr or k == x.size - 1:
        return float(y[k])
    return float(y[k] + (fpr - x[k]) * (y[k + 1] - y[k]) / (x[k + 1] - x[k]))
