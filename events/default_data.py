"""The embedded default data: demo events written by us, shipped as text.

The database file is built from these CSVs on first run, never committed.
"""

from __future__ import annotations

from pathlib import Path

from .exc import ValidationError
from .importer import import_path
from .store import Store

DEMO_DIR = Path(__file__).resolve().parent.parent / "data" / "demo"
# The synthetic events, and the seed report coded by hand.
DEFAULT_FILES = (DEMO_DIR / "synthetic_events.csv", DEMO_DIR / "hand_coded.csv")


def load_default(store: Store) -> int:
    """Import the default data into an empty store; returns rows stored.

    A store that already holds events is left alone (returns 0).
    """
    if store.date_span() is not None:
        return 0
    stored = 0
    for path in DEFAULT_FILES:
        # Origin "demo": the load is not an import an analyst would undo.
        result, _ = import_path(store, path, origin="demo")
        if result.rejected:
            first = result.rejected[0]
            raise ValidationError(f"{path.name} line {first.line}: {first.column}: {first.message}")
        stored += result.accepted_count
    return stored
