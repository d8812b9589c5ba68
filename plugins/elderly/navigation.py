from django.utils.translation import gettext_lazy as _

from anju.plugins import PortalLink, ServiceCard

portal_links = [PortalLink(_("Elderly canteen"), "elderly:index")]
service_cards = [
    ServiceCard(
        _("Elderly canteen and activity centre"),
        _("This week's menu, book lunch without an account, activities for elders."),
        "elderly:index",
    )
]
