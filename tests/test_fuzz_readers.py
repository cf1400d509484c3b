"""Property-based tests of the readers: random valid files round-trip, and
damaged ``.hapt``, legend, panel, VCF and ``.npz`` inputs (haplotypes, saved
models, training checkpoints) give either a correct parse or an
:class:`InputError` naming the file, never another exception, and a command
that fails on them prints one error line and leaves no output behind."""

from __future__ import annotations

import gzip
import io
import json
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from contextlib import contextmanager, redirect_stderr
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from artgen.cli import main
from artgen.errors import InputError
from artgen.haplotypes import Haplotypes, haplotype_ids
from artgen.io import (load_haplotypes, read_hapt, read_legend, read_panel_file, read_vcf,
                       save_haplotypes, write_hapt, write_legend, write_panel_file, write_vcf)
from artgen.io.binary import read_npz, write_npz
from artgen.models import load_generator
from artgen.models.gan import GANGenerator
from artgen.models.gan_trainer import layer_sizes
from artgen.models.checkpoints import arrays_checksum

# cyvcf2 warns when a region holds no record; damaged files make that common here.
pytestmark = pytest.mark.filterwarnings("ignore:no intervals found:UserWarning")

# Each example writes a few small files (and runs bgzip/tabix for VCFs), so
# the example counts are kept modest; the whole module runs in well under a minute.
FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEW = settings(FUZZ, max_examples=40)  # round trips through bgzip/tabix, and whole commands


@contextmanager
def folder():
    """A fresh folder per example (pytest's tmp_path is shared by all examples)."""
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


# --- valid haplotype sets -------------------------------------------------------------------

NAMES = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.",
                min_size=1, max_size=6)


@st.composite
def haplotype_sets(draw, max_samples: int = 4, max_snps: int = 6) -> Haplotypes:
    """Diploid samples (haplotypes ``<sample>_A``/``_B``, one population per
    sample) at SNPs sorted by position within consecutive chromosomes."""
    samples = draw(st.lists(NAMES, min_size=1, max_size=max_samples, unique=True))
    n_snps = draw(st.integers(1, max_snps))
    chroms = draw(st.lists(st.sampled_from(["1", "2", "15", "X"]), min_size=1, max_size=2,
                           unique=True))
    chrom = sorted(draw(st.lists(st.sampled_from(chroms), min_size=n_snps, max_size=n_snps)),
                   key=chroms.index)
    pos = np.cumsum(draw(st.lists(st.integers(1, 10**6), min_size=n_snps, max_size=n_snps)))
    alleles_pairs = [draw(st.permutations("ACGT"))[:2] for _ in range(n_snps)]
    pops = draw(st.lists(st.sampled_from(["GBR", "YRI", "P1"]), min_size=len(samples),
                         max_size=len(samples)))
    alleles = draw(arrays(np.uint8, (2 * len(samples), n_snps), elements=st.integers(0, 1)))
    return Haplotypes.build(alleles, chrom=chrom, pos=pos, ref=[a for a, _ in alleles_pairs],
                            alt=[b for _, b in alleles_pairs], ids=haplotype_ids(samples),
                            pops=np.repeat(pops, 2),
                            super_pops=np.repeat([p[0] for p in pops], 2))


def panel_frame(h: Haplotypes) -> pd.DataFrame:
    """The panel file (sample, pop, super_pop) of ``h``'s samples."""
    return pd.DataFrame({"sample": h.samples[0::2], "pop": h.pops[0::2],
                         "super_pop": h.super_pops[0::2]}).set_index("sample")


def write_hapt_files(h: Haplotypes, folder: Path) -> None:
    """``h`` in the paper's format: ``x.hapt``, ``x.legend`` and ``x.panel``."""
    write_hapt(h, folder / "x.hapt")
    write_legend(h, folder / "x.legend")
    write_panel_file(panel_frame(h), folder / "x.panel")


def assert_valid(h: Haplotypes) -> None:
    """What every parse must give: 0/1 alleles and shapes that agree."""
    assert isinstance(h, Haplotypes)
    assert h.alleles.dtype == np.uint8 and h.alleles.ndim == 2 and h.alleles.size > 0
    assert set(np.unique(h.alleles)) <= {0, 1}
    for name in ("chrom", "pos", "ref", "alt"):
        assert getattr(h, name).shape == (h.n_snps,), name
    for name in ("ids", "pops", "super_pops"):
        assert getattr(h, name).shape == (h.n_haplotypes,), name


def assert_sites_in_order(h: Haplotypes) -> None:
    """What a VCF parse must also give: unique haplotype ids, and positions of
    1 or more sorted within consecutive chromosomes. (A legend may list SNPs
    in any order: a SNP-list panel keeps it.)"""
    assert len(set(h.ids)) == h.n_haplotypes
    assert (h.pos >= 1).all()
    runs = [c for i, c in enumerate(h.chrom) if i == 0 or c != h.chrom[i - 1]]
    assert len(runs) == len(set(runs)), "a chromosome's SNPs are not consecutive"
    same = h.chrom[1:] == h.chrom[:-1]
    assert (h.pos[1:][same] >= h.pos[:-1][same]).all(), "positions not sorted"


def parse_or_input_error(read, path, *args, **kwargs):
    """``read(path, ...)``, checked, or None when it raised an InputError
    naming ``path``; any other exception fails the test."""
    try:
        h = read(path, *args, **kwargs)
    except InputError as exc:
        assert str(path) in str(exc), f"the error does not name {path}: {exc}"
        event("input error")
        return None
    assert_valid(h)
    event("parsed")
    return h


# --- damaging text and files ----------------------------------------------------------------

TOKENS = st.one_of(
    st.sampled_from(["0", "1", "2", ".", "-1", "00", "1.0", "0/1", "1/0", "0|1", "1|0", ".|.",
                     "0|.", "0|2", "0|1|1", "A", "AT", "G,T", "<DEL>", "*", "x", "NaN", "1e3",
                     "#", "#CHROM", "id", "position", "sample", "pop", "\u00b2", "\u0663",
                     "\u00e9", "\x00", "\r", " ", "\t", "\x0b", ""]),
    st.text(max_size=4))
BAD_BYTES = st.sampled_from([b"\xff", b"\xc3", b"\x80\x81", b"\x00", b"\x1f\x8b", b"PK\x03\x04"])
LINE_OPS = ["delete", "duplicate", "swap", "blank", "insert_line", "insert_field",
            "replace_field", "delete_field", "replace_char", "join", "column", "column"]

# Likely mistakes in given columns of data lines: (first column, last column or None, values).
HAPT_COLUMNS = [(2, None, st.sampled_from(["2", ".", "-1", "01", "1.0", "A", "0/1", "0|1"]))]
VCF_COLUMNS = [
    (1, 1, st.sampled_from(["0", "-5", "x1", "1.5", "", "99999999999", "1e3"])),        # POS
    (3, 4, st.sampled_from(["G,T", "AT", ".", "N", "*", "<DEL>", "a", "A", "G", ""])),   # REF, ALT
    (8, 8, st.sampled_from(["GT:DP", "DP", ".", "", "GT:GT"])),                          # FORMAT
    (9, None, st.sampled_from(["0/1", "1/0", "1/1", ".", ".|.", "0|.", "0|2", "0", "1|1|0",
                               "0|1:5", "x|y", "", "0||1"])),                            # genotypes
]


