"""The haplotype hidden Markov model shared by the copying model, chromosome
painting and the hidden-Markov generator: one forward-backward core.

The model (the Li & Stephens 2003 family; Scheet & Stephens 2006 for
haplotype clusters)
------------------------------------------------------------------------
A haplotype of ``M`` SNPs is emitted by a chain over ``K`` hidden states.

* **Transitions.**  Between SNP ``m - 1`` and SNP ``m`` the chain *jumps*
  with probability ``jump[m]`` to a state drawn from ``alpha[m, :]`` (which
  may be the state it left), and otherwise keeps its state:
  ``P(z_m = k | z_{m-1} = l) = (1 - jump[m]) 1(k = l) + jump[m] alpha[m, k]``.
  At the first SNP, and wherever ``jump[m] = 1`` (a new chromosome), the
  state is drawn afresh from ``alpha[m, :]``.
* **Emissions.**  State ``k`` emits allele 1 at SNP ``m`` with probability
  ``theta[m, k]``. A missing allele (any value above 1, e.g. 255) is emitted
  with probability 1 by every state, so the same recursion imputes.

The copying model and painting are the case ``K`` = number of template
(donor) haplotypes, ``alpha = 1/K`` and ``theta[m, k] = 1 - mu`` where template
``k`` carries allele 1, ``mu`` where it carries 0 (:func:`copying_emissions`);
the jump probability comes from the genetic map (:func:`switch_probabilities`).
The haplotype-cluster generator (:mod:`artgen.models.hmm`) learns ``theta``,
``alpha`` and ``jump`` by EM.

Computation
-----------
Forward and backward passes are scaled (each SNP's vector sums to 1; the
log-likelihood is the sum of the logs of the scale factors), compiled with
numba, and run one haplotype at a time inside :data:`N_BLOCKS` fixed blocks of
haplotypes processed in parallel. Memory is one forward table (M, K) per block,
never haplotypes x SNPs x K; per-block sums are added in block order, so results
do not depend on the number of threads.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from artgen.errors import InputError

__all__ = ["DEFAULT_NE", "N_BLOCKS", "HMMParameters", "check_genetic_map", "copying_emissions",
           "default_mutation_rate", "em_statistics", "log_likelihoods", "posteriors",
           "sample_paths", "switch_probabilities", "use_threads"]

#: HAPGEN2's effective population size in its CEU examples.
DEFAULT_NE = 11418.0

#: Fixed number of haplotype blocks the recursions are split into (parallel
#: work units; their partial sums are added in this order, whatever the threads).
N_BLOCKS = 4

# --------------------------------------------------------------------------- genetic map

def check_genetic_map(chrom, pos, n_snps: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``chrom`` (str) and ``pos`` (int64) as 1-D arrays, checked.

    Each chromosome must be one contiguous block of SNPs, positions (bp)
    non-negative and sorted within it; with ``n_snps`` given both must have
    that many entries. Raises :class:`InputError` saying what is wrong.
    """
    chrom = np.asarray(chrom, dtype=str)
    pos_in = np.asarray(pos)
    if chrom.ndim != 1 or pos_in.ndim != 1:
        raise InputError("chrom and pos must be 1-D arrays, one entry per SNP")
    if len(chrom) != len(pos_in):
        raise InputError(f"chrom has {len(chrom)} entries but pos has {len(pos_in)}")
    if n_snps is not None and len(pos_in) != n_snps:
        raise InputError(f"the genetic map has {len(pos_in)} SNPs; the haplotypes have {n_snps}")
    if not np.issubdtype(pos_in.dtype, np.integer) and len(pos_in):
        if not np.issubdtype(pos_in.dtype, np.floating):
            raise InputError(f"positions must be whole numbers of base pairs, got {pos_in.dtype}")
        bad = np.flatnonzero(~np.isfinite(pos_in) | (pos_in != np.round(pos_in)))
        if len(bad):
            raise InputError(f"position {pos_in[bad[0]]} of SNP {bad[0]} is not a whole "
                             f"number of base pairs")
    pos = pos_in.astype(np.int64)
    if len(pos) and pos.min() < 0:
        raise InputError(f"negative position {pos.min()} at SNP {int(np.argmin(pos))}")
    same = chrom[1:] == chrom[:-1]
    unsorted = np.flatnonzero(same & (pos[1:] < pos[:-1]))
    if len(unsorted):
        j = int(unsorted[0]) + 1
        raise InputError(f"positions are not sorted within chromosome {chrom[j]}: SNP {j} at "
                         f"{pos[j]} comes after {pos[j - 1]}")
    block_chroms = chrom[np.concatenate([[True], ~same])] if len(chrom) else chrom
    names, counts = np.unique(block_chroms, return_counts=True)
    if (counts > 1).any():
        raise InputError(f"chromosome {names[counts > 1][0]} is split into several blocks; "
                         f"SNPs must be grouped by chromosome")
    return chrom, pos


