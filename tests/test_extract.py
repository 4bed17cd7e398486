import datetime as dt
import json
import subprocess
import sys

import pytest

from extract import rules
from extract.draft import draft_events
from extract.text import Report
from geo.geocoder import OfflineGeocoder
from tests.conftest import FIXTURES, ROOT

REPORTS = FIXTURES / "reports"
PUBLISHED = dt.date(2024, 5, 10)
FIELDS = ("event_date", "event_type", "sub_event_type", "actor1", "assoc_actor_1", "actor2", "fatalities",
          "admin1", "location", "geo_precision", "source")


@pytest.fixture(scope="module")
def geocoder():
    return OfflineGeocoder()


def _rederive(field: str, text: str, published: dt.date, geocoder):
    """Apply a field's own rule to the text of one evidence span alone."""
    report = Report(text)
    if field in ("event_type", "sub_event_type", "disorder_type"):
        return rules.find_sub_event_type(report)[0].value
    if field in ("actor1", "assoc_actor_1", "inter1"):
        found = rules.find_forces(report) or rules.find_named_actors(report)
        return found[0].value
    if field in ("actor2", "inter2", "civilian_targeting"):
        return rules.find_named_actors(report)[0].value
    if field == "fatalities":
        return rules.find_fatalities(report)[0].value
    if field == "event_date":
        return rules.find_event_date(report, published)[0].value
    if field in ("location", "latitude", "longitude", "admin1", "admin2", "admin3", "geo_precision"):
        return rules.find_place(report, geocoder)[0].value.raw["admin1"]
    if field == "source":
        return rules.find_source(report)[0].value
    raise AssertionError(f"no rule for {field}")


def _expected_from_rule(field, draft):
    if field in ("event_type", "disorder_type"):
        return draft["sub_event_type"]
    if field in ("actor1", "assoc_actor_1", "inter1"):
        return None
    if field in ("location", "latitude", "longitude", "admin1", "admin2", "admin3", "geo_precision"):
        return draft["admin1"]
    return draft[field]


def _check_evidence(raw, draft, published, geocoder):
    """Every span is the report's text at its offsets, and a field's rule
    applied to its evidence alone gives the field's value: each span alone,
    or (the type, weighed from a word and its target; a toll, summed from
    each group counted) all of its spans together."""
    assert draft["evidence"], "a draft without evidence"
    for field, spans in draft["evidence"].items():
        for span in spans:
            assert raw[span["start"]:span["end"]] == span["text"]
        if field in ("event_type", "sub_event_type", "disorder_type", "fatalities"):
            spans = [{"text": " ".join(span["text"] for span in spans)}]
        for span in spans:
            value = _rederive(field, span["text"], published, geocoder)
            expected = _expected_from_rule(field, draft)
            if field in ("actor1", "assoc_actor_1", "inter1"):
                # the rule gives (leading actor, associates...) as (name, inter) pairs
                names = [name for name, _ in value]
                assert draft["actor1"] == names[0]
                assert (draft["assoc_actor_1"] or "") == "; ".join(names[1:])
            elif field in ("actor2", "inter2", "civilian_targeting"):
                assert value[0][0] == draft["actor2"]
            else:
                assert value == expected, (field, span)


def test_seed_report(seed_report, geocoder):
    published = dt.date(2024, 3, 16)
    [draft] = draft_events(seed_report, published, geocoder)
    assert {f: draft[f] for f in FIELDS} == {
        "event_date": dt.date(2024, 3, 16),
        "event_type": "Explosions/Remote violence",
        "sub_event_type": "Air/drone strike",
        "actor1": "Military Forces of Syria",
        "assoc_actor_1": "Military Forces of Russia",
        "actor2": "Unidentified Armed Group (Syria)",
        "fatalities": 10,
        "admin1": "Hama",
        "location": "Hama",
        "geo_precision": 3,
        "source": "Arab 48",
    }
    assert draft["evidence"]["fatalities"] == [{"text": "مقتل عشرات", "start": 28, "end": 38}]
    assert draft["evidence"]["actor1"] == [{"text": "الطيران الحربي السوري والروسي", "start": 98, "end": 127}]
    assert draft["evidence"]["admin1"][0]["text"] == "ريف حماة"
    assert draft["evidence"]["source"][0]["text"] == "عرب 48"
    assert draft["evidence"]["event_date"][0]["text"] == "اليوم"
    _check_evidence(seed_report, draft, published, geocoder)


