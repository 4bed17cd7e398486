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

import re
from collections.abc import Mapping
from dataclasses import dataclass

from .schema import FIELD_NAMES, FIELDS, TEXT


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

    def select(self, positions: dict[str, int], undecodable: bool) -> str:
        """SELECT over table `staged` giving `_skip` and one text column per
        schema field, by the format's adapter.

        `_skip` is -1 for a row holding undecodable bytes, i for a row the
        format's i-th skip rule leaves out, else NULL.
        """
        skips = [(f"contains(concat_ws('', {', '.join(f'c{i}' for i in range(len(positions)))}), '\ufffd')", -1)
                 ] if undecodable else []
        skips += [(_sql_columns(condition, positions), number) for number, (condition, _) in enumerate(self.skip)]
        skip = ("CASE " + " ".join(f"WHEN coalesce({condition}, false) THEN {number}" for condition, number in skips)
                + " END") if skips else "NULL::INTEGER"
        select = [f"{skip} AS _skip"]
        for name in FIELD_NAMES:
            expression = _sql_columns(self.fields[name], positions) if name in self.fields else "NULL"
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


_TAXONOMY_DISORDER = "(SELECT disorder_type FROM taxonomy t WHERE t.sub_event_type = {sub_event_type})"

_ACLED_COMMON = {
    "event_id": "'acled:' || NULLIF(trim({event_id_cnty}), '')",
    "source_id": "'acled:' || NULLIF(trim({event_id_cnty}), '')",
    "time_precision": _nz("time_precision"),
    "event_type": _nz("event_type"),
    # Both spellings occur in ACLED's own documents.
    "sub_event_type": "replace(" + _nz("sub_event_type") + ", 'against protestors', 'against protesters')",
    "actor1": _nz("actor1"), "assoc_actor_1": _nz("assoc_actor_1"),
    "actor2": _nz("actor2"), "assoc_actor_2": _nz("assoc_actor_2"),
    "country": _nz("country"), "admin1": _nz("admin1"), "admin2": _nz("admin2"), "admin3": _nz("admin3"),
    "location": _nz("location"), "latitude": _nz("latitude"), "longitude": _nz("longitude"),
    "geo_precision": _nz("geo_precision"), "source": _as_written("source"),
    "source_scale": _as_written("source_scale"), "notes": _as_written("notes"), "fatalities": _nz("fatalities"),
    "timestamp": _nz("timestamp"),
}

ACLED = Format(
    name="acled",
    origin="acled",
    restricted=True,
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

_INTER_TEXT = "(SELECT inter_text FROM actor_types a WHERE a.inter_code = TRY_CAST({column} AS INTEGER))"

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
        "disorder_type": "(SELECT disorder_type FROM taxonomy t WHERE t.sub_event_type = trim({sub_event_type}))",
        "inter1": _INTER_TEXT.replace("{column}", "{inter1}"),
        "inter2": _INTER_TEXT.replace("{column}", "{inter2}"),
    },
)

UCDP_GED = Format(
    name="ucdp",
    origin="ucdp",
    required=("id", "type_of_violence", "date_start", "date_end", "date_prec", "where_prec", "latitude",
              "longitude", "best", "country"),
    fields={
        "event_id": "'ucdp:' || NULLIF(trim({id}), '')",
        "source_id": "'ucdp:' || NULLIF(trim({id}), '')",
        "event_date": "left(trim({date_start}), 10)",
        "event_date_end": "left(trim({date_end}), 10)",
        "time_precision": "CASE trim({date_prec}) WHEN '1' THEN '1' WHEN '2' THEN '2' WHEN '3' THEN '2' "
                          "WHEN '4' THEN '3' WHEN '5' THEN '3' ELSE trim({date_prec}) END",
        "event_type": "CASE trim({type_of_violence}) WHEN '1' THEN 'Battles' WHEN '2' THEN 'Battles' "
                      "WHEN '3' THEN 'Violence against civilians' ELSE trim({type_of_violence}) END",
        "sub_event_type": "CASE trim({type_of_violence}) WHEN '3' THEN 'Attack' ELSE 'Armed clash' END",
        "disorder_type": "'Political violence'",
        "actor1": _nz("side_a"), "actor2": _nz("side_b"),
        "country": _nz("country"),
        "admin1": _nz("adm_1"), "admin2": _nz("adm_2"),
        "location": _nz("where_coordinates"),
        "latitude": _nz("latitude"), "longitude": _nz("longitude"),
        "geo_precision": "CASE trim({where_prec}) WHEN '1' THEN '1' WHEN '2' THEN '2' WHEN '3' THEN '2' "
                         "WHEN '4' THEN '3' WHEN '5' THEN '3' WHEN '6' THEN '3' WHEN '7' THEN '3' "
                         "ELSE trim({where_prec}) END",
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
        "event_type": "(SELECT event_type FROM taxonomy t WHERE t.sub_event_type = " + _CAMEO_SUB_EVENT + ")",
        "disorder_type": "'Political violence'",
        "actor1": _nz("Actor1Name"), "actor2": _nz("Actor2Name"),
        "country": "coalesce((SELECT name FROM fips_countries f WHERE f.code = trim({ActionGeo_CountryCode})), "
                   + _nz("ActionGeo_CountryCode") + ")",
        # A country-level event carries the country code here ("SY"): no admin1.
        "admin1": "(SELECT admin1 FROM fips_admin1 f WHERE f.code = trim({ActionGeo_ADM1Code}))",
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

FORMATS: dict[str, Format] = {f.name: f for f in (ACLED, ACLED_LEGACY, UCDP_GED, GDELT, NATIVE)}


def detect(header: list[str]) -> Format | None:
    """The format a header belongs to, or None. A GDELT file without a
    header is recognised by its first record: 61 fields, a numeric id."""
    names = {h.strip() for h in header}
    if "event_id_cnty" in names:
        return ACLED_LEGACY if ("data_id" in names or "disorder_type" not in names) else ACLED
    if {"type_of_violence", "where_prec", "best"} <= names:
        return UCDP_GED
    if "GLOBALEVENTID" in names or (len(header) == len(GDELT_COLUMNS) and header[0].strip().isdigit()):
        return GDELT
    if {"event_id", "event_date", "event_type"} <= names:
        return NATIVE
    return None