def check_real(value, name: str, low: float, high: float = math.inf) -> float:
    """``value`` as a float in ``[low, high]``, or an InputError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not low <= value <= high or math.isnan(value):
        bounds = f"between {low} and {high}" if math.isfinite(high) else f">= {low}"
        raise InputError(f"{name} must be a number {bounds}, got {value!r}")
    return float(value)


def switch_probabilities(chrom, pos, ne: float, cm_per_mb: float, k: int) -> np.ndarray:
    """Probability of drawing a new state at each SNP, float64 (n_snps,).

    ``p[j] = 1 - exp(-4 * ne * r / k)`` with ``r = (pos[j] - pos[j-1]) *
    cm_per_mb / 1e8`` Morgans, for SNP ``j`` on the same chromosome as SNP
    ``j - 1``; ``p[j] = 1`` at the first SNP and at the first SNP of every
    other chromosome (the state is drawn afresh there). ``k`` is the
    number of states (donor or training haplotypes, or clusters).

    >>> p = switch_probabilities(["1", "1", "2"], [0, 100_000, 5], ne=10_000, cm_per_mb=1.0, k=100)
    >>> p.round(4).tolist()        # 1 - exp(-4 * 1e4 * 1e-3 / 100) = 1 - exp(-0.4)
    [1.0, 0.3297, 1.0]
    """
    ne = check_real(ne, "ne", 0.0)
    cm_per_mb = check_real(cm_per_mb, "cm_per_mb", 0.0)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise InputError(f"number of templates must be an integer >= 1, got {k!r}")
    chrom, pos = check_genetic_map(chrom, pos)
    if not len(pos):
        return np.empty(0)
    same = chrom[1:] == chrom[:-1]
    # Distances across a chromosome boundary mean nothing (and may be negative).
    morgans = np.where(same, np.diff(pos), 0).astype(np.float64) * cm_per_mb / 1e8
    p = np.where(same, -np.expm1(-4.0 * ne * morgans / k), 1.0)
    return np.concatenate([[1.0], p])


def default_mutation_rate(k: int) -> float:
    """Li & Stephens' (2003) per-site mismatch probability for ``k`` templates:
    ``theta / (2 * (theta + k))`` with ``theta = 1 / sum_{i=1}^{k-1} 1/i``.

    Needs ``k >= 2`` (with one template the sum is empty); give an explicit
    mutation rate otherwise.

    >>> default_mutation_rate(2), default_mutation_rate(3)     # theta = 1, 2/3
    (0.16666666666666666, 0.09090909090909091)
    """
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise InputError(f"number of templates must be an integer >= 1, got {k!r}")
    if k < 2:
        raise InputError("the default (Li & Stephens) mutation rate needs at least 2 template "
                         "haplotypes; give mutation_rate explicitly")
    theta = 1.0 / np.sum(1.0 / np.arange(1, k))
    return float(theta / (2.0 * (theta + k)))


# --------------------------------------------------------------------------- parameters

class HMMParameters:
    """The arrays of one model: ``theta`` (M, K) allele-1 probabilities,
    ``alpha`` (P, M, K) jump-target distributions (one per population; P = 1
    without populations; rows sum to 1), ``jump`` (M,) jump probabilities
    (``jump[0] = 1``)."""

    def __init__(self, theta, alpha, jump):
        self.theta = np.ascontiguousarray(theta, dtype=np.float64)
        alpha = np.asarray(alpha, dtype=np.float64)
        self.alpha = np.ascontiguousarray(alpha[None] if alpha.ndim == 2 else alpha)
        self.jump = np.ascontiguousarray(jump, dtype=np.float64)
        if self.theta.ndim != 2:
            raise InputError(f"HMM parameters: theta must be (n_snps, n_states), got shape "
                             f"{self.theta.shape}")
        m, k = self.theta.shape
        if self.alpha.shape[1:] != (m, k) or self.jump.shape != (m,):
            raise InputError(f"HMM parameters disagree: theta {self.theta.shape}, alpha "
                             f"{self.alpha.shape}, jump {self.jump.shape}")
        if m and self.jump[0] != 1.0:
            raise InputError("the jump probability at the first SNP must be 1")

    def check_probabilities(self) -> HMMParameters:
        """``self``, or an InputError unless the arrays are probabilities under
        which no haplotype is impossible, as EM learns them: ``theta``
        strictly between 0 and 1, every ``alpha`` row a distribution over the
        states with none at 0, and ``jump`` in [0, 1] (0: no recombination
        between two SNPs, as a map may give). An allele probability of 0 or 1
        gives every haplotype with the other allele there a likelihood of 0
        (and a division by zero in the recursions). For arrays read from a
        file; the copying model's own may hold 0 and 1."""
        for name, values, inside, bounds in (
                ("theta", self.theta, (self.theta > 0) & (self.theta < 1), "in (0, 1)"),
                ("alpha", self.alpha, (self.alpha > 0) & (self.alpha <= 1), "in (0, 1]"),
                ("jump", self.jump, (self.jump >= 0) & (self.jump <= 1), "in [0, 1]")):
            if not inside.all():  # NaN is outside too
                at = [int(i) for i in np.argwhere(~inside)[0]]
                raise InputError(f"HMM parameters: {name} must hold probabilities {bounds}; "
                                 f"{name}{at} is {values[tuple(at)]}")
        sums = self.alpha.sum(axis=2)
        off = np.abs(sums - 1.0) > 1e-6
        if off.any():
            p, m = (int(i) for i in np.argwhere(off)[0])
            raise InputError(f"HMM parameters: alpha[{p}, {m}, :] sums to {sums[p, m]}, not 1")
        return self

    @property
    def n_snps(self) -> int:
        return self.theta.shape[0]

    @property
    def n_states(self) -> int:
        return self.theta.shape[1]


