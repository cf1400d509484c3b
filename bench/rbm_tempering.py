"""The persistent-chain RBM with parallel tempering, in training and in
sampling: does a negative phase that mixes give a model whose own
equilibrium is the data's, and AGs drawn from that equilibrium (chains from
the allele frequencies, no real haplotype at the start) that keep LD without
copying anyone?

The dense RBM's diagnosis (``bench/RESULTS.md``) found its persistent chains
collapsed onto a few modes, so the model was trained against a negative
phase that did not represent it. Parallel tempering (Desjardins et al. 2010;
Cho, Raiko & Ilin 2010) runs replicas of the chains on a ladder of
distributions between the model (beta 1) and independent sites at the
training allele frequencies (beta 0), where chains mix at once:

    E_beta(v, h) = h^2 / 2 - v . a0 - beta (v W h + b . h + v . (a - a0))

``a0`` the frequencies' logits. Each sweep is one Gibbs step of every
replica at its own beta, then swaps of neighbouring replicas, accepted with
``exp(F_i(v_i) + F_j(v_j) - F_i(v_j) - F_j(v_i))`` (``F_beta`` the free
energy at beta, in closed form for ReLU units). The beta-1 replicas are the
negative phase; AGs are the beta-1 replicas after ``gibbs_steps`` sweeps
from the frequencies, the last visible draw at the sampling temperature.

    python bench/rbm_tempering.py results/splits/dense --variants t20 t40 --draws 5
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from draw_tables import median_range, rows_table, summary_markdown  # noqa: E402
from rbm_temperature import (COLUMNS, load_splits, real_vs_real, score_draws,  # noqa: E402
                             splits_parser, variant_settings)

from artgen.models.rbm import RBMGenerator  # noqa: E402
from artgen.models.relu_units import relu_log_partition, truncated_normal_positive  # noqa: E402

# The dense panel's PCD rbm, its chains started from the frequencies; the
# ladder's rungs (beta = 1 - x^2, x evenly from 0 to 1) and sweeps per gradient step.
# AGs at the model's own temperature, after 100 sweeps (a calibrated last
# step would sample the ladder again at every temperature tried).
_BASE = {"start": "frequencies", "snapshot_every": 20, "temperature": 1.0, "gibbs_steps": 100}
VARIANTS = {
    "plain": {},
    "t10": {"n_temps": 10, "k": 1},
    "t20": {"n_temps": 20, "k": 1},
    "t40": {"n_temps": 40, "k": 1},
}


class TemperedRBM(RBMGenerator):
    """:class:`RBMGenerator` whose negative phase and sampling run parallel
    tempering over ``n_temps`` replicas (1: the plain chains)."""

    def __init__(self, n_temps: int = 1, **settings):
        super().__init__(**settings)
        self.n_temps = n_temps
        # Rungs closer together near beta 1, where the swaps are hardest.
        self.betas = (1 - np.linspace(0.0, 1.0, n_temps) ** 2 if n_temps > 1 else np.ones(1))
        self.swap_rates: list[np.ndarray] = []

    def _start(self, alleles, seed):
        super()._start(alleles, seed)
        n = len(alleles)
        freq = np.clip(alleles.mean(axis=0), 0.5 / n, 1 - 0.5 / n)
        self._base_bias = np.log(freq / (1 - freq)).astype(self.weights.dtype)
        rng = np.random.default_rng([seed, 0x7E3])
        self._replicas = (rng.random((self.n_temps, self.n_chains, alleles.shape[1]))
                          < freq).astype(self.weights.dtype)
        self._replicas[0] = self._chains

    def _free_energy_at(self, v, vw, beta):
        """F_beta(v) of each row of ``v``, ``vw`` its ``v W + b`` (float64):
        ``relu_units.free_energy`` at the rung's parameters, with ``v W + b``
        computed once for every rung instead of four times per swap."""
        a = beta * self.visible_bias + (1 - beta) * self._base_bias
        return -(v @ a.astype(np.float64)) - relu_log_partition(beta * vw).sum(axis=1)

    def _sweep(self, replicas, rng, temperature=1.0, swap=True):
        """One Gibbs step of every replica at its beta, then swaps of
        neighbours (even pairs or odd pairs, in turn)."""
        betas = self.betas[:, None, None].astype(replicas.dtype)
        mu = betas * (replicas @ self.weights + self.hidden_bias)
        h = truncated_normal_positive(mu, rng).astype(replicas.dtype)
        x = betas * (h @ self.weights.T + self.visible_bias) + (1 - betas) * self._base_bias
        x[0] /= temperature
        p = 1 / (1 + np.exp(-x))
        replicas = (rng.random(p.shape, dtype=p.dtype) < p).astype(replicas.dtype)
        if swap and self.n_temps > 1:
            self._swap_parity = 1 - getattr(self, "_swap_parity", 1)
            rates = np.full(self.n_temps - 1, np.nan)
            v64 = replicas.astype(np.float64)
            vw = v64 @ self.weights.astype(np.float64) + self.hidden_bias
            for i in range(self._swap_parity, self.n_temps - 1, 2):
                bi, bj = self.betas[i], self.betas[i + 1]
                vi, vj, wi, wj = v64[i], v64[i + 1], vw[i], vw[i + 1]
                log_accept = (self._free_energy_at(vi, wi, bi) + self._free_energy_at(vj, wj, bj)
                              - self._free_energy_at(vj, wj, bi)
                              - self._free_energy_at(vi, wi, bj))
                accept = np.log(rng.random(len(vi))) < log_accept
                swapped = replicas[i, accept].copy()
                replicas[i, accept] = replicas[i + 1, accept]
                replicas[i + 1, accept] = swapped
                rates[i] = accept.mean()
            self.swap_rates.append(rates)
        return replicas

    def _gibbs(self, v, steps, rng):
        if self.n_temps == 1 or v is not self._chains:
            return super()._gibbs(v, steps, rng)
        # The negative phase: the persistent ladder, its beta-1 rung returned.
        self._replicas[0] = v
        for _ in range(steps):
            self._replicas = self._sweep(self._replicas, rng)
        return self._replicas[0].copy()

    def sample(self, n, seed):
        if self.n_temps == 1:
            return super().sample(n, seed)
        rng = np.random.default_rng(seed)
        # The same draws as one (n_temps, n, n_snps) array of uniforms.
        replicas = self._start_states(self.n_temps * n, rng).reshape(self.n_temps, n, -1)
        replicas = replicas.astype(self.dtype)
        for _ in range(self.gibbs_steps - 1):
            replicas = self._sweep(replicas, rng)
        replicas = self._sweep(replicas, rng, self._sampling_temperature, swap=False)
        return replicas[0].astype(np.uint8)


def main(argv=None) -> int:
    import time

    parser = splits_parser(__doc__, model="rbm")
    parser.add_argument("--variants", nargs="+", default=["t20"], choices=list(VARIANTS))
    parser.add_argument("--draws", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--train-seeds", type=int, nargs="+", default=[1])
    parser.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE",
                        help="further settings for every variant (YAML values)")
    parser.add_argument("--out")
    args = parser.parse_args(argv)
    import yaml

    splits = load_splits(args.splits)
    real = real_vs_real(splits, args.draws)
    extra = {k: yaml.safe_load(v) for k, v in (item.split("=", 1) for item in args.set)}
    rows = []
    for variant in args.variants:
        settings = {**variant_settings(args.model, args.panel, "default"), **_BASE,
                    **VARIANTS[variant], **extra}
        for train_seed in args.train_seeds:
            model = TemperedRBM(**settings)
            model.set_validation(splits["validation"].alleles)
            began = time.perf_counter()
            model.fit(splits["train"].alleles, seed=train_seed)
            fit_s = time.perf_counter() - began
            rates = (np.nanmean(model.swap_rates[-1000:], axis=0) if model.swap_rates
                     else np.array([np.nan]))
            print(f"{variant} seed {train_seed}: kept epoch {model.best_epoch}, T "
                  f"{model._sampling_temperature:.3f}, {fit_s:.0f} s; swap rates of the last "
                  f"sweeps {np.round(rates, 2).tolist()}", flush=True)
            rows += score_draws(splits, [model], args.draws, args.seed, {
                "variant": variant, "scheme": "frequencies", "steps": model.gibbs_steps,
                "train_seed": train_seed, "kept_epoch": model.best_epoch,
                "fit_seconds": fit_s, "temperature": model._sampling_temperature,
                "min_swap_rate": float(np.nanmin(rates))}, real)
    table = rows_table(rows, args.out)
    print("\n" + summary_markdown(table, ["variant"], COLUMNS, lead={
        "variant": lambda g: g["variant"].iloc[0],
        "T": lambda g: median_range(g["temperature"]),
        "min swap": lambda g: f"{g['min_swap_rate'].median():.2f}",
        "fit s": lambda g: f"{g['fit_seconds'].median():.0f}"}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
