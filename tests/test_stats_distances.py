"""Tests of artgen.stats.distances: Hamming distances, their histograms,
Wasserstein distance, nearest neighbours, exact copies, adversarial accuracy
and privacy loss."""

from __future__ import annotations

import doctest

import numpy as np
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial.distance import cdist, pdist

import artgen.stats.distances as dist
import artgen.stats.privacy as privacy
from artgen.errors import InputError
from artgen.stats.distances import (
    cross_nearest_distances,
    hamming_distances,
    iter_distance_blocks,
    nearest_neighbour_distances,
    pairwise_distance_counts,
    subsample_rows,
    wasserstein_from_counts,
)
from artgen.stats.privacy import (
    AdversarialAccuracy,
    adversarial_accuracy,
    copy_carriers,
    identical_to_train,
    privacy_loss_standard_error,
    privacy_loss,
)


def u8(rows):
    return np.array(rows, dtype=np.uint8)


# Hand case: 3 haplotypes x 4 SNPs.
#   h0 = 0000, h1 = 1100, h2 = 1110
#   d(h0,h1) = 2 (SNPs 0,1), d(h0,h2) = 3 (SNPs 0,1,2), d(h1,h2) = 1 (SNP 2)
H = u8([[0, 0, 0, 0],
        [1, 1, 0, 0],
        [1, 1, 1, 0]])
# Second set: b0 = 0001, b1 = 1111
#   h0: b0 1 (SNP 3), b1 4      h1: b0 3 (0,1,3), b1 2 (2,3)      h2: b0 4, b1 1 (3)
B = u8([[0, 0, 0, 1],
        [1, 1, 1, 1]])


def random_haplotypes(rng, n, n_snps, p=0.5):
    return (rng.random((n, n_snps)) < p).astype(np.uint8)


def make_population(seed, n_snps, n_founders=15, fst=0.1):
    """A small structured population: two sub-populations (Balding-Nichols
    allele frequencies around shared ancestral ones), each a pool of founder
    haplotypes. Returns a sampler of new haplotypes: mosaics of the founders
    of one sub-population (copying switches like recombination, so there is
    LD), with a few new mutations."""
    rng = np.random.default_rng(seed)
    ancestral = np.clip(rng.beta(0.5, 0.5, n_snps), 0.02, 0.98)
    founders = []
    for _ in range(2):
        f = rng.beta(ancestral * (1 - fst) / fst, (1 - ancestral) * (1 - fst) / fst)
        founders.append((rng.random((n_founders, n_snps)) < f).astype(np.uint8))

    def sample(n, rng):
        out = np.empty((n, n_snps), dtype=np.uint8)
        pops = rng.integers(0, 2, n)
        for i in range(n):
            # copy from founder k until a switch (rate 0.02 per SNP)
            switches = np.flatnonzero(rng.random(n_snps) < 0.02)
            starts = np.concatenate([[0], switches])
            which = rng.integers(0, n_founders, len(starts))
            source = np.repeat(which, np.diff(np.concatenate([starts, [n_snps]])))
            out[i] = founders[pops[i]][source, np.arange(n_snps)]
        mutations = rng.random((n, n_snps)) < 0.01
        out[mutations] ^= 1
        return out

    return sample


def slow_aa(real, synthetic):
    """Adversarial accuracy straight from the definition, with scipy cdist."""
    n_snps = real.shape[1]
    d = lambda x, y: np.rint(cdist(x, y, metric="hamming") * n_snps)  # noqa: E731
    d_ts_full = d(real, synthetic)
    d_tt_full = d(real, real)
    d_ss_full = d(synthetic, synthetic)
    np.fill_diagonal(d_tt_full, np.inf)
    np.fill_diagonal(d_ss_full, np.inf)
    d_ts, d_tt = d_ts_full.min(axis=1), d_tt_full.min(axis=1)
    d_st, d_ss = d_ts_full.min(axis=0), d_ss_full.min(axis=1)
    truth = np.mean(d_ts > d_tt)
    syn = np.mean(d_st > d_ss)
    return truth, syn, (truth + syn) / 2


# --------------------------------------------------------------------------- hand cases


