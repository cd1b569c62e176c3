"""Checked API keys are remembered for a few seconds per process; revocation still wins."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from app.auth import keys
from app.auth.keys import KeyCache, Unauthenticated


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_key_revoked_elsewhere_is_refused_once_its_time_is_up(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock()
    monkeypatch.setattr(keys.time, "monotonic", clock)
    created = keys.create_key(session, name="ats", role="recruiter")
    cache = KeyCache(10.0)
    assert cache.authenticate(session, created.secret).name == "ats"
    keys.revoke_key(session, name="ats")  # as another process would, straight in the database
    clock.now += 9.0
    assert cache.authenticate(session, created.secret).name == "ats"  # still within its 10 s
    clock.now += 2.0
    with pytest.raises(Unauthenticated):
        cache.authenticate(session, created.secret)


def test_clear_forgets_at_once_and_zero_seconds_means_no_cache(session: Session) -> None:
    created = keys.create_key(session, name="ats", role="recruiter")
    cache = KeyCache(60.0)
    cache.authenticate(session, created.secret)
    keys.revoke_key(session, name="ats")
    cache.clear()
    with pytest.raises(Unauthenticated):
        cache.authenticate(session, created.secret)
    other = keys.create_key(session, name="other", role="recruiter")
    uncached = KeyCache(0.0)
    uncached.authenticate(session, other.secret)
    keys.revoke_key(session, name="other")
    with pytest.raises(Unauthenticated):
        uncached.authenticate(session, other.secret)


def test_wrong_keys_are_never_remembered(session: Session) -> None:
    cache = KeyCache(60.0)
    for _ in range(2):
        with pytest.raises(Unauthenticated):
            cache.authenticate(session, "sm_nothere_secret")
