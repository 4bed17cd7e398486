"""Reading many reports at once: text files, or a CSV / JSONL of reports.

A `.txt` file is one report; a first line `Published: YYYY-MM-DD` (or
`تاريخ النشر: ...`) gives its date and is not part of the text. A `.csv`
needs a `text` column and a `.jsonl` a `text` key; `published` (ISO date)
and `url` are optional in both. A report without a date takes the one
the caller gives. Problems are collected with the line they are on, and
the readable reports are kept.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

from geo.geocoder import OfflineGeocoder

from .draft import draft_events


@dataclass(frozen=True)
class ReportInput:
    text: str
    published: dt.date
    url: str | None
    name: str          # where it came from: file name, and line for CSV / JSONL


@dataclass(frozen=True)
class ReportProblem:
    name: str
    line: int | None
    message: str


def drafts_of(report: ReportInput, geocoder: OfflineGeocoder | None = None) -> list[dict]:
    """The draft events of one report read from a file, its URL (if any)
    as their source_url."""
    drafts = draft_events(report.text, report.published, geocoder)
    for draft in drafts:
        draft["source_url"] = report.url
    return drafts


_PUBLISHED = re.compile(r"^\s*(?:published|تاريخ النشر)\s*:\s*(\d{4}-\d{2}-\d{2})\s*$", re.IGNORECASE)


def _date(value: str | None, default: dt.date) -> dt.date:
    return dt.date.fromisoformat(value.strip()) if value and value.strip() else default


def read_reports(name: str, data: bytes, default_published: dt.date
                 ) -> tuple[list[ReportInput], list[ReportProblem]]:
    """The reports in one uploaded file, and what could not be read."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [ReportProblem(name, None, "the file is not UTF-8 text")]
    suffix = Path(name).suffix.lower()
    if suffix == ".txt":
        first, _, rest = text.partition("\n")
        match = _PUBLISHED.match(first)
        body = rest if match else text
        if not body.strip():
            return [], [ReportProblem(name, None, "the file holds no report text")]
        return [ReportInput(body.strip(), _date(match.group(1) if match else None, default_published), None,
                            name)], []
    if suffix == ".csv":
        rows = ((number, row) for number, row in enumerate(csv.DictReader(io.StringIO(text)), start=2))
    elif suffix in (".jsonl", ".ndjson"):
        rows = _json_lines(text)
    else:
        return [], [ReportProblem(name, None, "use .txt (one report), .csv or .jsonl (many)")]
    reports, problems = [], []
    try:
        for line, row in rows:
            if isinstance(row, ReportProblem):
                problems.append(ReportProblem(name, line, row.message))
                continue
            body = (row.get("text") or "").strip()
            if not body:
                problems.append(ReportProblem(name, line, "no text"))
                continue
            try:
                published = _date(row.get("published"), default_published)
            except ValueError:
                problems.append(ReportProblem(name, line, f"published is not a date (YYYY-MM-DD): "
                                                          f"{row.get('published')!r}"))
                continue
            reports.append(ReportInput(body, published, (row.get("url") or "").strip() or None, f"{name}:{line}"))
    except csv.Error as err:
        problems.append(ReportProblem(name, None, f"not a readable CSV: {err}"))
    return reports, problems


def _json_lines(text: str):
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as err:
            yield number, ReportProblem("", number, f"not JSON: {err.msg}")
            continue
        yield number, row if isinstance(row, dict) else ReportProblem("", number, "not a JSON object")
