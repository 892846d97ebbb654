"""What every resource of the API shares: the clinic of the calling key as the scope of every
query, the `updated_since` filter, and the audit row each read of a patient's data leaves."""

import datetime

from django.conf import settings
from django.utils import translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from clinics import audit
from clinics.models import AuditAction

UPDATED_SINCE = OpenApiParameter(
    "updated_since",
    OpenApiTypes.DATETIME,
    description="Only records created or changed at or after this time (ISO 8601 with a time "
    "zone, e.g. 2026-12-01T08:00:00Z): for keeping another system in step.",
)
PATIENT_FILTER = OpenApiParameter(
    "patient", OpenApiTypes.INT, description="Only the records of this patient (by id)."
)


def since_parameter(value: str | None) -> datetime.datetime | None:
    if value is None:
        return None
    try:
        moment = parse_datetime(value) if isinstance(value, str) else None
        # In UTC: the database takes offsets of under 16 hours, ISO 8601 up to 24.
        moment = moment.astimezone(datetime.UTC) if moment and moment.tzinfo else None
    except (ValueError, OverflowError):
        moment = None
    if moment is None:
        raise serializers.ValidationError(
            {
                "updated_since": _(
                    "Give a date and time in ISO 8601 with a time zone, such as "
                    "2026-12-01T08:00:00Z."
                )
            }
        )
    return moment


def whole_parameter(name: str, value: str | None) -> int | None:
    if value is None:
        return None
    if not value.isdigit() or len(value) > 12:
        raise serializers.ValidationError({name: _("Give a whole number (an id).")})
    return int(value)


def yes_no_parameter(name: str, value: str | None) -> bool | None:
    if value is None:
        return None
    if value not in ("true", "false"):
        raise serializers.ValidationError({name: _("Give true or false.")})
    return value == "true"


def choice_parameter(name: str, value: str | None, choices: list[str]) -> str | None:
    if value is None:
        return None
    if value not in choices:
        raise serializers.ValidationError({name: _("Give one of: %s.") % ", ".join(choices)})
    return value


class ClinicSchema(AutoSchema):
    """Ids in paths as integers: the routes match them by a pattern of digits, which the schema
    would otherwise describe as a string."""

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if "{id}" in self.path:
            return [OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH), *parameters]
        return parameters


class ClinicScoped(viewsets.GenericViewSet):
    """What every resource answers from: the calling key's clinic, and the audit row each read
    of a patient's data leaves. `patient_field` is how a row names its patient (None for rows
    that are not a patient's, such as exercises)."""

    patient_field: str | None = "patient_id"
    lookup_value_regex = "[0-9]+"
    schema = ClinicSchema()

    def initial(self, request, *args, **kwargs):
        # The API speaks English whatever the caller's Accept-Language, so a field means the
        # same to every client; an exercise's other languages are in its `translations`.
        translation.activate(settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = settings.LANGUAGE_CODE
        super().initial(request, *args, **kwargs)

    @property
    def clinic(self):
        return self.request.auth.clinic

    def audit_read(self, rows) -> None:
        """One row per patient whose data the answer carried, written in one query."""
        if not self.patient_field:
            return
        self.audit_patients([getattr(row, self.patient_field) for row in rows])

    def audit_patients(self, patient_ids: list[int]) -> None:
        audit.record_many(
            action=AuditAction.API_READ,
            scopes=[(self.clinic.pk, patient_id) for patient_id in patient_ids],
            summary=f"{self.request.method} {self.request.path}"[:300],
            request=self.request._request,
        )

    def _answer(self, row, status=200):
        return Response(self.get_serializer(row).data, status=status)


class ClinicViewSet(ClinicScoped):
    """A resource of model rows of the calling key's clinic (`base_queryset`), with the
    `updated_since` and `patient` filters on its list; `updated_field` is what `updated_since`
    reads. It answers `list` and `retrieve` itself, with the audit row: a resource adds DRF's
    create or update mixins only, since its list and retrieve mixins, listed first, would
    answer without it."""

    updated_field = "updated_at"

    def base_queryset(self):
        raise NotImplementedError

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            # The schema is drawn without a request's key: only the model matters then.
            return self.serializer_class.Meta.model.objects.none()
        queryset = self.base_queryset()
        if self.action != "list":
            return queryset
        since = since_parameter(self.request.query_params.get("updated_since"))
        if since is not None:
            queryset = queryset.filter(**{f"{self.updated_field}__gte": since})
        if self.patient_field and self.patient_field != "id":
            patient = whole_parameter("patient", self.request.query_params.get("patient"))
            if patient is not None:
                queryset = queryset.filter(**{self.patient_field: patient})
        return queryset

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        self.audit_read(page)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        row = self.get_object()
        self.audit_read([row])
        return self._answer(row)


# Without a docstring on purpose: the schema would show it as every operation's description.
class ArchiveActions:
    # For a resource whose own rows a clinic archives rather than deletes; `archived_set`
    # calls the resource's services, which hold the rules.

    def archived_set(self, row, *, archived: bool):
        raise NotImplementedError

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        row = self.archived_set(self.get_object(), archived=True)
        return self._answer(self.base_queryset().get(pk=row.pk))

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def restore(self, request, pk=None):
        row = self.archived_set(self.get_object(), archived=False)
        return self._answer(self.base_queryset().get(pk=row.pk))