def test_hand_distances():
    expected_within = [[0, 2, 3],
                       [2, 0, 1],
                       [3, 1, 0]]
    d = hamming_distances(H)
    assert d.dtype == np.int32 and d.shape == (3, 3)
    assert d.tolist() == expected_within
    d = hamming_distances(H, B)
    assert d.dtype == np.int32
    assert d.tolist() == [[1, 4], [3, 2], [4, 1]]
    assert hamming_distances(B, H).tolist() == [[1, 3, 4], [4, 2, 1]]


def test_hand_counts():
    # within H: pairs (0,1)=2, (0,2)=3, (1,2)=1 -> one each at 1, 2, 3; length L+1 = 5
    c = pairwise_distance_counts(H)
    assert c.dtype == np.int64
    assert c.tolist() == [0, 1, 1, 1, 0]
    # H vs B: 1, 4, 3, 2, 4, 1 -> two 1s, one 2, one 3, two 4s
    assert pairwise_distance_counts(H, B).tolist() == [0, 2, 1, 1, 2]
    # H vs H given explicitly: all 9 ordered pairs, self pairs included
    assert pairwise_distance_counts(H, H).tolist() == [3, 2, 2, 2, 0]
    # fewer than 2 rows: no pairs
    assert pairwise_distance_counts(H[:1]).tolist() == [0, 0, 0, 0, 0]


def test_hand_nearest_neighbours():
    assert nearest_neighbour_distances(H, H).tolist() == [0, 0, 0]
    # nearest other row: h0 -> h1 (2), h1 -> h2 (1), h2 -> h1 (1)
    nn = nearest_neighbour_distances(H, H, exclude_self=True)
    assert nn.dtype == np.int32 and nn.tolist() == [2, 1, 1]
    # h0 -> b0 (1), h1 -> b1 (2), h2 -> b1 (1)
    assert nearest_neighbour_distances(H, B).tolist() == [1, 2, 1]
    # an identical OTHER row still counts as 0: rows 0 and 1 are equal
    dup = u8([[1, 0, 1, 0], [1, 0, 1, 0], [0, 0, 0, 0]])
    assert nearest_neighbour_distances(dup, dup, exclude_self=True).tolist() == [0, 0, 2]


def test_hand_identical_to_train():
    ref = u8([[0, 1, 1, 0, 1, 0, 0, 1, 1],   # 9 SNPs: packbits spans 2 bytes
              [1, 0, 0, 0, 0, 0, 0, 0, 0],
              [1, 0, 0, 0, 0, 0, 0, 0, 0]])  # duplicate in the reference
    cand = u8([[0, 1, 1, 0, 1, 0, 0, 1, 1],  # = ref0
               [0, 1, 1, 0, 1, 0, 0, 1, 1],  # = ref0 again: counts again
               [1, 0, 0, 0, 0, 0, 0, 0, 0],  # = ref1
               [1, 0, 0, 0, 0, 0, 0, 0, 1],  # differs from ref1 in the 9th SNP only
               [0, 0, 0, 0, 0, 0, 0, 0, 0]])
    assert identical_to_train(cand, ref).tolist() == [True, True, True, False, False]
    assert identical_to_train(ref, cand).sum() == 3
    assert identical_to_train(cand[3:], ref).sum() == 0
    assert identical_to_train(cand, ref).dtype == bool


def test_hand_copy_carriers_count_individuals_once():
    train = u8([[1, 1, 1], [1, 1, 1],   # individual P1, homozygous
                [1, 1, 1], [0, 0, 0],   # P2
                [0, 1, 0], [1, 0, 1]])  # P3
    ags = u8([[1, 1, 1], [0, 0, 0], [0, 1, 1], [1, 0, 1]])
    assert copy_carriers(ags, train).tolist() == [3, 1, 0, 1]  # haplotypes
    people = ["P1", "P1", "P2", "P2", "P3", "P3"]
    assert copy_carriers(ags, train, train_samples=people).tolist() == [2, 1, 0, 1]
    assert copy_carriers(ags, train).dtype == np.int64
    assert np.array_equal(copy_carriers(ags, train) > 0, identical_to_train(ags, train))
    assert copy_carriers(ags[:0], train).shape == (0,)
    with pytest.raises(InputError, match="train_samples has 2 entries for 6 training"):
        copy_carriers(ags, train, train_samples=["P1", "P2"])


