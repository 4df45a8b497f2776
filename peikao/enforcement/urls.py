from django.urls import path

from peikao.enforcement import views

app_name = "enforcement"

urlpatterns = [
    path("", views.home, name="home"),
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/<int:plan_id>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:plan_id>/draw/", views.plan_draw, name="plan_draw"),
    path("plans/<int:plan_id>/subjects/<str:org_code>/start/", views.plan_start, name="plan_start"),
    path("inspections/", views.inspection_list, name="inspection_list"),
    path("inspections/new/", views.inspection_create, name="inspection_create"),
    path("inspections/<str:inspection_code>/", views.inspection_detail, name="inspection_detail"),
    path(
        "inspections/<str:inspection_code>/do/<slug:action>/", views.inspection_transition, name="inspection_transition"
    ),
    path("inspections/<str:inspection_code>/checklist/", views.checklist_save, name="checklist_save"),
    path("inspections/<str:inspection_code>/findings/", views.finding_add, name="finding_add"),
    path("inspections/<str:inspection_code>/evidence/", views.evidence_add, name="evidence_add"),
    path("inspections/<str:inspection_code>/evidence/<str:sha256>/", views.evidence_file, name="evidence_file"),
    path("inspections/<str:inspection_code>/spot/", views.spot_draw, name="spot_draw"),
    path("inspections/<str:inspection_code>/spot/relink/", views.spot_relink, name="spot_relink"),
    path("inspections/<str:inspection_code>/decide/", views.decision_create, name="decision_create"),
    path("decisions/<str:decision_code>/", views.decision_detail, name="decision_detail"),
    path("decisions/<str:decision_code>/document.docx", views.decision_document, name="decision_document"),
    path("rectifications/", views.rectification_list, name="rectification_list"),
    path("rectifications/<int:rect_id>/", views.rectification_detail, name="rectification_detail"),
    path("rectifications/<int:rect_id>/do/<slug:action>/", views.rectification_action, name="rectification_action"),
    path("lookback/", views.lookback, name="lookback"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("indicators/", views.indicators, name="indicators"),
]

spot_urlpatterns = [path("spot/<str:token>/", views.spot_exam, name="spot_exam")]
