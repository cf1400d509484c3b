"""The temperature of a generator's last sampling step: the setting, the
value saved with a model, and its calibration on held-out haplotypes.

A temperature T draws the last step's alleles (RBM) or output bits (GAN)
with probabilities sigmoid(x / T) instead of sigmoid(x): below 1 it takes
out per-site noise, above 1 it adds some. ``"auto"`` asks for the value
that makes the AGs match a reference set, searched at every snapshot
(:func:`calibrate_temperature`).
"""

from __future__ import annotations

import numpy as np

from artgen.checks import check_choice
from artgen.errors import InputError
from artgen.models.training import pairwise_w, snapshot_metrics


def check_temperature(value, model: str) -> float | str:
    """A sampling temperature setting: a positive number or ``"auto"``."""
    if value != "auto" and (isinstance(value, (bool, str)) or not value > 0):
        raise InputError(f"{model}: temperature must be a positive number or 'auto', "
                         f"got {value!r}")
    return value if value == "auto" else float(value)


def saved_temperature(state: dict, model: str) -> float:
    """The sampling temperature of a saved state (1 where an older file has none)."""
    temperature = np.asarray(state.get("temperature", 1.0))
    if temperature.shape or temperature.dtype.kind not in "iuf" \
            or not (np.isfinite(temperature) and temperature > 0):
        got = (f"a {temperature.dtype} array of shape {temperature.shape}"
               if temperature.shape else repr(temperature.item()))
        raise InputError(f"{model}: the sampling temperature must be one positive number, "
                         f"got {got}")
    return float(temperature)


#: What a calibrated temperature matches against the reference haplotypes.
TEMPERATURE_TARGETS = ("aa", "pairwise_w")


def calibrate_temperature(draw, reference: np.ndarray, seed: int, low: float,
                          high: float, steps: int = 7, target: str = "aa") -> float:
    """The sampling temperature, between ``low`` and ``high``, whose AGs
    ``draw(temperature)`` best match ``reference``, in ``steps`` draws;
    ``draw`` should use one seed, so that only the temperature changes.

    ``target="aa"``: the temperature that balances AA_truth and AA_syn
    (:func:`_temperature_by_aa`). ``target="pairwise_w"``: the temperature
    whose AGs' pairwise distances are nearest the reference's
    (:func:`_temperature_by_distances`). Where AA_truth stays above AA_syn
    at every temperature (AGs far from real haplotypes however noisy) the
    balance runs to ``low``; the distances still have a best temperature.
    """
    search = {"aa": _temperature_by_aa,
              "pairwise_w": _temperature_by_distances}[check_choice(target, "target",
                                                                    TEMPERATURE_TARGETS)]
    return search(draw, reference, seed, np.log(low), np.log(high), steps)


def _temperature_by_aa(draw, reference, seed, low, high, steps) -> float:
    """Bisection on log T (``low``, ``high``) for AA_truth = AA_syn, assuming
    AA_truth rises and AA_syn falls as the temperature rises (more per-site
    noise takes the AGs away from the real haplotypes and from each other).
    Returns the temperature visited whose larger AA deviation from 0.5, plus
    the share of fixed sites, is lowest (which need not be the last): the
    sum of the two deviations (:func:`snapshot_score`) is flat wherever they
    move in opposite directions at the same rate (on a real dense panel of
    five populations it kept 0.3 for one training seed and 0.7 for two),
    where the larger deviation has one minimum, at the balance."""
    best = None
    for _ in range(steps):
        temperature = float(np.exp((low + high) / 2))
        snap = snapshot_metrics(reference, draw(temperature), seed)
        # The snapshot score less the smaller deviation: the larger one plus the fixed share.
        worst = snap["snapshot_score"] - min(abs(snap["aa_truth"] - 0.5),
                                             abs(snap["aa_syn"] - 0.5))
        if best is None or worst < best[0]:
            best = (worst, temperature)
        if snap["aa_truth"] < snap["aa_syn"]:
            low = np.log(temperature)
        else:
            high = np.log(temperature)
    return best[1]


def _temperature_by_distances(draw, reference, seed, low, high, steps) -> float:
    """Golden-section search on log T (``low``, ``high``) for the lowest
    :func:`pairwise_w`: too hot adds per-site noise to every distance, too
    cold pulls the AGs onto a few modes. Returns the best temperature visited."""
    def cost(log_t):
        return pairwise_w(draw(float(np.exp(log_t))), reference, seed)

    shrink = (np.sqrt(5) - 1) / 2
    a, b = high - shrink * (high - low), low + shrink * (high - low)
    cost_a, cost_b = cost(a), cost(b)
    visited = [(cost_a, a), (cost_b, b)]
    for _ in range(steps - 2):
        if cost_a <= cost_b:  # the minimum lies in [low, b]: b's new inner point is a
            high, b, cost_b = b, a, cost_a
            a = high - shrink * (high - low)
            cost_a = cost(a)
            visited.append((cost_a, a))
        else:  # in [a, high]: a's new inner point is b
            low, a, cost_a = a, b, cost_b
            b = low + shrink * (high - low)
            cost_b = cost(b)
            visited.append((cost_b, b))
    return float(np.exp(min(visited)[1]))
