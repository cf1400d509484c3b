"""The Li & Stephens copying model as a generator (the idea behind HAPGEN2).

A new haplotype is a mosaic of the training haplotypes (the *templates*):
it starts on a template drawn uniformly at random and walks along the SNPs;
between two adjacent SNPs it jumps, with a probability that grows with their
genetic distance, to a template drawn uniformly from all ``K`` (itself
included); at each SNP it copies its template's allele and flips it with a
small *mutation* probability. Li & Stephens (2003, Genetics 165:2213) built
this model as an approximation to the coalescent with recombination; HAPGEN2
(Su, Marchini & Donnelly 2011, Bioinformatics 27:2304) samples from it to
simulate haplotypes, and Yelmen et al. (2021) used HAPGEN2 as a comparison.

The model, exactly
------------------
With ``K`` templates, a genetic map ``r_j`` (Morgans between SNP ``j - 1``
and SNP ``j``) and effective population size ``ne``:

* switch probability ``p_j = 1 - exp(-4 * ne * r_j / K)``, with
  ``r_j = distance_bp * cm_per_mb / 1e8`` (a flat map of ``cm_per_mb``
  centimorgans per megabase). At the first SNP and at the first SNP of each
  new chromosome ``p_j = 1``: the template is drawn afresh. See
  :func:`switch_probabilities`.
* mutation (emission mismatch) probability ``mutation_rate``; by default Li
  & Stephens' ``theta / (2 * (theta + K))`` with
  ``theta = 1 / sum_{i=1}^{K-1} 1/i``. See :func:`default_mutation_rate`.

A "switch" draws from all ``K`` templates, so the template actually changes
with probability ``p_j * (K - 1) / K``.

:func:`switch_probabilities` and :func:`default_mutation_rate` are also the
transition and emission model of chromosome painting
(:mod:`artgen.stats.painting`).

Privacy
-------
The fitted model *is* its training haplotypes: they are saved with it, and
every artificial haplotype is a mosaic of their segments. With ``ne=0`` (no
switching) and ``mutation_rate=0`` it returns exact copies. Its privacy loss
is that of its settings, to be measured like any other generator's.

Example
-------
>>> import numpy as np
>>> model = CopyingGenerator(ne=0, mutation_rate=0.0)
>>> model.set_map(["1", "1", "1"], [100, 200, 300])
>>> train = np.array([[0, 1, 1], [1, 0, 0]], dtype=np.uint8)
>>> ags = model.fit(train).sample(4, seed=1)
>>> all(any((row == t).all() for t in train) for row in ags)
True
"""

from __future__ import annotations

import math

import numpy as np

from artgen.errors import InputError
from artgen.models.base import Generator, check_haplotype_matrix
from artgen.models.training import check_count

__all__ = ["DEFAULT_NE", "CopyingGenerator", "check_genetic_map", "default_mutation_rate",
           "switch_probabilities"]

#: HAPGEN2's effective population size in its CEU examples.
DEFAULT_NE = 11418.0


# --------------------------------------------------------------------------- shared model

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


def _check_real(value, name: str, low: float, high: float = math.inf) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not low <= value <= high or math.isnan(value):
        bounds = f"between {low} and {high}" if math.isfinite(high) else f">= {low}"
        raise InputError(f"{name} must be a number {bounds}, got {value!r}")
    return float(value)


def switch_probabilities(chrom, pos, ne: float, cm_per_mb: float, k: int) -> np.ndarray:
    """Probability of drawing a new template at each SNP, float64 (n_snps,).

    ``p[j] = 1 - exp(-4 * ne * r / k)`` with ``r = (pos[j] - pos[j-1]) *
    cm_per_mb / 1e8`` Morgans, for SNP ``j`` on the same chromosome as SNP
    ``j - 1``; ``p[j] = 1`` at the first SNP and at the first SNP of every
    other chromosome (the template is drawn uniformly there). ``k`` is the
    number of templates (donor or training haplotypes).

    >>> p = switch_probabilities(["1", "1", "2"], [0, 100_000, 5], ne=10_000, cm_per_mb=1.0, k=100)
    >>> p.round(4).tolist()        # 1 - exp(-4 * 1e4 * 1e-3 / 100) = 1 - exp(-0.4)
    [1.0, 0.3297, 1.0]
    """
    ne = _check_real(ne, "ne", 0.0)
    cm_per_mb = _check_real(cm_per_mb, "cm_per_mb", 0.0)
    k = check_count(k, "number of templates", 1)
    chrom, pos = check_genetic_map(chrom, pos)
    if not len(pos):
        return np.empty(0)
    morgans = np.diff(pos).astype(np.float64) * cm_per_mb / 1e8
    within = -np.expm1(-4.0 * ne * morgans / k)
    p = np.where(chrom[1:] == chrom[:-1], within, 1.0)
    return np.concatenate([[1.0], p])


