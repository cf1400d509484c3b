# Named input functions, target lists and wildcard constraints shared by the
# rules. Rules call `python -m artgen` (the package's CLI); the package is
# found through PYTHONPATH, so it need not be installed in a rule's conda env.
# What the rules need to know about a generator comes from the light
# registry: importing the generators would load TensorFlow on every parse.

import json
import shlex

from artgen.configuration import base_panel, model_settings, panel_kind, panels_of_kind
from artgen.evaluate import FAMILIES
from artgen.figures.registry import FIGURES as REGISTERED
from artgen.model_registry import has_capability, has_snapshots, is_iterative
from artgen.splits import SPLIT_NAMES
from artgen.windows import window_name

# Panels by name; each has a kind (informative, dense, dispersed, chromosome).
PANELS = list(config["panels"])
MODELS = list(config["models"])
# Panels cut into windows: each (window, model) is trained as its own job and
# the AGs are stitched across the windows (workflow/rules/windows.smk).
WINDOWED = panels_of_kind(config, "chromosome")
WHOLE = [p for p in PANELS if p not in WINDOWED]
DRAWS = config["evaluation"]["draws"]


# Paths of the workflow's files, each written once here. Called without a
# panel or model, a helper gives the pattern ("{panel}", "{model}") that a
# rule's wildcards or expand() fill in.
def panel_file(panel="{panel}", ext="npz"):
    return f"results/panels/{panel}.{ext}"


def split_file(panel="{panel}", split="{split}"):
    return f"results/splits/{panel}/{split}.npz"


def train_split(panel="{panel}"):
    return split_file(panel, "train")


def test_split(panel="{panel}"):
    return split_file(panel, "test")


def validation_split(panel="{panel}"):
    return split_file(panel, "validation")


def sampling_split(panel="{panel}"):
    return split_file(panel, "sampling")


def impute_target_split(panel="{panel}"):
    return split_file(panel, "impute_target")


def window_plan(panel="{panel}"):
    return f"results/windows/{panel}/plan.tsv"


def model_file(panel="{panel}", model="{model}"):
    return f"results/models/{panel}/{model}.npz"


def training_history(panel="{panel}", model="{model}", ext="tsv"):
    return f"results/training/{panel}/{model}.{ext}"


def ag_file(panel="{panel}", model="{model}", ext="npz"):
    """Draw 0 of a model's AGs, the set every output but the statistics' uses."""
    return f"results/ags/{panel}/{model}.{ext}"


def ag_draw_file(panel="{panel}", model="{model}", draw="{draw}"):
    """A further AG draw of one fitted model (evaluation.draws)."""
    return f"results/ags/{panel}/draws/{model}.{draw}.npz"


def stats_dir(panel="{panel}", model="{model}"):
    return f"results/stats/{panel}/{model}"


def metrics_file(panel="{panel}", model="{model}", family="{family}"):
    """The tidy metrics (``panel model seed metric value``) of one family."""
    return f"{stats_dir(panel, model)}/{family}.tsv"


def table_file(panel="{panel}", model="{model}", family="{family}"):
    """The table one family's figures draw from."""
    return f"{stats_dir(panel, model)}/{family}.table.tsv"


def panel_models(panel):
    """The configured models trained on ``panel`` (its ``models`` list, or all)."""
    chosen = config["panels"][panel].get("models") or MODELS
    unknown = [m for m in chosen if m not in MODELS]
    if unknown:
        raise ValueError(
            f"panels.{panel}.models names {', '.join(unknown)}, which the "
            f"config's models section lacks (it has {', '.join(MODELS)})"
        )
    return chosen


def expand_models(pattern, panels, models=None, **wildcards):
    """``expand`` over each panel's own models (those of ``models`` it trains)."""
    return [
        path
        for panel in panels
        for path in expand(
            pattern,
            panel=panel,
            model=[m for m in panel_models(panel) if models is None or m in models],
            **wildcards,
        )
    ]


