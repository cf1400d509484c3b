"""The sampling temperature's calibration (artgen.models.temperature)."""

from __future__ import annotations

import numpy as np

from artgen.models import temperature
from artgen.models.training import snapshot_score

BALANCE = 1.2  # the temperature at which AA_truth = AA_syn


def _aa_by_temperature(reference, ags, seed):
    """AA halves that move in opposite directions at the same rate, both
    above 0.5 over the whole search: their summed deviation is 0.2 at every
    temperature, and only the larger deviation has a minimum, at BALANCE."""
    shift = 0.05 * np.log(ags[0, 0] / BALANCE)
    aa_truth, aa_syn = 0.6 + shift, 0.6 - shift
    return {"aa_truth": aa_truth, "aa_syn": aa_syn,
            "snapshot_score": snapshot_score(aa_truth, aa_syn)}


def test_the_aa_target_keeps_the_balance_where_the_summed_deviation_is_flat(monkeypatch):
    monkeypatch.setattr(temperature, "snapshot_metrics", _aa_by_temperature)
    visited = []

    def draw(t):
        visited.append(t)
        return np.array([[t]])

    chosen = temperature.calibrate_temperature(draw, np.zeros((1, 1)), seed=1, low=0.25,
                                               high=2.0, steps=7, target="aa")
    nearest = min(visited, key=lambda t: abs(np.log(t / BALANCE)))
    assert chosen == nearest
    # The first temperature the bisection visits (0.71) is far from the balance.
    assert abs(np.log(visited[0] / BALANCE)) > 0.4 and abs(np.log(chosen / BALANCE)) < 0.05
