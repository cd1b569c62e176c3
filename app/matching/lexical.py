"""Lexical similarity between workplace skills and catalogue statements, on a 0–1 scale.

`tfidf`: character 3–5-grams within word boundaries, IDF fitted on the catalogue's statements, so that
words every programme has ("werkt samen") weigh little; cosine via one sparse product.
`rapidfuzz`: token-set ratio, computed in C++ by rapidfuzz's cdist.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process, utils
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer


class Lexical(Protocol):
    name: str

    def similarity(self, queries: Sequence[str]) -> npt.NDArray[np.float32]: ...


class CharGrams:
    """Counts of character 3–5-grams within word boundaries (lowercased), over the vocabulary of the texts
    it was fitted on. A text's counts are kept once computed (bounded, least recently used first out):
    a workplace's skills are analysed once, not on every match. Counts add up over words, so the counts of
    several texts joined by whitespace are the sum of their counts."""

    def __init__(self, texts: Sequence[str], *, max_cached: int = 100_000) -> None:
        self._counter = CountVectorizer(
            analyzer="char_wb", ngram_range=(3, 5), lowercase=True, dtype=np.float32
        )
        self.fitted = bool(texts)
        self.matrix: sparse.csr_matrix = (
            sparse.csr_matrix(self._counter.fit_transform(list(texts)), dtype=np.float32)
            if texts
            else sparse.csr_matrix((0, 0), dtype=np.float32)
        )
        self.size = self.matrix.shape[1]
        self._cache: OrderedDict[str, tuple[npt.NDArray[np.int32], npt.NDArray[np.float32]]] = OrderedDict()
        self._max_cached = max_cached
        self._lock = threading.Lock()

    def counts(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """(len(texts) × vocabulary) counts, one row per text."""
        rows: dict[str, tuple[npt.NDArray[np.int32], npt.NDArray[np.float32]]] = {}
        with self._lock:
            for t in texts:
                if t in self._cache:
                    self._cache.move_to_end(t)
                    rows[t] = self._cache[t]
        missing = [t for t in dict.fromkeys(texts) if t not in rows]
        if missing and self.fitted:
            computed = sparse.csr_matrix(self._counter.transform(missing), dtype=np.float32)
            computed.sort_indices()
            for i, t in enumerate(missing):
                span = slice(computed.indptr[i], computed.indptr[i + 1])
                rows[t] = (computed.indices[span].astype(np.int32), computed.data[span].copy())
            with self._lock:
                self._cache.update((t, rows[t]) for t in missing)
                while len(self._cache) > self._max_cached:
                    self._cache.popitem(last=False)
        elif missing:
            rows.update((t, (np.zeros(0, np.int32), np.zeros(0, np.float32))) for t in missing)
        lengths = [len(rows[t][0]) for t in texts]
        indptr = np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)])
        if not texts:
            return sparse.csr_matrix((0, self.size), dtype=np.float32)
        indices = np.concatenate([rows[t][0] for t in texts])
        data = np.concatenate([rows[t][1] for t in texts])
        return sparse.csr_matrix((data, indices, indptr), shape=(len(texts), self.size))


def weigh(counts: sparse.csr_matrix, idf: npt.NDArray[np.float64]) -> sparse.csr_matrix:
    """Sublinear TF-IDF rows with unit length: what scikit-learn's TfidfTransformer(sublinear_tf=True)
    gives for these counts and this IDF (a test checks it), without its per-call overhead."""
    data = (np.log(counts.data, dtype=np.float64) + 1.0) * idf[counts.indices]
    rows = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))
    norms = np.sqrt(np.bincount(rows, weights=data * data, minlength=counts.shape[0]))
    norms[norms == 0.0] = 1.0
    # Own copies of the index arrays: a later in-place change to either matrix must not reach the other.
    return sparse.csr_matrix(
        ((data / norms[rows]).astype(np.float32), counts.indices.copy(), counts.indptr.copy()),
        shape=counts.shape,
    )


class TfidfLexical:
    """Columns are `statements`. With `counts` (how often each statement's text occurs in the catalogue),
    the IDF is the one of the whole catalogue while only the distinct texts are analysed and stored.
    `grams` may be given when it was fitted on exactly these statements (shared with DocumentTfidf)."""

    name = "tfidf-char-3-5"

    def __init__(
        self,
        statements: Sequence[str],
        *,
        counts: Sequence[int] | None = None,
        grams: CharGrams | None = None,
    ) -> None:
        self.grams = grams if grams is not None else CharGrams(statements)
        self._n = len(statements)
        if self._n:
            terms = self.grams.matrix
            repeat = np.arange(self._n) if counts is None else np.repeat(np.arange(self._n), counts)
            self.idf = np.asarray(
                TfidfTransformer(sublinear_tf=True).fit(terms[repeat]).idf_, dtype=np.float64
            )
            self._matrix = weigh(terms, self.idf).T.tocsr()

    def similarity(self, queries: Sequence[str]) -> npt.NDArray[np.float32]:
        if not queries or self._n == 0:
            return np.zeros((len(queries), self._n), dtype=np.float32)
        vectors = weigh(self.grams.counts(queries), self.idf)
        # Only the statements' rows for the n-grams the queries contain, times the queries' weights as a
        # small dense matrix: the same cosines as the sparse product, without building a sparse result.
        terms = np.unique(vectors.indices)
        if terms.size == 0:
            return np.zeros((len(queries), self._n), dtype=np.float32)
        weights = np.zeros((len(queries), terms.size), dtype=np.float32)
        rows = np.repeat(np.arange(len(queries)), np.diff(vectors.indptr))
        weights[rows, np.searchsorted(terms, vectors.indices)] = vectors.data
        return np.ascontiguousarray(weights @ self._matrix[terms], dtype=np.float32)


class RapidfuzzLexical:
    name = "rapidfuzz-token-set"

    def __init__(self, statements: Sequence[str]) -> None:
        self._statements = [utils.default_process(s) for s in statements]

    def similarity(self, queries: Sequence[str]) -> npt.NDArray[np.float32]:
        if not queries or not self._statements:
            return np.zeros((len(queries), len(self._statements)), dtype=np.float32)
        scores = process.cdist(
            [utils.default_process(q) for q in queries],
            self._statements,
            scorer=fuzz.token_set_ratio,
            dtype=np.float32,
            workers=1,
        )
        return np.asarray(scores, dtype=np.float32) / 100.0


class DocumentTfidf:
    """TF-IDF character 3–5-grams over whole programmes: one document per programme (its statements
    joined), IDF over the programmes, so that words every programme has weigh little. Gives the cosine of
    a workplace (its skills joined) to every programme: the ranking's whole-document evidence.

    `of_statements` builds the same from the statements' counts (a document's counts are the sum of its
    statements' counts), so that the catalogue is analysed once."""

    name = "tfidf-char-3-5-documents"

    def __init__(
        self,
        documents: Sequence[str],
        *,
        grams: CharGrams | None = None,
        counts: sparse.csr_matrix | None = None,
    ) -> None:
        self.grams = grams if grams is not None else CharGrams(documents)
        self._n = len(documents) if counts is None else counts.shape[0]
        if self._n:
            terms = self.grams.matrix if counts is None else counts
            self.idf = np.asarray(TfidfTransformer(sublinear_tf=True).fit(terms).idf_, dtype=np.float64)
            self._matrix = weigh(terms, self.idf).T.tocsr()

    @classmethod
    def of_statements(cls, grams: CharGrams, members: Sequence[npt.NDArray[np.intp]]) -> DocumentTfidf:
        """One document per entry of `members`: the rows of `grams.matrix` that make it up."""
        if not members:
            return cls([])
        rows = np.concatenate(members)
        owner = np.repeat(np.arange(len(members)), [len(m) for m in members])
        incidence = sparse.csr_matrix(
            (np.ones(len(rows), dtype=np.float32), (owner, rows)), shape=(len(members), grams.matrix.shape[0])
        )
        return cls([], grams=grams, counts=sparse.csr_matrix(incidence @ grams.matrix))

    def similarity(self, texts: str | Sequence[str]) -> npt.NDArray[np.float32]:
        """Cosine of the document made of `texts` (joined) to every programme's document."""
        if self._n == 0:
            return np.zeros(0, dtype=np.float32)
        counts = self.grams.counts([texts] if isinstance(texts, str) else texts)
        joined = np.asarray(counts.sum(axis=0), dtype=np.float64).ravel()
        terms = np.flatnonzero(joined)
        if len(terms) == 0:
            return np.zeros(self._n, dtype=np.float32)
        # One document: weigh its terms as weigh() does, then add up the matrix rows of just those terms
        # (a sparse-matrix product would cost twice as much for a single row).
        weights = (np.log(joined[terms]) + 1.0) * self.idf[terms]
        weights /= np.linalg.norm(weights)
        return np.asarray(self._matrix[terms].T @ weights.astype(np.float32), dtype=np.float32)


def build_lexical(
    name: str,
    statements: Sequence[str],
    *,
    counts: Sequence[int] | None = None,
    grams: CharGrams | None = None,
) -> Lexical | None:
    """A lexical scorer whose columns are `statements`; `counts` weighs each in the TF-IDF's IDF."""
    if name == "none":
        return None
    if name == "tfidf":
        return TfidfLexical(statements, counts=counts, grams=grams)
    if name == "rapidfuzz":
        return RapidfuzzLexical(statements)
    raise ValueError(f"unknown lexical scorer {name!r}")
