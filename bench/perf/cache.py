"""The benchmark's disk cache of vectors (bench/.cache/perf/, gitignored), one .npz per model and version.

It holds the vectors of the synthetic catalogue's and the workplaces' texts, which are then written into
the benchmark database's `embedding_cache` table: the state of a service that has imported its catalogue
before. From an empty cache the first run embeds ~4,700 texts with each of the configured embedder's models
(e5 takes 5–15 minutes on 2 cores); later runs read them from disk. The queries that must be embedded ("new phrases",
descriptions) never come from this cache: they go through the real models in the service's own path.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from bench.quality.cache import CachedEmbedder, cached_models

log = logging.getLogger(__name__)

CACHE_DIR = Path(__file__).resolve().parent.parent / ".cache" / "perf"
CHUNK = 256


def cached_parts(embedder: str) -> list[CachedEmbedder]:
    """The configured embedder's models behind the disk cache, in the ensemble's order (e5, then USE)."""
    models = cached_models(folder=CACHE_DIR)
    parts = {"e5": [models["e5"]], "use": [models["use"]], "e5+use": [models["e5"], models["use"]]}
    if embedder not in parts:
        raise SystemExit(f"the benchmark runs with e5, use or e5+use, not {embedder!r}")
    return parts[embedder]


def fill(parts: Sequence[CachedEmbedder], texts: Sequence[str]) -> int:
    """Make sure every text has a vector on disk for every model; returns how many the models computed."""
    unique = list(dict.fromkeys(texts))
    computed = 0
    for part in parts:
        for start in range(0, len(unique), CHUNK):
            before = part.computed
            part.encode(unique[start : start + CHUNK])
            if part.computed > before:
                computed += part.computed - before
                part.save()
                log.info("%s: %d texts embedded so far", part.name, part.computed)
    return computed
