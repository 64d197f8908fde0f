# amz-guard web app: gunicorn serving helpscout_app:create_app() on port 8000.
# Build: docker build -t amz-guard .   Run: docker compose up (web + Redis, see docker-compose.yml)

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

# --- runtime: the virtualenv only, run as an unprivileged user -----------------------------------
FROM python:3.11-slim

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DATA_DIR=/app/data

RUN groupadd --system --gid 10001 amzguard \
    && useradd --system --uid 10001 --gid amzguard --home-dir /app --no-create-home amzguard \
    && mkdir -p /app/data \
    && chown amzguard:amzguard /app/data
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
USER amzguard

# The default SQLite database lives here (DATABASE_URL unset); mount a volume to keep it.
VOLUME ["/app/data"]
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

# Extra gunicorn options (workers, timeouts) go in GUNICORN_CMD_ARGS, which gunicorn reads itself.
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "2", "--access-logfile", "-", "helpscout_app:create_app()"]
