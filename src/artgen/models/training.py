"""Epoch-based training shared by the learned generators (GAN, RBM): snapshots
scored on held-out haplotypes, early stopping, a per-epoch history table and
a checkpoint that a killed run resumes from.

Every ``snapshot_every`` epochs the model samples as many AGs as there are
training haplotypes (at most ``snapshot_size``) and scores them.

With a validation set (:meth:`IterativeGenerator.set_validation`: real
haplotypes held out of training) the choice looks only at data the model
never saw. Each snapshot gets its privacy loss (AATS against the validation
set minus AATS against the training set, :func:`~artgen.stats.privacy.privacy_loss`),
the distance attack's AUC (training haplotypes as members, validation ones
as non-members) and its fidelity to the validation set (AF r, LD r, AATS
halves, pairwise W at matched sizes). The snapshot kept is the most faithful
one (AF r + LD r against the validation set) among those whose privacy loss
and attack AUC above its null are within ``privacy_tolerance`` (give or take
two standard errors of each) and whose validation AA halves are within
``aa_tolerance`` of 0.5; failing the AA window, the one nearest it; and if no
snapshot is private enough, the one with the lowest largest leak, said in the
log and the history (column ``private``). A choice scored against the
training set rewards AGs for sitting close to the training haplotypes: on the
real 805-SNP data it kept a GAN snapshot whose AGs were 3x closer to the
training set than new real data is (privacy loss 0.08).

The attack's null is 0.5 only on average over splits: which individuals
fall in the training and validation sets moves it. On a real dense panel
of all five super-populations, real haplotypes in neither set read 0.53
on one split of individuals and 0.49 on another, so a null of 0.5 made
the rule 0.04 stricter on one split than on the other. With a reference
set (:meth:`IterativeGenerator.set_attack_reference`: real haplotypes
neither trained on nor in the validation set, such as the sampling split)
the null is what the attack reads with them in place of the AGs.

Without one (a model fitted outside the workflow on one matrix) the
snapshots are scored against the training set with nearest-neighbour
adversarial accuracy, and the kept one is the closest to the ideal on *both*
halves of AATS, with lost alleles counted against it:
``|AA_truth - 0.5| + |AA_syn - 0.5|`` plus the share of polymorphic sites
fixed in the AGs. AA_TS alone can read 0.6 for a model whose AGs cover a
fifth of the real distribution (AA_truth 0.2) and are all far from real
haplotypes (AA_syn 1.0), as the paper's GAN did.

The checkpoint holds the full training state (weights, optimiser moments,
persistent chains, step counter: whatever the model lists), the best
snapshot and the history, written atomically after every snapshot with a
checksum, the one before it kept beside it. A run restarted with the same
data, settings, seed and snapshot rules (:data:`SNAPSHOT_RULES`) continues
from the newest checkpoint that reads back whole (a truncated or altered
one is reported and skipped, never loaded); with anything else it starts
afresh and says so. A file plainly of another kind at the checkpoint's
path (a saved model, haplotypes, a folder) is an error instead: the next
checkpoint written would replace it.
"""

from __future__ import annotations

import json
import logging
import time
from abc import abstractmethod
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from artgen import seeds
from artgen.checks import check_count, check_haplotype_matrix
from artgen.errors import InputError
from artgen.io.atomic import atomic_output
from artgen.models.base import Generator
from artgen.models.checkpoints import is_int, is_number, newest_checkpoint, write_checkpoint
from artgen.provenance import data_digest
from artgen.stats.attack import distance_attack_scores, roc_auc, start_set_privacy
from artgen.stats.distances import pairwise_distance_counts, subsample_rows, wasserstein_from_counts
from artgen.stats.privacy import (adversarial_accuracy, privacy_loss,
                                  privacy_loss_standard_error, roc_auc_standard_error)
from artgen.stats.frequencies import af_correlation, fixed_sites
from artgen.stats.ld import ld_correlation

log = logging.getLogger("artgen")

#: The version of the rules that score, calibrate and choose snapshots; it
#: joins the checkpoint's key. A finished checkpoint holds the choice made
#: under the rules it was trained with, so one written under other rules is
#: not resumed: same data, settings and seed must give the same AGs whatever
#: checkpoint a results folder holds. Raise it whenever those rules change.
#: 2: the distance attack counts as a leak; temperature_target.
#: 3: the AA target keeps the temperature of the smallest larger AA deviation.
#: 4: the attack's null read on a reference set of new real haplotypes.
SNAPSHOT_RULES = 4


