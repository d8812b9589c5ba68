"""A dispute stops keeping its own copy of its case's level and outcome (0004 drops the
columns). First keep what goes beyond the community ladder, which the case cannot say:

- a hand-over (转交, outcome "referred") becomes ``ending`` = the level it went to
  (township or judicial), a withdrawal ``ending`` = "withdrawn"; ``ended_at`` is the
  case's resolution they describe;
- grid → community escalations are the case's own (its ESCALATED timeline entries, with
  the same reason): those rows go, where the case has such an entry. Hand-overs stay.

Everything else the dropped columns held (level, resolved_at, follow-up due and done,
relapses) is read from the case and its timeline from now on.
"""

import datetime

from django.db import migrations, models

REFERRAL_LEVELS = ("township", "judicial")
FOLLOW_UP_DAYS = 7  # the plugin's default, for the reverse only


def keep_endings(apps, schema_editor):
    Dispute = apps.get_model("disputes", "Dispute")
    Escalation = apps.get_model("disputes", "DisputeEscalation")
    CaseEvent = apps.get_model("services", "CaseEvent")
    ended = Dispute.objects.filter(outcome__in=("referred", "withdrawn")).select_related("case")
    for dispute in ended.iterator(chunk_size=500):
        if dispute.outcome == "withdrawn":
            ending = "withdrawn"
        elif dispute.level in REFERRAL_LEVELS:
            ending = dispute.level
        else:  # not made by the plugin's code; the last hand-over recorded, if any
            last = (
                Escalation.objects.filter(dispute=dispute, to_level__in=REFERRAL_LEVELS)
                .order_by("-escalated_at", "-pk")
                .first()
            )
            ending = last.to_level if last else "township"
        Dispute.objects.filter(pk=dispute.pk).update(
            ending=ending, ended_at=dispute.case.resolved_at
        )
    escalated = CaseEvent.objects.filter(kind="escalated").values("case_id")
    Escalation.objects.filter(
        from_level="grid", to_level="community", dispute__case_id__in=escalated
    ).delete()


def restore_copies(apps, schema_editor):
    """Back to the copies: fill the columns 0004's reverse brought back from the case."""
    Dispute = apps.get_model("disputes", "Dispute")
    Escalation = apps.get_model("disputes", "DisputeEscalation")
    CaseEvent = apps.get_model("services", "CaseEvent")
    done = ("resolved", "closed")
    for dispute in Dispute.objects.select_related("case").iterator(chunk_size=500):
        case = dispute.case
        applies = (
            dispute.ending
            and dispute.ended_at is not None
            and case.status in done
            and dispute.ended_at == case.resolved_at
        )
        level, outcome, resolved_at, due = case.level, "", None, None
        if case.status in done:
            resolved_at = case.resolved_at
            if applies and dispute.ending in REFERRAL_LEVELS:
                level, outcome = dispute.ending, "referred"
            elif applies:
                outcome = "withdrawn"
            else:
                outcome = "resolved_grid" if case.level == "grid" else "resolved_community"
                if case.status == "resolved" and case.resolved_at:
                    due = case.resolved_at.date() + datetime.timedelta(days=FOLLOW_UP_DAYS)
        follow_ups = CaseEvent.objects.filter(case_id=case.pk, kind="follow_up")
        Dispute.objects.filter(pk=dispute.pk).update(
            level=level,
            outcome=outcome,
            resolved_at=resolved_at,
            follow_up_due=due,
            followed_up_at=follow_ups.order_by("-created_at").values_list("created_at", flat=True)
            .first(),
            relapses=CaseEvent.objects.filter(
                case_id=case.pk, from_status="resolved", to_status="in_progress"
            ).count(),
        )
        for event in CaseEvent.objects.filter(case_id=case.pk, kind="escalated"):
            Escalation.objects.get_or_create(
                dispute=dispute,
                from_level="grid",
                to_level="community",
                escalated_at=event.created_at,
                defaults={"reason": event.text or "-", "escalated_by_id": event.actor_id},
            )


class Migration(migrations.Migration):
    dependencies = [
        ("disputes", "0002_party_outlives_resident"),
        ("services", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="dispute",
            name="ending",
            field=models.CharField(
                blank=True,
                choices=[
                    ("township", "Township"),
                    ("judicial", "Judicial referral"),
                    ("withdrawn", "Withdrawn"),
                ],
                max_length=20,
                verbose_name="ended by",
            ),
        ),
        migrations.AddField(
            model_name="dispute",
            name="ended_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="ended"),
        ),
        migrations.RunPython(keep_endings, restore_copies),
    ]
