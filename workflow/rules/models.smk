# Train every configured generator on every panel and sample its artificial
# haplotypes (VCF + .hapt + the binary exchange format).


rule train_model:
    input:
        data=training_split,
    output:
        "results/models/{panel}/{model}.npz",
    wildcard_constraints:
        model=alternatives(CLOSED_FORM),
    params:
        generator=lambda wildcards: model_class(wildcards.model),
        settings=model_settings_args,
        phased=phased_arg(),
    log:
        "results/logs/train_model/{panel}/{model}.log",
    benchmark:
        "results/benchmarks/train_model/{panel}/{model}.tsv"
    conda:
        "../../envs/vcf.yaml"
    threads: 1
    shell:
        "python -m artgen train --model {params.generator} --data {input.data}"
        " {params.settings} {params.phased} --out {output} 2> {log}"


# Networks train for epochs: the checkpoint (not an output, so that Snakemake
# keeps it when a killed job is rerun) lets the rerun resume where it stopped.
# They choose their snapshot on the validation split, never trained on.
rule train_network:
    input:
        data=training_split,
        validation=validation_split,
        start=start_set,
    output:
        model="results/models/{panel}/{model}.npz",
        history="results/training/{panel}/{model}.tsv",
    wildcard_constraints:
        model=alternatives(NETWORKS),
    params:
        generator=lambda wildcards: model_class(wildcards.model),
        settings=model_settings_args,
        seed=config["seed"],
        checkpoint="results/checkpoints/{panel}/{model}.npz",
        start=lambda wildcards, input: f"--start-set {input.start}" if input.start else "",
        phased=phased_arg(),
    log:
        "results/logs/train_network/{panel}/{model}.log",
    benchmark:
        "results/benchmarks/train_network/{panel}/{model}.tsv"
    conda:
        "../../envs/models.yaml"
    threads: config["network_threads"]
    priority: training_priority
    shell:
        "python -m artgen train --model {params.generator} --data {input.data}"
        " --validation {input.validation}"
        " {params.settings} {params.start} {params.phased} --seed {params.seed}"
        " --threads {threads}"
        " --checkpoint {params.checkpoint} --history {output.history}"
        " --out {output.model} 2> {log}"


rule plot_training:
    input:
        "results/training/{panel}/{model}.tsv",
    output:
        "results/training/{panel}/{model}.png",
    log:
        "results/logs/plot_training/{panel}/{model}.log",
    conda:
        "../../envs/stats.yaml"
    threads: 1
    shell:
        "python -m artgen plot-training {input} --title '{wildcards.model} on the"
        " {wildcards.panel} panel' --out {output} 2> {log}"


rule sample_ags:
    input:
        model="results/models/{panel}/{model}.npz",
        like=training_split,
    output:
        npz="results/ags/{panel}/{model}.npz",
        vcf="results/ags/{panel}/{model}.vcf.gz",
        tbi="results/ags/{panel}/{model}.vcf.gz.tbi",
        hapt="results/ags/{panel}/{model}.hapt.gz",
    params:
        seed=config["seed"],
        phased=phased_arg(),
    log:
        "results/logs/sample_ags/{panel}/{model}.log",
    benchmark:
        "results/benchmarks/sample_ags/{panel}/{model}.tsv"
    conda:
        "../../envs/vcf.yaml"
    threads: 1
    shell:
        "python -m artgen sample --model-file {input.model} --like {input.like}"
        " --seed {params.seed} {params.phased} --out {output.npz} --vcf-out {output.vcf}"
        " --hapt-out {output.hapt} 2> {log}"


# Further AG sets from the same fitted model, for the statistics' medians and
# ranges over draws (draw 0 is sample_ags's); one job writes them all.
if DRAWS > 1:

    rule sample_draws:
        input:
            model="results/models/{panel}/{model}.npz",
            like=training_split,
        output:
            expand(AG_DRAW, draw=range(1, DRAWS), allow_missing=True),
        params:
            seed=config["seed"],
            phased=phased_arg(),
        log:
            "results/logs/sample_draws/{panel}/{model}.log",
        benchmark:
            "results/benchmarks/sample_draws/{panel}/{model}.tsv"
        conda:
            "../../envs/vcf.yaml"
        threads: 1
        shell:
            "python -m artgen sample --model-file {input.model} --like {input.like}"
            " --seed {params.seed} --draw 1 {params.phased} --out {output} 2> {log}"
