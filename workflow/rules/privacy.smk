# Privacy you can check: the attack sensitivity test (training haplotypes
# planted in an AG set) and the release gate that writes shareable AGs with
# their privacy card only when the configured checks hold.

PRIVACY = config["privacy"]
RELEASE = PRIVACY["release"]


if SENSITIVITY:

    rule privacy_sensitivity:
        input:
            ags=ag_file(SENSITIVITY["panel"], SENSITIVITY["model"]),
            train=train_split(SENSITIVITY["panel"]),
            test=test_split(SENSITIVITY["panel"]),
            reference=sampling_split(SENSITIVITY["panel"]),
        output:
            f"results/privacy/{SENSITIVITY['panel']}/sensitivity.tsv",
        log:
            f"results/logs/privacy_sensitivity/{SENSITIVITY['panel']}.log",
        benchmark:
            f"results/benchmarks/privacy_sensitivity/{SENSITIVITY['panel']}.tsv"
        conda:
            "../../envs/stats.yaml"
        threads: 1
        params:
            counts=" ".join(map(str, SENSITIVITY["counts"])),
            thresholds=json.dumps(RELEASE["thresholds"]),
            settings=SENSITIVITY,
            seed=config["seed"],
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
        model=model_file(),
        train=train_split(),
        test=test_split(),
        reference=sampling_split(),
    output:
        metrics_file(family="likelihood"),
    log:
        "results/logs/likelihood_attack/{panel}/{model}.log",
    benchmark:
        "results/benchmarks/likelihood_attack/{panel}/{model}.tsv"
    wildcard_constraints:
        model=alternatives(LIKELIHOOD_MODELS),
    conda:
        "../../envs/stats.yaml"
    threads: 4
    params:
        seed=config["seed"],
        phased=phased_arg(),
    shell:
        "python -m artgen likelihood-attack --model-file {input.model} --train {input.train}"
        " --test {input.test} --reference-set {input.reference} --seed {params.seed}"
        " --threads {threads} {params.phased} --panel {wildcards.panel}"
        " --model {wildcards.model} --out {output} 2> {log}"


rule release:
    input:
        ags=ag_file(),
        # the gate reads the worst of the model's AG draws
        draws=further_draws,
        train=train_split(),
        test=test_split(),
        reference=sampling_split(),
        start=start_set,
        likelihood=release_likelihood,
    output:
        vcf="results/release/{panel}/{model}.vcf.gz",
        tbi="results/release/{panel}/{model}.vcf.gz.tbi",
        hapt="results/release/{panel}/{model}.hapt.gz",
        card_json="results/release/{panel}/{model}.card.json",
        card_md=report(
            "results/release/{panel}/{model}.card.md",
            caption="../report/privacy_card.rst",
            category="4. Privacy",
            subcategory="Privacy cards",
            labels={"panel": "{panel}", "model": "{model}"},
        ),
    log:
        "results/logs/release/{panel}/{model}.log",
    benchmark:
        "results/benchmarks/release/{panel}/{model}.tsv"
    conda:
        "../../envs/vcf.yaml"
    threads: 1
    params:
        settings=model_settings_json,
        thresholds=json.dumps(RELEASE["thresholds"]),
        likelihood=likelihood_attack_arg,
        dataset=dataset_description(),
        seed=config["seed"],
        start=start_set_arg,
        top_up="--top-up" if RELEASE["top_up"] else "",
    shell:
        "python -m artgen release --ags {input.ags} --draws {input.draws} {params.top_up}"
        " --train {input.train} --test {input.test}"
        " --reference {input.reference} {params.start} --thresholds {params.thresholds:q}"
        " {params.likelihood} --model {wildcards.model} --settings {params.settings:q}"
        " --panel-name {wildcards.panel} --dataset {params.dataset:q} --seed {params.seed}"
        " --vcf-out {output.vcf} --hapt-out {output.hapt} --card-json {output.card_json}"
        " --card-md {output.card_md} 2> {log}"
