"""The lexical scorers' fast paths give what scikit-learn's own TF-IDF gives, from cached counts."""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from app.matching.lexical import CharGrams, DocumentTfidf, TfidfLexical

STATEMENTS = [
    "Begeleidt kinderen bij het spelen",
    "Werkt samen met collega's",
    "Beheert de voorraad in het magazijn",
    "Voert klantgesprekken aan de balie",
    "Werkt samen met ouders en verzorgers",
]
QUERIES = ["Staat klanten te woord aan de balie", "Werkt samen in een team", "Telt de voorraad", "xyzzy"]


def reference(texts: list[str], queries: list[str]) -> np.ndarray:
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, lowercase=True)
    matrix = vectorizer.fit_transform(texts)
    return np.asarray((vectorizer.transform(queries) @ matrix.T).toarray())


def test_statement_tfidf_equals_scikit_learn() -> None:
    lexical = TfidfLexical(STATEMENTS)
    np.testing.assert_allclose(lexical.similarity(QUERIES), reference(STATEMENTS, QUERIES), atol=1e-6)
    # A text without any known n-gram scores 0 everywhere (not NaN).
    assert not lexical.similarity(["xyzzy"]).any()


def test_counts_are_cached_and_reused_in_any_order() -> None:
    grams = CharGrams(STATEMENTS)
    first = grams.counts(QUERIES).toarray()
    again = grams.counts(list(reversed(QUERIES))).toarray()
    np.testing.assert_array_equal(again, first[::-1])
    np.testing.assert_array_equal(
        grams.counts(["Telt de voorraad", "Telt de voorraad"]).toarray()[1], first[2]
    )


def test_documents_built_from_statement_counts_equal_joined_documents() -> None:
    members = [np.array([0, 1]), np.array([2, 3, 1]), np.array([4])]
    joined = ["\n".join(STATEMENTS[i] for i in m) for m in members]
    from_counts = DocumentTfidf.of_statements(CharGrams(STATEMENTS), members)
    for query in QUERIES[:3]:
        np.testing.assert_allclose(from_counts.similarity(query), reference(joined, [query])[0], atol=1e-6)
    # A text without any known n-gram is 0 for every programme, not NaN.
    assert not from_counts.similarity("xyzzy").any()
    # Several texts are one document: the same as sending them joined.
    np.testing.assert_allclose(
        from_counts.similarity(QUERIES[:2]), from_counts.similarity("\n".join(QUERIES[:2])), atol=1e-6
    )
