"""The paper's ``.hapt`` haplotype files, their legend, and the 1000 Genomes
sample panel file.

A ``.hapt`` row is ``<tag> <haplotype id> <allele> <allele> ...`` with
whitespace-separated 0/1 alleles (1 = ALT). The legend (``id position a0
a1``, one row per column, ids ``chrom:pos_REF_ALT``) gives the SNPs, and the
panel file (``sample pop super_pop [gender]``) the population of each sample.
"""

from __future__ import annotations

import gzip
import io
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

from artgen.errors import InputError
from artgen.haplotypes import Haplotypes, sample_of
from artgen.io.atomic import atomic_output

PANEL_COLUMNS = ("sample", "pop", "super_pop")
LEGEND_COLUMNS = ("id", "position", "a0", "a1")


def open_binary(path):
    """Open a plain, gzip or single-member zip file for reading bytes."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: file not found")
    if zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as zf:
                members = [m for m in zf.namelist() if not m.endswith("/")]
                if len(members) != 1:
                    raise InputError(f"{path}: a zip archive must hold exactly one file, "
                                     f"found {len(members)}")
                return io.BytesIO(zf.read(members[0]))
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError,
                RuntimeError) as exc:  # RuntimeError: an encrypted member
            raise InputError(f"{path}: not a readable zip archive ({exc})") from None
    with open(path, "rb") as fh:
        magic = fh.read(2)
    if magic == b"\x1f\x8b":
        return gzip.open(path, "rb")
    return open(path, "rb")


def text_lines(path):
    """Yield ``(line number, line)`` of a plain, gzip or single-member zip
    UTF-8 text file (lines end at ``\\n``, ``\\r\\n`` or ``\\r``).

    Bytes that are not UTF-8, NUL bytes, and compressed data that is corrupt
    or cut short raise an :class:`InputError` naming the file and the line.
    """
    lineno = 0
    # Undecodable bytes pass through as surrogates, so they can be found line by line.
    with io.TextIOWrapper(open_binary(path), encoding="utf-8", errors="surrogateescape") as fh:
        try:
            for lineno, line in enumerate(fh, start=1):
                try:
                    line.encode("utf-8")
                except UnicodeEncodeError as exc:
                    byte = ord(line[exc.start]) - 0xDC00
                    raise InputError(f"{path}: line {lineno}: not UTF-8 text (byte {byte:#04x} "
                                     f"at character {exc.start + 1})") from None
                nul = line.find("\x00")
                if nul >= 0:
                    # NumPy strings drop trailing NULs, so one would pass unseen.
                    raise InputError(f"{path}: line {lineno}: NUL byte at character {nul + 1}; "
                                     f"not a text file?")
                yield lineno, line
        except (EOFError, OSError, zlib.error) as exc:  # gzip.BadGzipFile is an OSError
            raise InputError(f"{path}: line {lineno + 1}: could not be read ({exc}); "
                             f"is the file truncated or corrupt?") from None


def read_panel_file(path) -> pd.DataFrame:
    """Read a 1000 Genomes panel file into a frame indexed by sample, with
    columns ``pop`` and ``super_pop`` (extra columns such as gender are kept)."""
    lines = [(lineno, fields) for lineno, line in text_lines(path) if (fields := line.split())]
    if not lines:
        raise InputError(f"{path}: panel file is empty")
    header_line, header = lines[0]
    missing = [c for c in PANEL_COLUMNS if c not in header]
    if missing:
        raise InputError(f"{path}: line {header_line}: panel file header lacks column(s) "
                         f"{', '.join(missing)} (expected 'sample pop super_pop', found "
                         f"{' '.join(header)!r})")
    repeated = [c for c in dict.fromkeys(header) if header.count(c) > 1]
    if repeated:
        raise InputError(f"{path}: line {header_line}: column {repeated[0]!r} appears more than "
                         f"once in the header")
    rows, linenos = [], []
    for lineno, fields in lines[1:]:
        if len(fields) < len(header):
            # 1000 Genomes panel files leave trailing columns empty in places.
            fields = fields + [""] * (len(header) - len(fields))
        if len(fields) > len(header):
            raise InputError(f"{path}: line {lineno}: {len(fields)} fields for {len(header)} columns")
        rows.append(fields)
        linenos.append(lineno)
    frame = pd.DataFrame(rows, columns=header)
    dup = np.flatnonzero(frame["sample"].duplicated())
    if dup.size:
        raise InputError(f"{path}: line {linenos[dup[0]]}: sample {frame['sample'].iloc[dup[0]]!r} "
                         f"appears more than once")
    for column in ("sample", "pop", "super_pop"):
        empty = np.flatnonzero(frame[column] == "")
        if empty.size:
            raise InputError(f"{path}: line {linenos[empty[0]]}: empty {column}")
    return frame.set_index("sample")


def write_panel_file(frame: pd.DataFrame, path) -> None:
    """Write a frame indexed by sample as a tab-separated panel file."""
    with atomic_output(path) as tmp:
        frame.reset_index()[list(PANEL_COLUMNS)].to_csv(tmp, sep="\t", index=False)


def label_haplotypes(ids, panel: pd.DataFrame, source, panel_path) -> tuple[np.ndarray, np.ndarray]:
    """Population and super-population of each haplotype id, joined on the
    sample part of the id. Raises if a sample is absent from the panel
    (``source`` and ``panel_path`` name the two files in the message)."""
    samples = [sample_of(i) for i in ids]
    absent = [s for s in dict.fromkeys(samples) if s not in panel.index]
    if absent:
        more = f" and {len(absent) - 1} more" if len(absent) > 1 else ""
        raise InputError(f"{source}: sample {absent[0]!r}{more} absent from the panel file "
                         f"{panel_path}")
    rows = panel.loc[samples]
    return rows["pop"].to_numpy(dtype=str), rows["super_pop"].to_numpy(dtype=str)


def read_legend(path) -> pd.DataFrame:
    """Read a legend (``id position a0 a1``) into a frame with columns
    ``chrom pos ref alt`` (chrom is the part of ``id`` before ``:``)."""
    lines = [(lineno, fields) for lineno, line in text_lines(path) if (fields := line.split())]
    if not lines or tuple(lines[0][1][:4]) != LEGEND_COLUMNS:
        raise InputError(f"{path}: line {lines[0][0] if lines else 1}: legend header must start "
                         f"with 'id position a0 a1'")
    chrom, pos, ref, alt = [], [], [], []
    for lineno, fields in lines[1:]:
        if len(fields) < 4:
            raise InputError(f"{path}: line {lineno}: expected 4 fields, found {len(fields)}")
        snp_id, position, a0, a1 = fields[:4]
        snp_chrom = snp_id.split(":", 1)[0]
        if ":" not in snp_id or not snp_chrom:
            raise InputError(f"{path}: line {lineno}: id {snp_id!r} does not start with 'chrom:'")
        # isdigit alone would let through digits such as '²' that int() refuses.
        if not (position.isascii() and position.isdigit()) or int(position) < 1:
            raise InputError(f"{path}: line {lineno}: position {position!r} is not a positive integer")
        chrom.append(snp_chrom)
        pos.append(int(position))
        ref.append(a0)
        alt.append(a1)
    return pd.DataFrame({"chrom": chrom, "pos": np.array(pos, dtype=np.int64), "ref": ref, "alt": alt})


def write_legend(h: Haplotypes, path) -> None:
    """Write the legend of ``h``'s SNPs."""
    frame = pd.DataFrame({"id": h.snp_ids, "position": h.pos, "a0": h.ref, "a1": h.alt})
    with atomic_output(path) as tmp:
        frame.to_csv(tmp, sep=" ", index=False)


