"""Named random streams derived from one seed.

A run takes one seed (``--seed``, the configuration's ``seed``); every
random step that must not share draws with another gets its own stream,
named for what it draws and keyed by what it repeats over (an epoch, a
window, a draw, a chromosome):

>>> child(7, "stitching/window", 5)
1002604896
>>> rng(7, "hmm/clusters", 4).integers(0, 10, 3)
array([5, 1, 9])

A stream is a :class:`numpy.random.SeedSequence` whose entropy is the seed,
then the keys, then the stream's tag: ``[seed, *keys, *tag]`` (a string key
counts as its CRC-32). :data:`STREAMS` lists every stream with the names of
its keys and its tag. The tags are the constants each module used before
this table existed, so that every output stays as it was; the streams
without a tag (:data:`UNTAGGED`) come from the same time and share the
layout ``[seed, key]``: for equal seeds and keys they hold the same
entropy. None of them draws for the same model as another, but a new
stream must take a tag of its own (a test checks that every tagged
stream differs from every other).

Seeds are non-negative integers (:func:`artgen.checks.check_seed`); a
stream may also hang off a sequence of them (a seed that is already a
list, as ``numpy.random.default_rng`` accepts).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np

from artgen.checks import check_seed
from artgen.errors import InputError

__all__ = ["STREAMS", "UNTAGGED", "child", "rng", "sequence"]

#: name -> (names of its keys, tag words appended after the keys).
STREAMS: dict[str, tuple[tuple[str, ...], tuple[int, ...]]] = {
    # The AGs a snapshot is scored on, and their subsamples.
    "training/snapshot": (("epoch",), (0x5A4,)),
    # A GAN's initial weights (Glorot-uniform).
    "gan/weights": ((), (0x6A4,)),
    # The seed of a GAN's stateless TensorFlow draws (batches, noise, latents).
    "gan/draws": ((), (0x6A5,)),
    # The individuals an HMM holds out to choose its number of clusters.
    "hmm/validation": ((), (0x7A1,)),
    # The haplotypes that seed an HMM's K clusters.
    "hmm/clusters": (("k",), (0x4D4D,)),
    # An RBM's epoch: its batches and Gibbs draws; epoch 0 the initial
    # weights and persistent chains.
    "rbm/epoch": (("epoch",), ()),
    # One simulated contig of the built-in cohort, keyed by its chromosome name.
    "cohort/contig": (("chrom",), ()),
    # The AGs of one window of a stitched chromosome.
    "stitching/window": (("window",), ()),
    # AG draw ``draw`` (>= 1) from one fitted model.
    "sample/draw": (("draw",), ()),
    # The triplets of one gap of the 3-point correlations (0: the random gap).
    "correlations/gap": (("gap",), ()),
    # Halving ``halving`` (>= 1) of the held-out set in the held-out comparison
    # (halving 0 is the seed's own).
    "evaluate/halving": (("halving",), (0x4A1F,)),
}

#: Streams laid out ``[seed, key]`` with no tag (see the module docstring).
UNTAGGED = frozenset(name for name, (_, tag) in STREAMS.items() if not tag)


def sequence(seed: int | Sequence[int], name: str, *keys: int | str) -> np.random.SeedSequence:
    """The SeedSequence of stream ``name`` of ``seed`` at ``keys``.

    Parameters
    ----------
    seed : int >= 0, or sequence of int >= 0
    name : str
        A key of :data:`STREAMS`.
    *keys : int >= 0 or str
        One per key the stream names (a string counts as its CRC-32).

    Returns
    -------
    numpy.random.SeedSequence
        With entropy ``[*seed, *keys, *tag]``.
    """
    if name not in STREAMS:
        raise InputError(f"unknown random stream {name!r}; known: {', '.join(sorted(STREAMS))}")
    key_names, tag = STREAMS[name]
    if len(keys) != len(key_names):
        raise InputError(f"random stream {name!r} takes the keys ({', '.join(key_names)}), "
                         f"got {len(keys)} key(s)")
    root = [check_seed(s) for s in seed] if _is_sequence(seed) else [check_seed(seed)]
    words = [zlib.crc32(k.encode()) if isinstance(k, str) else _key(k, name) for k in keys]
    return np.random.SeedSequence([*root, *words, *tag])


def child(seed: int | Sequence[int], name: str, *keys: int | str) -> int:
    """The seed (an int below 2**32) of stream ``name`` of ``seed`` at
    ``keys``: the first 32-bit word of :func:`sequence`."""
    return int(sequence(seed, name, *keys).generate_state(1)[0])


def rng(seed: int | Sequence[int], name: str, *keys: int | str) -> np.random.Generator:
    """A NumPy Generator drawing stream ``name`` of ``seed`` at ``keys``."""
    return np.random.default_rng(sequence(seed, name, *keys))


def _is_sequence(seed) -> bool:
    return isinstance(seed, Sequence) and not isinstance(seed, (str, bytes))


def _key(value, name: str) -> int:
    """A stream key as an int, or an InputError naming the stream."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise InputError(f"random stream {name!r}: keys must be non-negative integers or "
                         f"strings, got {value!r}")
    return int(value)
