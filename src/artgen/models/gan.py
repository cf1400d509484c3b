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

A second recipe, ``loss: wasserstein``, keeps the architecture and changes
the training: a Wasserstein critic with a gradient penalty (WGAN-GP,
Gulrajani et al. 2017), ``critic_steps`` critic updates per generator
update, Adam with beta_1 0.5 and beta_2 0.9, and a minibatch standard
deviation feature in the critic (Karras et al. 2018) that lets it see a
batch of too-similar haplotypes. With ``output: bernoulli`` the critic
judges binary draws, as real haplotypes are. The paper's loss collapses on
small training sets (all AGs alike, most sites fixed); this recipe is the
project's default GAN (``config/config.yaml``), the paper's stays in
``config/paper.yaml`` as ``gan_paper``.

Sampling is plain NumPy (the generator is three matrix products), so
sampling AGs does not need TensorFlow.
"""

from __future__ import annotations

import hashlib
import os

import numpy as np

from artgen.checks import check_count
from artgen.errors import InputError
from artgen.models.base import PopulationLabels
from artgen.models.training import IterativeGenerator, snapshot_metrics

_ADAM_EPSILON = 1e-7
# Latent draws per population on which frequency offsets are fitted.
_FREQUENCY_DRAWS = 2048


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


def frequency_offsets(logits: np.ndarray, target: np.ndarray, temperature: float = 1.0,
                      tolerance: float = 1e-5, iterations: int = 50) -> np.ndarray:
    """Per-site logit offsets d such that draws at ``temperature`` have the
    ``target`` allele-1 frequencies: mean over rows of
    sigmoid((logits + d) / temperature) = target, site by site.

    Each site's mean is increasing in its offset, so Newton's method (steps
    capped at 2 logit units) finds it, started where the site's mean logit
    alone would hit the target and stopped once every site is within
    ``tolerance``. ``target`` must lie strictly inside (0, 1).

    Parameters
    ----------
    logits : ndarray, float, shape (n_draws, n_snps)
        Generator outputs for latent draws of one population.
    target : ndarray, float, shape (n_snps,)
    temperature : float
    tolerance : float
        Largest error in frequency accepted at any site.
    iterations : int
        Most Newton steps.

    Returns
    -------
    ndarray, float32, shape (n_snps,)
    """
    target = np.asarray(target, dtype=np.float64)
    if not np.all((target > 0) & (target < 1)):
        raise InputError("frequency targets must lie strictly between 0 and 1")
    offsets = temperature * np.log(target / (1 - target)) - logits.mean(axis=0)
    for _ in range(iterations):
        p = 0.5 * (1 + np.tanh(0.5 * (logits + offsets) / temperature))
        error = target - p.mean(axis=0)
        if np.abs(error).max() < tolerance:
            break
        slope = np.maximum((p * (1 - p)).mean(axis=0) / temperature, 1e-12)
        offsets += np.clip(error / slope, -2.0, 2.0)
    return offsets.astype(np.float32)


def alleles_from_logits(logits: np.ndarray, output: str, rng: np.random.Generator) -> np.ndarray:
    """0/1 alleles from generator outputs: "round" takes allele 1 where
    tanh(logit) > 0.5 (the paper's clip-then-round); "sigmoid" where
    sigmoid(logit) > 0.5; "bernoulli" draws allele 1
    with probability sigmoid(logit)."""
    if output == "round":
        return (np.tanh(logits) > 0.5).astype(np.uint8)
    if output == "sigmoid":
        return (logits > 0).astype(np.uint8)
    # sigmoid written with tanh: no overflow for large negative logits.
    p = 0.5 * (1 + np.tanh(0.5 * logits))
    return (rng.random(logits.shape, dtype=np.float32) < p).astype(np.uint8)


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


class GANGenerator(PopulationLabels, IterativeGenerator):
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
    loss : {"bce", "wasserstein"}
        "bce": the paper's binary cross-entropy, label smoothing and update
        order. "wasserstein": a critic with a gradient penalty (WGAN-GP);
        label smoothing and ``pack`` do not apply.
    critic_steps : int
        Critic updates per generator update ("wasserstein" only; 5 in WGAN-GP).
    gradient_penalty : float
        Weight of the gradient penalty ("wasserstein"; 10 in WGAN-GP).
    beta_1, beta_2 : float
        Adam's moment decay rates (0.9 and 0.999 in the paper, Keras's
        defaults; 0.5 and 0.9 in WGAN-GP).
    minibatch_std : int
        Group size of the minibatch standard-deviation feature (0: none).
        The discriminator's last layer also reads, for each group of this
        many haplotypes, the mean over units of their standard deviation in
        its last hidden layer and in its input: a group of near-identical
        AGs stands out. Must divide ``batch_size``.
    temperature : float or "auto"
        AGs are drawn with allele probabilities sigmoid(logit / temperature)
        ("bernoulli" output only; 1 draws the generator's own probabilities).
        "auto" calibrates it at every snapshot against the validation set
        (the training set when there is none): the
        value, between 0.5 and 3, that balances AA_truth and AA_syn (found
        by bisection; AA_truth rises and AA_syn falls as the temperature
        rises). A generator whose probabilities are too sure of themselves
        makes AGs nearer each other than real haplotypes are (AA_syn near 1
        with AA_truth below 0.5); a little more per-site noise is what they
        lack. The calibrated value is part of the kept snapshot.
    conditional : bool
        Condition both networks on the population label (one-hot, read beside
        the latent vector and beside the haplotype; give the labels with
        :meth:`set_populations`). AGs are then drawn population by population
        in the training set's proportions and carry their label. A generator
        that maps one Gaussian latent space onto well-separated populations
        must pass between them and makes intermediate, "bridging" haplotypes;
        one latent space per label has no such gap to cross.
    match_frequencies : bool
        At every snapshot, for each temperature tried, fit one logit offset
        per site (per population when conditional) so that the AGs' allele
        frequencies equal the training set's ("bernoulli" output only; see
        :func:`frequency_offsets`). Sites monomorphic in a population's
        training haplotypes are aimed at half an allele copy in as many
        haplotypes, not at zero. A generator drifts from the data's
        frequencies, and most at rare alleles: the paper's GAN fixed about
        half of the polymorphic sites, and a population's frequencies set the
        mean of its pairwise distances.
    epochs, snapshot_every, patience, snapshot_size, aa_tolerance, privacy_tolerance
        See :class:`artgen.models.training.IterativeGenerator`.
    """

    name = "gan"

    def __init__(self, *, latent_size: int = 600, generator_ratios=(1.2, 1.1),
                 discriminator_ratios=(2.0, 3.0), alpha: float = 0.01, l2: float = 1e-4,
                 d_learning_rate: float = 8e-4, g_learning_rate: float = 1e-4,
                 batch_size: int = 32, label_smoothing: float = 0.1, input_noise: float = 0.1,
                 output: str = "round", pack: int = 1, loss: str = "bce", critic_steps: int = 1,
                 gradient_penalty: float = 10.0, beta_1: float = 0.9, beta_2: float = 0.999,
                 minibatch_std: int = 0, temperature: float | str = 1.0,
                 conditional: bool = False, match_frequencies: bool = False,
                 epochs: int = 1000,
                 snapshot_every: int = 50,
                 patience: int = 0, snapshot_size: int = 5000,
                 aa_tolerance: float = 0.0, privacy_tolerance: float = 0.02):
        super().__init__(epochs=epochs, snapshot_every=snapshot_every, patience=patience,
                         snapshot_size=snapshot_size, aa_tolerance=aa_tolerance,
                         privacy_tolerance=privacy_tolerance)
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
        if loss not in ("bce", "wasserstein"):
            raise InputError(f"gan: loss must be 'bce' or 'wasserstein', got {loss!r}")
        self.loss = loss
        self.critic_steps = check_count(critic_steps, "gan: critic_steps", 1)
        if loss == "bce" and self.critic_steps != 1:
            raise InputError("gan: critic_steps > 1 needs loss 'wasserstein' (the paper's "
                             "loss takes one discriminator step per batch)")
        if loss == "wasserstein" and pack != 1:
            raise InputError("gan: pack applies to loss 'bce' only")
        if not gradient_penalty >= 0:
            raise InputError(f"gan: gradient_penalty must be >= 0, got {gradient_penalty!r}")
        self.gradient_penalty = float(gradient_penalty)
        for name, value in (("beta_1", beta_1), ("beta_2", beta_2)):
            if not 0 <= value < 1:
                raise InputError(f"gan: {name} must be in [0, 1), got {value!r}")
        self.beta_1, self.beta_2 = float(beta_1), float(beta_2)
        self.minibatch_std = check_count(minibatch_std, "gan: minibatch_std", 0)
        if self.minibatch_std == 1 or (self.minibatch_std and batch_size % self.minibatch_std):
            raise InputError(f"gan: minibatch_std must be 0 or a divisor of batch_size "
                             f"({batch_size}) of at least 2, got {minibatch_std!r}")
        if temperature != "auto" and (isinstance(temperature, (bool, str))
                                      or not temperature > 0):
            raise InputError(f"gan: temperature must be a positive number or 'auto', "
                             f"got {temperature!r}")
        if temperature != 1.0 and output != "bernoulli":
            raise InputError("gan: temperature applies to output 'bernoulli' only")
        self.temperature = temperature if temperature == "auto" else float(temperature)
        if not isinstance(conditional, (bool, np.bool_)):
            raise InputError(f"gan: conditional must be true or false, got {conditional!r}")
        if conditional and pack != 1:
            raise InputError("gan: conditional needs pack 1")
        self.conditional = bool(conditional)
        if not isinstance(match_frequencies, (bool, np.bool_)):
            raise InputError(f"gan: match_frequencies must be true or false, "
                             f"got {match_frequencies!r}")
        if match_frequencies and output != "bernoulli":
            raise InputError("gan: match_frequencies applies to output 'bernoulli' only")
        self.match_frequencies = bool(match_frequencies)
        # Logit offsets per population (one row when unconditional) and site.
        self._offsets: np.ndarray | None = None
        # The temperature AGs are drawn at ("auto": the last calibrated one).
        self._sampling_temperature = 1.0 if temperature == "auto" else float(temperature)
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
                "output": self.output, "pack": self.pack, "loss": self.loss,
                "critic_steps": self.critic_steps, "gradient_penalty": self.gradient_penalty,
                "beta_1": self.beta_1, "beta_2": self.beta_2,
                "minibatch_std": self.minibatch_std, "temperature": self.temperature,
                **({"conditional": True} if self.conditional else {}),
                **({"match_frequencies": True} if self.match_frequencies else {}),
                **self._iterative_settings()}

    def state(self):
        params = self._trainer.generator_params() if self._trainer else self.generator_params
        state = {**{f"g{i}": p for i, p in enumerate(params)},
                 "temperature": np.array(self._sampling_temperature), **self._label_state()}
        if self._offsets is not None:
            state["frequency_offsets"] = self._offsets
        return state

    def set_state(self, state):
        n_params = sum(1 for key in state if key.startswith("g"))
        params = [np.asarray(state[f"g{i}"], dtype=np.float32) for i in range(n_params)]
        temperature = np.asarray(state.get("temperature", 1.0))
        if temperature.shape or temperature.dtype.kind not in "iuf" \
                or not (np.isfinite(temperature) and temperature > 0):
            got = (f"a {temperature.dtype} array of shape {temperature.shape}"
                   if temperature.shape else repr(temperature.item()))
            raise InputError(f"gan: the sampling temperature must be one positive number, "
                             f"got {got}")
        temperature = float(temperature)
        self._set_label_state(state)
        # A conditional generator reads the one-hot population label beside the latent draw.
        n_labels = len(self.populations) if self.conditional else 0
        self._check_generator_params(params, self.latent_size + n_labels)
        n_groups = max(n_labels, 1)
        offsets = np.asarray(state["frequency_offsets"], dtype=np.float32) \
            if "frequency_offsets" in state else None
        if offsets is not None and offsets.shape != (n_groups, params[-1].shape[0]):
            raise InputError(f"gan: frequency offsets of shape {offsets.shape}, not one row per "
                             f"population ({n_groups}) and one column per SNP "
                             f"({params[-1].shape[0]})")
        self.generator_params = params
        self._sampling_temperature = temperature
        self._offsets = offsets
        self._trainer = None

    @staticmethod
    def _check_generator_params(params: list[np.ndarray], n_inputs: int) -> None:
        """An InputError unless ``params`` are a generator network's layers,
        a 2-D kernel and a 1-D bias each, that chain from ``n_inputs``
        (latent size plus one-hot labels) to at least one SNP. A kernel with
        a stray axis would otherwise broadcast against the latent draws."""
        if not params or len(params) % 2:
            raise InputError(f"gan: {len(params)} generator arrays (g0, g1, ...), not a "
                             f"kernel and a bias per layer")
        width = n_inputs
        for i in range(0, len(params), 2):
            kernel, bias = params[i], params[i + 1]
            if kernel.ndim != 2 or kernel.shape[0] != width or not kernel.shape[1] \
                    or bias.shape != kernel.shape[1:]:
                raise InputError(f"gan: generator layer {i // 2} has kernel g{i} of shape "
                                 f"{kernel.shape} and bias g{i + 1} of shape {bias.shape}; "
                                 f"expected ({width}, n) and (n,)")
            width = kernel.shape[1]

    def _condition(self, codes: np.ndarray) -> np.ndarray | None:
        """One-hot labels of AGs with population ``codes``."""
        if not self.conditional:
            return None
        return np.eye(len(self.populations), dtype=np.float32)[codes]

    def _logits(self, params, codes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Generator outputs for fresh latent draws, one per entry of ``codes``,
        with the frequency offsets added."""
        z = rng.standard_normal((len(codes), self.latent_size), dtype=np.float32)
        if self.conditional:
            z = np.hstack([z, self._condition(codes)])
        logits = generator_logits(params, z, self.alpha)
        return logits if self._offsets is None else logits + self._offsets[codes]

    def sample(self, n, seed):
        params = self._trainer.generator_params() if self._trainer else self.generator_params
        rng = np.random.default_rng(seed)
        out = np.empty((n, params[-1].shape[0]), dtype=np.uint8)
        codes = self._codes(n)
        for start in range(0, n, 4096):  # bounded memory for large n
            logits = self._logits(params, codes[start:start + 4096], rng)
            out[start:start + len(logits)] = alleles_from_logits(
                logits / self._sampling_temperature, self.output, rng)
        return out

    # -- training hooks ----------------------------------------------------------------

    def _calibrate(self, alleles, reference, n, seed):
        match = self._frequency_matcher(alleles, seed) if self.match_frequencies else None
        if self.temperature != "auto":
            if match:
                self._offsets = match(self._sampling_temperature)
            return {}
        # Bisection on log T for AA_truth = AA_syn against the reference (the
        # validation set: balanced against the training set, the AGs would be
        # pulled towards the training haplotypes), on the same draws each
        # time (one seed), keeping the best-scoring temperature visited; the
        # offsets (fitted to the training frequencies) depend on the
        # temperature, so they are refitted at each.
        low, high = np.log(0.5), np.log(3.0)
        best = None
        for _ in range(7):
            self._sampling_temperature = float(np.exp((low + high) / 2))
            if match:
                self._offsets = match(self._sampling_temperature)
            snap = snapshot_metrics(reference, self.sample(n, seed), seed)
            if best is None or snap["snapshot_score"] < best[0]:
                best = (snap["snapshot_score"], self._sampling_temperature, self._offsets)
            if snap["aa_truth"] < snap["aa_syn"]:
                low = np.log(self._sampling_temperature)
            else:
                high = np.log(self._sampling_temperature)
        _, self._sampling_temperature, self._offsets = best
        return {"temperature": self._sampling_temperature}

    def _frequency_matcher(self, alleles, seed):
        """A function of the temperature that returns the offsets matching
        each population's training frequencies (on fixed latent draws)."""
        frequencies, counts = self._population_frequencies(alleles)
        half = 0.5 / counts[:, None]                # half an allele copy
        targets = np.clip(frequencies, half, 1 - half)
        self._offsets = None                        # the generator's own logits
        params = self._trainer.generator_params()
        rng = np.random.default_rng(seed)
        logits = [self._logits(params, np.full(_FREQUENCY_DRAWS, code), rng)
                  for code in range(len(targets))]
        return lambda temperature: np.stack([frequency_offsets(x, target, temperature)
                                             for x, target in zip(logits, targets)])

    def _checkpoint_extras(self):
        if not self.conditional or self._row_codes is None:
            return {}
        digest = hashlib.sha256("\n".join(self.populations).encode())
        digest.update(self._row_codes.astype(np.int32).tobytes())
        return {"labels": digest.hexdigest()[:16]}

    def _start(self, alleles, seed):
        self._check_labels(len(alleles))
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
        # A conditional GAN's networks read the one-hot population label too.
        n_labels = len(gan.populations) if gan.conditional else 0
        g_sizes[0] += n_labels
        d_sizes[0] += n_labels
        rng = np.random.default_rng(np.random.SeedSequence([seed, 0x6A4]))
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
        self.seed = int(np.random.SeedSequence([seed, 0x6A5]).generate_state(1)[0] >> 1)
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

    def _update(self, state, real, labels, z, epoch, step, cond=None):
        """One batch: the discriminator's two steps and the generator's step.
        ``state`` is (params, m, v, steps); returns it updated, with the
        discriminator's mean loss and the generator's loss (both without the
        L2 penalty)."""
        tf, n_g = self.tf, self.n_g
        params, m, v, steps = state
        g_params, d_params = params[:n_g], params[n_g:]
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
        tf, gan, n_g = self.tf, self.gan, self.n_g
        params, m, v, steps = state
        g_params, d_params = params[:n_g], params[n_g:]
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
        tf, n_g = self.tf, self.n_g
        params, m, v, steps = state
        g_params, d_params = params[:n_g], params[n_g:]
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
