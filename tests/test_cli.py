"""The command line: errors are one readable line, a non-zero exit, and no
partial output."""

from __future__ import annotations

import gzip
import subprocess
import sys

import numpy as np
import pytest

from artgen.cli import main
from artgen.io import load_haplotypes, read_hapt, read_vcf
from conftest import write_panel, write_vcf_text


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "artgen", *map(str, args)],
                          capture_output=True, text=True)


def test_unphased_input_exits_2_names_file_and_site_and_writes_nothing(tmp_path):
    vcf = write_vcf_text(tmp_path / "u.vcf.gz", """
        1 100 . A G . PASS . GT 0|1 1|1
        1 200 . C T . PASS . GT 0|1 1/0
    """)
    panel = write_panel(tmp_path / "p", [("S1", "P1", "A"), ("S2", "P2", "B")])
    out = tmp_path / "out"
    result = run_cli("build-panel", "dense", "--vcf", f"1={vcf}", "--panel-file", panel,
                     "--n-snps", 2, "--out", out / "d.npz", "--vcf-out", out / "d.vcf.gz")
    assert result.returncode == 2
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("error: ") and "u.vcf.gz: site 1:200: sample 'S2'" in last
    assert "Traceback" not in result.stderr
    assert not out.exists() or not any(out.iterdir())


def test_panel_then_split_then_convert(tmp_path, tiny_vcf):
    vcf, _ = tiny_vcf
    panel = write_panel(tmp_path / "one.panel", [("S1", "P1", "A"), ("S2", "P1", "A")])
    assert main(["build-panel", "dense", "--vcf", f"1={vcf}", "--panel-file", str(panel),
                 "--n-snps", "4", "--out", str(tmp_path / "d.npz")]) == 0
    assert main(["make-splits", "--panel-file", str(panel), "--target", "P1",
                 "--test-fraction", "0", "--seed", "1", "--out", str(tmp_path / "s.tsv")]) == 0
    assert main(["apply-split", "--panel", str(tmp_path / "d.npz"), "--splits",
                 str(tmp_path / "s.tsv"), "--split", "train", "--out", str(tmp_path / "t.npz")]) == 0
    assert load_haplotypes(tmp_path / "t.npz").n_haplotypes == 4
    assert main(["convert", str(tmp_path / "d.npz"), "--vcf-out", str(tmp_path / "d.vcf.gz"),
                 "--hapt-out", str(tmp_path / "d.hapt"), "--legend-out",
                 str(tmp_path / "d.legend")]) == 0
    h = load_haplotypes(tmp_path / "d.npz")
    np.testing.assert_array_equal(read_vcf(tmp_path / "d.vcf.gz").alleles, h.alleles)
    assert read_hapt(tmp_path / "d.hapt", tmp_path / "d.legend", panel).same_as(h)


def test_import_hapt_filters_populations(tmp_path, tiny_vcf):
    _, panel = tiny_vcf
    (tmp_path / "x.hapt").write_text("Real S1_A 0 1\nReal S1_B 1 1\nReal S2_A 0 0\nReal S2_B 1 0\n")
    (tmp_path / "x.legend").write_text("id position a0 a1\n1:5_A_G 5 A G\n1:9_C_T 9 C T\n")
    args = ["import-hapt", "--hapt", str(tmp_path / "x.hapt"), "--legend",
            str(tmp_path / "x.legend"), "--panel-file", str(panel)]
    assert main(args + ["--populations", "P2", "--out", str(tmp_path / "p2.npz")]) == 0
    assert load_haplotypes(tmp_path / "p2.npz").ids.tolist() == ["S2_A", "S2_B"]
    assert main(args + ["--populations", "P9", "--out", str(tmp_path / "p9.npz")]) == 2
    assert not (tmp_path / "p9.npz").exists()


