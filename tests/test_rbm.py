"""The RBM generator: exact conditional samplers, free energy, the Gibbs
chain's stationary distribution, training, sampling schemes, save/load and
resuming from a checkpoint."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import integrate, stats

import artgen.models.rbm as rbm_module
from artgen.errors import InputError
from artgen.models.base import load_generator
from artgen.models.rbm import RBMGenerator
from artgen.models.rbm_training import local_connections
from artgen.models.relu_units import (free_energy, relu_log_partition, relu_mean,
                                      truncated_normal_positive)
from artgen.models.training import TrainingRun, pairwise_w, snapshot_metrics
from conftest import interrupt_at_epoch


@pytest.fixture(scope="module")
def structured():
    """Two populations, each copies of 2 founders with 3% noise: LD and structure."""
    rng = np.random.default_rng(0)
    founders = rng.integers(0, 2, size=(4, 40), dtype=np.uint8)
    rows = founders[rng.integers(0, 4, size=400)]
    return (rows ^ (rng.random(rows.shape) < 0.03)).astype(np.uint8)


def quick_rbm(**settings) -> RBMGenerator:
    defaults = {"n_hidden": 12, "learning_rate": 0.002, "learning_rate_final": None,
                "optimizer": "adam", "epochs": 30, "snapshot_every": 10,
                "gibbs_steps": 20, "snapshot_size": 200}
    return RBMGenerator(**{**defaults, **settings})


# -- the ReLU hidden unit ------------------------------------------------------------


@pytest.mark.parametrize("mu", [-1000.0, -30.0, -5.0, -0.5, 0.0, 2.0, 8.0])
def test_truncated_normal_matches_scipy(mu):
    draws = truncated_normal_positive(np.full(20000, mu), np.random.default_rng(1))
    assert np.isfinite(draws).all() and (draws >= 0).all()
    # scipy.stats.truncnorm's bounds are in units of the standard deviation from loc.
    reference = stats.truncnorm(-mu, np.inf, loc=mu)
    # truncnorm's own moments lose digits below mu = -100; integrate instead.
    moments = [integrate.quad(lambda h: h ** k * np.exp(-h * h / 2 + mu * h - max(mu, 0) ** 2),
                              0, np.inf, epsabs=0, epsrel=1e-12)[0] for k in range(3)]
    mean, var = moments[1] / moments[0], moments[2] / moments[0] - (moments[1] / moments[0]) ** 2
    assert relu_mean(mu) == pytest.approx(mean, rel=1e-8)
    assert draws.mean() == pytest.approx(mean, abs=5 * np.sqrt(var / len(draws)))
    assert draws.var() == pytest.approx(var, rel=0.05)
    assert stats.kstest(draws, reference.cdf).pvalue > 1e-3


def test_truncated_normal_detects_the_rectified_approximation():
    # The check above is strong enough to tell max(0, N(mu, 1)) from the truth.
    rectified = np.maximum(np.random.default_rng(1).normal(-0.5, 1, 20000), 0)
    assert stats.kstest(rectified, stats.truncnorm(0.5, np.inf, loc=-0.5).cdf).pvalue < 1e-10


@pytest.mark.parametrize("mu", [-30.0, -3.0, 0.0, 1.5, 10.0])
def test_relu_log_partition_equals_numerical_integral(mu):
    shift = max(mu, 0) ** 2 / 2  # keeps exp() finite for large mu
    value, _ = integrate.quad(lambda h: np.exp(-h * h / 2 + mu * h - shift), 0, np.inf,
                              epsabs=0, epsrel=1e-12)
    assert relu_log_partition(mu) == pytest.approx(np.log(value) + shift, rel=1e-9, abs=1e-9)


# -- the tiny RBM: exact distribution by enumeration ----------------------------------


def tiny_rbm(hidden: str) -> RBMGenerator:
    # Couplings strong enough to be far from uniform, weak enough that no
    # state takes all the mass (ReLU couplings act quadratically, so smaller).
    rng = np.random.default_rng(3)
    scale, threshold = (0.6, -1.0) if hidden == "relu" else (1.5, -0.5)
    model = RBMGenerator(n_hidden=3, hidden=hidden, dtype="float64", start="random")
    model.set_state({"weights": rng.normal(0, scale, (4, 3)),
                     "visible_bias": rng.normal(-0.3, 0.7, 4),
                     "hidden_bias": rng.normal(threshold, 0.5, 3)})
    return model


ALL_STATES = np.array(list(itertools.product([0, 1], repeat=4)), dtype=np.uint8)


def brute_force_free_energy(model: RBMGenerator, v: np.ndarray) -> float:
    """-log sum/integral over h of exp(-E(v, h)), straight from the energy."""
    w, a, b = model.weights, model.visible_bias, model.hidden_bias
    total = -(v @ a)
    for j in range(w.shape[1]):
        mu = v @ w[:, j] + b[j]
        if model.hidden == "sigmoid":
            total -= np.log(1 + np.exp(mu))
        else:
            total -= np.log(integrate.quad(lambda h: np.exp(-h * h / 2 + mu * h), 0, np.inf)[0])
    return total


def exact_distribution(model: RBMGenerator) -> np.ndarray:
    f = model.free_energy(ALL_STATES)
    p = np.exp(-(f - f.min()))
    return p / p.sum()


def state_index(v: np.ndarray) -> np.ndarray:
    return v @ (1 << np.arange(3, -1, -1))


@pytest.mark.parametrize("hidden", ["relu", "sigmoid"])
def test_free_energy_matches_brute_force(hidden):
    model = tiny_rbm(hidden)
    expected = [brute_force_free_energy(model, v.astype(float)) for v in ALL_STATES]
    np.testing.assert_allclose(model.free_energy(ALL_STATES), expected, rtol=1e-8)
    np.testing.assert_allclose(
        free_energy(ALL_STATES, model.weights, model.visible_bias, model.hidden_bias, hidden),
        expected, rtol=1e-8)


@pytest.mark.parametrize("hidden", ["relu", "sigmoid"])
def test_gibbs_chain_reaches_the_exact_distribution(hidden):
    model = tiny_rbm(hidden)
    exact = exact_distribution(model)
    n = 40000
    ends = model.gibbs_chain(np.random.default_rng(0).integers(0, 2, (n, 4)), 25, seed=5)
    observed = np.bincount(state_index(ends), minlength=16)
    tv = 0.5 * np.abs(observed / n - exact).sum()
    # Sampling noise alone gives TV ~ 0.004 here; uniform is far off.
    assert tv < 0.012
    assert 0.5 * np.abs(1 / 16 - exact).sum() > 0.5
    assert exact.max() < 0.8
    assert stats.chisquare(observed, exact * n).pvalue > 1e-4
    # The same check rejects a nearby wrong distribution (model with a perturbed bias).
    wrong = tiny_rbm(hidden)
    wrong.visible_bias = wrong.visible_bias + np.array([0.15, 0, 0, 0])
    assert stats.chisquare(observed, exact_distribution(wrong) * n).pvalue < 1e-6


def test_gibbs_chain_with_rectified_hidden_units_fails_the_check(monkeypatch):
    # An inexact hidden sampler, max(0, N(mu, 1)), is caught by the same test.
    model = tiny_rbm("relu")
    monkeypatch.setattr(rbm_module, "truncated_normal_positive",
                        lambda mu, rng: np.maximum(rng.normal(mu, 1), 0))
    n = 40000
    ends = model.gibbs_chain(np.random.default_rng(0).integers(0, 2, (n, 4)), 25, seed=5)
    observed = np.bincount(state_index(ends), minlength=16)
    assert stats.chisquare(observed, exact_distribution(model) * n).pvalue < 1e-6


# -- training and sampling ------------------------------------------------------------


@pytest.fixture(scope="module")
def trained(structured):
    return quick_rbm(start="random", gibbs_steps=200).fit(structured, seed=1)


def exact_moments(model: RBMGenerator, n_visible: int):
    """Allele frequencies and covariances of the model's exact distribution
    over all 2^n_visible states, and the log-normaliser."""
    states = np.array(list(itertools.product([0, 1], repeat=n_visible)), dtype=np.uint8)
    log_p = -model.free_energy(states)
    log_z = np.logaddexp.reduce(log_p)
    p = np.exp(log_p - log_z)
    freq = p @ states
    return freq, (states * p[:, None]).T @ states - np.outer(freq, freq), log_z


@pytest.mark.parametrize("optimizer, rates", [("adam", (0.03, 0.001)), ("sgd", (0.1, 0.01))])
def test_training_raises_the_exact_likelihood_and_fits_the_moments(optimizer, rates):
    # 16 SNPs: the trained model's distribution is enumerated exactly, so
    # this checks the PCD gradient itself, not how well a sampler mixes.
    rng = np.random.default_rng(0)
    founders = (rng.random((4, 16)) < rng.uniform(0.2, 0.8, 16)).astype(np.uint8)
    switches = np.cumsum(rng.random((400, 16)) < 1 / 20, axis=1)
    which = np.take_along_axis(rng.integers(0, 4, (400, 8)), np.minimum(switches, 7), axis=1)
    data = founders[which, np.arange(16)] ^ (rng.random((400, 16)) < 0.02).astype(np.uint8)
    settings = {"n_hidden": 8, "snapshot_size": 200, "start": "train"}
    start = RBMGenerator(**settings, learning_rate=1e-12, learning_rate_final=None, epochs=1,
                         snapshot_every=1)
    model = RBMGenerator(**settings, optimizer=optimizer, learning_rate=rates[0],
                         learning_rate_final=rates[1], epochs=60, snapshot_every=60)
    real_cov = np.cov(data.T, bias=True)
    result = {}
    for name, rbm in (("start", start), ("trained", model)):
        rbm.fit(data, seed=1)
        freq, cov, log_z = exact_moments(rbm, 16)
        result[name] = {"ll": float((-rbm.free_energy(data) - log_z).mean()),
                        "af": np.abs(freq - data.mean(0)).mean(),
                        "cov": np.abs(cov - real_cov).mean()}
    # The initial model is independent sites at the data frequencies.
    assert result["start"]["af"] < 0.005 and result["start"]["cov"] > 0.035
    assert result["trained"]["ll"] > result["start"]["ll"] + 2.5
    assert result["trained"]["af"] < 0.03
    assert result["trained"]["cov"] < 0.4 * result["start"]["cov"]
    ags = model.sample(4000, seed=2)
    assert ags.shape == (4000, 16) and ags.dtype == np.uint8 and set(np.unique(ags)) <= {0, 1}
    assert np.abs(ags.mean(0) - data.mean(0)).max() < 0.06
    assert np.abs(np.cov(ags.T, bias=True) - real_cov).mean() < 0.5 * result["start"]["cov"]


def test_training_history(trained):
    history = trained.history
    assert list(history["epoch"]) == list(range(1, 31))
    assert history["reconstruction_error"].iloc[-1] < history["reconstruction_error"].iloc[0]
    assert history["pseudo_log_likelihood"].iloc[-1] > history["pseudo_log_likelihood"].iloc[0]
    assert history["aa_ts"].notna().sum() == 3 and trained.best_epoch in (10, 20, 30)
    assert np.isfinite(history[["reconstruction_error", "pseudo_log_likelihood"]]).all().all()


def test_same_seed_same_ags(trained):
    a = trained.sample(300, seed=7)
    assert np.array_equal(a, trained.sample(300, seed=7))
    assert not np.array_equal(a, trained.sample(300, seed=8))


def test_save_load_round_trip(tmp_path, structured, trained):
    trained.save(tmp_path / "rbm.npz")
    back = load_generator(tmp_path / "rbm.npz")
    assert type(back) is RBMGenerator and back.settings() == trained.settings()
    assert np.array_equal(back.sample(300, seed=7), trained.sample(300, seed=7))
    # Real haplotypes are saved only when the scheme starts from them.
    with np.load(tmp_path / "rbm.npz") as saved:
        assert "train_haplotypes" not in saved.files
    model = quick_rbm(epochs=2, snapshot_every=2, start="train").fit(structured)
    model.save(tmp_path / "train_start.npz")
    back = load_generator(tmp_path / "train_start.npz")
    assert np.array_equal(back.train_haplotypes, structured)
    assert np.array_equal(back.sample(50, seed=1), model.sample(50, seed=1))


@pytest.mark.parametrize("model", [{"hidden": "relu"}, {"hidden": "sigmoid"}, {"window": 5},
                                   {"start": "frequencies", "negative_phase": "restart", "k": 3,
                                    "gibbs_steps": 3, "window": 5, "global_units": 2}])
def test_resume_after_a_kill_repeats_the_uninterrupted_run(tmp_path, structured, model):
    settings = {"epochs": 6, "snapshot_every": 2, "n_chains": 20, **model}
    whole = quick_rbm(**settings).fit(structured, seed=4,
                                      run=TrainingRun(tmp_path / "a.npz", tmp_path / "a.tsv"))
    run = TrainingRun(tmp_path / "b.npz", tmp_path / "b.tsv")
    killed = interrupt_at_epoch(quick_rbm(**settings), 4)
    with pytest.raises(KeyboardInterrupt):
        killed.fit(structured, seed=4, run=run)
    resumed = quick_rbm(**settings).fit(structured, seed=4, run=run)
    for key, value in whole.state().items():
        assert np.array_equal(resumed.state()[key], value), key
    for key, value in whole._training_state().items():
        assert np.array_equal(resumed._training_state()[key], value), key
    assert list(resumed.history["epoch"]) == [1, 2, 3, 4, 5, 6]
    drop = ["seconds"]
    assert resumed.history.drop(columns=drop).equals(whole.history.drop(columns=drop))
    assert np.array_equal(resumed.sample(100, seed=3), whole.sample(100, seed=3))


def test_sampling_scheme_needs_a_start_set(structured):
    with pytest.raises(InputError, match="set_start_set"):
        quick_rbm(start="sampling").fit(structured)
    model = quick_rbm(start="sampling")
    model.set_start_set(structured[:10, :30])
    with pytest.raises(InputError, match="SNPs"):
        model.fit(structured)


def test_the_three_schemes_give_different_ags(structured, trained):
    starts = {}
    for start in ("random", "train", "sampling"):
        model = RBMGenerator(**{**trained.settings(), "start": start, "gibbs_steps": 2})
        model.set_state(trained.state())
        model.train_haplotypes = structured[:300]
        model.set_start_set(structured[300:])
        starts[start] = model.sample(200, seed=9)
    for a, b in itertools.combinations(starts.values(), 2):
        assert (a != b).any(axis=1).mean() > 0.5
    # Two Gibbs steps from training haplotypes stay close to them.
    near = np.abs(starts["train"][:, None, :].astype(int) - structured[:300]).sum(-1).min(1)
    far = np.abs(starts["random"][:, None, :].astype(int) - structured[:300]).sum(-1).min(1)
    assert near.mean() < far.mean()


def test_the_sampling_schemes_snapshots_score_the_start_sets_privacy(structured):
    """The sampling split's people are scored like the training set's at
    every snapshot; the other schemes start at no other real haplotypes."""
    model = quick_rbm(start="sampling", gibbs_steps=1)
    model.set_start_set(structured[350:])
    model.set_validation(structured[300:350])
    model.fit(structured[:300], seed=3)
    snaps = model.history.dropna(subset=["aa_ts"])
    assert snaps["privacy_loss_start"].notna().all() and len(snaps) == 3
    assert (snaps["privacy_loss_start_se"] == 0.5 / np.sqrt(50)).all()
    other = quick_rbm(start="train", epochs=10)
    other.set_validation(structured[300:350])
    other.fit(structured[:300], seed=3)
    assert "privacy_loss_start" not in other.history


def founder_distance(ags: np.ndarray, founders: np.ndarray) -> float:
    """Mean number of alleles by which each AG differs from its nearest founder."""
    return float(np.abs(ags[:, None, :].astype(int) - founders).sum(-1).min(1).mean())


def test_restarted_chains_learn_to_reach_the_data_in_k_steps():
    # Copies of 4 founders with 3% noise: real rows sit 1.2 alleles from their
    # founder. Both models start their AGs at independent sites drawn at the
    # training frequencies and take 3 Gibbs steps; only the one whose
    # negative chains made the same 3 steps from the same starts during
    # training ends near the founders.
    rng = np.random.default_rng(0)
    founders = rng.integers(0, 2, size=(4, 40), dtype=np.uint8)
    rows = founders[rng.integers(0, 4, size=400)]
    data = (rows ^ (rng.random(rows.shape) < 0.03)).astype(np.uint8)
    distance = {}
    for phase in ("persistent", "restart"):
        model = quick_rbm(start="frequencies", negative_phase=phase, k=3, gibbs_steps=3,
                          epochs=30, snapshot_every=30)
        model.fit(data, seed=1)
        distance[phase] = founder_distance(model.sample(1000, seed=2), founders)
    assert founder_distance(data, founders) < 1.3
    assert distance["restart"] < 2.0 < 3.5 < distance["persistent"]


def test_frequency_starts_hold_no_haplotype(tmp_path, structured):
    model = quick_rbm(start="frequencies", epochs=2, snapshot_every=2).fit(structured, seed=1)
    starts = model._start_states(20000, np.random.default_rng(0))
    assert np.abs(starts.mean(0) - structured.mean(0)).max() < 0.015  # 4 SE at p = 0.5
    # Independent sites: no LD between neighbours.
    assert np.abs(np.corrcoef(starts[:, :-1].T, starts[:, 1:].T).diagonal(40)).max() < 0.04
    model.save(tmp_path / "rbm.npz")
    with np.load(tmp_path / "rbm.npz") as saved:
        assert "start_frequencies" in saved.files
        assert not {"train_haplotypes", "start_set"} & set(saved.files)
    back = load_generator(tmp_path / "rbm.npz")
    assert np.array_equal(back.sample(50, seed=1), model.sample(50, seed=1))
    state = {**model.state(), "start_frequencies": np.full(40, 1.5)}
    with pytest.raises(InputError, match="start_frequencies"):
        RBMGenerator(start="frequencies").set_state(state)
    # A saved model without its frequencies cannot start a chain.
    bare = RBMGenerator(start="frequencies")
    bare.set_state({k: v for k, v in model.state().items() if k != "start_frequencies"})
    with pytest.raises(InputError, match="training allele frequencies"):
        bare.sample(5, seed=0)


@pytest.mark.parametrize("bad, message", [
    ({"start": "sampling"}, "no real haplotype"), ({"start": "train"}, "no real haplotype"),
    ({"start": "random", "gibbs_steps": 20}, "gibbs_steps must equal k")])
def test_restarted_chains_need_a_start_without_people_and_k_steps(bad, message):
    with pytest.raises(InputError, match=message):
        RBMGenerator(**{"negative_phase": "restart", "k": 10, "gibbs_steps": 10, **bad})


def test_cycles_through_a_small_start_set(trained, structured):
    model = RBMGenerator(**{**trained.settings(), "start": "sampling"})
    model.set_state(trained.state())
    model.set_start_set(structured[:5])
    assert model.sample(23, seed=1).shape == (23, 40)


@pytest.mark.parametrize("bad", [{"n_hidden": 0}, {"hidden": "tanh"}, {"learning_rate": 0},
                                 {"k": 0}, {"start": "anywhere"}, {"gibbs_steps": 0},
                                 {"l2": -1.0}, {"batch_size": 2.5}, {"dtype": "float16"},
                                 {"epochs": 0}, {"temperature": 0}, {"temperature": "hot"},
                                 {"window": 0}, {"window": 2.0},
                                 {"negative_phase": "fresh"}, {"global_units": 2},
                                 {"window": 5, "n_hidden": 4, "global_units": 4}])
def test_bad_settings(bad):
    with pytest.raises(InputError):
        RBMGenerator(**bad)


def test_input_checks(trained):
    with pytest.raises(InputError, match="SNPs"):
        trained.hidden_activations(np.zeros((3, 7), dtype=np.uint8))
    with pytest.raises(InputError, match="0 and 1"):
        trained.free_energy(np.full((2, 40), 2))
    with pytest.raises(InputError, match="not fitted"):
        RBMGenerator().sample(3, seed=0)


# -- latent encoding ------------------------------------------------------------------


def test_hidden_activations_and_latent_projection(structured, trained):
    acts = trained.hidden_activations(structured)
    assert acts.shape == (400, 12) and (acts >= 0).all()
    mu = structured @ trained.weights.astype(float) + trained.hidden_bias
    np.testing.assert_allclose(acts, relu_mean(mu), rtol=1e-6)
    proj = trained.latent_projection(structured, n_components=3)
    assert proj.shape == (400, 3)
    assert trained.latent_projection(structured, 2, space="visible").shape == (400, 2)
    # The leading axes separate the founder groups: haplotypes nearest each
    # founder form tight clusters far apart from each other.
    rng = np.random.default_rng(0)
    founders = rng.integers(0, 2, size=(4, 40), dtype=np.uint8)
    group = np.abs(structured[:, None, :].astype(int) - founders).sum(-1).argmin(1)
    centres = np.array([proj[group == g].mean(0) for g in range(4)])
    spread = max(np.linalg.norm(proj[group == g] - centres[g], axis=1).mean() for g in range(4))
    gaps = [np.linalg.norm(centres[i] - centres[j]) for i, j in itertools.combinations(range(4), 2)]
    assert min(gaps) > 2 * spread
    with pytest.raises(InputError, match="n_components"):
        trained.latent_projection(structured, n_components=13)


# -- the sampling temperature --------------------------------------------------------


def test_temperature_one_is_the_plain_gibbs_chain(trained, structured):
    """At temperature 1 an AG is the chain's state after gibbs_steps full steps."""
    rng = np.random.default_rng(7)
    starts = trained._start_states(50, rng)
    expected = trained._gibbs(starts.astype(trained.dtype), trained.gibbs_steps, rng)
    assert trained._sampling_temperature == 1.0
    np.testing.assert_array_equal(trained.sample(50, seed=7), expected)


