"""How the RBM learns: the log-likelihood gradient with the negative phase
of persistent or restarted Gibbs chains, in the centred parametrisation,
plain SGD or Adam steps, and the per-epoch losses; the connectivity of a
locally connected RBM.

:class:`RBMTraining` is the training half of
:class:`artgen.models.rbm.RBMGenerator`: it works on the generator's
parameters, conditional samplers and settings.
"""

from __future__ import annotations

import math

import numpy as np

from artgen import seeds
from artgen.errors import InputError
from artgen.models.relu_units import free_energy

# Rows used for the per-epoch pseudo-log-likelihood estimate (and to start
# the hidden offset).
_PLL_ROWS = 1000
# Weight of each minibatch in the running mean of the hidden offset
# (Melchior, Fischer & Wiskott 2016 use 0.01 or 0.001).
_OFFSET_RATE = 0.01


def local_connections(n_visible: int, n_hidden: int, window: int,
                      global_units: int = 0) -> np.ndarray:
    """Which weights a locally connected RBM has: hidden unit ``j`` sees SNPs
    ``s_j .. s_j + window - 1``, the starts ``s_j`` spread evenly from the
    first SNP to the last window (units share a window when there are more
    units than window positions); the last ``global_units`` units see every SNP.

    Returns
    -------
    ndarray, bool, shape (n_visible, n_hidden)
    """
    if window > n_visible:
        raise InputError(f"window must be at most the number of SNPs ({n_visible}), "
                         f"got {window}")
    if not 0 <= global_units < n_hidden:
        raise InputError(f"global_units must be between 0 and n_hidden - 1 ({n_hidden - 1}), "
                         f"got {global_units}")
    n_local = n_hidden - global_units
    starts = np.round(np.linspace(0, n_visible - window, n_local)).astype(np.int64)
    offsets = np.arange(n_visible)[:, None] - starts[None, :]
    local = (offsets >= 0) & (offsets < window)
    return np.hstack([local, np.ones((n_visible, global_units), dtype=bool)])


