"""External command-line tools the package calls (bgzip, tabix, bcftools)."""

from __future__ import annotations

import shutil


class MissingToolError(RuntimeError):
    """An external program the pipeline needs is not installed."""


def require_tool(name: str) -> str:
    """Full path of ``name`` on PATH, or a clear error saying how to get it."""
    path = shutil.which(name)
    if path is None:
        package = {"bgzip": "tabix", "tabix": "tabix"}.get(name, name)
        raise MissingToolError(f"'{name}' is not installed; install it with "
                               f"'apt-get install {package}' (the README's set-up does this)")
    return path
