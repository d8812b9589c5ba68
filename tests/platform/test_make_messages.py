"""``make messages`` puts a plugin's strings in the plugin's own catalogue — creating
plugins/<name>/locale/ when the plugin has none yet — and the core's in the core's.

Run on a scratch tree (the repository's Makefile and manage.py, a tiny core, theme and
plugin) with settings whose LOCALE_PATHS point into it, so nothing here can write to the
repository's catalogues even if the target regresses."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

SETTINGS = """
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# The scratch plugins/ must not shadow the installed plugins package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]

from anju.settings.dev import *  # noqa: E402, F403

LOCALE_PATHS = [HERE / "platform" / "anju" / "locale"]
"""


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _msgids(po: Path) -> set[str]:
    return {
        line[len('msgid "') : -1]
        for line in po.read_text(encoding="utf-8").splitlines()
        if line.startswith('msgid "') and line != 'msgid ""'
    }


@pytest.mark.skipif(shutil.which("make") is None or shutil.which("xgettext") is None, reason="")
def test_a_new_plugins_strings_go_to_its_own_catalogue(tmp_path):
    for name in ("Makefile", "manage.py"):
        shutil.copy(REPO / name, tmp_path / name)
    _write(tmp_path / "scratch_settings.py", SETTINGS)
    _write(
        tmp_path / "platform/anju/core.py",
        'from django.utils.translation import gettext_lazy as _\n\nCORE = _("A core string")\n',
    )
    (tmp_path / "platform/anju/locale").mkdir(parents=True)
    _write(
        tmp_path / "theme/templates/theme/base.html",
        '{% load i18n %}{% translate "A theme string" %}\n',
    )
    plugin = tmp_path / "plugins/newplug"
    _write(plugin / "__init__.py", '__version__ = "0.1.0"\n')
    _write(
        plugin / "apps.py",
        'from django.utils.translation import gettext_lazy as _\n\nTITLE = _("A plugin string")\n',
    )
    _write(
        plugin / "templates/newplug/index.html",
        '{% load i18n %}{% translate "A plugin template string" %}\n',
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "scratch_settings",
        "PYTHONPATH": f"{tmp_path}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
    }
    result = subprocess.run(
        ["make", "-o", "install", "messages", f"BIN={Path(sys.executable).parent}"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr

    own = plugin / "locale/zh_Hans/LC_MESSAGES/django.po"
    assert _msgids(own) == {"A plugin string", "A plugin template string"}
    assert own.with_suffix(".mo").exists()
    core = tmp_path / "platform/anju/locale/zh_Hans/LC_MESSAGES/django.po"
    assert _msgids(core) == {"A core string", "A theme string"}
