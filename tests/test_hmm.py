"""The haplotype HMM core (artgen.hmm) and the haplotype-cluster generator
(``hmm``): forward-backward, likelihood and EM statistics against brute-force
enumeration of all state paths, the sampler against the exact haplotype
distribution, EM monotonicity, the generator's seeds, save/load,
populations, imputation, threads and blocks, checkpoint/resume, the privacy
floor and bad settings."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from artgen import hmm
from artgen.errors import InputError
from artgen.hmm import HMMParameters
from artgen.models import TrainingRun, load_generator, make_generator, registered_models
from artgen.models.hmm import HISTORY_COLUMNS, HMMGenerator, validation_rows
from artgen.models.checkpoints import read_checkpoint


# --------------------------------------------------------------------------- helpers

def tiny_model() -> HMMParameters:
    """M=5 SNPs, K=3 states, two populations; the jump of 1 at SNP 2 is a
    chromosome boundary."""
    rng = np.random.default_rng(11)
    theta = rng.uniform(0.05, 0.95, size=(5, 3))
    alpha = rng.dirichlet(np.ones(3), size=(2, 5))
    jump = np.array([1.0, 0.3, 1.0, 0.15, 0.6])
    return HMMParameters(theta, alpha, jump)


def brute_force(h, params: HMMParameters, code: int):
    """Enumerate all K^M paths of haplotype ``h``: likelihood, posterior state
    probabilities (M, K) and expected jump events into each state (M, K)."""
    theta, alpha, jump = params.theta, params.alpha[code], params.jump
    m_snps, k_states = theta.shape
    total = 0.0
    gamma = np.zeros((m_snps, k_states))
    jumps = np.zeros((m_snps, k_states))
    for path in itertools.product(range(k_states), repeat=m_snps):
        prob, jumped = 1.0, np.zeros(m_snps)
        for m, k in enumerate(path):
            fresh = jump[m] * alpha[m, k]
            prior = fresh + (1 - jump[m]) * (m > 0 and path[m - 1] == k)
            prob *= prior
            jumped[m] = fresh / prior          # P(a jump event at m | the transition)
            if h[m] <= 1:
                prob *= theta[m, k] if h[m] == 1 else 1 - theta[m, k]
        total += prob
        gamma[np.arange(m_snps), path] += prob
        jumps[np.arange(m_snps), path] += prob * jumped
    return total, gamma / total, jumps / total


def mosaics(n, founders, rng, switch=0.05, error=0.01):
    """``n`` haplotypes copying ``founders`` (F, M) with switches and flips."""
    n_founders, n_snps = founders.shape
    state = rng.integers(n_founders, size=n)
    out = np.empty((n, n_snps), dtype=np.uint8)
    for m in range(n_snps):
        switching = rng.random(n) < switch
        state = np.where(switching, rng.integers(n_founders, size=n), state)
        out[:, m] = founders[state, m]
    return out ^ (rng.random((n, n_snps)) < error).astype(np.uint8)


def structured(n=200, n_snps=40, n_founders=4, seed=0):
    rng = np.random.default_rng(seed)
    founders = rng.integers(0, 2, size=(n_founders, n_snps), dtype=np.uint8)
    return mosaics(n, founders, rng), founders, rng


def make_model(n_snps, chroms=("1",), **settings):
    settings = {"n_states": [3], "iterations": 8, "patience": 8, "min_state_haplotypes": 2,
                **settings}
    model = HMMGenerator(**settings)
    chrom = np.repeat(chroms, -(-n_snps // len(chroms)))[:n_snps]
    model.set_map(chrom, 1000 + 1000 * np.arange(n_snps))     # jump ~0.1 at K=4
    return model


@pytest.fixture(scope="module")
def trained():
    """A model fitted on structured data (two chromosomes), and its data."""
    train, founders, _ = structured(200, 40, seed=1)
    model = make_model(40, chroms=("1", "2"), n_states=[3, 4]).fit(train, seed=3)
    return model, train, founders


def two_populations(seed=4, n_a=120, n_b=80, n_snps=30):
    """Populations A and B with opposite allele frequencies (A: 0.7 to 0.95)."""
    rng = np.random.default_rng(seed)
    p_a = rng.uniform(0.7, 0.95, size=n_snps)
    a = (rng.random((n_a, n_snps)) < p_a).astype(np.uint8)
    b = (rng.random((n_b, n_snps)) < 1 - p_a).astype(np.uint8)
    return np.vstack([a, b]), np.array(["A"] * n_a + ["B"] * n_b)


# --------------------------------------------------------------------------- enumeration

@pytest.fixture
def tiny_data():
    haplotypes = np.array([[0, 1, 1, 0, 1],
                           [1, 1, 0, 0, 0],
                           [0, 255, 1, 1, 0],          # a missing allele
                           [1, 0, 1, 1, 1]], dtype=np.uint8)
    return tiny_model(), haplotypes, np.array([0, 1, 1, 0])


def test_log_likelihoods_equal_enumeration(tiny_data):
    """The scaled forward pass gives log of the sum over all 3^5 paths, per
    haplotype under its population's alpha."""
    params, haplotypes, codes = tiny_data
    expected = [np.log(brute_force(h, params, c)[0]) for h, c in zip(haplotypes, codes)]
    np.testing.assert_allclose(hmm.log_likelihoods(haplotypes, params, codes), expected,
                               rtol=1e-12)
    # The population matters (the two alpha differ), and codes default to 0.
    swapped = [np.log(brute_force(h, params, 1 - c)[0]) for h, c in zip(haplotypes, codes)]
    np.testing.assert_allclose(hmm.log_likelihoods(haplotypes, params, 1 - codes), swapped,
                               rtol=1e-12)
    assert not np.allclose(expected, swapped)
    np.testing.assert_allclose(hmm.log_likelihoods(haplotypes, params),
                               hmm.log_likelihoods(haplotypes, params, np.zeros(4, int)))


