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
