"""The core's views for plugins: service forms, and enabling plugins per community."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from anju.community.models import Community
from anju.permissions.urlscope import Scope, declare_scope

from . import activation
from .registry import contributions, installed_plugins


def find_service_form(request, plugin: str, form_slug: str):
    """The ServiceForm ``form_slug`` of ``plugin`` if the plugin is active here."""
    if not activation.is_active(request, plugin):
        raise Http404
    for contribution in contributions("service_forms"):
        if contribution.plugin == plugin and contribution.item.slug == form_slug:
            return contribution.item
    raise Http404


@require_http_methods(["GET", "POST"])
def service_form(request, plugin: str, form_slug: str):
    spec = find_service_form(request, plugin, form_slug)
    if not spec.allow_anonymous and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    # An empty POST is still a submission: bind it, so it gets its field errors.
    form = (
        spec.form_class(request.POST, request.FILES)
        if request.method == "POST"
        else spec.form_class()
    )
    context = {"spec": spec, "form": form, "plugin": installed_plugins()[plugin]}
    if request.method == "POST" and form.is_valid():
        reference = spec.handle(form, request)
        context["reference"] = reference
        return TemplateResponse(request, "anju_plugins/service_form_done.html", context)
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(request, "anju_plugins/service_form.html", context, status=status)


def _may_manage(user) -> bool:
    return user.is_superuser or user.has_perm("anju_plugins.change_pluginactivation")


@declare_scope(Scope.COMMUNITY)
@require_http_methods(["GET", "POST"])
def manage_plugins(request):
    """Enable or disable each installed plugin for each community, at run time."""
    if not _may_manage(request.user):
        raise PermissionDenied
    from anju.permissions.scope import scope_queryset

    communities = list(scope_queryset(Community.objects.all(), request.user))
    if request.method == "POST":
        label = request.POST.get("plugin", "")
        community = next(
            (c for c in communities if str(c.pk) == request.POST.get("community")), None
        )
        if community is None or label not in installed_plugins():
            messages.error(request, _("Choose a plugin and a community."))
        elif request.POST.get("action") == "enable":
            activation.enable(community, label)
            messages.success(request, _("Enabled."))
        else:
            activation.disable(community, label)
            messages.success(request, _("Disabled; its data is kept."))
        return redirect("anju_plugins_manage")
    rows = []
    for label, config in sorted(installed_plugins().items()):
        rows.append(
            {
                "label": label,
                "config": config,
                "states": [(c, label in activation.active_plugins(c)) for c in communities],
            }
        )
    return TemplateResponse(
        request, "anju_plugins/admin/manage.html", {"rows": rows, "communities": communities}
    )
