"""PCA, UMAP and 2-D Wasserstein: agreement with scikit-learn and POT, hand
cases, and the paper's ordering (a generator that loses population
structure is far from the real cloud)."""

from __future__ import annotations

import numpy as np
import ot
import pytest
from sklearn.decomposition import PCA

from artgen.stats.pca import pca
from artgen.stats.umap import umap_embedding
from artgen.stats.wasserstein import pca_wasserstein, umap_wasserstein, wasserstein_2d


def populations(n_per_pop, n_snps, rng, shift=0.35):
    """Haplotypes of 3 populations with different allele-frequency profiles."""
    base = rng.uniform(0.2, 0.8, n_snps)
    rows = [(rng.random((n_per_pop, n_snps)) < np.clip(base + rng.normal(0, shift, n_snps),
                                                        0.02, 0.98)).astype(np.uint8)
            for _ in range(3)]
    return rows


@pytest.mark.parametrize("n_snps", [40, 300])
def test_pca_matches_scikit_learn_up_to_axis_sign(n_snps):
    rng = np.random.default_rng(0)
    real = (rng.random((120, n_snps)) < 0.3).astype(np.uint8)
    ag = (rng.random((80, n_snps)) < 0.35).astype(np.uint8)
    ours = pca({"real": real, "ag": ag}, n_components=4, seed=1)
    reference = PCA(n_components=4, svd_solver="full").fit_transform(
        np.vstack([real, ag]).astype(float))
    stacked = np.vstack([ours.coords["real"], ours.coords["ag"]])
    signs = np.sign((stacked * reference).sum(0))
    np.testing.assert_allclose(stacked, reference * signs, atol=1e-9)
    again = pca({"real": real, "ag": ag}, n_components=4, seed=1)
    assert np.array_equal(again.coords["real"], ours.coords["real"])


def test_wasserstein_hand_cases():
    # One point each: the only cost is the maximum, normalised to 1.
    assert wasserstein_2d([[0.0, 0.0]], [[3.0, 4.0]], exact=True) == 1.0
    # Two points each, moved by 1 upwards; the farthest pair (0,0)-(2,1) costs 5:
    # optimal plan moves each straight up, cost 1 each, normalised: 1/5.
    assert wasserstein_2d([[0, 0], [2, 0]], [[0, 1], [2, 1]], exact=True) == pytest.approx(0.2)
    x = np.random.default_rng(2).normal(size=(50, 2))
    assert wasserstein_2d(x, x.copy(), exact=True) == pytest.approx(0.0, abs=1e-12)
    # Entropic is close to exact (bias of the order of reg) on separated clouds.
    y = x + [3.0, 0.0]
    exact = wasserstein_2d(x, y, exact=True)
    assert wasserstein_2d(x, y, reg=1e-3) == pytest.approx(exact, abs=5e-3)
    # Agrees with POT's exact solver on the normalised cost.
    M = ot.dist(x, y)
    M /= M.max()
    assert exact == pytest.approx(ot.emd2(np.full(50, 1 / 50), np.full(50, 1 / 50), M), abs=1e-12)


def test_losing_population_structure_is_far_worse():
    profiles_rng = np.random.default_rng(3)
    base = profiles_rng.uniform(0.2, 0.8, 200)
    profiles = [np.clip(base + profiles_rng.normal(0, 0.35, 200), 0.02, 0.98) for _ in range(3)]

    def draw(rng):
        return np.vstack([(rng.random((80, 200)) < p).astype(np.uint8) for p in profiles])

    rng = np.random.default_rng(4)
    real, fresh = draw(rng), draw(rng)          # two samples of the same model
    bernoulli = (rng.random(real.shape) < real.mean(0)).astype(np.uint8)
    good = pca_wasserstein(real, fresh, seed=0)
    bad = pca_wasserstein(real, bernoulli, seed=0)
    assert bad["exact"] > 10 * good["exact"]
    assert bad["entropic"] > 5 * good["entropic"]


def test_umap_is_seeded_and_orders_like_pca():
    rng = np.random.default_rng(4)
    real = np.vstack(populations(40, 60, rng))
    bernoulli = (rng.random(real.shape) < real.mean(0)).astype(np.uint8)
    a = umap_embedding({"real": real, "ag": bernoulli}, seed=1, n_neighbors=10)
    b = umap_embedding({"real": real, "ag": bernoulli}, seed=1, n_neighbors=10)
    assert np.array_equal(a["real"], b["real"]) and a["ag"].shape == (120, 2)
    shuffled = real[rng.permutation(len(real))]
    same = umap_wasserstein(real, shuffled, seed=1, n_neighbors=10)["exact"]
    far = umap_wasserstein(real, bernoulli, seed=1, n_neighbors=10)["exact"]
    assert far > 100 * same


def test_bad_input():
    with pytest.raises(ValueError):
        wasserstein_2d(np.zeros((3, 3)), np.zeros((3, 2)))
    with pytest.raises(ValueError):
        pca({"real": np.full((3, 4), 2, dtype=np.uint8)})
