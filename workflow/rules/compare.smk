# Comparisons beyond the generators: the coalescent baseline (stdpopsim) and
# chromosome painting of real and artificial haplotypes.

if "coalescent" in config:

    COALESCENT = config["coalescent"]

    rule coalescent:
        input:
            real=train_split(COALESCENT["panel"]),
        output:
            sim=f"results/coalescent/{COALESCENT['panel']}/coalescent.npz",
            tables=expand(
                "results/coalescent/{panel}/{table}.tsv",
                panel=COALESCENT["panel"],
                table=["sfs", "ld_decay", "pca"],
            ),
            metrics=f"results/coalescent/{COALESCENT['panel']}/metrics.tsv",
        log:
            f"results/logs/coalescent/{COALESCENT['panel']}.log",
        benchmark:
            f"results/benchmarks/coalescent/{COALESCENT['panel']}.tsv"
        conda:
            "../../envs/compare.yaml"
        threads: 1
        params:
            folder=metrics_folder,
            target=config["target_population"],
            seed=config["seed"],
            settings=COALESCENT,
            n=(
                f"--n-haplotypes {COALESCENT['n_haplotypes']}"
                if COALESCENT["n_haplotypes"]
                else ""
            ),
        shell:
            "python -m artgen coalescent --real {input.real} --population {params.target}"
            " --model {params.settings[model]} --min-freq {params.settings[min_freq]}"
            " {params.n} --seed {params.seed} --panel-name {params.settings[panel]}"
            " --sim-out {output.sim} --tables-dir {params.folder}"
            " --metrics-out {output.metrics} 2> {log}"


if "painting" in config:

    PAINTING = config["painting"]

    rule painting:
        input:
            panel=panel_file(PAINTING["panel"]),
            target_donors=sampling_split(PAINTING["panel"]),
            real=train_split(PAINTING["panel"]),
            ags=ag_files(PAINTING["panel"], PAINTING["models"]),
        output:
            f"results/painting/{PAINTING['panel']}.tsv",
        log:
            f"results/logs/painting/{PAINTING['panel']}.log",
        benchmark:
            f"results/benchmarks/painting/{PAINTING['panel']}.tsv"
        conda:
            "../../envs/compare.yaml"
        threads: 1
        params:
            ags=ag_args(PAINTING["panel"], PAINTING["models"]),
            target=config["target_population"],
            seed=config["seed"],
            settings=PAINTING,
        shell:
            "python -m artgen paint --panel {input.panel} --target-donors {input.target_donors}"
            " --real {input.real} --ags {params.ags} --target {params.target}"
            " --n-recipients {params.settings[n_recipients]} --seed {params.seed}"
            " --panel-name {params.settings[panel]} --out {output} 2> {log}"
