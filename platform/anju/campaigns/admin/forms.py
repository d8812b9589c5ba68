"""The admin's forms: the campaign builder, starting a round, answering a target."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.forms.models import WagtailAdminModelForm

from anju.community.models import Building, Community, Grid, GridTeamMember, TeamRole
from anju.services.models import Service

from .. import registry, rules
from ..models import ANSWER_OUTCOMES
from .base import scope_queryset, visible_grids


class CampaignAdminForm(WagtailAdminModelForm):
    """The campaign builder. Choices are limited to what the user may see; the rule is
    evaluated on save, and one that matches nobody is refused before any round starts."""

    plugin_rule = forms.ChoiceField(
        label=gettext_lazy("Rule contributed by a plugin"), required=False, choices=[]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        superuser = user is not None and user.is_superuser
        if "community" in self.fields and not superuser:
            self.fields["community"].queryset = scope_queryset(Community.objects.all(), user)
        if not superuser:
            grids = visible_grids(user)
            if "rule_grids" in self.fields:
                self.fields["rule_grids"].queryset = grids
            if "rule_buildings" in self.fields:
                self.fields["rule_buildings"].queryset = Building.objects.filter(
                    grid__in=grids.values("pk")
                )
        for name in ("checklist", "case_service"):
            if name in self.fields:
                self.fields[name].queryset = Service.objects.filter(kind=Service.Kind.BUILT)
        if "owner" in self.fields:
            self.fields["owner"].queryset = (
                get_user_model()
                .objects.filter(is_active=True, groups__isnull=False)
                .distinct()
                .order_by("username")
            )
        known = [("", _("None"))] + [
            (code, str(rule.label)) for code, (_plugin, rule) in sorted(registry._rules.items())
        ]
        self.fields["plugin_rule"].choices = known

    def clean(self):
        cleaned = super().clean()
        community = cleaned.get("community")
        if community is None or self.errors:
            return cleaned
        rule = rules.Rule(
            community=community,
            target_kind=cleaned.get("target_kind") or "household",
            groups=list(cleaned.get("rule_groups") or []),
            min_age=cleaned.get("min_age"),
            max_age=cleaned.get("max_age"),
            grids=list(cleaned.get("rule_grids") or []),
            buildings=list(cleaned.get("rule_buildings") or []),
            household_flag=cleaned.get("household_flag") or "",
            plugin_rule=cleaned.get("plugin_rule") or "",
        )
        try:
            matched = rules.count(rule, cleaned.get("starts_on"))
        except rules.RuleError as error:
            self.add_error("plugin_rule", str(error))
            return cleaned
        if matched == 0:
            raise forms.ValidationError(
                _(
                    "This target rule matches nobody in %(community)s: loosen it before "
                    "a round starts."
                )
                % {"community": community},
                code="matches_nobody",
            )
        self.matched = matched
        return cleaned


class StartRoundForm(forms.Form):
    starts_on = forms.DateField(
        label=gettext_lazy("Starts"), widget=forms.DateInput(attrs={"type": "date"})
    )
    due_on = forms.DateField(
        label=gettext_lazy("Due"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        cleaned = super().clean()
        start, due = cleaned.get("starts_on"), cleaned.get("due_on")
        if start and due and due < start:
            self.add_error("due_on", _("The due date is before the start."))
        return cleaned


class AnswerForm(forms.Form):
    """What every answer has, whatever the checklist: the outcome, a note, whether to
    record a visit, whether to open a case."""

    outcome = forms.ChoiceField(
        label=gettext_lazy("Outcome"), choices=ANSWER_OUTCOMES, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    record_visit = forms.BooleanField(
        label=gettext_lazy("Also record a home visit (四问 log)"), required=False, initial=True
    )
    open_case = forms.BooleanField(
        label=gettext_lazy("Open a case from this answer"), required=False
    )


class AssigneeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


class ReassignForm(forms.Form):
    assignee = AssigneeChoiceField(label=gettext_lazy("Give to"), queryset=None)

    def __init__(self, *args, grid: Grid | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        seats = GridTeamMember.objects.exclude(role=TeamRole.RESIDENT_REP)
        if grid is not None:
            seats = seats.filter(Q(grid=grid) | Q(grid__community_id=grid.community_id))
        self.fields["assignee"].queryset = (
            get_user_model()
            .objects.filter(pk__in=seats.values("user_id"), is_active=True)
            .order_by("username")
        )