OTHER_REPORTS = {
    "01_saraqib_shelling_en.txt": {
        "event_date": dt.date(2024, 5, 9), "event_type": "Explosions/Remote violence",
        "sub_event_type": "Shelling/artillery/missile attack", "actor1": "Military Forces of Syria",
        "assoc_actor_1": None, "actor2": "Civilians (Syria)", "fatalities": 2, "admin1": "Idleb",
        "location": "Saraqib", "geo_precision": 1, "source": "SOHR"},
    "02_daraa_ied_ar.txt": {
        "event_date": dt.date(2024, 5, 10), "event_type": "Explosions/Remote violence",
        "sub_event_type": "Remote explosive/landmine/IED", "actor1": "Unidentified Armed Group (Syria)",
        "assoc_actor_1": None, "actor2": "Civilians (Syria)", "fatalities": 3, "admin1": "Dar'a",
        "location": "Dar‘a", "geo_precision": 1, "source": "Enab Baladi"},
    "03_idlib_clashes_ar.txt": {
        "event_date": dt.date(2024, 5, 9), "event_type": "Battles", "sub_event_type": "Armed clash",
        "actor1": "Military Forces of Syria", "assoc_actor_1": None, "actor2": "HTS: Hayat Tahrir al Sham",
        "fatalities": 5, "admin1": "Idleb", "location": "Idleb", "geo_precision": 3, "source": None},
    "04_suwayda_protest_en.txt": {
        "event_date": dt.date(2024, 5, 10), "event_type": "Protests", "sub_event_type": "Peaceful protest",
        "actor1": "Protesters (Syria)", "assoc_actor_1": None, "actor2": None, "fatalities": 0,
        "admin1": "As-Sweida", "location": "As-Suwayda", "geo_precision": 1, "source": "Enab Baladi"},
    "05_qamishli_drone_en.txt": {
        "event_date": dt.date(2024, 5, 10), "event_type": "Explosions/Remote violence",
        "sub_event_type": "Air/drone strike", "actor1": "Military Forces of Turkey", "assoc_actor_1": None,
        "actor2": "QSD: Syrian Democratic Forces", "fatalities": 2, "admin1": "Al-Hasakeh",
        "location": "Al Qamishli", "geo_precision": 2, "source": "North Press Agency"},
}


@pytest.mark.parametrize("name", sorted(OTHER_REPORTS))
def test_other_reports(name, geocoder):
    raw = (REPORTS / name).read_text(encoding="utf-8")
    [draft] = draft_events(raw, PUBLISHED, geocoder)
    assert {f: draft[f] for f in FIELDS} == OTHER_REPORTS[name]
    _check_evidence(raw, draft, PUBLISHED, geocoder)


def test_no_trigger_gives_no_type_rather_than_a_guess(geocoder):
    [draft] = draft_events("The weather in Hama was pleasant today.", PUBLISHED, geocoder)
    assert (draft["event_type"], draft["sub_event_type"]) == (None, None)
    assert draft["confidence"].get("event_type", 0) == 0


def test_cli_draft_on_a_report_from_stdin():
    raw = (REPORTS / "03_idlib_clashes_ar.txt").read_text(encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "extract", "draft", "--published", "2024-05-10", "-", "--json"],
                            cwd=ROOT, input=raw, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    [draft] = json.loads(result.stdout)
    assert (draft["event_date"], draft["sub_event_type"], draft["fatalities"], draft["admin1"]) == (
        "2024-05-09", "Armed clash", 5, "Idleb")
    assert draft["evidence"]["fatalities"] == [{"text": "مقتل 5", "start": 92, "end": 98}]
    from extract.confidence import calibrated

    # The rule says 0.8 (one group counted); the draft shows what the dev split measured at 0.8.
    assert draft["confidence"]["fatalities"] == calibrated("fatalities", 0.8)


