from django.urls import path

from . import views

app_name = "insights"

urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("<int:pk>/", views.patient_detail, name="patient-detail"),
    path("<int:pk>/alerts/acknowledge/", views.alert_acknowledge, name="alert-acknowledge"),
    path("<int:pk>/export.csv", views.patient_export, name="patient-export"),
    path("<int:pk>/record.json", views.patient_export_json, name="patient-export-json"),
    path("<int:pk>/fhir.json", views.patient_export_fhir, name="patient-fhir"),
]