def copying_emissions(templates: np.ndarray, mutation_rate: float) -> np.ndarray:
    """Allele-1 probabilities (n_snps, K) of the copying model whose states are
    the ``K`` rows of ``templates`` (K, n_snps): ``1 - mu`` where the template
    carries allele 1, ``mu`` where it carries 0."""
    return np.where(np.asarray(templates).T == 1, 1.0 - mutation_rate, mutation_rate)


def _codes_array(codes, n: int, n_populations: int) -> np.ndarray:
    if codes is None:
        return np.zeros(n, dtype=np.int64)
    codes = np.asarray(codes, dtype=np.int64)
    if codes.shape != (n,) or (n and (codes.min() < 0 or codes.max() >= n_populations)):
        raise InputError(f"population codes must be {n} integers in [0, {n_populations})")
    return codes


def _blocks(n: int) -> np.ndarray:
    """Bounds of :data:`N_BLOCKS` near-equal blocks of ``n`` haplotypes."""
    return np.linspace(0, n, N_BLOCKS + 1).round().astype(np.int64)


def use_threads(threads: int | None) -> None:
    """Run the recursions on at most ``threads`` threads (None: all)."""
    limit = numba.config.NUMBA_NUM_THREADS
    numba.set_num_threads(limit if threads is None else max(1, min(int(threads), limit)))


