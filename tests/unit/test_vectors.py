"""Vector cache: each text is embedded once per model version; the database keeps vectors across restarts."""

from __future__ import annotations

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.matching.embedders import HashingEmbedder
from app.matching.vectors import VectorCache
from app.models import EmbeddingCache


class CountingEmbedder(HashingEmbedder):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[int] = []

    def encode(self, texts):  # type: ignore[no-untyped-def]
        self.calls.append(len(texts))
        return super().encode(texts)


def test_texts_are_embedded_once_and_persisted(session: Session) -> None:
    embedder = CountingEmbedder()
    cache = VectorCache(embedder)
    texts = ["beheert de voorraad", "verzorgt de post", "beheert de voorraad"]
    first = cache.vectors(texts, session=session)
    assert embedder.calls == [2]  # the duplicate is embedded once
    assert np.array_equal(first[0], first[2])
    assert np.array_equal(cache.vectors(texts, session=session), first)
    assert embedder.calls == [2]
    assert session.scalar(select(func.count()).select_from(EmbeddingCache)) == 2

    # A fresh process (new cache, same database) reads the vectors back instead of embedding again.
    restarted = CountingEmbedder()
    again = VectorCache(restarted).vectors(texts, session=session)
    assert restarted.calls == []
    assert np.allclose(again, first)


def test_adhoc_texts_without_a_session_are_not_stored(session: Session) -> None:
    VectorCache(HashingEmbedder()).vectors(["stelt een jaarrekening op"])
    assert session.scalar(select(func.count()).select_from(EmbeddingCache)) == 0
