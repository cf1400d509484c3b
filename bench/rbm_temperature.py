"""The RBM on one panel under several settings (its sampling temperature,
its connectivity): the default config's ``rbm`` for that panel kind,
trained once per variant, sampling scheme and training seed, scored over
several AG draws.

Takes a folder of one panel's splits as the pipeline writes them
(``train.npz``, ``validation.npz``, ``test.npz``, ``sampling.npz``). Each
variant overrides some of the default config's settings (``VARIANTS``); each
scheme is where the chains start (``sampling``: the sampling split, never
trained on; ``train``: the training haplotypes). The model chooses its
snapshot (and, with ``temperature: auto``, calibrates its temperature) on
the validation split. Each draw has as many AGs as the training split has
haplotypes, scored as the metrics table scores them: the held-out fidelity
(``*_ho``: against half of the test split at a matched size, beside the
test split's other half at the same halving, the ``real`` row, and
``pairwise_w_ratio``, the draw's pairwise W over that row's), AA halves
against the test split, privacy loss (and at matched sizes; for the
sampling scheme also against the sampling split its chains start from)
and copies of training haplotypes (all, and those of a haplotype only one
training haplotype carries), and the median distance from an AG to its
nearest training haplotype (whole, and within 400-SNP stretches). With
``--released`` each draw is also scored as the release gate would release
it (set ``released``: exact copies of training haplotypes withheld with
the other haplotype of their artificial individual), and with
``--keep-carried-by K`` as a gate that releases the copies of haplotypes
K or more training individuals carry (set ``released, kept K+``);
``repeated`` is the share of a set's haplotypes (at the test split's size)
identical to another of them. With ``--project Q ...`` each draw is also
projected onto its paths through the training haplotypes, each mismatch
kept with probability Q (set ``projected Q``, and as the gates release
it; ``template_paths.py``), and the paths' mismatches and switches of the
novel AGs and of new real people are printed. ``--temperatures`` draws
the same trained models' AGs at other last-step temperatures. With
``--pool`` the training seeds' models also draw AG sets together, in
equal shares. With
``--train-with-sampling`` the models train on the training and sampling
splits together (every individual but the test and validation splits', for
a model whose chains never start at the sampling split), and each draw
keeps as many AGs as the training split alone has.
With ``--recombinants F`` the models also train on F recombinants per
training haplotype (:func:`recombinants`; the snapshot choice then counts
them among the members, the scores count the training split alone).

    python bench/rbm_temperature.py results/splits/dense --panel dense \\
        --variants default auto --schemes sampling train --draws 5
    python bench/rbm_temperature.py results/splits/dispersed --panel dispersed \\
        --variants default full --train-seeds 1 2 3 --draws 5
    python bench/rbm_temperature.py results/splits/dense --model rbm_kstep \\
        --variants default connected global10 --draws 5
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # small matrices: threads only contend

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import yaml  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from draw_tables import draw_line, median_range, rows_table, summary_markdown  # noqa: E402
from template_paths import projected, template_paths  # noqa: E402

from artgen.configuration import model_settings  # noqa: E402
from artgen.evaluate import Settings, compute_family  # noqa: E402
from artgen.haplotypes import artificial_ids  # noqa: E402
from artgen.imputation import combine_panels  # noqa: E402
from artgen.io import load_haplotypes  # noqa: E402
from artgen.models.rbm import RBMGenerator  # noqa: E402
from artgen.release import Thresholds, copies_withheld  # noqa: E402
from artgen.stats.distances import nearest_neighbour_distances  # noqa: E402
from artgen.stats.frequencies import recurring_haplotype_share  # noqa: E402
from artgen.stats.privacy import identical_to_train  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
# Building blocks of the rbm_kstep variants: 10 of the units see every SNP
# (at a learning rate stable with them), the last step's temperature
# calibrated on the validation split's pairwise distances, 20 trained steps.
_GLOBAL10 = {"n_hidden": 110, "global_units": 10, "learning_rate": 0.01,
             "learning_rate_final": 0.001}
_GLOBAL20 = {**_GLOBAL10, "n_hidden": 120, "global_units": 20}
_GLOBAL40 = {**_GLOBAL10, "n_hidden": 140, "global_units": 40}
_AUTO_W = {"temperature": "auto", "temperature_target": "pairwise_w"}
_K20 = {"k": 20, "gibbs_steps": 20}
# The AA balance, named: the dense panel's own rbm_kstep settings ask for the distances.
_AUTO_AA = {"temperature": "auto", "temperature_target": "aa"}
VARIANTS = {
    "default": {},
    "auto": {"temperature": "auto"},
    "auto_hidden400": {"temperature": "auto", "n_hidden": 400},
    "steps10": {"gibbs_steps": 10},
    "steps100": {"gibbs_steps": 100},
    # With --model rbm_kstep (chains restarted from allele frequencies): a
    # smaller window, every unit connected to every SNP, or some global units.
    "window200": {"window": 200},
    "window800_auto_w": {"window": 800, **_AUTO_W},
    "connected": {"window": None},
    "global10": _GLOBAL10,
    "global30": {**_GLOBAL10, "n_hidden": 130, "global_units": 30},
    "global20_auto": {**_GLOBAL20, **_AUTO_AA},
    "global30_auto": {**_GLOBAL10, **_AUTO_AA, "n_hidden": 130, "global_units": 30},
    "global20_auto_w": {**_GLOBAL20, **_AUTO_W},
    "global25_auto_w": {**_GLOBAL10, **_AUTO_W, "n_hidden": 125, "global_units": 25},
    "global30_auto_w": {**_GLOBAL10, **_AUTO_W, "n_hidden": 130, "global_units": 30},
    "global20_auto_w_k20": {**_GLOBAL20, **_AUTO_W, **_K20},
    "global10_auto": {**_GLOBAL10, **_AUTO_AA},
    "global22_auto": {**_GLOBAL10, **_AUTO_AA, "n_hidden": 122, "global_units": 22},
    "global25_auto": {**_GLOBAL10, **_AUTO_AA, "n_hidden": 125, "global_units": 25},
    "global40_auto": {**_GLOBAL40, **_AUTO_AA},
    # The same 40 beside three times the windowed units: capacity for the
    # diverse haplotypes, whose AGs lie farthest from any real one.
    "global40_local300_auto": {**_GLOBAL40, **_AUTO_AA, "n_hidden": 340},
    "global60_auto": {**_GLOBAL10, **_AUTO_AA, "n_hidden": 160, "global_units": 60},
    # The same 40 beside windowed units that see twice as many SNPs.
    "global40_w800_auto": {**_GLOBAL40, **_AUTO_AA, "window": 800},
    # The same with no snapshot ruled out for a leak on the validation split.
    "global40_auto_any": {**_GLOBAL40, **_AUTO_AA, "privacy_tolerance": 1.0},
    # Less gradient noise at the same negative-phase cost per epoch: four
    # times the batch and the restarted chains (or the chains alone).
    "global20_auto_b128": {**_GLOBAL20, **_AUTO_AA, "batch_size": 128, "n_chains": 400},
    "global20_auto_c400": {**_GLOBAL20, **_AUTO_AA, "n_chains": 400},
    # The temperature whose AGs' pairwise distances are nearest the validation split's.
    "auto_w": _AUTO_W,
    # Weight decay beside the distance-calibrated temperature.
    "auto_w_l2_0.001": {**_AUTO_W, "l2": 0.001},
    "auto_w_l2_0.01": {**_AUTO_W, "l2": 0.01},
    "global10_auto_w": {**_GLOBAL10, **_AUTO_W},
    # Longer trained chains (also beside 10 global units), or more windowed units.
    "k20": _K20,
    "k20_auto_w": {**_K20, **_AUTO_W},
    "global10_auto_k20": {**_GLOBAL10, **_AUTO_AA, **_K20},
    "global10_auto_h210": {**_GLOBAL10, **_AUTO_AA, "n_hidden": 210},
    # The rbm's own settings without the panel's (for the dispersed panel:
    # fully connected, as every panel had before the local windows).
    "full": {},
}
#: Variants that leave out the panel's settings.
WITHOUT_PANEL = {"full"}
COLUMNS = ("n_ags", "ld_r_ho", "af_r_ho", "pairwise_w_ho", "pairwise_w_ratio", "aa_truth_test",
           "aa_syn_test", "privacy_loss", "privacy_loss_matched", "privacy_loss_start",
           "mia_auc_start", "identical_to_train", "copies_of_singletons", "nn_train",
           "nn_train_400", "repeated")


#: SNPs per stretch for ``nn_train_400`` (the config's rbm_kstep window).
STRETCH = 400


def row_counts(alleles) -> np.ndarray:
    """For each row of ``alleles``, how many rows (itself included) equal it."""
    _, inverse, counts = np.unique(alleles, axis=0, return_inverse=True, return_counts=True)
    return counts[inverse.ravel()]


def singleton_haplotypes(train) -> np.ndarray:
    """The rows of ``train`` that no other row equals."""
    return train[row_counts(train) == 1]


def closeness_to_train(alleles, train) -> dict:
    """``copies_of_singletons``: rows identical to a haplotype that only one
    training haplotype carries, the copies that could point at one person (a
    copy of a haplotype many carry points at none; new real people carry
    those too); ``nn_train``: the rows' median distance to their nearest
    training haplotype; ``nn_train_400``: the same within consecutive
    stretches of 400 SNPs, each stretch on its own (median over rows and
    stretches): how far the rows are from real local haplotypes, whatever
    the way the stretches are joined."""
    singletons = singleton_haplotypes(train)
    local = [nearest_neighbour_distances(alleles[:, lo:lo + STRETCH], train[:, lo:lo + STRETCH])
             for lo in range(0, train.shape[1], STRETCH)]
    return {"copies_of_singletons": int(identical_to_train(alleles, singletons).sum()),
            "nn_train": float(np.median(nearest_neighbour_distances(alleles, train))),
            "nn_train_400": float(np.median(np.concatenate(local)))}


def repeated_share(alleles, n: int) -> float:
    """Of the first ``n`` rows, the share identical to another of them
    (:func:`artgen.stats.frequencies.recurring_haplotype_share`), read at the
    test split's size, the held-out yardstick."""
    return recurring_haplotype_share(alleles[:n])


