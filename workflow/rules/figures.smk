# One rule per figure of the registry (artgen.figures.registry): each writes
# results/figures/<name>.pdf and .png with `artgen figure <name>`, from the
# outputs it needs, with its caption workflow/report/<name>.rst and its report
# category. The registry says what each figure reads and which options it
# takes; figure_plan (common.smk) turns them into this configuration's paths
# and values. A figure whose panel, inputs or needs this configuration lacks
# is not drawn.

# name: (inputs, options, report category)
FIGURES = {
    name: (*plan, spec.category)
    for name, spec in REGISTERED.items()
    if (plan := figure_plan(spec)) is not None
}

for _name, (_inputs, _options, _category) in FIGURES.items():

    rule:
        name:
            _name
        input:
            **_inputs,
        output:
            pdf=f"results/figures/{_name}.pdf",
            png=report(
                f"results/figures/{_name}.png",
                caption=f"../report/{_name}.rst",
                category=_category,
            ),
        log:
            f"results/logs/figures/{_name}.log",
        benchmark:
            f"results/benchmarks/figures/{_name}.tsv"
        conda:
            "../../envs/stats.yaml"
        threads: 1
        params:
            name=_name,
            args=figure_args(_inputs, _options),
        shell:
            "python -m artgen figure {params.name} {params.args}"
            " --pdf {output.pdf} --png {output.png} 2> {log}"
