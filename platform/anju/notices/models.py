"""Notice pages and their delivery to households."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from rest_framework import serializers as drf_serializers
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page, PagePermissionTester
from wagtail.search import index
from wagtail.url_routing import RouteResult

from anju.community.models import Building, Grid, Household, Resident, SpecialGroup
from anju.community.sites import community_of_page
from anju.core import localcache

from . import categories
from .forms import NoticePageForm
from .search import html_to_text, search_text_for
from .serializers import AttachmentSerializer


def validate_category(value: str) -> None:
    if value not in dict(categories.categories()):
        raise ValidationError(_("Unknown notice category: %(code)s"), params={"code": value})


class NoticeIndexPage(RoutablePageMixin, Page):
    """The list of notices (通知公告), filtered by category, paginated, with a feed."""

    intro = models.CharField(_("introduction"), max_length=255, blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    api_fields = [APIField("intro")]
    parent_page_types = ["portal.HomePage"]
    subpage_types = ["notices.NoticePage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("notice list")
        verbose_name_plural = _("notice lists")

    def save(self, *args, **kwargs):
        adding = self._state.adding
        result = super().save(*args, **kwargs)
        if adding:
            # A new notice list is moderated from the start: the committee approves what
            # grid workers and service staff submit (anju.notices.workflow).
            from .workflow import ensure_notice_workflow

            ensure_notice_workflow([self])
        return result

    # --- the list, its search and its feed (anju.notices.views) -----------------------

    def get_context(self, request, *args, **kwargs):
        from .views import LIST_CONTEXT, notice_list_context

        context = super().get_context(request, *args, **kwargs)
        # Lazy: the list is kept rendered until the next publish ({% publishcache %}),
        # searches excepted (fragment_key empty).
        context.update(
            localcache.lazy_context(lambda: notice_list_context(self, request), LIST_CONTEXT)
        )
        context["feed_url"] = self.feed_url(request)
        context["fragment_key"] = "" if request.GET.get("q") else request.get_full_path()
        return context

    @path("")
    def index_route(self, request, *args, **kwargs):
        response = super().index_route(request, *args, **kwargs)
        if request.GET.get("q"):
            # Searches are as many as visitors can type: keep them out of the page cache.
            patch_cache_control(response, private=True)
        return response

    @path("feed/", name="feed")
    def feed(self, request):
        from .feeds import NoticeFeed

        return NoticeFeed(self)(request)

    def feed_url(self, request=None) -> str:
        return (self.get_url(request) or "") + self.reverse_subpage("feed")


class Audience(models.TextChoices):
    EVERYONE = "everyone", _("everyone")
    GRIDS = "grids", _("some grids")
    BUILDINGS = "buildings", _("some buildings")
    GROUPS = "groups", _("residents in some special groups")
    AGES = "ages", _("residents of some ages")


class NoticePermissionTester(PagePermissionTester):
    """An expired notice may be unpublished too (by whoever may publish it): it is
    still readable, so it must be possible to take it down (wagtail_hooks)."""

    def can_unpublish(self):
        page = self.page
        if not page.live and page.expired and not self.page_is_root:
            if not self.user.is_active or self.page_locked():
                return False
            return self.user.is_superuser or "publish" in self.permissions
        return super().can_unpublish()


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
    # An age band (for example 60 and over, or 16 to 25): whole years, both included.
    audience_age_min = models.PositiveSmallIntegerField(
        _("youngest age"), null=True, blank=True, help_text=_("For residents of some ages.")
    )
    audience_age_max = models.PositiveSmallIntegerField(
        _("oldest age"), null=True, blank=True, help_text=_("Empty: no upper limit.")
    )
    must_reach_every_household = models.BooleanField(
        _("must reach every household"),
        default=False,
        help_text=_("入户传达: grid workers record when each targeted household has been told."),
    )
    # Jieba-segmented title, summary and body, indexed for search (Chinese has no spaces).
    search_text = models.TextField(editable=False, blank=True)

    # The title is indexed by Page as it is (one "word" in Chinese); search_text holds its
    # words. Autocomplete on search_text lets the admin's page search (which autocompletes)
    # find a notice by any word of it. The filter fields let lists filter searches.
    search_fields = Page.search_fields + [
        index.SearchField("search_text"),
        index.AutocompleteField("search_text"),
        index.FilterField("category"),
        index.FilterField("pinned"),
        index.FilterField("expire_at"),
        index.FilterField("expired"),
    ]
    api_fields = [
        APIField("category"),
        APIField("category_label", serializer=drf_serializers.CharField(read_only=True)),
        APIField("summary"),
        APIField("body"),
        APIField("pinned"),
        APIField("first_published_at"),
        APIField("expire_at"),
        APIField("attachments", serializer=AttachmentSerializer(many=True, read_only=True)),
    ]

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
                FieldPanel("audience_age_min"),
                FieldPanel("audience_age_max"),
                FieldPanel("must_reach_every_household"),
            ],
            heading=_("Who it is for"),
        ),
    ]
    parent_page_types = ["notices.NoticeIndexPage"]
    subpage_types = []
    # Checks the audience on what the editor chose (anju.notices.forms).
    base_form_class = NoticePageForm

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")

    @property
    def category_label(self):
        return categories.label_of(self.category)

    @property
    def date(self):
        """The date a reader sees: when the notice was first published."""
        return self.first_published_at or self.go_live_at or self.latest_revision_created_at

    @property
    def is_expired(self) -> bool:
        """Expired (Wagtail's scheduled unpublishing has run), or past its expiry time
        and about to be."""
        return bool(self.expired or (self.expire_at and self.expire_at <= timezone.now()))

    def body_text(self) -> str:
        return html_to_text(self.body)

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        content = {"title", "summary", "body"}
        if update_fields is None or content & set(update_fields):
            self.search_text = search_text_for(self.title, self.summary, self.body_text())
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "search_text"}
        return super().save(*args, **kwargs)

    def permissions_for_user(self, user):
        return NoticePermissionTester(user, self)

    # --- reading it ----------------------------------------------------------------------

    def route(self, request, path_components):
        # An expired notice leaves the lists but stays readable, saying it has expired.
        # Wagtail's scheduled unpublishing sets live=False and expired=True; the page row
        # still holds the content last published. Drafts and notices an editor
        # unpublished (expired=False) stay 404.
        if not path_components and not self.live and self.expired and self.first_published_at:
            return RouteResult(self)
        return super().route(request, path_components)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Lazy: the notice is kept rendered until the next publish ({% publishcache %}).
        context.update(
            localcache.lazy_context(
                lambda: {
                    "attachments": list(self.attachments.select_related("document")),
                    "index": self.get_parent(),
                },
                ("attachments", "index"),
            )
        )
        return context

    # --- who it is for ----------------------------------------------------------------

    def audience_community_id(self) -> int | None:
        """The community whose site this notice is published on: whatever its audience,
        it is for that community's residents only. None for a notice on a site that no
        community claims (a county's own site): for everyone in the installation."""
        return community_of_page(self)

    def targeted_households(self):
        """The households this notice is for, as one queryset: for a group or an age
        band, the households where at least one targeted resident lives. Always within
        the notice's community (:meth:`audience_community_id`)."""
        households = Household.objects.all()
        community_id = self.audience_community_id()
        if community_id is not None:
            households = households.filter(building__grid__community_id=community_id)
        if self.audience == Audience.GRIDS:
            return households.filter(building__grid__in=self.audience_grids.all())
        if self.audience == Audience.BUILDINGS:
            return households.filter(building__in=self.audience_buildings.all())
        if self.audience in (Audience.GROUPS, Audience.AGES):
            return households.filter(pk__in=self.targeted_residents().values("household_id"))
        return households

    def targeted_residents(self):
        """The residents this notice is for (with a group audience: the group members;
        with an age band: the residents of those ages today)."""
        residents = Resident.objects.all()
        if self.audience in (Audience.GROUPS, Audience.AGES):
            community_id = self.audience_community_id()
            if community_id is not None:
                residents = residents.filter(community_id=community_id)
        if self.audience == Audience.GROUPS:
            return residents.filter(groups__in=self.audience_groups.all()).distinct()
        if self.audience == Audience.AGES:
            return residents.aged_between(self.audience_age_min, self.audience_age_max)
        return residents.filter(household__in=self.targeted_households())

    def audience_label(self) -> str:
        """Whom a targeted notice is for, in words ("面向：第一网格"), shown with the
        notice on the portal; empty for a notice for everyone. Reads the audience through
        ``.all()``, so a list that prefetched them costs nothing more."""
        if self.audience == Audience.GRIDS:
            who = "、".join(g.name for g in self.audience_grids.all())
        elif self.audience == Audience.BUILDINGS:
            who = "、".join(b.name for b in self.audience_buildings.all())
        elif self.audience == Audience.GROUPS:
            who = "、".join(g.name for g in self.audience_groups.all())
        elif self.audience == Audience.AGES:
            low, high = self.audience_age_min, self.audience_age_max
            if low is not None and high is not None:
                who = _("residents aged %(low)d to %(high)d") % {"low": low, "high": high}
            elif low is not None:
                who = _("residents aged %(low)d and over") % {"low": low}
            else:
                who = _("residents aged %(high)d and under") % {"high": high or 0}
        else:
            return ""
        return _("For: %(who)s") % {"who": who}

    def concerns(self, residents) -> bool:
        """Whether this notice is for any of ``residents`` (a list of Resident, with
        their household and building loaded; for a group audience, prefetch groups)."""
        if self.audience == Audience.EVERYONE:
            return True
        if self.audience == Audience.GRIDS:
            grids = {g.pk for g in self.audience_grids.all()}
            return any(r.household.building.grid_id in grids for r in residents)
        if self.audience == Audience.BUILDINGS:
            buildings = {b.pk for b in self.audience_buildings.all()}
            return any(r.household.building_id in buildings for r in residents)
        if self.audience == Audience.GROUPS:
            groups = {g.pk for g in self.audience_groups.all()}
            return any(g.pk in groups for r in residents for g in r.groups.all())
        if self.audience == Audience.AGES:
            low, high = self.audience_age_min, self.audience_age_max
            return any(
                (low is None or r.age >= low) and (high is None or r.age <= high) for r in residents
            )
        return False


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
