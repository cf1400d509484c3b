"""Shared fixtures: small VCFs written by hand, and a tiny simulated cohort."""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

import msprime
import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data" / "1000G_805"


def write_vcf_text(path: Path, body: str, samples=("S1", "S2"), contigs=("1",)) -> Path:
    """Write a small VCF (records given as tab- or space-separated lines),
    bgzip and index it; returns the .vcf.gz path."""
    header = ["##fileformat=VCFv4.2"]
    header += [f"##contig=<ID={c}>" for c in contigs]
    header.append('##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">')
    header.append("\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO",
                             "FORMAT", *samples]))
    records = ["\t".join(line.split()) for line in textwrap.dedent(body).strip().splitlines()]
    plain = path.with_suffix("")  # x.vcf.gz -> x.vcf
    plain.write_text("\n".join(header + records) + "\n")
    subprocess.run(["bgzip", "-f", str(plain)], check=True)
    subprocess.run(["tabix", "-f", "-p", "vcf", str(path)], check=True)
    return path


def interrupt_at_epoch(model, epoch: int, error: type[BaseException] = KeyboardInterrupt):
    """Make ``model``'s training raise ``error`` once it has trained ``epoch``
    epochs, as a killed job would stop; returns the model."""
    run_epochs = model._run_epochs

    def run_or_die(first_epoch, n_epochs):
        if first_epoch >= epoch:
            raise error
        return run_epochs(first_epoch, n_epochs)

    model._run_epochs = run_or_die
    return model


def write_panel(path: Path, rows) -> Path:
    """Write a panel file from (sample, pop, super_pop) rows."""
    path.write_text("sample\tpop\tsuper_pop\n" + "".join(f"{s}\t{p}\t{sp}\n" for s, p, sp in rows))
    return path


@pytest.fixture
def tiny_vcf(tmp_path):
    """Two samples of two populations; 4 biallelic SNPs, an indel and a multi-allelic SNP."""
    vcf = write_vcf_text(tmp_path / "tiny.vcf.gz", """
        1 100 . A G . PASS . GT 0|1 1|1
        1 150 . AT A . PASS . GT 0|1 0|0
        1 200 . C T . PASS . GT 0|0 1|0
        1 250 . C G,T . PASS . GT 0|1 2|0
        1 300 . G A . PASS . GT 1|1 0|1
        1 400 . T C . PASS . GT 0|0 0|1
    """)
    panel = write_panel(tmp_path / "tiny.panel", [("S1", "P1", "SP1"), ("S2", "P2", "SP2")])
    return vcf, panel


@pytest.fixture(scope="session")
def small_cohort(tmp_path_factory):
    """A small simulated cohort: chr15 (1.5 Mb) and chr1 (0.5 Mb), 3 populations."""
    from artgen.cohort import simulate_contig, write_cohort_panel, write_contig_vcf

    folder = tmp_path_factory.mktemp("cohort")
    samples = {"YRI": 10, "CEU": 30, "CHB": 10}
    vcfs = {}
    for chrom, length in (("15", 1_500_000), ("1", 500_000)):
        ts = simulate_contig(chrom=chrom, left=10_000_000, length=length, samples=samples, seed=7)
        vcfs[chrom] = str(folder / f"chr{chrom}.vcf.gz")
        write_contig_vcf(ts, chrom, samples, vcfs[chrom])
    write_cohort_panel(samples, folder / "samples.panel")
    return {"vcfs": vcfs, "panel": str(folder / "samples.panel"), "samples": samples}


def simulate_population(n_haplotypes: int = 1400, seed: int = 3) -> np.ndarray:
    """Haplotypes of one simulated population, rows in random order (for the
    privacy attack and release tests).

    msprime, 5 Mb, recombination 1e-8; the population grew 100-fold over
    the last 400 generations (so, as in real cohorts, few pairs are close
    relatives sharing whole haplotypes); SNPs with MAF >= 0.05 (about 1,200).
    """
    demography = msprime.Demography()
    demography.add_population(name="pop", initial_size=1e6, growth_rate=np.log(100) / 400)
    demography.add_population_parameters_change(time=400, growth_rate=0, initial_size=1e4)
    ts = msprime.sim_ancestry(samples=n_haplotypes // 2, demography=demography,
                              sequence_length=5e6, recombination_rate=1e-8, random_seed=seed)
    ts = msprime.sim_mutations(ts, rate=2e-9, random_seed=seed + 1,
                               model=msprime.BinaryMutationModel())
    g = ts.genotype_matrix().T.astype(np.uint8)
    freq = g.mean(axis=0)
    g = g[:, (freq >= 0.05) & (freq <= 0.95)]
    return np.ascontiguousarray(g[np.random.default_rng(seed).permutation(g.shape[0])])
