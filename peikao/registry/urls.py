from django.urls import path

from peikao.registry import views

app_name = "registry"

urlpatterns = [
    path("organizations/", views.organization_list, name="organization_list"),
    path("organizations/new/", views.organization_create, name="organization_create"),
    path("organizations/<str:org_code>/", views.organization_detail, name="organization_detail"),
    path("organizations/<str:org_code>/edit/", views.organization_edit, name="organization_edit"),
    path("organizations/<str:org_code>/status/", views.organization_status, name="organization_status"),
    path("organizations/<str:org_code>/staff/new/", views.assignment_create, name="assignment_create"),
    path("assignments/<int:assignment_id>/end/", views.assignment_end, name="assignment_end"),
    path("persons/", views.person_list, name="person_list"),
    path("persons/new/", views.person_create, name="person_create"),
    path("persons/<int:person_id>/", views.person_detail, name="person_detail"),
    path("persons/<int:person_id>/edit/", views.person_edit, name="person_edit"),
    path("persons/<int:person_id>/id-number/", views.person_reveal_id_number, name="person_reveal_id_number"),
    path("person-links/", views.person_link_list, name="person_link_list"),
    path("person-links/<int:link_id>/<str:decision>/", views.person_link_decide, name="person_link_decide"),
]
