# Beagle imputation of held-out target individuals, reduced to an array-like
# share of the sites, against reference panels: the other populations alone,
# + the real target training haplotypes ("perfect"), + each model's AGs; the
# real target training haplotypes alone ("train_only") and each model's AGs
# alone ("<model>_only", GPC's protocol); and, for a model that imputes by
# itself (the hmm), its own posterior with no Beagle ("<model>_direct").
# Quality per MAF bin (Figure 4) and over all sites and per MAF class, with
# r2 as a share of the real panel's (quality_by_maf_class.tsv).

if "imputation" in config:

    IMPUTATION = config["imputation"]

    rule impute:
        input:
            panel=panel_file(IMPUTATION["panel"]),
            train=train_split(IMPUTATION["panel"]),
            targets=impute_target_split(IMPUTATION["panel"]),
            ags=imputation_ags,
        output:
            bins=f"results/imputation/{IMPUTATION['panel']}/{{reference}}.tsv",
            classes=f"results/imputation/{IMPUTATION['panel']}/{{reference}}.classes.tsv",
        log:
            f"results/logs/impute/{IMPUTATION['panel']}/{{reference}}.log",
        benchmark:
            f"results/benchmarks/impute/{IMPUTATION['panel']}/{{reference}}.tsv"
        wildcard_constraints:
            reference=alternatives(list(BEAGLE_REFERENCES)),
        conda:
            "../../envs/imputation.yaml"
        threads: 1
        resources:
            mem_mb=1024 * (IMPUTATION["memory_gb"] + 1),
        params:
            reference=imputation_reference_args,
            target=config["target_population"],
            seed=config["seed"],
            settings=IMPUTATION,
        shell:
            "python -m artgen impute --panel {input.panel} --train {input.train}"
            " --targets {input.targets} --reference {wildcards.reference} {params.reference}"
            " --target {params.target} --density {params.settings[density]}"
            " --memory-gb {params.settings[memory_gb]} --threads {threads}"
            " --panel-name {params.settings[panel]} --seed {params.seed} --out {output.bins}"
            " --classes-out {output.classes} 2> {log}"

    rule impute_direct:
        input:
            model=imputation_model,
            train=train_split(IMPUTATION["panel"]),
            targets=impute_target_split(IMPUTATION["panel"]),
        output:
            bins=f"results/imputation/{IMPUTATION['panel']}/{{reference}}.tsv",
            classes=f"results/imputation/{IMPUTATION['panel']}/{{reference}}.classes.tsv",
        log:
            f"results/logs/impute/{IMPUTATION['panel']}/{{reference}}.log",
        benchmark:
            f"results/benchmarks/impute/{IMPUTATION['panel']}/{{reference}}.tsv"
        wildcard_constraints:
            reference=alternatives(list(DIRECT_REFERENCES)),
        conda:
            "../../envs/stats.yaml"
        threads: 2
        params:
            target=config["target_population"],
            seed=config["seed"],
            settings=IMPUTATION,
        shell:
            "python -m artgen impute --model-file {input.model} --train {input.train}"
            " --targets {input.targets} --reference {wildcards.reference}"
            " --target {params.target} --density {params.settings[density]} --threads {threads}"
            " --panel-name {params.settings[panel]} --seed {params.seed} --out {output.bins}"
            " --classes-out {output.classes} 2> {log}"

    rule imputation_table:
        input:
            bins=expand(
                "results/imputation/{panel}/{reference}.tsv",
                panel=IMPUTATION["panel"],
                reference=IMPUTATION_REFERENCES,
            ),
            classes=expand(
                "results/imputation/{panel}/{reference}.classes.tsv",
                panel=IMPUTATION["panel"],
                reference=IMPUTATION_REFERENCES,
            ),
        output:
            bins=f"results/imputation/{IMPUTATION['panel']}/quality.tsv",
            classes=f"results/imputation/{IMPUTATION['panel']}/quality_by_maf_class.tsv",
        log:
            f"results/logs/imputation_table/{IMPUTATION['panel']}.log",
        conda:
            "../../envs/stats.yaml"
        threads: 1
        shell:
            "python -m artgen imputation-table --bins {input.bins} --classes {input.classes}"
            " --out {output.bins} --classes-out {output.classes} 2> {log}"
