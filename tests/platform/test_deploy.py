"""What an operator relies on to run Anju on several machines: the health endpoint, the
production settings passing ``check --deploy``, persistent database connections."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db


def _health(client=None):
    response = (client or Client()).get("/health/?format=json")
    return response, json.loads(response.content)


def test_health_reports_database_cache_and_storage(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    response, body = _health()
    assert response.status_code == 200, body
    names = " ".join(body)
    assert "Database" in names and "Cache" in names and "Storage" in names
    assert set(body.values()) == {"OK"}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_health_fails_when_the_storage_cannot_be_written(settings, tmp_path):
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where the media folder should be")
    settings.MEDIA_ROOT = str(blocked)
    response, body = _health()
    assert response.status_code == 500
    assert "Storage" in json.dumps(body)


def test_health_names_redis_when_it_is_down(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response, body = _health()
    assert response.status_code == 500
    assert any("Redis" in name and body[name] != "OK" for name in body), body


@pytest.mark.django_db(transaction=True)
def test_health_pings_the_celery_workers(celery_worker, tmp_path, settings):
    """With a worker running, the broadcast ping answers; the check lists Celery."""
    settings.MEDIA_ROOT = str(tmp_path)
    response, body = _health()
    assert any("Ping" in name for name in body), body
    assert response.status_code == 200, body
    assert set(body.values()) == {"OK"}


def _production_env(**extra):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "anju.settings.production",
        "SECRET_KEY": "x" * 60 + "-a-real-secret-for-the-check-only",
        "ALLOWED_HOSTS": "anju.example.cn",
        "PLUGIN_ERRORS_FATAL": "1",
    }
    env.pop("DEBUG", None)
    env.update(extra)
    return env


def test_production_settings_pass_check_deploy():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_keeps_database_connections():
    code = (
        "from django.conf import settings; d = settings.DATABASES['default']; "
        "print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=REPO,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["600", "True"]


def test_the_wsgi_application_freezes_what_start_up_made():
    """anju.wsgi loads every view and hides start-up's objects from the collector."""
    code = (
        "import gc, sys; assert gc.get_freeze_count() == 0; import anju.wsgi; "
        "print(gc.get_freeze_count(), 'anju.services.views' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    frozen, views_loaded = result.stdout.split()[-2:]
    assert int(frozen) > 50_000 and views_loaded == "True"


def test_the_shipped_gunicorn_configuration_loads():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "deploy/gunicorn.conf.py",
            "--check-config",
            "anju.wsgi",
        ],
        cwd=REPO,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_systemd_units_start_what_exists():
    units = sorted((REPO / "deploy" / "systemd").glob("*.service"))
    assert [unit.name for unit in units] == [
        "anju-beat.service",
        "anju-web.service",
        "anju-worker.service",
    ]
    for unit in units:
        text = unit.read_text()
        assert "EnvironmentFile=/etc/anju/anju.env" in text
        if "gunicorn" in text:
            assert "deploy/gunicorn.conf.py anju.wsgi" in text
    assert "exactly one" in (REPO / "deploy" / "systemd" / "anju-beat.service").read_text().lower()
    env_example = (REPO / "deploy" / "systemd" / "anju.env.example").read_text()
    for name in ("DJANGO_SETTINGS_MODULE", "SECRET_KEY", "DATABASE_URL", "REDIS_URL"):
        assert f"{name}=" in env_example
