"""Integrity of benchmark set (d): hand-written vacancy texts with hand-labelled sentences.

bench/quality/vacancies/vacancies.json holds the vacancies, sentences.jsonl one labelled unit
(sentence, heading, bullet item or metadata line) a line. Standard library and pytest only.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SET_DIR = ROOT / "bench" / "quality" / "vacancies"

# The 14 dossiers of the set and the kwalificaties (crebo) each contains.
DOSSIERS: dict[str, set[str]] = {
    "23183": {"25486", "25484", "25485"},  # Pedagogisch Werk
    "23185": {"25489", "25488"},  # Sociaal werk
    "23189": {"25499", "25498", "25500"},  # Dienstverlening
    "23181": {"25475", "25476", "25477", "25474", "25479", "25478"},  # Maatschappelijke Zorg
    "23091": {"25193", "25194", "25195", "25196"},  # AV-productie
    "23070": {"25153", "25154", "25155", "25501"},  # Advies en leiding in de verkoop
    "23101": {"25218", "25219"},  # Aftersales Mobiliteitsbranche
    "23030": {"25044", "25045", "25046"},  # Analisten
    "23088": {"25187", "25188"},  # Applicatieontwikkeling
    "23103": {"25225", "25226", "25227"},  # Autoschadehersteltechniek
    "23104": {"25228", "25229"},  # Autospuiten
    "23136": {"25358"},  # Baggeren
    "23081": {"25168", "25169", "25170", "25171"},  # Bediening
    "23046": {"25079", "25080"},  # Betonreparatie
}
ALL_CREBOS = set().union(*DOSSIERS.values())
LABELS = {
    "work",
    "trait",
    "requirement",
    "context",
    "offer",
    "apply",
    "diversity",
    "heading",
    "meta",
    "pitch",
}


@pytest.fixture(scope="module")
def vacancies() -> list[dict]:
    return json.loads((SET_DIR / "vacancies.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def units() -> list[dict]:
    lines = (SET_DIR / "sentences.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def test_counts_ids_and_fields(vacancies: list[dict]) -> None:
    assert len(vacancies) >= 48
    ids = [v["id"] for v in vacancies]
    assert len(set(ids)) == len(ids)
    assert ids == [f"v{i:02d}" for i in range(1, len(ids) + 1)]
    for v in vacancies:
        assert set(v) >= {"id", "title", "dossier", "accepted", "split", "modelled_on", "text"}, v["id"]
        assert v["title"].strip(), v["id"]
        assert v["text"].strip(), v["id"]
        assert 1 <= len(v["modelled_on"]) <= 3, v["id"]
        assert all(u.startswith("https://") or u.startswith("http://") for u in v["modelled_on"]), v["id"]


def test_every_dossier_has_three_vacancies(vacancies: list[dict]) -> None:
    per_dossier = Counter(v["dossier"] for v in vacancies)
    assert set(per_dossier) <= set(DOSSIERS)
    for dossier in DOSSIERS:
        assert per_dossier[dossier] >= 3, dossier


def test_accepted_crebos_are_known(vacancies: list[dict]) -> None:
    for v in vacancies:
        assert v["accepted"], v["id"]
        assert len(set(v["accepted"])) == len(v["accepted"]), v["id"]
        assert set(v["accepted"]) <= ALL_CREBOS, v["id"]
        # The labelled dossier contributes at least one accepted kwalificatie.
        assert set(v["accepted"]) & DOSSIERS[v["dossier"]], v["id"]


def test_split_is_dev_or_test_and_covers_every_dossier(vacancies: list[dict]) -> None:
    assert {v["split"] for v in vacancies} <= {"dev", "test"}
    for split in ("dev", "test"):
        assert {v["dossier"] for v in vacancies if v["split"] == split} == set(DOSSIERS), split


def test_units_are_labelled(units: list[dict], vacancies: list[dict]) -> None:
    assert len(units) >= 300
    known = {v["id"] for v in vacancies}
    for u in units:
        assert u["id"] in known, u
        assert u["label"] in LABELS, u
        assert u["text"], u
        assert u["text"] == u["text"].strip(), u


def test_units_cover_each_text_in_order(units: list[dict], vacancies: list[dict]) -> None:
    by_id: dict[str, list[dict]] = defaultdict(list)
    for u in units:
        by_id[u["id"]].append(u)
    for v in vacancies:
        text = v["text"]
        its = by_id[v["id"]]
        assert its, v["id"]
        assert [u["n"] for u in its] == list(range(len(its))), v["id"]
        pos = 0
        for u in its:
            start = text.find(u["text"], pos)
            assert start >= 0, (v["id"], u["n"], u["text"])
            assert text[pos:start].strip() == "", (v["id"], u["n"], text[pos:start])
            pos = start + len(u["text"])
        assert text[pos:].strip() == "", (v["id"], text[pos:])
