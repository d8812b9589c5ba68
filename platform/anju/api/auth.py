"""Signing in over the API (a phone app, a mini-program, a separate web front end).

Residents: ``POST /api/auth/code/`` with a phone number sends the six-digit SMS code,
with the same answer whether the number is registered or not; ``POST /api/auth/token/``
exchanges phone + code for a personal token. The same code store, limits and lockout
as the portal's sign-in (``anju.residents``): the same per-address counters
(``RESIDENTS_CODE_RATE``, ``RESIDENTS_VERIFY_RATE``), the per-phone limit of codes and
django-axes's lockout after repeated wrong codes. Staff get their personal tokens from
an administrator in the admin (Settings → API tokens), never by password over the API.

``GET /api/auth/me/`` says who a credential is; ``POST /api/auth/revoke/`` ends the token
that makes the call (signing out a device).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_ratelimit.core import is_ratelimited
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from anju.permissions import lockout
from anju.permissions.urlscope import Scope
from anju.residents import signin
from anju.residents.forms import clean_mobile
from anju.residents.views import code_rate, verify_rate

from .models import ApiToken, TokenKind
from .tokens import issue, revoke


class TooMany(exceptions.Throttled):
    pass


def _limited(request, group: str, rate: str) -> bool:
    # The portal's own counters (anju.residents.views): the API is no way round them.
    return is_ratelimited(
        request._request,
        group=f"anju.residents.{group}",
        key="ip",
        rate=rate,
        method="POST",
        increment=True,
    )


class PhoneSerializer(serializers.Serializer):
    phone = serializers.CharField(max_length=20, label=gettext_lazy("Mobile number"))

    def validate_phone(self, value):
        from django import forms

        try:
            return clean_mobile(value)
        except forms.ValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc


class CodeSerializer(PhoneSerializer):
    code = serializers.RegexField(
        r"^\s*\d{6}\s*$",
        label=gettext_lazy("Code from the SMS"),
        error_messages={"invalid": gettext_lazy("The code is six digits.")},
    )
    device = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        label=gettext_lazy("Name of this device (shown in the admin)"),
    )


TOKEN_RESPONSE = inline_serializer(
    "IssuedToken",
    {
        "token": serializers.CharField(),
        "expiry": serializers.DateTimeField(),
        "kind": serializers.CharField(),
        "user": serializers.CharField(),
    },
)


class SendCodeView(APIView):
    """Send a sign-in code by SMS. The answer is the same for registered and unknown
    numbers: the API tells no one which numbers have accounts."""

    grid_scope = Scope.PUBLIC
    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []

    @extend_schema(
        summary=gettext_lazy("Send a resident's sign-in code"),
        request=PhoneSerializer,
        responses={
            202: inline_serializer("CodeSent", {"detail": serializers.CharField()}),
            400: OpenApiResponse(description="Not an 11-digit mobile number"),
            429: OpenApiResponse(description="Too many codes from this address or for this phone"),
        },
    )
    def post(self, request):
        if _limited(request, "code", code_rate()):
            raise TooMany(detail=_("Too many codes asked for from here. Please try later."))
        data = PhoneSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            signin.send_code(data.validated_data["phone"])
        except signin.CodeError as exc:
            raise TooMany(detail=str(exc)) from exc
        return Response(
            {"detail": _("If this number can sign in, a code is on its way by SMS.")},
            status=status.HTTP_202_ACCEPTED,
        )


class TokenView(APIView):
    """Exchange phone + SMS code for a resident's personal token."""

    grid_scope = Scope.PUBLIC
    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []

    @extend_schema(
        summary=gettext_lazy("Sign a resident in: phone + code for a token"),
        request=CodeSerializer,
        responses={
            201: TOKEN_RESPONSE,
            400: OpenApiResponse(description="Wrong or expired code"),
            429: OpenApiResponse(description="Too many tries, or locked out for a while"),
        },
    )
    def post(self, request):
        if _limited(request, "verify", verify_rate()):
            raise TooMany(detail=_("Too many tries from here. Please try later."))
        data = CodeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        phone = data.validated_data["phone"]
        account_name = signin.lockout_username(phone)
        django_request = request._request
        if lockout.is_locked(django_request, account_name):
            return self._locked(django_request, account_name)
        try:
            user = signin.sign_in(phone, data.validated_data["code"].strip())
        except signin.CodeError as exc:
            if lockout.login_failed(django_request, account_name):
                return self._locked(django_request, account_name)
            raise exceptions.ValidationError({"code": [str(exc)]}) from exc
        self._make_room(user)
        token, text = issue(
            user,
            name=data.validated_data.get("device") or _("Phone app"),
            expires=timedelta(days=settings.API_RESIDENT_TOKEN_DAYS),
            request=request,
        )
        return Response(
            {
                "token": text,
                "expiry": token.expiry,
                "kind": token.kind,
                "user": user.get_username(),
            },
            status=status.HTTP_201_CREATED,
        )

    def _make_room(self, user) -> None:
        limit = settings.API_TOKENS_PER_RESIDENT
        active = list(
            ApiToken.objects.filter(user=user, kind=TokenKind.PERSONAL, revoked_at=None)
            .order_by("-created")
            .only("pk")[limit - 1 :]
        )
        for token in active:
            token.revoke()

    def _locked(self, django_request, account_name):
        seconds = lockout.retry_after_seconds(django_request, {"username": account_name})
        response = Response(
            {"detail": _("Too many wrong codes. Please wait and try again later.")},
            status=status.HTTP_429_TOO_MANY_REQUESTS,
        )
        response["Retry-After"] = str(seconds)
        return response


class MeView(APIView):
    """Who the credential making this call is, and what the token may do."""

    grid_scope = Scope.NO_GRID_DATA
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary=gettext_lazy("Who am I"),
        responses=inline_serializer(
            "Me",
            {
                "user": serializers.CharField(),
                "roles": serializers.ListField(child=serializers.CharField()),
                "kind": serializers.CharField(),
                "scopes": serializers.ListField(child=serializers.CharField()),
                "expiry": serializers.DateTimeField(allow_null=True),
            },
        ),
    )
    def get(self, request):
        token = request.auth if isinstance(request.auth, ApiToken) else None
        return Response(
            {
                "user": request.user.get_username(),
                "roles": sorted(request.user.groups.values_list("name", flat=True)),
                "kind": token.kind if token else "session",
                "scopes": token.scopes if token else [],
                "expiry": token.expiry if token else None,
            }
        )


class RevokeView(APIView):
    """End the token that makes this call (sign this device out)."""

    grid_scope = Scope.NO_GRID_DATA
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(summary=gettext_lazy("Revoke this token"), request=None, responses={204: None})
    def post(self, request):
        if not isinstance(request.auth, ApiToken):
            raise exceptions.ValidationError(
                {"detail": _("Only a token can be revoked this way; sign out of the session.")}
            )
        revoke(request.auth, by=request.user, request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)
