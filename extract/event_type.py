"""The sub-event type of a report, by ACLED's definitions and hierarchy.

The event words (`lexicons.triggers()`) are of two kinds: words that name
a sub-event type outright ("shelled", "اشتباكات", "kidnapped") and cues that
the definitions weigh (`@attack`, `@kill`: someone was attacked or killed;
`@armed` / `@civilian`: who the target was; `@intervention`, `@lethal`,
`@riot`, `@burn`, `@crowd`: what happened at a demonstration; `@take`,
`@peaceful`: territory changing hands, `@attempt`: a taking only tried;
`@repel`: an attack repelled; `@context`: what a protest was about). The rules, in ACLED's terms:

- a demonstration (the first event word of the report, or the others
  only what it was about: "protested against the shelling") is a protest:
  with lethal force against it, excessive force; with demonstrators'
  violence, a violent demonstration; dispersed or arrested, a protest with
  intervention; otherwise peaceful;
- a crowd's violence without a demonstration is mob violence;
- taking a place is a battle when there was fighting (the state's forces
  regain it, others overtake it), otherwise a non-violent transfer;
- an attack or a killing is an armed clash when its target is armed
  (soldiers, a checkpoint, a patrol), an attack on civilians otherwise, and
  only the consequence of an explosion, shelling or air strike when one is
  named;
- otherwise the word highest in ACLED's hierarchy wins; an interception
  or a defusal stops the weapons it names (disrupted weapons use).
"""

from __future__ import annotations

import re
from functools import cache

from events import taxonomy
from geo.normalise import normalise

from . import fatalities, lexicons
from .text import Finding, Hit, Report, Span

_PROTESTS = ("Peaceful protest",)
_SUBJECT_GAP = 8  # characters between an Arabic subject and its verb: "الأهالي بضرب", "الشبان وهاجموا"
_BUILDINGS = frozenset(("منزل", "منازل", "المنازل", "بيوت", "البيوت", "مبنى", "مباني", "house", "houses", "home",
                        "homes", "building", "buildings"))
_OBJECT_GAP = 25  # characters between a verb of blowing up and its object, its subject between them
_CUT_GAP = 80  # characters between a verb of cutting and the trees cut, its subject ("عناصر من فصيل ...") between
# Fire opened on the demonstration named next: "النار على مظاهرة", "fire on protesters".
_FIRED_ON = re.compile(r"(?:النار|الرصاص|الرصاص الحي|fire|shots|live ammunition) (?:على|باتجاه|on|at) (?:the )?$")
_VICTIM_GAP = 12  # characters between a death word and the protester it names: "مقتل أحد المتظاهرين"
_ACCUSED_GAP = 6  # characters between an accusation and what it is of: "بتهمة القتل", "accused of killing"
_ATTEMPT_GAP = 4  # characters between an attempt word and the taking it was: "محاولة تقدم", "attempted to take"
_SENTENCE_END = (".", "؛", ";", "!", "?", "؟")


@cache
def _rank() -> dict[str, int]:
    return {name: rank for rank, name in enumerate(taxonomy.sub_event_types())}


def _explosive(value: str) -> bool:
    return taxonomy.event_type_of(value) == "Explosions/Remote violence"


def _same_sentence(report: Report, first: Span, second: Span) -> bool:
    start, end = sorted((first.end, second.start))
    between = report.raw[start - report.base:end - report.base]
    return not any(mark in between for mark in _SENTENCE_END)


