from django.urls import path

from . import handouts, views

app_name = "prescriptions"

urlpatterns = [
    path("exercise-search/", views.exercise_search, name="exercise-search"),
    path("<int:pk>/", views.plan_detail, name="plan-detail"),
    path("<int:pk>/handout/", handouts.plan_handout, name="plan-handout"),
    path("<int:pk>/handout.pdf", handouts.plan_handout_pdf, name="plan-handout-pdf"),
    path("<int:pk>/edit/", views.plan_edit, name="plan-edit"),
    path("<int:pk>/status/", views.plan_status, name="plan-status"),
    path("<int:pk>/save-as-template/", views.plan_save_as_template, name="plan-save-template"),
]
