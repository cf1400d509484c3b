"""The columns of a training history table that are not losses.

An iterative generator writes one history row per epoch: ``epoch``,
``seconds``, its own losses, and, at snapshot epochs, the snapshot metrics
named here. Readers of the table (the training plots) tell the losses apart
from these columns without depending on the models.
"""

#: Names of the snapshot-metric columns of a history table.
SNAPSHOT_COLUMNS = ("aa_truth", "aa_syn", "aa_ts", "fixed_sites", "af_r", "ld_r",
                    "val_aa_truth", "val_aa_syn", "val_af_r", "val_ld_r", "val_pairwise_w",
                    "privacy_loss", "privacy_loss_se", "privacy_loss_start",
                    "privacy_loss_start_se", "attack_auc_start", "attack_auc_start_se",
                    "attack_auc", "attack_auc_se", "attack_auc_null", "snapshot_score",
                    "temperature", "private", "kept")
