"""Splits: by individual, stratified by population, seeded."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from artgen.errors import InputError
from artgen.haplotypes import Haplotypes, haplotype_ids
from artgen.splits import (SPLIT_NAMES, make_splits, read_splits, role_counts, split_haplotypes,
                           write_splits)

SETTINGS = dict(target_population="CEU", n_impute_targets=10, sampling_fraction=0.15,
                test_fraction=0.25)


def cohort_panel(sizes):
    rows = [(f"{pop}{i:04d}", pop, sp) for pop, (n, sp) in sizes.items() for i in range(n)]
    return pd.DataFrame(rows, columns=["sample", "pop", "super_pop"]).set_index("sample")


@pytest.fixture
def panel():
    return cohort_panel({"YRI": (40, "AFR"), "CEU": (150, "EUR"), "CHB": (40, "EAS")})


def test_role_counts_by_hand():
    # 150 CEU: 10 targets; 15% of 140 = 21 sampling; 25% of 119 = 29.75 -> 30 test; 89 train.
    assert role_counts(150, n_impute_targets=10, sampling_fraction=0.15, test_fraction=0.25) == \
        {"impute_target": 10, "sampling": 21, "test": 30, "validation": 0, "train": 89}
    # 15% of those 89 = 13.35 -> 13 validation, out of the training share alone.
    assert role_counts(150, n_impute_targets=10, sampling_fraction=0.15, test_fraction=0.25,
                       validation_fraction=0.15) == \
        {"impute_target": 10, "sampling": 21, "test": 30, "validation": 13, "train": 76}


def test_the_validation_split_comes_out_of_training_and_leaves_the_others_alone(panel):
    plain = make_splits(panel, seed=1, **SETTINGS).set_index("sample")
    with_validation = make_splits(panel, seed=1, validation_fraction=0.15,
                                  **SETTINGS).set_index("sample")
    moved = plain["role"] != with_validation["role"]
    # Only training individuals move, all of them to validation.
    assert (plain.loc[moved, "role"] == "train").all()
    assert (with_validation.loc[moved, "role"] == "validation").all()
    assert with_validation.groupby("pop")["role"].apply(lambda r: (r == "validation").sum()
                                                        ).to_dict() == {"CEU": 13, "CHB": 4,
                                                                        "YRI": 4}
    assert (plain["half"] == with_validation["half"]).all()
    samples = list(panel.index)
    h = Haplotypes.build(np.zeros((2 * len(samples), 1), np.uint8), chrom=["1"], pos=[1],
                         ref=["A"], alt=["C"], ids=haplotype_ids(samples))
    table = with_validation.reset_index()
    parts = {name: set(split_haplotypes(h, table, name).samples)
             for name in ("train", "validation", "test", "sampling", "impute_target")}
    validation = parts.pop("validation")
    assert validation and all(validation.isdisjoint(other) for other in parts.values())


def test_splits_are_stratified_and_cover_everyone(panel):
    splits = make_splits(panel, seed=1, **SETTINGS)
    assert list(splits["sample"]) == list(panel.index)
    counts = splits.groupby(["pop", "role"]).size().unstack(fill_value=0)
    assert counts.loc["CEU"].to_dict() == {"impute_target": 10, "sampling": 21, "test": 30,
                                           "train": 89}
    assert counts.loc["YRI"].to_dict() == {"impute_target": 0, "sampling": 6, "test": 8,
                                           "train": 26}
    # Train:test close to 3:1 in every population; halves even within each population.
    halves = splits.groupby(["pop", "half"]).size().unstack()
    assert (halves[1] - halves[2]).abs().max() <= 1


def test_same_seed_same_splits_other_seed_other_splits(panel):
    a = make_splits(panel, seed=1, **SETTINGS)
    assert a.equals(make_splits(panel, seed=1, **SETTINGS))
    assert not a["role"].equals(make_splits(panel, seed=2, **SETTINGS)["role"])


def test_adding_a_population_leaves_the_others_unchanged(panel):
    a = make_splits(panel, seed=1, **SETTINGS)
    bigger = pd.concat([panel, cohort_panel({"JPT": (20, "EAS")})])
    b = make_splits(bigger, seed=1, **SETTINGS)
    assert b.iloc[: len(a)].reset_index(drop=True).equals(a)


def test_too_few_individuals_is_a_clear_error():
    small = cohort_panel({"CEU": (12, "EUR"), "YRI": (2, "AFR")})
    with pytest.raises(InputError, match=r"population CEU has 12 individuals \(24 haplotypes\); "
                                         r"the splits need at least"):
        make_splits(small, seed=1, **SETTINGS)
    with pytest.raises(InputError, match="population YRI has 2 individuals"):
        make_splits(small, seed=1, **{**SETTINGS, "n_impute_targets": 2})
    with pytest.raises(InputError, match="target population 'GBR' has no individuals"):
        make_splits(small, seed=1, **{**SETTINGS, "target_population": "GBR"})


def test_split_haplotypes_keeps_both_haplotypes_of_each_individual(panel, tmp_path):
    splits = make_splits(panel, seed=3, **SETTINGS)
    write_splits(splits, tmp_path / "s.tsv")
    splits = read_splits(tmp_path / "s.tsv")
    samples = list(panel.index)
    h = Haplotypes.build(np.zeros((2 * len(samples), 3), np.uint8), chrom=["1"] * 3,
                         pos=[1, 2, 3], ref=list("AAA"), alt=list("CCC"), ids=haplotype_ids(samples))
    seen = []
    for name in ("train", "test", "sampling", "impute_target"):
        part = split_haplotypes(h, splits, name)
        assert part.n_haplotypes % 2 == 0
        assert (part.samples[0::2] == part.samples[1::2]).all()
        seen += list(part.samples[0::2])
    assert sorted(seen) == sorted(samples)
    h1, h2 = (split_haplotypes(h, splits, n) for n in ("half1", "half2"))
    assert h1.n_haplotypes + h2.n_haplotypes == h.n_haplotypes
    assert set(h1.samples).isdisjoint(h2.samples)
    assert set(SPLIT_NAMES) == {"train", "validation", "test", "sampling", "impute_target",
                                "half1", "half2"}


def test_split_of_unknown_sample_is_an_error(panel):
    splits = make_splits(panel, seed=3, **SETTINGS)
    h = Haplotypes.build(np.zeros((2, 1), np.uint8), chrom=["1"], pos=[1], ref=["A"], alt=["C"],
                         ids=haplotype_ids(["NOBODY"]))
    with pytest.raises(InputError, match="sample 'NOBODY' of the panel has no split"):
        split_haplotypes(h, splits, "train")


def test_split_of_chosen_populations(panel):
    splits = make_splits(panel, seed=3, **SETTINGS)
    samples = list(panel.index)
    h = Haplotypes.build(np.zeros((2 * len(samples), 1), np.uint8), chrom=["1"], pos=[1],
                         ref=["A"], alt=["C"], ids=haplotype_ids(samples))
    everyone = split_haplotypes(h, splits, "train")
    ceu = split_haplotypes(h, splits, "train", populations=["CEU"])
    by_sample = splits.set_index("sample")["pop"]
    assert set(by_sample[list(ceu.samples)]) == {"CEU"}
    assert set(ceu.samples) == {s for s in everyone.samples if by_sample[s] == "CEU"}
    with pytest.raises(InputError, match="population 'GBR' is not in the splits"):
        split_haplotypes(h, splits, "train", populations=["GBR"])