@pytest.mark.parametrize("text, expected", [
    # ل before the article drops its alif: للطيران still names the air force.
    ("غارات للطيران الحربي السوري والروسي على ريف حماة ومقتل عشرات المسلحين اليوم",
     {"actor1": "Military Forces of Syria", "assoc_actor_1": "Military Forces of Russia", "fatalities": 10}),
    # A day of the month is not a death toll.
    ("On 1 May shelling killed two civilians in the town of Saraqib", {"fatalities": 2, "admin1": "Idleb"}),
    ("١٥ قتيلا في غارة على مدينة إدلب اليوم", {"fatalities": 15, "sub_event_type": "Air/drone strike"}),
    ("Clashes near Aleppo today, SOHR said.", {"source": "SOHR", "admin1": "Aleppo", "geo_precision": 2}),
    # A dual noun is a count of two.
    ("قُتل مدنيان اليوم جراء قصف مدفعي على بلدة كفرنبل", {"fatalities": 2, "admin1": "Idleb"}),
    # The nationality follows an indefinite noun.
    ("استهدفت طائرة مسيرة تركية سيارة في مدينة القامشلي أمس",
     {"actor1": "Military Forces of Turkey", "sub_event_type": "Air/drone strike", "admin1": "Al-Hasakeh"}),
    # Protesters make a protest; a clitic ب before مدينة still marks a place.
    ("خرج مئات المتظاهرين اليوم بمدينة السويداء", {"sub_event_type": "Peaceful protest",
                                                   "actor1": "Protesters (Syria)", "admin1": "As-Sweida"}),
    ("Israeli missiles struck a depot today", {"actor1": "Military Forces of Israel",
                                               "sub_event_type": "Shelling/artillery/missile attack"}),
])
def test_short_reports(text, expected, geocoder):
    [draft] = draft_events(text, PUBLISHED, geocoder)
    assert {k: draft[k] for k in expected} == expected
    _check_evidence(text, draft, PUBLISHED, geocoder)


FLOORS = {"event_type": 0.90, "sub_event_type": 0.80, "admin1": 0.90, "fatalities": 0.80, "event_date": 0.85,
          "actor1": 0.70}


