"""Request ids, structured JSON logs and Prometheus metrics."""

from __future__ import annotations

import time
import uuid

from fastapi import FastAPI, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.logs import request_id_var


class Metrics:
    """The app's metrics, in a registry of its own (several apps may live in one test process)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.latency = Histogram(
            "skillmatch_request_seconds",
            "Request latency",
            ["method", "route", "status"],
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
        )
        self.matches = Counter(
            "skillmatch_matches_served_total", "Match answers served", ["endpoint"], registry=self.registry
        )
        self.imports = Counter(
            "skillmatch_imported_total",
            "Documents imported, by kind and outcome",
            ["kind"],
            registry=self.registry,
        )
        self.model_load = Gauge(
            "skillmatch_model_load_seconds",
            "Seconds the embedding model took to load",
            registry=self.registry,
        )


class RequestContext:
    """Plain ASGI middleware: a request id per request (the caller's X-Request-ID when it is sane, else a
    new one), in the logs and in the answer's X-Request-ID header, and the latency per route template."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = next((v for k, v in scope.get("headers") or [] if k == b"x-request-id"), b"")
        text = incoming.decode("latin-1")
        request_id = text if 0 < len(text) <= 64 and text.isprintable() else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message).append("X-Request-ID", request_id)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            template = getattr(scope.get("route"), "path", "unmatched")
            self.metrics.latency.labels(scope["method"], template, str(status)).observe(
                time.perf_counter() - started
            )
            request_id_var.reset(token)


def install(app: FastAPI, metrics: Metrics) -> None:
    app.add_middleware(RequestContext, metrics=metrics)

    @app.get("/metrics", include_in_schema=False)
    def prometheus_metrics() -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)
