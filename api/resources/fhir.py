"""A patient's program as a FHIR R4 Bundle, the same one the patient page's download gives:
`GET /api/fhir/Patient/{id}/$everything`, in the spirit of FHIR's operation of that name."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from clinics import audit
from clinics.models import AuditAction
from insights import fhir
from patients.models import Patient

from ..base import ClinicScoped


class FhirJsonRenderer(JSONRenderer):
    media_type = "application/fhir+json"


class PatientEverything(ClinicScoped):
    renderer_classes = [FhirJsonRenderer, JSONRenderer]
    pagination_class = None
    patient_field = None

    @extend_schema(
        summary="A patient's program as a FHIR R4 Bundle",
        description="A Bundle of type `collection`: the Patient; a CarePlan per plan; a "
        "ServiceRequest per exercise of a plan, with its dose; an ActivityDefinition per "
        "exercise; an Observation per pain value (LOINC 72514-3) and per outcome score; a "
        "Procedure per session. Ids are stable from one export to the next and every reference "
        "resolves inside the bundle. The mapping and its extensions: docs/fhir.md.",
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses={200: OpenApiTypes.OBJECT},
        operation_id="fhir_patient_everything",
        tags=["fhir"],
    )
    def retrieve(self, request, pk=None):
        patient = self.get_object()
        bundle = fhir.patient_bundle(
            patient=patient, base_url=request.build_absolute_uri(fhir.FHIR_BASE_PATH)
        )
        audit.record(
            action=AuditAction.EXPORTED_FHIR,
            patient=patient,
            summary=f"{request.method} {request.path}"[:300],
        )
        return Response(bundle)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Patient.objects.none()
        return Patient.objects.for_clinic(self.clinic)
