"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py iamconsole.wsgi`.

Everything is overridable from the environment (the usual gunicorn variables):
  GUNICORN_BIND / PORT   where to listen (default 0.0.0.0:8000)
  WEB_CONCURRENCY        worker processes (default 2 × CPUs + 1, at most 8)
  GUNICORN_THREADS       threads per worker (default 1: sync workers)
  GUNICORN_TIMEOUT       seconds before a stuck worker is killed (default 30)
  FORWARDED_ALLOW_IPS    proxies trusted for X-Forwarded-* (default 127.0.0.1; "*" behind a LB
                         that is the only way in)
The app keeps no state in process memory (sessions in the database, counters in the shared
cache), so any number of workers and instances can serve the same users.
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


bind = os.environ.get("GUNICORN_BIND") or f"0.0.0.0:{_int('PORT', 8000)}"
# Requests are short and mostly wait on the database; CPU-bound work (argon2 hashing, policy
# evaluation) is why the worker count follows the CPUs instead of being large.
workers = _int("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 8))
threads = _int("GUNICORN_THREADS", 1)
worker_class = "gthread" if threads > 1 else "sync"
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Recycle workers now and then so a slow leak cannot grow without bound; jitter avoids all
# workers restarting at once.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 200)
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Heartbeat files on tmpfs: a container's overlay filesystem can stall workers (gunicorn docs).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
# The path without its query string: a Query API call sent as GET (or a presigned URL) carries
# parameters such as Password or X-Amz-Signature there, and secrets are never logged.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms "%(a)s"'
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
# The app is loaded in each worker (no preload): database connections are never shared across a
# fork, and a deploy's code is picked up on a HUP.
preload_app = False
