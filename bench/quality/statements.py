"""Which statements of a whole vacancy text become skills: `python -m bench.quality.statements [dev|test|all]`.

Each statement that `split_description` marks ``work`` is mapped back to the labelled unit of set (d) it
came from (bench/quality/vacancies/README.md): the unit whose text contains it, the first such one at or
after the unit of the statement before (statements come in text order), else the unit it shares most
words with. Precision is the share of work statements whose unit is labelled ``work``; recall the share
of ``work`` units that give at least one work statement. Tune on ``dev``; ``test`` is the held-out half.
"""

from __future__ import annotations

import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from app.ingest.textsplit import Statement, split_description
from bench.quality.data import Vacancy, labelled_units, vacancies

_WORD = re.compile(r"\w+")
_BULLET = re.compile(r"^\s*(?:[-–—•*·▪●○◦►✓>]+|\d{1,2}[.)]|#+)\s*")


@dataclass(frozen=True, slots=True)
class Unit:
    vacancy: str
    n: int
    label: str
    text: str


@dataclass(frozen=True, slots=True)
class MappedStatement:
    vacancy: str
    text: str
    kind: str
    unit: Unit | None


@dataclass(frozen=True, slots=True)
class StatementFigures:
    vacancies: int
    work_statements: int
    precision: float  # share of work statements whose unit is labelled work
    recall: float  # share of work units that give at least one work statement
    work_units: int
    false_by_label: dict[str, int]  # label of the unit of each work statement that is not work
    missed: tuple[Unit, ...]  # work units that gave no work statement
    false: tuple[MappedStatement, ...]  # work statements from a unit not labelled work


def _norm(text: str) -> str:
    return " ".join(_BULLET.sub("", text).replace("*", "").casefold().split())


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.casefold()))


def map_statements(statements: Sequence[Statement], units: Sequence[Unit]) -> list[Unit | None]:
    """The unit each statement came from: containing it (in text order), else the best overlapping one."""
    normed = [_norm(u.text) for u in units]
    words = [_words(u.text) for u in units]
    mapped: list[Unit | None] = []
    cursor = 0
    for statement in statements:
        target = _norm(statement.text)
        order = [*range(cursor, len(units)), *range(cursor)]
        found = next((i for i in order if target and target in normed[i]), None)
        if found is None:
            own = _words(statement.text)
            best = max(
                range(len(units)), key=lambda i: (len(own & words[i]) / (len(own) or 1), -abs(i - cursor))
            )
            found = best if units and own & words[best] else None
        if found is not None:
            cursor = found
        mapped.append(units[found] if found is not None else None)
    return mapped


def evaluate(
    texts: Sequence[Vacancy],
    units: Sequence[Mapping[str, object]],
    split: Callable[[str], list[Statement]] = split_description,
) -> StatementFigures:
    """Precision and recall of the work statements of `split` on the vacancies, against the labelled units."""
    by_vacancy: dict[str, list[Unit]] = {}
    for row in units:
        unit = Unit(str(row["id"]), int(str(row["n"])), str(row["label"]), str(row["text"]))
        by_vacancy.setdefault(unit.vacancy, []).append(unit)
    work_statements: list[MappedStatement] = []
    covered: set[tuple[str, int]] = set()
    work_units: list[Unit] = []
    for vacancy in texts:
        own = sorted(by_vacancy.get(vacancy.id, []), key=lambda u: u.n)
        work_units.extend(u for u in own if u.label == "work")
        statements = split(vacancy.text)
        for statement, unit in zip(statements, map_statements(statements, own), strict=True):
            if statement.kind != "work":
                continue
            work_statements.append(MappedStatement(vacancy.id, statement.text, statement.kind, unit))
            if unit is not None and unit.label == "work":
                covered.add((unit.vacancy, unit.n))
    false = tuple(s for s in work_statements if s.unit is None or s.unit.label != "work")
    false_by_label = Counter(s.unit.label if s.unit is not None else "(none)" for s in false)
    true = len(work_statements) - len(false)
    return StatementFigures(
        vacancies=len(texts),
        work_statements=len(work_statements),
        precision=true / len(work_statements) if work_statements else float("nan"),
        recall=len(covered) / len(work_units) if work_units else float("nan"),
        work_units=len(work_units),
        false_by_label=dict(false_by_label.most_common()),
        missed=tuple(u for u in work_units if (u.vacancy, u.n) not in covered),
        false=false,
    )


def main(argv: Sequence[str]) -> int:
    which = argv[0] if argv else "dev"
    verbose = "-v" in argv
    if which not in ("dev", "test", "all"):
        print("usage: python -m bench.quality.statements [dev|test|all] [-v]", file=sys.stderr)
        return 2
    chosen = [v for v in vacancies() if which == "all" or v.split == which]
    ids = {v.id for v in chosen}
    units = [u for u in labelled_units() if u["id"] in ids]
    start = time.perf_counter()
    figures = evaluate(chosen, units)
    elapsed = time.perf_counter() - start
    print(f"split {which}: {figures.vacancies} vacancies, {figures.work_units} work units")
    print(f"work statements {figures.work_statements}")
    print(f"precision {figures.precision:.3f} (share of work statements from a work unit)")
    print(f"recall    {figures.recall:.3f} (share of work units giving a work statement)")
    print(
        "false work statements by label: " + ", ".join(f"{k} {v}" for k, v in figures.false_by_label.items())
    )
    print(f"({elapsed * 1000 / max(figures.vacancies, 1):.1f} ms per vacancy, mapping included)")
    if verbose:
        for s in figures.false:
            print(f"  FALSE {s.vacancy} [{s.unit.label if s.unit else '-'}] {s.text}")
        for u in figures.missed:
            print(f"  MISSED {u.vacancy}#{u.n} {u.text}")
    return 0


if __name__ == "__main__":
    try:
        raise SystemExit(main(sys.argv[1:]))
    except BrokenPipeError:  # piped into head
        raise SystemExit(0) from None
