"""Encodings: the rule of reading.decode, measured on real text, and the
import of whole real files saved in each encoding."""

from __future__ import annotations

import csv
import io

import pytest

from events.importer import ImportFileError, preview
from events.native import native_csv
from events.reading import decode
from tests.conftest import SHARED
from tests.helpers import make_event

PLACES = SHARED / "data" / "places" / "syria_localities_geonames.csv"
UCDP_CAR = SHARED / "corpora" / "ucdp" / "ged231_car.csv"


def _need(path):
    if not path.exists():
        pytest.skip(f"{path} is absent (real data lives in ../shared)")
    return path


def _dict_rows(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _small_file(notes: str, location: str) -> str:
    return native_csv([make_event(1, notes=notes, location=location)])


def test_real_arabic_names_saved_in_windows_1256_are_read_as_such():
    # GeoNames' Arabic names of 9,828 Syrian places, each a file of its own.
    rows = [r for r in _dict_rows(_need(PLACES)) if r["name_ar"]]
    found = [decode(_small_file(f"غارة على {r['name_ar']}", r["name_en"]).encode("cp1256", errors="ignore"))[1]
             for r in rows]
    assert len(found) == 9828
    assert found.count("windows-1256") == len(found)


def test_real_latin_text_saved_in_windows_1252_is_read_as_such():
    # UCDP's French place names and headlines of the Central African Republic
    # (Ndélé, Bossangoa, ...) with letters beyond ASCII that Windows-1252 can
    # hold, each a file of its own.
    texts = []
    for r in _dict_rows(_need(UCDP_CAR)):
        text = " ".join((r["where_description"], r["where_coordinates"], r["source_headline"]))
        if not text.isascii() and _encodable(text, "cp1252"):
            texts.append(text)
    assert len(texts) > 500
    found = [decode(_small_file(text, "Bangui").encode("cp1252"))[1] for text in texts]
    # Measured: every one (the count is asserted exactly, so a change shows).
    assert [t for t, f in zip(texts, found, strict=True) if f != "windows-1252"] == []


def _encodable(text: str, codec: str) -> bool:
    try:
        text.encode(codec)
    except UnicodeEncodeError:
        return False
    return True


def _records_in(codec: str) -> str:
    """ged231_car.csv's records that `codec` can hold, as CSV text."""
    with open(_need(UCDP_CAR), encoding="utf-8", newline="") as handle:
        records = list(csv.reader(handle))
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(
        [records[0]] + [r for r in records[1:] if _encodable("".join(r), codec)])
    return out.getvalue()


@pytest.mark.parametrize("codec, name", [("utf-16", "utf-16"), ("utf-16-le", "utf-16-le"),
                                         ("utf-16-be", "utf-16-be"), ("cp1252", "windows-1252"),
                                         ("latin-1", "windows-1252")])
def test_a_whole_real_file_in_another_encoding_imports_every_row(codec, name):
    text = _records_in(codec)
    original = preview(text.encode("utf-8"), "utf8.csv")
    assert original.accepted_count > 1500 and original.rejected == []
    result = preview(text.encode(codec), "encoded.csv")
    assert result.encoding == name
    assert result.notices[0].startswith("The file is in ")
    assert (result.rows_read, result.accepted_count, result.rejected) == (
        original.rows_read, original.accepted_count, [])
    assert result.accepted.to_pylist() == original.accepted.to_pylist()


def test_the_encoding_can_be_forced():
    data = native_csv([make_event(1, notes="Ré")]).encode("latin-1")
    result = preview(data, "forced.csv", encoding="latin-1")
    assert (result.encoding, result.accepted.to_pylist()[0]["notes"]) == ("latin-1", "Ré")
    with pytest.raises(ImportFileError, match="unknown encoding 'klingon'"):
        preview(data, "forced.csv", encoding="klingon")


def test_utf16_with_a_bom_keeps_the_lines_of_rejected_rows():
    events = [make_event(1), make_event(2, latitude=95.0), make_event(3, notes="حماة")]
    result = preview(native_csv(events).encode("utf-16"), "utf16.csv")
    assert [(p.line, p.column) for p in result.rejected] == [(3, "latitude")]
    assert [r["notes"] for r in result.accepted.to_pylist()] == [None, "حماة"]


def test_the_command_line_forces_an_encoding_and_says_which_it_used(tmp_path):
    import json
    import subprocess
    import sys

    from tests.conftest import ROOT

    path = tmp_path / "latin.csv"
    path.write_bytes(native_csv([make_event(1, notes="Ré")]).encode("latin-1"))
    db = str(tmp_path / "events.duckdb")
    done = subprocess.run([sys.executable, "-m", "events", "import", str(path), "--db", db, "--encoding", "latin-1",
                           "--json"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (json.loads(done.stdout)["accepted"], json.loads(done.stdout).get("encoding")) == (1, "latin-1")