@dataclass(frozen=True)
class TrainingRun:
    """Where a training run keeps its resumable checkpoint and its history table.

    Attributes
    ----------
    checkpoint : path, optional
        ``.npz`` written after every snapshot; read back on restart.
    history : path, optional
        Tab-separated table, one row per epoch (losses; snapshot metrics on
        snapshot epochs).
    """

    checkpoint: str | Path | None = None
    history: str | Path | None = None


def snapshot_score(aa_truth: float, aa_syn: float, fixed_share: float = 0.0) -> float:
    """Distance from the ideal snapshot: ``|AA_truth - .5| + |AA_syn - .5|``
    plus the share of the training set's polymorphic sites that the AGs
    have fixed (an early GAN snapshot can sit nearer 0.5 on AATS while it
    has lost a quarter of the alleles)."""
    return abs(aa_truth - 0.5) + abs(aa_syn - 0.5) + fixed_share


def snapshot_metrics(train: np.ndarray, ags: np.ndarray, seed: int) -> dict[str, float]:
    """AATS of ``ags`` against ``train`` (equal numbers of rows, the larger
    set subsampled) and the number of training-polymorphic sites fixed in ``ags``."""
    n = min(len(train), len(ags))
    real = train if len(train) == n else subsample_rows(train, n, seed)
    syn = ags if len(ags) == n else subsample_rows(ags, n, seed + 1)
    aa = adversarial_accuracy(real, syn)
    fixed = fixed_sites(train, ags)
    fixed_share = fixed.fraction if fixed.n_polymorphic_real else 0.0
    return {"aa_truth": aa.aa_truth, "aa_syn": aa.aa_syn, "aa_ts": aa.aa_ts,
            "fixed_sites": float(fixed.count), "af_r": af_correlation(train, ags),
            "ld_r": ld_correlation(train, ags),
            "snapshot_score": snapshot_score(aa.aa_truth, aa.aa_syn, fixed_share)}


def validation_metrics(train: np.ndarray, validation: np.ndarray, ags: np.ndarray,
                       seed: int, start_rows: np.ndarray | None = None) -> dict[str, float]:
    """Scores of a snapshot's AGs on real haplotypes the model never saw.

    ``val_*``: AA halves (:func:`~artgen.stats.privacy.privacy_loss`'s
    comparison with the validation set, every AG counted), AF r, LD r, the
    fixed-site-weighted :func:`snapshot_score` and pairwise W (AGs drawn
    down to the validation set's size) against ``validation``;
    ``privacy_loss``: AATS against ``validation`` minus AATS against
    ``train``, with ``privacy_loss_se``, its standard error when nothing
    leaks (:func:`~artgen.stats.privacy.privacy_loss_standard_error`);
    ``attack_auc``: the distance attack's AUC with the training
    rows as members and the validation rows as non-members (0.5: the AGs
    are no closer to the one than to the other), with ``attack_auc_se``,
    its standard error when nothing leaks.

    ``start_rows``: real haplotypes besides the training set that the AGs'
    chains start from (the RBM's sampling set). They belong to people too,
    and AGs a few Gibbs steps from them can stay close to them:
    ``privacy_loss_start`` is AATS against ``validation`` minus AATS against
    them (matched sizes), with ``privacy_loss_start_se``; ``attack_auc_start``
    the distance attack with them as the members, with
    ``attack_auc_start_se`` (its standard error when nothing leaks). The
    attack scores every start row: with fewer validation rows than start
    rows the matched privacy loss leaves some start rows out, and AGs made
    from those look new (on the default dense panel it read 0.10 where the
    test split, larger, read 0.25-0.34).
    """
    loss = privacy_loss(ags, train, validation, seed, matched=True)
    fixed = fixed_sites(validation, ags)
    fixed_share = fixed.fraction if fixed.n_polymorphic_real else 0.0
    start = {}
    if start_rows is not None:
        leak = start_set_privacy(ags, start_rows, validation, seed)
        matched = min(len(ags), len(start_rows), len(validation))
        start = {"privacy_loss_start": leak["privacy_loss_start"],
                 "privacy_loss_start_se": privacy_loss_standard_error(matched),
                 "attack_auc_start": leak["mia_auc_start"],
                 "attack_auc_start_se": roc_auc_standard_error(len(start_rows),
                                                               len(validation))}
    return {"val_aa_truth": loss.test.aa_truth, "val_aa_syn": loss.test.aa_syn,
            "val_af_r": af_correlation(validation, ags), "val_ld_r": ld_correlation(validation, ags),
            "val_pairwise_w": pairwise_w(ags, validation, seed),
            "privacy_loss": loss.loss,
            "privacy_loss_se": privacy_loss_standard_error(loss.n_test_rows),
            "attack_auc": roc_auc(distance_attack_scores(ags, train),
                                  distance_attack_scores(ags, validation)),
            "attack_auc_se": roc_auc_standard_error(len(train), len(validation)),
            "snapshot_score": snapshot_score(loss.test.aa_truth, loss.test.aa_syn, fixed_share),
            **start}


