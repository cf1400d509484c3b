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

:func:`switch_probabilities` and :func:`default_mutation_rate` live in
:mod:`artgen.hmm`, the forward-backward core this model shares with
chromosome painting (:mod:`artgen.stats.painting`) and the hidden-Markov
generator (:mod:`artgen.models.hmm`).

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

import numpy as np

from artgen.errors import InputError
from artgen.hmm import (DEFAULT_NE, check_genetic_map, check_real, default_mutation_rate,
                        switch_probabilities)
from artgen.checks import check_count, check_haplotype_matrix
from artgen.models.base import Generator

__all__ = ["DEFAULT_NE", "CopyingGenerator", "check_genetic_map", "default_mutation_rate",
           "switch_probabilities"]

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
        self.ne = check_real(ne, "ne", 0.0)
        self.cm_per_mb = check_real(cm_per_mb, "cm_per_mb", 0.0)
        self.mutation_rate = (None if mutation_rate is None
                              else check_real(mutation_rate, "mutation_rate", 0.0, 1.0))
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
