"""Tests of artgen.stats.attack: ROC statistics against scikit-learn, the
distance and density membership-inference attacks, and the planted-copies
sensitivity test on a simulated population."""

from __future__ import annotations

import doctest
import logging

import numpy as np
import pytest
from scipy.spatial.distance import cdist
from sklearn.metrics import roc_auc_score, roc_curve
from sklearn.neighbors import KernelDensity

import artgen.stats.attack as attack
from artgen.errors import InputError
from artgen.stats.attack import (
    SENSITIVITY_COLUMNS,
    density_attack_scores,
    distance_attack_scores,
    log_kde,
    membership_inference,
    plant_training_haplotypes,
    roc_auc,
    sensitivity_table,
    tpr_at_fpr,
)
from artgen.stats.distances import count_identical, privacy_loss
from conftest import simulate_population


@pytest.fixture(scope="module")
def population():
    """train 500, test 200, reference 200, and 500 AGs that are a fresh
    sample of the same population (a generator as good as the test split)."""
    g = simulate_population()
    return {"train": g[:500], "test": g[500:700], "reference": g[700:900], "ags": g[900:1400]}


@pytest.fixture(scope="module")
def table(population):
    p = population
    return sensitivity_table(p["ags"], p["train"], p["test"], p["reference"], seed=0)


def random_haplotypes(rng, n, n_snps, p=0.3):
    return (rng.random((n, n_snps)) < p).astype(np.uint8)


def test_doctests():
    assert doctest.testmod(attack, optionflags=doctest.NORMALIZE_WHITESPACE).failed == 0


# --------------------------------------------------------------------------- ROC


def sklearn_labels(members, nonmembers):
    y = np.r_[np.ones(len(members)), np.zeros(len(nonmembers))]
    return y, np.r_[members, nonmembers]


@pytest.mark.parametrize("n1, n0, levels", [(200, 200, 5), (37, 211, 3), (150, 90, 1000),
                                            (1, 1, 2), (5, 300, 40)])
def test_roc_auc_matches_sklearn_with_ties(n1, n0, levels):
    rng = np.random.default_rng(n1 * n0 + levels)
    members = rng.integers(0, levels, n1) + (rng.random(n1) < 0.3)
    nonmembers = rng.integers(0, levels, n0)
    y, s = sklearn_labels(members, nonmembers)
    assert roc_auc(members, nonmembers) == pytest.approx(roc_auc_score(y, s), abs=1e-12)


def test_roc_auc_edge_cases():
    assert roc_auc([3, 4], [1, 2]) == 1.0
    assert roc_auc([1, 2], [3, 4]) == 0.0
    assert roc_auc([2, 2, 2], [2, 2]) == 0.5
    assert roc_auc(np.array([-0.0]), np.array([-5.0])) == 1.0


def sklearn_tpr(members, nonmembers, fpr, interpolate):
    """TPR at ``fpr`` read from sklearn's ROC curve: the best point at or
    left of fpr, or the polygon through the points, evaluated segment by segment."""
    y, s = sklearn_labels(members, nonmembers)
    x, t, _ = roc_curve(y, s, drop_intermediate=False)
    if not interpolate:
        return t[x <= fpr].max()
    best = 0.0
    for i in range(len(x) - 1):
        if x[i] <= fpr <= x[i + 1]:
            if x[i + 1] == x[i]:
                value = t[i + 1]
            else:
                value = t[i] + (fpr - x[i]) * (t[i + 1] - t[i]) / (x[i + 1] - x[i])
            best = max(best, value)
    return best


@pytest.mark.parametrize("interpolate", [True, False])
@pytest.mark.parametrize("n1, n0, levels", [(200, 200, 6), (64, 300, 1000), (100, 100, 50),
                                            (30, 7, 3)])
def test_tpr_at_fpr_matches_sklearn_roc_curve(n1, n0, levels, interpolate):
    rng = np.random.default_rng(n1 + n0 + levels)
    members = rng.integers(0, levels, n1) + (rng.random(n1) < 0.5)
    nonmembers = rng.integers(0, levels, n0)
    for fpr in (0.0, 0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2 / n0):
        ours = tpr_at_fpr(members, nonmembers, fpr, interpolate=interpolate)
        assert ours == pytest.approx(sklearn_tpr(members, nonmembers, fpr, interpolate),
                                     abs=1e-12), fpr


