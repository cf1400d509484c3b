# Selection scans (XP-EHH, PBS) of the real target haplotypes and of as many
# AGs of each model, against the same real partner populations.

if "selection" in config:

    SELECTION = config["selection"]

    rule selection_scans:
        input:
            panel=panel_file(SELECTION["panel"]),
            real=train_split(SELECTION["panel"]),
            ags=ag_files(SELECTION["panel"], SELECTION["models"]),
        output:
            scans=f"results/selection/{SELECTION['panel']}/scans.tsv",
            metrics=f"results/selection/{SELECTION['panel']}/metrics.tsv",
        log:
            f"results/logs/selection_scans/{SELECTION['panel']}.log",
        benchmark:
            f"results/benchmarks/selection_scans/{SELECTION['panel']}.tsv"
        conda:
            "../../envs/stats.yaml"
        threads: 1
        params:
            ags=ag_args(SELECTION["panel"], SELECTION["models"]),
            target=config["target_population"],
            seed=config["seed"],
            settings=SELECTION,
        shell:
            "python -m artgen selection --panel {input.panel} --real {input.real} --ags {params.ags}"
            " --target {params.target} --complement {params.settings[complement]}"
            " --outgroup {params.settings[outgroup]} --window {params.settings[window]}"
            " --step {params.settings[step]} --quantile {params.settings[quantile]}"
            " --panel-name {params.settings[panel]} --seed {params.seed}"
            " --scans-out {output.scans} --metrics-out {output.metrics} 2> {log}"