def _target(report: Report, attack: Hit[str], cues: dict[str, list[Hit[str]]]) -> Hit[str] | None:
    """Whom an attack word's sentence names as harmed: civilians when it
    names any (an armed man in it is the attacker, "قتل عناصر من ... مدنياً"),
    else the armed side; a word after "by" names the attacker, as does the
    noun right after an Arabic verb (its subject)."""
    actors = lexicons.actors().values
    # An armed group's name is an armed target too ("killed a regime 4th Armored Division member").
    named = [Hit(h.span, h.term, "@armed") for h in cues.get("@name", [])
             if h.term in actors and actors[h.term][1] not in ("Civilians", "Protesters")]
    in_sentence = [t for t in cues.get("@civilian", []) + cues.get("@people", []) + cues.get("@armed", []) + named
                   if _same_sentence(report, attack.span, t.span) and not _by_before(report, t.span)]
    civilians = [t for t in in_sentence if t.value == "@civilian"]
    if civilians:
        return min(civilians, key=lambda t: abs(t.span.start - attack.span.end))
    arabic = not attack.term.isascii()
    # The noun right after an Arabic verb of attack is its subject, the attacker of every attack word
    # of its sentence ("استهدف مسلحون مجهولون بالرصاص سيارة ...": the gunmen are no target of the bullets).
    verbs = [a for a in cues.get("@attack", []) + cues.get("@kill", []) if not a.term.isascii()]
    armed = [t for t in in_sentence if t.value != "@people"
             and not any(0 <= t.span.start - verb.span.end <= 2 for verb in verbs if arabic or verb is attack)]
    after = [t for t in armed if t.span.start >= attack.span.end]
    # People who are no armed group (a group of young men, residents) are civilians when shot at, unless
    # an armed side is named first after the attack ("fire towards soldiers during a raid to arrest activists").
    people = [t for t in in_sentence if t.value == "@people"]
    if people and not (after and min(t.span.start for t in after) < min(p.span.start for p in people)):
        return min(people, key=lambda t: abs(t.span.start - attack.span.end))
    if after:
        return min(after, key=lambda t: t.span.start)
    # Before the attack word, an armed side is its target only in the passive ("soldiers were killed");
    # otherwise it is the attacker, and the target is unknown.
    before = report.raw[max(0, attack.span.start - report.base - 12):attack.span.start - report.base].split()
    passive = bool(before) and before[-1].lower() in ("was", "were", "been", "is", "are")
    return armed[-1] if armed and (passive or arabic) else None


_BASE_GAP = 60  # characters from a word of establishing to its base: "حولت ... مبنى المدرسة في بلدة حطلة إلى مقر"
_BASES = {"مقر", "مقرا", "مقرات", "قاعده", "نقطه عسكريه", "نقطه", "base", "military base", "headquarters", "outpost",
          "military post", "military point", "position"}


def _base_established(cues: dict[str, list[Hit[str]]]) -> list[Hit[str]]:
    """A base or headquarters set up: a word of establishing with a base a
    few words on ("أقام ... نقطة عسكرية جديدة")."""
    for establish in cues.get("@establish", []):
        for base in cues.get("@armed", []):
            if base.term in _BASES and 0 < base.span.start - establish.span.end <= _BASE_GAP:
                return [establish, base]
    return []


def _by_before(report: Report, span: Span) -> bool:
    start = span.start - report.base
    words = report.raw[max(0, start - 25):start].lower().split()
    return any(w in ("by", "قبل", "بواسطه", "بواسطة") for w in words[-3:])


def _finding(value: str, hits: list[Hit[str]], confidence: float) -> Finding[str]:
    return Finding[str](value, tuple(sorted({h.span for h in hits}, key=lambda s: s.start)), confidence)


_DETAINING = ("Arrests", "Abduction/forced disappearance")
_ARTICLE = ("لل", "ال")


def _person(hit: Hit[str]) -> bool:
    """An Arabic participle of detaining names the person, not the act: المعتقلين, مختطف (detainees,
    the abducted) begin with م, where the verb and its verbal noun do not (اعتقل, اعتقال, خطف)."""
    term = hit.term
    for article in _ARTICLE:
        term = term.removeprefix(article)
    return not hit.term.isascii() and term.startswith("م") and " " not in term


# Words a negation reaches over to what it denies: "without a shot", "دون تسجيل إصابات", "دون أي اشتباكات".
_DENIED_THROUGH = frozenset(("a", "an", "any", "اي", "تسجيل", "وقوع", "سقوط", "حدوث"))
# What is done to the accused: detained, abducted, attacked, killed (executed).
_ACTS_DONE = ("Arrests", "Abduction/forced disappearance", "@attack", "@kill")


