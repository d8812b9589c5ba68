"""One case's page: answers, attachments, the whole timeline, and the actions the
workflow allows. Each action is a POST that redirects on success and re-shows the page
with the bound form and a 400 on failure, so nothing typed is lost."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from anju.core.media import protected_file_response

from .. import workflow
from ..fieldtypes import UploadField
from ..forms import FollowUpForm
from ..models import (
    Case,
    CaseAttachment,
    Service,
    Status,
)
from ..submission import format_reference
from ..visibility import visible_cases
from .common import SLA_LABELS, CaseAdminMixin, UserChoiceField, forbidden, person

# --- one case -------------------------------------------------------------------------


def get_case(request, pk):
    """The case if the user may see it, else 404 — the same answer whether it exists
    elsewhere or not at all."""
    queryset = visible_cases(
        request.user,
        Case.objects.for_lists().select_related("version", "filed_by", "requester_user"),
    )
    return get_object_or_404(queryset, pk=pk)


class TransitionForm(forms.Form):
    to = forms.ChoiceField(choices=Status.choices, widget=forms.HiddenInput)
    note = forms.CharField(
        label=gettext_lazy("Note (staff only)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("When escalating: why the community should take it."),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason (the resident is told)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("to") == Status.REJECTED and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Say why the request is rejected."))
        return cleaned


class CommentForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Comment"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    public = forms.BooleanField(
        label=gettext_lazy("Visible to the resident"),
        required=False,
        help_text=gettext_lazy("Otherwise a note only staff see."),
    )
    file = UploadField(label=gettext_lazy("Attach a file"), required=False)

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("text") or "").strip() and not cleaned.get("file") and not self.errors:
            raise ValidationError(_("Write something or attach a file."))
        return cleaned


class AssignForm(forms.Form):
    assignee = UserChoiceField(
        label=gettext_lazy("Assign to"),
        queryset=Service.objects.none(),
        required=False,
        empty_label=gettext_lazy("Nobody"),
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = workflow.eligible_assignees(case)
        if not self.is_bound:
            self.initial["assignee"] = case.assignee_id


class CaseDetailView(CaseAdminMixin, WagtailAdminTemplateMixin, TemplateView):
    """GET shows the case; the action views below re-render it with their bound form
    and a 400 when something is wrong, so nothing typed is lost."""

    template_name = "anju_services/admin/case_detail.html"

    def get(self, request, pk):
        self.case = get_case(request, pk)
        return super().get(request)

    def get_page_title(self):
        return _("Case %(reference)s") % {"reference": format_reference(self.case.reference)}

    def get_page_subtitle(self):
        return self.case.service.display_title

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        case = self.case
        user = self.request.user
        may_work = workflow.may_work_on(user, case)
        may_assign = workflow.may_assign(user, case)
        targets = []
        if may_work:
            for status in Status:
                if status in workflow.allowed_targets(case) and status in workflow.ACTION_LABELS:
                    targets.append({"value": status.value, "label": workflow.ACTION_LABELS[status]})
        context.update(
            case=case,
            reference=format_reference(case.reference),
            sla=case.sla_state(),
            sla_label=SLA_LABELS[case.sla_state()],
            answers=case.answers,
            events=list(case.events.select_related("actor").order_by("created_at", "pk")),
            attachments=list(case.attachments.select_related("uploaded_by")),
            may_work=may_work,
            may_assign=may_assign and case.is_open,
            targets=[t for t in targets if t["value"] != Status.REJECTED],
            can_reject=any(t["value"] == Status.REJECTED for t in targets),
            show_follow_up=may_work and case.status == Status.RESOLVED,
        )
        context.setdefault("transition_form", TransitionForm())
        context.setdefault("reject_form", TransitionForm(initial={"to": Status.REJECTED}))
        context.setdefault("comment_form", CommentForm())
        context.setdefault("follow_up_form", FollowUpForm())
        if context["may_assign"]:
            context.setdefault("assign_form", AssignForm(case=case))
        return context


class CaseActionView(CaseDetailView):
    """POST-only: one workflow action on a case (``action`` is set in the URL conf).
    Success redirects to the case page; failure shows it again with the errors."""

    http_method_names = ["post"]
    action = ""

    def post(self, request, pk):
        self.case = get_case(request, pk)
        if self.action == "assign":
            if not workflow.may_assign(request.user, self.case):
                return forbidden(_("You may not assign this case."))
        elif not workflow.may_work_on(request.user, self.case):
            return forbidden(_("You may not change this case."))
        return getattr(self, "do_" + self.action.replace("-", "_"))(request, self.case)

    def done(self, message):
        messages.success(self.request, message)
        return redirect("anju_case", pk=self.case.pk)

    def failed(self, error_message=None, **forms_):
        """Show the case again, with the bound form and its errors, status 400."""
        self.case = get_case(self.request, self.case.pk)  # as it is now in the database
        messages.error(
            self.request, error_message or _("The change was not made: see the errors below.")
        )
        context = self.get_context_data(**forms_)
        return self.render_to_response(context, status=400)

    def do_transition(self, request, case):
        form = TransitionForm(request.POST)
        form_name = (
            "reject_form" if request.POST.get("to") == Status.REJECTED else "transition_form"
        )
        if not form.is_valid():
            return self.failed(**{form_name: form})
        to = form.cleaned_data["to"]
        try:
            workflow.transition(
                case,
                to,
                request.user,
                note=form.cleaned_data["note"],
                reason=form.cleaned_data["reason"],
            )
        except workflow.WorkflowError as error:
            form.add_error(None, error.message)
            return self.failed(error.message, **{form_name: form})
        return self.done(
            _("Case %(reference)s is now “%(status)s”.")
            % {"reference": format_reference(case.reference), "status": case.get_status_display()}
        )

    def do_comment(self, request, case):
        form = CommentForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.failed(comment_form=form)
        upload = form.cleaned_data.get("file")
        try:
            workflow.comment(
                case,
                request.user,
                form.cleaned_data["text"],
                public=form.cleaned_data["public"],
                files=[upload] if upload else (),
            )
        except workflow.WorkflowError as error:
            form.add_error(None, error.message)
            return self.failed(error.message, comment_form=form)
        except ValidationError as error:
            form.add_error("file", error)
            return self.failed(comment_form=form)
        if form.cleaned_data["public"]:
            return self.done(_("Reply sent to the resident."))
        return self.done(_("Note added."))

    def do_assign(self, request, case):
        form = AssignForm(request.POST, case=case)
        if not form.is_valid():
            return self.failed(assign_form=form)
        assignee = form.cleaned_data["assignee"]
        try:
            workflow.assign(case, assignee, request.user)
        except workflow.WorkflowError as error:
            form.add_error(None, error.message)
            return self.failed(error.message, assign_form=form)
        if assignee is None:
            return self.done(_("The case is now assigned to nobody."))
        return self.done(_("Assigned to %(name)s.") % {"name": person(assignee)})

    def do_follow_up(self, request, case):
        form = FollowUpForm(request.POST)
        if not form.is_valid():
            return self.failed(follow_up_form=form)
        try:
            workflow.follow_up(
                case,
                request.user,
                settled=form.cleaned_data["settled"],
                satisfaction=form.cleaned_data["satisfaction"],
                note=form.cleaned_data["note"],
            )
        except workflow.WorkflowError as error:
            form.add_error(None, error.message)
            return self.failed(error.message, follow_up_form=form)
        if form.cleaned_data["settled"]:
            return self.done(_("Follow-up recorded; the case is closed."))
        return self.done(_("Follow-up recorded; the case is back in progress."))


class AttachmentDownloadView(CaseAdminMixin, View):
    """An attachment of a case the user may see, as a download (never shown inline:
    it came from outside)."""

    def get(self, request, pk, attachment_pk):
        case = get_case(request, pk)
        attachment = get_object_or_404(CaseAttachment, pk=attachment_pk, case=case)
        return protected_file_response(attachment.file, attachment.name)
