"""Population structure of real and artificial haplotypes: PCA, UMAP, 2-D Wasserstein.

Yelmen et al. (2021) compare real genomes and artificial genomes (AGs) by
projecting them together and measuring how far apart the two point clouds
are:

* one PCA fitted on all datasets stacked (Figure 1: real + every generator's
  AGs, six axes), and "paired" PCAs fitted on real + one AG set, whose PCs 1-2
  give the 2-D Wasserstein distance reported per model (GAN 0.006, Bernoulli
  0.24);
* the same on a 2-D UMAP of the combined data (Supplementary Figure 3).

Inputs are 0/1 ``uint8`` haplotype matrices of shape (n_haplotypes, n_snps),
rows haplotypes.  Every dataset of one call must have the same SNP columns.

Decisions a caller must know
----------------------------
* **Cost normalisation.**  :func:`wasserstein_2d` uses the squared Euclidean
  cost ``M = ot.dist(x, y)`` divided by its maximum (``M /= M.max()``, as in
  POT's documented examples).  The paper's regularisation of 0.001 only makes
  sense on such a [0, 1] cost, and its reported values are of that scale.
  Distances are therefore *relative to the extent of the two clouds* (1 = the
  squared distance between the two farthest real/AG points) and are
  comparable between AG sets only in that sense: a far outlier in either
  cloud shrinks every other distance.  ``normalize=False`` keeps raw squared
  PC units (then pick ``reg`` in those units).
* **Entropic vs exact.**  The entropic value (``reg=1e-3``, the paper's
  setting) is ``<P, M>`` of the Sinkhorn plan *without* the entropy term; it
  carries a positive bias of the order of ``reg`` for clouds that overlap
  (two identical clouds give ~1e-3, not 0).  The exact value (network
  simplex) has no bias.  Both are squared-distance costs (W2 squared, not W2).
* **Convergence.**  Sinkhorn runs log-stabilised with epsilon scaling and
  adaptive over-relaxation (our own loop: POT's ``sinkhorn_log`` gives the
  same value, checked in the tests, but needs minutes at 500 x 500 points
  and hours at 5,000 x 5,000; POT's default ``ot.sinkhorn2`` stops after
  1,000 plain iterations, far from converged at reg=1e-3, silently).  The
  final plan's marginals are checked and a :class:`RuntimeError` is raised
  when they are off by more than ``tol`` (1e-6, L1).  The exact solver's
  status is checked likewise.
* **Subsampling.**  :func:`wasserstein_2d` uses every point unless given
  ``max_points`` (then that many points of each cloud, drawn without
  replacement with ``numpy.random.default_rng(seed)``).  At 5,000 x 5,000
  points the cost matrix is 200 MB; the exact solver takes ~5 s, Sinkhorn
  at reg=1e-3 5-25 s (2 cores).  Hence :func:`pca_wasserstein` and
  :func:`umap_wasserstein` compute the exact value on all points but the
  entropic one on a seeded subsample of ``entropic_max_points=500`` points
  per cloud (None: all), and :func:`umap_wasserstein` embeds at most
  ``embed_max_points=2000`` haplotypes per set (UMAP is single-threaded
  when seeded).  The exact value on all points is the better headline.
* **PCA.**  Columns are centred, not scaled (as ``sklearn.decomposition.PCA``).
  ``solver="full"`` is LAPACK's SVD; ``"arpack"`` is a Lanczos eigen-solver on
  the centred Gram matrix of the smaller side run to machine precision (``tol=0``;
  the haplotypes' Gram matrix, for genomic data, is formed once, exactly, in
  float32 column chunks, so a whole chromosome never becomes a float64 copy),
  equal to the full SVD to rounding for all but near-degenerate axes, and far
  faster on large matrices; ``"auto"`` picks full for small matrices.  Signs
  follow scikit-learn's ``svd_flip(u_based_decision=False)``: the loading of
  largest magnitude of each axis is positive, so results are reproducible and
  normally identical to scikit-learn's, signs included.
* **UMAP.**  :func:`umap_embedding` first reduces the stacked data to
  ``pca_components=50`` principal components (seeded randomized PCA), then
  runs UMAP with the Euclidean metric and ``random_state=seed`` (which makes
  umap single-threaded and reproducible).  Euclidean distance between 0/1
  haplotypes is the square root of their Hamming count, so on raw data it
  ranks neighbours exactly as the Hamming metric does, and after the PCA
  reduction Euclidean is the metric the reduction preserves.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field

os.environ.setdefault("POT_BACKEND_DISABLE_TENSORFLOW", "1")

import numpy as np  # noqa: E402
import ot  # noqa: E402
import scipy.linalg  # noqa: E402
from scipy.sparse.linalg import ArpackNoConvergence, LinearOperator, eigsh  # noqa: E402

from artgen.checks import check_haplotypes  # noqa: E402
from artgen.errors import InputError  # noqa: E402

__all__ = [
    "PcaResult",
    "pca",
    "wasserstein_2d",
    "pca_wasserstein",
    "umap_embedding",
    "umap_wasserstein",
    "coords_frame",
]

_SOLVERS = ("auto", "full", "arpack")
# "auto" uses LAPACK's full SVD when the smaller side of the matrix is at most
# this; above it, Lanczos (the full SVD of 10,008 x 10,000 takes minutes).
_FULL_SVD_MAX_SIDE = 1000
# entries of one float copy of a column chunk of the haplotypes (PCA of wide matrices)
_CHUNK_ENTRIES = 8_000_000
# network-simplex iteration cap: far above what 10,000 x 10,000 points need
_EMD_MAX_ITER = 1_000_000_000
# Sinkhorn over-relaxation: plain iterations before the rate estimate, largest factor
_PROBE = 10
_OMEGA_MAX = 1.9


# ---------------------------------------------------------------------------
# input checks
# ---------------------------------------------------------------------------


def _as_haplotypes(x, what: str) -> np.ndarray:
    """One 0/1 haplotype matrix (floats of 0/1 accepted) as C-contiguous uint8."""
    return np.ascontiguousarray(check_haplotypes(x, what, dtypes="numeric"))


def _check_datasets(datasets) -> dict[str, np.ndarray]:
    """Check a name -> haplotype-matrix mapping; all matrices on the same SNPs."""
    if not isinstance(datasets, Mapping):
        raise InputError(f"datasets must be a dict of name -> haplotype matrix, got {type(datasets).__name__}")
    if not datasets:
        raise InputError("datasets is empty: give at least one haplotype matrix")
    out: dict[str, np.ndarray] = {}
    n_snps = None
    for name, x in datasets.items():
        if not isinstance(name, str) or not name:
            raise InputError(f"dataset names must be non-empty strings, got {name!r}")
        arr = _as_haplotypes(x, f"dataset {name!r}")
        if n_snps is None:
            n_snps, first = arr.shape[1], name
        elif arr.shape[1] != n_snps:
            raise InputError(
                f"dataset {name!r} has {arr.shape[1]} SNPs but {first!r} has {n_snps}: "
                "all datasets must be on the same SNP panel"
            )
        out[name] = arr
    return out


def _check_int(value, what: str, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise InputError(f"{what} must be an integer, got {value!r}")
    if value < low:
        raise InputError(f"{what} must be at least {low}, got {value}")
    return int(value)


def _check_positive(value, what: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{what} must be a positive number, got {value!r}") from None
    if not np.isfinite(v) or v <= 0:
        raise InputError(f"{what} must be a positive finite number, got {value!r}")
    return v


def _check_cloud(x, what: str) -> np.ndarray:
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(f"{what} must be an (n, 2) array of numbers") from None
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise InputError(f"{what} must be an (n, 2) array of 2-D points, got shape {np.shape(x)}")
    if arr.shape[0] == 0:
        raise InputError(f"{what} has no points")
    if not np.isfinite(arr).all():
        raise InputError(f"{what} holds NaN or infinite coordinates")
    return arr


# ---------------------------------------------------------------------------
# PCA
# ---------------------------------------------------------------------------


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
        arr = _as_haplotypes(x, "x")
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
    (see :func:`pca_wasserstein`).  Columns are centred on the stacked mean,
    not scaled, exactly as ``sklearn.decomposition.PCA``.

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
    data = _check_datasets(datasets)
    k = _check_int(n_components, "n_components", 1)
    seed = _check_int(seed, "seed", 0)
    if solver not in _SOLVERS:
        raise InputError(f"solver must be one of {_SOLVERS}, got {solver!r}")
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


# ---------------------------------------------------------------------------
# 2-D Wasserstein
# ---------------------------------------------------------------------------


def _subsample(x: np.ndarray, max_points, rng) -> np.ndarray:
    if max_points is None or x.shape[0] <= max_points:
        return x
    idx = np.sort(rng.choice(x.shape[0], size=max_points, replace=False))
    return x[idx]


def wasserstein_2d(
    x,
    y,
    reg: float = 1e-3,
    exact: bool = False,
    *,
    normalize: bool = True,
    max_points: int | None = None,
    seed: int = 0,
    tol: float = 1e-6,
    max_iter: int = 100_000,
) -> float:
    """Optimal-transport cost between two 2-D point clouds with uniform weights.

    The cost matrix is the squared Euclidean distance ``M = ot.dist(x, y)``,
    divided by its maximum when ``normalize`` (as in POT's examples and,
    almost certainly, Yelmen et al. 2021, whose regularisation of 0.001 and
    values like 0.006 / 0.24 only make sense on a [0, 1] cost).  The value is
    then relative to the extent of the two clouds: 1 is the squared distance
    of the farthest x/y pair.  It is a squared-distance cost (W2^2), not W2.

    Parameters
    ----------
    x : array_like, shape (n, 2)
    y : array_like, shape (m, 2)
        Point clouds, e.g. PCs 1-2 of real and of artificial haplotypes.
    reg : float, default 1e-3
        Entropic regularisation (in units of the normalised cost), the paper's
        value.  Ignored when ``exact``.
    exact : bool, default False
        False: entropic OT (Sinkhorn, log-stabilised with epsilon scaling),
        returning ``<P, M>`` of the regularised plan without the entropy term,
        as ``ot.sinkhorn2``; it is biased upwards by roughly ``reg`` for
        overlapping clouds.  True: exact OT (``ot.emd2``, network simplex).
    normalize : bool, default True
        Divide ``M`` by ``M.max()``.  False keeps raw squared units (then
        choose ``reg`` in those units).
    max_points : int or None, default None
        If given, clouds larger than this are subsampled to ``max_points``
        points each, without replacement, with ``numpy.random.default_rng(seed)``.
        None uses every point (n x m floats of memory: 200 MB at 5,000 x 5,000).
    seed : int, default 0
        Seed of the subsampling.
    tol : float, default 1e-6
        Largest accepted L1 error of the entropic plan's marginals; the value
        is then within ``tol`` (times ``M.max()``) of the converged one.
    max_iter : int, default 100000
        Sinkhorn iteration limit (per epsilon step).

    Returns
    -------
    float
        The transport cost.

    Raises
    ------
    ValueError
        On malformed input.
    RuntimeError
        If Sinkhorn does not reach ``tol`` or the network simplex does not
        reach optimality.

    Examples
    --------
    >>> wasserstein_2d([[0.0, 0.0]], [[3.0, 4.0]], exact=True)   # one pair: M / M.max() = 1
    1.0
    >>> round(wasserstein_2d([[0, 0], [2, 0]], [[0, 1], [2, 1]], exact=True), 12)  # 1/5
    0.2
    """
    x = _check_cloud(x, "x")
    y = _check_cloud(y, "y")
    reg = _check_positive(reg, "reg")
    tol = _check_positive(tol, "tol")
    max_iter = _check_int(max_iter, "max_iter", 1)
    seed = _check_int(seed, "seed", 0)
    if max_points is not None:
        max_points = _check_int(max_points, "max_points", 1)
        rng = np.random.default_rng(seed)
        x = _subsample(x, max_points, rng)
        y = _subsample(y, max_points, rng)
    n, m = x.shape[0], y.shape[0]
    a = np.full(n, 1.0 / n)
    b = np.full(m, 1.0 / m)
    M = _sq_dists(x, y)
    mmax = float(M.max())
    if mmax == 0.0:  # every point of x coincides with every point of y
        return 0.0
    if normalize:
        M /= mmax
    if exact:
        cost, log = ot.emd2(a, b, M, numItermax=_EMD_MAX_ITER, log=True)
        if log["result_code"] != 1:
            raise RuntimeError(f"exact OT did not reach optimality: {log['warning']}")
        return float(cost)
    cost, err, _ = _sinkhorn(a, b, M, reg, tol, max_iter)
    if not np.isfinite(err) or not np.isfinite(cost) or err > tol:
        raise RuntimeError(
            f"Sinkhorn did not converge: marginal L1 error {err:.2e} > tol={tol:g} after "
            f"max_iter={max_iter} iterations per step, with reg={reg:g}; raise max_iter or reg, "
            "or use exact=True"
        )
    return cost


def _sq_dists(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Squared Euclidean distances, (n, m): ``ot.dist(x, y)`` computed from coordinate differences
    (exact zeros for coincident points, and ~10x faster than ``ot.dist`` for 2-D points)."""
    M = np.subtract.outer(x[:, 0], y[:, 0])
    M *= M
    d1 = np.subtract.outer(x[:, 1], y[:, 1])
    d1 *= d1
    M += d1
    return M


