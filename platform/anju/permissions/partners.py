"""Partner organisations (合作单位): outside bodies — the county gas company, the fire
brigade, a township desk, a bureau — whose staff sign in and see only what the community
handed over to their organisation.

A partner's staff hold the ``partner_staff`` role (grid-restricted: they have no grid, so
every grid-scoped list is empty for them) and are members of one or more
``PartnerOrganisation``. A ``Handover`` gives one record (a case, or any other row) to an
organisation. Scoping then reads the hand-overs, in the same single query as the grids:

- ``scope_queryset`` lets a partner see the rows of a model that declares
  ``handover_path`` (the path to the handed-over row, ``"pk"`` for the row itself, e.g.
  ``"case"`` for a record that follows its case) whose target was handed to one of their
  organisations — and nothing else: a household, a resident, the register are never
  handed over, so a partner's request for them is a 404;
- the services engine's ``visible_cases`` adds the cases handed to the user's
  organisations (``anju.services.hand_over_case`` records the hand-over in the timeline).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anju.community.models import Community


class PartnerOrganisation(models.Model):
    """An outside organisation the community works with (合作单位): the gas company, the
    fire brigade, a township desk. ``code`` names it for plugins' settings (e.g.
    "gas_company"), unique per community."""

    community = models.ForeignKey(
        Community,
        on_delete=models.CASCADE,
        related_name="partner_organisations",
        verbose_name=_("community"),
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="partner_organisations",
        verbose_name=_("staff accounts"),
    )

    class Meta:
        verbose_name = _("partner organisation")
        verbose_name_plural = _("partner organisations")
        ordering = ["community_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "code"], name="partner_code_unique")
        ]

    def __str__(self):
        return self.name


class Handover(models.Model):
    """One record handed over (转交) to a partner organisation. Written, never edited;
    handing the same record to the same organisation again changes nothing."""

    organisation = models.ForeignKey(
        PartnerOrganisation,
        on_delete=models.CASCADE,
        related_name="handovers",
        verbose_name=_("partner organisation"),
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    handed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handed over by"),
    )
    handed_at = models.DateTimeField(_("handed over"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("hand-over")
        verbose_name_plural = _("hand-overs")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "content_type", "object_id"], name="handover_once"
            )
        ]
        indexes = [models.Index(fields=["content_type", "object_id"], name="handover_target")]

    def __str__(self):
        return f"{self.organisation} · {self.content_type.model} {self.object_id}"


def hand_over(obj: models.Model, organisation: PartnerOrganisation, *, actor=None, note=""):
    """Give ``obj`` to ``organisation``. Returns ``(handover, created)``; handing it over
    twice returns the first hand-over."""
    return Handover.objects.get_or_create(
        organisation=organisation,
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=obj.pk,
        defaults={"handed_by": actor, "note": (note or "").strip()},
    )


def partner_organisations_of(user) -> QuerySet:
    """The organisations ``user`` is staff of (lazy)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return PartnerOrganisation.objects.none()
    return PartnerOrganisation.objects.filter(members=user)


def handed_over_ids(user, model: type[models.Model]) -> QuerySet:
    """The primary keys of ``model`` rows handed to ``user``'s organisations, as a lazy
    subquery (no query of its own)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Handover.objects.none().values("object_id")
    return Handover.objects.filter(
        content_type=ContentType.objects.get_for_model(model),
        organisation__members=user,
    ).values("object_id")


def handovers_of(obj: models.Model) -> QuerySet:
    """The hand-overs of one record, oldest first."""
    return Handover.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk
    ).select_related("organisation")


def _model_at(model: type[models.Model], path: str) -> type[models.Model]:
    if path == "pk":
        return model
    for part in path.split("__"):
        try:
            model = model._meta.get_field(part).related_model
        except FieldDoesNotExist:
            raise TypeError(f"{model.__name__}.handover_path: no field {part!r}") from None
    return model


def handover_q(model: type[models.Model], user) -> Q | None:
    """A Q over ``model`` for the rows handed to ``user``'s organisations, or None when
    the model declares no ``handover_path`` (nothing of it is ever handed over)."""
    path = getattr(model, "handover_path", None)
    if not path:
        return None
    target = _model_at(model, path)
    return Q(**{f"{path}__in": handed_over_ids(user, target)})
