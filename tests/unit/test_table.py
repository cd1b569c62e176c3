from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from app.errors import InvalidDocument, UnsupportedDocument
from app.ingest.table import (
    MAX_CELL_CHARS,
    SkillRow,
    WorkplaceRecord,
    parse_workplace_table,
)
from app.ingest.templates import template_csv, template_xlsx

FIXTURE = Path(__file__).resolve().parents[2] / "data" / "fixtures" / "workplaces.csv"

DUTCH_CSV = (
    "Werkplek;Directie;Omschrijving;Vaardigheid;Gewicht;Essentieel;Trainbaar\n"
    "Medewerker facilitaire dienstverlening;Directie Facilitair Bureau;Schoon en gastvrij;"
    "Post sorteren;3;ja;nee\n"
    ";;;Vergaderzalen klaarzetten;;;ja\n"
    "Pedagogisch medewerker voorschool;Directie Onderwijs;;Peuters begeleiden;hoog;x;\n"
    ";;;;;;\n"
    "Medewerker facilitaire dienstverlening;Directie Facilitair Bureau;Andere tekst;"
    "Catering verzorgen;1;n;j\n"
)


def _xlsx(rows: list[list[object]], title: str = "Sheet") -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _errors(exc: pytest.ExceptionInfo[InvalidDocument]) -> list[tuple[str, str]]:
    return [(e.location, e.message) for e in exc.value.errors]


def test_dutch_csv_semicolon_groups_rows_and_continues_empty_titles() -> None:
    records = parse_workplace_table(DUTCH_CSV.encode(), filename="werkplekken.csv")
    assert [(r.title, r.organisation_unit) for r in records] == [
        ("Medewerker facilitaire dienstverlening", "Directie Facilitair Bureau"),
        ("Pedagogisch medewerker voorschool", "Directie Onderwijs"),
    ]
    facilitair, voorschool = records
    assert facilitair.description == "Schoon en gastvrij"  # first non-empty description wins
    assert facilitair.skills == (
        SkillRow("Post sorteren", 3, True, False, 2),
        SkillRow("Vergaderzalen klaarzetten", 2, False, True, 3),
        SkillRow("Catering verzorgen", 1, False, True, 6),
    )
    assert voorschool.description == ""
    assert voorschool.skills == (SkillRow("Peuters begeleiden", 3, True, False, 4),)


def test_english_headers_comma_delimiter_and_defaults() -> None:
    data = (
        b"workplace,skill,notes\nReceptionist,Visitors welcomen,anything\nReceptionist,Telefoon aannemen,\n"
    )
    (record,) = parse_workplace_table(data, content_type="text/csv")
    assert record == WorkplaceRecord(
        title="Receptionist",
        organisation_unit="",
        description="",
        skills=(
            SkillRow("Visitors welcomen", 2, False, False, 2),
            SkillRow("Telefoon aannemen", 2, False, False, 3),
        ),
    )


def test_quoted_comma_cells_and_header_aliases_with_accents_and_hints() -> None:
    data = (
        b'"Functie","Afdeling","Beschrijving","Skill_Text","Gewicht (1-3)","Knock-out","Aan te leren?"\n'
        b'"Klantcontact","Directie Dienstverlening","Vragen, klachten","Vragen beantwoorden, ook per chat",'
        b'"2.0","WAAR","onwaar"\n'
    )
    (record,) = parse_workplace_table(data, filename="x.csv")
    assert record.organisation_unit == "Directie Dienstverlening"
    assert record.description == "Vragen, klachten"
    assert record.skills == (SkillRow("Vragen beantwoorden, ook per chat", 2, True, False, 2),)


def test_utf8_bom_and_cp1252_and_excel_sep_line() -> None:
    text = "werkplek;vaardigheid\nMedewerker voorschool;Hygiëne bewaken\n"
    for data in (b"\xef\xbb\xbf" + text.encode("utf-8"), text.encode("cp1252"), ("sep=;\n" + text).encode()):
        (record,) = parse_workplace_table(data, filename="a.csv")
        assert record.title == "Medewerker voorschool"
        assert record.skills[0].text == "Hygiëne bewaken"
        assert record.skills[0].line == 2


