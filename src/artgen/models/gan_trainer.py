"""The GAN's training program: both networks, Adam and the per-batch
updates in TensorFlow, one epoch compiled into one XLA program.

The authors drive their loop from Python with three Keras ``train_on_batch``
calls per batch; here each epoch is one ``tf.function`` compiled with XLA:
data, weights and optimiser moments stay in the program, batches are
gathered from an on-device permutation, and random draws are stateless
(functions of the seed, the epoch and the step), so a run resumed from a
checkpoint repeats the uninterrupted one exactly.

The recipes (the paper's loss, WGAN-GP) and the model around this program
(settings, sampling in NumPy, temperature calibration) are in
:mod:`artgen.models.gan`; sampling AGs does not need TensorFlow.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import numpy as np

from artgen import seeds

if TYPE_CHECKING:
    from artgen.models.gan import GANGenerator

_ADAM_EPSILON = 1e-7


def layer_sizes(n_snps: int, latent_size: int, generator_ratios, discriminator_ratios,
                pack: int = 1):
    """Unit counts of the generator and discriminator layers, input to output
    (the discriminator reads ``pack`` haplotypes at once)."""
    generator = [latent_size] + [round(n_snps / r) for r in generator_ratios] + [n_snps]
    discriminator = [pack * n_snps] + [round(n_snps / r) for r in discriminator_ratios] + [1]
    return generator, discriminator


def _glorot(rng: np.random.Generator, sizes: list[int], extra_last_inputs: int = 0
            ) -> list[np.ndarray]:
    """Glorot-uniform kernels and zero biases; the last layer may read
    ``extra_last_inputs`` more features (the minibatch statistics)."""
    fan_ins = list(sizes[:-1])
    fan_ins[-1] += extra_last_inputs
    params = []
    for fan_in, fan_out in zip(fan_ins, sizes[1:]):
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        params.append(rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32))
        params.append(np.zeros(fan_out, dtype=np.float32))
    return params


def configure_tensorflow(threads: int | None = None, deterministic: bool = True):
    """Import TensorFlow quietly, with ``threads`` CPU threads and, if asked,
    deterministic ops. Thread counts only take effect before TensorFlow's
    first use, so call this before anything else touches it."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    if threads:
        try:
            tf.config.threading.set_intra_op_parallelism_threads(threads)
            tf.config.threading.set_inter_op_parallelism_threads(min(threads, 2))
        except RuntimeError:
            pass  # already initialised: keep its thread pools
    if deterministic:
        tf.config.experimental.enable_op_determinism()
    return tf



