"""The REST API's permission rules, in one place for the core and every plugin.

Two questions are answered separately, as everywhere else in Anju:

* *What kind of record may this person touch?* Model permissions from their role
  (``RolePermissions``): ``view_<model>`` to read, ``add_``/``change_``/``delete_`` to
  write, and whatever an extra action declares (``action_permissions``).
* *Which records?* The grids their team seats grant (``GridScopedViewSetMixin``): every
  queryset goes through ``anju.permissions.scope.scope_queryset``, so a row outside the
  person's grids does not exist for them (404), and a related row they cannot see is an
  invalid choice (``ScopedPrimaryKeyRelatedField``, 400).

Object permissions are never checked row by row: DRF's ``DjangoObjectPermissions`` would
answer 403 to people whose access comes from grid grants rather than per-row grants.

A plugin's viewset::

    class ParcelViewSet(GridScopedViewSetMixin, viewsets.ModelViewSet):
        queryset = Parcel.objects.select_related("household__building")
        serializer_class = ParcelSerializer

where ``Parcel.grid_path`` says how a parcel reaches its grid.
"""

import copy

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.fields import get_error_detail
from rest_framework.settings import api_settings

from .scope import scope_queryset
from .urlscope import Scope


class RolePermissions(permissions.DjangoModelPermissions):
    """Model permissions for every method, reading included.

    DRF's ``DjangoModelPermissions`` lets anyone signed in read; here GET, HEAD and
    OPTIONS need ``view_<model>``. Extra actions may name further permissions in the
    view's ``action_permissions`` (``{"reveal_id_number": ["community.view_full_id_number"]}``):
    such an action needs ``view_<model>`` and those, whatever its HTTP method.
    """

    _view = ["%(app_label)s.view_%(model_name)s"]
    perms_map = {
        "GET": _view,
        "OPTIONS": _view,
        "HEAD": _view,
        "POST": ["%(app_label)s.add_%(model_name)s"],
        "PUT": ["%(app_label)s.change_%(model_name)s"],
        "PATCH": ["%(app_label)s.change_%(model_name)s"],
        "DELETE": ["%(app_label)s.delete_%(model_name)s"],
    }

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        if getattr(view, "_ignore_model_permissions", False):
            return True
        model = self._queryset(view).model
        action_perms = getattr(view, "action_permissions", {}).get(getattr(view, "action", None))
        if action_perms is not None:
            perms = self.get_required_permissions("GET", model) + list(action_perms)
        else:
            perms = self.get_required_permissions(request.method, model)
        return request.user.has_perms(perms)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("Other records still refer to this one: it cannot be deleted.")
    default_code = "protected"


def drf_validation_error(exc: DjangoValidationError) -> serializers.ValidationError:
    """A Django ``ValidationError`` (from ``Model.clean()``) as DRF field errors: its
    messages translated into the request's language, ``__all__`` as non-field errors."""
    detail = get_error_detail(exc)
    if isinstance(detail, dict):
        non_field = detail.pop("__all__", None)
        if non_field:
            detail[api_settings.NON_FIELD_ERRORS_KEY] = non_field
    else:
        detail = {api_settings.NON_FIELD_ERRORS_KEY: detail}
    return serializers.ValidationError(detail)


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A related row by id, chosen only among the rows the requesting user may see.

    An id outside the user's grids is answered exactly like an id that does not exist:
    "Invalid pk ... object does not exist."

    The browsable API shows it as a box for the id, never as a list of the rows (that
    would put the register of residents on the page: anju.permissions.pickers).
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("style", {"base_template": "input.html", "input_type": "number"})
        super().__init__(**kwargs)

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        return scope_queryset(queryset, getattr(request, "user", None))


class ModelCleanSerializerMixin:
    """Runs the model's own validation (``clean_fields`` of the written fields,
    ``clean()``, unique fields and constraints) from ``validate()``, on a copy of the
    instance, so the API refuses exactly what the admin refuses. What ``clean()``
    normalises (an upper-case X, a cleared due date) is what gets saved."""

    def model_instance_for_validation(self, attrs):
        """Hook: the unsaved instance to clean, with ``attrs`` applied."""
        model = self.Meta.model
        many_to_many = {f.name for f in model._meta.many_to_many}
        # Model.__getstate__ copies the field caches too: the real instance stays as it was.
        instance = copy.copy(self.instance) if self.instance is not None else model()
        for name, value in attrs.items():
            if name not in many_to_many:
                setattr(instance, name, value)
        return instance

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        instance = self.model_instance_for_validation(attrs)
        written = self._written_model_fields()
        before = {name: getattr(instance, name) for name in written}
        exclude = {f.name for f in model._meta.get_fields() if f.concrete} - written
        try:
            instance.full_clean(exclude=exclude)
        except DjangoValidationError as exc:
            raise drf_validation_error(exc) from exc
        for name in written:
            value = getattr(instance, name)
            if name in attrs or value != before[name]:
                attrs[name] = value
        return attrs

    def _written_model_fields(self) -> set[str]:
        model_fields = {
            f.name for f in self.Meta.model._meta.get_fields() if f.concrete and not f.many_to_many
        }
        return {
            field.source
            for field in self.fields.values()
            if not field.read_only and field.source in model_fields
        }


class GridScopedViewSetMixin:
    """The base of every API viewset over grid data (core and plugins).

    * ``get_queryset()`` keeps only the rows in the grids the user may see, so an
      out-of-scope id is a 404 and a list never shows another grid's rows;
    * ``grid_scope = Scope.GRID`` tells the deny-by-default middleware that grid workers
      and resident representatives may use the view;
    * ``RolePermissions`` asks for the model permission of each method;
    * writes run in one transaction: a failure leaves nothing half-saved, and a database
      refusal (a race on a unique constraint, a protected row) is a 400/409, never a 500.
    """

    grid_scope = Scope.GRID
    permission_classes = [RolePermissions]
    #: {action name: ["app_label.codename", ...]} needed on top of view_<model>.
    action_permissions: dict[str, list[str]] = {}

    def get_queryset(self):
        return scope_queryset(super().get_queryset(), self.request.user)

    def get_create_kwargs(self) -> dict:
        """Hook: values set by the server on create (``{"visitor": request.user}``)."""
        return {}

    def perform_create(self, serializer):
        self._save(serializer, **self.get_create_kwargs())

    def perform_update(self, serializer):
        self._save(serializer)

    def perform_destroy(self, instance):
        try:
            with transaction.atomic():
                instance.delete()
        except (ProtectedError, RestrictedError) as exc:
            raise Conflict() from exc

    def _save(self, serializer, **kwargs):
        try:
            with transaction.atomic():
                serializer.save(**kwargs)
        except IntegrityError as exc:
            raise serializers.ValidationError(
                {
                    api_settings.NON_FIELD_ERRORS_KEY: [
                        _("This conflicts with a record saved meanwhile: please check and retry.")
                    ]
                }
            ) from exc
        except DjangoValidationError as exc:
            raise drf_validation_error(exc) from exc
