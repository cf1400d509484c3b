"""The privacy card of an AG set, as data (:func:`privacy_card`, written as
JSON) and as a Markdown page (:func:`card_markdown`, its words from
:mod:`artgen.release.template`)."""

from __future__ import annotations

import json
import math

import numpy as np

from artgen import __version__
from artgen.release import template
from artgen.release.metrics import START_METRICS
from artgen.release.policy import Thresholds
from artgen.stats.attack import LIKELIHOOD_METRICS

__all__ = ["card_markdown", "privacy_card"]


def _plain(value):
    """JSON-ready: numpy scalars to Python, NaN to None, containers recursively."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def privacy_card(metrics: dict, thresholds: Thresholds, failures: list[str], *, model: str,
                 settings: dict | None = None, panel: str = "", dataset: str = "",
                 seed: int = 0, files: dict | None = None) -> dict:
    """The privacy card of an AG set: what was released, what was measured, the verdict.

    Parameters
    ----------
    metrics : dict
        From :func:`artgen.release.metrics.release_metrics`.
    thresholds : Thresholds
    failures : list of str
        From :func:`artgen.release.policy.release_checks`; empty means accepted.
    model : str
        Generator's short name (``gan``, ``rbm``...).
    settings : dict, optional
        The generator's settings (hyperparameters, training seed, epochs).
    panel : str
        SNP panel name.
    dataset : str
        Description of the real data (source, population, splits).
    seed : int
        Seed of the privacy statistics.
    files : dict, optional
        Released files: kind -> {"name", "sha256"}.

    Returns
    -------
    dict
        JSON-ready (NaN as None).
    """
    m = metrics
    card = {
        "title": template.TITLE.format(model=model, panel=panel),
        "verdict": "refused" if failures else "accepted",
        "failed_checks": list(failures),
        "model": model,
        "settings": dict(settings or {}),
        "panel": panel,
        "dataset": dataset,
        "seeds": {"privacy_statistics": seed},
        "software": {"artgen": __version__},
        "n_snps": m.get("n_snps"),
        "n_generated": m.get("n_generated"),
        "n_released": m.get("n_released"),
        "n_topped_up": m.get("n_topped_up", 0),
        "exact_copies": {"policy": thresholds.copies, "found": m.get("exact_copies"),
                         "share": m.get("exact_copies_share"),
                         "held_out_share": m.get("exact_copies_share_test"),
                         "removed": m.get("exact_copies_removed"),
                         "released": m.get("exact_copies_released", 0),
                         "partners_withheld": m.get("withheld_partners")},
        "near_copies": {"distance": m.get("near_distance"), "found": m.get("near_copies"),
                        "share": m.get("near_copies_share"),
                        "held_out_share": m.get("near_copies_share_test")},
        "aats_train": m.get("aats_train"),
        "aats_test": m.get("aats_test"),
        "privacy_loss": m.get("privacy_loss"),
        "attacks": {k: m.get(k) for k in ("mia_auc", "mia_tpr_1fpr", "mia_density_auc",
                                          "mia_density_tpr_1fpr")},
        # the real haplotypes the sampling chains started from (None: no such set)
        "start_set": ({k: m.get(k) for k in START_METRICS}
                      if "privacy_loss_start" in m else None),
        # a property of the model (None for a model without a likelihood)
        "likelihood_attack": ({k: m.get(k) for k in LIKELIHOOD_METRICS}
                              if "lr_mia_auc" in m else None),
        "thresholds": thresholds.to_dict(),
        # each bound on the worst draw; median and range for the reader
        "over_draws": ({name: {"median": float(np.median(v)), "low": float(min(v)),
                               "high": float(max(v)), "values": list(v)}
                        for name, v in m["over_draws"].items()
                        if all(x is not None and math.isfinite(x) for x in v)}
                       if m.get("over_draws") else None),
        "gate_rule": (template.GATE_RULE_DRAWS if m.get("over_draws")
                      else template.GATE_RULE_RELEASED),
        "metrics": dict(m),
        "files": dict(files or {}),
    }
    return _plain(card)


def _cell(value) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _fill(lines: list[str], **values) -> list[str]:
    return [line.format(**values) for line in lines]


def card_markdown(card: dict) -> str:
    """The privacy card as a Markdown page.

    Parameters
    ----------
    card : dict
        From :func:`privacy_card` (or its JSON).

    Returns
    -------
    str
        The page, its lines from :mod:`artgen.release.template`.
    """
    t = card["thresholds"]
    ex, near, att = card["exact_copies"], card["near_copies"], card["attacks"]
    bounds = {name: template.OFF if value is None else _cell(value) for name, value in t.items()}
    low, high = t.get("min_aats_test"), t.get("max_aats_test")
    aats_bounds = template.BOTH.join(
        ([template.AT_LEAST.format(_cell(low))] if low is not None else [])
        + ([template.AT_MOST.format(_cell(high))] if high is not None else []))
    drawn = card.get("over_draws") or {}
    over = {f"over_{name}": template.OVER_DRAWS.format(
                n=len(d["values"]), median=_cell(d["median"]), low=_cell(d["low"]),
                high=_cell(d["high"])) for name, d in drawn.items()}
    values = {
        **bounds,
        **{f"over_{name}": "" for name in ("privacy_loss", "aats_train", "aats_test", "mia_auc",
                                           "mia_tpr_1fpr", "mia_density_auc",
                                           "privacy_loss_start", "mia_auc_start")},
        **over,
        **{name: _cell(value) for name, value in att.items()},
        "privacy_loss": _cell(card["privacy_loss"]), "aats_train": _cell(card["aats_train"]),
        "aats_test": _cell(card["aats_test"]), "aats_bounds": aats_bounds,
        "policy": ex["policy"], "exact_found": _cell(ex["found"]),
        "exact_share": _cell(ex["share"]), "exact_removed": _cell(ex["removed"]),
        "exact_partners": _cell(ex["partners_withheld"]),
        "exact_released": ("" if t.get("keep_copies_carried_by") is None else
                           template.EXACT_RELEASED.format(
                               n=_cell(ex.get("released", 0)),
                               k=_cell(t["keep_copies_carried_by"]))),
        "exact_held_out": _cell(ex["held_out_share"]),
        "exact_threshold": template.EXACT_THRESHOLD[ex["policy"]].format(**bounds),
        "near_distance": _cell(near["distance"]), "near_found": _cell(near["found"]),
        "near_share": _cell(near["share"]), "near_held_out": _cell(near["held_out_share"]),
    }
    lr = card.get("likelihood_attack")
    lr_rows = (_fill(template.NO_LIKELIHOOD, **bounds) if lr is None else
               _fill(template.LIKELIHOOD, **bounds, **{k: _cell(v) for k, v in lr.items()}))

    lines = _fill(template.HEADER, title=card["title"], verdict=card["verdict"],
                  outcome=template.OUTCOME[card["verdict"]])
    if card["failed_checks"]:
        lines += template.FAILED + [template.FAILURE.format(failure=f)
                                    for f in card["failed_checks"]] + [""]
    lines += _fill(template.RELEASED, model=card["model"], panel=card["panel"],
                   dataset=card["dataset"] or "n/a", n_snps=_cell(card["n_snps"]),
                   n_generated=_cell(card["n_generated"]), n_released=_cell(card["n_released"]),
                   n_topped_up=_cell(card.get("n_topped_up", 0)),
                   seed=_cell(card["seeds"]["privacy_statistics"]),
                   software=card["software"]["artgen"])
    lines += [template.FILE.format(kind=kind, **info) for kind, info in card["files"].items()]
    start = card.get("start_set")
    start_rows = ([] if start is None else
                  _fill(template.START_SET, **values, **{k: _cell(v) for k, v in start.items()}))
    lines += _fill(template.CHECKS, **values) + start_rows + lr_rows
    lines += _fill(template.NOTES, gate_rule=card.get("gate_rule", template.GATE_RULE_RELEASED))
    if start is not None:
        lines[-1:-1] = ["", template.START_SET_NOTE]
    if card["settings"]:
        lines += _fill(template.SETTINGS,
                       settings=json.dumps(card["settings"], indent=2, sort_keys=True))
    return "\n".join(lines)
