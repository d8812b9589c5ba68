from django.utils.translation import gettext_lazy as _

from anju.plugins import PortalLink, ServiceCard

portal_links = [PortalLink(_("Disputes"), "disputes:index", order=150)]
service_cards = [
    ServiceCard(
        _("Report a dispute"),
        _("Neighbours, family, a leak from upstairs: we help settle it."),
        "disputes:index",
        icon="warning",
        order=150,
    )
]