def test_last_step_draws_at_the_temperature():
    """With no couplings P(v_i = 1) = sigmoid(a_i / T) exactly."""
    bias = np.array([-2.0, -0.5, 0.0, 1.0, 3.0])
    model = RBMGenerator(n_hidden=2, dtype="float64", start="random", gibbs_steps=1)
    n = 40000
    for temperature in (1.0, 0.5, 2.0):
        model.set_state({"weights": np.zeros((5, 2)), "visible_bias": bias,
                         "hidden_bias": np.zeros(2), "temperature": np.array(temperature)})
        freq = model.sample(n, seed=1).mean(axis=0)
        p = 1 / (1 + np.exp(-bias / temperature))
        assert np.all(np.abs(freq - p) < 4 * np.sqrt(p * (1 - p) / n))


def test_auto_temperature_is_calibrated_and_kept(tmp_path, structured):
    """Every snapshot calibrates the temperature on the validation set; the
    kept one travels with the saved model."""
    model = quick_rbm(temperature="auto", start="train")
    model.set_validation(structured[300:])
    model.fit(structured[:300], seed=2)
    temperatures = model.history["temperature"].dropna()
    assert len(temperatures) == 3
    assert temperatures.between(0.25, 2.0).all()
    kept = model.history.loc[model.history["kept"] == 1, "temperature"].iloc[0]
    assert model._sampling_temperature == kept
    model.save(tmp_path / "rbm.npz")
    loaded = load_generator(tmp_path / "rbm.npz")
    assert loaded._sampling_temperature == kept
    np.testing.assert_array_equal(loaded.sample(30, seed=4), model.sample(30, seed=4))


