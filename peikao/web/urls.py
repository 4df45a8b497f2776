from django.contrib.auth import views as auth_views
from django.urls import path

from peikao.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("work/subjects-to-inspect/", views.subjects_to_inspect, name="subjects_to_inspect"),
    path("profile/", views.profile, name="profile"),
    path("profile/tokens/", views.token_create, name="token_create"),
    path("profile/tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
]

auth_urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
