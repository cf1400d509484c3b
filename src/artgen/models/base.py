"""The interface every generator shares, and the registry of generators by
their short names (the names the metrics table uses)."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from typing import ClassVar

import numpy as np

from artgen.errors import InputError
from artgen.haplotypes import check_alleles
from artgen.io.binary import write_npz

_REGISTRY: dict[str, type[Generator]] = {}


def check_haplotype_matrix(alleles, name: str = "training matrix") -> np.ndarray:
    """A 2-D uint8 0/1 matrix (n_haplotypes, n_snps), or an InputError."""
    alleles = check_alleles(alleles, name)
    if 0 in alleles.shape:
        raise InputError(f"{name} must be a non-empty (n_haplotypes, n_snps) matrix, "
                         f"got shape {alleles.shape}")
    return alleles


class Generator(ABC):
    """A generative model of haplotypes.

    Subclasses set ``name``, take their settings as constructor keywords,
    learn state in :meth:`fit`, and list the arrays that make up that state
    in :meth:`state` / :meth:`from_state` so that :meth:`save` and
    :func:`load_generator` work for all of them.
    """

    name: ClassVar[str]

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "name" in cls.__dict__:  # abstract intermediate classes have no name
            _REGISTRY[cls.name] = cls

    @abstractmethod
    def fit(self, alleles: np.ndarray, *, seed: int = 0, run=None) -> Generator:
        """Learn from ``alleles`` (n_haplotypes, n_snps) of 0/1; return self.

        ``seed`` makes stochastic training reproducible; ``run``
        (:class:`artgen.models.training.TrainingRun`) names the checkpoint and
        history files of models trained for epochs. Closed-form models ignore both.
        """

    @abstractmethod
    def sample(self, n: int, seed: int) -> np.ndarray:
        """``n`` new haplotypes, uint8 (n, n_snps); the same seed gives the same ones."""

    @abstractmethod
    def settings(self) -> dict:
        """Constructor keywords (JSON-serialisable) that recreate this model unfitted."""

    @abstractmethod
    def state(self) -> dict[str, np.ndarray]:
        """The learned arrays."""

    @abstractmethod
    def set_state(self, state: dict[str, np.ndarray]) -> None:
        """Restore the learned arrays."""

    def use_threads(self, threads: int | None) -> None:
        """Train on at most ``threads`` CPU threads (None: all). Closed-form
        models have nothing to parallelise."""

    def save(self, path) -> None:
        """Save settings and learned state to ``path`` (``.npz``)."""
        meta = json.dumps({"model": self.name, "settings": self.settings()}, sort_keys=True)
        write_npz(path, {"meta": np.array(meta), **self.state()})


def make_generator(name: str, **settings) -> Generator:
    """A new, unfitted generator by its short name."""
    if name not in _REGISTRY:
        raise InputError(f"unknown model {name!r}; available: {', '.join(sorted(_REGISTRY))}")
    return _REGISTRY[name](**settings)


def load_generator(path) -> Generator:
    """Load a generator saved with :meth:`Generator.save`."""
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            state = {k: data[k] for k in data.files if k != "meta"}
    except (OSError, KeyError, ValueError) as exc:
        raise InputError(f"{path}: not a saved model ({exc})") from None
    model = make_generator(meta["model"], **meta["settings"])
    model.set_state(state)
    return model


def registered_models() -> list[str]:
    return sorted(_REGISTRY)
