# Kartoteka: one image for the bot instances and the one-shot migration.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first (cached while only the code changes).
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY crm ./crm
COPY handlers ./handlers
COPY reminders ./reminders
COPY storage ./storage
RUN pip install . \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin kartoteka \
    && mkdir -p /app/data && chown kartoteka /app/data

USER kartoteka

# matplotlib's font cache (built with the first report picture) somewhere writable:
# the user's home, /app, is not.
ENV MPLCONFIGDIR=/app/data/.matplotlib

# The HTTP server: Telegram's webhook (through Caddy), /healthz, /readyz, /metrics.
ENV WEB_HOST=0.0.0.0 WEB_PORT=8080
EXPOSE 8080

HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4)"

# SIGTERM starts the bounded graceful shutdown (SHUTDOWN_SECONDS).
STOPSIGNAL SIGTERM
CMD ["python", "-m", "bot"]
