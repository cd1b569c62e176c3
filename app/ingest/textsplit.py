"""Break a free-text Dutch workplace description into short skill statements a person can review.

`split_description` gives every statement with its kind (`app.ingest.vacancy_text`): only "work" is a
skill to cover; traits, context, requirements, the offer, the application procedure and the rest say why
a statement is not scored. `split_statements` gives the work texts only. Headings are recognised by
their form and open a section ("Wat bieden wij?" -> offer) that gives the sentences under it a default.

Rule-based and deterministic: lines and bullets, then sentences (abbreviations and decimals kept
whole), then enumerations of activities ("Je verzorgt de post, beheert de voorraad en bemant de
receptie"). An enumeration is split only when every part looks like a clause of its own; lists of
nouns ("kennis van HACCP en hygiëne", "een schone en veilige omgeving") stay whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from app.ingest.vacancy_text import (
    Kind,
    Section,
    classify_sentence,
    clause_person_kind,
    heading_section,
    is_skill_text,
    looks_like_heading,
)

__all__ = ["MAX_STATEMENT_CHARS", "Statement", "is_skill_text", "split_description", "split_statements"]

MAX_STATEMENT_CHARS = 300
MIN_STATEMENT_CHARS = 8
MIN_STATEMENT_WORDS = 2

# Abbreviations whose final dot does not end a sentence (compared lower-cased, with their dots).
_ABBREVIATIONS = frozenset(
    {
        "bijv.", "bv.", "b.v.", "o.a.", "d.w.z.", "e.d.", "m.b.t.", "etc.", "enz.", "incl.", "excl.", "ca.",
        "i.p.v.", "t.b.v.", "t.a.v.", "i.v.m.", "m.n.", "z.s.m.", "evt.", "o.b.v.", "m.u.v.", "e.e.a.",
        "zgn.", "vnl.", "resp.", "max.", "min.", "nr.", "mr.", "dhr.", "mevr.", "mw.", "drs.", "ing.",
        "jl.", "a.s.", "t/m.", "vs.", "p.w.", "o.l.v.", "w.o.", "c.q.", "n.a.v.", "i.o.m.", "e.a.",
    }
)  # fmt: skip
# ...of which these often end a sentence: there a capital letter after them starts a new one.
_SENTENCE_FINAL_ABBREVIATIONS = frozenset({"etc.", "enz.", "e.d.", "e.a.", "e.e.a."})

_BULLET = re.compile(r"^\s*(?:[-–—•*·▪●○◦►✓>]+|\d{1,2}[.)]|[a-z][.)])\s+")
_INLINE_BULLET = re.compile(r"\s+[•·▪●◦►]\s+")
_SENTENCE_END = re.compile(r"[.!?;]+(?=\s|$)")
_LEAD_IN = re.compile(r"^([^:]{1,80}):\s+(?=\S)")

_PRONOUN = (
    r"(?:je|jij|u|hij\s*/\s*zij|zij\s*/\s*hij|hij\s+of\s+zij|zij\s+of\s+hij"
    r"|de\s+(?:pedagogisch\s+)?medewerker|de\s+kandidaat)"
)
_RESPONSIBLE_FRAME = re.compile(
    rf"^(?:{_PRONOUN}\s+)?(?:ben|bent|is)\s+(?:{_PRONOUN}\s+)?(?:ook\s+|mede\s+|samen\s+met\s+\S+\s+)?"
    r"(?:mede)?verantwoordelijk\s+voor\s+(?:onder\s+andere\s+|o\.a\.\s+)?",
    re.IGNORECASE,
)
_PRONOUN_START = re.compile(rf"^{_PRONOUN}\s+(?=\S)", re.IGNORECASE)
# The rest of a job title after "de medewerker" ("sport en recreatie", "facilitaire dienstverlening", "ICT").
_MAX_TITLE_WORDS = 4
_TITLE_WORD = re.compile(r"[\w/&-]+")
_WORD = re.compile(r"\S+")
_CONNECTIVE = re.compile(r"^(?:daarnaast|verder|tevens|bovendien|ook|en|of|ook\s+nog)\s*,?\s+", re.IGNORECASE)
_INVERTED_PRONOUN = re.compile(r"^(\S+)\s+(?:je|jij|u)\s+(?=\S)", re.IGNORECASE)
_COMMA = re.compile(r",\s+(?:(?:en|of)\s+)?")
_CONJUNCTION = re.compile(r"(\s+(?:en|of)\s+)")
# "één of meer", "twee of drie": a count, not two clauses.
_COUNT_WORDS = frozenset(
    {"een", "één", "twee", "drie", "vier", "vijf", "meer", "meerdere", "enkele", "alle", "minder"}
)  # fmt: skip
# "… worden aangeboden": a passive ending, whose subject is the enumerated thing, not an activity.
_PASSIVE_AUXILIARIES = frozenset({"worden", "wordt", "werd", "werden"})
_KNOWLEDGE = re.compile(r"\b(?:kennis|vaardig\w*|ervaring|verstand|bekend)\b", re.IGNORECASE)
_TRAILING = re.compile(r"[\s.,;:!?]+$")
# A footnote: "*De term cliënt wordt gebruikt voor …" (a bullet has a space after its asterisk; emphasis,
# "*let op*", closes again), and the marks that point to one ("cliënt*", "naastbetrokkenen**"). Only a
# sentence whose asterisks a mark in the text points to is a footnote: "*Post sorteren" alone is not.
_FOOTNOTE = re.compile(r"^(\*+)(?=\w)[^*]*$")
_FOOTNOTE_MARK = re.compile(r"(?<=\w)\*+(?=[\s,.;:!?)]|$)")
_EMPHASIS_OPEN = re.compile(r"(?:^|(?<=[\s(]))\*+(?=\w)")
# Quotes that open a quoted word or phrase, and quotes that close one (not the apostrophe of "baby's").
_OPENING_QUOTE = re.compile(r"(?:^|(?<=[\s(]))['‘“](?=\w)")
_CLOSING_QUOTE = re.compile(r"(?<=[\w.!?])['’”](?=$|[\s).,;:!?])")
_TRAILING_ETC = re.compile(r"(?:,\s*|\s+)(?:enz|etc|e\.d|e\.a|en\s+zo\s+verder)\.?$", re.IGNORECASE)
# Words that start a dependent phrase, not a clause of its own: "…, o.a. tijdens haal- en brengmomenten".
_NOT_CLAUSE_START = frozenset(
    {"o.a.", "bijv.", "bv.", "d.w.z.", "m.b.t.", "i.v.m.", "ca.", "incl.", "e.d.", "etc.", "enz.", "zoals",
     "tijdens", "met", "voor", "in", "op", "bij", "als", "waarbij", "die", "dat", "omdat", "wanneer",
     "zodat", "zowel", "maar", "van", "naar", "om", "door", "na", "per", "tot", "inclusief", "waaronder",
     "vooral", "zeker", "liefst", "bij voorkeur", "terwijl", "want", "dus", "waardoor"}
)  # fmt: skip
_SUBORDINATORS = frozenset(
    {"als", "wanneer", "omdat", "zodat", "waar", "wat", "hoe", "dat", "of", "terwijl", "nadat", "voordat",
     "zodra", "indien", "mits", "tenzij", "waarin", "waarbij", "die", "wie", "welke", "hoewel", "zoals"}
)  # fmt: skip

# Finite verbs that do not end in -t, and words ending in -t / -en that are not verbs.
_FINITE_IRREGULAR = frozenset(
    {"kan", "kun", "wil", "zal", "mag", "is", "ben", "heb", "ga", "doe", "sta", "zie"}
)
_NOT_FINITE = frozenset(
    {"het", "met", "dat", "wat", "niet", "tot", "uit", "dit", "vast", "best", "licht", "recht", "straat",
     "post", "contact", "aandacht", "kunst", "tekst", "dienst", "markt", "toezicht", "sport", "transport"}
)  # fmt: skip
# Noun endings in -t: "De medewerker mobiliteit adviseert …", "… facility management".
_NOT_FINITE_ENDINGS = ("iteit", "ment")
# Before a word in -en they make it a plural noun, not an infinitive: "diens naastbetrokkenen", "hun kinderen".
_DETERMINERS = frozenset(
    {"de", "het", "een", "hun", "haar", "zijn", "diens", "wier", "onze", "ons", "jouw", "je", "uw", "mijn",
     "deze", "die", "dit", "dat", "alle", "elke", "iedere", "welke", "andere", "vele", "enkele", "sommige",
     "beide"}
)  # fmt: skip
_NOT_INFINITIVE = frozenset(
    {"een", "geen", "tussen", "tegen", "binnen", "buiten", "boven", "beneden", "alleen", "open", "even",
     "teven", "kinderen", "ouders", "collega's", "bewoners", "jongeren", "ouderen", "klanten", "burgers",
     "vragen", "zaken", "regels", "middelen", "afspraken", "wensen", "situaties", "problemen", "gegevens"}
)  # fmt: skip


def _is_finite_verb(word: str) -> bool:
    w = word.casefold().strip(",.;:()")
    if w in _FINITE_IRREGULAR:
        return True
    return (
        len(w) >= 3
        and w.isalpha()
        and w.endswith("t")
        and w not in _NOT_FINITE
        and not w.endswith(_NOT_FINITE_ENDINGS)
    )


def _is_infinitive(word: str) -> bool:
    w = word.casefold().strip(",.;:()")
    return len(w) >= 5 and w.isalpha() and w.endswith("en") and w not in _NOT_INFINITIVE


def _is_clause(part: str) -> bool:
    """A part that can stand alone as a skill statement: a verb phrase or a 'beheer van de …' phrase."""
    inverted = _INVERTED_PRONOUN.match(part)
    if inverted is not None:
        first = inverted.group(1).casefold()
        return first not in _SUBORDINATORS and first not in _NOT_CLAUSE_START  # "verzorg je de post"
    words = _strip_pronoun(part).split()
    if len(words) < MIN_STATEMENT_WORDS:
        return False
    lowered = [w.casefold() for w in words]
    if lowered[0] in _NOT_CLAUSE_START or lowered[-2] in _PASSIVE_AUXILIARIES:
        return False
    if _is_finite_verb(words[0]) or (_is_infinitive(words[-1]) and lowered[-2] not in _DETERMINERS):
        return True
    if lowered[0] == "het" and _is_infinitive(words[1]):
        return True  # nominalised verb: "het verzorgen van de post"
    return "van" in lowered[1:3] and len(words) >= 3  # "beheer van de voorraad", "de zorg van …"


def _strip_pronoun(text: str) -> str:
    """'Je verzorgt de post' -> 'verzorgt de post'; only when a verb follows (not 'Je werkplek is …')."""
    inverted = _INVERTED_PRONOUN.match(text)
    if inverted is not None and inverted.group(1).casefold() not in _SUBORDINATORS:
        return (
            text[: inverted.end(1)] + " " + text[inverted.end() :]
        )  # "verzorg je de post" -> "verzorg de post"
    match = _PRONOUN_START.match(text)
    if match is None:
        return text
    rest = text[match.end() :]
    words = list(_WORD.finditer(rest))
    if words and _is_finite_verb(words[0].group()):
        return rest
    if "medewerker" in match.group().casefold():
        # "De medewerker sport en recreatie voert …": the rest of a job title, then a finite verb.
        for k in range(1, min(_MAX_TITLE_WORDS, len(words) - 1) + 1):
            if (
                not _TITLE_WORD.fullmatch(words[k - 1].group())
                or words[k - 1].group().casefold() in _SUBORDINATORS
            ):
                break
            if _is_finite_verb(words[k].group()):
                return rest[words[k].start() :]
    return text


def _strip_connective(text: str) -> str:
    """'Daarnaast beheer je de voorraad' -> 'beheer je de voorraad' (the pronoun goes in _strip_frames)."""
    match = _CONNECTIVE.match(text)
    return text[match.end() :] if match is not None and len(text) > match.end() else text


def _strip_frames(text: str) -> str:
    """Remove the sentence frame around the skill: connective, pronoun, 'je bent verantwoordelijk voor'."""
    text = _strip_connective(text)
    match = _RESPONSIBLE_FRAME.match(text)
    if match is not None and len(text) > match.end():
        return text[match.end() :]
    return _strip_pronoun(text)


def _split_conjunctions(text: str) -> list[str]:
    """Split at " en " and " of ", but not inside a count ("in één of meer onderdelen")."""
    pieces = _CONJUNCTION.split(text)
    parts = [pieces[0]]
    for joint, piece in zip(pieces[1::2], pieces[2::2], strict=True):
        before, after = parts[-1].split(), piece.split()
        if before and after and before[-1].casefold() in _COUNT_WORDS and after[0].casefold() in _COUNT_WORDS:
            parts[-1] += joint + piece
        else:
            parts.append(piece)
    return parts


def _split_enumeration(sentence: str) -> list[str]:
    parts: list[str] = []
    for comma_part in _COMMA.split(sentence):
        sub = _split_conjunctions(comma_part)
        if len(sub) > 1 and all(_is_clause(p) for p in sub):
            parts.extend(sub)
        else:
            parts.append(comma_part)
    if len(parts) > 1 and all(_is_clause(p) for p in parts):
        return parts
    return [sentence]


def _sentences(line: str) -> list[str]:
    """Split a line at . ! ? ; followed by a space, except after an abbreviation."""
    out: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(line):
        end = match.end()
        words = line[start:end].split()
        last = words[-1].casefold() if words else ""
        if match.group().startswith(".") and last in _ABBREVIATIONS:
            following = line[end:].lstrip()[:1]
            if not (last in _SENTENCE_FINAL_ABBREVIATIONS and following.isupper()):
                continue
        out.append(line[start:end])
        start = end
    out.append(line[start:])
    return [s.strip() for s in out if s.strip()]


def _strip_stray_quotes(text: str) -> str:
    """Quotes left at either end by a split, without their partner: "'combinatiefunctionaris'" keeps both,
    a statement cut after "als 'combinatie…" or before "…functionaris'" loses the stray one, and a
    statement quoted as a whole loses its quotes. A straight double quote is never an apostrophe, so its
    count decides; single and curly quotes count where they open or close a word (not "baby's")."""
    if len(text) < 2:
        return text
    doubles = text.count('"')
    if doubles % 2 == 1:
        if text.startswith('"'):
            return text[1:].strip()
        if text.endswith('"'):
            return text[:-1].strip()
    elif doubles == 2 and text.startswith('"') and text.endswith('"'):
        return text[1:-1].strip()
    opening, closing = len(_OPENING_QUOTE.findall(text)), len(_CLOSING_QUOTE.findall(text))
    opens = _OPENING_QUOTE.match(text) is not None
    closes = _CLOSING_QUOTE.search(text, len(text) - 1) is not None
    if opens and opening > closing:
        text = text[1:]
    elif closes and closing > opening:
        text = text[:-1]
    elif opens and closes and opening == closing == 1:
        text = text[1:-1]
    return text.strip()


def _finish(text: str) -> str | None:
    text = _TRAILING.sub("", " ".join(text.split()))
    text = _strip_stray_quotes(_TRAILING.sub("", _TRAILING_ETC.sub("", text)).strip())
    if len(text) < MIN_STATEMENT_CHARS or len(text.split()) < MIN_STATEMENT_WORDS:
        return None
    if len(text) > MAX_STATEMENT_CHARS:
        cut = text[:MAX_STATEMENT_CHARS]
        text = cut.rsplit(" ", 1)[0] if " " in cut else cut
    return text


def _is_lead_in_heading(sentence: str) -> bool:
    """A sentence of a paragraph that only announces what follows: "Jouw taken zijn:"."""
    stripped = sentence.rstrip()
    return stripped.endswith(":") and len(stripped.split()) <= _MAX_LEAD_IN_WORDS


_MAX_LEAD_IN_WORDS = 12


def _lines(text: str) -> list[str]:
    """Lines, with hard-wrapped sentences joined again.

    A line that starts with a lower-case letter and no bullet continues the line above, unless that
    one ends a sentence or a heading.
    """
    lines: list[str] = []
    for raw in text.split("\n"):
        line = raw.strip()
        if (
            lines
            and lines[-1]
            and line[:1].islower()
            and not _BULLET.match(raw)
            and not lines[-1].rstrip().endswith((".", "!", "?", ";", ":"))
        ):
            lines[-1] = f"{lines[-1]} {line}"
        else:
            lines.append(line)
    return lines


class _Sentence(NamedTuple):
    text: str
    section: Section | None
    alone: bool  # the whole of a line without a bullet: a title, a place, a metadata line, or a task
    quoted: bool = False  # a line that is one quotation: someone's own words, not the job's tasks


# A line that is one quotation from start to end: "“Wat ik het leukst vind? Dat geen dag hetzelfde is.”"
_QUOTED_LINE = re.compile(r'^["“„«][^"“”„«»]+[.!?…]?["”«»]$')


def _text_sentences(text: str) -> list[_Sentence]:
    """The sentences of a description, in order, without bullets and headings, each with the section
    the heading above it opened (None under a heading that names none, or in a text without headings;
    "intro" before the first heading of a text that has a known one)."""
    lines = _lines(text)
    headings: list[Section | bool | None] = []  # False: no heading; None: a heading naming no section
    for index, raw_line in enumerate(lines):
        before = lines[index - 1] if index > 0 else None
        after = lines[index + 1] if index + 1 < len(lines) else None
        is_heading = not _BULLET.match(raw_line) and looks_like_heading(raw_line, before=before, after=after)
        headings.append(heading_section(raw_line) if is_heading else False)
    section: Section | None = "intro" if any(h not in (None, False) for h in headings) else None
    sentences: list[_Sentence] = []
    for raw_line, heading in zip(lines, headings, strict=True):
        if heading is not False:
            section = heading if not isinstance(heading, bool) else None
            continue
        bulleted = bool(_BULLET.match(raw_line))
        for item in _INLINE_BULLET.split(raw_line):
            line = _BULLET.sub("", item, count=1).strip()
            if not line:
                continue
            parts = _sentences(line)
            alone = not bulleted and len(parts) == 1 and not line.endswith((".", "!", "?", ";", ":"))
            quoted = _QUOTED_LINE.match(line) is not None
            for sentence in parts:
                if _is_lead_in_heading(sentence):
                    named = heading_section(sentence)
                    if named is not None:
                        section = named
                    continue
                sentences.append(_Sentence(sentence, section, alone, quoted))
    return sentences


def _drop_footnotes(sentences: list[_Sentence]) -> list[_Sentence]:
    """Without footnotes, and without the marks that point to them ("cliënt*"): a footnote defines a word
    of the text; it is not a task. Emphasis ("*let op*") is neither."""
    plain = [not _EMPHASIS_OPEN.search(s.text) for s in sentences]
    marks = {
        len(m.group())
        for s, p in zip(sentences, plain, strict=True)
        if p
        for m in _FOOTNOTE_MARK.finditer(s.text)
    }
    kept: list[_Sentence] = []
    for sentence, is_plain in zip(sentences, plain, strict=True):
        footnote = _FOOTNOTE.match(sentence.text)
        if footnote is not None and len(footnote.group(1)) in marks:
            continue
        kept.append(sentence._replace(text=_FOOTNOTE_MARK.sub("", sentence.text)) if is_plain else sentence)
    return kept


# Nouns in -t that look like a finite verb: "loondienst", "werkpunt", "rijbewijsplicht".
_NOUN_ENDINGS_T = ("dienst", "punt", "kunst", "markt", "post", "tekst", "recht", "plicht", "macht", "licht", "nacht",
                   "kracht", "zicht", "schrift", "dracht", "budget", "contract", "resultaat", "product", "project")  # fmt: skip


def _has_verb(text: str) -> bool:
    words = [w for w in text.split() if not w.casefold().strip(",.;:()").endswith(_NOUN_ENDINGS_T)]
    return any(_is_finite_verb(w) or _is_infinitive(w) for w in words) or bool(_INVERTED_PRONOUN.search(text))


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement of a description and its kind: only "work" is a skill to cover."""

    text: str
    kind: Kind


