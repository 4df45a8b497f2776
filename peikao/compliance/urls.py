from django.urls import path

from peikao.compliance import views

app_name = "compliance"

urlpatterns = [
    path("", views.region, name="region"),
    path("scan/", views.scan, name="scan"),
    path("enterprises/<str:org_code>/", views.enterprise, name="enterprise"),
]
