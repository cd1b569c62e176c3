"""Reading uploaded documents: a raw body or multipart `file` fields, within the size limit."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from fastapi import Request
from starlette.datastructures import UploadFile

from app.api.problems import PayloadTooLarge
from app.errors import InvalidDocument, UnsupportedDocument
from app.imports.service import Document


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
    folder = Path(tempfile.mkdtemp(prefix="skillmatch-import-"))
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
