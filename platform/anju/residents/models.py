"""A resident's portal account (phone-identified) and the one-time sign-in codes."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from encrypted_fields.fields import EncryptedCharField

from anju.community.idnumbers import mask_phone


class ResidentAccount(models.Model):
    """The phone a portal account signs in with. One account per phone number; the
    account's link to the register is a ``community.ResidentLink``."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="resident_account",
        verbose_name=_("account"),
    )
    phone = EncryptedCharField(_("phone"), max_length=30)
    # community.models.phone_digest(phone): the look-up key (the phone is encrypted).
    phone_digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_sign_in_at = models.DateTimeField(_("last signed in"), null=True, blank=True)

    class Meta:
        verbose_name = _("resident account")
        verbose_name_plural = _("resident accounts")

    def __str__(self):
        return mask_phone(self.phone)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)
