"""Keys, the audit trail and replays (admin), under the same authorization policy as every /v1 route."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from app.api.deps import IdPath, MatcherDep, PrincipalDep, SessionDep
from app.api.problems import problems
from app.api.recording import route_of
from app.api.schemas import MAX_ID
from app.audit import service as audit
from app.auth import keys
from app.auth.keys import Forbidden, Role
from app.models import AuditRecord

router = APIRouter(prefix="/v1", tags=["admin"])


class KeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[\w .@-]+$")]
    role: Role


class KeyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    role: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None


class CreatedKeyOut(KeyOut):
    secret: str = Field(description="Shown once. Only its hash is stored.")


class KeyListOut(BaseModel):
    items: list[KeyOut]


class AuditRecordOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    created_at: dt.datetime
    key_name: str
    role: str
    kind: str = Field(description="match (programmes for a workplace) or fit (workplaces for a programme)")
    channel: str = Field(description="api, ui or cli")
    endpoint: str = Field(description="The route (or command) that served it, from kind and channel")
    workplace_id: int | None
    request: dict[str, Any]
    config: dict[str, Any]
    catalogue_version: int
    result: dict[str, Any]

    @classmethod
    def of(cls, record: AuditRecord) -> AuditRecordOut:
        endpoint = route_of(record.kind, record.channel, record.workplace_id)
        return cls.model_validate({**{c: getattr(record, c) for c in _COLUMNS}, "endpoint": endpoint})


_COLUMNS = [name for name in AuditRecordOut.model_fields if name != "endpoint"]


class AuditListOut(BaseModel):
    items: list[AuditRecordOut]
    total: int


class ReplayOut(BaseModel):
    record: AuditRecordOut
    replayed: dict[str, Any]
    config: dict[str, Any]
    catalogue_version: int
    same_configuration: bool
    same_catalogue: bool
    reproduced: bool = Field(description="True when today's answer equals the recorded one")


@router.post("/keys", status_code=201, response_model=CreatedKeyOut, responses=problems(401, 403, 409, 422))
def create_key(body: KeyIn, session: SessionDep, _principal: PrincipalDep) -> CreatedKeyOut:
    created = keys.create_key(session, name=body.name, role=body.role)
    return CreatedKeyOut(**KeyOut.model_validate(created.key).model_dump(), secret=created.secret)


@router.get("/keys", response_model=KeyListOut, responses=problems(401, 403))
def list_keys(session: SessionDep, _principal: PrincipalDep) -> KeyListOut:
    return KeyListOut(items=[KeyOut.model_validate(k) for k in keys.list_keys(session)])


@router.delete("/keys/{key_id}", response_model=KeyOut, responses=problems(401, 403, 404))
def revoke_key(key_id: IdPath, request: Request, session: SessionDep, _principal: PrincipalDep) -> KeyOut:
    revoked = KeyOut.model_validate(keys.revoke_key(session, key_id=key_id))
    request.app.state.key_cache.clear()  # refused by this process from now on (others: key_cache_seconds)
    return revoked


@router.get("/audit", response_model=AuditListOut, responses=problems(401, 403))
def list_audit(
    session: SessionDep,
    _principal: PrincipalDep,
    key_name: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> AuditListOut:
    rows, total = audit.list_records(session, limit=limit, offset=offset, key_name=key_name)
    return AuditListOut(items=[AuditRecordOut.of(r) for r in rows], total=total)


@router.get("/matches/{record_id}", response_model=ReplayOut, responses=problems(401, 403, 404, 409, 422))
def replay_match(
    record_id: IdPath, session: SessionDep, matcher: MatcherDep, principal: PrincipalDep
) -> ReplayOut:
    """Replay a served match: the recorded input through today's matcher, compared with the record.
    Admins may replay any record; other keys only their own."""
    record = audit.get_record(session, record_id)
    if principal.role != "admin" and record.key_name != principal.name:
        raise Forbidden("only an admin or the key that asked may replay this match")
    result = audit.replay(session, matcher, record_id)
    return ReplayOut(
        record=AuditRecordOut.of(result.record),
        replayed=result.result,
        config=result.config,
        catalogue_version=result.catalogue_version,
        same_configuration=result.same_configuration,
        same_catalogue=result.same_catalogue,
        reproduced=result.reproduced,
    )
