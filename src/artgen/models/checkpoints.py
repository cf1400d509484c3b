"""Training checkpoints on disk: written atomically with a checksum, the one
before kept beside it, read back only when whole.

A checkpoint is one ``.npz`` archive: the arrays of the training state and
a JSON ``meta`` member with the key of the data, settings and seed it was
written for and the arrays' SHA-256. Readers tell a damaged checkpoint
(skipped with a warning, the previous one tried) from a file that is
plainly something else (refused: the next checkpoint would replace it).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path

import numpy as np

from artgen.errors import InputError
from artgen.io.binary import ArchiveError, one_line, read_npz, write_npz
from artgen.models.base import parse_meta

log = logging.getLogger("artgen")


def is_int(value) -> bool:
    """Whether a value read from JSON metadata is an integer (not a bool)."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value) -> bool:
    """Whether a value read from JSON metadata is a number (not a bool)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def write_checkpoint(path, meta: dict, arrays: dict[str, np.ndarray]) -> None:
    """Write ``meta`` (JSON-serialisable, with a ``key``) and ``arrays``
    atomically with their checksum, keeping the checkpoint before it as
    :func:`previous_checkpoint` (the fallback if this one is found corrupt)."""
    text = json.dumps({**meta, "checksum": arrays_checksum(arrays)})
    if Path(path).exists():
        os.replace(path, previous_checkpoint(path))
    write_npz(path, {"meta": np.array(text), **arrays})


class NotACheckpoint(InputError):
    """A file at a checkpoint's path that is plainly something else: a saved
    model, a haplotype archive, a folder. Training refuses it, where it skips
    a damaged checkpoint, because the next checkpoint written would replace it."""


def newest_checkpoint(path, key: str, check=None) -> tuple[dict, dict[str, np.ndarray]] | None:
    """``(meta, arrays)`` of the newest checkpoint at ``path`` that reads back
    whole and was written for ``key`` (the latest, else the previous one), or
    None to start afresh (saying why in the log).

    A damaged checkpoint (cut short, altered, unreadable) is skipped with a
    warning: a rerun then resumes from the one before it or starts afresh,
    and ends where an uninterrupted run would. ``check(meta, arrays)`` may
    raise an InputError for a checkpoint whose contents do not fit the model;
    it is skipped the same way. A file that is plainly no checkpoint at all
    raises :class:`NotACheckpoint` instead of being overwritten.
    """
    if path is None:
        return None
    candidates = (Path(path), previous_checkpoint(path))
    # Both, even where the latest is read: the next checkpoint written moves
    # the latest onto the previous one's name, which fails on a folder.
    folder = next((p for p in candidates if p.is_dir()), None)
    if folder is not None:
        raise NotACheckpoint(f"{folder}: a folder, not a training checkpoint")
    for candidate in candidates:
        if not candidate.exists():
            continue
        try:
            meta, arrays = read_checkpoint(candidate)
            if meta["key"] != key:
                log.warning("checkpoint %s is for other data, settings or seed; starting afresh",
                            candidate)
                return None
            if check is not None:
                try:
                    check(meta, arrays)
                except InputError as exc:
                    raise InputError(f"checkpoint {candidate} does not fit the model: "
                                     f"{exc}") from None
        except NotACheckpoint:
            raise
        except InputError as exc:
            log.warning("%s; trying the previous checkpoint", exc)
            continue
        return meta, arrays
    if Path(path).exists() or previous_checkpoint(path).exists():
        log.warning("no readable checkpoint at %s; starting afresh", path)
    return None


def previous_checkpoint(path) -> Path:
    """Where the checkpoint before the latest is kept: ``x.npz`` -> ``x.prev.npz``."""
    path = Path(path)
    return path.with_name(f"{path.stem}.prev{path.suffix}")


def arrays_checksum(arrays: dict[str, np.ndarray]) -> str:
    """SHA-256 over names, dtypes, shapes and bytes of ``arrays``."""
    digest = hashlib.sha256()
    for name in sorted(arrays):
        a = np.ascontiguousarray(arrays[name])
        digest.update(f"{name}|{a.dtype.str}|{a.shape}".encode())
        digest.update(a.tobytes())
    return digest.hexdigest()


def read_checkpoint(path) -> tuple[dict, dict[str, np.ndarray]]:
    """Read a checkpoint and verify its checksum: ``(meta, arrays)``, with
    ``meta["key"]`` a string, or an InputError saying why it cannot be
    trusted (truncated, not an archive, contents changed). A file that is
    plainly no checkpoint (a saved model, haplotypes, a folder) raises
    :class:`NotACheckpoint`."""
    if Path(path).is_dir():
        raise NotACheckpoint(f"{path}: a folder, not a training checkpoint")
    try:
        arrays = read_npz(path, "training checkpoint")
    except ArchiveError as exc:
        raise InputError(f"checkpoint {path} is unreadable ({exc.reason})") from None
    if "meta" not in arrays:
        if "alleles_packed" in arrays:
            raise NotACheckpoint(f"{path}: holds haplotypes, not a training checkpoint; "
                                 f"give train another --checkpoint")
        raise InputError(f"checkpoint {path} is corrupt (no 'meta' member)")
    meta = arrays.pop("meta")
    try:
        meta = parse_meta(meta)
    except ValueError as exc:  # json.JSONDecodeError is one
        raise InputError(f"checkpoint {path} is corrupt (its 'meta' member is not JSON text: "
                         f"{one_line(exc)})") from None
    if isinstance(meta, dict) and "model" in meta and "settings" in meta:
        raise NotACheckpoint(f"{path}: holds a saved model, not a training checkpoint; "
                             f"give train another --checkpoint")
    if not isinstance(meta, dict) or meta.get("checksum") != arrays_checksum(arrays):
        raise InputError(f"checkpoint {path} is corrupt (checksum mismatch)")
    if not isinstance(meta.get("key"), str):
        raise InputError(f"checkpoint {path} is corrupt (no key of data, settings and seed)")
    return meta, arrays
