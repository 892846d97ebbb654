"""What patients did and felt: session logs with their exercises, and pain reports. Both are
recorded through the services the patient's phone uses, with its client token: a retried call
with the same token records once and answers with the first record (200 instead of 201)."""

import datetime

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers

from exercises import dose
from patients.models import (
    Difficulty,
    PainReport,
    SessionLog,
    SessionLogEntry,
    SkipReason,
)
from patients.pain import PAIN
from patients.red_flags import RED_FLAG_CHOICES
from patients.services import EntryInput, pain_report_record, session_log_record
from prescriptions.models import PlanItem

from ..base import PATIENT_FILTER, UPDATED_SINCE, ClinicViewSet
from ..fields import limited
from .plans import ClinicPatientField


class EntrySerializer(serializers.ModelSerializer):
    plan_item = serializers.IntegerField(
        source="plan_item_id", help_text="The plan item (an exercise of the plan) done."
    )
    skip_reason = serializers.ChoiceField(
        choices=SkipReason.choices, required=False, default=SkipReason.NONE
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)

    class Meta:
        model = SessionLogEntry
        fields = [
            "plan_item",
            "exercise",
            "position",
            "side",
            "status",
            "skip_reason",
            "sets_done",
            "repetitions_done",
            "hold_seconds_done",
            "prescribed_sets",
            "prescribed_repetitions",
            "prescribed_hold_seconds",
            "prescribed_rest_seconds",
            "note",
        ]
        read_only_fields = [
            "exercise",
            "position",
            "side",
            "prescribed_sets",
            "prescribed_repetitions",
            "prescribed_hold_seconds",
            "prescribed_rest_seconds",
        ]
        extra_kwargs = {
            "sets_done": limited(dose.SETS_DONE),
            "repetitions_done": limited(dose.REPETITIONS_DONE),
            "hold_seconds_done": limited(dose.HOLD_SECONDS_DONE),
        }


