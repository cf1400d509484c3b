"""Figures: every registered figure renders to PDF and PNG from tiny inputs
in the pipeline's file formats; bad inputs give clear errors; the axes-level
plot functions draw on the axes they are given and return it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

os.environ.setdefault("POT_BACKEND_DISABLE_TENSORFLOW", "1")

import matplotlib  # noqa: E402

matplotlib.use("Agg")

import matplotlib.colors  # noqa: E402
import matplotlib.image  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from artgen import plots  # noqa: E402
from artgen.errors import InputError  # noqa: E402
from artgen.cli import main  # noqa: E402
from artgen.figures import FIGURES, build_figure, save_figure  # noqa: E402
from artgen.haplotypes import Haplotypes, artificial_ids, haplotype_ids  # noqa: E402
from artgen.imputation_quality import relative_to_real  # noqa: E402
from artgen.io import save_haplotypes  # noqa: E402
from artgen.models import load_generator, make_generator  # noqa: E402
from artgen.models.rbm import RBMGenerator  # noqa: E402
from artgen.stats.correlations import three_point_values  # noqa: E402
from artgen.stats.distances import (nearest_neighbour_distances,  # noqa: E402
                                    pairwise_distance_counts)
from artgen.stats.frequencies import sfs_proportions  # noqa: E402
from artgen.stats.ld import boundary_ld, ld_decay  # noqa: E402

N_HAP, N_SNP = 40, 60
MODELS = ("test", "bernoulli", "markov", "gan", "rbm")
PANELS = ("informative", "dense")


def founders_haplotypes(rng, n: int) -> np.ndarray:
    """Copies of 4 founder haplotypes with 5% noise: LD and structure."""
    founders = (rng.random((4, N_SNP)) < 0.4).astype(np.uint8)
    rows = founders[rng.integers(0, 4, size=n)]
    return rows ^ (rng.random(rows.shape) < 0.05).astype(np.uint8)


def build(alleles, ids, pops=None) -> Haplotypes:
    return Haplotypes.build(alleles, chrom=["15"] * N_SNP, pos=1000 + 500 * np.arange(N_SNP),
                            ref=["A"] * N_SNP, alt=["G"] * N_SNP, ids=ids, pops=pops)


def tiny_rbm(alleles, n_hidden: int = 4) -> RBMGenerator:
    """An RBM trained for 2 epochs: enough weights to draw, in a fraction of a second."""
    return RBMGenerator(n_hidden=n_hidden, epochs=2, snapshot_every=1, n_chains=10,
                        batch_size=8, snapshot_size=20).fit(alleles, seed=0)


def write(path, table: pd.DataFrame) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(path, sep="\t", index=False)
    return str(path)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Tiny versions of every pipeline output the figures read, laid out as
    under results/; returns figure name -> (inputs, options)."""
    root = tmp_path_factory.mktemp("results")
    rng = np.random.default_rng(7)
    real_alleles = founders_haplotypes(rng, N_HAP)
    real = build(real_alleles, haplotype_ids([f"S{i}" for i in range(N_HAP // 2)]),
                 pops=np.repeat(["YRI", "CEU"], N_HAP // 2))
    real_path = root / "splits" / "dense" / "train.npz"
    real_path.parent.mkdir(parents=True)
    save_haplotypes(real, real_path)
    rbm_path = root / "models" / "dense" / "rbm.npz"
    rbm_path.parent.mkdir(parents=True)
    tiny_rbm(real_alleles).save(rbm_path)
    ags, ag_paths = {}, []
    for k, model in enumerate(MODELS):
        alleles = founders_haplotypes(np.random.default_rng(k), N_HAP) if model != "test" else \
            founders_haplotypes(rng, N_HAP)
        if model == "gan":
            alleles[:, :5] = 0  # a few sites fixed, as a collapsed GAN does
        ags[model] = alleles
        path = root / "ags" / "dense" / f"{model}.npz"
        path.parent.mkdir(parents=True, exist_ok=True)
        save_haplotypes(real.with_alleles(alleles, artificial_ids(N_HAP)), path)
        ag_paths.append(str(path))

    distances, corr3, boundary, decays = [], [], [], []
    for model in MODELS:
        parts = [("within_real", pairwise_distance_counts(real_alleles)),
                 ("within_ag", pairwise_distance_counts(ags[model])),
                 ("between", pairwise_distance_counts(real_alleles, ags[model])),
                 ("nearest_ag_to_real", np.bincount(
                     nearest_neighbour_distances(real_alleles, ags[model]), minlength=N_SNP + 1))]
        table = pd.concat([pd.DataFrame({"pairs": name, "distance": np.arange(len(c)), "count": c})
                           for name, c in parts], ignore_index=True)
        table = table[table["count"] > 0].assign(panel="dense", model=model, seed=1)
        distances.append(write(root / "stats" / "dense" / model / "distances.table.tsv", table))
        values = three_point_values(real_alleles, ags[model], gaps=(1, 4, "random"), n_triplets=60)
        corr3.append(write(root / "stats" / "dense" / model / "corr3.table.tsv", values))
        seams_table = boundary_ld({"real": real_alleles, "ag": ags[model]},
                                  1000 + 500 * np.arange(N_SNP), [N_SNP // 3, 2 * N_SNP // 3],
                                  bins=(0, 2000, 5000, 10000))
        boundary.append(write(root / "stats" / "chromosome" / model / "boundary.table.tsv",
                              seams_table.assign(panel="chromosome", model=model, seed=1)))
        decay = ld_decay({"real": real_alleles, "ag": ags[model]}, 1000 + 500 * np.arange(N_SNP),
                         n_bins=10)
        decays.append(write(root / "stats" / "dense" / model / "ld.table.tsv",
                            decay.assign(panel="dense", model=model, seed=1)))

    pos = 1000 + 500 * np.arange(N_SNP)
    scans = []
    for dataset in ("real", "gan", "rbm"):
        scans.append(pd.DataFrame({"dataset": dataset, "statistic": "xpehh", "chrom": "15",
                                   "start": pos, "stop": pos, "pos": pos.astype(float),
                                   "value": rng.normal(size=N_SNP)}))
        starts = pos[:-9:5]
        scans.append(pd.DataFrame({"dataset": dataset, "statistic": "pbs", "chrom": "15",
                                   "start": starts, "stop": starts + 4500, "pos": starts + 2250.0,
                                   "value": rng.random(len(starts))}))
    lo = np.arange(10) * 0.05
    quality = pd.concat([pd.DataFrame({"reference": ref, "maf_lo": lo, "maf_hi": lo + 0.05,
                                       "n_snps": 10, "snp_share": 0.1,
                                       "dr2": base + lo / 2, "r2": base + lo / 3})
                         for ref, base in (("alone", 0.5), ("perfect", 0.7), ("gan", 0.6),
                                           ("rbm", 0.65))])
    classes = relative_to_real(pd.DataFrame(
        [(ref, c, base + shift, n) for ref, base in (("alone", 0.5), ("perfect", 0.7),
                                                     ("gan", 0.6), ("rbm", 0.65))
         for c, shift, n in (("all", 0.1, 40), ("<1%", -0.3, 5), ("1-5%", 0.0, 10),
                             (">5%", 0.2, 25))],
        columns=["reference", "maf_class", "r2", "n_r2"]))
    painting = pd.DataFrame([(d, p, s) for d in ("real", "gan", "rbm")
                             for p, s in (("CEU", 0.7), ("YRI", 0.2), ("CHB", 0.1))],
                            columns=["dataset", "donor_pop", "share"])
    planted = np.array([0, 1, 5, 20])
    sensitivity = pd.DataFrame({"planted": planted, "identical_to_train": planted,
                                "aats_train": 0.5 - planted / 100, "aats_test": 0.5 + 0 * planted,
                                "privacy_loss": planted / 100, "mia_auc": 0.5 + planted / 50,
                                "mia_tpr_1fpr": 0.01 + planted / 40,
                                "mia_density_auc": 0.5 + planted / 80,
                                "mia_density_tpr_1fpr": 0.01 + planted / 60})
    rows = []
    for panel in PANELS:
        for model in MODELS:
            for seed in (1, 2):
                for metric in ("aats_train", "aats_test", "privacy_loss", "mia_auc",
                               "fixed_frac", "fixed_frac_bootstrap", "fixed_sites"):
                    rows.append((panel, model, seed, metric, rng.random()))
    metrics = pd.DataFrame(rows, columns=["panel", "model", "seed", "metric", "value"])
    histories = []
    for panel in PANELS:
        for model in ("gan", "rbm"):
            epochs = np.arange(1, 21)
            snap = epochs % 5 == 0
            aa = np.where(snap, 0.5 + 0.3 / epochs, np.nan)
            histories.append(write(root / "training" / panel / f"{model}.tsv", pd.DataFrame({
                "epoch": epochs, "loss": 1 / epochs, "seconds": 0.1, "aa_truth": aa,
                "aa_syn": aa, "aa_ts": aa, "fixed_sites": np.where(snap, 0, np.nan),
                "snapshot_score": np.where(snap, aa - 0.5, np.nan)})))
    coal = build(founders_haplotypes(rng, N_HAP),
                 haplotype_ids([f"C{i}" for i in range(N_HAP // 2)]))
    sfs = pd.concat([sfs_proportions(h, folded=True).assign(dataset=name)
                     for name, h in (("real", real_alleles), ("coalescent", coal.alleles))])
    decay = pd.concat([ld_decay({name: h}, pos, n_bins=10)
                       for name, h in (("real", real_alleles), ("coalescent", coal.alleles))])
    pca = pd.DataFrame({"dataset": np.repeat(["real", "coalescent"], 20),
                        "index": np.tile(np.arange(20), 2), "PC1": rng.normal(size=40),
                        "PC2": rng.normal(size=40)})

    real_ags = {"real": str(real_path), "ags": ag_paths}
    metrics_path = write(root / "metrics.tsv", metrics)
    return {
        "figure1": (real_ags, {"seed": 1}),
        "figure2": ({**real_ags, "decay": decays}, {}),
        "figure3": ({"scans": write(root / "selection" / "dense" / "scans.tsv",
                                    pd.concat(scans))}, {}),
        "figure4": ({"quality": write(root / "imputation" / "dense" / "quality.tsv", quality),
                     "classes": write(root / "imputation" / "dense" / "quality_by_maf_class.tsv",
                                      classes)}, {}),
        "figS_umap": (real_ags, {"n_neighbors": 5, "seed": 1}),
        "figS_pairwise": ({"distances": distances}, {}),
        "figS_pca_dense": (real_ags, {}),
        "figS_af": (real_ags, {}),
        "figS_nn": ({"distances": distances}, {}),
        "figS_ld_scatter": (real_ags, {"max_pairs": 500}),
        "figS_corr3": ({"corr3": corr3}, {}),
        "figS_haplotypes": (real_ags, {"n_snps": 30}),
        "figS_painting": ({"painting": write(root / "painting" / "dense.tsv", painting)}, {}),
        "figS_privacy": ({"metrics": metrics_path}, {}),
        "figS_sensitivity": ({"sensitivity": write(root / "privacy" / "dense" / "sensitivity.tsv",
                                                   sensitivity)}, {}),
        "figS_coalescent": ({"sfs": write(root / "coalescent" / "dense" / "sfs.tsv", sfs),
                             "ld_decay": write(root / "coalescent" / "dense" / "ld_decay.tsv",
                                               decay),
                             "pca": write(root / "coalescent" / "dense" / "pca.tsv", pca)}, {}),
        "figS_fixed": ({"metrics": metrics_path}, {}),
        "figS_boundary_ld": ({"boundary": boundary}, {}),
        "figS_training": ({"histories": histories}, {}),
        "figS_rbm": ({"real": str(real_path), "model": load_generator(rbm_path)}, {"seed": 1}),
        "rbm_path": str(rbm_path),
    }


# --------------------------------------------------------------------------- registry


def test_registry_names_every_figure_once():
    expected = {"figure1", "figure2", "figure3", "figure4", "figS_umap", "figS_pairwise",
                "figS_pca_dense", "figS_af", "figS_nn", "figS_ld_scatter", "figS_corr3",
                "figS_haplotypes", "figS_painting", "figS_privacy", "figS_sensitivity",
                "figS_coalescent", "figS_fixed", "figS_boundary_ld", "figS_training", "figS_rbm"}
    assert set(FIGURES) == expected
    for name, spec in FIGURES.items():
        assert spec.name == spec.build.__name__ == name


def test_every_figure_has_a_caption_and_every_caption_a_figure():
    root = Path(__file__).resolve().parents[1]
    report = root / "workflow" / "report"
    for name in FIGURES:
        caption = report / f"{name}.rst"
        assert caption.is_file() and caption.read_text().strip(), caption.name
    # The other captions are those that another rule (or the Snakefile) names.
    rules = "".join(p.read_text() for p in [root / "Snakefile",
                                            *(root / "workflow" / "rules").glob("*.smk")])
    for caption in report.glob("*.rst"):
        assert caption.stem in FIGURES or f"report/{caption.name}" in rules, \
            f"{caption.name} is the caption of no figure"


def test_the_registry_imports_neither_the_models_nor_tensorflow():
    # The workflow imports it to make its rules, on every parse.
    code = ("import sys, artgen.figures.registry; print(sorted(m for m in sys.modules if "
            "m.split('.')[0] in ('tensorflow', 'torch') or m.startswith('artgen.models')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


# --------------------------------------------------------------------------- rendering


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_figure_renders_to_pdf_and_png(name, files, tmp_path):
    inputs, options = files[name]
    fig = build_figure(name, inputs, **options)
    assert isinstance(fig, Figure)
    assert fig.get_suptitle(), "every figure has a title"
    pdf, png = tmp_path / "out" / f"{name}.pdf", tmp_path / "out" / f"{name}.png"
    save_figure(fig, pdf, png)
    assert pdf.stat().st_size > 0 and png.stat().st_size > 0
    assert pdf.read_bytes().startswith(b"%PDF")
    image = matplotlib.image.imread(png)
    assert image.ndim == 3 and image.shape[0] > 100 and image.shape[1] > 100
    assert sorted(p.name for p in pdf.parent.iterdir()) == sorted([pdf.name, png.name])


def test_panel_in_title_comes_from_the_input_path(files):
    inputs, options = files["figure4"]
    fig = build_figure("figure4", inputs, **options)
    assert "dense panel" in fig.get_suptitle()
    fig = build_figure("figure4", inputs, panel="my region")
    assert "my region panel" in fig.get_suptitle()


def test_figure1_skips_models_it_is_not_given(files):
    inputs, _ = files["figure1"]
    fig = build_figure("figure1", inputs, models=["gan", "copying", "rbm"])
    titles = [ax.get_title(loc="left") for ax in fig.axes]
    assert [t for t in titles if t] == ["GAN", "RBM"]
    with pytest.raises(InputError, match="none of the models"):
        build_figure("figure1", inputs, models=["copying"])


def test_save_figure_writes_both_files_or_neither(tmp_path, monkeypatch):
    fig = Figure()
    fig.add_subplot().plot([0, 1])
    calls = []

    def fail_on_png(self, fname, **kw):
        calls.append(kw["format"])
        if kw["format"] == "png":
            raise OSError("disk full")
        Path(fname).write_bytes(b"%PDF-1.4")

    monkeypatch.setattr(Figure, "savefig", fail_on_png)
    with pytest.raises(OSError, match="disk full"):
        save_figure(fig, tmp_path / "a.pdf", tmp_path / "a.png")
    assert calls == ["pdf", "png"]
    assert list(tmp_path.iterdir()) == []


def test_figS_rbm_shows_latent_pca_and_a_subsampled_heatmap(files):
    inputs, _ = files["figS_rbm"]
    fig = build_figure("figS_rbm", inputs, seed=3, max_haplotypes=10, max_units=3)
    assert "dense panel" in fig.get_suptitle()
    titles = [ax.get_title() for ax in fig.axes]
    assert any(t.startswith("a) RBM") for t in titles)
    assert any(t.startswith("b) PCA") for t in titles)
    heat = next(ax for ax in fig.axes if ax.get_title().startswith("c)"))
    assert "10 of 40 haplotypes, 3 of 4 hidden units" in heat.get_title()
    assert heat.images[0].get_array().shape == (3, 10)  # units x haplotypes
    assert [t.get_text() for t in heat.get_xticklabels()][0] == "CEU"  # grouped, in order
    scatter = next(ax for ax in fig.axes if ax.get_title().startswith("a)"))
    assert len(scatter.collections) == 2  # one cloud per population
    again = build_figure("figS_rbm", inputs, seed=3, max_haplotypes=10, max_units=3)
    heat2 = next(ax for ax in again.axes if ax.get_title().startswith("c)"))
    np.testing.assert_array_equal(heat.images[0].get_array(), heat2.images[0].get_array())


def test_figS_rbm_takes_only_an_rbm_on_the_same_snps(files, tmp_path):
    inputs, _ = files["figS_rbm"]
    alleles = founders_haplotypes(np.random.default_rng(1), N_HAP)
    with pytest.raises(InputError, match="takes a fitted rbm .*, not a path"):
        build_figure("figS_rbm", {**inputs, "model": files["rbm_path"]})
    with pytest.raises(InputError, match="30 visible units .* 60 SNPs"):
        build_figure("figS_rbm", {**inputs, "model": tiny_rbm(alleles[:, :30])})
    with pytest.raises(InputError, match="max_units must be a positive integer"):
        build_figure("figS_rbm", inputs, max_units=0)
    with pytest.raises(InputError, match="needs the real haplotypes as Haplotypes"):
        FIGURES["figS_rbm"].build(alleles, tiny_rbm(alleles))
    with pytest.raises(InputError, match="needs a fitted RBM"):
        FIGURES["figS_rbm"].build(build(alleles, haplotype_ids([f"S{i}" for i in
                                                                range(N_HAP // 2)])),
                                  make_generator("bernoulli").fit(alleles))


def test_the_figure_command_loads_the_model_a_figure_needs(files, tmp_path, capsys):
    inputs, _ = files["figS_rbm"]
    other = tmp_path / "bernoulli.npz"
    make_generator("bernoulli").fit(founders_haplotypes(np.random.default_rng(1), N_HAP)) \
        .save(other)
    pdf, png = tmp_path / "rbm.pdf", tmp_path / "rbm.png"
    base = ["figure", "figS_rbm", "--input", f"real={inputs['real']}", "--pdf", str(pdf),
            "--png", str(png), "--set", "max_units=2"]
    assert main([*base, "--input", f"model={files['rbm_path']}"]) == 0
    assert pdf.stat().st_size > 0 and png.stat().st_size > 0
    for model, message in ((str(other), "holds a saved 'bernoulli' model; input 'model' needs "
                                         "a saved 'rbm' model"),
                           (str(tmp_path / "nope.npz"), "file not found"),
                           (f"{other},{other}", "takes one saved model, got 2 files")):
        capsys.readouterr()
        assert main([*base, "--input", f"model={model}"]) == 2
        assert message in capsys.readouterr().err


# --------------------------------------------------------------------------- bad inputs


def test_missing_column_is_a_clear_error(files, tmp_path):
    inputs, _ = files["figure4"]
    table = pd.read_csv(inputs["quality"], sep="\t").drop(columns="dr2")
    bad = write(tmp_path / "quality.tsv", table)
    with pytest.raises(InputError, match=r"quality\.tsv: missing column\(s\) dr2"):
        build_figure("figure4", {"quality": bad})
    inputs, _ = files["figS_pairwise"]
    table = pd.read_csv(inputs["distances"][0], sep="\t").drop(columns="count")
    bad = write(tmp_path / "gan" / "distances.table.tsv", table)
    with pytest.raises(InputError, match="missing column"):
        build_figure("figS_pairwise", {"distances": [bad]})


def test_builders_check_columns_of_data_given_directly():
    with pytest.raises(InputError, match="lacks column"):
        FIGURES["figure3"].build(pd.DataFrame({"dataset": ["real"], "pos": [1.0], "value": [0.0]}))


@pytest.mark.parametrize("inputs, options, message", [
    ({}, {}, "missing input"),
    ({"quality": "q.tsv", "extra": "x.tsv"}, {}, "unknown input"),
    ({"quality": "q.tsv"}, {"colour": "red"}, "unknown option"),
    ({"quality": 3}, {}, "path or a non-empty list"),
])
def test_bad_call_is_a_clear_error(inputs, options, message):
    with pytest.raises(InputError, match=message):
        build_figure("figure4", inputs, **options)


def test_unknown_figure_and_missing_file(tmp_path):
    with pytest.raises(InputError, match="unknown figure"):
        build_figure("figure99", {})
    with pytest.raises(InputError, match="file not found"):
        build_figure("figure4", {"quality": str(tmp_path / "nope.tsv")})


def test_empty_table_is_an_error(tmp_path):
    path = tmp_path / "painting.tsv"
    path.write_text("dataset\tdonor_pop\tshare\n")
    with pytest.raises(InputError, match="no rows"):
        build_figure("figS_painting", {"painting": str(path)})


# --------------------------------------------------------------------------- plot functions


def test_colours_are_fixed_per_dataset():
    assert plots.dataset_color("gan") == plots.dataset_color("GAN") == "#1f77b4"
    assert plots.dataset_color("real") != plots.dataset_color("test")
    known = {plots.dataset_color(m) for m in ("real", "test", "bernoulli", "markov", "gan", "rbm",
                                               "rbm_train", "rbm_random", "copying", "coalescent")}
    assert len(known) == 10
    assert plots.dataset_color("new_model") == plots.dataset_color("new_model")
    assert plots.order_datasets(["rbm", "x", "real", "markov"]) == ["real", "markov", "rbm", "x"]


def test_plot_functions_draw_on_the_axes_given_and_return_it():
    rng = np.random.default_rng(0)
    fig = Figure()
    axes = fig.subplots(2, 3).ravel()
    coords = {"real": rng.normal(size=(20, 2)), "gan": rng.normal(size=(20, 2))}
    assert plots.plot_embedding(coords, axes[0]) is axes[0]
    assert len(axes[0].collections) == 2
    m = rng.random((10, 10))
    assert plots.plot_ld_matrix(m, axes[1], colorbar=False) is axes[1]
    x = rng.random(50)
    assert plots.plot_real_vs_ag(x, x + 0.01, axes[2], kind="hexbin") is axes[2]
    assert plots.plot_af_scatter(x, x, axes[3], max_freq=0.2) is axes[3]
    hist = pd.DataFrame({"distance": [0, 1, 2], "count": [1, 5, 2]})
    assert plots.plot_distance_distributions({"real": hist}, axes[4]) is axes[4]
    assert plots.plot_scan(np.arange(50) * 1e4, x, axes[5]) is axes[5]


def test_plot_latent_colours_points_by_group():
    rng = np.random.default_rng(0)
    ax = Figure().add_subplot()
    labels = np.array(["YRI", "CEU", "YRI", "CHB", "CEU"])
    colors = plots.group_colors(["CHB", "CEU", "YRI"])
    assert plots.plot_latent(rng.normal(size=(5, 3)), labels, ax, dims=(1, 2),
                             order=["YRI", "CEU", "CHB"], colors=colors) is ax
    assert [c.get_label() for c in ax.collections] == ["YRI (2)", "CEU (2)", "CHB (1)"]
    assert [matplotlib.colors.to_hex(c.get_facecolor()[0][:3]) for c in ax.collections] == \
        [colors["YRI"], colors["CEU"], colors["CHB"]]
    assert ax.get_xlabel() == "axis 2"
    with pytest.raises(InputError, match="3 labels for 5 rows"):
        plots.plot_latent(rng.normal(size=(5, 2)), labels[:3], Figure().add_subplot())
    with pytest.raises(InputError, match="CHB are not in the order"):
        plots.plot_latent(rng.normal(size=(5, 2)), labels, Figure().add_subplot(),
                          order=["YRI", "CEU"])
    with pytest.raises(InputError, match="at least 2 columns"):
        plots.plot_latent(np.zeros(5), labels, Figure().add_subplot())


def test_plot_hidden_activations_groups_haplotypes_and_sorts_units():
    activations = np.array([[0.0, 5.0, 1.0],    # YRI
                            [0.0, 4.0, 2.0],    # CEU
                            [1.0, 6.0, 3.0]])   # YRI
    ax = Figure().add_subplot()
    out = plots.plot_hidden_activations(activations, ["YRI", "CEU", "YRI"], ax,
                                        order=["YRI", "CEU"], vmax=6.0)
    assert out is ax
    image = np.asarray(ax.images[0].get_array())
    # rows: units by decreasing mean (1, 2, 0); columns: YRI (rows 0, 2), then CEU (row 1)
    np.testing.assert_array_equal(image, [[5.0, 6.0, 4.0], [1.0, 3.0, 2.0], [0.0, 1.0, 0.0]])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["YRI", "CEU"]
    assert ax.images[0].get_clim() == (0.0, 6.0)
    assert len(ax.figure.axes) == 2  # the colour bar
    with pytest.raises(InputError, match="non-empty"):
        plots.plot_hidden_activations(np.zeros((0, 3)), [], Figure().add_subplot())
    with pytest.raises(InputError, match="finite"):
        plots.plot_hidden_activations(np.full((1, 2), np.nan), ["a"], Figure().add_subplot())
    with pytest.raises(InputError, match="no colour given for label"):
        plots.plot_hidden_activations(activations, ["a", "b", "a"], Figure().add_subplot(),
                                      colors={"a": "red"})


def test_plot_function_makes_axes_when_none_given():
    ax = plots.plot_haplostrips({"real": np.eye(6, dtype=np.uint8),
                                 "rbm": np.ones((3, 6), dtype=np.uint8)})
    assert ax.images and ax.figure is not None
    plt.close(ax.figure)


def test_plot_functions_refuse_bad_data():
    with pytest.raises(InputError, match="square"):
        plots.plot_ld_matrix(np.zeros((2, 3)), Figure().add_subplot())
    with pytest.raises(InputError, match="lacks column"):
        plots.plot_ld_decay(pd.DataFrame({"dataset": ["real"]}), Figure().add_subplot())
    with pytest.raises(InputError, match="same SNPs"):
        plots.plot_haplostrips({"a": np.zeros((2, 3)), "b": np.zeros((2, 4))},
                               Figure().add_subplot())


def test_plot_training_history_returns_a_figure_the_command_saves(tmp_path):
    history = pd.DataFrame({"epoch": [1, 2, 3, 4], "d_loss": [1.0, 0.8, 0.7, 0.6],
                            "aa_truth": [np.nan, 0.6, np.nan, 0.55],
                            "aa_syn": [np.nan, 0.7, np.nan, 0.5],
                            "aa_ts": [np.nan, 0.65, np.nan, 0.52],
                            "fixed_sites": [np.nan, 3, np.nan, 1],
                            "snapshot_score": [np.nan, 0.3, np.nan, 0.05]})
    fig = plots.plot_training_history(history, title="gan")
    assert isinstance(fig, Figure) and fig.get_suptitle() == "gan"
    with pytest.raises(InputError, match="no epochs"):
        plots.plot_training_history(history.iloc[:0])
    table = write(tmp_path / "gan.tsv", history)
    assert main(["plot-training", table, "--title", "gan", "--out", str(tmp_path / "h.png")]) == 0
    assert matplotlib.image.imread(tmp_path / "h.png").ndim == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gan.tsv", "h.png"]


def test_training_history_shows_the_start_sets_privacy_loss():
    held_out = {"ld_r": [np.nan, 0.8, np.nan, 0.9], "val_ld_r": [np.nan, 0.7, np.nan, 0.8],
                "privacy_loss": [np.nan, 0.0, np.nan, 0.01],
                "attack_auc": [np.nan, 0.5, np.nan, 0.52],
                "kept": [np.nan, 1.0, np.nan, 0.0]}
    history = pd.DataFrame({"epoch": [1, 2, 3, 4], "loss": [1.0, 0.8, 0.7, 0.6],
                            "aa_truth": [np.nan, 0.6, np.nan, 0.55],
                            "aa_syn": [np.nan, 0.7, np.nan, 0.5],
                            "aa_ts": [np.nan, 0.65, np.nan, 0.52],
                            "fixed_sites": [np.nan, 3, np.nan, 1],
                            "snapshot_score": [np.nan, 0.3, np.nan, 0.05], **held_out})

    def privacy_lines(history):
        fig = plots.plot_training_history(history)
        ax = next(a for a in fig.axes if a.get_ylabel() == "on validation")
        return {line.get_label(): list(line.get_ydata()) for line in ax.get_lines()
                if not line.get_label().startswith("_")}

    assert "privacy loss (start set)" not in privacy_lines(history)
    lines = privacy_lines(history.assign(privacy_loss_start=[np.nan, 0.05, np.nan, 0.3],
                                         attack_auc_start=[np.nan, 0.5, np.nan, 0.75]))
    assert lines["privacy loss (start set)"] == [0.05, 0.3]
    assert lines["attack AUC - 0.5 (start set)"] == [0.0, 0.25]
    # The validation split's attack above its null: 0.5 where the history has none.
    assert privacy_lines(history)["attack AUC - null"] == pytest.approx([0.0, 0.02])
    nulled = privacy_lines(history.assign(attack_auc_null=[np.nan, 0.53, np.nan, 0.53]))
    assert nulled["attack AUC - null"] == pytest.approx([-0.03, -0.01])


def test_figure2_reads_the_ld_decay_of_the_statistics(files, tmp_path):
    inputs, _ = files["figure2"]
    fig = build_figure("figure2", inputs, models=["gan", "rbm"])
    decay = next(ax for ax in fig.axes if ax.get_title().startswith("b) LD decay"))
    assert [line.get_label() for line in decay.get_lines()] == ["real (train)", "GAN", "RBM"]
    assert "10 distance bins" in decay.get_title()
    # a panel of several chromosomes: the statistics wrote the table without rows
    empty = [write(tmp_path / "stats" / "dense" / m / "ld.table.tsv",
                   pd.DataFrame(columns=["panel", "model", "seed"])) for m in ("gan", "rbm")]
    fig = build_figure("figure2", {**inputs, "decay": empty}, models=["gan", "rbm"])
    decay = next(ax for ax in fig.axes if ax.get_title() == "b) LD decay")
    assert "spans several chromosomes" in decay.texts[0].get_text()


def test_figure4_tabulates_r2_per_maf_class_against_the_real_panel(files):
    inputs, _ = files["figure4"]
    fig = build_figure("figure4", inputs)
    grid = next(ax for ax in fig.axes if ax.get_images())
    assert grid.get_title().startswith("c) true $r^2$ over all imputed SNPs")
    assert [t.get_text() for t in grid.get_xticklabels()] == [
        "all imputed\n(40 SNPs)", "MAF <1%\n(5 SNPs)", "MAF 1-5%\n(10 SNPs)",
        "MAF >5%\n(25 SNPs)"]
    assert [t.get_text() for t in grid.get_yticklabels()] == [
        "other populations only", "+ real target haplotypes", "+ GAN AGs", "+ RBM AGs"]
    cells = {t.get_text() for t in grid.texts}
    assert "0.700  (88% of real)" in cells      # GAN overall: 0.7 / 0.8
    assert "0.800" in cells                         # the real panel itself: no share
    # without the class table the figure has no grid
    fig = build_figure("figure4", {"quality": inputs["quality"]})
    assert not any(ax.get_images() for ax in fig.axes)


def test_figure4_draws_references_of_one_set_alone_in_a_second_row(tmp_path):
    lo = np.arange(10) * 0.05
    refs = ["alone", "perfect", "gan", "hmm", "train_only", "gan_only", "hmm_only",
            "hmm_direct"]
    quality = pd.concat([pd.DataFrame({"reference": ref, "maf_lo": lo, "maf_hi": lo + 0.05,
                                       "snp_share": 0.1, "dr2": 0.5 + i / 20,
                                       "r2": 0.4 + i / 20}) for i, ref in enumerate(refs)])
    path = tmp_path / "imputation" / "dense" / "quality.tsv"
    path.parent.mkdir(parents=True)
    quality.to_csv(path, sep="\t", index=False)
    fig = build_figure("figure4", {"quality": str(path)})
    lines = [ax for ax in fig.axes if ax.get_lines()]
    assert len(lines) == 4
    top, bottom = lines[0].get_legend(), lines[2].get_legend()
    assert [t.get_text() for t in top.get_texts()] == [
        "other populations only", "+ real target haplotypes", "+ GAN AGs", "+ hmm AGs"]
    assert [t.get_text() for t in bottom.get_texts()] == [
        "real target haplotypes alone", "GAN AGs alone", "hmm AGs alone",
        "hmm imputing directly (no Beagle)"]
    assert lines[3].get_lines()[-1].get_linestyle() == "-."
    assert lines[2].get_title().startswith("c) one set alone")
    # a table without them keeps the one-row figure
    fig = build_figure("figure4", {"quality": str(path)}, references=["alone", "perfect", "gan"])
    assert len([ax for ax in fig.axes if ax.get_lines()]) == 2