def _gibbs_kernel(f, g, M, eps, out):
    """out = exp((f_i + g_j - M_ij) / eps), exponents clipped at -700 (no denormals: slow and useless)."""
    np.subtract(f[:, None], M, out=out)
    out += g[None, :]
    out *= 1.0 / eps
    np.maximum(out, -700.0, out=out)
    np.exp(out, out=out)
    return out


def _sinkhorn(a, b, M, reg, tol, max_iter, q=0.5, omega=None, absorb=200.0, trace=None):
    """Entropic OT cost <P, M> and the plan's marginal L1 error.

    Log-stabilised Sinkhorn (Schmitzer 2019: potentials f, g absorb the
    scalings u, v whenever these leave [e^-200, e^200]) with epsilon scaling
    (eps = M.max(), M.max()/2, ... down to ``reg``, warm-started) and
    over-relaxation (Thibault et al. 2021: u <- u^(1-w) (a / Kv)^w), w set
    every 10 iterations from the observed convergence rate (Hageman & Young's
    adaptive SOR rule, w <= 1.9) and safeguarded: if the marginal error
    blows up, the best state is restored and w lowered for good towards 1
    (plain Sinkhorn, which always converges).  The plan is
    P_ij = u_i exp((f_i + g_j - M_ij) / eps) v_j.  Intermediate eps stop at
    a marginal L1 error of max(tol, 1e-3), the last at ``tol``; plain
    updates finish.  Same plan as ``ot.sinkhorn(a, b, M, reg,
    method="sinkhorn_log")`` (checked in the tests), 1,000x faster at 500 x 500
    points (about 1,000 iterations instead of ~10^5).
    """
    n, m = M.shape
    f = np.zeros(n)
    g = np.zeros(m)
    K = np.empty_like(M)
    eps = max(float(M.max()), reg)
    total_iter = 0
    while True:
        final = eps <= reg * (1.0 + 1e-12)
        stage_tol = tol if final else max(tol, 1e-3)
        _gibbs_kernel(f, g, M, eps, K)
        u = np.ones(n)
        v = np.ones(m)
        w = 1.0 if omega is None else omega
        w_cap = _OMEGA_MAX
        best_err, best_uv = np.inf, (u, v)
        err = np.inf
        it = 0
        while it < max_iter:
            it += 1
            ktu = K.T @ u
            err = float(np.abs(v * ktu - b).sum())  # row marginals are exact after a plain u-update
            if omega is None and it % _PROBE == 0 and np.isfinite(err):
                # adaptive over-relaxation (Hageman & Young): from the rate r observed over the
                # last _PROBE iterations at factor w, plain Sinkhorn's rate is
                # rho = (r + w - 1)^2 / (w^2 r); the best factor is 2 / (1 + sqrt(1 - rho))
                if it > _PROBE and 0 < err < err_window < np.inf:
                    r = max((err / err_window) ** (1.0 / _PROBE), 1e-12)
                    rho = min((r + w - 1.0) ** 2 / (w * w * r), 1.0)
                    w = min(w_cap, 2.0 / (1.0 + np.sqrt(1.0 - rho)))
                err_window = err
            if not np.isfinite(err) or err > 10.0 * best_err:
                u, v = best_uv  # over-relaxation overshot: step back, relax less
                w = w_cap = 1.0 + (w - 1.0) * 0.75 if w > 1.05 else 1.0
                err_window = np.inf
                continue
            if err < best_err:
                best_err, best_uv = err, (u, v)
            if err <= stage_tol:
                break
            with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
                v = b / ktu if w == 1.0 else v ** (1.0 - w) * (b / ktu) ** w
                u = a / (K @ v) if w == 1.0 else u ** (1.0 - w) * (a / (K @ v)) ** w
            if it % 10 == 0:
                with np.errstate(divide="ignore", invalid="ignore"):
                    lu, lv = np.log(u), np.log(v)
                if np.isfinite(lu).all() and np.isfinite(lv).all() and max(np.abs(lu).max(), np.abs(lv).max()) > absorb:
                    f += eps * lu
                    g += eps * lv
                    _gibbs_kernel(f, g, M, eps, K)
                    u = np.ones(n)
                    v = np.ones(m)
                    best_err, best_uv = np.inf, (u, v)
        total_iter += it
        if trace is not None:
            trace.append((eps, it, w, err))
        if final:
            break
        with np.errstate(divide="ignore"):
            f += eps * np.log(u)
            g += eps * np.log(v)
        eps = max(eps * q, reg)
    # finish with plain updates (over-relaxed ones leave the rows slightly off): after
    # u = a / Kv the rows are exact, so the column error is the whole error
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        for _ in range(min(max_iter, 1000)):
            kv = K @ v
            u = a / kv
            ktu = K.T @ u
            if np.abs(v * ktu - b).sum() <= tol:
                break
            v = b / ktu
        row = u * (K @ v)
        col = v * (K.T @ u)
    err = float(np.abs(row - a).sum() + np.abs(col - b).sum())
    K *= M  # K now holds exp(...) * M: cost = u^T (K o M) v
    cost = float(u @ (K @ v))
    return cost, err, total_iter


