"""URL root: the web UI, the REST API under /api/."""

from django.urls import include, path

from peikao.api import api
from peikao.certificates.urls import public_urlpatterns
from peikao.enforcement.public import public_urlpatterns as case_urlpatterns
from peikao.enforcement.urls import spot_urlpatterns
from peikao.exams.urls import candidate_urlpatterns
from peikao.oversight.grading.public import public_urlpatterns as grading_public_urlpatterns
from peikao.web.urls import auth_urlpatterns

urlpatterns = [
    *public_urlpatterns,  # first: /api/public/… is the public verification API, not the platform's
    *case_urlpatterns,
    *grading_public_urlpatterns,
    *spot_urlpatterns,
    path("api/", api.urls),
    *auth_urlpatterns,
    path("", include("peikao.web.urls")),
    path("", include("peikao.core.urls")),
    path("", include("peikao.accounts.urls")),
    path("registry/", include("peikao.registry.urls")),
    path("training/", include("peikao.training.urls")),
    path("exams/", include("peikao.exams.urls")),
    path("exam/", include(candidate_urlpatterns)),
    path("certificates/", include("peikao.certificates.urls")),
    path("enforcement/", include("peikao.enforcement.urls")),
    path("compliance/", include("peikao.compliance.urls")),
    path("reports/", include("peikao.reports.urls")),
    path("oversight/grades/", include("peikao.oversight.grading.urls")),
    path("oversight/", include("peikao.oversight.urls")),
    path("oversight/injuries/", include("peikao.oversight.injuries.urls")),
]
