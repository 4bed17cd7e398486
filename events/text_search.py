"""Free-text search over events: Latin as a substring, Arabic folded and stemmed.

A search without Arabic letters is what it always was: a case-insensitive
substring (ILIKE) of any of the text columns.

A search with Arabic letters compares folded text: both sides lose
their diacritics (harakat, shadda, sukun, the dagger alef) and the hamza
on alef, waw and yeh (Unicode's decomposition, then its marks dropped:
أ إ آ as ا, ؤ as و, ئ as ي), tatweel goes, ٱ is ا, ة is ه, ى and ی are ي,
ک is ك, Arabic-Indic digits are ASCII, and letters are lower-cased: the
folds `geo.normalise` makes of Arabic. In Python that is `fold`; in SQL
the function `search_fold(text)`, which each backend defines with the
same table (`SEARCH_FOLD_DUCKDB`; PostgreSQL's will use `translate`), so
the filter's template is the same SQL for both.

Arabic words of the search are lightly stemmed: a plural or feminine
ending (ات, ين, ون, then ه, which is also ة folded) is cut while three
letters stay, not counting the article ال; the rest must start a word's
letters in the text. So غارة (غار) finds غارات, and حماه and حماة both find
either. Stemming the stored words too would find nothing more: a stored
word whose stem is the searched stem starts with it. Words keep their
order; after a stemmed word anything may follow before the next.

Speed: folding a million notes costs seconds, so a row is folded only
when its raw text holds, in order, the letters of the search that folding
never makes (`hint`: all but ا ه ي و ك); a text without them cannot match,
and most texts with them do.
"""

from __future__ import annotations

import re
import unicodedata

# The columns searched: what a reader calls the text of an event.
TEXT_COLUMNS = ("notes", "location", "actor1", "actor2", "assoc_actor_1", "assoc_actor_2", "source")

# After the marks are dropped: one letter for another (or for nothing),
# then Arabic-Indic digits (both sets) for ASCII ones. LETTERS is public:
# each backend writes its SQL fold from it, so the folds cannot drift apart.
LETTERS = {"ة": "ه", "ى": "ي", "ی": "ي", "ک": "ك", "ٱ": "ا", "ـ": ""}
_DIGITS = {chr(0x0660 + i): str(i) for i in range(10)} | {chr(0x06F0 + i): str(i) for i in range(10)}
_TABLE = {ord(old): new for old, new in (LETTERS | _DIGITS).items()}
_MARKS = ("Mn", "Mc", "Me")
# What folding makes out of other letters: a hint must be none of them.
_FOLD_TARGETS = set("اهيوك")
# The letters a hint may hold: Arabic letters, which neither lower() nor
# the marks' removal changes.
_UNFOLDED = re.compile(r"[\u0621-\u064A]")
_ARABIC = re.compile(r"[\u0621-\u064A\u0660-\u0669\u0671-\u06D3\u06F0-\u06F9]")
_ENDINGS = ("ات", "ين", "ون")
_MIN_STEM = 3


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _replacing(inner: str, table: dict[str, str]) -> str:
    for old, new in table.items():
        inner = f"replace({inner}, {_sql_string(old)}, {_sql_string(new)})"
    return inner


# search_fold(s) folds the letters; a search with digits or cased letters
# also folds those (`folded`): replace() and lower() are the same SQL in
# every backend. DuckDB's strip_accents is Unicode's decomposition with the
# marks dropped, as `fold` does.
SEARCH_FOLD_DUCKDB = f"CREATE OR REPLACE TEMP MACRO search_fold(s) AS {_replacing('strip_accents(s)', LETTERS)}"


def fold(text: str) -> str:
    """Text folded for an Arabic search (see the module's note)."""
    stripped = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) not in _MARKS)
    return stripped.translate(_TABLE).lower()


def folded(column: str, text: str) -> str:
    """SQL for `column` folded as far as a search of `text` needs: equal to
    `fold` wherever a folded `text` could match (folding digits cannot
    change a match of a search without any, nor lower() one of a search
    without cased letters; each character stays one character)."""
    sql = f"search_fold({column})"
    key = fold(text)
    if any(ch.isdigit() for ch in key):
        sql = _replacing(sql, _DIGITS)
    if key != key.upper():
        sql = f"lower({sql})"
    return sql


def is_arabic(text: str) -> bool:
    """Whether a search holds Arabic letters (or digits), and so is folded."""
    return bool(_ARABIC.search(text))


def stem(word: str) -> str:
    """A folded Arabic word without its plural or feminine ending (ات, ين,
    ون, then ه), while three letters besides the article stay; a word
    without Arabic letters as it is."""
    if not is_arabic(word):
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
    """The LIKE pattern (escape: backslash) that the folded text of a match
    matches: the folded words, stemmed, in order."""
    words = fold(text).split()
    stems = [stem(word) for word in words]
    # After a stemmed word, anything up to the next word (or the end).
    parts = [_escape(s) + ("%" if s != w and i < len(words) - 1 else "") for i, (s, w) in
             enumerate(zip(stems, words, strict=True))]
    return "%" + " ".join(parts) + "%"


def hint(text: str) -> str:
    """A LIKE pattern every raw text whose fold matches `like_pattern(text)`
    matches: the search's Arabic letters that folding never makes, in
    their order, anything between them (folding keeps each of those letters
    where it was, and only drops or replaces other characters)."""
    letters = [ch for ch in like_pattern(text) if _UNFOLDED.fullmatch(ch) and ch not in _FOLD_TARGETS]
    return "%" + "".join(f"{letter}%" for letter in letters)


def params(text: str) -> dict[str, object]:
    """The parameters `condition(text)` names, bound."""
    if is_arabic(text):
        return {"text": like_pattern(text), "text_hint": hint(text)}
    return {"text": f"%{_escape(text.strip())}%"}


def condition(text: str) -> str:
    """The SQL template for a search of `text`, its parameters {text} (and
    for Arabic {text_hint}) as `params` binds them: a Latin search is
    ILIKE on the raw columns, an Arabic one LIKE on the folded columns of
    the rows that hold its hint."""
    if is_arabic(text):
        # One query per column, not one OR: DuckDB tests a condition on one
        # column as it reads it (only the rows holding the hint are folded),
        # but an OR over several columns after reading them all, folding
        # every row (3-4x the time).
        return "{row_id} IN (" + " UNION ALL ".join(
            f"SELECT {{row_id}} FROM events WHERE CASE WHEN {c} LIKE {{text_hint}}"
            f" THEN {folded(c, text)} LIKE {{text}} ESCAPE '\\' ELSE FALSE END" for c in TEXT_COLUMNS) + ")"
    return "(" + " OR ".join(f"{c} ILIKE {{text}} ESCAPE '\\'" for c in TEXT_COLUMNS) + ")"
