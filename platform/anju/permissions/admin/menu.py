"""A menu entry shown only to people holding a permission, and a viewset whose menu
entry is one."""

from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet


class PermissionMenuItem(MenuItem):
    """A menu entry shown to people holding ``permission``, so a menu never leads to a
    refusal (the page checks the same permission again).

    Give the permission per entry (``PermissionMenuItem(label, url, permission="app.x")``)
    or on a subclass (``permission = "app.x"``), e.g. as a viewset's ``menu_item_class``.
    """

    permission: str = ""

    def __init__(self, *args, permission: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if permission is not None:
            self.permission = permission
        if not self.permission:
            raise TypeError(f"{type(self).__name__} needs a permission")

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


class PermissionViewSet(ViewSet):
    """A viewset of a plugin's own admin pages whose menu entry is shown only to holders
    of ``permission`` (each page checks it again)."""

    permission: str = ""

    @property
    def menu_item_class(self):
        return type(
            f"{type(self).__name__}MenuItem", (PermissionMenuItem,), {"permission": self.permission}
        )
