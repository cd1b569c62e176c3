"""The in-memory catalogue index: every scorable statement's vector in one contiguous matrix.

Built from the current dossier versions; rebuilt when the database's catalogue version changes.
Statements are grouped per programme (sorted by crebo), so that per-programme maxima are one
`reduceat` over the columns (see app.matching.core).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from sqlalchemy.orm import Session

from app.catalogue import repository
from app.matching.embedders import Matrix, normalise
from app.matching.lexical import CharGrams, DocumentTfidf, Lexical, build_lexical
from app.matching.scoring import TITLE_KINDS, calibrate
from app.matching.vectors import VectorCache

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ProgrammeInfo:
    crebo: str
    title: str
    niveau: int
    dossier_crebo: str
    dossier_title: str


@dataclass(frozen=True, slots=True)
class StatementInfo:
    code: str
    kind: str
    text: str


@dataclass(frozen=True, slots=True)
class Block:
    """A selection of programmes and the statement columns that belong to them."""

    programmes: tuple[int, ...]  # indexes into CatalogueIndex.programmes
    columns: npt.NDArray[np.intp]
    offsets: npt.NDArray[np.intp]


@dataclass(frozen=True, slots=True)
class CatalogueIndex:
    version: int
    programmes: tuple[ProgrammeInfo, ...]
    statements: tuple[StatementInfo, ...]
    offsets: npt.NDArray[np.intp]  # first statement column of each programme
    matrix: Matrix  # (statements × dim), unit rows
    lexical: Lexical | None  # its columns are the distinct texts (`distinct_matrix` rows)
    documents: DocumentTfidf  # one document per programme, in `programmes` order
    # Statements share texts (a dossier's kwalificaties share most of theirs): similarities are computed
    # once per distinct text, then spread over the columns. distinct_of[column] = row of distinct_matrix.
    distinct_matrix: Matrix
    distinct_of: npt.NDArray[np.intp]
    distinct_kinds: tuple[str, ...]  # the statement kind of each distinct_matrix row
    # The catalogue's mean statement vector when vectors are centred (docs/scoring.md), else None; the
    # rows of `matrix` and `distinct_matrix` are then already centred and of unit length.
    centre: Matrix | None = None
    # One unit vector per programme: the mean of its statement vectors (centred where the index is), the
    # ranking's whole-document semantic evidence (docs/scoring.md). None for an index built without it.
    document_vectors: Matrix | None = None
    # Per statement column: whether its programme is known by its titles only (kerntaak and werkproces
    # titles, no other kind of statement; docs/scoring.md, the titles-only offset).
    column_titles_only: npt.NDArray[np.bool_] | None = None
    # TF-IDF over each programme's name (`programme_name`): the ranking's name evidence (docs/scoring.md).
    names: DocumentTfidf | None = None
    # Blocks already cut, per (niveau, crebos) selection, and offsets per kind setting: the index never
    # changes once built.
    _blocks: dict[tuple[frozenset[int], frozenset[str] | None], Block] = field(
        default_factory=dict, compare=False, repr=False
    )
    _offsets: dict[tuple[tuple[str, float], ...], npt.NDArray[np.float32]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def kind_offsets(self, offsets: Mapping[str, float]) -> npt.NDArray[np.float32]:
        """The offset of each distinct_matrix row for these per-kind offsets."""
        key = tuple(sorted(offsets.items()))
        found = self._offsets.get(key)
        if found is None:
            found = np.array([offsets.get(k, 0.0) for k in self.distinct_kinds], dtype=np.float32)
            self._offsets[key] = found
        return found

    def titles_only(self, programme: int) -> bool:
        """Whether programme `programme` (its position in `programmes`) is known by its kerntaak and
        werkproces titles only: its coverage then rests on short titles (docs/benchmarks.md)."""
        if self.column_titles_only is None:
            return False
        return bool(self.column_titles_only[int(self.offsets[programme])])

    def block(self, niveau: Collection[int] | None = None, crebos: Collection[str] | None = None) -> Block:
        key = (frozenset(niveau or ()), None if crebos is None else frozenset(crebos))
        found = self._blocks.get(key)
        if found is None:
            if len(self._blocks) >= 64:
                self._blocks.clear()
            found = self._blocks[key] = self._cut(niveau, crebos)
        return found

    def _cut(self, niveau: Collection[int] | None, crebos: Collection[str] | None) -> Block:
        ends = np.append(self.offsets[1:], len(self.statements))
        chosen = tuple(
            i
            for i, p in enumerate(self.programmes)
            if (not niveau or p.niveau in niveau) and (crebos is None or p.crebo in crebos)
        )
        if not chosen:
            return Block((), np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp))
        ranges = [np.arange(self.offsets[i], ends[i], dtype=np.intp) for i in chosen]
        lengths = np.array([len(r) for r in ranges], dtype=np.intp)
        offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.intp)
        columns = np.concatenate(ranges)
        columns.flags.writeable = False
        offsets.flags.writeable = False
        return Block(chosen, columns, offsets)


def build_index(
    session: Session,
    vectors: VectorCache,
    *,
    lexical: str,
    kinds: Collection[str] | None = None,
    centre: bool = False,
) -> CatalogueIndex:
    started = time.perf_counter()
    version = repository.catalogue_version(session)
    programmes: list[ProgrammeInfo] = []
    statements: list[StatementInfo] = []
    offsets: list[int] = []
    for k in repository.current_kwalificaties(session):
        chosen = [s for s in k.statements if kinds is None or s.kind in kinds]
        if not chosen:
            continue
        offsets.append(len(statements))
        programmes.append(ProgrammeInfo(k.crebo, k.title, k.niveau, k.dossier.crebo, k.dossier.title))
        statements.extend(StatementInfo(s.code, s.kind, s.text) for s in chosen)
    texts = [s.text for s in statements]
    # Distinct per (kind, text): a per-kind offset (similarity()) is then added before the gather.
    position: dict[tuple[str, str], int] = {}
    distinct_of = np.fromiter(
        (position.setdefault((s.kind, s.text), len(position)) for s in statements),
        dtype=np.intp,
        count=len(statements),
    )
    distinct = [text for _, text in position]
    distinct_kinds = tuple(kind for kind, _ in position)
    distinct_matrix = np.ascontiguousarray(vectors.vectors(distinct, session=session), dtype=np.float32)
    mean = catalogue_centre(distinct_matrix) if centre else None
    if mean is not None:
        distinct_matrix = np.ascontiguousarray(centred(distinct_matrix, mean))
    matrix = distinct_matrix[distinct_of]
    document_vectors = programme_vectors(matrix, np.array(offsets, dtype=np.intp))
    title_column = np.array([s.kind in TITLE_KINDS for s in statements], dtype=bool)
    starts = np.array(offsets, dtype=np.intp)
    lengths = np.diff(np.append(starts, len(statements)))
    titles_only = (
        np.add.reduceat(title_column.astype(np.intp), starts) == lengths if len(starts) else np.zeros(0, bool)
    )
    column_titles_only = np.repeat(titles_only, lengths) if len(starts) else np.zeros(0, dtype=bool)
    # One analysis of the distinct texts serves both the per-statement and the whole-document TF-IDF.
    grams = CharGrams(distinct)
    ends = [*offsets[1:], len(texts)][: len(offsets)]
    index = CatalogueIndex(
        version=version,
        programmes=tuple(programmes),
        statements=tuple(statements),
        offsets=np.array(offsets, dtype=np.intp),
        matrix=np.ascontiguousarray(matrix, dtype=np.float32),
        lexical=build_lexical(
            lexical,
            distinct,
            counts=np.bincount(distinct_of, minlength=len(distinct)).tolist(),
            grams=grams,
        ),
        documents=DocumentTfidf.of_statements(
            grams, [distinct_of[start:end] for start, end in zip(offsets, ends, strict=True)]
        ),
        distinct_matrix=distinct_matrix,
        distinct_of=distinct_of,
        distinct_kinds=distinct_kinds,
        centre=mean,
        document_vectors=document_vectors,
        column_titles_only=column_titles_only,
        names=DocumentTfidf([programme_name(p) for p in programmes]),
    )
    log.info(
        "catalogue index v%d: %d programmes, %d statements in %.2f s",
        version,
        len(programmes),
        len(statements),
        time.perf_counter() - started,
    )
    return index


def programme_name(programme: ProgrammeInfo) -> str:
    """What a programme is called: its kwalificatie title and its dossier's title ("Verkoopspecialist",
    "Advies en leiding in de verkoop"), the words a vacancy or a workplace description uses for the job."""
    return f"{programme.title}\n{programme.dossier_title}"


def name_similarity(index: CatalogueIndex, text: str) -> npt.NDArray[np.float32]:
    """The TF-IDF cosine of a text to every programme's name; zeros when the index has no names."""
    if index.names is None:
        return np.zeros(len(index.programmes), dtype=np.float32)
    return index.names.similarity(text)


