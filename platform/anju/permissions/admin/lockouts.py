"""Login lockouts in the admin (Settings → Login lockouts): who is locked out now, and
lifting a lockout. Committee members and superusers only (the axes permissions); a
committee member sees and lifts only their communities' people's lockouts
(``anju.permissions.lockout.visible_to``); every unlock is written to the audit log."""

from __future__ import annotations

import math

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from anju.core.audit import record
from anju.permissions import lockout
from anju.permissions.urlscope import Scope

UNLOCK_ACTION = "unlock_login"
PAGE_SIZE = 200


class LockoutListView(WagtailAdminTemplateMixin, TemplateView):
    grid_scope = Scope.COMMUNITY
    template_name = "permissions/admin/lockouts.html"
    page_title = gettext_lazy("Login lockouts")
    header_icon = "lock"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(lockout.VIEW_PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        cool_off = get_cool_off()
        context.update(
            attempts=lockout.locked_attempts(self.request.user)[:PAGE_SIZE],
            may_unlock=self.request.user.has_perm(lockout.UNLOCK_PERMISSION),
            failure_limit=settings.AXES_FAILURE_LIMIT,
            cool_off_minutes=math.ceil(cool_off.total_seconds() / 60) if cool_off else 0,
        )
        return context


class UnlockView(View):
    grid_scope = Scope.COMMUNITY
    http_method_names = ["post"]

    def post(self, request, pk: int):
        if not request.user.has_perm(lockout.UNLOCK_PERMISSION):
            raise PermissionDenied
        visible = lockout.visible_to(AccessAttempt.objects.all(), request.user)
        attempt = get_object_or_404(visible, pk=pk)
        record(request, UNLOCK_ACTION, [attempt], where="admin:lockouts")
        lockout.unlock(attempt)
        messages.success(
            request,
            _("Unlocked %(account)s.") % {"account": attempt.username or attempt.ip_address},
        )
        return redirect("permissions_lockouts")
