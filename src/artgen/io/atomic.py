"""Write outputs under a temporary name and rename them when complete, so an
interrupted step never leaves a half-written file that a later step trusts."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path


def temporary_sibling(path: Path) -> Path:
    """A hidden name beside ``path``, in the same folder so the rename is atomic."""
    return path.with_name(f".{path.name}.tmp{os.getpid()}")


@contextmanager
def atomic_output(path, *companions: str):
    """Yield a temporary path; on success rename it (and ``tmp + suffix`` for
    each companion suffix, e.g. ``".tbi"``) to ``path``; on failure delete them.

    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "x.txt"
    >>> with atomic_output(out) as tmp:
    ...     _ = tmp.write_text("done")
    >>> out.read_text()
    'done'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_sibling(path)
    pairs = [(tmp, path)] + [(Path(f"{tmp}{s}"), Path(f"{path}{s}")) for s in companions]
    try:
        yield tmp
        for src, dst in pairs:
            os.replace(src, dst)
    except BaseException:
        for src, _ in pairs:
            src.unlink(missing_ok=True)
        raise


@contextmanager
def all_or_nothing(*paths, companions: tuple[str, ...] = (".tbi",)):
    """Several outputs written one after another: if any step fails, remove
    those already written (and their companion files), so a later step never
    finds half of a set.

    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp())
    >>> try:
    ...     with all_or_nothing(out / "a.txt", out / "b.txt"):
    ...         _ = (out / "a.txt").write_text("done")
    ...         raise OSError("disk full")
    ... except OSError:
    ...     pass
    >>> (out / "a.txt").exists()
    False
    """
    try:
        yield
    except BaseException:
        for path in paths:
            if path is None:
                continue
            Path(path).unlink(missing_ok=True)
            for suffix in companions:
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        raise
