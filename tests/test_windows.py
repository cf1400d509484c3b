"""Windows of a chromosome panel and the stitching of their AGs."""

import itertools

import numpy as np
import pandas as pd
import pytest

from artgen.cli import main
from artgen.errors import InputError
from artgen.haplotypes import Haplotypes
from artgen.io import load_haplotypes, save_haplotypes
from artgen.models import load_generator, make_generator
from artgen.stitching import match_chunks, overlap_costs, stitch
from artgen.windows import (crossing_ld, ld_seams, nominal_seams, plan_windows, read_plan,
                            windows_from_seams)


# --------------------------------------------------------------------------- windows

@pytest.mark.parametrize("n, size, overlap", [(100, 40, 10), (1000, 300, 50), (41, 40, 39),
                                              (7, 40, 10), (229_131, 5000, 500)])
def test_windows_cover_the_panel_within_their_size(n, size, overlap):
    windows = windows_from_seams(n, nominal_seams(n, size, overlap), overlap)
    assert windows[0].start == 0 and windows[-1].stop == n
    for before, after in zip(windows, windows[1:]):
        assert after.seam == before.stop                 # own segments tile the panel
        assert after.start == max(after.seam - overlap, 0)
    assert max(w.n_snps for w in windows) <= size


def test_bad_window_settings_are_refused():
    with pytest.raises(InputError, match="overlap_snps .* must be below window_snps"):
        nominal_seams(100, 10, 10)
    with pytest.raises(InputError, match="window_snps must be an integer >= 2"):
        nominal_seams(100, 1, 1)


def test_crossing_ld_against_numpy():
    rng = np.random.default_rng(3)
    h = (rng.random((40, 12)) < 0.4).astype(np.uint8)
    h[:, 5] = h[:, 4]                                   # one pair in full LD
    h[:, 9] = 0                                         # a monomorphic SNP
    with np.errstate(invalid="ignore", divide="ignore"):
        r2 = np.nan_to_num(np.corrcoef(h.T) ** 2)
    expected = [sum(r2[i, j] for i in range(c) for j in range(c, 12) if j - i <= 3)
                for c in range(1, 12)]
    np.testing.assert_allclose(crossing_ld(h, span=3)[1:], expected, rtol=1e-12)


def test_ld_seams_move_to_an_ld_break():
    rng = np.random.default_rng(0)
    blocks = rng.integers(0, 2, size=(60, 20), dtype=np.uint8)
    h = np.repeat(blocks, 10, axis=1)                   # LD blocks of 10 SNPs: breaks at 10, 20 ...
    moved = ld_seams(h, np.array([47, 103]), tolerance=5, overlap_snps=8)
    assert moved.tolist() == [50, 100]
    # the tolerance bounds the move
    assert ld_seams(h, np.array([44]), tolerance=2, overlap_snps=8).tolist() != [50]


def test_plan_table_round_trip(tmp_path):
    rng = np.random.default_rng(1)
    h = (rng.random((20, 300)) < 0.3).astype(np.uint8)
    plan = plan_windows(h, ["15"] * 300, np.arange(300) * 100 + 5, window_snps=100,
                        overlap_snps=20, ld_tolerance=4)
    assert (plan["stop"] - plan["start"]).max() <= 100     # moved seams stay within the size
    with pytest.raises(InputError, match=r"must exceed overlap_snps \(20\) \+ 2 x ld_tolerance"):
        plan_windows(h, ["15"] * 300, np.arange(300) * 100, window_snps=100, overlap_snps=20,
                     ld_tolerance=40)
    path = tmp_path / "plan.tsv"
    plan.to_csv(path, sep="\t", index=False)
    windows = read_plan(path)
    assert [w.seam for w in windows] == plan["seam"].tolist()
    assert plan["seam_pos"].tolist() == [5 + 100 * s for s in plan["seam"]]
    broken = plan.copy()
    broken.loc[1, "start"] += 1
    broken.to_csv(path, sep="\t", index=False)
    with pytest.raises(InputError, match="not consecutive overlapping pieces"):
        read_plan(path)


# --------------------------------------------------------------------------- matching

