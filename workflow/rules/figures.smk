# One rule per figure (results/figures/<name>.pdf and .png), each drawn by
# `artgen figure <name>` from the outputs it needs, with its caption in
# workflow/report/<name>.rst for `snakemake --report`.

FIGURE_MODELS = [m for m in config["figures"]["models"] if m in MODELS]
PAPER_FIGURE1 = [m for m in ("bernoulli", "markov", "gan", "rbm") if m in MODELS]


SEED = config["seed"]
PANEL = {"imputation": config["imputation"]["panel"], "selection": config["selection"]["panel"],
         "painting": config["painting"]["panel"], "coalescent": config["coalescent"]["panel"],
         "sensitivity": config["privacy"]["sensitivity"]["panel"]}

# name: (inputs, options, report category)
FIGURES = {
    "figure1": ({"real": train_split("informative"), "ags": ag_files("informative", PAPER_FIGURE1)},
                {"models": PAPER_FIGURE1, "seed": SEED}, "1. Main figures"),
    "figure2": ({"real": train_split("dense"), "ags": ag_files("dense", FIGURE_MODELS)},
                {"models": FIGURE_MODELS}, "1. Main figures"),
    "figure3": ({"scans": f"results/selection/{PANEL['selection']}/scans.tsv"},
                {"quantile": config["selection"]["quantile"]}, "1. Main figures"),
    "figure4": ({"quality": f"results/imputation/{PANEL['imputation']}/quality.tsv"}, {},
                "1. Main figures"),
    "figS_umap": ({"real": train_split("informative"),
                   "ags": ag_files("informative", FIGURE_MODELS)}, {"seed": SEED},
                  "2. Structure"),
    "figS_pca_dense": ({"real": train_split("dense"), "ags": ag_files("dense", FIGURE_MODELS)},
                       {"seed": SEED}, "2. Structure"),
    "figS_pairwise": ({"distances": stats_tables("informative", "distances", MODELS)}, {},
                      "2. Structure"),
    "figS_haplotypes": ({"real": train_split("dense"), "ags": ag_files("dense", FIGURE_MODELS)},
                        {"seed": SEED}, "2. Structure"),
    "figS_af": ({"real": train_split("dense"), "ags": ag_files("dense", FIGURE_MODELS)}, {},
                "3. Frequencies and LD"),
    "figS_fixed": ({"metrics": "results/metrics.tsv"}, {}, "3. Frequencies and LD"),
    "figS_ld_scatter": ({"real": train_split("dense"), "ags": ag_files("dense", FIGURE_MODELS)},
                        {"seed": SEED}, "3. Frequencies and LD"),
    "figS_corr3": ({"corr3": stats_tables("dense", "corr3", FIGURE_MODELS)}, {"seed": SEED},
                   "3. Frequencies and LD"),
    "figS_nn": ({"distances": stats_tables("informative", "distances", MODELS)}, {},
                "4. Privacy"),
    "figS_privacy": ({"metrics": "results/metrics.tsv"}, {}, "4. Privacy"),
    "figS_sensitivity": ({"sensitivity":
                          f"results/privacy/{PANEL['sensitivity']}/sensitivity.tsv"}, {},
                         "4. Privacy"),
    "figS_painting": ({"painting": f"results/painting/{PANEL['painting']}.tsv"}, {},
                      "5. Comparisons"),
    "figS_coalescent": ({table: f"results/coalescent/{PANEL['coalescent']}/{table}.tsv"
                         for table in ("sfs", "ld_decay", "pca")}, {}, "5. Comparisons"),
    "figS_rbm": ({"real": train_split("informative"),
                  "model": "results/models/informative/rbm.npz"}, {"seed": SEED}, "2. Structure"),
    "figS_training": ({"histories": expand_models("results/training/{panel}/{model}.tsv",
                                                  WHOLE, SNAPSHOT_NETWORKS)}, {},
                      "6. Training"),
}
# LD across the window seams of the first windowed panel's stitched AG sets.
for _panel in WINDOWED[:1]:
    FIGURES["figS_boundary_ld"] = (
        {"boundary": [f"results/stats/{_panel}/{m}/boundary.table.tsv"
                      for m in panel_models(_panel)]}, {}, "3. Frequencies and LD")
if not SNAPSHOT_NETWORKS:
    del FIGURES["figS_training"]
if "rbm" not in MODELS or model_class("rbm") != "rbm":
    del FIGURES["figS_rbm"]
if not config["evaluation"]["umap"]:
    del FIGURES["figS_umap"]


for _name, (_inputs, _options, _category) in FIGURES.items():

    rule:
        name:
            _name
        input:
            **_inputs,
        output:
            pdf=f"results/figures/{_name}.pdf",
            png=report(f"results/figures/{_name}.png", caption=f"../report/{_name}.rst",
                       category=_category),
        params:
            name=_name,
            args=figure_args(_inputs, _options),
        log:
            f"results/logs/figures/{_name}.log",
        benchmark:
            f"results/benchmarks/figures/{_name}.tsv"
        conda:
            "../../envs/stats.yaml"
        threads: 1
        shell:
            "python -m artgen figure {params.name} {params.args}"
            " --pdf {output.pdf} --png {output.png} 2> {log}"