# --------------------------------------------------------------------------- kernels

@numba.njit(cache=True, nogil=True)
def _emission(theta_mk, allele):
    if allele == 1:
        return theta_mk
    if allele == 0:
        return 1.0 - theta_mk
    return 1.0


@numba.njit(cache=True, nogil=True)
def _forward(h, theta, alpha, jump, f):
    """Scaled forward table of haplotype ``h`` into ``f`` (M, K); returns the
    log-likelihood."""
    m_snps, k_states = theta.shape
    loglik = 0.0
    for m in range(m_snps):
        r = jump[m]
        total = 0.0
        for k in range(k_states):
            prior = r * alpha[m, k]
            if m > 0:
                prior += (1.0 - r) * f[m - 1, k]
            value = prior * _emission(theta[m, k], h[m])
            f[m, k] = value
            total += value
        for k in range(k_states):
            f[m, k] /= total
        loglik += math.log(total)
    return loglik


@numba.njit(cache=True, nogil=True)
def _backward_step(h, theta, alpha, jump, m, b, out):
    """Scaled backward vector at SNP ``m - 1`` from the one at ``m`` (``b``)."""
    k_states = theta.shape[1]
    r = jump[m]
    jumped = 0.0
    for k in range(k_states):
        out[k] = b[k] * _emission(theta[m, k], h[m])
        jumped += alpha[m, k] * out[k]
    total = 0.0
    for k in range(k_states):
        out[k] = (1.0 - r) * out[k] + r * jumped
        total += out[k]
    for k in range(k_states):
        out[k] /= total


@numba.njit(cache=True, nogil=True)
def _workspace(m_snps, k_states):
    """One thread's buffers of :func:`_state_posteriors`: the forward table,
    two backward vectors and the posteriors."""
    return (np.empty((m_snps, k_states)), np.empty(k_states), np.empty(k_states),
            np.empty((m_snps, k_states)))


@numba.njit(cache=True, nogil=True)
def _state_posteriors(h, theta, alpha, jump, work):
    """Forward-backward of haplotype ``h``: its log-likelihood and its
    posterior state probabilities (M, K), with the forward table left in
    ``work[0]``. The arrays returned are ``work``'s, overwritten by the next call."""
    f, b, b_next, gamma = work
    loglik = _forward(h, theta, alpha, jump, f)
    m_snps, k_states = theta.shape
    b[:] = 1.0
    for m in range(m_snps - 1, -1, -1):
        total = 0.0
        for k in range(k_states):
            total += f[m, k] * b[k]
        for k in range(k_states):
            gamma[m, k] = f[m, k] * b[k] / total
        if m > 0:
            _backward_step(h, theta, alpha, jump, m, b, b_next)
            b[:] = b_next
    return loglik, gamma


@numba.njit(cache=True, parallel=True)
def _em_statistics(haplotypes, codes, theta, alpha, jump, bounds):
    n_blocks = len(bounds) - 1
    m_snps, k_states = theta.shape
    n_pops = alpha.shape[0]
    loglik = np.empty(len(haplotypes))
    ones = np.zeros((n_blocks, m_snps, k_states))
    mass = np.zeros((n_blocks, m_snps, k_states))
    jumps = np.zeros((n_blocks, n_pops, m_snps, k_states))
    for block in numba.prange(n_blocks):
        work = _workspace(m_snps, k_states)
        f = work[0]
        for i in range(bounds[block], bounds[block + 1]):
            h = haplotypes[i]
            a = alpha[codes[i]]
            loglik[i], gamma = _state_posteriors(h, theta, a, jump, work)
            for m in range(m_snps - 1, -1, -1):
                r = jump[m]
                for k in range(k_states):
                    g = gamma[m, k]
                    mass[block, m, k] += g
                    if h[m] == 1:
                        ones[block, m, k] += g
                    if m == 0 or r >= 1.0:
                        jumps[block, codes[i], m, k] += g
                    else:
                        jumped = r * a[m, k]
                        jumps[block, codes[i], m, k] += g * jumped / (
                            jumped + (1.0 - r) * f[m - 1, k])
    return loglik, ones, mass, jumps


