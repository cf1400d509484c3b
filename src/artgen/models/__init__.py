"""Generators of artificial haplotypes behind one interface
(:class:`artgen.models.base.Generator`): fit on a training matrix, sample
``n`` haplotypes with a seed, save, load."""

from artgen.models import baselines  # noqa: F401  (registers the baselines)
from artgen.models.base import Generator, load_generator, make_generator, registered_models

__all__ = ["Generator", "load_generator", "make_generator", "registered_models"]
