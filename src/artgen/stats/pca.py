"""Principal component analysis of real and artificial haplotypes.

Yelmen et al. (2021) fit one PCA on all datasets stacked (Figure 1: real +
every generator's AGs, six axes) and "paired" PCAs on real + one AG set,
whose PCs 1-2 give the 2-D Wasserstein distance of each model
(:func:`artgen.stats.wasserstein.pca_wasserstein`).

Inputs are 0/1 ``uint8`` haplotype matrices of shape (n_haplotypes, n_snps),
rows haplotypes.  Every dataset of one call must have the same SNP columns.

Columns are centred, not scaled (as ``sklearn.decomposition.PCA``).
``solver="full"`` is LAPACK's SVD; ``"arpack"`` is a Lanczos eigen-solver on
the centred Gram matrix of the smaller side run to machine precision (``tol=0``;
the haplotypes' Gram matrix, for genomic data, is formed once, exactly, in
float32 column chunks, so a whole chromosome never becomes a float64 copy),
equal to the full SVD to rounding for all but near-degenerate axes, and far
faster on large matrices; ``"auto"`` picks full for small matrices.  Signs
follow scikit-learn's ``svd_flip(u_based_decision=False)``: the loading of
largest magnitude of each axis is positive, so results are reproducible and
normally identical to scikit-learn's, signs included.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import scipy.linalg
from scipy.sparse.linalg import ArpackNoConvergence, LinearOperator, eigsh

from artgen.errors import InputError
from artgen.checks import (check_choice, check_count, check_datasets, check_haplotypes,
                            check_seed)

__all__ = ["PcaResult", "pca", "coords_frame"]

_SOLVERS = ("auto", "full", "arpack")
# "auto" uses LAPACK's full SVD when the smaller side of the matrix is at most
# this; above it, Lanczos (the full SVD of 10,008 x 10,000 takes minutes).
_FULL_SVD_MAX_SIDE = 1000
# entries of one float copy of a column chunk of the haplotypes (PCA of wide matrices)
_CHUNK_ENTRIES = 8_000_000


@dataclass(frozen=True, eq=False)
class PcaResult:
    """One PCA fitted on several haplotype sets stacked.

    Attributes
    ----------
    coords : dict of str -> ndarray, float64, shape (n_i, n_components)
        Principal-component scores of each dataset, in the input order.
    explained_variance_ratio : ndarray, shape (n_components,)
        Fraction of the total variance of the stacked, centred data on each axis.
    explained_variance : ndarray, shape (n_components,)
        Variance on each axis (``ddof=1``, as scikit-learn).
    components : ndarray, shape (n_components, n_snps)
        Unit loading vectors (rows), signs as described in :func:`pca`.
    mean : ndarray, shape (n_snps,)
        Column means of the stacked data (the centre).
    names : tuple of str
        Dataset names in stacking order.
    labels : ndarray of str, shape (n_total,)
        Dataset name of every stacked row (for colouring a scatter plot).
    axis_labels : tuple of str
        ``"PC1 (12.3%)"`` etc., for axis titles.
    solver : str
        The solver that ran (``"full"`` or ``"arpack"``).

    Examples
    --------
    >>> r = pca({"real": [[0, 1, 1], [1, 0, 0], [1, 1, 0]], "ag": [[0, 1, 0], [1, 0, 1]]},
    ...         n_components=2)
    >>> r.coords["ag"].shape, r.stacked().shape, r.labels.tolist()
    ((2, 2), (5, 2), ['real', 'real', 'real', 'ag', 'ag'])
    """

    coords: dict[str, np.ndarray]
    explained_variance_ratio: np.ndarray
    explained_variance: np.ndarray
    components: np.ndarray
    mean: np.ndarray
    names: tuple[str, ...]
    labels: np.ndarray = field(repr=False)
    axis_labels: tuple[str, ...]
    solver: str

    @property
    def n_components(self) -> int:
        """Number of axes kept."""
        return int(self.components.shape[0])

    def stacked(self) -> np.ndarray:
        """Scores of all datasets stacked in ``names`` order, shape (n_total, n_components)."""
        return np.concatenate([self.coords[n] for n in self.names], axis=0)

    def transform(self, x) -> np.ndarray:
        """Project further haplotypes onto the fitted axes.

        Parameters
        ----------
        x : array_like, 0/1, shape (n, n_snps)

        Returns
        -------
        ndarray, float64, shape (n, n_components)
        """
        arr = np.ascontiguousarray(check_haplotypes(x, "x", dtypes="numeric"))
        if arr.shape[1] != self.mean.shape[0]:
            raise InputError(f"x has {arr.shape[1]} SNPs, the PCA was fitted on {self.mean.shape[0]}")
        # a few rows at a time: a float64 copy of 700 x 229,000 SNPs would be 1.3 GB
        out = np.empty((arr.shape[0], self.components.shape[0]))
        step = max(1, _CHUNK_ENTRIES // arr.shape[1])
        for r in range(0, arr.shape[0], step):
            out[r : r + step] = arr[r : r + step].astype(np.float64) @ self.components.T
        return out - self.mean @ self.components.T

    def to_frame(self):
        """Tidy table of the scores: see :func:`coords_frame`."""
        return coords_frame(self.coords, prefix="PC")


def _svd_flip_rows(vt: np.ndarray) -> np.ndarray:
    """Signs making the largest-magnitude entry of each row of ``vt`` positive.

    Same rule as ``sklearn.utils.extmath.svd_flip(u, vt, u_based_decision=False)``.
    """
    idx = np.argmax(np.abs(vt), axis=1)
    signs = np.sign(vt[np.arange(vt.shape[0]), idx])
    signs[signs == 0] = 1.0
    return signs


def _fit_pca(x: np.ndarray, k: int, solver: str, seed: int):
    """PCA of a stacked uint8 matrix: (scores (n, k), components (k, p), variances (k,), ratios, mean, solver)."""
    n, p = x.shape
    counts = x.sum(axis=0, dtype=np.int64)
    mean = counts / n
    # total variance of the centred data (ddof=1), exact from the column counts
    total_var = float(np.sum(counts - counts.astype(np.float64) ** 2 / n) / (n - 1)) if n > 1 else 0.0
    side = min(n, p)
    if solver == "auto":
        solver = "full" if side <= _FULL_SVD_MAX_SIDE or k >= side // 4 else "arpack"
    if solver == "arpack" and k >= side:
        solver = "full"  # Lanczos needs k < min(n, p)

    if solver == "full":
        xf = x.astype(np.float64)
        xf -= mean
        u, s, vt = scipy.linalg.svd(xf, full_matrices=False, lapack_driver="gesdd", check_finite=False)
        u, s, vt = u[:, :k], s[:k], vt[:k]
        if s.size:  # null axes read 0 here too, whatever the LAPACK's rounding (see _arpack_pca)
            s[s**2 <= s[0] ** 2 * side * np.finfo(np.float64).eps] = 0.0
        signs = _svd_flip_rows(vt)
        vt *= signs[:, None]
        scores = u * (s * signs)
        ev = s**2 / (n - 1)
    else:
        try:
            scores, vt, ev = _arpack_pca(x, counts, k, seed)
        except ArpackNoConvergence:
            warnings.warn("Lanczos PCA did not converge; falling back to the full SVD", RuntimeWarning,
                          stacklevel=3)
            return _fit_pca(x, k, "full", seed)
    ratio = ev / total_var if total_var > 0 else np.zeros_like(ev)
    return scores, vt, ev, ratio, mean, solver


def _column_chunks(n_rows: int, n_cols: int):
    """Column slices of a uint8 matrix whose float copy is at most ``_CHUNK_ENTRIES`` entries."""
    step = max(1, _CHUNK_ENTRIES // max(n_rows, 1))
    return [slice(c, min(c + step, n_cols)) for c in range(0, n_cols, step)]


def _centred_gram(x: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Xc Xc^T of the column-centred 0/1 matrix, (n, n) float64, correctly rounded.

    X X^T is summed over column chunks by float32 SYRK, exact (each partial
    sum is an integer below 2**24), then centred with integer counts c:
    n^2 (Xc Xc^T)_ij = n^2 (X X^T)_ij - n ((X c)_i + (X c)_j) + c.c, every
    term an integer exact in float64 (for n^2 n_snps < 2**53), divided once.
    """
    n, p = x.shape
    gram = np.zeros((n, n))
    xc = np.zeros(n)
    cf = counts.astype(np.float64)
    for cols in _column_chunks(n, p):
        f = x[:, cols].astype(np.float32)
        gram += f @ f.T  # a @ a.T goes to syrk: half the work
        xc += f.astype(np.float64) @ cf[cols]
    gram *= float(n) * n
    gram -= float(n) * np.add.outer(xc, xc)
    gram += float(cf @ cf)
    gram /= float(n) * n
    return gram


