"""Notice pages and their delivery to households."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page

from anju.community.models import Building, Grid, Household, Resident, SpecialGroup

from . import categories


def validate_category(value: str) -> None:
    if value not in dict(categories.categories()):
        raise ValidationError(_("Unknown notice category: %(code)s"), params={"code": value})


class NoticeIndexPage(Page):
    """The list of notices (通知公告), filtered by category, paginated, with a feed."""

    intro = models.CharField(_("introduction"), max_length=255, blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["portal.HomePage"]
    subpage_types = ["notices.NoticePage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("notice list")
        verbose_name_plural = _("notice lists")


class Audience(models.TextChoices):
    EVERYONE = "everyone", _("everyone")
    GRIDS = "grids", _("some grids")
    BUILDINGS = "buildings", _("some buildings")
    GROUPS = "groups", _("residents in some special groups")


class NoticePage(Page):
    """One notice. Publishing, moderation, scheduling (go_live_at) and expiry
    (expire_at) are Wagtail's own; an expired notice leaves the lists but its page stays
    readable and says it has expired."""

    category = models.CharField(
        _("category"),
        max_length=50,
        default=categories.PUBLIC_AFFAIRS,
        validators=[validate_category],
    )
    summary = models.TextField(_("summary"), max_length=500, blank=True)
    body = RichTextField(_("body"))
    pinned = models.BooleanField(_("pinned"), default=False, db_index=True)
    audience = models.CharField(
        _("audience"), max_length=20, choices=Audience.choices, default=Audience.EVERYONE
    )
    audience_grids = ParentalManyToManyField(Grid, blank=True, verbose_name=_("grids"))
    audience_buildings = ParentalManyToManyField(Building, blank=True, verbose_name=_("buildings"))
    audience_groups = ParentalManyToManyField(
        SpecialGroup, blank=True, verbose_name=_("special groups")
    )
    must_reach_every_household = models.BooleanField(
        _("must reach every household"),
        default=False,
        help_text=_("入户传达: grid workers record when each targeted household has been told."),
    )
    # Jieba-segmented title, summary and body, indexed for search (Chinese has no spaces).
    search_text = models.TextField(editable=False, blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("category"),
        FieldPanel("summary"),
        FieldPanel("body"),
        InlinePanel("attachments", label=_("attachments")),
        MultiFieldPanel(
            [
                FieldPanel("pinned"),
                FieldPanel("audience"),
                FieldPanel("audience_grids"),
                FieldPanel("audience_buildings"),
                FieldPanel("audience_groups"),
                FieldPanel("must_reach_every_household"),
            ],
            heading=_("Who it is for"),
        ),
    ]
    parent_page_types = ["notices.NoticeIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")

    @property
    def category_label(self):
        return categories.label_of(self.category)

    def clean(self):
        super().clean()
        chosen = {
            Audience.GRIDS: self.audience_grids,
            Audience.BUILDINGS: self.audience_buildings,
            Audience.GROUPS: self.audience_groups,
        }.get(self.audience)
        if chosen is not None and not chosen.exists():
            raise ValidationError(
                {"audience": _("Choose at least one for this audience, or choose everyone.")}
            )

    # --- who it is for ----------------------------------------------------------------

    def targeted_households(self):
        """The households this notice is for, as one queryset."""
        households = Household.objects.all()
        if self.audience == Audience.GRIDS:
            return households.filter(building__grid__in=self.audience_grids.all())
        if self.audience == Audience.BUILDINGS:
            return households.filter(building__in=self.audience_buildings.all())
        if self.audience == Audience.GROUPS:
            return households.filter(residents__groups__in=self.audience_groups.all()).distinct()
        return households

    def targeted_residents(self):
        """The residents this notice is for (with a group audience: the group members)."""
        residents = Resident.objects.all()
        if self.audience == Audience.GROUPS:
            return residents.filter(groups__in=self.audience_groups.all()).distinct()
        return residents.filter(household__in=self.targeted_households())


class NoticeAttachment(Orderable):
    page = ParentalKey(NoticePage, on_delete=models.CASCADE, related_name="attachments")
    document = models.ForeignKey(
        "wagtaildocs.Document",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("document"),
    )
    title = models.CharField(_("title"), max_length=255, blank=True)

    panels = [FieldPanel("document"), FieldPanel("title")]

    def __str__(self):
        return self.title or self.document.title


class DeliveryChannel(models.TextChoices):
    IN_PERSON = "in_person", _("in person")
    PHONE = "phone", _("phone")
    WECHAT_GROUP = "wechat_group", _("WeChat group")
    POSTED = "posted", _("posted in the building")


class NoticeDelivery(models.Model):
    """A household has been told about a notice (入户传达), by whom, how and when."""

    notice = models.ForeignKey(
        NoticePage,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("notice"),
    )
    household = models.ForeignKey(
        Household,
        on_delete=models.CASCADE,
        related_name="notice_deliveries",
        verbose_name=_("household"),
    )
    channel = models.CharField(
        _("how"),
        max_length=20,
        choices=DeliveryChannel.choices,
        default=DeliveryChannel.IN_PERSON,
    )
    reached_at = models.DateTimeField(_("reached"), auto_now_add=True)
    reached_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reached by"),
    )

    grid_path = "household__building__grid"

    class Meta:
        verbose_name = _("notice delivery")
        verbose_name_plural = _("notice deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["notice", "household"], name="one_delivery_per_household"
            )
        ]

    def __str__(self):
        return f"{self.notice} → {self.household}"
