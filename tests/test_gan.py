"""The GAN: the paper's architecture, deterministic compiled training,
AATS-guided snapshots, and resuming after a kill."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest

from artgen.errors import InputError
from artgen.haplotypes import Haplotypes
from artgen.io import save_haplotypes
from artgen.models import TrainingRun, is_iterative, load_generator, make_generator
from artgen.models.gan import (GANGenerator, alleles_from_logits, frequency_offsets,
                               generator_logits)
from artgen.models.gan_trainer import layer_sizes
from artgen.models.training import snapshot_metrics, snapshot_rank, snapshot_score

from conftest import REPO, interrupt_at_epoch

SMALL = {"latent_size": 16, "batch_size": 16, "d_learning_rate": 2e-3, "g_learning_rate": 1e-3}
# The project's default recipe (WGAN-GP critic, Bernoulli outputs), small.
WASSERSTEIN = dict(SMALL, loss="wasserstein", output="bernoulli", critic_steps=2, alpha=0.2,
                   l2=0.0, input_noise=0.0, beta_1=0.5, beta_2=0.9, minibatch_std=4,
                   temperature="auto", aa_tolerance=0.2)


@pytest.fixture(scope="module")
def founders_data():
    """Two populations, each a set of 3 founder haplotypes with 2% noise: 192 x 40."""
    rng = np.random.default_rng(5)
    founders = rng.integers(0, 2, size=(6, 40), dtype=np.uint8)
    rows = founders[rng.integers(0, 6, size=192)]
    return (rows ^ (rng.random(rows.shape) < 0.02)).astype(np.uint8)


def test_layer_sizes_are_the_papers():
    g, d = layer_sizes(805, 600, (1.2, 1.1), (2, 3))
    assert g == [600, 671, 732, 805]
    assert d == [805, 402, 268, 1]
    assert is_iterative("gan") and not is_iterative("markov")


def test_settings_are_checked():
    with pytest.raises(InputError, match="batch_size"):
        GANGenerator(batch_size=0)
    with pytest.raises(InputError, match="d_learning_rate"):
        GANGenerator(d_learning_rate=0)
    with pytest.raises(InputError, match="epochs"):
        GANGenerator(epochs=0)
    with pytest.raises(InputError, match="fewer than one batch"):
        GANGenerator(batch_size=64).fit(np.zeros((10, 5), dtype=np.uint8))


def test_wasserstein_settings_are_checked():
    with pytest.raises(InputError, match="loss must be"):
        GANGenerator(loss="hinge")
    with pytest.raises(InputError, match="critic_steps > 1 needs loss 'wasserstein'"):
        GANGenerator(critic_steps=5)
    with pytest.raises(InputError, match="pack applies to loss 'bce' only"):
        GANGenerator(loss="wasserstein", pack=2)
    with pytest.raises(InputError, match="minibatch_std"):
        GANGenerator(batch_size=32, minibatch_std=5)
    with pytest.raises(InputError, match="minibatch_std"):
        GANGenerator(minibatch_std=1)
    with pytest.raises(InputError, match="beta_2"):
        GANGenerator(beta_2=1.0)
    with pytest.raises(InputError, match="gradient_penalty"):
        GANGenerator(gradient_penalty=-1)


def test_minibatch_std_feature():
    """Row i's feature is the mean over columns of the standard deviation of
    rows i, i + n/g, ... (its group); identical rows give 0 (up to the 1e-8
    inside the square root)."""
    model = GANGenerator(latent_size=4, batch_size=8, minibatch_std=4)
    model._start(np.zeros((8, 6), dtype=np.uint8), seed=0)
    x = np.random.default_rng(1).normal(size=(8, 6)).astype(np.float32)
    ours = model._trainer._group_std(model._trainer.tf.constant(x)).numpy()[:, 0]
    expected = np.empty(8)
    for j in range(2):                       # 8 rows in groups of 4: {j, j+2, j+4, j+6}
        rows = np.arange(j, 8, 2)
        expected[rows] = x[rows].std(axis=0).mean()
    np.testing.assert_allclose(ours, expected, rtol=1e-5)
    same = np.tile(x[:1], (8, 1))
    assert np.all(model._trainer._group_std(model._trainer.tf.constant(same)).numpy() < 1e-3)


def test_critic_and_generator_updates_equal_an_independent_wgan_gp_step():
    """From the same weights and inputs, one critic update and one generator
    update equal a plain TensorFlow WGAN-GP step written from the paper
    (Gulrajani et al. 2017, Algorithm 1) with Keras's Adam, minibatch
    statistics included."""
    import keras
    import tensorflow as tf

    n_snps, latent, batch, group = 24, 8, 16, 4
    rng = np.random.default_rng(0)
    alleles = rng.integers(0, 2, (64, n_snps), dtype=np.uint8)
    model = GANGenerator(latent_size=latent, batch_size=batch, loss="wasserstein",
                         output="sigmoid", critic_steps=1, gradient_penalty=10.0,
                         beta_1=0.5, beta_2=0.9, alpha=0.2, l2=0.0, input_noise=0.0,
                         d_learning_rate=1e-3, g_learning_rate=2e-3, minibatch_std=group)
    model._start(alleles, seed=0)
    trainer = model._trainer
    start = [tf.Variable(p.numpy()) for p in trainer.params]
    g_vars, d_vars = start[:trainer.n_g], start[trainer.n_g:]

    def dense_stack(weights, x, last_activation=None):
        for i in range(0, len(weights), 2):
            x = tf.matmul(x, weights[i]) + weights[i + 1]
            if i < len(weights) - 2:
                x = tf.where(x > 0, x, 0.2 * x)
        return x

    def group_std(x):
        n = x.shape[0] // group
        feature = [tf.reduce_mean(tf.math.reduce_std(tf.gather(x, list(range(j, x.shape[0], n))),
                                                     axis=0)) for j in range(n)]
        return tf.reshape(tf.tile(tf.stack(feature), [group]), (-1, 1))

    def critic(x):
        h = dense_stack(d_vars[:-2], x)
        h = tf.where(h > 0, h, 0.2 * h)
        h = tf.concat([h, group_std(h), group_std(x)], axis=1)
        return tf.matmul(h, d_vars[-2]) + d_vars[-1]

    real = tf.constant(alleles[:batch], tf.float32)
    z = tf.constant(rng.normal(size=(batch, latent)), tf.float32)
    epoch, step = tf.constant(1, tf.int64), tf.constant(0, tf.int64)
    share = tf.random.stateless_uniform((batch, 1), trainer._seed_of(epoch, step, 6))
    fake = tf.sigmoid(dense_stack(g_vars, z))
    between = share * real + (1 - share) * fake
    with tf.GradientTape() as tape:
        with tf.GradientTape() as inner:
            inner.watch(between)
            c = critic(between)
        norm = tf.sqrt(tf.reduce_sum(tf.square(inner.gradient(c, between)), axis=1))
        d_loss = (tf.reduce_mean(critic(fake)) - tf.reduce_mean(critic(real))
                  + 10.0 * tf.reduce_mean((norm - 1) ** 2))
    d_opt = keras.optimizers.Adam(1e-3, beta_1=0.5, beta_2=0.9, epsilon=1e-7)
    d_opt.apply_gradients(zip(tape.gradient(d_loss, d_vars), d_vars))
    z2 = tf.constant(rng.normal(size=(batch, latent)), tf.float32)
    with tf.GradientTape() as tape:
        g_loss = -tf.reduce_mean(critic(tf.sigmoid(dense_stack(g_vars, z2))))
    g_opt = keras.optimizers.Adam(2e-3, beta_1=0.5, beta_2=0.9, epsilon=1e-7)
    g_opt.apply_gradients(zip(tape.gradient(g_loss, g_vars), g_vars))

    state = ([p.read_value() for p in trainer.params], [x.read_value() for x in trainer.m],
             [x.read_value() for x in trainer.v], trainer.steps.read_value())
    state, our_d_loss = trainer._critic_update(state, real, z, epoch, step)
    state, our_g_loss = trainer._generator_update(state, z2, epoch, tf.constant(99, tf.int64))
    for ours, theirs, before in zip(state[0], start, trainer.params):
        # Adam moves every weight by about the learning rate (1e-3, 2e-3), so
        # a wrong loss shows up far above this tolerance; a weight whose
        # gradient is near Adam's epsilon may differ by a tenth of a step
        # through rounding alone.
        # (The critic's output bias cancels out of its loss: it never moves.)
        if ours.shape.rank == 2:
            assert np.abs(theirs.numpy() - before.numpy()).max() > 5e-4
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-4, atol=2e-4)
    assert state[3].numpy().tolist() == [1, 1]
    assert float(our_d_loss) == pytest.approx(float(d_loss), rel=1e-3)
    assert float(our_g_loss) == pytest.approx(float(g_loss), rel=1e-3)


def test_temperature_settings_and_sampling(founders_data):
    with pytest.raises(InputError, match="temperature must be"):
        GANGenerator(output="bernoulli", temperature=0)
    with pytest.raises(InputError, match="temperature must be"):
        GANGenerator(output="bernoulli", temperature="hot")
    with pytest.raises(InputError, match="output 'bernoulli' only"):
        GANGenerator(temperature="auto")
    # Allele-1 frequency of draws at temperature T is sigmoid(logit / T).
    model = GANGenerator(latent_size=1, output="bernoulli", temperature=2.0)
    logit = np.array([-3.0, 0.5, 4.0], dtype=np.float32)
    model.set_state({"g0": np.zeros((1, 3), np.float32), "g1": logit})
    assert model._sampling_temperature == 1.0          # a state without one: 1
    model.set_state({"g0": np.zeros((1, 3), np.float32), "g1": logit,
                     "temperature": np.array(2.0)})
    freq = model.sample(40000, seed=0).mean(0)
    np.testing.assert_allclose(freq, 1 / (1 + np.exp(-logit / 2)), atol=0.01)


def test_a_saved_state_that_is_not_finite_as_float32_is_refused():
    model = GANGenerator(latent_size=1, output="bernoulli")
    state = {"g0": np.zeros((1, 3)), "g1": np.array([0.0, 1e39, 0.0])}
    with pytest.raises(InputError, match="the saved gan layer g1 holds values that are not "
                                         "finite as float32"):
        model.set_state(state)
    state = {"g0": np.zeros((1, 3)), "g1": np.zeros(3),
             "frequency_offsets": np.array([[0.0, np.nan, 0.0]])}
    with pytest.raises(InputError, match="frequency offsets holds values that are not finite"):
        model.set_state(state)


def test_auto_temperature_balances_aa_truth_and_aa_syn():
    """A generator that is too sure of itself makes AGs that sit on each
    other (AA_syn near 1). Real haplotypes here are 8 founders with 8% of
    alleles flipped; the generator's logits are +-6 at the founders' alleles
    (0.25% flipped at temperature 1). The calibrated temperature adds back
    per-site noise until AA_truth and AA_syn meet near 0.5, and is kept in
    the model's state."""
    rng = np.random.default_rng(5)
    founders = rng.integers(0, 2, size=(8, 100), dtype=np.uint8)
    rows = founders[rng.integers(0, 8, size=200)]
    real = (rows ^ (rng.random(rows.shape) < 0.08)).astype(np.uint8)
    logits = np.where(founders[rng.integers(0, 8, size=200)] == 1, 6.0, -6.0)

    model = GANGenerator(latent_size=4, output="bernoulli", temperature="auto")
    model.set_state({"g0": np.zeros((4, 100), np.float32), "g1": np.zeros(100, np.float32)})
    # Stand-in for the generator network: fixed logits, drawn at the current temperature.
    model.sample = lambda n, seed: (np.random.default_rng(seed).random((n, 100)) < 1 / (
        1 + np.exp(-logits[:n] / model._sampling_temperature))).astype(np.uint8)
    cold = snapshot_metrics(real, model.sample(200, 1), seed=1)
    assert cold["aa_syn"] > 0.8
    model._calibrate(real, real, 200, seed=1)
    assert 1.5 < model._sampling_temperature < 3.0       # 8% noise: logit 2.4, T about 2.5
    warm = snapshot_metrics(real, model.sample(200, 1), seed=1)
    assert warm["snapshot_score"] < cold["snapshot_score"] - 0.3
    assert abs(warm["aa_truth"] - 0.5) < 0.2 and abs(warm["aa_syn"] - 0.5) < 0.2
    assert float(model.state()["temperature"]) == model._sampling_temperature


