"""SNP panels: F_ST against a hand-worked case and scikit-allel, spacing and
spreading rules, the three panel builders, and their input errors."""

from __future__ import annotations

import allel
import numpy as np
import pandas as pd
import pytest

from artgen.errors import InputError
from artgen.panels import (Cohort, SiteTable, dense_panel, dispersed_panel, evenly_spread, fst,
                           informative_panel, load_cohort, snp_list_panel, space_out)
from conftest import write_panel, write_vcf_text


def test_fst_by_hand():
    # Two groups of 4 alleles: p = 1 and 0 -> F_ST 1; p = 0.5 and 0.5 -> 0;
    # p = 0.75 and 0.25: p_bar 0.5, variance 0.0625, F_ST 0.0625 / 0.25 = 0.25.
    table = SiteTable(pd.DataFrame(), np.array([[4, 0], [2, 2], [3, 1], [0, 0]]),
                      np.full((4, 2), 4))
    np.testing.assert_allclose(fst(table), [1.0, 0.0, 0.25, 0.0])


def test_fst_agrees_with_scikit_allel_patterson_ranking():
    rng = np.random.default_rng(1)
    p = rng.uniform(0.05, 0.95, size=200)
    a = rng.binomial(100, np.clip(p + rng.normal(0, 0.15, 200), 0, 1))
    b = rng.binomial(100, p)
    table = SiteTable(pd.DataFrame(), np.stack([a, b], 1), np.full((200, 2), 100))
    ac1 = np.stack([100 - a, a], 1)
    ac2 = np.stack([100 - b, b], 1)
    num, den = allel.hudson_fst(ac1, ac2)
    hudson = np.divide(num, den, out=np.zeros_like(num), where=den > 0)
    # Different estimators, same signal: strongly rank-correlated.
    ranks = pd.Series(fst(table)).rank().corr(pd.Series(hudson).rank())
    assert ranks > 0.95


def test_space_out_skips_close_sites():
    table = pd.DataFrame({"chrom": ["1", "1", "2", "1", "1"], "pos": [100, 150, 120, 300, 199]})
    assert space_out(table, 5, 100).tolist() == [0, 2, 3]
    assert space_out(table, 2, 100).tolist() == [0, 2]


def test_evenly_spread_is_unique_increasing_and_near_grid():
    positions = np.array([1, 2, 3, 4, 5, 50, 97, 98, 99, 100])
    chosen = evenly_spread(positions, 3)
    assert positions[chosen].tolist() == [1, 50, 100]
    dense_start = evenly_spread(np.arange(1, 11), 10)
    assert dense_start.tolist() == list(range(10))
    with pytest.raises(ValueError):
        evenly_spread(np.arange(3), 4)


def test_load_cohort_sample_absent_from_panel(tmp_path, tiny_vcf):
    vcf, _ = tiny_vcf
    panel = write_panel(tmp_path / "short.panel", [("S1", "P1", "SP1")])
    with pytest.raises(InputError, match=r"tiny.vcf.gz: sample 'S2' is absent from the panel file"):
        load_cohort([vcf], panel)


def test_load_cohort_filters_populations(tiny_vcf):
    vcf, panel = tiny_vcf
    cohort = load_cohort([vcf], panel, ["P2"])
    assert cohort.samples == ["S2"]
    with pytest.raises(InputError, match="population 'P9' has no sample"):
        load_cohort([vcf], panel, ["P9"])


def test_dense_panel_drops_non_snps_and_takes_consecutive(tiny_vcf, caplog):
    vcf, panel = tiny_vcf
    cohort = load_cohort([vcf], panel)
    with caplog.at_level("INFO"):
        h = dense_panel(str(vcf), cohort, chrom="1", start=150, n_snps=3, min_maf=0.0)
    assert h.pos.tolist() == [200, 300, 400]
    assert "1 indels or other non-SNP records, 1 multi-allelic SNPs" in caplog.text
    # S1 = 0|0 1|1 0|0 at 200, 300, 400; S2 = 1|0, 0|1, 0|1.
    assert h.alleles.tolist() == [[0, 1, 0], [0, 1, 0], [1, 0, 0], [0, 1, 1]]
    assert h.ids.tolist() == ["S1_A", "S1_B", "S2_A", "S2_B"]
    assert h.pops.tolist() == ["P1", "P1", "P2", "P2"]


def test_dense_panel_maf_filter_and_region_errors(tiny_vcf):
    vcf, panel = tiny_vcf
    cohort = load_cohort([vcf], panel)
    # MAF: 100 -> 0.25, 200 -> 0.25, 300 -> 0.25 (3 of 4 ALT), 400 -> 0.25
    h = dense_panel(str(vcf), cohort, chrom="1", start=1, n_snps=2, min_maf=0.25)
    assert h.pos.tolist() == [100, 200]
    with pytest.raises(InputError, match="region 1:1000- holds no biallelic SNP"):
        dense_panel(str(vcf), cohort, chrom="1", start=1000, n_snps=2, min_maf=0.0)
    with pytest.raises(InputError, match="holds only 2 biallelic SNPs with MAF >= 0.0; the dense panel needs 5"):
        dense_panel(str(vcf), cohort, chrom="1", start=300, n_snps=5, min_maf=0.0)


