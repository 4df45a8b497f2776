from django.urls import path

from peikao.training import views

app_name = "training"

urlpatterns = [
    path("classes/", views.class_list, name="class_list"),
    path("classes/new/", views.class_create, name="class_create"),
    path("classes/<str:class_code>/", views.class_detail, name="class_detail"),
    path("classes/<str:class_code>/edit/", views.class_edit, name="class_edit"),
    path("classes/<str:class_code>/do/<slug:action>/", views.class_transition, name="class_transition"),
    path("classes/<str:class_code>/lessons/new/", views.lesson_create, name="lesson_create"),
    path("classes/<str:class_code>/trainees/", views.enrol, name="enrol"),
    path("classes/<str:class_code>/trainees/<int:person_id>/", views.trainee_hours, name="trainee_hours"),
    path("classes/<str:class_code>/attendance/new/", views.attendance_create, name="attendance_create"),
    path("classes/<str:class_code>/archive/", views.archive_verify, name="archive_verify"),
    path("classes/<str:class_code>/archive/amend/", views.archive_amend, name="archive_amend"),
    path("archives/", views.archives, name="archives"),
    path("devices/", views.device_list, name="devices"),
    path("devices/<str:device_code>/deactivate/", views.device_deactivate, name="device_deactivate"),
]
