"""Write outputs under a temporary name and rename them when complete, so an
interrupted step never leaves a half-written file that a later step trusts."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path


def temporary_sibling(path: Path, *, keep_suffix: bool = False) -> Path:
    """A hidden name beside ``path``, in the same folder so the rename is
    atomic. With ``keep_suffix`` the name ends as ``path`` does, for writers
    that choose a format by the name (``.gz`` compresses)."""
    if keep_suffix:
        return path.with_name(f".tmp{os.getpid()}.{path.name}")
    return path.with_name(f".{path.name}.tmp{os.getpid()}")


def remove_outputs(*paths, companions: tuple[str, ...] = (".tbi",)) -> None:
    """Delete ``paths`` (None skipped) and their companion files, where they exist."""
    for path in paths:
        if path is None:
            continue
        Path(path).unlink(missing_ok=True)
        for suffix in companions:
            Path(f"{path}{suffix}").unlink(missing_ok=True)


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
    with atomic_outputs(path, companions={path: companions}, keep_suffix=False) as (tmp,):
        yield tmp


@contextmanager
def atomic_outputs(*paths, companions: dict | None = None, keep_suffix: bool = True):
    """Several outputs that appear together or not at all.

    Yields a list of temporary paths, one per output in ``paths``, beside
    it and (``keep_suffix``) ending as it does. When the block completes,
    each is renamed to its output, with ``tmp + suffix`` for each companion
    suffix of that output (``companions``: output path -> suffixes, e.g.
    ``{vcf: (".tbi",)}``). When the block or a rename fails, the temporary
    files and the outputs already renamed are deleted, so no step finds
    half of the set.

    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp())
    >>> with atomic_outputs(out / "a.txt", out / "b.txt.gz") as (a, b):
    ...     _ = a.write_text("A"), b.write_text("B")
    >>> b.name.endswith(".txt.gz"), sorted(p.name for p in out.iterdir())
    (True, ['a.txt', 'b.txt.gz'])
    """
    paths = [Path(p) for p in paths]
    extra = {Path(p): tuple(s) for p, s in (companions or {}).items()}
    temporaries = [temporary_sibling(p, keep_suffix=keep_suffix) for p in paths]
    pairs = []
    for tmp, path in zip(temporaries, paths):
        pairs.append((tmp, path))
        pairs += [(Path(f"{tmp}{s}"), Path(f"{path}{s}")) for s in extra.get(path, ())]
    for path in paths:
        path.parent.mkdir(parents=True, exist_ok=True)
    renamed = []
    try:
        yield temporaries
        for src, dst in pairs:
            os.replace(src, dst)
            renamed.append(dst)
    except BaseException:
        remove_outputs(*(src for src, _ in pairs), *renamed, companions=())
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
        remove_outputs(*paths, companions=companions)
        raise
