from django.utils.translation import gettext_lazy as _

from anju.plugins import PortalLink, ServiceCard

portal_links = [PortalLink(_("Seven-colour classroom"), "classroom:index", order=500)]
service_cards = [
    ServiceCard(
        _("Seven-colour classroom"),
        _("After-school care for children whose parents work away: timetable and enrolment."),
        "classroom:index",
        icon="group",
        order=500,
    )
]
