"""The employment service station (就业服务站): job postings and the job board, job
seekers, training courses, migrant-worker records and the subsidy schemes.

Postings are Wagtail pages, published through the notices' moderation workflow. Every
record about a resident says how it reaches its grid (``grid_path``), so
``anju.permissions.scope.scope_queryset`` narrows it to the grids a person may see.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers as drf_serializers
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.models import Page
from wagtail.search import index

from anju.community import Community, Resident
from anju.core import lazy_context
from anju.notices import search_text_for

from .fields import TagListField, tag_labels


class Place(models.TextChoices):
    LOCAL = "local", _("Local")
    AWAY = "away", _("Away from home")


class WishedPlace(models.TextChoices):
    LOCAL = "local", _("Local")
    AWAY = "away", _("Away from home")
    EITHER = "either", _("Either")


# --- job postings ------------------------------------------------------------------------


class JobIndexPage(Page):
    """The job board (招聘信息): open postings, filtered and searched (see views.py)."""

    intro = models.CharField(_("introduction"), max_length=255, blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    api_fields = [APIField("intro")]
    parent_page_types = ["portal.HomePage"]
    subpage_types = ["employment.JobPostingPage"]
    max_count_per_parent = 1
    template = "employment/job_index_page.html"

    class Meta:
        verbose_name = _("job board")
        verbose_name_plural = _("job boards")

    def save(self, *args, **kwargs):
        adding = self._state.adding
        result = super().save(*args, **kwargs)
        if adding:
            # Postings are moderated like notices: grid workers and service staff
            # submit, the committee approves (the core's notice workflow).
            from anju.notices import ensure_notice_workflow

            ensure_notice_workflow([self])
        return result

    def get_context(self, request, *args, **kwargs):
        from .views import BOARD_CONTEXT, job_board_context

        context = super().get_context(request, *args, **kwargs)
        # Lazy: the board is kept rendered until the next publish ({% publishcache %}),
        # searches and filters excepted (fragment_key empty).
        context.update(lazy_context(lambda: job_board_context(self, request), BOARD_CONTEXT))
        # A posting leaves the board on its closing date, with no publish: the number of
        # open postings (one count) is part of the key.
        filtered = any(request.GET.get(k) for k in ("q", "place", "pay", "tag"))
        context["fragment_key"] = (
            "" if filtered else f"{request.get_full_path()}|{open_postings().count()}"
        )
        return context

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        if request.GET.get("q"):
            # Searches are as many as visitors can type: keep them out of the page cache.
            patch_cache_control(response, private=True)
        return response


class JobPostingPage(Page):
    """One job posting (招聘岗位). The page title is the job title. A posting whose
    closing date has passed leaves every list at once (``open_postings`` filters by
    date when it is asked) and its page says it is closed."""

    employer = models.CharField(_("employer"), max_length=100)
    openings = models.PositiveSmallIntegerField(
        _("openings"), default=1, validators=[MinValueValidator(1)]
    )
    pay_min = models.PositiveIntegerField(_("lowest monthly pay (yuan)"), null=True, blank=True)
    pay_max = models.PositiveIntegerField(
        _("highest monthly pay (yuan)"),
        null=True,
        blank=True,
        help_text=_("Leave both empty for pay by agreement."),
    )
    place = models.CharField(_("place"), max_length=10, choices=Place.choices, default=Place.LOCAL)
    place_detail = models.CharField(
        _("where exactly"), max_length=100, blank=True, help_text=_("For example 县城工业园.")
    )
    working_hours = models.CharField(_("working hours"), max_length=100, blank=True)
    requirements = models.TextField(_("requirements"), blank=True)
    benefits = models.TextField(_("benefits"), blank=True)
    contact = models.CharField(
        _("contact"), max_length=100, help_text=_("Who to call, and the number.")
    )
    closing_date = models.DateField(_("closing date"), db_index=True)
    tags = TagListField(_("tags"))
    drive = models.CharField(
        _("recruitment drive"),
        max_length=100,
        blank=True,
        help_text=_("For example 巾帼护航·职等你来, with the women's federation."),
    )
    # Jieba-segmented words of the posting (Chinese has no spaces): what search matches.
    search_text = models.TextField(editable=False, blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("employer"),
        FieldRowPanel([FieldPanel("openings"), FieldPanel("closing_date")]),
        FieldRowPanel([FieldPanel("pay_min"), FieldPanel("pay_max")]),
        FieldRowPanel([FieldPanel("place"), FieldPanel("place_detail")]),
        FieldPanel("working_hours"),
        FieldPanel("requirements"),
        FieldPanel("benefits"),
        FieldPanel("contact"),
        MultiFieldPanel([FieldPanel("tags"), FieldPanel("drive")], heading=_("Who it suits")),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("search_text"),
        index.AutocompleteField("search_text"),
        index.FilterField("closing_date"),
        index.FilterField("place"),
    ]
    api_fields = [
        APIField("employer"),
        APIField("openings"),
        APIField("pay_min"),
        APIField("pay_max"),
        APIField("place"),
        APIField("place_detail"),
        APIField("working_hours"),
        APIField("requirements"),
        APIField("benefits"),
        APIField("contact"),
        APIField("closing_date"),
        APIField("tags", serializer=drf_serializers.ListField(read_only=True)),
        APIField("is_closed", serializer=drf_serializers.BooleanField(read_only=True)),
    ]
    parent_page_types = ["employment.JobIndexPage"]
    subpage_types: list[str] = []
    template = "employment/job_posting_page.html"

    class Meta:
        verbose_name = _("job posting")
        verbose_name_plural = _("job postings")
        permissions = [("notify_seekers", _("Can send postings to matching job seekers"))]

    def __str__(self):
        return self.title

    @property
    def is_closed(self) -> bool:
        return self.closing_date is not None and self.closing_date < timezone.localdate()

    @property
    def tag_labels(self) -> list[str]:
        return tag_labels(self.tags)

    @property
    def pay_text(self) -> str:
        if self.pay_min and self.pay_max:
            return f"{self.pay_min}–{self.pay_max}"
        if self.pay_min:
            return f"{self.pay_min}+"
        if self.pay_max:
            return f"≤{self.pay_max}"
        return str(_("by agreement"))

    def clean(self):
        super().clean()
        if self.pay_min and self.pay_max and self.pay_min > self.pay_max:
            raise ValidationError({"pay_max": _("The highest pay cannot be below the lowest pay.")})

    def save(self, *args, **kwargs):
        self.search_text = search_text_for(
            self.title,
            self.employer,
            self.place_detail,
            self.requirements,
            self.benefits,
            self.drive,
            " ".join(self.tag_labels),
        )
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_text"}
        return super().save(*args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from .views import posting_context

        context = super().get_context(request, *args, **kwargs)
        context.update(posting_context(self, request))
        return context


def open_postings(now=None):
    """Postings to list: live, public and not past their closing date. Closed postings
    drop out when asked (no scheduled job needed)."""
    today = timezone.localdate(now) if now else timezone.localdate()
    return JobPostingPage.objects.live().public().filter(closing_date__gte=today)


# --- job seekers -------------------------------------------------------------------------


class JobSeeker(models.Model):
    """A resident looking for work (求职登记), with skills and wishes."""

    class Status(models.TextChoices):
        LOOKING = "looking", _("Looking for work")
        PLACED = "placed", _("Placed in a job")
        PAUSED = "paused", _("Not looking now")

    resident = models.ForeignKey(
        Resident,
        on_delete=models.CASCADE,
        related_name="job_seekers",
        verbose_name=_("resident"),
    )
    skills = models.TextField(_("skills"), blank=True, help_text=_("For example 缝纫, 电焊, 驾驶."))
    wished_place = models.CharField(
        _("wants to work"), max_length=10, choices=WishedPlace.choices, default=WishedPlace.EITHER
    )
    min_pay = models.PositiveIntegerField(
        _("lowest monthly pay wanted (yuan)"), null=True, blank=True
    )
    tags = TagListField(
        _("wishes"), help_text=_("Postings must have at least one of these, if any are chosen.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.LOOKING, db_index=True
    )
    placed_with = models.ForeignKey(
        JobPostingPage,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="placed_seekers",
        verbose_name=_("placed with"),
    )
    placed_on = models.DateField(_("placed on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)

    grid_path = "resident__household__building__grid"

    class Meta:
        verbose_name = _("job seeker")
        verbose_name_plural = _("job seekers")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["resident"], name="employment_one_seeker_per_resident")
        ]
        permissions = [
            (
                "station_wide",
                _("Sees job seekers and enrolments of every grid (employment station)"),
            )
        ]

    def __str__(self):
        return self.resident.name

    def save(self, *args, **kwargs):
        if self.status == self.Status.PLACED and self.placed_on is None:
            self.placed_on = timezone.localdate()
        super().save(*args, **kwargs)

    @property
    def masked_phone(self) -> str:
        return self.resident.masked_phone

    @property
    def tag_labels(self) -> list[str]:
        return tag_labels(self.tags)


# --- interest in a posting ------------------------------------------------------------------


class Interest(models.Model):
    """ "I'm interested" (我感兴趣): a case for the employment staff, about one posting."""

    posting = models.ForeignKey(
        JobPostingPage,
        on_delete=models.CASCADE,
        related_name="interests",
        verbose_name=_("job posting"),
    )
    case = models.OneToOneField(
        "services.Case",
        on_delete=models.CASCADE,
        related_name="job_interest",
        verbose_name=_("case"),
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    grid_path = "case__grid"

    class Meta:
        verbose_name = _("interest in a posting")
        verbose_name_plural = _("interest in postings")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.posting} · {self.case.requester_name}"


# --- training -------------------------------------------------------------------------------


class Course(models.Model):
    """A vocational training course (职业技能培训), often with the county HR bureau."""

    community = models.ForeignKey(
        Community,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("community"),
    )
    title = models.CharField(_("title"), max_length=100)
    organiser = models.CharField(_("organiser"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    place = models.CharField(_("place"), max_length=100)
    schedule = models.CharField(
        _("schedule"), max_length=200, help_text=_("For example 每周二、四 下午2:30–5:00.")
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    capacity = models.PositiveSmallIntegerField(_("places"), validators=[MinValueValidator(1)])
    min_attendance = models.PositiveSmallIntegerField(
        _("sessions to attend for completion"), default=0
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("training course")
        verbose_name_plural = _("training courses")
        ordering = ["-starts_on", "-pk"]

    def __str__(self):
        return self.title

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("A course cannot end before it starts.")})


class CourseSession(models.Model):
    """One session of a course; attendance is taken per session."""

    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("course")
    )
    date = models.DateField(_("date"))
    topic = models.CharField(_("topic"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("course session")
        verbose_name_plural = _("course sessions")
        ordering = ["course_id", "date", "pk"]

    def __str__(self):
        return f"{self.course} {self.date:%Y-%m-%d}"


class Enrolment(models.Model):
    """A resident on a course: enrolled, on the waiting list, cancelled or completed.
    Enrol and cancel only through ``training.enrol`` and ``training.cancel``, which keep
    the course within its capacity."""

    class Status(models.TextChoices):
        ENROLLED = "enrolled", _("Enrolled")
        WAITING = "waiting", _("Waiting list")
        CANCELLED = "cancelled", _("Cancelled")
        COMPLETED = "completed", _("Completed")

    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="enrolments", verbose_name=_("course")
    )
    resident = models.ForeignKey(
        Resident,
        on_delete=models.CASCADE,
        related_name="course_enrolments",
        verbose_name=_("resident"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("enrolled by"),
    )
    created_at = models.DateTimeField(_("signed up"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    grid_path = "resident__household__building__grid"

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["course_id", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "resident"],
                condition=~Q(status="cancelled"),
                name="employment_one_enrolment_per_course",
            )
        ]

    def __str__(self):
        return f"{self.resident} · {self.course}"


class Attendance(models.Model):
    session = models.ForeignKey(CourseSession, on_delete=models.CASCADE, related_name="attendance")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attendance")
    recorded_at = models.DateTimeField(auto_now_add=True)

    grid_path = "enrolment__resident__household__building__grid"

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "enrolment"], name="employment_attended_once"
            )
        ]

    def __str__(self):
        return f"{self.enrolment_id} @ {self.session_id}"


# --- migrant work and subsidies ---------------------------------------------------------------


class MigrantWork(models.Model):
    """Where, and for whom, a resident works away from home (外出务工), since when: the
    basis of the job-retention and travel subsidies."""

    resident = models.ForeignKey(
        Resident, on_delete=models.CASCADE, related_name="migrant_work", verbose_name=_("resident")
    )
    place = models.CharField(_("where"), max_length=100, help_text=_("For example 浙江省宁波市."))
    employer = models.CharField(_("employer"), max_length=100, blank=True)
    job = models.CharField(_("job"), max_length=100, blank=True)
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True, help_text=_("Empty: still there."))
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    grid_path = "resident__household__building__grid"

    class Meta:
        verbose_name = _("migrant work record")
        verbose_name_plural = _("migrant work records")
        ordering = ["-since", "-pk"]

    def __str__(self):
        return f"{self.resident} · {self.place}"

    def clean(self):
        if self.since and self.until and self.until < self.since:
            raise ValidationError({"until": _("The end cannot be before the start.")})

    @property
    def period(self) -> str:
        end = self.until.strftime("%Y-%m-%d") if self.until else str(_("now"))
        return f"{self.since:%Y-%m-%d}—{end}"


class SubsidyKind(models.TextChoices):
    JOB_RETENTION = "job_retention", _("Job-retention subsidy")
    TRAVEL = "travel", _("Travel subsidy")


class SubsidyScheme(models.Model):
    """A subsidy residents apply for (稳岗补贴, 交通补贴). Its form is a staff-built
    service of the services engine, so staff change the eligibility fields in the form
    builder; every application is a case of that service."""

    kind = models.CharField(_("kind"), max_length=20, choices=SubsidyKind.choices, unique=True)
    service = models.OneToOneField(
        "services.Service",
        on_delete=models.PROTECT,
        related_name="subsidy_scheme",
        verbose_name=_("service form"),
    )
    standard_amount = models.DecimalField(
        _("standard amount (yuan)"), max_digits=10, decimal_places=2, default=0
    )

    class Meta:
        verbose_name = _("subsidy scheme")
        verbose_name_plural = _("subsidy schemes")
        ordering = ["kind"]

    def __str__(self):
        return self.get_kind_display()