def _denied(report: Report, negation: Hit[str], hit: Hit[str]) -> bool:
    """Whether a negation denies the event word right after it, or after one word that says it occurred."""
    gap = hit.span.start - negation.span.end
    if not 0 <= gap <= 12:
        return False
    between = normalise(report.raw[negation.span.end - report.base:hit.span.start - report.base]).split()
    return len(between) <= 1 and all(word in _DENIED_THROUGH for word in between)


def _acts(report: Report, hits: list[Hit[str]]) -> list[Hit[str]]:
    """The event words that tell what happened: not what someone was accused of ("متهماً بالتحرش",
    "arrested on charges of murder") or what is expected or planned ("تحسباً لهجوم", "plotted attacks"),
    nor a status a person holds ("من حملة بطاقات التسوية"), nor what did not happen ("دون أي اشتباكات"),
    nor the detained named as people ("أهالي المعتقلين")."""
    # What is feared, prepared for or planned ("تحسباً لهجوم تركي"), or a status held, is no event.
    expected = [h for h in hits if h.value in ("@expected", "@status")]
    negations = [h for h in hits if h.value == "@without"]

    def after(marks: list[Hit[str]], hit: Hit[str]) -> bool:
        return any(0 <= hit.span.start - a.span.end <= _ACCUSED_GAP for a in marks)
    # An accusation says why its sentence's act was done ("arrested on charges of murder"), or who a
    # person is ("a man accused of killing a teen"); an armed group accused, with no act done to it in
    # its sentence, is reported to have done it ("fighters of a faction were accused of raping a woman").
    accusations = [a for a in hits if a.value == "@accused"]
    accused = [h for h in hits if after(accusations, h)]
    acts_done = [h for h in hits if h.value in _ACTS_DONE and h not in accused and not after(expected, h)]
    armed = [h for h in hits if h.value == "@armed"]
    accusations = [a for a in accusations if any(_same_sentence(report, a.span, h.span) for h in acts_done)
                   or not any(h.span.end <= a.span.start and _same_sentence(report, a.span, h.span) for h in armed)]
    acts = []
    for hit in hits:
        if hit.value in _DETAINING and _person(hit) or after(accusations + expected, hit):
            continue
        if any(_denied(report, n, hit) for n in negations):
            # "دون أي اشتباكات", "without any fighting": no fight, so a peaceful handover; any other
            # event word so denied did not happen.
            if hit.value == "Armed clash":
                acts.append(Hit(hit.span, hit.term, "@peaceful"))
            continue
        acts.append(hit)
    return acts


