# Artificial genomes: generative models of phased haplotypes, checked by the
# statistics of Yelmen et al. 2021 (PLoS Genetics).
#
#   snakemake --cores all all                                 built-in default
#   snakemake --cores all --configfile config/paper.yaml all  1000 Genomes
#   snakemake --profile profiles/slurm all                    on a SLURM cluster

import sys

import yaml
from snakemake.exceptions import WorkflowError
from snakemake.utils import min_version, validate

sys.path.insert(0, str(Path(workflow.basedir) / "src"))
from artgen.configuration import ConfigError, check_config, schema_error_message

min_version("9.0")


# A config given with --configfile replaces the default one; to lay one over
# another, name both: --configfile config/config.yaml config/chromosome.yaml
if not workflow.overwrite_configfiles:

    configfile: "config/config.yaml"


# Full validation, each problem in one line (the key path, the value, what was
# expected) instead of the schema dump; then the checks that tie values to one
# another and to the data's populations, before any job runs.
try:
    validate(config, "config/schema.yaml")
except WorkflowError as error:
    cause = error.__context__  # the jsonschema ValidationError
    if not hasattr(cause, "absolute_path"):
        raise
    raise WorkflowError(schema_error_message(cause)) from None
try:
    with open(Path(workflow.basedir) / "config" / "schema.yaml") as schema_file:
        DATA_POPULATIONS = check_config(config, yaml.safe_load(schema_file))
except ConfigError as error:
    raise WorkflowError(str(error)) from None


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
    default_target: True
    input:
        all_targets(),
