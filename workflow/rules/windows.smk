# Windowed panels (a region or a whole chromosome): the plan of overlapping
# windows, each window's splits, and the AGs stitched across the windows.
# Each (window, model) trains as its own job through train_model or
# train_network (its panel wildcard is the window, "chromosome.w003"), so
# windows run --cores at a time, or as separate SLURM jobs. The "test"
# reference is real held-out data, not a model: it is sampled whole.

# The number of windows is known once the panel is built: a checkpoint.
checkpoint plan_windows:
    input:
        "results/splits/{panel}/train.npz",
    output:
        "results/windows/{panel}/plan.tsv",
    wildcard_constraints:
        panel=alternatives(WINDOWED),
    params:
        windows=lambda wildcards: " ".join(
            f"--{key.replace('_', '-')} {config['panels'][wildcards.panel][key]}"
            for key in ("window_snps", "overlap_snps", "ld_tolerance")),
    log:
        "results/logs/plan_windows/{panel}.log",
    conda:
        "../../envs/vcf.yaml"
    threads: 1
    priority: INPUT_PRIORITY
    shell:
        "python -m artgen plan-windows --data {input} {params.windows} --out {output} 2> {log}"


rule cut_window:
    input:
        data="results/splits/{windowed}/{split}.npz",
        plan="results/windows/{windowed}/plan.tsv",
    output:
        "results/splits/{windowed}.w{window}/{split}.npz",
    wildcard_constraints:
        windowed=alternatives(WINDOWED),
        window=r"\d\d\d+",
    log:
        "results/logs/cut_window/{windowed}.w{window}/{split}.log",
    conda:
        "../../envs/vcf.yaml"
    threads: 1
    priority: INPUT_PRIORITY
    shell:
        "python -m artgen cut-window --data {input.data} --plan {input.plan}"
        " --window {wildcards.window} --out {output} 2> {log}"


ruleorder: stitch_ags > sample_ags


rule stitch_ags:
    input:
        plan="results/windows/{panel}/plan.tsv",
        models=window_models,
        like=training_split,
    output:
        npz="results/ags/{panel}/{model}.npz",
        vcf="results/ags/{panel}/{model}.vcf.gz",
        tbi="results/ags/{panel}/{model}.vcf.gz.tbi",
        hapt="results/ags/{panel}/{model}.hapt.gz",
    wildcard_constraints:
        panel=alternatives(WINDOWED),
        model=alternatives([m for m in MODELS if m not in HELD_OUT_MODELS]),
    params:
        seed=config["seed"],
    log:
        "results/logs/stitch_ags/{panel}/{model}.log",
    benchmark:
        "results/benchmarks/stitch_ags/{panel}/{model}.tsv"
    conda:
        "../../envs/models.yaml"
    threads: 1
    shell:
        "python -m artgen stitch --plan {input.plan} --model-files {input.models}"
        " --like {input.like} --seed {params.seed} --out {output.npz}"
        " --vcf-out {output.vcf} --hapt-out {output.hapt} 2> {log}"


rule boundary_ld:
    input:
        real="results/splits/{panel}/train.npz",
        ags="results/ags/{panel}/{model}.npz",
        plan="results/windows/{panel}/plan.tsv",
    output:
        metrics="results/stats/{panel}/{model}/boundary.tsv",
        table="results/stats/{panel}/{model}/boundary.table.tsv",
    wildcard_constraints:
        panel=alternatives(WINDOWED),
    params:
        seed=config["seed"],
        max_pairs=lambda wildcards: config["panels"][wildcards.panel]["ld_max_pairs"],
    log:
        "results/logs/boundary_ld/{panel}/{model}.log",
    benchmark:
        "results/benchmarks/boundary_ld/{panel}/{model}.tsv"
    conda:
        "../../envs/stats.yaml"
    threads: 1
    shell:
        "python -m artgen boundary-ld --real {input.real} --ags {input.ags} --plan {input.plan}"
        " --panel {wildcards.panel} --model {wildcards.model} --seed {params.seed}"
        " --max-pairs {params.max_pairs} --out {output.metrics} --table-out {output.table}"
        " 2> {log}"