def test_tpr_at_fpr_ties_and_bounds():
    # every member tied with 4% of the non-members at the top score
    members = np.zeros(100)
    nonmembers = np.r_[np.zeros(4), -np.ones(96)]
    assert tpr_at_fpr(members, nonmembers, 0.01, interpolate=False) == 0.0
    assert tpr_at_fpr(members, nonmembers, 0.01) == pytest.approx(0.25)
    assert tpr_at_fpr(members, nonmembers, 0.04) == 1.0
    assert tpr_at_fpr([1, 2], [0, 0], 1.0) == 1.0
    assert tpr_at_fpr([0, 0], [1, 2], 0.0) == 0.0


@pytest.mark.parametrize("bad", [[], [[1, 2]], [1.0, np.nan], [np.inf], ["a"]])
def test_roc_statistics_refuse_bad_scores(bad):
    with pytest.raises(InputError):
        roc_auc(bad, [1.0])
    with pytest.raises(InputError):
        tpr_at_fpr([1.0], bad)


@pytest.mark.parametrize("fpr", [-0.1, 1.5, np.nan, "0.01", True])
def test_tpr_at_fpr_refuses_bad_rate(fpr):
    with pytest.raises(InputError):
        tpr_at_fpr([1.0], [0.0], fpr)


# --------------------------------------------------------------------------- scores


def test_distance_scores_are_minus_nearest_hamming_distance():
    rng = np.random.default_rng(0)
    ags, cand = random_haplotypes(rng, 30, 40), random_haplotypes(rng, 12, 40)
    expected = -np.rint(cdist(cand, ags, "hamming") * 40).min(axis=1)
    scores = distance_attack_scores(ags, cand)
    assert scores.dtype == np.float64
    np.testing.assert_array_equal(scores, expected)
    assert np.all(distance_attack_scores(ags, ags[:5]) == 0)


@pytest.mark.parametrize("factor", [None, 0.3, 2.0])
def test_log_kde_matches_sklearn(factor):
    rng = np.random.default_rng(1)
    data, points = rng.normal(size=(80, 3)), rng.normal(size=(25, 3)) * 2
    h = 80 ** (-1 / 7) if factor is None else factor
    expected = KernelDensity(bandwidth=h, kernel="gaussian").fit(data).score_samples(points)
    np.testing.assert_allclose(log_kde(points, data, factor=factor), expected, rtol=1e-10)


def test_log_kde_blocks_give_the_same_values(monkeypatch):
    rng = np.random.default_rng(2)
    data, points = rng.normal(size=(50, 2)), rng.normal(size=(40, 2))
    whole = log_kde(points, data)
    monkeypatch.setattr(attack, "_KDE_BLOCK_BYTES", 8 * 50 * 3)  # 3 points per block
    np.testing.assert_allclose(log_kde(points, data), whole, rtol=1e-13)


def structured_population(rng, n_per_group, n_snps=200):
    """Two groups with different allele frequencies (unlinked SNPs)."""
    p = rng.beta(0.5, 0.5, n_snps)
    pa = np.clip(p + rng.normal(0, 0.2, n_snps), 0.02, 0.98)
    pb = np.clip(p + rng.normal(0, 0.2, n_snps), 0.02, 0.98)
    return ((rng.random((n_per_group, n_snps)) < pa).astype(np.uint8),
            (rng.random((n_per_group, n_snps)) < pb).astype(np.uint8))


def test_density_attack_finds_where_the_ags_over_represent():
    rng = np.random.default_rng(3)
    a, b = structured_population(rng, 300)
    reference = np.r_[a[:100], b[:100]]  # the population, both groups
    ags = a[100:200]  # a generator that learnt group A only
    scores = density_attack_scores(ags, np.r_[a[200:], b[200:]], reference, n_components=3)
    assert roc_auc(scores[:100], scores[100:]) > 0.95
    # AGs of the whole population carry no such signal
    balanced = np.r_[a[100:150], b[100:150]]
    scores = density_attack_scores(balanced, np.r_[a[200:], b[200:]], reference, n_components=3)
    assert abs(roc_auc(scores[:100], scores[100:]) - 0.5) < 0.15


