"""The core's views for plugins: service forms, and enabling plugins per community."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from anju.community.models import Community
from anju.core.middleware import keeps_answers_when_too_big
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


@keeps_answers_when_too_big
@require_http_methods(["GET", "POST"])
def service_form(request, plugin: str, form_slug: str):
    """A plugin's code-defined form, filed as a case by the services engine."""
    from anju.services.submission import service_for_code_form
    from anju.services.views import handle_request_form

    spec = find_service_form(request, plugin, form_slug)
    service = service_for_code_form(plugin, spec)
    on_submit = spec.on_submit
    return handle_request_form(
        request,
        service,
        template="anju_plugins/service_form.html",
        context={"spec": spec, "plugin": installed_plugins()[plugin]},
        code_form_class=spec.form_class,
        on_submit=on_submit,
        community=activation.current_community(request),
    )


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
