"""Which plugins are active for a community, enforced from here for URLs, API, pages,
navigation, panels, forms and signals.

The answer is cached per community (and the request's community per site), so a
portal page pays no query for it once warm; saving an activation clears the cache, so
enabling or disabling takes effect on the next request of every process, no restart.
"""

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from anju.community.models import Community
from anju.community.sites import current_community
from anju.core import localcache

from .models import PluginActivation
from .registry import installed_plugins

_ACTIVE_KEY = "anju:plugins:active:{community_id}"
_NONE = 0


def active_plugins(community: Community | int | None) -> frozenset[str]:
    """Labels of the plugins enabled for ``community`` (a Community or its primary key;
    None: the defaults). Every question "is this plugin on here?" ends here.

    Remembered in the process until an activation changes (anju.core.localcache), then
    in the shared cache, then read from the database."""
    if community is None:
        community_id = _NONE
    else:
        community_id = community if isinstance(community, int) else community.pk
    return localcache.remember(("plugins-active", community_id), lambda: _active(community_id))


def _active(community_id: int) -> frozenset[str]:
    plugins = installed_plugins()
    key = _ACTIVE_KEY.format(community_id=community_id)
    cached = cache.get(key)
    if cached is not None:
        return frozenset(label for label in cached if label in plugins)
    decided = {}
    if community_id != _NONE:
        decided = dict(
            PluginActivation.objects.filter(community_id=community_id).values_list(
                "plugin", "enabled"
            )
        )
    active = frozenset(
        label for label, config in plugins.items() if decided.get(label, config.default_enabled)
    )
    cache.set(key, sorted(active), timeout=None)
    return active


def active_for_request(request) -> frozenset[str]:
    """The active set for the request's community, remembered on the request: a page
    asks many times (menus, cards, panels, forms) and pays for one lookup."""
    remembered = getattr(request, "_anju_active_plugins", None)
    if remembered is None:
        remembered = active_plugins(current_community(request))
        try:
            request._anju_active_plugins = remembered
        except AttributeError:  # not a real request object
            pass
    return remembered


def is_active(request, label: str) -> bool:
    return label in active_for_request(request)


def _plugin(label: str):
    plugins = installed_plugins()
    if label not in plugins:
        raise LookupError(f"No installed plugin {label!r}")
    return plugins[label]


@transaction.atomic
def enable(community: Community, label: str) -> PluginActivation:
    """Enable ``label`` for ``community``; the first time, call its ``installed``."""
    config = _plugin(label)
    activation, created = PluginActivation.objects.get_or_create(
        community=community, plugin=label, defaults={"enabled": True}
    )
    if created:
        config.installed(community)
    elif not activation.enabled:
        activation.enabled = True
        activation.save()
    return activation


@transaction.atomic
def disable(community: Community, label: str) -> PluginActivation:
    """Disable ``label`` for ``community``. Its data stays."""
    config = _plugin(label)
    activation, created = PluginActivation.objects.get_or_create(
        community=community, plugin=label, defaults={"enabled": False}
    )
    if created:
        config.installed(community)
    elif activation.enabled:
        activation.enabled = False
        activation.save()
    return activation


@transaction.atomic
def uninstall(community: Community, label: str) -> None:
    """Remove ``label`` from ``community`` for good: call ``uninstalled`` to tidy data."""
    _plugin(label).uninstalled(community)
    PluginActivation.objects.filter(community=community, plugin=label).delete()


@receiver(post_save, sender=PluginActivation, dispatch_uid="anju-plugin-activation-saved")
@receiver(post_delete, sender=PluginActivation, dispatch_uid="anju-plugin-activation-deleted")
def _forget(sender, instance, **kwargs):
    key = _ACTIVE_KEY.format(community_id=instance.community_id)
    cache.delete(key)
    # Again after commit: a request that read the old rows meanwhile may have cached them.
    transaction.on_commit(lambda: cache.delete(key))
    localcache.bump()  # every process's copy (and after commit, again)