def release_gate_keeps(alleles, splits, copied=None, keep_carried_by=None) -> np.ndarray:
    """The rows of ``alleles`` the release gate would release: those not
    identical to a haplotype of ``copied`` (default: the training split),
    paired into artificial individuals, each withheld whole; with
    ``keep_carried_by`` k, copies of a training haplotype that k or more
    training individuals carry are released too."""
    train = splits["train"]
    copied = train if copied is None else train.with_alleles(
        copied, ids=np.arange(len(copied)).astype(str))
    ags = train.with_alleles(alleles, ids=artificial_ids(len(alleles)))
    gate = Thresholds(keep_copies_carried_by=keep_carried_by)
    return alleles[~copies_withheld(ags, copied, gate)[1]]


def gate_name(keep_carried_by) -> str:
    """The set name of a release gate's rows."""
    return "released" if keep_carried_by is None else f"released, kept {keep_carried_by}+"


def score(train, test, alleles, seed: int, start_set=None) -> dict:
    """The metrics table's scores of one AG draw; with ``start_set`` (the
    sampling split, for the sampling scheme) its privacy too."""
    ags = train.with_alleles(alleles, ids=artificial_ids(len(alleles)))
    settings = Settings(seed=seed, n_triplets=500, umap=False)
    metrics = {"privacy_loss_start": float("nan"), "mia_auc_start": float("nan")}
    for family in ("heldout", "distances", "privacy"):
        metrics.update(compute_family(family, train, ags, test, settings, start_set)[0])
    return metrics


