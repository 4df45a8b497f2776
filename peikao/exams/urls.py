from django.urls import path

from peikao.exams import views

app_name = "exams"

urlpatterns = [
    path("banks/", views.bank_list, name="bank_list"),
    path("sittings/", views.sitting_list, name="sitting_list"),
    path("sittings/new/", views.sitting_create, name="sitting_create"),
    path("sittings/<str:sitting_code>/", views.sitting_detail, name="sitting_detail"),
    path("sittings/<str:sitting_code>/do/<slug:action>/", views.sitting_transition, name="sitting_transition"),
    path("sittings/<str:sitting_code>/staff/", views.staff_add, name="staff_add"),
    path("sittings/<str:sitting_code>/candidates/", views.candidate_add, name="candidate_add"),
    path("sittings/<str:sitting_code>/candidates/<int:person_id>/practical/", views.practical_score, name="practical"),
    path("sittings/<str:sitting_code>/patrols/", views.patrol_add, name="patrol_add"),
    path("findings/", views.finding_list, name="finding_list"),
    path("findings/<int:finding_id>/review/", views.finding_review, name="finding_review"),
]

candidate_urlpatterns = (
    [
        path("", views.exam_paper, name="paper"),
        path("login/", views.exam_login, name="login"),
        path("answer/", views.exam_answer, name="answer"),
        path("submit/", views.exam_submit, name="submit"),
        path("result/", views.exam_result, name="result"),
        path("logout/", views.exam_logout, name="logout"),
    ],
    "exam",
)
