from django.utils.translation import gettext_lazy as _

from anju.plugins import PortalLink, ServiceCard

portal_links = [PortalLink(_("Jobs"), "employment:index")]
service_cards = [
    ServiceCard(
        _("Employment"),
        _("Jobs near home and away, training and subsidies."),
        "employment:index",
        icon="group",
    )
]