def test_sampling_rounds_or_draws_the_generator_output():
    # A one-layer "generator" whose output is its input.
    w, b = np.eye(3, dtype=np.float32), np.zeros(3, dtype=np.float32)
    z = np.array([[0.0, 0.5, 0.6]], dtype=np.float32)   # tanh: 0, 0.46, 0.54
    logits = generator_logits([w, b], z, alpha=0.01)
    rng = np.random.default_rng(0)
    assert alleles_from_logits(logits, "round", rng).tolist() == [[0, 0, 1]]
    # "bernoulli": allele 1 with probability sigmoid(logit).
    many = np.repeat(np.array([[-2.0, 0.0, 3.0]], dtype=np.float32), 20000, axis=0)
    freq = alleles_from_logits(many, "bernoulli", rng).mean(0)
    np.testing.assert_allclose(freq, 1 / (1 + np.exp([2.0, 0.0, -3.0])), atol=0.01)


def test_one_batch_equals_the_authors_keras_steps():
    """From the same weights and the same batch (noisy real haplotypes,
    smoothed labels, latent draws), one compiled update equals the authors'
    Keras sequence: D.train_on_batch(real), D.train_on_batch(G(z)), then
    GAN.train_on_batch(z) through the frozen discriminator."""
    import keras
    import tensorflow as tf
    from keras import layers, regularizers

    n_snps, latent, batch = 24, 8, 16
    rng = np.random.default_rng(0)
    alleles = rng.integers(0, 2, (64, n_snps), dtype=np.uint8)
    model = GANGenerator(latent_size=latent, batch_size=batch, epochs=1, snapshot_every=1)
    model._start(alleles, seed=0)
    trainer = model._trainer
    g_sizes, d_sizes = layer_sizes(n_snps, latent, (1.2, 1.1), (2, 3))

    def mlp(sizes, last):
        net = keras.Sequential([keras.Input((sizes[0],))])
        for units in sizes[1:-1]:
            net.add(layers.Dense(units, kernel_regularizer=regularizers.l2(1e-4)))
            net.add(layers.LeakyReLU(negative_slope=0.01))
        net.add(layers.Dense(sizes[-1], activation=last))
        return net

    generator, discriminator = mlp(g_sizes, "tanh"), mlp(d_sizes, "sigmoid")
    start = [p.numpy() for p in trainer.params]
    generator.set_weights(start[:trainer.n_g])
    discriminator.set_weights(start[trainer.n_g:])
    discriminator.compile(optimizer=keras.optimizers.Adam(8e-4), loss="binary_crossentropy")
    discriminator.trainable = False
    gan = keras.Sequential([keras.Input((latent,)), generator, discriminator])
    gan.compile(optimizer=keras.optimizers.Adam(1e-4), loss="binary_crossentropy")

    real = alleles[:batch] - rng.uniform(0, 0.1, (batch, n_snps)).astype(np.float32)
    labels = 1 - rng.uniform(0, 0.1, (batch, 1)).astype(np.float32)
    z = rng.normal(size=(batch, latent)).astype(np.float32)
    fake = generator.predict_on_batch(z)
    discriminator.trainable = True
    d_real = discriminator.train_on_batch(real, labels)
    between = discriminator.get_weights()
    d_fake = discriminator.train_on_batch(fake, np.zeros((batch, 1), np.float32))
    discriminator.trainable = False
    g_loss = gan.train_on_batch(z, labels)

    state = ([p.read_value() for p in trainer.params], [x.read_value() for x in trainer.m],
             [x.read_value() for x in trainer.v], trainer.steps.read_value())
    params, _, _, steps, d_loss, our_g_loss = trainer._update(
        state, tf.constant(real), tf.constant(labels), tf.constant(z),
        tf.constant(1, tf.int64), tf.constant(0, tf.int64))
    expected = generator.get_weights() + discriminator.get_weights()
    for ours, theirs in zip(params, expected):
        np.testing.assert_allclose(ours.numpy(), theirs, rtol=1e-4, atol=1e-6)
    assert steps.numpy().tolist() == [1, 2]
    # Keras's losses include the L2 penalty of the weights each step started
    # from; ours leave it out of the step (the epoch adds it once).
    def l2(weights):
        return 1e-4 * sum(float(np.sum(w.astype(np.float64) ** 2)) for w in weights[0:-2:2])

    d_start = start[trainer.n_g:]
    assert float(d_loss) == pytest.approx(
        (d_real - l2(d_start) + d_fake - l2(between)) / 2, rel=1e-4)
    assert float(our_g_loss) == pytest.approx(g_loss - l2(start[:trainer.n_g]), rel=1e-3)


