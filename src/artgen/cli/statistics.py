"""Commands that score AGs: the statistics families, LD across window seams, and the
metrics table."""

from __future__ import annotations

import logging
from pathlib import Path

from artgen.cli.common import add_out, add_plan, add_seed, keyed, optional_number, write_table
from artgen.errors import InputError

log = logging.getLogger("artgen")


def cmd_stats(args) -> None:
    from artgen.evaluate import Settings, compute_families
    from artgen.io import load_haplotypes

    settings = Settings(seed=args.seed, n_triplets=args.n_triplets,
                        wasserstein_reg=args.wasserstein_reg, ld_decay_bins=args.ld_decay_bins,
                        umap=args.umap, ld_max_distance=args.ld_max_distance,
                        ld_max_pairs=args.ld_max_pairs)
    if args.halvings < 1:
        raise InputError(f"--halvings must be at least 1, got {args.halvings}")
    fidelity = load_haplotypes(args.held_out_fidelity) if args.held_out_fidelity else None
    start_set = load_haplotypes(args.start_set) if args.start_set else None
    results = compute_families(args.families, load_haplotypes(args.real),
                               [load_haplotypes(path) for path in args.ags],
                               load_haplotypes(args.held_out), settings, fidelity, start_set,
                               halvings=args.halvings)
    # Written only when every family has been computed: a failure leaves no output.
    out = Path(args.out_dir)
    for family, (draws, table) in results.items():
        _write_stats(draws, table, family, args, out / f"{family}.tsv",
                     out / f"{family}.table.tsv")


def _write_stats(draws: list[dict], table, family, args, out, table_out=None) -> None:
    """Log and write one family's tidy metrics, one dict per AG draw, to
    ``out``, and its side table to ``table_out``."""
    import pandas as pd

    from artgen.evaluate import tidy_metrics

    for draw, metrics in enumerate(draws):
        for name, value in metrics.items():
            log.info("%s %s %s draw %d: %s = %.6g", family, args.panel, args.model, draw, name,
                     value)
    tidy = pd.concat([tidy_metrics(metrics, panel=args.panel, model=args.model, seed=args.seed,
                                   draw=draw) for draw, metrics in enumerate(draws)],
                     ignore_index=True)
    write_table(tidy, out)
    if table_out:
        if table is None:
            table = tidy.iloc[:0, :3]
        else:
            table = keyed(table, panel=args.panel, model=args.model, seed=args.seed)
        write_table(table, table_out)


def cmd_boundary_ld(args) -> None:
    import numpy as np

    from artgen.evaluate import Settings, boundary_stats
    from artgen.io import load_haplotypes
    from artgen.windows import read_plan, seams_of

    real, ags = load_haplotypes(args.real), load_haplotypes(args.ags)
    if not (np.array_equal(real.pos, ags.pos) and np.array_equal(real.chrom, ags.chrom)):
        raise InputError(f"{args.ags} and {args.real} are not at the same SNPs")
    windows = read_plan(args.plan, real.n_snps, args.real)
    settings = Settings(seed=args.seed, ld_max_pairs=args.max_pairs)
    metrics, table = boundary_stats(real, ags, seams_of(windows), settings)
    _write_stats([metrics], table, "boundary", args, args.out, args.table_out)


def cmd_metrics_table(args) -> None:
    import pandas as pd

    from artgen.evaluate import METRIC_COLUMNS
    from artgen.summary import Targets, summary_html, summary_markdown
    from artgen.io.atomic import atomic_output

    frames = [pd.read_csv(p, sep="\t") for p in args.inputs]
    table = pd.concat(frames, ignore_index=True)[METRIC_COLUMNS]
    targets = Targets(ld_r_within=args.ld_r_within, pairwise_w_ratio=args.pairwise_w_ratio,
                      max_privacy_loss=args.max_privacy_loss, max_attack_auc=args.max_attack_auc)
    write_table(table, args.out)
    with atomic_output(args.summary) as tmp:
        tmp.write_text(summary_markdown(table, targets))
    if args.html:
        with atomic_output(args.html) as tmp:
            tmp.write_text(summary_html(table, targets))


