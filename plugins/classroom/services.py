"""The portal's enrolment: a service form of the engine. Each submission is a case (the
reference number the guardian keeps, the grid worker's follow-up); ``save_enrolment``
enrols the child (or puts them on the waiting list) and records the guardians, in the
case's transaction."""

from django.utils.translation import gettext_lazy as _

from anju.plugins import ServiceForm
from anju.services import Case

from . import care
from .forms import EnrolForm
from .models import Guardian


def save_enrolment(case, form) -> None:
    data = form.cleaned_data
    child = form.child
    # The case belongs to the child's household, so their grid worker follows it up.
    Case.objects.filter(pk=case.pk).update(
        household_id=child.household_id, grid_id=child.household.building.grid_id
    )
    enrolment = care.enrol(
        data["klass"],
        child,
        consent_by=data["guardian_name"],
        case=case,
        reference=case.reference,
    )
    user = case.requester_user
    if not Guardian.objects.filter(
        child=child, name=data["guardian_name"], phone_last4=data["guardian_phone"][-4:]
    ).exists():
        Guardian.objects.create(
            child=child,
            name=data["guardian_name"],
            relation=data["relation"],
            phone=data["guardian_phone"],
            may_pick_up=True,
            user=user,
        )
    if data.get("parent_away_phone"):
        Guardian.objects.get_or_create(
            child=child,
            name=data["parent_away_name"],
            defaults={
                "relation": data.get("parent_away_relation") or Guardian.Relation.OTHER,
                "phone": data["parent_away_phone"],
                "may_pick_up": False,
                "works_away": True,
            },
        )
    form.enrolment = enrolment


ENROL_FORM = ServiceForm(
    slug="enrol",
    title=_("Enrol a child"),
    description=_(
        "For children of the community, first those whose parents work away. Keep the "
        "reference number: with your phone's last four digits it shows the child's "
        "attendance."
    ),
    form_class=EnrolForm,
    on_submit=save_enrolment,
    handler_role="service_staff",
    accept_hours=48,
    resolve_hours=120,
)
service_forms = [ENROL_FORM]
