from django.utils.translation import gettext_lazy as _

from anju.plugins import PluginConfig


def _crud(*models, actions=("view", "add", "change", "delete")):
    return tuple(f"employment.{action}_{model}" for model in models for action in actions)


#: What county and township staff read (the grids of their jurisdiction only; postings,
#: courses and schemes are public or county-wide anyway).
_JURISDICTION_READS = (
    "employment.view_jobpostingpage",
    "employment.view_course",
    "employment.view_coursesession",
    "employment.view_subsidyscheme",
) + _crud("jobseeker", "migrantwork", "enrolment", "attendance", actions=("view",))


class EmploymentConfig(PluginConfig):
    """The employment service station (就业服务站): job postings and the job board, job
    seekers and matching, vocational training, migrant-work records and the
    job-retention and travel subsidies."""

    name = "plugins.employment"
    label = "employment"
    verbose_name = _("Employment")
    title = _("Employment")
    description = _(
        "Job postings and the job board, job seekers and matching, training courses, "
        "migrant work and the job-retention and travel subsidies."
    )
    icon = "group"
    platform_requires = ">=0.1,<1"
    slug = "employment"
    # The portal pages show these: kept rendered until one changes.
    portal_models = ("employment.Course", "employment.Enrolment", "employment.SubsidyScheme")
    default_settings = {}
    required_settings = ()
    page_types = ("employment.JobIndexPage", "employment.JobPostingPage")
    # Model permissions per role; which records, the grid seats decide (access.py).
    role_permissions = {
        # The station's staff: postings, matching, courses for the whole community.
        "service_staff": (
            "employment.view_jobpostingpage",
            "employment.notify_seekers",
            "employment.station_wide",
            "employment.view_interest",
            "employment.view_subsidyscheme",
        )
        + _crud("jobseeker", "course", "coursesession", "enrolment", "attendance"),
        "committee": (
            "employment.view_jobpostingpage",
            "employment.notify_seekers",
            "employment.view_interest",
            "employment.view_subsidyscheme",
            "employment.change_subsidyscheme",
        )
        + _crud("jobseeker", "migrantwork", "course", "coursesession", "enrolment", "attendance"),
        # Grid workers register seekers and migrant work of their grid, enrol residents.
        "grid_worker": (
            "employment.view_jobpostingpage",
            "employment.view_interest",
            "employment.view_course",
            "employment.view_coursesession",
            "employment.view_subsidyscheme",
        )
        + _crud("jobseeker", "migrantwork", actions=("view", "add", "change"))
        + _crud("enrolment", "attendance", actions=("view", "add", "change")),
        "resident_rep": (
            "employment.view_jobpostingpage",
            "employment.view_course",
        )
        + _crud("jobseeker", "migrantwork", "enrolment", actions=("view",)),
        # County and township staff read what the grids of their jurisdiction hold,
        # scoped like a representative's (anju.permissions.jurisdiction widens their
        # grids); no "wide" permission, which would skip the grid scope. Township desk
        # staff get nothing here: they see only the cases routed to their desk.
        "county_staff": _JURISDICTION_READS,
        "township_staff": _JURISDICTION_READS,
    }
    beat_schedule = {}

    def installed(self, community) -> None:
        """First enabled for a community: its subsidy schemes' forms."""
        from .subsidies import ensure_subsidy_schemes

        ensure_subsidy_schemes()