def add_commands(sub) -> None:
    from artgen.evaluate import FAMILIES
    from artgen.summary import Targets

    p = sub.add_parser("stats", help="families of statistics of one (panel, model)")
    p.add_argument("families", nargs="+", choices=sorted(FAMILIES), metavar="family",
                   help=f"families of statistics to compute ({', '.join(FAMILIES)})")
    p.add_argument("--real", required=True, help="training haplotypes (.npz)")
    p.add_argument("--ags", required=True, nargs="+",
                   help="artificial haplotypes (.npz), one file per independent draw from "
                        "the same fitted model: draw 0, 1, ... in the order given")
    p.add_argument("--held-out", required=True, help="real haplotypes never trained on (.npz)")
    p.add_argument("--held-out-fidelity",
                   help="real haplotypes never trained on that the heldout family halves "
                        "(.npz; default: --held-out)")
    p.add_argument("--start-set",
                   help="real haplotypes, never trained on, that the model's sampling chains "
                        "started from (.npz): the privacy family scores their privacy too")
    p.add_argument("--panel", required=True, help="panel name (for the tidy table)")
    p.add_argument("--model", required=True, help="model name (for the tidy table)")
    add_seed(p, "seed of the statistics' subsamples")
    p.add_argument("--n-triplets", type=int, default=8000,
                   help="SNP triplets of the 3-point correlations (default: 8000)")
    p.add_argument("--wasserstein-reg", type=float, default=1e-3,
                   help="regularisation of the entropic Wasserstein distances (default: 0.001)")
    p.add_argument("--ld-decay-bins", type=int, default=50,
                   help="distance bins of the LD decay curve (default: 50)")
    p.add_argument("--no-umap", dest="umap", action="store_false",
                   help="skip the UMAP embedding of the structure statistics (slow; with "
                        "several --ags it runs on the first only)")
    p.add_argument("--ld-max-distance", type=int, default=None,
                   help="LD on SNP pairs at most this many bp apart (default: all pairs)")
    p.add_argument("--ld-max-pairs", type=int, default=None,
                   help="LD on a seeded sample of at most this many pairs (default: all)")
    p.add_argument("--halvings", type=int, default=1,
                   help="the heldout family scores draw d at halving d of the held-out set, "
                        "and fewer draws than this again, in turn, at the halvings left "
                        "(default: 1)")
    p.add_argument("--out-dir", required=True,
                   help="folder of the outputs, two per family: <family>.tsv (tidy metrics) "
                        "and <family>.table.tsv (side table for figures)")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("boundary-ld", help="LD across the window seams of stitched AGs, "
                                           "against LD within windows")
    p.add_argument("--real", required=True, help="training haplotypes of the whole panel (.npz)")
    p.add_argument("--ags", required=True, help="stitched artificial haplotypes (.npz)")
    add_plan(p)
    p.add_argument("--panel", required=True, help="panel name (for the tidy table)")
    p.add_argument("--model", required=True, help="model name (for the tidy table)")
    add_seed(p, "seed of the pair sample")
    p.add_argument("--max-pairs", type=int, default=None,
                   help="at most this many pairs per distance bin and kind (seeded sample)")
    add_out(p, "tidy metrics (.tsv)")
    p.add_argument("--table-out", help="the r^2 per bin, seam-straddling and within (.tsv)")
    p.set_defaults(func=cmd_boundary_ld)

    p = sub.add_parser("metrics-table", help="gather metrics into one table and a summary")
    p.add_argument("inputs", nargs="+", help="tidy metrics tables (.tsv) to gather")
    add_out(p, "the gathered metrics table (.tsv)")
    p.add_argument("--summary", required=True, help="Markdown summary")
    p.add_argument("--html", help="the summary as an HTML page (for the report)")
    targets = Targets()
    for option, default, meaning in (
            ("--ld-r-within", targets.ld_r_within,
             "held-out LD r at least the real-vs-real value minus this"),
            ("--pairwise-w-ratio", targets.pairwise_w_ratio,
             "held-out pairwise W at most this many times the real-vs-real value"),
            ("--max-privacy-loss", targets.max_privacy_loss, "privacy loss at most this"),
            ("--max-attack-auc", targets.max_attack_auc,
             "distance attack's AUC at most this")):
        p.add_argument(option, type=optional_number, default=default,
                       help=f"verdict criterion: {meaning}, on the worst AG draw "
                            f"('none' leaves it out; default: {default})")
    p.set_defaults(func=cmd_metrics_table)
