"""The API answers what its schema says, whatever it is sent (schemathesis).

Every operation of the OpenAPI schema the app serves at /api/schema/ is called in-process
through the WSGI app, on the Anjuyuan demo data (``load_demo``, built once for the module
and rolled back after it), anonymously and as each role (committee, grid worker,
service staff, resident), with data that fits the
schema (positive) and data that breaks it (negative): schemathesis's examples, coverage
and fuzzing phases per operation, then its stateful phase, which follows the links it
infers between operations (a list's ids into the detail, the action, the delete). Every
response must be no 5xx and, when its status is documented, match the documented schema.

Run it alone with ``pytest tests/platform/test_schemathesis.py``; ``SCHEMATHESIS_EXAMPLES``
(default 12) sets the examples per operation and phase (a quarter of it for the
roles other than anonymous and the committee).
"""

import datetime
import json
import os

import pytest
import schemathesis
import werkzeug
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.test import Client, RequestFactory, override_settings
from django.utils.crypto import get_random_string
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "12"))
CHECKS = [not_a_server_error, response_schema_conformance]

#: who calls the API: anonymous, and a demo account per staff role (README's table).
ACCOUNTS = {
    "anonymous": None,
    "committee": "weiyuan",
    "grid_worker": "wanggeyuan1",
    "service_staff": "fuwu",
    "resident": "jumin",
}


def _served_schema() -> dict:
    """The document /api/schema/ serves (its view, called without the middleware, which
    would need the database at collection time; test_served_schema_is_the_fuzzed_one
    checks that the app serves the same through the whole stack)."""
    from drf_spectacular.views import SpectacularAPIView

    request = RequestFactory().get("/api/schema/", {"format": "json"})
    response = SpectacularAPIView.as_view()(request)
    response.render()
    return json.loads(response.content)


