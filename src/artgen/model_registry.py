"""What the workflow needs to know about each generator, without importing it.

The Snakefile decides which rule trains a model, and which attacks and
downstream uses apply to it, while it parses: importing the generators
there would load TensorFlow (the GAN) on every ``snakemake`` call, a dry run
included. This table says it in plain data; ``tests/test_workflow.py``
checks it against the generator classes (:mod:`artgen.models`), so the two
cannot drift apart.

>>> model_info("gan").snapshots, has_capability("hmm", "log_likelihood")
(True, True)
"""

from __future__ import annotations

from dataclasses import dataclass

#: Methods beyond the common interface that some generators have, by what
#: they allow: ``log_likelihood`` (an exact likelihood: the likelihood-ratio
#: membership attack) and ``allele_probabilities`` (imputing by itself).
CAPABILITIES = ("log_likelihood", "allele_probabilities")


@dataclass(frozen=True)
class ModelInfo:
    """One generator as the workflow sees it.

    ``module`` and ``cls`` name its class; ``iterative``: trained in
    iterations (epochs or EM steps) with a resumable checkpoint and a history
    table; ``snapshots``: its history holds AATS snapshots over epochs, one
    of which it keeps (the hidden-Markov generator's holds log-likelihoods
    per EM iteration instead); ``capabilities``: those of
    :data:`CAPABILITIES` it has.
    """

    module: str
    cls: str
    iterative: bool = False
    snapshots: bool = False
    capabilities: frozenset[str] = frozenset()


MODELS: dict[str, ModelInfo] = {
    "bernoulli": ModelInfo("artgen.models.baselines", "BernoulliGenerator"),
    "markov": ModelInfo("artgen.models.baselines", "MarkovChainGenerator"),
    "test": ModelInfo("artgen.models.baselines", "HeldOutReference"),
    "copying": ModelInfo("artgen.models.copying", "CopyingGenerator"),
    "gan": ModelInfo("artgen.models.gan", "GANGenerator", iterative=True, snapshots=True),
    "rbm": ModelInfo("artgen.models.rbm", "RBMGenerator", iterative=True, snapshots=True),
    "hmm": ModelInfo("artgen.models.hmm", "HMMGenerator", iterative=True,
                     capabilities=frozenset(CAPABILITIES)),
}


def model_info(name: str) -> ModelInfo | None:
    """The generator registered as ``name`` (None if there is none)."""
    return MODELS.get(name)


def is_iterative(name: str) -> bool:
    """Whether generator ``name`` trains in iterations (checkpoint, history)."""
    info = MODELS.get(name)
    return info is not None and info.iterative


def has_snapshots(name: str) -> bool:
    """Whether generator ``name`` keeps one of its AATS snapshots over epochs."""
    info = MODELS.get(name)
    return info is not None and info.snapshots


def has_capability(name: str, capability: str) -> bool:
    """Whether generator ``name`` has ``capability`` (one of :data:`CAPABILITIES`)."""
    if capability not in CAPABILITIES:
        raise ValueError(f"unknown capability {capability!r} (known: {', '.join(CAPABILITIES)})")
    info = MODELS.get(name)
    return info is not None and capability in info.capabilities
