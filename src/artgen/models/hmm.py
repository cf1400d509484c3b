"""The haplotype-cluster hidden Markov model as a generator (``hmm``).

Scheet & Stephens (2006, Am J Hum Genet 78:629; fastPHASE) model a haplotype
as a walk over ``K`` haplotype *clusters*: at each SNP the walk sits in one
cluster, which emits allele 1 with its own probability ``theta[m, k]``;
between adjacent SNPs it jumps with probability ``jump[m]`` to a cluster
drawn from ``alpha[m, :]``. Unlike the copying model, whose states are the
training haplotypes themselves, a cluster is an average over many
haplotypes, so an artificial haplotype is a mosaic of cluster profiles and
not of people. The recursions are those of :mod:`artgen.hmm`.

Training
--------
EM (Baum-Welch) on the training split, scored on a *validation* set: the
held-out haplotypes given with :meth:`HMMGenerator.set_validation` (the
workflow's validation split), or else a ``validation_fraction`` of the
training individuals held out of fitting (seeded; both haplotypes of an
individual, rows ``2i`` and ``2i + 1``, go the same way), for each ``K`` in
``n_states``. After every E-step the validation haplotypes' mean
log-likelihood is computed; a ``K``'s run stops after ``patience``
iterations without a better one, or at ``iterations``. The parameters kept
are those with the best validation log-likelihood over all ``K`` and
iterations. The M-step:

* ``theta[m, k] = (n1 + w p_m) / (n + w)``: ``n`` and ``n1`` the expected
  number of haplotypes (all, and carrying allele 1) in cluster ``k`` at SNP
  ``m``, ``p_m = (c_m + 0.5) / (N + 1)`` the smoothed training frequency and
  ``w = max(pseudo_count, min_state_haplotypes - n)``. So no probability is
  0 or 1, and a cluster that holds fewer than ``min_state_haplotypes``
  haplotypes at a SNP is filled up to that many with the population's
  frequency: no cluster is one person.
* ``jump[m]``: the expected number of jumps at ``m`` over the number of
  haplotypes, kept in ``[1e-6, 0.999]``; it starts from the genetic map (the
  copying model's ``1 - exp(-4 ne r / K)``, a flat ``cm_per_mb`` map) and
  stays 1 at the first SNP of every chromosome (a free jump: on a genome-wide
  panel the population carries the structure across chromosomes).
* ``alpha[p, m, k]``: the expected jumps into ``k`` at ``m``, with one
  uniform pseudo-jump, per population ``p`` when ``conditional`` (the clusters
  are shared; their frequencies are each population's own), else one.

Example
-------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> train = np.repeat(rng.integers(0, 2, size=(4, 30), dtype=np.uint8), 25, axis=0)
>>> model = HMMGenerator(n_states=[4], iterations=10, min_state_haplotypes=2)
>>> model.set_map(["1"] * 30, np.arange(30) * 1000)
>>> ags = model.fit(train, seed=1).sample(6, seed=2)
>>> ags.shape
(6, 30)
"""

from __future__ import annotations

import hashlib
import json
import logging
import time

import numpy as np
import pandas as pd
from scipy.special import logsumexp

from artgen import hmm, seeds
from artgen.checks import check_count, check_haplotype_matrix
from artgen.errors import InputError
from artgen.hmm import DEFAULT_NE, HMMParameters, check_genetic_map, check_real
from artgen.io.atomic import atomic_output
from artgen.models.base import Generator, PopulationLabels
from artgen.models.checkpoints import is_int, is_number, newest_checkpoint, write_checkpoint
from artgen.models.training import data_fingerprint

__all__ = ["HMMGenerator", "validation_rows"]

log = logging.getLogger("artgen")

#: Bounds of a learned jump probability.
MIN_JUMP, MAX_JUMP = 1e-6, 0.999
#: Dirichlet pseudo-count (spread evenly over the clusters) of each alpha row.
ALPHA_PRIOR = 1.0