def test_snapshot_rank_prefers_faithful_snapshots_within_tolerance():
    early = {"aa_truth": 0.52, "aa_syn": 0.50, "af_r": 0.98, "ld_r": 0.90, "snapshot_score": 0.02}
    late = {"aa_truth": 0.60, "aa_syn": 0.58, "af_r": 0.995, "ld_r": 0.96, "snapshot_score": 0.18}
    rough = {"aa_truth": 0.30, "aa_syn": 0.90, "af_r": 0.999, "ld_r": 0.99, "snapshot_score": 0.6}
    # Tolerance 0: nearest 0.5 wins (the paper's choice by AATS).
    assert min([late, early, rough], key=snapshot_rank) is early
    # Within 0.15 of 0.5, the more faithful wins; outside, never ahead of those within.
    assert min([early, late, rough], key=lambda s: snapshot_rank(s, 0.15)) is late
    assert snapshot_rank(rough, 0.15) > snapshot_rank(early, 0.15)
    # An undefined LD r (a set with too few polymorphic sites) counts as the worst.
    assert snapshot_rank(dict(late, ld_r=float("nan")), 0.15) > snapshot_rank(early, 0.15)
    with pytest.raises(InputError, match="aa_tolerance"):
        GANGenerator(aa_tolerance=0.6)