def _arpack_pca(x: np.ndarray, counts: np.ndarray, k: int, seed: int):
    """Top-k PCA by Lanczos (ARPACK, tol=0) on the centred Gram matrix.

    Works on the smaller side: eigenvectors of Xc^T Xc (p x p) when p <= n,
    applied implicitly (two passes over a float64 copy of ``x`` per
    product); of Xc Xc^T (n x n) otherwise, formed once by
    :func:`_centred_gram` -- a whole chromosome (1,400 haplotypes x 229,000
    SNPs) is then three passes over ``x`` in float32 column chunks instead
    of a 2.6 GB float64 copy read twice per Lanczos step.
    """
    n, p = x.shape
    dim = min(n, p)
    mean = counts / n

    if p <= n:
        xf = x.astype(np.float64)

        def xc_mul(v):  # Xc @ v
            return xf @ v - mean @ v

        def xct_mul(u):  # Xc^T @ u
            return xf.T @ u - np.multiply.outer(mean, u.sum(axis=0))

        op = LinearOperator((p, p), matvec=lambda v: xct_mul(xc_mul(np.ravel(v))), dtype=np.float64)
    else:
        chunks = _column_chunks(n, p)

        def xc_mul(v):  # Xc @ v, v (p, k)
            out = np.zeros((n,) + v.shape[1:])
            for cols in chunks:
                out += x[:, cols].astype(np.float64) @ v[cols]
            return out - mean @ v

        def xct_mul(u):  # Xc^T @ u, u (n, k)
            out = np.empty((p,) + u.shape[1:])
            for cols in chunks:
                out[cols] = x[:, cols].T.astype(np.float64) @ u
            return out - np.multiply.outer(mean, u.sum(axis=0))

        op = _centred_gram(x, counts)
    v0 = np.random.default_rng(seed).uniform(-1.0, 1.0, dim)
    ncv = min(dim, max(2 * k + 1, 40))
    w, vecs = eigsh(op, k=k, which="LA", tol=0, v0=v0, ncv=ncv, maxiter=dim * 100)
    order = np.argsort(w)[::-1]
    w, vecs = w[order], vecs[:, order]
    # Lanczos returns the eigenvalues of a rank-deficient matrix (fewer
    # distinct haplotypes than axes) at rounding level, about eps * the
    # largest, not 0: such an axis is noise, and whitening by it (the density
    # attack) blows the noise up to 1e15. Zero them, as a rank test would.
    w[w <= w[0] * dim * np.finfo(np.float64).eps] = 0.0
    s = np.sqrt(w)
    if p <= n:
        vt = vecs.T.copy()
    else:  # components from the left singular vectors: v = Xc^T u / s
        with np.errstate(divide="ignore", invalid="ignore"):
            vt = (xct_mul(vecs) / np.where(s > 0, s, 1.0)).T
        norms = np.linalg.norm(vt, axis=1, keepdims=True)
        vt /= np.where(norms > 0, norms, 1.0)
    vt *= _svd_flip_rows(vt)[:, None]
    scores = xc_mul(vt.T)
    return scores, vt, w / (n - 1)


