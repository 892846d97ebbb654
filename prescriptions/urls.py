from django.urls import path

from . import handouts, template_views, views

app_name = "prescriptions"

urlpatterns = [
    path("exercise-search/", views.exercise_search, name="exercise-search"),
    path("<int:pk>/", views.plan_detail, name="plan-detail"),
    path("<int:pk>/handout/", handouts.plan_handout, name="plan-handout"),
    path("<int:pk>/handout.pdf", handouts.plan_handout_pdf, name="plan-handout-pdf"),
    path("<int:pk>/edit/", views.plan_edit, name="plan-edit"),
    path("<int:pk>/status/", views.plan_status, name="plan-status"),
    path("<int:pk>/save-as-template/", views.plan_save_as_template, name="plan-save-template"),
    path("templates/", template_views.template_list, name="template-list"),
    path("templates/new/", template_views.template_add, name="template-add"),
    path("templates/<int:pk>/", template_views.template_detail, name="template-detail"),
    path("templates/<int:pk>/edit/", template_views.template_edit, name="template-edit"),
    path("templates/<int:pk>/archive/", template_views.template_archive, name="template-archive"),
    path("templates/<int:pk>/restore/", template_views.template_restore, name="template-restore"),
]