def find_sub_event_type(report: Report) -> list[Finding[str]]:
    """The sub-event types the report's words support, the one ACLED would
    code first; [] when no event word is found."""
    hits = _acts(report, report.find(lexicons.triggers()))
    cues: dict[str, list[Hit[str]]] = {}
    for hit in hits:
        cues.setdefault(hit.value, []).append(hit)
    events = [h for h in hits if not h.value.startswith("@")]
    attacks = cues.get("@attack", []) + cues.get("@kill", [])
    found = (_protest(report, hits, cues) or _crowd(cues, attacks) or _mob(report, cues, events, attacks)
             or _territory(cues, events, attacks))
    if found:
        return [found]
    results: dict[str, list[Hit[str]]] = {}
    for hit in events:
        results.setdefault(hit.value, []).append(hit)
    deaths = lexicons.death_words().values
    # Someone killed or hurt: an Arabic word of killing or injury, or an English attack word that is a
    # death ("killing four"), so a weapon that killed was not stopped by the interception told beside it.
    casualties = bool(cues.get("@kill") or cues.get("@injure")) or any(
        deaths.get(h.term) in ("death", "died", "injury") for h in cues.get("@attack", []))
    if cues.get("@grave"):
        # A mass grave found holds the dead of earlier events: the finding is the event (Other), its
        # words of killing what the dead met long ago.
        attacks = []
        casualties = False
        results.setdefault("Other", cues["@grave"])
    if cues.get("@remnant"):
        # Ordnance left from earlier fighting goes off where it lay: a shell that did not explode is a mine.
        for weapon in [v for v in results if _explosive(v)]:
            del results[weapon]
        results["Remote explosive/landmine/IED"] = cues["@remnant"]
    blown_up = [b for b in hits if b.term in _BUILDINGS and any(
        0 < b.span.start - e.span.end <= _OBJECT_GAP for e in cues.get("@explosion", []))]
    if blown_up and not casualties and not any(_explosive(v) for v in results):
        # "فجرت قوات النظام منازل المدنيين": houses blown up are property destroyed.
        results.setdefault("Looting/property destruction", cues["@explosion"][:1] + blown_up[:1])
    cut = [c for c in hits if c.value == "@crops" and any(
        0 < c.span.start - e.span.end <= _CUT_GAP for e in cues.get("@cut", []))]
    if cut and not casualties and not attacks:
        # "قطع عناصر من الفصيل ٤٠٠ شجرة زيتون", "cut down olive trees": property destroyed.
        results.setdefault("Looting/property destruction", cues["@cut"][:1] + cut[:1])
    if not any(_explosive(v) for v in results) and cues.get("@explosion") and (
            casualties or "Looting/property destruction" not in results):
        # A blast of no named kind is a bomb set off where it lay (houses blown up are property destroyed).
        results["Remote explosive/landmine/IED"] = cues["@explosion"]
    if attacks and not any(_explosive(v) for v in results):
        derived: dict[str, list[Hit[str]]] = {}
        for attack in attacks:
            target = _target(report, attack, cues)
            armed = target is not None and target.value == "@armed"
            derived.setdefault("Armed clash" if armed else "Attack", []).extend([attack] + ([target] if target else []))
        for value, evidence in derived.items():
            results.setdefault(value, evidence)  # words naming the type outright are its evidence
    if cues.get("@repel") and not any(_explosive(v) for v in results) and "Disrupted weapons use" not in results:
        # Forces that repelled an attack fought it (تصدت الفصائل لمحاولة تقدم); repelling an air raid
        # or missiles is their interception, weighed above.
        results.setdefault("Armed clash", cues["@repel"])
    if "Disrupted weapons use" in results and not casualties:
        # An interception or a defusal stops the weapons it names.
        for weapon in [v for v in results if _explosive(v)]:
            del results[weapon]
    base = _base_established(cues) or results.get("Headquarters or base established")
    if base:
        results["Headquarters or base established"] = base
        results.pop("Change to group/activity", None)  # the forces that came to man it
    if "Change to group/activity" in results and not casualties and not attacks and not cues.get("@explosion"):
        # Reinforcements "with tanks and rocket launchers": weapons named are carried, not fired.
        for weapon in [v for v, found in results.items() if _explosive(v) and not any(_fires(h) for h in found)]:
            del results[weapon]
    if cues.get("@seize") and not casualties and not attacks:
        # Rockets seized on their way were never fired: the weapons kept from use, not a shelling.
        for weapon in [v for v, found in results.items() if _explosive(v) and not any(_fires(h) for h in found)]:
            results.setdefault("Disrupted weapons use", cues["@seize"] + results.pop(weapon)[:1])
    if cues.get("@seize") and not results.get("Disrupted weapons use"):
        # Weapons seized are weapons kept from use; anything else seized is looted.
        taken = "Disrupted weapons use" if cues.get("@weapon") else "Looting/property destruction"
        results.setdefault(taken, cues["@seize"] + cues.get("@weapon", [])[:1])
    if not results and cues.get("@burn"):
        results["Looting/property destruction"] = cues["@burn"]
    if ("Non-violent transfer of territory" in results and "Change to group/activity" in results
            and not casualties and not attacks):
        # Forces deployed where the other side withdrew took the place over ("انتشرت قوات النظام في
        # منبج بعد انسحاب قسد منها").
        del results["Change to group/activity"]
    if "Agreement" in results and "Non-violent transfer of territory" in results and (
            results["Non-violent transfer of territory"][0].span.start < results["Agreement"][0].span.start):
        # A place handed over "under an agreement" is the handover; an agreement "on the withdrawal" is
        # the agreement: the one told first is the event, the other how or what.
        del results["Agreement"]
    ranked = sorted(results.items(), key=lambda item: (_rank()[item[0]], item[1][0].span.start))
    return [_finding(value, spans, 0.9 if len(spans) > 1 else 0.75) for value, spans in ranked]


