# Artificial genomes: generative models of phased haplotypes, checked by the
# statistics of Yelmen et al. 2021 (PLoS Genetics).
#
#   snakemake --cores all all                                 built-in default
#   snakemake --cores all --configfile config/paper.yaml all  1000 Genomes
#   snakemake --profile profiles/slurm all                    on a SLURM cluster

from snakemake.utils import min_version, validate

min_version("9.0")


configfile: "config/config.yaml"


validate(config, "config/schema.yaml")


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/cohort.smk"
include: "workflow/rules/panels.smk"
include: "workflow/rules/models.smk"
include: "workflow/rules/windows.smk"
include: "workflow/rules/evaluate.smk"
include: "workflow/rules/selection.smk"
include: "workflow/rules/imputation.smk"
include: "workflow/rules/compare.smk"
include: "workflow/rules/privacy.smk"
include: "workflow/rules/figures.smk"


rule all:
    input:
        all_targets(),
    default_target: True