def mutate(data, text: str, sep: str, columns=()) -> bytes:
    """``text`` with one to three line or field edits (``columns`` gives likely
    mistakes per column of data lines), then perhaps a byte-level edit."""
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    for _ in range(data.draw(st.integers(1, 3), label="n_edits")):
        if not lines:
            lines = [""]
        op = data.draw(st.sampled_from(LINE_OPS), label="op")
        i = data.draw(st.integers(0, len(lines) - 1), label="line")
        fields = lines[i].split(sep)
        k = data.draw(st.integers(0, len(fields) - 1), label="field")
        if op == "column":
            if not columns or lines[i].startswith("#"):
                continue
            first, last, values = data.draw(st.sampled_from(columns), label="column")
            k = data.draw(st.integers(first, max(first, len(fields) - 1) if last is None else last),
                          label="column index")
            if k < len(fields):
                fields[k] = data.draw(values, label="value")
                lines[i] = sep.join(fields)
        elif op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = data.draw(st.integers(0, len(lines) - 1), label="other line")
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "blank":
            lines[i] = ""
        elif op == "insert_line":
            lines.insert(i, sep.join(data.draw(st.lists(TOKENS, max_size=4), label="new line")))
        elif op == "insert_field":
            fields.insert(k, data.draw(TOKENS, label="token"))
        elif op == "replace_field":
            fields[k] = data.draw(TOKENS, label="token")
        elif op == "delete_field":
            del fields[k]
        elif op == "replace_char" and lines[i]:
            c = data.draw(st.integers(0, len(lines[i]) - 1), label="char")
            lines[i] = lines[i][:c] + data.draw(TOKENS, label="token") + lines[i][c + 1:]
        elif op == "join" and i + 1 < len(lines):
            lines[i:i + 2] = [lines[i] + sep + lines[i + 1]]
        if op in ("insert_field", "replace_field", "delete_field"):
            lines[i] = sep.join(fields)
    raw = "".join(line + "\n" for line in lines).encode()
    byte_op = data.draw(st.sampled_from(["none", "none", "truncate", "garbage", "empty"]),
                        label="byte op")
    if byte_op == "truncate":
        raw = raw[:data.draw(st.integers(0, len(raw)), label="cut")]
    elif byte_op == "garbage":
        at = data.draw(st.integers(0, len(raw)), label="at")
        raw = raw[:at] + data.draw(st.one_of(BAD_BYTES, st.binary(min_size=1, max_size=8)),
                                   label="garbage") + raw[at:]
    elif byte_op == "empty":
        raw = b""
    return raw


def damage_compressed(data, packed: bytes) -> bytes:
    """Perhaps cut a compressed stream short or flip one of its bytes."""
    op = data.draw(st.sampled_from(["none", "none", "truncate", "flip"]), label="container op")
    if op == "truncate":
        return packed[:data.draw(st.integers(0, len(packed) - 1), label="cut")]
    if op == "flip":
        at = data.draw(st.integers(0, len(packed) - 1), label="at")
        return packed[:at] + bytes([packed[at] ^ data.draw(st.integers(1, 255))]) + packed[at + 1:]
    return packed


def write_packed(data, raw: bytes, path: Path) -> Path:
    """Write ``raw`` to ``path`` plain, gzip-compressed or zipped (then perhaps damaged)."""
    kind = data.draw(st.sampled_from(["plain", "gzip", "zip"]), label="container")
    if kind == "plain":
        path.write_bytes(raw)
        return path
    if kind == "gzip":
        path = path.with_name(path.name + ".gz")
        path.write_bytes(damage_compressed(data, gzip.compress(raw, mtime=0)))
        return path
    path = path.with_name(path.name + ".zip")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(path.stem, raw)
    path.write_bytes(damage_compressed(data, path.read_bytes()))
    return path


# --- .hapt, legend and panel ----------------------------------------------------------------


@FUZZ
@given(h=haplotype_sets(), suffix=st.sampled_from([".hapt", ".hapt.gz", ".hapt.zip"]))
def test_hapt_legend_and_panel_round_trip(h, suffix):
    with folder() as d:
        hapt = d / "x.hapt"
        write_hapt(h, hapt.with_suffix(".hapt.gz") if suffix == ".hapt.gz" else hapt)
        if suffix == ".hapt.zip":
            with zipfile.ZipFile(d / "x.hapt.zip", "w") as zf:
                zf.write(hapt, "x.hapt")
        write_legend(h, d / "x.legend")
        write_panel_file(panel_frame(h), d / "x.panel")
        back = read_hapt(d / f"x{suffix}", d / "x.legend", d / "x.panel")
    assert back.same_as(h)


def expected_hapt_rows(raw: bytes) -> list[list[str]]:
    """The rows of a .hapt text: its lines (ended by \\n, \\r\\n or \\r) split at whitespace."""
    lines = raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return [line.split() for line in lines if line.split()]


@FUZZ
@given(h=haplotype_sets(), data=st.data())
def test_damaged_hapt_parses_correctly_or_raises_input_error(h, data):
    with folder() as d:
        write_hapt_files(h, d)
        raw = mutate(data, (d / "x.hapt").read_text(), " ", HAPT_COLUMNS)
        hapt = write_packed(data, raw, d / "bad.hapt")
        with_files = data.draw(st.sampled_from(["none", "legend", "legend and panel"]))
        args = {"none": (), "legend": (d / "x.legend",),
                "legend and panel": (d / "x.legend", d / "x.panel")}[with_files]
        back = parse_or_input_error(read_hapt, hapt, *args)
    if back is not None:
        rows = expected_hapt_rows(raw)
        assert len(set(back.ids)) == back.n_haplotypes
        assert back.ids.tolist() == [r[1] for r in rows]
        np.testing.assert_array_equal(back.alleles, np.array([r[2:] for r in rows], dtype=int))
        if with_files == "none":
            assert back.pops.tolist() == [r[0] for r in rows]
        else:
            assert back.pos.tolist() == h.pos.tolist()


@FUZZ
@given(h=haplotype_sets(), data=st.data())
def test_damaged_legend_parses_correctly_or_raises_input_error(h, data):
    with folder() as d:
        write_legend(h, d / "x.legend")
        raw = mutate(data, (d / "x.legend").read_text(), " ")
        legend = write_packed(data, raw, d / "bad.legend")
        snps = parse_or_input_error(read_legend_as_haplotypes, legend)
    if snps is not None:
        assert (snps.pos >= 1).all()
        rows = expected_hapt_rows(raw)[1:]
        assert snps.pos.tolist() == [int(r[1]) for r in rows]
        assert snps.chrom.tolist() == [r[0].split(":")[0] for r in rows]


def read_legend_as_haplotypes(path) -> Haplotypes:
    """A legend's SNPs as one all-REF haplotype, so that assert_valid can check them."""
    snps = read_legend(path)
    if len(snps) == 0:
        raise InputError(f"{path}: no SNPs")  # a header alone is a valid, empty legend
    return Haplotypes.build(np.zeros((1, len(snps))), chrom=snps["chrom"], pos=snps["pos"],
                            ref=snps["ref"], alt=snps["alt"], ids=["ref"])


@FUZZ
@given(h=haplotype_sets(), data=st.data())
def test_damaged_panel_file_parses_or_raises_input_error(h, data):
    with folder() as d:
        write_hapt(h, d / "x.hapt")
        write_panel_file(panel_frame(h), d / "x.panel")
        raw = mutate(data, (d / "x.panel").read_text(), "\t")
        panel = write_packed(data, raw, d / "bad.panel")
        try:
            frame = read_panel_file(panel)
        except InputError as exc:
            assert str(panel) in str(exc), f"the error does not name {panel}: {exc}"
            event("input error")
            return
        event("parsed")
        assert frame.index.is_unique and {"pop", "super_pop"} <= set(frame.columns)
        assert (frame[["pop", "super_pop"]] != "").all().all() and (frame.index != "").all()
        try:
            back = read_hapt(d / "x.hapt", panel=panel)
        except InputError as exc:  # the damage took a sample out of the panel
            assert str(d / "x.hapt") in str(exc) and str(panel) in str(exc), str(exc)
            return
    assert back.pops.tolist() == frame.loc[h.samples, "pop"].tolist()


# --- VCF ------------------------------------------------------------------------------------

def bgzip(path: Path) -> Path:
    """Block-gzip ``path`` in place; returns the ``.gz`` path."""
    subprocess.run(["bgzip", "-f", str(path)], check=True, capture_output=True)
    return path.with_name(path.name + ".gz")


def tabix(path: Path) -> bool:
    """Index a bgzipped VCF; False where tabix refuses it (unsorted, damaged)."""
    result = subprocess.run(["tabix", "-f", "-p", "vcf", str(path)], capture_output=True)
    return result.returncode == 0


def expected_vcf(raw: bytes) -> tuple[list[str], list[list[str]]]:
    """Sample names and record lines (split at tabs) of a VCF text."""
    # htslib passes bytes that are not UTF-8 through where they do not matter (meta lines, IDs).
    # htslib also takes \r\n line ends, and skips a line that is only \r.
    lines = [line.removesuffix("\r") for line in
             raw.decode("utf-8", errors="replace").split("\n")]
    samples = next(line for line in lines if line.startswith("#CHROM")).split("\t")[9:]
    return samples, [line.split("\t") for line in lines if line and not line.startswith("#")]


