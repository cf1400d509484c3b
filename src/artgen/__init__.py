"""Artificial genomes: generative models of phased haplotypes and the
statistics that show what they keep and what they leak."""

__version__ = "0.1.0"
