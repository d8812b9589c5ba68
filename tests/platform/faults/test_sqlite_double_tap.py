"""The zero-setup default survives a double tap: two submissions of a portal form at the
same moment on a file-based SQLite database both get an answer (never a 5xx, never
"database is locked"), and the result is what the form promises — one case for a
repeated idempotency key, one case each for two different ones.

SQLite is made for concurrent writers in settings (IMMEDIATE transactions and a busy
timeout). The database here is a SQLite file of the test's own, in a subprocess with
its own settings, so the test runs in every CI job whatever DATABASE_URL says.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).with_name("sqlite_double_tap.py")


def run_double_taps(tmp_path, rounds=4) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'anju.sqlite3'}",
        "REDIS_URL": "",  # local memory cache and rate limits: the embedded default
        "CELERY_BROKER_URL": "",
        "CELERY_TASK_ALWAYS_EAGER": "1",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "DJANGO_SETTINGS_MODULE": "anju.settings.test",
    }
    env.pop("PYTEST_XDIST_WORKER", None)
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(rounds)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


def test_two_concurrent_submissions_on_sqlite_both_answer_and_file_as_designed(tmp_path):
    result = run_double_taps(tmp_path)
    assert result["options"]["transaction_mode"] == "IMMEDIATE"
    assert result["rounds"]
    for taps in result["rounds"]:
        statuses = [a["status"] for a in taps["same_key"] + taps["two_keys"]]
        assert statuses == [200, 200, 200, 200], taps
        assert taps["same_key_cases"] == 1, taps  # a double tap is one case
        assert taps["two_keys_cases"] == 2, taps  # two people, two cases
