"""Plain Dutch for the web interface: domain errors, statuses and labels. The API itself stays English."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.api.problems import PayloadTooLarge
from app.errors import (
    DomainError,
    ImportRunning,
    InvalidDocument,
    NotFound,
    NothingToScore,
    PreconditionFailed,
    UnsupportedDocument,
)

RESOURCES = {
    "workplace": "Deze werkplek",
    "programme": "Deze kwalificatie",
    "skill": "Deze vaardigheid",
    "dossier": "Dit dossier",
}

FIELDS = {
    "title": "Naam van de werkplek",
    "organisation_unit": "Directie of stadsdeel",
    "description": "Omschrijving",
    "text": "Vaardigheid",
    "weight": "Gewicht",
    "file": "Bestand",
}

DOSSIER_STATUS = {
    "created": "nieuw ingelezen",
    "replaced": "nieuwe versie ingelezen; de vorige versie is bewaard als historie",
    "unchanged": "was al ingelezen; er is niets veranderd",
    "history": "ouder dan de versie die er al is; bewaard als historie",
}

WORKPLACE_STATUS = {"created": "nieuw", "updated": "bijgewerkt"}

IMPORT_STATE = {
    "queued": "in de wachtrij",
    "parsing": "het bestand wordt gelezen",
    "embedding": "de vaardigheden worden omgezet in vectoren",
    "committing": "wordt opgeslagen",
    "done": "klaar",
    "failed": "mislukt; de catalogus is niet veranderd",
}

KIND = {
    "kerntaak": "Kerntaak",
    "werkproces": "Werkproces",
    "omschrijving": "Omschrijving",
    "resultaat": "Resultaat",
    "gedrag": "Gedrag",
    "vakkennis": "Vakkennis en vaardigheden",
    "competentie": "Competentie",
}

# The messages of app.workplaces.edit, said in Dutch.
KNOWN_MESSAGES = {
    "a skill statement must not be empty": "vul een vaardigheid in",
    "weight must be 1, 2 or 3": "kies 1, 2 of 3",
}

ORIGIN = {"manual": "handmatig", "extracted": "uit omschrijving", "import": "uit bestand"}


@dataclass(frozen=True, slots=True)
class Message:
    """What went wrong, for a person: a Dutch headline, what to do next, and the details we have."""

    title: str
    advice: str = ""
    details: tuple[str, ...] = field(default_factory=tuple)


_LOCATION_WORDS = re.compile(r"\b(line|column|row|sheet)\b")
_LOCATION_DUTCH = {"line": "regel", "column": "kolom", "row": "rij", "sheet": "werkblad"}


def field_name(location: str) -> str:
    """A form field's Dutch label, or a document location ("line 12, column 3") in Dutch words."""
    if location in FIELDS:
        return FIELDS[location]
    return _LOCATION_WORDS.sub(lambda m: _LOCATION_DUTCH[m.group(1)], location)


def explain(error: DomainError, *, max_upload_bytes: int = 0) -> Message:
    """A domain error in plain Dutch. Parser details (line, element, column) are kept as they are."""
    if isinstance(error, NotFound):
        return Message(
            f"{RESOURCES.get(error.resource, 'Dit item')} bestaat niet (meer).",
            "Misschien is het verwijderd. Ga terug naar de lijst en kies opnieuw.",
        )
    if isinstance(error, ImportRunning):
        return Message(
            "Er loopt al een import; er kan er maar één tegelijk lopen.",
            "Wacht tot die klaar is en probeer het dan opnieuw."
            + (f" De lopende import: /ui/catalogus/import/{error.job_id}" if error.job_id else ""),
        )
    if isinstance(error, PreconditionFailed):
        return Message(
            "Iemand anders heeft deze werkplek intussen gewijzigd; uw wijziging is niet opgeslagen.",
            "Hieronder staat de nieuwste versie. Voer uw wijziging opnieuw in.",
        )
    if isinstance(error, NothingToScore):
        return Message(
            "Er is nog niets om te vergelijken: deze werkplek heeft geen vaardigheden.",
            "Voeg vaardigheden toe op de pagina van de werkplek, of vul een omschrijving in.",
        )
    if isinstance(error, PayloadTooLarge):
        limit = f" (maximaal {max_upload_bytes / 1_000_000:.0f} MB)" if max_upload_bytes else ""
        return Message(
            f"Het bestand is te groot{limit}.",
            "Splits het bestand en lees de delen apart in, of lees een landelijke export in onder "
            "'Landelijke export inlezen'.",
        )
    if isinstance(error, UnsupportedDocument):
        return Message(
            "Dit soort bestand kunnen we niet lezen.",
            "Kies een XML-bestand van SBB voor de catalogus, of een CSV- of Excel-bestand (XLSX) voor werkplekken.",
            (error.detail,),
        )
    if isinstance(error, InvalidDocument):
        details = tuple(
            f"{field_name(e.location)}: {KNOWN_MESSAGES.get(e.message, e.message)}" for e in error.errors
        ) or (error.detail,)
        return Message(
            "Dit kon niet worden verwerkt; er is niets opgeslagen.",
            "Controleer de punten hieronder en probeer het opnieuw.",
            details,
        )
    return Message("Dit is niet gelukt.", "Probeer het opnieuw.", (error.detail,))