def test_snapshot_score_and_metrics(founders_data):
    assert snapshot_score(0.5, 0.5) == 0
    assert snapshot_score(0.21, 0.99) == pytest.approx(0.78)
    assert snapshot_score(0.5, 0.5, fixed_share=0.25) == 0.25
    copy = snapshot_metrics(founders_data, founders_data.copy(), seed=0)
    assert copy["aa_truth"] == 0 and copy["aa_syn"] == 0 and copy["snapshot_score"] == 1
    ones = np.ones_like(founders_data)
    far = snapshot_metrics(founders_data, ones, seed=0)
    assert far["fixed_sites"] == np.sum(founders_data.min(0) != founders_data.max(0))
    assert far["snapshot_score"] == pytest.approx(
        snapshot_score(far["aa_truth"], far["aa_syn"], fixed_share=1.0))


@pytest.mark.parametrize("recipe", [dict(SMALL, output="bernoulli"), WASSERSTEIN],
                         ids=["bce", "wasserstein"])
def test_training_learns_is_deterministic_and_round_trips(tmp_path, recipe):
    # Independent sites at frequencies 0.1/0.9/0.3/0.7: the marginals are
    # learned within a few hundred steps; an untrained generator's are unrelated.
    rng = np.random.default_rng(5)
    sites = (rng.random((256, 40)) < np.tile([0.1, 0.9, 0.3, 0.7], 10)).astype(np.uint8)
    settings = dict(recipe, epochs=60, snapshot_every=20)
    run = TrainingRun(history=tmp_path / "history.tsv")
    untrained = GANGenerator(**settings)
    untrained._start(sites, seed=3)
    model = GANGenerator(**settings).fit(sites, seed=3, run=run)
    ags = model.sample(256, seed=1)
    assert ags.shape == sites.shape and ags.dtype == np.uint8

    def af_error(x):
        return np.abs(x.mean(0) - sites.mean(0)).mean()
    assert af_error(ags) < 0.5 * af_error(untrained.sample(256, seed=1))
    assert np.corrcoef(ags.mean(0), sites.mean(0))[0, 1] > 0.8
    history = pd.read_csv(tmp_path / "history.tsv", sep="\t")
    assert history["epoch"].tolist() == list(range(1, 61))
    assert history["aa_ts"].notna().sum() == 3
    assert {"d_loss", "g_loss", "aa_truth", "aa_syn", "fixed_sites"} <= set(history.columns)
    kept = history.loc[history["kept"] == 1, "epoch"].tolist()
    assert kept == [model.best_epoch]
    ranks = [snapshot_rank(row, model.aa_tolerance)
             for row in history.dropna(subset=["aa_ts"]).to_dict("records")]
    assert snapshot_rank(history.set_index("epoch").loc[model.best_epoch].to_dict(),
                         model.aa_tolerance) == min(ranks)
    assert {"af_r", "ld_r"} <= set(history.columns)

    again = GANGenerator(**settings).fit(sites, seed=3)
    assert np.array_equal(again.sample(256, seed=1), ags)
    other = GANGenerator(**settings).fit(sites, seed=4)
    assert not np.array_equal(other.sample(256, seed=1), ags)

    model.save(tmp_path / "gan.npz")
    back = load_generator(tmp_path / "gan.npz")
    assert back.settings() == model.settings()
    assert np.array_equal(back.sample(256, seed=1), ags)


