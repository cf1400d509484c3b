"""Import rules of the package, checked on the source text (ast; nothing is
imported): no module reaches into another module's private names, and the
statistics, readers/writers and plots do not depend on the models."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "artgen"

#: Paths (relative to the package) that must not import artgen.models.
MODEL_FREE = ("stats/", "io/", "plots/", "figures/")

#: Modules allowed to import artgen.models anyway, and why.
MODEL_IMPORT_ALLOWED: set[str] = set()


def _imports(path: Path):
    """(line, imported module, imported name or None) of every artgen import in ``path``."""
    package = ".".join(("artgen", *path.relative_to(PACKAGE).parent.parts))
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:  # relative import: resolve against this file's package
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, module] if module else base)
            if module == "artgen" or module.startswith("artgen."):
                for alias in node.names:
                    yield node.lineno, module, alias.name
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "artgen" or alias.name.startswith("artgen."):
                    yield node.lineno, alias.name, None


def _sources():
    return sorted(p for p in PACKAGE.rglob("*.py"))


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def test_the_package_is_found():
    assert (PACKAGE / "__init__.py").is_file()
    assert len(_sources()) > 20


def test_no_module_imports_a_private_name_of_another():
    bad = []
    for path in _sources():
        for line, module, name in _imports(path):
            parts = module.split(".")[1:] + ([name] if name else [])
            if any(_is_private(part) for part in parts):
                bad.append(f"{path.relative_to(PACKAGE)}:{line}: {module} {name or ''}".rstrip())
    assert not bad, "private names imported across modules (make them public, e.g. in " \
                    "artgen.checks):\n" + "\n".join(bad)


def test_statistics_io_and_plots_do_not_import_the_models():
    bad = []
    for path in _sources():
        rel = path.relative_to(PACKAGE).as_posix()
        if not rel.startswith(MODEL_FREE) or rel in MODEL_IMPORT_ALLOWED:
            continue
        for line, module, name in _imports(path):
            if module == "artgen.models" or module.startswith("artgen.models."):
                bad.append(f"{rel}:{line}: {module} {name or ''}".rstrip())
            elif module == "artgen" and name == "models":
                bad.append(f"{rel}:{line}: artgen models")
    assert not bad, "modules that must not depend on artgen.models import it:\n" + "\n".join(bad)


def test_the_allow_list_is_still_needed():
    # An entry that no longer imports the models would silently widen the rule.
    for rel in MODEL_IMPORT_ALLOWED:
        modules = [module for _, module, _ in _imports(PACKAGE / rel)]
        assert any(m.startswith("artgen.models") for m in modules), \
            f"{rel} no longer imports artgen.models: drop it from MODEL_IMPORT_ALLOWED"


#: Modules allowed over MAX_MODULE_LINES, each with the one idea it holds.
LONG_MODULES_ALLOWED: dict[str, str] = {}

#: Longer than this, a module usually holds more than one idea.
MAX_MODULE_LINES = 600


def test_long_modules_hold_one_idea():
    lines = {p.relative_to(PACKAGE).as_posix(): len(p.read_text().splitlines()) for p in _sources()}
    long = {rel: n for rel, n in lines.items() if n > MAX_MODULE_LINES}
    bad = [f"{rel}: {n} lines" for rel, n in sorted(long.items()) if rel not in LONG_MODULES_ALLOWED]
    assert not bad, (f"modules over {MAX_MODULE_LINES} lines: split them by idea, or add them to "
                     "LONG_MODULES_ALLOWED with the one idea they hold:\n" + "\n".join(bad))
    stale = sorted(set(LONG_MODULES_ALLOWED) - set(long))
    assert not stale, "no longer over the limit: drop from LONG_MODULES_ALLOWED: " + ", ".join(stale)