def test_hand_adversarial_accuracy_with_ties():
    # T = H: t0 = 0000, t1 = 1100, t2 = 1110; nearest other real: d_TT = [2, 1, 1]
    # S: s0 = 0111, s1 = 1111, s2 = 1101
    #   within S: d(s0,s1) = 1, d(s0,s2) = 2, d(s1,s2) = 1 -> d_SS = [1, 1, 1]
    #   d(T, S):    s0 s1 s2
    #          t0 [  3, 4, 3 ]   d_TS(t0) = 3 > 2 -> 1
    #          t1 [  3, 2, 1 ]   d_TS(t1) = 1 > 1 tie -> 0
    #          t2 [  2, 1, 2 ]   d_TS(t2) = 1 > 1 tie -> 0     AA_truth = 1/3
    #   d_ST = column minima = [2, 1, 1]
    #     s0: 2 > 1 -> 1;  s1: 1 > 1 tie -> 0;  s2: 1 > 1 tie -> 0  AA_syn = 1/3
    S = u8([[0, 1, 1, 1],
            [1, 1, 1, 1],
            [1, 1, 0, 1]])
    assert hamming_distances(H, S).tolist() == [[3, 4, 3], [3, 2, 1], [2, 1, 2]]
    aa = adversarial_accuracy(H, S)
    assert isinstance(aa, AdversarialAccuracy)
    assert aa.aa_truth == pytest.approx(1 / 3)
    assert aa.aa_syn == pytest.approx(1 / 3)
    assert aa.aa_ts == pytest.approx(1 / 3)
    assert slow_aa(H, S) == pytest.approx((1 / 3, 1 / 3, 1 / 3))
    # swapping the roles swaps truth and syn
    swapped = adversarial_accuracy(S, H)
    assert (swapped.aa_truth, swapped.aa_syn) == (aa.aa_syn, aa.aa_truth)
    # frozen
    with pytest.raises(AttributeError):
        aa.aa_ts = 0.5  # type: ignore[misc]


def test_hand_adversarial_accuracy_far_synthetic():
    # T = H as above (d_TT = [2, 1, 1]); S far from T: s0 = s1 = 1111, s2 = 1011
    #   within S: d(s0,s1) = 0, d(s0,s2) = d(s1,s2) = 1 (SNP 1) -> d_SS = [0, 0, 1]
    #   d(T, S):    s0 s1 s2
    #          t0 [  4, 4, 3 ]   3 > 2 -> 1
    #          t1 [  2, 2, 3 ]   2 > 1 -> 1
    #          t2 [  1, 1, 2 ]   1 > 1 tie -> 0          AA_truth = 2/3
    #   d_ST = column minima = [1, 1, 2]
    #     s0: 1 > 0 -> 1;  s1: 1 > 0 -> 1;  s2: 2 > 1 -> 1   AA_syn = 1
    #   AA_TS = 5/6 > 0.5: the synthetic rows are too far (underfitting)
    S = u8([[1, 1, 1, 1], [1, 1, 1, 1], [1, 0, 1, 1]])
    assert hamming_distances(H, S).tolist() == [[4, 4, 3], [2, 2, 3], [1, 1, 2]]
    aa = adversarial_accuracy(H, S)
    assert (aa.aa_truth, aa.aa_syn) == pytest.approx((2 / 3, 1.0))
    assert aa.aa_ts == pytest.approx(5 / 6)
    assert slow_aa(H, S) == pytest.approx((2 / 3, 1.0, 5 / 6))


def test_wasserstein_hand():
    assert wasserstein_from_counts([1, 0, 0], [0, 0, 1]) == 2.0
    assert wasserstein_from_counts([5, 0, 0], [0, 0, 1]) == 2.0  # normalised
    # CDFs: a = [.5, 1, 1], b = [0, .5, 1] -> |.5| + |.5| = 1
    assert wasserstein_from_counts([1, 1, 0], [0, 1, 1]) == pytest.approx(1.0)
    assert wasserstein_from_counts([3, 1, 4], [3, 1, 4]) == 0.0
    assert wasserstein_from_counts(np.array([0.5, 0.5]), np.array([1, 0])) == pytest.approx(0.5)


