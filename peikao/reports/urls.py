from django.urls import path

from peikao.reports import views
from peikao.reports.documents import FORMATS

app_name = "reports"

urlpatterns = [
    path("notice/", views.notice, name="notice"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/records/", views.dashboard_records, name="dashboard_records"),
    # One route per format (no route parameter): notice.docx, notice.pdf, notice.xlsx, notice.json
    *(path(f"notice/notice.{fmt}", views.notice_download, {"fmt": fmt}, name=f"notice_{fmt}") for fmt in FORMATS),
]
