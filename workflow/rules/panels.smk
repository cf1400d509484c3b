# SNP panels cut from the input VCFs, and the seeded splits of individuals.

INFORMATIVE = config["panels"]["informative"]


if INFORMATIVE.get("hapt"):

    rule informative_panel_from_hapt:
        input:
            hapt=INFORMATIVE["hapt"]["hapt"],
            legend=INFORMATIVE["hapt"]["legend"],
            panel_file=input_panel_file(),
        output:
            npz="results/panels/informative.npz",
            vcf="results/panels/informative.vcf.gz",
            tbi="results/panels/informative.vcf.gz.tbi",
        params:
            populations=populations_arg(),
            phased=phased_arg(),
        log:
            "results/logs/informative_panel/informative.log",
        conda:
            "../../envs/vcf.yaml"
        threads: 1
        shell:
            "python -m artgen import-hapt --hapt {input.hapt} --legend {input.legend}"
            " --panel-file {input.panel_file} {params.populations} {params.phased}"
            " --out {output.npz} --vcf-out {output.vcf} 2> {log}"

else:

    rule informative_panel:
        input:
            vcfs=informative_vcfs,
            panel_file=input_panel_file(),
            snp_list=INFORMATIVE["snp_list"] or [],
        output:
            npz="results/panels/informative.npz",
            vcf="results/panels/informative.vcf.gz",
            tbi="results/panels/informative.vcf.gz.tbi",
        params:
            vcfs=vcf_args(informative_chromosomes()),
            populations=populations_arg(),
            phased=phased_arg(),
            selection=(
                f"--snp-list {INFORMATIVE['snp_list']}"
                if INFORMATIVE["snp_list"]
                else f"--min-maf {INFORMATIVE['min_maf']} --min-distance {INFORMATIVE['min_distance']}"
                f" --group-by {INFORMATIVE['group_by']}"
            ),
            n_snps=INFORMATIVE["n_snps"],
        log:
            "results/logs/informative_panel/informative.log",
        benchmark:
            "results/benchmarks/informative_panel/informative.tsv"
        conda:
            "../../envs/vcf.yaml"
        threads: 1
        shell:
            "python -m artgen build-panel informative --vcf {params.vcfs}"
            " --panel-file {input.panel_file} {params.populations} {params.phased}"
            " --n-snps {params.n_snps} {params.selection}"
            " --out {output.npz} --vcf-out {output.vcf} 2> {log}"


rule dense_panel:
    input:
        vcf=input_vcf(config["panels"]["dense"]["chrom"]),
        panel_file=input_panel_file(),
    output:
        npz="results/panels/dense.npz",
        vcf="results/panels/dense.vcf.gz",
        tbi="results/panels/dense.vcf.gz.tbi",
    params:
        settings=config["panels"]["dense"],
        populations=populations_arg(),
        phased=phased_arg(),
    log:
        "results/logs/dense_panel/dense.log",
    benchmark:
        "results/benchmarks/dense_panel/dense.tsv"
    conda:
        "../../envs/vcf.yaml"
    threads: 1
    shell:
        "python -m artgen build-panel dense --vcf {params.settings[chrom]}={input.vcf}"
        " --panel-file {input.panel_file} {params.populations} {params.phased}"
        " --start {params.settings[start]} --n-snps {params.settings[n_snps]}"
        " --min-maf {params.settings[min_maf]}"
        " --out {output.npz} --vcf-out {output.vcf} 2> {log}"


rule dispersed_panel:
    input:
        vcf=input_vcf(config["panels"]["dispersed"]["chrom"]),
        panel_file=input_panel_file(),
    output:
        npz="results/panels/dispersed.npz",
        vcf="results/panels/dispersed.vcf.gz",
        tbi="results/panels/dispersed.vcf.gz.tbi",
    params:
        settings=config["panels"]["dispersed"],
        populations=populations_arg(),
        phased=phased_arg(),
    log:
        "results/logs/dispersed_panel/dispersed.log",
    benchmark:
        "results/benchmarks/dispersed_panel/dispersed.tsv"
    conda:
        "../../envs/vcf.yaml"
    threads: 1
    shell:
        "python -m artgen build-panel dispersed --vcf {params.settings[chrom]}={input.vcf}"
        " --panel-file {input.panel_file} {params.populations} {params.phased}"
        " --n-snps {params.settings[n_snps]} --min-maf {params.settings[min_maf]}"
        " --out {output.npz} --vcf-out {output.vcf} 2> {log}"


if "chromosome" in config["panels"]:

    rule chromosome_panel:
        input:
            vcf=input_vcf(config["panels"]["chromosome"]["chrom"]),
            panel_file=input_panel_file(),
        output:
            npz="results/panels/chromosome.npz",
            vcf="results/panels/chromosome.vcf.gz",
            tbi="results/panels/chromosome.vcf.gz.tbi",
        params:
            chrom=config["panels"]["chromosome"]["chrom"],
            min_maf=config["panels"]["chromosome"]["min_maf"],
            region=" ".join(f"--{key} {config['panels']['chromosome'][key]}"
                            for key in ("start", "end")
                            if config["panels"]["chromosome"][key] is not None),
            populations=populations_arg(),
            phased=phased_arg(),
        log:
            "results/logs/chromosome_panel/chromosome.log",
        benchmark:
            "results/benchmarks/chromosome_panel/chromosome.tsv"
        conda:
            "../../envs/vcf.yaml"
        threads: 1
        shell:
            "python -m artgen build-panel chromosome --vcf {params.chrom}={input.vcf}"
            " --panel-file {input.panel_file} {params.populations} {params.phased}"
            " {params.region} --min-maf {params.min_maf}"
            " --out {output.npz} --vcf-out {output.vcf} 2> {log}"


rule make_splits:
    input:
        panel_file=input_panel_file(),
    output:
        "results/splits.tsv",
    params:
        settings=config["splits"],
        populations=populations_arg(),
        target=config["target_population"],
        seed=config["seed"],
    log:
        "results/logs/make_splits/splits.log",
    conda:
        "../../envs/vcf.yaml"
    threads: 1
    shell:
        "python -m artgen make-splits --panel-file {input.panel_file} {params.populations}"
        " --target {params.target} --seed {params.seed}"
        " --n-impute-targets {params.settings[n_impute_targets]}"
        " --sampling-fraction {params.settings[sampling_fraction]}"
        " --test-fraction {params.settings[test_fraction]}"
        " --out {output} 2> {log}"


rule apply_split:
    input:
        panel="results/panels/{panel}.npz",
        splits="results/splits.tsv",
    output:
        "results/splits/{panel}/{split}.npz",
    wildcard_constraints:
        panel="|".join(PANELS),
    params:
        populations=split_populations_arg,
    log:
        "results/logs/apply_split/{panel}/{split}.log",
    conda:
        "../../envs/vcf.yaml"
    threads: 1
    shell:
        "python -m artgen apply-split --panel {input.panel} --splits {input.splits}"
        " --split {wildcards.split} {params.populations} --out {output} 2> {log}"
