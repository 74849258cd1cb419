# iamconsole production image: gunicorn + whitenoise, configured entirely by environment variables
# (see README "Production"). Build: docker build -t iamconsole .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    IAMCONSOLE_ENV=production \
    PORT=8000

WORKDIR /app

# Dependencies first, so code changes reuse this layer. Every runtime wheel (psycopg[binary],
# argon2-cffi, cryptography) is prebuilt: no compiler, no libpq in the image.
COPY requirements.txt .
RUN pip install -r requirements.txt

RUN groupadd --system --gid 10001 iamconsole \
    && useradd --system --uid 10001 --gid iamconsole --home-dir /app --shell /usr/sbin/nologin iamconsole

COPY --chown=iamconsole:iamconsole . .

# Static files are collected at build time (hashed names + compressed copies for whitenoise).
# The throwaway key exists only because production settings refuse to load without one.
RUN SECRET_KEY=collectstatic-only-build-key-not-used-at-runtime-0123456789 \
    python manage.py collectstatic --noinput \
    && chmod +x docker/entrypoint.sh

USER iamconsole:iamconsole
EXPOSE 8000

# Probe the app the way the load balancer does; the Host header must be an allowed host.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "docker/healthcheck.py"]

ENTRYPOINT ["docker/entrypoint.sh"]
CMD ["web"]
