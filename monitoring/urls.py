from django.urls import path

from . import views

app_name = "monitoring"

urlpatterns = [
    path("", views.report, name="report"),
    path("report.csv", views.report_export, name="report-export"),
    path("patients/<int:pk>/", views.enrolment_edit, name="enrolment-edit"),
    path("patients/<int:pk>/time/", views.time_entry_add, name="time-entry-add"),
    path(
        "patients/<int:pk>/time/<int:entry_pk>/correct/",
        views.time_entry_correct,
        name="time-entry-correct",
    ),
]