def model_class(name):
    """The generator behind a configured model: its "model" setting, or its name."""
    return config["models"][name].get("model", name)


def generator_name(wildcards):
    return model_class(wildcards.model)


# The held-out reference ("test"): real haplotypes, never windowed.
HELD_OUT_MODELS = [m for m in MODELS if model_class(m) == "test"]
# Models trained in iterations (checkpoint, history, several threads) and the rest.
NETWORKS = [m for m in MODELS if is_iterative(model_class(m))]
CLOSED_FORM = [m for m in MODELS if m not in NETWORKS]
# Those whose history holds AATS snapshots over epochs (the GAN, the RBM; the
# hidden-Markov generator's holds log-likelihoods per EM iteration instead).
SNAPSHOT_NETWORKS = [m for m in NETWORKS if has_snapshots(model_class(m))]


def generator_has(name, capability):
    """Whether the generator behind configured model ``name`` has ``capability``
    (``log_likelihood``: an exact likelihood; ``allele_probabilities``: an imputer).
    A downstream list may name a model the config does not train: it has none."""
    return name in config["models"] and has_capability(model_class(name), capability)


# Models with an exact likelihood: the likelihood-ratio membership attack.
LIKELIHOOD_MODELS = [m for m in MODELS if generator_has(m, "log_likelihood")]


def alternatives(names):
    """A wildcard pattern matching exactly ``names`` (nothing when empty)."""
    return "|".join(names) if names else "(?!)"


# Jobs find the package's source through PYTHONPATH (strict mode kept as
# Snakemake's default prefix has it).
shell.prefix(
    "set -euo pipefail; export PYTHONPATH="
    f"{shlex.quote(str(Path(workflow.basedir) / 'src'))}${{{{PYTHONPATH:+:$PYTHONPATH}}}}; "
)


wildcard_constraints:
    chrom=r"[^/.]+",
    # a panel, or one window of a windowed panel ("chromosome.w003")
    panel="|".join(WHOLE + [rf"{p}(?:\.w\d\d\d+)?" for p in WINDOWED]),
    split="|".join(SPLIT_NAMES),
    model="|".join(MODELS),


def data_chromosomes():
    """Chromosomes of the input data, in configuration order."""
    if config["data"]["source"] == "simulated":
        return [contig["chrom"] for contig in config["cohort"]["contigs"]]
    return list(config["data"]["vcf"])


def input_vcf(chrom):
    """The bgzipped, indexed VCF of one chromosome, under results/."""
    if chrom not in data_chromosomes():
        raise ValueError(f"chromosome {chrom} is not in the configured data")
    folder = "cohort" if config["data"]["source"] == "simulated" else "data"
    return f"results/{folder}/chr{chrom}.vcf.gz"


def input_panel_file():
    """The panel file (sample pop super_pop) of the input data."""
    folder = "cohort" if config["data"]["source"] == "simulated" else "data"
    return f"results/{folder}/samples.panel"


def cohort_contig(wildcards):
    """The cohort contig a simulation job writes."""
    for contig in config["cohort"]["contigs"]:
        if contig["chrom"] == wildcards.chrom:
            return contig
    raise ValueError(f"chromosome {wildcards.chrom} is not a cohort contig")


def cohort_samples_arg():
    return " ".join(f"{pop}={n}" for pop, n in config["cohort"]["samples"].items())


def vcf_source(wildcards):
    return config["data"]["vcf"][wildcards.chrom]


def panel_chromosomes(panel):
    """The chromosomes a panel is cut from: its chrom, or for an informative
    panel its chromosomes (all of the data when it names none)."""
    settings = config["panels"][panel]
    if panel_kind(config, panel) == "informative":
        return settings.get("chromosomes") or data_chromosomes()
    return [settings["chrom"]]


# Informative panels given as a .hapt file and its legend.
FROM_HAPT = [
    p for p in panels_of_kind(config, "informative") if config["panels"][p]["hapt"]
]