def pca_wasserstein(
    real,
    ag,
    n_components: int = 2,
    reg: float = 1e-3,
    seed: int = 0,
    *,
    max_points: int | None = None,
    entropic_max_points: int | None = 500,
) -> dict[str, float]:
    """2-D Wasserstein distance between real and AG haplotypes on a paired PCA.

    Fits one PCA on ``real`` and ``ag`` stacked (the paper's "paired" PCA)
    and compares PCs 1-2 of the two sets with :func:`wasserstein_2d`
    (squared Euclidean cost normalised by its maximum).

    Parameters
    ----------
    real : array_like, 0/1, shape (n_real, n_snps)
    ag : array_like, 0/1, shape (n_ag, n_snps)
    n_components : int, default 2
        Axes of the PCA (at least 2; only PCs 1-2 enter the distance).
    reg : float, default 1e-3
        Entropic regularisation of the normalised cost (the paper's value).
    seed : int, default 0
        Seed of the PCA solver and of any subsampling.
    max_points : int or None, default None
        Subsample both clouds to at most this many points for both values
        (see :func:`wasserstein_2d`); None uses all.
    entropic_max_points : int or None, default 500
        Subsample (seeded) both clouds to at most this many points for the
        entropic value only.  Sinkhorn at reg=1e-3 costs ~0.1 s at 500 x 500
        points but 5-25 s at 5,000 x 5,000 on 2 cores (the exact value: ~5 s);
        None uses every point.

    Returns
    -------
    dict
        ``{"entropic": float, "exact": float}``.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> real = (rng.random((30, 20)) < 0.4).astype(np.uint8)
    >>> d = pca_wasserstein(real, real.copy())
    >>> d["exact"] < 1e-12, 0 <= d["entropic"] < 0.01
    (True, True)
    """
    k = _check_int(n_components, "n_components", 2)
    res = pca({"real": real, "ag": ag}, n_components=k, seed=seed)
    x, y = res.coords["real"][:, :2], res.coords["ag"][:, :2]
    return _both_distances(x, y, reg, seed, max_points, entropic_max_points)


