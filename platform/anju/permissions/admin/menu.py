"""A menu entry shown only to people holding a permission."""

from wagtail.admin.menu import MenuItem


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
