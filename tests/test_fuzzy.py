"""Spellings coders write against GeoNames' (geo/fuzzy.py), within the area
named or given: the pairs of issue 16, and what must not match."""

import pytest

from geo.fuzzy import Pool, loose_skeleton
from geo.gazetteer import Place
from geo.geocoder import OfflineGeocoder


@pytest.fixture(scope="module")
def geocoder():
    return OfflineGeocoder()


@pytest.mark.parametrize("written, geonames, admin1", [
    ("Shifouneih", "Ash Shaffuniyah", "Rural Damascus"),
    ("شفونية", "Ash Shaffuniyah", "Rural Damascus"),
    ("Kabani", "Kabanah", "Lattakia"),
    ("Tell Mannas", "Tallmannis", "Idleb"),
    ("Kafr Nabudah", "Kafr Nubbudhah", "Hama"),
    ("Irbeen", "Arbin", "Rural Damascus"),
    ("Hamouria", "Hammurah", "Rural Damascus"),
    ("Deir Maker", "Dayr Maqir", "Rural Damascus"),
    ("Bebila", "Babbila", "Rural Damascus"),
])
def test_a_coders_spelling_finds_the_geonames_place(geocoder, written, geonames, admin1):
    expected = geocoder.geocode(geonames, admin1=admin1)
    found = geocoder.geocode(written, admin1=admin1)
    assert found is not None and found.raw["admin1"] == admin1
    # The same place (two sources may both list it, a few hundred metres apart).
    assert abs(found.latitude - expected.latitude) + abs(found.longitude - expected.longitude) < 0.03


def test_loose_skeletons_fold_the_final_h_and_spaces():
    assert loose_skeleton("Kabani") == loose_skeleton("Kabanah") == "kbn"
    assert loose_skeleton("Tell Mannas") == loose_skeleton("Tallmannis")


def _place(name: str, latitude: float = 35.0) -> Place:
    return Place(name, latitude, 36.0, "Hama", None, 0, "test", names=(name,))


def test_several_alike_are_all_returned_best_first_and_a_far_name_is_not():
    pool = Pool.of([_place("Kafr Zita"), _place("Kafr Zeita", 35.1), _place("Halfaya", 35.2)])
    names = [p.name for p, _ in pool.match("Kafr Zaita")]
    assert set(names) == {"Kafr Zita", "Kafr Zeita"}
    assert pool.match("Suran") == []


def test_a_spelling_far_from_every_name_of_the_area_gives_the_area(geocoder):
    found = geocoder.geocode("Qzwxyq Bnrtlk", admin1="Hama")
    assert found.raw["admin1"] == "Hama" and found.raw["geo_precision"] == 3
    assert "not in the gazetteer" in found.raw["rule"]


def test_typos_of_running_text_are_not_matched_when_close_spellings_are_off(geocoder):
    assert geocoder.geocode("Shifouneih", admin1="Rural Damascus", close_spellings=False).raw["geo_precision"] == 3


def test_a_place_own_name_counts_before_another_of_its_names():
    # GeoNames lists "Hadr" among the other names of a neighbouring village.
    own = _place("Hadar")
    other = Place("Khirbat al Khawkhah", 35.1, 36.0, "Hama", None, 0, "test", names=("Khirbat al Khawkhah", "Hadr"))
    assert [p.name for p, _ in Pool.of([other, own]).match("Hodr")][0] == "Hadar"


def test_the_context_town_is_found_by_a_spelling_of_its_area_and_an_area_elsewhere_is_not_taken(geocoder):
    # Hodr is Quneitra's Hadar; Aleppo's Hadher subdistrict is spelled alike but lies elsewhere.
    found = geocoder.geocode("agricultural land, south of Hodr town in rural Al-Quneitra.", admin1="Quneitra")
    assert (found.address, found.raw["admin1"]) == ("Hadar", "Quneitra")
