"""A request size limit for every route, as plain ASGI middleware (no body is read into memory past it)."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class RequestSizeLimit:
    """Refuse a body larger than `limit` bytes with 413 problem+json: by its Content-Length up front, or,
    for a body sent without one (chunked), by reading at most `limit` bytes of it before the app runs."""

    def __init__(self, app: ASGIApp, *, limit: int, streamed: dict[str, int] | None = None) -> None:
        """`streamed`: paths with a limit of their own whose routes stream the body to disk and count it
        themselves; a declared length above their limit is refused here, an undeclared one passes."""
        self.app = app
        self.limit = limit
        self.streamed = streamed or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        own = self.streamed.get(scope.get("path", ""))
        if own is not None:
            if declared is not None and declared.isdigit() and int(declared) > own:
                await self._refuse(scope, send, own)
                return
            await self.app(scope, receive, send)
            return
        if declared is not None:
            if declared.isdigit() and int(declared) > self.limit:
                await self._refuse(scope, send)
                return
            await self.app(scope, receive, send)
            return
        # No declared length: take the body in, up to the limit, then hand it to the app as one message.
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await self._refuse(scope, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, send: Send, limit: int | None = None) -> None:
        limit = self.limit if limit is None else limit
        body = json.dumps(
            {
                "type": "/problems/payload-too-large",
                "title": "Payload too large",
                "status": 413,
                "detail": f"the request body is larger than the limit of {limit} bytes",
                "instance": scope.get("path", ""),
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/problem+json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
