from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, re_path
from django.views.decorators.cache import cache_control
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import AllowAny
from rest_framework.routers import SimpleRouter

from . import views
from .resources.alerts import AlertViewSet
from .resources.exercises import ExerciseViewSet
from .resources.fhir import PatientEverything
from .resources.logs import PainReportViewSet, SessionLogViewSet
from .resources.outcomes import OutcomeEntryViewSet
from .resources.patients import PatientViewSet
from .resources.plans import PlanViewSet
from .resources.templates import TemplateViewSet

app_name = "api"

router = SimpleRouter()
router.register("patients", PatientViewSet, basename="patient")
router.register("plans", PlanViewSet, basename="plan")
router.register("session-logs", SessionLogViewSet, basename="session-log")
router.register("pain-reports", PainReportViewSet, basename="pain-report")
router.register("exercises", ExerciseViewSet, basename="exercise")
router.register("templates", TemplateViewSet, basename="template")
router.register("outcome-scores", OutcomeEntryViewSet, basename="outcome-score")
router.register("alerts", AlertViewSet, basename="alert")

version_1 = [
    *router.urls,
]
fhir = [
    path(
        "Patient/<int:pk>/$everything",
        PatientEverything.as_view({"get": "retrieve"}),
        name="fhir-patient-everything",
    ),
]
# The API signs callers in by key, not by session: its views are open to the sign-in
# middleware and closed by their own authentication and permissions.
for pattern in [*version_1, *fhir]:
    login_not_required(pattern.callback)

urlpatterns = [
    path(
        "schema/",
        # Drawn without the session, so the response cannot tell a signed-in reader from
        # another: it is kept out of shared caches for everyone, as the pages are for people
        # signed in.
        login_not_required(
            cache_control(private=True, no_store=True)(
                SpectacularAPIView.as_view(authentication_classes=[], permission_classes=[AllowAny])
            )
        ),
        name="schema",
    ),
    path("docs/", views.docs, name="docs"),
    path("v1/", include(version_1)),
    path("fhir/", include(fhir)),
    re_path(r"^(?P<rest>[\s\S]*)$", views.not_found),
]