@pytest.mark.parametrize("args, message", [
    (["simulate-contig", "--chrom", "15", "--left", "1", "--length", "1000", "--samples",
      "GBR=3", "--seed", "1"], "population 'GBR' is not in OutOfAfrica_3G09"),
    (["cohort-panel", "--samples", "CEU=x"], "expected POP=N, got 'CEU=x'"),
    (["fetch", "/nonexistent/x.vcf.gz", "--vcf"], "VCF not found"),
])
def test_bad_arguments_exit_2_with_a_message(tmp_path, capsys, args, message):
    out = str(tmp_path / "out.file")
    argv = args[:2] + [out] + args[2:] if args[0] == "fetch" else args + ["--out", out]
    assert main(argv) == 2
    assert message in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def plain_gzip(vcf, dest):
    """A copy of bgzipped ``vcf`` as plain gzip (what many tools write), with no index."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(gzip.compress(gzip.decompress(vcf.read_bytes())))
    return dest


@pytest.mark.parametrize("form", ["gzip", "uncompressed", "bgzip without index"])
def test_build_panel_reads_a_vcf_that_is_not_bgzipped_and_indexed(tmp_path, tiny_vcf, form):
    vcf, panel = tiny_vcf
    given = tmp_path / "given" / ("tiny.vcf" if form == "uncompressed" else "tiny.vcf.gz")
    given.parent.mkdir()
    if form == "gzip":
        plain_gzip(vcf, given)
    elif form == "uncompressed":
        given.write_bytes(gzip.decompress(vcf.read_bytes()))
    else:
        given.write_bytes(vcf.read_bytes())
    out = tmp_path / "out"
    result = run_cli("build-panel", "dense", "--vcf", f"1={given}", "--panel-file", panel,
                     "--n-snps", 3, "--start", 150, "--out", out / "d.npz")
    assert result.returncode == 0, result.stderr
    assert f"{given}: not bgzipped with an index beside it; reading a bgzipped, indexed copy" \
        in result.stderr
    assert main(["build-panel", "dense", "--vcf", f"1={vcf}", "--panel-file", str(panel),
                 "--n-snps", "3", "--start", "150", "--out", str(tmp_path / "ref.npz")]) == 0
    assert load_haplotypes(out / "d.npz").same_as(load_haplotypes(tmp_path / "ref.npz"))
    assert sorted(p.name for p in out.iterdir()) == ["d.npz"]          # the copy is gone
    assert sorted(p.name for p in given.parent.iterdir()) == [given.name]  # input untouched


def test_errors_name_the_vcf_given_not_its_copy(tmp_path):
    vcf = write_vcf_text(tmp_path / "u.vcf.gz", """
        1 100 . A G . PASS . GT 0|1 1|1
        1 200 . C T . PASS . GT 0|1 1/0
    """)
    given = plain_gzip(vcf, tmp_path / "given" / "u.vcf.gz")
    panel = write_panel(tmp_path / "p", [("S1", "P1", "A"), ("S2", "P2", "B")])
    result = run_cli("build-panel", "dense", "--vcf", f"1={given}", "--panel-file", panel,
                     "--n-snps", 2, "--out", tmp_path / "out" / "d.npz")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].startswith(
        f"error: {given}: site 1:200: sample 'S2' has an unphased genotype")
    assert not any((tmp_path / "out").iterdir())


@pytest.mark.parametrize("kind, message", [
    ("dense", "dense panel: chromosome 1 from position 1 holds 4 biallelic SNPs with MAF >= 0; "
              "n_snps asks for 10"),
    ("dispersed", "dispersed panel: chromosome 1 holds 4 biallelic SNPs with MAF >= 0; "
                  "n_snps asks for 10"),
])
def test_panel_asking_for_more_snps_than_the_region_holds_is_one_line(tmp_path, tiny_vcf, kind,
                                                                      message):
    vcf, panel = tiny_vcf
    result = run_cli("build-panel", kind, "--vcf", f"1={vcf}", "--panel-file", panel,
                     "--n-snps", 10, "--out", tmp_path / "out" / "d.npz")
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert errors == [f"error: {vcf}: {message}"]
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out" / "d.npz").exists()


def test_samples_panel_puts_every_sample_in_one_population(tmp_path, tiny_vcf):
    vcf, _ = tiny_vcf
    given = plain_gzip(vcf, tmp_path / "given" / "tiny.vcf.gz")
    panel = tmp_path / "samples.panel"
    result = run_cli("samples-panel", "--vcf", given, "--population", "GBR", "--out", panel)
    assert result.returncode == 0, result.stderr
    assert "no panel file: all 2 samples in one population GBR" in result.stderr
    assert panel.read_text() == "sample\tpop\tsuper_pop\nS1\tGBR\tGBR\nS2\tGBR\tGBR\n"
    # The panel file it writes is one build-panel takes.
    assert main(["build-panel", "chromosome", "--vcf", f"1={vcf}", "--panel-file", str(panel),
                 "--out", str(tmp_path / "c.npz")]) == 0
    assert set(load_haplotypes(tmp_path / "c.npz").pops) == {"GBR"}
    result = run_cli("samples-panel", "--vcf", tmp_path / "none.vcf.gz", "--population", "GBR",
                     "--out", tmp_path / "none.panel")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == \
        f"error: {tmp_path / 'none.vcf.gz'}: file not found"
    assert not (tmp_path / "none.panel").exists()


def test_draws_sample_independent_sets_and_stats_reports_each(tmp_path):
    """`sample --draw 1 --out a b` writes draws 1 and 2: what two runs with
    --draw 1 and --draw 2 give, different from each other and from draw 0;
    `stats` on three AG files writes one row per metric and draw."""
    import pandas as pd

    from artgen.haplotypes import Haplotypes
    from artgen.io import save_haplotypes

    rng = np.random.default_rng(0)
    n_snps = 30
    real = Haplotypes.build((rng.random((40, n_snps)) < 0.3).astype(np.uint8),
                            chrom=["1"] * n_snps, pos=np.arange(1, n_snps + 1) * 100,
                            ref=["A"] * n_snps, alt=["G"] * n_snps,
                            ids=[f"S{i // 2}_{'AB'[i % 2]}" for i in range(40)])
    save_haplotypes(real, tmp_path / "train.npz")
    save_haplotypes(real.take_haplotypes(np.arange(20)), tmp_path / "test.npz")
    assert main(["train", "--model", "bernoulli", "--data", str(tmp_path / "train.npz"),
                 "--out", str(tmp_path / "m.npz")]) == 0

    def sample(draw, *outs):
        assert main(["sample", "--model-file", str(tmp_path / "m.npz"), "--like",
                     str(tmp_path / "train.npz"), "--seed", "3", "--draw", str(draw),
                     "--out", *map(str, outs)]) == 0

    sample(0, tmp_path / "d0.npz")
    sample(1, tmp_path / "d1.npz", tmp_path / "d2.npz")
    sample(2, tmp_path / "d2_alone.npz")
    d0, d1, d2 = (load_haplotypes(tmp_path / f"d{d}.npz").alleles for d in range(3))
    assert np.array_equal(d2, load_haplotypes(tmp_path / "d2_alone.npz").alleles)
    assert not np.array_equal(d0, d1) and not np.array_equal(d1, d2)
    sample(0, tmp_path / "again.npz")  # draw 0 is --seed alone, as before draws existed
    assert np.array_equal(d0, load_haplotypes(tmp_path / "again.npz").alleles)

    result = run_cli("sample", "--model-file", tmp_path / "m.npz", "--like",
                     tmp_path / "train.npz", "--seed", 3, "--out", tmp_path / "x.npz",
                     tmp_path / "y.npz", "--vcf-out", tmp_path / "x.vcf.gz")
    assert result.returncode == 2 and "one --out" in result.stderr
    assert not (tmp_path / "x.npz").exists()

    assert main(["stats", "frequencies", "ld", "--real", str(tmp_path / "train.npz"), "--ags",
                 *(str(tmp_path / f"d{d}.npz") for d in range(3)), "--held-out",
                 str(tmp_path / "test.npz"), "--panel", "p", "--model", "bernoulli", "--seed",
                 "1", "--out-dir", str(tmp_path / "stats")]) == 0
    assert sorted(p.name for p in (tmp_path / "stats").iterdir()) == [
        "frequencies.table.tsv", "frequencies.tsv", "ld.table.tsv", "ld.tsv"]
    ld = pd.read_csv(tmp_path / "stats" / "ld.tsv", sep="\t")
    assert set(ld["metric"]) >= {"ld_r"} and sorted(set(ld["draw"])) == [0, 1, 2]
    # the heldout family halves --held-out-fidelity; one individual cannot be
    # halved, and the families computed before it are not written either
    save_haplotypes(real.take_haplotypes(np.arange(2)), tmp_path / "one.npz")
    result = run_cli("stats", "frequencies", "heldout", "--real", tmp_path / "train.npz",
                     "--ags", tmp_path / "d0.npz", "--held-out", tmp_path / "test.npz",
                     "--held-out-fidelity", tmp_path / "one.npz", "--panel", "p", "--model",
                     "bernoulli", "--seed", 1, "--out-dir", tmp_path / "failed")
    assert result.returncode == 2 and "at least 2 held-out individuals" in result.stderr
    assert not (tmp_path / "failed").exists() or not any((tmp_path / "failed").iterdir())
    # --halvings: one AG set scored at three halvings of the held-out set
    assert main(["stats", "heldout", "--real", str(tmp_path / "train.npz"), "--ags",
                 str(tmp_path / "d0.npz"), "--held-out", str(tmp_path / "test.npz"),
                 "--panel", "p", "--model", "bernoulli", "--seed", "1", "--halvings", "3",
                 "--out-dir", str(tmp_path / "halvings")]) == 0
    heldout = pd.read_csv(tmp_path / "halvings" / "heldout.tsv", sep="\t")
    assert sorted(set(heldout["draw"])) == [0, 1, 2]
    result = run_cli("stats", "heldout", "--real", tmp_path / "train.npz", "--ags",
                     tmp_path / "d0.npz", "--held-out", tmp_path / "test.npz", "--panel", "p",
                     "--model", "bernoulli", "--seed", 1, "--halvings", 0, "--out-dir",
                     tmp_path / "none")
    assert result.returncode == 2 and "--halvings must be at least 1" in result.stderr
    assert not (tmp_path / "none").exists()
    table = pd.read_csv(tmp_path / "stats" / "frequencies.tsv", sep="\t")
    assert list(table.columns) == ["panel", "model", "seed", "draw", "metric", "value"]
    af = table[table["metric"] == "af_r"].set_index("draw")["value"]
    assert af.index.tolist() == [0, 1, 2] and af.nunique() == 3
    # --start-set: the privacy family scores the real rows the chains started from
    assert main(["stats", "privacy", "--real", str(tmp_path / "train.npz"), "--ags",
                 str(tmp_path / "d0.npz"), "--held-out", str(tmp_path / "test.npz"),
                 "--start-set", str(tmp_path / "train.npz"), "--panel", "p", "--model",
                 "bernoulli", "--seed", "1", "--out-dir", str(tmp_path / "started")]) == 0
    privacy = pd.read_csv(tmp_path / "started" / "privacy.tsv", sep="\t")
    values = privacy.set_index("metric")["value"]
    assert values["privacy_loss_start"] == pytest.approx(values["privacy_loss_matched"])
    from artgen.stats.privacy import identical_to_train
    assert values["identical_to_start"] == identical_to_train(
        load_haplotypes(tmp_path / "d0.npz").alleles, real.alleles).sum()
