"""The paper's floor: generators that keep only part of the structure.

- :class:`BernoulliGenerator`: every SNP independent, at its training
  frequency (keeps allele frequencies, loses LD and population structure),
  or at each population's own frequency (``conditional``: keeps structure).
- :class:`MarkovChainGenerator`: each allele drawn given the previous ``w``
  alleles of the same haplotype, P(h_p | h_{p-w} .. h_{p-1}), estimated from
  the training haplotypes' observed frequencies; the window grows from 0 at
  the first SNP to ``window`` (5 or 10 in the paper).
"""

from __future__ import annotations

import numpy as np

from artgen.errors import InputError
from artgen.checks import check_haplotype_matrix
from artgen.models.base import Generator, PopulationLabels


class BernoulliGenerator(PopulationLabels, Generator):
    """Independent sites at the training allele frequencies.

    With ``conditional``, at each population's own frequencies (labels from
    :meth:`set_populations`), AGs drawn in the training proportions: it keeps
    population structure, and the LD that structure alone makes in a pooled
    sample, but no LD within a population. It tells how much of a model's LD
    r on a structured panel the populations' frequencies explain.
    """

    name = "bernoulli"

    def __init__(self, conditional: bool = False):
        if not isinstance(conditional, (bool, np.bool_)):
            raise InputError(f"bernoulli: conditional must be true or false, got {conditional!r}")
        self.conditional = bool(conditional)
        self.frequencies: np.ndarray | None = None   # (n_populations or 1, n_snps)

    def fit(self, alleles, *, seed=0, run=None):
        alleles = check_haplotype_matrix(alleles)
        self._check_labels(len(alleles))
        self.frequencies, _ = self._population_frequencies(alleles)
        return self

    def sample(self, n, seed):
        rng = np.random.default_rng(seed)
        p = self.frequencies[self._codes(n)]
        return (rng.random(p.shape) < p).astype(np.uint8)

    def settings(self):
        return {"conditional": True} if self.conditional else {}

    def state(self):
        return {"frequencies": self.frequencies, **self._label_state()}

    def set_state(self, state):
        self.frequencies = np.atleast_2d(state["frequencies"])
        self._set_label_state(state)


class MarkovChainGenerator(Generator):
    """A Markov chain of order ``window`` along the SNPs.

    Contexts are coded as integers, most recent allele in bit 0, so
    ``ones[p, c]`` and ``totals[p, c]`` count the training haplotypes with
    context ``c`` before SNP ``p`` (and allele 1 at ``p``). A sampled chain
    only ever visits contexts seen in training: each new context is a suffix
    of a training haplotype's window that had a non-zero count.
    """

    name = "markov"

    def __init__(self, window: int = 5):
        if not 1 <= window <= 16:
            raise ValueError(f"window must be between 1 and 16, got {window}")
        self.window = window
        self.ones: np.ndarray | None = None
        self.totals: np.ndarray | None = None

    def _widths(self, n_snps):
        return np.minimum(np.arange(n_snps), self.window)

    def fit(self, alleles, *, seed=0, run=None):
        alleles = check_haplotype_matrix(alleles)
        n_hap, n_snps = alleles.shape
        size = 1 << self.window
        self.ones = np.zeros((n_snps, size), dtype=np.int32)
        self.totals = np.zeros((n_snps, size), dtype=np.int32)
        code = np.zeros(n_hap, dtype=np.int64)
        for p, width in enumerate(self._widths(n_snps)):
            code &= (1 << width) - 1
            self.totals[p] = np.bincount(code, minlength=size)
            self.ones[p] = np.bincount(code, weights=alleles[:, p], minlength=size)
            code = (code << 1) | alleles[:, p]
        return self

    def sample(self, n, seed):
        rng = np.random.default_rng(seed)
        n_snps = self.ones.shape[0]
        out = np.empty((n, n_snps), dtype=np.uint8)
        code = np.zeros(n, dtype=np.int64)
        uniform = rng.random((n, n_snps))
        for p, width in enumerate(self._widths(n_snps)):
            code &= (1 << width) - 1
            p_one = self.ones[p, code] / self.totals[p, code]
            out[:, p] = uniform[:, p] < p_one
            code = (code << 1) | out[:, p]
        return out

    def settings(self):
        return {"window": self.window}

    def state(self):
        return {"ones": self.ones, "totals": self.totals}

    def set_state(self, state):
        """Restore the count tables; an InputError unless both are integer
        counts of one shape (n_snps, 2 ** window), ``0 <= ones <= totals``
        (a table narrower than the window would fail only at a draw that
        reaches a context past its end)."""
        ones, totals = np.asarray(state["ones"]), np.asarray(state["totals"])
        shape = (len(ones) if ones.ndim else 0, 1 << self.window)
        if (ones.dtype.kind not in "iu" or totals.dtype.kind not in "iu" or ones.ndim != 2
                or not shape[0] or ones.shape != shape or totals.shape != shape):
            raise InputError(f"markov: count tables ones ({ones.dtype} {ones.shape}) and totals "
                             f"({totals.dtype} {totals.shape}) must be integer tables of one "
                             f"shape (n_snps, {shape[1]}): one column per context of window "
                             f"{self.window}")
        if (ones < 0).any() or (ones > totals).any():
            raise InputError("markov: count tables must hold 0 <= ones <= totals")
        self.ones, self.totals = ones, totals


class HeldOutReference(Generator):
    """The ceiling: real haplotypes never used in training, as if a perfect
    generator had drawn them. Fit it on the held-out split, not on train."""

    name = "test"

    def __init__(self):
        self.haplotypes: np.ndarray | None = None

    def fit(self, alleles, *, seed=0, run=None):
        self.haplotypes = check_haplotype_matrix(alleles, "held-out matrix")
        return self

    def sample(self, n, seed):
        available = len(self.haplotypes)
        if n > available:
            raise InputError(f"the held-out reference holds {available} haplotypes; cannot draw "
                             f"{n} (it gives real haplotypes, each at most once)")
        # Whole individuals stay together when all are drawn (the usual case).
        if n == available:
            return self.haplotypes.copy()
        return self.haplotypes[np.sort(np.random.default_rng(seed).choice(available, n, replace=False))]

    def settings(self):
        return {}

    def state(self):
        return {"haplotypes": self.haplotypes}

    def set_state(self, state):
        self.haplotypes = state["haplotypes"]