def panel_hapt(wildcards):
    """The .hapt file and legend of an informative panel given as such."""
    return config["panels"][wildcards.panel]["hapt"]


def panel_snp_list(wildcards):
    """The legend of an informative panel's SNPs, when it names one."""
    return config["panels"][wildcards.panel].get("snp_list") or []


def panel_vcfs(wildcards):
    return [input_vcf(c) for c in panel_chromosomes(wildcards.panel)]


def informative_panel_args(settings):
    """SNPs named by a list, or ranked by F_ST at a least distance apart."""
    if settings["snp_list"]:
        return [f"--snp-list {settings['snp_list']}"]
    return [
        f"--min-maf {settings['min_maf']}",
        f"--min-distance {settings['min_distance']}",
        f"--group-by {settings['group_by']}",
    ]


def maf_panel_args(settings):
    """SNPs of one chromosome above a minor allele frequency."""
    return [f"--min-maf {settings['min_maf']}"]


# What build-panel takes of each panel kind's own settings, beside the VCFs
# and the extent (n_snps, start, end) that every kind may set: a new kind is
# a new entry here (and in the schema), not a new rule.
PANEL_KIND_ARGS = {
    "informative": informative_panel_args,
    "dense": maf_panel_args,
    "dispersed": maf_panel_args,
    "chromosome": maf_panel_args,
}


def panel_args(wildcards):
    """``build-panel`` arguments of a panel: its kind, VCFs and settings."""
    panel = wildcards.panel
    kind, settings = panel_kind(config, panel), config["panels"][panel]
    vcfs = " ".join(f"{c}={input_vcf(c)}" for c in panel_chromosomes(panel))
    args = [kind, f"--vcf {vcfs}", *PANEL_KIND_ARGS[kind](settings)]
    args += [
        f"--{key.replace('_', '-')} {settings[key]}"
        for key in ("n_snps", "start", "end")
        if settings.get(key) is not None
    ]
    return " ".join(args)


def populations_arg():
    pops = config["populations"]
    return f"--populations {' '.join(pops)}" if pops else ""


def phased_arg():
    return "" if config["data"]["phased"] else "--unphased"


def split_populations_arg(wildcards):
    """``--populations ...`` when the panel's models learn some populations only."""
    chosen = config["panels"][wildcards.panel].get("train_populations")
    return f"--populations {' '.join(chosen)}" if chosen else ""


def ag_files(panel, models):
    """The AG sets (.npz) of ``models`` on ``panel``."""
    return [ag_file(panel, m) for m in models]


def ag_args(panel, models):
    """``MODEL=PATH ...`` arguments naming the AG sets of ``models`` on ``panel``."""
    return " ".join(f"{m}={path}" for m, path in zip(models, ag_files(panel, models)))


def panel_outputs():
    return expand(panel_file(ext="{ext}"), panel=PANELS, ext=["npz", "vcf.gz"])


def split_outputs():
    return expand(split_file(), panel=PANELS, split=SPLIT_NAMES)


def training_split(wildcards):
    """What a model is fitted on: the train split, or for the "test" reference
    the held-out test split (real haplotypes never trained on)."""
    split = "test" if model_class(wildcards.model) == "test" else "train"
    return split_file(wildcards.panel, split)


def start_set(wildcards):
    """Real haplotypes that start the sampling chains of a model whose
    ``start`` setting on this panel is "sampling": the sampling split, never
    trained on."""
    settings = model_settings(config, wildcards.model, wildcards.panel)
    if settings.get("start") == "sampling":
        return sampling_split(wildcards.panel)
    return []


def start_set_arg(wildcards, input):
    return f"--start-set {input.start}" if input.start else ""