def check_against_text(back: Haplotypes, raw: bytes) -> None:
    """A parse that succeeded holds what the text says, site by site."""
    samples, records = expected_vcf(raw)
    assert back.ids.tolist() == haplotype_ids(samples).tolist()
    assert back.chrom.tolist() == [r[0] for r in records]
    assert back.pos.tolist() == [int(r[1]) for r in records]
    assert back.ref.tolist() == [r[3] for r in records]
    assert back.alt.tolist() == [r[4] for r in records]
    for j, record in enumerate(records):
        if record[8] == "GT":
            calls = [gt.split(":")[0].replace("/", "|").split("|")
                     for gt in record[9:9 + len(samples)]]
            assert back.alleles[:, j].tolist() == [int(a) for call in calls for a in call[:2]]


@FEW
@given(h=haplotype_sets(), unphased=st.booleans())
def test_vcf_round_trip(h, unphased):
    with folder() as d:
        write_vcf(h, d / "x.vcf.gz", phased=not unphased)
        back = read_vcf(d / "x.vcf.gz", phased=not unphased)
        first = read_vcf(d / "x.vcf.gz", region=h.chrom[0], phased=not unphased)
    for field in ("chrom", "pos", "ref", "alt", "ids"):
        assert getattr(back, field).tolist() == getattr(h, field).tolist()
    if unphased:  # only the genotype (sum of the two alleles) survives
        np.testing.assert_array_equal(back.alleles[0::2] + back.alleles[1::2],
                                      h.alleles[0::2] + h.alleles[1::2])
    else:
        np.testing.assert_array_equal(back.alleles, h.alleles)
    assert first.pos.tolist() == h.pos[h.chrom == h.chrom[0]].tolist()


@FUZZ
@given(h=haplotype_sets(), data=st.data())
def test_damaged_vcf_parses_correctly_or_raises_input_error(h, data):
    with folder() as d:
        write_vcf(h, d / "x.vcf.gz")
        raw = mutate(data, gzip.decompress((d / "x.vcf.gz").read_bytes()).decode(), "\t",
                     VCF_COLUMNS)
        plain = d / "bad.vcf"
        plain.write_bytes(raw)
        kind = data.draw(st.sampled_from(["plain", "bgzip", "bgzip+tabix", "gzip", "cut bgzip"]))
        path = plain
        if kind == "gzip":  # not block-gzipped: htslib still reads it from start to end
            path = d / "bad.vcf.gz"
            path.write_bytes(gzip.compress(raw, mtime=0))
        elif kind != "plain":
            path = bgzip(plain)
            if kind == "cut bgzip":
                packed = path.read_bytes()
                path.write_bytes(packed[:data.draw(st.integers(0, len(packed) - 1))])
        indexed = kind == "bgzip+tabix" and tabix(path)
        region = data.draw(st.sampled_from([None, "1", "2"])) if indexed else None
        samples = data.draw(st.sampled_from([None, list(h.samples[0::2][:1]), ["nobody"]]))
        back = parse_or_input_error(read_vcf, path, samples=samples, region=region,
                                    phased=data.draw(st.booleans()))
    if back is not None:
        assert_sites_in_order(back)
        if region is None and samples is None:
            check_against_text(back, raw)


# --- the binary format ----------------------------------------------------------------------

ARRAYS = st.one_of(
    arrays(st.sampled_from([np.uint8, np.int64, np.float64, np.bool_]),
           st.sampled_from([(), (0,), (1,), (2,), (3,), (2, 1), (1, 3), (0, 2)])),
    arrays(np.dtype("<U3"), st.integers(0, 4),  # NumPy strings cannot end in NUL
           elements=st.text(st.characters(exclude_characters="\x00"), max_size=3)))


def write_damaged_archive(data, h: Haplotypes, path: Path, others=None) -> None:
    """``h`` saved to ``path`` with an array dropped or replaced, or bytes
    damaged, or (from ``others``, name -> bytes) a file of another kind."""
    save_haplotypes(h, path)
    with np.load(path) as archive:
        contents = dict(archive)
    op = data.draw(st.sampled_from(["drop", "replace", "bytes"] + ["other file"] * bool(others)),
                   label="archive op")
    if op == "bytes":
        path.write_bytes(damage_compressed(data, path.read_bytes()))
        return
    if op == "other file":
        path.write_bytes(others[data.draw(st.sampled_from(sorted(others)), label="other file")])
        return
    key = data.draw(st.sampled_from(sorted(contents)), label="array")
    if op == "drop":
        del contents[key]
    else:
        contents[key] = data.draw(ARRAYS, label="new array")
    write_npz(path, contents)


@FUZZ
@given(h=haplotype_sets(), data=st.data())
def test_damaged_archive_loads_or_raises_input_error(saved, h, data):
    others = {name: raw for name, raw in other_files(saved).items() if name != "haplotypes"}
    with folder() as d:
        write_damaged_archive(data, h, d / "bad.npz", others)
        parse_or_input_error(load_haplotypes, d / "bad.npz")


# --- commands leave nothing behind ----------------------------------------------------------


def assert_all_or_nothing(rc: int, out: Path, names) -> None:
    """Status 0 with every output in place, or status 2 with none (and no temporary file)."""
    left = sorted(p.name for p in out.iterdir()) if out.exists() else []
    if rc == 0:
        assert set(names) <= set(left)
    else:
        assert rc == 2
        assert left == [], f"a failed command left {left}"


@FEW
@given(h=haplotype_sets(), data=st.data())
def test_import_hapt_writes_all_or_nothing(h, data):
    with folder() as d:
        write_hapt_files(h, d)
        target = data.draw(st.sampled_from(["x.hapt", "x.legend", "x.panel"]))
        sep = "\t" if target == "x.panel" else " "
        columns = HAPT_COLUMNS if target == "x.hapt" else ()
        (d / target).write_bytes(mutate(data, (d / target).read_text(), sep, columns))
        out = d / "out"
        rc = main(["import-hapt", "--hapt", str(d / "x.hapt"), "--legend", str(d / "x.legend"),
                   "--panel-file", str(d / "x.panel"), "--out", str(out / "p.npz")])
        event(f"exit status {rc}")
        assert_all_or_nothing(rc, out, ["p.npz"])
        if rc == 0:
            assert load_haplotypes(out / "p.npz").same_as(
                read_hapt(d / "x.hapt", d / "x.legend", d / "x.panel"))


def test_import_hapt_with_vcf_out_writes_nothing_when_the_vcf_fails(tmp_path):
    (tmp_path / "x.hapt").write_text("Real S1_A 0 1\nReal S1_B 1 1\nReal S2_A 0 0\n")
    (tmp_path / "x.legend").write_text("id position a0 a1\n1:5_A_G 5 A G\n1:9_C_T 9 C T\n")
    (tmp_path / "x.panel").write_text("sample pop super_pop\nS1 P A\nS2 P A\n")
    out = tmp_path / "out"
    rc = main(["import-hapt", "--hapt", str(tmp_path / "x.hapt"), "--legend",
               str(tmp_path / "x.legend"), "--panel-file", str(tmp_path / "x.panel"),
               "--out", str(out / "p.npz"), "--vcf-out", str(out / "p.vcf.gz")])
    assert_all_or_nothing(rc, out, ["p.npz", "p.vcf.gz"])


@FEW
@given(h=haplotype_sets(), data=st.data())
def test_convert_writes_all_or_nothing(h, data):
    with folder() as d:
        if data.draw(st.booleans(), label="damaged"):
            write_damaged_archive(data, h, d / "x.npz")
        else:
            save_haplotypes(h, d / "x.npz")
        out = d / "out"
        rc = main(["convert", str(d / "x.npz"), "--vcf-out", str(out / "c.vcf.gz"),
                   "--hapt-out", str(out / "c.hapt"), "--legend-out", str(out / "c.legend")])
        event(f"exit status {rc}")
        assert_all_or_nothing(rc, out, ["c.vcf.gz", "c.vcf.gz.tbi", "c.hapt", "c.legend"])
        if rc == 0:
            written = read_hapt(out / "c.hapt", out / "c.legend")
            np.testing.assert_array_equal(written.alleles, load_haplotypes(d / "x.npz").alleles)


