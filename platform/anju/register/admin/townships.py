"""Settings → Townships: the townships (乡镇/街道) above the communities, which communities
belong to each, who is its township staff and who staffs its service desk (便民服务站).

Whole-county data, so ``Scope.COMMUNITY``: refused to every grid-restricted role
(county and township staff included); managed by whoever holds the township model
permissions — a superuser unless someone was given them.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.viewsets.model import ModelViewSet

from anju.community.models import Community, Township
from anju.permissions.roles import TOWNSHIP_DESK, TOWNSHIP_STAFF
from anju.permissions.urlscope import Scope, ScopedViewSetMixin


class TownshipForm(WagtailAdminModelForm):
    communities = forms.ModelMultipleChoiceField(
        label=_("communities"),
        queryset=Community.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The communities of this township."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        users = get_user_model().objects.filter(is_active=True).order_by("username")
        self.fields["staff"].queryset = users.filter(groups__name=TOWNSHIP_STAFF.name)
        self.fields["desk_staff"].queryset = users.filter(groups__name=TOWNSHIP_DESK.name)
        if self.instance.pk:
            self.initial["communities"] = list(
                self.instance.communities.values_list("pk", flat=True)
            )

    @transaction.atomic
    def save(self, commit=True):
        township = super().save(commit=commit)
        if commit:
            chosen = self.cleaned_data.get("communities") or []
            township.communities.exclude(pk__in=[c.pk for c in chosen]).update(township=None)
            Community.objects.filter(pk__in=[c.pk for c in chosen]).update(township=township)
        return township

    class Meta:
        model = Township
        fields = ["name", "code", "staff", "desk_staff"]
        widgets = {
            "staff": forms.CheckboxSelectMultiple,
            "desk_staff": forms.CheckboxSelectMultiple,
        }


class TownshipViewSet(ScopedViewSetMixin, ModelViewSet):
    model = Township
    grid_scope = Scope.COMMUNITY
    icon = "site"
    menu_label = _("Townships")
    add_to_settings_menu = True
    list_display = ["name", "code"]
    search_fields = ["name", "code"]
    copy_view_enabled = False

    def get_form_class(self, for_update=False):
        return TownshipForm
