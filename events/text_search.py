"""Free-text search over events, Arabic-aware, in SQL both backends share.

Both sides are folded as `geo.normalise` folds Arabic: the forms of alef,
yeh, teh marbuta (ة as ه) and waw with hamza made one, diacritics and
tatweel dropped, Arabic-Indic digits read as ASCII, and Latin letters
lower-cased. The stored text is folded in SQL by one `translate()` (the
same function, with the same meaning, in DuckDB and PostgreSQL) and
`lower()`; the searched words are folded here, in Python, with the same
table, so the two sides always agree.

Arabic words of the search are lightly stemmed: a plural or feminine
ending (ات, ين, ون, then ة/ه) is cut while three letters stay (the
article ال not counted), and the
rest must start a word's letters in the text. So غارة (غار) finds غارات,
and حماه and حماة both find either. Stemming the stored words too would
find nothing more: a stored word whose stem is the searched stem starts
with it. Latin text is a case-insensitive substring, as before; words stay
in their order, and after a stemmed word anything may follow before the
next.
"""

from __future__ import annotations

import re

from geo import normalise as geo_normalise

# The columns searched: what a reader calls the text of an event.
TEXT_COLUMNS = ("notes", "location", "actor1", "actor2", "assoc_actor_1", "assoc_actor_2", "source")

# geo's own tables (one definition of the Arabic folds), plus whitespace
# as a space so that a search for two words finds them across a line end.
_FOLDS = {**geo_normalise._ARABIC_FOLD, **geo_normalise._DIGITS, "\n": " ", "\r": " ", "\t": " "}
_DROPPED = "".join(sorted(chr(code) for code in geo_normalise._ARABIC_DROP))
_FROM = "".join(_FOLDS) + _DROPPED
_TO = "".join(_FOLDS.values())
assert all(len(value) == 1 for value in _FOLDS.values())  # translate() maps one character to one
_TABLE = str.maketrans({**_FOLDS, **dict.fromkeys(_DROPPED)})

_ARABIC_LETTER = re.compile(r"[\u0621-\u064A]")
_ENDINGS = ("ات", "ين", "ون")
# Letters a stem keeps, not counting the article: الدين is not الد.
_MIN_STEM = 3


def fold(text: str) -> str:
    """Text as the SQL expression `folded(column)` reads it: Arabic folded,
    lower-case, whitespace runs one space, stripped."""
    return " ".join(text.translate(_TABLE).lower().split())


def stem(word: str) -> str:
    """A folded Arabic word without its plural or feminine ending (ات, ين,
    ون, then ه, which is also ة folded), while three letters besides the
article stay; a word
    without Arabic letters as it is."""
    if not _ARABIC_LETTER.search(word):
        return word
    article = 2 if word.startswith("ال") else 0
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - article - len(ending) >= _MIN_STEM:
            word = word[: -len(ending)]
            break
    if word.endswith("ه") and len(word) - article - 1 >= _MIN_STEM:
        word = word[:-1]
    return word


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def like_pattern(text: str) -> str:
    """The LIKE pattern (escape character backslash) that the folded text of
    a matching event matches."""
    parts = []
    for word in fold(text).split(" "):
        stemmed = stem(word)
        parts.append(_escape(stemmed) + ("%" if stemmed != word else ""))
    return "%" + " ".join(parts) + "%"


def folded(column: str) -> str:
    """SQL for the folded text of `column` (a name from our schema)."""
    return f"lower(translate({column}, '{_FROM}', '{_TO}'))"


def condition(parameter: str) -> str:
    """SQL true for an event whose folded text matches the LIKE pattern
    bound as `parameter` (a placeholder in the backend's dialect)."""
    return "(" + " OR ".join(f"{folded(c)} LIKE {parameter} ESCAPE '\\'" for c in TEXT_COLUMNS) + ")"
