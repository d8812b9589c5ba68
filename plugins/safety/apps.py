from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from anju.plugins import PluginConfig


def _perms(*models, actions=("view", "add", "change", "delete")):
    return tuple(f"safety.{action}_{model}" for model in models for action in actions)


class SafetyConfig(PluginConfig):
    """Gas and fire safety (燃气与用火用电安全): each household's gas, connection
    applications handed to the gas company, door-to-door checks as campaign rounds,
    hazards to rectification and re-check, safety talks and drills."""

    name = "plugins.safety"
    label = "safety"
    verbose_name = _("Gas and fire safety")
    title = _("Gas and fire safety")
    description = _(
        "Piped gas instead of bottled LPG, door-to-door gas, fire and electrical checks, "
        "hazards removed in time, safety talks with the gas company and the fire brigade."
    )
    icon = "warning"
    platform_requires = ">=0.1,<1"
    slug = "safety"
    default_settings = {
        # Days to remove a hazard, by severity: the deadline of its case.
        "DEADLINE_DAYS": {"high": 3, "medium": 14, "low": 30},
        # Partner organisations (anju.permissions.PartnerOrganisation codes) an overdue
        # hazard is handed to, by kind; "gas_company" also gets connection applications
        # and the hazards it must fix itself.
        "PARTNERS": {
            "gas": "gas_company",
            "electrical": "fire_brigade",
            "fire": "fire_brigade",
            "gas_company": "gas_company",
        },
        # Shown first on the portal's gas-safety page: (label, number).
        "EMERGENCY_NUMBERS": [
            ["燃气抢修 Gas emergency", "96777"],
            ["火警 Fire", "119"],
            ["急救 Ambulance", "120"],
            ["报警 Police", "110"],
        ],
    }
    required_settings = ()
    role_permissions = {
        "committee": ("safety.export_figures", "safety.recheck_hazard")
        + _perms("hazard", "gasstatus", "connectionapplication", "safetytalk"),
        "grid_worker": _perms("hazard", "gasstatus", actions=("view", "add", "change"))
        + (
            "safety.recheck_hazard",
            "safety.export_figures",
            "safety.view_connectionapplication",
            "safety.view_safetytalk",
        ),
        "resident_rep": _perms(
            "hazard", "gasstatus", "connectionapplication", "safetytalk", actions=("view",)
        ),
        # County and township staff read what the grids of their jurisdiction hold,
        # scoped like a representative's (anju.permissions.jurisdiction widens their
        # grids); no "wide" permission, which would skip the grid scope. Township desk
        # staff get nothing here: they see only the cases routed to their desk.
        "county_staff": _perms(
            "hazard", "gasstatus", "connectionapplication", "safetytalk", actions=("view",)
        ),
        "township_staff": _perms(
            "hazard", "gasstatus", "connectionapplication", "safetytalk", actions=("view",)
        ),
        # Partner organisations (the gas company, the fire brigade): the hazards and
        # applications handed to them, which they may mark rectified.
        "partner_staff": (
            "safety.view_hazard",
            "safety.change_hazard",
            "safety.view_connectionapplication",
        ),
    }
    beat_schedule = {
        "safety-escalate-overdue-hazards": {
            "task": "safety.escalate_overdue_hazards",
            "schedule": crontab(minute=20),
        },
    }

    def ready(self):
        super().ready()
        from anju.campaigns import target_answered
        from anju.services import case_changed

        from .handling import on_case_changed, on_target_answered

        case_changed.connect(on_case_changed, dispatch_uid="safety-case-changed")
        target_answered.connect(on_target_answered, dispatch_uid="safety-target-answered")
