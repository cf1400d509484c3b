"""Commands of privacy: the likelihood-ratio attack, the planted-copies sensitivity, and the
release gate."""

from __future__ import annotations

import logging

from artgen.cli.common import (add_out, add_panel_name, add_seed, add_threads, add_unphased, keyed,
                               write_table)
from artgen.errors import InputError

log = logging.getLogger("artgen")


def cmd_likelihood_attack(args) -> None:
    from artgen.evaluate import tidy_metrics
    from artgen.io import load_haplotypes
    from artgen.models import load_generator
    from artgen.models.preparation import likelihood_attack

    train, test, held_out = (load_haplotypes(p) for p in
                             (args.train, args.test, args.reference_set))
    metrics = likelihood_attack(load_generator(args.model_file), train, test, held_out,
                                phased=args.phased, seed=args.seed, threads=args.threads,
                                source=args.model_file)
    for name, value in metrics.items():
        log.info("likelihood %s %s: %s = %.6g", args.panel, args.model, name, value)
    write_table(tidy_metrics(metrics, panel=args.panel, model=args.model, seed=args.seed),
                args.out)


def parse_thresholds(text: str | None):
    """Release thresholds given as a JSON object (keys of release.Thresholds)."""
    import json

    from artgen.release import Thresholds

    try:
        values = json.loads(text) if text else {}
        return Thresholds(**values)
    except (json.JSONDecodeError, TypeError) as exc:
        raise InputError(f"--thresholds {text!r}: {exc}") from None


def cmd_privacy_sensitivity(args) -> None:
    from artgen.io import load_haplotypes
    from artgen.release import release_sensitivity

    ags, train, test, reference = (load_haplotypes(p) for p in
                                   (args.ags, args.train, args.test, args.reference))
    table = release_sensitivity(ags, train, test, reference, counts=args.counts, seed=args.seed,
                                thresholds=parse_thresholds(args.thresholds))
    write_table(keyed(table, panel=args.panel_name, model=args.model, seed=args.seed), args.out)


def cmd_release(args) -> None:
    import json

    from artgen import provenance
    from artgen.evaluate import read_metrics
    from artgen.io import load_haplotypes
    from artgen.io.atomic import all_or_nothing
    from artgen.release import ReleaseRefused, release_ags
    from artgen.stats.attack import LIKELIHOOD_METRICS

    ags, train, test, reference = (load_haplotypes(p) for p in
                                   (args.ags, args.train, args.test, args.reference))
    model_metrics = (read_metrics(args.likelihood_attack, args.panel_name, args.model,
                                  LIKELIHOOD_METRICS, required="lr_mia_auc")
                     if args.likelihood_attack else None)
    try:
        card = release_ags(ags, train, test, reference, out_vcf=args.vcf_out,
                           out_hapt=args.hapt_out, out_card_json=args.card_json,
                           out_card_md=args.card_md, model=args.model,
                           settings=json.loads(args.settings), panel=args.panel_name,
                           dataset=args.dataset, seed=args.seed,
                           thresholds=parse_thresholds(args.thresholds),
                           model_metrics=model_metrics,
                           draws=[load_haplotypes(p) for p in args.draws],
                           start_set=load_haplotypes(args.start_set) if args.start_set else None,
                           top_up=args.top_up)
    except ReleaseRefused as exc:
        log.info("privacy card of the refused set:\n%s", json.dumps(exc.card, indent=1,
                                                                     default=str))
        raise
    # The released files' provenance, or no release at all.
    with all_or_nothing(args.vcf_out, args.hapt_out, args.card_json, args.card_md,
                        companions=(".tbi", provenance.SUFFIX)):
        record = provenance.released(args, args.ags)
        for path in (args.vcf_out, args.hapt_out):
            provenance.write(path, record)
    log.info("released %s AGs of %s", card.get("n_released", "?"), args.model)


