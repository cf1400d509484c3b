"""artgen.stats.pca, .umap and .wasserstein: PCA against scikit-learn, 2-D Wasserstein against
hand-worked cases and POT, and the paper's headline ordering (AGs that keep
the population structure are close to the real cloud; independent sites at
the pooled frequency, the "Bernoulli" baseline, are far)."""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("POT_BACKEND_DISABLE_TENSORFLOW", "1")
import ot  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402

from artgen.stats.pca import PcaResult, coords_frame, pca  # noqa: E402
from artgen.stats.umap import umap_embedding  # noqa: E402
from artgen.stats.wasserstein import pca_wasserstein, umap_wasserstein, wasserstein_2d  # noqa: E402


# ---------------------------------------------------------------------------
# synthetic data
# ---------------------------------------------------------------------------


def pop_freqs(n_snps, rng, k=3, fst=0.1):
    """Allele-frequency profiles of k populations (Balding-Nichols around a shared ancestor)."""
    anc = rng.uniform(0.1, 0.9, n_snps)
    c = (1 - fst) / fst
    return rng.beta(anc * c, (1 - anc) * c, size=(k, n_snps))


def draw(freqs, n_per_pop, rng):
    """n_per_pop haplotypes of each population, independent sites given the population."""
    return np.vstack([(rng.random((n_per_pop, freqs.shape[1])) < f).astype(np.uint8) for f in freqs])


def bernoulli_like(real, n, rng):
    """The paper's Bernoulli baseline: independent sites at the pooled real frequency."""
    return (rng.random((n, real.shape[1])) < real.mean(axis=0)).astype(np.uint8)


@pytest.fixture(scope="module")
def structured():
    rng = np.random.default_rng(11)
    freqs = pop_freqs(400, rng, k=4)
    real = draw(freqs, 75, rng)      # 300 haplotypes
    ag = draw(freqs, 50, rng)        # 200 haplotypes, same model
    return real, ag


def align_signs(ours, ref):
    """Flip each column of ``ref`` to the sign of the matching column of ``ours``."""
    return ref * np.sign((ours * ref).sum(axis=0))


# ---------------------------------------------------------------------------
# PCA
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("solver", ["full", "arpack", "auto"])
def test_pca_agrees_with_sklearn(structured, solver):
    real, ag = structured
    res = pca({"real": real, "ag": ag}, n_components=6, solver=solver)
    sk = PCA(n_components=6, svd_solver="full").fit(np.vstack([real, ag]).astype(np.float64))
    ref = sk.transform(np.vstack([real, ag]).astype(np.float64))
    ours = res.stacked()
    assert ours.shape == (500, 6)
    np.testing.assert_allclose(ours, align_signs(ours, ref), rtol=0, atol=1e-9)
    np.testing.assert_allclose(res.explained_variance_ratio, sk.explained_variance_ratio_, rtol=0, atol=1e-9)
    np.testing.assert_allclose(res.explained_variance, sk.explained_variance_, rtol=1e-9)
    np.testing.assert_allclose(res.mean, sk.mean_, rtol=0, atol=1e-12)
    comps = res.components
    np.testing.assert_allclose(comps, align_signs(comps.T, sk.components_.T).T, rtol=0, atol=1e-9)
    # the sign convention is scikit-learn's: same signs, not only up to sign
    np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-9)
    assert res.solver == ("full" if solver == "auto" else solver)  # 500 x 400 is "small"


def test_pca_is_deterministic_and_solver_independent(structured):
    real, ag = structured
    a = pca({"real": real, "ag": ag}, n_components=4, solver="arpack", seed=0)
    b = pca({"real": real, "ag": ag}, n_components=4, solver="arpack", seed=0)
    for name in ("real", "ag"):
        assert np.array_equal(a.coords[name], b.coords[name])
    # another start vector or solver: the same axes, signs included
    c = pca({"real": real, "ag": ag}, n_components=4, solver="arpack", seed=7)
    d = pca({"real": real, "ag": ag}, n_components=4, solver="full")
    np.testing.assert_allclose(c.stacked(), a.stacked(), atol=1e-9)
    np.testing.assert_allclose(d.stacked(), a.stacked(), atol=1e-9)


def test_pca_more_snps_than_haplotypes_uses_the_small_side():
    rng = np.random.default_rng(3)
    freqs = pop_freqs(1500, rng)
    x = draw(freqs, 40, rng)           # 120 x 1500: Lanczos on the 120 x 120 Gram side
    res = pca({"all": x}, n_components=5, solver="arpack")
    ref = PCA(n_components=5, svd_solver="full").fit_transform(x.astype(np.float64))
    np.testing.assert_allclose(res.coords["all"], ref, atol=1e-9)


