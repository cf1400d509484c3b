"""The RBM's ReLU hidden unit and its free energy, in closed form.

A ReLU unit (Tubiana & Monasson 2017) with input ``mu`` is a Gaussian
``N(mu, 1)`` truncated to ``h >= 0``; its log-partition function and mean
are closed forms in the normal CDF, which make the RBM's marginal
``P(v) ~ exp(-F(v))`` exact. Each function is stable in the far tails,
where the naive formulas overflow or divide 0 by 0.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import erfcx, log_ndtr, ndtri_exp

_LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)


def truncated_normal_positive(mu, rng: np.random.Generator) -> np.ndarray:
    """Exact draws of ``N(mu, 1)`` truncated to ``[0, inf)``, one per element of ``mu``.

    Inverse CDF in log space: with ``U ~ U(0, 1]`` the upper-tail
    probability of the draw is ``U * Phi(mu)``, so
    ``h = mu - ndtri_exp(log U + log Phi(mu))``. Working with
    ``log Phi(mu)`` keeps it exact where ``Phi(mu)`` underflows (``mu`` of
    -40 and below), where naive ``ndtri(U * ndtr(mu))`` returns inf.

    Parameters
    ----------
    mu : array_like, any shape
        Means of the untruncated Gaussians (unit variance).
    rng : numpy.random.Generator

    Returns
    -------
    ndarray, float64, same shape as ``mu``; every element >= 0.
    """
    mu = np.asarray(mu, dtype=np.float64)
    # 1 - U(0, 1) lies in (0, 1]: log never sees 0 (which would give h = inf).
    log_u = np.log1p(-rng.random(mu.shape))
    h = mu - ndtri_exp(log_u + log_ndtr(mu))
    # Rounding can leave -1e-16 where the draw sits on the boundary.
    return np.maximum(h, 0.0, out=h)


def relu_log_partition(mu) -> np.ndarray:
    """``log int_0^inf exp(-h^2/2 + mu h) dh = log(sqrt(2 pi) Phi(mu)) + mu^2/2``,
    elementwise (float64, same shape as ``mu``); finite for any finite ``mu``."""
    mu = np.asarray(mu, dtype=np.float64)
    return _LOG_SQRT_2PI + log_ndtr(mu) + 0.5 * mu * mu


def relu_mean(mu) -> np.ndarray:
    """``E[h]`` of ``N(mu, 1)`` truncated to ``h >= 0``: ``mu + phi(mu)/Phi(mu)``,
    elementwise (float64, same shape as ``mu``).

    ``phi/Phi`` is written as ``sqrt(2/pi) / erfcx(-mu/sqrt 2)``, which
    neither overflows nor divides 0 by 0 in the far tails.
    """
    mu = np.asarray(mu, dtype=np.float64)
    with np.errstate(over="ignore"):  # erfcx(-large) = inf gives the right limit, 0
        return mu + _SQRT_2_OVER_PI / erfcx(-mu / math.sqrt(2))


def free_energy(alleles, weights, visible_bias, hidden_bias, hidden: str = "relu"
                ) -> np.ndarray:
    """Free energy ``F(v)`` of each row, so that ``P(v) = exp(-F(v)) / Z``.

    Parameters
    ----------
    alleles : array_like, shape (n, n_visible), 0/1
    weights : ndarray, shape (n_visible, n_hidden)
    visible_bias : ndarray, shape (n_visible,)
    hidden_bias : ndarray, shape (n_hidden,)
    hidden : {"relu", "sigmoid"}

    Returns
    -------
    ndarray, float64, shape (n,)
    """
    v = np.asarray(alleles, dtype=np.float64)
    mu = v @ np.asarray(weights, dtype=np.float64) + hidden_bias
    log_z = relu_log_partition(mu) if hidden == "relu" else np.logaddexp(0.0, mu)
    return -(v @ np.asarray(visible_bias, dtype=np.float64)) - log_z.sum(axis=1)
