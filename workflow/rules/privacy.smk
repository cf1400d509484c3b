# Privacy you can check: the attack sensitivity test (training haplotypes
# planted in an AG set) and the release gate that writes shareable AGs with
# their privacy card only when the configured checks hold.

PRIVACY = config["privacy"]
SENSITIVITY = PRIVACY["sensitivity"]
RELEASE = PRIVACY["release"]


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


rule release:
    input:
        ags="results/ags/{panel}/{model}.npz",
        train="results/splits/{panel}/train.npz",
        test="results/splits/{panel}/test.npz",
        reference="results/splits/{panel}/sampling.npz",
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
        "python -m artgen release --ags {input.ags} --train {input.train} --test {input.test}"
        " --reference {input.reference} --thresholds {params.thresholds:q}"
        " --model {wildcards.model} --settings {params.settings:q}"
        " --panel-name {wildcards.panel} --dataset {params.dataset:q} --seed {params.seed}"
        " --vcf-out {output.vcf} --hapt-out {output.hapt} --card-json {output.card_json}"
        " --card-md {output.card_md} 2> {log}"