def test_density_attack_survives_collapsed_ags():
    rng = np.random.default_rng(4)
    reference = random_haplotypes(rng, 60, 50)
    ags = np.repeat(random_haplotypes(rng, 1, 50), 40, axis=0)  # mode collapse
    scores = density_attack_scores(ags, random_haplotypes(rng, 10, 50), reference)
    assert scores.shape == (10,) and np.all(np.isfinite(scores))


def test_density_attack_drops_axes_without_variance():
    rng = np.random.default_rng(9)
    reference = np.repeat(random_haplotypes(rng, 3, 40), 10, axis=0)  # rank 2 after centring
    scores = density_attack_scores(random_haplotypes(rng, 20, 40), reference[:5], reference,
                                   n_components=5)
    assert np.all(np.isfinite(scores))


def test_density_attack_refuses_a_reference_without_variation():
    same = np.zeros((10, 20), dtype=np.uint8)
    with pytest.raises(InputError, match="no variation"):
        density_attack_scores(same, same[:3], same, n_components=2)


# --------------------------------------------------------------------------- attack


def test_copies_of_the_training_set_are_found(population):
    p = population
    result = membership_inference(p["train"].copy(), p["train"], p["test"], p["reference"], seed=0)
    assert set(result) == {"mia_auc", "mia_tpr_1fpr", "mia_density_auc", "mia_density_tpr_1fpr"}
    assert result["mia_auc"] > 0.99
    assert result["mia_tpr_1fpr"] > 0.9


def test_a_fresh_sample_of_the_population_leaks_nothing(population):
    p = population
    result = membership_inference(p["ags"], p["train"], p["test"], p["reference"], seed=0)
    assert abs(result["mia_auc"] - 0.5) < 0.1
    assert abs(result["mia_density_auc"] - 0.5) < 0.1
    assert result["mia_tpr_1fpr"] < 0.05


def test_independent_sites_at_the_real_frequencies_leak_nothing(population):
    p = population
    freq = p["train"].mean(axis=0)
    bernoulli = (np.random.default_rng(5).random((500, freq.size)) < freq).astype(np.uint8)
    result = membership_inference(bernoulli, p["train"], p["test"], p["reference"], seed=0)
    assert abs(result["mia_auc"] - 0.5) < 0.1
    assert abs(result["mia_density_auc"] - 0.5) < 0.1


def test_membership_inference_is_seeded_and_balanced(population):
    p = population
    args = (p["ags"], p["train"], p["test"], p["reference"])
    first = membership_inference(*args, seed=3)
    assert membership_inference(*args, seed=3) == first
    # members are a subsample of the training set: another seed draws others
    assert membership_inference(*args, seed=4)["mia_auc"] != first["mia_auc"]
    # a test split larger than the training set is drawn down to it
    swapped = membership_inference(p["ags"], p["test"][:100], p["train"], p["reference"],
                                   seed=0)
    assert 0 <= swapped["mia_auc"] <= 1


def test_membership_inference_refuses_bad_inputs(population):
    p = population
    args = (p["ags"], p["train"], p["test"], p["reference"])
    with pytest.raises(InputError, match="n_members"):
        membership_inference(*args, seed=0, n_members=201)
    with pytest.raises(InputError, match="n_members"):
        membership_inference(*args, seed=0, n_members=0)
    with pytest.raises(InputError, match="seed"):
        membership_inference(*args, seed=-1)
    with pytest.raises(InputError, match="same SNPs"):
        membership_inference(p["ags"][:, :-1], p["train"], p["test"], p["reference"], seed=0)
    bad = p["test"].copy()
    bad[0, 0] = 2
    with pytest.raises(InputError, match="0 and 1"):
        membership_inference(p["ags"], p["train"], bad, p["reference"], seed=0)
    with pytest.raises(InputError):
        membership_inference(p["ags"], p["train"], p["test"][0], p["reference"], seed=0)


# --------------------------------------------------------------------------- planting


