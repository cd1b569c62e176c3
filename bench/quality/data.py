"""The benchmark's real data: the SBB dossiers (queries and programmes) and the Dutch skill-phrase pairs.

Everything is read from the shared data folder (SKILLMATCH_SHARED_DATA, default ../shared/data) and
every sample is drawn deterministically (sorted by a hash of the text), so two runs see the same data.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from app.ingest.sbb_xml import ParsedDossier, parse_sbb_xml
from bench.shared import shared_data


def dossier_files() -> list[Path]:
    return sorted((shared_data() / "sbb-kd-xml-2016").glob("*.xml"))


def load_dossiers() -> list[ParsedDossier]:
    return [d for f in dossier_files() for d in parse_sbb_xml(f.read_bytes())]


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


def stable_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Pair:
    a: str
    b: str
    positive: bool
    kind: str  # "synonym", "related", "werkproces", "random", "shared-verb"
    source: str  # "esco" or "sbb"


_WORD = re.compile(r"[\w-]+", re.UNICODE)


def _esco_verb(label: str) -> str | None:
    """ESCO's Dutch skill labels end in an infinitive ("voorraad beheren"); None when they do not."""
    words = _WORD.findall(label.lower())
    if len(words) >= 2 and words[-1].endswith("en") and len(words[-1]) > 3:
        verb: str = words[-1]
        return verb
    return None


def _sbb_verb(text: str) -> str | None:
    """SBB werkproces titles and gedrag start with the finite verb ("Voert …", "Bewaakt …")."""
    words = _WORD.findall(text.lower())
    return words[0] if len(words) >= 3 else None


