"""Vectors per (model, model version, text hash): in memory, and in the database when a session is given.

Catalogue statements and stored workplace skills are persisted, so re-importing or restarting costs no
model time. Ad-hoc texts (POST /v1/match) are only kept in memory: that endpoint stores nothing.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np
from sqlalchemy.orm import Session

from app.matching import repository
from app.matching.embedders import Embedder, EnsembleEmbedder, Matrix, text_hash


class VectorCache:
    def __init__(self, embedder: Embedder, *, max_memory: int = 200_000) -> None:
        self.embedder = embedder
        self._max_memory = max_memory
        self._memory: OrderedDict[tuple[str, str, str], Matrix] = OrderedDict()
        self._lock = threading.Lock()
        self.computed = 0  # texts actually sent to a model, for tests and logs

    def vectors(self, texts: Sequence[str], *, session: Session | None = None) -> Matrix:
        """Unit vectors for `texts`, in order; computes only what no cache holds."""
        embedder = self.embedder
        if isinstance(embedder, EnsembleEmbedder):
            return embedder.combine([self._base_vectors(p, texts, session) for p in embedder.parts])
        return self._base_vectors(embedder, texts, session)

    def _base_vectors(self, embedder: Embedder, texts: Sequence[str], session: Session | None) -> Matrix:
        hashes = [text_hash(t) for t in texts]
        found: dict[str, Matrix] = {}
        with self._lock:
            for h in hashes:
                key = (embedder.name, embedder.version, h)
                if key in self._memory:
                    self._memory.move_to_end(key)
                    found[h] = self._memory[key]
        missing = [h for h in dict.fromkeys(hashes) if h not in found]
        if missing and session is not None:
            found.update(
                repository.get_vectors(
                    session, model=embedder.name, model_version=embedder.version, hashes=missing
                )
            )
            missing = [h for h in missing if h not in found]
        if missing:
            wanted = set(missing)
            texts_by_hash = {h: t for h, t in zip(hashes, texts, strict=True) if h in wanted}
            order = list(texts_by_hash)
            computed = embedder.encode([texts_by_hash[h] for h in order])
            self.computed += len(order)
            new = {h: computed[i] for i, h in enumerate(order)}
            found.update(new)
            if session is not None:
                repository.add_vectors(
                    session, model=embedder.name, model_version=embedder.version, vectors=new
                )
        with self._lock:
            for h, v in found.items():
                self._memory[(embedder.name, embedder.version, h)] = v
            while len(self._memory) > self._max_memory:
                self._memory.popitem(last=False)
        if not hashes:
            return np.zeros((0, embedder.dim), dtype=np.float32)
        return np.vstack([found[h] for h in hashes]).astype(np.float32, copy=False)
