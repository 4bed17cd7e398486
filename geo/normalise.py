"""Name normalisation for matching Arabic and Latin spellings of one place.

`normalise(text)` gives the key two spellings share when they name the same
place; `normalise_with_offsets(text)` also says, for every character of that
key, where it came from in the raw text, so a match found in the key can be
reported as a span of the original report.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

# Harakat, tanween, shadda, sukun, dagger alef, Quranic marks, tatweel:
# writers add or drop them freely, so they never distinguish two places.
_ARABIC_DROP = set(range(0x064B, 0x0660)) | {0x0670, 0x0640} | set(range(0x06D6, 0x06EE))

_ARABIC_FOLD = {
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا",
    "ة": "ه", "ى": "ي", "ئ": "ي", "ؤ": "و",
    "ک": "ك", "ی": "ي",
}
# Arabic-Indic and Eastern Arabic-Indic digits read as ASCII digits.
_DIGITS = {chr(0x0660 + i): str(i) for i in range(10)} | {chr(0x06F0 + i): str(i) for i in range(10)}

# Apostrophes and hyphens vary between transliterations (Ma'arrat, Deir ez-Zor).
_LATIN_SEPARATORS = {"'": "", "’": "", "‘": "", "`": "", "ʿ": "", "ʾ": "", "-": " ", "_": " "}


@cache  # the alphabet is small: fold each character once
def _fold_char(ch: str) -> str:
    if ord(ch) in _ARABIC_DROP:
        return ""
    if ch in _ARABIC_FOLD:
        return _ARABIC_FOLD[ch]
    if ch in _DIGITS:
        return _DIGITS[ch]
    if ch in _LATIN_SEPARATORS:
        return _LATIN_SEPARATORS[ch]
    if ch.isspace():
        return " "
    # Strip Latin accents (Ḩamāh → Hamah) but keep Arabic letters whole.
    decomposed = unicodedata.normalize("NFKD", ch)
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    return base.lower()


def normalise_with_offsets(text: str) -> tuple[str, list[int]]:
    """Return (key, offsets): offsets[i] is the index in `text` of key[i].

    Runs of whitespace collapse to one space; the key is not stripped so that
    offsets stay simple (callers search inside it).
    """
    out: list[str] = []
    offsets: list[int] = []
    for index, ch in enumerate(text):
        folded = _fold_char(ch)
        for piece in folded:
            if piece == " " and out and out[-1] == " ":
                continue
            out.append(piece)
            offsets.append(index)
    return "".join(out), offsets


_SPACES = re.compile(r" {2,}")


def normalise(text: str) -> str:
    """The matching key of a name: folded, lower-case, single-spaced, stripped.

    The same key as `normalise_with_offsets`, without the offsets.
    """
    return _SPACES.sub(" ", "".join(map(_fold_char, text))).strip()


_ARTICLE = re.compile(r"^(?:al|el|ad|ar|as|ash|at|az|an|adh|ath|ad)\s+")


def latin_key(text: str) -> str:
    """A looser key for Latin transliterations: drops the article ("al-", "el ")."""
    return _ARTICLE.sub("", normalise(text))


_SKELETON_PAIRS = (("sh", "s"), ("ch", "s"), ("kh", "k"), ("gh", "g"), ("th", "d"), ("dh", "d"), ("ph", "f"),
                   ("q", "k"), ("c", "k"), ("z", "d"), ("j", "g"), ("x", "ks"), ("v", "f"), ("p", "b"))
_ARTICLE_WORDS = re.compile(r"\b(?:al|el|ad|ar|as|ash|at|az|an|adh|ath|ul|ud|us|un|ur)\b")


def skeleton(name: str) -> str:
    """The consonants of a Latin transliteration, which its variants share:
    Khan Shaykhun, Khan Sheikhoun and Khan Cheikhoun all give "knskn";
    "" for a name that is not in Latin letters."""
    key = _ARTICLE_WORDS.sub(" ", latin_key(name))
    if not key.isascii():
        return ""
    for pair, into in _SKELETON_PAIRS:
        key = key.replace(pair, into)
    consonants = re.sub(r"[^a-z0-9]|[aeiouyw]", "", key)
    return re.sub(r"(.)\1+", r"\1", consonants)
