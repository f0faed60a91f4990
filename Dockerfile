# mentorbot: build a wheel in one stage, run it as a non-root user in a clean one.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot/ bot/
COPY handlers/ handlers/
COPY storage/ storage/
COPY playground/ playground/
RUN pip wheel --no-deps -w /wheels . \
    && /opt/venv/bin/pip install /wheels/*.whl

FROM python:3.11-slim
ENV MENTORBOT_DB=/data/mentorbot.db \
    MENTORBOT_HOST=0.0.0.0 \
    MENTORBOT_PORT=3000 \
    PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1
COPY --from=build /opt/venv /opt/venv
RUN groupadd --system --gid 10001 mentorbot \
    && useradd --system --uid 10001 --gid mentorbot --no-create-home \
        --home-dir /nonexistent --shell /usr/sbin/nologin mentorbot \
    && mkdir /data \
    && chown 10001:10001 /data
# Created and chowned before VOLUME, so a fresh named volume starts out owned by mentorbot.
VOLUME ["/data"]
# A relative MENTORBOT_DB from an env file still lands on the volume.
WORKDIR /data
EXPOSE 3000
# Numeric, so Kubernetes' runAsNonRoot can verify it; 10001 is the mentorbot user.
USER 10001:10001
# /healthz answers in Socket Mode and HTTP mode alike; slim images have no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request; port = os.environ.get('MENTORBOT_PORT', '3000'); sys.exit(0 if urllib.request.urlopen(f'http://127.0.0.1:{port}/healthz', timeout=4).status == 200 else 1)"]
# Exec form: the bot is PID 1 and gets SIGTERM itself, then shuts down cleanly.
STOPSIGNAL SIGTERM
CMD ["mentorbot", "run"]
