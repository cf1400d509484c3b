"""Haplotype I/O: the in-memory type, .hapt + legend + panel file, the binary
format and VCF, with round trips and the errors for bad input."""

from __future__ import annotations

import gzip
import subprocess
import sys
import zipfile

import numpy as np
import pytest

from artgen.errors import InputError
from artgen.haplotypes import Haplotypes, haplotype_ids, sample_of
from artgen.io import (load_haplotypes, read_hapt, read_legend, read_panel_file, read_vcf,
                       save_haplotypes, write_hapt, write_legend, write_vcf)
from conftest import SHARED_DATA, write_panel, write_vcf_text


@pytest.fixture
def haps():
    rng = np.random.default_rng(0)
    alleles = rng.integers(0, 2, size=(6, 9), dtype=np.uint8)
    return Haplotypes.build(alleles, chrom=["1"] * 5 + ["2"] * 4,
                            pos=[10, 20, 30, 40, 50, 5, 6, 7, 8],
                            ref=list("ACGTACGTA"), alt=list("GTACGTAC" + "G"),
                            ids=haplotype_ids(["S1", "S2", "S3"]),
                            pops=["P1", "P1", "P2", "P2", "P1", "P1"],
                            super_pops=["A", "A", "B", "B", "A", "A"])


@pytest.fixture
def panel_file(tmp_path):
    return write_panel(tmp_path / "samples.panel", [("S1", "P1", "A"), ("S2", "P2", "B"),
                                                    ("S3", "P1", "A")])


def test_haplotype_ids_and_samples():
    assert list(haplotype_ids(["HG00096", "NA_1"])) == ["HG00096_A", "HG00096_B", "NA_1_A", "NA_1_B"]
    assert sample_of("NA_1_B") == "NA_1"
    assert sample_of("noseparator") == "noseparator"


def test_build_rejects_non_binary_and_mismatched_lengths():
    with pytest.raises(InputError, match="only 0 and 1"):
        Haplotypes.build([[0, 2]], chrom=["1", "1"], pos=[1, 2], ref=["A", "C"], alt=["G", "T"], ids=["a"])
    with pytest.raises(InputError, match="pos has 1 entries for 2 SNPs"):
        Haplotypes.build([[0, 1]], chrom=["1", "1"], pos=[1], ref=["A", "C"], alt=["G", "T"], ids=["a"])


@pytest.mark.parametrize("name", ["x.hapt", "x.hapt.gz"])
def test_hapt_round_trip(tmp_path, haps, panel_file, name):
    write_hapt(haps, tmp_path / name)
    write_legend(haps, tmp_path / "x.legend")
    back = read_hapt(tmp_path / name, tmp_path / "x.legend", panel_file)
    assert back.same_as(haps)


def test_hapt_without_panel_takes_tag_column_as_population(tmp_path, haps):
    write_hapt(haps, tmp_path / "x.hapt", tag="AG")
    back = read_hapt(tmp_path / "x.hapt")
    assert set(back.pops) == {"AG"}
    np.testing.assert_array_equal(back.alleles, haps.alleles)
    assert list(back.pos) == list(range(1, 10))


def test_hapt_reads_zip(tmp_path, haps):
    write_hapt(haps, tmp_path / "x.hapt")
    with zipfile.ZipFile(tmp_path / "x.hapt.zip", "w") as zf:
        zf.write(tmp_path / "x.hapt", "x.hapt")
    np.testing.assert_array_equal(read_hapt(tmp_path / "x.hapt.zip").alleles, haps.alleles)


def test_gzipped_hapt_is_byte_identical_across_writes(tmp_path, haps):
    write_hapt(haps, tmp_path / "a.hapt.gz")
    write_hapt(haps, tmp_path / "b.hapt.gz")
    assert (tmp_path / "a.hapt.gz").read_bytes() == (tmp_path / "b.hapt.gz").read_bytes()
    assert gzip.decompress((tmp_path / "a.hapt.gz").read_bytes()).startswith(b"P1 S1_A ")


def test_hapt_value_other_than_0_1_names_line_and_column(tmp_path):
    (tmp_path / "bad.hapt").write_text("Real S1_A 0 1 1\nReal S1_B 0 2 1\n")
    with pytest.raises(InputError, match=r"bad.hapt: line 2, allele column 2: value '2' is not 0 or 1"):
        read_hapt(tmp_path / "bad.hapt")


