from events.default_data import DEFAULT_FILES
from events.importer import preview
from events.native import native_csv
from events.synthetic import generate
from geo.admin import ADMIN1_NAMES


def test_default_data_is_valid_and_large_enough():
    synthetic, hand_coded = (preview(p.read_bytes(), p.name) for p in DEFAULT_FILES)
    assert (synthetic.rows_read, synthetic.accepted_count, synthetic.rejected) == (2400, 2400, [])
    assert (hand_coded.rows_read, hand_coded.accepted_count, hand_coded.rejected) == (1, 1, [])
    events = synthetic.accepted.to_pylist()
    assert {e["admin1"] for e in events} == set(ADMIN1_NAMES)
    assert {e["origin"] for e in events} == {"demo"}
    [seed] = hand_coded.accepted.to_pylist()
    assert (seed["admin1"], seed["sub_event_type"], seed["fatalities"], seed["source"]) == (
        "Hama", "Air/drone strike", 10, "Arab 48")


def test_generator_is_seeded_and_matches_the_committed_file():
    committed = DEFAULT_FILES[0].read_bytes().decode("utf-8")
    assert native_csv(generate(2400, seed=7)) == committed
