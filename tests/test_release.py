"""Tests of artgen.release: the release gate writes AGs and their privacy card
only when no check fails, and nothing otherwise."""

from __future__ import annotations

import doctest
import gzip
import json
import os
import subprocess

import numpy as np
import pytest

import artgen.release as gate
import artgen.release.publish as publish
from artgen.errors import InputError
from artgen.haplotypes import Haplotypes, artificial_ids, haplotype_ids
from artgen.io import read_hapt, read_vcf
from artgen.release import (
    ReleaseRefused,
    Thresholds,
    card_markdown,
    privacy_card,
    release_ags,
    release_checks,
    release_metrics,
)
from artgen.stats.attack import membership_inference, plant_training_haplotypes
from artgen.stats.privacy import identical_to_train, near_copies, privacy_loss
from conftest import simulate_population

SEED = 0


def as_haplotypes(alleles, ids) -> Haplotypes:
    n_snps = alleles.shape[1]
    return Haplotypes.build(alleles, chrom=["15"] * n_snps, pos=np.arange(1, n_snps + 1) * 100,
                            ref=["A"] * n_snps, alt=["G"] * n_snps, ids=ids)


def real(alleles, prefix) -> Haplotypes:
    return as_haplotypes(alleles, haplotype_ids([f"{prefix}{i:04d}"
                                                 for i in range(alleles.shape[0] // 2)]))


def artificial(alleles) -> Haplotypes:
    return as_haplotypes(alleles, artificial_ids(alleles.shape[0]))


@pytest.fixture(scope="module")
def sets():
    """train 500, test 200, reference 200, and 500 AGs drawn as a fresh
    sample of the same population (a generator as good as the test split)."""
    g = simulate_population()
    return {"train": real(g[:500], "TR"), "test": real(g[500:700], "TE"),
            "reference": real(g[700:900], "RF"), "ags": artificial(g[900:1400])}


def outputs(folder, hapt="ags.hapt"):
    return {"out_vcf": folder / "ags.vcf.gz", "out_hapt": folder / hapt,
            "out_card_json": folder / "card.json", "out_card_md": folder / "card.md"}


def release(sets, ags, folder, thresholds=None, hapt="ags.hapt"):
    return release_ags(ags, sets["train"], sets["test"], sets["reference"],
                       **outputs(folder, hapt),
                       model="fresh", settings={"epochs": 0, "seed": 7}, panel="dense",
                       dataset="simulated population, 5 Mb", seed=SEED, thresholds=thresholds)


def left_in(folder):
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize("module", ["policy", "metrics", "card", "publish", "sensitivity"])
def test_doctests(module):
    found = doctest.testmod(getattr(gate, module), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert found.failed == 0


# --------------------------------------------------------------------------- copies


def test_exact_and_near_copies():
    rng = np.random.default_rng(0)
    train = (rng.random((20, 50)) < 0.4).astype(np.uint8)
    ags = (rng.random((6, 50)) < 0.4).astype(np.uint8)
    ags[1] = train[3]
    ags[4] = train[7]
    ags[4, :3] ^= 1  # three SNPs away from a training haplotype
    np.testing.assert_array_equal(identical_to_train(ags, train), [0, 1, 0, 0, 0, 0])
    np.testing.assert_array_equal(near_copies(ags, train, 3), [0, 1, 0, 0, 1, 0])
    np.testing.assert_array_equal(near_copies(ags, train, 2), [0, 1, 0, 0, 0, 0])
    with pytest.raises(InputError, match="distance"):
        near_copies(ags, train, -1)


# --------------------------------------------------------------------------- accepted


def test_a_clean_set_is_released_with_a_card_that_matches_direct_calls(sets, tmp_path):
    card = release(sets, sets["ags"], tmp_path, hapt="ags.hapt.gz")
    assert card["verdict"] == "accepted" and card["failed_checks"] == []
    assert left_in(tmp_path) == ["ags.hapt.gz", "ags.vcf.gz", "ags.vcf.gz.tbi", "card.json",
                                 "card.md"]
    # the fresh sample happens to hold AGs identical to a training haplotype:
    # they are withheld with their partner haplotype, and counted
    copies = identical_to_train(sets["ags"].alleles, sets["train"].alleles)
    assert card["exact_copies"]["found"] == card["exact_copies"]["removed"] == copies.sum() > 0
    keep = ~np.repeat(copies[0::2] | copies[1::2], 2)
    assert card["n_released"] == keep.sum() == 500 - 2 * card["exact_copies"]["partners_withheld"]
    kept = sets["ags"].alleles[keep]
    loss = privacy_loss(kept, sets["train"].alleles, sets["test"].alleles, SEED)
    assert card["privacy_loss"] == loss.loss
    assert card["aats_train"] == loss.train.aa_ts and card["aats_test"] == loss.test.aa_ts
    attack = membership_inference(kept, sets["train"].alleles, sets["test"].alleles,
                                  sets["reference"].alleles, seed=SEED)
    assert card["attacks"] == attack
    assert card["near_copies"]["found"] == near_copies(
        kept, sets["train"].alleles, card["near_copies"]["distance"]).sum()
    assert card["near_copies"]["distance"] == int(0.01 * sets["ags"].n_snps)
    # the files hold exactly the released AGs, and the card is what was returned
    assert json.loads((tmp_path / "card.json").read_text()) == card
    vcf = read_vcf(tmp_path / "ags.vcf.gz")
    np.testing.assert_array_equal(vcf.alleles, kept)
    np.testing.assert_array_equal(vcf.pos, sets["ags"].pos)
    hapt = read_hapt(tmp_path / "ags.hapt.gz")
    np.testing.assert_array_equal(hapt.alleles, kept)
    np.testing.assert_array_equal(hapt.ids, sets["ags"].ids[keep])
    assert gzip.open(tmp_path / "ags.hapt.gz", "rt").readline().startswith("AG AG")
    subprocess.run(["tabix", "-l", str(tmp_path / "ags.vcf.gz")], check=True, capture_output=True)
    md = (tmp_path / "card.md").read_text()
    assert md == card_markdown(card)
    assert "**Verdict: accepted.**" in md and card["files"]["vcf"]["sha256"] in md
    assert card["model"] == "fresh" and card["panel"] == "dense"
    assert card["settings"] == {"epochs": 0, "seed": 7}
    assert card["seeds"] == {"privacy_statistics": SEED}


def test_a_release_replaces_an_older_one(sets, tmp_path):
    (tmp_path / "card.md").write_text("old")
    release(sets, sets["ags"], tmp_path)
    assert (tmp_path / "card.md").read_text().startswith("# Privacy card")


# --------------------------------------------------------------------------- refused


def test_many_planted_training_haplotypes_are_refused(sets, tmp_path):
    mixed = plant_training_haplotypes(sets["ags"].alleles, sets["train"].alleles, 100, seed=1)
    (tmp_path / "card.md").write_text("an older release")
    with pytest.raises(ReleaseRefused) as info:
        release(sets, sets["ags"].with_alleles(mixed, ids=sets["ags"].ids), tmp_path)
    assert "exact_copies_share" in str(info.value)
    assert info.value.card["verdict"] == "refused"
    assert info.value.card["exact_copies"]["found"] >= 100
    assert info.value.failures == info.value.card["failed_checks"]
    assert isinstance(info.value, InputError)
    assert left_in(tmp_path) == []  # nothing written, the stale card removed


def test_near_copies_that_removal_cannot_find_are_refused(sets, tmp_path):
    """Training haplotypes with 3 SNPs changed: no exact copy, but the near
    copies, the attack at 1% FPR and the privacy loss give them away."""
    rng = np.random.default_rng(2)
    mixed = plant_training_haplotypes(sets["ags"].alleles, sets["train"].alleles, 100, seed=1)
    planted = np.flatnonzero(np.any(mixed != sets["ags"].alleles, axis=1))
    for row in planted:
        mixed[row, rng.choice(mixed.shape[1], 3, replace=False)] ^= 1
    ags = sets["ags"].with_alleles(mixed, ids=sets["ags"].ids)
    with pytest.raises(ReleaseRefused) as info:
        release(sets, ags, tmp_path)
    message = str(info.value)
    for metric in ("near_copies_share", "mia_tpr_1fpr", "privacy_loss"):
        assert metric in message
    assert "exact_copies" not in message
    assert left_in(tmp_path) == []
    # the near-copy check alone is what refuses near copies without the others
    only_near = Thresholds(max_privacy_loss=None, max_mia_auc=None, max_mia_tpr_1fpr=None,
                           max_mia_density_auc=None)
    with pytest.raises(ReleaseRefused, match="near_copies_share = 0.2"):
        release(sets, ags, tmp_path, only_near)


def test_copies_policy_remove_counts_and_fail_refuses(sets, tmp_path):
    mixed = plant_training_haplotypes(sets["ags"].alleles, sets["train"].alleles, 3, seed=5)
    ags = sets["ags"].with_alleles(mixed, ids=sets["ags"].ids)
    copies = identical_to_train(mixed, sets["train"].alleles)
    card = release(sets, ags, tmp_path / "remove")
    assert card["exact_copies"]["removed"] == copies.sum() >= 3
    assert read_hapt(tmp_path / "remove" / "ags.hapt").n_haplotypes == card["n_released"]
    assert card["n_released"] == 500 - card["exact_copies"]["removed"] \
        - card["exact_copies"]["partners_withheld"]
    with pytest.raises(ReleaseRefused, match=r"exact_copies = \d+: .*'fail'") as info:
        release(sets, ags, tmp_path / "fail", Thresholds(copies="fail"))
    assert info.value.card["exact_copies"]["removed"] == 0
    assert info.value.card["n_released"] == 500
    assert not (tmp_path / "fail").exists() or left_in(tmp_path / "fail") == []


@pytest.mark.parametrize("broken", ["write_hapt", "write_vcf", "card_markdown"])
def test_a_failed_write_leaves_no_output(sets, tmp_path, monkeypatch, broken):
    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(publish, broken, fail)
    with pytest.raises(OSError, match="disk full"):
        release(sets, sets["ags"], tmp_path)
    assert left_in(tmp_path) == []


def test_a_failed_rename_leaves_no_output(sets, tmp_path, monkeypatch):
    real_replace = os.replace
    calls = []

    def replace_then_fail(src, dst):
        calls.append(dst)
        if len(calls) == 3:
            raise OSError("no space")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace_then_fail)
    with pytest.raises(OSError, match="no space"):
        release(sets, sets["ags"], tmp_path)
    assert left_in(tmp_path) == []


# --------------------------------------------------------------------------- checks


def clean_metrics(**changes):
    metrics = {"n_released": 500, "privacy_loss": 0.0, "mia_auc": 0.5, "mia_tpr_1fpr": 0.01,
               "mia_density_auc": 0.5, "aats_test": 0.5, "exact_copies": 0,
               "exact_copies_share": 0.0, "exact_copies_share_test": 0.0,
               "near_copies_share": 0.0, "near_copies_share_test": 0.0, "near_distance": 8}
    metrics.update(changes)
    return metrics


@pytest.mark.parametrize("changes, thresholds, expected", [
    ({"privacy_loss": 0.2}, Thresholds(), "privacy_loss = 0.2 is above the maximum of 0.1"),
    ({"mia_auc": 0.7}, Thresholds(), "mia_auc = 0.7 is above the maximum of 0.6"),
    ({"mia_tpr_1fpr": 0.1}, Thresholds(), "mia_tpr_1fpr = 0.1 is above the maximum of 0.06"),
    ({"mia_density_auc": 0.61}, Thresholds(), "mia_density_auc = 0.61 is above the maximum"),
    ({"aats_test": 0.9}, Thresholds(max_aats_test=0.7), "aats_test = 0.9 is above the maximum"),
    ({"aats_test": 0.2}, Thresholds(min_aats_test=0.4), "aats_test = 0.2 is below the minimum"),
    ({"exact_copies": 1, "exact_copies_share": 0.002}, Thresholds(copies="fail"),
     "exact_copies = 1"),
    ({"exact_copies": 10, "exact_copies_share": 0.02}, Thresholds(),
     "exact_copies_share = 0.02 (10 AGs"),
    ({"near_copies_share": 0.05, "near_copies_share_test": 0.03}, Thresholds(),
     "near_copies_share = 0.05 (released AGs within 8 SNPs"),
    ({"n_released": 1, "privacy_loss": float("nan")}, Thresholds(), "n_released = 1"),
    ({"mia_auc": float("nan")}, Thresholds(), "mia_auc could not be computed"),
    ({"lr_mia_auc": 0.7}, Thresholds(), "lr_mia_auc = 0.7 is above the maximum of 0.6: the "
                                        "model gives its training haplotypes a higher likelihood"),
    ({"lr_mia_auc": 0.58}, Thresholds(max_lr_mia_auc=0.55), "lr_mia_auc = 0.58 is above"),
    ({"lr_mia_auc": float("nan")}, Thresholds(), "lr_mia_auc could not be computed"),
])
def test_each_check_names_metric_value_and_threshold(changes, thresholds, expected):
    failures = release_checks(clean_metrics(**changes), thresholds)
    assert len(failures) == 1 and failures[0].startswith(expected), failures


def test_checks_pass_within_bounds_and_baselines():
    assert release_checks(clean_metrics()) == []
    # as many copies as held-out real haplotypes have are no leak
    assert release_checks(clean_metrics(exact_copies=50, exact_copies_share=0.1,
                                        exact_copies_share_test=0.095,
                                        near_copies_share=0.3, near_copies_share_test=0.3)) == []
    off = Thresholds(max_privacy_loss=None, max_mia_auc=None, max_mia_tpr_1fpr=None,
                     max_mia_density_auc=None, max_exact_copies=None, max_near_copies=None)
    assert release_checks(clean_metrics(privacy_loss=0.9, mia_auc=1.0, exact_copies_share=1.0,
                                        near_copies_share=1.0), off) == []
    with pytest.raises(InputError, match="metrics lack privacy_loss"):
        release_checks({k: v for k, v in clean_metrics().items() if k != "privacy_loss"})


def test_the_likelihood_check_applies_to_models_with_a_likelihood_only():
    assert Thresholds().max_lr_mia_auc == 0.6
    # a model without a likelihood has no lr_mia_auc: nothing to check, nothing missing
    assert "lr_mia_auc" not in clean_metrics()
    assert release_checks(clean_metrics()) == []
    assert release_checks(clean_metrics(lr_mia_auc=0.55)) == []
    assert release_checks(clean_metrics(lr_mia_auc=0.9), Thresholds(max_lr_mia_auc=None)) == []


@pytest.mark.parametrize("kwargs", [{"copies": "keep"}, {"max_privacy_loss": "0.1"},
                                    {"max_mia_auc": 1.5}, {"max_near_copies": -0.1},
                                    {"near_distance": -1}, {"near_distance": 2.5},
                                    {"max_mia_tpr_1fpr": float("nan")},
                                    {"max_lr_mia_auc": 1.2}, {"max_lr_mia_auc": True}])
def test_thresholds_refuse_bad_settings(kwargs):
    with pytest.raises(InputError, match="thresholds"):
        Thresholds(**kwargs)


def test_near_distance_default_and_override():
    assert Thresholds().near_distance_for(805) == 8
    assert Thresholds().near_distance_for(50) == 1
    assert Thresholds(near_distance=0).near_distance_for(10_000) == 0


# --------------------------------------------------------------------------- inputs and card


def test_release_refuses_bad_inputs(sets, tmp_path):
    fewer_snps = sets["reference"].take_snps(np.arange(sets["reference"].n_snps - 1))
    with pytest.raises(InputError, match="the reference set and the AGs are not at the same SNPs"):
        release_ags(sets["ags"], sets["train"], sets["test"], fewer_snps, **outputs(tmp_path),
                    model="m")
    moved = Haplotypes(sets["test"].alleles, sets["test"].chrom, sets["test"].pos + 1,
                       sets["test"].ref, sets["test"].alt, sets["test"].ids, sets["test"].pops,
                       sets["test"].super_pops)
    with pytest.raises(InputError, match="test set .* pos"):
        release_ags(sets["ags"], sets["train"], moved, sets["reference"], **outputs(tmp_path),
                    model="m")
    with pytest.raises(InputError, match="Haplotypes"):
        release_ags(sets["ags"].alleles, sets["train"], sets["test"], sets["reference"],
                    **outputs(tmp_path), model="m")
    with pytest.raises(InputError, match="different paths"):
        release_ags(sets["ags"], sets["train"], sets["test"], sets["reference"],
                    **{**outputs(tmp_path), "out_card_md": tmp_path / "card.json"}, model="m")
    with pytest.raises(InputError, match="Thresholds"):
        release_ags(sets["ags"], sets["train"], sets["test"], sets["reference"],
                    **outputs(tmp_path), model="m", thresholds={"max_privacy_loss": 0.1})
    assert left_in(tmp_path) == []


def test_all_copies_leave_nothing_to_release(sets):
    ags = artificial(sets["train"].alleles[:10])
    metrics, released = release_metrics(ags, sets["train"], sets["test"], sets["reference"],
                                        seed=SEED)
    assert not released.any() and metrics["n_released"] == 0
    assert np.isnan(metrics["privacy_loss"])
    failures = release_checks(metrics)
    assert any(f.startswith("n_released = 0") for f in failures)
    card = privacy_card(metrics, Thresholds(), failures, model="m", panel="p")
    assert card["privacy_loss"] is None  # NaN is not JSON
    json.dumps(card, allow_nan=False)
    assert "Verdict: refused" in card_markdown(card)


def test_unpaired_ids_withhold_only_the_copies(sets):
    alleles = sets["ags"].alleles[:9].copy()
    alleles[4] = sets["train"].alleles[0]
    ags = as_haplotypes(alleles, [f"H{i}" for i in range(9)])
    metrics, released = release_metrics(ags, sets["train"], sets["test"], sets["reference"],
                                        seed=SEED)
    assert released.tolist() == [True] * 4 + [False] + [True] * 4
    assert metrics["withheld_partners"] == 0 and metrics["exact_copies_removed"] == 1


# --------------------------------------------------------------------------- likelihood attack

LIKELIHOOD = {"lr_mia_auc": 0.52, "lr_mia_tpr_1fpr": 0.02, "loglik_train": -210.5,
              "loglik_test": -211.0, "loglik_gap": 0.5}


def test_a_model_with_a_likelihood_is_gated_and_carded_on_it(sets, tmp_path):
    card = release_ags(sets["ags"], sets["train"], sets["test"], sets["reference"],
                       **outputs(tmp_path), model="hmm", seed=SEED, model_metrics=LIKELIHOOD)
    assert card["verdict"] == "accepted"
    assert card["likelihood_attack"] == LIKELIHOOD
    assert card["metrics"]["lr_mia_auc"] == 0.52
    md = (tmp_path / "card.md").read_text()
    assert "| likelihood-ratio attack AUC | 0.52 | | <= 0.6 |" in md
    assert "| mean log-likelihood, training split / test split (gap) | -210.5 / -211 (0.5)" in md
    # the same clean AG set is refused when the model itself leaks
    leaky = {**LIKELIHOOD, "lr_mia_auc": 0.81}
    with pytest.raises(ReleaseRefused) as info:
        release_ags(sets["ags"], sets["train"], sets["test"], sets["reference"],
                    **outputs(tmp_path), model="hmm", seed=SEED, model_metrics=leaky)
    assert info.value.failures == [info.value.failures[0]]
    assert info.value.failures[0].startswith("lr_mia_auc = 0.81 is above the maximum of 0.6")
    assert info.value.card["likelihood_attack"]["lr_mia_auc"] == 0.81
    assert left_in(tmp_path) == []


def test_a_model_without_a_likelihood_says_so_on_its_card(sets, tmp_path):
    card = release(sets, sets["ags"], tmp_path)
    assert card["likelihood_attack"] is None and "lr_mia_auc" not in card["metrics"]
    assert "| likelihood-ratio attack AUC | n/a (the model has no likelihood) | | <= 0.6 |" in \
        (tmp_path / "card.md").read_text()


@pytest.mark.parametrize("metrics, message", [
    ({"lr_mia_auc": 0.5, "mia_auc": 0.5}, "unknown metric"),
    ({"loglik_gap": 0.1}, "lack lr_mia_auc"),
])
def test_model_metrics_are_the_likelihood_attacks(sets, tmp_path, metrics, message):
    with pytest.raises(InputError, match=message):
        release_ags(sets["ags"], sets["train"], sets["test"], sets["reference"],
                    **outputs(tmp_path), model="hmm", seed=SEED, model_metrics=metrics)
    assert left_in(tmp_path) == []


def test_release_command_reads_the_likelihood_attack(sets, tmp_path, capsys):
    import pandas as pd

    from artgen.cli import main
    from artgen.io import save_haplotypes

    paths = {}
    for name in ("ags", "train", "test", "reference"):
        paths[name] = tmp_path / f"{name}.npz"
        save_haplotypes(sets[name], paths[name])
    table = pd.DataFrame([("dense", "hmm", 0, 0, k, v) for k, v in LIKELIHOOD.items()] +
                         [("dense", "other", 0, 0, "lr_mia_auc", 0.99)],
                         columns=["panel", "model", "seed", "draw", "metric", "value"])
    table.to_csv(tmp_path / "likelihood.tsv", sep="\t", index=False)
    out = tmp_path / "out"

    def release_cli(model, **extra):
        args = ["release", "--ags", str(paths["ags"]), "--train", str(paths["train"]),
                "--test", str(paths["test"]), "--reference", str(paths["reference"]),
                "--model", model, "--panel-name", "dense", "--likelihood-attack",
                str(tmp_path / "likelihood.tsv"), "--vcf-out", str(out / "a.vcf.gz"),
                "--hapt-out", str(out / "a.hapt"), "--card-json", str(out / "a.json"),
                "--card-md", str(out / "a.md")]
        return main(args)

    assert release_cli("hmm") == 0
    card = json.loads((out / "a.json").read_text())
    assert card["likelihood_attack"] == LIKELIHOOD
    # The released files record what they were released from.
    from artgen import provenance
    for name in ("a.vcf.gz", "a.hapt"):
        record = provenance.read(out / name)
        assert record["command"] == "artgen release"
        assert record["released_from"]["file"]["sha256"] == provenance.file_digest(paths["ags"])
    assert release_cli("gan") == 2
    assert "no lr_mia_auc of model gan on panel dense" in capsys.readouterr().err


def test_the_gate_reads_the_worst_draw(sets, tmp_path):
    """A further draw of the same model that sits on the training set refuses
    the release, though the set to release would pass alone; clean draws pass,
    and the card gives the median and range over the draws."""
    clean = artificial(sets["ags"].alleles[::-1].copy())  # as good as the set to release
    # a memorising draw: training haplotypes with a few alleles flipped
    leaky = sets["train"].alleles.copy()
    rng = np.random.default_rng(0)
    leaky[np.arange(500), rng.integers(0, leaky.shape[1], 500)] ^= 1
    leaky = artificial(leaky)

    def release_with(draws, folder):
        return release_ags(sets["ags"], sets["train"], sets["test"], sets["reference"],
                           **outputs(folder), model="fresh", panel="dense", seed=SEED,
                           draws=draws)

    alone = release_with([], tmp_path / "alone")
    assert alone["over_draws"] is None and "released set" in alone["gate_rule"]
    with pytest.raises(ReleaseRefused) as info:
        release_with([clean, leaky], tmp_path / "leaky")
    assert any(f.startswith("privacy_loss = ") and "(the worst of 3 AG draws)" in f
               for f in info.value.failures)
    assert not (tmp_path / "leaky").exists() or left_in(tmp_path / "leaky") == []
    card = release_with([clean], tmp_path / "clean")
    assert card["verdict"] == "accepted"
    loss = card["over_draws"]["privacy_loss"]
    assert loss["values"][0] == card["privacy_loss"] and len(loss["values"]) == 2
    assert loss["low"] <= loss["median"] <= loss["high"]
    md = (tmp_path / "clean" / "card.md").read_text()
    assert "Gate rule: each bound is checked on the worst of the model's AG draws" in md
    assert f"over 2 draws {loss['median']:.4g} [{loss['low']:.4g}, {loss['high']:.4g}]" in md


def test_ags_near_the_start_set_are_refused_only_when_it_is_checked(sets, tmp_path):
    """AGs that are the sampling split's haplotypes with 1% of alleles
    flipped (chains a few Gibbs steps from their start) pass every check on
    the training set; given as the start set, its people are checked too."""
    start = sets["reference"]  # the pipeline's sampling split: reference and start set
    rng = np.random.default_rng(1)
    rows = start.alleles[np.arange(500) % start.n_haplotypes]
    near = artificial(np.where(rng.random(rows.shape) < 0.01, 1 - rows, rows).astype(np.uint8))

    def release_with(ags, folder, start_set):
        return release_ags(ags, sets["train"], sets["test"], sets["reference"],
                           **outputs(folder), model="rbm", panel="dense", seed=SEED,
                           start_set=start_set)

    blind = release_with(near, tmp_path / "blind", None)
    assert blind["verdict"] == "accepted" and blind["start_set"] is None
    assert "start set" not in (tmp_path / "blind" / "card.md").read_text()
    with pytest.raises(ReleaseRefused) as info:
        release_with(near, tmp_path / "checked", start)
    failed = [f.split(" = ")[0] for f in info.value.failures]
    assert failed == ["privacy_loss_start", "mia_auc_start"]
    assert info.value.card["start_set"]["mia_auc_start"] > 0.9
    assert not (tmp_path / "checked").exists() or left_in(tmp_path / "checked") == []
    # AGs that owe nothing to the start set pass, and the card shows its rows
    card = release_with(sets["ags"], tmp_path / "fresh", start)
    assert card["verdict"] == "accepted"
    metrics, released = release_metrics(sets["ags"], sets["train"], sets["test"],
                                        sets["reference"], seed=SEED, start_set=start)
    kept = sets["ags"].alleles[released]
    assert card["start_set"]["privacy_loss_start"] == privacy_loss(
        kept, start.alleles, sets["test"].alleles, SEED, matched=True).loss
    assert card["start_set"]["identical_to_start"] == identical_to_train(kept, start.alleles).sum()
    md = (tmp_path / "fresh" / "card.md").read_text()
    assert "| privacy loss against the start set |" in md and "Start set: the real" in md


# --------------------------------------------------------------------------- top-up


def tiny(rows, ids=None) -> Haplotypes:
    alleles = np.array([[int(c) for c in row] for row in rows], dtype=np.uint8)
    return as_haplotypes(alleles, artificial_ids(len(rows)) if ids is None else ids)


TINY_TRAIN = tiny(["000", "111", "010", "101"], ids=haplotype_ids(["T1", "T2"]))


def test_top_up_fills_the_withheld_individuals_from_the_next_draws():
    """Worked by hand: the AGs keep individuals 1 and 3 (individual 2's A is
    the training haplotype 111); draw 1's individual 1 copies 000, its
    individual 2 is kept and fills the set, and draw 2 is never read."""
    ags = tiny(["001", "110", "111", "011", "100", "001"])
    draw1 = tiny(["000", "011", "110", "100", "001", "001"])
    draw2 = tiny(["110", "110"])
    pool = gate.topped_up(ags, [draw1, draw2], TINY_TRAIN)
    assert ["".join(map(str, row)) for row in pool.alleles] == [
        "001", "110", "111", "011", "100", "001", "000", "011", "110", "100"]
    assert pool.ids.tolist() == artificial_ids(10).tolist()
    copies = identical_to_train(pool.alleles, TINY_TRAIN.alleles)
    assert copies.tolist() == [False, False, True, False, False, False, True, False, False,
                               False]
    # individuals 2 and 4 withheld, three kept: as many AGs as asked for
    assert copies.reshape(-1, 2).any(axis=1).tolist() == [False, True, False, True, False]


def test_top_up_keeps_the_set_when_nothing_is_withheld_or_nothing_can_be():
    ags = tiny(["001", "110", "100", "001"])
    draw = tiny(["110", "110"])
    assert gate.topped_up(ags, [draw], TINY_TRAIN) is ags  # no copy
    with_copy = tiny(["111", "110", "100", "001"])
    assert gate.topped_up(with_copy, [], TINY_TRAIN) is with_copy  # no draw
    assert gate.topped_up(with_copy, [draw], TINY_TRAIN, Thresholds(copies="fail")) is with_copy
    # draws that keep too few: all of them, and what they keep is released
    short = gate.topped_up(with_copy, [tiny(["111", "111"]), draw], TINY_TRAIN)
    assert short.n_haplotypes == 8
    kept = ~identical_to_train(short.alleles, TINY_TRAIN.alleles).reshape(-1, 2).any(axis=1)
    assert kept.tolist() == [False, True, False, True]


def test_top_up_needs_individuals_and_the_same_snps():
    with_copy = tiny(["111", "110", "100", "001"])
    with pytest.raises(InputError, match="AG draw 1 is not paired into individuals"):
        gate.topped_up(with_copy, [tiny(["001", "110"], ids=["x", "y"])], TINY_TRAIN)
    with pytest.raises(InputError, match="the AGs are not paired into individuals"):
        gate.topped_up(tiny(["111", "110"], ids=["x", "y"]), [with_copy], TINY_TRAIN)
    moved = with_copy.take_snps([0, 1, 2])
    moved = Haplotypes.build(moved.alleles, chrom=moved.chrom, pos=moved.pos + 1,
                             ref=moved.ref, alt=moved.alt, ids=moved.ids)
    with pytest.raises(InputError, match="AG draw 1 is not at the SNPs"):
        gate.topped_up(with_copy, [moved], TINY_TRAIN)


def test_a_topped_up_release_has_the_size_asked_for(sets, tmp_path):
    """Planted copies are withheld with their partners, and as many kept
    individuals of the further draw take their place; the card counts them."""
    mixed = plant_training_haplotypes(sets["ags"].alleles, sets["train"].alleles, 3, seed=5)
    ags = sets["ags"].with_alleles(mixed, ids=sets["ags"].ids)
    draw = artificial(sets["ags"].alleles[::-1].copy())
    card = release_ags(ags, sets["train"], sets["test"], sets["reference"], **outputs(tmp_path),
                       model="fresh", panel="dense", seed=SEED, draws=[draw], top_up=True)
    withheld = card["exact_copies"]["removed"] + card["exact_copies"]["partners_withheld"]
    assert withheld >= 6
    assert card["n_released"] == 500 and card["n_topped_up"] == card["n_generated"] - 500 > 0
    released = read_hapt(tmp_path / "ags.hapt")
    assert released.n_haplotypes == 500 and len(set(released.ids)) == 500
    assert not identical_to_train(released.alleles, sets["train"].alleles).any()

    def kept(h):  # the individuals with no copy, in order
        copied = identical_to_train(h.alleles, sets["train"].alleles).reshape(-1, 2).any(1)
        return h.alleles.reshape(-1, 2, h.n_snps)[~copied].reshape(-1, h.n_snps)

    n_own = len(kept(ags))
    assert n_own >= 500 - withheld
    assert np.array_equal(released.alleles[:n_own], kept(ags))
    assert np.array_equal(released.alleles[n_own:], kept(draw)[:500 - n_own])
    assert (f"| of them from further draws, topping up for withheld copies | "
            f"{card['n_topped_up']} |") in (tmp_path / "card.md").read_text()


# --------------------------------------------------------------------------- common copies

def doubled(rows, ids=None) -> Haplotypes:
    """Each row written twice (6 SNPs: the attacks' PCA needs 5)."""
    return tiny([row + row for row in rows], ids)


#: 111 is carried by two individuals (P1 twice, P2), 000, 010 and 101 by one each.
CARRIERS_TRAIN = doubled(["111", "111", "111", "000", "010", "101"],
                         ids=haplotype_ids(["P1", "P2", "P3"]))
CARRIERS_HELD_OUT = doubled(["001", "010", "100", "110", "011", "101"],
                            ids=haplotype_ids(["E1", "E2", "E3"]))


def carriers_metrics(ags, **thresholds):
    return release_metrics(doubled(ags), CARRIERS_TRAIN, CARRIERS_HELD_OUT, CARRIERS_HELD_OUT,
                           seed=SEED, thresholds=Thresholds(**thresholds))


def test_copies_of_haplotypes_k_individuals_carry_are_released_when_asked():
    """Worked by hand: individuals 1 and 4 copy 111 (two training individuals
    carry it), individual 2 copies 000 (one does), individual 3 copies none."""
    ags = ["111", "001", "000", "011", "110", "100", "111", "111"]
    metrics, released = carriers_metrics(ags)
    assert released.tolist() == [False, False, False, False, True, True, False, False]
    assert (metrics["exact_copies"], metrics["exact_copies_removed"],
            metrics["exact_copies_released"], metrics["withheld_partners"]) == (4, 4, 0, 2)
    metrics, released = carriers_metrics(ags, keep_copies_carried_by=2)
    assert released.tolist() == [True, True, False, False, True, True, True, True]
    assert (metrics["exact_copies"], metrics["exact_copies_removed"],
            metrics["exact_copies_released"], metrics["withheld_partners"]) == (4, 1, 3, 1)
    assert metrics["n_released"] == 6
    # P1 is homozygous for 111 and counts once: three carriers are too many
    assert carriers_metrics(ags, keep_copies_carried_by=3)[1].tolist() == \
        carriers_metrics(ags)[1].tolist()
    # the copy share the memorisation check reads counts every copy, kept or not
    assert metrics["exact_copies_share"] == 0.5


def test_top_up_replaces_only_what_the_copies_policy_withholds():
    ags = doubled(["111", "001", "000", "011"])
    draw = doubled(["000", "000", "110", "111"])
    pool = gate.topped_up(ags, [draw], CARRIERS_TRAIN, Thresholds(keep_copies_carried_by=2))
    assert ["".join(map(str, row[:3])) for row in pool.alleles] == [
        "111", "001", "000", "011", "000", "000", "110", "111"]
    assert gate.topped_up(ags, [], CARRIERS_TRAIN) is ags


@pytest.mark.parametrize("kwargs, message", [
    ({"keep_copies_carried_by": 1}, "at least 2"),
    ({"keep_copies_carried_by": 2.0}, "at least 2"),
    ({"keep_copies_carried_by": True}, "at least 2"),
    ({"keep_copies_carried_by": 5, "copies": "fail"}, "needs copies='remove'"),
])
def test_keep_copies_carried_by_refuses_bad_settings(kwargs, message):
    with pytest.raises(InputError, match=message):
        Thresholds(**kwargs)


def test_the_card_says_which_copies_were_released(sets, tmp_path):
    common = np.repeat(sets["train"].alleles[:1], 10, axis=0)
    train = sets["train"].with_alleles(np.vstack([common, sets["train"].alleles[10:]]),
                                       ids=sets["train"].ids)
    ags = sets["ags"].with_alleles(np.vstack([common[:2], sets["ags"].alleles[2:]]),
                                   ids=sets["ags"].ids)
    sets = {**sets, "train": train}
    kept = release(sets, ags, tmp_path / "kept", Thresholds(keep_copies_carried_by=5))
    assert kept["exact_copies"]["released"] == 2  # the first individual, 10 carry its haplotype
    assert kept["thresholds"]["keep_copies_carried_by"] == 5
    assert ("released 2, each of a haplotype that 5 or more training individuals carry"
            in (tmp_path / "kept" / "card.md").read_text())
    every = release(sets, ags, tmp_path / "all", None)
    assert every["exact_copies"]["released"] == 0
    assert every["exact_copies"]["found"] == kept["exact_copies"]["found"] \
        == kept["exact_copies"]["removed"] + 2
    assert every["n_released"] == kept["n_released"] - 2
    assert "or more training individuals" not in (tmp_path / "all" / "card.md").read_text()


def test_release_command_tops_up_only_when_asked(sets, tmp_path):
    from artgen.cli import main
    from artgen.io import save_haplotypes

    mixed = plant_training_haplotypes(sets["ags"].alleles, sets["train"].alleles, 3, seed=5)
    sets = {**sets, "ags": sets["ags"].with_alleles(mixed, ids=sets["ags"].ids),
            "draw": artificial(sets["ags"].alleles[::-1].copy())}
    paths = {}
    for name in ("ags", "draw", "train", "test", "reference"):
        paths[name] = tmp_path / f"{name}.npz"
        save_haplotypes(sets[name], paths[name])

    def released(*extra):
        out = tmp_path / ("top_up" if extra else "plain")
        assert main(["release", "--ags", str(paths["ags"]), "--draws", str(paths["draw"]),
                     *extra, "--train", str(paths["train"]), "--test", str(paths["test"]),
                     "--reference", str(paths["reference"]), "--model", "m",
                     "--panel-name", "dense", "--vcf-out", str(out / "a.vcf.gz"),
                     "--hapt-out", str(out / "a.hapt"), "--card-json", str(out / "a.json"),
                     "--card-md", str(out / "a.md")]) == 0
        return json.loads((out / "a.json").read_text())

    plain = released()
    assert plain["n_released"] < 500 and plain["n_topped_up"] == 0
    topped = released("--top-up")
    assert topped["n_released"] == 500 and topped["n_topped_up"] > 0


def test_release_command_reads_keep_copies_carried_by(sets, tmp_path, capsys):
    from artgen.cli import main
    from artgen.io import save_haplotypes

    common = np.repeat(sets["train"].alleles[:1], 10, axis=0)
    sets = {**sets,
            "train": sets["train"].with_alleles(np.vstack([common, sets["train"].alleles[10:]]),
                                                ids=sets["train"].ids),
            "ags": sets["ags"].with_alleles(np.vstack([common[:2], sets["ags"].alleles[2:]]),
                                            ids=sets["ags"].ids)}
    paths = {}
    for name in ("ags", "train", "test", "reference"):
        paths[name] = tmp_path / f"{name}.npz"
        save_haplotypes(sets[name], paths[name])

    def release_with(thresholds):
        out = tmp_path / thresholds.strip("{}").replace('"', "").replace(": ", "_")
        code = main(["release", "--ags", str(paths["ags"]), "--train", str(paths["train"]),
                     "--test", str(paths["test"]), "--reference", str(paths["reference"]),
                     "--model", "m", "--panel-name", "dense", "--thresholds", thresholds,
                     "--vcf-out", str(out / "a.vcf.gz"), "--hapt-out", str(out / "a.hapt"),
                     "--card-json", str(out / "a.json"), "--card-md", str(out / "a.md")])
        return code, out / "a.json"

    code, card = release_with('{"keep_copies_carried_by": 5}')
    assert code == 0 and json.loads(card.read_text())["exact_copies"]["released"] == 2
    code, card = release_with('{"keep_copies_carried_by": 1}')
    assert code != 0 and not card.exists()
    assert "keep_copies_carried_by must be an integer of at least 2" in capsys.readouterr().err
