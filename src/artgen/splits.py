"""Seeded splits of the individuals into the roles the paper needs.

Every split is by individual (both haplotypes of a person go the same way,
or a "held-out" haplotype would have its twin in training) and stratified
by population:

- ``impute_target``: individuals of the target population held out for the
  imputation experiment, never seen by any model;
- ``sampling``: an independent set of real haplotypes never used in training,
  from which RBM chains can start (the paper's sampling set);
- ``test`` and ``train``: the rest, ``test_fraction`` of it for testing
  (paper: train:test = 3:1);
- ``validation``: a ``validation_fraction`` of the training individuals,
  held out of training, on which models trained in iterations choose their
  snapshot (fidelity and privacy scored on haplotypes never trained on, so
  that the choice cannot reward memorisation). The other splits do not move
  when it changes.

Independently of the roles, ``half`` (1 or 2) splits everyone in two halves,
the paper's "test" reference: one half plays the real data, the other a
perfectly generated data set.
"""

from __future__ import annotations

import zlib

import numpy as np
import pandas as pd

from artgen.errors import InputError
from artgen.haplotypes import Haplotypes
from artgen.io.atomic import atomic_output

ROLES = ("train", "validation", "test", "sampling", "impute_target")
HALVES = ("half1", "half2")
SPLIT_NAMES = ROLES + HALVES


def _rng(seed: int, pop: str, purpose: str) -> np.random.Generator:
    """A generator per population and purpose, so that adding a population or
    changing one split leaves the others as they were."""
    return np.random.default_rng([seed, zlib.crc32(pop.encode()), zlib.crc32(purpose.encode())])


def role_counts(n: int, *, n_impute_targets: int, sampling_fraction: float,
                test_fraction: float, validation_fraction: float = 0.0) -> dict[str, int]:
    """How many of ``n`` individuals of a population go to each role."""
    rest = n - n_impute_targets
    n_sampling = max(1, round(sampling_fraction * rest)) if sampling_fraction > 0 else 0
    rest -= n_sampling
    n_test = max(1, round(test_fraction * rest)) if test_fraction > 0 else 0
    rest -= n_test
    n_validation = max(1, round(validation_fraction * rest)) if validation_fraction > 0 else 0
    return {"impute_target": n_impute_targets, "sampling": n_sampling, "test": n_test,
            "validation": n_validation, "train": rest - n_validation}


def make_splits(panel: pd.DataFrame, *, seed: int, target_population: str,
                n_impute_targets: int, sampling_fraction: float,
                test_fraction: float, validation_fraction: float = 0.0) -> pd.DataFrame:
    """Assign each individual of ``panel`` (indexed by sample, with ``pop``
    and ``super_pop``) a role and a half.

    Returns a frame with columns ``sample pop super_pop role half`` in the
    panel's order.
    """
    if target_population not in set(panel["pop"]):
        raise InputError(f"splits: target population {target_population!r} has no individuals "
                         f"(populations: {', '.join(sorted(set(panel['pop'])))})")
    out = panel[["pop", "super_pop"]].copy()
    out["role"] = ""
    out["half"] = 0
    for pop in sorted(set(panel["pop"])):
        members = panel.index[panel["pop"] == pop]
        counts = role_counts(len(members),
                             n_impute_targets=n_impute_targets if pop == target_population else 0,
                             sampling_fraction=sampling_fraction, test_fraction=test_fraction,
                             validation_fraction=validation_fraction)
        if counts["train"] < 1 or len(members) < 2:
            need = {k: max(v, 1) for k, v in counts.items() if k != "train" and v}
            need["train"] = 1
            raise InputError(
                f"splits: population {pop} has {len(members)} individuals "
                f"({2 * len(members)} haplotypes); the splits need at least "
                f"{max(sum(need.values()), 2)} ("
                + ", ".join(f"{v} {k}" for k, v in need.items())
                + ", and one in each half)")
        order = _rng(seed, pop, "roles").permutation(members)
        start = 0
        # Validation comes out of the training share, after the others: the
        # first roles are the same with or without it.
        for role in ("impute_target", "sampling", "test", "validation", "train"):
            out.loc[order[start:start + counts[role]], "role"] = role
            start += counts[role]
        halves = _rng(seed, pop, "halves").permutation(members)
        out.loc[halves[: (len(members) + 1) // 2], "half"] = 1
        out.loc[halves[(len(members) + 1) // 2:], "half"] = 2
    return out.rename_axis("sample").reset_index()


def split_haplotypes(h: Haplotypes, splits: pd.DataFrame, name: str,
                     populations=None) -> Haplotypes:
    """The haplotypes of ``h`` whose individuals are in split ``name`` (a role,
    or ``half1``/``half2``), of ``populations`` only when given (a panel whose
    models learn one population, as the paper's Estonian panels)."""
    if name not in SPLIT_NAMES:
        raise ValueError(f"unknown split {name!r}; choose from {', '.join(SPLIT_NAMES)}")
    table = splits.set_index("sample")
    samples = h.samples
    absent = [str(s) for s in dict.fromkeys(samples) if s not in table.index]
    if absent:
        raise InputError(f"sample {absent[0]!r} of the panel has no split assigned")
    if name in HALVES:
        keep = table.loc[samples, "half"].to_numpy() == int(name[-1])
    else:
        keep = table.loc[samples, "role"].to_numpy() == name
    if populations:
        unknown = sorted(set(populations) - set(table["pop"]))
        if unknown:
            raise InputError(f"population {unknown[0]!r} is not in the splits "
                             f"(populations: {', '.join(sorted(set(table['pop'])))})")
        keep &= table.loc[samples, "pop"].isin(populations).to_numpy()
    return h.take_haplotypes(keep)


def read_splits(path) -> pd.DataFrame:
    """Read a splits table written by :func:`write_splits`."""
    frame = pd.read_csv(path, sep="\t", dtype={"sample": str, "pop": str, "super_pop": str,
                                               "role": str, "half": int})
    expected = ["sample", "pop", "super_pop", "role", "half"]
    if list(frame.columns) != expected:
        raise InputError(f"{path}: columns must be {' '.join(expected)}")
    return frame


def write_splits(splits: pd.DataFrame, path) -> None:
    """Write the splits table as TSV."""
    with atomic_output(path) as tmp:
        splits.to_csv(tmp, sep="\t", index=False)