@FEW
@given(h=haplotype_sets(max_samples=3), kind=st.sampled_from(["dense", "snp list"]),
       data=st.data())
def test_build_panel_from_damaged_vcf_writes_all_or_nothing(h, kind, data):
    with folder() as d:
        write_vcf(h, d / "x.vcf.gz")
        write_panel_file(panel_frame(h), d / "x.panel")
        write_legend(h.take_snps(h.chrom == h.chrom[0]), d / "snps.legend")
        raw = mutate(data, gzip.decompress((d / "x.vcf.gz").read_bytes()).decode(), "\t",
                     VCF_COLUMNS)
        plain = d / "bad.vcf"
        plain.write_bytes(raw)
        vcf = bgzip(plain)
        assume(tabix(vcf))  # both panels read by region or site, which needs the index
        out = d / "out"
        how = (["dense", "--n-snps", "1"] if kind == "dense" else
               ["informative", "--n-snps", "1", "--snp-list", str(d / "snps.legend")])
        rc = main(["build-panel", *how, "--vcf", f"{h.chrom[0]}={vcf}", "--panel-file",
                   str(d / "x.panel"), "--out", str(out / "p.npz"),
                   "--vcf-out", str(out / "p.vcf.gz")])
        event(f"exit status {rc}")
        assert_all_or_nothing(rc, out, ["p.npz", "p.vcf.gz"])


# --- saved models and training checkpoints ---------------------------------------------------
#
# Every .npz a subcommand takes as a model: sample's --model-file, stitch's
# window models, impute's and likelihood-attack's --model-file, a figure's
# model input (all read by load_generator), and train's --checkpoint. The
# models are fitted once per module, by the train subcommand itself, with
# settings small enough to fit in well under a second each.

#: Label -> (generator, train's --set settings). Two conditional models: their
#: arrays are kept per population.
FITTED = {
    "bernoulli": ("bernoulli", []),
    "bernoulli conditional": ("bernoulli", ["conditional=true"]),
    "markov": ("markov", ["window=3"]),
    "test": ("test", []),
    "copying": ("copying", []),
    "hmm": ("hmm", ["n_states=[2]", "iterations=2", "min_state_haplotypes=1"]),
    "hmm conditional": ("hmm", ["n_states=[2]", "iterations=2", "min_state_haplotypes=1",
                                "conditional=true"]),
    "rbm": ("rbm", ["n_hidden=4", "epochs=3", "snapshot_every=1", "gibbs_steps=2",
                    "snapshot_size=8", "n_chains=4", "batch_size=8"]),
}
#: Generators trained in iterations, fuzzed through train --checkpoint.
CHECKPOINTED = ("rbm", "hmm")
MODELS = (*FITTED, "gan")

LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")


def training_set(seed: int = 5, n_samples: int = 16, n_snps: int = 10) -> Haplotypes:
    """Diploid samples of two populations (P1 first) at SNPs 1 kb apart on
    chromosome 1, drawn as noisy copies of four founders (some LD to learn)."""
    rng = np.random.default_rng(seed)
    founders = rng.integers(0, 2, size=(4, n_snps), dtype=np.uint8)
    alleles = founders[rng.integers(0, 4, 2 * n_samples)]
    alleles = np.where(rng.random(alleles.shape) < 0.05, 1 - alleles, alleles)
    half = n_samples // 2
    return Haplotypes.build(alleles, chrom=["1"] * n_snps, pos=np.arange(1, n_snps + 1) * 1000,
                            ref=["A"] * n_snps, alt=["G"] * n_snps,
                            ids=haplotype_ids([f"S{i}" for i in range(n_samples)]),
                            pops=np.repeat(["P1"] * half + ["P2"] * (n_samples - half), 2),
                            super_pops=np.repeat(["A"] * n_samples, 2))


def run_cli(*args) -> tuple[int, list[str]]:
    """Exit status of the command ``args``, run in this process, and the
    error lines it printed. Any exception it raises fails the test (in a
    shell, a traceback); an error message must be one line."""
    err = io.StringIO()
    with redirect_stderr(err):
        rc = main([str(a) for a in args])
    lines = err.getvalue().splitlines()
    # Log lines may land here too (the log handler keeps the stream it found first).
    stray = [line for line in lines if not line.startswith("error:") and not LOG_LINE.match(line)]
    assert not stray, f"stderr holds more than log lines and one-line errors: {stray}"
    return rc, [line for line in lines if line.startswith("error:")]


def assert_error_names(errors: list[str], *paths) -> None:
    """One error line, naming one of ``paths``."""
    assert len(errors) == 1, errors
    assert any(str(p) in errors[0] for p in paths), f"the error names none of {paths}: {errors}"


def assert_model_error(errors: list[str], path: Path) -> None:
    """One error line, naming the model file ``path`` if loading it fails.
    (A model that loads may still fail later on what it holds, e.g. an hmm
    whose allele probabilities lie outside [0, 1], with an error about that.)"""
    assert len(errors) == 1, errors
    try:
        load_generator(path)
    except InputError:
        assert_error_names(errors, path)


def untrained_gan(n_snps: int) -> GANGenerator:
    """A GAN with random generator weights: its saved form without TensorFlow
    training (loading and drawing use NumPy alone)."""
    gan = GANGenerator(latent_size=4, generator_ratios=(2,), discriminator_ratios=(2,),
                       epochs=1, snapshot_every=1)
    sizes, _ = layer_sizes(n_snps, 4, (2,), (2,))
    rng = np.random.default_rng(0)
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        params += [rng.standard_normal((fan_in, fan_out)).astype(np.float32),
                   np.zeros(fan_out, dtype=np.float32)]
    gan.set_state({**{f"g{i}": p for i, p in enumerate(params)}, "temperature": np.array(1.0)})
    return gan


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """The files every test below starts from (never damaged in place):
    ``train.npz``; a fitted model per label of FITTED and an untrained GAN
    (``{label}.npz``); checkpoints ``{kind}.ck.npz`` and ``{kind}.ck.prev.npz``
    of the models in CHECKPOINTED, and ``{kind}.npz`` the model their run
    wrote; an hmm of population P1 with its training and test splits
    (impute, likelihood-attack); a window plan of ``train.npz`` with an hmm
    and a bernoulli model per window (stitch)."""
    d = tmp_path_factory.mktemp("models")
    h = training_set()
    save_haplotypes(h, d / "train.npz")
    for label, (name, settings) in FITTED.items():
        ck = ["--checkpoint", d / f"{name}.ck.npz"] if label in CHECKPOINTED else []
        assert run_cli("train", "--data", d / "train.npz", "--model", name, "--set", *settings,
                       "--seed", 1, "--out", d / f"{label}.npz", *ck)[0] == 0
    untrained_gan(h.n_snps).save(d / "gan.npz")
    p1 = h.take_haplotypes(h.pops == "P1")
    save_haplotypes(p1.take_haplotypes(slice(0, 10)), d / "p1_train.npz")
    save_haplotypes(p1.take_haplotypes(slice(10, None)), d / "p1_test.npz")
    assert run_cli("train", "--data", d / "p1_train.npz", "--model", "hmm", "--set",
                   *FITTED["hmm"][1], "--seed", 1, "--out", d / "hmm_p1.npz")[0] == 0
    assert run_cli("plan-windows", "--data", d / "train.npz", "--window-snps", 6,
                   "--overlap-snps", 2, "--out", d / "plan.tsv")[0] == 0
    n_windows = len(pd.read_csv(d / "plan.tsv", sep="\t"))
    for w in range(n_windows):
        assert run_cli("cut-window", "--data", d / "train.npz", "--plan", d / "plan.tsv",
                       "--window", w, "--out", d / f"w{w}.npz")[0] == 0
        for label in ("hmm", "bernoulli"):
            assert run_cli("train", "--data", d / f"w{w}.npz", "--model", label, "--set",
                           *FITTED[label][1], "--seed", 1, "--out", d / f"w{w}_{label}.npz")[0] == 0
    return d


