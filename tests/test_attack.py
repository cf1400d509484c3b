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
    sensitivity_table,
    start_set_privacy,
)
from artgen.stats.privacy import (identical_to_train, privacy_loss, roc_auc, roc_auc_standard_error,
                                  tpr_at_fpr)
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


@pytest.mark.parametrize("n1, n0", [(120, 68), (10, 300), (500, 500)])
def test_roc_auc_standard_error_is_the_null_spread(n1, n0):
    """Members and non-members from one distribution: the AUC's spread over
    4,000 draws is the formula's within sampling error (5%)."""
    rng = np.random.default_rng(n1 + n0)
    aucs = [roc_auc(rng.standard_normal(n1), rng.standard_normal(n0)) for _ in range(4000)]
    assert np.std(aucs) == pytest.approx(roc_auc_standard_error(n1, n0), rel=0.05)
    with pytest.raises(InputError):
        roc_auc_standard_error(0, 5)


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
    assert first["identical_to_train"] == identical_to_train(p["ags"], p["train"]).sum()
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


# --------------------------------------------------------------------------- likelihood ratio


class TableModel:
    """A stand-in for a model with a likelihood: a fixed log-likelihood per
    row (looked up by its alleles), recording the populations it was given."""

    def __init__(self, rows, values):
        self.values = {r.tobytes(): float(v) for r, v in zip(rows, values)}
        self.populations_seen = []

    def log_likelihood(self, alleles, populations=None):
        self.populations_seen.append(None if populations is None else list(populations))
        return np.array([self.values[r.tobytes()] for r in alleles])


def distinct_haplotypes(rng, n, n_snps=40):
    x = random_haplotypes(rng, 3 * n, n_snps, p=0.5)
    return np.unique(x, axis=0)[rng.permutation(n)]


def test_likelihood_attack_scores_are_the_log_likelihood_ratio():
    rng = np.random.default_rng(5)
    rows = distinct_haplotypes(rng, 90)
    train, test = rows[:60], rows[60:]
    model_ll, ref_ll = rng.normal(-50, 3, 90), rng.normal(-50, 3, 90)
    model, reference = TableModel(rows, model_ll), TableModel(rows, ref_ll)
    out = attack.likelihood_ratio_attack(model, reference, train, test, seed=4)
    assert list(out) == list(attack.LIKELIHOOD_METRICS)
    # members: the 30 training rows the distance attack would draw for this seed
    member_seed = int(np.random.SeedSequence(4).generate_state(2)[0])
    chosen = np.sort(np.random.default_rng(member_seed).choice(60, size=30, replace=False))
    scores = model_ll - ref_ll
    assert out["lr_mia_auc"] == pytest.approx(roc_auc(scores[chosen], scores[60:]))
    assert out["lr_mia_tpr_1fpr"] == pytest.approx(tpr_at_fpr(scores[chosen], scores[60:]))
    # the gap uses every row of both splits, under the model only
    assert out["loglik_train"] == pytest.approx(model_ll[:60].mean())
    assert out["loglik_test"] == pytest.approx(model_ll[60:].mean())
    assert out["loglik_gap"] == pytest.approx(model_ll[:60].mean() - model_ll[60:].mean())
    assert out == attack.likelihood_ratio_attack(model, reference, train, test, seed=4)
    other = attack.likelihood_ratio_attack(model, reference, train, test, seed=5)
    assert other["lr_mia_auc"] != out["lr_mia_auc"]


def test_likelihood_attack_cancels_what_the_reference_explains():
    """Members score no higher under the model alone, but the reference
    model (which never saw them) scores them lower: only the ratio finds them."""
    rng = np.random.default_rng(6)
    rows = distinct_haplotypes(rng, 80)
    train, test = rows[:40], rows[40:]
    typical = rng.normal(-50, 5, 80)           # how likely each haplotype is in the population
    model_ll = typical + np.r_[np.full(40, 1.0), np.zeros(40)]   # a small memorisation bonus
    ref_ll = typical
    out = attack.likelihood_ratio_attack(TableModel(rows, model_ll), TableModel(rows, ref_ll),
                                         train, test, seed=0)
    assert out["lr_mia_auc"] == 1.0 and out["lr_mia_tpr_1fpr"] == 1.0
    assert roc_auc(model_ll[:40], model_ll[40:]) < 0.75   # the model alone hardly tells