@pytest.mark.parametrize("recipe", [SMALL, WASSERSTEIN], ids=["bce", "wasserstein"])
def test_interrupted_training_resumes_exactly(tmp_path, founders_data, recipe):
    """An exception mid-run leaves the last snapshot's checkpoint; fitting
    again continues from it and ends exactly where an uninterrupted run ends."""
    settings = dict(recipe, epochs=40, snapshot_every=10)
    whole = GANGenerator(**settings).fit(founders_data, seed=2)

    run = TrainingRun(checkpoint=tmp_path / "ckpt.npz", history=tmp_path / "h.tsv")
    broken = interrupt_at_epoch(GANGenerator(**settings), 20)
    with pytest.raises(KeyboardInterrupt):
        broken.fit(founders_data, seed=2, run=run)
    assert pd.read_csv(tmp_path / "h.tsv", sep="\t")["epoch"].max() == 20

    resumed = GANGenerator(**settings)
    calls = []
    inner = resumed._run_epochs
    resumed._run_epochs = lambda first, n: calls.append(first) or inner(first, n)
    resumed.fit(founders_data, seed=2, run=run)
    assert calls == [20, 30]            # epochs 1-20 were not trained again
    assert pd.read_csv(tmp_path / "h.tsv", sep="\t")["epoch"].tolist() == list(range(1, 41))
    for key, value in whole.state().items():
        np.testing.assert_array_equal(resumed.state()[key], value)
    assert resumed.best_epoch == whole.best_epoch


