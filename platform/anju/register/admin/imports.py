"""Importing the register from a spreadsheet, in the admin (Community → Import
residents): upload → the dry run's row errors or what would change → start → a progress
bar that polls the status endpoint. The work is in anju.register.imports and tasks."""

from __future__ import annotations

import io

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView, View
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from anju.community.sites import current_community
from anju.core import audit
from anju.core.models import OutboxTask
from anju.permissions.urlscope import Scope

from ..imports import COLUMNS, ImportFileError, check, may_import, read_table
from ..models import RegisterImport
from ..tasks import start


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet"),
        help_text=_("Excel (.xlsx) or CSV, one resident a row, the column names in the first row."),
    )


class ImportAccessMixin:
    grid_scope = Scope.GRID

    def dispatch(self, request, *args, **kwargs):
        if not may_import(request.user):
            raise PermissionDenied(_("Only committee members and grid workers import residents."))
        return super().dispatch(request, *args, **kwargs)

    def get_import(self) -> RegisterImport:
        # Never the checked rows: the whole file, encrypted (decrypting 100,000 rows on
        # every poll of the progress bar cost a second of CPU each).
        imports = RegisterImport.objects.defer("rows")
        if not self.request.user.is_superuser:
            imports = imports.filter(user=self.request.user)
        try:
            return imports.get(pk=self.kwargs["pk"])
        except RegisterImport.DoesNotExist:
            raise Http404 from None


class ImportUploadView(ImportAccessMixin, WagtailAdminTemplateMixin, FormView):
    template_name = "community/admin/import_upload.html"
    page_title = _("Import residents")
    header_icon = "upload"
    form_class = ImportForm

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["columns"] = [(str(label), aliases[0]) for label, aliases in COLUMNS.values()]
        context["recent"] = RegisterImport.objects.filter(user=self.request.user).defer("rows")[:10]
        return context

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        try:
            dataset = read_table(upload.read(), upload.name)
        except ImportFileError as exc:
            form.add_error("file", str(exc))
            return self.form_invalid(form)
        result = check(dataset, self.request.user, current_community(self.request))
        batch = RegisterImport.objects.create(
            user=self.request.user,
            file_name=upload.name[:200],
            state=(
                RegisterImport.State.INVALID if result.error_count else RegisterImport.State.CHECKED
            ),
            total=len(result.rows) if not result.error_count else result.total,
            preview=result.preview,
            errors=result.errors,
            error_count=result.error_count,
            # Rows with errors are never imported: a file is imported whole or not at all.
            rows=[] if result.error_count else result.rows,
        )
        audit.record(self.request, "register_import_checked", [batch], where="admin")
        return redirect("anju_register_import", pk=batch.pk)


class ImportDetailView(ImportAccessMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "community/admin/import_detail.html"
    page_title = _("Import residents")
    header_icon = "upload"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("anju_register_import_upload"), "label": _("Import residents")},
            {"url": "", "label": self.batch.file_name},
        ]

    def get(self, request, *args, **kwargs):
        self.batch = self.get_import()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["batch"] = self.batch
        context["status"] = status_of(self.batch)
        context["State"] = RegisterImport.State
        return context


class ImportStartView(ImportAccessMixin, View):
    def post(self, request, pk):
        with transaction.atomic():
            batch = self.get_import()
            batch = RegisterImport.objects.select_for_update().defer("rows").get(pk=batch.pk)
            if batch.state == RegisterImport.State.CHECKED:
                start(batch, request)
        return redirect("anju_register_import", pk=pk)


#: What the template's notes sheet says of each column.
_COLUMN_NOTES = {
    "building": _("Required. The building's name as the register has it, e.g. 1号楼."),
    "unit": _("Required. The unit, e.g. 1."),
    "room": _("Required. The room, e.g. 101."),
    "name": _("Required."),
    "id_number": _("Required. 18 characters; keep this column formatted as text."),
    "phone": _("Optional. A mobile or landline number."),
    "relation": _("Optional (blank: the head). 户主, 配偶, 子女, 父母, 孙子女, 兄弟姐妹 or 其他."),
    "groups": _("Optional. Special groups by name or code, several separated by 、"),
    "hukou_township": _(
        "Optional. The township of the household registration (户籍地), by its name or "
        "code; blank leaves what the register holds."
    ),
}


class ImportTemplateView(ImportAccessMixin, View):
    """The empty workbook to fill in: the columns the import reads, the ID number column
    formatted as text (Excel keeps only 15 digits of a number), and a notes sheet."""

    def get(self, request):
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = str(_("Residents"))
        sheet.append([aliases[0] for _label, aliases in COLUMNS.values()])
        id_column = list(COLUMNS).index("id_number") + 1
        for row in range(2, 1002):
            sheet.cell(row=row, column=id_column).number_format = "@"
        sheet.column_dimensions[sheet.cell(row=1, column=id_column).column_letter].width = 22
        notes = workbook.create_sheet(str(_("Notes")))
        notes.append([str(_("Column")), str(_("What to write"))])
        for key, (label, aliases) in COLUMNS.items():
            notes.append([f"{aliases[0]} ({label})", str(_COLUMN_NOTES.get(key, ""))])
        notes.column_dimensions["A"].width = 30
        notes.column_dimensions["B"].width = 80
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="register-import-template.xlsx"'
        return response


class ImportStatusView(ImportAccessMixin, View):
    def get(self, request, pk):
        return JsonResponse(status_of(self.get_import()))


def status_of(batch: RegisterImport) -> dict:
    state = batch.state
    failure = ""
    if state in (RegisterImport.State.QUEUED, RegisterImport.State.RUNNING):
        task = OutboxTask.objects.filter(pk=batch.outbox_task_id).first()
        if task is not None and task.state == OutboxTask.State.FAILED:
            state = RegisterImport.State.FAILED
            failure = str(
                _(
                    "The import stopped with an error; the rows so far are saved. "
                    "Upload the file again to finish it."
                )
            )
    return {
        "state": state,
        "label": str(RegisterImport.State(state).label),
        "done": batch.done,
        "total": batch.total,
        "percent": batch.percent,
        "households_created": batch.households_created,
        "residents_created": batch.residents_created,
        "residents_updated": batch.residents_updated,
        "residents_unchanged": batch.residents_unchanged,
        "finished": state in (RegisterImport.State.DONE, RegisterImport.State.FAILED),
        "failure": failure,
    }