def other_files(saved: Path) -> dict[str, bytes]:
    """Files of other kinds that a user may give where a model or a
    checkpoint belongs, by what they are."""
    npy = io.BytesIO()
    np.save(npy, np.zeros((2, 3)))
    text_zip = io.BytesIO()
    with zipfile.ZipFile(text_zip, "w") as zf:
        zf.writestr("x.hapt", "Real S1_A 0 1\n")
    return {"haplotypes": (saved / "train.npz").read_bytes(),
            "checkpoint": (saved / "rbm.ck.npz").read_bytes(),
            "model": (saved / "bernoulli.npz").read_bytes(),
            "npy": npy.getvalue(), "zipped text": text_zip.getvalue(),
            "text": b"id position a0 a1\n1:5_A_G 5 A G\n",
            "gzip": gzip.compress(b"Real S1_A 0 1\n", mtime=0), "empty": b""}


BAD_SETTINGS = st.sampled_from([-1, 0, 0.5, "x", None, [], {}, True, [2, "a"]])


@st.composite
def model_metas(draw, meta: dict) -> np.ndarray:
    """A ``meta`` member other than the saved model's ``meta``: not JSON, not
    an object, no name or settings, an unknown or another generator, settings
    that are not an object or hold a key or a value the generator refuses,
    or not one string at all."""
    name, settings = meta["model"], meta["settings"]
    key = draw(st.sampled_from(sorted(settings))) if settings else "bogus"
    text = draw(st.sampled_from([
        "{not json", "[]", "3", "null", '"bernoulli"', "{}", json.dumps({"model": name}),
        json.dumps({"settings": settings}), json.dumps({"model": "nope", "settings": {}}),
        json.dumps({"model": 3, "settings": settings}),
        json.dumps({"model": name, "settings": list(settings)}),
        json.dumps({"model": name, "settings": {**settings, "bogus": 1}}),
        json.dumps({"model": name, "settings": {**settings, key: draw(BAD_SETTINGS)}}),
        json.dumps({"model": draw(st.sampled_from(["bernoulli", "markov", "test", "copying",
                                                   "hmm", "rbm", "gan"])),
                    "settings": settings})]))
    form = draw(st.sampled_from(["text", "text", "text", "number", "bytes", "list"]))
    return {"text": np.array(text), "number": np.array(3.0), "bytes": np.array(text.encode()),
            "list": np.array([text, text])}[form]


def near_misses(array: np.ndarray) -> list[np.ndarray]:
    """Arrays that a damaged or hand-edited file could hold in place of
    ``array``: another dtype, one entry fewer, one axis more or less."""
    out = [array.astype(str), array[..., :-1] if array.ndim else array.reshape(1),
           array[None], array.reshape(-1), np.zeros(array.shape[::-1], dtype=np.float64)]
    if array.dtype.kind in "biuf":
        out += [array.astype(np.float64) * 3 - 1, array.astype(bool)]
    return out


def damage_archive(data, raw: bytes, path: Path, others: dict[str, bytes], *,
                   metas=None) -> tuple:
    """Write to ``path`` the ``.npz`` ``raw`` damaged one way, drawn:
    truncated, bytes flipped, replaced by a file of another kind (from
    ``others``), a member dropped or replaced by an array of another type or
    shape, ``meta`` replaced (by ``metas``, a strategy), or a member that is
    no array added. Returns ``(damage, member, new array)`` (None where
    they do not apply)."""
    ops = ["truncate", "flip", "other file", "drop", "replace", "replace", "extra member"]
    op = data.draw(st.sampled_from(ops + ["meta"] * (metas is not None)), label="damage")
    member = array = None
    if op == "truncate":
        path.write_bytes(raw[:data.draw(st.integers(0, len(raw) - 1), label="cut")])
    elif op == "flip":
        flipped = bytearray(raw)
        for _ in range(data.draw(st.integers(1, 3), label="n_flips")):
            at = data.draw(st.integers(0, len(raw) - 1), label="at")
            flipped[at] ^= data.draw(st.integers(1, 255), label="xor")
        path.write_bytes(bytes(flipped))
    elif op == "other file":
        member = data.draw(st.sampled_from(sorted(others)), label="other file")
        path.write_bytes(others[member])
    elif op == "extra member":
        path.write_bytes(raw)
        with zipfile.ZipFile(path, "a") as zf:
            zf.writestr("notes.txt", "trained on Tuesday\n")
    else:
        with np.load(io.BytesIO(raw)) as archive:
            contents = dict(archive)
        names = sorted(contents) if op == "drop" else sorted(set(contents) - {"meta"})
        member = "meta" if op == "meta" else data.draw(st.sampled_from(names), label="member")
        if op == "drop":
            del contents[member]
        elif op == "meta":
            contents["meta"] = array = data.draw(metas, label="meta")
        else:
            contents[member] = array = data.draw(st.one_of(ARRAYS, st.sampled_from(
                near_misses(contents[member]))), label="new array")
        write_npz(path, contents)
    return op, member, array


def saved_meta(raw: bytes) -> dict:
    with np.load(io.BytesIO(raw)) as archive:
        return json.loads(str(archive["meta"]))


def assert_draws(model, n: int) -> None:
    """``n`` haplotypes drawn from ``model``: a uint8 0/1 matrix of n rows."""
    drawn = model.sample(n, seed=1)
    assert drawn.dtype == np.uint8 and drawn.ndim == 2 and drawn.shape[0] == n
    assert drawn.shape[1] > 0 and drawn.max() <= 1


def same_model(a, b) -> bool:
    """Same generator, settings and learned arrays (dtypes included)."""
    sa, sb = a.state(), b.state()
    return (a.name == b.name and a.settings() == b.settings() and sa.keys() == sb.keys()
            and all(np.asarray(sa[k]).dtype == np.asarray(sb[k]).dtype
                    and np.array_equal(sa[k], sb[k]) for k in sa))


@FUZZ
@given(label=st.sampled_from(MODELS), data=st.data())
def test_damaged_model_loads_correctly_or_raises_input_error(saved, label, data):
    raw = (saved / f"{label}.npz").read_bytes()
    kind = saved_meta(raw)["model"]
    with folder() as d:
        path = d / "bad.npz"
        how = damage_archive(data, raw, path, other_files(saved),
                             metas=model_metas(saved_meta(raw)))
        try:
            model = load_generator(path)
        except InputError as exc:
            assert str(path) in str(exc), f"the error does not name {path}: {exc}"
            assert "\n" not in str(exc)
            event("input error")
            return
    event(f"loaded after {how[0]}")
    if how[0] in ("truncate", "flip"):  # damage that went unseen must have changed nothing
        assert same_model(model, load_generator(saved / f"{label}.npz"))
    try:
        assert_draws(model, training_set().n_haplotypes)
    except InputError as exc:  # a held-out reference left with fewer haplotypes than asked
        assert kind == "test" and "held-out reference" in str(exc), exc


@FEW
@given(label=st.sampled_from(MODELS), data=st.data())
def test_sample_with_a_damaged_model_writes_all_or_nothing(saved, label, data):
    raw = (saved / f"{label}.npz").read_bytes()
    with folder() as d:
        bad, meta = d / "bad.npz", saved_meta(raw)
        damage_archive(data, raw, bad, other_files(saved), metas=model_metas(meta))
        out = d / "out"
        rc, errors = run_cli("sample", "--model-file", bad, "--like", saved / "train.npz",
                             "--seed", 3, "--out", out / "ags.npz", "--hapt-out",
                             out / "ags.hapt")
        event(f"exit status {rc}")
        assert_all_or_nothing(rc, out, ["ags.npz", "ags.hapt"])
        if rc:
            assert_model_error(errors, bad)


@FEW
@given(command=st.sampled_from(["stitch", "impute", "likelihood-attack"]), data=st.data())
def test_commands_with_a_damaged_model_write_all_or_nothing(saved, command, data):
    with folder() as d:
        out = d / "out"
        if command == "stitch":
            n_windows = len(pd.read_csv(saved / "plan.tsv", sep="\t"))
            label = data.draw(st.sampled_from(["hmm", "bernoulli"]))
            models = [saved / f"w{w}_{label}.npz" for w in range(n_windows)]
            w = data.draw(st.integers(0, n_windows - 1), label="damaged window")
            raw = models[w].read_bytes()
            models[w] = d / "bad.npz"
            args = ["stitch", "--plan", saved / "plan.tsv", "--model-files", *models, "--like",
                    saved / "train.npz", "--seed", 3, "--out", out / "o.npz"]
            outputs = ["o.npz"]
        else:
            raw = (saved / "hmm_p1.npz").read_bytes()
            common = ["--model-file", d / "bad.npz", "--train", saved / "p1_train.npz",
                      "--seed", 3, "--out", out / "o.tsv"]
            if command == "impute":
                args = ["impute", *common, "--targets", saved / "p1_test.npz", "--reference",
                        "hmm", "--target", "P1", "--density", 0.5, "--panel-name", "x"]
            else:
                args = ["likelihood-attack", *common, "--test", saved / "p1_test.npz",
                        "--reference-set", saved / "p1_test.npz", "--panel", "x",
                        "--model", "hmm"]
            outputs = ["o.tsv"]
        meta = saved_meta(raw)
        damage_archive(data, raw, d / "bad.npz", other_files(saved), metas=model_metas(meta))
        rc, errors = run_cli(*args)
        event(f"{command}: exit status {rc}")
        assert_all_or_nothing(rc, out, outputs)
        if rc:
            assert_model_error(errors, d / "bad.npz")


