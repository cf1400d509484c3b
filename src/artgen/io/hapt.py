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
from pathlib import Path

import numpy as np
import pandas as pd

from artgen.errors import InputError
from artgen.haplotypes import Haplotypes, sample_of
from artgen.io.atomic import atomic_output

PANEL_COLUMNS = ("sample", "pop", "super_pop")
LEGEND_COLUMNS = ("id", "position", "a0", "a1")


def open_text(path):
    """Open a plain, gzip or single-member zip text file for reading."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: file not found")
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            members = [m for m in zf.namelist() if not m.endswith("/")]
            if len(members) != 1:
                raise InputError(f"{path}: a zip archive must hold exactly one file, found {len(members)}")
            return io.TextIOWrapper(io.BytesIO(zf.read(members[0])), encoding="utf-8")
    with open(path, "rb") as fh:
        magic = fh.read(2)
    if magic == b"\x1f\x8b":
        return gzip.open(path, "rt", encoding="utf-8")
    return open(path, encoding="utf-8")


def read_panel_file(path) -> pd.DataFrame:
    """Read a 1000 Genomes panel file into a frame indexed by sample, with
    columns ``pop`` and ``super_pop`` (extra columns such as gender are kept)."""
    with open_text(path) as fh:
        lines = [line.split() for line in fh if line.strip()]
    if not lines:
        raise InputError(f"{path}: panel file is empty")
    header = lines[0]
    missing = [c for c in PANEL_COLUMNS if c not in header]
    if missing:
        raise InputError(f"{path}: line 1: panel file header lacks column(s) {', '.join(missing)} "
                         f"(expected 'sample pop super_pop', found {' '.join(header)!r})")
    rows = []
    for lineno, fields in enumerate(lines[1:], start=2):
        if len(fields) < len(header):
            # 1000 Genomes panel files leave trailing columns empty in places.
            fields = fields + [""] * (len(header) - len(fields))
        if len(fields) > len(header):
            raise InputError(f"{path}: line {lineno}: {len(fields)} fields for {len(header)} columns")
        rows.append(fields)
    frame = pd.DataFrame(rows, columns=header)
    dup = frame["sample"][frame["sample"].duplicated()]
    if len(dup):
        raise InputError(f"{path}: sample {dup.iloc[0]!r} appears more than once")
    for column in ("sample", "pop", "super_pop"):
        empty = frame[column] == ""
        if empty.any():
            raise InputError(f"{path}: line {int(np.flatnonzero(empty)[0]) + 2}: empty {column}")
    return frame.set_index("sample")


def write_panel_file(frame: pd.DataFrame, path) -> None:
    """Write a frame indexed by sample as a tab-separated panel file."""
    with atomic_output(path) as tmp:
        frame.reset_index()[list(PANEL_COLUMNS)].to_csv(tmp, sep="\t", index=False)


def label_haplotypes(ids, panel: pd.DataFrame, source) -> tuple[np.ndarray, np.ndarray]:
    """Population and super-population of each haplotype id, joined on the
    sample part of the id. Raises if a sample is absent from the panel."""
    samples = [sample_of(i) for i in ids]
    absent = [s for s in dict.fromkeys(samples) if s not in panel.index]
    if absent:
        more = f" and {len(absent) - 1} more" if len(absent) > 1 else ""
        raise InputError(f"{source}: sample {absent[0]!r}{more} absent from the panel file")
    rows = panel.loc[samples]
    return rows["pop"].to_numpy(dtype=str), rows["super_pop"].to_numpy(dtype=str)


def read_legend(path) -> pd.DataFrame:
    """Read a legend (``id position a0 a1``) into a frame with columns
    ``chrom pos ref alt`` (chrom is the part of ``id`` before ``:``)."""
    with open_text(path) as fh:
        lines = [line.split() for line in fh if line.strip()]
    if not lines or tuple(lines[0][:4]) != LEGEND_COLUMNS:
        raise InputError(f"{path}: line 1: legend header must start with 'id position a0 a1'")
    chrom, pos, ref, alt = [], [], [], []
    for lineno, fields in enumerate(lines[1:], start=2):
        if len(fields) < 4:
            raise InputError(f"{path}: line {lineno}: expected 4 fields, found {len(fields)}")
        snp_id, position, a0, a1 = fields[:4]
        if ":" not in snp_id:
            raise InputError(f"{path}: line {lineno}: id {snp_id!r} does not start with 'chrom:'")
        if not position.isdigit() or int(position) < 1:
            raise InputError(f"{path}: line {lineno}: position {position!r} is not a positive integer")
        chrom.append(snp_id.split(":", 1)[0])
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
    with open_text(path) as fh:
        for lineno, line in enumerate(fh, start=1):
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
        pops, super_pops = label_haplotypes(ids, read_panel_file(panel), path)
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
