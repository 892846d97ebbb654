"""The alerts of the clinic's patients, as the caseload works them out when read: they are not
rows of a table but the rules of `insights.alerts` applied to each patient's kept figures, so
an alert has no id of its own and is named by its patient, kind and event key."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination

from insights.alerts import Level
from insights.selectors.alerts import alerts_for_patients
from insights.services import alert_acknowledge
from patients.models import AlertKind, Patient, PatientStatus

from ..base import PATIENT_FILTER, ClinicScoped, whole_parameter, yes_no_parameter
from .plans import ClinicPatientField


class AlertPagination(PageNumberPagination):
    """Alerts are worked out afresh for every request, in patient order, so they are paged by
    number: a page is the list as it stands when asked for."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class AcknowledgementSerializer(serializers.Serializer):
    by = serializers.IntegerField(source="acknowledged_by_id")
    by_name = serializers.CharField(source="acknowledged_by.full_name")
    at = serializers.DateTimeField(source="acknowledged_at")
    note = serializers.CharField()


class AlertSerializer(serializers.Serializer):
    patient = serializers.IntegerField(source="patient_id")
    kind = serializers.ChoiceField(choices=AlertKind.choices)
    event_key = serializers.CharField(
        help_text="The event that raised the alert, such as session:123 or week:2026-W49; a "
        "new event is a new alert."
    )
    level = serializers.ChoiceField(choices=Level.choices)
    at = serializers.DateTimeField(allow_null=True, help_text="What the alert waits since.")
    summary = serializers.CharField()
    reason = serializers.CharField()
    page = serializers.SerializerMethodField()
    acknowledged = serializers.SerializerMethodField()
    acknowledgement = AcknowledgementSerializer(allow_null=True)

    @extend_schema_field(OpenApiTypes.URI)
    def get_page(self, alert) -> str:
        """The staff page that shows the event behind the alert."""
        return self.context["request"].build_absolute_uri(alert.evidence_url)

    def get_acknowledged(self, alert) -> bool:
        return not alert.is_open


class AcknowledgeSerializer(serializers.Serializer):
    patient = ClinicPatientField()
    kind = serializers.ChoiceField(choices=AlertKind.choices)
    event_key = serializers.CharField(max_length=100)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class AlertViewSet(ClinicScoped):
    serializer_class = AlertSerializer
    pagination_class = AlertPagination

    def patient_ids(self) -> list[int]:
        """The active patients of the clinic, or the one asked for (discharged or not)."""
        patients = Patient.objects.for_clinic(self.clinic)
        patient = whole_parameter("patient", self.request.query_params.get("patient"))
        if patient is None:
            patients = patients.filter(status=PatientStatus.ACTIVE)
        else:
            patients = patients.filter(pk=patient)
        return list(patients.order_by("pk").values_list("pk", flat=True))

    @extend_schema(
        summary="List the current alerts of the clinic's patients",
        description="Every alert the caseload would show now, open and acknowledged, of the "
        "clinic's active patients (or of the one `patient`, discharged or not), in patient "
        "order and, for each patient, most urgent first. Alerts are worked out when asked "
        "for, so this list is paged by `page` number rather than by cursor.",
        parameters=[
            PATIENT_FILTER,
            OpenApiParameter(
                "acknowledged",
                bool,
                description="false for the open alerts only, true for the acknowledged ones.",
            ),
        ],
    )
    def list(self, request, *args, **kwargs):
        acknowledged = yes_no_parameter("acknowledged", request.query_params.get("acknowledged"))
        found = alerts_for_patients(clinic=self.clinic, patient_ids=self.patient_ids())
        alerts = [
            alert
            for patient_id in sorted(found)
            for alert in found[patient_id].alerts
            if acknowledged is None or acknowledged != alert.is_open
        ]
        page = self.paginate_queryset(alerts)
        self.audit_read(page)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        summary="Acknowledge an alert",
        description="Marks one of a patient's current alerts as seen, with an optional note. "
        "An alert that has passed or was replaced by a newer event is refused. Acknowledging "
        "an alert again keeps the first acknowledgement and answers it.",
        request=AcknowledgeSerializer,
        responses=AlertSerializer,
    )
    @action(detail=False, methods=["post"])
    def acknowledge(self, request):
        serializer = AcknowledgeSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        patient = data["patient"]
        alert_acknowledge(
            clinic=self.clinic,
            patient=patient,
            kind=data["kind"],
            event_key=data["event_key"],
            acknowledged_by=request.user,
            note=data["note"],
        )
        found = alerts_for_patients(clinic=self.clinic, patient_ids=[patient.pk])[patient.pk]
        return self._answer(found.find(kind=data["kind"], event_key=data["event_key"]))
