from django.utils.translation import gettext_lazy as _

from anju.plugins import PortalLink, ServiceCard

portal_links = [PortalLink(_("Gas safety"), "safety:index")]
service_cards = [
    ServiceCard(
        _("Gas and fire safety"),
        _("Smell gas? Emergency numbers, apply for piped gas, report a hazard."),
        "safety:index",
    )
]
