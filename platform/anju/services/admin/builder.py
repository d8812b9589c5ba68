"""The service builder (low-code forms): a ModelViewSet over ``Service`` and its fields.

Every save snapshots the fields into a new ``FormVersion`` when they changed, so cases
filed earlier keep reading as they were filed. A plugin's code-defined form may change
only its handling."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.db import transaction
from django.db.models import ProtectedError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.forms.models import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet

from anju.community.models import Community
from anju.permissions.scope import scope_queryset
from anju.permissions.urlscope import Scope, ScopedViewSetMixin

from ..fieldtypes import FieldType
from ..models import (
    Service,
)
from .common import services_for

# --- the service builder --------------------------------------------------------------


class ServiceAdminForm(WagtailAdminModelForm):
    """The builder's form: the community menu lists only the user's communities, and a
    choice field must come with its choices (a form a resident cannot answer would
    otherwise be published)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("community")
        user = self.for_user
        if field is not None and not (user is not None and user.is_superuser):
            field.queryset = (
                scope_queryset(Community.objects.all(), user)
                if user is not None
                else Community.objects.none()
            )

    def clean(self):
        cleaned = super().clean()
        formset = getattr(self, "formsets", {}).get("form_fields")
        if formset is not None:
            formset.is_valid()  # runs each field form's own validation first
            for form in formset.forms:
                data = getattr(form, "cleaned_data", None) or {}
                if not data or data.get("DELETE"):
                    continue
                kind = data.get("field_type")
                choices = [c for c in (data.get("choices") or "").splitlines() if c.strip()]
                if kind in (FieldType.CHOICE, FieldType.MULTIPLE_CHOICE) and not choices:
                    form.add_error("choices", _("List the choices, one per line."))
        return cleaned


#: What may change on a plugin's code-defined form: only how its cases are handled.
CODE_PANELS = [
    MultiFieldPanel(
        [
            FieldPanel("community"),
            FieldPanel("handler_role"),
            FieldPanel("accept_hours"),
            FieldPanel("resolve_hours"),
            FieldPanel("allow_anonymous"),
            FieldPanel("is_active"),
        ],
        heading=gettext_lazy("Handling"),
    )
]


class _ServiceQuerysetMixin:
    def get_object_queryset(self):
        return services_for(self.request.user)

    def get_object(self, queryset=None):
        # Fetched once per request (the edit view needs it to choose its panel).
        if getattr(self, "_service", None) is None:
            pk = unquote(str(self.kwargs[self.pk_url_kwarg]))
            self._service = get_object_or_404(self.get_object_queryset(), pk=pk)
        return self._service


class _SnapshotMixin:
    """After every save of a built form, freeze its fields as a version if they changed:
    cases filed earlier point at their own version and keep their labels."""

    def save_instance(self):
        instance = super().save_instance()
        if instance.kind == Service.Kind.BUILT:
            instance.snapshot(user=self.request.user)
        return instance


class ServiceIndexView(generic.IndexView):
    def get_base_queryset(self):
        return services_for(self.request.user).select_related("community", "current_version")


class ServiceCreateView(_SnapshotMixin, generic.CreateView):
    pass


class ServiceEditView(_ServiceQuerysetMixin, _SnapshotMixin, generic.EditView):
    def get_panel(self):
        """A plugin's form is its code: staff may change only its handling."""
        service = self.get_object()
        if service.kind == Service.Kind.CODE:
            return ObjectList(CODE_PANELS, base_form_class=ServiceAdminForm).bind_to_model(Service)
        return super().get_panel()

    def get_form_class(self):
        # The viewset hands every edit view the full form class; a plugin's form takes
        # the handling-only one of its panel instead.
        if self.get_object().kind == Service.Kind.CODE:
            return self.panel.get_form_class()
        return super().get_form_class()


class ServiceDeleteView(_ServiceQuerysetMixin, generic.DeleteView):
    def form_valid(self, form):
        try:
            with transaction.atomic():
                return super().form_valid(form)
        except ProtectedError:
            messages.error(
                self.request,
                _(
                    "“%(service)s” has cases or a portal page and cannot be deleted. "
                    "Close it for requests instead."
                )
                % {"service": self.object},
            )
            return redirect(reverse(self.index_url_name))


class ServiceInspectView(_ServiceQuerysetMixin, generic.InspectView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form_fields"] = list(self.object.form_fields.all())
        return context


class ServiceViewSet(ScopedViewSetMixin, ModelViewSet):
    """The builder. Committee members make and change forms; grid workers and service
    staff may read them. Services hold no grid data."""

    model = Service
    grid_scope = Scope.NO_GRID_DATA
    name = "anju_service_forms"
    url_prefix = "service-forms"
    icon = "form"
    add_to_admin_menu = False  # in the "Cases" menu (wagtail_hooks)
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = True
    search_backend_name = None
    search_fields = ["title", "slug"]
    list_per_page = 50
    index_view_class = ServiceIndexView
    add_view_class = ServiceCreateView
    edit_view_class = ServiceEditView
    delete_view_class = ServiceDeleteView
    inspect_view_class = ServiceInspectView
    inspect_template_name = "anju_services/admin/service_inspect.html"
    list_display = [
        "title",
        Column("kind", label=gettext_lazy("Kind"), accessor="get_kind_display"),
        Column("community", label=gettext_lazy("Community")),
        Column(
            "handler_role", label=gettext_lazy("Handled by"), accessor="get_handler_role_display"
        ),
        Column("current_version", label=gettext_lazy("Version"), accessor="current_version.number"),
        BooleanColumn("is_active", label=gettext_lazy("Open for requests")),
    ]
    list_filter = ["kind", "is_active", "handler_role"]
    inspect_view_fields = [
        "title",
        "slug",
        "description",
        "kind",
        "plugin",
        "community",
        "handler_role",
        "accept_hours",
        "resolve_hours",
        "allow_anonymous",
        "is_active",
    ]

    def get_edit_handler(self):
        return ObjectList(Service.panels, base_form_class=ServiceAdminForm).bind_to_model(Service)


service_viewset = ServiceViewSet()
