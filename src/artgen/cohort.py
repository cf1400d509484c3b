"""The built-in cohort: a 1000-Genomes-shaped data set simulated with
stdpopsim/msprime, so the pipeline runs with no download.

The demographic model is HomSap ``OutOfAfrica_3G09`` (Gutenkunst et al.
2009: YRI, CEU, CHB). Genetic maps cannot be fetched offline, so each contig
has a flat recombination rate, the mean rate of the chromosome it stands for.
Output mirrors 1000 Genomes phase 3: one phased, bgzipped, tabix-indexed VCF
per contig, and a panel file ``sample pop super_pop``.
"""

from __future__ import annotations

import pandas as pd

from artgen import seeds
from artgen.errors import InputError
from artgen.io.hapt import write_panel_file
from artgen.io.vcf import bgzipped_vcf

SPECIES = "HomSap"
# 1000 Genomes super-populations of the populations that stdpopsim's human
# models use; anything else keeps its own name as super-population.
SUPER_POPULATIONS = {"YRI": "AFR", "LWK": "AFR", "ESN": "AFR", "CEU": "EUR", "GBR": "EUR",
                     "TSI": "EUR", "FIN": "EUR", "CHB": "EAS", "JPT": "EAS", "CHS": "EAS"}


def sample_names(samples: dict[str, int]) -> list[str]:
    """Sample ids ``<POP><number>`` (``CEU0001``...), in population order."""
    return [f"{pop}{i:04d}" for pop, n in samples.items() for i in range(1, n + 1)]


def cohort_panel(samples: dict[str, int]) -> pd.DataFrame:
    """The panel file of the simulated cohort, indexed by sample."""
    pops = [pop for pop, n in samples.items() for _ in range(n)]
    return pd.DataFrame({"sample": sample_names(samples), "pop": pops,
                         "super_pop": [SUPER_POPULATIONS.get(p, p) for p in pops]}
                        ).set_index("sample")


def contig_seed(seed: int, chrom: str) -> int:
    """A seed for one contig, derived from the cohort seed and the contig's
    name, so each contig is the same whichever order the jobs run in."""
    return seeds.child(seed, "cohort/contig", chrom) % (2**31 - 2) + 1


def simulate_contig(*, chrom: str, left: int, length: int, samples: dict[str, int],
                    seed: int, model: str = "OutOfAfrica_3G09"):
    """Simulate one contig; return the tree sequence.

    Parameters
    ----------
    chrom : human chromosome the contig stands for (``"15"``); its mean
        recombination rate is used, flat along the contig.
    left, length : the contig covers ``[left, left + length)`` in that
        chromosome's coordinates (``left >= 1`` so no site is at position 0).
    samples : diploid individuals per population, e.g. ``{"CEU": 400}``.
    seed : cohort seed; the contig's own seed is derived from it.
    """
    import stdpopsim

    species = stdpopsim.get_species(SPECIES)
    try:
        demography = species.get_demographic_model(model)
    except ValueError as exc:
        raise InputError(f"cohort.model: {exc}") from None
    known = [p.name for p in demography.populations]
    unknown = [p for p in samples if p not in known]
    if unknown:
        raise InputError(f"cohort.samples: population {unknown[0]!r} is not in {model} "
                         f"(it has {', '.join(known)})")
    if left < 1:
        raise InputError(f"cohort contig {chrom}: left must be >= 1, got {left}")
    try:
        contig = species.get_contig(f"chr{chrom}", left=left, right=left + length,
                                    mutation_rate=demography.mutation_rate)
    except ValueError as exc:
        raise InputError(f"cohort contig {chrom}: {exc}") from None
    engine = stdpopsim.get_engine("msprime")
    return engine.simulate(demography, contig, samples, seed=contig_seed(seed, chrom))


def write_contig_vcf(ts, chrom: str, samples: dict[str, int], path) -> None:
    """Write a simulated contig as a phased, bgzipped, indexed VCF, with the
    cohort's sample ids in the order of :func:`sample_names`."""
    names = sample_names(samples)
    pop_names = [ts.population(ts.node(ind.nodes[0]).population).metadata["name"]
                 for ind in ts.individuals()]
    expected = [pop for pop, n in samples.items() for _ in range(n)]
    if pop_names != expected:
        raise RuntimeError("simulated individuals are not in population order")
    with bgzipped_vcf(path) as out:
        ts.write_vcf(out, contig_id=chrom, individual_names=names)


def write_cohort_panel(samples: dict[str, int], path) -> None:
    """Write the cohort's panel file (``sample pop super_pop``)."""
    write_panel_file(cohort_panel(samples), path)
