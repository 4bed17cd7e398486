"""Floors on text we did not write: ACLED's own notes (../shared/corpora,
read where they lie, never copied) and the two blind sets written by
someone who had not seen the extractor (blind_ar.jsonl, blind2.jsonl). Each floor is a little under what
was measured (README, Extraction), on the whole file and on its untouched
part (ACLED: the corpus README's split; the blind set: its held_out
lines); ratchet them up as scores rise. Skipped with a reason when a file
is absent."""

import datetime as dt
import hashlib

import pytest

from extract import cases, evaluate
from tests.conftest import ROOT

BLIND = ROOT / "extract" / "devset" / "blind_ar.jsonl"
BLIND2 = ROOT / "extract" / "devset" / "blind2.jsonl"
BLIND_SETS = {"blind": BLIND, "blind2": BLIND2}

# measure -> floor; "fatalities > 0" is exact fatalities where the gold codes deaths,
# "event_type per type" the mean of each ACLED type's share right.
FLOORS = {
    "syria": {
        "all": {"event_type": 0.93, "sub_event_type": 0.91, "fatalities": 0.94, "fatalities > 0": 0.82,
                "actor1": 0.79, "admin1": 0.96, "place 25 km": 0.78},
        "untouched": {"event_type": 0.87, "sub_event_type": 0.87, "fatalities": 0.89, "fatalities > 0": 0.70,
                      "actor1": 0.78, "admin1": 0.95, "place 25 km": 0.72},
    },
    "world": {
        "all": {"event_type per type": 0.79, "event_type": 0.87, "sub_event_type": 0.84, "fatalities": 0.94,
                "fatalities > 0": 0.80, "actor1": 0.66},
        "untouched": {"event_type per type": 0.78, "event_type": 0.87, "sub_event_type": 0.83, "fatalities": 0.93,
                      "fatalities > 0": 0.80, "actor1": 0.66},
    },
    "blind": {
        "all": {"event_type": 0.95, "sub_event_type": 0.94, "fatalities": 0.93, "admin1": 0.97, "actor1": 0.88},
        "untouched": {"event_type": 0.89, "sub_event_type": 0.86, "fatalities": 0.89, "admin1": 0.97},
    },
    # Measured (session 9): all 0.93 / 0.90 / 0.94 / 0.875 / 0.90 / 0.96; untouched (first sight,
    # unchanged) 0.83 / 0.73 / 0.90 / - / 0.77 / 0.97: one report of 30 under.
    "blind2": {
        "all": {"event_type": 0.92, "sub_event_type": 0.88, "fatalities": 0.93, "fatalities > 0": 0.85,
                "actor1": 0.89, "admin1": 0.94},
        "untouched": {"event_type": 0.80, "sub_event_type": 0.70, "fatalities": 0.86, "actor1": 0.73,
                      "admin1": 0.93},
    },
}


def _share(result: dict, measure: str) -> float:
    if measure == "event_type per type":
        return result["event_type_per_type"]
    count = result["counts"][measure]
    return count["right"] / count["of"]


@pytest.fixture(scope="module")
def scores() -> dict:
    """Each file's scores, all and per part, for the files that are there."""
    files = {**cases.ACLED_FILES, **BLIND_SETS}
    return {name: evaluate.evaluate_parts(path) for name, path in files.items() if path.exists()}


@pytest.mark.parametrize("name, part", [(name, part) for name in FLOORS for part in FLOORS[name]])
def test_the_floors_hold(scores, name, part):
    if name not in scores:
        where = BLIND_SETS[name] if name in BLIND_SETS else cases.ACLED_FILES[name]
        pytest.skip(f"{where} is not there (../shared/corpora, or the blind set not yet written)")
    result = scores[name][part]
    below = {measure: round(_share(result, measure), 3) for measure, floor in FLOORS[name][part].items()
             if _share(result, measure) < floor}
    assert below == {}, f"{name}, {part} ({result['reports']} reports) below its floors"


def test_the_split_is_the_corpus_readmes():
    keys = [f"SYR{i}" for i in range(2000)]
    assert [cases.untouched(k) for k in keys] == [int(hashlib.sha256(k.encode()).hexdigest(), 16) % 10 < 3
                                                  for k in keys]


@pytest.mark.skipif(not cases.ACLED_FILES["syria"].exists(), reason="../shared/corpora/acled is not there")
def test_an_acled_note_is_published_three_days_after_its_event():
    rows = cases.read_acled(cases.ACLED_FILES["syria"])
    assert len(rows) == 150 and sum(row.part == cases.UNTOUCHED for row in rows) == 47
    assert all(row.published - dt.date.fromisoformat(row.gold["event_date"]) == dt.timedelta(days=3) for row in rows)


@pytest.mark.skipif(not cases.ACLED_FILES["syria"].exists(), reason="../shared/corpora/acled is not there")
def test_the_untouched_part_is_scored_but_never_shown(scores):
    assert scores["syria"]["untouched"]["reports"] == 47
    assert scores["syria"]["untouched"]["misses"] == []
    shown = {miss["id"] for miss in scores["syria"]["all"]["misses"]}
    assert shown and not any(cases.untouched(key) for key in shown)


def test_actors_are_compared_before_any_bracket_or_colon():
    assert cases.actor_key("Military Forces of Syria (2000-) Prison Guards") == "Military Forces of Syria"
    assert cases.actor_key("QSD: Syrian Democratic Forces") == "QSD"
    assert cases.actor_key(None) is None
