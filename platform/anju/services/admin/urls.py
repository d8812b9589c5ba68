"""The services engine's admin URLs and its "Cases" menu entries."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy

from anju.permissions.admin.menu import PermissionMenuItem

from .behalf import FileOnBehalfChooseView, FileOnBehalfView
from .builder import service_viewset
from .case import AttachmentDownloadView, CaseActionView, CaseDetailView
from .common import FILE_ON_BEHALF, VIEW_CASE, VIEW_SERVICE
from .figures import FiguresView
from .inbox import BulkAssignView, CaseExportView, CaseInboxView

# --- URLs and menu --------------------------------------------------------------------


def urlpatterns():
    return [
        path("cases/", CaseInboxView.as_view(), name="anju_cases"),
        path("cases/export/", CaseExportView.as_view(), name="anju_cases_export"),
        path("cases/assign/", BulkAssignView.as_view(), name="anju_cases_bulk_assign"),
        path("cases/figures/", FiguresView.as_view(), name="anju_cases_figures"),
        path("cases/file/", FileOnBehalfChooseView.as_view(), name="anju_cases_file"),
        path(
            "cases/file/<int:service_pk>/",
            FileOnBehalfView.as_view(),
            name="anju_cases_file_form",
        ),
        path("cases/<int:pk>/", CaseDetailView.as_view(), name="anju_case"),
        path(
            "cases/<int:pk>/transition/",
            CaseActionView.as_view(action="transition"),
            name="anju_case_transition",
        ),
        path(
            "cases/<int:pk>/comment/",
            CaseActionView.as_view(action="comment"),
            name="anju_case_comment",
        ),
        path(
            "cases/<int:pk>/assign/",
            CaseActionView.as_view(action="assign"),
            name="anju_case_assign",
        ),
        path(
            "cases/<int:pk>/follow-up/",
            CaseActionView.as_view(action="follow-up"),
            name="anju_case_follow_up",
        ),
        path(
            "cases/<int:pk>/attachments/<int:attachment_pk>/",
            AttachmentDownloadView.as_view(),
            name="anju_case_attachment",
        ),
    ]


def menu_items():
    from django.urls import reverse_lazy

    return [
        PermissionMenuItem(
            gettext_lazy("Cases inbox"),
            reverse_lazy("anju_cases"),
            name="cases-inbox",
            icon_name="tasks",
            order=100,
            permission=VIEW_CASE,
        ),
        PermissionMenuItem(
            gettext_lazy("Service forms"),
            reverse_lazy(service_viewset.get_url_name("index")),
            name="service-forms",
            icon_name="form",
            order=200,
            permission=VIEW_SERVICE,
        ),
        PermissionMenuItem(
            gettext_lazy("Figures"),
            reverse_lazy("anju_cases_figures"),
            name="cases-figures",
            icon_name="table",
            order=300,
            permission=VIEW_CASE,
        ),
        PermissionMenuItem(
            gettext_lazy("File on behalf"),
            reverse_lazy("anju_cases_file"),
            name="cases-file",
            icon_name="edit",
            order=400,
            permission=FILE_ON_BEHALF,
        ),
    ]
