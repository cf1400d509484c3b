"""Property-based tests of the readers: random valid files round-trip, and
damaged ``.hapt``, legend, panel, VCF and ``.npz`` inputs give either a
correct parse or an :class:`InputError` naming the file, never another
exception, and a command that fails on them leaves no output behind."""

from __future__ import annotations

import gzip
import subprocess
import tempfile
import zipfile
from contextlib import contextmanager
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
from artgen.io.binary import write_npz

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


def write_damaged_archive(data, h: Haplotypes, path: Path) -> None:
    """``h`` saved to ``path`` with an array dropped or replaced, or bytes damaged."""
    save_haplotypes(h, path)
    with np.load(path) as archive:
        contents = dict(archive)
    op = data.draw(st.sampled_from(["drop", "replace", "bytes"]), label="archive op")
    if op == "bytes":
        path.write_bytes(damage_compressed(data, path.read_bytes()))
        return
    key = data.draw(st.sampled_from(sorted(contents)), label="array")
    if op == "drop":
        del contents[key]
    else:
        contents[key] = data.draw(ARRAYS, label="new array")
    write_npz(path, contents)


@FUZZ
@given(h=haplotype_sets(), data=st.data())
def test_damaged_archive_loads_or_raises_input_error(h, data):
    with folder() as d:
        write_damaged_archive(data, h, d / "bad.npz")
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
