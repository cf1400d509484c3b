"""The words of the privacy card, in one place.

Each block is a list of lines with ``str.format`` fields, filled by
:func:`artgen.release.card.card_markdown` with values already formatted
(numbers to 4 significant digits, missing values as ``n/a``). Changing a
line here changes every card the pipeline writes.
"""

from __future__ import annotations

#: The card's title (also in its JSON).
TITLE = "Privacy card: {model} artificial haplotypes, panel {panel}"

#: How the bounds were applied, for one released set or over several AG draws.
GATE_RULE_RELEASED = "each bound is checked on the released set"
GATE_RULE_DRAWS = ("each bound is checked on the worst of the model's AG draws (the released "
                   "set and the further draws): the highest value for a maximum, the lowest "
                   "for a minimum")

HEADER = ["# {title}", "", "**Verdict: {verdict}.** {outcome}", ""]
OUTCOME = {"accepted": "Every check passed.", "refused": "Nothing was released."}

FAILED = ["## Failed checks", ""]
FAILURE = "- {failure}"

RELEASED = ["## What was released", "",
            "| item | value |", "|---|---|",
            "| model | `{model}` |",
            "| panel | `{panel}` |",
            "| data set | {dataset} |",
            "| SNPs | {n_snps} |",
            "| AGs generated | {n_generated} |",
            "| of them from further draws, topping up for withheld copies | {n_topped_up} |",
            "| AGs released | {n_released} |",
            "| seed of the privacy statistics | {seed} |",
            "| software | artgen {software} |"]
FILE = "| {kind} file | `{name}` (sha256 `{sha256}`) |"

CHECKS = ["", "## Checks", "",
          "Shares of copies are compared with the held-out real haplotypes: the share "
          "of them identical to (or as near) a training haplotype is what an ideal "
          "generator would show.", "",
          "| check | value | held-out baseline | threshold |", "|---|---|---|---|",
          "| exact copies (policy `{policy}`) | {exact_found} ({exact_share}); removed "
          "{exact_removed}, partners withheld {exact_partners}{exact_released} | "
          "{exact_held_out} | {exact_threshold} |",
          "| near copies (<= {near_distance} SNPs) | {near_found} ({near_share}) | "
          "{near_held_out} | excess share <= {max_near_copies} |",
          "| privacy loss | {privacy_loss}{over_privacy_loss} | | <= {max_privacy_loss} |",
          "| AATS vs training set | {aats_train}{over_aats_train} | | |",
          "| AATS vs test split | {aats_test}{over_aats_test} | | {aats_bounds} |",
          "| distance attack AUC | {mia_auc}{over_mia_auc} | | <= {max_mia_auc} |",
          "| distance attack TPR at 1% FPR | {mia_tpr_1fpr}{over_mia_tpr_1fpr} | | <= "
          "{max_mia_tpr_1fpr} |",
          "| density attack AUC | {mia_density_auc}{over_mia_density_auc} | | <= "
          "{max_mia_density_auc} |",
          "| density attack TPR at 1% FPR | {mia_density_tpr_1fpr} | | |"]
#: The copies released under ``keep_copies_carried_by``.
EXACT_RELEASED = ("; released {n}, each of a haplotype that {k} or more training individuals "
                  "carry")
#: The exact-copy threshold under each copies policy.
EXACT_THRESHOLD = {"fail": "none allowed", "remove": "excess share <= {max_exact_copies}"}
#: A bound that is off, and the two sides of the AATS bounds.
OFF = "off"
AT_LEAST, AT_MOST, BOTH = ">= {}", "<= {}", " and "
#: The median and range over AG draws, after a value that was drawn several times.
OVER_DRAWS = "; over {n} draws {median} [{low}, {high}]"

#: Rows of a model whose sampling chains start at real haplotypes never
#: trained on (the RBM's sampling split).
START_SET = ["| privacy loss against the start set | {privacy_loss_start}{over_privacy_loss_start}"
             " | | <= {max_privacy_loss} |",
             "| distance attack AUC, start set as members | {mia_auc_start}{over_mia_auc_start}"
             " | | <= {max_mia_auc} |",
             "| AGs identical to a start-set haplotype | {identical_to_start} | | |"]
START_SET_NOTE = ("Start set: the real haplotypes, never trained on, that the model's sampling "
                  "chains started from (the sampling split); they belong to people too, and "
                  "are checked as the training set is, against the test split: the privacy "
                  "loss at matched sizes, the distance attack on every start and test "
                  "haplotype.")

NO_LIKELIHOOD = ["| likelihood-ratio attack AUC | n/a (the model has no likelihood) | | "
                 "<= {max_lr_mia_auc} |"]
LIKELIHOOD = ["| likelihood-ratio attack AUC | {lr_mia_auc} | | <= {max_lr_mia_auc} |",
              "| likelihood-ratio attack TPR at 1% FPR | {lr_mia_tpr_1fpr} | | |",
              "| mean log-likelihood, training split / test split (gap) | "
              "{loglik_train} / {loglik_test} ({loglik_gap}) | | |"]

NOTES = ["", "Gate rule: {gate_rule}.", "",
         "Privacy loss: AATS against the held-out test split minus AATS against the "
         "training set (Yelmen et al. 2021); > 0 means leakage. Attacks: members are "
         "training haplotypes, non-members the test split, in equal numbers; AUC 0.5 and "
         "TPR 0.01 at 1% FPR mean no leak. The likelihood-ratio attack reads the model "
         "itself: a haplotype's log-likelihood under it minus under a model of the same "
         "kind fitted on other held-out haplotypes (the sampling split).", ""]

SETTINGS = ["## Model settings", "", "```json", "{settings}", "```", ""]
