# One image for web (gunicorn), worker (celery worker) and beat (celery beat); see docker-compose.yml.
FROM python:3.11-slim

# Settings find templates/ and static/ next to config/ (BASE_DIR), so the code runs from /app
# (PYTHONPATH); `pip install .` below provides the dependencies.
# PORTAL_VAR_DIR holds uploads, generated exports (private/) and collected static files: a volume in
# docker-compose.yml.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=config.settings \
    PORTAL_VAR_DIR=/var/lib/portal

# libmagic1: python-magic checks uploaded files by content; fonts-noto-cjk, libharfbuzz-subset0 and
# Pango: WeasyPrint renders the Chinese certificates.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libmagic1 fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# Only what the portal needs at run time (no .venv, var/, tests or .git in the image).
COPY pyproject.toml manage.py ./
COPY config ./config
COPY core ./core
COPY communities ./communities
COPY assessments ./assessments
COPY personnel ./personnel
COPY facilities ./facilities
COPY funding ./funding
COPY templates ./templates
COPY static ./static
RUN pip install . \
    && rm -rf build *.egg-info

# Run as an unprivileged user; it owns only the data directory (a named volume starts with this ownership).
RUN groupadd --system portal \
    && useradd --system --gid portal --home-dir /app --shell /usr/sbin/nologin portal \
    && mkdir -p "$PORTAL_VAR_DIR/private" "$PORTAL_VAR_DIR/staticfiles" \
    && chown -R portal:portal "$PORTAL_VAR_DIR"
USER portal

EXPOSE 8000
CMD ["gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
