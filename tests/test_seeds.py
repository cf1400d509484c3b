"""Named random streams: each keeps the numbers its module drew before the
streams had names, and streams with tags never meet."""

import itertools

import numpy as np
import pytest

from artgen import seeds
from artgen.errors import InputError


# The first numbers of each stream at seed 7, as the modules derived them by
# hand (SeedSequence([seed, *keys, tag])): the pipeline's outputs depend on them.
def test_streams_keep_the_numbers_drawn_before():
    assert seeds.child(7, "training/snapshot", 3) == 3840074010
    assert seeds.child(7, "gan/draws") >> 1 == 526194203
    assert seeds.child(7, "stitching/window", 5) == 1002604896
    assert seeds.child(7, "cohort/contig", "15") == 135503658
    draws = {("gan/weights",): [1331092208, 586751566, 578064618],
             ("hmm/validation",): [1215114396, 1564119464, 642372233],
             ("hmm/clusters", 4): [1255553382, 335617845, 2013755113],
             ("rbm/epoch", 2): [604133646, 596936635, 328258452],
             ("correlations/gap", 16): [1225060014, 1345294398, 149465832]}
    for (name, *keys), expected in draws.items():
        assert seeds.rng(7, name, *keys).integers(0, 2**31, 3).tolist() == expected, name


def test_streams_are_their_seed_sequences():
    assert seeds.sequence(7, "hmm/clusters", 4).entropy == [7, 4, 0x4D4D]
    assert seeds.sequence([7, 1], "correlations/gap", 0).entropy == [7, 1, 0]
    assert seeds.child(7, "sample/draw", 2) == \
        int(seeds.sequence(7, "sample/draw", 2).generate_state(1)[0])


def test_distinct_names_give_distinct_streams():
    # Every pair of names at the same seed and keys, except pairs of untagged
    # streams (laid out [seed, key] alike before they had names).
    for a, b in itertools.combinations(seeds.STREAMS, 2):
        if a in seeds.UNTAGGED and b in seeds.UNTAGGED:
            continue
        for keys_a, keys_b in _same_keys(a, b):
            assert seeds.child(11, a, *keys_a) != seeds.child(11, b, *keys_b), (a, b)
            assert seeds.sequence(11, a, *keys_a).entropy != \
                seeds.sequence(11, b, *keys_b).entropy, (a, b)


def test_tags_are_distinct():
    tags = [tag for _, tag in seeds.STREAMS.values() if tag]
    assert len(tags) == len(set(tags))


def test_keys_and_seeds_give_distinct_streams():
    assert seeds.child(1, "training/snapshot", 1) != seeds.child(1, "training/snapshot", 2)
    assert seeds.child(1, "training/snapshot", 1) != seeds.child(2, "training/snapshot", 1)
    assert seeds.child(1, "cohort/contig", "1") != seeds.child(1, "cohort/contig", "15")
    first = seeds.rng(3, "gan/weights").random(4)
    assert np.array_equal(first, seeds.rng(3, "gan/weights").random(4))


@pytest.mark.parametrize("seed", [-1, 1.5, "7", True, None, [1, -2]])
def test_bad_seed_is_refused(seed):
    with pytest.raises(InputError, match="seed must be a non-negative integer"):
        seeds.child(seed, "gan/weights")


def test_unknown_name_is_refused():
    with pytest.raises(InputError, match="unknown random stream 'gan/latent'"):
        seeds.rng(0, "gan/latent")


@pytest.mark.parametrize("keys", [(), (1, 2)])
def test_wrong_number_of_keys_is_refused(keys):
    with pytest.raises(InputError, match=r"takes the keys \(epoch\)"):
        seeds.child(0, "training/snapshot", *keys)


@pytest.mark.parametrize("key", [-1, 2.0, True, None])
def test_bad_key_is_refused(key):
    with pytest.raises(InputError, match="keys must be non-negative integers or strings"):
        seeds.child(0, "stitching/window", key)


def _same_keys(a: str, b: str):
    """Key tuples for streams ``a`` and ``b``: the same values where they
    take as many keys, else a few of each."""
    n_a, n_b = len(seeds.STREAMS[a][0]), len(seeds.STREAMS[b][0])
    values = [(k,) * max(n_a, n_b) for k in (0, 1, 4)]
    return [(v[:n_a], v[:n_b]) for v in values]
