"""Fault injection: services of the test's own, stopped and started while it runs.

Never the shared Redis on 6379 (other runs use it): ``own_redis`` starts a
``redis-server`` of its own on a free port, which a test may ``stop()`` and ``start()``
again; ``redis_cache`` points the cache (and the sessions' copy) at it.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time

import pytest

REDIS_SERVER = shutil.which("redis-server")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A throw-away redis-server (no persistence) that the test owns."""

    def __init__(self, port: int):
        self.port = port
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10.0) -> None:
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if redis.Redis(port=self.port, socket_connect_timeout=0.2).ping():
                    return
            except redis.exceptions.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server on port {self.port} did not start")

    def stop(self) -> None:
        """Stop it hard (SIGKILL): whatever it held is gone, as in a crash."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    @property
    def running(self) -> bool:
        return bool(self.process and self.process.poll() is None)


@pytest.fixture
def own_redis():
    if not REDIS_SERVER:
        pytest.skip("needs redis-server on PATH")
    server = RedisServer(free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_cache(own_redis, settings):
    """The default cache on ``own_redis`` (the production backend), sessions in the
    database with a copy there; the breaker retries after 0.2 s."""
    settings.CACHES = {
        "default": {
            "BACKEND": "anju.core.cache.ResilientRedisCache",
            "LOCATION": own_redis.url,
            "KEY_PREFIX": "anju-faults",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.CACHE_RETRY_AFTER = 0.2
    settings.PORTAL_CACHE_SECONDS = 300
    return own_redis


def wait_out_breaker(seconds: float = 0.3) -> None:
    time.sleep(seconds)


def _reset_broker_pools(app) -> None:
    """Forget Celery's pooled broker connections (what a forked process does), so the
    next publish connects to whatever ``broker_url`` says now."""
    app._after_fork()


@contextlib.contextmanager
def broker_unreachable(settings=None):
    """Tasks are published (not run in-process) to a broker nobody answers on."""
    from anju.celery import app

    dead = f"redis://127.0.0.1:{free_port()}/0"
    old = (app.conf.broker_url, app.conf.broker_write_url, app.conf.task_always_eager)
    app.conf.broker_url = app.conf.broker_write_url = dead
    app.conf.task_always_eager = False
    if settings is not None:
        settings.CELERY_TASK_ALWAYS_EAGER = False
    _reset_broker_pools(app)
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.broker_write_url, app.conf.task_always_eager = old
        if settings is not None:
            settings.CELERY_TASK_ALWAYS_EAGER = old[2]
        _reset_broker_pools(app)


@pytest.fixture
def broker_down(settings):
    with broker_unreachable(settings):
        yield
