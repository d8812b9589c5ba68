"""Settings come from the environment; production refuses to start insecurely."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SERVICE_VARS = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "SECRET_KEY", "DEBUG")


def _run(code: str, settings_module: str, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in SERVICE_VARS}
    clean.update(env, DJANGO_SETTINGS_MODULE=settings_module)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _settings(settings_module: str, expr: str, **env) -> str:
    code = f"import django; django.setup(); from django.conf import settings as s; print({expr})"
    result = _run(code, settings_module, **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_embedded_default_needs_no_services():
    expr = (
        "s.DATABASES['default']['ENGINE'], s.CACHES['default']['BACKEND'], "
        "s.CELERY_TASK_ALWAYS_EAGER, s.SESSION_ENGINE, s.LANGUAGE_CODE, s.TIME_ZONE"
    )
    out = _settings("anju.settings.dev", expr)
    assert "sqlite3" in out
    assert "LocMemCache" in out
    assert "True" in out  # tasks run in-process
    assert "sessions.backends.db" in out
    assert "zh-hans" in out and "Asia/Shanghai" in out


def test_services_come_from_the_environment():
    expr = (
        "s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'], "
        "s.CACHES['default']['BACKEND'], s.SESSION_ENGINE, s.CELERY_BROKER_URL, "
        "s.CELERY_TASK_ALWAYS_EAGER"
    )
    out = _settings(
        "anju.settings.dev",
        expr,
        DATABASE_URL="postgres://u@db.example:5432/anju_x",
        REDIS_URL="redis://cache.example:6379/3",
        CELERY_BROKER_URL="redis://broker.example:6379/4",
    )
    assert "postgresql" in out and "anju_x" in out
    assert "RedisCache" in out and "sessions.backends.cache" in out
    assert "redis://broker.example:6379/4" in out
    assert out.endswith(" False")  # a real broker: tasks go to the workers


def test_production_check_deploy_passes_with_a_real_secret():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env={
            **{k: v for k, v in os.environ.items() if k not in SERVICE_VARS},
            "DJANGO_SETTINGS_MODULE": "anju.settings.production",
            "SECRET_KEY": "a7Vq-9x!Lr2Kd#Zp4Wm8Tf1Yh6Nc3Bj5Gs0Qe7Ru2Io9Pa4Sd8Fg1Hk6Jl3Zx5Cv",
            "ALLOWED_HOSTS": "anju.example.cn",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "env",
    [
        {"ALLOWED_HOSTS": "anju.example.cn"},  # no SECRET_KEY at all
        {"ALLOWED_HOSTS": "anju.example.cn", "SECRET_KEY": "django-insecure-x"},
        {"SECRET_KEY": "a7Vq-9x!Lr2Kd#Zp4Wm8Tf1Yh6Nc3Bj5Gs0Qe7Ru2Io9Pa4Sd8Fg1Hk6J"},  # no hosts
    ],
)
def test_production_refuses_to_start_without_secret_or_hosts(env):
    result = _run("import django; django.setup()", "anju.settings.production", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
