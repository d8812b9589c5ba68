"""The refusal page (403). In the staff admin a refused page is an admin page in the
user's language that says why (the reason the refusing code gave, such as the
deny-by-default route scope's), with the menu around it; elsewhere the portal's page."""

from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views import defaults


def permission_denied(request, exception=None):
    user = getattr(request, "user", None)
    if request.path_info.startswith("/admin/") and user is not None and user.is_authenticated:
        reason = str(exception) if exception is not None and str(exception) else ""
        if not reason or reason == "403 Forbidden":
            reason = _("Your role does not give access to this page.")
        response = TemplateResponse(
            request, "permissions/admin_403.html", {"reason": reason}, status=403
        )
        return response.render()
    return defaults.permission_denied(request, exception)