def programme_vectors(matrix: Matrix, offsets: npt.NDArray[np.intp]) -> Matrix:
    """Per programme block of rows, the unit-length mean of its statement vectors: one vector per
    programme that does not grow with the amount of text a programme has."""
    if len(offsets) == 0:
        return np.zeros((0, matrix.shape[1] if matrix.ndim == 2 else 0), dtype=np.float32)
    sums = np.add.reduceat(matrix.astype(np.float64), offsets, axis=0)
    return normalise(sums.astype(np.float32))


def semantic_similarity(
    index: CatalogueIndex, query_vectors: Matrix, weights: Sequence[float]
) -> npt.NDArray[np.float32]:
    """Cosine of the workplace as a whole (the weighted mean of its skills' vectors, centred as the index
    is) to every programme's document vector; zeros when the index has none."""
    if index.document_vectors is None or len(query_vectors) == 0:
        return np.zeros(len(index.programmes), dtype=np.float32)
    vectors = centred(query_vectors, index.centre)
    w = np.asarray(weights, dtype=np.float64)[:, None]
    whole = normalise((vectors.astype(np.float64) * w).sum(axis=0, keepdims=True).astype(np.float32))
    result: npt.NDArray[np.float32] = (index.document_vectors @ whole[0]).astype(np.float32)
    return result