def test_checkpoint_of_other_settings_is_not_resumed(tmp_path, founders_data, caplog):
    run = TrainingRun(checkpoint=tmp_path / "ckpt.npz")
    GANGenerator(**dict(SMALL, epochs=10, snapshot_every=10)).fit(founders_data, seed=2, run=run)
    model = GANGenerator(**dict(SMALL, epochs=10, snapshot_every=10, l2=0.0))
    with caplog.at_level("WARNING", logger="artgen"):
        model.fit(founders_data, seed=2, run=run)
    assert "starting afresh" in caplog.text


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_killed_cli_training_resumes_from_checkpoint(tmp_path, founders_data, sig):
    """Kill the training command mid-run (SIGTERM as SLURM sends first, or
    SIGKILL); the rerun continues the epoch counter from the checkpoint and
    ends with the uninterrupted run's model."""
    h = Haplotypes.build(founders_data, chrom=np.full(40, "1"), pos=np.arange(1, 41) * 100,
                         ref=np.full(40, "A"), alt=np.full(40, "G"),
                         ids=[f"S{i // 2}_{'AB'[i % 2]}" for i in range(192)],
                         pops=np.full(192, "P"), super_pops=np.full(192, "SP"))
    save_haplotypes(h, tmp_path / "train.npz")
    sets = [f"{k}={v}" for k, v in dict(SMALL, epochs=400, snapshot_every=5).items()]

    def train(out, checkpoint, history, log):
        cmd = [sys.executable, "-m", "artgen", "train", "--model", "gan", "--data",
               tmp_path / "train.npz", "--set", *sets, "--seed", "7", "--threads", "1",
               "--checkpoint", checkpoint, "--history", history, "--out", out]
        env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
        return subprocess.Popen(list(map(str, cmd)), env=env, stderr=open(log, "w"))

    ckpt, hist = tmp_path / "ckpt.npz", tmp_path / "h.tsv"
    proc = train(tmp_path / "killed.npz", ckpt, hist, tmp_path / "1.log")
    deadline = time.time() + 240
    while time.time() < deadline and proc.poll() is None:
        if hist.exists() and len(hist.read_text().splitlines()) > 60:
            break
        time.sleep(0.2)
    assert proc.poll() is None, "training ended before it could be killed"
    proc.send_signal(sig)
    assert proc.wait() in (-signal.SIGKILL, 128 + signal.SIGTERM)
    assert not (tmp_path / "killed.npz").exists()
    if sig == signal.SIGTERM:
        # SIGTERM unwinds: temporary files are removed. (SIGKILL may leave a
        # hidden temporary file behind, never a half-written output.)
        assert "stopped by signal 15" in (tmp_path / "1.log").read_text()
        assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "temporary left"
    done = pd.read_csv(hist, sep="\t")["epoch"].max()
    assert 0 < done < 400

    assert train(tmp_path / "resumed.npz", ckpt, hist, tmp_path / "2.log").wait() == 0
    log = (tmp_path / "2.log").read_text()
    resumed_at = int(log.split("at epoch ")[1].split()[0])
    assert resumed_at >= done - 5 and resumed_at > 0
    assert f"epoch {resumed_at + 5}/400" in log and "epoch 5/400" not in log
    assert pd.read_csv(hist, sep="\t")["epoch"].tolist() == list(range(1, 401))

    assert train(tmp_path / "whole.npz", tmp_path / "c2.npz", tmp_path / "h2.tsv",
                 tmp_path / "3.log").wait() == 0
    a = load_generator(tmp_path / "resumed.npz").sample(50, seed=0)
    b = load_generator(tmp_path / "whole.npz").sample(50, seed=0)
    assert np.array_equal(a, b)


# -- the conditional GAN ------------------------------------------------------------------

CONDITIONAL = dict(WASSERSTEIN, latent_size=8, d_learning_rate=1e-3, g_learning_rate=1e-3,
                   minibatch_std=0, temperature=1.0, aa_tolerance=0.0, conditional=True)


@pytest.fixture(scope="module")
def two_populations():
    """Population A (120 rows) mosaics of 4 founders; B (60 rows) of their
    complements: as far apart as haplotypes can be. 2% noise."""
    rng = np.random.default_rng(0)
    founders = rng.integers(0, 2, (4, 40))
    rows = np.vstack([founders[rng.integers(0, 4, 120)], 1 - founders[rng.integers(0, 4, 60)]])
    rows = (rows ^ (rng.random(rows.shape) < 0.02)).astype(np.uint8)
    return rows, np.array(["A"] * 120 + ["B"] * 60)


