from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers

from clinics.models import STAFF_ROLES, User
from patients.models import Patient, PatientStatus
from patients.services import PATIENT_UPDATABLE_FIELDS, patient_create, patient_update

from ..base import UPDATED_SINCE, ClinicViewSet


class StaffField(serializers.PrimaryKeyRelatedField):
    """A therapist or admin of the calling key's clinic, by id."""

    def get_queryset(self):
        clinic = self.context["request"].auth.clinic
        return User.objects.filter(clinic=clinic, role__in=STAFF_ROLES, is_active=True)


class PatientSerializer(serializers.ModelSerializer):
    primary_therapist = StaffField(required=False, allow_null=True)
    duplicate_reason = serializers.CharField(
        write_only=True,
        required=False,
        max_length=300,
        help_text="When adding a patient whose email, or name and date of birth, match a "
        "record of the clinic: why this is a different person. Without it such a request "
        "answers 409 with the matching records.",
    )
    has_account = serializers.SerializerMethodField()

    class Meta:
        model = Patient
        fields = [
            "id",
            "first_name",
            "last_name",
            "date_of_birth",
            "email",
            "phone",
            "condition",
            "primary_therapist",
            "status",
            "discharged_on",
            "has_account",
            "created_at",
            "updated_at",
            "duplicate_reason",
        ]
        read_only_fields = ["status", "discharged_on", "created_at", "updated_at"]

    def get_has_account(self, patient) -> bool:
        return patient.user_id is not None


@extend_schema_view(
    list=extend_schema(
        summary="List the clinic's patients",
        parameters=[
            UPDATED_SINCE,
            OpenApiParameter(
                "status", enum=PatientStatus.values, description="Active or discharged."
            ),
        ],
    ),
    retrieve=extend_schema(summary="One patient"),
    create=extend_schema(summary="Add a patient"),
    partial_update=extend_schema(summary="Change a patient's details"),
)
class PatientViewSet(
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    ClinicViewSet,
):
    serializer_class = PatientSerializer
    patient_field = "id"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def base_queryset(self):
        return Patient.objects.for_clinic(self.clinic)

    def get_queryset(self):
        queryset = super().get_queryset()
        status = self.request.query_params.get("status")
        if self.action == "list" and status:
            if status not in PatientStatus.values:
                raise serializers.ValidationError(
                    {"status": f"Give one of: {', '.join(PatientStatus.values)}."}
                )
            queryset = queryset.filter(status=status)
        return queryset

    @transaction.atomic
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        patient = patient_create(
            clinic=self.clinic,
            duplicate_reason=data.pop("duplicate_reason", ""),
            **data,
        )
        return self._answer(patient, status=201)

    @transaction.atomic
    def partial_update(self, request, *args, **kwargs):
        patient = self.get_object()
        serializer = self.get_serializer(patient, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        fields = {
            name: value
            for name, value in serializer.validated_data.items()
            if name in PATIENT_UPDATABLE_FIELDS
        }
        patient = patient_update(patient=patient, updated_by=request.user, **fields)
        return self._answer(patient)
