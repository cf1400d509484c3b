"""The fast binary format for rule-to-rule exchange: a ``.npz`` archive that
``numpy.load`` reads, with bit-packed alleles and no pickled objects.

The archive is written with fixed timestamps, so the same haplotypes always
give the same bytes.
"""

from __future__ import annotations

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


def load_haplotypes(path) -> Haplotypes:
    """Load haplotypes saved by :func:`save_haplotypes`."""
    try:
        with np.load(path, allow_pickle=False) as data:
            version = int(data["format_version"])
            if version != FORMAT_VERSION:
                raise InputError(f"{path}: format version {version}, expected {FORMAT_VERSION}")
            n_hap, n_snp = (int(x) for x in data["shape"])
            alleles = np.unpackbits(data["alleles_packed"], axis=1, count=n_snp)
            fields = {f: data[f] for f in _FIELDS}
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except InputError:
        raise
    # TypeError: an array of the wrong dtype or size; the rest: a damaged zip container.
    except (OSError, KeyError, ValueError, TypeError, zipfile.BadZipFile, zlib.error, EOFError,
            NotImplementedError, RuntimeError) as exc:
        raise InputError(f"{path}: not a readable haplotype archive ({exc})") from None
    if alleles.shape != (n_hap, n_snp):
        raise InputError(f"{path}: allele matrix is {alleles.shape}, header says {(n_hap, n_snp)}")
    try:
        return Haplotypes.build(alleles, **fields)
    except (InputError, ValueError, TypeError) as exc:  # e.g. text where positions belong
        raise InputError(f"{path}: {exc}") from None
