from django.urls import path

from peikao.accounts import views

app_name = "accounts"

urlpatterns = [
    path("accounts/", views.user_list, name="user_list"),
    path("accounts/new/", views.user_create, name="user_create"),
    path("accounts/<int:user_id>/deactivate/", views.user_deactivate, name="user_deactivate"),
    path("accounts/lockouts/", views.lockout_list, name="lockout_list"),
    path("accounts/lockouts/clear/", views.lockout_clear, name="lockout_clear"),
]
