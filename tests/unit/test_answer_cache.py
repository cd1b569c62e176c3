"""The answer cache stays within its memory budget, dropping the least recently used answers first."""

from __future__ import annotations

from app.api.answers import Answer, AnswerCache
from app.audit.service import MatchRecordParts

PARTS = MatchRecordParts(scored_skills=[], config={}, catalogue_version=1, result={})


def answer(size: int) -> Answer:
    return Answer(b"x" * size, PARTS)


def test_least_recently_used_answers_go_first_when_the_budget_is_reached() -> None:
    one = answer(10_000)
    cache = AnswerCache(budget_bytes=3 * one.size)
    for key in ("a", "b", "c"):
        cache.put(key, answer(10_000))
    assert cache.get("a") is not None  # "a" is now the most recently used
    cache.put("d", answer(10_000))
    assert cache.get("b") is None
    assert all(cache.get(k) is not None for k in ("a", "c", "d"))
    assert len(cache) == 3
    assert cache.used <= cache.budget


def test_an_answer_larger_than_the_budget_is_not_kept_and_zero_keeps_nothing() -> None:
    cache = AnswerCache(budget_bytes=5_000)
    cache.put("big", answer(10_000))
    assert cache.get("big") is None
    assert len(cache) == 0
    off = AnswerCache(budget_bytes=0)
    off.put("a", answer(10))
    assert off.get("a") is None


def test_the_body_carries_each_requests_own_match_id() -> None:
    stored = Answer(b'"workplace_id":7,"matches":[]}', PARTS)
    assert stored.body(41) == b'{"match_id":41,"workplace_id":7,"matches":[]}'
    assert stored.body(42) == b'{"match_id":42,"workplace_id":7,"matches":[]}'
