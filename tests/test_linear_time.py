"""Drafting, geocoding and normalising take time in proportion to the input.

A 40,000-character report with no spaces (a base64 blob, a long URL) once
kept the Streamlit script thread busy for most of a minute, and 2M
characters never finished: patterns that backtrack over a long word from
every position cost the square of the length. Each test here runs 200,000
characters, the longest report the Code page takes; in linear time that is
a few seconds, in quadratic time it is many minutes, so the timeout
(generous, as this machine's speed drifts) tells the two apart without
timing anything finely.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys

import pytest

from bench.extract_bench import LONG_KINDS, long_report
from extract.draft import MAX_REPORT_CHARS, ReportTooLongError, draft_events
from geo.geocoder import OfflineGeocoder
from geo.normalise import latin_key, normalise, normalise_with_offsets, skeleton
from geo.phrases import parse
from tests.conftest import ROOT

SIZE = MAX_REPORT_CHARS
PUBLISHED = dt.date(2024, 3, 16)
LIMIT = 60  # seconds: linear code takes a few, the quadratic code took many minutes


@pytest.fixture(scope="module")
def geocoder():
    return OfflineGeocoder()


@pytest.fixture(params=LONG_KINDS)
def longest(request) -> str:
    """A report of each kind (bench.extract_bench.long_report) as long as can be drafted, a place at its end."""
    seed = request.getfixturevalue("seed_report") if request.param == "seed_repeated" else None
    return long_report(request.param, SIZE, seed)


@pytest.mark.timeout(LIMIT)
def test_drafting_the_longest_report_is_linear_and_reads_it_all(longest, geocoder):
    assert len(longest) == SIZE
    drafts = draft_events(longest, PUBLISHED, geocoder)
    placed = [(d["location"], span) for d in drafts for span in d["evidence"].get("location", [])]
    near_the_end = {(location, span["text"]) for location, span in placed if span["start"] >= 0.9 * SIZE}
    assert near_the_end & {("Saraqib", "in Saraqib"), ("Saraqib", "مدينة سراقب")}, placed[-3:]


@pytest.mark.timeout(LIMIT)
def test_geocoding_the_longest_report_is_linear(longest, geocoder):
    # Not a place phrase: nothing is found, and quickly.
    assert geocoder.geocode(longest) is None
    assert geocoder.geocode(longest, close_spellings=False) is None


@pytest.mark.timeout(LIMIT)
def test_normalising_the_longest_report_is_linear(longest):
    key, offsets = normalise_with_offsets(longest)
    assert len(offsets) == len(key)
    assert normalise(longest) == key.strip()
    latin_key(longest)
    skeleton(longest)


@pytest.mark.timeout(LIMIT)
def test_parsing_the_longest_report_as_a_phrase_is_linear(longest):
    assert parse(longest).items


def test_a_longer_report_is_refused_with_a_reason():
    with pytest.raises(ReportTooLongError, match="200,000") as refused:
        draft_events("x" * (MAX_REPORT_CHARS + 1), PUBLISHED)
    assert isinstance(refused.value, ValueError)


def _patterns() -> dict[str, re.Pattern]:
    """Every regular expression of extract/ and geo/ compiled where a test can reach it."""
    from extract import lexicons, reports, rules
    from geo import normalise as normalise_module
    from geo import phrases

    found = {f"{module.__name__}.{name}": value for module in (rules, reports, phrases, normalise_module)
             for name, value in vars(module).items() if isinstance(value, re.Pattern)}
    for built in (rules._force_patterns, rules._fatality_patterns, rules._one_death_patterns):
        found.update((f"extract.rules.{built.__name__}()[{i}]", p) for i, p in enumerate(built()))
    found.update((f"extract.lexicons.{loader.__name__}()", loader().pattern) for loader in (
        lexicons.triggers, lexicons.actors, lexicons.force_nouns, lexicons.nationality_adjectives,
        lexicons.quantities, lexicons.death_words, lexicons.outlets, lexicons.time_words))
    return found


# Runs that make a backtracking pattern read far from every position.
_RUNS = {"latin letters": "a", "arabic letters": "ب", "spaces": " ", "digits": "7", "short words": "ab ",
         "arabic words": "ريف حماة "}


@pytest.mark.timeout(LIMIT)
@pytest.mark.parametrize("name", sorted(_patterns()))
def test_every_pattern_searches_a_long_run_in_linear_time(name):
    pattern = _patterns()[name]
    for run in _RUNS.values():
        text = (run * (SIZE // len(run)))[:SIZE]
        for _ in pattern.finditer(text):
            pass


def test_the_command_line_refuses_a_longer_report_in_words(tmp_path):
    path = tmp_path / "long.txt"
    path.write_text("x" * (MAX_REPORT_CHARS + 1), encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "extract", "draft", "--published", "2024-03-16", str(path),
                             "--json"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 2
    assert "at most 200,000 can be drafted" in result.stderr
