"""The benchmark's data: a national-size catalogue and 1,000 workplaces, built deterministically from real data.

The catalogue: the 14 kwalificaties of the four real SBB dossiers are replicated into ~470 synthetic
kwalificaties in ~136 synthetic dossiers (new crebos). Each copy keeps a random subset of 48–80 of its
template's statements (in their original order), and about half of those are replaced by a word-level
perturbation of the text (a word dropped, two neighbours swapped, or an adverb inserted). Each original
text has at most `VARIANTS` perturbations, so the catalogue has ~30,000 statements but only a few
thousand distinct texts: the model is needed once per distinct text, as with a real catalogue, whose
dossiers share many statements (the four real dossiers have 3,543 statements and 1,248 distinct texts).

The workplaces: skills are Dutch ESCO skill labels (preferred terms), drawn from a fixed pool; ad-hoc
"new phrase" queries use ESCO labels outside that pool, and the 150-word descriptions are the real
kwalificaties' typering texts. Every random draw comes from `random.Random(SEED)`.
"""

from __future__ import annotations

import csv
import hashlib
import random
from dataclasses import dataclass
from pathlib import Path

from app.ingest.sbb_xml import ParsedDossier, Statement, parse_sbb_xml
from bench.shared import shared_data

SEED = 20261122
KWALIFICATIES = 470
STATEMENTS_PER_KWALIFICATIE = (48, 80)
PERTURBED_SHARE = 0.5
VARIANTS = 2
WORKPLACES = 1000
SKILLS_PER_WORKPLACE = (6, 16)
WORKPLACE_POOL = 1200
INSERTS = ("zelfstandig", "zorgvuldig", "tijdig", "ook", "samen", "nauwkeurig", "actief", "direct")


def dossier_files() -> list[Path]:
    files = sorted((shared_data() / "sbb-kd-xml-2016").glob("*.xml"))
    if len(files) != 4:
        raise SystemExit(
            f"expected the 4 SBB dossiers in {shared_data() / 'sbb-kd-xml-2016'}, found {len(files)}"
        )
    return files


def real_dossiers() -> list[ParsedDossier]:
    return [d for f in dossier_files() for d in parse_sbb_xml(f.read_bytes())]


def _stable(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def perturb(text: str, seed: int) -> str:
    """A word-level variant of `text`: one or two of drop / swap / insert, chosen by `seed`."""
    rng = random.Random(f"{seed}:{text}")
    words = text.split()
    for _ in range(rng.choice((1, 2))):
        op = rng.randrange(3)
        if op == 0 and len(words) >= 4:
            del words[rng.randrange(1, len(words))]
        elif op == 1 and len(words) >= 3:
            i = rng.randrange(1, len(words) - 1)
            words[i], words[i + 1] = words[i + 1], words[i]
        else:
            words.insert(rng.randrange(1, len(words) + 1), rng.choice(INSERTS))
    variant = " ".join(words)
    return variant if variant != text else text + " " + INSERTS[seed % len(INSERTS)]


@dataclass(frozen=True, slots=True)
class SyntheticKwalificatie:
    crebo: str
    title: str
    niveau: int
    statements: tuple[Statement, ...]


@dataclass(frozen=True, slots=True)
class SyntheticDossier:
    crebo: str
    title: str
    template: ParsedDossier
    kwalificaties: tuple[SyntheticKwalificatie, ...]


def national_catalogue(dossiers: list[ParsedDossier]) -> list[SyntheticDossier]:
    """~470 kwalificaties, ~30,000 statements: replicas of the real dossiers (see the module docstring)."""
    rng = random.Random(SEED)
    result: list[SyntheticDossier] = []
    made = 0
    replica = 0
    while made < KWALIFICATIES:
        for template in dossiers:
            if made >= KWALIFICATIES:
                break
            kwalificaties = []
            for k in template.kwalificaties:
                if made >= KWALIFICATIES:
                    break
                size = min(len(k.statements), rng.randint(*STATEMENTS_PER_KWALIFICATIE))
                chosen = sorted(rng.sample(range(len(k.statements)), size))
                statements = []
                for i in chosen:
                    s = k.statements[i]
                    text = s.text
                    if rng.random() < PERTURBED_SHARE:
                        text = perturb(s.text, rng.randrange(VARIANTS))
                    statements.append(Statement(code=s.code, kind=s.kind, text=text))
                kwalificaties.append(
                    SyntheticKwalificatie(
                        crebo=f"{30000 + made:05d}",
                        title=f"{k.title} ({replica + 1})",
                        niveau=k.niveau,
                        statements=tuple(statements),
                    )
                )
                made += 1
            result.append(
                SyntheticDossier(
                    crebo=f"{60000 + len(result):05d}",
                    title=f"{template.title} ({replica + 1})",
                    template=template,
                    kwalificaties=tuple(kwalificaties),
                )
            )
        replica += 1
    return result


def _esco_labels() -> list[str]:
    path = shared_data() / "esco-nl" / "derived_skills_nl_from_collections.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        labels = {row["preferredLabel"].strip() for row in csv.DictReader(handle)}
    return sorted((label for label in labels if 2 <= len(label.split()) <= 12), key=_stable)


def skill_phrases() -> tuple[list[str], list[str]]:
    """(workplace pool, fresh phrases): Dutch ESCO skill labels, split deterministically."""
    labels = _esco_labels()
    return labels[:WORKPLACE_POOL], labels[WORKPLACE_POOL:]


@dataclass(frozen=True, slots=True)
class SyntheticSkill:
    text: str
    weight: int
    must_have: bool
    trainable: bool


@dataclass(frozen=True, slots=True)
class SyntheticWorkplace:
    title: str
    organisation_unit: str
    skills: tuple[SyntheticSkill, ...]


def workplaces(pool: list[str]) -> list[SyntheticWorkplace]:
    rng = random.Random(SEED + 1)
    units = [f"Directie {i + 1}" for i in range(25)]
    result = []
    for i in range(WORKPLACES):
        texts = rng.sample(pool, rng.randint(*SKILLS_PER_WORKPLACE))
        skills = tuple(
            SyntheticSkill(
                text=t,
                weight=rng.choice((1, 2, 2, 3)),
                must_have=rng.random() < 0.2,
                trainable=rng.random() < 0.5,
            )
            for t in texts
        )
        result.append(SyntheticWorkplace(f"Werkplek {i + 1}", rng.choice(units), skills))
    return result


def descriptions(dossiers: list[ParsedDossier]) -> list[str]:
    """Real typering texts of 120–200 words (the ~150-word free-text description case)."""
    texts = [k.typering for d in dossiers for k in d.kwalificaties if 120 <= len(k.typering.split()) <= 200]
    return sorted(texts, key=_stable)
