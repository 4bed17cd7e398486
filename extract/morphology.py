"""Surface forms generated from a root and its patterns, so that one lexicon
entry covers the forms a news report writes.

Arabic: a triliteral root and the verb forms (I-X) it is used in give the
perfect (قتل, قتلت, قتلوا), the imperfect (يقتل, تقتل, يقتلون), the verbal
noun (اعتقال), the participles (مستهدف) and the nouns the entry lists
(مقتل, قتلى); the words of a news report carry pronouns (قتله, اعتقالهم),
the article (القصف) and ل before it (للقصف). Written unvocalised and
folded as `geo.normalise` folds text (أ -> ا, ة -> ه), the passive (قُتل)
is the perfect's spelling. The conjunctions and prepositions that a word
may carry in front (و ف ب ل ك) are not generated: `text.Lexicon` takes them
off when it looks a word up, and reports the span without them.

English: a verb gives its -s, -ed and -ing forms (shell, shells, shelled,
shelling; kidnap, kidnapped); irregular forms are listed with the entry.

Only spellings are made here: no analysis of the report, so the look-up
stays one dictionary probe per word.
"""

from __future__ import annotations

from collections.abc import Iterable

from geo.normalise import normalise

# Object and possessive pronouns a verb or noun carries at its end.
PRONOUNS = ("", "ه", "ها", "هم", "هما", "هن", "ي", "نا", "كم", "ك")
_PERFECT_ENDINGS = ("", "ت", "وا", "ا", "تا", "ن", "نا", "تم")
_IMPERFECT_PREFIXES = ("ي", "ت", "ن", "ا")
_IMPERFECT_ENDINGS = ("", "ون", "ان", "ن", "ين", "وا", "ا")
_NOUN_ENDINGS = ("", "ات", "ين", "ون", "ان", "يين", "يون", "ي", "يه")
_EMPHATIC = set("صضطظ")


def _form(root: str, number: str) -> tuple[list[str], list[str], list[str]]:
    """(perfect stems, imperfect stems without the prefix, nouns) of one form of a sound root."""
    f, a, l = root[0], root[1], root[2]  # noqa: E741 - the radicals, named as grammarians do (f-ʿ-l)
    if number == "I":
        return [f + a + l], [f + a + l], [f + "ا" + a + l, "م" + f + a + "و" + l]
    if number == "II":
        return [f + a + l], [f + a + l], ["ت" + f + a + "ي" + l, "م" + f + a + l]
    if number == "III":
        nouns = ["م" + f + "ا" + a + l + "ه", f + a + "ا" + l, "م" + f + "ا" + a + l]
        return [f + "ا" + a + l], [f + "ا" + a + l], nouns
    if number == "IV":
        return ["ا" + f + a + l], [f + a + l], ["ا" + f + a + "ا" + l, "م" + f + a + l]
    if number == "V":
        return ["ت" + f + a + l], ["ت" + f + a + l], ["ت" + f + a + l, "مت" + f + a + l]
    if number == "VI":
        return ["ت" + f + "ا" + a + l], ["ت" + f + "ا" + a + l], ["ت" + f + "ا" + a + l, "مت" + f + "ا" + a + l]
    if number == "VII":
        return ["ان" + f + a + l], ["ن" + f + a + l], ["ان" + f + a + "ا" + l, "من" + f + a + l]
    if number == "VIII":
        t = "ط" if f in _EMPHATIC else "د" if f in "دذز" else "ت"
        return (["ا" + f + t + a + l], [f + t + a + l],
                ["ا" + f + t + a + "ا" + l, "م" + f + t + a + l])
    if number == "X":
        return ["است" + f + a + l], ["ست" + f + a + l], ["است" + f + a + "ا" + l, "مست" + f + a + l]
    raise ValueError(f"unknown verb form {number!r}")


def verb_forms(perfect: str, imperfect: str) -> set[str]:
    """The finite forms of one verb stem, with object pronouns; no
    imperfect ones when `imperfect` is "" (قضى "died", not يقضي "rules")."""
    forms = set()
    for ending in _PERFECT_ENDINGS:
        stem = perfect + ending
        for pronoun in PRONOUNS:
            # وا drops its alif before a pronoun: قتلوا + ه -> قتلوه.
            forms.add((stem[:-1] if ending == "وا" and pronoun else stem) + pronoun)
    for prefix in _IMPERFECT_PREFIXES if imperfect else ():
        for ending in _IMPERFECT_ENDINGS:
            for pronoun in PRONOUNS:
                forms.add(prefix + imperfect + (ending[:-1] if ending == "وا" and pronoun else ending) + pronoun)
    return forms


def noun_forms(noun: str) -> set[str]:
    """A noun with the article, ل before the article, plural and dual endings and pronouns."""
    base = noun[:-1] if noun.endswith("ه") else noun
    # (stem, the ending added): the ن of a plural or dual ending drops before a pronoun, not a ن of
    # the noun's own (كمين + ه is كمينه; dropping it gave كميه, which is كمية, a quantity).
    stems = {(noun, ""), *((base + ending, ending) for ending in _NOUN_ENDINGS if ending)}
    forms: set[str] = set()
    for stem, ending in stems:
        forms.update((stem, "ال" + stem, "لل" + stem))
        # A pronoun after ة writes it ت: مجزرة + ه -> مجزرته.
        bound = stem[:-1] + "ت" if stem.endswith("ه") else stem[:-1] if ending in ("ان", "ين", "ون") else stem
        forms.update(bound + pronoun for pronoun in PRONOUNS if pronoun)
    return forms


def arabic_forms(root: str = "", forms: Iterable[str] = (), nouns: Iterable[str] = (),
                 verbs: Iterable[tuple[str, str]] = ()) -> set[str]:
    """Every spelling of a root's verb forms, of the nouns listed and of
    irregular verbs given as (perfect, imperfect) stems, normalised."""
    root = normalise(root)
    out: set[str] = set()
    stems: list[tuple[str, str]] = [(normalise(p), normalise(i)) for p, i in verbs]
    all_nouns = [normalise(n) for n in nouns]
    if root:
        if len(root) != 3:
            raise ValueError(f"a triliteral root is three letters: {root!r}")
        for number in forms:
            perfects, imperfects, derived = _form(root, number)
            stems += list(zip(perfects, imperfects, strict=True))
            all_nouns += derived
    for perfect, imperfect in stems:
        out |= verb_forms(perfect, imperfect)
    for noun in all_nouns:
        out |= noun_forms(noun)
    return out


def english_forms(verb: str) -> set[str]:
    """An English verb (or a phrase led by one: "set fire to") with its -s,
    -ed and -ing forms; the rest of the phrase is kept."""
    head, _, rest = normalise(verb).partition(" ")
    tail = f" {rest}" if rest else ""
    forms = {head}
    if head.endswith(("s", "sh", "ch", "x", "z")):
        forms.add(head + "es")
    elif head.endswith("y") and head[-2:-1] not in "aeiou":
        forms.update((head[:-1] + "ies", head[:-1] + "ied"))
    else:
        forms.add(head + "s")
    if head.endswith("e"):
        forms.update((head + "d", head[:-1] + "ing"))
    elif not head.endswith("y") or head[-2:-1] in "aeiou":
        forms.update((head + "ed", head + "ing"))
        if len(head) > 2 and head[-1] not in "aeiouwxy" and head[-2] in "aeiou" and head[-3] not in "aeiou":
            forms.update((head + head[-1] + "ed", head + head[-1] + "ing"))  # kidnapped, stabbed
    if head.endswith("y"):
        forms.add(head + "ing")
    return {form + tail for form in forms}
