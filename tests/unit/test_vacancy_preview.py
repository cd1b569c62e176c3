"""The vacancy preview: before and after an edit, and the diff, checked against the vacancy that saving
the edit in the workplaces gives."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import docx
import pytest
from sqlalchemy.orm import Session

from app.catalogue.service import import_dossiers
from app.errors import Conflict
from app.matching.embedders import Embedder
from app.matching.service import Matcher
from app.planning import profiles, vacancy, vacancy_docx
from app.planning.skills import PlanSkill, load_workplaces
from app.workplaces.service import SkillInput, WorkplaceInput, import_workplaces, update_workplace

FIXTURES = Path(__file__).resolve().parent.parent.parent / "data" / "fixtures"
KLANTCONTACT = "Medewerker klantcontact"
BURGERZAKEN = "Administratief medewerker burgerzaken"
# Not covered by 25901 (Medewerker facilitaire services) at klantcontact, 2 of its 20 weight each
UNCOVERED = ("Omgaan met boze of gefrustreerde klanten", "Zakelijke e-mails schrijven in correct Nederlands")


@pytest.fixture
def matcher(hashing_embedder: Embedder) -> Matcher:
    return Matcher(hashing_embedder, lexical="none", lexical_weight=0.0, threshold=None, min_coverage=0.7)


@pytest.fixture
def demo(session: Session, matcher: Matcher) -> dict[str, int]:
    import_dossiers(
        session,
        documents=[p.read_bytes() for p in sorted((FIXTURES / "dossiers").glob("*.xml"))],
        on_change=matcher.embed_catalogue,
    )
    imported = import_workplaces(session, data=(FIXTURES / "workplaces.csv").read_bytes(), filename="w.csv")
    return {i.workplace.title: i.workplace.id for i in imported}


@pytest.fixture
def profile_id(session: Session, demo: dict[str, int]) -> int:
    ids = [demo[KLANTCONTACT], demo[BURGERZAKEN]]
    return profiles.create_profile(session, name="Klant en burger", workplace_ids=ids).id


def _save(session: Session, workplace_id: int, edits: vacancy.VacancyEdits) -> None:
    """What the edit does once saved: the same skills left out and added, stored."""
    (workplace,) = load_workplaces(session, workplace_ids=[workplace_id])
    removed = {vacancy.label_key(t) for t in edits.remove}
    skills = [s for s in workplace.skills if vacancy.label_key(s.text) not in removed]
    skills += [
        s for s in edits.add if vacancy.label_key(s.text) not in {vacancy.label_key(k.text) for k in skills}
    ]
    data = WorkplaceInput(
        title=workplace.title,
        organisation_unit=workplace.organisation_unit,
        skills=tuple(SkillInput(s.text, s.weight, s.must_have, s.trainable) for s in skills),
    )
    update_workplace(session, workplace_id, data=data)


def test_without_edits_the_preview_is_the_vacancy(
    session: Session, matcher: Matcher, profile_id: int
) -> None:
    preview = vacancy.preview_profile_vacancy(session, matcher, profile_id, vacancy.VacancyEdits())
    stored = vacancy.profile_vacancy(session, matcher, profile_id)
    assert preview.before == preview.after == stored  # the per-workplace core and the matrix agree
    assert preview.programmes_gained == preview.programmes_lost == preview.programmes_changed == ()
    assert preview.skills_gained == preview.skills_lost == ()


def test_a_removed_and_an_added_skill_are_what_saving_them_gives(
    session: Session, matcher: Matcher, demo: dict[str, int], profile_id: int
) -> None:
    added = PlanSkill("Kassa opmaken aan het eind van de dag", 3, True, False)
    edits = vacancy.VacancyEdits(remove=(UNCOVERED[0].lower(), UNCOVERED[1]), add=(added,))
    preview = vacancy.preview_profile_vacancy(session, matcher, profile_id, edits)
    before = vacancy.profile_vacancy(session, matcher, profile_id)
    assert preview.before == before
    for title in (KLANTCONTACT, BURGERZAKEN):
        _save(session, demo[title], edits)
    saved = vacancy.profile_vacancy(session, matcher, profile_id)
    assert preview.after == saved
    listed_before = {p.programme.crebo for p in before.programmes}
    listed_after = {p.programme.crebo for p in saved.programmes}
    assert {p.programme.crebo for p in preview.programmes_gained} == listed_after - listed_before
    assert {p.programme.crebo for p in preview.programmes_lost} == listed_before - listed_after
    assert preview.programmes_gained or preview.programmes_lost  # the edit changes the list
    assert "Kassa opmaken aan het eind van de dag" in preview.skills_gained
    assert all(t not in [s.text for s in preview.after.skills] for t in UNCOVERED)
    # a must-have that no programme covers knocks every programme out: the vacancy then lists none
    assert preview.after.programmes == ()
    assert {p.programme.crebo for p in preview.programmes_lost} == listed_before


def test_removing_what_a_diploma_lacks_gains_it(
    session: Session, matcher: Matcher, demo: dict[str, int]
) -> None:
    """Klantcontact, weights 20; 25901 covers 12 (0.6). Without the two uncovered skills of weight 2 it
    covers 12 of 16 (0.75): eligible, so the vacancy gains it."""
    profile = profiles.create_profile(session, name="Klantcontact", workplace_ids=[demo[KLANTCONTACT]])
    preview = vacancy.preview_profile_vacancy(
        session, matcher, profile.id, vacancy.VacancyEdits(remove=UNCOVERED)
    )
    assert "25901" not in {p.programme.crebo for p in preview.before.programmes}
    (gained,) = [p for p in preview.programmes_gained if p.programme.crebo == "25901"]
    assert gained.coverage == 0.75
    assert set(preview.skills_lost) <= set(UNCOVERED)


def test_a_stricter_minimum_loses_what_does_not_reach_it(
    session: Session, matcher: Matcher, demo: dict[str, int], profile_id: int
) -> None:
    everything = profiles.create_profile(session, name="Alles", workplace_ids=list(demo.values())).id
    preview = vacancy.preview_profile_vacancy(
        session, matcher, everything, vacancy.VacancyEdits(min_coverage=0.95)
    )
    strict = vacancy.profile_vacancy(session, matcher, everything, min_coverage=0.95)
    assert preview.after == strict
    assert preview.after.min_coverage == 0.95
    assert "25902" in {p.programme.crebo for p in preview.programmes_lost}  # 0.7619 at its only workplace
    assert {p.programme.crebo for p in preview.programmes_lost} == {
        p.programme.crebo for p in preview.before.programmes
    } - {p.programme.crebo for p in strict.programmes}
    assert preview.skills_gained == preview.skills_lost == ()
    # klantcontact (0.9) and burgerzaken (1.0) both list 25905; at 1.0 only burgerzaken does
    (changed,) = vacancy.preview_profile_vacancy(
        session, matcher, profile_id, vacancy.VacancyEdits(min_coverage=1.0)
    ).programmes_changed
    before, after = changed
    assert before.programme.crebo == after.programme.crebo == "25905"
    assert (before.coverage, before.eligible_workplaces) == (0.95, 2)
    assert (after.coverage, after.eligible_workplaces) == (1.0, 1)


def test_removing_a_skill_the_profile_does_not_have_is_refused(
    session: Session, matcher: Matcher, profile_id: int
) -> None:
    with pytest.raises(Conflict, match="Een vliegtuig besturen") as refused:
        vacancy.preview_profile_vacancy(
            session, matcher, profile_id, vacancy.VacancyEdits(remove=("Een vliegtuig besturen",))
        )
    assert [e.location for e in refused.value.errors] == ["remove"]


def test_file_names_are_plain_ascii(session: Session, matcher: Matcher, profile_id: int) -> None:
    vacancy_ = vacancy.profile_vacancy(session, matcher, profile_id)
    named = [
        ("Zorg & Welzijn — Noord", "vacature-zorg-welzijn-noord.docx"),
        ("Café-medewerker (ß)", "vacature-cafe-medewerker.docx"),
        ("—", f"vacature-profile-{profile_id}.docx"),
    ]
    for name, expected in named:
        assert vacancy.filename(replace(vacancy_, name=name), "docx") == expected
    text = [p.text for p in docx.Document(io.BytesIO(vacancy_docx.to_docx(vacancy_))).paragraphs]
    assert text[0] == "Traineeship: Klant en burger"
    assert text[-1] == vacancy.STANDARD_SENTENCE
