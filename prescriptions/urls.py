from django.urls import path

from . import views

app_name = "prescriptions"

urlpatterns = [
    path("exercise-search/", views.exercise_search, name="exercise-search"),
    path("<int:pk>/", views.plan_detail, name="plan-detail"),
    path("<int:pk>/edit/", views.plan_edit, name="plan-edit"),
    path("<int:pk>/status/", views.plan_status, name="plan-status"),
    path("<int:pk>/save-as-template/", views.plan_save_as_template, name="plan-save-template"),
]
