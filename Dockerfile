# The Samverkan image: the Nextcloud ExApp (docker-install) and the standalone service.
# AppAPI sets APP_HOST, APP_PORT and APP_PERSISTENT_STORAGE; `samverkan serve` honours them.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    APP_HOST=0.0.0.0 \
    APP_PORT=8000 \
    APP_PERSISTENT_STORAGE=/data

WORKDIR /src
COPY . .
RUN pip install . \
    && useradd --system --home-dir /data --shell /usr/sbin/nologin samverkan \
    && mkdir -p /data && chown samverkan /data

USER samverkan
WORKDIR /data
VOLUME /data
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s \
    CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"APP_PORT\"]}/health', timeout=4)"
# Without --host/--port, serve listens on APP_HOST:APP_PORT when AppAPI's APP_ID is set.
CMD ["sh", "-c", "exec samverkan serve --host \"$APP_HOST\" --port \"$APP_PORT\""]
