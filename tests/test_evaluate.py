"""The scores on real coders' place names (geo/evaluate.py), read from
../shared/corpora: skipped with a reason when that folder is absent.
Nothing of those files is copied here."""

import pytest

from geo import evaluate
from tests.conftest import SHARED

CORPORA = SHARED / "corpora"
pytestmark = pytest.mark.skipif(not (CORPORA / evaluate.ACLED).exists() or not (CORPORA / evaluate.UCDP).exists(),
                                reason="../shared/corpora (the real ACLED and UCDP dev files) is not there")


@pytest.fixture(scope="module")
def scores():
    return evaluate.evaluate(CORPORA)[0]


def test_the_split_is_the_corpus_readmes():
    import hashlib

    keys = [f"SYR{i}" for i in range(1000)]
    assert [evaluate.untouched(k) for k in keys] == [int(hashlib.sha256(k.encode()).hexdigest(), 16) % 10 < 3
                                                     for k in keys]
    assert 0.25 < sum(map(evaluate.untouched, keys)) / len(keys) < 0.35


def test_every_measure_is_given_on_all_rows_and_both_parts(scores):
    assert scores["acled"]["hint 10 km"].total["all"] == 150
    assert 80 <= scores["ucdp"]["hint 25 km"].total["all"] <= 100  # where_prec <= 2 only
    for measures in scores.values():
        for score in measures.values():
            assert score.total["all"] == score.total["tuned"] + score.total["untouched"] > 0
            assert score.total["untouched"] > 0


def test_failures_never_show_untouched_rows():
    _, failures = evaluate.evaluate(CORPORA)
    for line in failures:
        assert not evaluate.untouched(line.split()[1])