def attack_null(train: np.ndarray, validation: np.ndarray, reference: np.ndarray) -> float:
    """The distance attack's AUC (``train`` rows as members, ``validation``
    rows as non-members) with real haplotypes in neither set, ``reference``,
    in place of the AGs: what the attack reads on a generator that knows no
    one in ``train``. It differs from 0.5 where the two sets differ in how
    far their haplotypes sit from everyone else's (more of a diverse
    population on one side, relatives across the split), a difference
    that moves with the split of individuals."""
    return roc_auc(distance_attack_scores(reference, train),
                   distance_attack_scores(reference, validation))


def _leaks(snap: dict) -> list[tuple[float, float]]:
    """``(leak, standard error)`` of each leak a snapshot is judged on: the
    training set's privacy loss and attack AUC above its null
    (``attack_auc_null``, :func:`attack_null`; 0.5 without one), and where
    the AGs start at other real rows their privacy loss and attack AUC above
    0.5.

    The two views of the training set see different leaks: AATS counts
    nearest neighbours at matched sizes, the attack ranks every training row
    by its distance to the AGs. A restarted RBM without windows on the
    default dense panel kept privacy loss within tolerance at snapshots
    whose attack read 0.61-0.68, and copied 16-31 training haplotypes per draw.
    """
    out = [(snap["privacy_loss"], snap.get("privacy_loss_se", 0.0))]
    if np.isfinite(snap.get("attack_auc", np.nan)):
        null = snap.get("attack_auc_null", np.nan)
        out.append((snap["attack_auc"] - (null if np.isfinite(null) else 0.5),
                    snap.get("attack_auc_se", 0.0)))
    if np.isfinite(snap.get("privacy_loss_start", np.nan)):
        out += [(snap["privacy_loss_start"], snap.get("privacy_loss_start_se", 0.0)),
                (snap["attack_auc_start"] - 0.5, snap.get("attack_auc_start_se", 0.0))]
    return out


def is_private(snap: dict, privacy_tolerance: float) -> bool:
    """Whether a snapshot's privacy loss on the validation set is within
    ``privacy_tolerance``, give or take two standard errors
    (``privacy_loss_se``; 0 where a history has none): on a small
    validation set a loss of 0.02 cannot be told from none, and ranking
    snapshots by noise keeps the luckiest, often an early, rough one. The
    distance attack's AUC above its null (``attack_auc``, ``attack_auc_se``,
    ``attack_auc_null``: see :func:`_leaks`) must pass the same test. AGs
    drawn from chains that start at other real haplotypes must pass the same
    test against those, on the privacy loss and on the attack AUC above 0.5
    (``privacy_loss_start``, ``attack_auc_start``: see :func:`validation_metrics`)."""
    return all(leak <= privacy_tolerance + 2 * se for leak, se in _leaks(snap))