def recombinants(alleles: np.ndarray, n: int, tract: int, rng: np.random.Generator
                 ) -> np.ndarray:
    """``n`` haplotypes made as recombination makes new ones: each a random
    haplotype A of ``alleles`` up to a random SNP p, then a haplotype B that
    carries A's alleles at the ``tract`` SNPs either side of p (a random one
    of those, A itself when none does), so that the switch sits where the
    two share a stretch and breaks no local LD."""
    n_snps = alleles.shape[1]
    out = np.empty((n, n_snps), dtype=alleles.dtype)
    for row, (a, p) in enumerate(zip(rng.integers(len(alleles), size=n),
                                     rng.integers(1, n_snps, size=n))):
        lo, hi = max(0, p - tract), min(n_snps, p + tract)
        shares = (alleles[:, lo:hi] == alleles[a, lo:hi]).all(axis=1)
        shares[a] = False
        partners = np.flatnonzero(shares)
        b = rng.choice(partners) if len(partners) else a
        out[row, :p], out[row, p:] = alleles[a, :p], alleles[b, p:]
    return out


def fit(splits, settings: dict, train_seed: int, labels: dict) -> tuple[RBMGenerator, float]:
    """One RBM trained on the training split (snapshot and temperature
    chosen on the validation split, the distance attack's null there read on
    the sampling split as the workflow reads it), and its training seconds; with
    ``splits["recombinants"]`` (per training haplotype, and the tract) the
    training split's haplotypes and that many recombinants of them."""
    model = RBMGenerator(**settings)
    model.set_start_set(splits["sampling"].alleles)
    model.set_validation(splits["validation"].alleles)
    if "n_ags" not in splits:  # the sampling split is not trained on: the attack's null
        model.set_attack_reference(splits["sampling"].alleles)
    alleles = splits["train"].alleles
    factor, tract = splits.get("recombinants", (0, 0))
    if factor:
        made = recombinants(alleles, int(round(factor * len(alleles))), tract,
                            np.random.default_rng([train_seed, 7]))
        print(f"{labels} training seed {train_seed}: {len(made)} recombinants, "
              f"{int(identical_to_train(made, alleles).sum())} identical to a training "
              "haplotype", flush=True)
        alleles = np.vstack([alleles, made])
    began = time.perf_counter()
    model.fit(alleles, seed=train_seed)
    fit_s = time.perf_counter() - began
    null = model.history.get("attack_auc_null", pd.Series(dtype=float)).dropna()
    print(f"{labels} training seed {train_seed}: kept epoch {model.best_epoch}, "
          f"temperature {model._sampling_temperature:.3f}, {fit_s:.0f} s"
          + (f", attack null {null.iloc[0]:.3f}" if len(null) else ""), flush=True)
    return model, fit_s