def test_hapt_ragged_rows(tmp_path):
    (tmp_path / "bad.hapt").write_text("Real S1_A 0 1 1\nReal S1_B 0 1\n")
    with pytest.raises(InputError, match=r"line 2: 2 alleles, expected 3"):
        read_hapt(tmp_path / "bad.hapt")


def test_hapt_empty_and_missing(tmp_path):
    (tmp_path / "empty.hapt").write_text("\n")
    with pytest.raises(InputError, match="no haplotypes"):
        read_hapt(tmp_path / "empty.hapt")
    with pytest.raises(InputError, match="file not found"):
        read_hapt(tmp_path / "absent.hapt")


def test_hapt_sample_absent_from_panel(tmp_path, haps, panel_file):
    (tmp_path / "x.hapt").write_text("Real S9_A 0 1\nReal S1_A 1 1\n")
    with pytest.raises(InputError, match=r"x.hapt: sample 'S9' absent from the panel file"):
        read_hapt(tmp_path / "x.hapt", panel=panel_file)


def test_legend_must_match_hapt_columns(tmp_path, haps):
    write_hapt(haps, tmp_path / "x.hapt")
    write_legend(haps.take_snps(slice(0, 3)), tmp_path / "short.legend")
    with pytest.raises(InputError, match="3 SNPs in the legend but 9 allele columns"):
        read_hapt(tmp_path / "x.hapt", tmp_path / "short.legend")


def test_legend_errors(tmp_path):
    (tmp_path / "a.legend").write_text("rsid pos a0 a1\n")
    with pytest.raises(InputError, match="header must start with 'id position a0 a1'"):
        read_legend(tmp_path / "a.legend")
    (tmp_path / "b.legend").write_text("id position a0 a1\n1:5_A_G x A G\n")
    with pytest.raises(InputError, match="line 2: position 'x'"):
        read_legend(tmp_path / "b.legend")


def test_panel_file_errors(tmp_path):
    (tmp_path / "p1").write_text("sample\tpop\n")
    with pytest.raises(InputError, match="lacks column"):
        read_panel_file(tmp_path / "p1")
    (tmp_path / "p2").write_text("sample pop super_pop\nS1 P A\nS1 P A\n")
    with pytest.raises(InputError, match="'S1' appears more than once"):
        read_panel_file(tmp_path / "p2")


def test_binary_round_trip_and_bytes_are_stable(tmp_path, haps):
    save_haplotypes(haps, tmp_path / "a.npz")
    save_haplotypes(haps, tmp_path / "b.npz")
    assert load_haplotypes(tmp_path / "a.npz").same_as(haps)
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()


def test_binary_rejects_corrupt_file(tmp_path, haps):
    save_haplotypes(haps, tmp_path / "a.npz")
    data = (tmp_path / "a.npz").read_bytes()
    (tmp_path / "cut.npz").write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="cut.npz: not a readable haplotype archive"):
        load_haplotypes(tmp_path / "cut.npz")


def test_vcf_round_trip_keeps_positions_alleles_and_phase(tmp_path, haps):
    write_vcf(haps, tmp_path / "x.vcf.gz")
    assert (tmp_path / "x.vcf.gz.tbi").exists()
    back = read_vcf(tmp_path / "x.vcf.gz")
    np.testing.assert_array_equal(back.alleles, haps.alleles)
    for field in ("chrom", "pos", "ref", "alt", "ids"):
        np.testing.assert_array_equal(getattr(back, field), getattr(haps, field))
    only_2 = read_vcf(tmp_path / "x.vcf.gz", region="2")
    assert list(only_2.pos) == [5, 6, 7, 8]


def test_vcf_written_unphased_is_refused_as_phased(tmp_path, haps):
    write_vcf(haps, tmp_path / "u.vcf.gz", phased=False)
    with pytest.raises(InputError, match="unphased genotype"):
        read_vcf(tmp_path / "u.vcf.gz")
    back = read_vcf(tmp_path / "u.vcf.gz", phased=False)
    np.testing.assert_array_equal(back.alleles[0::2] + back.alleles[1::2],
                                  haps.alleles[0::2] + haps.alleles[1::2])


def test_vcf_writer_needs_paired_haplotypes(tmp_path, haps):
    odd = haps.take_haplotypes([0, 2])
    with pytest.raises(InputError, match="not the two haplotypes of one sample"):
        write_vcf(odd, tmp_path / "x.vcf.gz")
    assert not list(tmp_path.iterdir())


