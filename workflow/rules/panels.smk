# SNP panels cut from the input VCFs, and the seeded splits of individuals.

# Informative panels given as a .hapt file and its legend (FROM_HAPT) are
# imported; every other panel is cut from the VCFs by build_panel, whatever
# its kind.


rule panel_from_hapt:
    input:
        unpack(panel_hapt),
        panel_file=input_panel_file(),
    output:
        npz=panel_file(),
        vcf=panel_file(ext="vcf.gz"),
        tbi=panel_file(ext="vcf.gz.tbi"),
    log:
        "results/logs/panel_from_hapt/{panel}.log",
    benchmark:
        "results/benchmarks/panel_from_hapt/{panel}.tsv"
    wildcard_constraints:
        panel=alternatives(FROM_HAPT),
    priority: INPUT_PRIORITY
    conda:
        "../../envs/vcf.yaml"
    threads: 1
    params:
        populations=populations_arg(),
        phased=phased_arg(),
    shell:
        "python -m artgen import-hapt --hapt {input.hapt} --legend {input.legend}"
        " --panel-file {input.panel_file} {params.populations} {params.phased}"
        " --out {output.npz} --vcf-out {output.vcf} 2> {log}"


rule build_panel:
    input:
        vcfs=panel_vcfs,
        panel_file=input_panel_file(),
        snp_list=panel_snp_list,
    output:
        npz=panel_file(),
        vcf=panel_file(ext="vcf.gz"),
        tbi=panel_file(ext="vcf.gz.tbi"),
    log:
        "results/logs/build_panel/{panel}.log",
    benchmark:
        "results/benchmarks/build_panel/{panel}.tsv"
    wildcard_constraints:
        panel=alternatives([p for p in PANELS if p not in FROM_HAPT]),
    priority: INPUT_PRIORITY
    conda:
        "../../envs/vcf.yaml"
    threads: 1
    params:
        args=panel_args,
        populations=populations_arg(),
        phased=phased_arg(),
    shell:
        "python -m artgen build-panel {params.args} --panel-file {input.panel_file}"
        " {params.populations} {params.phased} --out {output.npz} --vcf-out {output.vcf}"
        " 2> {log}"


rule make_splits:
    input:
        panel_file=input_panel_file(),
    output:
        "results/splits.tsv",
    log:
        "results/logs/make_splits/splits.log",
    priority: INPUT_PRIORITY
    conda:
        "../../envs/vcf.yaml"
    threads: 1
    params:
        settings=config["splits"],
        populations=populations_arg(),
        target=config["target_population"],
        seed=config["seed"],
    shell:
        "python -m artgen make-splits --panel-file {input.panel_file} {params.populations}"
        " --target {params.target} --seed {params.seed}"
        " --n-impute-targets {params.settings[n_impute_targets]}"
        " --sampling-fraction {params.settings[sampling_fraction]}"
        " --test-fraction {params.settings[test_fraction]}"
        " --validation-fraction {params.settings[validation_fraction]}"
        " --out {output} 2> {log}"


rule apply_split:
    input:
        panel=panel_file(),
        splits="results/splits.tsv",
    output:
        split_file(),
    log:
        "results/logs/apply_split/{panel}/{split}.log",
    wildcard_constraints:
        panel="|".join(PANELS),
    priority: INPUT_PRIORITY
    conda:
        "../../envs/vcf.yaml"
    threads: 1
    params:
        populations=split_populations_arg,
    shell:
        "python -m artgen apply-split --panel {input.panel} --splits {input.splits}"
        " --split {wildcards.split} {params.populations} --out {output} 2> {log}"