_FIRING = ("قصف", "يقصف", "تقصف", "shell", "bombard", "fired", "fire", "launched", "struck", "strike", "raid",
           "غار", "استهدف", "اطلق", "airstrike", "air strike", "drone strike")


def _fires(hit: Hit[str]) -> bool:
    """Whether a weapon word says it was used (shelled, غارة), not only named (tanks, صواريخ)."""
    return any(part in hit.term for part in _FIRING)


def _protest(report: Report, hits: list[Hit[str]], cues: dict[str, list[Hit[str]]]) -> Finding[str] | None:
    # What a protest was against: "احتجاجاً على مقتل ثلاثة مدنيين" names deaths it was about.
    contexts = cues.get("@context", []) + cues.get("@protesting", [])
    # People gathering, marching or blocking a road to demand, oppose or complain about something protest.
    gatherings = [g for g in cues.get("@gather", []) if any(
        c.span.start > g.span.end and _same_sentence(report, g.span, c.span) for c in contexts)]
    protests = sorted([h for h in hits if h.value in _PROTESTS or h.value == "@protesting"] + gatherings,
                      key=lambda h: h.span.start)
    if not protests:
        return None
    first = protests[0]
    violent = [h for h in hits if not h.value.startswith("@") and h.value not in _PROTESTS
               and h.value not in ("Arrests", "Abduction/forced disappearance", "Violent demonstration")]
    # Demonstrators who clash (اشتبك متظاهرون بالحجارة مع الشرطة) riot: the clash's subject, right
    # after its verb, is the demonstration's word.
    clashing = [h for h in violent if h.value == "Armed clash" and 0 <= first.span.start - h.span.end <= 1]
    # Other event words before the demonstration's own, not what it was about, make it another event.
    earlier = [h for h in violent if h.span.start < first.span.start and h not in clashing
               and not any(c.span.end <= h.span.start and c.span.start >= first.span.start - 200 for c in contexts)]
    if earlier:
        return None
    deaths = lexicons.death_words().values
    negated = [report.span(*m.span()) for m in fatalities.NEGATED.finditer(report.key)]  # "no one was killed"
    start = first.span.start - report.base
    fired_on = bool(_FIRED_ON.search(report.raw, max(0, start - 20), start))
    lethal = [h for h in cues.get("@lethal", []) + [
        h for h in cues.get("@kill", []) + cues.get("@attack", [])
        # After the demonstration's word, right before the protester it names ("قتل متظاهر"), or
        # anywhere in the sentence of fire opened on it ("قتل شاب ... بعد أن فتح عناصر النار على مظاهرة").
        if (h.span.start > first.span.start or 0 <= first.span.start - h.span.end <= _VICTIM_GAP
            or fired_on and _same_sentence(report, h.span, first.span))
        and deaths.get(h.term) in ("death", "died")
        and not any(n.start <= h.span.start < n.end for n in negated)]
        if not _about(report, h, contexts)]  # "to demand justice for the killing of ..." is what it was about
    riot = cues.get("Violent demonstration", []) + cues.get("@riot", []) + cues.get("@burn", []) + clashing
    # What a protest demands (the release of detainees) is not what was done to it.
    stopped = [h for h in cues.get("@intervention", []) + cues.get("Arrests", [])
               + cues.get("Abduction/forced disappearance", []) if not _about(report, h, contexts)]
    for value, evidence in (("Excessive force against protesters", lethal), ("Violent demonstration", riot),
                            ("Protest with intervention", stopped)):
        if evidence:
            return _finding(value, [first, evidence[0]], 0.75)
    return _finding("Peaceful protest", protests, 0.9 if len(protests) > 1 else 0.75)


def _about(report: Report, hit: Hit[str], contexts: list[Hit[str]]) -> bool:
    """Whether a word follows, in its sentence, a word saying what a protest was about."""
    return any(c.span.end <= hit.span.start and _same_sentence(report, c.span, hit.span) for c in contexts)


