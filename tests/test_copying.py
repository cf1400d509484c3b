"""The Li & Stephens copying generator: the model's probabilities by hand,
exact copies without switching or mutation, switch and mutation rates as
configured, save/load, seeds and bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest

from artgen.errors import InputError
from artgen.models import load_generator, make_generator
from artgen.models.base import registered_models
from artgen.models.copying import (DEFAULT_NE, CopyingGenerator, check_genetic_map,
                                   default_mutation_rate, switch_probabilities)


def fitted(n_templates=20, n_snps=50, *, chroms=("1",), spacing=10_000, seed=0, **settings):
    rng = np.random.default_rng(seed)
    train = rng.integers(0, 2, size=(n_templates, n_snps), dtype=np.uint8)
    chrom = np.repeat(chroms, -(-n_snps // len(chroms)))[:n_snps]
    pos = 1000 + spacing * np.arange(n_snps)
    model = CopyingGenerator(**settings)
    model.set_map(chrom, pos)
    return model.fit(train)


# --------------------------------------------------------------------------- model by hand

def test_switch_probabilities_by_hand():
    # r = 1e5 bp * 1 cM/Mb = 1e-3 M; 4 * 1e4 * 1e-3 / 100 = 0.4.
    p = switch_probabilities(["1", "1", "1", "2", "2"], [0, 100_000, 100_000, 5, 200_005],
                             ne=10_000, cm_per_mb=1.0, k=100)
    np.testing.assert_allclose(p, [1.0, 1 - np.exp(-0.4), 0.0, 1.0, 1 - np.exp(-0.8)])
    # cm_per_mb scales the map; ne=0 never switches within a chromosome.
    p2 = switch_probabilities(["1", "1"], [0, 100_000], ne=10_000, cm_per_mb=2.0, k=100)
    assert p2[1] == pytest.approx(1 - np.exp(-0.8))
    assert switch_probabilities(["1", "1"], [0, 10**9], ne=0, cm_per_mb=1.0, k=5).tolist() == [1, 0]


def test_default_mutation_rate_is_li_and_stephens():
    # K = 2: theta = 1, 1 / (2 * 3); K = 3: theta = 1 / 1.5, (2/3) / (2 * 11/3) = 1/11.
    assert default_mutation_rate(2) == pytest.approx(1 / 6)
    assert default_mutation_rate(3) == pytest.approx(1 / 11)
    k = 1000
    theta = 1 / sum(1 / i for i in range(1, k))
    assert default_mutation_rate(k) == pytest.approx(theta / (2 * (theta + k)))
    with pytest.raises(InputError, match="at least 2 template"):
        default_mutation_rate(1)
    model = fitted(n_templates=7)
    assert model.mutation_rate is None
    assert model.effective_mutation_rate() == pytest.approx(default_mutation_rate(7))


def test_registered_with_json_settings():
    assert "copying" in registered_models()
    model = make_generator("copying", ne=500, cm_per_mb=1.2, mutation_rate=0.01)
    assert json.loads(json.dumps(model.settings())) == {"ne": 500.0, "cm_per_mb": 1.2,
                                                        "mutation_rate": 0.01}
    assert CopyingGenerator().settings() == {"ne": DEFAULT_NE, "cm_per_mb": 1.0,
                                             "mutation_rate": None}


# --------------------------------------------------------------------------- sampling

def test_no_switching_no_mutation_gives_exact_copies():
    model = fitted(n_templates=6, n_snps=40, chroms=("1",), ne=0, mutation_rate=0.0)
    ags, path = model.sample_with_templates(300, seed=4)
    assert ags.shape == (300, 40) and ags.dtype == np.uint8
    assert (path == path[:, :1]).all()                       # one template per haplotype
    assert np.array_equal(ags, model.templates[path[:, 0]])
    assert set(np.unique(path[:, 0])) == set(range(6))       # start drawn from all templates


def test_template_changes_at_the_expected_rate():
    # Gaps alternate 5 kb and 50 kb; chromosome 2 starts at SNP 100.
    n_snps, k, ne = 200, 20, 5000.0
    gaps = np.where(np.arange(n_snps - 1) % 2 == 0, 5_000, 50_000)
    pos = np.concatenate([[0], np.cumsum(gaps)])
    chrom = np.where(np.arange(n_snps) < 100, "1", "2")
    pos[100:] -= pos[100] - 10          # chromosome 2 restarts near 0
    model = CopyingGenerator(ne=ne, mutation_rate=0.0)
    model.set_map(chrom, pos)
    model.fit(np.random.default_rng(1).integers(0, 2, size=(k, n_snps), dtype=np.uint8))
    _, path = model.sample_with_templates(3000, seed=5)
    changed = path[:, 1:] != path[:, :-1]
    for gap in (5_000, 50_000):
        expected = (1 - np.exp(-4 * ne * gap / 1e8 / k)) * (k - 1) / k   # 0.0047, 0.0451
        in_class = (gaps == gap) & (np.arange(n_snps - 1) != 99)
        trials = changed[:, in_class].size
        # Within 4 binomial standard deviations.
        tolerance = 4 * np.sqrt(expected * (1 - expected) / trials)
        assert changed[:, in_class].mean() == pytest.approx(expected, abs=tolerance)
    # Across the chromosome boundary the template is drawn afresh.
    assert changed[:, 99].mean() == pytest.approx((k - 1) / k, abs=0.02)


def test_mutation_flips_at_the_configured_rate():
    model = fitted(n_templates=10, n_snps=100, mutation_rate=0.05)
    ags, path = model.sample_with_templates(2000, seed=6)
    copied = model.templates[path, np.arange(100)]
    assert (ags != copied).mean() == pytest.approx(0.05, abs=0.003)


def test_frequencies_follow_the_templates():
    model = fitted(n_templates=30, n_snps=60, mutation_rate=0.02)
    ags = model.sample(20000, seed=7)
    expected = model.templates.mean(0) * (1 - 2 * 0.02) + 0.02
    np.testing.assert_allclose(ags.mean(0), expected, atol=0.015)


def test_seeds_and_save_load_round_trip(tmp_path):
    model = fitted(n_templates=12, n_snps=30, chroms=("1", "X"), ne=800, cm_per_mb=1.3)
    a = model.sample(50, seed=1)
    assert np.array_equal(a, model.sample(50, seed=1))
    assert not np.array_equal(a, model.sample(50, seed=2))
    assert np.array_equal(a, model.sample_with_templates(50, seed=1)[0])
    assert model.sample(0, seed=1).shape == (0, 30)
    model.save(tmp_path / "m.npz")
    model.save(tmp_path / "m2.npz")
    assert (tmp_path / "m.npz").read_bytes() == (tmp_path / "m2.npz").read_bytes()
    back = load_generator(tmp_path / "m.npz")
    assert isinstance(back, CopyingGenerator) and back.settings() == model.settings()
    assert back.chrom.dtype.kind == "U" and back.chrom.tolist() == model.chrom.tolist()
    assert np.array_equal(back.pos, model.pos) and np.array_equal(back.templates, model.templates)
    assert np.array_equal(back.sample(50, seed=1), a)


# --------------------------------------------------------------------------- bad input

def test_fit_needs_a_matching_map():
    train = np.zeros((4, 5), dtype=np.uint8)
    with pytest.raises(InputError, match="needs a genetic map: call set_map"):
        CopyingGenerator().fit(train)
    model = CopyingGenerator()
    model.set_map(["1"] * 4, [1, 2, 3, 4])
    with pytest.raises(InputError, match="map has 4 SNPs; the training matrix has 5"):
        model.fit(train)
    model.set_map(["1"] * 5, [1, 2, 3, 4, 5])
    model.fit(train)
    with pytest.raises(InputError, match="map has 3 SNPs; the haplotypes have 5"):
        model.set_map(["1"] * 3, [1, 2, 3])
    with pytest.raises(InputError, match="only 0 and 1"):
        model.fit(train + 2)
    with pytest.raises(InputError, match="at least 2 template"):
        model.fit(train[:1])
    with pytest.raises(InputError, match="not fitted"):
        CopyingGenerator().sample(3, seed=0)
    with pytest.raises(InputError, match="n must be an integer >= 0"):
        model.sample(-1, seed=0)


@pytest.mark.parametrize("chrom, pos, message", [
    (["1", "1"], [1, 2, 3], "chrom has 2 entries but pos has 3"),
    (["1", "1", "1"], [1, 5, 3], "not sorted within chromosome 1: SNP 2 at 3 comes after 5"),
    (["1", "2", "1"], [1, 2, 3], "chromosome 1 is split"),
    (["1", "1"], [-1, 2], "negative position"),
    (["1", "1"], [1.5, 2], "position 1.5 of SNP 0 is not a whole number"),
    (["1", "1"], ["a", "b"], "whole numbers of base pairs"),
])
def test_bad_maps(chrom, pos, message):
    with pytest.raises(InputError, match=message):
        check_genetic_map(chrom, pos)
    with pytest.raises(InputError, match=message):
        CopyingGenerator().set_map(chrom, pos)


@pytest.mark.parametrize("settings, message", [
    ({"ne": -1}, "ne must be a number >= 0"),
    ({"cm_per_mb": "1"}, "cm_per_mb must be a number"),
    ({"mutation_rate": 1.5}, "mutation_rate must be a number between 0"),
    ({"ne": True}, "ne must be a number"),
])
def test_bad_settings(settings, message):
    with pytest.raises(InputError, match=message):
        make_generator("copying", **settings)
