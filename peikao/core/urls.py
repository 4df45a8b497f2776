from django.urls import path

from peikao.core import views

app_name = "core"

urlpatterns = [
    path("imports/", views.import_start, name="import_start"),
    path("imports/<int:run_id>/", views.import_run, name="import_run"),
    path("imports/<int:run_id>/report.csv", views.import_report, name="import_report"),
    path("imports/templates/<slug:kind>.csv", views.import_template, name="import_template"),
    path("exports/", views.export, name="export"),
    path("changelog/", views.changelog, name="changelog_list"),
]
