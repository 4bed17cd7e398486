"""The lexicons in `lexicons/*.csv`, loaded once.

They are data so that an analyst can add a surface form without touching
code; each loader returns a compiled `Lexicon` whose values say what a
term means.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

from geo.gazetteer import GAZETTEER_DIR
from geo.normalise import normalise

from .morphology import arabic_forms, english_forms
from .text import Lexicon

Actor = tuple[str, str]  # (ACLED actor name, inter text)

LEXICON_DIR = Path(__file__).parent / "lexicons"


def _rows(name: str) -> list[dict[str, str]]:
    with open(LEXICON_DIR / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(";") if part.strip()]


def _event_word_entries() -> list[tuple[str, str]]:
    """English words as written (verbs with their -s, -ed, -ing forms), then
    the Arabic forms generated from roots and patterns: a word written out
    in triggers.csv is never overridden by a generated one."""
    entries: list[tuple[str, str]] = []
    for row in _rows("triggers.csv"):
        surfaces = english_forms(row["surface"]) if row["inflect"] == "verb" else {row["surface"]}
        entries += [(surface, row["value"]) for surface in sorted(surfaces)]
    # An Arabic word written out comes with its article, or without it (اعتقالات / الاعتقالات,
    # الهراوات / هراوات), and a phrase with the article on its last word (أعمال الشغب) or on each
    # (الوقفة الاحتجاجية); after every word written or generated, so that none is overridden.
    articled = [(form, row["value"]) for row in _rows("triggers.csv") if row["lang"] == "ar"
                for form in _article_forms(row["surface"])]
    for row in _rows("arabic_roots.csv"):
        verbs = []
        for verb in _split(row["verbs"]):
            perfect, _, imperfect = verb.partition(":")
            verbs.append((perfect, imperfect[1:] if imperfect.startswith(("ي", "ت")) else imperfect))
        # A generated form that is a town's name is the town: تدمر (she destroys) is Tadmur.
        forms = arabic_forms(row["root"], _split(row["forms"]), _split(row["nouns"]), verbs) - _town_names()
        after = f" {row['after']}" if row["after"] else ""
        entries += [(form + after, row["value"]) for form in sorted(forms)]
    entries += articled
    # A state's forces named by their nationality, or a foreign state by its name, strike from the air:
    # "Israeli strikes", "a Turkish strike", "Israel struck" (an air force's word where no weapon is named).
    entries += [(f"{r['surface']} {noun}", "Air/drone strike") for r in _rows("forces.csv")
                if r["kind"] == "adjective" and r["lang"] == "en" for noun in ("strike", "strikes")]
    entries += [(f"{r['surface']} struck", "Air/drone strike") for r in _rows("actors.csv")
                if r["lang"] == "en" and r["inter"] == "External/Other forces" and " " not in r["surface"].strip()]
    # Actors' names are read whole, so that no word inside one is an event
    # word: the تحرير of هيئة تحرير الشام liberates nothing.
    # A name holding an event word ("government artillery") is not read whole.
    events = {normalise(surface) for surface, value in entries if not value.startswith("@")}
    entries += [(row["surface"], "@name") for row in _rows("actors.csv") if " " in row["surface"].strip()
                and not events & set(normalise(row["surface"]).split())]
    return entries


@cache
def _town_names() -> frozenset[str]:
    """The Arabic names of the gazetteer's towns (places.csv), normalised."""
    with open(GAZETTEER_DIR / "places.csv", encoding="utf-8", newline="") as handle:
        return frozenset(normalise(row["name_ar"]) for row in csv.DictReader(handle) if row["name_ar"])


def _article_forms(surface: str) -> list[str]:
    """An Arabic trigger with the article put on or taken off: its first
    word without it, or its last word or every word with it."""
    words = surface.split()
    if words[0].startswith("ال") and len(words) == 1:
        return [words[0][2:]] if len(words[0]) > 4 else []

    def article(word: str) -> str:
        return word if word.startswith(("ال", "لل")) or len(word) < 2 else "ال" + word

    forms = [" ".join([*words[:-1], article(words[-1])]), " ".join(article(w) for w in words)]
    return [form for form in dict.fromkeys(forms) if form != surface]


@cache
def triggers() -> Lexicon[str]:
    """Event words -> an ACLED sub-event type, or a cue (a value starting
    with @: @attack, @kill, @armed, @civilian, @intervention ...) that the
    rules of `event_type.py` weigh: derived from the definitions of ACLED's
    25 sub-event types (triggers.csv, arabic_roots.csv)."""
    return Lexicon(_event_word_entries())


