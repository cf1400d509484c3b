# Train every configured generator on every panel and sample its artificial
# haplotypes (VCF + .hapt + the binary exchange format).


rule train_model:
    input:
        data=training_split,
    output:
        "results/models/{panel}/{model}.npz",
    params:
        settings=model_settings_args,
    log:
        "results/logs/train_model/{panel}/{model}.log",
    benchmark:
        "results/benchmarks/train_model/{panel}/{model}.tsv"
    conda:
        "../../envs/vcf.yaml"
    threads: 1
    shell:
        "python -m artgen train --model {wildcards.model} --data {input.data}"
        " {params.settings} --out {output} 2> {log}"


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
    log:
        "results/logs/sample_ags/{panel}/{model}.log",
    conda:
        "../../envs/vcf.yaml"
    threads: 1
    shell:
        "python -m artgen sample --model-file {input.model} --like {input.like}"
        " --seed {params.seed} --out {output.npz} --vcf-out {output.vcf}"
        " --hapt-out {output.hapt} 2> {log}"
