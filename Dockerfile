# The image web, worker and beat run from (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# procps gives the beat container's healthcheck pgrep.
RUN apt-get update \
    && apt-get install -y --no-install-recommends procps \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 1000 covered

WORKDIR /app

# Dependencies first, so a code change does not reinstall them.
COPY pyproject.toml README.md ./
RUN pip install .

COPY . .

# collectstatic only reads files, but the production settings insist on a secret: give a throwaway.
RUN DJANGO_SETTINGS_MODULE=config.settings.production \
    SECRET_KEY=collectstatic-only-not-used-at-run-time-0123456789abcdef \
    CONNECTOR_ENCRYPTION_KEY=collectstatic-only-not-used-at-run-time-0123456789abcdef \
    ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput \
    && mkdir -p var/media \
    && chown -R covered:covered var

USER covered

EXPOSE 8000
CMD ["gunicorn", "config.wsgi"]
