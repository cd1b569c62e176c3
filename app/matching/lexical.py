"""Lexical similarity between workplace skills and catalogue statements, on a 0–1 scale.

`tfidf`: character 3–5-grams within word boundaries, IDF fitted on the catalogue's statements, so that
words every programme has ("werkt samen") weigh little; cosine via one sparse product.
`rapidfuzz`: token-set ratio, computed in C++ by rapidfuzz's cdist.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process, utils
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer, TfidfVectorizer


class Lexical(Protocol):
    name: str

    def similarity(self, queries: Sequence[str]) -> npt.NDArray[np.float32]: ...


class TfidfLexical:
    """Columns are `statements`. With `counts` (how often each statement's text occurs in the catalogue),
    the IDF is the one of the whole catalogue while only the distinct texts are analysed and stored."""

    name = "tfidf-char-3-5"

    def __init__(self, statements: Sequence[str], *, counts: Sequence[int] | None = None) -> None:
        # CountVectorizer + TfidfTransformer is TfidfVectorizer, with the document frequencies in our hands.
        self._counter = CountVectorizer(analyzer="char_wb", ngram_range=(3, 5), lowercase=True)
        self._tfidf = TfidfTransformer(sublinear_tf=True)
        self._n = len(statements)
        if self._n:
            terms = self._counter.fit_transform(list(statements))
            repeat = np.arange(self._n) if counts is None else np.repeat(np.arange(self._n), counts)
            self._tfidf.fit(terms[repeat])
            self._matrix = self._tfidf.transform(terms).astype(np.float32).T.tocsr()

    def similarity(self, queries: Sequence[str]) -> npt.NDArray[np.float32]:
        if not queries or self._n == 0:
            return np.zeros((len(queries), self._n), dtype=np.float32)
        vectors = self._tfidf.transform(self._counter.transform(list(queries))).astype(np.float32)
        return np.asarray((vectors @ self._matrix).toarray(), dtype=np.float32)


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
    a workplace (its skills joined) to every programme: the ranking's whole-document evidence."""

    name = "tfidf-char-3-5-documents"

    def __init__(self, documents: Sequence[str]) -> None:
        self._vectorizer = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, lowercase=True, dtype=np.float32
        )
        self._n = len(documents)
        if self._n:
            self._matrix = self._vectorizer.fit_transform(list(documents)).T.tocsr()

    def similarity(self, text: str) -> npt.NDArray[np.float32]:
        if self._n == 0:
            return np.zeros(0, dtype=np.float32)
        product = self._vectorizer.transform([text]) @ self._matrix
        return np.asarray(product.toarray()[0], dtype=np.float32)


def build_lexical(
    name: str, statements: Sequence[str], *, counts: Sequence[int] | None = None
) -> Lexical | None:
    """A lexical scorer whose columns are `statements`; `counts` weighs each in the TF-IDF's IDF."""
    if name == "none":
        return None
    if name == "tfidf":
        return TfidfLexical(statements, counts=counts)
    if name == "rapidfuzz":
        return RapidfuzzLexical(statements)
    raise ValueError(f"unknown lexical scorer {name!r}")
