from django.urls import path

from peikao.certificates import public, views

app_name = "certificates"

urlpatterns = [
    path("", views.certificate_list, name="list"),
    path("reminders/", views.reminders, name="reminders"),
    path("issue/", views.pending, name="pending"),
    path("issue/<int:result_id>/", views.issue, name="issue"),
    path("leads/", views.lead_list, name="lead_list"),
    path("leads/group/", views.lead_group_action, name="lead_group_action"),
    path("leads/<int:lead_id>/", views.lead_detail, name="lead_detail"),
    path("leads/<int:lead_id>/do/", views.lead_action, name="lead_action"),
    path("leads/<int:lead_id>/number/", views.lead_reveal_number, name="lead_reveal_number"),
    path("<int:certificate_id>/", views.certificate_detail, name="detail"),
    path("<int:certificate_id>/do/<slug:action>/", views.certificate_action, name="action"),
    path("<int:certificate_id>/pdf/<slug:size>/", views.certificate_pdf, name="pdf"),
]

# The public side: no login, nothing of the platform reachable from it (peikao.certificates.public).
# Busiest first: a request is matched against the patterns in order (one regular expression each).
public_urlpatterns = [
    path("api/public/verify", public.api_verify, name="public_api_verify"),
    path("v/<str:token>", public.verify_token_page, name="public_token"),
    path("api/public/verify/token", public.api_verify_token, name="public_api_verify_token"),
    path("verify/", public.verify_page, name="public_verify"),
    path("status/certificates", public.status_list, name="status_list"),
    path(".well-known/jwks.json", public.jwks, name="jwks"),
    path("verify/report/", public.report_page, name="public_report"),
    path("status/certificates.jwt", public.status_list, {"as_jwt": True}, name="status_list_jwt"),
]