def test_auto_temperature_can_match_pairwise_distances():
    """Real haplotypes: 8 founders with 5% of alleles flipped. The AGs'
    logits are +-3 (5% flipped at temperature 1) at 8 other founders, each
    15% away from a real one: every AG sits farther from every real
    haplotype than real ones sit from each other, whatever the temperature,
    so AA_truth never falls below AA_syn and the AA balance only runs
    colder. The AGs' pairwise distances match the real ones' at temperature
    1, and the distance target finds it (within a fine scan's minimum)."""
    rng = np.random.default_rng(5)
    founders = rng.integers(0, 2, size=(8, 100), dtype=np.uint8)
    real = founders[rng.integers(0, 8, 200)]
    real = (real ^ (rng.random(real.shape) < 0.05)).astype(np.uint8)
    others = (founders ^ (rng.random(founders.shape) < 0.15)).astype(np.uint8)
    logits = np.where(others[rng.integers(0, 8, 200)] == 1, 3.0, -3.0)

    def draw(temperature, n=200, seed=1):
        p = 1 / (1 + np.exp(-logits[:n] / temperature))
        return (np.random.default_rng(seed).random((n, 100)) < p).astype(np.uint8)

    chosen = {}
    for target in ("aa", "pairwise_w"):
        model = RBMGenerator(n_hidden=2, temperature="auto", temperature_target=target)
        model.sample = lambda n, seed, model=model: draw(model._sampling_temperature, n, seed)
        model._calibrate(real, real, 200, seed=1)
        chosen[target] = model._sampling_temperature
    for temperature in (0.25, 1.0, 2.0):
        aa = snapshot_metrics(real, draw(temperature), seed=1)
        assert aa["aa_truth"] >= aa["aa_syn"]
    assert chosen["aa"] < 0.75
    scan = {t: pairwise_w(draw(t), real, 1) for t in np.geomspace(0.25, 2.0, 41)}
    best = min(scan, key=scan.get)
    assert 0.8 < best < 1.25 and 0.8 < chosen["pairwise_w"] < 1.25
    assert pairwise_w(draw(chosen["pairwise_w"]), real, 1) <= 1.1 * scan[best]
    assert pairwise_w(draw(chosen["aa"]), real, 1) > 1.5 * scan[best]
    # The target is a setting, saved with the model's settings, and checked.
    model = RBMGenerator(n_hidden=2, temperature="auto", temperature_target="pairwise_w")
    assert model.settings()["temperature_target"] == "pairwise_w"
    assert "temperature_target" not in RBMGenerator(n_hidden=2).settings()
    with pytest.raises(InputError, match="temperature_target"):
        RBMGenerator(temperature_target="distance")