def catalogue_centre(distinct_matrix: Matrix) -> Matrix | None:
    """The mean of the catalogue's distinct statement vectors (each distinct text once), or None when
    there are fewer than two: there is nothing common to remove."""
    if len(distinct_matrix) < 2:
        return None
    mean: Matrix = distinct_matrix.astype(np.float64).mean(axis=0).astype(np.float32)
    return mean


def centred(vectors: Matrix, centre: Matrix | None) -> Matrix:
    """Vectors minus the catalogue's mean statement vector, back to unit length (unchanged without a
    centre). What every catalogue statement shares (the model's common direction and the catalogue's
    generic wording) then no longer counts toward the cosine."""
    if centre is None:
        return vectors
    return normalise(vectors - centre)


def similarity(
    index: CatalogueIndex,
    query_vectors: Matrix,
    query_texts: Sequence[str],
    columns: npt.NDArray[np.intp],
    *,
    low: float,
    high: float,
    lexical_weight: float,
    kind_offsets: Mapping[str, float] | None = None,
    titles_only_offset: float = 0.0,
) -> npt.NDArray[np.float32]:
    """Calibrated similarity (0–1) of each query to each selected statement column.

    Computed once per distinct statement text (one small matrix product, lexical scores likewise), then
    spread over the selected columns with one gather. `kind_offsets` adds a fitted offset per statement
    kind (a skill compared to a short werkproces title scores lower than to a full sentence; see
    docs/scoring.md), clipped back to 0–1.
    """
    raw = centred(query_vectors, index.centre) @ index.distinct_matrix.T
    semantic = calibrate(raw, low, high)
    if index.lexical is not None and lexical_weight != 0.0:
        lexical = index.lexical.similarity(query_texts)
        semantic = ((1.0 - lexical_weight) * semantic + lexical_weight * lexical).astype(np.float32)
    if kind_offsets and any(kind_offsets.values()):
        semantic += index.kind_offsets(kind_offsets)
        np.clip(semantic, 0.0, 1.0, out=semantic)
    # take, not fancy indexing: it gives a C-ordered array, on which the per-programme maxima along the
    # rows (core.score_programmes) are several times faster.
    combined: npt.NDArray[np.float32] = np.take(semantic, index.distinct_of[columns], axis=1)
    if titles_only_offset and index.column_titles_only is not None:
        # A programme known by its titles only has fewer and shorter statements than one with full
        # content: its best statement is systematically less similar. The offset puts both on one line.
        lift = index.column_titles_only[columns]
        if lift.any():
            combined[:, lift] += np.float32(titles_only_offset)
            np.clip(combined, 0.0, 1.0, out=combined)
    return combined
