"""The fast reader (DuckDB + a byte scan) must give exactly what the exact
reader gives, or hand the file over to it."""

import pytest

from events import fast_reading, importer
from events.native import native_csv
from events.synthetic import generate
from tests.conftest import FIXTURES
from tests.helpers import make_event


def _hostile() -> dict[str, bytes]:
    text = native_csv([make_event(i, notes=("two\nlines" if i == 2 else "x")) for i in range(1, 7)])
    lines = text.split("\r\n")
    return {
        "extra field": "\r\n".join(lines[:3] + [lines[4] + ',"9"'] + lines[5:]).encode(),
        "missing field": "\r\n".join(lines[:3] + [lines[4].rsplit(",", 1)[0]] + lines[5:]).encode(),
        "blank lines": "\r\n".join(lines[:3] + ["", ""] + lines[3:]).encode(),
        "LF only": "\n".join(lines).encode(),
        "stray quote": "\r\n".join(lines[:4] + [lines[5].replace('"x"', '"x"y', 1)] + lines[6:]).encode(),
        "quote open to the end": "\r\n".join(lines[:5] + [lines[5].replace('"x"', '"x', 1)] + lines[6:]).encode(),
        "BOM": b"\xef\xbb\xbf" + text.encode(),
        "bare CR": text.replace("\r\n", "\r").encode(),
        "synthetic": native_csv(generate(300, seed=9)).encode(),
    }


CASES = {**{p.name: p.read_bytes() for p in sorted((FIXTURES / "formats").iterdir())}, **_hostile()}


def _summary(result):
    return (result.format, result.rows_read, [(p.line, p.column, p.reason.value) for p in result.rejected],
            [(s.line, s.reason.value) for s in result.skipped], result.accepted.to_pylist())


@pytest.mark.parametrize("name", sorted(CASES))
def test_fast_and_exact_readers_agree(name, monkeypatch):
    fast = importer.preview(CASES[name], name)
    monkeypatch.setattr(fast_reading, "stage", lambda *args: None)
    exact = importer.preview(CASES[name], name)
    assert _summary(fast) == _summary(exact)


def test_the_fast_path_is_taken_for_ordinary_files_and_refused_for_an_open_quote(monkeypatch):
    taken = []
    stage = fast_reading.stage
    monkeypatch.setattr(fast_reading, "stage", lambda *args: taken.append(stage(*args)) or taken[-1])
    importer.preview(CASES["synthetic"], "synthetic.csv")
    importer.preview(CASES["quote open to the end"], "open.csv")
    assert [t is not None for t in taken] == [True, False]
