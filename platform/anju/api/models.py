"""API credentials for clients that are not a browser: personal tokens and integration
keys (django-rest-knox's token model, extended).

Knox stores only a SHA-512 digest of each token (a stolen database yields no usable
credential), lets one person hold many (one per device or system) and gives each an
expiry. Anju adds what knox leaves out: the kind, a name, scopes for integration keys,
revocation that keeps the row (the audit log points at it), who issued it and when it
was last used. ``anju.api.tokens`` authenticates with it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken
from knox.settings import CONSTANTS


class TokenKind(models.TextChoices):
    #: Acts as its user with all of the user's rights, like a signed-in session:
    #: a resident's phone app, a staff member's script.
    PERSONAL = "personal", _("personal token")
    #: Another system's key: acts as its user, and only within its scopes.
    INTEGRATION = "integration", _("integration key")


class ApiToken(AbstractAuthToken):
    # A short integer key for the audit log and admin URLs; knox's digest stays unique.
    id = models.BigAutoField(primary_key=True)
    digest = models.CharField(max_length=CONSTANTS.DIGEST_LENGTH, unique=True, editable=False)
    kind = models.CharField(
        _("kind"), max_length=20, choices=TokenKind.choices, default=TokenKind.PERSONAL
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("Which device or system holds it.")
    )
    #: Scope codes (anju.api.scopes.SCOPES) an integration key may use.
    scopes = models.JSONField(_("scopes"), default=list, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.token_key[:8]}… {self.name} ({self.user})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expiry is not None and self.expiry <= timezone.now()

    @property
    def is_active(self) -> bool:
        return not (self.is_revoked or self.is_expired)

    def revoke(self, by=None) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.revoked_by = by if by is not None and by.is_authenticated else None
            self.save(update_fields=["revoked_at", "revoked_by"])