def test_posteriors_equal_enumeration(tiny_data):
    """Identity weights give the posterior state probabilities; other
    weights and per_snp=False are projections and sums of them."""
    params, haplotypes, codes = tiny_data
    identity = np.broadcast_to(np.eye(3), (5, 3, 3))
    gamma = np.array([brute_force(h, params, c)[1] for h, c in zip(haplotypes, codes)])
    np.testing.assert_allclose(hmm.posteriors(haplotypes, params, identity, codes), gamma,
                               rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(hmm.posteriors(haplotypes, params, identity, codes,
                                              per_snp=False), gamma.sum(axis=1), rtol=1e-10)
    # Projected on theta: the predicted allele-1 probability at each SNP.
    predicted = hmm.posteriors(haplotypes, params, params.theta[:, :, None], codes)[:, :, 0]
    np.testing.assert_allclose(predicted, (gamma * params.theta).sum(axis=2), rtol=1e-10)


def test_em_statistics_equal_enumeration(tiny_data):
    """ones, mass and per-population jumps are the brute-force expectations:
    a jump event at m into k has probability jump[m] alpha[m, k] against
    staying; at SNP 0 and at the boundary (jump 1) every visit is a jump."""
    params, haplotypes, codes = tiny_data
    loglik, ones, mass, jumps = hmm.em_statistics(haplotypes, params, codes)
    assert ones.shape == mass.shape == (5, 3) and jumps.shape == (2, 5, 3)
    exp_ones, exp_mass = np.zeros((5, 3)), np.zeros((5, 3))
    exp_jumps = np.zeros((2, 5, 3))
    for h, c in zip(haplotypes, codes):
        _, gamma, jumped = brute_force(h, params, c)
        exp_mass += gamma
        exp_ones += gamma * (h == 1)[:, None]
        exp_jumps[c] += jumped
    np.testing.assert_allclose(loglik, hmm.log_likelihoods(haplotypes, params, codes),
                               rtol=1e-13)
    np.testing.assert_allclose(ones, exp_ones, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(mass, exp_mass, rtol=1e-10)
    np.testing.assert_allclose(jumps, exp_jumps, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(mass.sum(axis=1), len(haplotypes))
    # Every visit at SNP 0 and at the boundary is a jump; elsewhere fewer.
    np.testing.assert_allclose(jumps.sum(axis=0)[[0, 2]], mass[[0, 2]], rtol=1e-12)
    assert (jumps.sum(axis=0)[[1, 3, 4]] < mass[[1, 3, 4]]).all()
    # The missing allele counts in mass, not in ones.
    assert ones[1].sum() == pytest.approx(exp_ones[1].sum())
    assert ones[1].sum() < mass[1].sum() - 1.5


def test_all_missing_haplotype_has_likelihood_one(tiny_data):
    params, _, _ = tiny_data
    missing = np.full((2, 5), 255, dtype=np.uint8)
    np.testing.assert_allclose(hmm.log_likelihoods(missing, params, [0, 1]), 0.0, atol=1e-14)


# --------------------------------------------------------------------------- sampler

@pytest.mark.parametrize("code", [0, 1])
def test_sampler_matches_the_exact_haplotype_distribution(code):
    """Chi-square of 200,000 simulated haplotypes (in SNP blocks of 2, so the
    state carries across blocks) over all 32 haplotypes against their exact
    likelihoods."""
    params = tiny_model()
    every = np.array(list(itertools.product([0, 1], repeat=5)), dtype=np.uint8)
    exact = np.exp(hmm.log_likelihoods(every, params, np.full(32, code)))
    assert exact.sum() == pytest.approx(1.0, rel=1e-12)
    n = 200_000
    draws = hmm.sample_paths(params, np.full(n, code), seed=7 + code, block_snps=2)
    assert draws.shape == (n, 5) and draws.dtype == np.uint8
    index = draws.astype(np.int64) @ (2 ** np.arange(4, -1, -1))
    observed = np.bincount(index, minlength=32)
    assert stats.chisquare(observed, n * exact).pvalue > 0.001
    # The other population's distribution is rejected: the test has power.
    other = np.exp(hmm.log_likelihoods(every, params, np.full(32, 1 - code)))
    assert stats.chisquare(observed, n * other).pvalue < 1e-6


def test_sampler_seeds_and_blocks():
    params = tiny_model()
    codes = np.array([0, 1] * 50)
    a = hmm.sample_paths(params, codes, seed=3)
    assert np.array_equal(a, hmm.sample_paths(params, codes, seed=3))
    assert not np.array_equal(a, hmm.sample_paths(params, codes, seed=4))
    with pytest.raises(InputError, match="population codes must be 100 integers in"):
        hmm.sample_paths(params, codes + 1, seed=3)


# --------------------------------------------------------------------------- EM

def test_em_training_loglik_never_decreases():
    """Without the floor and with a tiny pseudo-count the M-step is (almost)
    maximum likelihood, so each K's training log-likelihood is non-decreasing."""
    train, _, _ = structured(160, 30, seed=2)
    model = make_model(30, n_states=[2, 5], iterations=15, patience=15, pseudo_count=1e-6,
                       min_state_haplotypes=0, learn_jumps=True)
    model.fit(train, seed=5)
    history = model.history
    assert history.groupby("k").size().tolist() == [16, 16]   # iterations 0..15
    for _, rows in history.groupby("k"):
        loglik = rows.sort_values("iteration")["train_loglik"].to_numpy()
        steps = np.diff(loglik)
        assert (steps >= -1e-6 * np.abs(loglik[1:])).all(), steps
        assert loglik[-1] > loglik[0] + 0.5       # and EM did learn something
    # The learned jumps moved off the map, staying 1 at the first SNP.
    assert model.params.jump[0] == 1.0
    assert not np.allclose(model.params.jump[1:], model.params.jump[1])


# --------------------------------------------------------------------------- the generator

def test_registered_with_json_settings():
    assert "hmm" in registered_models()
    model = make_generator("hmm", n_states=4, iterations=3)
    assert model.n_states == [4] and model.iterative
    assert model.settings()["n_states"] == [4]


def test_seeds(trained):
    model, _, _ = trained
    a = model.sample(60, seed=1)
    assert a.shape == (60, 40) and a.dtype == np.uint8
    assert np.array_equal(a, model.sample(60, seed=1))
    assert not np.array_equal(a, model.sample(60, seed=2))
    assert model.sample(0, seed=1).shape == (0, 40)


def test_save_load_round_trip(trained, tmp_path):
    model, train, _ = trained
    model.save(tmp_path / "m.npz")
    back = load_generator(tmp_path / "m.npz")
    assert isinstance(back, HMMGenerator) and back.settings() == model.settings()
    assert back.chrom.tolist() == model.chrom.tolist()
    assert np.array_equal(back.pos, model.pos)
    assert np.array_equal(back.sample(50, seed=9), model.sample(50, seed=9))
    assert np.array_equal(back.log_likelihood(train[:20]), model.log_likelihood(train[:20]))


def test_history_and_kept_parameters(trained):
    """The kept parameters are the best validation log-likelihood over all K
    and iterations."""
    model, train, _ = trained
    history = model.history
    assert list(history.columns) == list(HISTORY_COLUMNS)
    assert history["kept"].sum() == 1
    kept = history[history["kept"] == 1].iloc[0]
    assert kept["validation_loglik"] == history["validation_loglik"].max()
    assert model.params.n_states == kept["k"]
    held = validation_rows(len(train), model.validation_fraction, 3)
    assert model.log_likelihood(train[held]).mean() == pytest.approx(
        kept["validation_loglik"], rel=1e-12)


def test_likelihood_of_training_rows_beats_random_rows(trained):
    model, train, _ = trained
    random_rows = np.random.default_rng(8).integers(0, 2, size=(100, 40), dtype=np.uint8)
    own, other = model.log_likelihood(train), model.log_likelihood(random_rows)
    assert own.shape == (200,) and other.shape == (100,)
    assert own.mean() > other.mean() + 5
    assert np.median(own) > np.percentile(other, 95)


def test_imputation_recovers_masked_alleles(trained):
    """Masking a fifth of the sites of new haplotypes from the same founders:
    the posterior allele probabilities recover them far better than the
    major allele does."""
    model, train, founders = trained
    truth = mosaics(100, founders, np.random.default_rng(9))
    mask = np.random.default_rng(10).random(truth.shape) < 0.2
    masked = np.where(mask, 255, truth).astype(np.uint8)
    probs = model.allele_probabilities(masked)
    assert probs.shape == truth.shape and ((probs >= 0) & (probs <= 1)).all()
    accuracy = ((probs[mask] > 0.5) == truth[mask]).mean()
    major = (train.mean(axis=0) > 0.5).astype(np.uint8)
    baseline = (np.broadcast_to(major, truth.shape)[mask] == truth[mask]).mean()
    assert accuracy > 0.9 and accuracy > baseline + 0.2, (accuracy, baseline)
    # Masked sites lower the likelihood's information, never make it impossible.
    assert np.isfinite(model.log_likelihood(masked)).all()
    assert (model.log_likelihood(masked) > model.log_likelihood(truth)).all()


def test_conditional_populations(tmp_path):
    """AGs come in the training proportions, each population's AGs with its
    own (opposite) allele frequencies; labels survive save/load."""
    train, labels = two_populations()
    model = make_model(30, n_states=[2, 4], conditional=True)
    model.set_populations(labels)
    model.fit(train, seed=1)
    assert model.params.alpha.shape[0] == 2
    pops = model.sample_populations(50)
    assert pops.tolist() == ["A"] * 30 + ["B"] * 20
    ags = model.sample(4000, seed=2)
    labels_ags = model.sample_populations(4000)
    freq = {pop: train[labels == pop].mean(axis=0) for pop in ("A", "B")}
    for pop, other in (("A", "B"), ("B", "A")):
        got = ags[labels_ags == pop].mean(axis=0)
        assert np.abs(got - freq[pop]).mean() < 0.1
        assert np.abs(got - freq[pop]).mean() < 0.25 * np.abs(got - freq[other]).mean()
        assert np.corrcoef(got, freq[pop])[0, 1] > 0.8
    # At every SNP the A AGs carry allele 1 more often than the B AGs, as in training.
    assert (ags[labels_ags == "A"].mean(axis=0) - ags[labels_ags == "B"].mean(axis=0)
            > 0.2).all()
    # Scored under its own label a row is likelier than under the other's.
    own = model.log_likelihood(train, labels)
    other = model.log_likelihood(train, np.where(labels == "A", "B", "A"))
    assert (own > other).mean() > 0.95
    # Unlabelled rows are scored under the mixture: between the two.
    mixed = model.log_likelihood(train)
    assert ((mixed <= own + 1e-9) & (mixed >= other - 1e-9)).all()
    model.save(tmp_path / "c.npz")
    back = load_generator(tmp_path / "c.npz")
    assert back.sample_populations(50).tolist() == pops.tolist()
    assert np.array_equal(back.sample(100, seed=3), model.sample(100, seed=3))
    assert np.array_equal(back.log_likelihood(train[:9]), mixed[:9])
    with pytest.raises(InputError, match=r"need one known population label per row; "
                                         r"unknown: \[.*'Z'.*\]"):
        model.log_likelihood(train[:2], ["A", "Z"])
    with pytest.raises(InputError, match="need one known population label per row"):
        model.allele_probabilities(train[:2], ["A"])


def test_threads_and_blocks_do_not_change_the_result(monkeypatch):
    """One thread or all give identical parameters; another number of blocks
    only changes the order of additions (rounding)."""
    train, _, _ = structured(120, 25, seed=6)

    def fit():
        model = make_model(25, n_states=[3], iterations=6, patience=6)
        return model.fit(train, seed=2)

    whole = fit()
    hmm.use_threads(1)
    try:
        single = fit()
    finally:
        hmm.use_threads(None)
    for name in ("theta", "alpha", "jump"):
        assert np.array_equal(getattr(single.params, name), getattr(whole.params, name))
    assert np.array_equal(single.sample(40, seed=1), whole.sample(40, seed=1))
    monkeypatch.setattr(hmm, "N_BLOCKS", 7)
    blocks = fit()
    for name in ("theta", "alpha", "jump"):
        np.testing.assert_allclose(getattr(blocks.params, name), getattr(whole.params, name),
                                   rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(blocks.history["train_loglik"], whole.history["train_loglik"],
                               rtol=1e-12)
    assert blocks.history["kept"].tolist() == whole.history["kept"].tolist()


# --------------------------------------------------------------------------- checkpoint

class Killed(Exception):
    pass


@pytest.mark.parametrize("kill_at", [1, 3, 5, 6, 8, 10, 11])
def test_killed_run_resumes_to_the_same_parameters(kill_at, tmp_path, monkeypatch):
    """K = 2 then 3, 4 iterations each (5 E-steps each: the start and after each
    M-step; 10 in all). A run that dies at E-step ``kill_at`` (11: never) and is rerun with the same checkpoint does only the
    remaining E-steps and ends where an uninterrupted run ends."""
    train, _, _ = structured(100, 20, seed=7)

    def model():
        return make_model(20, n_states=[2, 3], iterations=4, patience=5)

    reference = model().fit(train, seed=4)
    statistics = hmm.em_statistics
    calls, kill = [], [kill_at]

    def counted(*args, **kwargs):
        calls.append(1)
        if len(calls) == kill[0]:
            raise Killed
        return statistics(*args, **kwargs)

    monkeypatch.setattr(hmm, "em_statistics", counted)
    run = TrainingRun(checkpoint=tmp_path / "ck.npz", history=tmp_path / "history.tsv")
    if kill_at <= 10:
        with pytest.raises(Killed):
            model().fit(train, seed=4, run=run)
    else:                                   # finished: a rerun only reads the checkpoint
        model().fit(train, seed=4, run=run)
    assert (tmp_path / "ck.npz").exists() == (kill_at > 1)
    calls.clear()
    kill[0] = None
    resumed = model().fit(train, seed=4, run=run)
    # The kill_at - 1 E-steps done (and checkpointed) before the kill are not repeated.
    assert len(calls) == 10 - (kill_at - 1)
    for key, value in reference.state().items():
        assert np.array_equal(resumed.state()[key], value), key
    pd.testing.assert_frame_equal(resumed.history.drop(columns="seconds"),
                                  reference.history.drop(columns="seconds"))
    table = pd.read_csv(tmp_path / "history.tsv", sep="\t")
    assert list(table.columns) == list(HISTORY_COLUMNS)
    assert len(table) == 10 and table["kept"].sum() == 1
    assert table["k"].tolist() == [2] * 5 + [3] * 5
    assert table["iteration"].tolist() == [0, 1, 2, 3, 4] * 2
    assert (table.loc[table["kept"] == 1, "iteration"] > 0).all()   # the start is never kept
    kept = reference.history[reference.history["kept"] == 1]
    assert table[table["kept"] == 1][["k", "iteration"]].values.tolist() == \
        kept[["k", "iteration"]].values.tolist()
    np.testing.assert_allclose(table["validation_loglik"], reference.history["validation_loglik"],
                               rtol=1e-5)


def test_checkpoint_for_other_settings_is_not_used(tmp_path):
    train, _, _ = structured(100, 20, seed=7)
    run = TrainingRun(checkpoint=tmp_path / "ck.npz")
    make_model(20, n_states=[2], iterations=3, patience=3).fit(train, seed=4, run=run)
    other = make_model(20, n_states=[2], iterations=5, patience=5).fit(train, seed=4, run=run)
    fresh = make_model(20, n_states=[2], iterations=5, patience=5).fit(train, seed=4)
    assert len(other.history) == 6
    assert np.array_equal(other.params.theta, fresh.params.theta)


# --------------------------------------------------------------------------- privacy floor

def floor_data():
    """Structured data, its fitting rows' allele counts ``c`` (M,), their
    number ``n`` and the smoothed frequency ``p = (c + 0.5) / (n + 1)``."""
    train, _, _ = structured(200, 30, seed=8)
    fitting = train[~validation_rows(200, 0.2, 6)]
    n, c = len(fitting), fitting.sum(axis=0).astype(float)
    return train, n, c, (c + 0.5) / (n + 1)


def fit_with_floor(train, floor, checkpoint=None):
    model = make_model(30, n_states=[4], iterations=6, patience=6, pseudo_count=1e-9,
                       min_state_haplotypes=floor)
    return model.fit(train, seed=6, run=TrainingRun(checkpoint=checkpoint))


def test_floor_of_all_fitting_haplotypes_shrinks_theta_exactly(tmp_path):
    """With min_state_haplotypes = N (all fitting haplotypes) the M-step fills
    every cluster up to N haplotypes: theta[m, k] = (n1 + (N - n) p_m) / N
    (n, n1 the cluster's expected haplotypes, all and with allele 1), so
    summed over the K clusters sum_k theta[m, k] = (K - 1) p_m + c_m / N.
    Checked on the M-step's output (the checkpoint's current parameters)."""
    train, n, c, p = floor_data()
    fit_with_floor(train, float(n), tmp_path / "floor.npz")
    theta = read_checkpoint(tmp_path / "floor.npz")[1]["current/theta"]
    assert theta.shape == (30, 4)
    np.testing.assert_allclose(theta.sum(axis=1), 3 * p + c / n, rtol=1e-10)
    # Each cluster is within its share of the data of the frequency:
    # |theta - p| = |n1 - n p| / N <= max(p, 1 - p) n / N.
    assert (np.abs(theta - p[:, None]) < np.maximum(p, 1 - p)[:, None]).all()
    # Without the floor the clusters are sharp and the identity fails.
    fit_with_floor(train, 0.0, tmp_path / "free.npz")
    free = read_checkpoint(tmp_path / "free.npz")[1]["current/theta"]
    assert np.abs(free.sum(axis=1) - (3 * p + c / n)).max() > 0.1
    assert np.abs(free - p[:, None]).max() > 2 * np.abs(theta - p[:, None]).max()


def test_kept_parameters_respect_the_floor():
    """The same fit as above: the kept parameters too satisfy the floor's
    identity (the starting point, seeded from single haplotypes, is never kept,
    even where its validation likelihood is the best)."""
    train, n, c, p = floor_data()
    model = fit_with_floor(train, float(n))
    np.testing.assert_allclose(model.params.theta.sum(axis=1), 3 * p + c / n, rtol=1e-10)


# --------------------------------------------------------------------------- bad settings

@pytest.mark.parametrize("settings, message", [
    ({"n_states": 0}, "n_states must be an integer >= 1, got 0"),
    ({"n_states": [4, 0]}, "n_states must be an integer >= 1, got 0"),
    ({"n_states": []}, "n_states must be an integer or a list of them"),
    ({"n_states": "8"}, "n_states must be an integer or a list of them"),
    ({"n_states": [True]}, "n_states must be an integer >= 1, got True"),
    ({"iterations": 0}, "iterations must be an integer >= 1"),
    ({"patience": 0}, "patience must be an integer >= 1"),
    ({"pseudo_count": 0}, "pseudo_count must be above 0"),
    ({"pseudo_count": -1}, "pseudo_count must be a number >= 0"),
    ({"validation_fraction": 0}, "validation_fraction must be above 0"),
    ({"validation_fraction": 0.6}, "validation_fraction must be a number between 0.0 and 0.5"),
    ({"min_state_haplotypes": -1}, "min_state_haplotypes must be a number >= 0"),
    ({"ne": -5}, "ne must be a number >= 0"),
    ({"learn_jumps": 1}, "learn_jumps and conditional must be true or false"),
    ({"conditional": "yes"}, "learn_jumps and conditional must be true or false"),
])
def test_bad_settings(settings, message):
    with pytest.raises(InputError, match=message):
        HMMGenerator(**settings)


@pytest.mark.parametrize("n_states", [2.5, None])
def test_bad_n_states_type(n_states):
    with pytest.raises(InputError, match="n_states must be an integer or a list"):
        HMMGenerator(n_states=n_states)


def test_fit_errors():
    train = np.random.default_rng(0).integers(0, 2, size=(20, 5), dtype=np.uint8)
    with pytest.raises(InputError, match="needs a genetic map: call set_map"):
        HMMGenerator(n_states=2).fit(train)
    model = HMMGenerator(n_states=2, iterations=2, min_state_haplotypes=0)
    model.set_map(["1"] * 4, [1, 2, 3, 4])
    with pytest.raises(InputError, match="genetic map has 4 SNPs; the training matrix has 5"):
        model.fit(train)
    model.set_map(["1"] * 5, [1, 2, 3, 4, 5])
    with pytest.raises(InputError, match="not fitted: call set_map and fit"):
        model.sample(3, seed=0)
    with pytest.raises(InputError, match="not fitted"):
        model.log_likelihood(train)
    # 10 individuals, 2 held out: 16 fitting haplotypes.
    with pytest.raises(InputError, match="min_state_haplotypes 17 is more than the 16 haplotypes"):
        make_model(5, n_states=2, min_state_haplotypes=17).fit(train)
    make_model(5, n_states=2, iterations=2, min_state_haplotypes=16).fit(train)
    with pytest.raises(InputError, match="validation_fraction 0.2 of 2 individuals leaves 0"):
        model.fit(train[:4])
    with pytest.raises(InputError, match="only 0 and 1"):
        model.fit(train + 2)
    conditional = make_model(5, n_states=2, conditional=True)
    with pytest.raises(InputError, match="conditional training needs one population label per "
                                         "training row"):
        conditional.fit(train)
    conditional.set_populations(["A"] * 10)
    with pytest.raises(InputError, match="got 10 labels for 20 rows"):
        conditional.fit(train)
    model.fit(train)
    with pytest.raises(InputError, match="genetic map has 3 SNPs; the haplotypes have 5"):
        model.set_map(["1"] * 3, [1, 2, 3])
    with pytest.raises(InputError, match=r"haplotypes must be \(n, 5\)"):
        model.log_likelihood(train[:, :4])
    with pytest.raises(InputError, match="n must be an integer >= 0"):
        model.sample(-1, seed=0)


def test_core_errors():
    params = tiny_model()
    with pytest.raises(InputError, match="jump probability at the first SNP must be 1"):
        HMMParameters(params.theta, params.alpha, np.full(5, 0.5))
    with pytest.raises(InputError, match="HMM parameters disagree"):
        HMMParameters(params.theta, params.alpha[:, :4], params.jump)
    with pytest.raises(InputError, match=r"haplotypes must be \(n, 5\)"):
        hmm.log_likelihoods(np.zeros((2, 4), dtype=np.uint8), params)
    with pytest.raises(InputError, match=r"population codes must be 2 integers in \[0, 2\)"):
        hmm.em_statistics(np.zeros((2, 5), dtype=np.uint8), params, [0, 2])
    with pytest.raises(InputError, match=r"weights must be \(5, 3, C\)"):
        hmm.posteriors(np.zeros((2, 5), dtype=np.uint8), params, np.ones((5, 3)))
