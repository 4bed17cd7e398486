"""Validation of coded events: the same checks an import applies.

`validate_event` runs the import's SQL checks (checks.py) on one event,
so a rule is written once and a coded event and an imported row are held
to exactly the same standard.
"""

from __future__ import annotations

from .checks import Area, find_problems
from .problems import Problem, Reason

__all__ = ["Problem", "Reason", "validate_event"]


def validate_event(event: dict, area: Area | None = None) -> list[Problem]:
    """Every problem with `event` (a dict of typed values); [] when it is
    valid. `area` by default is EVENTS_AREA's (Area.from_environment), so
    coded events are held to the area imports are."""
    return find_problems([event], area)[0]