def test_population_sizes_keep_the_training_proportions():
    model = GANGenerator(conditional=True)
    model.set_populations(["B", "A", "A", "B", "A", "A"])  # A 4, B 2
    assert model.populations.tolist() == ["A", "B"]
    assert model.population_sizes(6).tolist() == [4, 2]
    assert model.population_sizes(7).tolist() == [5, 2]  # 4.67 + 2.33: A's remainder is larger
    assert model.population_sizes(1).tolist() == [1, 0]
    model.set_populations(["X", "Y", "Z"])
    assert model.population_sizes(4).tolist() == [2, 1, 1]  # ties: the first name
    assert model.sample_populations(4).tolist() == ["X", "X", "Y", "Z"]
    assert GANGenerator().sample_populations(4) is None


def test_conditional_settings_are_checked(two_populations):
    rows, labels = two_populations
    with pytest.raises(InputError, match="conditional must be true or false"):
        GANGenerator(conditional="yes")
    with pytest.raises(InputError, match="conditional needs pack 1"):
        GANGenerator(conditional=True, pack=2)
    with pytest.raises(InputError, match="needs one population label per training row"):
        GANGenerator(**dict(CONDITIONAL, epochs=1, snapshot_every=1)).fit(rows)
    model = GANGenerator(**dict(CONDITIONAL, epochs=1, snapshot_every=1))
    model.set_populations(labels[:100])
    with pytest.raises(InputError, match="100 labels for 180 rows"):
        model.fit(rows)


def test_conditional_gan_draws_each_population_as_labelled(tmp_path, two_populations):
    """Trained on two opposite populations, AGs come in the training
    proportions, each nearer its own population's mean than the other's;
    the labels survive saving and loading."""
    rows, labels = two_populations
    model = GANGenerator(**dict(CONDITIONAL, epochs=300, snapshot_every=100))
    model.set_populations(labels)
    model.fit(rows, seed=1)
    ags, pops = model.sample(90, seed=3), model.sample_populations(90)
    assert pops.tolist() == ["A"] * 60 + ["B"] * 30
    to_a = np.abs(ags - rows[labels == "A"].mean(0)).sum(1)
    to_b = np.abs(ags - rows[labels == "B"].mean(0)).sum(1)
    assert np.mean((to_a < to_b)[pops == "A"]) >= 0.95
    assert np.mean((to_b < to_a)[pops == "B"]) >= 0.95
    model.save(tmp_path / "m.npz")
    loaded = load_generator(tmp_path / "m.npz")
    assert np.array_equal(loaded.sample(90, seed=3), ags)
    assert loaded.sample_populations(90).tolist() == pops.tolist()


def test_conditional_cli_labels_the_ags(tmp_path, two_populations):
    """`artgen train` gives a conditional GAN the haplotypes' population
    labels; `artgen sample` writes each AG's label; unlabelled data is refused."""
    from artgen.io import load_haplotypes

    rows, labels = two_populations
    h = Haplotypes.build(rows, chrom=np.full(40, "1"), pos=np.arange(1, 41) * 100,
                         ref=np.full(40, "A"), alt=np.full(40, "G"),
                         ids=[f"S{i // 2}_{'AB'[i % 2]}" for i in range(180)],
                         pops=labels, super_pops=labels)
    save_haplotypes(h, tmp_path / "train.npz")
    save_haplotypes(h.with_alleles(rows, ids=h.ids), tmp_path / "unlabelled.npz")
    sets = [f"{k}={v}" for k, v in dict(CONDITIONAL, epochs=2, snapshot_every=1).items()]
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))

    def artgen(*args):
        return subprocess.run([sys.executable, "-m", "artgen", *map(str, args)], env=env,
                              capture_output=True, text=True)

    done = artgen("train", "--model", "gan", "--data", tmp_path / "train.npz", "--set", *sets,
                  "--threads", "1", "--out", tmp_path / "model.npz")
    assert done.returncode == 0, done.stderr
    done = artgen("sample", "--model-file", tmp_path / "model.npz", "--like",
                  tmp_path / "train.npz", "--n", 30, "--seed", 1, "--out", tmp_path / "ags.npz")
    assert done.returncode == 0, done.stderr
    assert load_haplotypes(tmp_path / "ags.npz").pops.tolist() == ["A"] * 20 + ["B"] * 10

    # Unphased: one label per individual, both its haplotypes labelled.
    done = artgen("train", "--model", "gan", "--data", tmp_path / "train.npz", "--set", *sets,
                  "--threads", "1", "--unphased", "--out", tmp_path / "unphased.npz")
    assert done.returncode == 0, done.stderr
    done = artgen("sample", "--model-file", tmp_path / "unphased.npz", "--like",
                  tmp_path / "train.npz", "--n", 30, "--seed", 1, "--unphased",
                  "--out", tmp_path / "unphased_ags.npz")
    assert done.returncode == 0, done.stderr
    ags = load_haplotypes(tmp_path / "unphased_ags.npz")
    assert ags.pops.tolist() == ["A"] * 20 + ["B"] * 10
    assert ags.ids[0].endswith("_A") and ags.ids[1].endswith("_B")

    refused = artgen("train", "--model", "gan", "--data", tmp_path / "unlabelled.npz",
                     "--set", *sets, "--threads", "1", "--out", tmp_path / "no.npz")
    assert refused.returncode != 0
    assert "needs every haplotype's population label" in refused.stderr
    assert not (tmp_path / "no.npz").exists()


