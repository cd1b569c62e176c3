"""The SBB parser reads a document in chunks and drops each dossier's elements once parsed, so a national
export is never one element tree; it gives the same dossiers as before, and the same errors."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from app.errors import InvalidDocument
from app.ingest import sbb_xml
from app.ingest.sbb_xml import parse_sbb_xml, read_sbb_xml

FIXTURES = Path(__file__).resolve().parents[2] / "data" / "fixtures" / "dossiers"


def _export(*names: str) -> bytes:
    """Several fixture dossiers in one <sbb> export (the lookup lists of the first)."""
    documents = [(FIXTURES / n).read_text(encoding="utf-8") for n in names]
    head, _, _ = documents[0].partition("<dossiers>")
    bodies = [re.search(r"<dossiers>(.*)</dossiers>", d, re.S).group(1) for d in documents]  # type: ignore[union-attr]
    return (head + "<dossiers>" + "".join(bodies) + "</dossiers>\n</sbb>\n").encode("utf-8")


NAMES = ("facilitaire_dienstverlening.xml", "kinderopvang.xml", "secretariaat_klantcontact.xml")


def test_a_multi_dossier_export_gives_the_dossiers_of_its_files() -> None:
    one_by_one = [d for n in NAMES for d in parse_sbb_xml((FIXTURES / n).read_bytes())]
    seen: list[str] = []
    together = read_sbb_xml(io.BytesIO(_export(*NAMES)), on_dossier=lambda d: seen.append(d.crebo))
    assert together == one_by_one
    assert seen == [d.crebo for d in one_by_one]


def test_each_dossier_is_dropped_from_the_tree_once_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    sizes: list[int] = []
    original = sbb_xml._Reader.dossier

    def dossier(self: sbb_xml._Reader, element: object) -> None:
        original(self, element)  # type: ignore[arg-type]
        root = self.root_element
        assert root is not None
        holder = root.find("dossiers")
        sizes.append(len(holder) if holder is not None else 0)

    monkeypatch.setattr(sbb_xml._Reader, "dossier", dossier)
    monkeypatch.setattr(sbb_xml, "_READ_CHUNK", 4096)  # many chunks
    read_sbb_xml(io.BytesIO(_export(*NAMES)))
    # when a dossier has been parsed, it is the only one under <dossiers> (removed right after)
    assert sizes == [1, 1, 1]


def test_lookup_lists_after_the_dossiers_are_read_in_a_second_pass() -> None:
    data = _export(*NAMES).decode("utf-8")
    lookups = re.search(r"<domeinen>.*</competenties>", data, re.S)
    assert lookups is not None
    moved = data.replace(lookups.group(0), "").replace("</dossiers>", "</dossiers>" + lookups.group(0))
    assert read_sbb_xml(io.BytesIO(moved.encode("utf-8"))) == parse_sbb_xml(_export(*NAMES))


def test_errors_in_several_dossiers_are_all_reported_with_line_and_element() -> None:
    data = _export(*NAMES).decode("utf-8").replace('niveau="3"', 'niveau="7"')
    with pytest.raises(InvalidDocument) as caught:
        read_sbb_xml(io.BytesIO(data.encode("utf-8")))
    errors = caught.value.errors
    assert len(errors) >= 2
    assert all(re.match(r"line \d+, <profiel titel=", e.location) for e in errors)
    assert all(e.message == "niveau must be 1 to 4, not '7'" for e in errors)


def test_invalid_utf8_in_a_later_chunk_names_its_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sbb_xml, "_READ_CHUNK", 1024)
    data = _export(*NAMES)
    at = data.index(b"</dossiers>")
    broken = data[:at] + b"\xff" + data[at:]
    with pytest.raises(InvalidDocument) as caught:
        read_sbb_xml(io.BytesIO(broken))
    assert caught.value.detail == "the document is not valid UTF-8"
    (error,) = caught.value.errors
    line = broken[:at].count(b"\n") + 1
    assert error.location == f"line {line}"
    assert error.message == f"invalid byte at offset {at}"
