"""The admin's forms for API tokens: issuing one (its text is shown once) and revoking."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import scopes as scope_rules
from ..models import ApiToken, TokenKind


def _default_expiry():
    return timezone.localdate() + dt.timedelta(days=90)


class IssueTokenForm(forms.ModelForm):
    user = forms.ModelChoiceField(
        label=_("For user"),
        queryset=get_user_model().objects.filter(is_active=True).order_by("username"),
        help_text=_("The token acts as this user: their role and grids apply to it."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=scope_rules.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Integration keys only: what the other system may do."),
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        initial=_default_expiry,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The token stops working at the end of this day."),
    )

    class Meta:
        model = ApiToken
        fields = ["user", "kind", "name", "scopes"]

    def clean_expires_on(self):
        value = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if value < today:
            raise forms.ValidationError(_("Choose today or a later day."))
        longest = settings.API_TOKEN_MAX_DAYS
        if value > today + dt.timedelta(days=longest):
            raise forms.ValidationError(
                _("A token may last at most %(days)d days.") % {"days": longest}
            )
        return value

    def clean(self):
        data = super().clean()
        user, kind, chosen = data.get("user"), data.get("kind"), data.get("scopes") or []
        if kind == TokenKind.INTEGRATION:
            if not chosen:
                self.add_error("scopes", _("Choose at least one scope for an integration key."))
            elif user is not None:
                too_wide = [scope for scope in chosen if not scope_rules.may_hold(user, scope)]
                if too_wide:
                    self.add_error(
                        "scopes",
                        _(
                            "%(user)s's role does not allow: %(scopes)s. "
                            "A key is never wider than its user's role."
                        )
                        % {
                            "user": user.get_username(),
                            "scopes": ", ".join(str(scope_rules.label(s)) for s in too_wide),
                        },
                    )
        elif chosen:
            self.add_error("scopes", _("A personal token has no scopes: it acts as its user."))
        return data

    def expires_at(self) -> dt.datetime:
        end_of_day = dt.datetime.combine(
            self.cleaned_data["expires_on"] + dt.timedelta(days=1), dt.time.min
        )
        return timezone.make_aware(end_of_day)


class RevokeTokenForm(forms.ModelForm):
    revoke = forms.BooleanField(
        label=_("Revoke this token"),
        required=False,
        help_text=_("It stops working at once, for good. The record stays for the audit log."),
    )

    class Meta:
        model = ApiToken
        fields = ["name"]
