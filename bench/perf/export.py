"""A multi-dossier SBB XML export, as SBB publishes its national one: real dossiers copied with new crebos
and every text perturbed, so that each copy's statements are new to the model.

The copies are made at the XML level from the real 2015/16 dossiers (`../shared/data/sbb-kd-xml-2016`):
crebos renumbered (dossiers 6xxxx, kwalificaties 3xxxx), titles numbered, and every kerntaak, werkproces
and kennis-of-vaardigheid title and every line of a werkproces text perturbed by `data.perturb` (a word
dropped, two swapped, or an adverb inserted), with a new seed until the text is one not written before.
`keep` < 1 keeps that share of each kerntaak's werkprocessen, vakkennis and competenties (at least one
of each), to reach the national catalogue's ~64 statements per kwalificatie instead of the 2016
dossiers' ~250. Deterministic: the same arguments write the same bytes.
"""

from __future__ import annotations

import copy
import random
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from bench.perf.data import perturb

SEED = 20261202
TITLED = {"kerntaak", "werkproces", "kennisofvaardigheid"}
TEXTS = {"werkprocesomschrijving", "werkprocesresultaat", "werkprocesgedrag", "omschrijving"}


@dataclass(frozen=True, slots=True)
class Export:
    path: Path
    dossiers: int
    kwalificaties: int
    size_bytes: int


class _Distinct:
    def __init__(self) -> None:
        self.seen: set[str] = set()

    def __call__(self, text: str, seed: int) -> str:
        for attempt in range(64):
            variant = perturb(text, seed * 64 + attempt)
            if variant not in self.seen:
                self.seen.add(variant)
                return variant
        variant = f"{text} ({seed})"
        self.seen.add(variant)
        return variant


def _lines(text: str | None, distinct: _Distinct, seed: int) -> str | None:
    if not text or not text.strip():
        return text
    out = []
    for line in text.split("\n"):
        body = line.strip()
        if not body or body.endswith(":") or len(body.split()) < 2:
            out.append(line)
            continue
        lead = line[: len(line) - len(line.lstrip())]
        bullet = body[0] if body[0] in "-•*–" else ""
        words = body[1:].strip() if bullet else body
        out.append(f"{lead}{bullet}{' ' if bullet else ''}{distinct(words, seed)}")
    return "\n".join(out)


def _copy(
    template: ET.Element,
    number: int,
    replica: int,
    first_crebo: int,
    distinct: _Distinct,
    rng: random.Random,
    keep: float,
) -> tuple[ET.Element, int]:
    dossier = copy.deepcopy(template)
    crebo = dossier.find("dossiercrebos/dossiercrebo")
    assert crebo is not None
    crebo.text = f"{60000 + number:05d}"
    dossier.set("titel", f"{dossier.get('titel', '')} ({replica})")
    profielen = dossier.findall("profielen/profiel")
    for offset, profiel in enumerate(profielen):
        profiel.set("titel", f"{profiel.get('titel', '')} ({replica})")
        kwalificatie = profiel.find("creboinformatie/crebo")
        assert kwalificatie is not None
        kwalificatie.text = f"{first_crebo + offset:05d}"
    if keep < 1.0:
        holders = [
            (holder, tag)
            for outer, tag in (
                ("basiswerkprocessen", "werkproces"),
                ("profielwerkprocessen", "werkproces"),
                ("vakkennisenvaardigheden", "vakkennisenvaardigheden"),
                ("werkprocescompetenties", "competentie"),
            )
            for holder in dossier.iter(outer)
        ]
        for holder, tag in holders:
            children = holder.findall(tag)
            if not children:
                continue
            chosen = set(rng.sample(range(len(children)), max(1, round(len(children) * keep))))
            for i, child in enumerate(children):
                if i not in chosen:
                    holder.remove(child)
    for element in dossier.iter():
        if element.tag in TITLED and element.get("titel"):
            element.set("titel", distinct(element.get("titel", ""), replica))
        if element.tag in TEXTS:
            element.text = _lines(element.text, distinct, replica)
            for child in element:
                child.tail = _lines(child.tail, distinct, replica)
    return dossier, len(profielen)


def write_export(
    path: Path,
    templates: list[Path],
    *,
    dossiers: int | None = None,
    kwalificaties: int | None = None,
    keep: float = 1.0,
) -> Export:
    """Write an export of `dossiers` dossiers (or as many as reach `kwalificaties`), cycling the templates."""
    roots = [ET.parse(p).getroot() for p in templates]  # our own copies of SBB's files: trusted input
    rng = random.Random(SEED)
    distinct = _Distinct()
    out = ET.Element("sbb")
    for name in ("domeinen", "competenties"):
        lookup = roots[0].find(name)
        assert lookup is not None
        out.append(copy.deepcopy(lookup))
    holder = ET.SubElement(out, "dossiers")
    made = made_kwalificaties = 0
    while (dossiers is None or made < dossiers) and (
        kwalificaties is None or made_kwalificaties < kwalificaties
    ):
        root = roots[made % len(roots)]
        template = root.find("dossiers/dossier")
        assert template is not None
        element, count = _copy(
            template, made, made // len(roots) + 1, 30000 + made_kwalificaties, distinct, rng, keep
        )
        holder.append(element)
        made += 1
        made_kwalificaties += count
    ET.indent(out)
    ET.ElementTree(out).write(path, encoding="utf-8", xml_declaration=True)
    return Export(path, made, made_kwalificaties, path.stat().st_size)