class InTestTransaction:
    """The project's WSGI app, run as Django's test client runs it: Django closes the
    database connection around each request (``close_old_connections``), and with it the
    transaction the demo lives in; the test client keeps it open, and so does this."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        # Every WSGI server (gunicorn, runserver) gives the client's address; schemathesis's
        # in-process transport leaves it out, and the per-address limits need it.
        environ.setdefault("REMOTE_ADDR", "127.0.0.1")
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            response = self.app(environ, start_response)
            try:
                return [b"".join(response)]
            finally:
                response.close()
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)


RAW_SCHEMA = _served_schema()
schema = schemathesis.openapi.from_dict(RAW_SCHEMA)
schema.app = InTestTransaction(get_wsgi_application())
schema.config.generation.update(max_examples=EXAMPLES)
schema.config.phases.update(phases=["examples", "coverage", "fuzzing", "stateful"])


# --- the demo world and real ids for the detail routes --------------------------------

#: {path template: [{param: value}, ...]}: rows that exist, filled by ``demo``.
REAL_PATH_PARAMETERS: dict[str, list[dict]] = {}


class Demo:
    #: {role: keyword arguments of ``case.call``: the account's cookies and headers}
    calls: dict[str, dict]


def _signed_in(user) -> dict[str, dict[str, str]]:
    """What a browser signed in as ``user`` sends: the session and CSRF cookies, and the
    CSRF token in its header for unsafe methods (kwargs of ``case.call``)."""
    client = Client()
    client.force_login(user)
    csrf = get_random_string(32)
    return {
        "cookies": {
            django_settings.SESSION_COOKIE_NAME: client.cookies[
                django_settings.SESSION_COOKIE_NAME
            ].value,
            django_settings.CSRF_COOKIE_NAME: csrf,
        },
        "headers": {"X-CSRFToken": csrf},
    }


def _collect_real_parameters(users) -> None:
    """For each detail route, the lookups of a few rows its list shows each account."""
    for user in users:
        client = Client()
        client.force_login(user)
        _collect_from(client)


def _collect_from(client) -> None:
    for path in RAW_SCHEMA["paths"]:
        if "{" not in path:
            continue
        prefix, rest = path.split("{", 1)
        name = rest.split("}", 1)[0]
        if "{" in rest:  # a nested route: a case's attachment
            continue
        response = client.get(prefix, HTTP_ACCEPT="application/json")
        if response.status_code != 200:
            continue
        data = response.json()
        rows = data.get("results", data) if isinstance(data, dict) else data
        values = [row[name] for row in rows if isinstance(row, dict) and name in row]
        if not values and name == "id":
            values = [row["pk"] for row in rows if isinstance(row, dict) and "pk" in row]
        known = REAL_PATH_PARAMETERS.setdefault(path, [])
        known += [{name: v} for v in values[:3] if {name: v} not in known]
        if not known:
            del REAL_PATH_PARAMETERS[path]


def _rows_the_demo_lacks() -> None:
    """A classroom call task and a case attachment: the demo has neither, and their
    routes deserve real rows too."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from anju.services import Case
    from anju.services.workflow import add_attachment
    from plugins.classroom.models import CallTask, Enrolment

    enrolment = Enrolment.objects.order_by("pk").first()
    CallTask.objects.create(enrolment=enrolment, day=datetime.date.today())
    case = Case.objects.order_by("pk").first()
    attachment = add_attachment(case, SimpleUploadedFile("现场.png", PNG, content_type="image/png"))
    REAL_PATH_PARAMETERS["/api/services/cases/{reference}/attachments/{attachment_id}/"] = [
        {"reference": case.reference, "attachment_id": attachment.pk}
    ]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo, loaded once for this module inside a transaction rolled back after it;
    each test runs in a savepoint of it (pytest-django's ``db``), so one operation's
    deletes never reach the next."""
    with django_db_blocker.unblock():
        media = override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media")))
        media.enable()
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
            _rows_the_demo_lacks()
            User = get_user_model()
            world = Demo()
            world.calls = {
                role: _signed_in(User.objects.get(username=username))
                for role, username in ACCOUNTS.items()
                if username
            }
            world.calls["anonymous"] = {}
            _collect_real_parameters(
                User.objects.filter(username__in=["admin", *filter(None, ACCOUNTS.values())])
            )
            yield world
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            media.disable()


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    """Half the time, a row that exists instead of a made-up id: detail routes, their
    actions, updates and deletes are exercised on real data, not only answered 404."""
    real = REAL_PATH_PARAMETERS.get(context.operation.path)
    if not real:
        return st.just(path_parameters)
    return st.one_of(st.just(path_parameters), st.sampled_from(real))


# --- the stateless phases, per operation and role -------------------------------------


def fuzz_settings(max_examples: int) -> settings:
    return settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )


@pytest.fixture(autouse=True)
def _unthrottled_lookups():
    """Fuzzing files hundreds of ID numbers as one user in minutes; the per-user limits
    on ID-number checks and resident searches (tests/platform/roles/test_pickers.py,
    test_id_number_check.py) would answer 429 and make this test depend on how many
    examples ran before it."""
    from django.test import override_settings

    with override_settings(ID_NUMBER_CHECK_RATE="100000/h", PICKER_RATE="100000/h"):
        yield


@pytest.fixture
def signed_in_as(request, demo, db):
    return demo.calls[request.param]


@pytest.mark.parametrize("signed_in_as", ["anonymous", "committee"], indirect=True)
@schema.parametrize()
@fuzz_settings(EXAMPLES)
def test_every_operation_answers_by_its_schema(case, signed_in_as):
    case.call_and_validate(checks=CHECKS, **signed_in_as)


@pytest.mark.parametrize(
    "signed_in_as", ["grid_worker", "service_staff", "resident"], indirect=True
)
@schema.parametrize()
@fuzz_settings(max(EXAMPLES // 4, 3))
def test_every_operation_answers_by_its_schema_for_the_other_roles(case, signed_in_as):
    """The same, lighter: what differs per role is mostly which rows and which 403."""
    case.call_and_validate(checks=CHECKS, **signed_in_as)


# --- the stateful phase ---------------------------------------------------------------


@pytest.mark.parametrize("role", ["anonymous", "committee"])
def test_stateful_sequences_answer_by_the_schema(role, demo, db):
    signed_in_as = demo.calls[role]

    class Workflow(schema.as_state_machine()):
        """Each scenario starts from the same rows: what one scenario creates or deletes
        is rolled back after it (a savepoint inside the test's transaction). Otherwise
        the links a scenario can follow depend on the scenarios before it, and Hypothesis,
        replaying a sequence of choices, finds a bundle empty that was not before and
        stops with FlakyStrategyDefinition instead of checking anything."""

        def setup(self):
            self._scenario = transaction.atomic()
            self._scenario.__enter__()

        def teardown(self):
            transaction.set_rollback(True)
            self._scenario.__exit__(None, None, None)
            super().teardown()

        def get_call_kwargs(self, case):
            return dict(signed_in_as)

        def validate_response(self, response, case, additional_checks=(), **kwargs):
            case.validate_response(response, checks=CHECKS)

    before = _row_counts()
    Workflow.run(
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=6,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
    )
    assert _row_counts() == before  # every scenario's writes were rolled back


def _row_counts() -> dict[str, int]:
    """The rows of every table (audit records and messages included)."""
    from django.apps import apps

    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    }


def test_served_schema_is_the_fuzzed_one(demo, db):
    response = werkzeug.Client(schema.app).get("/api/schema/?format=json")
    assert response.status_code == 200
    served = json.loads(response.data)

    def operations(document):
        return {(path, method) for path, item in document["paths"].items() for method in item}

    assert operations(served) == operations(RAW_SCHEMA)
    assert served["components"]["schemas"].keys() == RAW_SCHEMA["components"]["schemas"].keys()


#: Detail routes the demo has no rows for yet (fuzzed with made-up ids only): the demo
#: records no delivery and sends its messages only after a commit this module never makes.
NO_DEMO_ROWS = {
    "/api/notice-deliveries/{id}/",
    "/api/notify/messages/{id}/",
    "/api/notify/messages/{id}/read/",
}


def test_every_detail_route_is_fuzzed_on_real_rows(demo, db):
    detail = [p for p in RAW_SCHEMA["paths"] if "{" in p]
    missing = [p for p in detail if p not in REAL_PATH_PARAMETERS and p not in NO_DEMO_ROWS]
    assert not missing, f"no demo rows for: {missing}"