def _crowd(cues: dict[str, list[Hit[str]]], attacks: list[Hit[str]]) -> Finding[str] | None:
    if cues.get("Violent demonstration"):
        # Rioters with no demonstration: a crowd's violence.
        return _finding("Mob violence", cues["Violent demonstration"], 0.6)
    if cues.get("Mob violence"):
        return _finding("Mob violence", cues["Mob violence"], 0.75)
    violence = attacks + cues.get("@burn", []) + cues.get("@riot", [])
    if cues.get("@crowd") and violence:
        return _finding("Mob violence", [cues["@crowd"][0], violence[0]], 0.6)
    return None


_ACTS_OF_CROWDS = frozenset((
    "beat", "beaten", "beat up", "beating", "attacked", "attack", "attacking", "lynched", "lynch", "killed",
    "assaulted", "assault", "stabbed", "set fire", "clashed", "clash", "clashes", "torched", "burned", "burnt",
    "hacked", "chased", "stoned", "thrashed", "fought"))


def _mob(report: Report, cues: dict[str, list[Hit[str]]], events: list[Hit[str]], attacks: list[Hit[str]]
         ) -> Finding[str] | None:
    """People who are no armed group (residents, a group of youths,
    supporters) attacking or fighting, where no armed side is named: mob
    violence ("residents beat up a man", "a clash between two groups of villagers")."""
    people = cues.get("@people", [])
    # A body found is what an act left, not an act of the people who found it.
    bodies = lexicons.death_words().values
    violence = [h for h in attacks + cues.get("Armed clash", []) + cues.get("@burn", []) + cues.get("@riot", [])
                if (not h.term.isascii() or h.term in _ACTS_OF_CROWDS) and bodies.get(h.term) != "body"]
    if not people or not violence or any(_explosive(h.value) for h in events):
        return None
    first = min(violence, key=lambda h: h.span.start)
    # An armed side named before the violence did it; one named after it is whom the crowd beat
    # ("أقدم عدد من الأهالي على ضرب عنصر من الشرطة").
    if any(h.span.start < first.span.start for h in cues.get("@armed", [])) or any(
            inter not in ("Civilians", "Protesters") and hit.span.start < first.span.start
            for hit in report.find(lexicons.actors()) for _, inter in (hit.value,)):
        return None
    # Who did it is written before the verb in English, after it in Arabic ("اعتدى عدد من الأهالي").
    # An Arabic subject before its verb stands right before it ("الأهالي اعتدوا"); people further
    # before did something else ("عثر الأهالي على جثة شاب مقتولاً": they found him).
    doers = [p for p in people if _same_sentence(report, p.span, first.span) and (
        first.value == "Armed clash"
        or (0 <= first.span.start - p.span.end <= _SUBJECT_GAP or _after_auxiliary(report, p.span)
            if not first.term.isascii() else p.span.end <= first.span.start)
        or not first.term.isascii() and 0 <= p.span.start - first.span.end <= 20)]
    return _finding("Mob violence", [doers[0], first], 0.6) if doers else None


# "قام أهالي قرية بطرد دورية": the subject of قام / أقدم did the act its verbal noun names.
_AUXILIARY = re.compile(r"(?<!\w)[وف]?(?:قام|قامت|قاموا|أقدم|أقدمت|أقدموا|اقدم|اقدمت|اقدموا) $")


def _after_auxiliary(report: Report, span: Span) -> bool:
    start = span.start - report.base
    return bool(_AUXILIARY.search(report.raw, max(0, start - 10), start))


def _territory(cues: dict[str, list[Hit[str]]], events: list[Hit[str]], attacks: list[Hit[str]]
               ) -> Finding[str] | None:
    # An attempt to take a place ("حاولت التقدم", "attempted to take control") took nothing.
    takes = [t for t in cues.get("@take", []) if not any(
        0 <= t.span.start - a.span.end <= _ATTEMPT_GAP for a in cues.get("@attempt", []))]
    if not takes:
        return None
    # Fighting: a clash, or attacks and killings when no bombardment accounts for them.
    bombed = any(_explosive(h.value) for h in events)
    fights = cues.get("Armed clash", []) + ([] if bombed else attacks)
    if fights and not cues.get("@peaceful"):
        return _finding("Non-state actor overtakes territory", [takes[0], fights[0]], 0.6)
    if cues.get("@peaceful") or cues.get("Non-violent transfer of territory"):
        return _finding("Non-violent transfer of territory", [takes[0]], 0.6)
    return None
