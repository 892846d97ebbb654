from django.urls import path

from . import views

app_name = "patients"

urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("today/", views.today, name="today"),
    path("<int:pk>/plans/new/", views.plan_create, name="plan-create"),
]
