"""Parser for SBB kwalificatiedossier XML exports (`<sbb>` root).

Pure: bytes (or a binary file) in, frozen dataclasses out. Parsing goes through defusedxml with DTDs,
entities and external references forbidden, so an XML bomb or an external entity is refused, never
expanded. Element line numbers are recorded by a small TreeBuilder that reads expat's current line at
each start tag, so that structural errors can say where they are ("line 57, <profiel titel=...>"). The
document is fed to expat in chunks and every dossier is dropped from the tree once it is parsed, so a
national export (tens of MB) never exists as one element tree.

Display codes are not stored in the XML: SBB's `B1-K1-W1` / `P2-K1-W3` are built from the
`hoofdstuk` attributes (basis = B1, profiel = P{profiel@hoofdstuk}).
"""

from __future__ import annotations

import codecs
import hashlib
import io
import json
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime
from typing import BinaryIO
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from app.errors import ErrorItem, InvalidDocument

logger = logging.getLogger(__name__)

MAX_ERRORS = 50
STATEMENT_KINDS = (
    "kerntaak",
    "werkproces",
    "omschrijving",
    "resultaat",
    "gedrag",
    "vakkennis",
    "competentie",
)

_CREBO = re.compile(r"\d{5}")
_ENCODING_DECL = re.compile(rb"""^<\?xml[^>]*\sencoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_BULLET = re.compile(r"^[-•*–]\s*")


@dataclass(frozen=True, slots=True)
class Statement:
    code: str  # "B1-K1" for a kerntaak and its vakkennis, "B1-K1-W1" for a werkproces and its parts
    kind: str  # one of STATEMENT_KINDS
    text: str  # whitespace-normalised, never empty


@dataclass(frozen=True, slots=True)
class ParsedKwalificatie:
    crebo: str
    title: str
    niveau: int
    beroepsgroep: str
    typering: str  # kept for display, not a statement
    valid_from: date | None
    statements: tuple[Statement, ...]


@dataclass(frozen=True, slots=True)
class ParsedDossier:
    crebo: str
    sbb_nr: str
    title: str
    versie: str
    status: str
    domein: str
    valid_from: date | None
    vastgesteld_op: date | None
    kerntaak_count: int
    werkproces_count: int
    kwalificaties: tuple[ParsedKwalificatie, ...]
    content_hash: str


class _StopCollectingError(Exception):
    pass


class _NeedsSecondPassError(Exception):
    """A lookup list (competenties, domeinen) came after a dossier that refers to it."""


_READ_CHUNK = 1 << 16
_LOOKUPS = {"competenties": "competentie", "domeinen": "domein"}


class _StreamingBuilder(TreeBuilder):
    """A TreeBuilder that remembers the line of every start tag and hands each finished
    `sbb/dossiers/dossier` to a callback, then drops it from the tree: memory holds one dossier's
    elements at a time, not the whole document's."""

    def __init__(self, reader: _Reader) -> None:
        super().__init__()
        self.parser: DefusedXMLParser | None = None
        self.reader = reader
        self.lines: dict[int, int] = {}
        self._stack: list[Element] = []

    def start(self, tag: str, attrs: dict[str, str], /) -> Element:
        element = super().start(tag, attrs)
        if self.parser is not None:
            self.lines[id(element)] = self.parser.parser.CurrentLineNumber
        if not self._stack:
            self.reader.root(element)
        self._stack.append(element)
        return element

    def end(self, tag: str, /) -> Element:
        element = super().end(tag)
        self._stack.pop()
        path = [e.tag for e in self._stack]
        if path == ["sbb", "dossiers"] and tag == "dossier":
            try:
                self.reader.dossier(element)
            finally:
                self._drop(element)
        elif path == ["sbb"] and tag in _LOOKUPS:
            self.reader.lookup(element)
            self._drop(element)
        return element

    def _drop(self, element: Element) -> None:
        self._stack[-1].remove(element)
        for descendant in element.iter():
            self.lines.pop(id(descendant), None)


class _Reader:
    """One pass over a document: the lookup lists, then each dossier as it is finished."""

    def __init__(
        self, on_dossier: Callable[[ParsedDossier], None] | None, lookups: dict[str, dict[str, str]]
    ) -> None:
        self.builder = _StreamingBuilder(self)
        self.context = _Context(self.builder.lines)
        self.on_dossier = on_dossier
        self.lookups = {name: dict(lookups.get(name, {})) for name in _LOOKUPS}
        self.lookups_complete = bool(lookups)
        self.lookups_before = False  # a lookup list was read before the first dossier
        self.root_element: Element | None = None
        self.dossier_elements = 0
        self.dossiers: list[ParsedDossier] = []
        self.seen_dossiers: set[str] = set()
        self.seen_kwalificaties: set[str] = set()

    def root(self, element: Element) -> None:
        self.root_element = element
        if element.tag != "sbb":
            self.context.error(element, f"root element must be <sbb>, not <{element.tag}>")
            raise _StopCollectingError

    def lookup(self, element: Element) -> None:
        if self.lookups_complete:
            return
        if self.dossier_elements:
            raise _NeedsSecondPassError
        self.lookups_before = True
        self.lookups[element.tag].update(_titles(element.findall(_LOOKUPS[element.tag])))

    def dossier(self, element: Element) -> None:
        self.dossier_elements += 1
        context = self.context
        dossier = _parse_dossier(
            element, context, competenties=self.lookups["competenties"], domeinen=self.lookups["domeinen"]
        )
        if dossier is None:
            return
        if dossier.crebo in self.seen_dossiers:
            context.error(element, f"dossier crebo {dossier.crebo} occurs more than once")
        self.seen_dossiers.add(dossier.crebo)
        for kwalificatie in dossier.kwalificaties:
            if kwalificatie.crebo in self.seen_kwalificaties:
                context.error(element, f"kwalificatie crebo {kwalificatie.crebo} occurs more than once")
            self.seen_kwalificaties.add(kwalificatie.crebo)
        self.dossiers.append(dossier)
        if self.on_dossier is not None and not context.errors:
            self.on_dossier(dossier)


class _Context:
    """Error collection and element locations for one document."""

    def __init__(self, lines: dict[int, int]) -> None:
        self._lines = lines
        self.errors: list[ErrorItem] = []

    def where(self, element: Element) -> str:
        line = self._lines.get(id(element))
        titel = element.get("titel")
        tag = f'<{element.tag} titel="{_normalise(titel)}">' if titel else f"<{element.tag}>"
        return f"line {line}, {tag}" if line is not None else tag

    def error(self, element: Element, message: str) -> None:
        self.errors.append(ErrorItem(self.where(element), message))
        if len(self.errors) >= MAX_ERRORS:
            raise _StopCollectingError


def parse_sbb_xml(data: bytes) -> list[ParsedDossier]:
    """Parse an SBB XML export into dossiers (read_sbb_xml on bytes in memory)."""
    return read_sbb_xml(io.BytesIO(data))


def read_sbb_xml(
    source: BinaryIO, *, on_dossier: Callable[[ParsedDossier], None] | None = None
) -> list[ParsedDossier]:
    """Parse an SBB XML export into dossiers, reading `source` in chunks.

    Each dossier element is parsed when its end tag is read and then dropped, so memory holds one
    dossier's XML elements at a time plus the parsed dossiers (their texts), not the whole document's
    tree. `on_dossier` is called with each dossier parsed while no error has been found (for progress).
    SBB's exports put the lookup lists (competenties, domeinen) before the dossiers; a document that
    puts them after is read a second time (`source` must then be seekable).

    Raises app.errors.InvalidDocument (detail + errors with location "line N, <element>") on anything
    wrong: unsafe or malformed XML, a wrong root, missing or invalid crebos, niveaus or hoofdstukken.
    Nothing is returned until the whole document has been checked.
    """
    start = source.tell() if source.seekable() else 0
    reader: _Reader | None = None
    try:
        reader = _read(source, on_dossier, {})
        # Errors in a dossier read before any lookup list may only mean the lists come later (the first
        # pass stops at 50 errors, maybe before it reaches them): look for them, and read again if found.
        retry = reader.context.errors and reader.dossier_elements and not reader.lookups_before
        if retry and source.seekable():
            raise _NeedsSecondPassError
    except _NeedsSecondPassError:
        first = _collect_lookups(source, start)
        if reader is None or any(first.values()):
            reader = _read(source, on_dossier, first)
    context = reader.context
    if not context.errors and reader.dossier_elements == 0 and reader.root_element is not None:
        context.errors.append(
            ErrorItem(context.where(reader.root_element), "the document holds no dossiers/dossier")
        )
    if context.errors:
        count = len(context.errors)
        more = " (stopped counting)" if count >= MAX_ERRORS else ""
        raise InvalidDocument(
            f"the SBB XML document has {count} structural error{'s' if count != 1 else ''}{more}",
            context.errors,
        )
    logger.debug(
        "parsed %d dossier(s), %d kwalificatie(s)",
        len(reader.dossiers),
        sum(len(d.kwalificaties) for d in reader.dossiers),
    )
    return reader.dossiers


def _collect_lookups(source: BinaryIO, start: int) -> dict[str, dict[str, str]]:
    """First pass for a document whose lookup lists come after its dossiers: only the lookups."""
    if not source.seekable():
        raise InvalidDocument(
            "the document lists competenties or domeinen after the dossiers; upload it as a file"
        )
    source.seek(start)
    lookups: dict[str, dict[str, str]] = {name: {} for name in _LOOKUPS}

    class _Lookups(_Reader):
        def lookup(self, element: Element) -> None:
            lookups[element.tag].update(_titles(element.findall(_LOOKUPS[element.tag])))

        def dossier(self, element: Element) -> None:
            self.dossier_elements += 1

    _feed(_Lookups(None, {}), source)
    source.seek(start)
    return lookups


def _read(
    source: BinaryIO, on_dossier: Callable[[ParsedDossier], None] | None, lookups: dict[str, dict[str, str]]
) -> _Reader:
    reader = _Reader(on_dossier, lookups)
    _feed(reader, source)
    return reader


# --- XML reading -----------------------------------------------------------------------------------


def _feed(reader: _Reader, source: BinaryIO) -> None:
    """Feed the document to expat in chunks, checking UTF-8 on the way (a bad byte is reported by
    offset and line, as expat would only say "not well-formed")."""
    builder = reader.builder
    parser = DefusedXMLParser(target=builder, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    builder.parser = parser
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    offset = 0
    newlines = 0
    first = True
    chunk = source.read(_READ_CHUNK)
    while first and chunk and not chunk.strip():
        more = source.read(_READ_CHUNK)
        if not more:
            break
        chunk += more
    if not chunk or not chunk.strip():
        raise InvalidDocument("the document is empty", [ErrorItem("line 1", "no XML content")])
    try:
        while chunk:
            if first:
                _check_declaration(chunk)
                first = False
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                position = offset + exc.start
                line = newlines + chunk[: exc.start].count(b"\n") + 1
                raise InvalidDocument(
                    "the document is not valid UTF-8",
                    [ErrorItem(f"line {line}", f"invalid byte at offset {position}")],
                ) from None
            parser.feed(chunk)
            offset += len(chunk)
            newlines += chunk.count(b"\n")
            chunk = source.read(_READ_CHUNK)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise InvalidDocument(
                "the document is not valid UTF-8",
                [ErrorItem(f"line {newlines + 1}", f"invalid byte at offset {offset - 1}")],
            ) from None
        parser.close()
    except _StopCollectingError:
        return
    except DefusedXmlException as exc:
        line = parser.parser.CurrentLineNumber
        raise InvalidDocument(
            "the document uses a DTD, entity declaration or external reference, which is not allowed",
            [ErrorItem(f"line {line}", type(exc).__name__)],
        ) from None
    except ParseError as exc:
        line, column = exc.position
        raise InvalidDocument(
            "the document is not well-formed XML", [ErrorItem(f"line {line}, column {column}", str(exc))]
        ) from None


def _check_declaration(head: bytes) -> None:
    declared = _ENCODING_DECL.match(head.removeprefix(b"\xef\xbb\xbf"))
    if declared and declared.group(1).decode("ascii").lower().replace("_", "-") not in ("utf-8", "utf8"):
        raise InvalidDocument(
            "only UTF-8 documents are accepted",
            [ErrorItem("line 1, <?xml?>", f"declared encoding {declared.group(1).decode('ascii')!r}")],
        )


# --- structure -------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Kerntaak:
    code: str
    element: Element
    werkprocessen: list[tuple[str, Element]]


def _parse_dossier(
    element: Element, context: _Context, *, competenties: dict[str, str], domeinen: dict[str, str]
) -> ParsedDossier | None:
    errors_before = len(context.errors)
    crebo_element = element.find("dossiercrebos/dossiercrebo")
    crebo = ""
    valid_from = None
    if crebo_element is None:
        context.error(element, "dossier has no dossiercrebos/dossiercrebo")
    else:
        crebo = _crebo(crebo_element, context)
        valid_from = _date(crebo_element, crebo_element.get("Geldig_vanaf"), context)
    vastgesteld_element = element.find(
        "voorblad/omschrijving/verantwoording/vaststellingsinformatie/vastgesteldop"
    )
    vastgesteld_op = None
    if vastgesteld_element is not None:
        vastgesteld_op = _date(vastgesteld_element, vastgesteld_element.text, context)

    kennis = _titles(element.findall("kennisenvaardigheden/kennisofvaardigheid"))
    basis = [
        _kerntaak(kerntaak, "B1", "basiswerkprocessen", context)
        for kerntaak in element.findall("basis/basistaken/basiskerntaken/kerntaak")
    ]
    profielen = element.findall("profielen/profiel")
    if not profielen:
        context.error(element, "dossier has no profielen/profiel (no kwalificaties)")
    profiel_kerntaken: list[_Kerntaak] = []
    kwalificaties: list[ParsedKwalificatie] = []
    for profiel in profielen:
        kwalificatie, own = _parse_profiel(profiel, basis, context, kennis=kennis, competenties=competenties)
        profiel_kerntaken.extend(own)
        if kwalificatie is not None:
            kwalificaties.append(kwalificatie)
    all_kerntaken = basis + profiel_kerntaken
    _check_unique(
        [(k.code, k.element) for k in all_kerntaken]
        + [(code, w) for k in all_kerntaken for code, w in k.werkprocessen],
        context,
    )
    if len(context.errors) > errors_before:
        return None
    dossier = ParsedDossier(
        crebo=crebo,
        sbb_nr=element.get("nr", ""),
        title=_normalise(element.get("titel")),
        versie=_normalise(element.get("versie")),
        status=_normalise(element.get("status")),
        domein=domeinen.get(element.get("referentiedomein", ""), ""),
        valid_from=valid_from,
        vastgesteld_op=vastgesteld_op,
        kerntaak_count=len(all_kerntaken),
        werkproces_count=sum(len(k.werkprocessen) for k in all_kerntaken),
        kwalificaties=tuple(kwalificaties),
        content_hash="",
    )
    return _with_hash(dossier)


def _parse_profiel(
    profiel: Element,
    basis: list[_Kerntaak],
    context: _Context,
    *,
    kennis: dict[str, str],
    competenties: dict[str, str],
) -> tuple[ParsedKwalificatie | None, list[_Kerntaak]]:
    errors_before = len(context.errors)
    title = _normalise(profiel.get("titel"))
    if not title:
        context.error(profiel, "profiel has no titel")
    niveau = 0
    niveau_text = (profiel.get("niveau") or "").strip()
    if not niveau_text:
        context.error(profiel, "profiel has no niveau")
    elif not niveau_text.isdigit() or not 1 <= int(niveau_text) <= 4:
        context.error(profiel, f"niveau must be 1 to 4, not {niveau_text!r}")
    else:
        niveau = int(niveau_text)
    hoofdstuk = _hoofdstuk(profiel, context)
    crebo_element = profiel.find("creboinformatie/crebo")
    crebo = ""
    valid_from = None
    if crebo_element is None:
        context.error(profiel, "profiel has no creboinformatie/crebo")
    else:
        crebo = _crebo(crebo_element, context)
        valid_from = _date(crebo_element, crebo_element.get("Geldig_vanaf"), context)
    own = [
        _kerntaak(kerntaak, f"P{hoofdstuk}", "profielwerkprocessen", context)
        for kerntaak in profiel.findall("profielkerntaken/kerntaak")
    ]
    nr = profiel.get("nr", "")
    statements: list[Statement] = []
    for kerntaak in basis + own:
        statements.extend(
            _kerntaak_statements(kerntaak, nr, context, kennis=kennis, competenties=competenties)
        )
    if len(context.errors) > errors_before:
        return None, own
    kwalificatie = ParsedKwalificatie(
        crebo=crebo,
        title=title,
        niveau=niveau,
        beroepsgroep=_normalise(profiel.get("beroepsgroep")),
        typering=_normalise(profiel.findtext("omschrijving/typeringvanhetberoep")),
        valid_from=valid_from,
        statements=tuple(dict.fromkeys(statements)),
    )
    return kwalificatie, own


def _kerntaak(element: Element, prefix: str, werkprocessen_tag: str, context: _Context) -> _Kerntaak:
    code = f"{prefix}-K{_hoofdstuk(element, context)}"
    if not _normalise(element.get("titel")):
        context.error(element, "kerntaak has no titel")
    werkprocessen = []
    for werkproces in element.findall(f"{werkprocessen_tag}/werkproces"):
        if not _normalise(werkproces.get("titel")):
            context.error(werkproces, "werkproces has no titel")
        werkprocessen.append((f"{code}-W{_hoofdstuk(werkproces, context)}", werkproces))
    return _Kerntaak(code, element, werkprocessen)


def _kerntaak_statements(
    kerntaak: _Kerntaak,
    profiel_nr: str,
    context: _Context,
    *,
    kennis: dict[str, str],
    competenties: dict[str, str],
) -> Iterator[Statement]:
    yield Statement(kerntaak.code, "kerntaak", _normalise(kerntaak.element.get("titel")))
    pool = kerntaak.element.find("vakkennisenvaardigheden")
    if pool is not None:
        references = pool.findall("vakkennisenvaardigheden")
        for addition in _additions(pool.find("vakkennisenvaardighedenperprofiel"), profiel_nr):
            references.extend(addition.findall("vakkennisenvaardighedenonderdelen/vakkennisenvaardigheden"))
        for text in _resolve(references, kennis, "kennisofvaardigheid", context):
            yield Statement(kerntaak.code, "vakkennis", text)
    for code, werkproces in kerntaak.werkprocessen:
        yield Statement(code, "werkproces", _normalise(werkproces.get("titel")))
        for tag, kind in (("werkprocesomschrijving", "omschrijving"), ("werkprocesresultaat", "resultaat")):
            text = _normalise(" ".join(_texts(werkproces.find(tag), profiel_nr)))
            if text:
                yield Statement(code, kind, text)
        for item in _bullets(_texts(werkproces.find("werkprocesgedrag"), profiel_nr)):
            yield Statement(code, "gedrag", item)
        references = []
        block = werkproces.find("werkprocescompetenties")
        if block is not None:
            references = block.findall("competentie")
            for addition in _additions(block.find("werkprocescompetentiesperprofiel"), profiel_nr):
                references.extend(addition.findall("omschrijving/competentie"))
        for text in _resolve(references, competenties, "competentie", context):
            yield Statement(code, "competentie", text)


def _additions(perprofiel: Element | None, profiel_nr: str) -> list[Element]:
    """The `aanvullend` blocks of a `…perprofiel` element that name this profiel."""
    if perprofiel is None:
        return []
    return [
        aanvullend
        for aanvullend in perprofiel.findall("aanvullend")
        if any(profiel.get("referentie") == profiel_nr for profiel in aanvullend.findall("profiel"))
    ]


def _texts(element: Element | None, profiel_nr: str) -> list[str]:
    """The element's own text, then the text of the additions for this profiel."""
    if element is None:
        return []
    own = "".join([element.text or "", *(child.tail or "" for child in element)])
    texts = [own]
    for child in element:
        if child.tag.endswith("perprofiel"):
            texts.extend(
                addition.findtext("omschrijving") or "" for addition in _additions(child, profiel_nr)
            )
    return texts


def _bullets(texts: list[str]) -> list[str]:
    """Split gedrag texts into one item per bullet, dropping lead-in lines such as "De beroepsbeoefenaar:"."""
    items: list[str] = []
    for text in texts:
        for line in text.splitlines():
            stripped = line.strip()
            if not stripped or (stripped.endswith(":") and not _BULLET.match(stripped)):
                continue
            item = _normalise(_BULLET.sub("", stripped)).rstrip(";.").strip()
            if item:
                items.append(item)
    return items


def _resolve(references: list[Element], titles: dict[str, str], target: str, context: _Context) -> list[str]:
    resolved: dict[str, None] = {}
    for reference in references:
        key = reference.get("referentie", "")
        if key not in titles:
            context.error(reference, f"referentie {key!r} names no {target}")
        elif titles[key]:
            resolved[titles[key]] = None
    return list(resolved)


def _check_unique(coded: list[tuple[str, Element]], context: _Context) -> None:
    seen: set[str] = set()
    for code, element in coded:
        if code in seen and "?" not in code:  # "?" marks a hoofdstuk already reported as invalid
            context.error(element, f"code {code} occurs more than once in the dossier")
        seen.add(code)


# --- values ----------------------------------------------------------------------------------------


def _normalise(text: str | None) -> str:
    return " ".join((text or "").split())


def _titles(elements: list[Element]) -> dict[str, str]:
    return {element.get("nr", ""): _normalise(element.get("titel")) for element in elements}


def _hoofdstuk(element: Element, context: _Context) -> str:
    value = (element.get("hoofdstuk") or "").strip()
    if not value.isdigit():
        context.error(element, f"hoofdstuk must be a number, not {value!r}")
        return "?"
    return str(int(value))


def _crebo(element: Element, context: _Context) -> str:
    value = (element.text or "").strip()
    if not _CREBO.fullmatch(value):
        context.error(element, f"crebo must be 5 digits, not {value!r}")
    return value


def _date(element: Element, value: str | None, context: _Context) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return datetime.strptime(value, "%d-%m-%Y").date()
    except ValueError:
        context.error(element, f"date must be DD-MM-YYYY, not {value!r}")
        return None


# --- hashing ---------------------------------------------------------------------------------------


def _with_hash(dossier: ParsedDossier) -> ParsedDossier:
    """Return the dossier with content_hash set: sha256 over a canonical JSON form of the parsed content."""
    content = asdict(dossier)
    del content["content_hash"]
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=_iso)
    return replace(dossier, content_hash=hashlib.sha256(canonical.encode("utf-8")).hexdigest())


def _iso(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")
