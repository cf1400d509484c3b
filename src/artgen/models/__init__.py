"""Generators of artificial haplotypes behind one interface
(:class:`artgen.models.base.Generator`): fit on a training matrix, sample
``n`` haplotypes with a seed, save, load."""

from artgen.models import baselines, copying, gan, hmm, rbm  # noqa: F401  (registers the generators)
from artgen.models.base import (Generator, generator_class, load_generator, make_generator,
                                registered_models)
from artgen.models.training import IterativeGenerator, TrainingRun

__all__ = ["Generator", "IterativeGenerator", "TrainingRun", "generator_class", "is_iterative",
           "load_generator", "make_generator", "registered_models"]


def is_iterative(name: str) -> bool:
    """Whether the generator registered as ``name`` trains in iterations
    (epochs or EM steps: checkpoint, history)."""
    cls = generator_class(name)
    return cls is not None and cls.iterative