@numba.njit(cache=True, parallel=True)
def _log_likelihoods(haplotypes, codes, theta, alpha, jump, bounds, last):
    """Log-likelihood of each haplotype; its filtered state distribution at
    the last SNP into ``last`` (n, K)."""
    m_snps, k_states = theta.shape
    loglik = np.empty(len(haplotypes))
    for block in numba.prange(len(bounds) - 1):
        f = np.empty((m_snps, k_states))
        for i in range(bounds[block], bounds[block + 1]):
            loglik[i] = _forward(haplotypes[i], theta, alpha[codes[i]], jump, f)
            last[i] = f[m_snps - 1]
    return loglik


@numba.njit(cache=True, parallel=True)
def _posteriors(haplotypes, codes, theta, alpha, jump, weights, bounds, per_snp):
    """Posterior state probabilities projected on ``weights``: per SNP
    ``out[i, m, :] = gamma_m @ weights[m]`` when ``per_snp``, else summed
    over SNPs into ``out[i, 0, :]``. ``weights`` (M, K, C)."""
    m_snps, k_states = theta.shape
    n_out = weights.shape[2]
    out = np.zeros((len(haplotypes), m_snps if per_snp else 1, n_out))
    for block in numba.prange(len(bounds) - 1):
        work = _workspace(m_snps, k_states)
        for i in range(bounds[block], bounds[block + 1]):
            gamma = _state_posteriors(haplotypes[i], theta, alpha[codes[i]], jump, work)[1]
            for m in range(m_snps - 1, -1, -1):
                row = m if per_snp else 0
                for k in range(k_states):
                    for c in range(n_out):
                        out[i, row, c] += gamma[m, k] * weights[m, k, c]
    return out


@numba.njit(cache=True, parallel=True)
def _simulate(state, codes, theta, cumulative_alpha, jump, first, u_jump, u_state, u_emit, out):
    """Run ``len(state)`` chains over SNPs ``first .. first + len(u_jump) - 1``
    with the given uniforms (one row per SNP), updating ``state`` and
    writing alleles into ``out`` (n, n_block_snps)."""
    n = len(state)
    k_states = theta.shape[1]
    for i in numba.prange(n):
        s = state[i]
        c = cumulative_alpha[codes[i]]
        for j in range(u_jump.shape[0]):
            m = first + j
            if u_jump[j, i] < jump[m]:
                s = min(np.searchsorted(c[m], u_state[j, i], side="right"), k_states - 1)
            out[i, j] = 1 if u_emit[j, i] < theta[m, s] else 0
        state[i] = s


# --------------------------------------------------------------------------- public

def _checked(haplotypes, params: HMMParameters, codes):
    haplotypes = np.ascontiguousarray(haplotypes, dtype=np.uint8)
    if haplotypes.ndim != 2 or haplotypes.shape[1] != params.n_snps:
        raise InputError(f"haplotypes must be (n, {params.n_snps}), got {haplotypes.shape}")
    return haplotypes, _codes_array(codes, len(haplotypes), params.alpha.shape[0])


def em_statistics(haplotypes, params: HMMParameters, codes=None):
    """One E-step over ``haplotypes`` (n, M) of 0/1 (values above 1: missing).

    Returns ``(loglik, ones, mass, jumps)``: the log-likelihood of each
    haplotype (n,); the expected number of haplotypes in state k at SNP m that
    carry allele 1 (``ones``) and in all (``mass``), both (M, K); and the
    expected number of jumps into state k at SNP m per population (P, M, K)
    (every state visit at a SNP with jump probability 1 counts as a jump).
    ``codes`` (n,) gives each haplotype's population (index into ``alpha``).
    """
    haplotypes, codes = _checked(haplotypes, params, codes)
    loglik, ones, mass, jumps = _em_statistics(haplotypes, codes, params.theta, params.alpha,
                                               params.jump, _blocks(len(haplotypes)))
    return loglik, ones.sum(axis=0), mass.sum(axis=0), jumps.sum(axis=0)


