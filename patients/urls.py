from django.contrib.auth.decorators import login_not_required
from django.urls import path
from django.views.generic import RedirectView

from .views import app, own, session, staff

app_name = "patients"

urlpatterns = [
    # Today sits under the patient's own addresses, the scope of the app on their phone; the
    # first address still works for bookmarks and emails sent before.
    path(
        "today/",
        login_not_required(RedirectView.as_view(pattern_name="patients:today", permanent=True)),
    ),
    path("me/today/", own.today, name="today"),
    path("me/offline/", app.offline, name="offline"),
    path("me/offline/sync/", app.offline_sync, name="offline-sync"),
    path("me/plans/<int:plan_pk>/session/", session.session_log, name="session-log"),
    path("me/sessions/<int:pk>/", session.session_done, name="session-done"),
    path("me/sessions/<int:pk>/correct/", own.session_correct, name="session-correct"),
    path("me/pain/", own.pain_report, name="pain-report"),
    path("me/pain/<int:pk>/", own.pain_report_result, name="pain-report-result"),
    path("me/history/", own.history, name="history"),
    path("me/account/", own.account, name="account"),
    path("me/account/language/", own.account_language, name="account-language"),
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