def pca(datasets: dict, n_components: int = 6, seed: int = 0, *, solver: str = "auto") -> PcaResult:
    """One PCA fitted on all datasets stacked (real + one or several AG sets).

    As in Yelmen et al. (2021): Figure 1 is one PCA of real + every model's
    AGs; the Wasserstein distances use "paired" PCAs of real + one AG set
    (see :func:`artgen.stats.wasserstein.pca_wasserstein`).  Columns are
    centred on the stacked mean, not scaled, exactly as
    ``sklearn.decomposition.PCA``.

    Parameters
    ----------
    datasets : dict of str -> array_like, 0/1, shape (n_i, n_snps)
        Haplotype matrices on the same SNPs, e.g. ``{"real": ..., "GAN": ...}``.
        The order of the dict is the stacking order.
    n_components : int, default 6
        Axes to keep; at most ``min(n_total, n_snps)``.
    seed : int, default 0
        Start vector of the Lanczos solver (results do not depend on it
        beyond rounding).
    solver : {"auto", "full", "arpack"}, default "auto"
        ``"full"``: LAPACK SVD of the centred matrix (as scikit-learn's
        ``svd_solver="full"``); ``"arpack"``: Lanczos on the implicitly
        centred Gram matrix, run to machine precision; ``"auto"``: full when
        ``min(n_total, n_snps) <= 1000`` (or many axes are asked), else arpack.
        Both agree with scikit-learn to about 1e-9 except on axes whose
        variances are (near-)tied, where no solver is stable.

    Returns
    -------
    PcaResult
        Scores per dataset, explained variance (ratio), loadings, labels.
        Sign convention: the loading of largest magnitude on each axis is
        positive (scikit-learn's ``svd_flip(u_based_decision=False)``), so the
        same input gives the same output.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> real = (rng.random((40, 30)) < 0.3).astype(np.uint8)
    >>> ag = (rng.random((20, 30)) < 0.3).astype(np.uint8)
    >>> r = pca({"real": real, "ag": ag}, n_components=2)
    >>> r.coords["real"].shape, r.coords["ag"].shape, r.axis_labels[0][:5]
    ((40, 2), (20, 2), 'PC1 (')
    """
    data = {name: np.ascontiguousarray(h)
            for name, h in check_datasets(datasets, dtypes="numeric").items()}
    k = check_count(n_components, "n_components", 1)
    seed = check_seed(seed)
    check_choice(solver, "solver", _SOLVERS)
    names = tuple(data)
    sizes = [data[nm].shape[0] for nm in names]
    x = data[names[0]] if len(names) == 1 else np.concatenate([data[nm] for nm in names], axis=0)
    n, p = x.shape
    if n < 2:
        raise InputError("PCA needs at least 2 haplotypes in total")
    if k > min(n, p):
        raise InputError(f"n_components={k} exceeds min(n_haplotypes={n}, n_snps={p})")
    scores, vt, ev, ratio, mean, used = _fit_pca(x, k, solver, seed)
    bounds = np.cumsum([0, *sizes])
    coords = {nm: np.ascontiguousarray(scores[bounds[i] : bounds[i + 1]]) for i, nm in enumerate(names)}
    labels = np.repeat(np.array(names, dtype=str), sizes)
    axis_labels = tuple(f"PC{i + 1} ({100 * r:.1f}%)" for i, r in enumerate(ratio))
    return PcaResult(
        coords=coords,
        explained_variance_ratio=ratio,
        explained_variance=ev,
        components=vt,
        mean=mean,
        names=names,
        labels=labels,
        axis_labels=axis_labels,
        solver=used,
    )


