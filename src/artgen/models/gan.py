"""The paper's generative adversarial network, trained with whole epochs
compiled into one XLA program.

Architecture (Yelmen et al. 2021, Materials & Methods), for S SNPs:

- generator: latent N(0, 1) of ``latent_size`` (600) -> round(S/1.2) ->
  round(S/1.1) -> S with tanh; LeakyReLU(0.01) between layers;
- discriminator: S -> round(S/2) -> round(S/3) -> 1 with sigmoid;
- L2 penalty 1e-4 on the hidden layers' kernels, Glorot-uniform kernels and
  zero biases (Keras defaults), Adam (Keras defaults but the learning
  rates: 8e-4 for the discriminator, 1e-4 for the generator), binary
  cross-entropy, batch 32;
- per batch, as the authors' loop does: one discriminator update on real
  haplotypes (labels 1 - U(0, 0.1), alleles 0/1 minus U(0, 0.1)), one on
  generated ones (labels 0), then one generator update through the frozen
  discriminator with the same latent draws and the smoothed real labels;
- artificial haplotypes: generator output rounded to 0/1 (allele 1 where
  the tanh output exceeds 0.5, as the authors' clip-then-round does).

The authors drive this loop from Python with three Keras ``train_on_batch``
calls per batch; here each run of epochs is one ``tf.function`` compiled
with XLA: data, weights and optimiser moments stay in the program, batches
are gathered from an on-device permutation, and random draws are stateless
(functions of the seed, the epoch and the step), so a run resumed from a
checkpoint repeats the uninterrupted one exactly.

Sampling is plain NumPy (the generator is three matrix products), so
sampling AGs does not need TensorFlow.
"""

from __future__ import annotations

import os

import numpy as np

from artgen.errors import InputError
from artgen.models.training import IterativeGenerator

_ADAM = {"beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7}


def layer_sizes(n_snps: int, latent_size: int, generator_ratios, discriminator_ratios,
                pack: int = 1):
    """Unit counts of the generator and discriminator layers, input to output
    (the discriminator reads ``pack`` haplotypes at once)."""
    generator = [latent_size] + [round(n_snps / r) for r in generator_ratios] + [n_snps]
    discriminator = [pack * n_snps] + [round(n_snps / r) for r in discriminator_ratios] + [1]
    return generator, discriminator


def _glorot(rng: np.random.Generator, sizes: list[int]) -> list[np.ndarray]:
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        params.append(rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32))
        params.append(np.zeros(fan_out, dtype=np.float32))
    return params


def _leaky_relu(x: np.ndarray, alpha: float) -> np.ndarray:
    return np.where(x > 0, x, alpha * x)


def generator_logits(params: list[np.ndarray], z: np.ndarray, alpha: float) -> np.ndarray:
    """Generator forward pass in NumPy: the output layer before its activation
    (n, n_snps) for latent ``z`` (n, latent_size)."""
    h = z
    n_layers = len(params) // 2
    for i in range(n_layers):
        h = h @ params[2 * i] + params[2 * i + 1]
        if i < n_layers - 1:
            h = _leaky_relu(h, alpha)
    return h


def alleles_from_logits(logits: np.ndarray, output: str, rng: np.random.Generator) -> np.ndarray:
    """0/1 alleles from generator outputs: "round" takes allele 1 where
    tanh(logit) > 0.5 (the paper's clip-then-round); "sigmoid" where
    sigmoid(logit) > 0.5; "bernoulli" draws allele 1
    with probability sigmoid(logit)."""
    if output == "round":
        return (np.tanh(logits) > 0.5).astype(np.uint8)
    if output == "sigmoid":
        return (logits > 0).astype(np.uint8)
    return (rng.random(logits.shape, dtype=np.float32) < 1 / (1 + np.exp(-logits))).astype(np.uint8)


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