def attack_reference(wildcards):
    """Real haplotypes in neither the training nor the validation split, on
    which a model that chooses its snapshot reads the distance attack's null:
    the sampling split, where the splits hold one."""
    if (
        has_snapshots(model_class(wildcards.model))
        and config["splits"]["sampling_fraction"] > 0
    ):
        return sampling_split(wildcards.panel)
    return []


def attack_reference_arg(wildcards, input):
    return f"--attack-reference {input.reference}" if input.reference else ""


# Input data, panels, splits and windows come first: every training waits on
# them, and a training's priority (below) would otherwise hold them back.
INPUT_PRIORITY = 10**12


def training_priority(wildcards):
    """A training job's rough cost (epochs x SNPs), its scheduling priority:
    the longest trainings start first and the short jobs fill the cores
    around them, instead of the longest one starting last and running alone."""
    settings = model_settings(config, wildcards.model, wildcards.panel)
    panel = config["panels"][base_panel(wildcards.panel)]
    n_snps = panel.get("n_snps") or panel.get("window_snps") or 1  # a window's at most
    return settings.get("epochs", 1) * n_snps


def model_settings_json(wildcards):
    """A model's own configured settings, for its privacy card."""
    return json.dumps(config["models"][wildcards.model])


def model_settings_args(wildcards):
    """``--set KEY=VALUE ...`` for the CLI (values as JSON, which is YAML)."""
    settings = model_settings(config, wildcards.model, wildcards.panel)
    if not settings:
        return ""
    return "--set " + " ".join(
        shlex.quote(f"{k}={json.dumps(v)}") for k, v in settings.items()
    )


def ag_outputs():
    return expand_models(ag_file(ext="{ext}"), PANELS, ext=["npz", "vcf.gz", "hapt.gz"])


def ag_draws(wildcards):
    """The AG sets whose statistics are computed: draw 0 (the AGs every other
    output uses), then the further draws of ``evaluation.draws`` from the same
    fitted model. The test split is one set, and a windowed panel's AGs are
    stitched once."""
    first = ag_file(wildcards.panel, wildcards.model)
    if wildcards.panel in WINDOWED or model_class(wildcards.model) == "test":
        return [first]
    return [first] + [
        ag_draw_file(wildcards.panel, wildcards.model, draw) for draw in range(1, DRAWS)
    ]


def further_draws(wildcards):
    """The AG draws beyond draw 0 (none for a set drawn once)."""
    return ag_draws(wildcards)[1:]


def verdict_args():
    """metrics-table's verdict criteria from ``evaluation.targets``."""
    targets = config["evaluation"]["targets"]
    return " ".join(
        f"--{key.replace('_', '-')} {'none' if value is None else value}"
        for key, value in targets.items()
    )


def held_out_split(wildcards):
    """Real haplotypes the AGs are compared with for privacy: the test split,
    or for the "test" reference (whose AGs are the test split) the sampling
    split. (The held-out fidelity family halves the test split for every row.)"""
    split = "sampling" if model_class(wildcards.model) == "test" else "test"
    return split_file(wildcards.panel, split)


def umap_panels():
    """The panels whose statistics include the UMAP embedding (never a
    windowed one: too slow at its size)."""
    chosen = config["evaluation"]["umap"]
    return [p for p in WHOLE if chosen is True or (chosen and p in chosen)]


def evaluation_args(wildcards):
    """Options of the statistics of one panel: a windowed panel's LD on pairs
    within a distance (a sample of them) and no UMAP (too slow at its size)."""
    settings = config["evaluation"]
    umap = wildcards.panel in umap_panels()
    args = (
        f"--n-triplets {settings['n_triplets']} --wasserstein-reg {settings['wasserstein_reg']}"
        f" --ld-decay-bins {settings['ld_decay_bins']}{'' if umap else ' --no-umap'}"
    )
    if wildcards.panel in WINDOWED:
        panel = config["panels"][wildcards.panel]
        args += (
            f" --ld-max-distance {panel['ld_max_distance']}"
            f" --ld-max-pairs {panel['ld_max_pairs']}"
        )
    return args