def read_hapt(path, legend=None, panel=None) -> Haplotypes:
    """Read a ``.hapt`` file (plain, gzip or zip).

    Parameters
    ----------
    path : path of the ``.hapt`` file.
    legend : path of its legend; without one, SNPs are named by column
        (chrom ``"."``, positions 1..n, alleles ``0``/``1``).
    panel : path of a panel file; population labels come from it (joined on
        the sample part of each haplotype id). Without one, the tag column
        is taken as the population label.

    Returns
    -------
    Haplotypes with ``alleles`` of shape (n_rows, n_columns - 2).
    """
    ids, tags, rows = [], [], []
    n_snps = None
    for lineno, line in text_lines(path):
        fields = line.split()
        if not fields:
            continue
        if len(fields) < 3:
            raise InputError(f"{path}: line {lineno}: expected a tag, an id and alleles, "
                             f"found {len(fields)} field(s)")
        if n_snps is None:
            n_snps = len(fields) - 2
        elif len(fields) - 2 != n_snps:
            raise InputError(f"{path}: line {lineno}: {len(fields) - 2} alleles, "
                             f"expected {n_snps} as on the first row")
        row = np.array(fields[2:])
        bad = np.flatnonzero((row != "0") & (row != "1"))
        if bad.size:
            raise InputError(f"{path}: line {lineno}, allele column {bad[0] + 1}: "
                             f"value {str(row[bad[0]])!r} is not 0 or 1")
        tags.append(fields[0])
        ids.append(fields[1])
        rows.append(row == "1")
    if not rows:
        raise InputError(f"{path}: no haplotypes in file")
    alleles = np.array(rows, dtype=np.uint8)
    if len(set(ids)) != len(ids):
        dup = next(i for i in ids if ids.count(i) > 1)
        raise InputError(f"{path}: haplotype id {dup!r} appears more than once")
    if legend is not None:
        snps = read_legend(legend)
        if len(snps) != n_snps:
            raise InputError(f"{legend}: {len(snps)} SNPs in the legend but {n_snps} "
                             f"allele columns in {path}")
    else:
        snps = pd.DataFrame({"chrom": ["."] * n_snps, "pos": np.arange(1, n_snps + 1),
                             "ref": ["0"] * n_snps, "alt": ["1"] * n_snps})
    if panel is not None:
        pops, super_pops = label_haplotypes(ids, read_panel_file(panel), path, panel)
    else:
        pops, super_pops = np.array(tags, dtype=str), None
    return Haplotypes.build(alleles, chrom=snps["chrom"], pos=snps["pos"], ref=snps["ref"],
                            alt=snps["alt"], ids=ids, pops=pops, super_pops=super_pops)


def write_hapt(h: Haplotypes, path, tag: str | None = None) -> None:
    """Write ``h`` as a ``.hapt`` file (gzip-compressed if the name ends in
    ``.gz``). The first column is ``tag`` if given, else each haplotype's
    population (``Real`` where unknown)."""
    if tag is not None:
        tags = np.full(h.n_haplotypes, tag)
    else:
        tags = np.where(h.pops == "", "Real", h.pops)
    chars = np.where(h.alleles == 1, "1", "0")
    lines = "".join(f"{t} {i} {' '.join(row)}\n" for t, i, row in zip(tags, h.ids, chars))
    path = Path(path)
    with atomic_output(path) as tmp:
        if path.suffix == ".gz":
            # No name and mtime=0 in the header keep the bytes identical from run to run.
            with open(tmp, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", filename="", mtime=0) as fh:
                fh.write(lines.encode())
        else:
            tmp.write_text(lines)