def _normalise_text(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ").replace("\t", " ")


def split_description(text: str) -> list[Statement]:
    """Every statement of a Dutch description with its kind, in text order, de-duplicated
    case-insensitively. Work sentences are split into their activities; other sentences stay whole."""
    sentences = _drop_footnotes(_text_sentences(_normalise_text(text)))
    statements: list[Statement] = []
    seen: set[str] = set()

    def add(statement: str | None, kind: Kind) -> None:
        if statement is None:
            return
        key = statement.casefold()
        if key not in seen:
            seen.add(key)
            statements.append(Statement(statement, kind))

    for sentence, section, alone, quoted in sentences:
        if quoted:
            # A testimonial ("Wat ik het leukst vind? …") tells what the work is like for someone; the
            # tasks to cover are those the vacancy itself names.
            add(_finish(_strip_frames(_TRAILING.sub("", sentence))), "other")
            continue
        kind_text = sentence
        lead_in = _LEAD_IN.match(sentence)
        lead, rest = (lead_in.group(1), sentence[lead_in.end() :]) if lead_in is not None else ("", "")
        if lead and len(lead.split()) <= 8:
            section = heading_section(lead) or section
            sentence = rest  # "Je taken zijn: …" keeps what follows
        kind = classify_sentence(kind_text, section)
        if (
            kind in ("other", "context")
            and rest
            and _has_verb(rest)
            and classify_sentence(rest, section) == "work"
        ):
            # "Voor de zomer zoeken we versterking in de keuken: je snijdt groente, …": a pitch or context
            # before the colon, the tasks after it, as a clause of their own (not "drie groepen: een
            # babygroep, …"). The lead-in keeps its kind; what follows is work.
            add(_finish(_strip_frames(lead)), kind)
            sentence, kind_text, kind = rest, rest, "work"
        if kind == "work" and alone and not _has_verb(sentence) and not _KNOWLEDGE.search(sentence):
            kind = "other"  # a line of its own without a verb: a title, a place, a metadata line
        sentence = _TRAILING.sub("", sentence)
        if kind not in ("work", "trait", "context"):
            add(_finish(_strip_frames(sentence)), kind)
            continue
        parts = _split_enumeration(_strip_connective(sentence))
        if kind != "work" and (len(parts) == 1 or clause_person_kind(kind_text) != kind):
            # Only a trait or context found in the clauses themselves is split again into its activities
            # ("Hij werkt in een team en biedt ondersteuning aan een team"); an organisation blurb is not.
            add(_finish(_strip_frames(sentence)), kind)
            continue
        for part in parts:
            # An enumeration names its activities one by one: each is work unless it is a trait or
            # context of its own ("Hij werkt in een team en biedt ondersteuning aan een team").
            statement = _finish(_strip_frames(part))
            if statement is None:
                continue
            part_kind: Kind = "work" if is_skill_text(statement) else "other"
            if part_kind == "work":
                part_kind = clause_person_kind(part) or "work"
            add(statement, part_kind)
    return statements


def split_statements(text: str) -> list[str]:
    """Skill statements from a Dutch description: the work of `split_description`, in order."""
    return [s.text for s in split_description(text) if s.kind == "work"]
