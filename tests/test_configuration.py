"""The configuration beyond its schema: panel kinds, per-panel model
settings, one-line schema messages and the checks against the data."""

from __future__ import annotations

import copy

import pytest
import yaml
from jsonschema import Draft202012Validator

from artgen.configuration import (ConfigError, check_config, model_settings, panel_kind,
                                  panels_of_kind, schema_error_message)
from conftest import REPO, write_panel

SCHEMA = yaml.safe_load((REPO / "config" / "schema.yaml").read_text())
DEFAULT = yaml.safe_load((REPO / "config" / "config.yaml").read_text())


def first_error(config):
    return next(iter(Draft202012Validator(SCHEMA).iter_errors(config)))


def test_the_shipped_configs_are_schema_valid():
    shipped = [REPO / "config" / name for name in ("config.yaml", "paper.yaml", "your_data.yaml")]
    for path in shipped + [REPO / ".test" / "config" / "config.yaml"]:
        config = yaml.safe_load(path.read_text())
        assert list(Draft202012Validator(SCHEMA).iter_errors(config)) == [], path


def test_panels_have_kinds_by_name_or_setting():
    config = {"panels": {"dense": {}, "region_b": {"kind": "dense"}, "informative": {}}}
    assert panel_kind(config, "region_b") == "dense"
    assert panels_of_kind(config, "dense") == ["dense", "region_b"]
    assert panels_of_kind(config, "chromosome") == []


def test_a_second_panel_of_a_kind_is_checked_against_that_kind():
    config = copy.deepcopy(DEFAULT)
    config["panels"]["dense_b"] = {"kind": "dense", "chrom": "15", "start": 1, "n_snps": 10}
    assert list(Draft202012Validator(SCHEMA).iter_errors(config)) == []
    config["panels"]["dense_b"]["window_snps"] = 10  # a chromosome panel's key
    assert "panels.dense_b: unknown key 'window_snps'" in schema_error_message(
        first_error(config))
    config["panels"]["dense_b"] = {"chrom": "15", "start": 1, "n_snps": 10}
    assert schema_error_message(first_error(config)) == "config: panels.dense_b: missing key 'kind'"


def test_schema_messages_name_the_key_the_value_and_what_was_expected():
    config = copy.deepcopy(DEFAULT)
    config["splits"]["test_fracton"] = 0.2
    assert schema_error_message(first_error(config)) == (
        "config: splits: unknown key 'test_fracton' (did you mean 'test_fraction'?); known "
        "keys: test_fraction, sampling_fraction, validation_fraction, n_impute_targets")
    config = copy.deepcopy(DEFAULT)
    config["panels"]["dense"]["n_snps"] = "many"
    assert schema_error_message(first_error(config)) == \
        "config: panels.dense.n_snps: 'many': 'many' is not of type 'integer'"
    config = copy.deepcopy(DEFAULT)
    config["data"]["source"] = "file"
    assert schema_error_message(first_error(config)) == \
        "config: data.source: 'file' is not one of 'simulated', 'vcf'"


def test_per_panel_settings_override_the_model_s_own():
    config = {"models": {"rbm": {"n_hidden": 100, "epochs": 40,
                                 "panels": {"dense": {"n_hidden": 500}}},
                         "rbm_b": {"model": "rbm", "start": "train"}}}
    assert model_settings(config, "rbm", "dense") == {"n_hidden": 500, "epochs": 40}
    assert model_settings(config, "rbm", "informative") == {"n_hidden": 100, "epochs": 40}
    assert model_settings(config, "rbm", "dense.w003") == {"n_hidden": 500, "epochs": 40}
    assert model_settings(config, "rbm_b", "dense") == {"start": "train"}


def test_checks_against_the_data_list_every_problem_one_line_each(tmp_path):
    panel_file = write_panel(tmp_path / "samples.panel", [("S1", "EST", "EUR"),
                                                          ("S2", "EST", "EUR")])
    vcf = tmp_path / "chr15.vcf.gz"
    vcf.write_bytes(b"")
    config = {"data": {"source": "vcf", "vcf": {"15": str(vcf)}, "panel_file": str(panel_file)},
              "target_population": None,
              "panels": {"informative": {"n_snps": 10}, "dense": {"chrom": "2", "models": ["gan"]}},
              "models": {"hmm": {"panels": {"dispersed": {}}}},
              "selection": {"panel": "dense", "complement": "FIN", "outgroup": "EST"}}
    with pytest.raises(ConfigError) as error:
        check_config(config, SCHEMA)
    assert str(error.value).splitlines() == [
        "config: panels.informative: an informative panel ranks SNPs by F_ST between "
        "populations and the data have one (EST); use a dense or dispersed panel, or give "
        "a snp_list",
        "config: panels.dense.chrom: '2' is not in the data (chromosomes: 15)",
        "config: panels.dense.models: gan not under models (configured: hmm)",
        "config: models.hmm.panels: dispersed not under panels (configured: informative, dense)",
        "config: selection.complement: no population 'FIN' in the data (populations: EST)",
        "config: selection: the scans need the target and two other populations; the data "
        "have EST",
    ]
    # One population: it is the target when the config names none.
    assert config["target_population"] == "EST"


def test_no_panel_file_puts_every_sample_in_one_population(tmp_path):
    vcf = tmp_path / "chr15.vcf.gz"
    vcf.write_bytes(b"")
    config = {"data": {"source": "vcf", "vcf": {"15": str(vcf)}, "panel_file": None},
              "panels": {"dense": {"chrom": "15"}}, "models": {"hmm": {}}}
    assert check_config(config) == ["ALL"] and config["target_population"] == "ALL"
    config["target_population"] = "EST"
    assert check_config(config) == ["EST"]


def test_missing_files_and_several_populations_without_a_target(tmp_path):
    config = {"data": {"source": "vcf", "vcf": {"15": str(tmp_path / "no.vcf.gz")},
                       "panel_file": str(tmp_path / "no.panel")},
              "panels": {"dense": {"chrom": "15"}}, "models": {"hmm": {}}}
    with pytest.raises(ConfigError) as error:
        check_config(config)
    assert str(error.value).splitlines() == [
        f"config: data.vcf.15: no such file: {tmp_path / 'no.vcf.gz'}",
        f"config: data.panel_file: no such file: {tmp_path / 'no.panel'}"]
    panel_file = write_panel(tmp_path / "no.panel", [("S1", "A", "X"), ("S2", "B", "X")])
    (tmp_path / "no.vcf.gz").write_bytes(b"")
    with pytest.raises(ConfigError, match=r"^config: target_population: required when the "
                                          r"data have several populations \(A, B\)$"):
        check_config(config)
    # a panel file by URL: populations unknown until fetched, checks that need them wait
    config["data"]["panel_file"] = "https://example.org/samples.panel"
    config["target_population"] = "A"
    assert check_config(config) is None
