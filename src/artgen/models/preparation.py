"""Setting a generator up for the rows it is fitted on or scored on.

Phased data are fitted haplotype by haplotype; unphased data in the paper's
layout, one row per individual with two allele columns per SNP. A model may
also take a start set (the sampling-set scheme), a validation set (models
trained in iterations choose their snapshot on it) and a reference set of
other real haplotypes (the distance attack's null on the validation set),
population labels (a conditional model) or the SNPs' positions (a model
with a genetic map):
:func:`prepare_model` gives each model what it takes, the one preparation of
``artgen train`` and of every refit of a saved model's kind.
"""

from __future__ import annotations

import logging

import numpy as np

from artgen.errors import InputError

log = logging.getLogger("artgen")


def model_rows(h, phased: bool):
    """The rows a model sees: haplotypes, or for unphased data the paper's
    layout, one row per individual with two columns per SNP."""
    from artgen.genotypes import genotype_rows

    return h.alleles if phased else genotype_rows(h.alleles, h.ids)


def row_populations(h, phased: bool):
    """The population label of each of :func:`model_rows`' rows (unphased
    rows are individuals, pairs of haplotypes)."""
    return h.pops if phased else h.pops[0::2]


def prepare_model(model, data, *, phased: bool, source, start=None, start_source=None,
                  validation=None, validation_source=None, reference=None,
                  reference_source=None):
    """Set ``model`` up to be fitted on ``data`` (Haplotypes read from
    ``source``) and return the rows to fit it on: the start set of a model
    that samples from one, the validation set of a model that chooses its
    snapshot on one (and the attack's reference set, with it), the
    population labels of a conditional model, the genetic map of a model
    that needs the SNPs' positions. The one preparation of ``train`` and of
    every refit of a saved model's kind (the likelihood attack's reference
    model)."""
    if start is not None:
        if not hasattr(model, "set_start_set"):
            raise InputError(f"model {model.name} does not take a start set")
        if not np.array_equal(start.pos, data.pos):
            raise InputError(f"{start_source}: not at the SNPs of {source}")
        model.set_start_set(model_rows(start, phased))
    if getattr(model, "conditional", False):
        labels = row_populations(data, phased)
        if not all(labels):
            raise InputError(f"{source}: a conditional model needs every haplotype's "
                             f"population label; some are missing")
        model.set_populations(labels)
    if validation is not None:
        if not hasattr(model, "set_validation"):
            raise InputError(f"model {model.name} does not take a validation set (only models "
                             f"trained in iterations choose a snapshot on one)")
        if not np.array_equal(validation.pos, data.pos):
            raise InputError(f"{validation_source}: not at the SNPs of {source}")
        labels = row_populations(validation, phased)
        model.set_validation(model_rows(validation, phased), labels if all(labels) else None)
    if reference is not None:
        if validation is None or not hasattr(model, "set_attack_reference"):
            raise InputError(f"{reference_source}: an attack reference set goes with a "
                             f"validation set, to models that choose their snapshot on one")
        if not np.array_equal(reference.pos, data.pos):
            raise InputError(f"{reference_source}: not at the SNPs of {source}")
        model.set_attack_reference(model_rows(reference, phased))
    if hasattr(model, "set_map"):  # models that need the SNPs' genetic positions
        per_snp = 1 if phased else 2
        model.set_map(np.repeat(data.chrom, per_snp), np.repeat(data.pos, per_snp))
    alleles = model_rows(data, phased)
    if phased:
        log.info("fitting %s on %d haplotypes x %d SNPs", model.name, data.n_haplotypes,
                 data.n_snps)
    else:
        log.info("fitting %s on %d individuals x %d allele columns (unphased, %d SNPs)",
                 model.name, alleles.shape[0], alleles.shape[1], data.n_snps)
    return alleles