@pytest.mark.parametrize("n_snps", [3, 150])  # both sides of the Lanczos solver
def test_pca_axes_beyond_the_rank_have_zero_variance(n_snps):
    """Four haplotypes centred have rank 3 at most; two distinct ones, rank 1.
    The eigenvalues of the null axes come out at rounding level (Lanczos:
    about eps x the largest; the full SVD, which 3 SNPs fall back to: 1e-34
    or exactly 0, with the LAPACK build), and must read 0, or whitening by
    them blows noise up."""
    rng = np.random.default_rng(0)
    a, b = (rng.random(n_snps) < 0.5).astype(np.uint8), (rng.random(n_snps) < 0.5).astype(np.uint8)
    x = np.array([a, b, a, b])
    for seed in range(5):
        res = pca({"x": x}, n_components=min(3, n_snps), solver="arpack", seed=seed)
        full = pca({"x": x}, n_components=min(3, n_snps), solver="full")
        np.testing.assert_allclose(res.explained_variance[0], full.explained_variance[0], rtol=1e-12)
        assert np.all(res.explained_variance[1:] == 0.0)
        assert np.all(np.isfinite(res.components))


def test_pca_result_labels_transform_and_frame(structured):
    real, ag = structured
    res = pca({"real": real, "GAN": ag}, n_components=3)
    assert isinstance(res, PcaResult)
    assert res.names == ("real", "GAN") and res.n_components == 3
    assert res.labels.tolist() == ["real"] * 300 + ["GAN"] * 200
    assert res.coords["real"].shape == (300, 3) and res.coords["GAN"].shape == (200, 3)
    assert res.axis_labels[0].startswith("PC1 (") and res.axis_labels[0].endswith("%)")
    assert np.all(np.diff(res.explained_variance) <= 0)
    np.testing.assert_allclose(res.transform(ag), res.coords["GAN"], atol=1e-9)
    df = res.to_frame()
    assert list(df.columns) == ["dataset", "index", "PC1", "PC2", "PC3"]
    assert len(df) == 500 and df["dataset"].cat.categories.tolist() == ["real", "GAN"]
    np.testing.assert_array_equal(df.loc[df["dataset"] == "GAN", ["PC1", "PC2", "PC3"]].to_numpy(),
                                  res.coords["GAN"])


def test_pca_accepts_bool_and_int_matrices():
    x = np.array([[0, 1, 1, 0], [1, 0, 0, 1], [1, 1, 0, 0], [0, 0, 1, 1]])
    a = pca({"a": x}, n_components=2)
    b = pca({"a": x.astype(bool)}, n_components=2)
    c = pca({"a": x.astype(np.uint8)}, n_components=2)
    assert np.array_equal(a.coords["a"], b.coords["a"]) and np.array_equal(a.coords["a"], c.coords["a"])


# ---------------------------------------------------------------------------
# 2-D Wasserstein
# ---------------------------------------------------------------------------


def test_one_point_each_costs_one_after_normalisation():
    # M = [[25]]: the only pair is also the farthest, so M / M.max() = 1
    assert wasserstein_2d([[0.0, 0.0]], [[3.0, 4.0]], exact=True) == 1.0
    assert wasserstein_2d([[0.0, 0.0]], [[3.0, 4.0]]) == pytest.approx(1.0, abs=1e-12)
    assert wasserstein_2d([[0.0, 0.0]], [[3.0, 4.0]], exact=True, normalize=False) == pytest.approx(25.0)


def test_two_against_two_by_hand():
    # x = (0,0), (2,0); y = (0,1), (2,1). M = [[1, 5], [5, 1]], max 5.
    # Optimal plan: straight up, 1/2 each: cost (1 + 1) / 2 / 5 = 0.2.
    x, y = [[0, 0], [2, 0]], [[0, 1], [2, 1]]
    assert wasserstein_2d(x, y, exact=True) == pytest.approx(0.2, abs=1e-12)
    # entropic: the crossed pairs cost 0.8 more, weight exp(-800): the same
    assert wasserstein_2d(x, y, reg=1e-3) == pytest.approx(0.2, abs=1e-9)
    # one point against two: mass 1/2 to each, M = [1, 9] / 9: (1/9 + 1) / 2 = 5/9
    assert wasserstein_2d([[0, 0]], [[1, 0], [3, 0]], exact=True) == pytest.approx(5 / 9, abs=1e-12)
    assert wasserstein_2d([[0, 0]], [[1, 0], [3, 0]]) == pytest.approx(5 / 9, abs=1e-6)


