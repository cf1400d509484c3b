"""Haplotypes read as paths through the training haplotypes, and AGs
projected onto their paths: a diagnosis of how far AGs lie from real
local haplotypes, and of whether their per-site noise is what keeps them
far (``rbm_temperature.py --project``).

A path is the cheapest way to spell a haplotype by copying training
haplotypes (the *templates*) SNP by SNP: each SNP where the copied allele
differs costs 1 (a mismatch), each change of template costs
``switch_cost``. It is the Viterbi path of the Li & Stephens copying
model with a flat switch probability, in cost form.
"""

from __future__ import annotations

import numpy as np


def template_paths(alleles, train, switch_cost: float = 3.0, chunk: int = 50):
    """For each row of ``alleles``: the template at each SNP of its cheapest
    path (ndarray, int32, the shape of ``alleles``), its mismatches and its
    switches (ndarray each, one per row). Ties keep the current template,
    then take the lowest template index."""
    templates = np.asarray(train, dtype=np.int8)
    x = np.asarray(alleles, dtype=np.int8)
    n_rows, n_snps = x.shape
    paths = np.empty(x.shape, dtype=np.int32)
    for lo in range(0, n_rows, chunk):
        rows = x[lo:lo + chunk]
        here = np.arange(len(rows))
        cost = (rows[:, None, 0] != templates[None, :, 0]).astype(np.float32)
        jumped = np.zeros((n_snps, len(rows), len(templates)), dtype=bool)
        best = np.zeros((n_snps, len(rows)), dtype=np.int32)
        for snp in range(1, n_snps):
            best[snp] = cost.argmin(axis=1)
            jump = cost[here, best[snp]][:, None] + switch_cost
            jumped[snp] = jump < cost
            cost = np.where(jumped[snp], jump, cost) + (
                rows[:, None, snp] != templates[None, :, snp])
        state = cost.argmin(axis=1)
        for snp in range(n_snps - 1, -1, -1):
            paths[lo:lo + len(rows), snp] = state
            if snp:
                state = np.where(jumped[snp, here, state], best[snp], state)
    mismatches = (path_alleles(train, paths) != np.asarray(alleles)).sum(axis=1)
    switches = (np.diff(paths, axis=1) != 0).sum(axis=1)
    return paths, mismatches, switches


def path_alleles(train, paths) -> np.ndarray:
    """The allele of each SNP's template along ``paths``."""
    return np.asarray(train)[paths, np.arange(paths.shape[1])]


def projected(alleles, train, paths, keep: float, rng) -> np.ndarray:
    """``alleles`` with the allele of their path's template at each SNP,
    except at each mismatch, kept with probability ``keep``."""
    alleles = np.asarray(alleles)
    copied = path_alleles(train, paths)
    kept = (copied != alleles) & (rng.random(alleles.shape) < keep)
    return np.where(kept, alleles, copied).astype(alleles.dtype)


def keep_mismatches(alleles, train, paths, keep: int, rng) -> np.ndarray:
    """``alleles`` with the allele of their path's template at each SNP,
    except at ``keep`` of their mismatches (all of them where they have
    fewer), drawn at random: a row with a mismatch stays off its templates,
    so the projection makes no new copy of a training haplotype unless its
    path has no switch and no mismatch."""
    alleles = np.asarray(alleles)
    copied = path_alleles(train, paths)
    mismatched = copied != alleles
    # A random rank per mismatch; the ``keep`` lowest of each row are kept.
    ranks = np.where(mismatched, rng.random(alleles.shape), np.inf)
    kept = mismatched & (ranks.argsort(axis=1).argsort(axis=1) < keep)
    return np.where(kept, alleles, copied).astype(alleles.dtype)
