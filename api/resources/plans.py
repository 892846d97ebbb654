from django.db import transaction
from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from exercises import dose
from exercises.dose import Side
from exercises.models import Exercise
from patients.models import Patient
from prescriptions import schedule
from prescriptions.models import Plan, PlanItem, PlanRevision, PlanStatus
from prescriptions.services import ItemInput, plan_create, plan_revise, plan_status_change

from ..base import PATIENT_FILTER, UPDATED_SINCE, ClinicViewSet
from ..fields import limited

DAY_CODES = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class ClinicExerciseField(serializers.PrimaryKeyRelatedField):
    """An exercise the clinic may prescribe: the shared catalog or its own."""

    def get_queryset(self):
        return Exercise.objects.available_to(self.context["request"].auth.clinic)


@extend_schema_field(OpenApiTypes.INT)
class ClinicPatientField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return Patient.objects.for_clinic(self.context["request"].auth.clinic)


class DaysField(serializers.ListField):
    """The days of the week as codes (mon … sun), stored as the plan's weekday mask."""

    child = serializers.ChoiceField(choices=DAY_CODES)

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_empty", False)
        super().__init__(**kwargs)

    def to_representation(self, mask):
        return [DAY_CODES[day] for day in schedule.days_from_mask(mask)]

    def to_internal_value(self, data):
        days = super().to_internal_value(data)
        return schedule.mask_from_days(DAY_CODES.index(day) for day in days)


class PlanItemSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(
        required=False,
        help_text="When changing a plan: the item this entry keeps (leave out for a new one).",
    )
    exercise = ClinicExerciseField()
    side = serializers.ChoiceField(choices=Side.choices, required=False, default=Side.NONE)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)
    dose_text = serializers.CharField(read_only=True)

    class Meta:
        model = PlanItem
        fields = [
            "id",
            "exercise",
            "position",
            "sets",
            "repetitions",
            "hold_seconds",
            "rest_seconds",
            "side",
            "note",
            "dose_text",
        ]
        read_only_fields = ["position"]
        extra_kwargs = {
            name: limited(limit, required=False, help_text="Left out: the exercise's default.")
            for name, limit in dose.DOSE_LIMITS.items()
        }


class PlanSerializer(serializers.ModelSerializer):
    patient = ClinicPatientField()
    items = PlanItemSerializer(many=True)
    days_of_week = DaysField(source="weekdays", required=False)
    version = serializers.IntegerField(
        required=False,
        help_text="When changing a plan: the version the change starts from. A plan changed "
        "meanwhile answers 409, so nobody's change is overwritten.",
    )

    class Meta:
        model = Plan
        fields = [
            "id",
            "patient",
            "title",
            "notes",
            "start_date",
            "end_date",
            "status",
            "times_per_day",
            "days_of_week",
            "items",
            "version",
            "prescribed_by",
            "template",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "prescribed_by", "template", "created_at", "updated_at"]
        extra_kwargs = {"times_per_day": limited(dose.TIMES_PER_DAY)}


class RevisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanRevision
        fields = ["number", "changed_by", "changed_at", "summary", "snapshot"]


class StatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=PlanStatus.choices)
    version = serializers.IntegerField(required=False)


DOSE_NAMES = ("sets", "repetitions", "hold_seconds", "rest_seconds")


def item_inputs(rows) -> list[ItemInput]:
    """The items as the services take them; a dose figure left out is the exercise's default,
    as the builder fills it in."""
    return [
        ItemInput.from_exercise(
            row["exercise"],
            **{name: row[name] for name in DOSE_NAMES if name in row},
            side=row.get("side", Side.NONE),
            note=row.get("note", ""),
            item_id=row.get("id"),
        )
        for row in rows
    ]


@extend_schema_view(
    list=extend_schema(summary="List plans", parameters=[UPDATED_SINCE, PATIENT_FILTER]),
    retrieve=extend_schema(summary="One plan with its exercises and dose"),
    create=extend_schema(summary="Prescribe a plan"),
    update=extend_schema(
        summary="Change a plan",
        description="Send the whole plan as it should be, with the `version` it starts from. "
        "Items with an `id` keep that item; items without one are new; items left out end.",
    ),
)
class PlanViewSet(
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    ClinicViewSet,
):
    serializer_class = PlanSerializer
    http_method_names = ["get", "post", "put", "head", "options"]

    def base_queryset(self):
        return Plan.objects.for_clinic(self.clinic).prefetch_related(
            Prefetch("items", queryset=PlanItem.objects.order_by("position", "id"))
        )

    @transaction.atomic
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        plan = plan_create(
            patient=data["patient"],
            prescribed_by=request.user,
            title=data["title"],
            notes=data.get("notes", ""),
            start_date=data["start_date"],
            end_date=data.get("end_date"),
            times_per_day=data.get("times_per_day", 1),
            weekdays=data.get("weekdays", schedule.EVERY_DAY),
            items=item_inputs(data["items"]),
        )
        return self._answer(self.base_queryset().get(pk=plan.pk), status=201)

    @transaction.atomic
    def update(self, request, *args, **kwargs):
        plan = self.get_object()
        serializer = self.get_serializer(plan, data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data["patient"].pk != plan.patient_id:
            raise serializers.ValidationError({"patient": "A plan stays with its patient."})
        if "version" not in data:
            raise serializers.ValidationError(
                {"version": "Give the version of the plan the change starts from."}
            )
        plan_revise(
            plan=plan,
            changed_by=request.user,
            expected_version=data["version"],
            title=data["title"],
            notes=data.get("notes", ""),
            start_date=data["start_date"],
            end_date=data.get("end_date"),
            times_per_day=data.get("times_per_day", plan.times_per_day),
            weekdays=data.get("weekdays", plan.weekdays),
            items=item_inputs(data["items"]),
        )
        return self._answer(self.base_queryset().get(pk=plan.pk))

    @extend_schema(
        summary="Pause, resume, complete or discontinue a plan", request=StatusSerializer
    )
    @action(detail=True, methods=["post"])
    @transaction.atomic
    def status(self, request, pk=None):
        plan = self.get_object()
        serializer = StatusSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        plan_status_change(
            plan=plan,
            status=serializer.validated_data["status"],
            changed_by=request.user,
            expected_version=serializer.validated_data.get("version"),
        )
        return self._answer(self.base_queryset().get(pk=plan.pk))

    @extend_schema(
        summary="A plan's revisions, latest first", responses=RevisionSerializer(many=True)
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def revisions(self, request, pk=None):
        plan = self.get_object()
        self.audit_read([plan])
        rows = plan.revisions.order_by("-number")
        return Response(RevisionSerializer(rows, many=True).data)