class SessionLogSerializer(serializers.ModelSerializer):
    patient = ClinicPatientField()
    entries = EntrySerializer(many=True)
    difficulty = serializers.ChoiceField(
        choices=Difficulty.choices, required=False, allow_blank=True, default=""
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)

    class Meta:
        model = SessionLog
        # A repeated client token is an answer, not an error: the service returns the first log.
        validators = []
        fields = [
            "id",
            "patient",
            "plan",
            "plan_version",
            "performed_at",
            "pain_before",
            "pain_after",
            "difficulty",
            "note",
            "entries",
            "is_flagged",
            "flag_reason",
            "client_token",
            "recorded_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "plan_version",
            "is_flagged",
            "flag_reason",
            "recorded_by",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {
            "pain_before": limited(PAIN, allow_null=True, required=False),
            "pain_after": limited(PAIN, allow_null=True, required=False),
            "client_token": {
                "validators": [],
                "help_text": "A UUID the caller makes for this session: sending it again "
                "records nothing new.",
            },
        }

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and request.auth is not None:
            fields["plan"].queryset = fields["plan"].queryset.filter(clinic=request.auth.clinic)
        return fields


class PainReportSerializer(serializers.ModelSerializer):
    patient = ClinicPatientField()
    red_flags = serializers.ListField(
        child=serializers.ChoiceField(choices=RED_FLAG_CHOICES),
        required=False,
        default=list,
        help_text="Warning signs the patient reported, by code.",
    )
    body_location = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=120
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    recorded_at = serializers.DateTimeField(
        required=False, help_text="When the patient felt it; now when left out."
    )

    class Meta:
        model = PainReport
        validators = []
        fields = [
            "id",
            "patient",
            "score",
            "recorded_at",
            "body_location",
            "note",
            "red_flags",
            "red_flag_severity",
            "client_token",
            "recorded_by",
            "created_at",
        ]
        read_only_fields = ["red_flag_severity", "recorded_by", "created_at"]
        extra_kwargs = {
            "score": limited(PAIN),
            "client_token": {
                "validators": [],
                "required": False,
                "help_text": "A UUID the caller makes for this report: sending it again "
                "records nothing new.",
            },
        }

    def validate_recorded_at(self, value):
        # Another system may send reports it kept, but not from before anyone could have
        # been treated for this: a year back is the window plans themselves start in.
        if value < timezone.now() - datetime.timedelta(days=366):
            raise serializers.ValidationError(
                "Give a time within the last year; older pain reports are not taken."
            )
        return value


def _entries(*, plan, rows) -> list[EntryInput]:
    items = {item.pk: item for item in PlanItem.objects.filter(plan=plan)}
    entries = []
    for index, row in enumerate(rows):
        item = items.get(row["plan_item_id"])
        if item is None:
            raise serializers.ValidationError(
                {f"entries[{index}].plan_item": "Give an item of this session's plan."}
            )
        entries.append(
            EntryInput(
                plan_item=item,
                status=row["status"],
                sets_done=row["sets_done"],
                repetitions_done=row["repetitions_done"],
                hold_seconds_done=row["hold_seconds_done"],
                skip_reason=row.get("skip_reason", SkipReason.NONE),
                note=row.get("note", ""),
            )
        )
    return entries


@extend_schema_view(
    list=extend_schema(summary="List session logs", parameters=[UPDATED_SINCE, PATIENT_FILTER]),
    retrieve=extend_schema(summary="One session log with its exercises"),
    create=extend_schema(
        summary="Log a session",
        responses={201: SessionLogSerializer, 200: SessionLogSerializer},
        description="Records a session the patient did, as the phone does. The same "
        "`client_token` again answers 200 with the first log and records nothing.",
    ),
)
class SessionLogViewSet(mixins.CreateModelMixin, ClinicViewSet):
    serializer_class = SessionLogSerializer

    def base_queryset(self):
        return SessionLog.objects.for_clinic(self.clinic).prefetch_related(
            Prefetch("entries", queryset=SessionLogEntry.objects.order_by("position", "id"))
        )

    @transaction.atomic
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        patient, plan = data["patient"], data["plan"]
        if plan.patient_id != patient.pk:
            raise serializers.ValidationError({"plan": "Give one of this patient's plans."})
        known = SessionLog.objects.filter(patient=patient, client_token=data["client_token"])
        repeated = known.exists()
        session = session_log_record(
            patient=patient,
            plan=plan,
            performed_at=data["performed_at"],
            entries=_entries(plan=plan, rows=data["entries"]),
            client_token=data["client_token"],
            recorded_by=request.user,
            pain_before=data.get("pain_before"),
            pain_after=data.get("pain_after"),
            difficulty=data.get("difficulty", ""),
            note=data.get("note", ""),
        )
        return self._answer(
            self.base_queryset().get(pk=session.pk), status=200 if repeated else 201
        )


@extend_schema_view(
    list=extend_schema(summary="List pain reports", parameters=[UPDATED_SINCE, PATIENT_FILTER]),
    retrieve=extend_schema(summary="One pain report"),
    create=extend_schema(
        summary="Report pain",
        responses={201: PainReportSerializer, 200: PainReportSerializer},
        description="Records pain (0–10) with any warning signs, as the phone does; warning "
        "signs raise the same safety alert. The same `client_token` again records nothing.",
    ),
)
class PainReportViewSet(mixins.CreateModelMixin, ClinicViewSet):
    serializer_class = PainReportSerializer
    # Reports are never changed: a new one is the only change.
    updated_field = "created_at"

    def base_queryset(self):
        return PainReport.objects.filter(clinic=self.clinic)

    @transaction.atomic
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        token = data.get("client_token")
        repeated = (
            token is not None
            and PainReport.objects.filter(patient=data["patient"], client_token=token).exists()
        )
        report = pain_report_record(
            patient=data["patient"],
            score=data["score"],
            recorded_by=request.user,
            recorded_at=data.get("recorded_at"),
            body_location=data.get("body_location", ""),
            note=data.get("note", ""),
            red_flag_codes=data.get("red_flags", []),
            client_token=token,
        )
        return self._answer(report, status=200 if repeated else 201)
