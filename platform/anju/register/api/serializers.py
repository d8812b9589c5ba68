"""Serializers for the community API.

Personal data leaves the server masked: a resident's ID and phone numbers are read as
``id_number_masked`` and ``phone_masked`` only. The whole ID number is written
(``id_number``, write-only, by people allowed to see it) and read through the audited
``reveal-id-number`` action.

Related rows (a household's building, a resident's or a visit's household) are chosen
only among the rows the requesting user may see; writes run the model's ``clean()``.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers

from anju.community import idnumbers
from anju.community.models import (
    Building,
    Community,
    Grid,
    GridTeamMember,
    Household,
    Resident,
    SpecialGroup,
    Visit,
)
from anju.core.apifields import SaneDateTimeField
from anju.core.normalise import NumberSerializerField
from anju.permissions.api import ModelCleanSerializerMixin, ScopedPrimaryKeyRelatedField
from anju.permissions.lookups import check_id_number

FULL_ID_NUMBER = "community.view_full_id_number"


class CommunitySerializer(serializers.ModelSerializer):
    """A community (社区), with the township (乡镇/街道) it belongs to, if set."""

    class Meta:
        model = Community
        fields = ["id", "name", "code", "address", "township"]


class GridSerializer(serializers.ModelSerializer):
    """A grid (网格) of a community."""

    class Meta:
        model = Grid
        fields = ["id", "community", "number", "name"]


class GridTeamMemberSerializer(serializers.ModelSerializer):
    """One seat of a grid's team: committee member, grid worker or resident
    representative."""

    user_name = serializers.SerializerMethodField(help_text=_("The person's full name."))
    role_label = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = GridTeamMember
        fields = ["id", "grid", "role", "role_label", "user", "user_name"]

    def get_user_name(self, obj) -> str:
        return obj.user.get_full_name() or obj.user.get_username()


class SpecialGroupSerializer(serializers.ModelSerializer):
    """A special-group tag (特殊群体)."""

    class Meta:
        model = SpecialGroup
        fields = ["id", "code", "name", "built_in", "sensitive"]


class BuildingSerializer(ModelCleanSerializerMixin, serializers.ModelSerializer):
    """A building of a grid."""

    grid = ScopedPrimaryKeyRelatedField(queryset=Grid.objects.all(), label=_("grid"))

    class Meta:
        model = Building
        fields = ["id", "grid", "name", "sort_order"]


class HouseholdSerializer(ModelCleanSerializerMixin, serializers.ModelSerializer):
    """A household (户): building, unit and room. ``grid`` and ``address`` are derived."""

    building = ScopedPrimaryKeyRelatedField(queryset=Building.objects.all(), label=_("building"))
    grid = serializers.IntegerField(source="building.grid_id", read_only=True, label=_("grid"))
    address = serializers.CharField(read_only=True, label=_("address"))
    head = ScopedPrimaryKeyRelatedField(
        queryset=Resident.objects.all(),
        allow_null=True,
        required=False,
        label=_("head of household"),
    )

    class Meta:
        model = Household
        fields = [
            "id",
            "building",
            "grid",
            "unit",
            "room",
            "address",
            "head",
            "note",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def validate(self, attrs):
        if self.instance is None and attrs.get("head") is not None:
            # Nobody lives in a household that does not exist yet.
            raise serializers.ValidationError({"head": _("The head of household must live in it.")})
        return super().validate(attrs)


class ResidentSerializer(ModelCleanSerializerMixin, serializers.ModelSerializer):
    """A resident. ID and phone numbers are read masked and written whole."""

    household = ScopedPrimaryKeyRelatedField(queryset=Household.objects.all(), label=_("household"))
    building = serializers.IntegerField(
        source="household.building_id", read_only=True, label=_("building")
    )
    grid = serializers.IntegerField(
        source="household.building.grid_id", read_only=True, label=_("grid")
    )
    age = serializers.IntegerField(read_only=True, label=_("age"))
    aged_70_plus = serializers.BooleanField(
        source="is_aged_70_plus", read_only=True, label=_("aged 70 or over")
    )
    id_number = NumberSerializerField(
        write_only=True,
        validators=[idnumbers.validate_id_number],
        label=_("ID number"),
        help_text=_(
            "Write only, and only by people allowed to see whole ID numbers. Read it "
            "through the audited reveal-id-number action."
        ),
    )
    id_number_masked = serializers.CharField(
        source="masked_id_number", read_only=True, label=_("ID number (masked)")
    )
    phone = NumberSerializerField(
        write_only=True,
        required=False,
        allow_blank=True,
        validators=[idnumbers.validate_phone],
        label=_("phone"),
    )
    phone_masked = serializers.CharField(
        source="masked_phone", read_only=True, label=_("phone (masked)")
    )
    groups = serializers.SlugRelatedField(
        many=True,
        slug_field="code",
        queryset=SpecialGroup.objects.all(),
        required=False,
        label=_("special groups"),
        help_text=_("Codes of the resident's special groups."),
    )

    class Meta:
        model = Resident
        fields = [
            "id",
            "household",
            "building",
            "grid",
            "name",
            "gender",
            "birth_date",
            "age",
            "aged_70_plus",
            "id_number",
            "id_number_masked",
            "phone",
            "phone_masked",
            "relation",
            "hukou_township",
            "groups",
            "note",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:  # an update keeps the number unless one is sent
            fields["id_number"].required = False
        return fields

    def validate_id_number(self, value):
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is None or not user.has_perm(FULL_ID_NUMBER):
            raise exceptions.PermissionDenied(
                _("Only people allowed to see whole ID numbers may enter them.")
            )
        return idnumbers.normalise_id_number(value)

    def validate(self, attrs):
        number = attrs.get("id_number")
        instance = self.instance
        if number and (instance is None or number != instance.id_number):
            # The community-wide duplicate check: audited and rate-limited.
            request = self.context.get("request")
            household = attrs.get("household") or getattr(instance, "household", None)
            try:
                check_id_number(
                    request,
                    getattr(request, "user", None),
                    id_number=number,
                    household=household,
                    exclude_pk=getattr(instance, "pk", None),
                    where="api",
                )
            except DjangoValidationError as error:
                if error.code == "throttled":
                    raise exceptions.Throttled(detail=error.messages[0]) from error
                raise serializers.ValidationError({"id_number": error.messages}) from error
        return super().validate(attrs)


class IdNumberSerializer(serializers.Serializer):
    """A resident's whole ID number."""

    id_number = serializers.CharField(read_only=True, label=_("ID number"))


class VisitSerializer(ModelCleanSerializerMixin, serializers.ModelSerializer):
    """A home visit with the four questions (四问)."""

    household = ScopedPrimaryKeyRelatedField(queryset=Household.objects.all(), label=_("household"))
    household_address = serializers.CharField(
        source="household.address", read_only=True, label=_("address")
    )
    grid = serializers.IntegerField(
        source="household.building.grid_id", read_only=True, label=_("grid")
    )
    visitor_name = serializers.SerializerMethodField(help_text=_("Who made the visit."))
    # A follow-up done in the year 739 is a typo, and rendered unreadably: refused.
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: SaneDateTimeField,
    }

    class Meta:
        model = Visit
        fields = [
            "id",
            "household",
            "household_address",
            "grid",
            "visited_on",
            "visitor",
            "visitor_name",
            "channel",
            "basic_situation",
            "family_matters",
            "difficulties",
            "suggestions",
            "follow_up_needed",
            "follow_up_due",
            "follow_up_done_at",
            "created_at",
        ]
        read_only_fields = ["visitor", "created_at"]

    def get_visitor_name(self, obj) -> str:
        return obj.visitor.get_full_name() or obj.visitor.get_username()