def test_matching_is_a_minimum_cost_permutation():
    rng = np.random.default_rng(5)
    for _ in range(20):
        previous = rng.integers(0, 2, size=(6, 4), dtype=np.uint8)   # small: many ties
        chunks = rng.integers(0, 2, size=(6, 4), dtype=np.uint8)
        order = match_chunks(previous, chunks)
        assert sorted(order.tolist()) == list(range(6))              # no chunk twice
        cost = overlap_costs(previous, chunks)
        best = min(sum(cost[i, p[i]] for i in range(6)) for p in itertools.permutations(range(6)))
        assert cost[np.arange(6), order].sum() == best


def test_matching_stays_within_populations():
    previous = np.array([[0, 0], [1, 1], [0, 0], [1, 1]], dtype=np.uint8)
    chunks = np.array([[1, 1], [0, 0], [0, 0], [1, 1]], dtype=np.uint8)
    groups = np.array(["A", "A", "B", "B"])
    order = match_chunks(previous, chunks, groups, groups)
    assert order.tolist() == [1, 0, 2, 3]
    with pytest.raises(InputError, match="population A: 2 AGs but 1 chunks"):
        match_chunks(previous, chunks, groups, np.array(["A", "B", "B", "B"]))


# --------------------------------------------------------------------------- stitching

FOUNDERS = np.random.default_rng(11).integers(0, 2, size=(4, 120), dtype=np.uint8)


def _planted_training(copies=30):
    """Four long planted haplotypes, each carried by ``copies`` haplotypes."""
    return np.repeat(FOUNDERS, copies, axis=0)


def _window_models(name, train, windows, **settings):
    models = []
    for window in windows:
        model = make_generator(name, **settings)
        if hasattr(model, "set_map"):
            model.set_map(["1"] * window.n_snps, np.arange(window.start, window.stop) * 1000)
        models.append(model.fit(train[:, window.start:window.stop], seed=window.index))
    return models


def _nearest_founder(rows, columns):
    return overlap_costs(rows, FOUNDERS[:, columns]).argmin(axis=1)


def test_matching_keeps_planted_haplotypes_across_the_seam():
    train = _planted_training()
    windows = windows_from_seams(120, [60], overlap_snps=20)
    models = _window_models("test", train, windows)      # returns the haplotypes it holds
    ags, pops = stitch(models, windows, len(train), seed=4)
    assert pops is None
    assert (overlap_costs(ags, FOUNDERS).min(axis=1) == 0).all()


def _founder_hmm(window, jump=0.002):
    """An hmm whose clusters are the founders (error 1%) over ``window``."""
    model = make_generator("hmm", n_states=[4])
    theta = np.where(FOUNDERS[:, window.start:window.stop].T == 1, 0.99, 0.01)
    jumps = np.full(window.n_snps, jump)
    jumps[0] = 1.0
    model.set_state({"theta": theta, "alpha": np.full((window.n_snps, 4), 0.25), "jump": jumps,
                     "chrom": np.repeat("1", window.n_snps),
                     "pos": np.arange(window.start, window.stop) * 1000})
    return model


def test_hmm_continuation_keeps_planted_haplotypes_across_the_seam():
    windows = windows_from_seams(120, [60], overlap_snps=20)
    models = [_founder_hmm(w) for w in windows]
    ags, _ = stitch(models, windows, 400, seed=4)
    left, right = (_nearest_founder(ags[:, part], part) for part in (slice(0, 60), slice(60, 120)))
    # a haplotype keeps its founder unless the chain jumped (0.2% per SNP) near the seam
    assert np.mean(left == right) > 0.9
    # drawn independently, the two sides would agree by chance only (~1/4)
    unstitched = np.hstack([models[0].sample(400, seed=1)[:, :60],
                            models[1].sample(400, seed=2)[:, 20:]])
    left, right = (_nearest_founder(unstitched[:, part], part)
                   for part in (slice(0, 60), slice(60, 120)))
    assert np.mean(left == right) < 0.4