def snapshot_rank(snap: dict, tolerance: float = 0.0,
                  privacy_tolerance: float = 0.02) -> tuple[int, float]:
    """Sort key of a snapshot's metrics, smaller is better.

    Scored on a validation set (``privacy_loss`` among the metrics): a
    snapshot that is not private (:func:`is_private`) comes last, by its
    larger privacy loss. The others are ranked on the validation metrics as
    follows. Without one, on the training-set metrics.

    Snapshots whose AA_truth and AA_syn are both within ``tolerance`` of 0.5
    come first, best fidelity (AF r + LD r) first; the others follow by
    :func:`snapshot_score`. With tolerance 0 only the score counts (the
    paper's choice by AATS). A tolerance lets a later, more faithful
    snapshot win over an early one that sits nearer 0.5 only because its
    AGs are rough.
    """
    prefix = ""
    if np.isfinite(snap.get("privacy_loss", np.nan)):
        if not is_private(snap, privacy_tolerance):
            return 2, max(leak for leak, _ in _leaks(snap))
        prefix = "val_"
    within = (tolerance > 0 and abs(snap[prefix + "aa_truth"] - 0.5) <= tolerance
              and abs(snap[prefix + "aa_syn"] - 0.5) <= tolerance)
    if within:
        fidelity = snap[prefix + "af_r"] + snap[prefix + "ld_r"]
        return 0, -fidelity if np.isfinite(fidelity) else np.inf
    return 1, snap["snapshot_score"]


def pairwise_w(ags: np.ndarray, reference: np.ndarray, seed: int) -> float:
    """Wasserstein distance between the pairwise Hamming distances of
    ``ags`` (drawn down to the reference's size) and of ``reference``."""
    syn = ags if len(ags) <= len(reference) else subsample_rows(ags, len(reference), seed)
    return wasserstein_from_counts(pairwise_distance_counts(syn),
                                   pairwise_distance_counts(reference))


def data_fingerprint(alleles: np.ndarray) -> str:
    """A short hash of a training matrix (shape and contents): the start of
    its :func:`artgen.provenance.data_digest`."""
    return data_digest(alleles)[:16]