def real_vs_real(splits, draws: int) -> list[dict]:
    """The held-out scores of the test split's two halves against each
    other, at each draw's halving (draw d scores its AGs against the first
    half of halving d): the yardstick of each draw. One halving is no
    yardstick: on AGBL4 ten halvings read pairwise W 3.1 to 20.4."""
    train, test = splits["train"], splits["test"]
    return [{k: v for k, v in score(train, test, test.alleles, seed=draw).items()
             if k.endswith("_ho")} for draw in range(draws)]


def paths_read(name: str, alleles, train) -> np.ndarray:
    """The paths (:func:`template_paths.template_paths`) of the rows of
    ``alleles``; prints the median and mean mismatches and switches of
    those that copy no training haplotype."""
    paths, mismatches, switches = template_paths(alleles, train)
    novel = ~identical_to_train(alleles, train)
    mismatches, switches = mismatches[novel], switches[novel]
    print(f"{name}: {novel.sum()} novel, paths through the training haplotypes with "
          f"{np.median(mismatches):g} mismatches (mean {mismatches.mean():.2f}) and "
          f"{np.median(switches):g} switches (mean {switches.mean():.2f}), medians", flush=True)
    return paths


def draw_sets(ags, splits, gates, projections, rng, label: str = "AGs"
              ) -> list[tuple[str, np.ndarray]]:
    """(name, haplotypes) of one draw (``label``): the AGs, and each of
    ``projections`` (``projected q``: the AGs projected onto their paths
    through the training haplotypes, each mismatch kept with probability
    q); each followed by itself as each of ``gates`` would release it."""
    train = splits["train"].alleles
    bases = [("generated", ags)]
    if projections:
        paths = paths_read(label, ags, train)
        bases += [(f"projected {keep:g}", projected(ags, train, paths, keep, rng))
                  for keep in projections]
    sets = []
    for name, alleles in bases:
        sets.append((name, alleles))
        for keep in gates:
            gated = gate_name(keep) if name == "generated" else f"{name}, {gate_name(keep)}"
            sets.append((gated, release_gate_keeps(alleles, splits, keep_carried_by=keep)))
    return sets


