"""The workflow's configuration beyond its schema: panel kinds, per-panel model
settings, one-line messages for schema violations, and the checks that need
the data's populations (run when the workflow starts, before any job).

The schema (``config/schema.yaml``) checks each value's type and range; the
checks here tie values to one another and to the data: a population named in
``selection`` must be in the panel file, a panel named by a downstream
analysis must be configured, an informative panel needs two populations.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from pathlib import Path
from urllib.parse import urlparse

from artgen.errors import InputError

PANEL_KINDS = ("informative", "dense", "dispersed", "chromosome")
# Population of every sample when the data come without a panel file (unless
# target_population names it).
SINGLE_POPULATION = "ALL"


class ConfigError(InputError):
    """A configuration that cannot run; the message has one line per problem."""


def panel_kind(config: Mapping, panel: str) -> str:
    """The kind of a configured panel: its ``kind`` setting, or its name."""
    return config["panels"][panel].get("kind", panel)


def panels_of_kind(config: Mapping, kind: str) -> list[str]:
    """Configured panels of one kind, in configuration order."""
    return [p for p in config["panels"] if panel_kind(config, p) == kind]


def base_panel(panel: str) -> str:
    """The configured panel of a window (``chromosome.w003`` -> ``chromosome``)."""
    return panel.split(".w")[0]


def model_settings(config: Mapping, model: str, panel: str | None = None) -> dict:
    """The settings of a configured model on a panel: its own settings, updated
    by those under ``models.<model>.panels.<panel>`` (windows take their
    panel's). Without the generator name (``model``) and the overrides."""
    own = config["models"][model]
    settings = {k: v for k, v in own.items() if k not in ("model", "panels")}
    if panel is not None:
        settings.update((own.get("panels") or {}).get(base_panel(panel), {}))
    return settings


def schema_error_message(error) -> str:
    """One line for a :class:`jsonschema.ValidationError`: the key path, the
    value and what was expected."""
    path = ".".join(str(part) for part in error.absolute_path) or "(top level)"
    validator, expected = error.validator, error.validator_value
    if validator == "additionalProperties":
        allowed = list(error.schema.get("properties", {}))
        unknown = [k for k in error.instance if k not in allowed]
        hints = []
        for key in unknown:
            close = difflib.get_close_matches(key, allowed, n=1)
            hints.append(f"{key!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        known = f"; known keys: {', '.join(allowed)}" if allowed else ""
        return f"config: {path}: unknown key {', '.join(hints)}{known}"
    if validator == "required":
        missing = [k for k in expected if k not in error.instance]
        return f"config: {path}: missing key {', '.join(map(repr, missing))}"
    if validator in ("enum", "const"):
        choices = expected if validator == "enum" else [expected]
        return (f"config: {path}: {error.instance!r} is not one of "
                f"{', '.join(map(repr, choices))}")
    return f"config: {path}: {error.instance!r}: {error.message}"


def _named(values: Iterable[str]) -> str:
    return ", ".join(values) or "none"


def _is_local(source) -> bool:
    return bool(source) and urlparse(str(source)).scheme in ("", "file")


def data_populations(config: Mapping) -> list[str] | None:
    """The populations of the input data, in panel-file order, or None when
    they cannot be known before the data are fetched (a panel file by URL)."""
    if config["data"]["source"] == "simulated":
        return list(config["cohort"]["samples"])
    source = config["data"].get("panel_file")
    if source is None:
        return [config.get("target_population") or SINGLE_POPULATION]
    if not _is_local(source):
        return None
    from artgen.io import read_panel_file

    return list(dict.fromkeys(read_panel_file(source)["pop"]))


def _check_sources(config: Mapping) -> list[str]:
    """Local input files that do not exist."""
    problems = []
    data = config["data"]
    if data["source"] != "vcf":
        return problems
    named = [(f"data.vcf.{chrom}", source) for chrom, source in data.get("vcf", {}).items()]
    named.append(("data.panel_file", data.get("panel_file")))
    for name, panel in config["panels"].items():
        named.append((f"panels.{name}.snp_list", panel.get("snp_list")))
        for key, source in (panel.get("hapt") or {}).items():
            named.append((f"panels.{name}.hapt.{key}", source))
    for key, source in named:
        if _is_local(source) and not Path(urlparse(str(source)).path).exists():
            problems.append(f"config: {key}: no such file: {source}")
    return problems


def _unknown_models(section: Mapping, where: str, models: list[str]) -> list[str]:
    """The problem, if any, of a ``models`` list in ``section`` (at ``where``)
    that names models not configured under ``models``."""
    unknown = [m for m in section.get("models") or [] if m not in models]
    if not unknown:
        return []
    return [f"config: {where}.models: {_named(unknown)} not under models "
            f"(configured: {_named(models)})"]


def _check_panels(config: Mapping, populations: list[str] | None) -> list[str]:
    problems = []
    chromosomes = (list(config["data"].get("vcf", {})) if config["data"]["source"] == "vcf"
                   else [c["chrom"] for c in config["cohort"]["contigs"]])
    models = list(config["models"])
    for name, panel in config["panels"].items():
        kind = panel_kind(config, name)
        if "chrom" in panel and str(panel["chrom"]) not in chromosomes:
            problems.append(f"config: panels.{name}.chrom: {panel['chrom']!r} is not in the "
                            f"data (chromosomes: {_named(chromosomes)})")
        problems += _unknown_models(panel, f"panels.{name}", models)
        if populations is None:
            continue
        missing = [p for p in panel.get("train_populations") or [] if p not in populations]
        if missing:
            problems.append(f"config: panels.{name}.train_populations: {_named(missing)} not in "
                            f"the data (populations: {_named(populations)})")
        ranks_by_fst = not (panel.get("snp_list") or panel.get("hapt"))
        if kind == "informative" and ranks_by_fst and len(populations) < 2:
            problems.append(f"config: panels.{name}: an informative panel ranks SNPs by F_ST "
                            f"between populations and the data have one "
                            f"({_named(populations)}); use a dense or dispersed panel, or "
                            f"give a snp_list")
    return problems


def _check_models(config: Mapping) -> list[str]:
    panels = list(config["panels"])
    problems = []
    for model, settings in config["models"].items():
        unknown = [p for p in settings.get("panels") or {} if p not in panels]
        if unknown:
            problems.append(f"config: models.{model}.panels: {_named(unknown)} not under "
                            f"panels (configured: {_named(panels)})")
    return problems


# Downstream analyses: the panel kinds each can use and its population keys.
DOWNSTREAM = {
    "selection": (("informative", "dense", "dispersed"), ("complement", "outgroup")),
    "imputation": (("informative", "dense", "dispersed"), ()),
    "painting": (("informative", "dense", "dispersed"), ()),
    "coalescent": (("dense", "dispersed"), ()),
}


def _check_downstream(config: Mapping, populations: list[str] | None) -> list[str]:
    problems = []
    models = list(config["models"])
    analyses = [(key, config.get(key), *DOWNSTREAM[key]) for key in DOWNSTREAM]
    privacy = config.get("privacy") or {}
    if privacy.get("sensitivity"):
        analyses.append(("privacy.sensitivity", privacy["sensitivity"],
                         ("informative", "dense", "dispersed"), ()))
    for key, section, kinds, population_keys in analyses:
        if not section:
            continue
        panel = section.get("panel")
        usable = [p for p in config["panels"] if panel_kind(config, p) in kinds]
        if panel not in usable:
            problems.append(f"config: {key}.panel: {panel!r} is not a configured panel it can "
                            f"use (usable: {_named(usable)})")
        named = list(section.get("models") or []) + ([section["model"]] if "model" in section
                                                     and key == "privacy.sensitivity" else [])
        unknown = [m for m in named if m not in models]
        if unknown:
            problems.append(f"config: {key}.models: {_named(unknown)} not under models "
                            f"(configured: {_named(models)})")
        if populations is None:
            continue
        for pop_key in population_keys:
            if section.get(pop_key) not in populations:
                problems.append(f"config: {key}.{pop_key}: no population {section.get(pop_key)!r}"
                                f" in the data (populations: {_named(populations)})")
        if key == "selection" and len(populations) < 3:
            problems.append(f"config: selection: the scans need the target and two other "
                            f"populations; the data have {_named(populations)}")
    release = privacy.get("release") or {}
    for name in release.get("panels") or []:
        if name not in config["panels"]:
            problems.append(f"config: privacy.release.panels: {name!r} is not a configured panel "
                            f"(configured: {_named(config['panels'])})")
    problems += _unknown_models(release, "privacy.release", models)
    return problems


def resolve_target(config: dict, populations: list[str] | None) -> None:
    """Set ``target_population`` when the data have one population and the
    config names none."""
    if config.get("target_population"):
        return
    if populations is not None and len(populations) == 1:
        config["target_population"] = populations[0]
        return
    raise ConfigError(f"config: target_population: required when the data have several "
                      f"populations ({_named(populations or ['unknown until fetched'])})")


def _check_model_settings(config: Mapping, schema: Mapping) -> list[str]:
    """Each model's settings, and each panel's overrides of them, against the
    schema of its generator (models named otherwise than their generator,
    such as ``rbm_train``, are checked here rather than by the schema)."""
    from jsonschema import Draft202012Validator

    known = schema["properties"]["models"]["properties"]
    problems = []
    for model, own in config["models"].items():
        generator = own.get("model", model)
        if generator not in known:
            continue
        validator = Draft202012Validator(known[generator])
        variants = [(f"models.{model}", {k: v for k, v in own.items() if k != "panels"})]
        variants += [(f"models.{model}.panels.{panel}", {**variants[0][1], **override})
                     for panel, override in (own.get("panels") or {}).items()]
        for key, settings in variants:
            for error in sorted(validator.iter_errors(settings), key=str)[:1]:
                line = schema_error_message(error)
                problems.append(line.replace("config: ", f"config: {key}.", 1)
                                .replace(f"{key}.(top level)", key))
    return problems


def check_config(config: dict, schema: Mapping | None = None) -> list[str] | None:
    """Check a schema-valid config against itself and the data; return the
    data's populations (None when not known before the data are fetched).

    Sets ``target_population`` when the data have one population and the
    config names none. Raises :class:`ConfigError` naming every problem, one
    per line. ``schema``: the config schema, to check each model's settings
    and per-panel overrides against its generator's."""
    problems = _check_sources(config)
    populations = data_populations(config) if not problems else None
    if populations is not None:
        chosen = config.get("populations") or []
        missing = [p for p in chosen if p not in populations]
        if missing:
            problems.append(f"config: populations: {_named(missing)} not in the data "
                            f"(populations: {_named(populations)})")
        elif chosen:
            populations = [p for p in populations if p in chosen]
    if not problems:
        try:
            resolve_target(config, populations)
        except ConfigError as error:
            problems.append(str(error))
    target = config.get("target_population")
    if populations is not None and target and target not in populations:
        problems.append(f"config: target_population: {target!r} is not in the data "
                        f"(populations: {_named(populations)})")
    problems += _check_panels(config, populations)
    problems += _check_models(config)
    umap = (config.get("evaluation") or {}).get("umap")
    if isinstance(umap, list) and (unknown := [p for p in umap if p not in config["panels"]]):
        problems.append(f"config: evaluation.umap: {_named(unknown)} not under panels "
                        f"(configured: {_named(config['panels'])})")
    if schema is not None:
        problems += _check_model_settings(config, schema)
    problems += _check_downstream(config, populations)
    if problems:
        raise ConfigError("\n".join(problems))
    return populations
