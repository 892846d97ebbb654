from django.urls import path

from . import patient_views, session_views, views

app_name = "patients"

urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("today/", views.today, name="today"),
    path("me/plans/<int:plan_pk>/session/", session_views.session_log, name="session-log"),
    path("me/sessions/<int:pk>/", session_views.session_done, name="session-done"),
    path("me/sessions/<int:pk>/correct/", patient_views.session_correct, name="session-correct"),
    path("me/pain/", patient_views.pain_report, name="pain-report"),
    path("me/pain/<int:pk>/", patient_views.pain_report_result, name="pain-report-result"),
    path("me/history/", patient_views.history, name="history"),
    path("me/record-views/", patient_views.record_views, name="record-views"),
    path("new/", views.patient_add, name="patient-add"),
    path("<int:pk>/", views.patient_detail, name="patient-detail"),
    path("<int:pk>/edit/", views.patient_edit, name="patient-edit"),
    path("<int:pk>/discharge/", views.patient_discharge, name="patient-discharge"),
    path("<int:pk>/reactivate/", views.patient_reactivate, name="patient-reactivate"),
    path("<int:pk>/invite/", views.patient_invite, name="patient-invite"),
    path("<int:pk>/plans/new/", views.plan_create, name="plan-create"),
    path("<int:pk>/alerts/acknowledge/", views.alert_acknowledge, name="alert-acknowledge"),
    path("<int:pk>/export.csv", views.patient_export, name="patient-export"),
    path("<int:pk>/record.json", views.patient_export_json, name="patient-export-json"),
]
