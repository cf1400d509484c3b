# Windowed panels (a region or a whole chromosome): the plan of overlapping
# windows, each window's splits, and the AGs stitched across the windows.
# Each (window, model) trains as its own job through train_model or
# train_network (its panel wildcard is the window, "chromosome.w003"), so
# windows run --cores at a time, or as separate SLURM jobs. The "test"
# reference is real held-out data, not a model: it is sampled whole.


# The number of windows is known once the panel is built: a checkpoint.
checkpoint plan_windows:
    input:
        train_split(),
    output:
        window_plan(),
    log:
        "results/logs/plan_windows/{panel}.log",
    wildcard_constraints:
        panel=alternatives(WINDOWED),
    priority: INPUT_PRIORITY
    conda:
        "../../envs/vcf.yaml"
    threads: 1
    params:
        windows=window_args,
    shell:
        "python -m artgen plan-windows --data {input} {params.windows} --out {output} 2> {log}"


rule cut_window:
    input:
        data=split_file("{windowed}"),
        plan=window_plan("{windowed}"),
    output:
        split_file("{windowed}.w{window}"),
    log:
        "results/logs/cut_window/{windowed}.w{window}/{split}.log",
    wildcard_constraints:
        windowed=alternatives(WINDOWED),
        window=r"\d\d\d+",
    priority: INPUT_PRIORITY
    conda:
        "../../envs/vcf.yaml"
    threads: 1
    shell:
        "python -m artgen cut-window --data {input.data} --plan {input.plan}"
        " --window {wildcards.window} --out {output} 2> {log}"


ruleorder: stitch_ags > sample_ags


rule stitch_ags:
    input:
        plan=window_plan(),
        models=window_models,
        like=training_split,
    output:
        npz=ag_file(),
        vcf=ag_file(ext="vcf.gz"),
        tbi=ag_file(ext="vcf.gz.tbi"),
        hapt=ag_file(ext="hapt.gz"),
    log:
        "results/logs/stitch_ags/{panel}/{model}.log",
    benchmark:
        "results/benchmarks/stitch_ags/{panel}/{model}.tsv"
    wildcard_constraints:
        panel=alternatives(WINDOWED),
        model=alternatives([m for m in MODELS if m not in HELD_OUT_MODELS]),
    conda:
        "../../envs/models.yaml"
    threads: 1
    params:
        seed=config["seed"],
    shell:
        "python -m artgen stitch --plan {input.plan} --model-files {input.models}"
        " --like {input.like} --seed {params.seed} --out {output.npz}"
        " --vcf-out {output.vcf} --hapt-out {output.hapt} 2> {log}"


rule boundary_ld:
    input:
        real=train_split(),
        ags=ag_file(),
        plan=window_plan(),
    output:
        metrics=metrics_file(family="boundary"),
        table=table_file(family="boundary"),
    log:
        "results/logs/boundary_ld/{panel}/{model}.log",
    benchmark:
        "results/benchmarks/boundary_ld/{panel}/{model}.tsv"
    wildcard_constraints:
        panel=alternatives(WINDOWED),
    conda:
        "../../envs/stats.yaml"
    threads: 1
    params:
        seed=config["seed"],
        max_pairs=ld_max_pairs,
    shell:
        "python -m artgen boundary-ld --real {input.real} --ags {input.ags} --plan {input.plan}"
        " --panel {wildcards.panel} --model {wildcards.model} --seed {params.seed}"
        " --max-pairs {params.max_pairs} --out {output.metrics} --table-out {output.table}"
        " 2> {log}"