def test_a_bad_saved_temperature_is_refused(trained):
    state = {**trained.state(), "temperature": np.array([1.0, 2.0])}
    with pytest.raises(InputError, match="temperature must be one positive number"):
        RBMGenerator().set_state(state)


@pytest.mark.parametrize("key, value", [("weights", 1e39), ("visible_bias", np.nan),
                                        ("hidden_bias", -np.inf)])
def test_a_saved_state_that_is_not_finite_as_float32_is_refused(trained, key, value):
    """A float64 weight beyond float32's range would load as inf and draw
    garbage: it is refused, naming the array."""
    damaged = np.array(trained.state()[key], dtype=np.float64)
    damaged.flat[0] = value
    with pytest.raises(InputError, match=f"the saved rbm {key} holds values that are not "
                                         "finite as float32"):
        RBMGenerator().set_state({**trained.state(), key: damaged})
    with pytest.raises(InputError, match="not an array of numbers"):
        RBMGenerator().set_state({**trained.state(), key: np.array(["a", "b"])})


def test_a_saved_state_with_an_empty_start_set_is_refused(trained):
    state = {**trained.state(), "start_set": np.zeros((0, 40), np.uint8)}
    with pytest.raises(InputError, match="start_set"):
        RBMGenerator(start="sampling").set_state(state)
    state = {**trained.state(), "start_set": np.zeros((3, 7), np.uint8)}
    with pytest.raises(InputError, match="start_set has 7 SNPs"):
        RBMGenerator(start="sampling").set_state(state)


