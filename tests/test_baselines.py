"""Baseline generators: the shared interface and what each keeps."""

from __future__ import annotations

import numpy as np
import pytest

from artgen.errors import InputError
from artgen.models import load_generator, make_generator, registered_models
from artgen.models.baselines import MarkovChainGenerator


@pytest.fixture
def structured():
    """Haplotypes with strong LD: copies of 4 founders with 2% noise."""
    rng = np.random.default_rng(0)
    founders = rng.integers(0, 2, size=(4, 60), dtype=np.uint8)
    rows = founders[rng.integers(0, 4, size=400)]
    flips = rng.random(rows.shape) < 0.02
    return (rows ^ flips).astype(np.uint8)


def test_registry_has_the_baselines():
    assert {"bernoulli", "markov", "test"} <= set(registered_models())
    with pytest.raises(InputError, match="unknown model 'gann'"):
        make_generator("gann")


@pytest.mark.parametrize("name, settings", [("bernoulli", {}), ("markov", {"window": 3}),
                                            ("test", {})])
def test_fit_sample_save_load(tmp_path, structured, name, settings):
    model = make_generator(name, **settings).fit(structured)
    a = model.sample(100, seed=1)
    assert a.shape == (100, 60) and a.dtype == np.uint8 and set(np.unique(a)) <= {0, 1}
    assert np.array_equal(a, model.sample(100, seed=1))
    model.save(tmp_path / "m.npz")
    model.save(tmp_path / "m2.npz")
    assert (tmp_path / "m.npz").read_bytes() == (tmp_path / "m2.npz").read_bytes()
    back = load_generator(tmp_path / "m.npz")
    assert type(back) is type(model)
    assert np.array_equal(back.sample(100, seed=1), a)


def test_bernoulli_keeps_frequencies_and_loses_ld(structured):
    ags = make_generator("bernoulli").fit(structured).sample(20000, seed=2)
    np.testing.assert_allclose(ags.mean(0), structured.mean(0), atol=0.015)
    real_r = np.corrcoef(structured[:, :2].T)[0, 1]
    ag_r = np.corrcoef(ags[:, :2].T)[0, 1]
    assert abs(ag_r) < 0.05 < abs(real_r)


def test_markov_by_hand():
    # Window 1: P(h_1 = 1 | h_0). Training: 00, 01, 11, 11 ->
    # P(h_0=1) = 1/2; P(h_1=1 | h_0=0) = 1/2; P(h_1=1 | h_0=1) = 1.
    train = np.array([[0, 0], [0, 1], [1, 1], [1, 1]], dtype=np.uint8)
    model = MarkovChainGenerator(window=1).fit(train)
    assert model.totals[0].tolist() == [4, 0] and model.ones[0].tolist() == [2, 0]
    assert model.totals[1].tolist() == [2, 2] and model.ones[1].tolist() == [1, 2]
    ags = model.sample(40000, seed=3)
    assert not ((ags[:, 0] == 1) & (ags[:, 1] == 0)).any()     # never seen: 10
    np.testing.assert_allclose(ags[:, 0].mean(), 0.5, atol=0.01)
    np.testing.assert_allclose(ags[ags[:, 0] == 0, 1].mean(), 0.5, atol=0.015)


def test_markov_keeps_short_range_ld(structured):
    ags = make_generator("markov", window=5).fit(structured).sample(5000, seed=4)
    for j in range(0, 50, 7):
        real_r = np.corrcoef(structured[:, j:j + 2].T)[0, 1]
        ag_r = np.corrcoef(ags[:, j:j + 2].T)[0, 1]
        assert abs(real_r - ag_r) < 0.06
    # Only windows seen in training appear.
    seen = {tuple(r) for r in structured[:, 10:16]}
    assert all(tuple(r) in seen for r in ags[:, 10:16])


def test_held_out_reference_returns_real_rows(structured):
    model = make_generator("test").fit(structured[:50])
    assert np.array_equal(model.sample(50, seed=0), structured[:50])
    part = model.sample(10, seed=0)
    assert all((structured[:50] == row).all(1).any() for row in part)
    with pytest.raises(ValueError, match="cannot draw 51"):
        model.sample(51, seed=0)


def test_bad_training_matrix():
    with pytest.raises(InputError, match="only 0 and 1"):
        make_generator("bernoulli").fit(np.array([[0, 2]]))
    with pytest.raises(InputError, match="non-empty"):
        make_generator("markov").fit(np.zeros((0, 3)))


def test_conditional_bernoulli_draws_each_populations_frequencies(tmp_path):
    """Worked by hand: population A (3 rows) carries allele 1 at site 0 in
    two rows of three, B (1 row) never; site 1 is 1 in B only. AGs come in
    the training proportions (3:1), each population at its own frequencies,
    labelled, and the model round-trips through save and load."""
    rows = np.array([[1, 0], [1, 0], [0, 0], [0, 1]], dtype=np.uint8)
    model = make_generator("bernoulli", conditional=True)
    model.set_populations(["A", "A", "A", "B"])
    model.fit(rows)
    np.testing.assert_allclose(model.frequencies, [[2 / 3, 0], [0, 1]])
    ags, pops = model.sample(40000, seed=1), model.sample_populations(40000)
    assert (pops == "A").sum() == 30000 and (pops == "B").sum() == 10000
    np.testing.assert_allclose(ags[pops == "A"].mean(0), [2 / 3, 0], atol=0.01)
    assert ags[pops == "B"].tolist() == [[0, 1]] * 10000
    model.save(tmp_path / "m.npz")
    back = load_generator(tmp_path / "m.npz")
    assert np.array_equal(back.sample(50, seed=3), model.sample(50, seed=3))
    assert back.sample_populations(4).tolist() == ["A", "A", "A", "B"]
    with pytest.raises(InputError, match="one population label per training row"):
        make_generator("bernoulli", conditional=True).fit(rows)
    with pytest.raises(InputError, match="conditional must be true or false"):
        make_generator("bernoulli", conditional="yes")
