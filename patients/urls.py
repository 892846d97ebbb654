from django.urls import path

from .views import own, session, staff

app_name = "patients"

urlpatterns = [
    path("today/", own.today, name="today"),
    path("me/plans/<int:plan_pk>/session/", session.session_log, name="session-log"),
    path("me/sessions/<int:pk>/", session.session_done, name="session-done"),
    path("me/sessions/<int:pk>/correct/", own.session_correct, name="session-correct"),
    path("me/pain/", own.pain_report, name="pain-report"),
    path("me/pain/<int:pk>/", own.pain_report_result, name="pain-report-result"),
    path("me/history/", own.history, name="history"),
    path("me/account/", own.account, name="account"),
    path("me/record-views/", own.record_views, name="record-views"),
    path("new/", staff.patient_add, name="patient-add"),
    path("<int:pk>/edit/", staff.patient_edit, name="patient-edit"),
    path("<int:pk>/discharge/", staff.patient_discharge, name="patient-discharge"),
    path("<int:pk>/reactivate/", staff.patient_reactivate, name="patient-reactivate"),
    path("<int:pk>/invite/", staff.patient_invite, name="patient-invite"),
    path("<int:pk>/plans/new/", staff.plan_create, name="plan-create"),
    path(
        "<int:pk>/plans/<int:plan_pk>/handout-with-code/",
        staff.plan_handout_with_code,
        name="plan-handout-with-code",
    ),
]
