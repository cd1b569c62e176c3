"""Answers to stored-workplace matches, kept once computed.

The key (app.matching.service.WorkplaceMatch.key) holds everything an answer depends on: the workplace
id, its skills as read from the database for this request, the catalogue version, the scoring
configuration and the request's parameters. An answer found under it is therefore byte for byte the answer
a fresh computation would give; a changed workplace, catalogue or setting gives a new key, and old entries
age out (least recently used first, within a memory budget). Only the serialised answer and the parts of
its audit record are kept; every request is still authenticated, recorded in the audit trail with its own
match id, and counted.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass

from app.api.convert import matches_out
from app.audit.service import MatchRecordParts, record_parts
from app.matching.service import MatchResult

_HEAD = b'{"match_id":null,'


@dataclass(frozen=True, slots=True)
class Answer:
    rest: bytes  # the serialised answer after its leading match_id
    parts: MatchRecordParts

    @classmethod
    def of(cls, result: MatchResult, *, workplace_id: int) -> Answer:
        body = matches_out(result, workplace_id=workplace_id, match_id=None).model_dump_json().encode()
        if not body.startswith(_HEAD):  # match_id is the schema's first field
            raise RuntimeError("MatchesOut must serialise match_id first")
        return cls(body[len(_HEAD) :], record_parts(result))

    def body(self, match_id: int) -> bytes:
        return b'{"match_id":%d,' % match_id + self.rest

    @property
    def size(self) -> int:
        # The body dominates; the audit parts are about a tenth of it.
        return len(self.rest) * 11 // 10 + 1_000


class AnswerCache:
    def __init__(self, budget_bytes: int) -> None:
        self.budget = budget_bytes
        self.used = 0
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[Hashable, Answer] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Answer | None:
        with self._lock:
            answer = self._entries.get(key)
            if answer is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return answer

    def put(self, key: Hashable, answer: Answer) -> None:
        if answer.size > self.budget:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.used -= old.size
            self._entries[key] = answer
            self.used += answer.size
            while self.used > self.budget:
                _, dropped = self._entries.popitem(last=False)
                self.used -= dropped.size

    def __len__(self) -> int:
        return len(self._entries)
