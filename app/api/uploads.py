"""Reading uploaded documents: a raw body or multipart `file` fields, within the size limit."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from fastapi import Request
from starlette.datastructures import UploadFile

from app.api.problems import PayloadTooLarge
from app.errors import InvalidDocument, UnsupportedDocument
from app.imports.service import Document

log = logging.getLogger(__name__)

SPOOL_PREFIX = "skillmatch-import-"
# Which process spooled a folder: its pid and a stamp of when this process started, so that a folder left
# by a killed process is told apart from a live one's, even when a restarted container reuses the pid.
_OWNER = f"{os.getpid()}-{time.time_ns()}-"


@dataclass(frozen=True, slots=True)
class Upload:
    data: bytes
    filename: str | None
    content_type: str | None


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"the body is {declared} bytes; the limit is {limit}")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"the body exceeds the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def read_uploads(request: Request, *, limit: int, raw_types: set[str]) -> list[Upload]:
    """The uploaded documents. Raw bodies must have one of `raw_types`; multipart uses field `file`."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise PayloadTooLarge(f"the body is {declared} bytes; the limit is {limit}")
        form = await request.form(max_files=20, max_fields=20, max_part_size=limit)
        uploads: list[Upload] = []
        total = 0
        for item in form.getlist("file"):
            if not isinstance(item, UploadFile):
                raise InvalidDocument("the multipart field `file` must be a file, not text")
            data = await item.read()
            total += len(data)
            if total > limit:
                raise PayloadTooLarge(f"the upload exceeds the limit of {limit} bytes")
            uploads.append(Upload(data, item.filename, item.content_type))
        if not uploads:
            raise InvalidDocument("no multipart field named `file` was sent")
        return uploads
    if content_type in raw_types:
        data = await _read_body(request, limit)
        if not data:
            raise InvalidDocument("the request body is empty")
        return [Upload(data, None, content_type)]
    accepted = ", ".join(sorted(raw_types | {"multipart/form-data"}))
    raise UnsupportedDocument(
        f"content type {content_type or '(none)'!r} is not accepted; send one of: {accepted}"
    )


@dataclass(frozen=True, slots=True)
class Spooled:
    """Uploaded documents streamed to files in `folder` (deleted by whoever imports them)."""

    folder: Path
    documents: list[Document]


_SPOOL_CHUNK = 1 << 20


async def spool_uploads(request: Request, *, limit: int, raw_types: set[str]) -> Spooled:
    """The uploaded documents, streamed to a temporary folder within `limit` bytes in total (413 past it):
    memory holds a chunk at a time, however large the upload. Raw bodies must have one of `raw_types`;
    multipart uses field `file` (multipart parts are spooled to disk by Starlette first)."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"the body is {declared} bytes; the limit is {limit}")
    if content_type != "multipart/form-data" and content_type not in raw_types:
        accepted = ", ".join(sorted(raw_types | {"multipart/form-data"}))
        raise UnsupportedDocument(
            f"content type {content_type or '(none)'!r} is not accepted; send one of: {accepted}"
        )
    folder = Path(tempfile.mkdtemp(prefix=SPOOL_PREFIX + _OWNER))
    try:
        documents: list[Document] = []
        total = 0
        if content_type == "multipart/form-data":
            form = await request.form(max_files=20, max_fields=20)
            try:
                for number, item in enumerate(form.getlist("file"), start=1):
                    if not isinstance(item, UploadFile):
                        raise InvalidDocument("the multipart field `file` must be a file, not text")
                    path = folder / f"{number}.upload"
                    with path.open("wb") as out:
                        while chunk := await item.read(_SPOOL_CHUNK):
                            total += len(chunk)
                            if total > limit:
                                raise PayloadTooLarge(f"the upload exceeds the limit of {limit} bytes")
                            out.write(chunk)
                    documents.append(Document(path, item.filename or f"file {number}"))
            finally:
                await form.close()
            if not documents:
                raise InvalidDocument("no multipart field named `file` was sent")
        else:
            path = folder / "1.upload"
            with path.open("wb") as out:
                async for chunk in request.stream():
                    total += len(chunk)
                    if total > limit:
                        raise PayloadTooLarge(f"the body exceeds the limit of {limit} bytes")
                    out.write(chunk)
            if total == 0:
                raise InvalidDocument("the request body is empty")
            documents.append(Document(path, "request body"))
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return Spooled(folder, documents)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_spooled(directory: Path | None = None) -> list[Path]:
    """Delete upload folders left by a process that is gone (killed during an import: the job itself is
    marked failed by the import runner). A folder of a live process, a replica's on this host, is kept;
    one with this process's pid but another start stamp is a previous incarnation's. Returns those
    deleted."""
    own_pid = os.getpid()
    removed = []
    for folder in sorted((directory or Path(tempfile.gettempdir())).glob(SPOOL_PREFIX + "*")):
        if not folder.is_dir() or folder.name.startswith(SPOOL_PREFIX + _OWNER):
            continue
        pid_text, _, rest = folder.name.removeprefix(SPOOL_PREFIX).partition("-")
        if not pid_text.isdigit() or not rest:
            continue  # not named by this version: left alone
        pid = int(pid_text)
        if pid != own_pid and _alive(pid):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    if removed:
        log.warning("removed %d upload folder(s) left by an interrupted import", len(removed))
    return removed
