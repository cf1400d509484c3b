"""The simulated built-in cohort: 1000-Genomes-shaped output, seeded."""

from __future__ import annotations

import gzip

import pytest

from artgen.cohort import (cohort_panel, contig_seed, sample_names, simulate_contig,
                           write_contig_vcf)
from artgen.errors import InputError
from artgen.io import read_panel_file
from artgen.io.vcf import DropCounts, scan_snps

SAMPLES = {"YRI": 3, "CEU": 5, "CHB": 2}


def simulate(tmp_path, name, seed, chrom="15"):
    ts = simulate_contig(chrom=chrom, left=20_000_000, length=200_000, samples=SAMPLES, seed=seed)
    path = tmp_path / f"{name}.vcf.gz"
    write_contig_vcf(ts, chrom, SAMPLES, path)
    return path


def test_output_looks_like_1000_genomes(tmp_path, small_cohort):
    path = simulate(tmp_path, "a", seed=1)
    assert (tmp_path / "a.vcf.gz.tbi").exists()
    with gzip.open(path, "rt") as fh:
        lines = [next(fh) for _ in range(12)]
    header = next(line for line in lines if line.startswith("#CHROM")).split()
    assert header[9:] == sample_names(SAMPLES)
    record = next(line for line in lines if not line.startswith("#")).split("\t")
    assert record[0] == "15" and int(record[1]) >= 20_000_000
    assert set(record[3]) <= set("ACGT")          # nucleotides, as Beagle needs
    assert all("|" in gt for gt in record[9:])     # phased
    drops = DropCounts()
    n_snps = sum(len(b) for b in scan_snps(path, drops=drops))
    assert n_snps > 100
    # Recurrent mutations make a few multi-allelic sites, as in real data.
    assert set(drops.counts) <= {"multi-allelic SNPs"}
    panel = read_panel_file(small_cohort["panel"])
    assert panel.loc["CEU0001", "super_pop"] == "EUR" and panel.loc["YRI0010", "pop"] == "YRI"
    assert list(cohort_panel(SAMPLES)["pop"]) == ["YRI"] * 3 + ["CEU"] * 5 + ["CHB"] * 2


def test_same_seed_same_bytes_other_seed_other_cohort(tmp_path):
    a, b, c = simulate(tmp_path, "a", 1), simulate(tmp_path, "b", 1), simulate(tmp_path, "c", 2)
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()


def test_contigs_get_distinct_seeds():
    assert contig_seed(1, "15") != contig_seed(1, "1")
    assert contig_seed(1, "15") == contig_seed(1, "15")
    assert 1 <= contig_seed(123, "22") < 2**31


def test_bad_cohort_settings():
    with pytest.raises(InputError, match="population 'GBR' is not in OutOfAfrica_3G09"):
        simulate_contig(chrom="15", left=1, length=1000, samples={"GBR": 2}, seed=1)
    with pytest.raises(InputError, match="left must be >= 1"):
        simulate_contig(chrom="15", left=0, length=1000, samples={"CEU": 2}, seed=1)