def add_commands(sub) -> None:
    p = sub.add_parser("likelihood-attack",
                       help="likelihood-ratio membership inference against a model with a "
                            "likelihood, and its memorisation gap")
    p.add_argument("--model-file", required=True, help="the saved model (.npz)")
    p.add_argument("--train", required=True, help="its training split (.npz): the members")
    p.add_argument("--test", required=True, help="held-out real haplotypes: the non-members")
    p.add_argument("--reference-set", required=True,
                   help="held-out real haplotypes the reference model is fitted on (the "
                        "sampling split), neither members nor non-members")
    add_seed(p, "seed of the reference fit and of the member subsample")
    add_threads(p)
    add_unphased(p, "the model was trained with --unphased")
    p.add_argument("--panel", required=True, help="panel name (for the tidy table)")
    p.add_argument("--model", required=True, help="the model's name in the metrics table")
    add_out(p, "tidy metrics (.tsv)")
    p.set_defaults(func=cmd_likelihood_attack)

    p = sub.add_parser("privacy-sensitivity",
                       help="privacy scores and release verdicts with training haplotypes planted")
    p.add_argument("--ags", required=True, help="artificial haplotypes (.npz)")
    p.add_argument("--train", required=True, help="the model's training haplotypes (.npz)")
    p.add_argument("--test", required=True, help="held-out real haplotypes (non-members)")
    p.add_argument("--reference", required=True, help="attacker's reference (sampling split)")
    p.add_argument("--counts", type=int, nargs="+", default=[1, 10, 50, 100, 500, 1000],
                   help="numbers of training haplotypes to plant (default: 1 10 50 100 500 1000)")
    p.add_argument("--thresholds", help="release thresholds (JSON object)")
    p.add_argument("--model", required=True, help="model name (for the table)")
    add_panel_name(p, "panel name (for the table)")
    add_seed(p, "seed of the planting and of the privacy scores (default: 0)", default=0)
    add_out(p, "scores and verdict per count planted (.tsv)")
    p.set_defaults(func=cmd_privacy_sensitivity)

    p = sub.add_parser("release", help="write shareable AGs and their privacy card, "
                                       "only when the privacy checks pass")
    p.add_argument("--ags", required=True, help="artificial haplotypes to release (.npz)")
    p.add_argument("--draws", nargs="*", default=[],
                   help="further AG draws of the same model (.npz, not released): each "
                        "privacy bound is then checked on the worst draw")
    p.add_argument("--top-up", action="store_true",
                   help="replace the individuals withheld for copies with kept ones of the "
                        "further draws, so as many AGs are released as --ags holds")
    p.add_argument("--train", required=True, help="the model's training haplotypes (.npz)")
    p.add_argument("--test", required=True, help="held-out real haplotypes (non-members)")
    p.add_argument("--reference", required=True, help="attacker's reference (sampling split)")
    p.add_argument("--start-set",
                   help="real haplotypes, never trained on, that the model's sampling chains "
                        "started from (.npz): checked as the training set is")
    p.add_argument("--thresholds", help="release thresholds (JSON object)")
    p.add_argument("--model", required=True, help="model name (for the card)")
    p.add_argument("--settings", default="{}", help="the model's settings (JSON), for the card")
    p.add_argument("--likelihood-attack",
                   help="metrics written by likelihood-attack (a model with a likelihood): "
                        "lr_mia_auc is checked and goes on the card")
    add_panel_name(p, "panel name (for the card)")
    p.add_argument("--dataset", default="", help="data set description for the card")
    add_seed(p, "seed of the privacy statistics (default: 0)", default=0)
    p.add_argument("--vcf-out", required=True, help="bgzipped VCF of the released AGs (indexed)")
    p.add_argument("--hapt-out", required=True, help=".hapt of the released AGs")
    p.add_argument("--card-json", required=True, help="privacy card (JSON)")
    p.add_argument("--card-md", required=True, help="privacy card (Markdown)")
    p.set_defaults(func=cmd_release)
