"""The conda environments: every rule names one that exists, every package
is pinned to an exact version from conda-forge/bioconda only, and the pins
agree with requirements.lock (the pip lock the tests run with) and with the
Debian tools scripts/setup.sh installs. The checks are plain functions, and
tests feed them broken copies to show they catch what they claim to."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from artgen.figures import FIGURES
from conftest import REPO

ENVS = REPO / "envs"
ENV_FILES = sorted(ENVS.glob("*.yaml"))
RULE_FILES = [REPO / "Snakefile", *sorted((REPO / "workflow" / "rules").glob("*.smk"))]
CHANNELS = ["conda-forge", "bioconda", "nodefaults"]
EXEMPT_RULES = {"all"}  # the target rule runs nothing
# Conda packages that are not pip packages: checked by other means.
NOT_PIP = {"python", "htslib", "bcftools", "beagle"}
# Conda name -> pip name where they differ beyond case and -/_/. (the lock
# has the CPU-only TensorFlow wheel; conda-forge's tensorflow is one package).
PIP_NAME = {"tensorflow": "tensorflow-cpu", "matplotlib-base": "matplotlib",
            "pytables": "tables"}
# Beagle's releases are named by version and date: 5.4_22Jul22.46e.
VERSION = (r"\d+(?:\.\d+)+(?:[.-]?(?:post|rc|a|b|dev)\d+)?"
           r"|\d+\.\d+_\d{2}[A-Z][a-z]{2}\d{2}\.[0-9a-f]+")
PIN = re.compile(rf"^(?P<name>[A-Za-z0-9][A-Za-z0-9_.-]*)=(?P<version>{VERSION})$")
# A named rule, or an anonymous one (named by a `name:` directive, e.g. the
# figure rules made in a loop), which is listed as "<rule at line N>".
RULE = re.compile(r"^(?P<indent>[ \t]*)(?:rule|checkpoint)(?:\s+(?P<name>\w+))?\s*:")


def normalise(name: str) -> str:
    """A package name as PEP 503 compares them (PyYAML == pyyaml, tensorflow_cpu
    == tensorflow-cpu)."""
    return re.sub(r"[-_.]+", "-", name).lower()


# --- the checks --------------------------------------------------------------------------


def rule_conda(text: str) -> dict[str, str | None]:
    """``{rule: the conda: value}`` of every ``rule``/``checkpoint`` block in
    a Snakefile's text (None when the rule has no ``conda:``). A block ends
    at the first code line indented no deeper than its ``rule`` line, so
    rules inside ``if``/``else`` are found too."""
    lines = text.splitlines()
    found = {}
    for start, line in enumerate(lines):
        match = RULE.match(line)
        if not match:
            continue
        indent = len(match["indent"].expandtabs())
        body = []
        for following in lines[start + 1:]:
            code = following.strip()
            if code and not code.startswith("#") and \
                    len(following.expandtabs()) - len(following.expandtabs().lstrip()) <= indent:
                break
            body.append(following)
        found[match["name"] or f"<rule at line {start + 1}>"] = _directive(body, "conda")
    return found


def _directive(body: list[str], name: str) -> str | None:
    """The value of ``name:`` in a rule body: on its line or the next code line."""
    for i, line in enumerate(body):
        match = re.match(rf"^\s*{name}\s*:\s*(.*)$", line)
        if not match:
            continue
        value = match.group(1).strip()
        if not value:
            value = next((l.strip() for l in body[i + 1:] if l.strip()), "")
        return value.rstrip(",").strip()
    return None


def conda_problems(rule_file: Path, text: str | None = None) -> list[str]:
    """Rules of ``rule_file`` (or of ``text`` read as that file) without a
    ``conda:`` env that exists; paths are relative to the rule file, as
    Snakemake resolves them."""
    text = rule_file.read_text() if text is None else text
    problems = []
    for rule, value in rule_conda(text).items():
        if rule in EXEMPT_RULES:
            continue
        if value is None:
            problems.append(f"rule {rule} ({rule_file.name}) has no conda:")
            continue
        try:
            path = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            problems.append(f"rule {rule}: conda: {value} is not a file name")
            continue
        env = (rule_file.parent / path).resolve()
        if not env.is_file() or env.parent != ENVS.resolve():
            problems.append(f"rule {rule}: conda: {path} is not a file under envs/")
    return problems


def read_lock(text: str) -> dict[str, str]:
    """requirements.lock as ``{normalised name: version}``."""
    lock = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            lock[normalise(name)] = version.strip()
    return lock


def env_problems(env: dict, lock: dict[str, str], name: str = "env") -> list[str]:
    """Channels other than conda-forge, bioconda, nodefaults; dependencies not
    pinned as ``name=version``; pip packages missing from the lock or pinned
    to another version than it has."""
    problems = []
    if env.get("channels") != CHANNELS:
        problems.append(f"{name}: channels are {env.get('channels')}, not {CHANNELS}")
    dependencies = env.get("dependencies") or []
    if not dependencies:
        problems.append(f"{name}: no dependencies")
    for spec in dependencies:
        if not isinstance(spec, str):
            problems.append(f"{name}: {spec!r} is not a conda package (pip: sections are "
                            "not allowed; the lock is requirements.lock)")
            continue
        pin = PIN.match(spec.strip())
        if not pin:
            problems.append(f"{name}: {spec!r} is not pinned to one version (name=X.Y.Z)")
            continue
        package, version = pin["name"].lower(), pin["version"]
        if package in NOT_PIP:
            continue
        pip_name = normalise(PIP_NAME.get(package, package))
        if pip_name not in lock:
            problems.append(f"{name}: {package} is not in requirements.lock (as {pip_name})")
        elif lock[pip_name] != version:
            problems.append(f"{name}: {package}={version} but requirements.lock has "
                            f"{pip_name}=={lock[pip_name]}")
    return problems


def pins(env: dict) -> dict[str, str]:
    return {m["name"].lower(): m["version"] for m in
            (PIN.match(s) for s in env["dependencies"] if isinstance(s, str)) if m}


# --- the repository's files --------------------------------------------------------------


@pytest.fixture(scope="module")
def lock():
    return read_lock((REPO / "requirements.lock").read_text())


@pytest.fixture(scope="module")
def envs():
    return {path.name: yaml.safe_load(path.read_text()) for path in ENV_FILES}


def test_env_files_parse(envs):
    assert len(envs) >= 4
    for name, env in envs.items():
        assert isinstance(env, dict) and set(env) == {"channels", "dependencies"}, name


@pytest.mark.parametrize("rule_file", RULE_FILES, ids=lambda p: p.name)
def test_every_rule_has_an_existing_conda_env(rule_file):
    assert conda_problems(rule_file) == []


def test_parser_finds_every_rule_snakemake_knows():
    """The rule blocks parsed are the rules Snakemake loads (for the default
    configuration; the parser also sees rules of other data sources)."""
    parsed = set()
    for rule_file in RULE_FILES:
        parsed |= set(rule_conda(rule_file.read_text()))
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    listed = subprocess.run([str(Path(sys.executable).parent / "snakemake"), "--list-rules"],
                            cwd=REPO, capture_output=True, text=True, env=env, check=True)
    known = set(listed.stdout.split())
    # Rules made in a loop have no name in the text: the figure rules, one per figure.
    assert known and known - parsed <= set(FIGURES), known - parsed
    assert any(name.startswith("<rule at line") for name in parsed)
    assert {"fetch_vcf", "fetch_panel_file", "panel_from_hapt"} <= parsed
    used = {Path(v.strip("\"'")).name for f in RULE_FILES
            for v in rule_conda(f.read_text()).values() if v}
    assert used == {p.name for p in ENV_FILES}, "an env file no rule uses"


@pytest.mark.parametrize("env_file", ENV_FILES, ids=lambda p: p.name)
def test_env_is_pinned_and_agrees_with_the_lock(env_file, envs, lock):
    assert env_problems(envs[env_file.name], lock, env_file.name) == []


def test_python_and_debian_tools_match_the_set_up(envs):
    """python=3.11 as scripts/setup.sh requires (the lock is made for it);
    htslib and bcftools as the Debian packages setup.sh installs."""
    setup = (REPO / "scripts" / "setup.sh").read_text()
    python = re.search(r"sys\.version_info\[:2\] != \((\d+), (\d+)\)", setup).groups()
    for name, env in envs.items():
        assert pins(env)["python"] == ".".join(python), name
    tools = {name: version for env in envs.values() for name, version in pins(env).items()
             if name in {"htslib", "bcftools"}}
    assert tools, "no env pins htslib or bcftools"
    if shutil.which("bcftools") is None:
        pytest.skip("bcftools is not installed (scripts/setup.sh installs it)")
    out = subprocess.run(["bcftools", "--version"], capture_output=True, text=True,
                         check=True).stdout
    installed = {"bcftools": re.search(r"^bcftools (\S+)", out, re.M).group(1),
                 "htslib": re.search(r"^Using htslib (\S+)", out, re.M).group(1)}
    for name, version in tools.items():
        assert installed[name] == version, (name, version, installed[name])


def test_beagle_matches_the_set_up(envs):
    """The imputation env pins the Beagle release that setup.sh installs."""
    pinned = {pins(env)["beagle"] for env in envs.values() if "beagle" in pins(env)}
    assert len(pinned) == 1, pinned
    if shutil.which("beagle") is None:
        pytest.skip("beagle is not installed (scripts/setup.sh installs it)")
    banner = subprocess.run(["beagle"], capture_output=True, text=True).stdout
    jar, version = re.search(r"beagle\.(\S+)\.jar \(version (\S+)\)", banner).groups()
    assert pinned == {f"{version}_{jar}"}


# --- the checks catch what they claim to ------------------------------------------------


def test_check_catches_a_rule_without_conda():
    rule_file = REPO / "workflow" / "rules" / "models.smk"
    text = rule_file.read_text()
    broken = text.replace('    conda:\n        "../../envs/models.yaml"\n', "", 1)
    assert broken != text
    assert conda_problems(rule_file, broken) == ["rule train_network (models.smk) has no conda:"]
    missing = text.replace("../../envs/models.yaml", "../../envs/model.yaml", 1)
    assert conda_problems(rule_file, missing) == [
        "rule train_network: conda: ../../envs/model.yaml is not a file under envs/"]


def test_check_catches_a_rule_without_conda_inside_an_if():
    text = """
