"""Chromosome painting: the forward-backward posterior against brute-force
enumeration of copying paths, planted mosaics recovered, lengths summing to
the span, blocks not changing results, and bad input."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from artgen.errors import InputError
from artgen import hmm
from artgen.hmm import default_mutation_rate, switch_probabilities
from artgen.stats.painting import paint, painting_posterior, painting_shares, snp_lengths


def two_populations(n_per_pop, n_snps, rng, low=0.2, high=0.8, n_fresh=0):
    """Donors of populations A and B with opposite allele-frequency profiles,
    positions 1-5 kb apart on chromosome 1; with ``n_fresh``, also that many
    more haplotypes of each population, not among the donors."""
    freq_a = np.where(rng.random(n_snps) < 0.5, low, high)
    a = (rng.random((n_per_pop + n_fresh, n_snps)) < freq_a).astype(np.uint8)
    b = (rng.random((n_per_pop + n_fresh, n_snps)) < 1 - freq_a).astype(np.uint8)
    pos = np.cumsum(rng.integers(1_000, 5_000, n_snps))
    labels = np.array(["A"] * n_per_pop + ["B"] * n_per_pop)
    donors = np.vstack([a[:n_per_pop], b[:n_per_pop]])
    if n_fresh:
        return donors, labels, np.full(n_snps, "1"), pos, (a[n_per_pop:], b[n_per_pop:])
    return donors, labels, np.full(n_snps, "1"), pos


# --------------------------------------------------------------------------- exactness

def test_snp_lengths_sum_to_the_span():
    assert snp_lengths(["1", "1", "1", "2"], [10, 20, 40, 7]).tolist() == [5.0, 15.0, 10.0, 0.0]
    chrom = ["1"] * 3 + ["2"] * 4
    pos = [100, 150, 400, 10, 20, 20, 1010]
    assert snp_lengths(chrom, pos).sum() == (400 - 100) + (1010 - 10)


def brute_force_posterior(recipient, donors, p, mu):
    """P(copy donor k at SNP j | recipient) by summing over all K^n paths."""
    k, n = donors.shape
    post = np.zeros((n, k))
    for path in itertools.product(range(k), repeat=n):
        prob = 1.0
        for j, d in enumerate(path):
            stay = (1 - p[j]) * (j > 0 and path[j - 1] == d)
            prob *= stay + p[j] / k
            prob *= mu if donors[d, j] != recipient[j] else 1 - mu
        post[np.arange(n), path] += prob
    return post / post.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("mu", [None, 0.02])
def test_posterior_equals_brute_force_enumeration(mu):
    rng = np.random.default_rng(0)
    donors = rng.integers(0, 2, size=(3, 6), dtype=np.uint8)
    recipient = rng.integers(0, 2, size=6, dtype=np.uint8)
    chrom, pos = ["1"] * 4 + ["2"] * 2, [0, 3_000, 4_000, 20_000, 5, 9_000]
    labels = ["d0", "d1", "d2"]                       # one label per donor
    ours = painting_posterior(recipient, donors, labels, chrom, pos, ne=2000, mutation_rate=mu)
    p = switch_probabilities(chrom, pos, ne=2000, cm_per_mb=1.0, k=3)
    expected = brute_force_posterior(recipient, donors, p,
                                      default_mutation_rate(3) if mu is None else mu)
    np.testing.assert_allclose(ours.to_numpy(), expected, rtol=1e-10)
    assert list(ours.columns) == labels
    # paint is the same posterior weighted by SNP lengths.
    lengths = paint(recipient[None], donors, labels, chrom, pos, ne=2000, mutation_rate=mu)
    np.testing.assert_allclose(lengths.to_numpy()[0], snp_lengths(chrom, pos) @ expected)


def test_blocks_and_threads_do_not_change_the_result(monkeypatch):
    rng = np.random.default_rng(1)
    donors, labels, chrom, pos = two_populations(15, 80, rng)
    recipients = rng.integers(0, 2, size=(9, 80), dtype=np.uint8)
    whole = paint(recipients, donors, labels, chrom, pos)
    monkeypatch.setattr(hmm, "N_BLOCKS", 7)
    hmm.use_threads(1)
    try:
        np.testing.assert_allclose(paint(recipients, donors, labels, chrom, pos), whole,
                                   rtol=1e-12)
    finally:
        hmm.use_threads(None)
    # Rows sum to the span, columns are the sorted labels.
    np.testing.assert_allclose(whole.sum(axis=1), pos[-1] - pos[0])
    assert list(whole.columns) == ["A", "B"] and whole.shape == (9, 2)


# --------------------------------------------------------------------------- recovery

@pytest.mark.parametrize("source, tolerance", [("donors", 0.03), ("fresh", 0.1)])
def test_planted_mosaic_is_painted_with_its_shares(source, tolerance):
    rng = np.random.default_rng(2)
    donors, labels, chrom, pos, (fresh_a, fresh_b) = two_populations(30, 400, rng, n_fresh=6)
    if source == "donors":   # segments of donors themselves, 1% of alleles flipped
        fresh_a = donors[rng.integers(0, 30, size=6)]
        fresh_b = donors[30 + rng.integers(0, 30, size=6)]
        flips = (rng.random((2, 6, 400)) < 0.01).astype(np.uint8)
        fresh_a, fresh_b = fresh_a ^ flips[0], fresh_b ^ flips[1]
    # SNPs before `cut` from a haplotype of A, from `cut` on from one of B.
    cuts = rng.integers(100, 300, size=6)
    recipients = np.array([np.concatenate([fresh_a[i, :cut], fresh_b[i, cut:]])
                           for i, cut in enumerate(cuts)])
    lengths = paint(recipients, donors, labels, chrom, pos, ne=2000, mutation_rate=0.01)
    span = pos[-1] - pos[0]
    planted_a = np.array([snp_lengths(chrom, pos)[:cut].sum() for cut in cuts]) / span
    np.testing.assert_allclose(lengths["A"] / span, planted_a, atol=tolerance)
    shares = painting_shares(recipients, donors, labels, chrom, pos, ne=2000, mutation_rate=0.01)
    assert list(shares.columns) == ["donor_pop", "share"]
    assert shares["donor_pop"].tolist() == ["A", "B"]
    assert shares["share"].sum() == pytest.approx(1.0)
    assert shares["share"].iloc[0] == pytest.approx(planted_a.mean(), abs=tolerance)


def test_switch_point_recovered_with_sharply_distinct_donors():
    rng = np.random.default_rng(3)
    donors, labels, chrom, pos = two_populations(10, 200, rng, low=0.02, high=0.98)
    cut = 123
    recipient = np.concatenate([donors[4, :cut], donors[17, cut:]])
    post = painting_posterior(recipient, donors, labels, chrom, pos, ne=2000, mutation_rate=0.01)
    assert (post["A"].to_numpy()[:cut - 2] > 0.95).all()
    assert (post["B"].to_numpy()[cut + 2:] > 0.95).all()
    called = post.to_numpy().argmax(axis=1)
    assert abs(np.flatnonzero(np.diff(called))[0] + 1 - cut) <= 2
    assert np.count_nonzero(np.diff(called)) == 1
    np.testing.assert_allclose(post.sum(axis=1), 1.0)


def test_recipient_identical_to_a_donor():
    rng = np.random.default_rng(4)
    donors, labels, chrom, pos = two_populations(20, 300, rng)
    shares = painting_shares(donors[[25]], donors, labels, chrom, pos)
    assert shares.set_index("donor_pop")["share"]["B"] > 0.95


# --------------------------------------------------------------------------- bad input

@pytest.fixture
def small():
    rng = np.random.default_rng(5)
    donors, labels, chrom, pos = two_populations(3, 10, rng)
    return rng.integers(0, 2, size=(2, 10), dtype=np.uint8), donors, labels, chrom, pos


@pytest.mark.parametrize("change, message", [
    (lambda r, d, l, c, p: (r[:, :9], d, l, c, p), "recipients have 9 SNPs but donors have 10"),
    (lambda r, d, l, c, p: (r, d, l[:5], c, p), "donor_labels has 5 entries for 6 donors"),
    (lambda r, d, l, c, p: (r, d[:0], l[:0], c, p), "donors must be a non-empty"),
    (lambda r, d, l, c, p: (r[:0], d, l, c, p), "recipients must be a non-empty"),
    (lambda r, d, l, c, p: (r, d, l, c[:9], p[:9]), "map has 9 SNPs; the haplotypes have 10"),
    (lambda r, d, l, c, p: (r, d, l, c, p[::-1]), "not sorted within chromosome 1"),
    (lambda r, d, l, c, p: (r * 2, d, l, c, p), "recipients must hold only 0 and 1"),
])
def test_bad_input(small, change, message):
    with pytest.raises(InputError, match=message):
        paint(*change(*small))


def test_bad_parameters(small):
    with pytest.raises(InputError, match="strictly between 0 and 1"):
        paint(*small, mutation_rate=0.0)
    with pytest.raises(InputError, match="ne must be a number >= 0"):
        paint(*small, ne=-5)
    with pytest.raises(InputError, match="one haplotype"):
        painting_posterior(small[0], *small[1:])
    recipients, donors, labels, _, _ = small
    with pytest.raises(InputError, match="spans 0 bp"):
        painting_shares(recipients, donors, labels, [str(c) for c in range(10)], np.arange(10))


def test_returns_a_labelled_frame(small):
    out = paint(*small)
    assert isinstance(out, pd.DataFrame) and out.columns.name == "donor_pop"
    assert (out.to_numpy() >= 0).all()
