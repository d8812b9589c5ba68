from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from anju.plugins import PluginConfig


def _perms(*models, actions=("view", "add", "change", "delete")):
    return tuple(f"elderly.{action}_{model}" for model in models for action in actions)


#: What county and township staff read (the grids of their jurisdiction only).
_JURISDICTION_READS = _perms(
    "eligibilitygrant", "menu", "meal", "welfarecheck", "activity", "signup", actions=("view",)
)


class ElderlyConfig(PluginConfig):
    """The elderly canteen (老年餐厅) for residents aged 70 and over and the elderly
    activity centre (老年活动中心): menus, lunch bookings, the counter and the kitchen,
    deliveries for the homebound, the bureau's subsidy report, welfare checks and
    activities."""

    name = "plugins.elderly"
    label = "elderly"
    verbose_name = _("Elderly canteen and activity centre")
    title = _("Elderly canteen and activity centre")
    description = _(
        "Lunch for residents aged 70 and over: weekly menus, booking, the counter and "
        "deliveries, subsidies; welfare checks; the activity centre's calendar."
    )
    icon = "pick"
    platform_requires = ">=0.1,<1"
    slug = "elderly"
    # The portal pages show these: kept rendered until one changes.
    portal_models = (
        "elderly.Menu",
        "elderly.Dish",
        "elderly.Activity",
        "elderly.Room",
        "elderly.SignUp",
    )
    default_settings = {
        # Bookings and cancellations for a day close at this local time that day.
        "CUTOFF": "09:30",
        # The weekdays it serves lunch (Monday is 0); closures and extra days (public
        # holidays, 调休) are kept in the admin (Elderly canteen → Closures and extra days).
        "OPEN_WEEKDAYS": [0, 1, 2, 3, 4],
        # Price per lunch and the county's subsidy, by the diner's age (the rest is paid
        # by the diner). Granted exceptions under 70 pay the first tier.
        "PRICE_TIERS": [
            {"min_age": 70, "name": "70–79岁", "price": "12.00", "subsidy": "6.00"},
            {"min_age": 80, "name": "80岁及以上", "price": "12.00", "subsidy": "9.00"},
        ],
        # Welfare check: "usually eats here" is USUAL_MEALS lunches taken in the
        # USUAL_WINDOW working days before ABSENT_DAYS working days without a meal.
        "ABSENT_DAYS": 2,
        "USUAL_WINDOW": 10,
        "USUAL_MEALS": 5,
        # Attempts to identify oneself on the portal (name, address, phone's last four
        # digits), per client address.
        "IDENTIFY_RATE": "30/h",
    }
    required_settings = ()
    role_permissions = {
        # Canteen staff: menus, bookings on behalf, the counter and the kitchen for every
        # grid; the activity centre.
        "service_staff": ("elderly.canteen_wide", "elderly.view_eligibilitygrant")
        + _perms(
            "menu",
            "dish",
            "canteenday",
            "meal",
            "diner",
            "activity",
            "signup",
            "room",
            "roombooking",
        ),
        # The committee grants exceptions and sees everything of the community.
        "committee": ("elderly.canteen_wide",)
        + _perms(
            "eligibilitygrant",
            "menu",
            "dish",
            "canteenday",
            "meal",
            "diner",
            "welfarecheck",
            "activity",
            "signup",
            "room",
            "roombooking",
        ),
        # Grid workers book for the elders of their grid and do the welfare checks.
        "grid_worker": (
            "elderly.view_eligibilitygrant",
            "elderly.view_menu",
            "elderly.view_activity",
        )
        + _perms("meal", "diner", "signup", actions=("view", "add", "change"))
        + _perms("welfarecheck", actions=("view", "change")),
        "resident_rep": (
            "elderly.view_eligibilitygrant",
            "elderly.view_menu",
            "elderly.view_meal",
            "elderly.view_welfarecheck",
            "elderly.view_activity",
        ),
        # County and township staff read what the grids of their jurisdiction hold,
        # scoped like a representative's (anju.permissions.jurisdiction widens their
        # grids); no "wide" permission, which would skip the grid scope. Township desk
        # staff get nothing here: they see only the cases routed to their desk.
        "county_staff": _JURISDICTION_READS,
        "township_staff": _JURISDICTION_READS,
    }
    beat_schedule = {
        "elderly-raise-welfare-checks": {
            "task": "elderly.raise_welfare_checks",
            "schedule": crontab(hour=13, minute=30, day_of_week="1-5"),
        },
    }