def test_unphased_genotype_at_kept_site_is_an_error_unless_declared(tmp_path):
    vcf = write_vcf_text(tmp_path / "u.vcf.gz", """
        1 100 . A G . PASS . GT 0|1 1|1
        1 200 . C T . PASS . GT 0/1 1|0
    """)
    panel = write_panel(tmp_path / "p", [("S1", "P1", "A"), ("S2", "P2", "B")])
    cohort = load_cohort([vcf], panel)
    with pytest.raises(InputError, match=r"u.vcf.gz: site 1:200: sample 'S1' has an unphased genotype '0/1'"):
        dense_panel(str(vcf), cohort, chrom="1", start=1, n_snps=2, min_maf=0.0)
    h = dense_panel(str(vcf), cohort, chrom="1", start=1, n_snps=2, min_maf=0.0, phased=False)
    assert h.n_snps == 2
    # The unphased site is outside this panel: no error.
    assert dense_panel(str(vcf), cohort, chrom="1", start=1, n_snps=1, min_maf=0.0).n_snps == 1


def test_missing_call_at_kept_site_is_an_error(tmp_path):
    vcf = write_vcf_text(tmp_path / "m.vcf.gz", """
        1 100 . A G . PASS . GT 0|1 1|1
        1 200 . C T . PASS . GT 0|1 .|.
    """)
    panel = write_panel(tmp_path / "p", [("S1", "P1", "A"), ("S2", "P2", "B")])
    with pytest.raises(InputError, match="site 1:200: sample 'S2' has a missing call"):
        dense_panel(str(vcf), load_cohort([vcf], panel), chrom="1", start=1, n_snps=2, min_maf=0.0)


def test_snp_list_panel_and_its_errors(tmp_path, tiny_vcf):
    vcf, panel = tiny_vcf
    cohort = load_cohort([vcf], panel)
    good = tmp_path / "good.legend"
    good.write_text("id position a0 a1\n1:300_G_A 300 G A\n1:100_A_G 100 A G\n")
    h = snp_list_panel({"1": str(vcf)}, cohort, good)
    assert h.pos.tolist() == [300, 100]
    cases = {
        "1:999_A_G 999 A G": r"line 2: SNP 1:999 A>G is absent from",
        "1:250_C_G 250 C G": r"line 2: SNP 1:250 C>G is multi-allelic in .*\(C>G,T\)",
        "1:100_A_T 100 A T": r"line 2: SNP 1:100 A>T: .* has other alleles there \(A>G\)",
        "2:100_A_G 100 A G": r"no VCF is configured for chromosome 2",
    }
    for entry, message in cases.items():
        bad = tmp_path / "bad.legend"
        bad.write_text(f"id position a0 a1\n{entry}\n")
        with pytest.raises(InputError, match=message):
            snp_list_panel({"1": str(vcf)}, cohort, bad)


def test_informative_panel_on_simulated_cohort(small_cohort):
    vcfs = small_cohort["vcfs"]
    cohort = load_cohort(vcfs.values(), small_cohort["panel"])
    h = informative_panel(vcfs, cohort, n_snps=40, min_distance=10_000, min_maf=0.05)
    assert h.n_snps == 40 and h.n_haplotypes == 100
    for chrom in set(h.chrom):
        pos = h.pos[h.chrom == chrom]
        assert (np.diff(pos) >= 10_000).all()
    # The chosen SNPs separate populations far better than random SNPs do.
    freqs = np.stack([h.alleles[h.pops == p].mean(0) for p in ("YRI", "CEU", "CHB")])
    assert freqs.std(0).mean() > 0.15
    with pytest.raises(InputError, match="the informative panel needs 100000"):
        informative_panel(vcfs, cohort, n_snps=100_000, min_distance=10_000, min_maf=0.05)


def test_informative_panel_needs_two_groups(small_cohort):
    vcfs = small_cohort["vcfs"]
    cohort = load_cohort(vcfs.values(), small_cohort["panel"], ["CEU"])
    with pytest.raises(InputError, match="at least two pop groups"):
        informative_panel(vcfs, cohort, n_snps=5, min_distance=0, min_maf=0.0)


def test_dispersed_panel_spreads_over_the_chromosome(small_cohort):
    vcf = small_cohort["vcfs"]["15"]
    cohort = load_cohort([vcf], small_cohort["panel"])
    h = dispersed_panel(vcf, cohort, chrom="15", n_snps=50, min_maf=0.05)
    assert h.n_snps == 50 and (np.diff(h.pos) > 0).all()
    gaps = np.diff(h.pos)
    assert gaps.max() < 4 * (h.pos[-1] - h.pos[0]) / 49
    assert h.pos[0] < 10_050_000 and h.pos[-1] > 11_450_000
    freq = h.alleles.mean(0)
    assert (np.minimum(freq, 1 - freq) >= 0.05).all()
