# Comparisons beyond the generators: the coalescent baseline (stdpopsim) and
# chromosome painting of real and artificial haplotypes.

if "coalescent" in config:

    COALESCENT = config["coalescent"]


    rule coalescent:
        input:
            real=f"results/splits/{COALESCENT['panel']}/train.npz",
        output:
            sim=f"results/coalescent/{COALESCENT['panel']}/coalescent.npz",
            tables=expand("results/coalescent/{panel}/{table}.tsv", panel=COALESCENT["panel"],
                          table=["sfs", "ld_decay", "pca"]),
            metrics=f"results/coalescent/{COALESCENT['panel']}/metrics.tsv",
        params:
            folder=lambda wildcards, output: Path(output.metrics).parent,
            target=config["target_population"],
            seed=config["seed"],
            settings=COALESCENT,
            n=f"--n-haplotypes {COALESCENT['n_haplotypes']}" if COALESCENT["n_haplotypes"] else "",
        log:
            f"results/logs/coalescent/{COALESCENT['panel']}.log",
        benchmark:
            f"results/benchmarks/coalescent/{COALESCENT['panel']}.tsv"
        conda:
            "../../envs/compare.yaml"
        threads: 1
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
            panel=f"results/panels/{PAINTING['panel']}.npz",
            target_donors=f"results/splits/{PAINTING['panel']}/sampling.npz",
            real=f"results/splits/{PAINTING['panel']}/train.npz",
            ags=ag_files(PAINTING["panel"], PAINTING["models"]),
        output:
            f"results/painting/{PAINTING['panel']}.tsv",
        params:
            ags=ag_args(PAINTING["panel"], PAINTING["models"]),
            target=config["target_population"],
            seed=config["seed"],
            settings=PAINTING,
        log:
            f"results/logs/painting/{PAINTING['panel']}.log",
        benchmark:
            f"results/benchmarks/painting/{PAINTING['panel']}.tsv"
        conda:
            "../../envs/compare.yaml"
        threads: 1
        shell:
            "python -m artgen paint --panel {input.panel} --target-donors {input.target_donors}"
            " --real {input.real} --ags {params.ags} --target {params.target}"
            " --n-recipients {params.settings[n_recipients]} --seed {params.seed}"
            " --panel-name {params.settings[panel]} --out {output} 2> {log}"
