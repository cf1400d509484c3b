"""UMAP embedding of real and artificial haplotypes (Yelmen et al. 2021,
Supplementary Figure 3).

:func:`umap_embedding` first reduces the stacked data to
``pca_components=50`` principal components (seeded randomized PCA), then
runs UMAP with the Euclidean metric and ``random_state=seed`` (which makes
umap single-threaded and reproducible).  Euclidean distance between 0/1
haplotypes is the square root of their Hamming count, so on raw data it
ranks neighbours exactly as the Hamming metric does, and after the PCA
reduction Euclidean is the metric the reduction preserves.  The distance
between the embedded clouds is :func:`artgen.stats.wasserstein.umap_wasserstein`.
"""

from __future__ import annotations

import sys
import warnings

import numpy as np

from artgen.errors import InputError
from artgen.checks import check_count, check_datasets, check_seed

__all__ = ["umap_embedding"]


def umap_embedding(
    datasets: dict,
    seed: int = 0,
    n_neighbors: int = 15,
    min_dist: float = 0.1,
    *,
    pca_components: int | None = 50,
) -> dict[str, np.ndarray]:
    """One 2-D UMAP of all datasets stacked (Yelmen et al. 2021, Supplementary Figure 3).

    The stacked 0/1 matrix is first reduced to ``pca_components`` principal
    components (seeded randomized PCA, centred, unscaled: standard practice,
    it removes sampling noise and makes UMAP's neighbour search fast), then
    embedded by ``umap.UMAP(metric="euclidean", random_state=seed)``.
    Euclidean distance on 0/1 haplotypes is the square root of the Hamming
    count, so on raw data it ranks neighbours as Hamming does; after the
    PCA reduction Euclidean is the distance the reduction preserves.
    A fixed ``random_state`` makes umap single-threaded and reproducible.

    Parameters
    ----------
    datasets : dict of str -> array_like, 0/1, shape (n_i, n_snps)
        At least 3 haplotypes in total, more than ``n_neighbors`` for a
        meaningful graph.
    seed : int, default 0
        Seed of the PCA and of UMAP.
    n_neighbors : int, default 15
    min_dist : float, default 0.1
        UMAP's parameters (umap-learn defaults).
    pca_components : int or None, default 50
        Reduce to this many PCs first; None (or a value not below
        ``min(n_total, n_snps)``) embeds the raw 0/1 matrix.

    Returns
    -------
    dict of str -> ndarray, float64, shape (n_i, 2)
        UMAP coordinates of each dataset, in the input order.

    Examples
    --------
    >>> real, ag = (np.random.default_rng(0).random((2, 30, 40)) < 0.3).astype(np.uint8)
    >>> emb = umap_embedding({"real": real, "ag": ag}, n_neighbors=5)  # doctest: +SKIP
    >>> emb["real"].shape  # doctest: +SKIP
    (30, 2)
    """
    data = check_datasets(datasets, dtypes="numeric")
    seed = check_seed(seed)
    n_neighbors = check_count(n_neighbors, "n_neighbors", 2)
    try:
        min_dist = float(min_dist)
    except (TypeError, ValueError):
        raise InputError(f"min_dist must be a number, got {min_dist!r}") from None
    if not (0.0 <= min_dist) or not np.isfinite(min_dist):
        raise InputError(f"min_dist must be a finite number >= 0, got {min_dist!r}")
    if pca_components is not None:
        pca_components = check_count(pca_components, "pca_components", 2)
    names = tuple(data)
    sizes = [data[nm].shape[0] for nm in names]
    x = np.concatenate([data[nm] for nm in names], axis=0)
    n, p = x.shape
    if n < 3:
        raise InputError(f"UMAP needs at least 3 haplotypes in total, got {n}")
    if pca_components is not None and pca_components < min(n, p):
        from sklearn.decomposition import PCA

        z = PCA(n_components=pca_components, svd_solver="randomized", random_state=seed).fit_transform(
            x.astype(np.float64)
        )
    else:
        z = x.astype(np.float32)
    emb = _run_umap(z, seed=seed, n_neighbors=min(n_neighbors, n - 1), min_dist=min_dist)
    bounds = np.cumsum([0, *sizes])
    return {nm: np.ascontiguousarray(emb[bounds[i] : bounds[i + 1]], dtype=np.float64) for i, nm in enumerate(names)}


def _run_umap(z: np.ndarray, *, seed: int, n_neighbors: int, min_dist: float) -> np.ndarray:
    with warnings.catch_warnings():
        # umap's notices about random_state forcing n_jobs=1, and TensorFlow's absence
        warnings.filterwarnings("ignore", message=".*n_jobs.*", category=UserWarning)
        warnings.filterwarnings("ignore", category=ImportWarning)
        # umap imports TensorFlow for ParametricUMAP, which this does not use:
        # seconds of start-up in every statistics job. Marking the submodule
        # absent makes umap fall back to its stub.
        sys.modules.setdefault("umap.parametric_umap", None)
        import umap

        model = umap.UMAP(
            n_components=2,
            n_neighbors=n_neighbors,
            min_dist=min_dist,
            metric="euclidean",
            random_state=seed,
            init="spectral",
        )
        return model.fit_transform(z)