class IterativeGenerator(Generator):
    """A generator trained for epochs, with AATS-guided snapshots.

    Subclasses implement the training hooks (:meth:`_start`,
    :meth:`_run_epochs`, :meth:`_training_state`, :meth:`_set_training_state`)
    besides the :class:`Generator` methods; :meth:`state` must return the
    arrays that :meth:`sample` uses (the kept snapshot is a copy of them).

    Parameters
    ----------
    epochs : int
        Most epochs to train.
    snapshot_every : int
        Epochs between snapshots (AATS, checkpoint, history flush).
    patience : int
        Stop after this many snapshots without a better score (0: never stop early).
    snapshot_size : int
        Most AGs sampled per snapshot (and training rows they are compared with).
    aa_tolerance : float
        Among snapshots whose AA_truth and AA_syn are both within this of
        0.5, keep the most faithful (see :func:`snapshot_rank`); 0: keep the
        best by :func:`snapshot_score` alone.
    privacy_tolerance : float
        With a validation set: the most privacy loss a kept snapshot may
        show (the project's goal is 0.02; the paper's GAN read 0.027), plus
        two standard errors of the validation set's privacy loss (see
        :func:`is_private`).
    """

    iterative = True

    def __init__(self, *, epochs: int, snapshot_every: int, patience: int = 0,
                 snapshot_size: int = 5000, aa_tolerance: float = 0.0,
                 privacy_tolerance: float = 0.02):
        self.epochs = check_count(epochs, "epochs", 1)
        self.snapshot_every = check_count(snapshot_every, "snapshot_every", 1)
        self.patience = check_count(patience, "patience", 0)
        self.snapshot_size = check_count(snapshot_size, "snapshot_size", 2)
        if isinstance(aa_tolerance, bool) or not 0 <= aa_tolerance <= 0.5:
            raise InputError(f"aa_tolerance must be in [0, 0.5], got {aa_tolerance!r}")
        self.aa_tolerance = float(aa_tolerance)
        if (isinstance(privacy_tolerance, bool) or not isinstance(privacy_tolerance, (int, float))
                or not 0 <= privacy_tolerance <= 1):
            raise InputError(f"privacy_tolerance must be in [0, 1], got {privacy_tolerance!r}")
        self.privacy_tolerance = float(privacy_tolerance)
        self._validation: np.ndarray | None = None
        self._attack_reference: np.ndarray | None = None
        self.history: pd.DataFrame | None = None
        self.best_epoch: int | None = None

    # -- hooks -------------------------------------------------------------------------

    def _iterative_settings(self) -> dict:
        settings = {"epochs": self.epochs, "snapshot_every": self.snapshot_every,
                    "patience": self.patience, "snapshot_size": self.snapshot_size}
        if self.aa_tolerance:  # absent when unused: older checkpoints' keys still match
            settings["aa_tolerance"] = self.aa_tolerance
        if self.privacy_tolerance != 0.02:
            settings["privacy_tolerance"] = self.privacy_tolerance
        return settings

    def set_validation(self, alleles, populations=None) -> None:
        """Real haplotypes (n, n_snps) held out of training, on which
        :meth:`fit` scores and chooses its snapshots (fidelity and privacy
        loss on data never trained on). ``populations`` (one label per row)
        is accepted for the models that score rows under their own
        population; the snapshot scores compare pooled sets."""
        validation = check_haplotype_matrix(alleles)
        if len(validation) < 2:
            raise InputError(f"the validation set has {len(validation)} haplotypes; "
                             f"snapshot scoring needs at least 2")
        self._validation = validation

    def set_attack_reference(self, alleles) -> None:
        """Real haplotypes (n, n_snps) neither trained on nor in the
        validation set: the distance attack's null on the validation set is
        what it reads with them in place of the AGs (:func:`attack_null`),
        not 0.5. Without one (or with none in it) the null is 0.5."""
        reference = check_haplotype_matrix(alleles)
        self._attack_reference = reference if len(reference) else None

    @abstractmethod
    def _start(self, alleles: np.ndarray, seed: int) -> None:
        """Initialise the model and optimiser for training on ``alleles``."""

    @abstractmethod
    def _run_epochs(self, first_epoch: int, n_epochs: int) -> list[dict[str, float]]:
        """Train epochs ``first_epoch + 1 .. first_epoch + n_epochs``; one dict of
        losses per epoch. Randomness must depend only on the seed given to
        :meth:`_start` and the epoch numbers, so a resumed run repeats itself."""

    @abstractmethod
    def _training_state(self) -> dict[str, np.ndarray]:
        """Everything needed to continue training (weights, optimiser, chains)."""

    @abstractmethod
    def _set_training_state(self, state: dict[str, np.ndarray]) -> None:
        """Restore what :meth:`_training_state` returned (after :meth:`_start`)."""

    def _checkpoint_extras(self) -> dict[str, str]:
        """Inputs besides data, settings and seed that training depends on
        (they join the checkpoint's key, so a run with others starts afresh)."""
        return {}

    def _start_rows(self) -> np.ndarray | None:
        """Real haplotypes other than the training set that :meth:`sample`
        starts from (their privacy is scored with the training set's), or None."""
        return None

    def _calibrate(self, alleles: np.ndarray, reference: np.ndarray, n: int,
                   seed: int) -> dict[str, float]:
        """Tune sampling settings before a snapshot is scored (``n`` AGs,
        ``seed``), on ``reference``: the validation set where there is one,
        else the training set ``alleles``. Returns the tuned values, which
        join the snapshot's row of the history (by default nothing to tune)."""
        return {}

    # -- the loop ----------------------------------------------------------------------

    def fit(self, alleles, *, seed: int = 0, run: TrainingRun | None = None):
        alleles = check_haplotype_matrix(alleles)
        validation = self._validation
        if validation is not None and validation.shape[1] != alleles.shape[1]:
            raise InputError(f"the validation set has {validation.shape[1]} SNPs; the training "
                             f"matrix has {alleles.shape[1]}")
        run = run or TrainingRun()
        self._start(alleles, seed)
        reference = None if validation is None else self._attack_reference
        if reference is not None and reference.shape[1] != alleles.shape[1]:
            raise InputError(f"the attack's reference set has {reference.shape[1]} SNPs; the "
                             f"training matrix has {alleles.shape[1]}")
        held_out = {} if validation is None else {"validation": data_fingerprint(validation)}
        null = {}
        if reference is not None:
            held_out["attack_reference"] = data_fingerprint(reference)
            null["attack_auc_null"] = attack_null(alleles, validation, reference)
        key = json.dumps({"model": self.name, "settings": self.settings(), "seed": seed,
                          "snapshot_rules": SNAPSHOT_RULES,
                          "data": data_fingerprint(alleles), **held_out,
                          **self._checkpoint_extras()},
                         sort_keys=True)
        epoch, rows, best = 0, [], None
        resumed = self._load_checkpoint(run.checkpoint, key)
        if resumed is not None:
            epoch, rows, best = resumed
            log.info("resumed %s from %s at epoch %d", self.name, run.checkpoint, epoch)
            # The history up to the checkpoint, at once: a workflow deletes a
            # rule's outputs before it reruns the rule, and a run resumed from
            # a finished checkpoint trains no epoch that would write it.
            _write_history(run.history, rows, best["epoch"])
        n_eval = min(len(alleles), self.snapshot_size)
        stale = 0 if best is None else (epoch - best["epoch"]) // self.snapshot_every
        while epoch < self.epochs and not (self.patience and stale >= self.patience):
            n = min(self.snapshot_every, self.epochs - epoch)
            start = time.perf_counter()
            losses = self._run_epochs(epoch, n)
            seconds = (time.perf_counter() - start) / n
            epoch += n
            snap_seed = seeds.child(seed, "training/snapshot", epoch)
            tuned = self._calibrate(alleles, alleles if validation is None else validation,
                                    n_eval, seed=snap_seed)
            ags = self.sample(n_eval, seed=snap_seed)
            snap = {**snapshot_metrics(alleles, ags, seed=snap_seed), **tuned}
            if validation is not None:
                snap.update(validation_metrics(alleles, validation, ags, seed=snap_seed,
                                               start_rows=self._start_rows()), **null)
                snap["private"] = float(is_private(snap, self.privacy_tolerance))
            for i, loss in enumerate(losses):
                row = {"epoch": epoch - n + 1 + i, **loss, "seconds": seconds}
                if i == n - 1:
                    row.update(snap)
                rows.append(row)
            rank = snapshot_rank(snap, self.aa_tolerance, self.privacy_tolerance)
            if best is None or rank < best["rank"]:
                best = {"epoch": epoch, "score": snap["snapshot_score"], "rank": rank,
                        "state": {k: np.array(v) for k, v in self.state().items()}}
                stale = 0
            else:
                stale += 1
            held_out = "" if validation is None else (
                f"  validation: AA_truth {snap['val_aa_truth']:.3f}  AA_syn "
                f"{snap['val_aa_syn']:.3f}  LD r {snap['val_ld_r']:.3f}  privacy loss "
                f"{snap['privacy_loss']:.3f}  attack AUC {snap['attack_auc']:.3f}"
                + (f" (null {snap['attack_auc_null']:.3f})" if null else "")
                + (f"  start set: privacy loss {snap['privacy_loss_start']:.3f}  attack AUC "
                   f"{snap['attack_auc_start']:.3f}" if "privacy_loss_start" in snap else ""))
            log.info("%s epoch %d/%d  %s  AA_truth %.3f  AA_syn %.3f  AA_TS %.3f  "
                     "fixed %d%s%s  (best: epoch %d)  %.3f s/epoch", self.name, epoch,
                     self.epochs, "  ".join(f"{k} {v:.4f}" for k, v in losses[-1].items()),
                     snap["aa_truth"], snap["aa_syn"], snap["aa_ts"], snap["fixed_sites"],
                     "".join(f"  {k} {v:.3f}" for k, v in tuned.items()), held_out,
                     best["epoch"], seconds)
            self._save_checkpoint(run.checkpoint, key, epoch, rows, best)
            _write_history(run.history, rows, best["epoch"])
        if self.patience and stale >= self.patience:
            log.info("%s stopped at epoch %d: no better snapshot in %d snapshots",
                     self.name, epoch, self.patience)
        self.history = _history_table(rows, best["epoch"])
        self.best_epoch = best["epoch"]
        self.set_state(best["state"])
        if best["rank"][0] == 2:
            start = ("" if self._start_rows() is None else
                     " (nor, for the start set, its privacy loss and attack AUC - 0.5)")
            log.warning("%s: no snapshot has a privacy loss and attack AUC above its null "
                        "within %.3f "
                        "(give or take two standard errors, %.3f for the privacy loss) on the "
                        "validation set%s; kept the one with the lowest largest leak, epoch %d "
                        "(%.3f)", self.name, self.privacy_tolerance,
                        rows[-1].get("privacy_loss_se", 0.0), start, best["epoch"],
                        best["rank"][1])
        log.info("%s kept the snapshot of epoch %d (score %.3f)", self.name, best["epoch"],
                 best["score"])
        return self

    def _save_checkpoint(self, path, key: str, epoch: int, rows: list, best: dict) -> None:
        """Write the checkpoint atomically, keeping the one before it as
        :func:`previous_checkpoint` (the fallback if this one is found corrupt)."""
        if path is None:
            return
        arrays = {f"train/{k}": np.asarray(v) for k, v in self._training_state().items()}
        arrays.update({f"best/{k}": np.asarray(v) for k, v in best["state"].items()})
        write_checkpoint(path, {"key": key, "epoch": epoch, "rows": rows,
                                "best_epoch": best["epoch"], "best_score": best["score"]},
                         arrays)

    def _load_checkpoint(self, path, key: str):
        """The newest checkpoint that reads back whole, matches ``key`` and
        fits this model (the latest, else the previous one), or None to start
        afresh."""
        found = newest_checkpoint(path, key, check=self._check_checkpoint)
        if found is None:
            return None
        meta, arrays = found
        self._set_training_state({k[6:]: v for k, v in arrays.items()
                                  if k.startswith("train/")})
        kept = next(row for row in meta["rows"] if row["epoch"] == meta["best_epoch"])
        best = {"epoch": meta["best_epoch"], "score": meta["best_score"],
                "rank": snapshot_rank(kept, self.aa_tolerance, self.privacy_tolerance),
                "state": {k[5:]: v for k, v in arrays.items() if k.startswith("best/")}}
        return meta["epoch"], meta["rows"], best

    def _check_checkpoint(self, meta: dict, arrays: dict[str, np.ndarray]) -> None:
        """An InputError unless a checkpoint fits this model as :meth:`_start`
        set it up: one history row per epoch trained, the kept snapshot among
        them, and training and snapshot arrays of the model's own names,
        shapes and types. Checked before any of it is restored, so that a
        checkpoint that does not fit is skipped like a damaged one and never
        half-loaded. (The checksum covers the arrays but not this metadata.)"""
        epoch, rows, best_epoch = meta.get("epoch"), meta.get("rows"), meta.get("best_epoch")
        if not (is_int(epoch) and 1 <= epoch <= self.epochs and isinstance(rows, list)
                and len(rows) == epoch and is_int(best_epoch) and 1 <= best_epoch <= epoch
                and is_number(meta.get("best_score"))
                and all(isinstance(row, dict) and row.get("epoch") == i
                        for i, row in enumerate(rows, start=1))):
            raise InputError("its epoch count, history rows or kept epoch are inconsistent")
        if not all(is_number(rows[best_epoch - 1].get(name))
                   for name in ("aa_truth", "aa_syn", "af_r", "ld_r", "snapshot_score")):
            raise InputError(f"its kept epoch {best_epoch} has no snapshot metrics")
        for prefix, own, exact in (("train/", self._training_state(), True),
                                   ("best/", self.state(), False)):
            saved = {k[len(prefix):]: v for k, v in arrays.items() if k.startswith(prefix)}
            # A snapshot may hold arrays that a model only makes while training
            # (a GAN's frequency offsets); the training state is exactly the model's own.
            if (exact and set(saved) != set(own)) or not set(own) <= set(saved):
                raise InputError(f"its {prefix} arrays are not this model's "
                                 f"({', '.join(sorted(set(saved) ^ set(own))[:4])})")
            for name, value in own.items():
                value = np.asarray(value)
                if (saved[name].shape, saved[name].dtype) != (value.shape, value.dtype):
                    raise InputError(f"its array {prefix}{name} is {saved[name].dtype} "
                                     f"{saved[name].shape}, the model's is {value.dtype} "
                                     f"{value.shape}")


def _history_table(rows: list[dict], kept_epoch: int) -> pd.DataFrame:
    """One row per epoch; snapshot rows say whether they are the kept one."""
    table = pd.DataFrame(rows)
    snapshots = table["aa_ts"].notna()
    table.loc[snapshots, "kept"] = (table.loc[snapshots, "epoch"] == kept_epoch).astype(int)
    return table


def _write_history(path, rows: list[dict], kept_epoch: int) -> None:
    if path is None:
        return
    table = _history_table(rows, kept_epoch)
    with atomic_output(path) as tmp:
        table.to_csv(tmp, sep="\t", index=False, float_format="%.6g", na_rep="NA")
