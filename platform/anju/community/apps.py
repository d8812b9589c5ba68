from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "anju.community"
    label = "community"
    verbose_name = _("Community")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from .models import Community
        from .sites import forget_sites

        post_save.connect(forget_sites, sender=Community, dispatch_uid="community-sites")
        post_delete.connect(forget_sites, sender=Community, dispatch_uid="community-sites-del")
