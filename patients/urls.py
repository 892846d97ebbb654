from django.urls import path

from . import views

app_name = "patients"

urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("today/", views.today, name="today"),
    path("new/", views.patient_add, name="patient-add"),
    path("<int:pk>/", views.patient_detail, name="patient-detail"),
    path("<int:pk>/edit/", views.patient_edit, name="patient-edit"),
    path("<int:pk>/discharge/", views.patient_discharge, name="patient-discharge"),
    path("<int:pk>/reactivate/", views.patient_reactivate, name="patient-reactivate"),
    path("<int:pk>/plans/new/", views.plan_create, name="plan-create"),
]