def test_boolean_and_weight_variants() -> None:
    values = [
        ("ja", True), ("Nee", False), ("J", True), ("n", False), ("yes", True), ("NO", False), ("y", True),
        ("true", True), ("False", False), ("waar", True), ("onwaar", False), ("1", True), ("0", False),
        ("x", True), ("X", True), ("", False),
    ]  # fmt: skip
    weights = ["1", "2", "3", "2.0", "3,0", "laag", "Midden", "HOOG", ""]
    expected_weights = [1, 2, 3, 2, 3, 1, 2, 3, 2]
    lines = ["werkplek;vaardigheid;gewicht;essentieel;trainbaar"]
    for i, (value, _) in enumerate(values):
        lines.append(f"W;skill {i};{weights[i % len(weights)]};{value};{value}")
    (record,) = parse_workplace_table("\n".join(lines).encode(), filename="a.csv")
    assert [s.must_have for s in record.skills] == [b for _, b in values]
    assert [s.trainable for s in record.skills] == [b for _, b in values]
    assert [s.weight for s in record.skills] == [
        expected_weights[i % len(weights)] for i in range(len(values))
    ]


def test_every_bad_row_is_reported_with_row_and_column() -> None:
    data = (
        "werkplek;vaardigheid;gewicht;essentieel;trainbaar\n"
        "W;Post sorteren;5;ja;nee\n"
        "W;Catering;2;misschien;nee\n"
        f"W;Schoonmaak;{'9' * 50};;\n"
        "W;;3;;\n"
        "W;Receptie;1;ja;soms\n"
        "W;post sorteren;2;;\n"
        f"W;{'a' * (MAX_CELL_CHARS + 1)};2;;\n"
    ).encode()
    with pytest.raises(InvalidDocument) as exc:
        parse_workplace_table(data, filename="a.csv")
    assert _errors(exc) == [
        ("row 2, column gewicht", "weight must be 1, 2 or 3 (got '5')"),
        ("row 3, column essentieel", "must_have must be ja or nee (got 'misschien')"),
        ("row 4, column gewicht", f"weight must be 1, 2 or 3 (got '{'9' * 40}…')"),
        ("row 5, column vaardigheid", "skill is empty but weight is filled"),
        ("row 6, column trainbaar", "trainable must be ja or nee (got 'soms')"),
        (
            "row 8, column vaardigheid",
            f"skill is longer than {MAX_CELL_CHARS} characters ({MAX_CELL_CHARS + 1})",
        ),
    ]
    assert "6 errors" in exc.value.detail


def test_duplicate_skill_in_a_workplace_is_an_error() -> None:
    data = b"werkplek;vaardigheid\nW;Post sorteren\nW;post  sorteren\nV;Post sorteren\n"
    with pytest.raises(InvalidDocument) as exc:
        parse_workplace_table(data, filename="a.csv")
    assert _errors(exc) == [("row 3, column vaardigheid", "duplicate skill for 'W' (also on row 2)")]


def test_continuation_row_without_a_workplace_above() -> None:
    with pytest.raises(InvalidDocument) as exc:
        parse_workplace_table(b"werkplek;vaardigheid\n;Post sorteren\n", filename="a.csv")
    assert _errors(exc)[0][0] == "row 2, column werkplek"


def test_missing_required_column_names_it_and_lists_headers() -> None:
    with pytest.raises(InvalidDocument) as exc:
        parse_workplace_table(b"werkplek;gewicht\nW;2\n", filename="a.csv")
    assert "'skill'" in exc.value.detail
    assert "'werkplek', 'gewicht'" in exc.value.detail
    assert exc.value.errors[0].location == "row 1"
    assert "vaardigheid" in exc.value.errors[0].message


@pytest.mark.parametrize(
    "data",
    [b"", b"   \n", b"werkplek;vaardigheid\n", b"werkplek;vaardigheid\n;;\n\n"],
)
def test_empty_table_or_no_data_rows(data: bytes) -> None:
    with pytest.raises(InvalidDocument):
        parse_workplace_table(data, filename="a.csv")


def test_too_many_rows() -> None:
    body = "".join(f"W;skill {i}\n" for i in range(10_001))
    with pytest.raises(InvalidDocument, match="more than 10000 rows"):
        parse_workplace_table(("werkplek;vaardigheid\n" + body).encode(), filename="a.csv")


def test_xlsx_in_memory_with_numbers_and_booleans() -> None:
    data = _xlsx(
        [
            ["Werkplek", "Stadsdeel", "Vaardigheid", "Gewicht", "Vereist", "Leerbaar"],
            ["Medewerker buurtwerk", "Stadsdeel Nieuw-West", "Contact leggen met bewoners", 3.0, True, None],
            [None, None, "Activiteiten organiseren", 1, "nee", 1],
            [],
            ["Medewerker buurtwerk", "Stadsdeel Nieuw-West", "Vrijwilligers begeleiden", None, False, "ja"],
        ],
        title="Werkplekken",
    )
    (record,) = parse_workplace_table(data, filename="profiel.xlsx")
    assert record.organisation_unit == "Stadsdeel Nieuw-West"
    assert record.skills == (
        SkillRow("Contact leggen met bewoners", 3, True, False, 2),
        SkillRow("Activiteiten organiseren", 1, False, True, 3),
        SkillRow("Vrijwilligers begeleiden", 2, False, True, 5),
    )


