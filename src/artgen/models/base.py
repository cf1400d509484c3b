"""The interface every generator shares, and the registry of generators by
their short names (the names the metrics table uses)."""

from __future__ import annotations

import copy
import json
from abc import ABC, abstractmethod
from typing import ClassVar

import numpy as np

from artgen import provenance
from artgen.errors import InputError
from artgen.io.atomic import all_or_nothing
from artgen.io.binary import one_line, read_npz, write_npz

_REGISTRY: dict[str, type[Generator]] = {}


class Generator(ABC):
    """A generative model of haplotypes.

    Subclasses set ``name``, take their settings as constructor keywords,
    learn state in :meth:`fit`, and list the arrays that make up that state
    in :meth:`state` / :meth:`from_state` so that :meth:`save` and
    :func:`load_generator` work for all of them.
    """

    name: ClassVar[str]
    #: Trained in iterations with a resumable checkpoint and a history table
    #: (the pipeline's ``train_network`` rule), not in closed form.
    iterative: ClassVar[bool] = False

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

    def save(self, path, record: dict | None = None) -> None:
        """Save settings and learned state to ``path`` (``.npz``), with its
        provenance record beside it (:mod:`artgen.provenance`): the model's
        name and settings, and ``record`` (the seed, the training data's
        digest and the command, as :func:`artgen.provenance.training` gives
        them; absent fields are recorded as null)."""
        meta = json.dumps({"model": self.name, "settings": self.settings()}, sort_keys=True)
        fields = {"command": None, "arguments": None, "seed": None, "training_data": None,
                  **(record or {}), "model": self.name, "settings": self.settings()}
        with all_or_nothing(path, companions=(provenance.SUFFIX,)):
            write_npz(path, {"meta": np.array(meta), **self.state()})
            provenance.write(path, fields)