def test_identical_clouds():
    x = np.random.default_rng(2).normal(size=(80, 2))
    assert wasserstein_2d(x, x.copy(), exact=True) == pytest.approx(0.0, abs=1e-12)
    ent = wasserstein_2d(x, x.copy(), reg=1e-3)
    # entropic bias: positive, at most reg * (log n + log m) (the entropy bound)
    assert 0 < ent <= 1e-3 * 2 * np.log(80)
    # all points equal: no transport at all
    assert wasserstein_2d(np.ones((3, 2)), np.ones((4, 2))) == 0.0


def test_exact_and_entropic_agree_with_pot_on_the_normalised_cost():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(40, 2))
    y = rng.normal(size=(50, 2)) * [1.5, 0.7] + [1.0, 0.0]
    a, b = np.full(40, 1 / 40), np.full(50, 1 / 50)
    M = ot.dist(x, y)  # squared Euclidean, POT's default
    M /= M.max()
    assert wasserstein_2d(x, y, exact=True) == pytest.approx(ot.emd2(a, b, M), abs=1e-12)
    for reg in (1e-1, 1e-2):
        ref = ot.sinkhorn2(a, b, M, reg, method="sinkhorn_log", numItermax=200_000, stopThr=1e-12)
        assert wasserstein_2d(x, y, reg=reg, tol=1e-9) == pytest.approx(float(ref), abs=1e-8)


def test_entropic_is_close_to_exact_on_random_clouds():
    rng = np.random.default_rng(6)
    for n, m, shift in [(60, 60, 0.0), (70, 50, 0.5), (100, 120, 2.0)]:
        x = rng.normal(size=(n, 2))
        y = rng.normal(size=(m, 2)) + shift
        exact = wasserstein_2d(x, y, exact=True)
        ent = wasserstein_2d(x, y, reg=1e-3)
        assert exact - 1e-6 <= ent <= exact + 1e-3 * (np.log(n) + np.log(m))


def test_subsampling_is_seeded():
    rng = np.random.default_rng(7)
    x, y = rng.normal(size=(300, 2)), rng.normal(size=(250, 2)) + 0.3
    a = wasserstein_2d(x, y, exact=True, max_points=100, seed=1)
    assert a == wasserstein_2d(x, y, exact=True, max_points=100, seed=1)
    assert a != wasserstein_2d(x, y, exact=True, max_points=100, seed=2)
    # max_points at or above the sizes changes nothing
    assert wasserstein_2d(x, y, exact=True, max_points=300) == wasserstein_2d(x, y, exact=True)


def test_unconverged_sinkhorn_raises():
    rng = np.random.default_rng(8)
    x, y = rng.normal(size=(100, 2)), rng.normal(size=(100, 2)) + [1.0, 0.0]
    with pytest.raises(RuntimeError, match="did not converge"):
        wasserstein_2d(x, y, reg=1e-3, max_iter=3)


# ---------------------------------------------------------------------------
# the paper's ordering on structured data
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def three_populations():
    rng = np.random.default_rng(21)
    freqs = pop_freqs(300, rng, k=3)
    real = draw(freqs, 100, rng)                       # 300 real haplotypes
    same_model = draw(freqs, 100, rng)                 # AGs that keep the structure
    bernoulli = bernoulli_like(real, 300, rng)         # AGs that lose it
    return real, same_model, bernoulli


def test_pca_wasserstein_orders_generators_like_the_paper(three_populations):
    real, same_model, bernoulli = three_populations
    good = pca_wasserstein(real, same_model, entropic_max_points=None)
    bad = pca_wasserstein(real, bernoulli, entropic_max_points=None)
    assert set(good) == {"entropic", "exact"}
    # same model: small; Bernoulli collapses the three clusters to the centre: far
    assert good["exact"] < 0.02
    assert bad["exact"] > 0.05
    assert bad["exact"] > 10 * good["exact"]
    assert bad["entropic"] > 5 * good["entropic"]
    # and the distance is not blind: real against itself is 0
    assert pca_wasserstein(real, real.copy())["exact"] == pytest.approx(0.0, abs=1e-12)