def statistics_threads(wildcards):
    """One core for a panel's statistics (two models' side by side on two
    cores); a windowed panel's, at chromosome scale, take two."""
    return 2 if wildcards.panel in WINDOWED else 1


def window_args(wildcards):
    """``plan-windows`` options from the windowed panel's settings."""
    settings = config["panels"][wildcards.panel]
    return " ".join(
        f"--{key.replace('_', '-')} {settings[key]}"
        for key in ("window_snps", "overlap_snps", "ld_tolerance")
    )


def ld_max_pairs(wildcards):
    return config["panels"][wildcards.panel]["ld_max_pairs"]


def boundary_files(panels=None):
    """LD across the window seams of the AG sets of windowed panels."""
    return expand_models(
        metrics_file(family="boundary"),
        [p for p in (panels or PANELS) if p in WINDOWED],
    )


def panel_metric_files(wildcards):
    """The tidy metric tables of one panel's AG sets."""
    return (
        expand_models(metrics_file(), [wildcards.panel], family=list(FAMILIES))
        + likelihood_files([wildcards.panel], LIKELIHOOD_MODELS)
        + boundary_files([wildcards.panel])
    )


def metric_files():
    """Tidy metric tables (``panel model seed metric value``) the metrics table stacks."""
    return (
        expand_models(metrics_file(), PANELS, family=list(FAMILIES))
        + likelihood_files(PANELS, LIKELIHOOD_MODELS)
        + boundary_files()
        + [
            f"results/{analysis}/{config[analysis]['panel']}/metrics.tsv"
            for analysis in ("selection", "coalescent")
            if analysis in config
        ]
    )


def likelihood_files(panels, models):
    """The likelihood-ratio attack's tidy metrics of ``models`` (those with a
    likelihood) on ``panels``."""
    return expand_models(
        metrics_file(family="likelihood"),
        [p for p in panels if p in WHOLE],
        [m for m in models if m in LIKELIHOOD_MODELS],
    )


def release_likelihood(wildcards):
    """The likelihood attack's metrics a release is gated on (none for a
    model without a likelihood)."""
    return likelihood_files([wildcards.panel], [wildcards.model])


def likelihood_attack_arg(wildcards, input):
    return f"--likelihood-attack {input.likelihood}" if input.likelihood else ""


def metrics_folder(wildcards, output):
    """The folder of a rule's ``metrics`` output, where its tables go too."""
    return Path(output.metrics).parent


def dataset_description():
    """What the real data are, for privacy cards."""
    if config["data"]["source"] == "simulated":
        samples = ", ".join(
            f"{n} {pop}" for pop, n in config["cohort"]["samples"].items()
        )
        return (
            f"built-in cohort simulated with stdpopsim HomSap {config['cohort']['model']} "
            f"({samples} individuals), seed {config['seed']}"
        )
    return f"phased VCFs of chromosomes {', '.join(data_chromosomes())}"


def release_outputs():
    """The released AG sets with their privacy cards."""
    release = config["privacy"]["release"]
    return expand(
        "results/release/{panel}/{model}.{ext}",
        panel=release["panels"],
        model=release["models"],
        ext=["vcf.gz", "hapt.gz", "card.json", "card.md"],
    )


# The downstream analyses that are configured (each runs only when it is),
# with the path of its main table.
DOWNSTREAM = {
    "selection": "results/selection/{panel}/scans.tsv",
    "imputation": "results/imputation/{panel}/quality.tsv",
    "painting": "results/painting/{panel}.tsv",
    "coalescent": "results/coalescent/{panel}/sfs.tsv",
}
SENSITIVITY = config["privacy"].get("sensitivity")


