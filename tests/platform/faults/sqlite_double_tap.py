"""Run by test_sqlite_double_tap.py in a process of its own: the zero-setup default
(SQLite in a file, no Redis, tasks in-process), migrated from scratch, and a portal form
tapped twice at the same moment by two threads — each with a connection of its own, as
two runserver/gunicorn threads have. Prints one JSON line: what each request answered
and how many cases were made.

Usage: python sqlite_double_tap.py <rounds>  (DATABASE_URL points at the SQLite file)
"""

import json
import os
import sys
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
sys.path[:0] = [str(REPO), str(REPO / "platform")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anju.settings.test")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

setup_test_environment()  # "testserver" allowed, templates' context recorded


def prepare():
    from anju.portal.site import ensure_home_page
    from anju.services.models import Service, ServiceField, ServiceFormPage
    from tests import factories as f

    community = f.CommunityFactory(code="anjuyuan")
    service = Service.objects.create(title="报修", slug="repair", community=community)
    ServiceField.objects.create(
        service=service, sort_order=0, label="什么坏了", field_type="text", required=True
    )
    service.snapshot()
    ensure_home_page().add_child(
        instance=ServiceFormPage(title="我要报修", slug="repair", service=service)
    )
    return service.current_version.fields[0]["name"]


def tap_twice(field: str, keys: tuple[str, str]) -> list[dict]:
    barrier = threading.Barrier(2)
    answers: list[dict] = [{}, {}]

    def tap(i: int):
        client = Client(raise_request_exception=False)
        data = {
            field: f"厨房水管 {keys[i]}",
            "requester-requester_name": "王小明",
            "requester-requester_phone": "13812345678",
            "requester-idempotency_key": keys[i],
        }
        try:
            barrier.wait()
            response = client.post("/repair/", data)
            answers[i] = {"status": response.status_code}
            if response.status_code == 400 and response.context:  # say why, for the test
                answers[i]["errors"] = [
                    response.context[name].errors.get_json_data()
                    for name in ("form", "requester_form")
                ]
        finally:
            from django.db import connection as own

            own.close()

    threads = [threading.Thread(target=tap, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def main(rounds: int):
    assert connection.vendor == "sqlite", connection.vendor
    call_command("migrate", verbosity=0, interactive=False)
    field = prepare()
    from anju.services.models import Case

    result = {"options": connection.settings_dict.get("OPTIONS", {}), "rounds": []}
    for n in range(rounds):
        same = tap_twice(field, (f"same-{n}", f"same-{n}"))
        apart = tap_twice(field, (f"one-{n}", f"two-{n}"))
        answers = [json.dumps(c.data, ensure_ascii=False) for c in Case.objects.all()]

        def cases_with(text, answers=answers):
            return sum(text in a for a in answers)

        result["rounds"].append(
            {
                "same_key": same,
                "same_key_cases": cases_with(f"same-{n}"),
                "two_keys": apart,
                "two_keys_cases": cases_with(f"one-{n}") + cases_with(f"two-{n}"),
            }
        )
    connection.close()
    print("RESULT " + json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