def score_draws(splits, models: list, draws: int, seed: int, row: dict,
                real: list[dict], gates=(), projections=()) -> list[dict]:
    """Score ``draws`` AG draws, each as many AGs as training haplotypes
    taken in equal shares from ``models`` (one model, or the models of
    several training seeds pooled); one row per draw, with
    ``pairwise_w_ratio``, its pairwise W over the real one at the same
    halving (``real``: :func:`real_vs_real`); each of ``gates`` (None, or
    ``keep_carried_by`` of :func:`release_gate_keeps`) adds a row of the draw
    as that release gate would release it, and each of ``projections`` the
    sets of :func:`draw_sets`."""
    train, test = splits["train"], splits["test"]
    shares = np.array_split(np.arange(splits.get("n_ags", train.n_haplotypes)), len(models))
    start_set = splits["sampling"] if models[0].start == "sampling" else None
    rows = []
    for draw in range(draws):
        # Each model its own seed (the first the single model's): chains from
        # the same starts and noise would be alike.
        ags = np.vstack([model.sample(len(share), seed=seed * 1000 + draw + 100_000 * member)
                         for member, (model, share) in enumerate(zip(models, shares))])
        for name, alleles in draw_sets(ags, splits, gates, projections,
                                       np.random.default_rng([seed, draw]), f"  draw {draw}"):
            metrics = score(train, test, alleles, seed=draw, start_set=start_set)
            metrics.update(closeness_to_train(alleles, train.alleles), n_ags=len(alleles),
                           repeated=repeated_share(alleles, test.n_haplotypes))
            metrics["pairwise_w_ratio"] = metrics["pairwise_w_ho"] / real[draw]["pairwise_w_ho"]
            rows.append({**row, "set": name, "draw": draw, **{k: metrics[k] for k in COLUMNS}})
            print("  steps", row["steps"], name, "draw", draw, draw_line(metrics, COLUMNS),
                  flush=True)
    return rows


def fit_and_score(splits, settings: dict, train_seed: int, draws: int, seed: int,
                  labels: dict, real: list[dict], steps=None, gates=(),
                  temperatures=None, projections=()) -> tuple[list[dict], RBMGenerator]:
    """Train one RBM and score ``draws`` AG draws; one row per draw, and the
    model. ``steps``, ``temperatures``: draw the AGs after each of these
    numbers of Gibbs steps, at each of these last-step temperatures, instead
    of the model's own (the same trained model)."""
    model, fit_s = fit(splits, settings, train_seed, labels)
    rows, own_steps, own_temperature = [], model.gibbs_steps, model._sampling_temperature
    for n_steps in steps or [own_steps]:
        for temperature in temperatures or [own_temperature]:
            model.gibbs_steps, model._sampling_temperature = n_steps, temperature
            rows += score_draws(splits, [model], draws, seed, {
                **labels, "steps": n_steps, "train_seed": train_seed,
                "kept_epoch": model.best_epoch, "fit_seconds": fit_s,
                "temperature": temperature}, real, gates, projections)
    model.gibbs_steps, model._sampling_temperature = own_steps, own_temperature
    return rows, model