HISTORY_COLUMNS = ("k", "iteration", "train_loglik", "validation_loglik", "seconds", "kept")


def validation_rows(n_rows: int, fraction: float, seed: int) -> np.ndarray:
    """Boolean mask (n_rows,) of the validation rows: ``round(fraction * n)``
    of the ``n = n_rows // 2`` individuals (rows ``2i``, ``2i + 1``; an odd last
    row is an individual of its own), drawn with ``seed``."""
    owners = np.arange(n_rows) // 2
    n_individuals = owners[-1] + 1
    n_val = int(round(fraction * n_individuals))
    if n_val < 1 or n_val >= n_individuals:
        raise InputError(f"hmm: validation_fraction {fraction} of {n_individuals} individuals "
                         f"leaves {n_val} for validation and {n_individuals - n_val} for "
                         f"fitting; both need at least one")
    rng = seeds.rng(seed, "hmm/validation")
    chosen = rng.choice(n_individuals, size=n_val, replace=False)
    return np.isin(owners, chosen)


class HMMGenerator(PopulationLabels, Generator):
    """Haplotype-cluster hidden Markov model (see the module docstring).

    Parameters
    ----------
    n_states : int or list of int
        Numbers of clusters ``K`` to try; the one with the best validation
        log-likelihood is kept.
    iterations : int
        Most EM iterations per ``K``.
    patience : int
        Stop a ``K``'s run after this many iterations without a better
        validation log-likelihood.
    validation_fraction : float
        Share of the training individuals held out to choose ``K`` and the
        iteration (never the test split).
    pseudo_count : float
        Prior weight (in haplotypes) of the smoothed training frequency in
        every cluster's allele probability; > 0, so none is 0 or 1.
    min_state_haplotypes : float
        Privacy floor: a cluster's allele probability at a SNP always rests on
        at least this many haplotypes, the shortfall filled with the training
        frequency. At most the number of fitting haplotypes.
    ne, cm_per_mb : float
        The starting jump probabilities, as the copying model's.
    learn_jumps : bool
        Learn each interval's jump probability (else keep the map's).
    conditional : bool
        One jump-target distribution per population (labels through
        :meth:`set_populations`); AGs come in the training proportions.

    Call :meth:`set_map` with the SNPs' chromosomes and positions before :meth:`fit`.
    """

    name = "hmm"
    iterative = True

    def __init__(self, n_states=(8, 16, 32), iterations: int = 50, patience: int = 3,
                 validation_fraction: float = 0.2, pseudo_count: float = 1.0,
                 min_state_haplotypes: float = 10.0, ne: float = DEFAULT_NE,
                 cm_per_mb: float = 1.0, learn_jumps: bool = True, conditional: bool = False):
        candidates = [n_states] if isinstance(n_states, (int, np.integer)) else n_states
        if not isinstance(candidates, (list, tuple)) or not candidates:
            raise InputError(f"hmm: n_states must be an integer or a list of them, "
                             f"got {n_states!r}")
        self.n_states = [check_count(k, "hmm: n_states", 1) for k in candidates]
        self.iterations = check_count(iterations, "hmm: iterations", 1)
        self.patience = check_count(patience, "hmm: patience", 1)
        self.validation_fraction = check_real(validation_fraction, "hmm: validation_fraction",
                                              0.0, 0.5)
        if self.validation_fraction == 0:
            raise InputError("hmm: validation_fraction must be above 0 (K and the iteration "
                             "are chosen on the validation haplotypes)")
        self.pseudo_count = check_real(pseudo_count, "hmm: pseudo_count", 0.0)
        if self.pseudo_count == 0:
            raise InputError("hmm: pseudo_count must be above 0 (else allele probabilities "
                             "of 0 or 1 make unseen haplotypes impossible)")
        self.min_state_haplotypes = check_real(min_state_haplotypes,
                                               "hmm: min_state_haplotypes", 0.0)
        self.ne = check_real(ne, "hmm: ne", 0.0)
        self.cm_per_mb = check_real(cm_per_mb, "hmm: cm_per_mb", 0.0)
        if not isinstance(learn_jumps, bool) or not isinstance(conditional, bool):
            raise InputError("hmm: learn_jumps and conditional must be true or false")
        self.learn_jumps = learn_jumps
        self.conditional = conditional
        self.chrom: np.ndarray | None = None
        self.pos: np.ndarray | None = None
        self.params: HMMParameters | None = None
        self.history: pd.DataFrame | None = None
        self._threads: int | None = None
        self._validation: tuple[np.ndarray, np.ndarray] | None = None

    # -- set-up ------------------------------------------------------------------------

    def set_map(self, chrom, pos) -> None:
        """The chromosome (str) and position (bp) of each SNP, in column order."""
        n_snps = None if self.params is None else self.params.n_snps
        self.chrom, self.pos = check_genetic_map(chrom, pos, n_snps)

    def use_threads(self, threads):
        self._threads = threads
        hmm.use_threads(threads)

    def settings(self):
        return {"n_states": self.n_states, "iterations": self.iterations,
                "patience": self.patience, "validation_fraction": self.validation_fraction,
                "pseudo_count": self.pseudo_count,
                "min_state_haplotypes": self.min_state_haplotypes, "ne": self.ne,
                "cm_per_mb": self.cm_per_mb, "learn_jumps": self.learn_jumps,
                "conditional": self.conditional}

    # -- training ----------------------------------------------------------------------

    def set_validation(self, alleles, populations=None) -> None:
        """Held-out haplotypes (n, n_snps) on which :meth:`fit` chooses ``K``
        and the iteration, in place of a part of the training rows; a
        conditional model scores each under its own population, so it needs
        their labels (``populations``, after :meth:`set_populations`)."""
        alleles = check_haplotype_matrix(alleles)
        if self.conditional:
            if populations is None or self.populations is None:
                raise InputError("hmm: a conditional model needs the validation haplotypes' "
                                 "population labels (after set_populations)")
            codes = self._label_codes(populations, len(alleles))
        else:
            codes = np.zeros(len(alleles), dtype=np.int64)
        self._validation = (alleles, codes)

    def fit(self, alleles, *, seed=0, run=None):
        """EM on ``alleles`` (n_haplotypes, n_snps) minus the validation rows;
        ``run`` (:class:`~artgen.models.training.TrainingRun`) names the
        checkpoint (written after every iteration, resumed from) and the
        history table (one row per ``K`` and iteration)."""
        alleles = check_haplotype_matrix(alleles)
        self._check_labels(len(alleles))
        if self.pos is None:
            raise InputError("hmm needs a genetic map: call set_map(chrom, pos) before fit")
        if len(self.pos) != alleles.shape[1]:
            raise InputError(f"the genetic map has {len(self.pos)} SNPs; the training matrix "
                             f"has {alleles.shape[1]}")
        codes = self._row_codes if self.conditional else np.zeros(len(alleles), dtype=np.int64)
        if self._validation is None:
            held = validation_rows(len(alleles), self.validation_fraction, seed)
            fitting, validation = alleles[~held], alleles[held]
            fit_codes, val_codes = codes[~held], codes[held]
        else:
            fitting, fit_codes = alleles, codes
            validation, val_codes = self._validation
            if validation.shape[1] != alleles.shape[1]:
                raise InputError(f"hmm: the validation set has {validation.shape[1]} SNPs; the "
                                 f"training matrix has {alleles.shape[1]}")
        if self.min_state_haplotypes > len(fitting):
            raise InputError(f"hmm: min_state_haplotypes {self.min_state_haplotypes:g} is more "
                             f"than the {len(fitting)} haplotypes fitted on (the training split "
                             f"less any validation part)")
        n_pops = len(self.populations) if self.conditional else 1
        frequency = (fitting.sum(axis=0) + 0.5) / (len(fitting) + 1.0)
        held_out = ({} if self._validation is None
                    else {"validation": data_fingerprint(validation),
                          "validation_labels": _labels_fingerprint(self.populations, val_codes)
                          if self.conditional else None})
        key = json.dumps({"model": self.name, "settings": self.settings(), "seed": seed,
                          "data": data_fingerprint(alleles), **held_out,
                          "labels": _labels_fingerprint(self.populations, codes)
                          if self.conditional else None},
                         sort_keys=True)
        checkpoint = None if run is None else run.checkpoint
        history_path = None if run is None else run.history
        progress = _load_progress(checkpoint, key, self._check_checkpoint)
        if progress is None:
            progress = {"k_index": 0, "iteration": 0, "rows": [], "stale": 0,
                        "k_best": -np.inf, "best": -np.inf, "best_k": None,
                        "best_iteration": None}
            params = None
        else:
            log.info("hmm: resumed from %s at K=%d, iteration %d", checkpoint,
                     self.n_states[progress["k_index"]], progress["iteration"])
            params, best_params = progress.pop("arrays")
        for k_index in range(progress["k_index"], len(self.n_states)):
            k = self.n_states[k_index]
            if params is None:
                params = self._initial_parameters(fitting, frequency, k, n_pops, seed)
                progress.update(k_index=k_index, iteration=0, stale=0, k_best=-np.inf)
                if progress["best_k"] is None:
                    best_params = params
            # Row i scores the parameters after i M-steps; the starting point
            # (i = 0, clusters seeded from single haplotypes) is never kept.
            while progress["iteration"] <= self.iterations and progress["stale"] < self.patience:
                start = time.perf_counter()
                loglik, ones, mass, jumps = hmm.em_statistics(fitting, params, fit_codes)
                val = float(hmm.log_likelihoods(validation, params, val_codes).mean())
                row = {"k": k, "iteration": progress["iteration"],
                       "train_loglik": float(loglik.mean()), "validation_loglik": val}
                if progress["iteration"] == 0:
                    pass
                elif val > progress["k_best"]:
                    progress.update(k_best=val, stale=0)
                else:
                    progress["stale"] += 1
                if progress["iteration"] and val > progress["best"]:
                    progress.update(best=val, best_k=k, best_iteration=progress["iteration"])
                    best_params = params
                if progress["iteration"] < self.iterations:
                    params = self._m_step(params, ones, mass, jumps, frequency, len(fitting))
                progress["iteration"] += 1
                row["seconds"] = time.perf_counter() - start
                progress["rows"].append(row)
                log.info("hmm K=%d iteration %d/%d  train loglik %.3f  validation loglik %.3f"
                         "  (best: K=%s iteration %s)  %.2f s", k, row["iteration"],
                         self.iterations, row["train_loglik"], val, progress["best_k"],
                         progress["best_iteration"], row["seconds"])
                _save_progress(checkpoint, key, progress, (params, best_params))
                _write_history(history_path, progress["rows"], progress)
            params = None
            progress["iteration"] = self.iterations + 1  # this K is done
            progress["stale"] = self.patience
        self.params = best_params
        self.history = _history_table(progress["rows"], progress)
        _write_history(history_path, progress["rows"], progress)
        log.info("hmm kept K=%d at iteration %d (validation loglik %.3f per haplotype)",
                 progress["best_k"], progress["best_iteration"], progress["best"])
        return self

    def _initial_parameters(self, fitting, frequency, k, n_pops, seed) -> HMMParameters:
        """Clusters seeded from ``k`` random fitting haplotypes blended with
        the training frequencies; uniform alpha; jumps from the genetic map."""
        rng = seeds.rng(seed, "hmm/clusters", k)
        centres = fitting[rng.choice(len(fitting), size=k, replace=k > len(fitting))]
        theta = np.clip(0.5 * centres.T + 0.5 * frequency[:, None], 0.01, 0.99)
        alpha = np.full((n_pops, len(frequency), k), 1.0 / k)
        jump = hmm.switch_probabilities(self.chrom, self.pos, self.ne, self.cm_per_mb, k)
        # A long gap within a chromosome starts below 1, so that EM can learn it.
        return HMMParameters(theta, alpha, np.where(self._free_jumps(), 1.0,
                                                    np.minimum(jump, MAX_JUMP)))

    def _free_jumps(self) -> np.ndarray:
        """Where the state is drawn afresh: the first SNP of every chromosome."""
        return np.concatenate([[True], self.chrom[1:] != self.chrom[:-1]])

    def _m_step(self, params, ones, mass, jumps, frequency, n_fitting) -> HMMParameters:
        weight = np.maximum(self.pseudo_count, self.min_state_haplotypes - mass)
        theta = (ones + weight * frequency[:, None]) / (mass + weight)
        k = params.n_states
        alpha = (jumps + ALPHA_PRIOR / k) / (jumps.sum(axis=2, keepdims=True) + ALPHA_PRIOR)
        jump = params.jump
        if self.learn_jumps:
            learned = np.clip(jumps.sum(axis=(0, 2)) / n_fitting, MIN_JUMP, MAX_JUMP)
            jump = np.where(self._free_jumps(), 1.0, learned)
        return HMMParameters(theta, alpha, jump)

    def _check_checkpoint(self, meta: dict, arrays: dict[str, np.ndarray]) -> None:
        """An InputError unless a checkpoint fits this run: EM counters
        within the settings' bounds, history rows of numbers, and current and
        best parameters of their K, of this map's SNPs and one alpha per
        population, holding probabilities EM can go on from. Checked before
        any of it is used, so that a checkpoint that does not fit is skipped
        like a damaged one. (The checksum covers the arrays, not the progress.)"""
        progress = meta.get("progress")
        if not isinstance(progress, dict):
            raise InputError(f"its progress is a {type(progress).__name__}, not the EM's fields")
        if set(progress) != _PROGRESS_FIELDS:
            missing = sorted(_PROGRESS_FIELDS - set(progress))
            other = sorted(set(progress) - _PROGRESS_FIELDS)
            raise InputError("its progress " + " and ".join(
                ([f"lacks {', '.join(missing)}"] if missing else [])
                + ([f"has unknown fields {', '.join(map(str, other))}"] if other else [])))
        k_index, best_k, best_iteration = (progress["k_index"], progress["best_k"],
                                           progress["best_iteration"])
        if not (is_int(k_index) and 0 <= k_index < len(self.n_states)
                and is_int(progress["iteration"])
                and 0 <= progress["iteration"] <= self.iterations + 1
                and is_int(progress["stale"]) and 0 <= progress["stale"] <= self.patience
                and is_number(progress["k_best"]) and is_number(progress["best"])
                and ((best_k is None and best_iteration is None)
                     or (is_int(best_k) and best_k in self.n_states and is_int(best_iteration)
                         and 1 <= best_iteration <= self.iterations))):
            raise InputError("its EM counters (K, iteration, patience, kept K and iteration) "
                             "are out of range for this model's settings")
        rows = progress["rows"]
        if not isinstance(rows, list) or not all(
                isinstance(row, dict) and all(is_number(row.get(c)) for c in HISTORY_COLUMNS[:-1])
                for row in rows):
            raise InputError(f"its history is not rows of numbers "
                             f"({', '.join(HISTORY_COLUMNS[:-1])})")
        names = {f"{name}/{field}" for name in _PARAM_SETS for field in ("theta", "alpha", "jump")}
        if set(arrays) != names:
            raise InputError(f"its arrays are not the EM's "
                             f"({', '.join(sorted(set(arrays) ^ names)[:4])})")
        wrong = sorted(name for name, value in arrays.items() if value.dtype.kind != "f")
        if wrong:
            raise InputError(f"its array {wrong[0]} is {arrays[wrong[0]].dtype}, not floats")
        k = self.n_states[k_index]
        for name, params, n_states in zip(_PARAM_SETS, _checkpoint_parameters(arrays),
                                          (k, k if best_k is None else best_k)):
            if params.theta.shape != (len(self.pos), n_states):
                raise InputError(f"its {name} theta is {params.theta.shape}, not "
                                 f"({len(self.pos)} SNPs, K={n_states})")
            self._check_populations(params)
            params.check_probabilities()

    # -- using the model ---------------------------------------------------------------

    def sample(self, n, seed):
        self._require_fitted()
        n = check_count(n, "n", 0)
        return hmm.sample_paths(self.params, self._codes(n), seed)

    def sample_continuing(self, given, seed, populations=None):
        """AGs (n, n_snps) whose first G SNPs are ``given`` (n, G) and whose
        rest is drawn from the model given them: a window's AGs continuing
        the previous window's over their overlap. ``populations`` labels the
        rows of a conditional model (default: :meth:`sample_populations`' order)."""
        self._require_fitted()
        given = np.asarray(given)
        codes = (self._label_codes(populations, len(given))
                 if self.conditional and populations is not None else self._codes(len(given)))
        return hmm.sample_paths(self.params, codes, seed, given=given)

    def log_likelihood(self, alleles, populations=None) -> np.ndarray:
        """Natural-log likelihood (n,) of each row of ``alleles`` (values
        above 1 are missing). A conditional model scores each row under its
        population's label when ``populations`` is given, else under the
        mixture of populations in their training proportions."""
        self._require_fitted()
        alleles = np.ascontiguousarray(alleles, dtype=np.uint8)
        return logsumexp(self._per_population(alleles, populations, hmm.log_likelihoods),
                         axis=0, b=self._mixture_weights(populations)[:, None])

    def allele_probabilities(self, alleles, populations=None) -> np.ndarray:
        """Posterior probability of allele 1 at every SNP, float64 (n, n_snps),
        given the observed alleles of each row (values above 1 are missing):
        the model as an imputer. Populations as in :meth:`log_likelihood`."""
        self._require_fitted()
        alleles = np.ascontiguousarray(alleles, dtype=np.uint8)
        weights = self.params.theta[:, :, None]
        probs = self._per_population(
            alleles, populations,
            lambda h, p, c: hmm.posteriors(h, p, weights, c)[:, :, 0])
        if len(probs) == 1:
            return probs[0]
        loglik = self._per_population(alleles, populations, hmm.log_likelihoods)
        mix = np.log(self._mixture_weights(populations))[:, None] + loglik
        mix = np.exp(mix - logsumexp(mix, axis=0))
        return np.einsum("pn,pnm->nm", mix, probs)

    def _per_population(self, alleles, populations, compute) -> np.ndarray:
        """``compute(alleles, params, codes)`` stacked over the populations
        the rows are scored under: one entry (their own labels, or the only
        population), or one per population for unlabelled rows of a
        conditional model."""
        if alleles.ndim != 2 or alleles.shape[1] != self.params.n_snps:
            raise InputError(f"hmm: haplotypes must be (n, {self.params.n_snps}), "
                             f"got {alleles.shape}")
        if not self.conditional:
            return compute(alleles, self.params, None)[None]
        if populations is not None:
            return compute(alleles, self.params,
                           self._label_codes(populations, len(alleles)))[None]
        return np.stack([compute(alleles, self.params, np.full(len(alleles), code))
                         for code in range(len(self.populations))])

    def _label_codes(self, populations, n: int) -> np.ndarray:
        """Population codes of ``n`` rows labelled ``populations``."""
        labels = np.asarray(populations).astype(str)
        unknown = sorted(set(labels) - set(self.populations))
        if labels.shape != (n,) or unknown:
            raise InputError(f"hmm: need one known population label per row; unknown: "
                             f"{unknown[:3]}")
        return np.searchsorted(self.populations, labels)

    def _mixture_weights(self, populations) -> np.ndarray:
        if not self.conditional or populations is not None:
            return np.ones(1)
        return self.population_counts / self.population_counts.sum()

    def _require_fitted(self):
        if self.params is None:
            raise InputError("the hmm model is not fitted: call set_map and fit first")

    # -- state -------------------------------------------------------------------------

    def state(self):
        self._require_fitted()
        return {"theta": self.params.theta, "alpha": self.params.alpha,
                "jump": self.params.jump, "chrom": self.chrom, "pos": self.pos,
                **self._label_state()}

    def set_state(self, state):
        try:
            params = HMMParameters(state["theta"], state["alpha"], state["jump"])
        except KeyError as exc:
            raise InputError(f"hmm: saved state lacks {exc}") from None
        self.params = params.check_probabilities()
        self.chrom, self.pos = check_genetic_map(state["chrom"], state["pos"],
                                                 self.params.n_snps)
        self._set_label_state(state)
        self._check_populations(self.params)

    def _check_populations(self, params: HMMParameters) -> None:
        """An InputError unless ``params`` has one alpha per population (one
        unless conditional)."""
        n_pops = len(self.populations) if self.conditional else 1
        if params.alpha.shape[0] != n_pops:
            raise InputError(f"hmm: {params.alpha.shape[0]} jump-target distributions "
                             f"(alpha), not one per population ({n_pops})")