@pytest.mark.parametrize("module", [dist, privacy])
def test_doctests(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 8
    assert result.failed == 0


def test_cross_nearest_distances_are_both_directions():
    rng = np.random.default_rng(12)
    a = random_haplotypes(rng, 30, 40, p=0.3)
    b = random_haplotypes(rng, 25, 40, p=0.3)
    a_to_b, b_to_a = cross_nearest_distances(a, b, block_rows=7)
    assert np.array_equal(a_to_b, nearest_neighbour_distances(a, b))
    assert np.array_equal(b_to_a, nearest_neighbour_distances(b, a))
    with pytest.raises(ValueError, match="at least one row"):
        cross_nearest_distances(a, b[:0])


# --------------------------------------------------------------------------- against scipy


@pytest.mark.parametrize("shape_a,shape_b", [((40, 1), (30, 1)), ((120, 257), (90, 257)),
                                             ((1, 64), (50, 64))])
def test_hamming_matches_cdist(shape_a, shape_b):
    rng = np.random.default_rng(0)
    a = random_haplotypes(rng, *shape_a, p=0.3)
    b = random_haplotypes(rng, *shape_b, p=0.3)
    n_snps = a.shape[1]
    expected = np.rint(cdist(a, b, metric="hamming") * n_snps).astype(np.int32)
    assert np.array_equal(hamming_distances(a, b), expected)
    expected_self = np.rint(cdist(a, a, metric="hamming") * n_snps).astype(np.int32)
    assert np.array_equal(hamming_distances(a), expected_self)


@settings(max_examples=40, deadline=None)
@given(n_a=st.integers(0, 12), n_b=st.integers(0, 12), n_snps=st.integers(1, 40),
       block_rows=st.integers(1, 5), seed=st.integers(0, 2**32 - 1))
def test_hamming_and_counts_property(n_a, n_b, n_snps, block_rows, seed):
    rng = np.random.default_rng(seed)
    a = random_haplotypes(rng, n_a, n_snps)
    b = random_haplotypes(rng, n_b, n_snps)
    expected = np.rint(cdist(a, b, metric="hamming") * n_snps).astype(int).reshape(n_a, n_b)
    assert np.array_equal(hamming_distances(a, b, block_rows=block_rows), expected)
    assert np.array_equal(pairwise_distance_counts(a, b, block_rows=block_rows),
                          np.bincount(expected.ravel(), minlength=n_snps + 1))
    within = np.rint(pdist(a, metric="hamming") * n_snps).astype(int) if n_a > 1 else []
    assert np.array_equal(pairwise_distance_counts(a, block_rows=block_rows),
                          np.bincount(np.asarray(within, dtype=int), minlength=n_snps + 1))


def test_counts_match_pdist():
    rng = np.random.default_rng(1)
    a = random_haplotypes(rng, 300, 500, p=0.2)
    b = random_haplotypes(rng, 200, 500, p=0.25)
    within = np.rint(pdist(a, metric="hamming") * 500).astype(int)
    counts = pairwise_distance_counts(a)
    assert counts.shape == (501,)
    assert counts.sum() == 300 * 299 // 2
    assert np.array_equal(counts, np.bincount(within, minlength=501))
    between = np.rint(cdist(a, b, metric="hamming") * 500).astype(int).ravel()
    assert np.array_equal(pairwise_distance_counts(a, b), np.bincount(between, minlength=501))


def test_wasserstein_matches_scipy_on_distance_histograms():
    rng = np.random.default_rng(2)
    a = random_haplotypes(rng, 150, 300, p=0.2)
    b = random_haplotypes(rng, 120, 300, p=0.3)
    ca, cb = pairwise_distance_counts(a), pairwise_distance_counts(b)
    support = np.arange(301)
    expected = scipy.stats.wasserstein_distance(np.repeat(support, ca), np.repeat(support, cb))
    assert abs(wasserstein_from_counts(ca, cb) - expected) < 1e-9


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), min_size=1, max_size=25))
def test_wasserstein_property(pairs):
    ca = np.array([p[0] for p in pairs])
    cb = np.array([p[1] for p in pairs])
    if ca.sum() == 0 or cb.sum() == 0:
        with pytest.raises(ValueError, match="empty"):
            wasserstein_from_counts(ca, cb)
        return
    support = np.arange(len(pairs))
    expected = scipy.stats.wasserstein_distance(np.repeat(support, ca), np.repeat(support, cb))
    got = wasserstein_from_counts(ca, cb)
    assert abs(got - expected) < 1e-9
    assert got == pytest.approx(wasserstein_from_counts(cb, ca), abs=1e-12)
    # also as weights
    assert abs(got - scipy.stats.wasserstein_distance(support, support, ca, cb)) < 1e-9


