"""API tokens in the admin (Settings → API tokens): issue personal tokens and
integration keys, see when each was last used, revoke one. Administrators only (the
model's permissions, which no role is given by default); every issue and revocation is
in the audit log, as is every use of an integration key (anju.api.tokens)."""

from django.contrib import messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.views.generic import CreateView, EditView
from wagtail.admin.viewsets.model import ModelViewSet

from anju.permissions.urlscope import Scope, ScopedViewSetMixin

from . import tokens
from .admin.forms import IssueTokenForm, RevokeTokenForm
from .models import ApiToken


class IssueTokenView(CreateView):
    def save_instance(self):
        form = self.form
        token, self.token_text = tokens.issue(
            form.cleaned_data["user"],
            name=form.cleaned_data["name"],
            kind=form.cleaned_data["kind"],
            scopes=form.cleaned_data.get("scopes") or [],
            expires=form.expires_at(),
            issued_by=self.request.user,
            request=self.request,
        )
        return token

    def save_action(self):
        messages.warning(
            self.request,
            _("Copy this token now; it is not shown again: %(token)s") % {"token": self.token_text},
        )
        return super().save_action()


class RevokeTokenView(EditView):
    def save_instance(self):
        token = self.form.save()
        if self.form.cleaned_data.get("revoke"):
            tokens.revoke(token, by=self.request.user, request=self.request)
        return token


class ApiTokenViewSet(ScopedViewSetMixin, ModelViewSet):
    model = ApiToken
    grid_scope = Scope.COMMUNITY
    icon = "key"
    menu_label = gettext_lazy("API tokens")
    add_to_settings_menu = True
    add_view_class = IssueTokenView
    edit_view_class = RevokeTokenView
    copy_view_enabled = False
    list_display = ["name", "user", "kind", "scopes", "expiry", "revoked_at", "last_used_at"]
    list_filter = ["kind"]
    search_fields = ["name", "user__username"]

    def get_form_class(self, for_update=False):
        return RevokeTokenForm if for_update else IssueTokenForm

    def get_queryset(self, request):
        return ApiToken.objects.select_related("user")


@hooks.register("register_admin_viewset")
def register_api_tokens():
    return ApiTokenViewSet("api_tokens")
