# Production image: the app served by uvicorn; migrations run at start (see docker-compose.yml).
# The base is pinned by digest (the tag alone moves), the packages by requirements.lock with their hashes
# (docs/security.md, "Supply chain"). Bookworm, the Debian the tests run on.
FROM python:3.11-slim-bookworm@sha256:b18992999dbe963a45a8a4da40ac2b1975be1a776d939d098c647482bcad5cba
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /srv/ceiling
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock
# Pango and a font for the PDF of a report (WeasyPrint lays it out; docs/reading.md)
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md ./
COPY app ./app
COPY migrations ./migrations
COPY data/seed ./data/seed
COPY data/reference ./data/reference
RUN pip install --no-deps --no-build-isolation -e . && useradd --create-home ceiling && mkdir -p reports \
    && chown ceiling reports
USER ceiling
EXPOSE 8000
CMD ["sh", "-c", "ceiling db upgrade && ceiling seed --if-empty && ceiling serve"]
