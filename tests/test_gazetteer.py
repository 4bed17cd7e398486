"""The built gazetteer (data/gazetteer/, written by geo/build.py): the real
Syrian places of ../shared/data/places, merged, sourced and attributed. The
built files are committed: nothing here needs ../shared."""

import csv
import math

import pytest

from geo.gazetteer import GAZETTEER_DIR, default_gazetteer, place_keys


def _localities() -> list[dict]:
    with open(GAZETTEER_DIR / "localities.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_real_villages_and_neighbourhoods_are_loaded_with_their_source_and_ids():
    gazetteer = default_gazetteer()
    villages = [p for p in gazetteer.places if p.source.startswith("whosonfirst:")]
    neighbourhoods = [p for p in gazetteer.places if p.source.startswith("ocha:")]
    assert len(villages) > 9_500 and len(neighbourhoods) > 400
    assert sum(p.source.startswith("geonames:") for p in gazetteer.places) == 308  # cities500 as before
    for row in _localities():
        assert row["source"] and row["ids"] and row["source"].split(" ")[0].replace("whosonfirst", "wof") in row["ids"]
    assert all(p.city for p in neighbourhoods)


def test_same_name_records_within_2_km_are_one_place():
    by_key: dict[str, list[dict]] = {}
    for row in _localities():
        for key in row["keys"].split("|"):
            by_key.setdefault(key, []).append(row)
    for rows in by_key.values():
        for i, a in enumerate(rows):
            for b in rows[i + 1:]:
                lat, lon = float(a["latitude"]) - float(b["latitude"]), float(a["longitude"]) - float(b["longitude"])
                km = 111.2 * math.hypot(lat, lon * math.cos(math.radians(float(a["latitude"]))))
                assert km > 2.0, (a["name"], b["name"])


def test_the_stored_keys_are_the_ones_the_gazetteer_would_compute():
    """The build stores each place's keys (computing 60,000 of them would take
    most of the load); a change to geo/normalise.py needs `make gazetteer`."""
    stale = [row["name"] for row in _localities()
             if place_keys([row["name"], *filter(None, row["names"].split("|"))])
             != (row["keys"].split("|"), list(filter(None, row["skeletons"].split("|"))))]
    assert not stale, f"{len(stale)} places' keys are stale (run `make gazetteer`), e.g. {stale[:5]}"


@pytest.mark.parametrize("source", ["GeoNames", "Who's On First", "OCHA", "CC BY 4.0", "CC BY 3.0 IGO",
                                    "neighbourhoods", "localities.csv"])
def test_attribution_names_every_source(source):
    assert source in (GAZETTEER_DIR / "ATTRIBUTION.md").read_text(encoding="utf-8")


def test_a_neighbourhood_is_found_by_its_arabic_name_in_its_city():
    found = [p for p in default_gazetteer().lookup("الوعر") if p.source.startswith("ocha:")]
    assert found and found[0].admin1 == "Homs" and found[0].city == "Homs"


def _record(name: str, latitude: float, ids: list[str], origin: str = "geonames-wof", feature: str = "village"):
    return {"names": [name], "name_ar": "", "latitude": latitude, "longitude": 36.0, "feature": feature,
            "stated_admin1": "Hama", "city": "", "ids": ids, "origin": origin}


def test_the_build_merges_one_name_within_2_km_and_keeps_every_id():
    from geo.build_localities import merge

    records = [_record("Haysh", 35.0, ["geonames:1"]), _record("Haysh", 35.01, ["geonames:2"], feature="locality"),
               _record("Haysh", 35.1, ["geonames:3"]),  # 11 km away: another village
               _record("Haysh", 35.005, ["geonames:4"], origin="cities500", feature="city")]
    merged, dropped = merge(records)
    assert dropped == 2 and len(merged) == 2
    kept = next(r for r in merged if r["origin"] == "cities500")  # a cities500 town keeps its point and id
    assert kept["ids"][0] == "geonames:4" and set(kept["ids"]) == {"geonames:1", "geonames:2", "geonames:4"}


def test_of_spellings_as_close_a_place_own_name_and_its_article_decide():
    from geo.gazetteer import default_gazetteer

    gazetteer = default_gazetteer()
    # Dardarah (Al-Hasakeh) is written without the article, Ad Dardarah (Tartous) with it.
    assert gazetteer.lookup_skeleton("Dardara")[0].admin1 == "Al-Hasakeh"
    assert gazetteer.lookup_skeleton("Ad Dardara")[0].admin1 != "Al-Hasakeh"
    # Kafr `Uwayd's own name, not one of Kafr Zayt's other names (Kafer Zeïd).
    assert gazetteer.lookup_fuzzy("Kafr Oweid", None)[0][0].label == "Kafr `Uwayd"
