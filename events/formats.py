"""Format adapters: how each source's columns become our schema's fields.

An adapter is data: for each schema field, an SQL expression over the
source's columns (written `{column}`), giving the field as text. Typing
and validation happen afterwards, the same for every source (checks.py),
so an adapter only renames, derives and converts notations. Sources:

- ACLED current exports (31 columns, ISO dates, text actor types) and
  legacy ones (numeric inter codes, dates like "07 March 2020").
- UCDP GED (49 columns). type_of_violence 1 (state-based) and 2
  (non-state) -> Battles / Armed clash; 3 (one-sided) -> Violence against
  civilians / Attack. date_prec 1 -> time_precision 1; 2-3 (days, week) ->
  2; 4-5 (month, year) -> 3. where_prec 1 -> geo_precision 1; 2-3 (near a
  place, district) -> 2; 4-7 (province and wider) -> 3. best -> fatalities,
  low/high kept; date_start/date_end kept as a range.
- GDELT 2.0 events (61 tab-separated columns, with or without a header).
  CAMEO roots 18, 19 and 20 are kept (195* -> Air/drone strike), all
  others skipped with a reason. ActionGeo_Type 3-4 (a city) -> 1, 1/2/5
  (country or state centroid) -> 3. GDELT codes no fatalities: 0, tagged.
- Our native CSV: the schema's own columns, with the spreadsheet guard
  (a leading apostrophe) undone.

Spaces around codes, names, numbers and dates are trimmed; ACLED's free
text (notes, source, source_scale, tags) is kept as written, as native
text fields are.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from . import taxonomy
from .schema import FIELD_NAMES, FIELDS, TEXT
from .taxonomy import VOCABULARIES

# _skip of a record with the wrong number of fields: WRONG_COUNT - fields.
WRONG_COUNT = -100


@dataclass(frozen=True)
class Format:
    name: str
    origin: str
    fields: Mapping[str, str]
    required: tuple[str, ...]
    columns: tuple[str, ...] | None = None   # for files without a header
    skip: tuple[tuple[str, str], ...] = ()   # (SQL condition, reason) for rows not imported
    status: str = "reviewed"
    restricted: bool = False                 # its terms restrict redistribution
    # Source columns our own export may have guarded (native.neutralise).
    guarded: tuple[str, ...] = ()

    def select(self, positions: dict[str, int], undecodable: bool, padded: bool = False,
               unguard: bool = False) -> str:
        """SELECT over table `staged` giving `_skip` and one text column per
        schema field, by the format's adapter.

        `_skip` is -1 for a row holding undecodable bytes, i for a row the
        format's i-th skip rule leaves out, WRONG_COUNT - n for a record of
        n fields, else NULL. `padded`: `staged` has one column more than the
        header, and a field the record lacks is NULL (fast_reading.stage):
        that is how a record of the wrong length shows there. `unguard`:
        the spreadsheet guard is undone in the `guarded` columns.
        """
        width = len(positions)
        # (SQL condition, the SQL of its _skip value)
        skips: list[tuple[str, str]] = [
            (f"contains(concat_ws('', {', '.join(f'c{i}' for i in range(width))}), '\ufffd')", "-1")
        ] if undecodable else []
        if padded:
            fields = " + ".join(f"(c{i} IS NOT NULL)::INTEGER" for i in range(width + 1))
            skips.insert(0, (f"c{width} IS NOT NULL OR c{width - 1} IS NULL", f"{WRONG_COUNT} - ({fields})"))
        skips += [(_sql_columns(condition, positions), str(number))
                  for number, (condition, _) in enumerate(self.skip)]
        skip = ("CASE " + " ".join(f"WHEN coalesce({condition}, false) THEN {number}" for condition, number in skips)
                + " END") if skips else "NULL::INTEGER"
        select = [f"{skip} AS _skip"]
        for name in FIELD_NAMES:
            template = self.fields.get(name)
            if template is not None and unguard:
                template = re.sub(r"\{([^}]+)\}", lambda m: _unguarded(m.group(1)) if m.group(1) in self.guarded
                                  else m.group(0), template)
            expression = _sql_columns(template, positions) if template is not None else "NULL"
            if name == "origin":
                expression = f"coalesce({expression}, '{self.origin}')"
            elif name == "status":
                expression = f"coalesce({expression}, '{self.status}')"
            select.append(f"CAST({expression} AS VARCHAR) AS {name}")
        return f"SELECT {', '.join(select)} FROM staged"

    def source_column(self, schema_field: str) -> str:
        """The source column a field is read from, for reports to the user."""
        match = re.search(r"\{([^}]+)\}", self.fields.get(schema_field, ""))
        return match.group(1) if match else schema_field


def _sql_columns(expression: str, positions: dict[str, int]) -> str:
    """Replace {source column} by the staged column holding it, or NULL.
    Source names never enter SQL: staged columns are c0, c1, ..."""
    return re.sub(r"\{([^}]+)\}", lambda m: f"c{positions[m.group(1)]}" if m.group(1) in positions else "NULL",
                  expression)


def _nz(column: str) -> str:
    return f"NULLIF(trim({{{column}}}), '')"


def _as_written(column: str) -> str:
    """Free text, kept as the source wrote it: trimming it would change
    what the analyst reads, and trimming copies the longest values of a
    file once more (5-8% of a million-row ACLED import's time, A/B)."""
    return f"NULLIF({{{column}}}, '')"


def _whole(column: str) -> str:
    """The text of a whole number as pandas or R write it ("2.0" -> "2"),
    for codes compared as text; a fraction is left as written."""
    return f"regexp_replace(trim({{{column}}}), '\\.0*$', '')"


def _literal(value: str | None) -> str:
    return "NULL" if value is None else "'" + value.replace("'", "''") + "'"


def _lookup(expression: str, pairs: Iterable[tuple[str, str | None]], otherwise: str = "NULL") -> str:
    """A CASE that maps codes to values, the table written into the SQL.
    Not a join or a subquery: with one, DuckDB may build the table of
    checked rows in another order than the file's, and rows are known by
    their place in the file."""
    cases = " ".join(f"WHEN {_literal(code)} THEN {_literal(value)}" for code, value in pairs)
    return f"CASE {expression} {cases} ELSE {otherwise} END"


def _vocabulary(name: str) -> list[tuple[str, str]]:
    with open(VOCABULARIES / name, encoding="utf-8", newline="") as handle:
        return [(row[0], row[1]) for row in list(csv.reader(handle))[1:]]


# schemas.md A.5: 0 is no actor (blank), 1..8 the actor types' text.
_INTER_CODES = [("0", None), *((str(code), text) for code, text in taxonomy.actor_types().items())]


def _inter_text(column: str) -> str:
    """A numeric actor type (legacy and API-2022 files; "3" or "3.0") as
    ACLED's current text; any other value as written, for the checks."""
    return _lookup(_whole(column), _INTER_CODES, _nz(column))


def _disorder_of(sub_event_type: str) -> str:
    return _lookup(sub_event_type, [(s, taxonomy.disorder_type_of(s)) for s in taxonomy.sub_event_types()])


def _unguarded(column: str) -> str:
    """A column with our export's spreadsheet guard undone: one apostrophe
    before = + - @, a tab, CR, LF or an apostrophe (native.neutralise). An
    ACLED-columns export of ours then reads back as it was written; no
    value of ACLED's own starts so. Used only for a file holding a field
    that starts with an apostrophe (the importer looks): it cost 60% more
    CPU on every ACLED file."""
    c = f"{{{column}}}"
    guarded = _lookup(f"substr({c}, 2, 1)", [(start, "1") for start in ("=", "+", "-", "@", "\t", "\r", "\n", "'")])
    return f"CASE WHEN starts_with({c}, '''') AND {guarded} IS NOT NULL THEN substr({c}, 2) ELSE {c} END"

# ACLED's ids have no colon ("SYR102387"); an id with one was written by an
# ACLED-columns export of ours ("ucdp:464518") and is kept as it is, with
# the origin its prefix names, so that a re-import changes nothing.
_ACLED_ID = ("CASE WHEN contains({event_id_cnty}, ':') THEN NULLIF(trim({event_id_cnty}), '') "
             "ELSE 'acled:' || NULLIF(trim({event_id_cnty}), '') END")
_KNOWN_ORIGINS = ("acled", "ucdp", "gdelt", "native", "coded", "demo")
# A CASE, not IN: DuckDB makes a list of six values a join (see _lookup).
_ACLED_ORIGIN = ("CASE WHEN contains({event_id_cnty}, ':') THEN "
                 + _lookup("split_part(trim({event_id_cnty}), ':', 1)", [(o, o) for o in _KNOWN_ORIGINS], "'native'")
                 + " END")

_ACLED_COMMON = {
    "event_id": _ACLED_ID,
    "source_id": _ACLED_ID,
    "origin": _ACLED_ORIGIN,
    "time_precision": _nz("time_precision"),
    "event_type": _nz("event_type"),
    # Both spellings occur in ACLED's own documents.
    "sub_event_type": "replace(" + _nz("sub_event_type") + ", 'against protestors', 'against protesters')",
    "actor1": _nz("actor1"), "assoc_actor_1": _nz("assoc_actor_1"),
    "actor2": _nz("actor2"), "assoc_actor_2": _nz("assoc_actor_2"),
    "country": _nz("country"), "admin1": _nz("admin1"), "admin2": _nz("admin2"),
    "admin3": _nz("admin3"), "location": _nz("location"),
    "latitude": _nz("latitude"), "longitude": _nz("longitude"),
    "geo_precision": _nz("geo_precision"), "source": _as_written("source"),
    "source_scale": _as_written("source_scale"), "notes": _as_written("notes"),
    "fatalities": _nz("fatalities"), "timestamp": _nz("timestamp"),
}

ACLED = Format(
    name="acled",
    origin="acled",
    restricted=True,
    guarded=("event_id_cnty", "disorder_type", "event_type", "sub_event_type", "actor1", "assoc_actor_1", "inter1",
             "actor2", "assoc_actor_2", "inter2", "civilian_targeting", "country", "admin1", "admin2", "admin3",
             "location", "source", "source_scale", "notes", "tags"),
    required=("event_id_cnty", "event_date", "event_type", "sub_event_type", "country", "latitude", "longitude",
              "fatalities"),
    fields={
        **_ACLED_COMMON,
        "event_date": _nz("event_date"),
        "disorder_type": _nz("disorder_type"),
        "inter1": _nz("inter1"), "inter2": _nz("inter2"),
        "civilian_targeting": _nz("civilian_targeting"),
        "tags": _as_written("tags"),
    },
)

# ACLED's API in 2022 (and acledR's inter_numeric = TRUE) wrote the actor
# types as numbers in the current column set: detected from the values.
ACLED_2022 = Format(
    name="acled-2022",
    origin="acled",
    restricted=True,
    required=ACLED.required,
    fields={**ACLED.fields, "inter1": _inter_text("inter1"), "inter2": _inter_text("inter2")},
)

ACLED_LEGACY = Format(
    name="acled-legacy",
    origin="acled",
    restricted=True,
    required=ACLED.required,
    fields={
        **_ACLED_COMMON,
        # "07 March 2020"; left as written when it is not such a date, so
        # the check reports the value the user sees.
        "event_date": "coalesce(strftime(try_strptime(trim({event_date}), '%d %B %Y'), '%Y-%m-%d'), "
                      + _nz("event_date") + ")",
        "disorder_type": _disorder_of(_ACLED_COMMON["sub_event_type"]),
        "inter1": _inter_text("inter1"),
        "inter2": _inter_text("inter2"),
    },
)


UCDP_GED = Format(
    name="ucdp",
    origin="ucdp",
    required=("id", "type_of_violence", "date_start", "date_end", "date_prec", "where_prec", "latitude",
              "longitude", "best", "country"),
    fields={
        # pandas and R write UCDP's whole numbers as 36210.0, codes as 1.0.
        "event_id": "'ucdp:' || NULLIF(" + _whole("id") + ", '')",
        "source_id": "'ucdp:' || NULLIF(" + _whole("id") + ", '')",
        "event_date": "left(trim({date_start}), 10)",
        "event_date_end": "left(trim({date_end}), 10)",
        "time_precision": _lookup(_whole("date_prec"), [("1", "1"), ("2", "2"), ("3", "2"), ("4", "3"), ("5", "3")],
                                  "trim({date_prec})"),
        "event_type": _lookup(_whole("type_of_violence"), [("1", "Battles"), ("2", "Battles"),
                                                           ("3", "Violence against civilians")],
                              "trim({type_of_violence})"),
        "sub_event_type": _lookup(_whole("type_of_violence"), [("3", "Attack")], "'Armed clash'"),
        "disorder_type": "'Political violence'",
        "actor1": _nz("side_a"), "actor2": _nz("side_b"),
        "country": _nz("country"),
        "admin1": _nz("adm_1"), "admin2": _nz("adm_2"),
        "location": _nz("where_coordinates"),
        "latitude": _nz("latitude"), "longitude": _nz("longitude"),
        "geo_precision": _lookup(_whole("where_prec"), [("1", "1"), ("2", "2"), ("3", "2"), ("4", "3"), ("5", "3"),
                                                        ("6", "3"), ("7", "3")], "trim({where_prec})"),
        "source": _nz("source_office"),
        "notes": "NULLIF(concat_ws(' | ', NULLIF(trim({where_description}), ''), "
                 "NULLIF(trim({source_headline}), '')), '')",
        "fatalities": _nz("best"), "fatalities_low": _nz("low"), "fatalities_high": _nz("high"),
    },
)

GDELT_COLUMNS = (
    "GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate",
    "Actor1Code", "Actor1Name", "Actor1CountryCode", "Actor1KnownGroupCode", "Actor1EthnicCode",
    "Actor1Religion1Code", "Actor1Religion2Code", "Actor1Type1Code", "Actor1Type2Code", "Actor1Type3Code",
    "Actor2Code", "Actor2Name", "Actor2CountryCode", "Actor2KnownGroupCode", "Actor2EthnicCode",
    "Actor2Religion1Code", "Actor2Religion2Code", "Actor2Type1Code", "Actor2Type2Code", "Actor2Type3Code",
    "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale",
    "NumMentions", "NumSources", "NumArticles", "AvgTone",
    "Actor1Geo_Type", "Actor1Geo_FullName", "Actor1Geo_CountryCode", "Actor1Geo_ADM1Code", "Actor1Geo_ADM2Code",
    "Actor1Geo_Lat", "Actor1Geo_Long", "Actor1Geo_FeatureID",
    "Actor2Geo_Type", "Actor2Geo_FullName", "Actor2Geo_CountryCode", "Actor2Geo_ADM1Code", "Actor2Geo_ADM2Code",
    "Actor2Geo_Lat", "Actor2Geo_Long", "Actor2Geo_FeatureID",
    "ActionGeo_Type", "ActionGeo_FullName", "ActionGeo_CountryCode", "ActionGeo_ADM1Code", "ActionGeo_ADM2Code",
    "ActionGeo_Lat", "ActionGeo_Long", "ActionGeo_FeatureID", "DATEADDED", "SOURCEURL",
)

_CAMEO_SUB_EVENT = (
    "CASE "
    "WHEN starts_with({EventCode}, '195') THEN 'Air/drone strike' "
    "WHEN starts_with({EventCode}, '1831') THEN 'Suicide bomb' "
    "WHEN starts_with({EventCode}, '183') THEN 'Remote explosive/landmine/IED' "
    "WHEN starts_with({EventCode}, '181') THEN 'Abduction/forced disappearance' "
    "WHEN starts_with({EventCode}, '1821') THEN 'Sexual violence' "
    "WHEN starts_with({EventCode}, '194') THEN 'Shelling/artillery/missile attack' "
    "WHEN starts_with({EventCode}, '2041') THEN 'Chemical weapon' "
    "WHEN starts_with({EventCode}, '18') OR starts_with({EventCode}, '20') THEN 'Attack' "
    "ELSE 'Armed clash' END"
)

GDELT = Format(
    name="gdelt",
    origin="gdelt",
    status="draft",  # machine-coded: an analyst should review it
    columns=GDELT_COLUMNS,
    required=("GLOBALEVENTID", "SQLDATE", "EventCode", "EventRootCode", "ActionGeo_Type", "ActionGeo_Lat",
              "ActionGeo_Long"),
    skip=(("trim({EventRootCode}) NOT IN ('18', '19', '20')",
           "not_violent: CAMEO root code is not 18, 19 or 20"),),
    fields={
        "event_id": "'gdelt:' || NULLIF(trim({GLOBALEVENTID}), '')",
        "source_id": "'gdelt:' || NULLIF(trim({GLOBALEVENTID}), '')",
        # strptime alone would read "2024031" as 1 March: demand 8 digits.
        "event_date": "CASE WHEN length(trim({SQLDATE})) = 8 AND regexp_full_match(trim({SQLDATE}), '[0-9]+') THEN "
                      "coalesce(strftime(try_strptime(trim({SQLDATE}), '%Y%m%d'), '%Y-%m-%d'), trim({SQLDATE})) "
                      "ELSE trim({SQLDATE}) END",
        "time_precision": "'1'",
        "sub_event_type": _CAMEO_SUB_EVENT,
        "event_type": _lookup(_CAMEO_SUB_EVENT, [(s, taxonomy.event_type_of(s)) for s in taxonomy.sub_event_types()]),
        "disorder_type": "'Political violence'",
        "actor1": _nz("Actor1Name"), "actor2": _nz("Actor2Name"),
        # FIPS 10-4 codes (GeoNames' country table and the codes GDELT adds).
        "country": _lookup("trim({ActionGeo_CountryCode})", _vocabulary("fips_countries.csv"),
                           _nz("ActionGeo_CountryCode")),
        # A country-level event carries the country code here ("SY"): no admin1.
        "admin1": _lookup("trim({ActionGeo_ADM1Code})", _vocabulary("fips_admin1.csv")),
        "location": _nz("ActionGeo_FullName"),
        "latitude": _nz("ActionGeo_Lat"), "longitude": _nz("ActionGeo_Long"),
        "geo_precision": "CASE WHEN trim({ActionGeo_Type}) IN ('3', '4') THEN '1' ELSE '3' END",
        "source_url": _nz("SOURCEURL"),
        "source": "regexp_extract({SOURCEURL}, '^[a-z]+://(?:www\\.)?([^/]+)', 1)",
        "fatalities": "'0'",
        "tags": "'fatalities not coded by GDELT; CAMEO ' || trim({EventCode})",
        "timestamp": "CAST(epoch(try_strptime(trim({DATEADDED}), '%Y%m%d%H%M%S')) AS BIGINT)",
    },
)

_TEXT_FIELDS = {f.name for f in FIELDS if f.kind == TEXT}
NATIVE = Format(
    name="native",
    origin="native",
    required=("event_id", "event_date", "event_type", "sub_event_type", "country", "latitude", "longitude",
              "fatalities"),
    fields={
        name: (f"CASE WHEN starts_with({{{name}}}, '''') THEN substr({{{name}}}, 2) ELSE {_as_written(name)} END"
               if name in _TEXT_FIELDS else _nz(name))
        for name in FIELD_NAMES if name != "batch_id"  # the batch is the import's own
    },
)

FORMATS: dict[str, Format] = {f.name: f for f in (ACLED, ACLED_2022, ACLED_LEGACY, UCDP_GED, GDELT, NATIVE)}


def detect(header: list[str], records: Iterable[list[str]] = ()) -> Format | None:
    """The format a header belongs to, or None; `records`, the first rows
    after it, tell current ACLED from API-2022 (numeric actor types). A
    GDELT file without a header is recognised by its first record: 61
    fields, a numeric id."""
    names = {h.strip() for h in header}
    if "event_id_cnty" in names:
        if "data_id" in names or "disorder_type" not in names:
            return ACLED_LEGACY
        inter1 = header.index("inter1") if "inter1" in header else None
        numeric = [re.fullmatch(r"\s*[0-9]+(\.0*)?\s*", record[inter1]) is not None
                   for record in records if inter1 is not None and len(record) > inter1 and record[inter1].strip()]
        return ACLED_2022 if numeric and all(numeric) else ACLED
    if {"type_of_violence", "where_prec", "best"} <= names:
        return UCDP_GED
    if "GLOBALEVENTID" in names or (len(header) == len(GDELT_COLUMNS) and header[0].strip().isdigit()):
        return GDELT
    if {"event_id", "event_date", "event_type"} <= names:
        return NATIVE
    return None