class GANGenerator(IterativeGenerator):
    """The paper's GAN (see the module docstring); every hyperparameter is a setting.

    Parameters
    ----------
    latent_size : int
        Latent dimension (600).
    generator_ratios, discriminator_ratios : list of float
        Hidden layer sizes as fractions of S: round(S / r) ([1.2, 1.1] and [2, 3]).
    alpha : float
        LeakyReLU slope (0.01).
    l2 : float
        L2 penalty on the hidden layers' kernels (1e-4).
    d_learning_rate, g_learning_rate : float
        Adam learning rates of the discriminator (8e-4) and generator (1e-4).
    batch_size : int
        Haplotypes per batch (32).
    label_smoothing, input_noise : float
        Upper bounds of the uniform noise subtracted from the real labels and
        from the real 0/1 inputs (0.1 each).
    output : {"round", "sigmoid", "bernoulli"}
        "round" (the paper): tanh outputs, rounded to 0/1 for AGs. A tanh
        output reaches below the real alleles' range (0/1 minus the noise),
        so the discriminator can tell generated haplotypes by values under
        -0.1 alone. "sigmoid": outputs in (0, 1), real alleles noised inwards
        (0 + U, 1 - U), rounded at 0.5.
        "bernoulli": sigmoid outputs are allele-1 probabilities; the
        discriminator sees binary draws (straight-through gradients, the
        same input noise as real haplotypes) and AGs are draws too, so the
        discriminator cannot tell generated from real by their values alone
        and AGs keep the per-site variation that rounding removes.
    pack : int
        Haplotypes the discriminator judges together (PacGAN; 1 in the
        paper): a generator that covers only part of the real distribution
        makes packs of too-similar haplotypes, which the discriminator sees.
    epochs, snapshot_every, patience, snapshot_size
        See :class:`artgen.models.training.IterativeGenerator`.
    """

    name = "gan"

    def __init__(self, *, latent_size: int = 600, generator_ratios=(1.2, 1.1),
                 discriminator_ratios=(2.0, 3.0), alpha: float = 0.01, l2: float = 1e-4,
                 d_learning_rate: float = 8e-4, g_learning_rate: float = 1e-4,
                 batch_size: int = 32, label_smoothing: float = 0.1, input_noise: float = 0.1,
                 output: str = "round", pack: int = 1, epochs: int = 1000, snapshot_every: int = 50,
                 patience: int = 0, snapshot_size: int = 5000):
        super().__init__(epochs=epochs, snapshot_every=snapshot_every, patience=patience,
                         snapshot_size=snapshot_size)
        for name, value in (("latent_size", latent_size), ("batch_size", batch_size)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InputError(f"gan: {name} must be a positive integer, got {value!r}")
        for name, value in (("d_learning_rate", d_learning_rate),
                            ("g_learning_rate", g_learning_rate)):
            if not value > 0:
                raise InputError(f"gan: {name} must be positive, got {value!r}")
        for name, value in (("alpha", alpha), ("l2", l2), ("label_smoothing", label_smoothing),
                            ("input_noise", input_noise)):
            if not value >= 0:
                raise InputError(f"gan: {name} must be >= 0, got {value!r}")
        if not generator_ratios or not discriminator_ratios or \
                min(*generator_ratios, *discriminator_ratios) <= 0:
            raise InputError("gan: layer ratios must be non-empty lists of positive numbers")
        self.latent_size = latent_size
        self.generator_ratios = [float(r) for r in generator_ratios]
        self.discriminator_ratios = [float(r) for r in discriminator_ratios]
        self.alpha = float(alpha)
        self.l2 = float(l2)
        self.d_learning_rate = float(d_learning_rate)
        self.g_learning_rate = float(g_learning_rate)
        self.batch_size = batch_size
        self.label_smoothing = float(label_smoothing)
        self.input_noise = float(input_noise)
        if output not in ("round", "sigmoid", "bernoulli"):
            raise InputError(f"gan: output must be 'round', 'sigmoid' or 'bernoulli', "
                             f"got {output!r}")
        self.output = output
        if isinstance(pack, bool) or not isinstance(pack, int) or not 1 <= pack <= batch_size \
                or batch_size % pack:
            raise InputError(f"gan: pack must be a positive divisor of batch_size "
                             f"({batch_size}), got {pack!r}")
        self.pack = pack
        self.generator_params: list[np.ndarray] | None = None
        self._trainer: _Trainer | None = None

    # -- Generator ---------------------------------------------------------------------

    def use_threads(self, threads):
        configure_tensorflow(threads)

    def settings(self):
        return {"latent_size": self.latent_size, "generator_ratios": self.generator_ratios,
                "discriminator_ratios": self.discriminator_ratios, "alpha": self.alpha,
                "l2": self.l2, "d_learning_rate": self.d_learning_rate,
                "g_learning_rate": self.g_learning_rate, "batch_size": self.batch_size,
                "label_smoothing": self.label_smoothing, "input_noise": self.input_noise,
                "output": self.output, "pack": self.pack, **self._iterative_settings()}

    def state(self):
        params = self._trainer.generator_params() if self._trainer else self.generator_params
        return {f"g{i}": p for i, p in enumerate(params)}

    def set_state(self, state):
        self.generator_params = [np.asarray(state[f"g{i}"], dtype=np.float32)
                                 for i in range(len(state))]
        self._trainer = None

    def sample(self, n, seed):
        params = self._trainer.generator_params() if self._trainer else self.generator_params
        rng = np.random.default_rng(seed)
        out = np.empty((n, params[-1].shape[0]), dtype=np.uint8)
        for start in range(0, n, 4096):  # bounded memory for large n
            z = rng.standard_normal((min(4096, n - start), self.latent_size), dtype=np.float32)
            logits = generator_logits(params, z, self.alpha)
            out[start:start + len(z)] = alleles_from_logits(logits, self.output, rng)
        return out

    # -- training hooks ----------------------------------------------------------------

    def _start(self, alleles, seed):
        if len(alleles) < self.batch_size:
            raise InputError(f"gan: {len(alleles)} training haplotypes, fewer than one batch "
                             f"of {self.batch_size}")
        self._trainer = _Trainer(self, alleles, seed)

    def _run_epochs(self, first_epoch, n_epochs):
        return self._trainer.run(first_epoch, n_epochs)

    def _training_state(self):
        return self._trainer.get_state()

    def _set_training_state(self, state):
        self._trainer.set_state(state)


class _Trainer:
    """Weights, Adam moments and the compiled epoch loop of one training run."""

    def __init__(self, gan: GANGenerator, alleles: np.ndarray, seed: int):
        tf = configure_tensorflow()
        self.tf = tf
        self.gan = gan
        n_hap, n_snps = alleles.shape
        g_sizes, d_sizes = layer_sizes(n_snps, gan.latent_size, gan.generator_ratios,
                                       gan.discriminator_ratios, gan.pack)
        rng = np.random.default_rng(np.random.SeedSequence([seed, 0x6A4]))
        g_params, d_params = _glorot(rng, g_sizes), _glorot(rng, d_sizes)
        self.n_g = len(g_params)
        self.params = [tf.Variable(p) for p in g_params + d_params]
        self.m = [tf.Variable(np.zeros_like(p)) for p in g_params + d_params]
        self.v = [tf.Variable(np.zeros_like(p)) for p in g_params + d_params]
        # Adam step counts: the discriminator takes two steps per batch (real, then fake).
        self.steps = tf.Variable(np.zeros(2, dtype=np.int64))
        self.data = tf.constant(alleles, dtype=tf.float32)
        self.seed = int(np.random.SeedSequence([seed, 0x6A5]).generate_state(1)[0] >> 1)
        self.n_batches = n_hap // gan.batch_size
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

    def _penalty(self, params):
        # The output layers carry no penalty in the authors' models.
        tf = self.tf
        kernels = params[0:-2:2]
        return self.gan.l2 * tf.add_n([tf.reduce_sum(tf.square(w)) for w in kernels])

    def _adam(self, params, grads, m, v, step, lr):
        tf = self.tf
        b1, b2, eps = _ADAM["beta_1"], _ADAM["beta_2"], _ADAM["epsilon"]
        t = tf.cast(step, tf.float32)
        alpha = lr * tf.sqrt(1.0 - tf.pow(b2, t)) / (1.0 - tf.pow(b1, t))
        m = [mi + (g - mi) * (1 - b1) for mi, g in zip(m, grads)]
        v = [vi + (tf.square(g) - vi) * (1 - b2) for vi, g in zip(v, grads)]
        params = [p - alpha * mi / (tf.sqrt(vi) + eps) for p, mi, vi in zip(params, m, v)]
        return params, m, v

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

    def _update(self, state, real, labels, z, epoch, step):
        """One batch: the discriminator's two steps and the generator's step.
        ``state`` is (params, m, v, steps); returns it updated, with the
        discriminator's mean loss and the generator's loss."""
        tf, gan, n_g = self.tf, self.gan, self.n_g
        params, m, v, steps = state
        g_params, d_params = params[:n_g], params[n_g:]
        # One generator forward pass serves both updates: the generator's
        # weights do not change until its own step.
        with tf.GradientTape() as tape:
            tape.watch(g_params)
            fake = self._fake(self._forward(g_params, z), epoch, step)
            with tape.stop_recording():
                # Discriminator: a step on the real batch, then one on the generated batch.
                d_loss = 0.0
                for x, y in ((real, labels), (fake, tf.zeros_like(labels))):
                    with tf.GradientTape() as d_tape:
                        d_tape.watch(d_params)
                        loss = self._bce(self._packed(y), self._forward(
                            d_params, self._packed(x))) + self._penalty(d_params)
                    grads = d_tape.gradient(loss, d_params)
                    steps = steps + tf.constant([0, 1], tf.int64)
                    d_params, dm, dv = self._adam(d_params, grads, m[n_g:], v[n_g:],
                                                  steps[1], gan.d_learning_rate)
                    m, v = m[:n_g] + dm, v[:n_g] + dv
                    d_loss += loss
            # Generator: through the updated, frozen discriminator.
            logits = self._forward(d_params, self._packed(fake))
            g_loss = self._bce(self._packed(labels), logits) + self._penalty(g_params)
        grads = tape.gradient(g_loss, g_params)
        steps = steps + tf.constant([1, 0], tf.int64)
        g_params, gm, gv = self._adam(g_params, grads, m[:n_g], v[:n_g], steps[0],
                                      gan.g_learning_rate)
        return g_params + d_params, gm + m[n_g:], gv + v[n_g:], steps, d_loss / 2, g_loss

    def _epoch(self, epoch):
        """Train epoch number ``epoch`` (from 1); its mean losses (d, g)."""
        tf, gan = self.tf, self.gan
        batch = gan.batch_size
        n_hap = self.data.shape[0]
        seed_of = self._seed_of

        def batch_body(step, carry):
            index = tf.slice(order, [step * batch], [batch])
            real = tf.gather(self.data, index)
            noise = gan.input_noise * tf.random.stateless_uniform(
                (batch, self.data.shape[1]), seed_of(epoch, step, 1))
            # The paper subtracts the noise, which puts real 0 alleles below 0;
            # with sigmoid outputs it moves both alleles inwards, into the
            # generator's range.
            real += -noise if gan.output != "sigmoid" else noise * (1 - 2 * real)
            labels = 1.0 - gan.label_smoothing * tf.random.stateless_uniform(
                (batch, 1), seed_of(epoch, step, 2))
            z = tf.random.stateless_normal((batch, gan.latent_size), seed_of(epoch, step, 3))
            *state, d_sum, g_sum = carry
            *state, d_loss, g_loss = self._update(tuple(state), real, labels, z, epoch, step)
            return (*state, d_sum + d_loss, g_sum + g_loss)

        order = tf.argsort(tf.random.stateless_uniform((n_hap,), seed_of(epoch, 0, 0)))
        carry = ([p.read_value() for p in self.params], [x.read_value() for x in self.m],
                 [x.read_value() for x in self.v], self.steps.read_value(), 0.0, 0.0)
        _, carry = tf.while_loop(
            lambda s, c: s < self.n_batches,
            lambda s, c: (s + 1, batch_body(s, c)),
            (tf.constant(0, tf.int64), carry))
        params, m, v, steps, d_sum, g_sum = carry
        for var, value in zip(self.params + self.m + self.v, params + m + v):
            var.assign(value)
        self.steps.assign(steps)
        return tf.stack([d_sum, g_sum]) / self.n_batches
