"""Provenance: what made a saved model or an AG file, recorded beside it.

Every saved model and every AG file (``.npz``, VCF, ``.hapt``) has a sidecar
``<file>.provenance.json``, written with the file and removed with it when
a step fails (:data:`SUFFIX` as an ``all_or_nothing`` companion). It records,
as msprime and tskit do for their outputs:

- ``artgen``, ``python``, ``numpy``: the versions that wrote the file;
- ``date``: when, in UTC, ISO 8601;
- ``command`` and ``arguments``: the subcommand and its parsed arguments;
- ``seed``: the ``--seed`` of that step (training or sampling);
- a model's ``model`` and ``settings``, and the SHA-256 of the data it was
  trained on (``training_data``; ``validation_data``, ``start_data`` where
  it had them): its alleles, SNP positions and chromosomes
  (:func:`data_digest`), so that the same haplotypes read from any format
  give the same digest;
- an AG file's ``models``: the record of each model file it was drawn from
  (one; one per window for a stitched chromosome), whole; a released AG
  file's ``released_from``: the record of the AG file it was released from;
- ``file``: the name and SHA-256 of the file described, which :func:`read`
  checks, so that a sidecar left beside another file is not believed.

Why a sidecar and not a record inside the file: the pipeline promises that
the same configuration and seed give byte-identical files, and a test
compares models and AGs across reruns. A date inside them breaks that, and
so do the arguments (paths differ from one working folder to another) and
artgen's version (a rerun after an upgrade that changes no number). Putting
only the deterministic part inside would still leave the arguments out and
split one record over two places. With the sidecar the data files keep
their bytes and their format, and readers of them are unchanged.
"""

from __future__ import annotations

import hashlib
import json
import logging
import platform
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from artgen import __version__
from artgen.errors import InputError
from artgen.io.atomic import atomic_output

__all__ = ["FORMAT", "SUFFIX", "command", "data_digest", "file_digest", "read", "released", "sampling",
           "sidecar", "training", "write"]

log = logging.getLogger("artgen")

#: Appended to a file's name to name its provenance record.
SUFFIX = ".provenance.json"
#: Version of the record's layout.
FORMAT = 1


def sidecar(path) -> Path:
    """Where the provenance record of ``path`` is kept: ``x.npz`` -> ``x.npz.provenance.json``."""
    path = Path(path)
    return path.with_name(path.name + SUFFIX)


def data_digest(alleles, pos=None, chrom=None) -> str:
    """SHA-256 (hex) of a haplotype matrix and, if given, its SNPs' positions
    and chromosomes.

    Parameters
    ----------
    alleles : ndarray, 0/1, shape (n_haplotypes, n_snps)
    pos : array_like of int, shape (n_snps,), optional
    chrom : array_like of str, shape (n_snps,), optional

    Returns
    -------
    str
        64 hex digits; the same for the same values whatever their dtype or
        layout, different if one allele, position or chromosome differs.
    """
    alleles = np.asarray(alleles)
    digest = hashlib.sha256(np.asarray(alleles.shape, dtype=np.int64).tobytes())
    digest.update(np.packbits(alleles.astype(np.uint8, copy=False), axis=1).tobytes())
    if pos is not None:
        digest.update(b"pos" + np.asarray(pos, dtype=np.int64).tobytes())
    if chrom is not None:
        digest.update(b"chrom" + "\0".join(np.asarray(chrom).astype(str).tolist()).encode())
    return digest.hexdigest()


def file_digest(path) -> str:
    """SHA-256 (hex) of a file's bytes."""
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def command(args) -> dict:
    """``command`` and ``arguments`` of a parsed command line (an
    ``argparse.Namespace`` of the ``artgen`` CLI)."""
    arguments = {k: v for k, v in sorted(vars(args).items()) if k not in ("func", "command")}
    # Paths and other objects as text: the record is JSON.
    return {"command": f"artgen {getattr(args, 'command', '')}".strip(),
            "arguments": json.loads(json.dumps(arguments, default=str))}


def training(args, data, *, validation=None, start=None, reference=None) -> dict:
    """The provenance of a model trained by ``args`` on ``data`` (Haplotypes),
    with the validation, start and attack reference sets it was given: what
    ``train`` passes to :meth:`artgen.models.base.Generator.save`."""
    record = {**command(args), "seed": getattr(args, "seed", None),
              "training_data": _haplotypes_digest(data)}
    for name, h in (("validation_data", validation), ("start_data", start),
                    ("attack_reference_data", reference)):
        if h is not None:
            record[name] = _haplotypes_digest(h)
    return record


def sampling(args, paths, models) -> dict:
    """The provenance of AGs drawn by ``args`` from ``models``, the
    generators loaded from the files ``paths`` (one per window of a stitched
    chromosome): each model file's own record where it has one, else the
    model's name and settings."""
    return {**command(args), "seed": getattr(args, "seed", None),
            "models": [_model_entry(path, model) for path, model in zip(paths, models)]}


def released(args, source) -> dict:
    """The provenance of AGs released by ``args`` from the AG file
    ``source``: the AG file's own record (with the models it was drawn
    from) where it has one, else its name and digest."""
    try:
        origin = read(source)
    except InputError:
        origin = {"file": {"name": Path(source).name, "sha256": file_digest(source)}}
    return {**command(args), "seed": getattr(args, "seed", None), "released_from": origin}


def write(path, fields: dict) -> None:
    """Write the provenance record of the file at ``path`` (already written):
    ``fields`` with the versions, the date and the file's digest added."""
    path = Path(path)
    record = {"format": FORMAT, "artgen": __version__, "python": platform.python_version(),
              "numpy": np.__version__,
              "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
              **fields, "file": {"name": path.name, "sha256": file_digest(path)}}
    with atomic_output(sidecar(path)) as tmp:
        tmp.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")


def read(path) -> dict:
    """The provenance record of the file at ``path`` (or of the file whose
    sidecar ``path`` is).

    Raises InputError if there is none, if it is not a record, or if the
    file is not the one it describes (its SHA-256 differs).
    """
    path = Path(path)
    if path.name.endswith(SUFFIX):
        path = path.with_name(path.name[:-len(SUFFIX)])
    record_path = sidecar(path)
    try:
        record = json.loads(record_path.read_text())
    except FileNotFoundError:
        raise InputError(f"{path}: no provenance record ({record_path.name} is missing)") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"{record_path}: not a provenance record ({exc})") from None
    if not isinstance(record, dict) or not isinstance(record.get("file"), dict):
        raise InputError(f"{record_path}: not a provenance record (no 'file' entry)")
    if record["file"].get("sha256") != file_digest(path):
        raise InputError(f"{record_path}: describes another file than {path} (its SHA-256 "
                         f"differs)")
    return record


def _haplotypes_digest(h) -> dict:
    """Digest and shape of Haplotypes ``h``."""
    return {"sha256": data_digest(h.alleles, h.pos, h.chrom),
            "n_haplotypes": int(h.alleles.shape[0]), "n_snps": int(h.alleles.shape[1])}


def _model_entry(path, model) -> dict:
    """The record of a model file for the AGs drawn from it: the model's own
    provenance record, else what the loaded model says of itself."""
    try:
        return read(path)
    except InputError as exc:
        # A model saved without one (by an older version, or copied alone).
        if sidecar(path).exists():
            log.warning("%s; recording the model's name and settings only", exc)
        return {"model": model.name, "settings": model.settings(), "file": {
            "name": Path(path).name, "sha256": file_digest(path)}}
