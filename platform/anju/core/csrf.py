"""What a visitor sees when a form's security check (CSRF) fails: a page in their
language saying what to do, never Django's technical one.

The portal's service forms get their token from a script (they are cached pages), so a
browser without JavaScript, or without cookies, ends here; so does a form left open until
its token went stale."""

from django.template.response import TemplateResponse


def csrf_failure(request, reason=""):
    response = TemplateResponse(request, "403_csrf.html", {}, status=403)
    response["Cache-Control"] = "private, no-store"
    return response.render()