def test_xlsx_prefers_a_sheet_named_skills_and_is_detected_by_magic_bytes() -> None:
    workbook = openpyxl.Workbook()
    first = workbook.active
    assert first is not None
    first.append(["Uitleg"])
    skills = workbook.create_sheet("Skills")
    skills.append(["title", "skill"])
    skills.append(["Receptionist", "Bezoekers ontvangen"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    (record,) = parse_workplace_table(buffer.getvalue())  # no filename, no content type
    assert record.title == "Receptionist"


def test_xlsx_errors_are_collected_too() -> None:
    data = _xlsx([["werkplek", "vaardigheid", "gewicht"], ["W", "A skill", 7], ["W", "Other skill", "veel"]])
    with pytest.raises(InvalidDocument) as exc:
        parse_workplace_table(
            data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    assert _errors(exc) == [
        ("row 2, column gewicht", "weight must be 1, 2 or 3 (got '7')"),
        ("row 3, column gewicht", "weight must be 1, 2 or 3 (got 'veel')"),
    ]


@pytest.mark.parametrize("size", [60_000_000, 5_000_000])  # over 50 MB; under it but a ratio over 100
def test_zip_bomb_is_refused_before_openpyxl(size: int) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<" * size)
    data = buffer.getvalue()
    assert len(data) < 200_000
    with pytest.raises(InvalidDocument, match="too large to read safely"):
        parse_workplace_table(data, filename="bom.xlsx")


def test_damaged_xlsx_and_other_zip_files() -> None:
    with pytest.raises(InvalidDocument, match="damaged"):
        parse_workplace_table(b"PK\x03\x04 not really a zip", filename="a.xlsx")
    with pytest.raises(InvalidDocument, match="damaged"):
        parse_workplace_table(b"plain text", filename="a.xlsx")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")
    with pytest.raises(UnsupportedDocument):
        parse_workplace_table(buffer.getvalue(), filename="a.docx")
    with pytest.raises(InvalidDocument, match="cannot be read"):
        parse_workplace_table(
            _zip({"[Content_Types].xml": "<nonsense", "xl/workbook.xml": "<nonsense"}), filename="a.xlsx"
        )


def _zip(members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "filename", "content_type"),
    [
        (b"%PDF-1.7 ...", "cv.pdf", None),
        (b"%PDF-1.7 ...", None, "application/pdf"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old", "oud.xls", None),
        (b"PK\x03\x04...", "sheet.ods", None),
    ],
)
def test_unknown_file_type(data: bytes, filename: str | None, content_type: str | None) -> None:
    with pytest.raises(UnsupportedDocument):
        parse_workplace_table(data, filename=filename, content_type=content_type)


def test_binary_data_without_hints_is_not_read_as_csv() -> None:
    with pytest.raises(InvalidDocument, match="not readable text"):
        parse_workplace_table(b"\x00\x01\x02werkplek")


def test_fixture_parses_to_six_workplaces_and_fifty_skills() -> None:
    records = parse_workplace_table(FIXTURE.read_bytes(), filename=FIXTURE.name)
    assert [(r.title, r.organisation_unit, len(r.skills)) for r in records] == [
        ("Medewerker facilitaire dienstverlening stadskantoor", "Directie Facilitair Bureau", 10),
        ("Pedagogisch medewerker voorschool", "Directie Onderwijs", 9),
        ("Medewerker klantcontact", "Directie Dienstverlening", 9),
        ("Medewerker buurtwerk", "Stadsdeel Nieuw-West", 8),
        ("Administratief medewerker burgerzaken", "Stadsdeel Zuidoost", 7),
        ("Assistent jongerenwerker", "Stadsdeel Noord", 7),
    ]
    assert all(r.description for r in records)
    skills = [s for r in records for s in r.skills]
    assert {s.weight for s in skills} == {1, 2, 3}
    assert any(s.must_have for s in skills)
    assert any(s.trainable for s in skills)


def test_templates_round_trip() -> None:
    from_xlsx = parse_workplace_table(template_xlsx(), filename="sjabloon.xlsx")
    from_csv = parse_workplace_table(template_csv().encode("utf-8"), filename="sjabloon.csv")
    assert from_xlsx == from_csv
    (record,) = from_xlsx
    assert record.organisation_unit == "Directie Facilitair Bureau"
    assert record.skills[0].weight == 3
    assert record.skills[0].must_have is True
    assert (
        template_csv().lstrip("\ufeff").startswith("werkplek;organisatieonderdeel;omschrijving;vaardigheid")
    )