def downstream_outputs():
    """Tables of the configured downstream analyses: selection scans,
    imputation, chromosome painting, the coalescent comparison, the attack
    sensitivity; and the released AG sets."""
    tables = [
        path.format(panel=config[analysis]["panel"])
        for analysis, path in DOWNSTREAM.items()
        if analysis in config
    ]
    if SENSITIVITY:
        tables.append(f"results/privacy/{SENSITIVITY['panel']}/sensitivity.tsv")
    return tables + release_outputs()


# Imputation references: what Beagle's reference panel holds, by name (the
# "reference" column of the quality table): the other populations ("others"),
# the real target training haplotypes ("train"), a model's AGs ("ags").
# GPC's protocol adds the panels of one set alone (no other populations).
# With one population there are no others: the references are the real
# target training haplotypes alone, each model's AGs alone, and the two
# together ("<model>_with_train").
IMPUTATION_MODELS = config["imputation"]["models"] if "imputation" in config else []
ONE_POPULATION = DATA_POPULATIONS is not None and len(DATA_POPULATIONS) == 1
ALONE = {
    f"{m}_only": {"others": False, "train": False, "ags": m} for m in IMPUTATION_MODELS
}
if ONE_POPULATION:
    BEAGLE_REFERENCES = {
        "train_only": {"others": False, "train": True, "ags": None},
        **ALONE,
        **{
            f"{m}_with_train": {"others": False, "train": True, "ags": m}
            for m in IMPUTATION_MODELS
        },
    }
else:
    BEAGLE_REFERENCES = {
        "alone": {"others": True, "train": False, "ags": None},
        "perfect": {"others": True, "train": True, "ags": None},
        "train_only": {"others": False, "train": True, "ags": None},
        **{m: {"others": True, "train": False, "ags": m} for m in IMPUTATION_MODELS},
        **ALONE,
    }
# Models that impute by themselves (their posterior allele probabilities, no Beagle).
DIRECT_REFERENCES = {
    f"{m}_direct": m
    for m in IMPUTATION_MODELS
    if generator_has(m, "allele_probabilities")
}
IMPUTATION_REFERENCES = list(BEAGLE_REFERENCES) + list(DIRECT_REFERENCES)


def imputation_ags(wildcards):
    """The AGs a reference panel holds (none for "alone", "perfect", "train_only")."""
    model = BEAGLE_REFERENCES[wildcards.reference]["ags"]
    return ag_files(config["imputation"]["panel"], [model]) if model else []


def imputation_reference_args(wildcards, input):
    """``impute`` options that make the named reference panel."""
    spec = BEAGLE_REFERENCES[wildcards.reference]
    args = [] if spec["others"] else ["--no-others"]
    if spec["train"]:
        args.append("--add-train")
    if spec["ags"]:
        args.append(f"--ags {input.ags}")
    return " ".join(args)


def imputation_model(wildcards):
    """The saved model that imputes a "<model>_direct" reference by itself."""
    return model_file(
        config["imputation"]["panel"], DIRECT_REFERENCES[wildcards.reference]
    )


def stats_tables(panel, family, models):
    return [table_file(panel, m, family) for m in models]


def drawn(panel, candidates):
    """Those of ``candidates`` trained on ``panel``, in their order."""
    return [m for m in candidates if m in panel_models(panel)]


WHOLE_OF = {
    kind: [p for p in panels_of_kind(config, kind) if p in WHOLE]
    for kind in ("informative", "dense", "dispersed")
}
# The panel each figure shows, by the registry's name for it: the structure
# figures the informative one (the paper's), the LD figures the dense one, as
# far as configured; the downstream analyses' figures their analysis's panel.
FIGURE_PANELS = {
    "structure": (WHOLE_OF["informative"] + WHOLE + [None])[0],
    "ld": (WHOLE_OF["dense"] + WHOLE_OF["dispersed"] + WHOLE + [None])[0],
    # LD across the window seams of the first windowed panel's stitched AGs
    "windowed": (WINDOWED + [None])[0],
    "sensitivity": SENSITIVITY["panel"] if SENSITIVITY else None,
    **{
        analysis: config[analysis]["panel"] if analysis in config else None
        for analysis in ("selection", "imputation", "painting", "coalescent")
    },
}
# What else a figure may need the configuration to turn on, given its panel.
FIGURE_NEEDS = {"umap": lambda panel: panel in umap_panels()}


