# Statistics of every (panel, model): every family in one job (the data read
# and the imports paid once), each family to its own files; and the metrics table.


rule statistics:
    input:
        real="results/splits/{panel}/train.npz",
        ags=ag_draws,
        held_out=held_out_split,
        fidelity="results/splits/{panel}/test.npz",
    output:
        metrics=expand("results/stats/{{panel}}/{{model}}/{family}.tsv", family=FAMILIES),
        tables=expand("results/stats/{{panel}}/{{model}}/{family}.table.tsv", family=FAMILIES),
    params:
        families=" ".join(FAMILIES),
        out_dir=lambda wildcards: f"results/stats/{wildcards.panel}/{wildcards.model}",
        seed=config["seed"],
        settings=evaluation_args,
    log:
        "results/logs/statistics/{panel}/{model}.log",
    benchmark:
        "results/benchmarks/statistics/{panel}/{model}.tsv"
    conda:
        "../../envs/stats.yaml"
    # One core each (two models' statistics side by side on two cores); a
    # windowed panel's, at chromosome scale, take two.
    threads: lambda wildcards: 2 if wildcards.panel in WINDOWED else 1
    shell:
        "python -m artgen stats {params.families} --real {input.real} --ags {input.ags}"
        " --held-out {input.held_out} --held-out-fidelity {input.fidelity}"
        " --panel {wildcards.panel} --model {wildcards.model} --seed {params.seed}"
        " {params.settings} --out-dir {params.out_dir} 2> {log}"


rule metrics_table:
    input:
        metric_files(),
    output:
        table="results/metrics.tsv",
        summary="results/metrics.md",
        html=report("results/metrics.html", caption="../report/metrics.rst",
                    category="0. Metrics"),
    params:
        targets=verdict_args(),
    log:
        "results/logs/metrics_table/metrics.log",
    conda:
        "../../envs/stats.yaml"
    threads: 1
    shell:
        "python -m artgen metrics-table {input} --out {output.table}"
        " --summary {output.summary} --html {output.html} {params.targets} 2> {log}"


# The metrics of one panel alone (a chromosome run need not wait for the rest).
rule panel_metrics_table:
    input:
        panel_metric_files,
    output:
        table="results/metrics/{panel}.tsv",
        summary="results/metrics/{panel}.md",
    wildcard_constraints:
        panel="|".join(PANELS),
    params:
        targets=verdict_args(),
    log:
        "results/logs/panel_metrics_table/{panel}.log",
    conda:
        "../../envs/stats.yaml"
    threads: 1
    shell:
        "python -m artgen metrics-table {input} --out {output.table}"
        " --summary {output.summary} {params.targets} 2> {log}"
