# amz-guard: one image for every process. The default command serves helpscout_app:create_app()
# with gunicorn on port 8000; `amz-guard worker` and `amz-guard db upgrade` run from it too
# (docker-compose.yml, Procfile).
# Build: docker build -t amz-guard .   Run: docker compose up --build (see docker-compose.yml)

# --- build: install the package and its dependencies into a virtualenv ---------------------------
FROM python:3.11-slim AS build

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/venv
WORKDIR /src
COPY pyproject.toml README.md ./
COPY helpscout_app ./helpscout_app
COPY workers ./workers
RUN /opt/venv/bin/pip install .

# --- runtime: the virtualenv and gunicorn's configuration, run as an unprivileged user -----------
FROM python:3.11-slim

# PROMETHEUS_MULTIPROC_DIR: where gunicorn's workers keep their metrics files (gunicorn.conf.py).
# WEB_CONCURRENCY: gunicorn's worker count unless gunicorn.conf.py or GUNICORN_CMD_ARGS sets one.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DATA_DIR=/app/data \
    PROMETHEUS_MULTIPROC_DIR=/tmp/amz-guard-metrics \
    WEB_CONCURRENCY=2

RUN groupadd --system --gid 10001 amzguard \
    && useradd --system --uid 10001 --gid amzguard --home-dir /app --no-create-home amzguard \
    && mkdir -p /app/data /tmp/amz-guard-metrics \
    && chown amzguard:amzguard /app/data /tmp/amz-guard-metrics
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY gunicorn.conf.py ./
USER amzguard

# The default SQLite database lives here (DATABASE_URL unset); mount a volume to keep it.
VOLUME ["/app/data"]
EXPOSE 8000

# Python, not curl: the slim image has no curl. /healthz checks no dependency (web/health.py).
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

# Extra gunicorn options (timeouts, worker class) go in GUNICORN_CMD_ARGS, read by gunicorn itself.
CMD ["gunicorn", "-c", "gunicorn.conf.py", "--bind", "0.0.0.0:8000", "helpscout_app:create_app()"]