def _both_distances(x, y, reg, seed, max_points, entropic_max_points) -> dict[str, float]:
    """Exact OT on all points (or ``max_points``), entropic OT on at most
    ``entropic_max_points`` per cloud (and ``max_points``): Sinkhorn at the
    paper's regularisation costs ~0.1 s at 500 x 500 points but 5-25 s at
    5,000 x 5,000 on 2 cores, and grows with the square of the size, while
    the exact network simplex does 5,000 x 5,000 in ~5 s."""
    if entropic_max_points is not None and max_points is not None:
        entropic_max_points = min(entropic_max_points, max_points)
    return {
        "entropic": wasserstein_2d(x, y, reg=reg, exact=False, max_points=entropic_max_points,
                                   seed=seed),
        "exact": wasserstein_2d(x, y, exact=True, max_points=max_points, seed=seed),
    }


# ---------------------------------------------------------------------------
# UMAP
# ---------------------------------------------------------------------------


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
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> real = (rng.random((30, 40)) < 0.3).astype(np.uint8)
    >>> ag = (rng.random((30, 40)) < 0.3).astype(np.uint8)
    >>> emb = umap_embedding({"real": real, "ag": ag}, n_neighbors=5)  # doctest: +SKIP
    >>> emb["real"].shape  # doctest: +SKIP
    (30, 2)
    """
    data = _check_datasets(datasets)
    seed = _check_int(seed, "seed", 0)
    n_neighbors = _check_int(n_neighbors, "n_neighbors", 2)
    try:
        min_dist = float(min_dist)
    except (TypeError, ValueError):
        raise InputError(f"min_dist must be a number, got {min_dist!r}") from None
    if not (0.0 <= min_dist) or not np.isfinite(min_dist):
        raise InputError(f"min_dist must be a finite number >= 0, got {min_dist!r}")
    if pca_components is not None:
        pca_components = _check_int(pca_components, "pca_components", 2)
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


def umap_wasserstein(
    real,
    ag,
    reg: float = 1e-3,
    seed: int = 0,
    *,
    n_neighbors: int = 15,
    min_dist: float = 0.1,
    pca_components: int | None = 50,
    max_points: int | None = None,
    entropic_max_points: int | None = 500,
    embed_max_points: int | None = 2000,
) -> dict[str, float]:
    """2-D Wasserstein distance between real and AG haplotypes on a paired UMAP.

    At most ``embed_max_points`` haplotypes of each set (seeded subsample)
    are embedded: UMAP's optimisation is single-threaded when seeded and
    costs about a minute for 10,000 haplotypes on two cores, while the
    distance between two 2,000-point clouds is already stable.

    One :func:`umap_embedding` of ``real`` and ``ag`` stacked, then
    :func:`wasserstein_2d` of the two embedded clouds (cost normalised by
    its maximum).  UMAP distances are only meaningful locally and depend on
    the seed; compare models with the same seed and settings.

    Parameters
    ----------
    real : array_like, 0/1, shape (n_real, n_snps)
    ag : array_like, 0/1, shape (n_ag, n_snps)
    reg : float, default 1e-3
    seed : int, default 0
    n_neighbors, min_dist, pca_components
        Passed to :func:`umap_embedding`.
    max_points, entropic_max_points : int or None, default None and 500
        As in :func:`pca_wasserstein`.
    embed_max_points : int or None, default 2000
        Embed at most this many haplotypes of each set (seeded subsample);
        None embeds all.

    Returns
    -------
    dict
        ``{"entropic": float, "exact": float}``.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> real = (rng.random((40, 30)) < 0.3).astype(np.uint8)
    >>> d = umap_wasserstein(real, real[::-1].copy(), n_neighbors=5)  # doctest: +SKIP
    >>> sorted(d)  # doctest: +SKIP
    ['entropic', 'exact']
    """
    if embed_max_points is not None:
        rng = np.random.default_rng(seed)
        real = _subsample(_as_haplotypes(real, "real"), embed_max_points, rng)
        ag = _subsample(_as_haplotypes(ag, "ag"), embed_max_points, rng)
    emb = umap_embedding(
        {"real": real, "ag": ag}, seed=seed, n_neighbors=n_neighbors, min_dist=min_dist,
        pca_components=pca_components,
    )
    x, y = emb["real"], emb["ag"]
    return _both_distances(x, y, reg, seed, max_points, entropic_max_points)


# ---------------------------------------------------------------------------
# tidy output for figures
# ---------------------------------------------------------------------------


def coords_frame(coords, prefix: str = "PC"):
    """Tidy table of per-dataset coordinates, one row per haplotype.

    Parameters
    ----------
    coords : dict of str -> ndarray, shape (n_i, k), or PcaResult
        E.g. ``pca(...).coords`` or the output of :func:`umap_embedding`.
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
