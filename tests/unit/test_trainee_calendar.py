"""The traineeship calendar: one month of introduction, three periods of seven months, month ends right."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from app.trainees.calendar import TOTAL_MONTHS, add_months, end_date, phase_on, phases

D = dt.date


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2028, 1, 31), 1, D(2028, 2, 29)),  # leap year
        (D(2026, 1, 31), 3, D(2026, 4, 30)),
        (D(2026, 3, 31), -1, D(2026, 2, 28)),
        (D(2026, 9, 1), 4, D(2027, 1, 1)),  # over the year's end
        (D(2026, 12, 15), 1, D(2027, 1, 15)),
        (D(2026, 5, 31), 0, D(2026, 5, 31)),
        (D(2026, 8, 31), 22, D(2028, 6, 30)),
    ],
)
def test_add_months_clamps_to_the_month_end(day: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(day, months) == expected


def test_a_start_on_the_first_gives_whole_months() -> None:
    got = phases(D(2026, 9, 1))
    assert [(p.period, p.name, p.start, p.end) for p in got] == [
        (0, "introductie", D(2026, 9, 1), D(2026, 9, 30)),
        (1, "periode 1", D(2026, 10, 1), D(2027, 4, 30)),
        (2, "periode 2", D(2027, 5, 1), D(2027, 11, 30)),
        (3, "periode 3", D(2027, 12, 1), D(2028, 6, 30)),
    ]
    assert end_date(D(2026, 9, 1)) == D(2028, 6, 30)
    assert TOTAL_MONTHS == 22


def test_a_start_on_the_31st_is_counted_from_the_start_not_chained() -> None:
    got = phases(D(2027, 1, 31))
    # 31 Jan + 1 month is 28 Feb; chained, + 7 more would be 28 Sep, but counted from the start it is the
    # last day of September (+ 8 months), then 30 Apr (+ 15) and 30 Nov 2028 (+ 22)
    assert [p.start for p in got] == [D(2027, 1, 31), D(2027, 2, 28), D(2027, 9, 30), D(2028, 4, 30)]
    assert [p.end for p in got] == [D(2027, 2, 27), D(2027, 9, 29), D(2028, 4, 29), D(2028, 11, 29)]
    assert add_months(D(2027, 2, 28), 7) == D(2027, 9, 28)  # what chaining would have given


def test_phases_are_contiguous_and_cover_22_months() -> None:
    for start in (D(2026, 1, 29), D(2026, 2, 28), D(2027, 8, 30), D(2028, 2, 29)):
        got = phases(start)
        assert got[0].start == start
        for before, after in itertools.pairwise(got):
            assert after.start == before.end + dt.timedelta(days=1)
        assert got[-1].end == add_months(start, 22) - dt.timedelta(days=1)


def test_phase_on() -> None:
    start = D(2026, 9, 1)
    assert phase_on(start, D(2026, 8, 31)) is None
    assert phase_on(start, D(2026, 9, 30)).period == 0  # type: ignore[union-attr]
    assert phase_on(start, D(2027, 4, 30)).period == 1  # type: ignore[union-attr]
    assert phase_on(start, D(2027, 5, 1)).period == 2  # type: ignore[union-attr]
    assert phase_on(start, D(2028, 6, 30)).period == 3  # type: ignore[union-attr]
    assert phase_on(start, D(2028, 7, 1)) is None
