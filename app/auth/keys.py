"""API keys and roles. A key's secret is shown once; only its SHA-256 is stored, compared in constant time.

Roles and what they may do:
- recruiter: read the catalogue, workplaces and profiles, and match (the ATS);
- project: the above, plus create, import and edit workplaces, dossiers and profiles (the project team);
- vacancy: read profiles, vacancies and matches (the vacancy generator);
- admin: everything, including managing keys and reading the audit trail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.auth import repository
from app.errors import Conflict, DomainError, NotFound
from app.models import ApiKey

Role = Literal["recruiter", "project", "vacancy", "admin"]
Scope = Literal["read", "match", "write", "admin"]
ROLES: tuple[Role, ...] = ("recruiter", "project", "vacancy", "admin")

SCOPES: dict[str, frozenset[str]] = {
    "recruiter": frozenset({"read", "match"}),
    "project": frozenset({"read", "match", "write"}),
    "vacancy": frozenset({"read", "match"}),
    "admin": frozenset({"read", "match", "write", "admin"}),
}

PREFIX = "sm_"
_PREFIX_LENGTH = 8


class Unauthenticated(DomainError):
    title = "Unauthorized"


class Forbidden(DomainError):
    title = "Forbidden"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the key's name and role (never the secret)."""

    name: str
    role: str

    def allows(self, scope: str) -> bool:
        return scope in SCOPES.get(self.role, frozenset())


ANONYMOUS_ADMIN = Principal(name="auth-disabled", role="admin")


@dataclass(frozen=True, slots=True)
class CreatedKey:
    key: ApiKey
    secret: str


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_key(session: Session, *, name: str, role: str) -> CreatedKey:
    if role not in ROLES:
        raise Conflict(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    prefix = secrets.token_hex(_PREFIX_LENGTH // 2)
    secret = f"{PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(name=name, role=role, prefix=prefix, secret_hash=_hash(secret))
    session.add(key)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as error:
        raise Conflict(f"a key named {name!r} exists already") from error
    return CreatedKey(key, secret)


def list_keys(session: Session) -> Sequence[ApiKey]:
    return repository.list_keys(session)


def revoke_key(session: Session, *, key_id: int | None = None, name: str | None = None) -> ApiKey:
    key = repository.get_key(session, key_id=key_id, name=name)
    if key is None:
        raise NotFound("api key", key_id if key_id is not None else name)
    if key.revoked_at is None:
        key.revoked_at = dt.datetime.now(dt.UTC)
        session.flush()
    return key


def authenticate(session: Session, secret: str) -> Principal:
    """The principal for a bearer secret; Unauthenticated for anything else (same answer for every failure)."""
    invalid = Unauthenticated("the API key is missing, unknown or revoked")
    if not secret.startswith(PREFIX) or "_" not in secret[len(PREFIX) :]:
        raise invalid
    prefix = secret[len(PREFIX) :].split("_", 1)[0]
    key = repository.get_key_by_prefix(session, prefix)
    expected = key.secret_hash if key is not None else _hash(secrets.token_hex(16))
    if not hmac.compare_digest(expected, _hash(secret)) or key is None or key.revoked_at is not None:
        raise invalid
    return Principal(name=key.name, role=key.role)


class KeyCache:
    """Keys already checked, remembered for `seconds` by this process (by the hash of the secret, never the
    secret itself), so that a busy client costs no key lookup on every request. Only valid keys are kept.
    A key revoked through this process is forgotten at once (`clear`); through another process, it is
    refused here after at most `seconds`."""

    def __init__(self, seconds: float, *, max_entries: int = 10_000) -> None:
        self.seconds = seconds
        self._max_entries = max_entries
        self._entries: dict[str, tuple[Principal, float]] = {}
        self._lock = threading.Lock()

    def remembered(self, secret: str) -> Principal | None:
        """The principal of a key checked less than `seconds` ago, without asking the database."""
        if self.seconds <= 0:
            return None
        found = self._entries.get(_hash(secret))
        if found is not None and found[1] > time.monotonic():
            return found[0]
        return None

    def authenticate(self, session: Session, secret: str) -> Principal:
        if self.seconds <= 0:
            return authenticate(session, secret)
        found = self.remembered(secret)
        if found is not None:
            return found
        digest = _hash(secret)
        now = time.monotonic()
        principal = authenticate(session, secret)
        with self._lock:
            if len(self._entries) >= self._max_entries:
                self._entries = {k: v for k, v in self._entries.items() if v[1] > now}
            self._entries[digest] = (principal, now + self.seconds)
        return principal

    def clear(self) -> None:
        with self._lock:
            self._entries = {}
