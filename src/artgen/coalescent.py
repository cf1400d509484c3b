"""The coalescent baseline: haplotypes simulated under a published
demographic model, compared with real data where a comparison means something.

Yelmen et al. (2021, Supplementary Figures 18-19) simulated 2,000 CEU
haplotypes of chr15 with stdpopsim (HomSap, ``OutOfAfrica_3G09``, Gutenkunst
et al. 2009) and took the region of the real panel. A coalescent simulation
does not reproduce the real SNPs: its mutations fall at other positions,
with other alleles. So SNP-by-SNP statistics (allele-frequency r, LD pairs,
AATS, pairwise distances) cannot be computed; what can be compared is

* the site frequency spectrum, after removing alleles below frequency 0.1
  from both sets (as the paper did: real panels are ascertained, so their
  low-frequency end cannot match an unascertained simulation);
* LD decay (mean r^2 per distance bin), on the same filtered sets;
* a joint PCA of real haplotypes and simulated haplotypes restricted to
  "matched" simulated SNPs (one per real SNP, close in position and
  frequency: :func:`matched_sites`). The paper's point: the two sets sit in
  different planes, because the simulated columns do not carry the real
  columns' haplotype structure. Even a second simulation from the same model
  separates from the first this way; only a set sharing the real SNPs can
  overlap it.

Recombination is flat along the contig, at the chromosome's mean rate
(:func:`artgen.cohort.simulate_contig`; genetic maps cannot be fetched
offline), where the paper used the HapMapII map.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from artgen.checks import check_count, pearson
from artgen.cohort import SUPER_POPULATIONS, sample_names, simulate_contig
from artgen.errors import InputError
from artgen.haplotypes import Haplotypes, haplotype_ids

__all__ = ["simulate_region", "frequency_filter", "matched_sites", "compare"]

#: Sample-name prefix of simulated individuals (``COAL0001_A``, ``COAL0001_B``, ...).
ID_PREFIX = "COAL"
#: Dataset names in the comparison tables.
REAL, COALESCENT = "real", "coalescent"


def _check_min_freq(min_freq) -> float:
    try:
        value = float(min_freq)
    except (TypeError, ValueError):
        raise InputError(f"min_freq must be a number in [0, 0.5], got {min_freq!r}") from None
    if not 0.0 <= value <= 0.5:
        raise InputError(f"min_freq must be in [0, 0.5], got {min_freq!r}")
    return value


def _minor_allele_frequencies(h: Haplotypes) -> np.ndarray:
    """min(p, 1 - p) per SNP, computed from integer counts (exact at 0.1 etc.)."""
    counts = h.alleles.sum(axis=0, dtype=np.int64)
    return np.minimum(counts, h.n_haplotypes - counts) / h.n_haplotypes


def simulate_region(*, chrom: str, left: int, length: int, n_haplotypes: int,
                    population: str = "CEU", model: str = "OutOfAfrica_3G09",
                    seed: int) -> Haplotypes:
    """Simulate ``n_haplotypes`` haplotypes of one population for a region.

    stdpopsim (HomSap, ``model``) through :func:`artgen.cohort.simulate_contig`,
    with ``n_haplotypes // 2`` diploid individuals of ``population`` and a
    flat recombination map at the chromosome's mean rate.

    Parameters
    ----------
    chrom : str
        Human chromosome the region is on (``"15"``).
    left, length : int
        The region ``[left, left + length)`` in that chromosome's
        coordinates (``left >= 1``).
    n_haplotypes : int
        Even, >= 2: the haplotypes of ``n_haplotypes // 2`` individuals.
    population, model : str
        A population of the stdpopsim HomSap model ``model``.
    seed : int
        Simulation seed (the contig's own seed is derived from it and
        ``chrom``, as for the built-in cohort).

    Returns
    -------
    Haplotypes
        Biallelic sites only (sites with more than one derived allele, from
        recurrent mutation, are dropped); REF = ancestral allele, ALT =
        derived allele. Positions are the sites' integer positions, which
        the project's VCFs use as 1-based POS (as the simulated cohort's
        VCFs do), sorted, all in ``[left, left + length)``. Haplotype ids
        ``COAL0001_A``, ``COAL0001_B``, ...; ``pops`` = ``population``.

    Examples
    --------
    >>> h = simulate_region(chrom="15", left=20_000_000, length=50_000,
    ...                     n_haplotypes=10, seed=1)       # doctest: +SKIP
    >>> h.ids[:2].tolist(), h.pops[0]                      # doctest: +SKIP
    (['COAL0001_A', 'COAL0001_B'], 'CEU')
    """
    n_haplotypes = check_count(n_haplotypes, "n_haplotypes", 2)
    if n_haplotypes % 2:
        raise InputError(f"n_haplotypes must be even (two per simulated individual), "
                         f"got {n_haplotypes}")
    left = check_count(left, "left", 1)
    length = check_count(length, "length", 1)
    seed = check_count(seed, "seed", 0)
    ts = simulate_contig(chrom=str(chrom), left=left, length=length,
                         samples={population: n_haplotypes // 2}, seed=seed, model=model)
    genotypes = ts.genotype_matrix()                    # (n_sites, n_samples), allele indices
    alleles = [(site.ancestral_state,
                *dict.fromkeys(m.derived_state for m in site.mutations
                               if m.derived_state != site.ancestral_state))
               for site in ts.sites()]
    keep = np.array([len(a) == 2 for a in alleles], dtype=bool)
    if not keep.any():
        raise InputError(f"no biallelic SNP in the simulated region chr{chrom}:{left}-"
                         f"{left + length - 1}; simulate a longer region")
    # tskit's allele order is the ancestral state, then derived states in mutation
    # order; a back mutation to the ancestral state adds no allele.
    kept = [a for a, k in zip(alleles, keep) if k]
    samples = sample_names({ID_PREFIX: n_haplotypes // 2})
    return Haplotypes.build(
        genotypes[keep].T,
        chrom=np.full(len(kept), str(chrom)),
        pos=ts.tables.sites.position[keep].astype(np.int64),
        ref=[a[0] for a in kept], alt=[a[1] for a in kept],
        ids=haplotype_ids(samples),
        pops=np.full(n_haplotypes, population),
        super_pops=np.full(n_haplotypes, SUPER_POPULATIONS.get(population, population)),
    )


def frequency_filter(h: Haplotypes, min_freq: float = 0.1) -> Haplotypes:
    """Keep the SNPs whose minor-allele frequency is at least ``min_freq``.

    The paper removed "alleles below 0.1 frequency from all datasets" before
    comparing SFS and LD decay with the coalescent simulation: a SNP is kept
    when ``min_freq <= p <= 1 - min_freq``, p its ALT frequency (computed
    from integer counts, so p = 0.1 exactly is kept). Monomorphic SNPs go
    whenever ``min_freq > 0``.

    Examples
    --------
    >>> h = Haplotypes.build([[0, 1, 1], [0, 0, 1], [0, 0, 1], [1, 0, 1]],
    ...                      chrom=["1"] * 3, pos=[1, 2, 3], ref=["A"] * 3,
    ...                      alt=["G"] * 3, ids=["a", "b", "c", "d"])
    >>> frequency_filter(h, 0.25).pos.tolist()   # p = 0.25, 0.25, 1 (fixed)
    [1, 2]
    """
    min_freq = _check_min_freq(min_freq)
    return h.take_snps(_minor_allele_frequencies(h) >= min_freq)


class _NextFree:
    """Nearest unused index at or beyond ``i`` in one direction (union-find
    with path halving); index ``size`` (or -1) means none is left."""

    def __init__(self, size: int, step: int):
        self.step = step
        self.parent = list(range(-1, size + 1))        # entry j + 1 stands for index j

    def find(self, i: int) -> int:
        parent = self.parent
        while parent[i + 1] != i:
            parent[i + 1] = parent[parent[i + 1] + 1]
            i = parent[i + 1]
        return i

    def use(self, i: int) -> None:
        self.parent[i + 1] = i + self.step


def matched_sites(real: Haplotypes, sim: Haplotypes, *, seed: int, window: int = 20) -> np.ndarray:
    """One distinct simulated SNP per real SNP, close in position and frequency.

    Gives the simulated set the real panel's frequency and position profile,
    so that real and simulated haplotypes can share one PCA.

    The rule, greedy in real position order: for each real SNP, take the
    ``window`` unused simulated SNPs nearest to it in position (merging
    outwards from its position; at a distance tie the one on the left
    comes first); among these pick the one whose minor-allele frequency is
    closest to the real SNP's, then the nearest in position, then at random
    (``seed``; exact ties only). Minor-allele frequencies are matched
    because a 0/1 recoding of a column leaves a PCA unchanged, and a real
    panel's ALT allele is not always the derived one.

    A close frequency match needs more simulated SNPs than real ones in each
    frequency class near each position. Common SNPs are the scarce ones (more
    simulated haplotypes add rare sites only), so when a real panel holds
    nearly every common SNP of its region, some real SNPs get a simulated
    SNP of another frequency: check the matched frequencies when it matters.

    Parameters
    ----------
    real, sim : Haplotypes
        ``sim`` has at least as many SNPs as ``real`` and should cover the
        same region (positions are compared as they are).
    seed : int
        Breaks exact ties.
    window : int, default 20
        Candidates per real SNP: larger matches frequencies more closely
        and positions less.

    Returns
    -------
    ndarray, int64, shape (real.n_snps,)
        Distinct indices into ``sim``'s SNPs, entry k for real SNP k.

    Examples
    --------
    >>> real = Haplotypes.build([[1, 1], [1, 0], [0, 0], [0, 0]], chrom=["1", "1"],
    ...                         pos=[10, 20], ref=["A", "A"], alt=["G", "G"],
    ...                         ids=list("abcd"))
    >>> sim = Haplotypes.build([[1, 1, 0], [0, 1, 0], [0, 0, 0], [0, 0, 1]],
    ...                        chrom=["1"] * 3, pos=[11, 12, 19], ref=["A"] * 3,
    ...                        alt=["G"] * 3, ids=list("wxyz"))
    >>> # real MAF 0.5 (pos 10), 0.25 (pos 20); sim MAF 0.25, 0.5, 0.25 at 11, 12, 19
    >>> matched_sites(real, sim, seed=0, window=2).tolist()
    [1, 2]
    """
    seed = check_count(seed, "seed", 0)
    window = check_count(window, "window", 1)
    if sim.n_snps < real.n_snps:
        raise InputError(f"sim has {sim.n_snps} SNPs, fewer than the {real.n_snps} real SNPs "
                         "to match; simulate a longer region or more haplotypes")
    rng = np.random.default_rng(seed)
    sim_order = np.argsort(sim.pos, kind="stable")
    sim_pos = sim.pos[sim_order]
    sim_maf = _minor_allele_frequencies(sim)[sim_order]
    real_maf = _minor_allele_frequencies(real)
    right = _NextFree(sim.n_snps, +1)
    left = _NextFree(sim.n_snps, -1)
    out = np.empty(real.n_snps, dtype=np.int64)
    n = sim.n_snps
    for k in np.argsort(real.pos, kind="stable"):
        p = int(real.pos[k])
        start = int(np.searchsorted(sim_pos, p, side="left"))
        lo, hi = left.find(start - 1), right.find(start)
        candidates = []
        while len(candidates) < window and (lo >= 0 or hi < n):
            if hi >= n or (lo >= 0 and p - sim_pos[lo] <= sim_pos[hi] - p):
                candidates.append(lo)
                lo = left.find(lo - 1)
            else:
                candidates.append(hi)
                hi = right.find(hi + 1)
        cand = np.array(candidates, dtype=np.int64)
        keys = np.lexsort((rng.random(cand.size), np.abs(sim_pos[cand] - p),
                           np.abs(sim_maf[cand] - real_maf[k])))
        best = int(cand[keys[0]])
        right.use(best)
        left.use(best)
        out[k] = sim_order[best]
    return out


def _single_chromosome(h: Haplotypes, name: str) -> str:
    chroms = np.unique(h.chrom)
    if chroms.size != 1:
        raise InputError(f"{name} must be on one chromosome, got {', '.join(chroms)}")
    return str(chroms[0]).removeprefix("chr")


def compare(real: Haplotypes, sim: Haplotypes, *, min_freq: float = 0.1, n_bins: int = 50,
            sfs_bins: int = 10, window: int = 20,
            seed: int) -> tuple[dict, dict[str, pd.DataFrame]]:
    """Compare real haplotypes with a coalescent simulation of their region.

    Only the simulated SNPs inside the real panel's span
    ``[min(real.pos), max(real.pos)]`` are used, so that both sets cover the
    same distances.

    Metrics
    -------
    coal_sfs_distance
        Total-variation distance (half the L1 distance, in [0, 1]) between
        the folded SFS proportions (``sfs_bins`` minor-allele-frequency bins
        over (0, 0.5]) of real and simulated data, both AFTER
        :func:`frequency_filter` at ``min_freq``: real panels are
        ascertained (chosen by MAF, or to overlap another panel), so their
        rare end differs from an unascertained simulation whatever the
        model; the paper filtered at 0.1 for this reason.
    coal_ld_decay_r
        Pearson r between real and simulated mean r^2 per distance bin
        (:func:`artgen.stats.ld.ld_decay`, ``n_bins`` bins), both after the
        filter. Each set is binned on its own SNPs (it has its own
        positions); the two spans are the real panel's span up to the gaps
        at its ends, so bin k covers nearly the same distances in both.
        Bins empty in either set are left out.
    coal_pca_w2d
        Exact 2-D Wasserstein distance (squared Euclidean cost normalised by
        its maximum) between real and simulated haplotypes on PCs 1-2 of one
        PCA of real and the :func:`matched_sites` columns of the simulation
        (all SNPs, no frequency filter: the matching reproduces the real
        frequency profile). Large even for a second simulation from the same
        model: the columns are different mutations on different genealogies.

    Parameters
    ----------
    real, sim : Haplotypes
        Each on one chromosome, the same one (a ``chr`` prefix is ignored).
    min_freq : float, default 0.1
        Minor-allele frequency filter of the SFS and LD-decay comparisons.
    n_bins : int, default 50
        LD-decay distance bins (the paper's 50).
    sfs_bins : int, default 10
        Folded SFS bins (width 0.05).
    window : int, default 20
        Candidates per real SNP in :func:`matched_sites`.
    seed : int
        Seed of the site matching's tie-breaks and of the PCA solver.

    Returns
    -------
    metrics : dict
        ``coal_sfs_distance``, ``coal_ld_decay_r``, ``coal_pca_w2d`` (floats;
        nan where a set has too few SNPs left).
    tables : dict of str -> pandas.DataFrame
        ``sfs`` (:func:`~artgen.stats.frequencies.sfs_proportions`, folded,
        after the filter), ``ld_decay`` (:func:`~artgen.stats.ld.ld_decay`,
        after the filter) and ``pca`` (``dataset index PC1 PC2``); each has
        a ``dataset`` column, ``real`` or ``coalescent``.
    """
    from artgen.stats.frequencies import sfs_proportions
    from artgen.stats.ld import ld_decay
    from artgen.stats.pca import pca
    from artgen.stats.wasserstein import wasserstein_2d

    seed = check_count(seed, "seed", 0)
    min_freq = _check_min_freq(min_freq)
    if real.n_snps < 2 or real.n_haplotypes < 2:
        raise InputError(f"real needs at least 2 SNPs and 2 haplotypes, got "
                         f"{real.n_haplotypes} x {real.n_snps}")
    real_chrom, sim_chrom = _single_chromosome(real, "real"), _single_chromosome(sim, "sim")
    if real_chrom != sim_chrom:
        raise InputError(f"real is on chromosome {real_chrom}, sim on {sim_chrom}")
    lo, hi = int(real.pos.min()), int(real.pos.max())
    sim = sim.take_snps((sim.pos >= lo) & (sim.pos <= hi))
    if sim.n_snps < real.n_snps:
        raise InputError(f"sim has {sim.n_snps} SNPs in the real panel's span "
                         f"{real_chrom}:{lo}-{hi}, fewer than its {real.n_snps} SNPs; "
                         "simulate that region, longer or with more haplotypes")

    real_f, sim_f = frequency_filter(real, min_freq), frequency_filter(sim, min_freq)
    sfs = {}
    for name, h in ((REAL, real_f), (COALESCENT, sim_f)):
        # sfs_proportions needs one column; an empty set has no spectrum (nan).
        alleles = h.alleles if h.n_snps else np.zeros((h.n_haplotypes, 1), dtype=np.uint8)
        sfs[name] = sfs_proportions(alleles, n_bins=sfs_bins, folded=True)
    # nan when either set has no SNP left
    sfs_distance = 0.5 * float(np.abs(sfs[REAL]["proportion"].to_numpy()
                                      - sfs[COALESCENT]["proportion"].to_numpy()).sum())

    decay = pd.concat([ld_decay({name: h.alleles}, h.pos, n_bins=n_bins)
                       if h.n_snps else _empty_decay(name, n_bins)
                       for name, h in ((REAL, real_f), (COALESCENT, sim_f))], ignore_index=True)
    r2 = {name: decay.loc[decay["dataset"] == name, "mean_r2"].to_numpy()
          for name in (REAL, COALESCENT)}
    both = np.isfinite(r2[REAL]) & np.isfinite(r2[COALESCENT])
    ld_r = pearson(r2[REAL][both], r2[COALESCENT][both]) if both.sum() >= 2 else float("nan")

    matched = sim.take_snps(matched_sites(real, sim, seed=seed, window=window))
    joint = pca({REAL: real.alleles, COALESCENT: matched.alleles}, n_components=2, seed=seed)
    w2d = wasserstein_2d(joint.coords[REAL], joint.coords[COALESCENT], exact=True)

    metrics = {"coal_sfs_distance": sfs_distance, "coal_ld_decay_r": ld_r,
               "coal_pca_w2d": float(w2d)}
    tables = {
        "sfs": pd.concat([frame.assign(dataset=name) for name, frame in sfs.items()],
                         ignore_index=True),
        "ld_decay": decay,
        "pca": joint.to_frame().astype({"dataset": str}),
    }
    return metrics, tables


def _empty_decay(name: str, n_bins: int) -> pd.DataFrame:
    """The ld_decay table of a set with no SNP left: every bin empty."""
    from artgen.stats.ld import ld_decay

    return ld_decay({name: np.zeros((1, 1), dtype=np.uint8)}, np.zeros(1, dtype=np.int64),
                    n_bins=n_bins)
