"""Chinese first: every catalogue is complete, compiled, and current with the code."""

import gettext
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

REPO = Path(__file__).resolve().parents[2]
CATALOGUES = sorted(
    p for p in REPO.glob("**/locale/zh_Hans/LC_MESSAGES/django.po") if ".venv" not in p.parts
)


def test_there_is_a_chinese_catalogue():
    assert CATALOGUES, "no zh_Hans catalogue found"


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: str(p.relative_to(REPO)))
def test_catalogue_is_complete_and_compiled(po_path):
    po = polib.pofile(str(po_path))
    assert not po.untranslated_entries(), [e.msgid for e in po.untranslated_entries()]
    assert not po.fuzzy_entries(), [e.msgid for e in po.fuzzy_entries()]
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path} missing: run make messages"
    with mo_path.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    for entry in po.translated_entries():
        if entry.msgid_plural:
            continue
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        assert compiled._catalog.get(key) == entry.msgstr, f"stale .mo for {entry.msgid!r}"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (xgettext)")
def test_catalogues_are_current_with_the_code(tmp_path):
    """makemessages finds no string that the catalogues lack."""
    for po_path in CATALOGUES:
        before = {e.msgid for e in polib.pofile(str(po_path)) if not e.obsolete}
        copy = tmp_path / po_path.relative_to(REPO)
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(po_path, copy)
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "zh_Hans",
            "--no-obsolete",
            "--ignore=.venv",
            "--ignore=tests",
            "--ignore=static",
            "--ignore=node_modules",
            "--ignore=platform/anju/plugins/scaffold/*",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    try:
        assert result.returncode == 0, result.stderr
        for po_path in CATALOGUES:
            after = {e.msgid for e in polib.pofile(str(po_path)) if not e.obsolete}
            before = {
                e.msgid
                for e in polib.pofile(str(tmp_path / po_path.relative_to(REPO)))
                if not e.obsolete
            }
            assert after <= before, f"{po_path}: not in the catalogue: {sorted(after - before)}"
    finally:
        for po_path in CATALOGUES:  # leave the working tree as it was
            shutil.copy(tmp_path / po_path.relative_to(REPO), po_path)
