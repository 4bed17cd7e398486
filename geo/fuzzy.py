"""Spellings coders write against GeoNames' spellings, within one area.

Coders write Shifouneih, Kabani, Tell Mannas, Irbeen, Deir Maker, Bebila;
GeoNames has Ash Shaffuniyah, Kabanah, Tallmannis, Arbin, Dayr Maqir,
Babbila. Their letters differ too much for a typo matcher over all 10,000
villages, but within the governorate (or district) the coder named there
are a few hundred candidates, and two measures together tell them apart:
`rapidfuzz`'s ratio of the Latin keys (article dropped), and the ratio of
loose consonant skeletons (a final h, the a/e/i of a taa marbuta, dropped:
Kabani and Kabanah both give "kbn"). Arabic names are compared by their
normalised keys alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from rapidfuzz import fuzz, process

from .normalise import latin_key, skeleton

if TYPE_CHECKING:
    from .gazetteer import Place

# Below this, two names agree by chance; measured on the tuned part of the dev files.
CUTOFF = 76.0
CUTOFF_ANYWHERE = 84.0  # with no area to search in
# Within this of the best, another place is as likely: the answer says so.
TIE = 5.0
OTHER_NAME = 5.0  # a likeness to one of a place's other names counts this much less than to its own
_LIMIT = 40  # names looked at more closely
LARGE = 8_000  # names; a pool larger than this is searched by its first consonants
_FINAL_H = re.compile(r"h$")
_SPACE = re.compile(r" ")


def loose_skeleton(name: str) -> str:
    """The consonant skeleton without a final h and without spaces:
    Kabani, Kabanah -> "kbn"; Tell Mannas, Tallmannis -> "tlmns"."""
    return _FINAL_H.sub("", _SPACE.sub("", skeleton(name)))


def _bucket(key: str, bone: str) -> str:
    """The first two consonants of a Latin name; the first two letters after the article of an Arabic one."""
    if bone:
        return bone[:2]
    return key.removeprefix("ال")[:2]


def _script(key: str) -> str:
    return "latin" if key.isascii() else "arabic"


@dataclass
class Pool:
    """The names of the places of one area, ready to be compared."""

    keys: list[str]          # one per name
    bones: list[str]         # loose skeleton of each name ("" for Arabic)
    owners: list[int]        # index into `places` of each name's place
    places: list[Place]
    lower: list[float] = field(default_factory=list)  # taken off each name's score: 0 for a place's own name
    # The names by script (a Latin spelling is never like an Arabic one); of a
    # large pool (all Syria), by their first two consonants: a coder's spelling
    # rarely changes them (Irbeen, Arbin; Deir Maker, Dayr Maqir), and comparing
    # with a hundredth of 30,000 names keeps a miss cheap.
    buckets: dict[str, tuple[list[str], list[int]]] = field(default_factory=dict)
    large: bool = False

    @classmethod
    def of(cls, places: Iterable[Place]) -> Pool:
        pool = cls([], [], [], list(places), [])
        for index, place in enumerate(pool.places):
            # A place's own name (Latin and Arabic) before its other names: GeoNames
            # lists under a village names of a neighbour or of an older map.
            arabic = next((n for n in place.names if not latin_key(n).isascii()), "")
            own = {latin_key(place.name), latin_key(arabic)}
            seen: set[str] = set()
            for name in place.names:
                key = latin_key(name)
                if len(key) < 3 or key in seen:
                    continue
                seen.add(key)
                pool.keys.append(key)
                pool.bones.append(loose_skeleton(name) if key.isascii() else "")
                pool.owners.append(index)
                pool.lower.append(0.0 if key in own else OTHER_NAME)
        large = len(pool.keys) > LARGE
        for position, key in enumerate(pool.keys):
            keys, positions = pool.buckets.setdefault(
                _bucket(key, pool.bones[position]) if large else _script(key), ([], []))
            keys.append(key)
            positions.append(position)
        pool.large = large
        return pool

    def match(self, name: str, cutoff: float = CUTOFF) -> list[tuple[Place, float]]:
        """Places whose name is close to `name`, best first with their score
        (0-100); only those within TIE of the best."""
        key = latin_key(name)
        if len(key) < 3 or not self.keys:
            return []
        latin = key.isascii()
        bone = loose_skeleton(name) if latin else ""
        best: dict[int, float] = {}
        keys, positions = self.buckets.get(_bucket(key, bone) if self.large else _script(key), ([], []))
        # A final score of (ratio + skeleton ratio) / 2 >= cutoff needs a ratio of 2 * cutoff - 100 at least.
        floor = 2 * cutoff - 100 if latin else cutoff
        if not keys:
            return []
        # cdist compares with all the names at once (SIMD): twice extract's speed.
        scores = process.cdist((key,), keys, scorer=fuzz.ratio, score_cutoff=floor, dtype=np.float64)[0]
        found = np.flatnonzero(scores)
        if len(found) > _LIMIT:  # the closest spellings only, as extract(limit=...) gives them
            found = found[np.argsort(-scores[found], kind="stable")[:_LIMIT]]
        for at in found.tolist():
            index, score = positions[at], float(scores[at])
            if latin and self.bones[index] and bone:
                # The consonants carry a name across transliterations; its vowels do not.
                score = (score + fuzz.ratio(bone, self.bones[index])) / 2
            owner = self.owners[index]
            # Of names as alike, the place's own before another's (a thousandth: a tie-break).
            best[owner] = max(best.get(owner, 0.0), score - self.lower[index] + (1e-3 if not self.lower[index] else 0))
        ranked = sorted(((score, owner) for owner, score in best.items() if score >= cutoff), key=lambda s: -s[0])
        if not ranked:
            return []
        top = ranked[0][0]
        # Of names about as close, a town's before a village's (the name more often meant).
        kept = [(self.places[owner], score) for score, owner in ranked if score >= top - TIE]
        return sorted(kept, key=lambda pair: (pair[0].tier, -pair[1]))
