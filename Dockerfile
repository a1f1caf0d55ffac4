# The Samverkan image: the web app (`samverkan serve`), migrations and the outbox worker.
FROM python:3.11-slim

WORKDIR /app
COPY pyproject.toml README.md ./
COPY directory directory
COPY search search
COPY sync sync
COPY samverkan samverkan
RUN pip install --no-cache-dir . \
    && useradd --system --home-dir /data samverkan \
    && mkdir -p /data && chown samverkan /data

USER samverkan
ENV SAMVERKAN_DATA_DIR=/data
EXPOSE 8000
CMD ["samverkan", "serve", "--host", "0.0.0.0", "--port", "8000"]