def known_populations(labels, *models):
    """``labels`` (one per row) when every model is conditional and knows all
    of them, so that each row is scored under its own population; else None
    (a conditional model then scores under its mixture of populations)."""
    if not all(getattr(m, "conditional", False) for m in models) or not len(labels):
        return None
    for m in models:
        known = getattr(m, "populations", None)
        if known is None or not set(labels) <= set(known):
            return None
    return labels



def draw_ags(model, n: int, seed: int, *, phased: bool, n_snps: int, source, like_source):
    """``n`` AG haplotypes of a fitted ``model`` in the layout it was fitted
    in, as haplotype rows: ``(alleles, pops)``, alleles of shape
    ``(n, n_snps)`` and the population label of each row (None unless the
    model is conditional). An unphased model draws ``n // 2`` individuals,
    two rows each; ``source`` and ``like_source`` name the model and the
    panel whose SNPs the AGs must have, for the errors."""
    from artgen.genotypes import haplotype_rows

    def sample(count: int):
        try:
            return model.sample(count, seed=seed)
        except InputError as error:  # e.g. more than a held-out reference holds
            raise InputError(f"{source}: {error}") from None

    if phased:
        alleles = sample(n)
        if alleles.shape[1] != n_snps:
            hint = ("; was it trained with --unphased? Then sample with --unphased too"
                    if alleles.shape[1] == 2 * n_snps else "")
            raise InputError(f"{source}: model has {alleles.shape[1]} SNPs, "
                             f"{like_source} has {n_snps}{hint}")
    else:
        if n % 2:
            raise InputError(f"--unphased draws whole individuals: the number of haplotypes "
                             f"must be even, got {n}")
        genotypes = sample(n // 2)
        if genotypes.shape[1] != 2 * n_snps:
            raise InputError(f"{source}: model has {genotypes.shape[1]} allele columns, "
                             f"unphased {like_source} needs {2 * n_snps} (two per SNP); "
                             f"was it trained without --unphased?")
        alleles = haplotype_rows(genotypes)
    # A conditional model labels its AGs with their populations (per individual if unphased).
    pops = model.sample_populations(n if phased else n // 2) \
        if hasattr(model, "sample_populations") else None
    if pops is not None and not phased:
        pops = np.repeat(pops, 2)
    return alleles, pops


def likelihood_attack(model, train, test, held_out, *, phased: bool, seed: int,
                      threads: int | None = None, source=None) -> dict[str, float]:
    """The likelihood-ratio membership attack on a fitted ``model`` (one with
    a likelihood): members ``train``, non-members ``test`` (Haplotypes), and
    a reference model of the same kind and settings fitted on ``held_out``,
    haplotypes the model never saw, exactly as ``artgen train`` fits one.
    Rows are scored under their own population when every model is
    conditional and knows it, else all under each model's mixture.
    Returns :func:`artgen.stats.attack.likelihood_ratio_attack`'s metrics."""
    from artgen.models.base import make_generator
    from artgen.stats.attack import likelihood_ratio_attack

    if not callable(getattr(model, "log_likelihood", None)):
        raise InputError(f"{source}: a {model.name} model has no likelihood; the "
                         f"likelihood-ratio attack needs one")
    reference = make_generator(model.name, **model.settings())
    model.use_threads(threads)
    reference.use_threads(threads)
    reference.fit(prepare_model(reference, held_out, phased=phased, source=source), seed=seed)
    train_pops, test_pops = (known_populations(row_populations(h, phased), model, reference)
                             for h in (train, test))
    if train_pops is None or test_pops is None:  # members and non-members scored alike
        train_pops = test_pops = None
    if getattr(model, "conditional", False):
        log.info("conditional models: rows scored %s", "under their own population"
                 if train_pops is not None else "under each model's mixture of populations")
    return likelihood_ratio_attack(model, reference, model_rows(train, phased),
                                   model_rows(test, phased), seed=seed,
                                   train_populations=train_pops, test_populations=test_pops)