def test_plant_replaces_n_ags_with_distinct_training_haplotypes():
    rng = np.random.default_rng(6)
    ags, train = random_haplotypes(rng, 40, 60, 0.2), random_haplotypes(rng, 30, 60, 0.6)
    before = ags.copy()
    mixed = plant_training_haplotypes(ags, train, 12, seed=1)
    np.testing.assert_array_equal(ags, before)  # input untouched
    changed = np.flatnonzero(np.any(mixed != ags, axis=1))
    assert changed.size == 12
    rows = {r.tobytes() for r in mixed[changed]}
    assert len(rows) == 12 and rows <= {r.tobytes() for r in train}
    np.testing.assert_array_equal(plant_training_haplotypes(ags, train, 0, seed=1), ags)
    np.testing.assert_array_equal(plant_training_haplotypes(ags, train, 12, seed=1), mixed)


def test_plants_are_nested_for_one_seed():
    rng = np.random.default_rng(7)
    ags, train = random_haplotypes(rng, 50, 40), random_haplotypes(rng, 50, 40)
    small = plant_training_haplotypes(ags, train, 5, seed=2)
    large = plant_training_haplotypes(ags, train, 20, seed=2)
    planted_small = np.any(small != ags, axis=1)
    np.testing.assert_array_equal(large[planted_small], small[planted_small])


@pytest.mark.parametrize("n", [-1, 31, 2.0, True])
def test_plant_refuses_impossible_counts(n):
    rng = np.random.default_rng(8)
    with pytest.raises(InputError, match="plant"):
        plant_training_haplotypes(random_haplotypes(rng, 40, 10), random_haplotypes(rng, 30, 10),
                                  n, seed=0)


# --------------------------------------------------------------------------- sensitivity


def test_sensitivity_table_layout(table, population):
    assert list(table.columns) == SENSITIVITY_COLUMNS
    assert table["planted"].tolist() == [0, 1, 10, 50, 100, 500]  # 1000 > 500 AGs: dropped
    p = population
    first = table.iloc[0]
    losses = [privacy_loss(p["ags"], p["train"], p["test"], s)
              for s in np.random.SeedSequence(0).generate_state(20).tolist()]
    assert first["privacy_loss"] == pytest.approx(np.mean([x.loss for x in losses]), abs=1e-12)
    assert first["aats_train"] == pytest.approx(np.mean([x.train.aa_ts for x in losses]),
                                                abs=1e-12)
    assert first["identical_to_train"] == count_identical(p["ags"], p["train"])
    attack_row = membership_inference(p["ags"], p["train"], p["test"], p["reference"], seed=0)
    assert first["mia_auc"] == attack_row["mia_auc"]
    assert table.iloc[-1]["identical_to_train"] == 500


def test_privacy_loss_grows_strictly_with_the_planted_count(table):
    # Averaged over subsamples, the privacy loss resolves even 1 and 10 copies.
    assert np.all(np.diff(table["privacy_loss"].to_numpy()) > 0), table["privacy_loss"]


def test_leaks_grow_with_the_planted_count(table):
    for column in ("mia_auc", "privacy_loss", "mia_tpr_1fpr"):
        values = table[column].to_numpy()
        # replacing an AG can move a candidate's nearest AG away, so allow a
        # small wobble between neighbouring counts; the trend must be clear
        assert np.all(np.diff(values) >= -0.02), (column, values)
        assert values[-1] - values[0] > 0.3, (column, values)
    assert table.iloc[-1]["mia_auc"] > 0.95
    assert np.all(np.diff(table["identical_to_train"]) > 0)
    assert np.all(np.diff(table["aats_train"]) <= 0.01)


def test_sensitivity_logs_dropped_counts(population, caplog):
    p = population
    with caplog.at_level(logging.INFO, logger="artgen.stats.attack"):
        small = sensitivity_table(p["ags"][:40], p["train"], p["test"][:40], p["reference"],
                                  counts=(30, 50, 10, 10), seed=1)
    assert small["planted"].tolist() == [0, 10, 30]
    assert "[50] dropped" in caplog.text


@pytest.mark.parametrize("counts", [(0,), (-5,), (1.5,), "10", 10])
def test_sensitivity_refuses_bad_counts(population, counts):
    p = population
    with pytest.raises(InputError, match="counts"):
        sensitivity_table(p["ags"], p["train"], p["test"], p["reference"], counts=counts, seed=0)