# --------------------------------------------------------------------------- checkpoint, history

_PARAM_SETS = ("current", "best")
_PROGRESS_FIELDS = frozenset({"k_index", "iteration", "rows", "stale", "k_best", "best",
                              "best_k", "best_iteration"})


def _labels_fingerprint(populations, codes) -> str:
    digest = hashlib.sha256("|".join(populations).encode())
    digest.update(np.asarray(codes, dtype=np.int64).tobytes())
    return digest.hexdigest()[:16]


def _save_progress(path, key: str, progress: dict, params: tuple) -> None:
    """Checkpoint of the EM: its progress and the current and best parameters."""
    if path is None:
        return
    arrays = {f"{name}/{field}": getattr(p, field)
              for name, p in zip(_PARAM_SETS, params) for field in ("theta", "alpha", "jump")}
    write_checkpoint(path, {"key": key, "progress": progress}, arrays)


def _load_progress(path, key: str, check):
    """The progress of the newest readable checkpoint for ``key`` that
    ``check(meta, arrays)`` accepts (the current and the best parameters
    under ``"arrays"``), or None to start afresh."""
    found = newest_checkpoint(path, key, check=check)
    if found is None:
        return None
    meta, arrays = found
    progress = meta["progress"]
    progress["arrays"] = _checkpoint_parameters(arrays)
    return progress


def _checkpoint_parameters(arrays: dict[str, np.ndarray]) -> tuple[HMMParameters, ...]:
    """The current and the best parameters of a checkpoint's arrays."""
    return tuple(
        HMMParameters(arrays[f"{name}/theta"], arrays[f"{name}/alpha"], arrays[f"{name}/jump"])
        for name in _PARAM_SETS)


def _history_table(rows: list[dict], progress: dict) -> pd.DataFrame:
    table = pd.DataFrame(rows, columns=list(HISTORY_COLUMNS[:-1]))
    table["kept"] = ((table["k"] == progress.get("best_k"))
                     & (table["iteration"] == progress.get("best_iteration"))).astype(int)
    return table


def _write_history(path, rows: list[dict], progress: dict) -> None:
    if path is None:
        return
    with atomic_output(path) as tmp:
        _history_table(rows, progress).to_csv(tmp, sep="\t", index=False, float_format="%.6g")
