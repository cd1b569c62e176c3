"""The trainee pages say every rule of a pool plan in Dutch, and the service's reasons with names."""

from __future__ import annotations

from app.api.ui.pages import trainees
from app.planning.skills import PlanWorkplace
from app.trainees import plans


def test_every_rule_of_a_plan_has_its_dutch_sentence() -> None:
    assert set(trainees.RULES) == set(plans.RULES)


def test_the_reasons_name_trainees_and_workplaces() -> None:
    names = {3: "Sanne"}
    workplaces = {5: PlanWorkplace(5, "Receptie", "Directie Facilitair", ())}
    reason = trainees._reason("workplace 5 has trainee 3 in period 2", names, workplaces)
    assert reason == "Receptie heeft in periode 2 al Sanne"
    assert trainees._reason("trainee 3 would work at workplace 5 twice", names, workplaces) == (
        "Sanne zou twee keer op Receptie werken"
    )
    assert trainees._reason("Directie X would have 5 trainees; at most 4", names, workplaces) == (
        "Directie X zou 5 trainees krijgen; het plan staat er hoogstens 4 toe"
    )
    assert trainees._reason("something new", names, workplaces) == "something new"  # never lost


def test_why_a_trainee_has_no_workplace_is_said_in_dutch() -> None:
    reason = "no ordering of 3 offered workplaces without a knockout exists for this diploma"
    assert trainees.unplaced(reason) == "er zijn geen 3 werkplekken zonder knock-out voor dit diploma"
    assert trainees.unplaced("taken off by an override") == "met de hand van deze werkplek gehaald"
