# gunicorn for Anju: `gunicorn -c deploy/gunicorn.conf.py anju.wsgi`.
# Every value can be overridden by the environment (GUNICORN_*) or the command line.
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: the portal's pages are short; uploads are buffered by nginx first
# (proxy_request_buffering on), so a slow client never holds a worker.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# Must match nginx's proxy_read_timeout (60 s).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak cannot grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# The app is imported in each worker, after the fork: database and Redis connections
# are never shared between processes.
preload_app = False
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
