# Production image: the app served by uvicorn; migrations run at start (see docker-compose.yml).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /srv/ceiling
# Pango and a font for the PDF of a report (WeasyPrint lays it out; docs/reading.md)
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md ./
COPY app ./app
COPY migrations ./migrations
COPY data/seed ./data/seed
COPY data/reference ./data/reference
RUN pip install -e . && useradd --create-home ceiling && mkdir -p reports && chown ceiling reports
USER ceiling
EXPOSE 8000
CMD ["sh", "-c", "ceiling db upgrade && ceiling seed --if-empty && ceiling serve"]
