from django.db import transaction
from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers

from exercises import dose
from prescriptions import schedule
from prescriptions.models import PlanTemplate, PlanTemplateItem
from prescriptions.services import (
    template_archive,
    template_create,
    template_restore,
    template_update,
)

from ..base import UPDATED_SINCE, ArchiveActions, ClinicViewSet, yes_no_parameter
from ..fields import limited
from .plans import DaysField, PlanItemSerializer, item_inputs


class TemplateItemSerializer(PlanItemSerializer):
    # A template's items are replaced as a whole on every change, so none is named by id.
    id = None

    class Meta(PlanItemSerializer.Meta):
        model = PlanTemplateItem
        fields = [name for name in PlanItemSerializer.Meta.fields if name != "id"]


class TemplateSerializer(serializers.ModelSerializer):
    items = TemplateItemSerializer(many=True)
    days_of_week = DaysField(source="weekdays", required=False)
    shared = serializers.SerializerMethodField()

    class Meta:
        model = PlanTemplate
        fields = [
            "id",
            "name",
            "slug",
            "shared",
            "description",
            "times_per_day",
            "days_of_week",
            "items",
            "is_archived",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["slug", "is_archived", "created_by", "created_at", "updated_at"]
        extra_kwargs = {"times_per_day": limited(dose.TIMES_PER_DAY)}

    def get_shared(self, template) -> bool:
        return template.clinic_id is None


WRITES = (
    "Only a clinic admin may change the clinic's own templates: a key acting as a therapist is "
    "refused (403), and so is any change to a shared template. A change replaces the items "
    "with those sent, in that order; plans started from the template keep their own copy."
)


@extend_schema_view(
    list=extend_schema(
        summary="List the plan templates the clinic can start plans from",
        description="The shared templates and the clinic's own, archived ones included unless "
        "`archived` says otherwise.",
        parameters=[
            UPDATED_SINCE,
            OpenApiParameter(
                "archived",
                bool,
                description="true for archived templates only, false for those the plan "
                "builder offers.",
            ),
        ],
    ),
    retrieve=extend_schema(summary="One template with its exercises and dose"),
    create=extend_schema(summary="Add one of the clinic's own templates", description=WRITES),
    update=extend_schema(summary="Change one of the clinic's own templates", description=WRITES),
    archive=extend_schema(
        summary="Archive one of the clinic's own templates",
        description="Takes it out of the plan builder's choices; plans started from it keep "
        "their items. Archiving an archived template changes nothing.",
    ),
    restore=extend_schema(summary="Put an archived template back in the plan builder"),
)
class TemplateViewSet(
    ArchiveActions,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    ClinicViewSet,
):
    serializer_class = TemplateSerializer
    patient_field = None
    http_method_names = ["get", "post", "put", "head", "options"]

    def base_queryset(self):
        return PlanTemplate.objects.available_to(self.clinic).prefetch_related(
            Prefetch("items", queryset=PlanTemplateItem.objects.order_by("position", "id"))
        )

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "list":
            archived = yes_no_parameter("archived", self.request.query_params.get("archived"))
            if archived is not None:
                queryset = queryset.filter(is_archived=archived)
        return queryset

    @transaction.atomic
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        template = template_create(
            clinic=self.clinic,
            created_by=request.user,
            name=data["name"],
            description=data.get("description", ""),
            times_per_day=data.get("times_per_day", 1),
            weekdays=data.get("weekdays", schedule.EVERY_DAY),
            items=item_inputs(data["items"]),
        )
        return self._answer(self.base_queryset().get(pk=template.pk), status=201)

    @transaction.atomic
    def update(self, request, *args, **kwargs):
        template = self.get_object()
        serializer = self.get_serializer(template, data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        template_update(
            template=template,
            changed_by=request.user,
            name=data["name"],
            description=data.get("description", ""),
            times_per_day=data.get("times_per_day", template.times_per_day),
            weekdays=data.get("weekdays", template.weekdays),
            items=item_inputs(data["items"]),
        )
        return self._answer(self.base_queryset().get(pk=template.pk))

    def archived_set(self, template, *, archived: bool):
        if archived:
            return template_archive(template=template, archived_by=self.request.user)
        return template_restore(template=template, restored_by=self.request.user)