# -- the locally connected RBM -------------------------------------------------------

def test_local_connections_by_hand():
    # 6 SNPs, 3 units of window 2: starts 0, 2, 4.
    expected = np.zeros((6, 3), dtype=bool)
    expected[[0, 1], 0] = expected[[2, 3], 1] = expected[[4, 5], 2] = True
    assert np.array_equal(local_connections(6, 3, 2), expected)
    # More units than the 2 window positions: starts round(0, 1/3, 2/3, 1) = 0, 0, 1, 1.
    mask = local_connections(4, 4, 3)
    assert np.array_equal(mask[:, 0], [1, 1, 1, 0]) and np.array_equal(mask[:, 3], [0, 1, 1, 1])
    assert (mask.sum(axis=0) == 3).all()
    assert np.array_equal(local_connections(5, 2, 5), np.ones((5, 2), dtype=bool))
    # One global unit after two local ones: starts 0 and 4.
    mask = local_connections(6, 3, 2, global_units=1)
    assert np.array_equal(mask[:, :2], expected[:, [0, 2]]) and mask[:, 2].all()
    with pytest.raises(InputError, match="global_units"):
        local_connections(6, 3, 2, global_units=3)
    with pytest.raises(InputError, match="at most the number of SNPs"):
        local_connections(4, 2, 5)


