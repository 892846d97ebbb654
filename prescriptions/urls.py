from django.urls import path

from .views import handouts, plans, templates

app_name = "prescriptions"

urlpatterns = [
    path("exercise-search/", plans.exercise_search, name="exercise-search"),
    path("<int:pk>/", plans.plan_detail, name="plan-detail"),
    path("<int:pk>/handout/", handouts.plan_handout, name="plan-handout"),
    path("<int:pk>/handout.pdf", handouts.plan_handout_pdf, name="plan-handout-pdf"),
    path("<int:pk>/edit/", plans.plan_edit, name="plan-edit"),
    path("<int:pk>/status/", plans.plan_status, name="plan-status"),
    path("<int:pk>/save-as-template/", plans.plan_save_as_template, name="plan-save-template"),
    path("templates/", templates.template_list, name="template-list"),
    path("templates/new/", templates.template_add, name="template-add"),
    path("templates/<int:pk>/", templates.template_detail, name="template-detail"),
    path("templates/<int:pk>/edit/", templates.template_edit, name="template-edit"),
    path("templates/<int:pk>/archive/", templates.template_archive, name="template-archive"),
    path("templates/<int:pk>/restore/", templates.template_restore, name="template-restore"),
]
