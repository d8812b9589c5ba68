"""Staff views for delivery to every household: what is left to deliver in my grids,
and recording a reach in one tap. Registered as Wagtail admin URLs (see the hooks at
the bottom; anju.notices.apps imports this module)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from anju.permissions.admin.menu import PermissionMenuItem
from anju.permissions.urlscope import Scope

from . import delivery
from .models import DeliveryChannel

VIEW_PERMISSION = "notices.view_noticedelivery"
ADD_PERMISSION = "notices.add_noticedelivery"
PAGE_SIZE = 100


class _DeliveryMixin:
    grid_scope = Scope.GRID
    permission = VIEW_PERMISSION

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(self.permission):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_notice(self):
        return get_object_or_404(delivery.notices_to_deliver(), pk=self.kwargs["notice_id"])


class DeliveryIndexView(_DeliveryMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "notices/admin/delivery_index.html"
    page_title = gettext_lazy("Delivery to every household")
    header_icon = "mail"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = []
        # A handful of live notices need delivery at a time; one coverage query each.
        for notice in delivery.notices_to_deliver()[:50]:
            grids = delivery.coverage(notice, self.request.user)
            targeted = sum(g.targeted for g in grids)
            reached = sum(g.reached for g in grids)
            if targeted:
                rows.append(
                    {
                        "notice": notice,
                        "targeted": targeted,
                        "reached": reached,
                        "percent": round(reached * 100 / targeted),
                    }
                )
        context["rows"] = rows
        return context


class DeliveryDetailView(_DeliveryMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "notices/admin/delivery_detail.html"
    header_icon = "mail"

    def get_page_title(self):
        return self.notice.title

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("anju_notice_delivery"), "label": _("Delivery to every household")},
            {"url": "", "label": self.notice.title},
        ]

    def get(self, request, *args, **kwargs):
        self.notice = self.get_notice()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        show = self.request.GET.get("show", "unreached")
        reached = {"unreached": False, "reached": True}.get(show)
        paginator = Paginator(
            delivery.households(self.notice, self.request.user, reached), PAGE_SIZE
        )
        context.update(
            notice=self.notice,
            grids=delivery.coverage(self.notice, self.request.user),
            page_obj=paginator.get_page(self.request.GET.get("p")),
            show=show if show in ("unreached", "reached", "all") else "unreached",
            channels=DeliveryChannel.choices,
            can_record=self.request.user.has_perm(ADD_PERMISSION),
        )
        return context


class RecordReachView(_DeliveryMixin, View):
    permission = ADD_PERMISSION
    http_method_names = ["post"]

    def post(self, request, notice_id):
        notice = self.get_notice()
        try:
            household_id = int(request.POST.get("household", ""))
        except ValueError:
            household_id = 0
        try:
            _record, created = delivery.record(
                notice, household_id, request.POST.get("channel", ""), request.user
            )
        except delivery.DeliveryError as error:
            messages.error(request, str(error))
        else:
            if created:
                messages.success(request, _("Recorded."))
            else:
                messages.info(request, _("This household had already been reached."))
        url = reverse("anju_notice_delivery_detail", args=[notice.pk])
        show = request.POST.get("show")
        return redirect(f"{url}?show={show}" if show in ("unreached", "reached", "all") else url)


@hooks.register("register_admin_urls")
def register_delivery_urls():
    return [
        path("notice-delivery/", DeliveryIndexView.as_view(), name="anju_notice_delivery"),
        path(
            "notice-delivery/<int:notice_id>/",
            DeliveryDetailView.as_view(),
            name="anju_notice_delivery_detail",
        ),
        path(
            "notice-delivery/<int:notice_id>/record/",
            RecordReachView.as_view(),
            name="anju_notice_delivery_record",
        ),
    ]


@hooks.register("register_admin_menu_item")
def register_delivery_menu_item():
    return PermissionMenuItem(
        gettext_lazy("Deliver notices"),
        "/admin/notice-delivery/",
        name="notice-delivery",
        icon_name="mail",
        order=170,
        permission=VIEW_PERMISSION,
    )
