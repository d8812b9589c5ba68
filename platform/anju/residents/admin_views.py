"""Staff views: resident accounts waiting for a link, confirming or rejecting one, and
linking a family member to act for a resident (代理人). Grid-scoped: a grid worker sees
the requests of their own grids, the committee also those whose grid is unknown."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from anju.community.models import Resident, ResidentLink
from anju.permissions.pickers import grid_residents, use_picker
from anju.permissions.scope import is_grid_restricted, scope_queryset, visible_grids
from anju.permissions.urlscope import Scope

from . import linking
from .forms import clean_mobile

PERMISSION = "community.change_resident"
PAGE_SIZE = 100


def may_link(user) -> bool:
    return user.is_authenticated and user.has_perm(PERMISSION)


def visible_links(user):
    """Pending links in the user's grids; with no grid (unknown phone), the committee's
    (anyone not restricted to grids) in its communities, or with no community at all."""
    links = linking.pending_links()
    if user.is_superuser:
        return links
    q = Q(grid__in=visible_grids(user).values("pk"))
    if not is_grid_restricted(user):
        q |= Q(grid__isnull=True) & (
            Q(community__isnull=True) | Q(community__in=visible_grids(user).values("community_id"))
        )
    return links.filter(q)


class _Mixin:
    grid_scope = Scope.GRID

    def dispatch(self, request, *args, **kwargs):
        if not may_link(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class PendingLinksView(_Mixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "residents/admin/pending_links.html"
    page_title = gettext_lazy("Resident accounts to link")
    header_icon = "user"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["links"] = list(visible_links(self.request.user).order_by("created_at")[:PAGE_SIZE])
        return context


class DecideForm(forms.Form):
    resident = forms.ModelChoiceField(
        label=gettext_lazy("Resident"), queryset=Resident.objects.none(), required=False
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"), choices=ResidentLink.Kind.choices, initial="self"
    )
    decision = forms.ChoiceField(
        choices=[("confirm", gettext_lazy("Link")), ("reject", gettext_lazy("Reject"))],
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # A search box over the user's grids, never a list of the register.
        use_picker(self.fields["resident"], user, grid_residents)


def _scoped_residents(user):
    return scope_queryset(Resident.objects.select_related("household__building"), user).order_by(
        "household__building__grid__number", "household_id", "pk"
    )


class DecideLinkView(_Mixin, WagtailAdminTemplateMixin, FormView):
    template_name = "residents/admin/decide_link.html"
    header_icon = "user"
    form_class = DecideForm
    page_title = gettext_lazy("Link a resident account")

    def dispatch(self, request, *args, **kwargs):
        if may_link(request.user):
            self.link = get_object_or_404(visible_links(request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("residents_admin_links"), "label": _("Resident accounts to link")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        phone = getattr(getattr(self.link.user, "resident_account", None), "phone", "")
        context["link"] = self.link
        context["candidates"] = list(
            _scoped_residents(self.request.user).filter(
                pk__in=Resident.objects.with_phone(phone).values("pk")
            )[:20]
        )
        return context

    def form_valid(self, form):
        confirm = form.cleaned_data["decision"] == "confirm"
        if confirm and form.cleaned_data["resident"] is None:
            form.add_error("resident", _("Choose the resident to link this account to."))
            return self.form_invalid(form)
        try:
            linking.decide(
                self.link,
                self.request.user,
                resident=form.cleaned_data["resident"],
                kind=form.cleaned_data["kind"],
                confirm=confirm,
            )
        except linking.LinkError as exc:
            form.add_error(None, str(exc))
            return self.form_invalid(form)
        messages.success(self.request, _("Linked.") if confirm else _("Rejected."))
        return redirect("residents_admin_links")


class ProxyForm(forms.Form):
    resident = forms.ModelChoiceField(
        label=gettext_lazy("Resident they act for"), queryset=Resident.objects.none()
    )
    phone = forms.CharField(
        label=gettext_lazy("Family member's mobile number"),
        max_length=20,
        help_text=gettext_lazy("They sign in on the portal with this number."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # A search box over the user's grids, never a list of the register.
        use_picker(self.fields["resident"], user, grid_residents)

    def clean_phone(self):
        return clean_mobile(self.cleaned_data["phone"])


class AddProxyView(_Mixin, WagtailAdminTemplateMixin, FormView):
    template_name = "residents/admin/add_proxy.html"
    header_icon = "user"
    form_class = ProxyForm
    page_title = gettext_lazy("Link a family member (代理人)")

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("residents_admin_links"), "label": _("Resident accounts to link")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        try:
            linking.add_proxy(
                self.request.user, form.cleaned_data["resident"], form.cleaned_data["phone"]
            )
        except linking.LinkError as exc:
            form.add_error(None, str(exc))
            return self.form_invalid(form)
        messages.success(self.request, _("The family member can now act for the resident."))
        return redirect("residents_admin_links")


class LinksMenuItem(MenuItem):
    def is_shown(self, request):
        return may_link(request.user)
