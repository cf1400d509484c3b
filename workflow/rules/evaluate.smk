# Statistics of every (panel, model): every family in one job (the data read
# and the imports paid once), each family to its own files; and the metrics table.


rule statistics:
    input:
        real=train_split(),
        ags=ag_draws,
        held_out=held_out_split,
        fidelity=test_split(),
        start=start_set,
    output:
        metrics=[metrics_file(family=family) for family in FAMILIES],
        tables=[table_file(family=family) for family in FAMILIES],
    log:
        "results/logs/statistics/{panel}/{model}.log",
    benchmark:
        "results/benchmarks/statistics/{panel}/{model}.tsv"
    conda:
        "../../envs/stats.yaml"
    threads: statistics_threads
    params:
        families=" ".join(FAMILIES),
        out_dir=stats_dir(),
        seed=config["seed"],
        # as many halvings of the test split as AG draws, for every row
        halvings=DRAWS,
        settings=evaluation_args,
        start=start_set_arg,
    shell:
        "python -m artgen stats {params.families} --real {input.real} --ags {input.ags}"
        " --held-out {input.held_out} --held-out-fidelity {input.fidelity} {params.start}"
        " --panel {wildcards.panel} --model {wildcards.model} --seed {params.seed}"
        " --halvings {params.halvings}"
        " {params.settings} --out-dir {params.out_dir} 2> {log}"


rule metrics_table:
    input:
        metric_files(),
    output:
        table="results/metrics.tsv",
        summary="results/metrics.md",
        html=report(
            "results/metrics.html",
            caption="../report/metrics.rst",
            category="0. Metrics",
        ),
    log:
        "results/logs/metrics_table/metrics.log",
    conda:
        "../../envs/stats.yaml"
    threads: 1
    params:
        targets=verdict_args(),
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
    log:
        "results/logs/panel_metrics_table/{panel}.log",
    wildcard_constraints:
        panel="|".join(PANELS),
    conda:
        "../../envs/stats.yaml"
    threads: 1
    params:
        targets=verdict_args(),
    shell:
        "python -m artgen metrics-table {input} --out {output.table}"
        " --summary {output.summary} {params.targets} 2> {log}"