class GANTrainer:
    """Weights, Adam moments and the compiled epoch loop of one training run."""

    def __init__(self, gan: GANGenerator, alleles: np.ndarray, seed: int):
        tf = configure_tensorflow()
        self.tf = tf
        self.gan = gan
        n_hap, n_snps = alleles.shape
        g_sizes, d_sizes = layer_sizes(n_snps, gan.latent_size, gan.generator_ratios,
                                       gan.discriminator_ratios, gan.pack)
        # A conditional GAN's networks read the one-hot population label too.
        n_labels = len(gan.populations) if gan.conditional else 0
        g_sizes[0] += n_labels
        d_sizes[0] += n_labels
        rng = seeds.rng(seed, "gan/weights")
        g_params = _glorot(rng, g_sizes)
        d_params = _glorot(rng, d_sizes, 2 if gan.minibatch_std else 0)
        self.n_g = len(g_params)
        self.params = [tf.Variable(p) for p in g_params + d_params]
        self.m = [tf.Variable(np.zeros_like(p)) for p in g_params + d_params]
        self.v = [tf.Variable(np.zeros_like(p)) for p in g_params + d_params]
        # Adam step counts: the discriminator takes two steps per batch (real, then fake).
        self.steps = tf.Variable(np.zeros(2, dtype=np.int64))
        self.data = tf.constant(alleles, dtype=tf.float32)
        self.codes = (tf.constant(np.eye(n_labels, dtype=np.float32)[gan._row_codes])
                      if gan.conditional else None)
        self.seed = seeds.child(seed, "gan/draws") >> 1
        self.n_batches = n_hap // gan.batch_size
        # Wasserstein: each batch is one critic update, every critic_steps-th
        # batch is followed by a generator update.
        self.n_rounds = max(1, self.n_batches // gan.critic_steps)
        # XLA only: TensorFlow's graph optimiser fails on this program's nested
        # loops without it (and XLA is the faster of the two).
        self._compiled = tf.function(self._epoch, jit_compile=True, reduce_retracing=True)

    def generator_params(self) -> list[np.ndarray]:
        return [p.numpy() for p in self.params[:self.n_g]]

    def get_state(self) -> dict[str, np.ndarray]:
        state = {"steps": self.steps.numpy()}
        for name, group in (("p", self.params), ("m", self.m), ("v", self.v)):
            state.update({f"{name}{i}": x.numpy() for i, x in enumerate(group)})
        return state

    def set_state(self, state):
        self.steps.assign(state["steps"])
        for name, group in (("p", self.params), ("m", self.m), ("v", self.v)):
            for i, x in enumerate(group):
                x.assign(state[f"{name}{i}"])

    def run(self, first_epoch: int, n_epochs: int) -> list[dict[str, float]]:
        # One compiled call per epoch: XLA ran a loop over several epochs
        # slower per epoch (measured 1.7-2.2 s against 0.84 s for 805 SNPs,
        # batch 32), and one host round trip per epoch costs nothing.
        rows = []
        for epoch in range(first_epoch + 1, first_epoch + n_epochs + 1):
            d_loss, g_loss = self._compiled(self.tf.constant(epoch, self.tf.int64)).numpy()
            rows.append({"d_loss": float(d_loss), "g_loss": float(g_loss)})
        return rows

    # -- the compiled program ----------------------------------------------------------

    def _forward(self, params, x):
        tf = self.tf
        n_layers = len(params) // 2
        for i in range(n_layers):
            x = tf.matmul(x, params[2 * i]) + params[2 * i + 1]
            if i < n_layers - 1:
                x = tf.nn.leaky_relu(x, self.gan.alpha)
        return x

    def _generate(self, params, z, cond):
        """Generator logits of latent rows ``z`` (with their one-hot labels
        ``cond`` for a conditional GAN, else None)."""
        return self._forward(params, z if cond is None else self.tf.concat([z, cond], 1))

    def _discriminate(self, params, x, cond=None):
        """Discriminator (critic) logits of rows ``x`` (with their labels
        ``cond``), with the minibatch statistics before the last layer if
        asked for."""
        tf, group = self.tf, self.gan.minibatch_std
        h = self._forward(params[:-2], x if cond is None else tf.concat([x, cond], 1))
        h = tf.nn.leaky_relu(h, self.gan.alpha)
        if group:
            h = tf.concat([h, self._group_std(h), self._group_std(x)], axis=1)
        return tf.matmul(h, params[-2]) + params[-1]

    def _group_std(self, x):
        """For each row, the mean over columns of the standard deviation
        within its group (rows i, i + n/g, i + 2n/g, ...), shape (n, 1)."""
        tf, group = self.tf, self.gan.minibatch_std
        grouped = tf.reshape(x, (group, -1, x.shape[1]))
        sd = tf.sqrt(tf.math.reduce_variance(grouped, axis=0) + 1e-8)
        return tf.tile(tf.reduce_mean(sd, axis=1, keepdims=True), (group, 1))

    def _penalty(self, params):
        """The L2 penalty of one network's weights. The output layers carry
        none in the authors' models."""
        tf = self.tf
        kernels = params[0:-2:2]
        return self.gan.l2 * tf.add_n([tf.reduce_sum(tf.square(w)) for w in kernels])

    def _adam(self, params, grads, m, v, step, lr):
        """One Adam step of one network, the L2 penalty's gradient included.
        The penalty is not taped: its value in every step's loss cost as
        much as the whole Adam update (a reduction over all weights), and
        its gradient is simply 2 * l2 * w."""
        tf = self.tf
        b1, b2, eps = self.gan.beta_1, self.gan.beta_2, _ADAM_EPSILON
        if self.gan.l2:
            penalised = range(0, len(params) - 2, 2)
            grads = [g + 2 * self.gan.l2 * p if i in penalised else g
                     for i, (p, g) in enumerate(zip(params, grads))]
        t = tf.cast(step, tf.float32)
        alpha = lr * tf.sqrt(1.0 - tf.pow(b2, t)) / (1.0 - tf.pow(b1, t))
        m = [mi + (g - mi) * (1 - b1) for mi, g in zip(m, grads)]
        v = [vi + (tf.square(g) - vi) * (1 - b2) for vi, g in zip(v, grads)]
        params = [p - alpha * mi / (tf.sqrt(vi) + eps) for p, mi, vi in zip(params, m, v)]
        return params, m, v

    def _discriminator_step(self, g_params, d_params, m, v, steps, grads):
        """Apply one Adam step to the discriminator; returns (params, m, v, steps)."""
        n_g = self.n_g
        steps = steps + self.tf.constant([0, 1], self.tf.int64)
        d_params, dm, dv = self._adam(d_params, grads, m[n_g:], v[n_g:], steps[1],
                                      self.gan.d_learning_rate)
        return g_params + d_params, m[:n_g] + dm, v[:n_g] + dv, steps

    def _generator_step(self, g_params, d_params, m, v, steps, grads):
        """Apply one Adam step to the generator; returns (params, m, v, steps)."""
        n_g = self.n_g
        steps = steps + self.tf.constant([1, 0], self.tf.int64)
        g_params, gm, gv = self._adam(g_params, grads, m[:n_g], v[:n_g], steps[0],
                                      self.gan.g_learning_rate)
        return g_params + d_params, gm + m[n_g:], gv + v[n_g:], steps

    def _fake(self, logits, epoch, step):
        """What the discriminator sees of a generated batch."""
        tf, gan = self.tf, self.gan
        if gan.output == "round":
            return tf.tanh(logits)
        if gan.output == "sigmoid":
            return tf.sigmoid(logits)
        # Binary draws, as real haplotypes are; gradients pass straight through
        # the draw to the probabilities. The same input noise as on real ones.
        p = tf.sigmoid(logits)
        u = tf.random.stateless_uniform(tf.shape(p), self._seed_of(epoch, step, 4))
        draws = p + tf.stop_gradient(tf.cast(u < p, tf.float32) - p)
        return draws - gan.input_noise * tf.random.stateless_uniform(
            tf.shape(p), self._seed_of(epoch, step, 5))

    def _packed(self, x):
        """Rows of ``pack`` consecutive haplotypes (or the first of their labels)."""
        pack = self.gan.pack
        if pack == 1:
            return x
        if x.shape[1] == 1:
            return x[::pack]
        return self.tf.reshape(x, (x.shape[0] // pack, pack * x.shape[1]))

    def _seed_of(self, epoch, step, what):
        tf = self.tf
        return tf.stack([tf.constant(self.seed, tf.int64), (epoch * 1_000_003 + step) * 8 + what])

    def _bce(self, labels, logits):
        tf = self.tf
        return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits))

    def _split(self, state):
        """A training state (params, m, v, steps) as the generator's weights,
        the discriminator's weights, m, v and steps."""
        params, m, v, steps = state
        return params[:self.n_g], params[self.n_g:], m, v, steps

    def _update(self, state, real, labels, z, epoch, step, cond=None):
        """One batch: the discriminator's two steps and the generator's step.
        ``state`` is (params, m, v, steps); returns it updated, with the
        discriminator's mean loss and the generator's loss (both without the
        L2 penalty)."""
        tf, n_g = self.tf, self.n_g
        g_params, d_params, m, v, steps = self._split(state)
        # One generator forward pass serves both updates: the generator's
        # weights do not change until its own step.
        with tf.GradientTape() as tape:
            tape.watch(g_params)
            fake = self._fake(self._generate(g_params, z, cond), epoch, step)
            with tape.stop_recording():
                # Discriminator: a step on the real batch, then one on the generated batch.
                d_loss = 0.0
                for x, y in ((real, labels), (fake, tf.zeros_like(labels))):
                    with tf.GradientTape() as d_tape:
                        d_tape.watch(d_params)
                        loss = self._bce(self._packed(y), self._discriminate(
                            d_params, self._packed(x), cond))
                    params, m, v, steps = self._discriminator_step(
                        g_params, d_params, m, v, steps, d_tape.gradient(loss, d_params))
                    d_params = params[n_g:]
                    d_loss += loss
            # Generator: through the updated, frozen discriminator.
            logits = self._discriminate(d_params, self._packed(fake), cond)
            g_loss = self._bce(self._packed(labels), logits)
        state = self._generator_step(g_params, d_params, m, v, steps,
                                     tape.gradient(g_loss, g_params))
        return (*state, d_loss / 2, g_loss)

    def _critic_update(self, state, real, z, epoch, step, cond=None):
        """One Wasserstein critic update with the gradient penalty on points
        between the real and the generated batch; returns the state and the
        critic's loss (without the L2 penalty)."""
        tf, gan = self.tf, self.gan
        g_params, d_params, m, v, steps = self._split(state)
        fake = tf.stop_gradient(self._fake(self._generate(g_params, z, cond), epoch, step))
        share = tf.random.stateless_uniform((real.shape[0], 1), self._seed_of(epoch, step, 6))
        between = share * real + (1 - share) * fake
        with tf.GradientTape() as tape:
            tape.watch(d_params)
            with tf.GradientTape() as inner:
                inner.watch(between)
                critic_between = self._discriminate(d_params, between, cond)
            slopes = tf.norm(inner.gradient(critic_between, between), axis=1)
            loss = (tf.reduce_mean(self._discriminate(d_params, fake, cond))
                    - tf.reduce_mean(self._discriminate(d_params, real, cond))
                    + gan.gradient_penalty * tf.reduce_mean(tf.square(slopes - 1)))
        return self._discriminator_step(g_params, d_params, m, v, steps,
                                        tape.gradient(loss, d_params)), loss

    def _generator_update(self, state, z, epoch, step, cond=None):
        """One generator update against the Wasserstein critic."""
        tf = self.tf
        g_params, d_params, m, v, steps = self._split(state)
        with tf.GradientTape() as tape:
            tape.watch(g_params)
            fake = self._fake(self._generate(g_params, z, cond), epoch, step)
            loss = -tf.reduce_mean(self._discriminate(d_params, fake, cond))
        return self._generator_step(g_params, d_params, m, v, steps,
                                    tape.gradient(loss, g_params)), loss

    def _epoch(self, epoch):
        """Train epoch number ``epoch`` (from 1); its mean losses (d, g)."""
        tf, gan = self.tf, self.gan
        batch = gan.batch_size
        n_hap = self.data.shape[0]
        seed_of = self._seed_of

        def batch_rows(step):
            return tf.slice(order, [(step % self.n_batches) * batch], [batch])

        def condition(step):
            # The labels of a batch of training rows: the generated batch
            # copies the real one's, so the two differ only in their haplotypes.
            return None if self.codes is None else tf.gather(self.codes, batch_rows(step))

        def real_batch(step):
            real = tf.gather(self.data, batch_rows(step))
            noise = gan.input_noise * tf.random.stateless_uniform(
                (batch, self.data.shape[1]), seed_of(epoch, step, 1))
            # The paper subtracts the noise, which puts real 0 alleles below 0;
            # with sigmoid outputs it moves both alleles inwards, into the
            # generator's range.
            return real + (-noise if gan.output != "sigmoid" else noise * (1 - 2 * real))

        def latent(step, what):
            return tf.random.stateless_normal((batch, gan.latent_size), seed_of(epoch, step, what))

        def bce_round(step, carry):
            labels = 1.0 - gan.label_smoothing * tf.random.stateless_uniform(
                (batch, 1), seed_of(epoch, step, 2))
            *state, d_sum, g_sum = carry
            *state, d_loss, g_loss = self._update(tuple(state), real_batch(step), labels,
                                                  latent(step, 3), epoch, step, condition(step))
            return (*state, d_sum + d_loss, g_sum + g_loss)

        def wasserstein_round(round_, carry):
            *state, d_sum, g_sum = carry
            state = tuple(state)
            for k in range(gan.critic_steps):
                step = round_ * gan.critic_steps + k
                state, d_loss = self._critic_update(state, real_batch(step), latent(step, 3),
                                                    epoch, step, condition(step))
                d_sum += d_loss / gan.critic_steps
            # Step numbers past the critic's keep the generator's draws apart.
            state, g_loss = self._generator_update(state, latent(round_, 7), epoch,
                                                   self.n_batches * gan.critic_steps + round_,
                                                   condition(round_ * gan.critic_steps))
            return (*state, d_sum, g_sum + g_loss)

        body = bce_round if gan.loss == "bce" else wasserstein_round
        n_rounds = self.n_batches if gan.loss == "bce" else self.n_rounds
        order = tf.argsort(tf.random.stateless_uniform((n_hap,), seed_of(epoch, 0, 0)))
        carry = ([p.read_value() for p in self.params], [x.read_value() for x in self.m],
                 [x.read_value() for x in self.v], self.steps.read_value(), 0.0, 0.0)
        _, carry = tf.while_loop(
            lambda s, c: s < n_rounds,
            lambda s, c: (s + 1, body(s, c)),
            (tf.constant(0, tf.int64), carry))
        params, m, v, steps, d_sum, g_sum = carry
        for var, value in zip(self.params + self.m + self.v, params + m + v):
            var.assign(value)
        self.steps.assign(steps)
        # The logged losses carry the L2 penalty of the epoch's last weights
        # (it moves little within an epoch).
        n_g = self.n_g
        return tf.stack([d_sum / tf.cast(n_rounds, tf.float32) + self._penalty(params[n_g:]),
                         g_sum / tf.cast(n_rounds, tf.float32) + self._penalty(params[:n_g])])