def test_likelihood_attack_passes_population_labels():
    rng = np.random.default_rng(7)
    rows = distinct_haplotypes(rng, 20)
    model, reference = TableModel(rows, np.zeros(20)), TableModel(rows, np.zeros(20))
    pops = np.array(["A", "B"] * 10)
    out = attack.likelihood_ratio_attack(model, reference, rows[:10], rows[10:], seed=0,
                                         train_populations=pops[:10],
                                         test_populations=pops[10:])
    assert out["lr_mia_auc"] == 0.5 and out["loglik_gap"] == 0.0
    assert model.populations_seen == [list(pops[:10]), list(pops[10:])]
    assert reference.populations_seen == [list(pops[:10]), list(pops[10:])]


def test_likelihood_attack_refuses_bad_inputs():
    rng = np.random.default_rng(8)
    rows = distinct_haplotypes(rng, 20)
    model = TableModel(rows, np.zeros(20))
    with pytest.raises(InputError, match="has no likelihood"):
        attack.likelihood_ratio_attack(model, object(), rows[:10], rows[10:], seed=0)
    values = np.zeros(20)
    values[13] = -np.inf
    with pytest.raises(InputError, match="test row 3 a log-likelihood of -inf"):
        attack.likelihood_ratio_attack(TableModel(rows, values), model, rows[:10], rows[10:],
                                       seed=0)
    with pytest.raises(InputError, match="one label per row"):
        attack.likelihood_ratio_attack(model, model, rows[:10], rows[10:], seed=0,
                                       train_populations=["A"] * 9)
    with pytest.raises(InputError, match="same SNPs"):
        attack.likelihood_ratio_attack(model, model, rows[:10], rows[10:, :5], seed=0)
    with pytest.raises(InputError, match="n_members"):
        attack.likelihood_ratio_attack(model, model, rows[:10], rows[10:], seed=0, n_members=11)


@pytest.fixture(scope="module")
def hmm_sets(population):
    """300 SNPs of the simulated population: 200 training, 100 test, 100
    reference (the sampling split) and 200 other haplotypes."""
    x = np.concatenate([population[k] for k in ("train", "test", "reference", "ags")])[:, :300]
    return {"train": x[:200], "test": x[500:600], "reference": x[700:800], "other": x[900:1100]}


def fit_hmm(rows, **settings):
    from artgen.models.hmm import HMMGenerator

    model = HMMGenerator(**settings)
    model.set_map(["1"] * rows.shape[1], np.arange(rows.shape[1]) * 4000)
    return model.fit(rows, seed=1)


def test_likelihood_attack_on_hidden_markov_models(hmm_sets):
    """A model that never saw the members leaks nothing; one with a cluster
    per haplotype and no privacy floor memorises them and is found."""
    s = hmm_sets
    plain = {"n_states": [8], "iterations": 15}
    reference = fit_hmm(s["reference"], **plain)
    unseen = fit_hmm(s["other"], **plain)
    null = attack.likelihood_ratio_attack(unseen, reference, s["train"], s["test"], seed=0)
    assert abs(null["lr_mia_auc"] - 0.5) < 0.1 and abs(null["loglik_gap"]) < 2
    memorising = {"n_states": [150], "iterations": 15, "patience": 15,
                  "min_state_haplotypes": 0.0, "pseudo_count": 0.01,
                  "validation_fraction": 0.02}
    model = fit_hmm(s["train"], **memorising)
    leak = attack.likelihood_ratio_attack(model, fit_hmm(s["reference"], **memorising),
                                          s["train"], s["test"], seed=0)
    assert leak["lr_mia_auc"] > 0.85 and leak["lr_mia_tpr_1fpr"] > 0.2
    assert leak["loglik_gap"] > 20
    # the gap is what it says: the model's mean log-likelihood per haplotype
    assert leak["loglik_train"] == pytest.approx(model.log_likelihood(s["train"]).mean())


