"""The pool's evaluation as an XLSX workbook: one sheet per view, headers in Dutch, one row per fact.

Sheets:
- "Trainees": per trainee, the diploma, skills brought in and learnt, and where they landed;
- "Plaatsingen": per trainee and placement, coverage by diploma, at the start and at the end;
- "Programma's per werkplek": which programme worked where, eligible by diploma or qualified on skills;
- "Geleerd": every skill marked learnt, with its date and note.
"""

from __future__ import annotations

import io

from openpyxl import Workbook

from app.trainees.progress import PoolEvaluation

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

TRAINEE_HEADER = (
    "Trainee-id",
    "Referentie",
    "Crebo",
    "Niveau",
    "Begeleider",
    "Skills meegebracht",
    "Skills geleerd",
    "Laatste werkplek",
    "Terechtgekomen bij",
)
PLACEMENT_HEADER = (
    "Trainee-id",
    "Periode",
    "Van",
    "Tot en met",
    "Werkplek",
    "Directie",
    "Dekking diploma",
    "Dekking begin",
    "Dekking eind",
    "Geschikt op diploma",
    "Geschikt aan het eind",
)
PROGRAMME_HEADER = (
    "Werkplek",
    "Directie",
    "Crebo",
    "Opleiding",
    "Niveau",
    "Trainee-id",
    "Periode",
    "Geschikt op diploma",
    "Gekwalificeerd op skills",
    "Dekking diploma",
    "Dekking eind",
)
LEARNT_HEADER = ("Trainee-id", "Periode", "Werkplek", "Skill", "Geleerd op", "Notitie")


def _text(value: str) -> str:
    """Free text as text: openpyxl would store a value starting with "=" as a formula."""
    return "'" + value if value.startswith("=") else value


def _yes(value: bool) -> str:
    return "ja" if value else "nee"


def evaluation_xlsx(evaluation: PoolEvaluation) -> bytes:
    book = Workbook()
    trainees = book.active
    assert trainees is not None
    trainees.title = "Trainees"
    trainees.append(TRAINEE_HEADER)
    placements = book.create_sheet("Plaatsingen")
    placements.append(PLACEMENT_HEADER)
    learnt = book.create_sheet("Geleerd")
    learnt.append(LEARNT_HEADER)
    for view in evaluation.trainees:
        t = view.trainee
        last = view.placements[-1].workplace.title if view.placements else ""
        landed = view.landed.title if view.landed else ""
        trainees.append(
            (
                t.id,
                _text(t.ref),
                t.crebo,
                t.niveau,
                _text(t.begeleider),
                len(view.brought_in),
                len(view.learnt),
                last,
                landed,
            )
        )
        for p in view.placements:
            placements.append(
                (
                    t.id,
                    p.period,
                    p.start,
                    p.end,
                    p.workplace.title,
                    p.workplace.organisation_unit,
                    p.coverage_by_diploma,
                    p.coverage_at_start,
                    p.coverage_at_end,
                    _yes(p.eligible_by_diploma),
                    _yes(p.eligible_at_end),
                )
            )
            for s in p.skills:
                if s.learnt is not None:
                    learnt.append(
                        (
                            t.id,
                            p.period,
                            p.workplace.title,
                            _text(s.text),
                            s.learnt.learnt_on,
                            _text(s.learnt.note),
                        )
                    )
    programmes = book.create_sheet("Programma's per werkplek", 2)
    programmes.append(PROGRAMME_HEADER)
    for r in evaluation.placements:
        programmes.append(
            (
                r.workplace.title,
                r.workplace.organisation_unit,
                r.crebo,
                r.title,
                r.niveau,
                r.trainee_id,
                r.period,
                _yes(r.eligible_by_diploma),
                _yes(r.qualified_on_skills),
                r.coverage_by_diploma,
                r.coverage_at_end,
            )
        )
    for sheet in book.worksheets:
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
