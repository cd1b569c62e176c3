"""The coverage matrix arranged for the heatmap: rows and columns sorted, columns capped, cells coloured."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.matching.index import ProgrammeInfo
from app.matching.matrix import CoverageMatrix, WorkplaceRef

MAX_COLUMNS = 60
ROW_ORDERS = ("onderdeel", "naam", "beste", "geschikt")
COLUMN_ORDERS = ("geschikt", "dekking", "crebo")


@dataclass(frozen=True, slots=True)
class Cell:
    coverage: float
    eligible: bool
    knockouts: int
    colour: str  # CSS colour for the coverage


@dataclass(frozen=True, slots=True)
class Column:
    programme: ProgrammeInfo
    eligible: int  # workplaces for which the programme is eligible
    mean_coverage: float


@dataclass(frozen=True, slots=True)
class Row:
    workplace: WorkplaceRef
    cells: tuple[Cell, ...]
    eligible: int
    best: float


@dataclass(frozen=True, slots=True)
class MatrixView:
    rows: tuple[Row, ...]
    columns: tuple[Column, ...]
    hidden_columns: int  # programmes left out of the heatmap (never out of the export)
    top: tuple[Column, ...]  # the programmes eligible for the most workplaces shown


def colour(coverage: float) -> str:
    """White (0%) to deep blue (100%): lightness falls as coverage rises."""
    lightness = 97 - round(coverage * 60)
    return f"hsl(210, 70%, {lightness}%)"


def matrix_view(matrix: CoverageMatrix, *, rows: str = "onderdeel", columns: str = "geschikt") -> MatrixView:
    n_rows, n_cols = matrix.coverage.shape
    eligible_per_col = matrix.eligible.sum(axis=0) if n_rows else np.zeros(n_cols, dtype=int)
    mean_per_col = matrix.coverage.mean(axis=0) if n_rows else np.zeros(n_cols)
    cols = list(range(n_cols))
    if columns == "crebo":
        cols.sort(key=lambda c: matrix.programmes[c].crebo)
    elif columns == "dekking":
        cols.sort(key=lambda c: (-float(mean_per_col[c]), matrix.programmes[c].crebo))
    else:
        cols.sort(
            key=lambda c: (-int(eligible_per_col[c]), -float(mean_per_col[c]), matrix.programmes[c].crebo)
        )
    shown = cols[:MAX_COLUMNS]
    column_views = tuple(
        Column(matrix.programmes[c], int(eligible_per_col[c]), float(mean_per_col[c])) for c in shown
    )
    row_views = [
        Row(
            workplace,
            tuple(
                Cell(
                    float(matrix.coverage[r, c]),
                    bool(matrix.eligible[r, c]),
                    int(matrix.knockouts[r, c]),
                    colour(float(matrix.coverage[r, c])),
                )
                for c in shown
            ),
            int(matrix.eligible[r].sum()),
            float(matrix.coverage[r].max()) if n_cols else 0.0,
        )
        for r, workplace in enumerate(matrix.workplaces)
    ]
    if rows == "naam":
        row_views.sort(key=lambda v: (v.workplace.title.lower(), v.workplace.id))
    elif rows == "beste":
        row_views.sort(key=lambda v: (-v.best, v.workplace.id))
    elif rows == "geschikt":
        row_views.sort(key=lambda v: (-v.eligible, -v.best, v.workplace.id))
    else:
        row_views.sort(
            key=lambda v: (v.workplace.organisation_unit.lower(), v.workplace.title.lower(), v.workplace.id)
        )
    top = tuple(
        Column(matrix.programmes[c], int(eligible_per_col[c]), float(mean_per_col[c]))
        for c in sorted(
            cols,
            key=lambda c: (-int(eligible_per_col[c]), -float(mean_per_col[c]), matrix.programmes[c].crebo),
        )[:5]
        if eligible_per_col[c] > 0
    )
    return MatrixView(tuple(row_views), column_views, max(0, n_cols - MAX_COLUMNS), top)
