"""Generators of artificial haplotypes behind one interface
(:class:`artgen.models.base.Generator`): fit on a training matrix, sample
``n`` haplotypes with a seed, save, load."""

from artgen.models import baselines, copying, gan, hmm, rbm  # noqa: F401  (registers the generators)
from artgen.models.base import Generator, load_generator, make_generator, registered_models
from artgen.models.training import IterativeGenerator, TrainingRun

__all__ = ["Generator", "IterativeGenerator", "TrainingRun", "generator_class", "is_iterative",
           "load_generator", "make_generator", "registered_models"]


def generator_class(name: str) -> type[Generator] | None:
    """The generator class registered as ``name`` (None if there is none)."""
    from artgen.models.base import _REGISTRY

    return _REGISTRY.get(name)


def is_iterative(name: str) -> bool:
    """Whether the generator registered as ``name`` trains in iterations
    (epochs or EM steps: checkpoint, history)."""
    from artgen.models.base import _REGISTRY

    return name in _REGISTRY and _REGISTRY[name].iterative
