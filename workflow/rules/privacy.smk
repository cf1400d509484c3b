# Privacy you can check: the attack sensitivity test (training haplotypes
# planted in an AG set) and the release gate that writes shareable AGs with
# their privacy card only when the configured checks hold.

PRIVACY = config["privacy"]
RELEASE = PRIVACY["release"]


if SENSITIVITY:

    rule privacy_sensitivity:
        input:
            ags=f"results/ags/{SENSITIVITY['panel']}/{SENSITIVITY['model']}.npz",
            train=f"results/splits/{SENSITIVITY['panel']}/train.npz",
            test=f"results/splits/{SENSITIVITY['panel']}/test.npz",
            reference=f"results/splits/{SENSITIVITY['panel']}/sampling.npz",
        output:
            f"results/privacy/{SENSITIVITY['panel']}/sensitivity.tsv",
        params:
            counts=" ".join(map(str, SENSITIVITY["counts"])),
            thresholds=json.dumps(RELEASE["thresholds"]),
            settings=SENSITIVITY,
            seed=config["seed"],
        log:
            f"results/logs/privacy_sensitivity/{SENSITIVITY['panel']}.log",
        benchmark:
            f"results/benchmarks/privacy_sensitivity/{SENSITIVITY['panel']}.tsv"
        conda:
            "../../envs/stats.yaml"
        threads: 1
        shell:
            "python -m artgen privacy-sensitivity --ags {input.ags} --train {input.train}"
            " --test {input.test} --reference {input.reference} --counts {params.counts}"
            " --thresholds {params.thresholds:q} --model {params.settings[model]}"
            " --panel-name {params.settings[panel]} --seed {params.seed} --out {output} 2> {log}"


# Likelihood-ratio membership inference against every model with an exact
# likelihood: its log-likelihood minus that of a model of the same kind and
# settings fitted on the sampling split (never trained on); members are
# training haplotypes, non-members the test split. Goes to the metrics table
# and gates the model's release.
rule likelihood_attack:
    input:
        model="results/models/{panel}/{model}.npz",
        train="results/splits/{panel}/train.npz",
        test="results/splits/{panel}/test.npz",
        reference="results/splits/{panel}/sampling.npz",
    output:
        "results/stats/{panel}/{model}/likelihood.tsv",
    wildcard_constraints:
        model=alternatives(LIKELIHOOD_MODELS),
    params:
        seed=config["seed"],
        phased=phased_arg(),
    log:
        "results/logs/likelihood_attack/{panel}/{model}.log",
    benchmark:
        "results/benchmarks/likelihood_attack/{panel}/{model}.tsv"
    conda:
        "../../envs/stats.yaml"
    threads: 4
    shell:
        "python -m artgen likelihood-attack --model-file {input.model} --train {input.train}"
        " --test {input.test} --reference-set {input.reference} --seed {params.seed}"
        " --threads {threads} {params.phased} --panel {wildcards.panel}"
        " --model {wildcards.model} --out {output} 2> {log}"


rule release:
    input:
        ags="results/ags/{panel}/{model}.npz",
        # the gate reads the worst of the model's AG draws
        draws=lambda wildcards: ag_draws(wildcards)[1:],
        train="results/splits/{panel}/train.npz",
        test="results/splits/{panel}/test.npz",
        reference="results/splits/{panel}/sampling.npz",
        likelihood=release_likelihood,
    output:
        vcf="results/release/{panel}/{model}.vcf.gz",
        tbi="results/release/{panel}/{model}.vcf.gz.tbi",
        hapt="results/release/{panel}/{model}.hapt.gz",
        card_json="results/release/{panel}/{model}.card.json",
        card_md=report("results/release/{panel}/{model}.card.md",
                       caption="../report/privacy_card.rst", category="4. Privacy",
                       subcategory="Privacy cards", labels={"panel": "{panel}",
                                                            "model": "{model}"}),
    params:
        settings=lambda wildcards: json.dumps(config["models"][wildcards.model]),
        thresholds=json.dumps(RELEASE["thresholds"]),
        likelihood=lambda wildcards, input: (f"--likelihood-attack {input.likelihood}"
                                             if input.likelihood else ""),
        dataset=dataset_description(),
        seed=config["seed"],
    log:
        "results/logs/release/{panel}/{model}.log",
    benchmark:
        "results/benchmarks/release/{panel}/{model}.tsv"
    conda:
        "../../envs/vcf.yaml"
    threads: 1
    shell:
        "python -m artgen release --ags {input.ags} --draws {input.draws}"
        " --train {input.train} --test {input.test}"
        " --reference {input.reference} --thresholds {params.thresholds:q}"
        " {params.likelihood} --model {wildcards.model} --settings {params.settings:q}"
        " --panel-name {wildcards.panel} --dataset {params.dataset:q} --seed {params.seed}"
        " --vcf-out {output.vcf} --hapt-out {output.hapt} --card-json {output.card_json}"
        " --card-md {output.card_md} 2> {log}"