def test_nearest_neighbours_match_cdist():
    rng = np.random.default_rng(3)
    q = random_haplotypes(rng, 170, 200, p=0.1)
    r = random_haplotypes(rng, 130, 200, p=0.1)
    r[5] = q[7]  # an exact copy
    expected = np.rint(cdist(q, r, metric="hamming") * 200).min(axis=1)
    got = nearest_neighbour_distances(q, r)
    assert got.dtype == np.int32 and got.shape == (170,)
    assert np.array_equal(got, expected)
    assert got[7] == 0
    # exclude_self, with a duplicated row
    q[10] = q[20]
    full = np.rint(cdist(q, q, metric="hamming") * 200)
    np.fill_diagonal(full, np.inf)
    got = nearest_neighbour_distances(q, q, exclude_self=True)
    assert np.array_equal(got, full.min(axis=1))
    assert got[10] == got[20] == 0


def test_adversarial_accuracy_matches_direct_definition():
    rng = np.random.default_rng(4)
    # low-diversity data: many ties and duplicates, so the tie rule matters
    real = random_haplotypes(rng, 150, 12, p=0.15)
    synthetic = random_haplotypes(rng, 150, 12, p=0.2)
    aa = adversarial_accuracy(real, synthetic)
    truth, syn, ts = slow_aa(real, synthetic)
    assert (aa.aa_truth, aa.aa_syn, aa.aa_ts) == (truth, syn, ts)
    # higher diversity
    real = random_haplotypes(rng, 120, 300, p=0.3)
    synthetic = random_haplotypes(rng, 120, 300, p=0.35)
    aa = adversarial_accuracy(real, synthetic)
    assert (aa.aa_truth, aa.aa_syn, aa.aa_ts) == slow_aa(real, synthetic)


# --------------------------------------------------------------------------- leak and good cases


def test_leak_exact_copy_of_training_set():
    sample = make_population(10, 400)
    rng = np.random.default_rng(11)
    train = sample(200, rng)
    test = sample(200, rng)
    # the synthetic set is the training set, rows shuffled
    synthetic = train[rng.permutation(200)]
    assert identical_to_train(synthetic, train).sum() == 200
    assert identical_to_train(test, train).sum() == 0
    # every real row has its copy in S: d_TS = 0, and 0 > d_TT never holds
    # (strict >), whatever d_TT is; same for synthetic rows. So AA = 0 exactly,
    # even with duplicated rows.
    aa = adversarial_accuracy(train, synthetic)
    assert (aa.aa_truth, aa.aa_syn, aa.aa_ts) == (0.0, 0.0, 0.0)
    dup = train.copy()
    dup[1] = dup[0]
    assert adversarial_accuracy(dup, dup.copy()) == AdversarialAccuracy(0.0, 0.0, 0.0)

    result = privacy_loss(synthetic, train, test, seed=0)
    assert (result.n_train_rows, result.n_test_rows) == (200, 200)
    assert result.train == aa
    assert result.test.aa_ts > 0.35  # independent test set: near 0.5
    assert result.loss == result.test.aa_ts - result.train.aa_ts
    assert result.loss > 0.35


def test_copy_of_a_large_training_set_shows_its_whole_leak_against_a_small_test_set():
    sample = make_population(40, 300)
    rng = np.random.default_rng(41)
    train, test = sample(300, rng), sample(100, rng)
    copies = train[rng.permutation(300)]
    result = privacy_loss(copies, train, test, seed=3)
    assert (result.n_train_rows, result.n_test_rows) == (300, 100)
    assert result.train.aa_ts == 0.0
    assert result.loss > 0.35


def test_well_behaved_generator():
    sample = make_population(20, 400)
    rng = np.random.default_rng(21)
    train, test, synthetic = sample(400, rng), sample(400, rng), sample(400, rng)
    # real rows are mosaics of few founders: close relatives exist (structure)
    assert nearest_neighbour_distances(train, train, exclude_self=True).mean() < 0.5 * \
        nearest_neighbour_distances(train, random_haplotypes(rng, 400, 400)).mean()
    aa = adversarial_accuracy(train, synthetic)
    assert abs(aa.aa_ts - 0.5) < 0.1
    assert abs(aa.aa_truth - 0.5) < 0.15 and abs(aa.aa_syn - 0.5) < 0.15
    result = privacy_loss(synthetic, train, test, seed=1)
    assert abs(result.train.aa_ts - 0.5) < 0.1
    assert abs(result.test.aa_ts - 0.5) < 0.1
    assert abs(result.loss) < 0.1


