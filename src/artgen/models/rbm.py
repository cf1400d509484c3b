"""Restricted Boltzmann machine (the paper's second generative model).

Bernoulli visible units ``v`` (one per SNP, 0/1), hidden units ``h`` either
ReLU (continuous, h >= 0) or sigmoid (binary), coupled by a weight matrix
``W`` of shape (n_visible, n_hidden)::

    E(v, h) = -a.v - v.W.h + sum_j U_j(h_j)

ReLU units (Tubiana & Monasson 2017; the authors' Julia code) have the
potential ``U(h) = h^2/2 - b h`` for h >= 0 (threshold ``theta = -b``), so
given v each hidden unit is a Gaussian ``N(I + b, 1)`` truncated to
``h >= 0`` with input ``I = v @ W``. Sigmoid units are 0/1 with
``P(h = 1 | v) = sigmoid(I + b)``. In both cases the marginal of v is closed
form, ``P(v) ~ exp(-F(v))`` with the free energy

    F(v) = -a.v - sum_j log Z_j(I_j + b_j)

where ``log Z(mu) = log(sqrt(2 pi) Phi(mu)) + mu^2/2`` (ReLU) or
``log(1 + e^mu)`` (sigmoid).

Training maximises the likelihood by minibatch gradient ascent; the
model's expectations (the negative phase) come from persistent contrastive
divergence (PCD-k: ``n_chains`` persistent Gibbs chains advanced ``k``
steps per minibatch), in the centred parametrisation (offsets: allele
frequencies and mean hidden activity), which keeps the ReLU units alive
at useful learning rates. AGs are the visible states after ``gibbs_steps``
Gibbs steps from one of four starting points (``start``): uniform random
states, independent sites drawn at the training allele frequencies,
training haplotypes, or an independent "sampling set" of real haplotypes
never used in training (the paper's scheme to reduce privacy leakage; give
it with :meth:`RBMGenerator.set_start_set`).

With ``negative_phase="restart"`` the negative phase is instead ``n_chains``
chains started afresh at every gradient step where the AGs' chains start
(random or frequencies) and run ``k`` steps (Rdm-k; Decelle, Furtlehner &
Seoane 2021, NeurIPS). The model then learns to reach the data in exactly
``k`` steps from starts that hold no real person, rather than an
equilibrium that short chains cannot reach: on dense haplotypes the PCD
model's own equilibrium is collapsed onto a few modes, and chains started
at real people keep LD only by staying near them.

With a ``window``, each hidden unit connects only to that many consecutive
SNPs (a locally connected RBM, see
:func:`artgen.models.rbm_training.local_connections`): the weights
outside the windows are zero and stay zero. ``global_units`` of the hidden
units may still see every SNP.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from artgen.checks import (check_choice, check_count, check_finite, check_haplotype_matrix,
                            check_number)
from artgen.errors import InputError
from artgen.models.rbm_training import RBMTraining
from artgen.models.relu_units import free_energy, relu_mean, truncated_normal_positive
from artgen.models.temperature import (TEMPERATURE_TARGETS, calibrate_temperature,
                                       check_temperature, saved_temperature)
from artgen.models.training import IterativeGenerator

HIDDEN_TYPES = ("relu", "sigmoid")
STARTS = ("random", "frequencies", "train", "sampling")
NEGATIVE_PHASES = ("persistent", "restart")
OPTIMIZERS = ("sgd", "adam")
DTYPES = ("float32", "float64")

# Rows per block when sampling or encoding many haplotypes: bounds the
# memory of the (rows, n_visible) float temporaries.
_BLOCK_ROWS = 4096


# -- the generator -------------------------------------------------------------------


class RBMGenerator(RBMTraining, IterativeGenerator):
    """RBM with Bernoulli visible units and ReLU or sigmoid hidden units, trained
    by PCD-k or on k-step chains restarted from where the AGs' chains start;
    AGs are Gibbs-chain end states.

    Parameters
    ----------
    n_hidden : int
        Hidden units (the paper: 100 for 805 SNPs, 500 for 10K SNPs).
    hidden : {"relu", "sigmoid"}
        Hidden unit type (the paper kept ReLU: sigmoid did worse).
    learning_rate : float
        Step size at the first epoch (the paper: 1e-3 .. 1e-4, with its own
        parametrisation and optimiser). The defaults (SGD, 3e-3 decaying to
        1e-3 over 40 epochs, centring) were tuned on the real 805-SNP data:
        at 1e-2 the ReLU weights blow up within 20 epochs; Adam moves every
        weight by about the step size whatever its gradient, so its weights
        become mostly noise.
    learning_rate_final : float or None
        Step size at the last epoch; in between it decays geometrically
        with the epoch number. None: constant. Decay lets the parameters
        settle: at a constant step size PCD's fluctuations around the
        optimum stay as large as the step.
    batch_size : int
        Training haplotypes per gradient step.
    k : int
        Gibbs steps of the negative phase's chains per gradient step (PCD-k;
        with restarted chains, their whole run).
    n_chains : int
        Chains of the negative phase.
    negative_phase : {"persistent", "restart"}
        PCD-k, or chains restarted at every gradient step where the AGs'
        chains start and run ``k`` steps; "restart" needs a start that holds
        no real haplotype ("random" or "frequencies") and ``gibbs_steps``
        equal to ``k``, the number of steps the model is trained for.
    l2 : float
        Weight decay on W (added to the negative log-likelihood as l2/2 |W|^2).
    centering : bool
        Train in the centred parametrisation (Montavon & Mueller 2012;
        Melchior, Fischer & Wiskott 2016, JMLR 17:99): visible units offset
        by the training allele frequencies, hidden units by their mean
        activity. It is the same model, but without it the weight gradient
        carries a large common-mode part (all inputs are >= 0) that drives
        every ReLU input strongly negative and kills the hidden units at
        learning rates that make progress.
    optimizer : {"sgd", "adam"}
        Plain stochastic gradient ascent, or Adam (betas 0.9, 0.999).
    init_scale : float
        Standard deviation of the initial weights.
    window : int or None
        SNPs each hidden unit connects to, consecutive ones (None: all, the
        paper's RBM). On SNPs far apart whose LD is weak and reaches only
        the neighbours, a fully connected RBM learns the training sample's
        spurious long-range correlations first: with fewer haplotypes than
        SNPs their eigenvalues exceed the real LD's, and the AGs copy
        training haplotypes before they carry any LD. A small window leaves
        only the local correlations to learn. With restarted chains a fully
        connected RBM learns the training haplotypes themselves on a few
        hundred of them; windows let it learn LD and not people.
    global_units : int
        With a window: how many of the ``n_hidden`` units (the last ones)
        see every SNP anyway, for structure that spans the panel
        (ancestry); 0 keeps every unit in its window.
    dtype : {"float32", "float64"}
        Precision of the weights and the matrix products (the truncated
        Gaussian sampler always works in float64).
    start : {"random", "frequencies", "train", "sampling"}
        Where the chains that make AGs start: uniform random states,
        independent sites at the training allele frequencies (saved with the
        model; no haplotype is), the training haplotypes, or the sampling set
        given with :meth:`set_start_set`.
    gibbs_steps : int
        Gibbs steps (h | v then v | h) from the start state to an AG.
    temperature : float or "auto"
        The last step draws the AG's alleles with probabilities
        sigmoid(x / temperature), x the visible units' input (1: the
        model's own conditional). "auto" calibrates it at every snapshot on
        the validation set (the training set when there is none): the
        value between 0.25 and 2 that balances AA_truth and AA_syn. On real
        dense haplotypes the model's per-site probabilities are too flat:
        each AG carries enough independent per-site noise to sit far from
        every real haplotype (AA_truth 0.94, pairwise W 3x the held-out's);
        a colder last step removes that noise and keeps the chain's LD.
    temperature_target : {"aa", "pairwise_w"}
        What "auto" matches on the validation set: AA_truth = AA_syn, or the
        distribution of pairwise distances (the temperature with the lowest
        pairwise W). Where the AGs sit farther from every real haplotype than
        real ones do at any temperature (AA_truth above AA_syn throughout),
        the balance runs to the coldest temperature tried and the distances
        do not.
    epochs, snapshot_every, patience, snapshot_size, aa_tolerance, privacy_tolerance
        See :class:`artgen.models.training.IterativeGenerator`.

    Attributes (after fit)
    ----------------------
    weights : ndarray, shape (n_visible, n_hidden)
    visible_bias : ndarray, shape (n_visible,)
    hidden_bias : ndarray, shape (n_hidden,)
    """

    name = "rbm"

    def __init__(self, n_hidden: int = 100, hidden: str = "relu", learning_rate: float = 3e-3,
                 learning_rate_final: float | None = 1e-3, batch_size: int = 32, k: int = 10,
                 n_chains: int = 100, l2: float = 0.0, centering: bool = True,
                 optimizer: str = "sgd", init_scale: float = 0.01,
                 window: int | None = None, global_units: int = 0, dtype: str = "float32",
                 start: str = "train", gibbs_steps: int = 10,
                 negative_phase: str = "persistent",
                 temperature: float | str = 1.0, temperature_target: str = "aa",
                 epochs: int = 40,
                 snapshot_every: int = 5, patience: int = 0, snapshot_size: int = 5000,
                 aa_tolerance: float = 0.0, privacy_tolerance: float = 0.02):
        super().__init__(epochs=epochs, snapshot_every=snapshot_every, patience=patience,
                         snapshot_size=snapshot_size, aa_tolerance=aa_tolerance,
                         privacy_tolerance=privacy_tolerance)
        self.n_hidden = check_count(n_hidden, "n_hidden", 1)
        self.hidden = check_choice(hidden, "hidden", HIDDEN_TYPES)
        self.learning_rate = check_number(learning_rate, "learning_rate", positive=True)
        self.learning_rate_final = (None if learning_rate_final is None else
                                    check_number(learning_rate_final, "learning_rate_final",
                                                 positive=True))
        self.batch_size = check_count(batch_size, "batch_size", 1)
        self.k = check_count(k, "k", 1)
        self.n_chains = check_count(n_chains, "n_chains", 1)
        self.l2 = check_number(l2, "l2", positive=False)
        self.optimizer = check_choice(optimizer, "optimizer", OPTIMIZERS)
        if not isinstance(centering, (bool, np.bool_)):
            raise InputError(f"centering must be true or false, got {centering!r}")
        self.centering = bool(centering)
        self.init_scale = check_number(init_scale, "init_scale", positive=False)
        self.window = None if window is None else check_count(window, "window", 1)
        self.global_units = check_count(global_units, "global_units", 0)
        if self.global_units and (self.window is None or self.global_units >= self.n_hidden):
            raise InputError("global_units are the hidden units of a windowed RBM that see "
                             "every SNP: they need a window and fewer than n_hidden "
                             f"({self.n_hidden}), got {self.global_units}")
        self.dtype = check_choice(dtype, "dtype", DTYPES)
        self.start = check_choice(start, "start", STARTS)
        self.gibbs_steps = check_count(gibbs_steps, "gibbs_steps", 1)
        self.negative_phase = check_choice(negative_phase, "negative_phase", NEGATIVE_PHASES)
        if self.negative_phase == "restart":
            if self.start not in ("random", "frequencies"):
                raise InputError('negative_phase="restart" trains the chains that make AGs: '
                                 'their start must hold no real haplotype ("random" or '
                                 f'"frequencies"), got start={self.start!r}')
            if self.gibbs_steps != self.k:
                raise InputError('negative_phase="restart" makes AGs faithful after exactly '
                                 f"k Gibbs steps: gibbs_steps must equal k ({self.k}), "
                                 f"got {self.gibbs_steps}")
        self.temperature = check_temperature(temperature, "rbm")
        self.temperature_target = check_choice(temperature_target, "temperature_target",
                                               TEMPERATURE_TARGETS)
        # The temperature AGs are drawn at ("auto": the last calibrated one).
        self._sampling_temperature = 1.0 if temperature == "auto" else self.temperature
        self.weights: np.ndarray | None = None
        self.visible_bias: np.ndarray | None = None
        self.hidden_bias: np.ndarray | None = None
        self.train_haplotypes: np.ndarray | None = None
        self.start_set: np.ndarray | None = None
        self.start_frequencies: np.ndarray | None = None

    def settings(self):
        return {"n_hidden": self.n_hidden, "hidden": self.hidden,
                "learning_rate": self.learning_rate,
                "learning_rate_final": self.learning_rate_final, "batch_size": self.batch_size,
                "k": self.k, "n_chains": self.n_chains, "l2": self.l2,
                "centering": self.centering, "optimizer": self.optimizer,
                "init_scale": self.init_scale, "window": self.window,
                "global_units": self.global_units,
                "dtype": self.dtype, "start": self.start, "gibbs_steps": self.gibbs_steps,
                "negative_phase": self.negative_phase,
                "temperature": self.temperature,
                **({"temperature_target": self.temperature_target}
                   if self.temperature_target != "aa" else {}),
                **self._iterative_settings()}

    def use_threads(self, threads):
        # BLAS thread pools larger than the job's share of the cores
        # oversubscribe them: measured 15x slower under contention.
        if threads:
            from threadpoolctl import threadpool_limits

            threadpool_limits(threads)

    # -- state -------------------------------------------------------------------------

    def set_start_set(self, alleles) -> None:
        """Real haplotypes (n, n_snps), never used in training, where the
        ``start="sampling"`` chains start (cycled through when more AGs are asked for)."""
        alleles = check_haplotype_matrix(alleles, "sampling start set")
        if self.weights is not None and alleles.shape[1] != self.weights.shape[0]:
            raise InputError(f"sampling start set has {alleles.shape[1]} SNPs; the model "
                             f"has {self.weights.shape[0]}")
        self.start_set = alleles

    def state(self):
        out = {"weights": self.weights, "visible_bias": self.visible_bias,
               "hidden_bias": self.hidden_bias,
               "temperature": np.array(self._sampling_temperature)}
        # Real haplotypes go into the saved model only where sampling needs them.
        if self.start == "train":
            out["train_haplotypes"] = self.train_haplotypes
        if self.start == "sampling":
            out["start_set"] = self.start_set
        if self.start == "frequencies":
            out["start_frequencies"] = self.start_frequencies
        return out

    def set_state(self, state):
        for key in ("weights", "visible_bias", "hidden_bias"):
            setattr(self, key, check_finite(state[key], f"the saved rbm {key}", self.dtype))
        self._sampling_temperature = saved_temperature(state, "rbm")
        if "start_frequencies" in state:
            freq = check_finite(state["start_frequencies"], "the saved rbm start_frequencies",
                                "float64")
            if freq.shape != self.visible_bias.shape or not np.all((freq >= 0) & (freq <= 1)):
                raise InputError("the saved rbm start_frequencies must be one frequency in "
                                 f"[0, 1] per SNP ({self.visible_bias.shape[0]})")
            self.start_frequencies = freq
        # Chains start at these rows: a damaged file must not leave an empty pool.
        for key in ("train_haplotypes", "start_set"):
            if key in state:
                rows = check_haplotype_matrix(state[key], f"the saved {key}")
                if rows.shape[1] != self.weights.shape[0]:
                    raise InputError(f"the saved {key} has {rows.shape[1]} SNPs; the model has "
                                     f"{self.weights.shape[0]}")
                setattr(self, key, rows)

    # -- conditional distributions -----------------------------------------------------

    def _hidden_input(self, v: np.ndarray) -> np.ndarray:
        return v @ self.weights + self.hidden_bias

    def _hidden_mean(self, mu: np.ndarray) -> np.ndarray:
        if self.hidden == "relu":
            return relu_mean(mu).astype(mu.dtype, copy=False)
        return expit(mu)

    def _sample_hidden(self, v: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        mu = self._hidden_input(v)
        if self.hidden == "relu":
            return truncated_normal_positive(mu, rng).astype(mu.dtype, copy=False)
        return (rng.random(mu.shape, dtype=mu.dtype) < expit(mu)).astype(mu.dtype)

    def _visible_prob(self, h: np.ndarray, temperature: float = 1.0) -> np.ndarray:
        x = h @ self.weights.T + self.visible_bias
        return expit(x if temperature == 1.0 else x / temperature)

    def _sample_visible(self, h: np.ndarray, rng: np.random.Generator,
                        temperature: float = 1.0) -> np.ndarray:
        p = self._visible_prob(h, temperature)
        return (rng.random(p.shape, dtype=p.dtype) < p).astype(p.dtype)

    def _gibbs(self, v: np.ndarray, steps: int, rng: np.random.Generator) -> np.ndarray:
        for _ in range(steps):
            v = self._sample_visible(self._sample_hidden(v, rng), rng)
        return v

    def _require_fitted(self):
        if self.weights is None:
            raise InputError("the RBM is not fitted yet")

    def _as_visible(self, alleles, name="alleles") -> np.ndarray:
        self._require_fitted()
        alleles = check_haplotype_matrix(alleles, name)
        if alleles.shape[1] != self.weights.shape[0]:
            raise InputError(f"{name} has {alleles.shape[1]} SNPs; the model has "
                             f"{self.weights.shape[0]}")
        return alleles

    # -- public views of the model -----------------------------------------------------

    def gibbs_chain(self, starts, steps: int, seed) -> np.ndarray:
        """Run ``steps`` Gibbs steps from each row of ``starts``.

        Parameters
        ----------
        starts : array_like, shape (n, n_visible), 0/1
        steps : int >= 0
        seed : anything ``numpy.random.default_rng`` takes

        Returns
        -------
        ndarray, uint8, shape (n, n_visible): the visible states after ``steps`` steps.
        """
        starts = self._as_visible(starts, "chain start states")
        steps = check_count(steps, "steps", 0)
        rng = np.random.default_rng(seed)
        out = np.empty_like(starts)
        for lo in range(0, len(starts), _BLOCK_ROWS):
            block = starts[lo:lo + _BLOCK_ROWS].astype(self.dtype)
            out[lo:lo + _BLOCK_ROWS] = self._gibbs(block, steps, rng)
        return out

    def free_energy(self, alleles) -> np.ndarray:
        """``F(v)`` of each haplotype, float64 shape (n,); ``log P(v) = -F(v) - log Z``."""
        alleles = self._as_visible(alleles)
        return free_energy(alleles, self.weights, self.visible_bias, self.hidden_bias,
                           self.hidden)

    def hidden_activations(self, alleles) -> np.ndarray:
        """``E[h | v]`` of each haplotype: the hidden (latent) encoding.

        Parameters
        ----------
        alleles : array_like, shape (n, n_visible), 0/1

        Returns
        -------
        ndarray, float64, shape (n, n_hidden): the mean of the truncated
        Gaussian (ReLU) or the firing probability (sigmoid) of each hidden unit.
        """
        alleles = self._as_visible(alleles)
        out = np.empty((len(alleles), self.n_hidden))
        for lo in range(0, len(alleles), _BLOCK_ROWS):
            mu = self._hidden_input(alleles[lo:lo + _BLOCK_ROWS].astype(np.float64))
            out[lo:lo + _BLOCK_ROWS] = (relu_mean(mu) if self.hidden == "relu"
                                        else expit(mu))
        return out

    def latent_projection(self, alleles, n_components: int = 2, space: str = "hidden"
                          ) -> np.ndarray:
        """Haplotypes projected onto the leading singular directions of W.

        With ``W = U S V^T`` (U: visible axes, shape (n_visible, r); V: hidden
        axes, shape (n_hidden, r)), ``space="hidden"`` projects the hidden
        encoding ``E[h | v]`` onto the leading columns of V (the paper's
        non-linear, PCA-like view, Materials and Methods: "projection into the
        hidden space"); ``space="visible"`` projects the centred haplotypes
        onto the leading columns of U (close to PCA axes). Each axis's sign is
        fixed so that its largest loading is positive, so figures do not flip
        between runs of the same model.

        Parameters
        ----------
        alleles : array_like, shape (n, n_visible), 0/1
        n_components : int, 1 <= n_components <= min(n_visible, n_hidden)
        space : {"hidden", "visible"}

        Returns
        -------
        ndarray, float64, shape (n, n_components)
        """
        alleles = self._as_visible(alleles)
        check_choice(space, "space", ("hidden", "visible"))
        rank = min(self.weights.shape)
        n_components = check_count(n_components, "n_components", 1)
        if n_components > rank:
            raise InputError(f"n_components must be <= {rank}, got {n_components}")
        u, _, vt = np.linalg.svd(self.weights.astype(np.float64), full_matrices=False)
        if space == "hidden":
            axes = vt[:n_components].T
            data = self.hidden_activations(alleles)
        else:
            axes = u[:, :n_components]
            data = alleles - alleles.mean(axis=0)
        signs = np.sign(axes[np.abs(axes).argmax(axis=0), np.arange(n_components)])
        return data @ (axes * signs)

    # -- sampling ----------------------------------------------------------------------

    def _start_states(self, n: int, rng: np.random.Generator) -> np.ndarray:
        n_visible = self.weights.shape[0]
        if self.start == "random":
            return rng.integers(0, 2, size=(n, n_visible), dtype=np.uint8)
        if self.start == "frequencies":
            if self.start_frequencies is None:
                raise InputError('start="frequencies" needs the training allele frequencies '
                                 "(fit the model first)")
            return (rng.random((n, n_visible)) < self.start_frequencies).astype(np.uint8)
        pool = self.train_haplotypes if self.start == "train" else self.start_set
        if pool is None:
            what = ("training haplotypes (fit the model first)" if self.start == "train"
                    else "sampling start set (call set_start_set before fit)")
            raise InputError(f"start={self.start!r} needs a {what}")
        order = rng.permutation(len(pool))
        return pool[order[np.arange(n) % len(pool)]]

    def sample(self, n, seed):
        """``n`` AGs, uint8 (n, n_visible): chains started as ``start`` says,
        after ``gibbs_steps`` Gibbs steps, the last one's alleles drawn at
        the sampling temperature; the same seed gives the same AGs."""
        self._require_fitted()
        n = check_count(n, "n", 0)
        rng = np.random.default_rng(seed)
        starts = self._start_states(n, rng)
        out = np.empty_like(starts)
        for lo in range(0, n, _BLOCK_ROWS):
            block = starts[lo:lo + _BLOCK_ROWS].astype(self.dtype)
            v = self._gibbs(block, self.gibbs_steps - 1, rng)
            out[lo:lo + _BLOCK_ROWS] = self._sample_visible(self._sample_hidden(v, rng), rng,
                                                            self._sampling_temperature)
        return out

    def _start_rows(self):
        return self.start_set if self.start == "sampling" else None

    def _calibrate(self, alleles, reference, n, seed):
        if self.temperature != "auto":
            return {}

        def draw(temperature):
            self._sampling_temperature = temperature
            return self.sample(n, seed)

        self._sampling_temperature = calibrate_temperature(draw, reference, seed,
                                                           low=0.25, high=2.0,
                                                           target=self.temperature_target)
        return {"temperature": self._sampling_temperature}

    # -- training ----------------------------------------------------------------------

    def fit(self, alleles, *, seed: int = 0, run=None):
        """Train on ``alleles`` (n_haplotypes, n_snps) of 0/1 (see
        :meth:`IterativeGenerator.fit`); with ``start="sampling"`` call
        :meth:`set_start_set` first."""
        return super().fit(alleles, seed=seed, run=run)