@st.composite
def checkpoint_metas(draw, meta: dict, arrays: dict[str, np.ndarray], recheck: bool) -> np.ndarray:
    """A checkpoint's ``meta`` member damaged: not JSON, not an object, its
    checksum gone, its key changed; with ``recheck`` also an epoch, history
    rows or kept epoch that disagree with one another (the checksum covers
    the arrays alone, so these pass it)."""
    variants = ["not json", "not an object", "no checksum", "other key"]
    variant = draw(st.sampled_from(variants + ["epoch", "rows", "kept epoch"] * recheck))
    meta = dict(meta)
    if variant == "not json":
        return np.array(json.dumps(meta)[:-1])
    if variant == "not an object":
        return np.array(json.dumps([meta]))
    if variant == "no checksum":
        del meta["checksum"]
    elif variant == "other key":
        meta["key"] = meta["key"].replace('"seed": 1', '"seed": 2')
    elif variant == "epoch":
        meta["epoch"] = draw(st.sampled_from([0, meta["epoch"] - 1, meta["epoch"] + 1, "3", None]))
    elif variant == "rows":
        rows = meta["rows"]
        meta["rows"] = draw(st.sampled_from([rows[:-1], rows[::-1], [], {},
                                             [{k: v for k, v in row.items() if k != "aa_syn"}
                                              for row in rows]]))
    else:
        meta["best_epoch"] = draw(st.sampled_from([0, meta["epoch"] + 1, 1.5, None]))
    return np.array(json.dumps(meta))


def damage_checkpoint(data, path: Path, kind: str, others: dict[str, bytes]) -> str:
    """Damage the checkpoint at ``path`` one way (see damage_archive), or put
    a folder in its place; the generator ``kind`` says which damage applies.
    Returns what ``path`` now is: "foreign" for a file plainly of another
    kind (which train must refuse rather than overwrite), else "damaged"."""
    if data.draw(st.integers(0, 9), label="folder?") == 0:
        path.unlink()
        path.mkdir()
        return "foreign"
    raw = path.read_bytes()
    with np.load(io.BytesIO(raw)) as archive:
        arrays = dict(archive)
    meta = json.loads(str(arrays.pop("meta")))
    # The hmm reads its checkpoint's contents without checking them (see
    # test_hmm_checkpoint_with_a_good_checksum_but_other_contents_is_skipped).
    recheck = kind == "rbm"
    op, member, _ = damage_archive(data, raw, path, others,
                                   metas=checkpoint_metas(meta, arrays, recheck))
    if recheck and op == "replace" and data.draw(st.booleans(), label="checksum anew"):
        # Arrays of other names, shapes or types under a checksum that fits
        # them, as another version of the program could write. (An array of
        # the same shape and type with other values under a new checksum is
        # indistinguishable from a good checkpoint: not drawn.)
        with np.load(path) as archive:
            contents = dict(archive)
        new = contents[member]
        assume((new.shape, new.dtype) != (arrays[member].shape, arrays[member].dtype))
        meta["checksum"] = arrays_checksum({k: v for k, v in contents.items() if k != "meta"})
        contents["meta"] = np.array(json.dumps(meta))
        write_npz(path, contents)
    return "foreign" if op == "other file" and member in ("haplotypes", "model") else "damaged"


@FEW
@given(kind=st.sampled_from(CHECKPOINTED),
       which=st.sampled_from(["latest", "previous", "both", "latest gone"]), data=st.data())
def test_train_past_a_damaged_checkpoint_ends_as_an_uninterrupted_run(saved, kind, which, data):
    """A damaged checkpoint is skipped with a warning: train resumes from
    the one before it, or starts afresh, and writes the model an
    uninterrupted run writes (training is deterministic). That is the
    deliberate design of training.py: the pipeline reruns a killed job with
    the same --checkpoint, and a fault there must cost time, not the run.
    A file plainly of another kind there (a saved model, haplotypes, a
    folder) is an error naming it instead, and is left as it was, because
    the next checkpoint written would replace it."""
    name = FITTED[kind][0]
    with folder() as d:
        latest, previous = d / "ck.npz", d / "ck.prev.npz"
        shutil.copy(saved / f"{name}.ck.npz", latest)
        shutil.copy(saved / f"{name}.ck.prev.npz", previous)
        others = other_files(saved)
        state = {latest: "whole", previous: "whole"}
        if which == "latest gone":
            latest.unlink()
            state[latest] = "gone"
        for path in {"latest": [latest], "previous": [previous], "both": [latest, previous],
                     "latest gone": [previous]}[which]:
            state[path] = damage_checkpoint(data, path, kind, others)
        before = {p: p.read_bytes() for p in state if p.is_file()}
        out = d / "out"
        rc, errors = run_cli("train", "--data", saved / "train.npz", "--model", name, "--set",
                             *FITTED[kind][1], "--seed", 1, "--checkpoint", latest,
                             "--out", out / "m.npz")
        event(f"{kind}, {which} {sorted(set(state.values()))}: exit status {rc}")
        if rc == 0:
            assert state[latest] != "foreign"
            assert (out / "m.npz").read_bytes() == (saved / f"{kind}.npz").read_bytes()
        else:
            assert rc == 2 and not out.exists()
            foreign = [p for p, what in state.items() if what == "foreign"]
            assert_error_names(errors, *foreign)
            for p in foreign:  # refused and left as it was
                assert p.is_dir() or p.read_bytes() == before[p]
        if state[latest] == "foreign":
            assert rc == 2


def replace_member(source: Path, path: Path, **arrays) -> Path:
    """``source`` saved to ``path`` with members replaced by ``arrays``."""
    with np.load(source) as archive:
        write_npz(path, {**dict(archive), **arrays})
    return path


# Arrays that loading once accepted and that made a later draw or imputation
# fail with an IndexError, a ValueError or a ZeroDivisionError, now refused by
# the generator's own set_state (or skipped, for a checkpoint).


def test_markov_tables_narrower_than_the_window_are_refused(saved, tmp_path):
    with np.load(saved / "markov.npz") as archive:
        ones, totals = archive["ones"], archive["totals"]
    # One context short: too rare for the draw at loading to reach it.
    bad = replace_member(saved / "markov.npz", tmp_path / "m.npz", ones=ones[:, :-1],
                         totals=totals[:, :-1])
    with pytest.raises(InputError, match="m.npz"):
        load_generator(bad)


def test_gan_weight_with_a_stray_axis_is_refused(saved, tmp_path):
    with np.load(saved / "gan.npz") as archive:
        g0 = archive["g0"]
    bad = replace_member(saved / "gan.npz", tmp_path / "m.npz", g0=g0[None])
    with pytest.raises(InputError, match="m.npz"):
        load_generator(bad)


def test_hmm_allele_probabilities_of_one_are_refused(saved, tmp_path):
    with np.load(saved / "hmm_p1.npz") as archive:
        theta = archive["theta"]
    bad = replace_member(saved / "hmm_p1.npz", tmp_path / "m.npz", theta=np.ones_like(theta))
    with pytest.raises(InputError, match="m.npz"):
        load_generator(bad)


def test_drawing_more_haplotypes_than_a_held_out_reference_holds_is_an_input_error(saved,
                                                                                 tmp_path):
    rc, errors = run_cli("sample", "--model-file", saved / "test.npz", "--like",
                         saved / "train.npz", "--n", 40, "--seed", 1, "--out",
                         tmp_path / "out/ags.npz")
    assert rc == 2 and not (tmp_path / "out").exists()
    assert_error_names(errors, saved / "test.npz")