class PopulationLabels:
    """Population labels for a generator that draws AGs population by
    population (its ``conditional`` setting): give the training rows' labels
    with :meth:`set_populations` before ``fit``; AGs then come in the
    training set's proportions, each labelled (:meth:`sample_populations`)."""

    conditional: bool = False
    #: Population names (sorted) and their training counts.
    populations: np.ndarray | None = None
    population_counts: np.ndarray | None = None
    #: Population code (index into ``populations``) of each training row.
    _row_codes: np.ndarray | None = None

    def set_populations(self, labels) -> None:
        """Population label of each training row."""
        labels = np.asarray(labels).astype(str)
        if labels.ndim != 1 or not len(labels):
            raise InputError(f"{self.name}: population labels must be a non-empty list, "
                             f"one per row")
        self.populations, codes, counts = np.unique(labels, return_inverse=True,
                                                    return_counts=True)
        self._row_codes = codes.astype(np.int32)
        self.population_counts = counts.astype(np.int64)

    def _check_labels(self, n_rows: int) -> None:
        """An InputError unless a conditional model has one label per training row."""
        if self.conditional and (self._row_codes is None or len(self._row_codes) != n_rows):
            raise InputError(f"{self.name}: conditional training needs one population label "
                             f"per training row (set_populations); got "
                             f"{0 if self._row_codes is None else len(self._row_codes)} labels "
                             f"for {n_rows} rows")

    def _population_frequencies(self, alleles: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Allele frequencies of the training rows of each population, shape
        (n_populations, n_snps), and the rows counted (one group of all rows
        unless conditional)."""
        codes = self._row_codes if self.conditional else np.zeros(len(alleles), dtype=np.int64)
        groups = [alleles[codes == code] for code in range(codes.max() + 1)]
        return (np.stack([rows.mean(axis=0) for rows in groups]),
                np.array([len(rows) for rows in groups]))

    def _label_state(self) -> dict[str, np.ndarray]:
        """The arrays that :meth:`sample_populations` needs (none unless conditional)."""
        if not self.conditional:
            return {}
        return {"populations": self.populations, "population_counts": self.population_counts}

    def _set_label_state(self, state: dict[str, np.ndarray]) -> None:
        """Restore what :meth:`_label_state` gave; an InputError unless the
        names are sorted and distinct (as :meth:`set_populations` leaves
        them) with one count of 1 or more each."""
        if not self.conditional:
            return
        populations = np.asarray(state["populations"])
        counts = np.asarray(state["population_counts"])
        if (populations.dtype.kind != "U" or populations.ndim != 1 or not len(populations)
                or counts.dtype.kind not in "iu" or counts.shape != populations.shape):
            raise InputError(f"{self.name}: population names ({populations.dtype} "
                             f"{populations.shape}) and counts ({counts.dtype} {counts.shape}) "
                             f"must be one name and one integer count per population")
        if (populations[1:] <= populations[:-1]).any() or (counts < 1).any():
            raise InputError(f"{self.name}: population names must be sorted and distinct, "
                             f"and every count 1 or more")
        self.populations = populations
        self.population_counts = counts.astype(np.int64)

    def population_sizes(self, n: int) -> np.ndarray:
        """How many of ``n`` AGs each population gets: its training share of
        ``n``, rounded by largest remainder so they add up to ``n``."""
        exact = n * self.population_counts / self.population_counts.sum()
        sizes = np.floor(exact).astype(np.int64)
        rest = np.argsort(-(exact - sizes), kind="stable")[:n - sizes.sum()]
        sizes[rest] += 1
        return sizes

    def sample_populations(self, n: int) -> np.ndarray | None:
        """The population label of each of ``sample``'s ``n`` AGs (None
        unless conditional)."""
        if not self.conditional:
            return None
        return np.repeat(self.populations, self.population_sizes(n))

    def _codes(self, n: int) -> np.ndarray:
        """Population code of each of ``n`` AGs, in :meth:`sample_populations`'
        order (all 0 unless conditional)."""
        if not self.conditional:
            return np.zeros(n, dtype=np.int64)
        return np.repeat(np.arange(len(self.populations)), self.population_sizes(n))


def make_generator(name: str, **settings) -> Generator:
    """A new, unfitted generator by its short name."""
    if name not in _REGISTRY:
        raise InputError(f"unknown model {name!r}; available: {', '.join(sorted(_REGISTRY))}")
    return _REGISTRY[name](**settings)


def load_generator(path) -> Generator:
    """Load a generator saved with :meth:`Generator.save`.

    Anything else at ``path`` raises an InputError naming it: a missing,
    cut-short or damaged file, a ``.npz`` of another kind (haplotypes, a
    training checkpoint), metadata that names no known generator or settings
    it refuses, and arrays that do not fit the generator (a member missing,
    of the wrong type or shape).
    """
    state = read_npz(path, "saved model")
    if "meta" not in state:
        hint = " (it holds haplotypes)" if "alleles_packed" in state else ""
        raise InputError(f"{path}: not a saved model: no 'meta' member{hint}")
    name, settings = _model_meta(state.pop("meta"), path)
    try:
        model = make_generator(name, **settings)
    # TypeError: a setting the generator does not take; ValueError: one it refuses.
    except (InputError, TypeError, ValueError) as exc:
        raise InputError(f"{path}: saved {name!r} model with settings it refuses "
                         f"({one_line(exc)})") from None
    try:
        model.set_state(state)
    except KeyError as exc:
        raise InputError(f"{path}: saved {name!r} model lacks the array {exc}") from None
    # The rest: arrays of the wrong type or shape, found as set_state converts them.
    except (InputError, ValueError, TypeError, IndexError) as exc:
        raise InputError(f"{path}: saved {name!r} model with arrays that do not fit it "
                         f"({one_line(exc)})") from None
    _check_draw(model, path)
    return model


def parse_meta(meta: np.ndarray):
    """The JSON value that a ``meta`` member (one string, a 0-d array) holds,
    or a ValueError saying why it holds none (the metadata of saved models
    and of training checkpoints)."""
    if meta.dtype.kind != "U" or meta.ndim != 0:
        raise ValueError(f"a {meta.dtype} array of shape {meta.shape}, not one string")
    return json.loads(str(meta))


def _model_meta(meta: np.ndarray, path) -> tuple[str, dict]:
    """The generator name and settings of a saved model's ``meta`` member
    (a JSON object as one string), or an InputError naming ``path``."""
    try:
        parsed = parse_meta(meta)
    except ValueError as exc:  # json.JSONDecodeError is one
        raise InputError(f"{path}: not a saved model: its 'meta' member is not JSON text "
                         f"({one_line(exc)})") from None
    if isinstance(parsed, dict) and "checksum" in parsed and "model" not in parsed:
        raise InputError(f"{path}: not a saved model: it is a training checkpoint (the "
                         f"model is written to train's --out)")
    if (not isinstance(parsed, dict) or not isinstance(parsed.get("model"), str)
            or not isinstance(parsed.get("settings"), dict)):
        raise InputError(f"{path}: not a saved model (no model name and settings)")
    if parsed["model"] not in _REGISTRY:
        raise InputError(f"{path}: saved model of unknown kind {parsed['model']!r}; known: "
                         f"{', '.join(sorted(_REGISTRY))}")
    return parsed["model"], parsed["settings"]


def _check_draw(model: Generator, path) -> None:
    """Draw one haplotype (one of each population) from a loaded model, or
    raise an InputError naming ``path``.

    Not every generator's set_state checks that its arrays agree with one
    another and with its settings (a weight matrix against a bias, the rows
    kept per population against the population names); a draw uses them
    together, so a model that does not fit fails here, at loading, and not
    halfway through a command with a traceback. One haplotype is cheap for
    every generator and within what any fitted one can give (a held-out
    reference, ``test``, gives no more than it holds, and an unphased one of
    a single individual holds one row).
    """
    probe, n = model, 1
    if isinstance(model, PopulationLabels) and model.conditional:
        # One haplotype of each population, so that every population's arrays
        # are used (a copy: the model itself keeps its training proportions).
        probe, n = copy.copy(model), len(model.populations)
        probe.population_counts = np.ones(n, dtype=np.int64)
    try:
        drawn = np.asarray(probe.sample(n, seed=0))
        labels = probe.sample_populations(n) if isinstance(probe, PopulationLabels) else None
    except (InputError, ValueError, TypeError, IndexError) as exc:
        raise InputError(f"{path}: saved {model.name!r} model with arrays that do not fit it "
                         f"(drawing a haplotype failed: {one_line(exc)})") from None
    if (drawn.dtype != np.uint8 or drawn.ndim != 2 or drawn.shape[0] != n or drawn.shape[1] == 0
            or drawn.max() > 1 or (labels is not None and len(labels) != n)):
        raise InputError(f"{path}: saved {model.name!r} model with arrays that do not fit it "
                         f"(it draws a {drawn.dtype} array of shape {drawn.shape}, not {n} "
                         f"haplotype(s) of 0/1 alleles)")


def registered_models() -> list[str]:
    return sorted(_REGISTRY)


def generator_class(name: str) -> type[Generator] | None:
    """The generator class registered as ``name`` (None if there is none)."""
    return _REGISTRY.get(name)
