"""The Snakemake workflow end to end on tiny configurations: lint, schema,
the simulated default path, the local-VCF path, determinism, and the
paper configuration's DAG."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from artgen.io import load_haplotypes, read_vcf
from artgen.splits import ROLES, SPLIT_NAMES, read_splits
from conftest import REPO

pytestmark = pytest.mark.workflow

VENV_BIN = Path(sys.executable).parent
PANELS = ("informative", "dense", "dispersed")

# The tiny configuration a user can run too (.test/config/config.yaml): every
# rule on a cohort small enough for minutes on 2 cores.
TINY = yaml.safe_load((REPO / ".test" / "config" / "config.yaml").read_text())


def snakemake(workdir: Path, *args: str, config: dict | None = None, check: bool = True):
    """Run the repository's workflow in ``workdir`` with ``config`` as its
    config/config.yaml (the layout a user's working directory has)."""
    if config is not None:
        (workdir / "config").mkdir(parents=True, exist_ok=True)
        (workdir / "config" / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    env = {**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(
        [str(VENV_BIN / "snakemake"), "--snakefile", str(REPO / "Snakefile"),
         "--directory", str(workdir), "--cores", "2", *args],
        capture_output=True, text=True, env=env)
    if check and result.returncode != 0:
        pytest.fail(f"snakemake failed ({result.returncode}):\n{result.stdout[-3000:]}\n"
                    f"{result.stderr[-5000:]}")
    return result


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("run_a")
    snakemake(workdir, "all", config=TINY)
    return workdir


def test_lint_is_clean():
    env = {**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run([str(VENV_BIN / "snakemake"), "--lint"], cwd=REPO,
                            capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert "Lints for" not in result.stdout + result.stderr


def test_rule_files_are_snakefmt_clean():
    rule_files = [REPO / "Snakefile", *sorted((REPO / "workflow" / "rules").glob("*.smk"))]
    result = subprocess.run([str(VENV_BIN / "snakefmt"), "--check", "--diff",
                             *map(str, rule_files)], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]


def test_parsing_the_workflow_imports_no_generator(tmp_path):
    """A dry run (the tiny config trains the GAN) learns what it needs of each
    generator from the light registry: neither the generators nor TensorFlow
    are imported while the workflow parses."""
    env = {**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}",
           "PYTHONPROFILEIMPORTTIME": "1"}
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "config.yaml").write_text(yaml.safe_dump(TINY, sort_keys=False))
    result = subprocess.run(
        [str(VENV_BIN / "snakemake"), "--snakefile", str(REPO / "Snakefile"),
         "--directory", str(tmp_path), "--cores", "2", "-n", "all"],
        capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    imported = {line.rsplit("|", 1)[1].strip() for line in result.stderr.splitlines()
                if line.startswith("import time:")}
    assert "artgen.model_registry" in imported and "train_network" in result.stdout
    heavy = {m for m in imported if m.split(".")[0] in ("tensorflow", "keras")
             or m.startswith("artgen.models")}
    assert not heavy, sorted(heavy)


def test_the_light_model_registry_agrees_with_the_generators():
    from artgen import model_registry
    from artgen.models import IterativeGenerator, generator_class, registered_models

    assert sorted(model_registry.MODELS) == registered_models()
    for name, info in model_registry.MODELS.items():
        cls = generator_class(name)
        assert f"{cls.__module__}.{cls.__qualname__}" == f"{info.module}.{info.cls}", name
        assert model_registry.is_iterative(name) == cls.iterative, name
        assert model_registry.has_snapshots(name) == issubclass(cls, IterativeGenerator), name
        for capability in model_registry.CAPABILITIES:
            assert model_registry.has_capability(name, capability) == \
                callable(getattr(cls, capability, None)), (name, capability)
    assert not model_registry.is_iterative("no_such_model")
    with pytest.raises(ValueError, match="unknown capability"):
        model_registry.has_capability("hmm", "log_likelihod")


def test_config_breaking_the_schema_is_refused_readably(tmp_path):
    bad = {**TINY, "panels": {**TINY["panels"], "dense": {"chrom": "15", "start": 0,
                                                          "n_snps": 10}}}
    result = snakemake(tmp_path, "-n", config=bad, check=False)
    assert result.returncode != 0
    out = result.stdout + result.stderr
    assert "0 is less than the minimum of 1" in out
    assert not (tmp_path / "results").exists()
    typo = {**TINY, "splits": {"test_fracton": 0.2}}
    out = snakemake(tmp_path, "-n", config=typo, check=False)
    assert "config: splits: unknown key 'test_fracton' (did you mean 'test_fraction'?)" in \
        out.stdout + out.stderr


def test_default_run_makes_panels_and_splits(tiny_run):
    results = tiny_run / "results"
    sizes = {"informative": 60, "dense": 150, "dispersed": 80}
    for panel in PANELS:
        h = load_haplotypes(results / "panels" / f"{panel}.npz")
        assert h.alleles.shape == (2 * 54, sizes[panel])
        assert set(h.pops) == {"YRI", "CEU", "CHB"}
        from_vcf = read_vcf(results / "panels" / f"{panel}.vcf.gz")
        np.testing.assert_array_equal(from_vcf.alleles, h.alleles)
        np.testing.assert_array_equal(from_vcf.pos, h.pos)
        parts = {s: load_haplotypes(results / "splits" / panel / f"{s}.npz") for s in SPLIT_NAMES}
        if panel == "informative":
            assert sum(parts[s].n_haplotypes for s in ROLES) == h.n_haplotypes
        targets = parts["impute_target"]
        assert set(targets.pops) == {"CEU"} and targets.n_haplotypes == 8
        # Models of the dense and dispersed panels learn the target population only.
        learned = {"CEU"} if panel != "informative" else {"YRI", "CEU", "CHB"}
        for name in ("train", "validation", "test"):
            assert set(parts[name].pops) == learned
        assert set(parts["validation"].samples).isdisjoint(parts["train"].samples)
    splits = read_splits(results / "splits.tsv")
    assert len(splits) == 54
    assert (results / "logs" / "build_panel" / "informative.log").read_text().count(
        "biallelic SNPs") == 3
    assert (results / "benchmarks" / "build_panel" / "dense.tsv").exists()


def test_default_run_makes_ags_and_the_metrics_table(tiny_run):
    results = tiny_run / "results"
    train = load_haplotypes(results / "splits" / "dense" / "train.npz")
    for model in ("bernoulli", "markov"):
        ags = load_haplotypes(results / "ags" / "dense" / f"{model}.npz")
        assert ags.n_haplotypes == train.n_haplotypes and ags.ids[0] == "AG000001_A"
        np.testing.assert_array_equal(read_vcf(results / "ags" / "dense" / f"{model}.vcf.gz").alleles,
                                      ags.alleles)
    table = pd.read_csv(results / "metrics.tsv", sep="\t")
    assert list(table.columns) == ["panel", "model", "seed", "draw", "metric", "value"]
    assert set(table["panel"]) == set(PANELS) | {"chromosome"}
    assert set(table["model"]) == {"test", "bernoulli", "bernoulli_pop", "markov", "gan", "rbm",
                                   "rbm_kstep", "copying", "hmm", "coalescent"}
    # Conditional models label their AGs with the training populations, in proportion.
    informative = load_haplotypes(results / "splits" / "informative" / "train.npz")
    for model in ("bernoulli_pop", "gan"):
        ags = load_haplotypes(results / "ags" / "informative" / f"{model}.npz")
        assert sorted(ags.pops) == sorted(informative.pops)
    expected = {"af_r", "fixed_sites", "fixed_frac", "ld_r", "pca_w2d", "pairwise_w",
                "pairwise_between_w", "nn_median", "identical_to_train", "aa_truth_train",
                "aa_syn_train", "aats_train", "aa_truth_test", "aa_syn_test", "aats_test",
                "privacy_loss", "corr3_r_gap1", "corr3_r_gaprandom", "af_r_ho", "ld_r_ho",
                "pca_w2d_ho", "pairwise_w_ho", "corr3_r_gap1_ho", "ho_n", "mia_auc"}
    assert expected <= set(table["metric"])
    assert not table.duplicated(["panel", "model", "seed", "draw", "metric"]).any()
    # The sampling scheme's AGs are scored against the sampling split they
    # start from, on every panel and draw; models that start nowhere real are not.
    start = table[table["metric"] == "privacy_loss_start"]
    assert set(start["model"]) == {"rbm"} and len(start) == 2 * len(PANELS)
    assert "privacy loss (start set)" in (results / "metrics.md").read_text()
    # Two AG draws of every generator on a whole panel; one of the test split
    # and of a windowed panel's stitched AGs.
    draws = table[table["metric"] == "privacy_loss"].groupby(["panel", "model"])["draw"].nunique()
    assert draws[("dense", "gan")] == draws[("informative", "hmm")] == 2
    assert draws[("dense", "test")] == draws[("chromosome", "hmm")] == 1
    gan = table[(table["panel"] == "dense") & (table["model"] == "gan")]
    assert gan[gan["metric"] == "af_r"]["value"].nunique() == 2
    # Held-out comparisons at one size for every row of a panel, and at as
    # many halvings of the test split as draws, for the rows of one set too.
    assert table[(table["panel"] == "dense") & (table["metric"] == "ho_n")]["value"].nunique() == 1
    halvings = table[table["metric"] == "pairwise_w_ho"].groupby(["panel", "model"])["draw"]
    assert halvings.nunique()[("dense", "test")] == halvings.nunique()[("chromosome", "hmm")] == 2
    assert halvings.size()[("dense", "test")] == 2
    real = table[(table["panel"] == "dense") & (table["model"] == "test")]
    assert real[real["metric"] == "pairwise_w_ho"]["value"].nunique() == 2
    summary = (results / "metrics.md").read_text()
    assert "## Panel `dense` (seed 5, 2 AG draws per model)" in summary
    assert "| `test` |" in summary and "LD r / real" in summary
    decay = pd.read_csv(results / "stats" / "dense" / "markov" / "ld.table.tsv", sep="\t")
    assert set(decay["dataset"]) == {"real", "ag"} and decay["bin"].max() == 49


def test_chromosome_panel_is_windowed_and_stitched(tiny_run):
    results = tiny_run / "results"
    panel = load_haplotypes(results / "panels" / "chromosome.npz")
    assert panel.pos.min() >= 30_500_000 and panel.pos.max() <= 30_800_000
    plan = pd.read_csv(results / "windows" / "chromosome" / "plan.tsv", sep="\t")
    assert len(plan) >= 2 and plan["stop"].iloc[-1] == panel.n_snps
    assert (plan["stop"] - plan["start"]).max() <= 150
    train = load_haplotypes(results / "splits" / "chromosome" / "train.npz")
    for model in ("markov", "hmm"):     # one model per window, stitched into one AG set
        for window in plan["window"]:
            assert (results / "models" / f"chromosome.w{window:03d}" / f"{model}.npz").exists()
        ags = load_haplotypes(results / "ags" / "chromosome" / f"{model}.npz")
        assert ags.n_haplotypes == train.n_haplotypes
        np.testing.assert_array_equal(ags.pos, train.pos)
        np.testing.assert_array_equal(
            read_vcf(results / "ags" / "chromosome" / f"{model}.vcf.gz").alleles, ags.alleles)
    log = (results / "logs" / "stitch_ags" / "chromosome" / "hmm.log").read_text()
    assert log.count("continued") == len(plan) - 1
    assert "matched" in (results / "logs" / "stitch_ags" / "chromosome" / "markov.log").read_text()
    # the held-out reference is real data: sampled whole, never stitched
    test = load_haplotypes(results / "splits" / "chromosome" / "test.npz")
    np.testing.assert_array_equal(
        load_haplotypes(results / "ags" / "chromosome" / "test.npz").alleles, test.alleles)
    table = pd.read_csv(results / "metrics.tsv", sep="\t")
    chromosome = table[table["panel"] == "chromosome"]
    assert set(chromosome["model"]) == {"test", "markov", "hmm"}
    assert {"ld_r", "pairwise_w", "privacy_loss", "boundary_ld_ratio_bin0"} <= \
        set(chromosome["metric"])
    boundary = pd.read_csv(results / "stats" / "chromosome" / "hmm" / "boundary.table.tsv",
                           sep="\t")
    assert {"real", "ag"} <= set(boundary["dataset"])


def test_downstream_tables(tiny_run):
    results = tiny_run / "results"
    scans = pd.read_csv(results / "selection" / "dispersed" / "scans.tsv", sep="\t")
    assert set(scans["dataset"]) == {"real", "gan", "copying"}
    assert set(scans["statistic"]) == {"xpehh", "pbs"}
    assert (scans.groupby(["dataset", "statistic"]).size().unstack()["pbs"] == 15).all()
    table = pd.read_csv(results / "metrics.tsv", sep="\t").set_index(["model", "metric"])
    for model in ("gan", "copying"):
        assert -1 <= table.loc[(model, "xpehh_r"), "value"] <= 1
    quality = pd.read_csv(results / "imputation" / "dense" / "quality.tsv", sep="\t")
    assert set(quality["reference"]) == {"alone", "perfect", "copying", "train_only",
                                         "copying_only", "hmm", "hmm_only", "hmm_direct"}
    assert (quality.groupby("reference")["snp_share"].sum().round(9) == 1).all()
    classes = pd.read_csv(results / "imputation" / "dense" / "quality_by_maf_class.tsv",
                          sep="\t", keep_default_na=False, na_values=[""])
    assert set(classes["reference"]) == set(quality["reference"])
    for _, rows in classes.groupby("reference"):
        assert rows["maf_class"].tolist() == ["all", "<1%", "1-5%", ">5%"]
    ratio = classes.set_index(["reference", "maf_class"])
    assert ratio.loc[("copying_only", "all"), "real_reference"] == "train_only"
    assert ratio.loc[("copying", "all"), "real_reference"] == "perfect"
    assert 0 < ratio.loc[("copying_only", "all"), "r2_vs_real"] < 1.5
    assert "java" in (results / "logs" / "impute" / "dense" / "perfect.log").read_text()
    painting = pd.read_csv(results / "painting" / "dispersed.tsv", sep="\t")
    assert set(painting["dataset"]) == {"real", "gan", "copying"}
    np.testing.assert_allclose(painting.groupby("dataset")["share"].sum(), 1)
    assert set(painting["donor_pop"]) == {"YRI", "CEU", "CHB"}
    sfs = pd.read_csv(results / "coalescent" / "dense" / "sfs.tsv", sep="\t")
    assert set(sfs["dataset"]) == {"real", "coalescent"}
    assert table.loc[("coalescent", "coal_ld_decay_r"), "value"] > 0


def test_privacy_sensitivity_and_release(tiny_run):
    results = tiny_run / "results"
    table = pd.read_csv(results / "privacy" / "informative" / "sensitivity.tsv", sep="\t")
    assert table["planted"].tolist() == [0, 1, 10, 40]
    assert table["identical_to_train"].is_monotonic_increasing
    assert table["release"].iloc[-1].startswith("refused: ")
    metrics = pd.read_csv(results / "metrics.tsv", sep="\t")
    assert {"mia_auc", "mia_tpr_1fpr", "mia_density_auc"} <= set(metrics["metric"])
    card = json.loads((results / "release" / "informative" / "markov.card.json").read_text())
    released = read_vcf(results / "release" / "informative" / "markov.vcf.gz")
    assert card["verdict"] == "accepted" and card["model"] == "markov"
    assert released.n_haplotypes == card["n_released"]
    # what copies withhold is topped up from the further draw: the size asked for
    asked = load_haplotypes(results / "ags" / "informative" / "markov.npz").n_haplotypes
    assert card["n_released"] == asked
    assert card["n_generated"] == asked + card["n_topped_up"]
    # A model with a likelihood is attacked through it too, and its card says so.
    assert {"lr_mia_auc", "loglik_gap"} <= set(metrics.loc[metrics["model"] == "hmm", "metric"])
    card = json.loads((results / "release" / "informative" / "hmm.card.json").read_text())
    assert 0 <= card["likelihood_attack"]["lr_mia_auc"] <= 1


def test_release_gate_refuses_copies_and_writes_nothing(tiny_run, tmp_path):
    """A copying model with no switches and no mutations releases training
    haplotypes (on a one-chromosome panel: across chromosomes it draws a
    new template): the gate fails the rule, says why, and leaves no file."""
    work = tmp_path / "work"
    shutil.copytree(tiny_run, work, symlinks=True)
    config = {**TINY, "models": {**TINY["models"], "copying": {"ne": 0, "mutation_rate": 0}},
              "privacy": {**TINY["privacy"],
                          "release": {"panels": ["dense"], "models": ["copying"],
                                      "thresholds": {"copies": "fail"}}}}
    result = snakemake(work, "results/release/dense/copying.card.md", config=config,
                       check=False)
    assert result.returncode != 0
    log = (work / "results" / "logs" / "release" / "dense" / "copying.log").read_text()
    assert "exact_copies = " in log and "the copies policy is 'fail'" in log
    assert not list((work / "results" / "release" / "dense").glob("copying*"))


def test_every_figure_and_one_figure_alone(tiny_run, tmp_path):
    from artgen.figures import FIGURES

    figures = tiny_run / "results" / "figures"
    drawn = {p.stem for p in figures.glob("*.png")}
    assert drawn == set(FIGURES) - {"figS_umap"}  # UMAP is off in this configuration
    for name in drawn:
        assert (figures / f"{name}.pdf").stat().st_size > 1000
    # Deleting one figure and rerunning rebuilds only that figure.
    work = tmp_path / "work"
    shutil.copytree(tiny_run, work, symlinks=True)
    (work / "results" / "figures" / "figure3.pdf").unlink()
    plan = snakemake(work, "-n", "all", config=TINY).stdout
    jobs = dict(line.split() for line in plan.split("Job stats:")[1].split("total")[0]
                .splitlines()[3:] if line.strip())
    assert jobs == {"figure3": "1", "all": "1"}, jobs


def test_report(tiny_run):
    """The HTML report holds every figure with its caption, the metrics summary
    and the privacy card."""
    result = snakemake(tiny_run, "--report", "results/report.html", config=TINY)
    added = [line.split()[1] for line in (result.stdout + result.stderr).splitlines()
             if line.startswith("Adding ")]
    from artgen.figures import FIGURES
    assert {f"{name}.png" for name in FIGURES if name != "figS_umap"} <= set(added)
    assert {"metrics.html", "markov.card.md"} <= set(added)
    assert (tiny_run / "results" / "report.html").stat().st_size > 100_000


def test_networks_log_their_training(tiny_run):
    results = tiny_run / "results"
    for panel in PANELS:
        history = pd.read_csv(results / "training" / panel / "gan.tsv", sep="\t")
        assert history["epoch"].tolist() == list(range(1, 21))
        assert history["aa_ts"].notna().sum() == 2
        assert (results / "training" / panel / "gan.png").stat().st_size > 10_000
        assert (results / "checkpoints" / panel / "gan.npz").exists()
        log = (results / "logs" / "train_network" / panel / "gan.log").read_text()
        assert "gan epoch 20/20" in log and "kept the snapshot of epoch" in log
        # The hidden-Markov generator's EM: one row per K and iteration, one kept.
        history = pd.read_csv(results / "training" / panel / "hmm.tsv", sep="\t")
        assert set(history["k"]) == {3, 6} and history["kept"].sum() == 1
        assert (results / "training" / panel / "hmm.png").stat().st_size > 10_000
        assert "hmm kept K=" in (results / "logs" / "train_network" / panel / "hmm.log").read_text()


def test_same_seed_byte_identical_other_seed_other_cohort(tiny_run, tmp_path):
    same, other = tmp_path / "same", tmp_path / "other"
    snakemake(same, "all", config=TINY)
    snakemake(other, "results/panels/dense.npz", "results/cohort/chr15.vcf.gz",
              config={**TINY, "seed": 6})
    outputs = [f"panels/{p}.{ext}" for p in PANELS for ext in ("npz", "vcf.gz")]
    outputs += ["splits.tsv", "cohort/chr15.vcf.gz", "splits/dense/train.npz",
                "ags/dense/markov.npz", "ags/informative/bernoulli.vcf.gz", "ags/dense/gan.npz",
                "ags/dense/rbm.npz", "ags/informative/copying.npz", "selection/dispersed/scans.tsv",
                "imputation/dense/quality.tsv", "painting/dispersed.tsv",
                "privacy/informative/sensitivity.tsv", "release/informative/markov.hapt.gz",
                "models/informative/gan.npz", "models/dense/hmm.npz", "ags/informative/hmm.npz",
                "metrics.tsv"]
    for name in outputs:
        assert (tiny_run / "results" / name).read_bytes() == \
            (same / "results" / name).read_bytes(), name
    for name in ("cohort/chr15.vcf.gz", "panels/dense.npz"):
        assert (tiny_run / "results" / name).read_bytes() != \
            (other / "results" / name).read_bytes(), name


def test_local_vcf_path(tiny_run, tmp_path):
    """The real-data path: VCFs and a panel file at local paths (one VCF
    plain text, to exercise compression, one bgzipped)."""
    data = tmp_path / "mydata"
    data.mkdir()
    cohort = tiny_run / "results" / "cohort"
    shutil.copy(cohort / "chr15.vcf.gz", data / "chr15.vcf.gz")
    subprocess.run(f"bgzip -dc {cohort / 'chr1.vcf.gz'} > {data / 'chr1.vcf'}", shell=True,
                   check=True)
    shutil.copy(cohort / "samples.panel", data / "my.panel")
    config = {**TINY, "data": {"source": "vcf",
                               "vcf": {"15": str(data / "chr15.vcf.gz"),
                                       "1": str(data / "chr1.vcf")},
                               "panel_file": str(data / "my.panel")}}
    del config["cohort"]
    work = tmp_path / "work"
    snakemake(work, "all", config=config)
    assert (work / "results" / "data" / "chr15.vcf.gz").is_symlink()
    assert (work / "results" / "data" / "chr1.vcf.gz.tbi").exists()
    dense = load_haplotypes(work / "results" / "panels" / "dense.npz")
    assert dense.same_as(load_haplotypes(tiny_run / "results" / "panels" / "dense.npz"))
    informative = load_haplotypes(work / "results" / "panels" / "informative.npz")
    assert set(informative.chrom) <= {"1", "15"} and informative.n_snps == 60


def test_bad_input_fails_the_rule_with_a_clear_message_and_no_output(tiny_run, tmp_path):
    data = tmp_path / "mydata"
    data.mkdir()
    # Drop CHB samples from the panel file: the VCF has samples the panel lacks.
    lines = (tiny_run / "results" / "cohort" / "samples.panel").read_text().splitlines()
    (data / "short.panel").write_text("\n".join(l for l in lines if "CHB" not in l) + "\n")
    # The configuration names only populations the panel file has (else the
    # check before any job refuses it); the rule finds the extra samples.
    config = {key: value for key, value in TINY.items()
              if key not in ("cohort", "selection", "imputation", "painting", "coalescent",
                             "privacy")}
    config |= {"populations": ["YRI", "CEU"],
               "data": {"source": "vcf",
                        "vcf": {"15": str(tiny_run / "results/cohort/chr15.vcf.gz")},
                        "panel_file": str(data / "short.panel")}}
    work = tmp_path / "work"
    result = snakemake(work, "results/panels/dense.npz", config=config, check=False)
    assert result.returncode != 0
    log = (work / "results" / "logs" / "build_panel" / "dense.log").read_text()
    assert "error: " in log and "sample 'CHB0001' is absent from the panel file" in log
    panels = work / "results" / "panels"
    assert not panels.exists() or not any(panels.iterdir())


def test_paper_config_builds_its_dag(tmp_path):
    """config/paper.yaml validates and plans downloads for all 22 chromosomes
    and the panel file (a dry run: nothing is fetched)."""
    (tmp_path / "config").mkdir()
    shutil.copy(REPO / "config" / "paper.yaml", tmp_path / "config" / "config.yaml")
    shutil.copytree(REPO / "resources", tmp_path / "resources")
    result = snakemake(tmp_path, "-n", "all")
    out = result.stdout + result.stderr
    assert "fetch_vcf" in out and "fetch_panel_file" in out
    assert "build_panel" in out
    # the whole chromosome 15: its panel, its window plan (a checkpoint) and stitching
    assert "plan_windows" in out and "stitch_ags" in out


def test_a_per_panel_sampling_scheme_gets_the_sampling_split(tmp_path):
    """``start: sampling`` set for one panel only: that panel's training and
    statistics read the sampling split, the others' do not (a dry run)."""
    config = json.loads(json.dumps(TINY))
    config["models"]["rbm"] = {**config["models"]["rbm"], "start": "train",
                               "panels": {"dense": {"start": "sampling"}}}
    result = snakemake(tmp_path, "-n", "-p", "--forceall", "all", config=config)
    rbm = [line.split("Shell command: ", 1)[1] for line in result.stdout.splitlines()
           if line.startswith("Shell command: python -m artgen") and " --model rbm " in line
           and (" train " in line or " stats " in line) and "rbm_kstep" not in line]
    panels = {"dense", "informative", "dispersed"}
    for panel in panels:
        jobs = [c for c in rbm if f"results/splits/{panel}/train.npz" in c]
        assert len(jobs) == 2, jobs  # training and statistics
        started = [c for c in jobs if "--start-set" in c]
        if panel == "dense":
            assert len(started) == 2
            assert all("--start-set results/splits/dense/sampling.npz" in c for c in started)
        else:
            assert started == []


def one_population_vcf(folder: Path) -> Path:
    """A plain-gzip, unindexed VCF of one simulated population (40
    individuals, chr15, 400 kb) with an indel, a multi-allelic site and a
    monomorphic site among its SNPs: what a biobank export may look like."""
    import gzip

    from artgen.cohort import simulate_contig, write_contig_vcf

    samples = {"CEU": 40}
    ts = simulate_contig(chrom="15", left=30_000_000, length=400_000, samples=samples, seed=11)
    write_contig_vcf(ts, "15", samples, folder / "sim.vcf.gz")
    lines = subprocess.run(["bgzip", "-dc", str(folder / "sim.vcf.gz")], check=True,
                           capture_output=True, text=True).stdout.splitlines()
    header = [l for l in lines if l.startswith("#")]
    records = [l.split("\t") for l in lines if not l.startswith("#")]
    n_samples = len(header[-1].split("\t")) - 9
    taken = {int(r[1]) for r in records}
    free = [p for p in range(int(records[0][1]), int(records[-1][1])) if p not in taken][:3]

    def record(pos, ref, alt, genotype):
        return ["15", str(pos), ".", ref, alt, ".", "PASS", ".", "GT"] + [genotype] * n_samples

    odd = [record(free[0], "AT", "A", "0|1"), record(free[1], "C", "G,T", "1|2"),
           record(free[2], "G", "A", "0|0")]
    body = sorted(records + odd, key=lambda r: int(r[1]))
    path = folder / "biobank.vcf.gz"
    with gzip.open(path, "wt") as out:     # plain gzip, no index
        out.write("\n".join(header + ["\t".join(r) for r in body]) + "\n")
    return path


def test_own_vcf_one_population_dense_only_from_the_template(tmp_path):
    """config/your_data.yaml with its two paths edited (sizes cut for a test)
    runs a one-population VCF with no panel file end to end: AGs, metrics,
    figures and the report; the odd sites are dropped and logged."""
    vcf = one_population_vcf(tmp_path)
    config = yaml.safe_load((REPO / "config" / "your_data.yaml").read_text())
    config["data"]["vcf"] = {"15": str(vcf)}
    config["panels"]["dense"].update(start=30_000_000, n_snps=150)
    config["models"]["hmm"] = {"n_states": [3, 6], "iterations": 6, "min_state_haplotypes": 2}
    # imputation with one population: no "other populations" base
    config["splits"]["n_impute_targets"] = 4
    config["imputation"] = {"panel": "dense", "models": ["hmm"], "density": 0.3,
                            "memory_gb": 1}
    work = tmp_path / "work"
    snakemake(work, "all", config=config)
    results = work / "results"
    assert "one population MYPOP" in (results / "logs" / "samples_panel_file" /
                                      "samples.log").read_text()
    panel_log = (results / "logs" / "build_panel" / "dense.log").read_text()
    # (the simulation has multi-allelic sites of its own)
    assert "dropped 1 indels" in panel_log and "1 monomorphic" in panel_log
    assert re.search(r"[1-9]\d* multi-allelic", panel_log)
    train = load_haplotypes(results / "splits" / "dense" / "train.npz")
    assert set(train.pops) == {"MYPOP"} and train.n_snps == 150
    for model in ("test", "bernoulli", "markov", "hmm"):
        ags = load_haplotypes(results / "ags" / "dense" / f"{model}.npz")
        assert ags.n_snps == 150
    table = pd.read_csv(results / "metrics.tsv", sep="\t")
    assert set(table["panel"]) == {"dense"}
    assert set(table["model"]) == {"test", "bernoulli", "markov", "hmm"}
    assert "## Panel `dense`" in (results / "metrics.md").read_text()
    quality = pd.read_csv(results / "imputation" / "dense" / "quality.tsv", sep="\t")
    assert set(quality["reference"]) == {"train_only", "hmm_only", "hmm_with_train",
                                         "hmm_direct"}
    classes = pd.read_csv(results / "imputation" / "dense" / "quality_by_maf_class.tsv",
                          sep="\t", keep_default_na=False, na_values=[""])
    assert set(classes["real_reference"]) == {"train_only"}   # no other populations
    drawn = {p.stem for p in (results / "figures").glob("*.png")}
    assert {"figure1", "figure2", "figure4", "figS_ld_scatter", "figS_privacy"} <= drawn
    assert not {"figure3", "figS_painting", "figS_coalescent", "figS_sensitivity"} & drawn
    snakemake(work, "--report", "results/report.html", config=config)
    assert (results / "report.html").stat().st_size > 100_000


def refusal(tmp_path: Path, config: dict) -> str:
    """The message of a config refused before any job: snakemake's output
    without the traceback line."""
    result = snakemake(tmp_path, "-n", "all", config=config, check=False)
    assert result.returncode != 0
    assert not (tmp_path / "results").exists()
    lines = [l for l in (result.stdout + result.stderr).splitlines()
             if l.strip() and not l.strip().startswith("File ")]
    assert len(lines) <= 3, lines
    return "\n".join(lines)


@pytest.mark.parametrize("change, message", [
    (lambda c: c["data"].update(source="vcf", vcf={"15": "/no/such/chr15.vcf.gz"},
                                panel_file=None),
     "config: data.vcf.15: no such file: /no/such/chr15.vcf.gz"),
    (lambda c: c["selection"].update(complement="FIN"),
     "config: selection.complement: no population 'FIN' in the data (populations: YRI, CEU, CHB)"),
    (lambda c: c["panels"]["dense"].update(n_snp=10),
     "config: panels.dense: unknown key 'n_snp' (did you mean 'n_snps'?)"),
    (lambda c: c["models"]["markov"].update(panels={"dense": {"window": 0}}),
     "config: models.markov.panels.dense.window: 0: 0 is less than the minimum of 1"),
    (lambda c: c["imputation"].update(panel="chromosome"),
     "config: imputation.panel: 'chromosome' is not a configured panel it can use"),
])
def test_bad_configs_are_refused_in_one_line(tmp_path, change, message):
    config = json.loads(json.dumps(TINY))
    change(config)
    if config["data"]["source"] == "vcf":
        del config["cohort"]
    assert message in refusal(tmp_path, config)


def test_one_population_refuses_an_informative_panel_in_one_line(tmp_path):
    config = json.loads(json.dumps(TINY))
    config["cohort"]["samples"] = {"CEU": 30}
    for key in ("selection", "imputation", "painting", "coalescent"):
        del config[key]
    config["populations"] = None
    config["privacy"]["sensitivity"]["panel"] = "dense"
    for panel in ("dense", "dispersed", "chromosome"):
        config["panels"][panel]["train_populations"] = []
    assert ("config: panels.informative: an informative panel ranks SNPs by F_ST between "
            "populations and the data have one (CEU)") in refusal(tmp_path, config)