def test_local_rbm_learns_neighbour_ld_and_keeps_its_window():
    # A Markov chain along 14 SNPs: LD between neighbours only. Enumerated
    # exactly, the trained model carries the neighbours' covariances and its
    # weights outside the windows are still exactly zero.
    rng = np.random.default_rng(3)
    n, n_snps = 600, 14
    data = np.empty((n, n_snps), dtype=np.uint8)
    data[:, 0] = rng.random(n) < 0.5
    for i in range(1, n_snps):
        keep = rng.random(n) < 0.85
        data[:, i] = np.where(keep, data[:, i - 1], rng.random(n) < 0.5)
    model = RBMGenerator(n_hidden=n_snps - 1, window=2, optimizer="adam", learning_rate=0.02,
                         learning_rate_final=0.002, init_scale=0.1, epochs=60,
                         snapshot_every=60, snapshot_size=200, start="train")
    model.fit(data, seed=1)
    mask = local_connections(n_snps, n_snps - 1, 2)
    assert (model.weights[~mask] == 0).all() and (model.weights[mask] != 0).all()
    _, cov, _ = exact_moments(model, n_snps)
    real = np.cov(data.T, bias=True)
    neighbours = np.arange(n_snps - 1)
    assert np.abs(cov[neighbours, neighbours + 1] - real[neighbours, neighbours + 1]).max() < 0.05
    assert cov[neighbours, neighbours + 1].min() > 0.15  # real: about 0.21
    with pytest.raises(InputError, match="window"):
        RBMGenerator(window=15, epochs=1).fit(data)
