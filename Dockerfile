# nianbao worker / watcher / flower image (docker-compose.yml picks the command)
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY pyproject.toml README.md ./
COPY config ./config
COPY worker ./worker
COPY watcher ./watcher
RUN pip install ".[s3]" \
 && useradd --create-home --uid 1000 nianbao \
 && mkdir -p /data /inbox && chown nianbao:nianbao /data /inbox

ENV NIANBAO_CONFIG=/app/config/nianbao.toml NIANBAO_DATA_DIR=/data NIANBAO_INBOX=/inbox
USER nianbao
VOLUME ["/data", "/inbox"]
CMD ["nianbao", "worker"]