if config["x"]:

    rule a:
        output:
            "a",
        shell:
            "touch {output}"

else:

    rule b:
        output:
            "b",
        conda:
            "../../envs/vcf.yaml"
        shell:
            "touch {output}"


rule all:
    input:
        "a",
"""
    rule_file = REPO / "workflow" / "rules" / "x.smk"
    assert rule_conda(text) == {"a": None, "b": '"../../envs/vcf.yaml"', "all": None}
    assert conda_problems(rule_file, text) == ["rule a (x.smk) has no conda:"]


@pytest.mark.parametrize("loose", ["numpy", "numpy>=2.4", "numpy=2.4.*", "numpy 2.4.6",
                                   "numpy=2.4.6|2.4.7", "numpy==2.4.6,<3", "numpy=2"])
def test_check_catches_a_loosened_pin(envs, lock, loose):
    env = envs["stats.yaml"]
    broken = {**env, "dependencies": [loose if d == "numpy=2.4.6" else d
                                      for d in env["dependencies"]]}
    assert broken != env
    assert env_problems(broken, lock, "stats.yaml") == [
        f"stats.yaml: {loose!r} is not pinned to one version (name=X.Y.Z)"]


def test_check_catches_disagreement_with_the_lock(envs, lock):
    env = envs["models.yaml"]
    broken = {**env, "dependencies": [d.replace("tensorflow=2.21.0", "tensorflow=2.20.0")
                                      for d in env["dependencies"]] + ["newpkg=1.0.0"]}
    assert env_problems(broken, lock, "models.yaml") == [
        "models.yaml: tensorflow=2.20.0 but requirements.lock has tensorflow-cpu==2.21.0",
        "models.yaml: newpkg is not in requirements.lock (as newpkg)"]
    assert env_problems({**env, "channels": ["conda-forge", "defaults"]}, lock, "m") == [
        "m: channels are ['conda-forge', 'defaults'], not "
        "['conda-forge', 'bioconda', 'nodefaults']"]


def test_names_differing_between_conda_and_pip_are_matched(lock):
    env = {"channels": CHANNELS,
           "dependencies": ["pot=0.9.7.post1", "pyyaml=6.0.3", "scikit-allel=1.3.13",
                            "umap-learn=0.5.12", "tensorflow=2.21.0", "scikit-learn=1.9.1"]}
    assert env_problems(env, lock) == []
    assert read_lock("POT==0.9.7.post1\nPyYAML==6.0.3\ntensorflow_cpu==2.21.0\n") == \
        {"pot": "0.9.7.post1", "pyyaml": "6.0.3", "tensorflow-cpu": "2.21.0"}
