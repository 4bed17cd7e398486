import datetime as dt
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from events.native import native_csv, neutralise, read_native, restore
from tests.helpers import make_event


def test_formula_cells_are_neutralised_and_restored():
    for cell in ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "\n=1", "'quoted"]:
        assert neutralise(cell).startswith("'")
        assert restore(neutralise(cell)) == cell
    assert neutralise("Hama") == "Hama"


def test_every_field_is_quoted_and_numbers_stay_numbers():
    text = native_csv([make_event(1, notes="=HYPERLINK(\"x\")", longitude=-0.5)])
    header, row = text.split("\r\n")[:2]
    assert header.startswith('"event_id","event_date"')
    assert '"\'=HYPERLINK(""x"")"' in row
    assert '"-0.5"' in row


def test_a_bom_for_excel_is_read_back():
    text = native_csv([make_event(1)], bom=True)
    assert text.startswith("\ufeff")


def _read(text):
    return list(read_native(io.StringIO(text.lstrip("\ufeff"), newline="")))


def test_lines_are_physical_lines():
    text = native_csv([make_event(1, notes="two\nlines"), make_event(2)])
    assert [line for line, _, _ in _read(text)] == [2, 4]


def test_bad_values_are_reported_with_their_line():
    text = native_csv([make_event(1), make_event(2)]).replace('"2024-03-16"', '"2024-02-30"', 1)
    (line, event, problems), (_, second, _) = _read(text)
    assert (line, event) == (2, None)
    assert [(p.column, p.reason.value, p.line) for p in problems] == [("event_date", "bad_date", 2)]
    assert second["event_id"] == "test:2"


text_values = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40) | st.sampled_from(
    ["=1+1", "+SUM", "-x", "@A1", "'", "''=", "\r", "a\rb", "سطر\nجديد", '"quoted"', "\t=1"])


@settings(max_examples=150, deadline=None)
@given(notes=text_values, location=text_values, actor1=text_values, fatalities=st.integers(0, 10**6),
       latitude=st.floats(-90, 90), day=st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31)))
def test_round_trip_is_exact(notes, location, actor1, fatalities, latitude, day):
    event = make_event(1, notes=notes or None, location=location or None, actor1=actor1 or None,
                       fatalities=fatalities, latitude=latitude, event_date=day)
    [(_, back, problems)] = _read(native_csv([event]))
    assert problems == []
    assert back == event
