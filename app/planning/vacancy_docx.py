"""The vacancy as a Word document (.docx) for the communications team, from the same text as the Markdown
(`vacancy.vacancy_text`): a title, the directies, the workplaces, the skills, the programmes and the
standard sentence, in Word's own styles (Title, Heading 1, List Bullet) so that a house template restyles
it. The document says it is Dutch (nl-NL), for Word's spelling check.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from app.planning.vacancy import Vacancy, vacancy_text

if TYPE_CHECKING:
    from docx.document import Document as WordDocument

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
LANGUAGE = "nl-NL"


def to_docx(vacancy: Vacancy) -> bytes:
    # python-docx (and lxml's document classes) load on the first document asked for, not at start-up:
    # about 5 MB resident in every server that never writes one.
    from docx import Document

    text = vacancy_text(vacancy)
    document = Document()
    _dutch(document)
    properties = document.core_properties
    properties.title = text.title
    properties.author = "skillmatch"
    properties.language = LANGUAGE
    document.add_heading(text.title, level=0)
    if text.directies:
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{text.directies[0]}: ").bold = True
        paragraph.add_run(text.directies[1])
    if text.workplaces_intro:
        document.add_paragraph(text.workplaces_intro)
        for title in text.workplaces:
            document.add_paragraph(title, style="List Bullet")
    document.add_heading(text.skills_heading, level=1)
    for skill in text.skills:
        document.add_paragraph(skill, style="List Bullet")
    if text.trainable:
        document.add_paragraph(text.trainable)
    document.add_heading(text.programmes_heading, level=1)
    for programme in text.programmes:
        document.add_paragraph(programme, style="List Bullet")
    if text.no_programme:
        document.add_paragraph(text.no_programme)
    document.add_paragraph(text.sentence)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _dutch(document: WordDocument) -> None:
    """Mark the default paragraph style as Dutch (w:lang), so that Word checks the spelling as Dutch."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = document.styles["Normal"].element.get_or_add_rPr()
    lang = properties.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        properties.append(lang)
    lang.set(qn("w:val"), LANGUAGE)
