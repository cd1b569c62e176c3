"""How a description speaks of the level of the work: cues of responsibility and complexity.

SBB describes each kwalificatie's niveau by its complexity, responsibility and independence
(Model en toetsingskader kwalificatiedossiers 2015-2016). A description says the same in its own words:
"geeft leiding", "coördineert", "zelfstandig", "complexe" on one side; "onder leiding van",
"ondersteunt", "eenvoudige", "volgens instructie" on the other. `level_score` counts them: positive
reads as more responsibility, negative as less. Sibling kwalificaties of one dossier differ mostly in
this, not in their subject (docs/scoring.md, the niveau term). Rule-based and deterministic.
"""

from __future__ import annotations

import re

__all__ = ["MAX_LEVEL_SCORE", "level_score"]

MAX_LEVEL_SCORE = 4

_HIGHER = re.compile(
    r"leiding\s*geven|leidinggev|geeft\s+leiding|co[öo]rdine|eindverantwoordelijk|verantwoordelijk\s+voor"
    r"|stuurt\b.{0,30}\baan\b|aanstu|\bcoach|adviseert|\badvies|\bbeleid|\bplannen\b|planning"
    r"|organiseert|complex|speciali|zelfstandig|allround|\beerste\s|beoordeelt|analyseert|ontwikkelt"
    r"|begeleidt\s+(?:lerende|collega|medewerkers|stagiair)",
    re.IGNORECASE,
)
_LOWER = re.compile(
    r"onder\s+(?:directe\s+)?(?:leiding|begeleiding|toezicht|verantwoordelijkheid)|ondersteunt|assisteert"
    r"|\bhelpt\b|eenvoudig|routine|volgens\s+(?:vaste\s+)?(?:instructies?|procedures?|opdracht)|op\s+aanwijzing",
    re.IGNORECASE,
)


def level_score(text: str) -> int:
    """Cues of more responsibility minus cues of less, clipped to ±MAX_LEVEL_SCORE."""
    score = len(_HIGHER.findall(text)) - len(_LOWER.findall(text))
    return max(-MAX_LEVEL_SCORE, min(MAX_LEVEL_SCORE, score))
