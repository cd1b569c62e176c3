"""The web interface under /ui: server-rendered Dutch pages over the same service functions as the JSON API.

Pages work without JavaScript (plain forms and links); htmx swaps in partial updates where it is
loaded (live filters on the catalogue, the matches and the matrix), and a small script uploads
dossiers one file at a time with a progress bar.

One module per screen in app.api.ui.pages, sharing only app.api.ui.pages._common; this module puts their
routers together. Paths are written out in full (no prefix) so that "/" can lead to the interface too. The
way in (`session`: "/", logging in and out) and the public candidate check (`candidate`:
/kandidaatcheck/{profile_id}, rate-limited per client address) are open; every other page asks who the user
is first (see app.api.ui.access).
"""

from __future__ import annotations

from fastapi import APIRouter

from app.api.ui.pages import candidate, catalogue, matches, overview, profiles, session, trainees, workplaces
from app.api.ui.pages._common import static_files

__all__ = ["router", "static_files"]

router = APIRouter(include_in_schema=False)
for page in (session, overview, catalogue, workplaces, matches, profiles, candidate, trainees):
    router.include_router(page.router)
