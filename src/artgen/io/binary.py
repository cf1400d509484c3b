"""The fast binary format for rule-to-rule exchange: a ``.npz`` archive that
``numpy.load`` reads, with bit-packed alleles and no pickled objects.

The archive is written with fixed timestamps, so the same haplotypes always
give the same bytes.
"""

from __future__ import annotations

import tokenize
import zipfile
import zlib

import numpy as np

from artgen.errors import InputError
from artgen.haplotypes import Haplotypes
from artgen.io.atomic import atomic_output

FORMAT_VERSION = 1
_FIELDS = ("chrom", "pos", "ref", "alt", "ids", "pops", "super_pops")
_EPOCH = (1980, 1, 1, 0, 0, 0)


def _write_member(zf: zipfile.ZipFile, name: str, array: np.ndarray) -> None:
    info = zipfile.ZipInfo(f"{name}.npy", date_time=_EPOCH)
    with zf.open(info, "w", force_zip64=True) as fh:
        np.lib.format.write_array(fh, np.asarray(array, order="C"), allow_pickle=False)


def write_npz(path, arrays: dict[str, np.ndarray]) -> None:
    """Write ``arrays`` as an uncompressed ``.npz`` with fixed timestamps (the
    same arrays always give the same bytes), complete or not at all."""
    with atomic_output(path) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED) as zf:
        for name, array in arrays.items():
            _write_member(zf, name, array)


def save_haplotypes(h: Haplotypes, path) -> None:
    """Save ``h`` to ``path`` (``.npz``)."""
    arrays = {"format_version": np.array(FORMAT_VERSION),
              "shape": np.array(h.alleles.shape, dtype=np.int64),
              "alleles_packed": np.packbits(h.alleles, axis=1)}
    arrays.update({field: getattr(h, field) for field in _FIELDS})
    write_npz(path, arrays)


#: What reading a damaged or foreign ``.npz`` raises besides FileNotFoundError:
#: the zip container (BadZipFile, and a bad CRC-32 is one; zlib.error and
#: EOFError for a compressed member cut short; NotImplementedError and
#: RuntimeError for a compression method or an encryption it does not know),
#: NumPy's member headers (ValueError; TypeError for a dtype it does not
#: know; tokenize.TokenError for a header cut off inside a bracket, as a
#: damaged header length makes it) and the file system (OSError: a folder,
#: no permission).
NPZ_ERRORS = (OSError, EOFError, ValueError, TypeError, zipfile.BadZipFile, zlib.error,
              NotImplementedError, RuntimeError, tokenize.TokenError)
#: How a zip archive starts (a local file header, or the end record of an empty one).
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_NPY_MAGIC = b"\x93NUMPY"


class ArchiveError(InputError):
    """A file that cannot be read as a ``.npz`` archive of arrays; ``reason``
    says why, without the file's name."""

    def __init__(self, path, what: str, reason: str):
        super().__init__(f"{path}: not a readable {what} ({reason})")
        self.reason = reason


def read_npz(path, what: str) -> dict[str, np.ndarray]:
    """Every array of the ``.npz`` archive at ``path``, each member read to
    its end, so that damage anywhere in the file shows now and not later, in
    the middle of a command.

    An InputError naming ``path`` if the file is missing, and an
    :class:`ArchiveError` if it is not a ``.npz`` archive of arrays or is
    damaged; ``what`` (``"haplotype archive"``, ``"saved model"``) says in
    the message what was expected. Never loads pickled objects.
    """
    arrays = {}
    try:
        with open(path, "rb") as fh:
            magic = fh.read(len(_NPY_MAGIC))
        # Named for what it is (np.load would take any other file for a pickle).
        if not magic.startswith(_ZIP_MAGIC):
            reason = ("an empty file" if not magic else
                      "a single NumPy array (.npy), not a .npz archive" if magic == _NPY_MAGIC
                      else "not a .npz (zip) archive")
            raise ArchiveError(path, what, reason)
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                with zf.open(info) as member:
                    try:
                        array = np.lib.format.read_array(member, allow_pickle=False)
                        # zipfile checks a member's CRC-32 only once it is read to its
                        # end, and np.load reads no further than the member's header
                        # says: a damaged header could cut the data short unseen.
                        if member.read(1):
                            raise ValueError("more data than its header says")
                    except NPZ_ERRORS as exc:
                        raise ArchiveError(path, what, f"member {info.filename!r}: "
                                                       f"{one_line(exc)}") from None
                arrays[info.filename.removesuffix(".npy")] = array  # np.load's names
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except InputError:  # a ValueError too
        raise
    except NPZ_ERRORS as exc:
        raise ArchiveError(path, what, one_line(exc)) from None
    return arrays


def one_line(exc: BaseException) -> str:
    """An exception's message on one line (errors are printed one per line)."""
    return " ".join(str(exc).split()) or type(exc).__name__


def load_haplotypes(path) -> Haplotypes:
    """Load haplotypes saved by :func:`save_haplotypes`; an InputError naming
    ``path`` for anything else (a damaged file, a saved model, arrays of the
    wrong type or size)."""
    data = read_npz(path, "haplotype archive")
    missing = [name for name in ("format_version", "shape", "alleles_packed", *_FIELDS)
               if name not in data]
    if missing:
        hint = (" (it holds a saved model or a training checkpoint)" if "meta" in data else "")
        raise InputError(f"{path}: not a readable haplotype archive: no {', '.join(missing)} "
                         f"member{'s' if len(missing) > 1 else ''}{hint}")
    packed, shape = data["alleles_packed"], data["shape"]
    try:
        version = int(data["format_version"])
        n_hap, n_snp = (int(x) for x in shape)
    # TypeError and ValueError: a member of the wrong dtype or size.
    except (ValueError, TypeError) as exc:
        raise InputError(f"{path}: not a readable haplotype archive ({one_line(exc)})") from None
    if version != FORMAT_VERSION:
        raise InputError(f"{path}: format version {version}, expected {FORMAT_VERSION}")
    # Checked before unpacking: unpackbits pads with zeros up to any count it is given.
    if (packed.dtype != np.uint8 or packed.ndim != 2 or packed.shape[0] != n_hap
            or not 8 * packed.shape[1] - 8 < n_snp <= 8 * packed.shape[1]):
        raise InputError(f"{path}: packed alleles are {packed.dtype} {packed.shape}, header says "
                         f"{(n_hap, n_snp)} haplotypes x SNPs")
    alleles = np.unpackbits(packed, axis=1, count=n_snp)
    try:
        return Haplotypes.build(alleles, **{f: data[f] for f in _FIELDS})
    except (InputError, ValueError, TypeError) as exc:  # e.g. text where positions belong
        raise InputError(f"{path}: {one_line(exc)}") from None
