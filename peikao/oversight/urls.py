from django.urls import path

from peikao.oversight import views

app_name = "oversight"

urlpatterns = [
    path("alerts/", views.alert_list, name="alert_list"),
    path("alerts/<int:alert_id>/", views.alert_detail, name="alert_detail"),
    path("alerts/<int:alert_id>/do/<slug:action>/", views.alert_step, name="alert_step"),
]