# -- frequency matching -------------------------------------------------------------------

def test_frequency_offsets_solve_for_the_target_frequencies():
    from scipy.optimize import brentq
    # Constant logits 0: the offset is the target's logit, times the temperature.
    target = np.array([0.1, 0.5, 0.8])
    logit = np.log(target / (1 - target))
    np.testing.assert_allclose(frequency_offsets(np.zeros((5, 3)), target), logit, atol=1e-5)
    np.testing.assert_allclose(frequency_offsets(np.zeros((5, 3)), target, 2.0), 2 * logit,
                               atol=1e-5)
    # Varied logits, rare and common targets: each site's equation solved by brentq.
    rng = np.random.default_rng(0)
    logits = rng.normal(0, 3, (400, 6)) + np.array([-8, -2, 0, 0, 3, 9])
    target = np.array([0.001, 0.3, 0.02, 0.5, 0.97, 0.4])
    for temperature in (0.7, 1.5):
        ours = frequency_offsets(logits, target, temperature)
        for j in range(6):
            mean = lambda d: np.mean(1 / (1 + np.exp(-(logits[:, j] + d) / temperature)))
            exact = brentq(lambda d: mean(d) - target[j], -60, 60, xtol=1e-10)
            assert abs(mean(ours[j]) - target[j]) < 1e-5     # the tolerance, in frequency
            assert ours[j] == pytest.approx(exact, abs=0.01)
    with pytest.raises(InputError, match="strictly between 0 and 1"):
        frequency_offsets(np.zeros((2, 2)), np.array([0.0, 0.5]))


def test_match_frequencies_settings_are_checked():
    with pytest.raises(InputError, match="match_frequencies must be true or false"):
        GANGenerator(output="bernoulli", match_frequencies="yes")
    with pytest.raises(InputError, match="match_frequencies applies to output 'bernoulli'"):
        GANGenerator(match_frequencies=True)


def test_matched_gan_draws_each_populations_training_frequencies(tmp_path, two_populations):
    """After a short training the generator's frequencies are still off; with
    match_frequencies every population's AGs have its training frequencies
    (up to the draw's noise), sites a population never carries stay at about
    half a copy, and the offsets are saved with the model."""
    rows, labels = two_populations
    rows = rows.copy()
    rows[labels == "A", 0] = 0                    # site 0 monomorphic in A, common in B
    rows[labels == "B", 0] = np.arange(60) % 2
    settings = dict(CONDITIONAL, epochs=40, snapshot_every=20, temperature="auto")
    errors = {}
    for match in (False, True):
        model = GANGenerator(**settings, match_frequencies=match)
        model.set_populations(labels)
        model.fit(rows, seed=1)
        ags, pops = model.sample(6000, seed=2), model.sample_populations(6000)
        errors[match] = {p: np.abs(ags[pops == p].mean(0) - rows[labels == p].mean(0))
                         for p in ("A", "B")}
    for p in ("A", "B"):
        assert errors[False][p].mean() > 0.03                       # untrained enough to be off
        assert errors[True][p].max() < 0.035                        # 4000 and 2000 draws: sd <= 0.011
        assert errors[True][p].mean() < errors[False][p].mean() / 3
    assert errors[True]["A"][0] < 0.01                              # aimed at 1/240, not 0.5
    assert model.state()["frequency_offsets"].shape == (2, 40)
    model.save(tmp_path / "m.npz")
    assert np.array_equal(load_generator(tmp_path / "m.npz").sample(50, seed=4),
                          model.sample(50, seed=4))


def test_conditional_checkpoint_is_for_its_labels_only(tmp_path, two_populations, caplog):
    """The same data, settings and seed with other population labels is
    another training run: it must not resume this one's checkpoint."""
    rows, labels = two_populations
    run = TrainingRun(checkpoint=tmp_path / "c.npz")
    settings = dict(CONDITIONAL, epochs=2, snapshot_every=1)

    def fit(labels_):
        model = GANGenerator(**settings)
        model.set_populations(labels_)
        with caplog.at_level("INFO", logger="artgen"):
            caplog.clear()
            model.fit(rows, seed=1, run=run)
        return caplog.text

    fit(labels)
    assert "resumed gan" in fit(labels)                           # same labels: resumes
    swapped = np.where(labels == "A", "B", "A")
    log = fit(swapped)
    assert "for other data, settings or seed" in log and "resumed" not in log
