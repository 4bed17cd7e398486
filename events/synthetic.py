"""Seeded synthetic events: the demo dataset and the benchmarks' input.

Plausible, not real: places are drawn from the gazetteer (weighted by
population), types from the ACLED taxonomy with a mix resembling Syria's
conflict (shelling and air strikes dominate), fatalities from a long-tailed
distribution. Every row says in its notes and source that it is synthetic.
The same seed always gives the same rows.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator

from geo.gazetteer import Gazetteer, default_gazetteer

from . import taxonomy
from .schema import empty_event

DEMO_SOURCE = "Demo data (synthetic)"

# Share of events per sub-event type; the rest of the 25 never occur here.
_MIX = {
    "Shelling/artillery/missile attack": 30,
    "Air/drone strike": 18,
    "Armed clash": 20,
    "Remote explosive/landmine/IED": 8,
    "Attack": 7,
    "Abduction/forced disappearance": 3,
    "Arrests": 4,
    "Peaceful protest": 5,
    "Protest with intervention": 1,
    "Suicide bomb": 1,
    "Government regains territory": 1,
    "Looting/property destruction": 1,
    "Disrupted weapons use": 1,
}
_STATE = [("Military Forces of Syria", "State forces")]
_EXTERNAL = [("Military Forces of Russia", "External/Other forces"),
             ("Military Forces of Turkey", "External/Other forces"),
             ("Military Forces of Israel", "External/Other forces")]
_REBELS = [("Hayat Tahrir al-Sham", "Rebel group"), ("Syrian Democratic Forces", "Rebel group"),
           ("Islamic State", "Rebel group"), ("Syrian National Army", "Rebel group")]
_UNIDENTIFIED = [("Unidentified Armed Group (Syria)", "Political militia")]
_CIVILIANS = [("Civilians (Syria)", "Civilians")]
_PROTESTERS = [("Protesters (Syria)", "Protesters")]


def _actors(rng: random.Random, sub_event_type: str) -> tuple[tuple[str, str], tuple[str, str] | None]:
    armed = _STATE + _REBELS + _UNIDENTIFIED
    if sub_event_type == "Air/drone strike":
        return rng.choice(_STATE + _EXTERNAL), rng.choice(_REBELS + _CIVILIANS)
    if sub_event_type in ("Attack", "Abduction/forced disappearance"):
        return rng.choice(armed), _CIVILIANS[0]
    if sub_event_type in ("Peaceful protest", "Protest with intervention"):
        return _PROTESTERS[0], (_STATE[0] if sub_event_type == "Protest with intervention" else None)
    if sub_event_type == "Arrests":
        return rng.choice(_STATE + _REBELS), _CIVILIANS[0]
    actor1 = rng.choice(armed + _EXTERNAL)
    actor2 = rng.choice([a for a in armed if a != actor1])
    return actor1, actor2


def _fatalities(rng: random.Random, sub_event_type: str) -> int:
    if sub_event_type in ("Peaceful protest", "Arrests", "Looting/property destruction", "Disrupted weapons use"):
        return 0
    if rng.random() < 0.45:
        return 0
    return min(int(rng.paretovariate(1.4)), 150)


def generate(count: int, seed: int = 7, start: dt.date = dt.date(2023, 1, 1), end: dt.date = dt.date(2024, 12, 31),
             gazetteer: Gazetteer | None = None, prefix: str = "demo") -> Iterator[dict]:
    """Yield `count` synthetic events with ids `{prefix}:000001`, ... ."""
    rng = random.Random(seed)
    # GeoNames towns only: the same seed gives the same events as the
    # gazetteer grows (the committed demo data depends on it).
    places = [p for p in (gazetteer or default_gazetteer()).places if p.source.startswith("geonames:")]
    weights = [1 + p.population ** 0.5 for p in places]
    sub_types = list(_MIX)
    mix = [_MIX[s] for s in sub_types]
    days = (end - start).days
    for number in range(1, count + 1):
        place = rng.choices(places, weights)[0]
        sub_type = rng.choices(sub_types, mix)[0]
        (actor1, inter1), second = _actors(rng, sub_type)
        date = start + dt.timedelta(days=rng.randrange(days + 1))
        precision = rng.choices((1, 2, 3), (80, 15, 5))[0]
        fatalities = _fatalities(rng, sub_type)
        event = empty_event()
        event.update(
            event_id=f"{prefix}:{number:06d}",
            event_date=date,
            time_precision=rng.choices((1, 2, 3), (90, 8, 2))[0],
            disorder_type=taxonomy.disorder_type_of(sub_type),
            event_type=taxonomy.event_type_of(sub_type),
            sub_event_type=sub_type,
            actor1=actor1,
            inter1=inter1,
            actor2=second[0] if second else None,
            inter2=second[1] if second else None,
            civilian_targeting="Civilians targeted" if second and second[1] == "Civilians" else None,
            country="Syria",
            admin1=place.admin1,
            admin3=place.admin3,
            location=place.label,
            latitude=round(place.latitude, 4),
            longitude=round(place.longitude, 4),
            geo_precision=precision,
            source=DEMO_SOURCE,
            source_scale="Other",
            notes=f"Synthetic demo event: {sub_type.lower()} near {place.label}, {fatalities} fatalities.",
            fatalities=fatalities,
            origin="demo",
            status="reviewed",
        )
        yield event