def log_likelihoods(haplotypes, params: HMMParameters, codes=None, *,
                    filtered: bool = False):
    """Natural-log likelihood of each haplotype (n,) under the model; with
    ``filtered``, also the state distribution at the last SNP given each
    haplotype's alleles (n, K), as ``(loglik, last)``."""
    haplotypes, codes = _checked(haplotypes, params, codes)
    last = np.empty((len(haplotypes), params.n_states))
    loglik = _log_likelihoods(haplotypes, codes, params.theta, params.alpha, params.jump,
                              _blocks(len(haplotypes)), last)
    return (loglik, last) if filtered else loglik


def posteriors(haplotypes, params: HMMParameters, weights, codes=None, *,
               per_snp: bool = True) -> np.ndarray:
    """Posterior state probabilities, projected: ``weights`` (M, K, C) turns
    the K state probabilities at SNP m into C numbers (e.g. the one-hot donor
    label for painting, ``theta`` for imputed allele probabilities). Returns
    (n, M, C) with ``per_snp``, else the sum over SNPs (n, C)."""
    haplotypes, codes = _checked(haplotypes, params, codes)
    weights = np.ascontiguousarray(weights, dtype=np.float64)
    if weights.shape[:2] != (params.n_snps, params.n_states) or weights.ndim != 3:
        raise InputError(f"weights must be ({params.n_snps}, {params.n_states}, C), "
                         f"got {weights.shape}")
    out = _posteriors(haplotypes, codes, params.theta, params.alpha, params.jump, weights,
                      _blocks(len(haplotypes)), per_snp)
    return out if per_snp else out[:, 0, :]


def sample_paths(params: HMMParameters, codes: np.ndarray, seed, *, given=None,
                 block_snps: int = 1024) -> np.ndarray:
    """Haplotypes (n, M) uint8 simulated from the chain: one per entry of
    ``codes`` (the population of each). Uniforms are drawn SNP block by SNP
    block from ``seed``, so the same seed gives the same haplotypes.

    ``given`` (n, G) fixes the first G SNPs of every haplotype: the rest is
    drawn from the model conditioned on them, exactly (the chain starts from
    the state distribution at SNP G - 1 given those alleles, the forward
    recursion's last row). This continues a haplotype into a new window."""
    codes = _codes_array(codes, len(codes), params.alpha.shape[0])
    n, m_snps = len(codes), params.n_snps
    rng = np.random.default_rng(seed)
    cumulative = np.cumsum(params.alpha, axis=2)
    out = np.empty((n, m_snps), dtype=np.uint8)
    state = np.zeros(n, dtype=np.int64)
    start = 0
    if given is not None:
        given = np.ascontiguousarray(given, dtype=np.uint8)
        if given.ndim != 2 or len(given) != n or not 1 <= given.shape[1] <= m_snps:
            raise InputError(f"given alleles must be ({n}, 1..{m_snps}), got {given.shape}")
        start = given.shape[1]
        head = HMMParameters(params.theta[:start], params.alpha[:, :start], params.jump[:start])
        _, last = log_likelihoods(given, head, codes, filtered=True)
        u = rng.random(n)
        state[:] = np.minimum((np.cumsum(last, axis=1) < u[:, None]).sum(axis=1),
                              params.n_states - 1)
        out[:, :start] = given
    for first in range(start, m_snps, block_snps):
        width = min(block_snps, m_snps - first)
        u = rng.random((3, width, n))
        chunk = np.empty((n, width), dtype=np.uint8)
        _simulate(state, codes, params.theta, cumulative, params.jump, first,
                  u[0], u[1], u[2], chunk)
        out[:, first:first + width] = chunk
    return out