def default_mutation_rate(k: int) -> float:
    """Li & Stephens' (2003) per-site mismatch probability for ``k`` templates:
    ``theta / (2 * (theta + k))`` with ``theta = 1 / sum_{i=1}^{k-1} 1/i``.

    Needs ``k >= 2`` (with one template the sum is empty); give an explicit
    mutation rate otherwise.

    >>> default_mutation_rate(2), default_mutation_rate(3)     # theta = 1, 2/3
    (0.16666666666666666, 0.09090909090909091)
    """
    k = check_count(k, "number of templates", 1)
    if k < 2:
        raise InputError("the default (Li & Stephens) mutation rate needs at least 2 template "
                         "haplotypes; give mutation_rate explicitly")
    theta = 1.0 / np.sum(1.0 / np.arange(1, k))
    return float(theta / (2.0 * (theta + k)))


# --------------------------------------------------------------------------- generator

class CopyingGenerator(Generator):
    """Li & Stephens copying model: artificial haplotypes as mosaics of the
    training haplotypes, with mutation (see the module docstring).

    Parameters
    ----------
    ne : float
        Effective population size in the switch probability
        ``1 - exp(-4 * ne * r / K)``; 11418 (HAPGEN2's CEU example) by
        default; 0 never switches within a chromosome.
    cm_per_mb : float
        Flat recombination rate (cM per Mb) turning bp distances into Morgans.
    mutation_rate : float or None
        Per-site probability of emitting the other allele than the
        template's; None: Li & Stephens' ``theta / (2 * (theta + K))`` for
        the ``K`` training haplotypes (:func:`default_mutation_rate`).

    Call :meth:`set_map` with the SNPs' chromosomes and positions before
    :meth:`fit`.
    """

    name = "copying"

    def __init__(self, ne: float = DEFAULT_NE, cm_per_mb: float = 1.0,
                 mutation_rate: float | None = None):
        self.ne = _check_real(ne, "ne", 0.0)
        self.cm_per_mb = _check_real(cm_per_mb, "cm_per_mb", 0.0)
        self.mutation_rate = (None if mutation_rate is None
                              else _check_real(mutation_rate, "mutation_rate", 0.0, 1.0))
        self.chrom: np.ndarray | None = None
        self.pos: np.ndarray | None = None
        self.templates: np.ndarray | None = None

    def set_map(self, chrom, pos) -> None:
        """The chromosome (str) and position (bp) of each SNP, in column order."""
        n_snps = None if self.templates is None else self.templates.shape[1]
        self.chrom, self.pos = check_genetic_map(chrom, pos, n_snps)

    def fit(self, alleles, *, seed=0, run=None):
        """Keep ``alleles`` (n_haplotypes, n_snps) as the templates; needs
        :meth:`set_map` first. ``seed`` and ``run`` are unused."""
        alleles = check_haplotype_matrix(alleles)
        if self.pos is None:
            raise InputError("the copying model needs a genetic map: call "
                             "set_map(chrom, pos) before fit")
        if len(self.pos) != alleles.shape[1]:
            raise InputError(f"the genetic map has {len(self.pos)} SNPs; the training matrix "
                             f"has {alleles.shape[1]}")
        if self.mutation_rate is None:
            default_mutation_rate(len(alleles))  # fail now, not at sampling
        self.templates = alleles.copy()
        return self

    def effective_mutation_rate(self) -> float:
        """The mismatch probability used: the setting, or Li & Stephens' default."""
        self._require_fitted()
        if self.mutation_rate is not None:
            return self.mutation_rate
        return default_mutation_rate(len(self.templates))

    def sample(self, n, seed):
        """``n`` haplotypes, uint8 (n, n_snps); the same seed gives the same ones."""
        return self._sample(n, seed, keep_path=False)[0]

    def sample_with_templates(self, n, seed) -> tuple[np.ndarray, np.ndarray]:
        """As :meth:`sample` (same seed, same haplotypes), plus the index of the
        training haplotype copied at each SNP, int32 (n, n_snps)."""
        return self._sample(n, seed, keep_path=True)

    def _sample(self, n, seed, keep_path):
        self._require_fitted()
        n = check_count(n, "n", 0)
        rng = np.random.default_rng(seed)
        k, n_snps = self.templates.shape
        by_snp = np.ascontiguousarray(self.templates.T)      # (n_snps, K): one row per SNP
        p_switch = switch_probabilities(self.chrom, self.pos, self.ne, self.cm_per_mb, k)
        mu = self.effective_mutation_rate()
        out = np.empty((n_snps, n), dtype=np.uint8)
        path = np.empty((n_snps, n), dtype=np.int32) if keep_path else None
        current = np.zeros(n, dtype=np.intp)
        for j in range(n_snps):
            switch = rng.random(n) < p_switch[j]
            current[switch] = rng.integers(0, k, size=int(switch.sum()))
            out[j] = by_snp[j, current]
            if mu > 0:
                out[j] ^= rng.random(n) < mu
            if keep_path:
                path[j] = current
        return (np.ascontiguousarray(out.T),
                np.ascontiguousarray(path.T) if keep_path else None)

    def _require_fitted(self):
        if self.templates is None:
            raise InputError("the copying model is not fitted: call set_map and fit first")

    def settings(self):
        return {"ne": self.ne, "cm_per_mb": self.cm_per_mb, "mutation_rate": self.mutation_rate}

    def state(self):
        return {"templates": self.templates, "chrom": self.chrom, "pos": self.pos}

    def set_state(self, state):
        self.templates = check_haplotype_matrix(state["templates"], "saved templates")
        self.chrom, self.pos = check_genetic_map(state["chrom"], state["pos"],
                                                 self.templates.shape[1])
