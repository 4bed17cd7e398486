"""Import: read a file, validate every row, then commit the accepted rows.

`preview` reads and validates without touching the store and reports each
rejected row with its line, column and reason; `commit` writes exactly the
accepted rows of a preview in one transaction. Only our native CSV is read
for now; the ACLED, UCDP and GDELT adapters come with issue 4.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

from .exc import ValidationError
from .native import read_native
from .store import Batch, Store
from .validate import Problem, validate_event


@dataclass
class ImportPreview:
    file_name: str
    file_hash: str
    format: str
    rows_read: int = 0
    accepted: list[dict] = field(default_factory=list)
    rejected: list[Problem] = field(default_factory=list)


def preview(data: bytes, file_name: str, origin: str | None = None) -> ImportPreview:
    """Parse and validate `data` (the file's bytes) without storing anything.

    `origin` overrides each row's origin (the demo load sets "demo").
    Raises ValidationError when the bytes are not UTF-8 text.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ValidationError(f"{file_name} is not UTF-8 text: {err}") from err
    result = ImportPreview(file_name, hashlib.sha256(data).hexdigest(), "native")
    for line, event, problems in read_native(io.StringIO(text, newline="")):
        result.rows_read += 1
        if event is not None:
            if origin:
                event["origin"] = origin
            problems = validate_event(event)
        if problems:
            result.rejected.extend(Problem(p.column, p.reason, p.message, line) for p in problems)
        else:
            result.accepted.append(event)
    return result


def commit(store: Store, result: ImportPreview, coder: str | None = None) -> Batch:
    """Store the accepted rows of `result` as one batch, in one transaction."""
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    batch = Batch(
        batch_id=f"import-{now:%Y%m%dT%H%M%S}-{result.file_hash[:8]}",
        origin=result.format,
        file_name=result.file_name,
        file_hash=result.file_hash,
        coder=coder,
        created_at=now,
    )
    store.insert(result.accepted, batch)
    return batch


def import_path(store: Store, path: Path, origin: str | None = None) -> tuple[ImportPreview, Batch]:
    """Preview and commit a file in one call (the CLI and the demo load)."""
    result = preview(Path(path).read_bytes(), Path(path).name, origin=origin)
    return result, commit(store, result)
