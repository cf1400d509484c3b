# One rule per figure (results/figures/<name>.pdf and .png), each drawn by
# `artgen figure <name>` from the outputs it needs, with its caption in
# workflow/report/<name>.rst for `snakemake --report`.

SEED = config["seed"]
WHOLE_OF = {kind: [p for p in panels_of_kind(config, kind) if p in WHOLE]
            for kind in ("informative", "dense", "dispersed")}
# The panel of the structure figures (the paper's: the informative one) and
# that of the LD figures (the paper's: the dense one), as far as configured.
STRUCTURE_PANEL = (WHOLE_OF["informative"] + WHOLE + [None])[0]
LD_PANEL = (WHOLE_OF["dense"] + WHOLE_OF["dispersed"] + WHOLE + [None])[0]


# name: (inputs, options, report category)
FIGURES = {}
if STRUCTURE_PANEL:
    _figure_models = drawn(STRUCTURE_PANEL, config["figures"]["models"])
    _paper_models = drawn(STRUCTURE_PANEL, ["bernoulli", "markov", "gan", "rbm"])
    FIGURES |= {
        "figure1": (*with_ags(STRUCTURE_PANEL, _paper_models, seed=SEED), "1. Main figures"),
        "figS_umap": (*with_ags(STRUCTURE_PANEL, _figure_models, seed=SEED), "2. Structure"),
        "figS_pairwise": ({"distances": stats_tables(STRUCTURE_PANEL, "distances",
                                                     panel_models(STRUCTURE_PANEL))}, {},
                          "2. Structure"),
        "figS_nn": ({"distances": stats_tables(STRUCTURE_PANEL, "distances",
                                               panel_models(STRUCTURE_PANEL))}, {},
                    "4. Privacy"),
    }
    if "rbm" in panel_models(STRUCTURE_PANEL) and model_class("rbm") == "rbm":
        FIGURES["figS_rbm"] = ({"real": train_split(STRUCTURE_PANEL),
                                "model": f"results/models/{STRUCTURE_PANEL}/rbm.npz"},
                               {"seed": SEED}, "2. Structure")
    if STRUCTURE_PANEL not in umap_panels():
        del FIGURES["figS_umap"]
if LD_PANEL:
    _figure_models = drawn(LD_PANEL, config["figures"]["models"])
    FIGURES |= {
        "figure2": (*with_ags(LD_PANEL, _figure_models), "1. Main figures"),
        "figS_pca_dense": (*with_ags(LD_PANEL, _figure_models, seed=SEED), "2. Structure"),
        "figS_haplotypes": (*with_ags(LD_PANEL, _figure_models, seed=SEED), "2. Structure"),
        "figS_af": (*with_ags(LD_PANEL, _figure_models), "3. Frequencies and LD"),
        "figS_ld_scatter": (*with_ags(LD_PANEL, _figure_models, seed=SEED),
                            "3. Frequencies and LD"),
        "figS_corr3": ({"corr3": stats_tables(LD_PANEL, "corr3", _figure_models)},
                       {"seed": SEED}, "3. Frequencies and LD"),
    }
FIGURES |= {
    "figS_fixed": ({"metrics": "results/metrics.tsv"}, {}, "3. Frequencies and LD"),
    "figS_privacy": ({"metrics": "results/metrics.tsv"}, {}, "4. Privacy"),
}
# The downstream analyses' figures, for those configured.
if "selection" in config:
    FIGURES["figure3"] = ({"scans": f"results/selection/{config['selection']['panel']}/scans.tsv"},
                          {"quantile": config["selection"]["quantile"]}, "1. Main figures")
if "imputation" in config:
    FIGURES["figure4"] = (
        {table: f"results/imputation/{config['imputation']['panel']}/{name}.tsv"
         for table, name in (("quality", "quality"), ("classes", "quality_by_maf_class"))}, {},
        "1. Main figures")
if SENSITIVITY:
    FIGURES["figS_sensitivity"] = (
        {"sensitivity": f"results/privacy/{SENSITIVITY['panel']}/sensitivity.tsv"}, {},
        "4. Privacy")
if "painting" in config:
    FIGURES["figS_painting"] = ({"painting": f"results/painting/{config['painting']['panel']}.tsv"},
                                {}, "5. Comparisons")
if "coalescent" in config:
    FIGURES["figS_coalescent"] = (
        {table: f"results/coalescent/{config['coalescent']['panel']}/{table}.tsv"
         for table in ("sfs", "ld_decay", "pca")}, {}, "5. Comparisons")
_histories = expand_models("results/training/{panel}/{model}.tsv", WHOLE, SNAPSHOT_NETWORKS)
if _histories:
    FIGURES["figS_training"] = ({"histories": _histories}, {}, "6. Training")
# LD across the window seams of the first windowed panel's stitched AG sets.
for _panel in WINDOWED[:1]:
    FIGURES["figS_boundary_ld"] = (
        {"boundary": [f"results/stats/{_panel}/{m}/boundary.table.tsv"
                      for m in panel_models(_panel)]}, {}, "3. Frequencies and LD")

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