def _esco_skills() -> list[dict[str, str]]:
    path = shared_data() / "esco-nl" / "derived_skills_nl_from_collections.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _broader_of() -> dict[str, tuple[str, str]]:
    """Skill URI → (broader concept URI, its label), from the collection files."""
    result: dict[str, tuple[str, str]] = {}
    folder = shared_data() / "esco-nl"
    for path in sorted(folder.glob("*SkillsCollection_nl.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                uris = (row.get("broaderConceptUri") or "").split(" | ")
                labels = (row.get("broaderConceptPT") or "").split(" | ")
                if uris and uris[0] and labels and labels[0]:
                    result.setdefault(row["conceptUri"], (uris[0], labels[0]))
    return result


# Dutch function words and words every SBB statement uses: they do not make two phrases mean the same.
_STOPWORDS = frozenset(
    {"aan", "als", "bij", "binnen", "door", "een", "eigen", "haar", "hem", "het", "hun", "met", "naar",
     "over", "onder", "tussen", "uit", "van", "voor", "zijn", "zich", "die", "dat", "deze", "ten",
     "behoeve", "andere", "alle", "eventueel", "indien", "nodig", "mede", "gericht", "waar", "mogelijk"}
)  # fmt: skip


def content_stems(text: str, *, skip: str | None = None) -> frozenset[str]:
    """The phrase's content words (4+ letters, no function words, not `skip`), cut to 5 letters so that
    "plan" and "planning" or "activiteit" and "activiteitenprogramma" count as one word."""
    words = _WORD.findall(text.lower())
    return frozenset(w[:5] for w in words if len(w) >= 4 and w not in _STOPWORDS and w != skip)


def _esco_relations() -> list[tuple[str, str]]:
    """Skill–skill relations (essential and optional), as URI pairs."""
    path = shared_data() / "esco-nl" / "skillSkillRelations_nl.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return [(r["originalSkillUri"], r["relatedSkillUri"]) for r in csv.DictReader(handle)]


def phrase_pairs(dossiers: list[ParsedDossier], *, per_kind: int = 150) -> list[Pair]:
    """Labelled Dutch skill-phrase pairs from ESCO labels and SBB statements (docs/benchmarks.md).

    Positives (belong together): an ESCO skill's preferred label and one of its alternative labels
    (synonym); an ESCO skill and its broader *skill* in the skills hierarchy (hierarchy; a broader skill
    *group* such as "recht" names a field, not a skill, and is not used as a partner); two ESCO skills
    linked by a skill–skill relation (relation); an SBB werkproces title and its own resultaat sentence
    (werkproces). Negatives (mean something else): random pairs from different ESCO groups or different
    dossiers that share no verb and no content word (random), and *hard* ones that share their verb but
    no other content word, from different groups or dossiers and not linked by a relation or the
    hierarchy (shared-verb). Two phrases with the same verb and the same object ("Maakt een plan van
    aanpak" / "Maakt een plan van aanpak voor de begeleiding") are not a negative, so such pairs are not
    drawn. The rules use labels and words only, never a scorer.
    """
    pairs: list[Pair] = []
    skills = _esco_skills()
    broader = _broader_of()
    label = {s["conceptUri"]: s["preferredLabel"].strip() for s in skills}
    group = {uri: broader.get(uri, ("", ""))[0] for uri in label}
    linked: set[frozenset[str]] = set()

    synonyms: list[tuple[str, str]] = []
    for s in skills:
        preferred = s["preferredLabel"].strip()
        alts = [a.strip() for a in (s["altLabels"] or "").split(" | ") if a.strip()]
        alts = [a for a in alts if a.lower() != preferred.lower() and len(a) >= 8]
        if alts and len(preferred) >= 8:
            synonyms.append((preferred, min(alts, key=stable_key)))
    synonyms.sort(key=lambda p: stable_key(p[0]))
    pairs += [Pair(a, b, True, "synonym", "esco") for a, b in synonyms[:per_kind]]

    hierarchy: list[tuple[str, str]] = []
    for u, (b, _) in broader.items():
        if u in label and b in label and label[b].lower() != label[u].lower():
            linked.add(frozenset((u, b)))
            hierarchy.append((label[u], label[b]))
    hierarchy.sort(key=lambda p: stable_key(p[0] + "|" + p[1]))
    pairs += [Pair(a, b, True, "hierarchy", "esco") for a, b in hierarchy[:per_kind]]

    relation: dict[frozenset[str], tuple[str, str]] = {}
    for u, v in _esco_relations():
        if u in label and v in label and label[u].lower() != label[v].lower():
            linked.add(frozenset((u, v)))
            relation.setdefault(frozenset((u, v)), (label[u], label[v]))
    related = sorted(relation.values(), key=lambda p: stable_key(p[0] + "|" + p[1]))
    pairs += [Pair(a, b, True, "relation", "esco") for a, b in related[:per_kind]]

    # SBB: werkproces title ↔ its resultaat, once per distinct werkproces text.
    wp_pairs: dict[str, tuple[str, str, str]] = {}
    for d in dossiers:
        for k in d.kwalificaties:
            by_code: dict[str, dict[str, str]] = defaultdict(dict)
            for st in k.statements:
                if st.kind in ("werkproces", "resultaat"):
                    by_code[st.code].setdefault(st.kind, st.text)
            for code, kinds in by_code.items():
                if "werkproces" in kinds and "resultaat" in kinds:
                    wp_pairs.setdefault(kinds["werkproces"], (kinds["resultaat"], d.crebo, code))
    wp = sorted(wp_pairs.items(), key=lambda p: stable_key(p[0]))
    pairs += [Pair(t, r, True, "werkproces", "sbb") for t, (r, _, _) in wp[:per_kind]]

    def unrelated(u: str, v: str) -> bool:
        return group[u] != group[v] and frozenset((u, v)) not in linked

    # Random negatives: ESCO labels from different groups; SBB titles from different dossiers. Neither
    # shares a verb or any content word.
    uris = sorted((u for u in label if group[u]), key=stable_key)
    random_neg: list[Pair] = []
    for i, u in enumerate(uris):
        v = uris[(i * 7 + 3) % len(uris)]
        if (
            unrelated(u, v)
            and not content_stems(label[u]) & content_stems(label[v])
            and len(random_neg) < per_kind
        ):
            random_neg.append(Pair(label[u], label[v], False, "random", "esco"))
    titles: list[tuple[str, str]] = sorted(
        ((t, crebo) for t, (_, crebo, _) in wp_pairs.items()), key=lambda p: stable_key(p[0])
    )
    count = 0
    for i, (t, crebo) in enumerate(titles):
        other, other_crebo = titles[(i * 5 + 2) % len(titles)]
        if crebo != other_crebo and not content_stems(t) & content_stems(other) and count < per_kind // 2:
            random_neg.append(Pair(t, other, False, "random", "sbb"))
            count += 1
    pairs += random_neg

    # Hard negatives: the same verb and nothing else in common, a different group (ESCO, and not linked)
    # or a different dossier (SBB).
    hard: list[Pair] = []
    by_verb: dict[str, list[str]] = defaultdict(list)  # ESCO skill URIs per verb
    for u in uris:
        verb = _esco_verb(label[u])
        if verb:
            by_verb[verb].append(u)
    for verb in sorted(by_verb, key=stable_key):
        members = by_verb[verb]
        for i in range(len(members) - 1):
            u, v = members[i], members[i + 1]
            if unrelated(u, v) and not content_stems(label[u], skip=verb) & content_stems(
                label[v], skip=verb
            ):
                hard.append(Pair(label[u], label[v], False, "shared-verb", "esco"))
                break
    hard = hard[:per_kind]
    sbb_by_verb: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for t, crebo in titles:
        verb = _sbb_verb(t)
        if verb:
            sbb_by_verb[verb].append((t, crebo))
    sbb_hard: list[Pair] = []
    for verb in sorted(sbb_by_verb, key=stable_key):
        same_verb = sbb_by_verb[verb]
        for i in range(len(same_verb)):
            for j in range(i + 1, len(same_verb)):
                (a, ca), (b, cb) = same_verb[i], same_verb[j]
                if ca != cb and not content_stems(a, skip=verb) & content_stems(b, skip=verb):
                    sbb_hard.append(Pair(a, b, False, "shared-verb", "sbb"))
    sbb_hard.sort(key=lambda p: stable_key(p.a + "|" + p.b))
    pairs += hard + sbb_hard[: per_kind // 2]
    return pairs