def test_read_vcf_is_strict_about_non_snps(tiny_vcf):
    vcf, _ = tiny_vcf
    with pytest.raises(InputError, match="expected only biallelic SNPs, dropped 1 indels or "
                                         "other non-SNP records, 1 multi-allelic SNPs"):
        read_vcf(vcf)


def test_read_vcf_names_site_and_sample_of_missing_call(tmp_path):
    vcf = write_vcf_text(tmp_path / "m.vcf.gz", """
        1 100 . A G . PASS . GT 0|1 1|1
        1 200 . C T . PASS . GT 0|0 .|0
    """)
    with pytest.raises(InputError, match=r"m.vcf.gz: site 1:200: sample 'S2' has a missing call"):
        read_vcf(vcf)


def plain_vcf(path, records) -> Path:
    """An uncompressed one-sample VCF of ``records`` (tab-joined fields)."""
    header = ["##fileformat=VCFv4.2", '##FORMAT=<ID=GT,Number=1,Type=String,Description="GT">',
              "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1"]
    path.write_text("\n".join(header + ["\t".join(r) for r in records]) + "\n")
    return path


def test_read_vcf_keeps_positions_beyond_32_bits(tmp_path):
    """cyvcf2's POS wraps above 2**31 - 1 (99999999999 read as 1215752191)."""
    positions = [2147483647, 2147483648, 99999999999]
    vcf = plain_vcf(tmp_path / "big.vcf",
                    [["1", str(p), ".", "A", "C", ".", ".", ".", "GT", "0|1"] for p in positions])
    assert read_vcf(vcf).pos.tolist() == positions


def test_read_vcf_names_the_file_of_a_chromosome_name_no_format_can_write(tmp_path):
    vcf = plain_vcf(tmp_path / "vt.vcf", [["\x0b", "5", ".", "A", "C", ".", ".", ".", "GT", "0|1"]])
    with pytest.raises(InputError, match=r"vt.vcf: line 4: chromosome '\\x0b' is empty or holds"):
        read_vcf(vcf)


@pytest.mark.parametrize("record", [
    ["2", "5", ".", "A", "C", ".", ".", ".", "GT", "="],  # crashed the interpreter
    ["2", "x", ".", "A", "C", ".", ".", ".", "GT", "0|1"],  # was read as position 1
])
def test_a_bad_first_record_of_an_undeclared_contig_is_an_input_error(tmp_path, record):
    """cyvcf2 mishandles it unless the contig is declared (``declare_contigs``);
    read in a child process, so that a crash fails this test alone."""
    vcf = plain_vcf(tmp_path / "undeclared.vcf", [record])
    code = ("import sys\nfrom artgen.errors import InputError\nfrom artgen.io import read_vcf\n"
            "try:\n    read_vcf(sys.argv[1])\nexcept InputError as exc:\n    print(exc)")
    run = subprocess.run([sys.executable, "-c", code, str(vcf)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.startswith(f"{vcf}: VCF could not be parsed in the first record")


def test_real_805_snp_data(tmp_path):
    """The paper's own data: 5,008 haplotypes at 805 SNPs, labels from the panel file."""
    archive = SHARED_DATA / "805_SNP_1000G_real.hapt.zip"
    if not archive.exists():
        pytest.skip("the paper's 805-SNP data is not beside the repository")
    h = read_hapt(archive, SHARED_DATA / "805_SNP.legend",
                  SHARED_DATA / "integrated_call_samples_v3.20130502.ALL.panel")
    assert h.alleles.shape == (5008, 805)
    assert h.ids[0] == "HG00096_A" and h.pops[0] == "GBR" and h.super_pops[0] == "EUR"
    assert len(set(h.pops)) == 26
    # rs1426654 (SLC24A5, 15:48426484): ALT frequency ~0.003 in EUR, ~0.93 in AFR (see the README).
    j = int(np.flatnonzero((h.chrom == "15") & (h.pos == 48426484))[0])
    eur = h.alleles[h.super_pops == "EUR", j].mean()
    afr = h.alleles[h.super_pops == "AFR", j].mean()
    assert eur < 0.01 and afr > 0.9
    write_vcf(h.take_haplotypes(slice(0, 40)), tmp_path / "real.vcf.gz")
    assert read_vcf(tmp_path / "real.vcf.gz").chrom[0] == "1"