def test_hmm_checkpoint_with_a_good_checksum_but_other_contents_is_skipped(saved, tmp_path):
    # The checksum covers the arrays alone; the hmm's _check_checkpoint,
    # given to newest_checkpoint, checks the rest.
    with np.load(saved / "hmm.ck.npz") as archive:
        contents = dict(archive)
    meta = json.loads(str(contents["meta"]))
    del meta["progress"]["rows"]
    contents["meta"] = np.array(json.dumps(meta))
    write_npz(tmp_path / "ck.npz", contents)
    rc, _ = run_cli("train", "--data", saved / "train.npz", "--model", "hmm", "--set",
                    *FITTED["hmm"][1], "--seed", 1, "--checkpoint", tmp_path / "ck.npz",
                    "--out", tmp_path / "m.npz")
    assert rc == 0 and (tmp_path / "m.npz").read_bytes() == (saved / "hmm.npz").read_bytes()


def test_figure_with_a_damaged_model_writes_nothing(saved, tmp_path):
    for bad, content in (("cut.npz", (saved / "rbm.npz").read_bytes()[:100]),
                         ("haplotypes.npz", (saved / "train.npz").read_bytes())):
        (tmp_path / bad).write_bytes(content)
        rc, errors = run_cli("figure", "figS_rbm", "--input", f"real={saved / 'train.npz'}",
                             "--input", f"model={tmp_path / bad}", "--pdf", tmp_path / "out/f.pdf",
                             "--png", tmp_path / "out/f.png")
        assert rc == 2 and not (tmp_path / "out").exists()
        assert_error_names(errors, tmp_path / bad)