def test_privacy_loss_averages_disjoint_parts_as_documented():
    """A synthetic set k times as large as its partner is cut into k disjoint
    random parts of the partner's size; the accuracies are their mean."""
    rng = np.random.default_rng(30)
    sample = make_population(31, 120)
    synthetic, train, test = sample(170, rng), sample(70, rng), sample(80, rng)
    result = privacy_loss(synthetic, train, test, seed=7)
    assert (result.n_train_rows, result.n_test_rows) == (70, 80)
    seeds = np.random.SeedSequence(7).generate_state(4)

    def parts(n, seed):
        order = np.random.default_rng(int(seed)).permutation(170)
        return [synthetic[np.sort(order[i * n:(i + 1) * n])] for i in range(170 // n)]

    # 170 rows: two parts of 70 (30 left over) and two of 80 (10 left over)
    for got, real, seed in ((result.train, train, seeds[0]), (result.test, test, seeds[2])):
        each = [adversarial_accuracy(real, part) for part in parts(len(real), seed)]
        assert len(each) == 2
        for field in ("aa_truth", "aa_syn", "aa_ts"):
            assert getattr(got, field) == pytest.approx(np.mean([getattr(a, field) for a in each]))
    assert result.loss == pytest.approx(result.test.aa_ts - result.train.aa_ts)
    assert result == privacy_loss(synthetic, train, test, seed=7)  # reproducible
    # a synthetic set as large as its partner is used whole
    whole = privacy_loss(synthetic[:70], train, test[:70], seed=7)
    assert whole.train == adversarial_accuracy(train, synthetic[:70])
    assert whole.test == adversarial_accuracy(test[:70], synthetic[:70])


def test_subsample_rows():
    x = np.arange(40).reshape(20, 2)
    s = subsample_rows(x, 8, seed=3)
    assert s.shape == (8, 2)
    assert len(np.unique(s[:, 0])) == 8  # without replacement
    assert np.all(np.diff(s[:, 0]) > 0)  # original order kept
    assert np.array_equal(s, subsample_rows(x, 8, seed=3))
    assert not np.array_equal(s, subsample_rows(x, 8, seed=4))
    assert subsample_rows(x, 0, seed=1).shape == (0, 2)
    assert np.array_equal(np.sort(subsample_rows(x, 20, seed=1)[:, 0]), x[:, 0])


# --------------------------------------------------------------------------- blocked = unblocked


@pytest.mark.parametrize("uncached", [False, True])
def test_blocked_equals_unblocked(monkeypatch, uncached):
    rng = np.random.default_rng(40)
    a = random_haplotypes(rng, 103, 150, p=0.3)
    b = random_haplotypes(rng, 97, 150, p=0.3)
    a[50] = a[3]
    b[7] = a[9]
    ref_full_ab = hamming_distances(a, b)
    ref_full_aa = hamming_distances(a)
    ref_counts_aa = pairwise_distance_counts(a)
    ref_counts_ab = pairwise_distance_counts(a, b)
    ref_nn = nearest_neighbour_distances(a, b)
    ref_nn_self = nearest_neighbour_distances(a, a, exclude_self=True)
    ref_aa = adversarial_accuracy(a[:97], b)
    ref_pl = privacy_loss(b, a[:60], a[60:], seed=5)
    if uncached:
        # no float32 copy of whole operands, tiny budget: tiles on both sides
        monkeypatch.setattr(dist, "F32_CACHE_BYTES", 0)
        monkeypatch.setattr(dist, "BLOCK_BYTES", 40_000)
        monkeypatch.setattr(dist, "_BINCOUNT_CHUNK", 100)
    for block_rows in (None, 1, 7, 64, 1000):
        assert np.array_equal(hamming_distances(a, b, block_rows=block_rows), ref_full_ab)
        assert np.array_equal(hamming_distances(a, block_rows=block_rows), ref_full_aa)
        blocks = list(iter_distance_blocks(a, b, block_rows=block_rows))
        assert [s for s, _ in blocks] == sorted(s for s, _ in blocks)
        assert np.array_equal(np.vstack([blk for _, blk in blocks]), ref_full_ab)
        self_blocks = list(iter_distance_blocks(a, block_rows=block_rows))
        assert np.array_equal(np.vstack([blk for _, blk in self_blocks]), ref_full_aa)
        assert np.array_equal(pairwise_distance_counts(a, block_rows=block_rows), ref_counts_aa)
        assert np.array_equal(pairwise_distance_counts(a, b, block_rows=block_rows),
                              ref_counts_ab)
        assert np.array_equal(nearest_neighbour_distances(a, b, block_rows=block_rows), ref_nn)
        assert np.array_equal(nearest_neighbour_distances(a, a, exclude_self=True,
                                                          block_rows=block_rows), ref_nn_self)
        assert adversarial_accuracy(a[:97], b, block_rows=block_rows) == ref_aa
        assert privacy_loss(b, a[:60], a[60:], seed=5, block_rows=block_rows) == ref_pl


def test_default_block_size_is_bounded():
    rng = np.random.default_rng(41)
    x = random_haplotypes(rng, 10, 8)
    op = dist._Operand(x)
    big = dist._Operand(np.zeros((0, 10000), dtype=np.uint8))
    big.n = 20000  # only the shape matters to the plan
    rows, tile = dist._plan(op, big, None)
    # a block of 20000 columns: int32 block + float32 product under 256 MiB
    assert rows * 20000 * (4 + 4) <= dist.BLOCK_BYTES
    assert rows >= 1000
    # a block is a fresh array, so callers may keep it
    blocks = list(iter_distance_blocks(x, block_rows=3))
    assert not np.shares_memory(blocks[0][1], blocks[1][1])
    assert [blk.shape for _, blk in blocks] == [(3, 10), (3, 10), (3, 10), (1, 10)]


def test_empty_inputs():
    empty = np.zeros((0, 4), dtype=np.uint8)
    assert hamming_distances(empty, H).shape == (0, 3)
    assert hamming_distances(H, empty).shape == (3, 0)
    assert hamming_distances(empty).shape == (0, 0)
    assert pairwise_distance_counts(empty).tolist() == [0] * 5
    assert pairwise_distance_counts(H, empty).tolist() == [0] * 5
    assert nearest_neighbour_distances(empty, H).shape == (0,)
    assert identical_to_train(empty, H).shape == (0,)
    assert identical_to_train(H, empty).sum() == 0
    assert list(iter_distance_blocks(empty)) == []


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("bad,match", [
    (np.array([[0, 1], [1, 0]], dtype=np.int64), "uint8"),
    (np.array([[True, False]]), "uint8"),
    ([[0, 1], [1, 0]], "uint8"),
    (np.array([0, 1, 1], dtype=np.uint8), "2-D"),
    (np.zeros((2, 2, 2), dtype=np.uint8), "2-D"),
    (np.array([[0, 2], [1, 0]], dtype=np.uint8), "only 0 and 1"),
    (np.zeros((0, 2**24), dtype=np.uint8), "2\\*\\*24"),
])
def test_bad_haplotypes_raise(bad, match):
    with pytest.raises(ValueError, match=match):
        hamming_distances(bad)
    with pytest.raises(ValueError, match=match):
        pairwise_distance_counts(bad)
    with pytest.raises(ValueError, match=match):
        iter_distance_blocks(bad)  # raises at call, not at first next()
    with pytest.raises(ValueError, match=match):
        nearest_neighbour_distances(H, bad)
    with pytest.raises(ValueError, match=match):
        adversarial_accuracy(bad, H)


def test_mismatched_snps_raise():
    other = np.zeros((3, 5), dtype=np.uint8)
    for call in (lambda: hamming_distances(H, other),
                 lambda: pairwise_distance_counts(H, other),
                 lambda: iter_distance_blocks(H, other),
                 lambda: nearest_neighbour_distances(H, other),
                 lambda: cross_nearest_distances(H, other),
                 lambda: identical_to_train(H, other),
                 lambda: adversarial_accuracy(H, other),
                 lambda: privacy_loss(H, H, other, seed=0)):
        with pytest.raises(ValueError, match="same SNPs, got 4 and 5"):
            call()


def test_other_bad_input_raises():
    with pytest.raises(ValueError, match="equal size.*subsample_rows"):
        adversarial_accuracy(H, H[:2])
    with pytest.raises(ValueError, match="at least 2 rows"):
        adversarial_accuracy(H[:1], H[:1])
    with pytest.raises(ValueError, match="exclude_self"):
        nearest_neighbour_distances(H, B, exclude_self=True)
    with pytest.raises(ValueError, match="different values"):
        nearest_neighbour_distances(H, H[::-1], exclude_self=True)
    with pytest.raises(ValueError, match="at least 2 rows"):
        nearest_neighbour_distances(H[:1], H[:1], exclude_self=True)
    with pytest.raises(ValueError, match="no rows"):
        nearest_neighbour_distances(H, H[:0])
    with pytest.raises(ValueError, match="block_rows"):
        hamming_distances(H, block_rows=0)
    with pytest.raises(ValueError, match="block_rows"):
        pairwise_distance_counts(H, block_rows=2.5)
    with pytest.raises(ValueError, match="same support"):
        wasserstein_from_counts([1, 2], [1, 2, 3])
    with pytest.raises(ValueError, match="non-negative"):
        wasserstein_from_counts([1, -1], [1, 1])
    with pytest.raises(ValueError, match="non-negative"):
        wasserstein_from_counts([1, np.nan], [1, 1])
    with pytest.raises(ValueError, match="empty"):
        wasserstein_from_counts([0, 0], [1, 1])
    with pytest.raises(ValueError, match="1-D"):
        wasserstein_from_counts([[1, 1]], [[1, 1]])
    with pytest.raises(ValueError, match="n must be"):
        subsample_rows(H, 4, seed=0)
    with pytest.raises(ValueError, match="n must be"):
        subsample_rows(H, -1, seed=0)
    with pytest.raises(ValueError, match="seed"):
        privacy_loss(H, H, H, seed=-1)
    with pytest.raises(ValueError, match="at least 2 rows"):
        privacy_loss(H, H[:1], H, seed=0)


def test_matched_privacy_loss_is_unbiased_where_the_full_one_is_not():
    """AGs resampled (with 2% noise) from real haplotypes the generator saw
    instead of the training set: no leak, but they cluster. Compared with a
    training set 4x the test split's size, the full protocol reads a privacy
    loss far below 0; at matched sizes it reads about 0. A copy of the
    training set still reads a clear leak at matched sizes, diluted."""
    sample = make_population(5, 200)
    rng = np.random.default_rng(0)
    train, test, pool = sample(600, rng), sample(150, rng), sample(150, rng)
    ags = pool[rng.integers(0, 150, 600)]
    ags = np.where(rng.random(ags.shape) < 0.02, 1 - ags, ags).astype(np.uint8)
    full = privacy_loss(ags, train, test, seed=0)
    matched = privacy_loss(ags, train, test, seed=0, matched=True)
    assert full.loss < -0.15
    assert abs(matched.loss) < 0.03
    assert (matched.n_train_rows, matched.n_test_rows) == (600, 150)  # every training row
    copies = privacy_loss(train[rng.permutation(600)], train, test, seed=0, matched=True)
    assert copies.loss > 0.1
    assert matched == privacy_loss(ags, train, test, seed=0, matched=True)  # reproducible


def test_privacy_loss_standard_error_bounds_the_spread_of_privacy_loss():
    """Three independent samples of one structured population (AGs, train,
    test): the matched privacy loss is noise around 0, and its spread over
    many replicates sits at or under the formula's 0.5 / sqrt(n)."""
    rng = np.random.default_rng(11)
    founders = rng.integers(0, 2, size=(12, 80), dtype=np.uint8)

    def population(n):
        rows = founders[rng.integers(0, len(founders), n)]
        return np.where(rng.random(rows.shape) < 0.1, 1 - rows, rows).astype(np.uint8)

    n = 60
    losses = [privacy_loss(population(n), population(n), population(n), seed=i,
                           matched=True).loss for i in range(120)]
    assert abs(np.mean(losses)) < 3 * privacy_loss_standard_error(n) / np.sqrt(len(losses))
    assert 0.5 * privacy_loss_standard_error(n) < np.std(losses) < \
        1.15 * privacy_loss_standard_error(n)
    assert privacy_loss_standard_error(100) == 0.05
    with pytest.raises(InputError):
        privacy_loss_standard_error(0)