@cache
def actors() -> Lexicon[Actor]:
    """Named actors -> (ACLED actor name, inter text)."""
    return Lexicon((r["surface"], (r["actor"], r["inter"])) for r in _rows("actors.csv"))


@cache
def capitals_only() -> frozenset[str]:
    """Actor terms that are names only in capitals: IS (Islamic State) is not "is"."""
    return frozenset(normalise(r["surface"]) for r in _rows("actors.csv")
                     if r["surface"].isupper() and r["surface"].isascii())


@cache
def force_nouns() -> Lexicon[None]:
    """Nouns for armed forces that nationality adjectives attach to; an
    Arabic one also with the article as its adjectives take it (طائرات
    مسيرة: الطائرات المسيرة التركية)."""
    rows = [r for r in _rows("forces.csv") if r["kind"] == "noun"]
    articled = [form for r in rows if r["lang"] == "ar" for form in _article_forms(r["surface"])]
    return Lexicon([(r["surface"], None) for r in rows] + [(form, None) for form in articled])


@cache
def nationality_adjectives() -> Lexicon[Actor]:
    """Nationality adjectives -> (state forces actor name, inter text)."""
    return Lexicon(
        (r["surface"], (r["actor"], r["inter"])) for r in _rows("forces.csv") if r["kind"] == "adjective"
    )


@cache
def quantities() -> Lexicon[tuple[int, bool]]:
    """Number words and vague quantifiers -> (value, vague)."""
    return Lexicon((r["surface"], (int(r["value"]), r["vague"] == "yes")) for r in _rows("quantities.csv"))


@cache
def death_words() -> Lexicon[str]:
    """Words of death (and of injury, which stops a count) -> their kind:
    death, body, total ("fatalities"), toll, injury. Arabic ones are the
    forms generated from the @kill and @injure roots of arabic_roots.csv."""
    entries = [(r["surface"], r["kind"]) for r in _rows("deaths.csv")]
    kinds = {"@kill": "death", "@injure": "injury"}
    entries += [(surface, kinds[value]) for surface, value in _event_word_entries() if value in kinds]
    return Lexicon(entries)


@cache
def victims() -> Lexicon[str]:
    """Person nouns -> how many one names: "1" (مدني, soldier, him), "2"
    (an Arabic dual: عنصرين), "plural" (مدنيين: a count must say how many)."""
    entries = [(r["surface"], r["number"]) for r in _rows("victims.csv")]
    # An Arabic singular gives its dual (مدني: مدنيان, عنصر: عنصرين); listed forms come first.
    for row in _rows("victims.csv"):
        if row["lang"] == "ar" and row["number"] == "1" and not row["surface"].endswith("ها"):
            stem = row["surface"][:-1] + "ت" if row["surface"].endswith("ة") else row["surface"]
            # and with a pronoun: طفلاها (her two children)
            entries += [(stem + "ان", "2"), (stem + "ين", "2"), (stem + "اه", "2"), (stem + "اها", "2")]
            # and the one with a pronoun: سائقها (its driver), ابنه
            bound = row["surface"][:-1] + "ت" if row["surface"].endswith("ه") else row["surface"]
            entries += [(bound + pronoun, "1") for pronoun in ("ه", "ها")]
    return Lexicon(entries)


@cache
def outlets() -> Lexicon[str]:
    """Outlet names as written -> the source name we record."""
    return Lexicon((r["surface"], r["source"]) for r in _rows("outlets.csv"))


@cache
def time_words() -> Lexicon[int]:
    """Relative time words -> days before the publication date."""
    return Lexicon((r["surface"], int(r["days_before"])) for r in _rows("time_words.csv"))


@cache
def _actor_types() -> dict[str, str]:
    types = {r["actor"]: r["inter"] for r in _rows("actors.csv")}
    types.update((r["actor"], r["inter"]) for r in _rows("forces.csv") if r["kind"] == "adjective")
    return types


def _name_key(name: str) -> str:
    """An actor's name as compared: "HTS: Hayat Tahrir al Sham" and
    "Hayat Tahrir al-Sham" are one actor, as are "Islamic State (Syria)" and
    "Islamic State" (letters only, after any colon, before any bracket)."""
    return "".join(ch for ch in normalise(name.rpartition(":")[2].partition("(")[0]) if ch.isalnum())


@cache
def _actor_types_by_key() -> dict[str, str]:
    return {_name_key(name): inter for name, inter in _actor_types().items()}


def actor_type(actor: str | None) -> str | None:
    """ACLED's actor type (inter) of an actor name our lexicons know (in
    ACLED's naming or without its abbreviation), else None."""
    if not actor:
        return None
    return _actor_types().get(actor) or _actor_types_by_key().get(_name_key(actor))