def artgen(*args, cwd) -> subprocess.CompletedProcess:
    """``python -m artgen args`` in a fresh process, as the pipeline runs it."""
    return subprocess.run([sys.executable, "-m", "artgen", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True)


def test_sample_with_a_cut_model_prints_one_line_in_a_shell(saved, tmp_path):
    raw = (saved / "hmm.npz").read_bytes()
    (tmp_path / "cut.npz").write_bytes(raw[:len(raw) // 2])
    done = artgen("sample", "--model-file", tmp_path / "cut.npz", "--like", saved / "train.npz",
                  "--seed", 1, "--out", tmp_path / "out/ags.npz", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [f"error: {tmp_path / 'cut.npz'}: not a readable saved "
                                        f"model (File is not a zip file)"], done.stderr
    assert not (tmp_path / "out").exists()


def test_train_refuses_a_saved_model_as_checkpoint_in_a_shell(saved, tmp_path):
    shutil.copy(saved / "hmm.npz", tmp_path / "model.npz")
    done = artgen("train", "--data", saved / "train.npz", "--model", "rbm", "--set",
                  *FITTED["rbm"][1], "--checkpoint", tmp_path / "model.npz",
                  "--out", tmp_path / "out/m.npz", cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if not LOG_LINE.match(line)]
    assert len(errors) == 1 and errors[0].startswith("error: ")
    assert f"{tmp_path / 'model.npz'}: holds a saved model, not a training checkpoint" in errors[0]
    assert (tmp_path / "model.npz").read_bytes() == (saved / "hmm.npz").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.npz"]


# --- the cases the fuzzing found, kept as plain examples --------------------------------------

GOOD_HAPT = b"Real S1_A 0 1\nReal S1_B 1 1\n"


@pytest.mark.parametrize("name, content, message", [
    ("x.hapt", b"Real S1_A 0 1\nReal S1_\xffB 1 1\n",
     r"x.hapt: line 2: not UTF-8 text \(byte 0xff at character 9\)"),
    ("x.hapt", b"Real S1_A 0 1\nReal S1_B 1 1\x00\n", r"x.hapt: line 2: NUL byte"),
    ("x.hapt.gz", gzip.compress(GOOD_HAPT)[:-6], r"x.hapt.gz: line 3: could not be read"),
    ("x.hapt.gz", gzip.compress(GOOD_HAPT) + b"junk", r"x.hapt.gz: line 3: could not be read"),
    ("x.hapt.zip", b"PK\x03\x04" + bytes(40) + b"PK\x05\x06" + bytes(18),
     r"x.hapt.zip: (not a readable zip archive|a zip archive must hold exactly one file)"),
])
def test_unreadable_hapt_text_is_an_input_error(tmp_path, name, content, message):
    (tmp_path / name).write_bytes(content)
    with pytest.raises(InputError, match=message):
        read_hapt(tmp_path / name)


@pytest.mark.parametrize("reader, content, message", [
    (read_legend, "id position a0 a1\n1:5_A_G \u00b2 A G\n", r"line 2: position '\u00b2'"),
    (read_legend, "id position a0 a1\n:5_A_G 5 A G\n", r"line 2: id ':5_A_G' does not start"),
    (read_panel_file, "sample pop super_pop pop\nS1 P A B\n",
     r"line 1: column 'pop' appears more than once"),
    (read_panel_file, "sample pop super_pop\n\nS1 P A\n\nS1 P A\n",
     r"line 5: sample 'S1' appears more than once"),
])
def test_bad_legend_and_panel_name_file_and_line(tmp_path, reader, content, message):
    (tmp_path / "f.txt").write_text(content)
    with pytest.raises(InputError, match=r"f.txt: " + message):
        reader(tmp_path / "f.txt")


def test_sample_absent_from_panel_names_both_files(tmp_path):
    (tmp_path / "x.hapt").write_text("Real S9_A 0 1\nReal S1_A 1 1\n")
    (tmp_path / "x.panel").write_text("sample pop super_pop\nS1 P A\n")
    with pytest.raises(InputError, match=r"x.hapt: sample 'S9' absent from the panel file "
                                         r".*x.panel"):
        read_hapt(tmp_path / "x.hapt", panel=tmp_path / "x.panel")


VCF_HEADER = ("##fileformat=VCFv4.2\n##contig=<ID=1>\n"
              '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
              "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\tS2\n")


@pytest.mark.parametrize("records, message", [
    (["1 100 . A G . PASS . GT 0|1 0|2"], r"site 1:100: sample 'S2' has genotype '0\|2'"),
    (["1 200 . A G . PASS . GT 0|1 0|1", "1 100 . C T . PASS . GT 0|1 0|1"],
     r"site 1:100: after position 200; the VCF must be sorted"),
    (["1 100 . A G . PASS . GT 0|1 0|1", "2 100 . C T . PASS . GT 0|1 0|1",
      "1 200 . C T . PASS . GT 0|1 0|1"], r"site 1:200: chromosome 1 again after 2"),
    (["1 0 . A G . PASS . GT 0|1 0|1"], r"site 1:0: position must be 1 or more"),
    (["1 100 . A G . PASS . DP 3 4"], r"site 1:100: no GT genotypes"),
    (["1 100 . A G . PASS . GT 0|1 0|1", "1 1x0 . C T . PASS . GT 0|1 0|1"],
     r"VCF could not be parsed at or after site 1:100"),
])
def test_bad_vcf_records_name_file_and_site(tmp_path, records, message):
    path = tmp_path / "x.vcf"
    path.write_text(VCF_HEADER + "".join("\t".join(r.split()) + "\n" for r in records))
    with pytest.raises(InputError, match=r"x.vcf: " + message):
        read_vcf(path)


def test_vcf_sample_name_not_utf8_and_region_without_index(tmp_path):
    path = tmp_path / "x.vcf"
    path.write_bytes(VCF_HEADER.replace("S2", "S\xff").encode("latin-1")
                     + b"1\t100\t.\tA\tG\t.\tPASS\t.\tGT\t0|1\t0|1\n")
    with pytest.raises(InputError, match=r"x.vcf: not a readable VCF"):
        read_vcf(path)
    path.write_text(VCF_HEADER + "1\t100\t.\tA\tG\t.\tPASS\t.\tGT\t0|1\t0|1\n")
    with pytest.raises(InputError, match=r"x.vcf: cannot read region 1 .* tabix index"):
        read_vcf(path, region="1")


def test_write_vcf_refuses_unsorted_sites_naming_the_output(tmp_path):
    h = Haplotypes.build([[0, 1], [1, 0]], chrom=["1", "1"], pos=[20, 10], ref=["A", "C"],
                         alt=["G", "T"], ids=haplotype_ids(["S1"]))
    with pytest.raises(InputError, match=r"out.vcf.gz: site 1:10: after position 20"):
        write_vcf(h, tmp_path / "out.vcf.gz")
    assert not list(tmp_path.iterdir())


def test_archive_with_text_positions_names_the_file(tmp_path):
    h = Haplotypes.build([[0, 1], [1, 0]], chrom=["1", "1"], pos=[10, 20], ref=["A", "C"],
                         alt=["G", "T"], ids=haplotype_ids(["S1"]))
    save_haplotypes(h, tmp_path / "x.npz")
    with np.load(tmp_path / "x.npz") as archive:
        contents = dict(archive)
    contents["pos"] = np.array(["a", "b"])
    write_npz(tmp_path / "bad.npz", contents)
    with pytest.raises(InputError, match=r"bad.npz: "):
        load_haplotypes(tmp_path / "bad.npz")


def npy_bytes(array) -> bytes:
    out = io.BytesIO()
    np.save(out, array)
    return out.getvalue()


def zipped(name: str, content: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr(name, content)
    return out.getvalue()


@pytest.mark.parametrize("read, what", [(load_haplotypes, "haplotype archive"),
                                        (load_generator, "saved model")])
@pytest.mark.parametrize("content, reason", [
    (b"", r"an empty file"),
    (npy_bytes(np.zeros(3)), r"a single NumPy array \(\.npy\), not a \.npz archive"),
    (b"id position a0 a1\n", r"not a \.npz \(zip\) archive"),
    (zipped("x.hapt", b"Real S1_A 0 1\n"), r"member 'x\.hapt': the magic string is not correct"),
])
def test_file_that_is_no_npz_archive_is_named_for_what_it_is(tmp_path, read, what, content,
                                                              reason):
    (tmp_path / "x.npz").write_bytes(content)
    with pytest.raises(InputError, match=rf"x\.npz: not a readable {what} \({reason}"):
        read(tmp_path / "x.npz")


def test_member_header_claiming_less_data_than_it_holds_is_refused(tmp_path):
    # zipfile checks a member's CRC-32 once it is read to its end; a header
    # shrunk by damage would stop np.load short of that, on a large member.
    write_npz(tmp_path / "x.npz", {"a": np.zeros(10000)})
    raw = (tmp_path / "x.npz").read_bytes()
    (tmp_path / "x.npz").write_bytes(raw.replace(b"(10000,)", b"(1000,) "))
    assert len(np.load(tmp_path / "x.npz")["a"]) == 1000  # what np.load makes of it
    with pytest.raises(InputError, match=r"member 'a\.npy': more data than its header says"):
        read_npz(tmp_path / "x.npz", "archive")


def test_member_header_length_one_too_long_is_an_input_error(saved, tmp_path):
    # The header then ends inside the member's data, here the '{' of the
    # model's JSON text, and NumPy's parser stops at an open bracket.
    raw = bytearray((saved / "bernoulli.npz").read_bytes())
    at = raw.index(b"\x93NUMPY") + 8
    raw[at] += 1
    (tmp_path / "m.npz").write_bytes(bytes(raw))
    with pytest.raises(InputError, match=r"m\.npz: not a readable saved model \(member "
                                         r"'meta\.npy': "):
        load_generator(tmp_path / "m.npz")


def test_haplotype_archive_with_a_huge_shape_is_refused_before_unpacking(tmp_path):
    h = Haplotypes.build([[0, 1], [1, 0]], chrom=["1", "1"], pos=[10, 20], ref=["A", "C"],
                         alt=["G", "T"], ids=haplotype_ids(["S1"]))
    save_haplotypes(h, tmp_path / "x.npz")
    replace_member(tmp_path / "x.npz", tmp_path / "big.npz",
                   shape=np.array([2, 10**12], dtype=np.int64))
    with pytest.raises(InputError, match=r"big\.npz: packed alleles are uint8 \(2, 1\), header "
                                         r"says \(2, 1000000000000\)"):
        load_haplotypes(tmp_path / "big.npz")


def test_archives_of_the_wrong_kind_say_what_they_hold(saved, tmp_path):
    with pytest.raises(InputError, match=r"train\.npz: not a saved model: no 'meta' member "
                                         r"\(it holds haplotypes\)"):
        load_generator(saved / "train.npz")
    with pytest.raises(InputError, match=r"rbm\.ck\.npz: not a saved model: it is a training "
                                         r"checkpoint"):
        load_generator(saved / "rbm.ck.npz")
    with pytest.raises(InputError, match=r"hmm\.npz: not a readable haplotype archive: no "
                                         r"format_version, .* \(it holds a saved model"):
        load_haplotypes(saved / "hmm.npz")


@pytest.mark.parametrize("label, arrays, message", [
    ("bernoulli", {"meta": np.array('{"model": "nope", "settings": {}}')},
     r"saved model of unknown kind 'nope'; known: bernoulli, "),
    ("bernoulli", {"meta": np.array('{"model": "bernoulli", "settings": {"window": 3}}')},
     r"saved 'bernoulli' model with settings it refuses \(.*'window'\)"),
    ("markov", {"meta": np.array('{"model": "markov", "settings": {"window": 0}}')},
     r"saved 'markov' model with settings it refuses \(window must be between 1 and 16"),
    ("bernoulli", {"meta": np.array('["bernoulli"]')},
     r"not a saved model \(no model name and settings\)"),
    ("bernoulli", {"meta": np.array(b'{"model": "bernoulli", "settings": {}}')},
     r"not a saved model: its 'meta' member is not JSON text \(a \|S\d+ array of shape "
     r"\(\), not one string\)"),
    ("markov", {"meta": np.array('{"model": "bernoulli", "settings": {}}')},
     r"saved 'bernoulli' model lacks the array 'frequencies'"),
    ("bernoulli conditional", {"population_counts": np.array([16])},
     r"saved 'bernoulli' model with arrays that do not fit it \(bernoulli: population names "
     r"\(<U2 \(2,\)\) and counts \(int64 \(1,\)\) must be one name and one integer count"),
    ("bernoulli conditional", {"frequencies": np.full((1, 10), 0.5)},
     r"saved 'bernoulli' model with arrays that do not fit it \(drawing a haplotype failed: "
     r"index 1 is out of bounds"),
    ("rbm", {"hidden_bias": np.zeros(5, dtype=np.float32)},
     r"saved 'rbm' model with arrays that do not fit it \(drawing a haplotype failed: "
     r"operands could not be broadcast"),
    ("test", {"haplotypes": np.array([[0.0, 1.0]])},
     r"saved 'test' model with arrays that do not fit it \(it draws a float64 array of "
     r"shape \(1, 2\), not 1 haplotype\(s\) of 0/1 alleles\)"),
])
def test_saved_model_that_does_not_fit_names_the_file(saved, tmp_path, label, arrays, message):
    bad = replace_member(saved / f"{label}.npz", tmp_path / "m.npz", **arrays)
    with pytest.raises(InputError, match=r"m\.npz: " + message):
        load_generator(bad)


def test_checkpoint_that_does_not_fit_the_model_is_skipped(saved, tmp_path, caplog):
    # Its checksum covers the arrays alone: a history cut short passes it.
    shutil.copy(saved / "rbm.ck.npz", tmp_path / "ck.npz")
    shutil.copy(saved / "rbm.ck.prev.npz", tmp_path / "ck.prev.npz")
    with np.load(tmp_path / "ck.npz") as archive:
        contents = dict(archive)
    meta = json.loads(str(contents["meta"]))
    meta["rows"] = meta["rows"][:-1]
    contents["meta"] = np.array(json.dumps(meta))
    write_npz(tmp_path / "ck.npz", contents)
    with caplog.at_level("INFO", logger="artgen"):
        rc, _ = run_cli("train", "--data", saved / "train.npz", "--model", "rbm", "--set",
                        *FITTED["rbm"][1], "--seed", 1, "--checkpoint", tmp_path / "ck.npz",
                        "--out", tmp_path / "m.npz")
    assert rc == 0
    assert (f"checkpoint {tmp_path / 'ck.npz'} does not fit the model: its epoch count, "
            f"history rows or kept epoch are inconsistent; trying the previous") in caplog.text
    assert "resumed rbm from" in caplog.text and "at epoch 2" in caplog.text
    assert (tmp_path / "m.npz").read_bytes() == (saved / "rbm.npz").read_bytes()
