from django.urls import path

from peikao.oversight.injuries import views

app_name = "oversight_injuries"

urlpatterns = [
    path("", views.analysis_page, name="analysis"),
    path("review/", views.review_page, name="review"),
    path("<int:case_id>/<str:decision>/", views.decide, name="decide"),
    path("priority/", views.raise_priority, name="raise_priority"),
]
