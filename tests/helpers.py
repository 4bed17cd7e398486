"""Event builders for tests."""

import datetime as dt

from events.schema import empty_event


def make_event(number: int = 1, **fields) -> dict:
    """A valid event; keyword arguments override fields."""
    event = empty_event()
    event.update(
        event_id=f"test:{number}",
        event_date=dt.date(2024, 3, 16),
        time_precision=1,
        disorder_type="Political violence",
        event_type="Explosions/Remote violence",
        sub_event_type="Air/drone strike",
        actor1="Military Forces of Syria",
        country="Syria",
        admin1="Hama",
        location="Hama",
        latitude=35.1318,
        longitude=36.7578,
        geo_precision=3,
        fatalities=10,
        origin="native",
        status="reviewed",
    )
    event.update(fields)
    return event
