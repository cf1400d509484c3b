"""SNP panels: F_ST against a hand-worked case and scikit-allel, spacing and
spreading rules, the three panel builders, and their input errors."""

from __future__ import annotations

import gzip

import allel
import numpy as np
import pandas as pd
import pytest

from artgen.errors import InputError
from artgen.io import read_panel_file
from artgen.panels import (Cohort, SiteTable, chromosome_panel, dense_panel, dispersed_panel,
                           evenly_spread, fst, informative_panel, load_cohort, snp_list_panel,
                           space_out, write_one_population_panel)
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
    with pytest.raises(InputError, match="chromosome 1 from position 1000 holds 0 biallelic SNPs"):
        dense_panel(str(vcf), cohort, chrom="1", start=1000, n_snps=2, min_maf=0.0)
    with pytest.raises(InputError, match="holds no biallelic SNP with MAF >= 0$"):
        chromosome_panel(str(vcf), cohort, chrom="1", start=1000)


def test_too_few_snps_is_one_line_naming_the_numbers(tiny_vcf, small_cohort):
    vcf, panel = tiny_vcf
    cohort = load_cohort([vcf], panel)
    with pytest.raises(InputError) as dense:
        dense_panel(str(vcf), cohort, chrom="1", start=300, n_snps=5, min_maf=0.0)
    assert str(dense.value) == (f"{vcf}: dense panel: chromosome 1 from position 300 holds 2 "
                                f"biallelic SNPs with MAF >= 0; n_snps asks for 5")
    with pytest.raises(InputError) as dispersed:
        dispersed_panel(str(vcf), cohort, chrom="1", n_snps=5, min_maf=0.25)
    assert str(dispersed.value) == (f"{vcf}: dispersed panel: chromosome 1 holds 4 biallelic "
                                    f"SNPs with MAF >= 0.25; n_snps asks for 5")
    big = small_cohort["vcfs"]["15"]
    with pytest.raises(InputError, match=r"chromosome 15 from position 11000000 holds \d+ "
                                         r"biallelic SNPs with MAF >= 0.01; n_snps asks for "
                                         r"10000$"):
        dense_panel(big, load_cohort([big], small_cohort["panel"]), chrom="15", start=11_000_000,
                    n_snps=10_000, min_maf=0.01)
    with pytest.raises(InputError, match="dense panel: n_snps must be 1 or more, got 0"):
        dense_panel(str(vcf), cohort, chrom="1", start=1, n_snps=0, min_maf=0.0)
    with pytest.raises(InputError, match="dispersed panel: n_snps must be 1 or more, got 0"):
        dispersed_panel(str(vcf), cohort, chrom="1", n_snps=0, min_maf=0.0)


@pytest.fixture
def one_of_each(tmp_path):
    """Three SNPs kept, and one indel, one multi-allelic and one monomorphic site dropped."""
    vcf = write_vcf_text(tmp_path / "each.vcf.gz", """
        1 100 . A G . PASS . GT 0|1 1|0
        1 150 . AT A . PASS . GT 0|1 0|0
        1 200 . C T,G . PASS . GT 0|1 2|0
        1 300 . G A . PASS . GT 0|0 0|0
        1 400 . T C . PASS . GT 1|1 0|1
        1 500 . A C . PASS . GT 0|1 0|0
    """)
    return vcf, load_cohort([vcf], write_panel(tmp_path / "p", [("S1", "P1", "A"),
                                                                ("S2", "P2", "B")]))


@pytest.mark.parametrize("kind", ["dense", "dispersed", "chromosome"])
def test_panels_drop_and_count_indels_multi_allelic_and_monomorphic_sites(one_of_each, caplog,
                                                                           kind):
    vcf, cohort = one_of_each
    build = {"dense": lambda: dense_panel(str(vcf), cohort, chrom="1", start=1, n_snps=3,
                                          min_maf=0.0),
             "dispersed": lambda: dispersed_panel(str(vcf), cohort, chrom="1", n_snps=3,
                                                  min_maf=0.0),
             "chromosome": lambda: chromosome_panel(str(vcf), cohort, chrom="1")}[kind]
    with caplog.at_level("INFO", logger="artgen.panels"):
        h = build()
    assert h.pos.tolist() == [100, 400, 500]
    assert h.alleles.T.tolist() == [[0, 1, 1, 0], [1, 1, 0, 1], [0, 1, 0, 0]]
    found = "3 biallelic SNPs with MAF >= 0" if kind == "dispersed" else \
        "3 SNPs with MAF >= 0 kept"
    assert (f"{found}; dropped 1 indels or other non-SNP records, 1 monomorphic sites, "
            f"1 multi-allelic SNPs") in caplog.text


def test_snps_below_the_maf_are_counted_apart_from_monomorphic_ones(one_of_each, caplog):
    vcf, cohort = one_of_each
    with caplog.at_level("INFO", logger="artgen.panels"):
        h = chromosome_panel(str(vcf), cohort, chrom="1", min_maf=0.3)
    assert h.pos.tolist() == [100]     # MAF 0.5; 400 and 500 have 0.25
    assert ("dropped 1 indels or other non-SNP records, 1 monomorphic sites, "
            "1 multi-allelic SNPs, 2 SNPs with MAF < 0.3") in caplog.text


def test_one_population_panel_of_a_plain_gzip_vcf(tmp_path, one_of_each, caplog):
    vcf, _ = one_of_each
    plain = tmp_path / "plain" / "each.vcf.gz"   # gzip, not bgzip, and no index
    plain.parent.mkdir()
    plain.write_bytes(gzip.compress(gzip.decompress(vcf.read_bytes())))
    with caplog.at_level("INFO", logger="artgen.panels"):
        write_one_population_panel(plain, "ALL", tmp_path / "all.panel")
    assert "no panel file: all 2 samples in one population ALL" in caplog.text
    panel = read_panel_file(tmp_path / "all.panel")
    assert panel.index.tolist() == ["S1", "S2"]
    assert panel["pop"].tolist() == panel["super_pop"].tolist() == ["ALL", "ALL"]
    assert (tmp_path / "all.panel").read_text().splitlines()[0].split() == \
        ["sample", "pop", "super_pop"]
    assert load_cohort([plain], tmp_path / "all.panel").samples == ["S1", "S2"]
    with pytest.raises(InputError, match="population name 'two words' must be one word"):
        write_one_population_panel(plain, "two words", tmp_path / "bad.panel")
    with pytest.raises(InputError, match="nowhere.vcf.gz: file not found"):
        write_one_population_panel(tmp_path / "nowhere.vcf.gz", "ALL", tmp_path / "bad.panel")
    assert not (tmp_path / "bad.panel").exists()


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
