# Input data: the simulated built-in cohort, or VCFs and a panel file named
# in the config (downloaded if given as URLs, linked if local); without a
# panel file, every sample in one population.


if config["data"]["source"] == "simulated":

    rule simulate_contig:
        output:
            vcf="results/cohort/chr{chrom}.vcf.gz",
            tbi="results/cohort/chr{chrom}.vcf.gz.tbi",
        log:
            "results/logs/simulate_contig/chr{chrom}.log",
        benchmark:
            "results/benchmarks/simulate_contig/chr{chrom}.tsv"
        priority: INPUT_PRIORITY
        conda:
            "../../envs/cohort.yaml"
        threads: 1
        params:
            contig=cohort_contig,
            samples=cohort_samples_arg(),
            model=config["cohort"]["model"],
            seed=config["seed"],
        shell:
            "python -m artgen simulate-contig --chrom {wildcards.chrom}"
            " --left {params.contig[left]} --length {params.contig[length]}"
            " --samples {params.samples} --model {params.model} --seed {params.seed}"
            " --out {output.vcf} 2> {log}"

    rule cohort_panel_file:
        output:
            "results/cohort/samples.panel",
        log:
            "results/logs/cohort_panel_file/samples.log",
        priority: INPUT_PRIORITY
        conda:
            "../../envs/cohort.yaml"
        threads: 1
        params:
            samples=cohort_samples_arg(),
        shell:
            "python -m artgen cohort-panel --samples {params.samples} --out {output} 2> {log}"

else:

    rule fetch_vcf:
        output:
            vcf="results/data/chr{chrom}.vcf.gz",
            tbi="results/data/chr{chrom}.vcf.gz.tbi",
        log:
            "results/logs/fetch_vcf/chr{chrom}.log",
        priority: INPUT_PRIORITY
        conda:
            "../../envs/vcf.yaml"
        threads: 1
        params:
            source=vcf_source,
        shell:
            "python -m artgen fetch --vcf {params.source:q} {output.vcf} 2> {log}"


if config["data"]["source"] == "vcf" and config["data"]["panel_file"]:

    rule fetch_panel_file:
        output:
            "results/data/samples.panel",
        log:
            "results/logs/fetch_panel_file/samples.log",
        priority: INPUT_PRIORITY
        conda:
            "../../envs/vcf.yaml"
        threads: 1
        params:
            source=config["data"]["panel_file"],
        shell:
            "python -m artgen fetch {params.source:q} {output} 2> {log}"

elif config["data"]["source"] == "vcf":

    # No panel file: every sample of the data in one population.
    rule samples_panel_file:
        input:
            input_vcf(data_chromosomes()[0]),
        output:
            "results/data/samples.panel",
        log:
            "results/logs/samples_panel_file/samples.log",
        priority: INPUT_PRIORITY
        conda:
            "../../envs/vcf.yaml"
        threads: 1
        params:
            population=config["target_population"],
        shell:
            "python -m artgen samples-panel --vcf {input} --population {params.population}"
            " --out {output} 2> {log}"
