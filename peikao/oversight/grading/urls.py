from django.urls import path

from peikao.oversight.grading import views

app_name = "grading"  # under /oversight/grades/ (peikao/urls.py)

urlpatterns = [
    path("", views.grade_list, name="grade_list"),
    path("exits/", views.proposal_list, name="proposal_list"),
    path("exits/<int:proposal_id>/", views.proposal_detail, name="proposal_detail"),
    path("commitments/", views.commitment_list, name="commitment_list"),
    path("commitments/<int:commitment_id>/file/", views.commitment_file, name="commitment_file"),
    path("<str:org_code>/", views.grade_detail, name="grade_detail"),
]