def _evaluate(*args: str) -> dict:
    devset = ROOT / "extract" / "devset" / "reports.jsonl"
    result = subprocess.run([sys.executable, "-m", "extract", "evaluate", str(devset), "--json", *args], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_development_set_meets_the_floors():
    """The issue's floors on the whole set (64 reports, 44 Arabic, a fifth
    held out while the lexicons were tuned)."""
    scores = _evaluate()
    assert scores["reports"] == 64
    below = {name: scores["accuracy"][name] for name, floor in FLOORS.items() if scores["accuracy"][name] < floor}
    assert below == {}
    assert scores["evidence_validity"] == 1.0
    assert scores["confident_accuracy"] >= 0.9


def test_both_halves_are_scored_apart():
    dev, held_out = _evaluate("--split", "dev"), _evaluate("--split", "held_out")
    assert (dev["reports"], held_out["reports"]) == (51, 13)
    assert held_out["evidence_validity"] == 1.0


WEDNESDAY = dt.date(2024, 5, 15)  # a Wednesday


@pytest.mark.parametrize("text, date", [
    ("قصفت قوات النظام بلدة سراقب يوم الاثنين.", dt.date(2024, 5, 13)),
    ("Government artillery shelled Saraqib on Wednesday.", dt.date(2024, 5, 15)),
    ("وقعت الغارة في ١٢ آذار على مدينة إدلب.", dt.date(2024, 3, 12)),
    ("A car bomb exploded in Azaz on 3 May 2023.", dt.date(2023, 5, 3)),
    ("انفجرت عبوة ناسفة في درعا في ٢٠ كانون الأول.", dt.date(2023, 12, 20)),  # December read in May: last year's
])
def test_dates_from_weekdays_and_month_names(text, date, geocoder):
    [draft] = draft_events(text, WEDNESDAY, geocoder)
    assert draft["event_date"] == date
    [span] = draft["evidence"]["event_date"]
    assert text[span["start"]:span["end"]] == span["text"]


def test_a_cumulative_toll_is_flagged_not_coded(geocoder):
    text = "ارتفعت حصيلة ضحايا القصف على مدينة أريحا إلى ١١ قتيلاً."
    [draft] = draft_events(text, WEDNESDAY, geocoder)
    assert draft["fatalities"] is None
    assert draft["evidence"]["fatalities"][0]["text"] == "ارتفعت حصيلة"
    assert draft["flags"] == ["“ارتفعت حصيلة”: a cumulative toll, not this event's; code the deaths of this event "
                              "by hand"]


def test_two_events_in_one_report(geocoder):
    text = ("قصفت قوات النظام بالمدفعية بلدة سراقب اليوم ما أدى لمقتل مدني، "
            "فيما شنت طائرات حربية روسية غارات على محيط مدينة أريحا دون وقوع إصابات.")
    first, second = draft_events(text, WEDNESDAY, geocoder)
    assert (first["sub_event_type"], first["actor1"], first["location"], first["fatalities"]) == (
        "Shelling/artillery/missile attack", "Military Forces of Syria", "Saraqib", 1)
    assert (second["sub_event_type"], second["actor1"], second["location"], second["fatalities"]) == (
        "Air/drone strike", "Military Forces of Russia", "Ariha", 0)
    assert second["event_date"] == WEDNESDAY  # "اليوم" of the report
    assert second["evidence"]["sub_event_type"][0]["start"] > text.index("فيما")


@pytest.mark.parametrize("text, actor1", [
    ("Hundreds of people rallied in Raqqa today to protest against fuel prices.", "Protesters (Syria)"),
    ("A suicide bomber blew himself up in Manbij today, killing dozens. Islamic State claimed responsibility.",
     "Islamic State (Syria)"),
    ("قُتل ثمانية عناصر من قوات النظام اليوم بانفجار عبوة ناسفة في بادية الميادين.",
     "Unidentified Armed Group (Syria)"),
])
def test_whose_event_it_is(text, actor1, geocoder):
    [draft] = draft_events(text, WEDNESDAY, geocoder)
    assert draft["actor1"] == actor1


def test_the_calibration_table_is_what_the_dev_split_measures():
    """calibration.csv is reproduced by `python -m extract calibrate` (dev split only)."""
    import csv

    from extract import calibrate, confidence

    measured = calibrate.measure(ROOT / "extract" / "devset" / "reports.jsonl")
    with open(confidence.TABLE, encoding="utf-8", newline="") as handle:
        stored = [{**row, "rule_confidence": float(row["rule_confidence"]), "reports": int(row["reports"]),
                   "right": int(row["right"]), "calibrated": float(row["calibrated"])}
                  for row in csv.DictReader(handle)]
    assert stored == measured
    assert confidence.calibrated("location", 0.6) == 0.6  # not measured: the rule's own


def test_drafting_does_not_import_the_measurement():
    """The look-up drafting uses knows nothing of drafting: no import circle."""
    import ast

    tree = ast.parse((ROOT / "extract" / "confidence.py").read_text(encoding="utf-8"))
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not imported & {"draft", "calibrate", "evaluate", "extract.draft"}


def test_a_time_word_after_a_reporting_verb_is_flagged(geocoder):
    [said] = draft_events("A shell hit Saraqib, killing two, the Observatory said on Monday.", WEDNESDAY, geocoder)
    assert said["flags"] == ["“Monday” follows a reporting verb: it may date the report, not the event"]
    [plain] = draft_events("A shell hit Saraqib on Monday, killing two.", WEDNESDAY, geocoder)
    assert plain["flags"] == []


def test_notes_are_english_and_keep_the_report(geocoder):
    text = "قُتل مدنيان اليوم جراء قصف مدفعي على بلدة كفرنبل"
    [draft] = draft_events(text, WEDNESDAY, geocoder)
    assert draft["notes"] == ("On 15 May 2024, Unidentified Armed Group (Syria): shelling/artillery/missile attack "
                              "in Kafranbel (Idleb). 2 fatalities coded.\n\nReport: " + text)


def test_a_report_read_from_a_file_keeps_its_url_as_source_url(geocoder):
    from extract.reports import ReportInput, drafts_of

    report = ReportInput("Shelling hit Saraqib today, killing two.", WEDNESDAY, "https://example.org/a?b=1", "r.csv:2")
    [draft] = drafts_of(report, geocoder)
    assert draft["source_url"] == "https://example.org/a?b=1"
    assert "example.org" not in draft["notes"]
