"""notify/0003 gives the messages made before messages said their community to the only
community there is; with several, nobody can tell, and they stay with the superusers."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("notify", "0002_one_time_codes"), ("community", "0006_visit_household_order")]
AFTER = [("notify", "0003_message_community")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def old_message(apps, key):
    apps.get_model("notify", "Message").objects.create(
        channel="sms", phone="13800000001", template="notify.plain", dedup_key=key
    )


@pytest.mark.parametrize("communities, expected", [(1, "the one"), (2, None)])
def test_old_messages_go_to_the_only_community(communities, expected):
    apps = migrate(BEFORE)
    Community = apps.get_model("community", "Community")
    made = [Community.objects.create(code=f"c{i}", name=f"社区{i}") for i in range(communities)]
    old_message(apps, "old")
    apps = migrate(AFTER)
    message = apps.get_model("notify", "Message").objects.get(dedup_key="old")
    assert message.community_id == (made[0].pk if expected else None)
