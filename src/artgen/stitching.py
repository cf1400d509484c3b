"""Stitching: one artificial haplotype across all windows of a chromosome.

The generators of the windows (:mod:`artgen.windows`) were fitted
separately; each AG is built window by window, left to right. Window ``w``
shares its first ``overlap`` SNPs with window ``w - 1``, whose alleles there
are already written. Two ways to go on:

* **continuation**, for a model that can sample given the first SNPs of a
  window (``sample_continuing``; the hidden-Markov generator does it
  exactly): the window's AG is drawn conditioned on the AG's own alleles in
  the overlap;
* **matching**, for every other model: the window's AGs are drawn on their
  own, then assigned to the AGs so far by a minimum-cost matching over the
  overlap's Hamming distance (the Hungarian algorithm, within each
  population of a conditional model). Every chunk goes to exactly one AG.

Either way the overlap is written once (by the earlier window) and each
window adds its own SNPs, from its seam on.
"""

from __future__ import annotations

import logging

import numpy as np
from scipy.optimize import linear_sum_assignment

from artgen import seeds
from artgen.errors import InputError
from artgen.windows import Window

log = logging.getLogger("artgen")


def overlap_costs(previous: np.ndarray, chunks: np.ndarray) -> np.ndarray:
    """Hamming distances (n_previous, n_chunks) between the rows of two 0/1
    matrices over the same SNPs."""
    a = np.asarray(previous, dtype=np.float32)
    b = np.asarray(chunks, dtype=np.float32)
    # exact in float32: every entry is an integer count below 2**24
    same = a @ b.T + (1.0 - a) @ (1.0 - b).T
    return a.shape[1] - same


def match_chunks(previous: np.ndarray, chunks: np.ndarray, previous_groups=None,
                 chunk_groups=None) -> np.ndarray:
    """The chunk assigned to each AG: ``order`` (n,) such that
    ``chunks[order[i]]`` continues ``previous[i]``, a permutation minimising
    the summed Hamming distance between ``previous`` (n, o) and ``chunks``
    (n, o) over the overlap. With groups (population labels of the AGs and
    of the chunks), AGs are matched within their own group only.

    >>> previous = np.array([[0, 0, 1], [1, 1, 0]], dtype=np.uint8)
    >>> chunks = np.array([[1, 1, 1], [0, 0, 1]], dtype=np.uint8)
    >>> match_chunks(previous, chunks).tolist()
    [1, 0]
    """
    previous, chunks = np.asarray(previous), np.asarray(chunks)
    if previous.shape != chunks.shape or previous.ndim != 2:
        raise InputError(f"overlaps to match must have one shape, got {previous.shape} "
                         f"and {chunks.shape}")
    n = len(previous)
    if previous_groups is None or chunk_groups is None:
        previous_groups = chunk_groups = np.zeros(n, dtype=np.int64)
    previous_groups, chunk_groups = np.asarray(previous_groups), np.asarray(chunk_groups)
    order = np.full(n, -1, dtype=np.int64)
    for group in np.unique(previous_groups):
        rows = np.flatnonzero(previous_groups == group)
        candidates = np.flatnonzero(chunk_groups == group)
        if len(rows) != len(candidates):
            raise InputError(f"population {group}: {len(rows)} AGs but {len(candidates)} "
                             f"chunks to continue them")
        _, assigned = linear_sum_assignment(overlap_costs(previous[rows], chunks[candidates]))
        order[rows] = candidates[assigned]
    if (order < 0).any() or len(set(order.tolist())) != n:
        raise InputError("the chunks' populations do not cover the AGs' populations")
    return order


def window_seed(seed: int, window: int) -> int:
    """The sampling seed of one window, derived from the run's seed."""
    return seeds.child(seed, "stitching/window", window)


def can_continue(model) -> bool:
    """Whether ``model`` samples a window given its first SNPs."""
    return callable(getattr(model, "sample_continuing", None))


def stitch(models: list, windows: list[Window], n: int, seed: int,
           labels=None) -> tuple[np.ndarray, np.ndarray | None]:
    """``n`` AGs across all windows: ``(alleles, populations)``, alleles
    (n, n_snps) uint8 and the population label of each AG (None unless the
    models are conditional). ``models[w]`` is the fitted generator of
    ``windows[w]``; ``labels`` names the windows in errors."""
    if len(models) != len(windows) or not windows:
        raise InputError(f"{len(models)} window models for {len(windows)} windows")
    labels = labels or [f"window {w.index}" for w in windows]
    n_snps = windows[-1].stop
    out = np.empty((n, n_snps), dtype=np.uint8)
    populations = _populations(models[0], n)
    for model, window, label in zip(models, windows, labels):
        overlap = out[:, window.start:window.seam]
        if window.overlap and can_continue(model):
            chunk = model.sample_continuing(overlap, window_seed(seed, window.index),
                                            populations=populations)
            how = "continued"
        else:
            chunk = model.sample(n, seed=window_seed(seed, window.index))
            how = "drawn"
            if window.overlap:
                order = match_chunks(overlap, chunk[:, :window.overlap], populations,
                                     _populations(model, n))
                chunk = chunk[order]
                how = "matched"
        if chunk.shape != (n, window.n_snps):
            raise InputError(f"{label}: its model gives {chunk.shape[1]} SNPs, the window "
                             f"holds {window.n_snps}")
        out[:, window.seam:window.stop] = chunk[:, window.overlap:]
        mismatch = np.mean(out[:, window.start:window.seam] != chunk[:, :window.overlap]) \
            if window.overlap else 0.0
        log.info("%s (SNPs %d-%d): %s; overlap disagreement %.4f", label, window.start,
                 window.stop - 1, how, mismatch)
    return out, populations


def _populations(model, n: int):
    labels = model.sample_populations(n) if hasattr(model, "sample_populations") else None
    return None if labels is None else np.asarray(labels).astype(str)
