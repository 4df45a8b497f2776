from django.urls import path

from peikao.reports import views

app_name = "reports"

urlpatterns = [
    path("notice/", views.notice, name="notice"),
    path("notice/download.<slug:fmt>", views.notice_download, name="notice_download"),
]