def coords_frame(coords, prefix: str = "PC"):
    """Tidy table of per-dataset coordinates, one row per haplotype.

    Parameters
    ----------
    coords : dict of str -> ndarray, shape (n_i, k), or PcaResult
        E.g. ``pca(...).coords`` or the output of :func:`artgen.stats.umap.umap_embedding`.
    prefix : str, default "PC"
        Column names are ``prefix1 .. prefixk`` (use ``"UMAP"`` for UMAP).

    Returns
    -------
    pandas.DataFrame
        Columns ``dataset`` (categorical, in input order), ``index`` (row in
        its dataset) and the coordinates.

    Examples
    --------
    >>> import numpy as np
    >>> df = coords_frame({"real": np.zeros((2, 2)), "ag": np.ones((1, 2))}, prefix="UMAP")
    >>> list(df.columns), list(df["dataset"])
    (['dataset', 'index', 'UMAP1', 'UMAP2'], ['real', 'real', 'ag'])
    """
    import pandas as pd

    if isinstance(coords, PcaResult):
        coords = coords.coords
    if not isinstance(coords, Mapping) or not coords:
        raise InputError("coords must be a non-empty dict of name -> (n_i, k) array")
    arrays = {str(nm): np.asarray(c, dtype=np.float64) for nm, c in coords.items()}
    ks = {c.shape[1] if c.ndim == 2 else -1 for c in arrays.values()}
    if len(ks) != 1 or -1 in ks:
        raise InputError("coords must all be 2-D with the same number of columns")
    k = ks.pop()
    names = list(arrays)
    stacked = np.concatenate([arrays[nm] for nm in names], axis=0)
    df = pd.DataFrame(stacked, columns=[f"{prefix}{i + 1}" for i in range(k)])
    df.insert(0, "index", np.concatenate([np.arange(arrays[nm].shape[0]) for nm in names]))
    df.insert(0, "dataset", pd.Categorical(np.repeat(names, [arrays[nm].shape[0] for nm in names]), categories=names))
    return df