def as_split(rows, prefix, pops):
    from artgen.haplotypes import Haplotypes, haplotype_ids

    n_snps = rows.shape[1]
    return Haplotypes.build(rows, chrom=["15"] * n_snps, pos=np.arange(1, n_snps + 1) * 4000,
                            ref=["A"] * n_snps, alt=["G"] * n_snps,
                            ids=haplotype_ids([f"{prefix}{i:03d}" for i in range(len(rows) // 2)]),
                            pops=np.repeat(pops, 2)[:len(rows)])


def test_likelihood_attack_command_refits_the_model_kind_on_the_reference_set(hmm_sets,
                                                                               tmp_path):
    import pandas as pd

    from artgen.cli import main
    from artgen.io import load_haplotypes, save_haplotypes
    from artgen.models import load_generator
    from artgen.models.hmm import HMMGenerator

    s = hmm_sets
    paths = {}
    for name, rows in (("train", s["train"]), ("test", s["test"]), ("sampling", s["reference"])):
        pops = np.where(np.arange(len(rows) // 2) % 3 == 0, "YRI", "CEU")  # two populations
        paths[name] = tmp_path / f"{name}.npz"
        save_haplotypes(as_split(rows, name[:2].upper(), pops), paths[name])
    model_file = tmp_path / "hmm.npz"
    assert main(["train", "--model", "hmm", "--data", str(paths["train"]), "--set",
                 "n_states=[4, 6]", "iterations=6", "conditional=true", "--seed", "3",
                 "--out", str(model_file)]) == 0
    out = tmp_path / "stats" / "likelihood.tsv"
    args = ["likelihood-attack", "--model-file", str(model_file), "--train", str(paths["train"]),
            "--test", str(paths["test"]), "--reference-set", str(paths["sampling"]),
            "--seed", "3", "--threads", "1", "--panel", "dense", "--model", "hmm2",
            "--out", str(out)]
    assert main(args) == 0
    table = pd.read_csv(out, sep="\t")
    assert list(table.columns) == ["panel", "model", "seed", "draw", "metric", "value"]
    assert table["metric"].tolist() == list(attack.LIKELIHOOD_METRICS)
    assert set(table["panel"]) == {"dense"} and set(table["model"]) == {"hmm2"}
    assert set(table["seed"]) == {3}
    # the same as the reference model fitted by hand, as train fits one
    reference = HMMGenerator(n_states=[4, 6], iterations=6, conditional=True)
    sampling = load_haplotypes(paths["sampling"])
    reference.set_populations(sampling.pops)
    reference.set_map(sampling.chrom, sampling.pos)
    reference.fit(sampling.alleles, seed=3)
    train, test = load_haplotypes(paths["train"]), load_haplotypes(paths["test"])
    expected = attack.likelihood_ratio_attack(
        load_generator(model_file), reference, train.alleles, test.alleles, seed=3,
        train_populations=train.pops, test_populations=test.pops)
    np.testing.assert_allclose(table["value"], list(expected.values()), rtol=1e-12)


def test_likelihood_attack_command_refuses_a_model_without_likelihood(hmm_sets, tmp_path,
                                                                      capsys):
    from artgen.cli import main
    from artgen.io import save_haplotypes

    path = tmp_path / "train.npz"
    save_haplotypes(as_split(hmm_sets["train"], "TR", np.repeat("CEU", 100)), path)
    model_file = tmp_path / "bernoulli.npz"
    assert main(["train", "--model", "bernoulli", "--data", str(path),
                 "--out", str(model_file)]) == 0
    out = tmp_path / "likelihood.tsv"
    assert main(["likelihood-attack", "--model-file", str(model_file), "--train", str(path),
                 "--test", str(path), "--reference-set", str(path), "--seed", "0",
                 "--panel", "dense", "--model", "bernoulli", "--out", str(out)]) == 2
    assert "a bernoulli model has no likelihood" in capsys.readouterr().err
    assert not out.exists()


def test_start_set_privacy_by_hand():
    """Two AGs: a copy of start row 0 and a row one allele from start row 1.
    Start rows at distance 0 and 1 from their nearest AG, held-out rows at
    2 and 3: every member outscores every non-member."""
    start = np.array([[0, 0, 0, 0, 0, 0], [1, 1, 1, 0, 0, 0]], dtype=np.uint8)
    ags = np.array([[0, 0, 0, 0, 0, 0], [1, 1, 1, 1, 0, 0]], dtype=np.uint8)
    held_out = np.array([[1, 1, 0, 0, 0, 0], [0, 0, 0, 1, 1, 1]], dtype=np.uint8)
    leak = start_set_privacy(ags, start, held_out, seed=0)
    assert leak["mia_auc_start"] == 1.0 and leak["identical_to_start"] == 1
    assert leak["privacy_loss_start"] == privacy_loss(ags, start, held_out, 0, matched=True).loss
    # AGs that owe nothing to either real set read alike on both
    same = start_set_privacy(ags, held_out, held_out, seed=0)
    assert same["mia_auc_start"] == 0.5 and same["privacy_loss_start"] == 0.0
