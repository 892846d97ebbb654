from django.db import transaction
from django.db.models import F, Prefetch
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from outcomes.models import OutcomeEntry, PsfsActivity, PsfsRating
from outcomes.scores import Measure
from outcomes.selectors import activities_of
from outcomes.services import entry_correct, psfs_record, total_record
from patients.models import Patient

from ..base import (
    PATIENT_FILTER,
    UPDATED_SINCE,
    ClinicViewSet,
    choice_parameter,
    whole_parameter,
    yes_no_parameter,
)
from .plans import ClinicPatientField


class RatingSerializer(serializers.ModelSerializer):
    activity_name = serializers.CharField(source="activity.name", read_only=True)

    class Meta:
        model = PsfsRating
        fields = ["activity", "activity_name", "rating"]


class OutcomeEntrySerializer(serializers.ModelSerializer):
    ratings = RatingSerializer(many=True, read_only=True)
    psfs_mean = serializers.SerializerMethodField()
    superseded_by = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="The entry that corrects this one; an entry with one is kept in the record "
        "but no longer counts.",
    )

    class Meta:
        model = OutcomeEntry
        fields = [
            "id",
            "patient",
            "measure",
            "assessed_on",
            "total",
            "ratings",
            "psfs_mean",
            "source",
            "recorded_by",
            "recorded_at",
            "supersedes",
            "superseded_by",
            "note",
        ]
        read_only_fields = fields

    def get_psfs_mean(self, entry) -> float | None:
        ratings = [row.rating for row in entry.ratings.all()]
        if entry.measure != Measure.PSFS or not ratings:
            return None
        return round(sum(ratings) / len(ratings), 2)


class RatingInputSerializer(serializers.Serializer):
    activity = serializers.IntegerField(help_text="The id of one of the patient's activities.")
    rating = serializers.IntegerField(help_text="0 (unable) to 10 (able as before).")


class ScoreInputSerializer(serializers.Serializer):
    assessed_on = serializers.DateField()
    total = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="ODI: 0 to 100 (%). NDI: 0 to 50 (points). Left out for PSFS.",
    )
    ratings = RatingInputSerializer(
        many=True,
        required=False,
        help_text="PSFS: a rating for each of the patient's current activities, and only "
        "those. Left out for ODI and NDI.",
    )

    def ratings_by_activity(self) -> dict[int, int] | None:
        rows = self.validated_data.get("ratings")
        if rows is None:
            return None
        return {row["activity"]: row["rating"] for row in rows}


class ScoreCreateSerializer(ScoreInputSerializer):
    patient = ClinicPatientField()
    measure = serializers.ChoiceField(choices=Measure.choices)


class CorrectionSerializer(ScoreInputSerializer):
    note = serializers.CharField(
        max_length=300, allow_blank=True, help_text="Why the score is corrected."
    )


class ActivitySerializer(serializers.ModelSerializer):
    class Meta:
        model = PsfsActivity
        fields = ["id", "patient", "name", "added_at"]


PATIENT_REQUIRED = OpenApiParameter(
    "patient", int, required=True, description="The patient whose activities to list (by id)."
)


@extend_schema_view(
    list=extend_schema(
        summary="List outcome scores",
        description="PSFS ratings and ODI and NDI totals, corrected ones included (they name "
        "the entry that corrects them in `superseded_by`) unless `current=true`. Scores are "
        "never changed, so `updated_since` gives the scores recorded since.",
        parameters=[
            UPDATED_SINCE,
            PATIENT_FILTER,
            OpenApiParameter("measure", enum=Measure.values, description="Only this measure."),
            OpenApiParameter(
                "current",
                bool,
                description="true for the scores no later entry corrects (what the charts "
                "use), false for the corrected ones.",
            ),
        ],
    ),
    retrieve=extend_schema(summary="One outcome score"),
    create=extend_schema(
        summary="Record an outcome score",
        request=ScoreCreateSerializer,
        description="A PSFS with a rating for each of the patient's current activities (see "
        "`psfs-activities`), or an ODI or NDI total from the clinic's licensed form.",
    ),
)
class OutcomeEntryViewSet(mixins.CreateModelMixin, ClinicViewSet):
    serializer_class = OutcomeEntrySerializer
    updated_field = "recorded_at"

    def base_queryset(self):
        return (
            OutcomeEntry.objects.for_clinic(self.clinic)
            .annotate(superseded_by=F("correction__id"))
            .prefetch_related(
                Prefetch("ratings", queryset=PsfsRating.objects.select_related("activity"))
            )
        )

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action != "list":
            return queryset
        params = self.request.query_params
        measure = choice_parameter("measure", params.get("measure"), Measure.values)
        if measure:
            queryset = queryset.filter(measure=measure)
        current = yes_no_parameter("current", params.get("current"))
        if current is not None:
            queryset = queryset.filter(correction__isnull=current)
        return queryset

    @transaction.atomic
    def create(self, request, *args, **kwargs):
        serializer = ScoreCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data["measure"] == Measure.PSFS:
            entry = psfs_record(
                patient=data["patient"],
                ratings=serializer.ratings_by_activity() or {},
                assessed_on=data["assessed_on"],
                by=request.user,
            )
        else:
            entry = total_record(
                patient=data["patient"],
                measure=data["measure"],
                total=data.get("total"),
                assessed_on=data["assessed_on"],
                by=request.user,
            )
        return self._answer(self.base_queryset().get(pk=entry.pk), status=201)

    @extend_schema(
        summary="Correct an outcome score",
        description="Records a new entry that supersedes this one, which stays in the record. "
        "Only the latest version of a score can be corrected; a PSFS correction rates the "
        "activities rated that day.",
        request=CorrectionSerializer,
        responses={201: OutcomeEntrySerializer},
    )
    @action(detail=True, methods=["post"])
    @transaction.atomic
    def correct(self, request, pk=None):
        entry = self.get_object()
        serializer = CorrectionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        corrected = entry_correct(
            entry=entry,
            by=request.user,
            assessed_on=data["assessed_on"],
            note=data["note"],
            total=data.get("total"),
            ratings=serializer.ratings_by_activity(),
        )
        return self._answer(self.base_queryset().get(pk=corrected.pk), status=201)

    @extend_schema(
        summary="A patient's current PSFS activities",
        description="The activities a PSFS score rates now, by the ids its `ratings` name.",
        parameters=[PATIENT_REQUIRED],
        responses=ActivitySerializer(many=True),
    )
    @action(detail=False, methods=["get"], url_path="psfs-activities", pagination_class=None)
    def psfs_activities(self, request):
        patient_id = whole_parameter("patient", request.query_params.get("patient"))
        if patient_id is None:
            raise serializers.ValidationError({"patient": "Give the patient's id."})
        patient = Patient.objects.for_clinic(self.clinic).filter(pk=patient_id).first()
        if patient is None:
            raise serializers.ValidationError({"patient": "No patient of the clinic has this id."})
        self.audit_patients([patient.pk])
        return Response(ActivitySerializer(activities_of(patient), many=True).data)
