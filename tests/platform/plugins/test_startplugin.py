"""``startplugin``: a fresh scaffold passes the contract kit and its own tests at once."""

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

REPO = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("name", ["Bad", "1x", "with-hyphen", "class", "schema"])
def test_invalid_names_are_refused(name, tmp_path):
    with pytest.raises(CommandError):
        call_command("startplugin", name, directory=str(tmp_path), no_register=True)


def test_an_installed_label_is_refused(tmp_path):
    with pytest.raises(CommandError, match="already installed"):
        call_command("startplugin", "dummy_plugin", directory=str(tmp_path), no_register=True)


def test_registers_the_entry_point_once(tmp_path, settings):
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    settings.BASE_DIR = tmp_path
    for _ in range(2):
        shutil.rmtree(tmp_path / "plugins", ignore_errors=True)
        call_command("startplugin", "pantry", stdout=open(os.devnull, "w"))
    text = (tmp_path / "pyproject.toml").read_text()
    line = 'pantry = "plugins.pantry.apps:PantryConfig"'
    assert text.count(line) == 1
    assert text.index('[project.entry-points."anju.plugins"]') < text.index(line)
    assert (tmp_path / "plugins/pantry/locale/zh_Hans/LC_MESSAGES/django.mo").exists()
    assert (tmp_path / "tests/plugins/pantry/test_plugin.py").exists()


def test_a_fresh_scaffold_passes_the_contract_kit_and_its_tests(tmp_path):
    """End to end, in a separate process: generate, install (on the path), test."""
    label = f"scaffold{uuid.uuid4().hex[:6]}"
    tests_dir = REPO / "tests" / "plugins" / label
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    if env.get("DATABASE_URL", "").startswith("postgres"):
        # Its own test database: this run's is in use.
        env["DATABASE_URL"] = env["DATABASE_URL"].rsplit("/", 1)[0] + f"/{label}"
    try:
        subprocess.run(
            [
                sys.executable,
                "manage.py",
                "startplugin",
                label,
                "--title",
                "志愿服务",
                "--directory",
                str(tmp_path),
                "--module",
                label,
                "--tests-directory",
                str(tests_dir),
                "--no-register",
            ],
            cwd=REPO,
            env=env,
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert not (tmp_path / label / "__pycache__").exists()
        config_path = f"{label}.apps.{label.title()}Config"
        env["ANJU_TEST_PLUGINS"] = f"tests.dummy_plugin.apps.DummyPluginConfig,{config_path}"
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "tests/contract",
                str(tests_dir),
                "-k",
                f"{label} or test_plugin",
            ],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-3000:]
        assert " passed" in result.stdout and "failed" not in result.stdout
    finally:
        shutil.rmtree(tests_dir, ignore_errors=True)
