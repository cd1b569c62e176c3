"""Reading uploaded documents: a raw body or multipart `file` fields, within the size limit."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from starlette.datastructures import UploadFile

from app.api.problems import PayloadTooLarge
from app.errors import InvalidDocument, UnsupportedDocument


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