def test_pca_wasserstein_default_subsamples_only_the_entropic_value(three_populations):
    real, same_model, _ = three_populations
    full = pca_wasserstein(real, same_model, entropic_max_points=None)
    capped = pca_wasserstein(real, same_model, entropic_max_points=100)
    assert capped["exact"] == full["exact"]
    assert capped["entropic"] != full["entropic"]


# ---------------------------------------------------------------------------
# UMAP (tiny: the first call compiles with numba)
# ---------------------------------------------------------------------------


def test_umap_is_seeded_and_keeps_the_order(three_populations):
    real, same_model, bernoulli = three_populations
    real, same_model, bernoulli = real[::3], same_model[::3], bernoulli[::3]  # 100 each
    a = umap_embedding({"real": real, "ag": bernoulli}, seed=3, n_neighbors=10)
    b = umap_embedding({"real": real, "ag": bernoulli}, seed=3, n_neighbors=10)
    assert list(a) == ["real", "ag"] and a["real"].shape == (100, 2) and a["ag"].shape == (100, 2)
    assert np.array_equal(a["real"], b["real"]) and np.array_equal(a["ag"], b["ag"])
    good = umap_wasserstein(real, same_model, seed=3, n_neighbors=10)
    bad = umap_wasserstein(real, bernoulli, seed=3, n_neighbors=10)
    assert bad["exact"] > 5 * good["exact"]
    df = coords_frame(a, prefix="UMAP")
    assert list(df.columns) == ["dataset", "index", "UMAP1", "UMAP2"] and len(df) == 200


# ---------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "datasets, kwargs, match",
    [
        ([np.zeros((3, 4))], {}, "dict"),
        ({}, {}, "empty"),
        ({"a": np.zeros(4)}, {}, "2-D"),
        ({"a": np.full((3, 4), 2, dtype=np.uint8)}, {}, "0 and 1"),
        ({"a": np.array([[0.0, np.nan], [1.0, 0.0]])}, {"n_components": 1}, "0 and 1"),
        ({"a": np.zeros((3, 4)), "b": np.zeros((3, 5))}, {}, "same SNPs"),
        ({"a": np.zeros((3, 4))}, {"n_components": 5}, "exceeds"),
        ({"a": np.zeros((3, 4))}, {"n_components": 0}, ">= 1"),
        ({"a": np.zeros((3, 4))}, {"n_components": 2.0}, "integer"),
        ({"a": np.zeros((3, 4))}, {"n_components": 2, "solver": "magic"}, "solver"),
        ({"a": np.zeros((1, 4))}, {"n_components": 1}, "at least 2"),
        ({"a": np.zeros((0, 4))}, {}, "empty"),
        ({"a": np.array([["0", "1"]])}, {}, "numeric"),
    ],
)
def test_pca_bad_input(datasets, kwargs, match):
    with pytest.raises(ValueError, match=match):
        pca(datasets, **kwargs)


@pytest.mark.parametrize(
    "x, y, kwargs, match",
    [
        (np.zeros((3, 3)), np.zeros((3, 2)), {}, r"\(n, 2\)"),
        (np.zeros(4), np.zeros((3, 2)), {}, r"\(n, 2\)"),
        (np.zeros((0, 2)), np.zeros((3, 2)), {}, "no points"),
        ([[0.0, np.nan]], [[1.0, 1.0]], {}, "NaN"),
        ([[0.0, 0.0]], [[1.0, 1.0]], {"reg": 0.0}, "reg"),
        ([[0.0, 0.0]], [[1.0, 1.0]], {"reg": -1.0}, "reg"),
        ([[0.0, 0.0]], [[1.0, 1.0]], {"max_points": 0}, "max_points"),
    ],
)
def test_wasserstein_bad_input(x, y, kwargs, match):
    with pytest.raises(ValueError, match=match):
        wasserstein_2d(x, y, **kwargs)


def test_pair_functions_bad_input():
    real = np.zeros((5, 4), dtype=np.uint8)
    with pytest.raises(ValueError, match=">= 2"):
        pca_wasserstein(real, real, n_components=1)
    with pytest.raises(ValueError, match="same SNPs"):
        pca_wasserstein(real, np.zeros((5, 3), dtype=np.uint8))
    with pytest.raises(ValueError, match="0 and 1"):
        umap_wasserstein(real, np.full((5, 4), 3))
    with pytest.raises(ValueError, match="n_neighbors"):
        umap_embedding({"a": real}, n_neighbors=1)
    with pytest.raises(ValueError, match="min_dist"):
        umap_embedding({"a": real}, min_dist=-0.5)
    with pytest.raises(ValueError):
        coords_frame({})