def splits_parser(description: str, model: str) -> argparse.ArgumentParser:
    """The arguments of a bench on one panel's splits: the folder, the panel
    kind and the config's RBM whose settings to start from."""
    parser = argparse.ArgumentParser(description=description,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("splits", help="folder of one panel's splits")
    parser.add_argument("--panel", default="dense", help="panel kind whose settings to use")
    parser.add_argument("--model", default=model,
                        help="the config's RBM whose settings to start from (rbm, rbm_kstep)")
    return parser


def load_splits(folder, train_with_sampling: bool = False) -> dict:
    """The training, validation, test and sampling splits of one panel; with
    ``train_with_sampling`` the training split holds the sampling split too,
    and ``n_ags`` keeps the training split's own size for the AG draws."""
    splits = {name: load_haplotypes(Path(folder) / f"{name}.npz")
              for name in ("train", "validation", "test", "sampling")}
    if train_with_sampling:
        train, sampling = splits["train"], splits["sampling"]
        splits["n_ags"] = train.n_haplotypes
        splits["train"] = combine_panels(train, sampling)
    return splits


def variant_settings(model: str, panel: str, variant: str) -> dict:
    """The default config's settings of ``model`` for ``panel``, overridden
    by ``variant`` (:data:`VARIANTS`)."""
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    panel = None if variant in WITHOUT_PANEL else panel
    own = {key: value for key, value in model_settings(config, model, panel).items()
           if key != "model"}
    return {**own, **VARIANTS[variant]}


def main(argv=None) -> int:
    parser = splits_parser(__doc__, model="rbm")
    parser.add_argument("--variants", nargs="+", default=["default", "auto"],
                        choices=list(VARIANTS))
    parser.add_argument("--schemes", nargs="+", default=None,
                        choices=["sampling", "train", "frequencies", "random"],
                        help="where the chains start (default: the model's own start)")
    parser.add_argument("--draws", type=int, default=5)
    parser.add_argument("--steps", type=int, nargs="+",
                        help="Gibbs steps to draw the AGs after (default: the model's own)")
    parser.add_argument("--temperatures", type=float, nargs="+",
                        help="last-step temperatures to draw the AGs at (default: the model's "
                             "own, calibrated or set)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the AG draws")
    parser.add_argument("--train-seeds", type=int, nargs="+", default=[1],
                        help="training seeds (each trains its own model)")
    parser.add_argument("--pool", action="store_true",
                        help="also score AGs drawn in equal shares from the training seeds' "
                             "models (variant name + '+pooled')")
    parser.add_argument("--train-with-sampling", action="store_true",
                        help="train on the training and sampling splits together")
    parser.add_argument("--recombinants", type=float, default=0.0,
                        help="also train on this many recombinants per training haplotype")
    parser.add_argument("--tract", type=int, default=20,
                        help="SNPs either side of a recombinant's switch its two haplotypes "
                             "share")
    parser.add_argument("--released", action="store_true",
                        help="also score each draw as the release gate would release it")
    parser.add_argument("--keep-carried-by", type=int, nargs="+", default=[], metavar="K",
                        help="with --released, also score each draw as a gate that releases "
                             "the copies of haplotypes K or more training individuals carry")
    parser.add_argument("--project", type=float, nargs="+", default=[], metavar="Q",
                        help="also score each draw projected onto its paths through the "
                             "training haplotypes, each mismatch kept with probability Q "
                             "(template_paths.py), and as the gates release it")
    parser.add_argument("--out", help="write the rows (TSV) here too")
    args = parser.parse_args(argv)
    gates = [None, *args.keep_carried_by] if args.released else []
    settings = {variant: variant_settings(args.model, args.panel, variant)
                for variant in args.variants}
    if args.train_with_sampling and "sampling" in (
            args.schemes or [own["start"] for own in settings.values()]):
        parser.error("chains started at the sampling split cannot also train on it "
                     "(--train-with-sampling)")
    splits = load_splits(args.splits, args.train_with_sampling)
    splits["recombinants"] = (args.recombinants, args.tract)
    real_rows = real_vs_real(splits, args.draws)
    real = {k: float(np.median([r[k] for r in real_rows])) for k in real_rows[0]}
    print("test split: repeated", round(repeated_share(splits["test"].alleles,
                                                       splits["test"].n_haplotypes), 3))
    if args.project:
        fresh = np.vstack([splits["sampling"].alleles, splits["validation"].alleles])
        paths_read("new real people", fresh, splits["train"].alleles)
    print("real vs real at each draw's halving: pairwise W",
          [round(r["pairwise_w_ho"], 3) for r in real_rows], "LD r",
          [round(r["ld_r_ho"], 3) for r in real_rows], flush=True)
    rows = []
    for variant in args.variants:
        for scheme in args.schemes or [settings[variant]["start"]]:
            models, fit_seconds = [], 0.0
            for train_seed in args.train_seeds:
                seed_rows, model = fit_and_score(
                    splits, {**settings[variant], "start": scheme}, train_seed, args.draws,
                    args.seed, {"variant": variant, "scheme": scheme}, real_rows, args.steps,
                    gates, args.temperatures, args.project)
                rows += seed_rows
                models.append(model)
                fit_seconds += seed_rows[0]["fit_seconds"]
            if args.pool:
                rows += score_draws(splits, models, args.draws, args.seed, {
                    "variant": variant + "+pooled", "scheme": scheme,
                    "steps": models[0].gibbs_steps, "train_seed": 0, "kept_epoch": 0,
                    "fit_seconds": fit_seconds, "temperature": float(np.median(
                        [m._sampling_temperature for m in models]))}, real_rows, gates)
    table = rows_table(rows, args.out)
    print(f"\nmedian [min, max] over {args.draws} draws x {len(args.train_seeds)} training "
          "seeds; real vs real, median over the draws' halvings: "
          + ", ".join(f"{k} {v:.3f}" for k, v in real.items()))
    by = ["variant", "scheme", "steps", "set"] + (["temperature"] if args.temperatures else [])
    print("\n" + summary_markdown(table, by, COLUMNS, lead={
        "variant": lambda g: g["variant"].iloc[0], "scheme": lambda g: g["scheme"].iloc[0],
        "steps": lambda g: str(g["steps"].iloc[0]), "set": lambda g: g["set"].iloc[0],
        "T": lambda g: median_range(g["temperature"]),
        "fit s": lambda g: f"{g['fit_seconds'].median():.0f}"}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
