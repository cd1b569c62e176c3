"""Tell the work in a Dutch vacancy or typering from everything around it.

A vacancy text from an ATS is mostly not work: organisation blurb, salary and benefits, the
recruitment pitch, the application procedure, page metadata. An SBB typering mixes the work with where
it is done ("werkt in een winkel binnen het mkb") and who does it ("is flexibel, commercieel"). Only
work is a skill an mbo programme has to cover, so every sentence gets a kind:

- ``work``: a task or a skill ("verzorgt de post", "kennis van HACCP");
- ``trait``: a quality of the person ("is stressbestendig", "heeft doorzettingsvermogen");
- ``context``: where, for whom or with whom ("werkt in een winkel", "werkt onder leiding van");
- ``requirement``: diploma, experience, licence, VOG, availability, language;
- ``offer``: salary, hours, contract, benefits;
- ``apply``: how to apply, contact, dates of the procedure;
- ``other``: pitch, questions to the reader, interview narrative, diversity statements, metadata.

Rule-based and deterministic. A heading is recognised by its form (a short line of its own, no
sentence-final period) and names the section that gives the sentences under it a default; cues in
the sentence itself decide where they are strong. Everything here is general Dutch vacancy language,
not lists tuned to particular texts.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal

__all__ = [
    "KINDS",
    "Kind",
    "Section",
    "classify_sentence",
    "clause_person_kind",
    "heading_section",
    "is_skill_text",
    "looks_like_heading",
]

Kind = Literal["work", "trait", "context", "requirement", "offer", "apply", "other"]
KINDS: tuple[Kind, ...] = ("work", "trait", "context", "requirement", "offer", "apply", "other")
# The section a heading opens; "profile" mixes skills with traits and requirements; "intro" is the text
# before the first heading of a text that has headings (the organisation presenting itself).
Section = Literal["work", "profile", "offer", "context", "apply", "other", "intro"]

MAX_HEADING_WORDS = 8
_MAX_HEADING_CHARS = 120

# --- headings -------------------------------------------------------------------------------------

_MARKDOWN_HEADING = re.compile(r"^\s*#{1,6}\s+(.+?)\s*#*\s*$")
_BOLD_LINE = re.compile(r"^\s*(?:\*\*|__)(.+?)(?:\*\*|__)\s*:?\s*$")
_HEADING_END = re.compile(r"[.!;,]\s*$")
_WORDS = re.compile(r"[^\W\d_][\w'’-]*")


def _section_patterns() -> list[tuple[Section, re.Pattern[str]]]:
    def p(*alternatives: str) -> re.Pattern[str]:
        return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b", re.IGNORECASE)

    return [
        ("other", p(r"diversiteit", r"inclusie", r"inclusiviteit", r"gelijke kansen")),
        (
            "apply",
            p(
                r"sollicit\w*", r"interesse", r"ge[iï]nteresseerd", r"\w*procedure", r"contact\w*",
                r"meer informatie", r"meer weten", r"^(?:nog |heb je )?vragen", r"reageren", r"aanmelden", r"enthousiast geworden",
                r"herken je (?:jezelf|dit)", r"spreekt (?:dit|deze) .*aan", r"zin in", r"hoe verder",
            ),
        ),
        (
            "offer",
            p(
                r"wat (?:bieden|bied) (?:wij|we)", r"(?:wij|we) bieden", r"wat (?:wij|we) bieden", r"bieden (?:wij|we)",
                r"wat krijg (?:je|jij)", r"wat (?:staat|krijg je) (?:er )?tegenover", r"arbeidsvoorwaarden",
                r"(?:ons|het) aanbod", r"salaris\w*", r"beloning", r"wat heb je van ons", r"voordelen",
                r"wat mag je (?:van ons )?verwachten", r"extra'?s", r"wat levert", r"jouw voordelen",
            ),
        ),
        (
            "profile",
            p(
                r"wat (?:vragen|vraag) (?:wij|we)", r"wat (?:wij|we) vragen", r"(?:wij|we) vragen",
                r"wie (?:ben|bent) (?:jij|je|u)", r"wie zoeken (?:wij|we)", r"wat zoeken (?:wij|we)",
                r"wie (?:wij|we) zoeken", r"functie-?eisen", r"eisen", r"vereisten", r"\w*profiel",
                r"wat (?:breng|neem) (?:je|jij) mee", r"wat heb je nodig", r"wat moet je kunnen",
                r"competenties", r"kwalificaties", r"(?:jij|je) bent", r"(?:jij|je) hebt", r"ben (?:jij|je)",
                r"ideale kandidaat", r"de kandidaat", r"wat verwachten (?:wij|we)", r"kennis en (?:ervaring|vaardigheden)",
                r"vaardigheden", r"ervaring", r"opleiding", r"wat neem je mee",
            ),
        ),
        (
            "work",
            p(
                r"wat (?:ga|doe|ga je|doe je) (?:je|jij|ga doen)?\s*doen", r"wat ga (?:je|jij) doen",
                r"wat (?:je|jij) gaat doen", r"wat doe (?:je|jij)", r"(?:jouw|je|de|over de) functie",
                r"functieomschrijving", r"functie-?inhoud", r"functie", r"(?:jouw |je |de )?taken", r"takenpakket",
                r"werkzaamheden", r"wat houdt de (?:functie|baan) in", r"over de (?:baan|rol|job)",
                r"(?:jouw|je|de) rol", r"(?:jouw|je|een) werkdag", r"een dag (?:als|bij|uit)",
                r"verantwoordelijkheden", r"de baan", r"de job", r"wat je doet", r"resultaten",
            ),
        ),
        (
            "context",
            p(
                r"over (?:ons|\w+)", r"wie (?:zijn|zijn we|zijn wij) (?:wij|we)?", r"wie zijn wij", r"wie zijn we",
                r"(?:de |onze |over de )?organisatie", r"(?:het |ons |over het )?bedrijf", r"(?:het |ons |jouw |je )?team",
                r"(?:de |onze )?afdeling", r"waar (?:ga|kom) (?:je|jij) (?:te )?werken", r"(?:jouw |je |de )?werkplek",
                r"werkomgeving", r"locatie", r"plaats in de organisatie", r"onze missie", r"missie", r"visie",
                r"werken bij \w+", r"wie we zijn", r"de school", r"de winkel", r"het restaurant",
            ),
        ),
    ]  # fmt: skip


_SECTIONS = _section_patterns()
_WORK_OVER = re.compile(r"^over de (?:functie|baan|rol|job|werkzaamheden)\b", re.IGNORECASE)


def _heading_text(line: str) -> str:
    line = line.strip()
    for pattern in (_MARKDOWN_HEADING, _BOLD_LINE):
        match = pattern.match(line)
        if match is not None:
            line = match.group(1)
    return line.strip().strip("*_#").strip()


@lru_cache(maxsize=256)
def heading_section(line: str) -> Section | None:
    """The section a heading names ("Wat bieden wij?" -> "offer"), or None for one it does not name."""
    text = _heading_text(line).rstrip(":?! ").casefold()
    if not text:
        return None
    if _WORK_OVER.match(text):
        return "work"
    for section, pattern in _SECTIONS:
        if pattern.search(text):
            return section
    return None


def _is_markdown_heading(line: str) -> bool:
    return bool(_MARKDOWN_HEADING.match(line) or _BOLD_LINE.match(line))


def looks_like_heading(line: str, *, before: str | None, after: str | None) -> bool:
    """Whether a line (no bullet) is a heading by its FORM, given the lines around it (None: none).

    A heading is a short line of its own: few words, no sentence-final period. One that ends with ":"
    or "?", is marked up (markdown "#", a bold line) or names a known section is a heading wherever it
    stands; any other short line only when it stands apart, with a blank line or the start before it
    and a blank line, a bullet or a longer paragraph after it (so a list of short lines without bullets,
    "Post sorteren / Bezoekers ontvangen", stays a list of tasks). A paragraph of several sentences is
    never a heading, whatever it ends with.
    """
    stripped = line.strip()
    if not stripped:
        return False
    if stripped[0] in "#*_" and _is_markdown_heading(stripped):
        return True
    if len(stripped) > _MAX_HEADING_CHARS:
        return False
    text = _heading_text(stripped)
    words = _WORDS.findall(text)
    if not words or len(words) > MAX_HEADING_WORDS or _HEADING_END.search(text):
        return False
    if re.search(r"[.!?;]\s+\S", text):
        return False  # more than one sentence
    if text.endswith((":", "?")):
        return True
    if heading_section(text) is not None and len(words) <= 5:
        return True
    alone_before = before is None or not before.strip()
    if not alone_before or after is None:
        return False
    after = after.strip()
    if not after:
        return True
    if re.match(r"^\s*(?:[-–—•*·▪●○◦►✓>]+|\d{1,2}[.)])\s+", after):
        return True
    return len(_WORDS.findall(after)) >= 2 * len(words) + 4 and after.rstrip()[-1:] in ".!?:"


# --- is_skill_text --------------------------------------------------------------------------------

_MONTHS = (
    r"(?:januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december"
    r"|jan|feb|mrt|apr|jun|jul|aug|sep|sept|okt|nov|dec"
    r"|january|february|march|june|july|october)\.?"
)
_DATE = re.compile(
    rf"\d{{1,2}}\s+{_MONTHS}(?:\s+\d{{2,4}})?(?!\w)|\d{{4}}-\d{{1,2}}-\d{{1,2}}(?!\w)|\d{{1,2}}[-/.]\d{{1,2}}[-/.]\d{{2,4}}(?!\w)",
    re.IGNORECASE,
)
_MONTH_YEAR = re.compile(rf"\b{_MONTHS}\s+\d{{4}}\b", re.IGNORECASE)
_URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+\.(?:nl|com|be|org|eu|net|io)(?:/\S*)?\b", re.IGNORECASE)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b")
_PHONE = re.compile(
    r"(?:\+|00)\d{2}[\s-]?\(?0?\)?[\d\s-]{8,}|\b0\d{1,3}[\s-]?\d{3}[\s-]?\d{2,4}(?:[\s-]?\d{2})?\b"
)
_POSTCODE = re.compile(r"\b\d{4}\s?[A-Z]{2}\b")
_STREET = re.compile(
    r"\b[A-Z][\w'-]*(?:straat|weg|plein|laan|singel|gracht|kade|dijk|park|hof|steeg|dreef|markt|pad)"
    r"\s+\d+[a-zA-Z]?\b"
)
_AMOUNT = re.compile(r"[€$]\s?[\d.,]+(?:\s?[-–]\s?[€$]?\s?[\d.,]+)?|\b\d[\d.,]*\b")
# fmt: off
_METADATA_WORDS = (
    r"posted", r"posted date", r"posted on", r"date posted", r"geplaatst", r"geplaatst op", r"gepubliceerd",
    r"gepubliceerd op", r"publicatiedatum", r"plaatsingsdatum", r"sluitingsdatum", r"reageren kan tot",
    r"vacature-?(?:nummer|code|id|nr)", r"referentie(?:nummer|nr)", r"job\s*id", r"deel (?:deze|de) vacature", r"deel (?:dit|het) bericht", r"deel deze pagina",
    r"share (?:on|this)", r"bekijk (?:alle|meer|onze) vacatures",
    r"terug naar (?:vacatures|overzicht|het overzicht)", r"lees meer", r"print (?:deze )?vacature",
    r"vacature opslaan", r"sla op", r"cookies?", r"privacy\s*(?:beleid|statement|verklaring)", r"inloggen",
    r"log in", r"\d+\s+(?:dag|dagen|week|weken|maand|maanden|jaar|jaren|uur|uren|minuten)\s+geleden",
)
# fmt: on
# Words that carry no skill of their own: articles, pronouns, prepositions, conjunctions, adverbs,
# auxiliaries and units. "Mensenwerk dus" has one content word: a fragment, not a skill.
# fmt: off
_FUNCTION_WORDS = frozenset({
    "de", "het", "een", "'t", "der", "den", "des", "en", "of", "maar", "want", "dus", "toch", "ook", "nog",
    "wel", "niet", "geen", "al", "alle", "alles", "ja", "nee", "ok", "oke", "je", "jij", "u", "hij", "zij",
    "ze", "wij", "we", "ik", "mij", "me", "jou", "jouw", "uw", "zijn", "haar", "hun", "hen", "ons", "onze",
    "mijn", "die", "dat", "dit", "deze", "wat", "wie", "welke", "waar", "hoe", "er", "hier", "daar", "in",
    "op", "aan", "bij", "met", "van", "voor", "naar", "om", "tot", "uit", "door", "over", "onder", "tussen",
    "tegen", "binnen", "buiten", "na", "per", "zonder", "als", "dan", "zo", "te", "heel", "erg", "zeer",
    "veel", "meer", "minder", "meest", "vooral", "echt", "even", "weer", "is", "ben", "bent", "was", "waren",
    "wordt", "worden", "word", "werd", "heb", "hebt", "heeft", "had", "hadden", "kan", "kun", "kunt", "kon",
    "mag", "moet", "moeten", "zal", "zult", "zullen", "wil", "wilt", "wilde", "uur", "uren", "stuks", "euro",
    "pm", "p.m.", "nr", "etc", "enz", "o.a.", "bijv", "ca", "the", "a", "an", "and", "to", "for", "on", "with",
    "at", "by", "from", "are", "you", "your", "our",
})
# fmt: on
MIN_CONTENT_WORDS = 2


def _content_words(text: str) -> list[str]:
    return [
        w for w in _WORDS.findall(text) if w.casefold().strip("'’-") not in _FUNCTION_WORDS and len(w) >= 2
    ]


@lru_cache(maxsize=1024)
def is_skill_text(text: str) -> bool:
    """Whether a text can be a skill at all.

    False for a date ("20 april 2023", "2023-02-20"), a number or an amount, an address or a postcode, a
    URL, an e-mail address, a telephone number, page metadata ("Posted Date …", "Geplaatst 1 jaar
    geleden", "Vacaturenummer 9557", "Deel deze vacature") and a fragment of fewer than two content
    words ("Mensenwerk dus", "Flexibel"): none of these is something a programme can cover.
    """
    text = " ".join(text.split())
    if not text:
        return False
    lowered = _probe(text)[0]
    if ("@" in text and _EMAIL.search(text)) or (any(t in lowered for t in _URL_HINTS) and _URL.search(text)):
        return False
    if _METADATA.search(text):
        return False
    if not _DIGIT.search(text):  # the words of the text, as its probe already has them
        content = (w for w in _probe(text)[2] if len(w) > 1 and w[0].isalpha() and w not in _FUNCTION_WORDS)
        return next(content, None) is not None and next(content, None) is not None
    if _POSTCODE.search(text) or _STREET.search(text):
        return False
    rest = _MONTH_YEAR.sub(" ", _DATE.sub(" ", text))
    if _PHONE.search(rest):
        return False
    return len(_content_words(_AMOUNT.sub(" ", rest))) >= MIN_CONTENT_WORDS


_DIGIT = re.compile(r"\d")
_URL_HINTS = ("www", "://", ".nl", ".com", ".be", ".org", ".eu", ".net", ".io")


# --- sentence cues --------------------------------------------------------------------------------


_TOKEN = re.compile(r"\w+")
_MIN_PREFIX = 3


@lru_cache(maxsize=256)
def _probe(text: str) -> tuple[str, frozenset[str], frozenset[str]]:
    """A text lower-cased, the first three letters of each of its words (a cue can only match where a
    word starts with the first letters of one of its alternatives), and its words."""
    lowered = text.casefold().replace("’", "'").replace("‘", "'")
    words = frozenset(_TOKEN.findall(lowered))
    return lowered, frozenset(w[:_MIN_PREFIX] for w in words), words


_LEADING_GROUP = re.compile(r"^\(\?:([a-zà-ÿ' |]+)\)(\?)?(?![*+{])")
_LITERAL_RUN = re.compile(r"[a-zà-ÿ€' ]+")


def _expanded(alternative: str) -> list[str]:
    """ "(?:wij|we) zoeken" -> "wij zoeken", "we zoeken"; "(?:salaris)?schaal" -> "salarisschaal", "schaal"."""
    match = _LEADING_GROUP.match(alternative)
    if match is None:
        return [alternative]
    options = match.group(1).split("|")
    if match.group(2):
        options.append("")
    tail = alternative[match.end() :]
    return [f"{option}{tail}" for option in options if f"{option}{tail}"]


def _required_literal(alternative: str) -> str:
    """A piece of plain text every match of the alternative contains ("" when there is none)."""
    best = ""
    depth = 0
    index = 0
    while index < len(alternative):
        char = alternative[index]
        if char == "\\":
            index += 2
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "[":
            index = alternative.index("]", index)
        elif depth == 0:
            run = _LITERAL_RUN.match(alternative, index)
            if run is not None:
                text = run.group()
                if alternative[run.end() : run.end() + 1] in ("?", "*", "{"):
                    text = text[:-1]
                if len(text.strip()) > len(best):
                    best = text.strip()
                index = run.end()
                continue
        index += 1
    return best


class _Cue:
    """Any of a list of lower-case alternatives, as whole words (a part of a compound with a hyphen counts).

    Fast, as each sentence is searched for a dozen cues of some fifty alternatives each: an alternative
    that starts with a plain word is only tried when a word of the text starts with the same (up to)
    three letters, any other only when the text contains its longest piece of plain text."""

    __slots__ = ("_by_prefix", "_prefixes", "_rest")

    def __init__(self, *alternatives: str) -> None:
        by_prefix: dict[str, list[str]] = {}
        rest: list[tuple[str, re.Pattern[str]]] = []
        for alternative in (e for a in alternatives for e in _expanded(a)):
            literal = re.match(r"[a-zà-ÿ]+", alternative)
            run = literal.group() if literal is not None else ""
            after = alternative[len(run) : len(run) + 1]
            if run and (len(run) >= _MIN_PREFIX + int(after in ("?", "*", "{")) or after in (" ", "")):
                by_prefix.setdefault(run[:_MIN_PREFIX], []).append(alternative)
            else:
                rest.append((_required_literal(alternative), _whole_words([alternative])))
        # A literal start lets the regex engine skip to where the prefix occurs: 20 times faster than a
        # pattern that starts with the look-behind; the left word boundary is checked by hand.
        self._by_prefix = {
            prefix: re.compile(
                re.escape(prefix) + "(?:" + "|".join(a[len(prefix) :] for a in alts) + r")(?!\w)"
            )
            for prefix, alts in by_prefix.items()
        }
        self._prefixes = frozenset(self._by_prefix)
        self._rest = tuple(rest)

    def search(self, text: str) -> bool:
        lowered, prefixes, _ = _probe(text)
        for prefix in self._prefixes & prefixes:
            pattern = self._by_prefix[prefix]
            match = pattern.search(lowered)
            while match is not None:
                start = match.start()
                if start == 0 or not _WORD_CHAR.match(lowered, start - 1):
                    return True
                match = pattern.search(lowered, start + 1)
        return any(literal in lowered and pattern.search(lowered) for literal, pattern in self._rest)


_WORD_CHAR = re.compile(r"\w")


def _whole_words(alternatives: list[str]) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")


def _cue(*alternatives: str) -> _Cue:
    return _Cue(*alternatives)


_METADATA = _cue(*_METADATA_WORDS)
# fmt: off
_DIVERSITY = _cue(
    r"diversiteit", r"divers(?:e)? (?:team|organisatie|samenstelling)", r"inclusie", r"inclusieve?",
    r"inclusiviteit", r"inclusieve?(?: werkgever| organisatie| werkomgeving| cultuur)", r"gelijke kansen",
    r"ongeacht", r"(?:arbeids|functie)beperking", r"banenafspraak", r"iedereen is welkom", r"discriminatie",
)
# fmt: on
# fmt: off
_APPLY = _cue(
    r"sollicit\w*", r"reageer", r"reageren",
    r"stuur (?:dan )?(?:je|jouw|uw) (?:cv|brief|motivatie\w*|sollicitatie\w*|reactie)", r"cv",
    r"curriculum vitae", r"motivatiebrief", r"(?:cv|motivatie) (?:en|&) (?:cv|motivatie)",
    r"neem (?:dan )?(?:gerust )?contact op", r"contact (?:op)?nemen", r"contactpersoon",
    r"bel (?:dan |gerust )?(?:met|naar)", r"bellen (?:met|naar)", r"bel ons",
    r"mail (?:dan |gerust )?(?:naar|je)", r"e-?mailadres", r"telefoonnummer",
    r"vragen over (?:de|deze) (?:vacature|functie|baan)",
    r"(?:meer|aanvullende) informatie (?:over|kun|kan|vind|bij)",
    r"(?:kennismakings|sollicitatie|selectie)?gesprekk?e?n? (?:vinden|vindt) plaats", r"eerste gesprek\w*",
    r"tweede gesprek\w*", r"kennismakingsgesprek\w*", r"assessment", r"referentie(?:check|s)",
    r"(?:sollicitatie|selectie)procedure", r"de procedure", r"deze procedure", r"acquisitie", r"aanmelden",
    r"uiterlijk", r"sluitingsdatum", r"klik op", r"via (?:de|onze) (?:web)?site", r"recruiter",
    r"vog (?:aan(?:vragen|gevraagd)|wordt|maakt|is onderdeel)", r"aanvraag (?:van )?(?:een|de) vog",
    r"onderdeel van de (?:procedure|selectie)", r"maakt deel uit van de", r"we (?:nemen|horen)",
    r"(?:wij|we) ontvangen (?:graag )?je", r"binnen \d+ (?:werk)?dagen",
)
# fmt: on
# fmt: off
_OFFER = _cue(
    r"€", r"bruto", r"netto", r"salaris\w*", r"maandsalaris", r"uurloon", r"loon", r"inschaling",
    r"(?:salaris)?schaal \d+\w*", r"fwg ?\d*", r"cao\w*", r"pensioen\w*", r"reiskosten\w*", r"vakantiegeld",
    r"vakantietoeslag", r"eindejaarsuitkering", r"(?:13e|dertiende) maand", r"vakantiedagen", r"verlofdagen",
    r"vakantie-?uren", r"(?:arbeids|jaar|tijdelijk|vast|oproep|nuluren|min-max)?contract",
    r"(?:tijdelijk |vast )?dienstverband", r"(?:vaste |tijdelijke )?aanstelling", r"opleidingsbudget",
    r"(?:opleidings|ontwikkel|ontplooiings|door)?groeimogelijkheden", r"opleidingsmogelijkheden",
    r"ontwikkelmogelijkheden", r"\d+\s*(?:[-–]|tot|à|a)\s*\d+\s*uur", r"\d+\s*(?:uur|uren) per week", r"fte",
    r"parttime", r"fulltime", r"deeltijd", r"voltijd", r"personeelskorting", r"korting op", r"leaseauto",
    r"auto van de zaak", r"laptop", r"telefoon van de zaak", r"thuiswerk\w*", r"hybride werken",
    r"flexibele werktijden", r"werktijden", r"secundaire", r"arbeidsvoorwaarden", r"vergoeding",
    r"onkostenvergoeding", r"bonus", r"fietsplan", r"sportabonnement", r"bedrijfsfitness",
    r"(?:individueel )?keuzebudget", r"ikb", r"inwerkprogramma", r"inwerkperiode", r"ingewerkt", r"loop (?:je|jij) (?:eerst )?mee", r"meelopen", r"wij bieden", r"we bieden",
    r"bieden (?:wij|we) (?:je|jou)", r"kun je rekenen op", r"mag je rekenen op", r"rekenen op",
    r"vrijdagmiddagborrel", r"personeelsuitje\w*", r"bedrijfsuitje\w*", r"per direct", r"startdatum",
    r"ingangsdatum", r"met uitzicht op", r"in vaste dienst", r"bij goed functioneren",
    r"(?:vast|flexibel|eigen) rooster",
    r"(?:mogelijkheid|mogelijkheden|kans|kansen) (?:tot|om|voor) (?:\w+ ){0,2}(?:door)?(?:groei|ontwikkel|leren|opleiding|scholing)\w*",
)
# fmt: on
# fmt: off
_REQUIREMENT = _cue(
    r"\w*diploma\w*", r"mbo[- ]?\d", r"mbo[- ]niveau(?: \d)?", r"mbo-(?:opleiding|diploma|niveau)",
    r"hbo-?\w*", r"(?:mbo|hbo)[- ]werk- en denkniveau", r"vmbo", r"havo", r"vwo", r"niveau [1-4]",
    r"(?:werk- en )?denkniveau", r"afgeronde \w*\s?opleiding",
    r"opleiding (?:tot|als|in de richting|richting)", r"in het bezit van", r"rijbewijs \w*", r"rijbewijs",
    r"vog", r"verklaring omtrent (?:het )?gedrag", r"certifica\w*", r"bhv", r"vca\w*", r"svh", r"werkervaring",
    r"(?:\d+|enkele|ruime|aantoonbare|relevante) (?:jaar |jaren )?(?:werk)?ervaring",
    r"ervaring (?:in|met|als|binnen|op|bij)", r"ervaring is", r"is een pré", r"is een pre", r"pré", r"pre",
    r"pluspunt", r"vereist", r"vereisten", r"noodzakelijk", r"beschikbaarheid",
    r"(?:ben|bent|is|zijn) (?:\w+ ){0,6}beschikbaar", r"beschikbaar (?:op|in|voor|bent)",
    r"bereid (?:om|bent|te|in)", r"woon(?:t|achtig) in", r"in de (?:regio|omgeving) (?:van|woont)",
    r"nederlandse taal", r"engelse taal", r"in woord en geschrift",
    r"spreekt (?:en schrijft )?(?:vloeiend |goed )?(?:nederlands|engels|duits)", r"minimaal \d+ jaar(?: oud)?",
    r"\d+ jaar of ouder", r"minimumleeftijd", r"(?:bbl|bol)[- ]?(?:opleiding|traject)?",
    r"volgt (?:een|de) opleiding", r"startkwalificatie", r"kwalificatie als", r"bevoegdheid",
    r"registratie (?:in|bij) (?:het )?(?:big|skj)", r"big-?registratie", r"skj",
    r"fysiek (?:sterk|fit|belastend)", r"(?:avond|nacht|weekend|onregelmatige)[- ]?(?:en [\w-]+ )?diensten",
    r"in een rooster",
)
# fmt: on
# fmt: off
_PITCH = _cue(
    r"(?:wij|we) zoeken", r"zoeken (?:wij|we)", r"(?:wij|we) zijn (?:per direct |dringend )?op zoek",
    r"zijn (?:wij|we) (?:per direct |dringend )?op zoek",
    r"op zoek naar (?:een|jou|iemand|collega|nieuwe|versterking)",
    r"ben (?:jij|je) (?:de|onze|die|degene|toe aan)", r"herken (?:jij|je) (?:jezelf|je)",
    r"spreekt (?:dit|deze|het) \w* ?aan", r"klinkt (?:dit|dat|het)", r"lijkt (?:het|dit) (?:je|jou)",
    r"dan (?:zoeken|willen|hebben|horen|maken) (?:wij|we)", r"dan (?:ben|bent|is) (?:jij|je|dit)",
    r"kom (?:werken|bij|ons|dan)", r"word (?:jij|je|onze)", r"maak (?:jij )?het verschil",
    r"geen dag is (?:\w+ )?(?:hetzelfde|gelijk)",
    r"(?:perfecte|ideale|mooie) (?:combinatie|kans|gelegenheid|plek)",
    r"(?:dan )?past (?:\w+ ){0,6}(?:bij (?:jou|je)|perfect)", r"(?:worden|wordt) (?:\w+ ){0,2}gewaardeerd",
    r"(?:tijdelijke )?(?:ondersteuning/)?versterking", r"had", r"hadden", r"kwam", r"kwamen", r"ging",
    r"gingen", r"deed", r"deden", r"begon", r"begonnen", r"werkte", r"werkten", r"durfde",
    r"(?:jouw|je) (?:droom)?baan", r"de ideale baan", r"aan de slag (?:bij|als)", r"wat wil je nog meer",
    r"(?:wij|we) maken (?:graag )?kennis", r"versterk (?:ons|onze|jij)", r"vacature",
    r"(?:wij|we) (?:horen|ontvangen) graag", r"ik", r"mijn", r"mij", r"me", r"geweldig\w*", r"fantastisch\w*",
    r"jouw kans", r"kans om", r"uitdagende (?:baan|functie|rol)",
    r"(?:leuke|mooie|afwisselende|uitdagende|veelzijdige|dynamische|boeiende|fijne|zinvolle) (?:baan|functie|job|rol|werkplek|uitdaging)",
    r"dat is (?:precies )?wat", r"gezocht", r"zoekt (?:een|jou|iemand|nieuwe|versterking)",
    r"(?:zegt|vertelt|aldus) (?:\w+ ){0,4}\w+", r"zo(?:'n)? (?:gaaf|mooi|leuk)",
)
# fmt: on
# fmt: off
_ORGANISATION = _cue(
    r"(?:wij|we) (?:zijn|hebben|staan|werken|geloven|willen|vinden|maken|helpen|bouwen|verzorgen|leveren|zorgen|ontwikkelen|bestaan|groeien|beheren|exploiteren|bedienen|tellen)",
    r"(?:ons|onze) \w+", r"bij ons", r"(?:wij|we) \w+", r"\w+ wij(?= |$)", r"\w+ we(?= |$)",
    r"(?:het|ons|jouw|je|dit|deze) team (?:\w+ ){0,3}(?:bestaat|telt|is|werkt|zorgt|draagt|heeft)",
    r"(?:deze|onze) organisatie", r"ons bedrijf", r"familiebedrijf", r"opgericht", r"sinds (?:19|20)\d\d",
    r"vestigingen", r"\d+ locaties", r"\d+ vestigingen", r"\d+ medewerkers", r"\d+ collega's", r"\d+ winkels",
    r"marktleider", r"missie", r"visie", r"kernwaarden", r"het team bestaat",
    r"(?:je|jouw) (?:nieuwe )?collega'?s", r"team van (?:\d+|ongeveer|ruim|zo'n)",
    r"(?:je|jij) komt (?:te werken )?(?:in|bij|op|terecht)", r"(?:je|jij) wordt (?:onderdeel|lid|deel)",
    r"onderdeel van",
    r"is een (?:\w+ ){0,3}(?:organisatie|bedrijf|stichting|instelling|school|winkel|restaurant|hotel|keten|werkgever|onderneming|zorgaanbieder|kinderopvangorganisatie)",
)
# fmt: on

# Context: where, for whom, with whom (the clause, after the subject).
_CONTEXT_CLAUSE = re.compile(
    r"^(?:(?:kan|kun|kunt|zal|mag)\s+(?:\w+\s+){0,3}?)?(?:"
    r"(?:werkt|werk|werken|werkend|komt te werken)\s+(?:(?:veelal|vaak|meestal|voornamelijk|vooral|ook|"
    r"zowel|soms|doorgaans|hoofdzakelijk|dan|daarbij)\s+)*(?:in|bij|binnen|op|vanuit|voor|onder|samen|"
    r"nauw|achter|solistisch|in\s+opdracht)\b"
    r"|(?:is|ben|bent|zijn)\s+(?:\w+\s+){0,2}werkzaam\b|(?:\w+\s+){0,3}werkzaam\s+(?:zijn|in|bij|binnen|voor)\b"
    r"|(?:is|ben|bent)\s+in\s+dienst\b|(?:heeft|hebt|krijgt|krijg)\s+(?:\w+\s+)?te\s+maken\s+met\b"
    r"|(?:\w+\s+){0,2}te\s+maken\s+(?:krijgen|hebben)\s+met\b|krijgt\s+(?:\w+\s+)?(?:werk)?opdrachten\s+van\b"
    r"|samenwerkt\b|(?:heeft|hebt|vervult)\s+(?:\w+\s+){0,2}(?:een|de)\s+(?:\w+\s+){0,3}(?:rol|functie|positie|baan)$"
    r"|(?:heeft|hebt)\s+(?:\w+\s+){0,2}(?:een|de)\s+(?:\w+\s+){0,3}(?:rol|functie|positie|baan)\s*(?:en|binnen|in|,|$)"
    r"|is\s+(?:\w+\s+){0,2}(?:eind)?verantwoordelijk$|draagt\s+(?:geen\s+)?eindverantwoordelijkheid"
    r"|(?:bevindt|bevind)\s+(?:zich|je)\b|(?:is|ben|bent)\s+(?:breed\s+)?inzetbaar"
    r")",
    re.IGNORECASE,
)
# fmt: off
_CONTEXT_SENTENCE = _cue(
    r"(?:de )?eindverantwoordelijkheid ligt",
    r"(?:zijn|haar|je|jouw) werk(?:zaamheden)? (?:is|zijn|heeft|hebben) (?:\w+ ){0,3}(?:afhankelijk|karakter|zelfstandig|voornamelijk)",
    r"werkzaam", r"onder (?:leiding|begeleiding|supervisie|verantwoordelijkheid|toezicht) van",
    r"in opdracht van", r"in teamverband", r"in (?:een )?team",
    r"samen met (?:je |jouw |zijn |haar )?collega'?s", r"(?:de|het) werkveld", r"werkomgeving(?:en)?",
    r"in dienst van", r"(?:je|jouw|zijn|haar|de) werkplek (?:is|ligt|bevindt)",
    r"werk(?:t|en)? (?:je |jij |hij |zij |ze )?(?:\w+ ){0,2}samen met",
    r"werkt (?:hij|zij|ze) (?:\w+ ){0,4}samen",
    r"werkt (?:hij|zij|ze) (?:\w+ ){0,2}(?:in|bij|binnen|vanuit|op)",
    r"(?:kun|kan|kunt) (?:je|jij|hij|zij|ze) (?:\w+ ){0,2}werken (?:op|in|bij|binnen|vanuit)",
    r"(?:ben|bent|is) (?:je |jij |hij |zij |ze )?(?:een )?belangrijke (?:schakel|spil|rol)",
    r"onder (?:leiding|begeleiding|supervisie|toezicht)", r"eindverantwoordelijk\w*",
    r"bevindt (?:hij|zij|ze|je|jij) zich", r"heeft (?:zijn|haar|het|je|jouw) werk",
    r"(?:dit|dat) doet (?:hij|zij|ze|je) (?:\w+ )?(?:bij|in|vanuit)",
)
# fmt: on
_WORKS_WITH_SOMEONE = re.compile(r"\b(?:werkt|werk|werken)\s+(?:\w+\s+){0,3}samen\b", re.IGNORECASE)

# Traits: a quality of the person, as an adjective after "is/ben/bent", or a noun after "heeft/hebt".
# fmt: off
_TRAIT_ADJECTIVES = frozenset({
    "flexibel", "stressbestendig", "klantgericht", "klantvriendelijk", "servicegericht", "resultaatgericht",
    "oplossingsgericht", "kwaliteitsgericht", "samenwerkingsgericht", "doelgericht", "mensgericht",
    "commercieel", "zelfstandig", "zorgvuldig", "nauwkeurig", "accuraat", "secuur", "precies", "punctueel",
    "betrouwbaar", "eerlijk", "integer", "loyaal", "gemotiveerd", "enthousiast", "energiek", "positief",
    "vrolijk", "spontaan", "sociaal", "communicatief", "empathisch", "geduldig", "rustig", "kalm", "creatief",
    "kritisch", "leergierig", "nieuwsgierig", "ambitieus", "proactief", "initiatiefrijk", "ondernemend",
    "representatief", "gastvrij", "hoffelijk", "vriendelijk", "behulpzaam", "zorgzaam", "betrokken",
    "toegewijd", "collegiaal", "assertief", "daadkrachtig", "doortastend", "besluitvaardig", "inventief",
    "innovatief", "analytisch", "praktisch", "handig", "ordelijk", "netjes", "efficiënt", "snel", "alert",
    "oplettend", "open", "humorvol", "optimistisch", "planmatig", "gestructureerd", "georganiseerd",
    "cultuurbewust", "kostenbewust", "veiligheidsbewust", "milieubewust", "interpersoonlijk", "sensitief",
    "toegankelijk", "laagdrempelig", "inzetbaar", "aanspreekbaar", "standvastig", "stabiel", "evenwichtig",
    "volwassen", "hardwerkend", "gedreven", "gepassioneerd", "trots", "zakelijk", "tactvol", "diplomatiek",
    "overtuigend", "zelfverzekerd", "zelfbewust", "zelfkritisch", "reflectief", "lerend", "teamgericht",
    "dienstverlenend", "luisterend", "fit", "vitaal", "sportief", "vakkundig", "vaardig", "onderlegd",
    "capabel", "bekwaam", "stevig", "nuchter", "duidelijk", "nauwgezet", "ondersteunend", "faciliterend",
    "signalerend", "natuurlijk", "rechtvaardig", "consequent",
})
# fmt: on
_TRAIT_SUFFIXES = (
    "gericht",
    "bewust",
    "bestendig",
    "vaardig",
    "zaam",
    "willend",
    "rijk",
    "vast",
    "lievend",
    "verantwoordelijk",
)  # fmt: skip
# After the adjectives, a phrase of circumstance: "werkt zorgvuldig, ook onder tijdsdruk".
_PHRASE_BREAK = frozenset({"onder", "bij", "in", "tijdens", "als", "wanneer", "met", "naar", "op", "zonder"})
# "Je bent een echte teamspeler", "een natuurlijke leider", "een stevige begeleider die ...": a person.
_PERSON_NOUN = re.compile(
    r"^(?:\w+(?:er|aar|eur|ist|speler|mens|persoon|type|kracht)|aanspreekpunt|vraagbaak|expert|spil)$"
)
# fmt: off
_ADVERBS = frozenset({
    "zeer", "erg", "heel", "goed", "snel", "altijd", "ook", "daarnaast", "echt", "vooral", "enorm",
    "bijzonder", "van", "nature", "zowel", "als", "en", "of", "maar", "toch", "wel", "niet", "nooit", "graag",
    "uitermate", "ontzettend", "super", "extreem", "behoorlijk", "voldoende", "beide", "tevens", "bovendien",
    "verder", "immers", "daarbij", "hierbij", "bij", "uitstek", "een", "beetje", "licht", "redelijk", "sterk",
})
# fmt: on
# A noun of the person, also at the end of a compound ("doorzettingsvermogen", "verantwoordelijkheidsgevoel").
_TRAIT_NOUNS = (
    "houding",
    "instelling",
    "mentaliteit",
    "uitstraling",
    "persoonlijkheid",
    "karakter",
    "vermogen",
    "gevoel",
    "geduld",
    "humor",
    "inzicht",
    "flair",
    "drive",
    "motivatie",
    "passie",
    "enthousiasme",
    "nieuwsgierigheid",
    "energie",
    "zelfvertrouwen",
    "empathie",
    "discipline",
)  # fmt: skip
_TRAIT_NOUN_RE = re.compile(
    "(?:" + "|".join(_TRAIT_NOUNS) + r")\b"
    r"|\b(?:oog|hart|gevoel|passie|liefde|talent|neus|zin|plezier|interesse|affiniteit)\s+"
    r"(?:voor|met|in|om)\b|\bgoed\s+in\s+het\b"
)
_TRAIT_NOUN_HINTS = (*_TRAIT_NOUNS, "oog ", "hart ", "liefde", "talent", "neus ", "zin ", "plezier", "interesse",
                     "affiniteit", "goed in")  # fmt: skip


def _has_trait_noun(text: str) -> bool:
    """A noun of the person, also at the end of a compound ("doorzettingsvermogen")."""
    lowered = text.casefold()
    return any(h in lowered for h in _TRAIT_NOUN_HINTS) and bool(_TRAIT_NOUN_RE.search(lowered))


_TRAIT_CLAUSE = re.compile(
    r"^(?:(?:je|jij|u|hij|zij|ze)\s+)?(?:weet|weten)\s+(?:(?:goed|wel|echt)\s+)?van\s+aanpakken"
    r"|^(?:houdt|houd|hou|houden)\s+van\b|^(?:vindt|vind|vinden)\s+(?:het\s+)?(?:\w+\s+){0,6}"
    r"(?:leuk|belangrijk|fijn|prettig|interessant|uitdagend|mooi|boeiend)\b"
    r"|^(?:staat|sta|staan)\s+(?:open|stevig|sterk)\b|^(?:kan|kun|kunt|kunnen)\s+(?:goed\s+)?(?:snel\s+)?"
    r"(?:schakelen|improviseren|relativeren|tegen\s+een\s+stootje|omgaan\s+met\s+(?:stress|druk|tijdsdruk))"
    r"|^(?:bent|ben|is)\s+(?:een|de)\s+(?:echte\s+|ware\s+|geboren\s+)?(?:teamplayer|teamspeler|doorzetter"
    r"|aanpakker|harde\s+werker|doener|denker|regelaar|gastheer|gastvrouw|mensenmens|people\s+manager"
    r"|spin\s+in\s+het\s+web|duizendpoot|aanspreekpunt)\b"
    r"|^(?:bent|ben|is)\s+(?:zich\s+)?bewust\b|^(?:gaat|ga|gaan)\s+(?:\w+\s+){0,3}om\s+met\s+(?:zijn|haar|je)\s+"
    r"(?:gevoelens|emoties)|^(?:geeft|geef)\s+(?:\w+\s+)?(?:zijn|haar|je|jouw|eigen)\s+(?:eigen\s+)?grenzen"
    r"|^(?:treedt|treed)\s+(?:\w+\s+){0,3}(?:op|handelend)\b"
    # soft skills in the words of vacancies: "denkt mee", "luistert goed", "legt makkelijk contact"
    r"|^(?:denkt|denk)\s+(?:graag\s+|actief\s+)?mee\b|^(?:luistert|luister)\s+(?:goed|aandachtig)\b"
    r"|^(?:legt|leg|maakt|maak)\s+(?:makkelijk|gemakkelijk|snel|eenvoudig|moeiteloos)\s+contact\b"
    r"|^(?:durft|durf)\b|^(?:blijft|blijf)\s+(?:altijd\s+)?(?:rustig|kalm|positief|vriendelijk|geduldig)\b"
    r"|^(?:vraagt|vraag)\s+(?:om\s+)?hulp\b|^(?:deelt|deel)\s+(?:je|jouw|zijn|haar)\s+kennis\b"
    r"|^(?:kan|kun|kunt)\s+(?:heel\s+)?goed\s+(?:plannen|organiseren|samenwerken|communiceren|luisteren)\b"
    r"|^(?:kan|kun|kunt)\s+(?:goed\s+)?omgaan\s+met\s+(?:weerstand|kritiek|tegenslag|feedback|emoties|stress|druk)"
    r"|^(?:weet|weten)\s+(?:\w+\s+){1,3}te\s+(?:inspireren|motiveren|enthousiasmeren|overtuigen|boeien)\b"
    r"|^(?:neemt|neem)\s+(?:graag\s+)?(?:het\s+)?initiatief\b|^(?:zet|zit)\s+(?:graag\s+)?een\s+stap(?:je)?\s+extra"
    r"|^(?:ziet|zie)\s+kansen\b|^(?:is|ben|bent)\s+(?:\w+\s+)?ingesteld\s+op\b"
    r"|^(?:houdt|houd)\s+(?:zijn|haar|je|jouw)\s+(?:gevoelens|emoties)\b"
    r"|^(?:kan|kun|kunt)\s+(?:goed\s+)?samenwerken\b"
    r"|^(?:steekt|steek)\s+(?:zelf\s+)?de\s+handen\s+uit\s+de\s+mouwen",
    re.IGNORECASE,
)  # every alternative anchored: used with .match
_TRAIT_ANYWHERE = re.compile(
    r"met\s+mensen\s+(?:\w+\s+)?(?:kunt\s+|kan\s+)?om(?:gaan|gaat|\s+kunt\s+gaan)\b|schrikt\s+(?:je|jou|hem|haar)\s+niet\s+af",
    re.IGNORECASE,
)
_GRAAG = re.compile(r"\bgraag\b", re.IGNORECASE)

# A clause that names a task in a profile section: a skill, a piece of knowledge, a tool.
# fmt: off
_SKILL_CLAUSE = _cue(
    r"kennis", r"vakkennis", r"verstand van", r"bekend met", r"vaardig(?:heid|heden)?\s+(?:in|met)",
    r"ervaring\s+met\s+het\s+\w+en", r"kunt", r"kun\s+je", r"kan(?!\s+je\s+rekenen)",
    r"weet\s+(?:hoe|om\s+te|wat)", r"beheerst", r"beheers", r"vaardigheden", r"hanteren", r"bedienen",
    r"werken\s+met", r"werkt (?:met|volgens)", r"werk (?:met|volgens)", r"werken volgens",
)
# fmt: on

_SUBJECT = re.compile(
    r"^(?:(?:daarnaast|verder|tevens|bovendien|ook|en|of|maar|dus|zo|daarbij|hierbij|veelal|meestal|vaak|soms"
    r"|doorgaans|tenslotte|ten\s+slotte|kortom|natuurlijk|uiteraard)\s*,?\s+)*"
    r"(?:je|jij|u|hij|zij|ze|men|hij\s*/\s*zij|zij\s*/\s*hij|de\s+kandidaat"
    r"|(?:de|een)\s+(?:[\w/’'()-]+\s+){0,5}?(?=(?:is|ben|bent|heeft|hebt|werkt|weet|kan|kunt|zorgt|voert|"
    r"houdt|gaat|staat|vindt|beschikt|treedt|geeft|krijgt|legt|stelt|maakt|neemt|richt|biedt|heeft)\b))\s*",
    re.IGNORECASE,
)
_INVERTED_SUBJECT = re.compile(r"^(\w+)\s+(?:je|jij|u|hij|zij|ze)\b\s*", re.IGNORECASE)
_CLAUSE_SPLIT = re.compile(r"\s*,\s*(?:(?:en|of|maar)\s+)?|\s+(?:en|maar)\s+(?=(?:is|ben|bent|heeft|hebt|"
                           r"(?:je|jij|hij|zij|ze)\b|[a-zà-ÿ]+t\b))", re.IGNORECASE)  # fmt: skip
_COPULA = re.compile(r"^(?:is|ben|bent|zijn|blijft|blijf|lijkt)\s+", re.IGNORECASE)
_HAVE = re.compile(r"^(?:heeft|hebt|heb|hebben|beschikt\s+over|beschik\s+over)\s+", re.IGNORECASE)
_WORKS_MANNER = re.compile(r"^(?:werkt|werk|werken)\s+(.+)$", re.IGNORECASE)
_FIRST_PERSON_START = re.compile(r"^['‘“\"–-]", re.IGNORECASE)


@lru_cache(maxsize=1024)
def _subject_stripped(clause: str) -> str:
    clause = clause.strip(" \t'‘’“”\"-–")
    inverted = _INVERTED_SUBJECT.match(clause)
    if inverted is not None and inverted.group(1).casefold() not in {
        "als",
        "wanneer",
        "dat",
        "wat",
        "hoe",
        "of",
    }:
        return (inverted.group(1) + " " + clause[inverted.end() :]).strip()
    match = _SUBJECT.match(clause)
    return clause[match.end() :] if match is not None else clause


def _is_trait_word(word: str) -> bool:
    w = word.casefold().strip(".,;:()'’\"")
    w = re.sub(r"e$", "", w) if w.endswith("e") and w[:-1] in _TRAIT_ADJECTIVES else w
    return w in _TRAIT_ADJECTIVES or (
        len(w) > 6 and w.endswith(_TRAIT_SUFFIXES) and w not in _TRAIT_SUFFIXES and w != "gericht"
    )


def _all_traits(words: list[str]) -> bool:
    """Adjectives of the person, with adverbs and conjunctions between them, and nothing else."""
    seen = False
    for word in words:
        w = word.casefold().strip(".,;:()'’\"")
        if not w or w in _ADVERBS or w in {"en", "of", "&", "/", "maar", "ook", "deels", "zelf"}:
            continue
        if _is_trait_word(w):
            seen = True
            continue
        return seen and w in _PHRASE_BREAK
    return seen


def _is_person_description(words: list[str]) -> bool:
    """ "echte teamspeler", "stevige, betrokken begeleider die ...": adjectives and a noun for a person."""
    cut = next(
        (i for i, w in enumerate(words) if w.casefold() in {"die", "dat", "wie", "met", "voor", "in"}),
        len(words),
    )
    head = [w.casefold().strip(".,;:()'’\"") for w in words[:cut]]
    return (
        bool(head)
        and len(head) <= 5
        and bool(_PERSON_NOUN.match(head[-1]))
        and all(
            _is_trait_word(w)
            or w in _ADVERBS
            or w in {"echte", "ware", "geboren", "goede", "harde", "en"}
            or w.rstrip("e") in _TRAIT_ADJECTIVES
            for w in head[:-1]
        )
    )


_GRENZEN = re.compile(r"\b(?:zijn|haar|je|jouw|eigen)\s+(?:\w+\s+){0,2}grenzen\b", re.IGNORECASE)
_HAVE_INVERTED = re.compile(
    r"^\w+\s+(?:\w+\s+){0,2}(?:heeft|hebt|heb)\s+(?:hij|zij|ze|je|jij)\s+", re.IGNORECASE
)


@lru_cache(maxsize=1024)
def _clause_kind(clause: str) -> Kind | None:
    """trait / context for a clause that is one, None for one that names (or may name) a task."""
    rest = _subject_stripped(clause)
    if not rest:
        return None
    if _CONTEXT_CLAUSE.match(rest) or _WORKS_WITH_SOMEONE.match(rest):
        return "context"
    if _TRAIT_CLAUSE.match(rest) or _TRAIT_ANYWHERE.search(rest):
        return "trait"
    words = rest.split()
    copula = _COPULA.match(rest)
    if copula is not None:
        predicate = rest[copula.end() :].split()
        if predicate and predicate[0].casefold() in {"een", "de"} and len(predicate) > 1:
            return "trait" if _is_person_description(predicate[1:]) else None
        if _all_traits(predicate):
            return "trait"
        return None
    if "grenzen" in rest and _GRENZEN.search(rest):
        return "trait"  # "geeft haar grenzen aan", "bewaakt haar eigen grenzen"
    have = _HAVE.match(rest) or _HAVE_INVERTED.search(rest)
    if have is not None:
        obj = rest[have.end() :]
        if _SKILL_CLAUSE.search(obj) and not _has_trait_noun(obj):
            return None
        if _has_trait_noun(obj):
            return "trait"
        return None
    manner = _WORKS_MANNER.match(rest)
    if manner is not None and _all_traits(manner.group(1).split()):
        return "trait"
    if _all_traits(words):
        return "trait"  # "Flexibel en klantgericht", "Kritisch, creatief"
    if words[0].casefold() in {"wil", "wilt", "willen"} or _GRAAG.search(rest):
        return "trait"  # "Je wilt je ontwikkelen", "Je gaat graag met mensen om"
    return None


_PRONOUN_WORDS = frozenset({"je", "jij", "u", "hij", "zij", "ze", "men", "wij", "we"})


def _starts_clause(part: str) -> bool:
    """A part with a verb or a subject of its own; a list item ("voortgezet onderwijs") is not one."""
    words = part.split()
    if not words:
        return False
    if words[0].casefold() in _PRONOUN_WORDS or (len(words) > 1 and words[1].casefold() in _PRONOUN_WORDS):
        return True
    rest = _subject_stripped(part).split()
    first = rest[0].casefold().strip(",.;:") if rest else ""
    return (
        rest != words
        or first in _NOT_ACTIONS
        or first in _MODALS
        or bool(_ACTION_START.match(first) and first not in _NOT_VERBS)
    )


_MODALS = frozenset({"kan", "kun", "kunt", "wil", "wilt", "zal", "mag", "moet", "weet"})
# fmt: off
_NOT_VERBS = frozenset({
    "het", "met", "dat", "wat", "niet", "tot", "uit", "dit", "vast", "best", "licht", "recht", "post",
    "contact", "aandacht", "dienst", "markt", "toezicht", "sport", "transport", "onderwijs",
})
# fmt: on


@lru_cache(maxsize=512)
def _clauses(sentence: str) -> tuple[str, ...]:
    """Clauses at commas and "en"/"maar" before a verb; a part without a verb goes with the clause before."""
    clauses: list[str] = []
    for part in _CLAUSE_SPLIT.split(sentence):
        if not part or not part.strip():
            continue
        if clauses and not _starts_clause(part):
            clauses[-1] = f"{clauses[-1]}, {part}"
        else:
            clauses.append(part)
    return tuple(clauses) or (sentence,)


def _person_kind(sentence: str) -> Kind | None:
    """trait / context when no clause of the sentence names a task; None when one does."""
    clauses = _clauses(sentence)
    kinds = [_clause_kind(c) for c in clauses]
    if len(kinds) == 1:
        return kinds[0]
    # A clause without trait or context: a task, or only the tail of the clause before? "Hij is
    # stressbestendig en flexibel" splits into "Hij is stressbestendig" and "flexibel".
    if not all(k is not None or _all_traits(c.split()) for k, c in zip(kinds, clauses, strict=True)):
        return None
    found = [k for k in kinds if k is not None]
    if not found:
        return None
    return "trait" if "trait" in found else found[0]


def clause_person_kind(text: str) -> Kind | None:
    """The kind of a statement that is a trait or context ("is stressbestendig", "werkt in een winkel",
    "onder leiding van de teamleider"), None for one that names or may name a task."""
    text = " ".join(text.split())
    kind = _person_kind(text)
    if kind is None and _CONTEXT_SENTENCE.search(text) and not _names_task_for_you(text):
        return "context"
    return kind


def classify_sentence(sentence: str, section: Section | None = None) -> Kind:
    """The kind of one sentence, given the section its heading opened (None: no heading above it;
    "intro": before the first heading of a text that has headings, where the organisation presents
    itself)."""
    text = " ".join(sentence.split())
    if not text:
        return "other"
    if _DIVERSITY.search(text):
        return "other"
    if _APPLY.search(text):
        return "apply"
    if _METADATA.search(text) or _SEPARATORS.search(text):
        return "other"
    if section == "apply" and not _OFFER.search(text):
        return "apply"
    if section in ("offer", "context", "other"):
        if section == "offer" or not _OFFER.search(text):
            return section
        return "offer"
    if _OFFER.search(text) and not _is_task_amount(text):
        return "offer"
    if text.endswith("?") or text.endswith("!"):
        return "other"  # a question or an exclamation to the reader: "De ideale baan voor jou?"
    if _PITCH.search(text):
        return "other"
    task = _names_task_for_you(text)
    if _REQUIREMENT.search(text) and (
        (_STRONG_REQUIREMENT.search(text) or not (task or _SKILL_CLAUSE.search(text)))
        and (section != "work" or _EXPLICIT_REQUIREMENT.search(text))
    ):
        return "requirement"  # under a work heading only when it says so: "Omwisseling rijbewijs" is a task
    second_person = not _SECOND_PERSON_WORDS.isdisjoint(_probe(text)[2])
    if _ORGANISATION.search(text) and not (task and second_person):
        return "context"
    if section == "intro" and not second_person:
        return "context"  # "Kinderopvang Zonnewijzer verzorgt op negen locaties …"
    if (_THIRD_PARTY_SUBJECT.match(text) or _PLURAL_SUBJECT.match(text)) and not second_person:
        return "context"  # "Schadeherstel De Kievit herstelt jaarlijks 3.000 auto's", "De cliënten hebben …"
    person = _person_kind(text)
    if person is not None:
        return person
    if _CONTEXT_SENTENCE.search(text) and not task:
        return "context"
    if not is_skill_text(text):
        return "other"
    if section == "profile" and not _SKILL_CLAUSE.search(text) and not task:
        return "requirement"
    return "work"


# A plural subject is not the one who does the job ("De cliënten hebben …", "Veel bewoners willen …",
# "De medewerkers zijn nodig voor het hoogseizoen"): the worker is "je", "hij/zij" or "de medewerker".
_PLURAL_SUBJECT = re.compile(
    r"^(?!(?:in|op|bij|binnen|buiten|tussen|tegen|boven|voor|na|naast|met|van|volgens|tijdens|samen|alleen|even|"
    r"verder|daarnaast|tevens|bovendien|hierbij|daarbij|dan|als|wanneer|omdat|zodat)\b)"
    r"(?:(?:de|deze|die|veel|alle|onze|hun|sommige|andere|nieuwe|meer|vele|beide|\d+)\s+)*"
    r"(?:[\w'’-]+\s+){0,2}?[\w’-]+(?:en|ers|s|'s|’s)\s+(?:en\s+[\w-]+\s+)?"
    r"(?:zijn|hebben|worden|kunnen|willen|zullen|mogen|moeten|gaan|komen|staan|wonen|verblijven|krijgen|"
    r"blijven|weten|zoeken|vinden|lopen)\b",
    re.IGNORECASE,
)


_SEPARATORS = re.compile(
    r"[›»]|\s\|\s"
)  # breadcrumbs and metadata blocks: "Home › Vacatures", "36 uur | Vast"
_STRONG_REQUIREMENT = re.compile(
    r"\b(?:pr[eé]|pluspunt|vereist|noodzakelijk|\w*diploma\w*|rijbewijs|vog|\w*ervaring|(?:spreekt|schrijft)\s+(?:\w+\s+){0,3}"
    r"(?:nederlands|engels|duits))\b",
    re.IGNORECASE,
)
_EXPLICIT_REQUIREMENT = re.compile(
    r"\b(?:pr[eé]|pluspunt|vereist|noodzakelijk|\w*diploma\w*|in het bezit|beschikt over|(?:je|jij) hebt)\b",
    re.IGNORECASE,
)
_SECOND_PERSON_WORDS = frozenset({"je", "jij", "jou", "jouw", "u", "uw"})
# A sentence that starts with a name ("Modehuis Tjalsma is …", "Stichting De Linde biedt …"): two
# capitalised words, the first no article or preposition.
_THIRD_PARTY_SUBJECT = re.compile(
    r"^(?!(?:De|Het|Een|Als|In|Op|Bij|Voor|Na|Met|Je|Jij|U|Hij|Zij|Ze|Wij|We|Ook|Daarnaast|Tijdens|Samen)\b)"
    r"[A-Z][\w'’-]+\s+(?:(?:de|van|der|den|en|&)\s+)*[A-Z0-9][\w'’-]*"
)


_AMOUNT_TASK = re.compile(r"\b(?:kas|kassa|budget|geld|betaling|facturen|factuur|omzet)\b", re.IGNORECASE)


def _is_task_amount(text: str) -> bool:
    """ "Je beheert de kas van ca. 1.500 euro per week": an amount in a task, not a salary."""
    return bool(_AMOUNT_TASK.search(text)) and not re.search(r"bruto|netto|salaris|loon", text, re.IGNORECASE)


def _strip_requirement_tail(text: str) -> str:
    return re.sub(
        r"\b(?:is een pr[eé]|pr[eé]|pluspunt|vereist|noodzakelijk)\b.*$", "", text, flags=re.IGNORECASE
    )


# A finite verb after the subject ends in -t ("verzorgt"); a word in -en there is mostly a plural noun.
_ACTION_START = re.compile(r"^[a-zà-ÿ]{3,}t$", re.IGNORECASE)
# fmt: off
_NOT_ACTIONS = frozenset({
    "is", "ben", "bent", "zijn", "heeft", "hebt", "heb", "hebben", "werkt", "werk", "werken", "wordt",
    "worden", "gaat", "staat", "komt", "krijgt", "krijg", "vindt", "vind", "wilt", "wil", "houdt", "hou",
    "kent", "weet", "lijkt", "blijft", "past", "hoeft", "hoef", "moet", "zult", "blijkt", "bestaat",
    "betekent", "zit", "ligt", "heet",
})
# fmt: on


_RESPONSIBLE_FOR = re.compile(r"\bverantwoordelijk\s+voor\s+(?:het|de)\s+\w+", re.IGNORECASE)


# "… organiseer je …", "… help je …": a word before an inverted "je" is a verb, unless it is one of these.
# fmt: off
_NOT_VERB_BEFORE_JE = frozenset({
    "als", "wanneer", "dat", "wat", "hoe", "of", "waar", "waarmee", "waarin", "waarbij", "die", "wie", "welke",
    "omdat", "zodat", "terwijl", "nadat", "voordat", "zodra", "indien", "mits", "tenzij", "met", "van", "voor",
    "bij", "in", "op", "aan", "naar", "om", "door", "over", "onder", "tussen", "tegen", "binnen", "buiten",
    "na", "zonder", "tot", "uit", "en", "maar", "dus", "want", "ben", "bent", "heb", "hebt", "word", "wordt",
    "krijg", "krijgt", "kun", "kan", "kunt", "wil", "wilt", "mag", "moet", "zal", "ga", "gaat", "sta", "staat",
    "kom", "komt", "blijf", "blijft", "vind", "vindt", "ken", "kent", "weet", "houd", "hou", "werk", "hoef",
    "hoeft", "zou", "zult", "heeft", "had", "was",
})
# fmt: on
_VERB_BEFORE_JE = re.compile(r"\b([a-zà-ÿ]{2,})\s+(?:je|jij)\b", re.IGNORECASE)


@lru_cache(maxsize=256)
def _names_task_for_you(text: str) -> bool:
    """Whether the sentence has a clause with an action verb first ("verzorgt de post") or an inverted
    one ("In de vakanties organiseer je …")."""
    if _RESPONSIBLE_FOR.search(text):
        return True
    if any(m.group(1).casefold() not in _NOT_VERB_BEFORE_JE for m in _VERB_BEFORE_JE.finditer(text)):
        return True
    for clause in _clauses(text):
        rest = _subject_stripped(clause).split()
        if not rest:
            continue
        first = rest[0].casefold().strip(",.;:")
        if first in _NOT_ACTIONS:
            continue
        if _ACTION_START.match(first) and first not in _NOT_VERBS and len(rest) >= 2:
            return True
    return False