class RBMTraining:
    """The training steps of :class:`artgen.models.rbm.RBMGenerator` (see there)."""

    def _start(self, alleles, seed):
        if self.start == "sampling":
            if self.start_set is None:
                raise InputError('start="sampling" needs a sampling start set of real '
                                 'haplotypes never used in training: call '
                                 'set_start_set(alleles) before fit')
            if self.start_set.shape[1] != alleles.shape[1]:
                raise InputError(f"sampling start set has {self.start_set.shape[1]} SNPs; "
                                 f"the training matrix has {alleles.shape[1]}")
        dtype = np.dtype(self.dtype)
        n, n_visible = alleles.shape
        self._data = alleles
        self._seed = seed
        self.train_haplotypes = alleles if self.start == "train" else None
        self.start_frequencies = alleles.mean(axis=0)
        rng = seeds.rng(seed, "rbm/epoch", 0)  # the epochs are 1, 2, ...
        # Frequencies clipped half a count from 0 and 1 keep logits finite at fixed sites.
        freq = np.clip(self.start_frequencies, 0.5 / n, 1 - 0.5 / n)
        self._mask = (None if self.window is None else
                      local_connections(n_visible, self.n_hidden, self.window,
                                        self.global_units).astype(dtype))
        self.weights = (self.init_scale * rng.standard_normal((n_visible, self.n_hidden))
                        ).astype(dtype)
        if self._mask is not None:
            self.weights *= self._mask
        self.visible_bias = np.log(freq / (1 - freq)).astype(dtype)
        self.hidden_bias = np.zeros(self.n_hidden, dtype=dtype)
        self._chains = (rng.random((self.n_chains, n_visible)) < freq).astype(dtype)
        self._moments = {f"{moment}_{name}": np.zeros_like(param)
                         for name, param in self._params().items() for moment in "mv"}
        self._step = 0
        self._visible_offset = self.start_frequencies.astype(dtype)
        spread_rows = alleles[::max(1, n // _PLL_ROWS)].astype(dtype)
        self._hidden_offset = self._hidden_mean(self._hidden_input(spread_rows)).mean(axis=0)

    def _params(self) -> dict[str, np.ndarray]:
        return {"weights": self.weights, "visible_bias": self.visible_bias,
                "hidden_bias": self.hidden_bias}

    def _training_state(self):
        return {**self._params(), "chains": self._chains, **self._moments,
                "hidden_offset": self._hidden_offset,
                "step": np.array(self._step, dtype=np.int64)}

    def _set_training_state(self, state):
        dtype = np.dtype(self.dtype)
        self.weights = np.array(state["weights"], dtype=dtype)
        self.visible_bias = np.array(state["visible_bias"], dtype=dtype)
        self.hidden_bias = np.array(state["hidden_bias"], dtype=dtype)
        self._chains = np.array(state["chains"], dtype=dtype)
        self._moments = {k: np.array(state[k], dtype=dtype) for k in self._moments}
        self._hidden_offset = np.array(state["hidden_offset"], dtype=dtype)
        self._step = int(state["step"])

    def _gradient(self, batch: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
        """Log-likelihood gradient: data term minus the negative phase's chains' term.

        With ``centering`` it is the gradient in the centred parametrisation
        ``E = -(v - mu).W.(h - lam) - ...`` (offsets: ``mu`` the training
        allele frequencies, ``lam`` a running mean of the data's hidden
        activity); :meth:`_update` maps the step back to (W, a, b).
        """
        h_data = self._hidden_mean(self._hidden_input(batch))
        if self.negative_phase == "restart":
            # Out of equilibrium (Decelle, Furtlehner & Seoane 2021): the
            # chains start where the AGs' chains start and run the AGs' k
            # steps, so the model learns to reach the data in k steps.
            self._chains = self._start_states(self.n_chains, rng).astype(self._chains.dtype)
        self._chains = self._gibbs(self._chains, self.k, rng)
        h_model = self._hidden_mean(self._hidden_input(self._chains))
        v_data, v_model = batch, self._chains
        if self.centering:
            self._hidden_offset *= 1 - _OFFSET_RATE
            self._hidden_offset += _OFFSET_RATE * h_data.mean(axis=0)
            v_data, v_model = v_data - self._visible_offset, v_model - self._visible_offset
            h_data, h_model = h_data - self._hidden_offset, h_model - self._hidden_offset
        grad_w = v_data.T @ h_data / len(batch) - v_model.T @ h_model / len(v_model)
        if self.l2:
            grad_w -= self.l2 * self.weights
        if self._mask is not None:
            grad_w *= self._mask
        # Offsets cancel in the bias gradients: same in both parametrisations.
        return {"weights": grad_w,
                "visible_bias": v_data.mean(axis=0) - v_model.mean(axis=0),
                "hidden_bias": h_data.mean(axis=0) - h_model.mean(axis=0)}

    def _learning_rate(self, epoch: int) -> float:
        if self.learning_rate_final is None or self.epochs == 1:
            return self.learning_rate
        ratio = self.learning_rate_final / self.learning_rate
        return self.learning_rate * ratio ** ((epoch - 1) / (self.epochs - 1))

    def _update(self, grads: dict[str, np.ndarray], lr: float) -> None:
        self._step += 1
        if self.optimizer == "adam":
            beta1, beta2, eps = 0.9, 0.999, 1e-8
            # Bias corrections folded into the step size (Kingma & Ba, section 2).
            lr *= math.sqrt(1 - beta2 ** self._step) / (1 - beta1 ** self._step)
        steps = {}
        for name, g in grads.items():
            if self.optimizer == "adam":
                m, v = self._moments[f"m_{name}"], self._moments[f"v_{name}"]
                m *= beta1
                m += (1 - beta1) * g
                v *= beta2
                v += (1 - beta2) * g * g
                steps[name] = lr * m / (np.sqrt(v) + eps)
            else:
                steps[name] = lr * g
        self.weights += steps["weights"]
        self.visible_bias += steps["visible_bias"]
        self.hidden_bias += steps["hidden_bias"]
        if self.centering:
            # Centred biases a' = a + W lam, b' = b + W^T mu: keep them where
            # the centred step put them while W moves.
            self.visible_bias -= steps["weights"] @ self._hidden_offset
            self.hidden_bias -= self._visible_offset @ steps["weights"]

    def _pseudo_log_likelihood(self, rng: np.random.Generator) -> float:
        """Stochastic pseudo-log-likelihood per haplotype: one random site
        flipped per row, ``n_visible * log sigmoid(F(v_flipped) - F(v))``."""
        data = self._data
        rows = rng.choice(len(data), min(len(data), _PLL_ROWS), replace=False)
        v = data[rows].astype(np.float64)
        flipped = v.copy()
        site = rng.integers(0, v.shape[1], len(v))
        flipped[np.arange(len(v)), site] = 1 - flipped[np.arange(len(v)), site]
        args = (self.weights, self.visible_bias, self.hidden_bias, self.hidden)
        delta = free_energy(flipped, *args) - free_energy(v, *args)
        return float(v.shape[1] * -np.logaddexp(0.0, -delta).mean())

    def _run_epochs(self, first_epoch, n_epochs):
        dtype = np.dtype(self.dtype)
        losses = []
        for epoch in range(first_epoch + 1, first_epoch + n_epochs + 1):
            rng = seeds.rng(self._seed, "rbm/epoch", epoch)
            order = rng.permutation(len(self._data))
            sq_error, n_seen = 0.0, 0
            lr = self._learning_rate(epoch)
            for lo in range(0, len(order), self.batch_size):
                batch = self._data[order[lo:lo + self.batch_size]].astype(dtype)
                self._update(self._gradient(batch, rng), lr)
                # One-step reconstruction of the batch: cheap at 32 rows.
                recon = self._visible_prob(self._sample_hidden(batch, rng))
                sq_error += float(((batch - recon) ** 2).sum())
                n_seen += batch.size
            losses.append({"reconstruction_error": sq_error / n_seen,
                           "pseudo_log_likelihood": self._pseudo_log_likelihood(rng)})
        return losses
