# Train every configured generator on every panel and sample its artificial
# haplotypes (VCF + .hapt + the binary exchange format).


rule train_model:
    input:
        data=training_split,
    output:
        model_file(),
    log:
        "results/logs/train_model/{panel}/{model}.log",
    benchmark:
        "results/benchmarks/train_model/{panel}/{model}.tsv"
    wildcard_constraints:
        model=alternatives(CLOSED_FORM),
    conda:
        "../../envs/vcf.yaml"
    threads: 1
    params:
        generator=generator_name,
        settings=model_settings_args,
        phased=phased_arg(),
    shell:
        "python -m artgen train --model {params.generator} --data {input.data}"
        " {params.settings} {params.phased} --out {output} 2> {log}"


# Networks train for epochs: the checkpoint (not an output, so that Snakemake
# keeps it when a killed job is rerun) lets the rerun resume where it stopped.
# They choose their snapshot on the validation split, never trained on; the
# distance attack's null there is what the sampling split's people read.
rule train_network:
    input:
        data=training_split,
        validation=validation_split(),
        reference=attack_reference,
        start=start_set,
    output:
        model=model_file(),
        history=training_history(),
    log:
        "results/logs/train_network/{panel}/{model}.log",
    benchmark:
        "results/benchmarks/train_network/{panel}/{model}.tsv"
    wildcard_constraints:
        model=alternatives(NETWORKS),
    priority: training_priority
    conda:
        "../../envs/models.yaml"
    threads: config["network_threads"]
    params:
        generator=generator_name,
        settings=model_settings_args,
        seed=config["seed"],
        checkpoint="results/checkpoints/{panel}/{model}.npz",
        start=start_set_arg,
        reference=attack_reference_arg,
        phased=phased_arg(),
    shell:
        "python -m artgen train --model {params.generator} --data {input.data}"
        " --validation {input.validation} {params.reference}"
        " {params.settings} {params.start} {params.phased} --seed {params.seed}"
        " --threads {threads}"
        " --checkpoint {params.checkpoint} --history {output.history}"
        " --out {output.model} 2> {log}"


rule plot_training:
    input:
        training_history(),
    output:
        training_history(ext="png"),
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
        model=model_file(),
        like=training_split,
    output:
        npz=ag_file(),
        vcf=ag_file(ext="vcf.gz"),
        tbi=ag_file(ext="vcf.gz.tbi"),
        hapt=ag_file(ext="hapt.gz"),
    log:
        "results/logs/sample_ags/{panel}/{model}.log",
    benchmark:
        "results/benchmarks/sample_ags/{panel}/{model}.tsv"
    conda:
        "../../envs/vcf.yaml"
    threads: 1
    params:
        seed=config["seed"],
        phased=phased_arg(),
    shell:
        "python -m artgen sample --model-file {input.model} --like {input.like}"
        " --seed {params.seed} {params.phased} --out {output.npz} --vcf-out {output.vcf}"
        " --hapt-out {output.hapt} 2> {log}"


# Further AG sets from the same fitted model, for the statistics' medians and
# ranges over draws (draw 0 is sample_ags's); one job writes them all.
if DRAWS > 1:

    rule sample_draws:
        input:
            model=model_file(),
            like=training_split,
        output:
            [ag_draw_file(draw=draw) for draw in range(1, DRAWS)],
        log:
            "results/logs/sample_draws/{panel}/{model}.log",
        benchmark:
            "results/benchmarks/sample_draws/{panel}/{model}.tsv"
        conda:
            "../../envs/vcf.yaml"
        threads: 1
        params:
            seed=config["seed"],
            phased=phased_arg(),
        shell:
            "python -m artgen sample --model-file {input.model} --like {input.like}"
            " --seed {params.seed} --draw 1 {params.phased} --out {output} 2> {log}"
