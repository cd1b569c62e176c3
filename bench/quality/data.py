"""The benchmark's real data: 14 SBB dossiers (programmes, and each kwalificatie's typering as a query)
and our own labelled vacancy texts (set d, bench/quality/vacancies/).

The dossiers are read where they are, from the shared data folder (SKILLMATCH_SHARED_DATA, default
../shared/data): the 4 complete dossiers of sbb-kd-xml-2016 and the 10 titles-only dossiers of
kd-2016-titles-dev, whose typeringen are in its queries.json (they are not in the XML).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from app.ingest.sbb_xml import ParsedDossier, parse_sbb_xml
from bench.shared import shared_data

VACANCIES = Path(__file__).resolve().parent / "vacancies"


def dossier_files() -> list[Path]:
    """The 4 complete dossiers."""
    return sorted((shared_data() / "sbb-kd-xml-2016").glob("*.xml"))


def titles_dev_files() -> list[Path]:
    """The 10 titles-only dossiers."""
    return sorted((shared_data() / "kd-2016-titles-dev" / "xml").glob("*.xml"))


def load_dossiers(files: list[Path] | None = None) -> list[ParsedDossier]:
    return [d for f in (dossier_files() if files is None else files) for d in parse_sbb_xml(f.read_bytes())]


@dataclass(frozen=True, slots=True)
class Query:
    crebo: str  # the kwalificatie whose typering this is
    dossier: str
    title: str
    text: str


def queries(dossiers: list[ParsedDossier]) -> list[Query]:
    return [
        Query(k.crebo, d.crebo, k.title, k.typering)
        for d in dossiers
        for k in d.kwalificaties
        if k.typering.strip()
    ]


def titles_dev_queries() -> list[Query]:
    """The 27 typeringen of the titles-only dossiers, from queries.json."""
    path = shared_data() / "kd-2016-titles-dev" / "queries.json"
    return [
        Query(q["crebo"], q["dossier_crebo"], q["title"], q["description"])
        for q in json.loads(path.read_text(encoding="utf-8"))
    ]


# What a blinded text calls the worker instead of its job's name: a word no programme in the
# benchmark uses (not SBB's "beroepsbeoefenaar", which the full-content werkprocessen use throughout
# and would pull the blinded text toward the full-content programmes).
NEUTRAL = "werknemer"


def blind(text: str, names: Iterable[str]) -> str:
    """The text with every mention of the given names (a kwalificatie's and its dossier's title) replaced
    by a neutral word, so that it describes the work without naming the job: "De allround laborant werkt
    in een laboratorium" becomes "De werknemer werkt in een laboratorium". A name matches with any
    separators between its words, whatever the case ("Gastronoom/sommelier" matches "gastronoom
    sommelier"); the longest name goes first. Words of a name that stand alone elsewhere stay: they are
    the field ("kinderopvang"), not the job's name."""
    for name in sorted(set(names), key=lambda n: (-len(n), n)):
        words = re.findall(r"\w+", name)
        if words:
            phrase = r"[\W_]+".join(map(re.escape, words))
            text = re.sub(rf"(?<!\w){phrase}(?!\w)", NEUTRAL, text, flags=re.IGNORECASE)
    return text


@dataclass(frozen=True, slots=True)
class Vacancy:
    """One of our own vacancy texts (set d), with the dossier and the kwalificaties a recruiter accepts."""

    id: str
    title: str
    dossier: str
    accepted: frozenset[str]
    split: str  # "dev" or "test"
    text: str


def vacancies() -> list[Vacancy]:
    rows = json.loads((VACANCIES / "vacancies.json").read_text(encoding="utf-8"))
    return [
        Vacancy(r["id"], r["title"], r["dossier"], frozenset(r["accepted"]), r["split"], r["text"])
        for r in rows
    ]


def labelled_units() -> list[dict[str, object]]:
    """The hand-labelled sentences and lines of set (d) (bench/quality/vacancies/README.md)."""
    lines = (VACANCIES / "sentences.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def stable_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
