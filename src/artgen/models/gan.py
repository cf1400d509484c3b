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

The training program (TensorFlow, one epoch compiled by XLA) is
:mod:`artgen.models.gan_trainer`; this module holds the model around it:
its settings, sampling, and the calibration of each snapshot's sampling
temperature and allele-frequency offsets.

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

import numpy as np

from artgen.checks import check_choice, check_count, check_finite
from artgen.errors import InputError
from artgen.models.base import PopulationLabels
from artgen.models.gan_trainer import GANTrainer, configure_tensorflow
from artgen.models.temperature import (calibrate_temperature, check_temperature,
                                       saved_temperature)
from artgen.models.training import IterativeGenerator

# Latent draws per population on which frequency offsets are fitted.
_FREQUENCY_DRAWS = 2048


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
        self.output = check_choice(output, "gan: output", ("round", "sigmoid", "bernoulli"))
        if isinstance(pack, bool) or not isinstance(pack, int) or not 1 <= pack <= batch_size \
                or batch_size % pack:
            raise InputError(f"gan: pack must be a positive divisor of batch_size "
                             f"({batch_size}), got {pack!r}")
        self.pack = pack
        self.loss = check_choice(loss, "gan: loss", ("bce", "wasserstein"))
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
        self.temperature = check_temperature(temperature, "gan")
        if temperature != 1.0 and output != "bernoulli":
            raise InputError("gan: temperature applies to output 'bernoulli' only")
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
        self._trainer: GANTrainer | None = None

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
        params = [check_finite(state[f"g{i}"], f"the saved gan layer g{i}", np.float32)
                  for i in range(n_params)]
        temperature = saved_temperature(state, "gan")
        self._set_label_state(state)
        # A conditional generator reads the one-hot population label beside the latent draw.
        n_labels = len(self.populations) if self.conditional else 0
        self._check_generator_params(params, self.latent_size + n_labels)
        n_groups = max(n_labels, 1)
        offsets = (check_finite(state["frequency_offsets"], "the saved gan frequency offsets",
                                np.float32) if "frequency_offsets" in state else None)
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
        # Balanced against the validation set (against the training set the
        # AGs would be pulled towards the training haplotypes). The offsets
        # (fitted to the training frequencies) depend on the temperature, so
        # they are refitted at each.
        def use(temperature):
            self._sampling_temperature = temperature
            if match:
                self._offsets = match(temperature)

        def draw(temperature):
            use(temperature)
            return self.sample(n, seed)

        use(calibrate_temperature(draw, reference, seed, low=0.5, high=3.0))
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
        self._trainer = GANTrainer(self, alleles, seed)

    def _run_epochs(self, first_epoch, n_epochs):
        return self._trainer.run(first_epoch, n_epochs)

    def _training_state(self):
        return self._trainer.get_state()

    def _set_training_state(self, state):
        self._trainer.set_state(state)
