import datetime as dt
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from events.duckdb_store import DuckDBStore
from events.filters import EventQuery
from events.importer import preview
from events.native import native_csv, neutralise, restore
from events.store import Batch
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


text_values = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40) | st.sampled_from(
    ["=1+1", "+SUM", "-x", "@A1", "'", "''=", "\r", "a\rb", "سطر\nجديد", '"quoted"', "\t=1", " padded "])
_STORE: list[DuckDBStore] = []


@settings(max_examples=60, deadline=None)
@given(notes=text_values, location=text_values, actor1=text_values, fatalities=st.integers(0, 10**6),
       latitude=st.floats(-90, 90), day=st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31)))
def test_export_then_import_gives_identical_rows(notes, location, actor1, fatalities, latitude, day):
    """Store, export as native CSV, import the export: the same rows."""
    if not _STORE:
        _STORE.append(DuckDBStore(Path(tempfile.mkdtemp()) / "events.duckdb"))
    store = _STORE[0]
    number = len(store.batches()) + 1
    event = make_event(number, notes=notes or None, location=location or None, actor1=actor1 or None,
                       fatalities=fatalities, latitude=latitude, event_date=day, timestamp=1710000000)
    store.insert([event], Batch(f"b{number}", "native"))
    [stored] = [e for e in store.iter_events(EventQuery()) if e["event_id"] == event["event_id"]]
    result = preview(native_csv([stored]).encode("utf-8"), "export.csv")
    assert result.rejected == []
    [back] = result.accepted.to_pylist()
    assert back == {**stored, "batch_id": None}
    assert {k: back[k] for k in event if k not in ("batch_id", "created_at", "updated_at")} == {
        k: v for k, v in event.items() if k not in ("batch_id", "created_at", "updated_at")}