def test_hmm_continuation_keeps_the_given_alleles_and_populations():
    rng = np.random.default_rng(2)
    train = _planted_training(10)
    labels = np.repeat(["A", "B"], len(train) // 2)
    model = make_generator("hmm", n_states=[3], iterations=4, min_state_haplotypes=2,
                           conditional=True)
    model.set_map(["1"] * 120, np.arange(120) * 1000)
    model.set_populations(labels)
    model.fit(train, seed=0)
    given = rng.integers(0, 2, size=(8, 30), dtype=np.uint8)
    out = model.sample_continuing(given, seed=3, populations=np.repeat(["B", "A"], 4))
    assert out.shape == (8, 120) and (out[:, :30] == given).all()
    again = model.sample_continuing(given, seed=3, populations=np.repeat(["B", "A"], 4))
    assert (out == again).all()
    with pytest.raises(InputError, match="unknown"):
        model.sample_continuing(given, seed=3, populations=np.repeat(["C"], 8))


def test_a_window_model_of_the_wrong_size_is_named():
    train = _planted_training(5)
    windows = windows_from_seams(120, [60], overlap_snps=20)
    models = _window_models("bernoulli", train, windows)
    models[1] = _window_models("bernoulli", train[:, :50], windows[:1])[0]
    with pytest.raises(InputError, match="window 1 .* gives 50 SNPs, the window holds 80"):
        stitch(models, windows, 10, seed=0, labels=["window 0 (x)", "window 1 (1:60-119)"])


def _panel(alleles, pops=None):
    n = len(alleles)
    return Haplotypes.build(alleles, chrom=np.repeat("1", alleles.shape[1]),
                            pos=np.arange(alleles.shape[1]) * 1000 + 1,
                            ref=np.repeat("A", alleles.shape[1]),
                            alt=np.repeat("G", alleles.shape[1]),
                            ids=np.array([f"S{i // 2}_{i % 2 + 1}" for i in range(n)]),
                            pops=pops if pops is not None else np.repeat("P", n))


def test_a_window_that_fails_to_train_names_its_region(tmp_path, capsys):
    data = tmp_path / "w1.npz"
    save_haplotypes(_panel(_planted_training(3)).take_snps(slice(40, 90)), data)
    model = tmp_path / "m1.npz"
    assert main(["train", "--model", "hmm", "--data", str(data), "--set",
                 "min_state_haplotypes=1000", "--out", str(model)]) == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert f"{data} (1:40001-89001)" in error and "min_state_haplotypes" in error
    assert not model.exists()


def test_cli_plan_cut_train_stitch(tmp_path):
    train = tmp_path / "train.npz"
    save_haplotypes(_panel(_planted_training(10)), train)
    plan = tmp_path / "plan.tsv"
    assert main(["plan-windows", "--data", str(train), "--window-snps", "50",
                 "--overlap-snps", "10", "--out", str(plan)]) == 0
    windows = read_plan(plan)
    assert len(windows) == 3
    with pytest.raises(InputError, match=r"other.npz: 100 SNPs, the plan .* is for 120"):
        read_plan(plan, 100, tmp_path / "other.npz")
    model_files = []
    for w in windows:
        part, model = tmp_path / f"w{w.index}.npz", tmp_path / f"m{w.index}.npz"
        assert main(["cut-window", "--data", str(train), "--plan", str(plan), "--window",
                     str(w.index), "--out", str(part)]) == 0
        assert main(["train", "--model", "markov", "--data", str(part), "--out", str(model)]) == 0
        model_files.append(str(model))
    out = tmp_path / "ags.npz"
    args = ["stitch", "--plan", str(plan), "--like", str(train), "--seed", "1",
            "--out", str(out), "--vcf-out", str(tmp_path / "ags.vcf.gz")]
    assert main(args + ["--model-files", *model_files]) == 0
    ags = load_haplotypes(out)
    assert ags.n_haplotypes == 40 and ags.n_snps == 120
    assert (tmp_path / "ags.vcf.gz.tbi").exists()
    # a missing window model: one line naming it, and nothing written
    out.unlink()
    assert main(args + ["--model-files", *model_files[:2]]) == 2
    assert not out.exists()
    (tmp_path / "m1.npz").write_bytes(b"PK\x03\x04 cut short")
    assert main(args + ["--model-files", *model_files]) == 2
    assert not out.exists()