def figure_models(spec, panel):
    """The models a figure shows on ``panel``: the configured figure models,
    all of the panel's, or those the registry names, as far as trained there."""
    if spec.models is None:
        return []
    named = {"figures": config["figures"]["models"], "panel": panel_models(panel)}
    return drawn(panel, named.get(spec.models, spec.models))


def figure_input(need, panel, models):
    """The path(s) of one input of a figure by its source in the registry,
    or None when this configuration does not make it."""
    kind, _, table = need.source.partition("/")
    if kind == "train":
        return train_split(panel)
    if kind == "ags":
        return ag_files(panel, models) or None
    if kind == "stats":
        return stats_tables(panel, table, models) or None
    if kind == "model":
        trained = (
            need.model in panel_models(panel) and model_class(need.model) == need.model
        )
        return model_file(panel, need.model) if trained else None
    if kind == "metrics":
        return "results/metrics.tsv"
    if kind == "training":
        return expand_models(training_history(), WHOLE, SNAPSHOT_NETWORKS) or None
    if kind == "painting":
        return f"results/painting/{panel}.tsv"
    return f"results/{kind}/{panel}/{table}.tsv"


def figure_option(name, spec, models):
    """The value of an option the registry says the pipeline sets: the models
    shown, the seed, or a setting of the downstream analysis the figure
    shows (its config section, e.g. selection's quantile)."""
    if name == "models":
        return models
    if name == "seed":
        return config["seed"]
    return config[spec.panel][name]


def figure_plan(spec):
    """(inputs, options) of a registered figure in this configuration, or
    None when it is not drawn."""
    panel = FIGURE_PANELS[spec.panel] if spec.panel else None
    if spec.panel and panel is None:
        return None
    if not all(FIGURE_NEEDS[need](panel) for need in spec.needs):
        return None
    models = figure_models(spec, panel)
    inputs = {
        key: figure_input(need, panel, models) for key, need in spec.inputs.items()
    }
    if any(
        path is None and not spec.inputs[key].optional for key, path in inputs.items()
    ):
        return None
    return (
        {key: path for key, path in inputs.items() if path is not None},
        {name: figure_option(name, spec, models) for name in spec.options},
    )


def figure_args(inputs, options):
    """``--input KEY=PATH[,PATH...]`` per input and ``--set KEY=VALUE`` per option."""
    args = [
        f"--input {key}={','.join(value) if isinstance(value, list) else value}"
        for key, value in inputs.items()
    ]
    if options:
        args.append(
            "--set "
            + " ".join(shlex.quote(f"{k}={json.dumps(v)}") for k, v in options.items())
        )
    return " ".join(args)


def figure_outputs():
    """Every figure of figures.smk, PDF and PNG."""
    return expand(
        "results/figures/{name}.{ext}", name=list(FIGURES), ext=["pdf", "png"]
    )


def training_plots():
    return expand_models(training_history(ext="png"), WHOLE, NETWORKS)


def all_targets():
    return (
        panel_outputs()
        + split_outputs()
        + ["results/splits.tsv"]
        + ag_outputs()
        + training_plots()
        + ["results/metrics.tsv", "results/metrics.md", "results/metrics.html"]
        + downstream_outputs()
        + figure_outputs()
    )


def window_models(wildcards):
    """The fitted generator of every window of the panel, in window order."""
    plan = checkpoints.plan_windows.get(panel=wildcards.panel).output[0]
    with open(plan) as table:
        n_windows = sum(1 for _ in table) - 1  # rows below the header
    return [
        model_file(window_name(wildcards.panel, w), wildcards.model)
        for w in range(n_windows)
    ]
